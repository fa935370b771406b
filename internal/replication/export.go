package replication

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
)

// Export formats ExportImage accepts here.
var ExportFormats = []string{"raw", "vhd", "qcow2"}

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

// ValidateExportPrefix checks an OSS prefix for ExportImage.
func ValidateExportPrefix(p string) error {
	switch {
	case len(p) > maxPrefix:
		return fmt.Errorf("prefix %q is %d characters long; ExportImage accepts at most %d: shorten it", p, len(p), maxPrefix)
	case strings.HasPrefix(p, "/"):
		return fmt.Errorf("prefix %q must not start with \"/\": write it relative to the bucket, e.g. %q", p, strings.TrimLeft(p, "/"))
	}
	return nil
}

// ValidateFormat checks an export format.
func ValidateFormat(f string) error {
	if !slices.Contains(ExportFormats, f) {
		return fmt.Errorf("format %q is not supported: use one of %s", f, strings.Join(ExportFormats, ", "))
	}
	return nil
}

// SystemObjectKey is the object ExportImage writes for the image's system
// disk: <prefix><imageID>_system.<format>.
func SystemObjectKey(prefix, imageID, format string) string {
	return prefix + imageID + "_system." + format
}

// DataObjectKey is the object of a data disk, named after its device.
func DataObjectKey(prefix, imageID, device, format string) string {
	return prefix + imageID + "_data_" + path.Base(device) + "." + format
}

// ExportObjectsPrefix is what every object of one export starts with.
func ExportObjectsPrefix(prefix, imageID string) string { return prefix + imageID + "_" }

// ManifestKey is the manifest object written beside an exported object.
func ManifestKey(object string) string { return object + ManifestSuffix }

// ManifestSuffix ends every manifest key.
const ManifestSuffix = ".manifest.json"

// SplitExportObjects sorts the keys an export wrote (listed under
// ExportObjectsPrefix) into the system disk object and the data disk
// objects; manifests and anything else are left out.
func SplitExportObjects(keys []string) (system string, data []string) {
	for _, k := range keys {
		switch {
		case strings.HasSuffix(k, ManifestSuffix):
		case strings.Contains(k, "_system."):
			if system == "" {
				system = k
			}
		case strings.Contains(k, "_data_"):
			data = append(data, k)
		}
	}
	sort.Strings(data)
	return system, data
}

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
