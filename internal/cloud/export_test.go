package cloud

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"hash/crc64"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
	"github.com/alidr/terraform-provider-alidr/internal/transfer"
)

func TestExportImageAndChecksums(t *testing.T) {
	c, srv := instantClient(t)
	srv.SetExportBytesPerGiB(256 << 10) // a 40 GiB system disk exports as 10 MiB: two parts
	ctx := context.Background()
	const region = emulator.SeedRegion
	ossc, err := oss.New(srv.URL(), emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	if err := ossc.CreateBucket("dr-export"); err != nil {
		t.Fatal(err)
	}
	id, err := c.CreateImage(ctx, region, CreateImageInput{InstanceID: emulator.SeedInstanceCoreApp, Name: "export-src"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitImageAvailable(ctx, region, id, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	// A missing bucket is a bad argument, not a sign that the image is gone.
	if _, err := c.ExportImage(ctx, region, id, ExportImageInput{Bucket: "missing-bucket", Format: "raw"}); ErrorCode(err) != "InvalidOSSBucket.NotFound" || IsNotFound(err) {
		t.Fatalf("export to a missing bucket: %v, want InvalidOSSBucket.NotFound and not a missing resource", err)
	}
	task, err := c.ExportImage(ctx, region, id, ExportImageInput{Bucket: "dr-export", Prefix: "core", Format: "qcow2"})
	if err != nil {
		t.Fatal(err)
	}
	objs, err := c.WaitExportTask(ctx, region, task, "export", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// The objects are the ones the task names, and exactly those the bucket
	// holds; cn-beijing ignores ImageFormat, so they are RAW.
	b, _ := ossc.Bucket("dr-export")
	lr, err := b.ListObjects()
	if err != nil || len(objs) != 2 || len(lr.Objects) != 2 {
		t.Fatalf("task objects %+v, bucket %+v (%v)", objs, lr.Objects, err)
	}
	listed := map[string]bool{lr.Objects[0].Key: true, lr.Objects[1].Key: true}
	for _, o := range objs {
		if !listed[o.Key] || o.Bucket != "dr-export" || o.Format != "raw" {
			t.Fatalf("task object %+v is not in the bucket %v, or not RAW", o, listed)
		}
	}
	key := objs[0].Key
	head, err := c.HeadExportObject(ctx, region, "dr-export", key)
	if err != nil {
		t.Fatal(err)
	}
	if head.Size == 0 || head.ETag == "" || head.CRC64 == "" {
		t.Fatalf("head = %+v", head)
	}
	if _, err := c.HeadExportObject(ctx, region, "dr-export", "core/none"); !IsNotFound(err) {
		t.Fatalf("HEAD of a missing object: %v", err)
	}

	res, err := c.ChecksumExport(ctx, region, "dr-export", key, ExportChecksumOptions{MD5: true, SHA256: true})
	if err != nil {
		t.Fatal(err)
	}
	// Independent computation over a plain GET.
	body, err := b.GetObject(key)
	if err != nil {
		t.Fatal(err)
	}
	m, s, cr := md5.New(), sha256.New(), crc64.New(crc64.MakeTable(crc64.ECMA))
	n, err := io.Copy(io.MultiWriter(m, s, cr), body)
	body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if res.Size != n || res.MD5 != hex.EncodeToString(m.Sum(nil)) || res.SHA256 != hex.EncodeToString(s.Sum(nil)) ||
		transfer.FormatCRC64(res.CRC64) != transfer.FormatCRC64(cr.Sum64()) || transfer.FormatCRC64(res.CRC64) != head.CRC64 {
		t.Fatalf("checksums %+v differ from the independent ones (size %d)", res, n)
	}
	if res.Manifest == nil || len(res.Manifest.Parts) < 2 || res.Manifest.Parts[0].SHA256 == "" {
		t.Fatalf("manifest without per-part SHA-256: %+v", res.Manifest)
	}
	if err := c.PutExportManifest(ctx, region, "dr-export", key+".manifest.json", res.Manifest); err != nil {
		t.Fatal(err)
	}
	back, err := c.GetExportManifest(ctx, region, "dr-export", key+".manifest.json")
	if err != nil || back.CRC64 != res.Manifest.CRC64 || back.Size != n {
		t.Fatalf("manifest read back = %+v, %v", back, err)
	}

	// Deleting the export removes its objects (system and data disks, and
	// the manifest) and nothing else.
	if err := b.PutObject("core/other", io.LimitReader(zeroReader{}, 3)); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteExportObjects(ctx, region, "dr-export", []string{objs[0].Key, objs[1].Key, key + ".manifest.json"}); err != nil {
		t.Fatal(err)
	}
	lr, err = b.ListObjects()
	if err != nil {
		t.Fatal(err)
	}
	if len(lr.Objects) != 1 || lr.Objects[0].Key != "core/other" {
		t.Fatalf("left after DeleteExportObjects: %+v", lr.Objects)
	}
	if err := c.DeleteExportObjects(ctx, region, "no-such-bucket", []string{"x"}); err != nil {
		t.Fatalf("missing bucket: %v", err)
	}

	// A failed export task is an error.
	srv.FailNext(emulator.FailExportImage)
	task, err = c.ExportImage(ctx, region, id, ExportImageInput{Bucket: "dr-export", Format: "raw"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitExportTask(ctx, region, task, "export", 10*time.Second); err == nil {
		t.Fatal("a failed export task succeeded")
	}
}

// TestCancelExportTask: cancelling a running export stops it; cancelling it
// again (InvalidTaskId.IncorrectTaskStatus) or a finished one is success.
func TestCancelExportTask(t *testing.T) {
	c, srv := emulatorClient(t, emulator.Options{})
	srv.SetExportBytesPerGiB(16)
	ctx := context.Background()
	const region = emulator.SeedRegion
	srv.SetDurations(emulator.InstantDurations())
	id, err := c.CreateImage(ctx, region, CreateImageInput{InstanceID: emulator.SeedInstanceCoreApp, Name: "cancel-src"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitImageAvailable(ctx, region, id, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	finished, err := c.ExportImage(ctx, region, id, ExportImageInput{Bucket: emulator.SeedBucket})
	if err != nil {
		t.Fatal(err)
	}
	d := emulator.InstantDurations()
	d.ImageExport = time.Hour
	srv.SetDurations(d)
	running, err := c.ExportImage(ctx, region, id, ExportImageInput{Bucket: emulator.SeedBucket})
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range []string{running, running, finished} {
		if err := c.CancelExportTask(ctx, region, task); err != nil {
			t.Fatalf("CancelExportTask(%s): %v", task, err)
		}
	}
	if _, err := c.WaitExportTask(ctx, region, running, "export", 5*time.Second); err == nil || !strings.Contains(err.Error(), "Cancelled") {
		t.Fatalf("cancelled task: %v, want an error saying Cancelled", err)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
