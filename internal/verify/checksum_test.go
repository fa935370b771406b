package verify

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/alidr/terraform-provider-alidr/internal/transfer"
)

func TestChecksum(t *testing.T) {
	data := []byte("the golden image, 42 bytes of it, really!")
	m := manifestOf(data, 8)
	other := bytes.ToUpper(data)
	cases := []struct {
		name   string
		setup  func(f *fakeBackend)
		spec   ChecksumSpec
		status string
		detail string
		check  func(t *testing.T, r *ChecksumResult)
	}{
		{name: "metadata pass", spec: ChecksumSpec{Mode: ModeMetadata, Manifest: "img.manifest"}, status: StatusPassed,
			detail: "metadata: OSS CRC64 " + m.CRC64 + " of oss://b/img (41 bytes) matches manifest; no data was read",
			check: func(t *testing.T, r *ChecksumResult) {
				if r.CRC64 != m.CRC64 || r.BytesVerified != 0 || r.MD5 != "" {
					t.Fatalf("%+v", r)
				}
			}},
		{name: "metadata expected crc pass", spec: ChecksumSpec{Mode: ModeMetadata, ExpectedCRC64: m.CRC64}, status: StatusPassed, detail: "matches expected_crc64"},
		{name: "metadata mismatch", setup: func(f *fakeBackend) { f.put("img", other) },
			spec: ChecksumSpec{Mode: ModeMetadata, ExpectedCRC64: m.CRC64}, status: StatusFailed,
			detail: "CRC64 mismatch for oss://b/img: OSS has " + transfer.FormatCRC64(transfer.CRC64(other)) + ", expected_crc64 says " + m.CRC64},
		{name: "metadata without stored crc", setup: func(f *fakeBackend) { f.objects["img"] = object{data: data} },
			spec: ChecksumSpec{Mode: ModeMetadata, ExpectedCRC64: m.CRC64}, status: StatusFailed, detail: "x-oss-hash-crc64ecma missing"},
		{name: "metadata size differs", setup: func(f *fakeBackend) { f.put("img", append(data, '!')) },
			spec: ChecksumSpec{Mode: ModeMetadata, Manifest: "img.manifest"}, status: StatusFailed, detail: "has 42 bytes, the manifest says 41"},
		{name: "object missing", spec: ChecksumSpec{Mode: ModeFull, Object: "nope", ExpectedMD5: m.MD5}, status: StatusFailed,
			detail: "full: oss://b/nope does not exist: oss: service returned error: StatusCode=404, ErrorCode=NoSuchKey"},
		{name: "manifest missing", spec: ChecksumSpec{Mode: ModeSample, Manifest: "nope.manifest"}, status: StatusFailed,
			detail: "manifest oss://b/nope.manifest does not exist"},
		{name: "manifest does not parse", setup: func(f *fakeBackend) { f.put("img.manifest", []byte("{not json")) },
			spec: ChecksumSpec{Mode: ModeFull, Manifest: "img.manifest"}, status: StatusFailed, detail: "manifest oss://b/img.manifest does not parse: manifest:"},
		{name: "manifest inconsistent", setup: func(f *fakeBackend) {
			bad := *m
			bad.CRC64 = "1"
			f.put("img.manifest", mustJSON(t, &bad))
		}, spec: ChecksumSpec{Mode: ModeFull, Manifest: "img.manifest"}, status: StatusFailed, detail: "does not parse: manifest: part CRC64s combine to"},
		{name: "expected disagrees with manifest", spec: ChecksumSpec{Mode: ModeFull, Manifest: "img.manifest", ExpectedMD5: strings.Repeat("0", 32)},
			status: StatusFailed, detail: "expected_md5 00000000000000000000000000000000 disagrees with the manifest's " + m.MD5},
		{name: "sample pass", spec: ChecksumSpec{Mode: ModeSample, Manifest: "img.manifest", SamplePercent: 50}, status: StatusPassed,
			detail: "sample: 3 of 6 parts (50%) of oss://b/img match the manifest (CRC64 and SHA-256)",
			check: func(t *testing.T, r *ChecksumResult) {
				if r.BytesVerified != -1 || r.PartsChecked != 3 || r.PartsTotal != 6 {
					t.Fatalf("%+v", r)
				}
			}},
		{name: "sample mismatch confirmed by a full read", setup: func(f *fakeBackend) { f.put("img", other) },
			spec: ChecksumSpec{Mode: ModeSample, Manifest: "img.manifest", SamplePercent: 100}, status: StatusFailed,
			detail: "oss://b/img differs from the manifest: part does not match the manifest: part 0 crc64",
			check: func(t *testing.T, r *ChecksumResult) {
				if r.BytesVerified != 41 || r.CRC64 != transfer.FormatCRC64(transfer.CRC64(other)) {
					t.Fatalf("%+v", r)
				}
			}},
		{name: "sample mismatch confirmed names parts", setup: func(f *fakeBackend) {
			d := bytes.Clone(data)
			d[17] = '#'
			f.put("img", d)
		}, spec: ChecksumSpec{Mode: ModeSample, Manifest: "img.manifest", SamplePercent: 100}, status: StatusFailed,
			detail: "; a full re-read confirmed differing parts: 2 (bytes 16-23)"},
		{name: "sample mismatch in transit only", setup: func(f *fakeBackend) {
			f.sampleFn = func(*transfer.Manifest, []byte) error {
				return fmt.Errorf("verify sample: %w: part 3 (bytes 24-31)", transfer.ErrPartMismatch)
			}
		}, spec: ChecksumSpec{Mode: ModeSample, Manifest: "img.manifest", SamplePercent: 10}, status: StatusPassed,
			detail: "sample: a sampled part of oss://b/img read back damaged (verify sample: part does not match the manifest: part 3 (bytes 24-31)), but a full re-read of all 41 bytes matches the manifest: the damage was in transit, not in storage"},
		{name: "sample object replaced", setup: func(f *fakeBackend) {
			f.sampleFn = func(*transfer.Manifest, []byte) error {
				return fmt.Errorf("verify sample: %w", transfer.ErrObjectChanged)
			}
		}, spec: ChecksumSpec{Mode: ModeSample, Manifest: "img.manifest", SamplePercent: 10}, status: StatusFailed,
			detail: "was replaced since the manifest was written"},
		{name: "full pass with manifest", spec: ChecksumSpec{Mode: ModeFull, Manifest: "img.manifest"}, status: StatusPassed,
			detail: "full: read all 41 bytes of oss://b/img; CRC64, MD5, SHA-256 match the manifest",
			check: func(t *testing.T, r *ChecksumResult) {
				if r.MD5 != m.MD5 || r.SHA256 != m.SHA256 || r.CRC64 != m.CRC64 || r.BytesVerified != 41 {
					t.Fatalf("%+v", r)
				}
			}},
		{name: "full pass with sha256 only", spec: ChecksumSpec{Mode: ModeFull, ExpectedSHA256: strings.ToUpper(m.SHA256)}, status: StatusPassed,
			detail: "SHA-256 match expected_sha256"},
		{name: "full mismatch names parts", setup: func(f *fakeBackend) {
			d := append([]byte(nil), data...)
			d[9], d[40] = 'X', '?'
			f.put("img", d)
		}, spec: ChecksumSpec{Mode: ModeFull, Manifest: "img.manifest"}, status: StatusFailed,
			detail: "differing parts: 1 (bytes 8-15), 5 (bytes 40-40)"},
		{name: "full md5 mismatch", spec: ChecksumSpec{Mode: ModeFull, ExpectedMD5: strings.Repeat("a", 32)}, status: StatusFailed,
			detail: "MD5 " + m.MD5 + ", expected_md5 says aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
		{name: "nothing to compare", spec: ChecksumSpec{Mode: ModeFull}, status: StatusFailed, detail: "nothing to compare"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock()
			f := newFake(clk)
			f.put("img", data)
			f.put("img.manifest", mustJSON(t, m))
			if tc.setup != nil {
				tc.setup(f)
			}
			s := tc.spec
			s.Bucket = "b"
			if s.Object == "" {
				s.Object = "img"
			}
			r := Run(context.Background(), f, clk, Spec{Checksum: &s})
			c := check(t, r, CheckChecksum)
			if c.Status != tc.status || r.Status != tc.status {
				t.Fatalf("status %s, want %s: %s", c.Status, tc.status, c.Detail)
			}
			if !strings.Contains(c.Detail, tc.detail) {
				t.Fatalf("detail %q lacks %q", c.Detail, tc.detail)
			}
			if tc.check != nil {
				tc.check(t, r.Checksum)
			}
		})
	}
}
