package replication

import (
	"fmt"
	"slices"
	"strings"
)

// ExportFormats are ExportImage's ImageFormat values (ecs-20140526 v7.7.0
// ExportImageRequest). ECS honours ImageFormat only in some regions and
// exports RAW elsewhere; no API tells which (see FormatNotice).
var ExportFormats = []string{"raw", "vhd", "qcow2", "vmdk", "vdi"}

// Checksum names.
const (
	ChecksumCRC64  = "crc64"
	ChecksumMD5    = "md5"
	ChecksumSHA256 = "sha256"
)

// Checksums lists every checksum an export can carry.
var Checksums = []string{ChecksumCRC64, ChecksumMD5, ChecksumSHA256}

// maxPrefix is the longest OSSPrefix ExportImage accepts.
const maxPrefix = 30

// ValidateExportPrefix checks an OSS prefix for ExportImage: OSSPrefix is
// "1 to 30 characters in length and can contain digits and letters"
// (ecs-20140526 v7.7.0 ExportImageRequest; InvalidOSSPrefix.Malformed
// otherwise). "" means no prefix.
func ValidateExportPrefix(p string) error {
	if len(p) > maxPrefix {
		return fmt.Errorf("prefix %q is %d characters long; ExportImage accepts at most %d: shorten it", p, len(p), maxPrefix)
	}
	for _, r := range p {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return fmt.Errorf("prefix %q contains %q; ExportImage accepts only letters and digits (no \"/\", \"-\" or \"_\"): use e.g. %q",
				p, r, lettersAndDigits(p))
		}
	}
	return nil
}

func lettersAndDigits(p string) string {
	var b strings.Builder
	for _, r := range p {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ValidateFormat checks an export format.
func ValidateFormat(f string) error {
	if !slices.Contains(ExportFormats, f) {
		return fmt.Errorf("format %q is not supported: use one of %s", f, strings.Join(ExportFormats, ", "))
	}
	return nil
}

// FormatNotice explains, for a format other than raw, that the region may
// export RAW instead, or returns "" for raw.
func FormatNotice(format string) string {
	if format == "raw" {
		return ""
	}
	return fmt.Sprintf("ECS honours ExportImage's ImageFormat only in some regions (the ExportImage reference lists them) and exports RAW elsewhere; "+
		"no API tells which, so the plan cannot check that %q will be produced. export.exported_format records the format the export task reports.", format)
}

// ExportKeys lists every object an export left in its bucket: the exported
// objects (as the export task named them) and their manifests.
func ExportKeys(object string, data []string) []string {
	var out []string
	for _, k := range append([]string{object}, data...) {
		if k != "" {
			out = append(out, k, ManifestKey(k))
		}
	}
	return out
}

// ManifestKey is the manifest object written beside an exported object.
func ManifestKey(object string) string { return object + ManifestSuffix }

// ManifestSuffix ends every manifest key.
const ManifestSuffix = ".manifest.json"

// ObjectState is what a HEAD says about an exported object.
type ObjectState struct {
	Exists bool
	ETag   string
	CRC64  string
	Size   int64
}

// ExportDrift explains why the exported object no longer is the one
// recorded (deleted, or its ETag, CRC64 or size changed), or "" when it is.
func ExportDrift(recorded ObjectState, now ObjectState) string {
	switch {
	case !now.Exists:
		return "the exported object was deleted"
	case recorded.ETag != "" && !strings.EqualFold(strings.Trim(recorded.ETag, `"`), strings.Trim(now.ETag, `"`)):
		return fmt.Sprintf("the exported object's ETag changed from %s to %s", recorded.ETag, now.ETag)
	case recorded.CRC64 != "" && now.CRC64 != "" && recorded.CRC64 != now.CRC64:
		return fmt.Sprintf("the exported object's CRC64 changed from %s to %s", recorded.CRC64, now.CRC64)
	case recorded.Size > 0 && now.Size != recorded.Size:
		return fmt.Sprintf("the exported object's size changed from %d to %d bytes", recorded.Size, now.Size)
	}
	return ""
}
