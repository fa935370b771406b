package cloud

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"hash/crc64"
	"io"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
	"github.com/alidr/terraform-provider-alidr/internal/transfer"
)

func TestExportImageAndChecksums(t *testing.T) {
	c, srv := emulatorClient(t, emulator.Options{})
	srv.SetDurations(emulator.InstantDurations())
	srv.SetExportBytesPerGiB(256 << 10) // a 40 GiB system disk exports as 10 MiB: two parts
	ctx := context.Background()
	const region = "cn-beijing"
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
	task, err := c.ExportImage(ctx, region, id, ExportImageInput{Bucket: "dr-export", Prefix: "core/", Format: "qcow2"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitExportTask(ctx, region, task, "export", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	key := "core/" + id + "_system.qcow2"
	keys, err := c.ListExportObjects(ctx, region, "dr-export", "core/"+id+"_")
	if err != nil || len(keys) != 2 || keys[0] != "core/"+id+"_data_xvdb.qcow2" || keys[1] != key {
		t.Fatalf("ListExportObjects = %v, %v; want the data and system disk objects", keys, err)
	}
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
	b, _ := ossc.Bucket("dr-export")
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
	if err := c.DeleteExportObjects(ctx, region, "dr-export", "core/"+id+"_"); err != nil {
		t.Fatal(err)
	}
	lr, err := b.ListObjects(oss.Prefix("core/"))
	if err != nil {
		t.Fatal(err)
	}
	if len(lr.Objects) != 1 || lr.Objects[0].Key != "core/other" {
		t.Fatalf("left after DeleteExportObjects: %+v", lr.Objects)
	}
	if err := c.DeleteExportObjects(ctx, region, "dr-export", ""); err == nil {
		t.Fatal("an empty prefix was accepted")
	}
	if err := c.DeleteExportObjects(ctx, region, "no-such-bucket", "x"); err != nil {
		t.Fatalf("missing bucket: %v", err)
	}

	// A failed export task is an error.
	srv.FailNext(emulator.FailExportImage)
	task, err = c.ExportImage(ctx, region, id, ExportImageInput{Bucket: "dr-export", Format: "raw"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitExportTask(ctx, region, task, "export", 10*time.Second); err == nil {
		t.Fatal("a failed export task succeeded")
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
