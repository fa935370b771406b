package emulator

import (
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// ExportImage writes a custom image into an OSS bucket of the caller, one
// object per disk of the image, once the export task's duration has passed
// (ecsTask, DescribeTaskAttribute). The API does not define the objects'
// names: clients read them from the task's OperationProgressSet (one
// OperationProgress per file, its RelatedItemSet naming OSSBucket, OSSObject
// and ImageFormat). The emulator names them after the DescribeTaskAttribute
// reference example (MYOSSPRE_m-23f8tcp8y_t-23ym6mvro.vhd), the system disk
// first, each data disk with a sequence number:
//
//	<OSSPrefix>_<ImageId>_<TaskId>.<format>      the system disk
//	<OSSPrefix>_<ImageId>_<TaskId>_<n>.<format>  data disk n (1, 2, ...)
//
// so a client guessing names (as this provider once did) finds nothing.
// ImageFormat is honoured only in the regions of exportFormatRegions; the
// others export RAW whatever was asked, as the ExportImage reference says.
// The bytes are deterministic pseudo-random data seeded by the image id and
// device, SizeGiB * exportBytesPerGiB long (1 MiB per GiB by default),
// streamed into OSS without being held in memory.

// ExportImageDefaultRole is the RAM role ExportImage uses by default.
const ExportImageDefaultRole = "AliyunECSImageExportDefaultRole"

// Export limits from the ExportImage documentation.
const (
	exportMaxDataDisks   = 4
	exportMaxDataDiskGiB = 500
)

func errExportDiskLimits() error {
	return apiErr(http.StatusBadRequest, "InvalidImage.DiskAmountOrSize", "The diskSize or diskAmount of the image exceeds the limitation.")
}

// errNoExportRole is the service's answer when ECS may not write to the
// bucket (role missing or not allowed on it).
func errNoExportRole(role string) error {
	if role == "" {
		role = ExportImageDefaultRole
	}
	return apiErr(http.StatusForbidden, "NoSetRoletoECSServiceAcount",
		"ECS service account Have no right to access your OSS.please attach a role of access your oss to ECS service account. (role "+role+")")
}

// exportFormats are ExportImage's ImageFormat values (ecs-20140526 v7.7.0
// ExportImageRequest: raw, vhd, qcow2, vmdk, vdi).
var exportFormats = map[string]string{"raw": "raw", "vhd": "vhd", "qcow2": "qcow2", "vmdk": "vmdk", "vdi": "vdi"}

// exportFormatRegions are the regions where ExportImage honours
// ImageFormat, from the ExportImage reference (Tokyo, Jakarta, Frankfurt,
// Dubai, Virginia, London, Singapore, Kuala Lumpur, Silicon Valley; older
// versions of the page also listed Mumbai and Sydney): elsewhere images are
// exported RAW. None of the emulator's seeded regions is among them.
var exportFormatRegions = map[string]bool{
	"ap-northeast-1": true, "ap-southeast-5": true, "eu-central-1": true, "me-east-1": true, "us-east-1": true,
	"eu-west-1": true, "ap-southeast-1": true, "ap-southeast-3": true, "us-west-1": true,
}

// exportPrefix is OSSPrefix: "1 to 30 characters in length and can contain
// digits and letters" (ecs-20140526 v7.7.0 ExportImageRequest).
var exportPrefix = regexp.MustCompile(`^[A-Za-z0-9]{1,30}$`)

func (st *snapStore) registerExport() {
	st.e.register("ExportImage", st.exportImage)
}

func (st *snapStore) exportImage(c *rpcCall) (any, error) {
	st.catchUp(c.now)
	id, bucket, prefix := c.str("ImageId"), c.str("OSSBucket"), c.str("OSSPrefix")
	switch {
	case id == "":
		return nil, errMissingParam("ImageId")
	case bucket == "":
		return nil, errMissingParam("OSSBucket")
	}
	format := "raw"
	if f := c.str("ImageFormat"); f != "" {
		asked, ok := exportFormats[strings.ToLower(f)]
		if !ok {
			return nil, apiErr(http.StatusBadRequest, "InvalidImageFormat.Malformed", "The specified Image Format is wrongly formed.")
		}
		if exportFormatRegions[c.Region] {
			format = asked
		}
	}
	if c.has("OSSPrefix") && !exportPrefix.MatchString(prefix) {
		return nil, apiErr(http.StatusBadRequest, "InvalidOSSPrefix.Malformed", "The specified OSSPrefix is not valid.")
	}
	if st.exportRoleMissing {
		return nil, errNoExportRole(c.str("RoleName"))
	}
	im, err := st.ownImage(c, id)
	if err != nil {
		return nil, err
	}
	if im.status(c.now) != "Available" {
		return nil, apiErr(http.StatusBadRequest, "IncorrectImageStatus", "The specified Image is not available.")
	}
	if im.Encrypted {
		return nil, apiErr(http.StatusBadRequest, "ImageNotSupported", "The specified Image contains encrypted snapshots, do not support export.")
	}
	if im.OSType == "windows" {
		return nil, apiErr(http.StatusBadRequest, "ImageNotSupported", "Images of Windows Server do not support export.")
	}
	if data := len(im.Mappings) - 1; data > exportMaxDataDisks {
		return nil, errExportDiskLimits()
	}
	for _, m := range im.Mappings[1:] {
		if m.SizeGiB > exportMaxDataDiskGiB {
			return nil, errExportDiskLimits()
		}
	}
	owner, ok := st.e.s.oss.bucketOwner(bucket)
	if !ok {
		return nil, apiErr(http.StatusBadRequest, "InvalidOSSBucket.NotFound", "The specified OSS bucket does not exist in this region.")
	}
	if owner != c.AccountID {
		// The export role only reaches the account's own buckets.
		return nil, errNoExportRole(c.str("RoleName"))
	}
	t := &ecsTask{
		ID: newID("t", c.region().code), AccountID: c.AccountID, RegionID: c.Region, Action: "ExportImage",
		Created: c.now, ImageID: im.ID, Bucket: bucket, Prefix: prefix, Format: format,
	}
	final := "Finished"
	if st.takeFailure(FailExportImage) {
		final = "Failed"
	}
	t.objects = exportObjects(im, t)
	t.state.begin(c.now, c.durations().ImageExport, final, "Waiting", "Processing")
	st.tasks[t.ID] = t
	st.finishExports(c.now) // with a zero duration the object is there at once
	return ecs.ExportImageResponse{RequestId: c.RequestID, TaskId: t.ID, RegionId: c.Region}, nil
}

// finishExports writes the objects of export tasks that are due. A task
// whose bucket went away meanwhile fails.
func (st *snapStore) finishExports(now time.Time) {
	var due []*ecsTask
	for _, t := range st.tasks {
		if t.Action == "ExportImage" && !t.finished && t.state.done(now) {
			due = append(due, t)
		}
	}
	// In finishing order, as the service would write them.
	sort.Slice(due, func(i, j int) bool { return due[i].state.end.Before(due[j].state.end) })
	for _, t := range due {
		t.finished = true
		if t.state.at(now) == "Failed" {
			continue
		}
		for _, obj := range t.objects {
			if err := st.e.s.oss.putObject(t.Bucket, obj.key, "application/octet-stream",
				exportContent(t.ImageID, obj.device, int64(obj.sizeGiB)*st.exportBytesPerGiB)); err != nil {
				t.failed = true
				break
			}
		}
	}
}

type exportObject struct {
	key     string
	device  string
	sizeGiB int
}

// exportObjects names the files an export writes.
func exportObjects(im *image, t *ecsTask) []exportObject {
	base := im.ID + "_" + t.ID
	if t.Prefix != "" {
		base = t.Prefix + "_" + base
	}
	var out []exportObject
	data := 0
	for _, m := range im.Mappings {
		name := base + "." + t.Format
		if m.Type == "data" {
			data++
			name = fmt.Sprintf("%s_%d.%s", base, data, t.Format)
		}
		out = append(out, exportObject{key: name, device: m.Device, sizeGiB: m.SizeGiB})
	}
	return out
}

// exportContent streams n deterministic pseudo-random bytes for a disk of an
// image: the same image and device always give the same bytes.
func exportContent(imageID, device string, n int64) io.Reader {
	seed := sha256.Sum256([]byte(imageID + "\x00" + device))
	return io.LimitReader(rand.NewChaCha8(seed), n)
}
