package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/alidr/terraform-provider-alidr/internal/transfer"
)

// expectations are the digests an object must have, each with its source.
type expectations struct {
	size                int64 // -1 when unknown
	crc64, md5, sha256  string
	crcSrc, md5Src, sha string
}

// IsNotFound is set by the backend's package to classify missing objects;
// the default looks for the OSS error codes in the message.
var IsNotFound = func(err error) bool {
	s := err.Error()
	return strings.Contains(s, "NoSuchKey") || strings.Contains(s, "NoSuchBucket") || strings.Contains(s, "404")
}

func objURL(bucket, key string) string { return "oss://" + bucket + "/" + key }

// runChecksum checks one object in the spec's mode. Every problem, bad
// input included, ends in a failed check with an explanation.
func runChecksum(ctx context.Context, b Backend, s ChecksumSpec) (Check, *ChecksumResult) {
	res := &ChecksumResult{Mode: s.Mode, Bucket: s.Bucket, Object: s.Object, Manifest: s.Manifest, BytesVerified: 0}
	fail := func(format string, args ...any) (Check, *ChecksumResult) {
		return Check{Name: CheckChecksum, Status: StatusFailed, Detail: s.Mode + ": " + fmt.Sprintf(format, args...)}, res
	}
	url := objURL(s.Bucket, s.Object)

	exp := expectations{size: -1}
	var m *transfer.Manifest
	if s.Manifest != "" {
		murl := objURL(s.Bucket, s.Manifest)
		data, err := b.ReadObject(ctx, s.Region, s.Bucket, s.Manifest, MaxManifestBytes)
		if err != nil {
			if IsNotFound(err) {
				return fail("manifest %s does not exist: %v", murl, err)
			}
			return fail("reading manifest %s: %v", murl, err)
		}
		if m, err = transfer.ParseManifest(data); err != nil {
			return fail("manifest %s does not parse: %v", murl, err)
		}
		exp.size = m.Size
		exp.crc64, exp.crcSrc = m.CRC64, "manifest"
		exp.md5, exp.md5Src = m.MD5, "manifest"
		exp.sha256, exp.sha = m.SHA256, "manifest"
	}
	for _, e := range []struct {
		given, name string
		into, src   *string
	}{
		{s.ExpectedCRC64, "expected_crc64", &exp.crc64, &exp.crcSrc},
		{strings.ToLower(s.ExpectedMD5), "expected_md5", &exp.md5, &exp.md5Src},
		{strings.ToLower(s.ExpectedSHA256), "expected_sha256", &exp.sha256, &exp.sha},
	} {
		if e.given == "" {
			continue
		}
		if *e.into != "" && *e.into != e.given {
			return fail("%s %s disagrees with the manifest's %s: fix one of them", e.name, e.given, *e.into)
		}
		*e.into, *e.src = e.given, e.name
	}

	if exp.crc64 == "" && exp.md5 == "" && exp.sha256 == "" {
		return fail("nothing to compare %s with: set a manifest or an expected_* digest", url)
	}
	switch s.Mode {
	case ModeMetadata:
		if exp.crc64 == "" {
			return fail("metadata mode compares CRC64 only: set expected_crc64 or a manifest that has one")
		}
		info, err := b.HeadObject(ctx, s.Region, s.Bucket, s.Object)
		if err != nil {
			return objectErr(fail, url, err)
		}
		if info.CRC64 == "" {
			return fail("OSS keeps no CRC64 for %s (x-oss-hash-crc64ecma missing): use mode sample or full", url)
		}
		res.CRC64 = info.CRC64
		if exp.size >= 0 && info.Size != exp.size {
			return fail("%s has %d bytes, the manifest says %d", url, info.Size, exp.size)
		}
		if info.CRC64 != exp.crc64 {
			return fail("CRC64 mismatch for %s: OSS has %s, %s says %s", url, info.CRC64, exp.crcSrc, exp.crc64)
		}
		return Check{Name: CheckChecksum, Status: StatusPassed,
			Detail: fmt.Sprintf("metadata: OSS CRC64 %s of %s (%d bytes) matches %s; no data was read", info.CRC64, url, info.Size, exp.crcSrc)}, res

	case ModeSample:
		if m == nil {
			return fail("sample mode needs a manifest")
		}
		info, err := b.HeadObject(ctx, s.Region, s.Bucket, s.Object)
		if err != nil {
			return objectErr(fail, url, err)
		}
		if info.Size != m.Size {
			return fail("%s has %d bytes, the manifest says %d", url, info.Size, m.Size)
		}
		res.PartsTotal = len(m.Parts)
		res.PartsChecked = SampleCount(len(m.Parts), s.SamplePercent)
		res.BytesVerified = -1
		if err := b.VerifySample(ctx, s.Region, s.Bucket, s.Object, m, s.SamplePercent); err != nil {
			switch {
			case errors.Is(err, transfer.ErrPartMismatch):
				return confirmSampleMismatch(ctx, b, s, m, res, url, err)
			case errors.Is(err, transfer.ErrObjectChanged):
				return fail("%s was replaced since the manifest was written (its ETag no longer matches): %v", url, err)
			}
			return objectErr(fail, url, err)
		}
		return Check{Name: CheckChecksum, Status: StatusPassed,
			Detail: fmt.Sprintf("sample: %d of %d parts (%g%%) of %s match the manifest (CRC64%s)",
				res.PartsChecked, res.PartsTotal, s.SamplePercent, url, map[bool]string{true: " and SHA-256", false: ""}[hasPartSHA(m)])}, res

	case ModeFull:
		var ps int64
		if m != nil {
			ps = m.PartSize
		}
		r, err := b.VerifyObject(ctx, s.Region, s.Bucket, s.Object, ps)
		if err != nil {
			return objectErr(fail, url, err)
		}
		res.CRC64, res.MD5, res.SHA256, res.BytesVerified = transfer.FormatCRC64(r.CRC64), r.MD5, r.SHA256, r.Size
		var bad []string
		if exp.size >= 0 && r.Size != exp.size {
			bad = append(bad, fmt.Sprintf("size %d, manifest says %d", r.Size, exp.size))
		}
		if exp.crc64 != "" && res.CRC64 != exp.crc64 {
			bad = append(bad, fmt.Sprintf("CRC64 %s, %s says %s", res.CRC64, exp.crcSrc, exp.crc64))
		}
		if exp.md5 != "" && res.MD5 != exp.md5 {
			bad = append(bad, fmt.Sprintf("MD5 %s, %s says %s", res.MD5, exp.md5Src, exp.md5))
		}
		if exp.sha256 != "" && res.SHA256 != exp.sha256 {
			bad = append(bad, fmt.Sprintf("SHA-256 %s, %s says %s", res.SHA256, exp.sha, exp.sha256))
		}
		if len(bad) > 0 {
			detail := strings.Join(bad, "; ")
			if m != nil && r.Manifest != nil {
				if parts := diffParts(m, r.Manifest); parts != "" {
					detail += "; differing parts: " + parts
				}
			}
			return fail("%s does not match: %s", url, detail)
		}
		var what []string
		for _, w := range []struct{ v, n string }{{exp.crc64, "CRC64"}, {exp.md5, "MD5"}, {exp.sha256, "SHA-256"}} {
			if w.v != "" {
				what = append(what, w.n)
			}
		}
		src := exp.crcSrc
		if src == "" {
			src = exp.md5Src
		}
		if src == "" {
			src = exp.sha
		}
		if m != nil {
			src = "the manifest"
		}
		return Check{Name: CheckChecksum, Status: StatusPassed,
			Detail: fmt.Sprintf("full: read all %d bytes of %s; %s match %s", r.Size, url, strings.Join(what, ", "), src)}, res
	}
	return fail("unknown mode %q", s.Mode)
}

// confirmSampleMismatch re-reads the whole object when a sampled part
// disagreed with the manifest: a part read once can be corrupted in
// transit (the sampler does not re-read), while the full read re-fetches
// damaged parts until they agree with the CRC64 OSS keeps. Only parts that
// still differ fail the check.
func confirmSampleMismatch(ctx context.Context, b Backend, s ChecksumSpec, m *transfer.Manifest, res *ChecksumResult, url string, sampleErr error) (Check, *ChecksumResult) {
	fail := func(format string, args ...any) (Check, *ChecksumResult) {
		return Check{Name: CheckChecksum, Status: StatusFailed, Detail: s.Mode + ": " + fmt.Sprintf(format, args...)}, res
	}
	r, err := b.VerifyObject(ctx, s.Region, s.Bucket, s.Object, m.PartSize)
	if err != nil {
		return fail("%s differs from the manifest: %v; the full re-read to confirm failed too: %v", url, sampleErr, err)
	}
	res.BytesVerified, res.CRC64, res.MD5, res.SHA256 = r.Size, transfer.FormatCRC64(r.CRC64), r.MD5, r.SHA256
	if parts := diffParts(m, r.Manifest); parts != "" {
		return fail("%s differs from the manifest: %v; a full re-read confirmed differing parts: %s", url, sampleErr, parts)
	}
	if res.CRC64 != m.CRC64 {
		return fail("%s differs from the manifest: %v; a full re-read gives CRC64 %s, the manifest says %s", url, sampleErr, res.CRC64, m.CRC64)
	}
	return Check{Name: CheckChecksum, Status: StatusPassed, Detail: fmt.Sprintf(
		"sample: a sampled part of %s read back damaged (%v), but a full re-read of all %d bytes matches the manifest: the damage was in transit, not in storage",
		url, sampleErr, r.Size)}, res
}

func objectErr(fail func(string, ...any) (Check, *ChecksumResult), url string, err error) (Check, *ChecksumResult) {
	if IsNotFound(err) {
		return fail("%s does not exist: %v", url, err)
	}
	return fail("reading %s: %v", url, err)
}

func hasPartSHA(m *transfer.Manifest) bool {
	for _, p := range m.Parts {
		if p.SHA256 == "" {
			return false
		}
	}
	return len(m.Parts) > 0
}

// SampleCount is how many of n parts a sample of percent checks (the
// transfer engine's rule: ceil, at least one, at most n).
func SampleCount(n int, percent float64) int {
	if n == 0 {
		return 0
	}
	k := int(float64(n)*percent/100 + 0.999999)
	return max(1, min(n, k))
}

// diffParts lists (up to 10) parts whose CRC64 differs between two
// manifests of the same layout.
func diffParts(want, got *transfer.Manifest) string {
	if want.PartSize != got.PartSize || len(want.Parts) != len(got.Parts) {
		return ""
	}
	var idx []string
	n := 0
	for i := range want.Parts {
		if want.Parts[i].CRC64 != got.Parts[i].CRC64 {
			n++
			if len(idx) < 10 {
				p := want.Parts[i]
				idx = append(idx, fmt.Sprintf("%d (bytes %d-%d)", i, p.Offset, p.Offset+p.Length-1))
			}
		}
	}
	if n > len(idx) {
		idx = append(idx, fmt.Sprintf("and %d more", n-len(idx)))
	}
	return strings.Join(idx, ", ")
}
