package emulator

import (
	"bytes"
	"crypto/sha256"
	"io"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

func (e *snapEnv) export(mod func(*ecs.ExportImageRequest)) (*ecs.ExportImageResponse, error) {
	req := ecs.CreateExportImageRequest()
	mod(req)
	return e.bj.ExportImage(req)
}

func (e *snapEnv) task(id string) *ecs.DescribeTaskAttributeResponse {
	e.t.Helper()
	req := ecs.CreateDescribeTaskAttributeRequest()
	req.TaskId = id
	resp, err := e.bj.DescribeTaskAttribute(req)
	if err != nil {
		e.t.Fatalf("DescribeTaskAttribute: %v", err)
	}
	return resp
}

// digest hashes an object's bytes and counts them.
func digest(t *testing.T, r io.Reader) ([]byte, int64) {
	t.Helper()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		t.Fatal(err)
	}
	return h.Sum(nil), n
}

func TestExportImageWritesObjects(t *testing.T) {
	e := newSnapEnv(t)
	d := e.srv.ecs.durations
	bucket := mustBucket(t, ossClient(t, e.srv), "dr-exports")
	const perGiB = 256 << 10 // a quarter of the default, to spare the shared CPUs
	e.srv.SetExportBytesPerGiB(perGiB)
	id, _ := e.readyImage("exported")

	resp, err := e.export(func(r *ecs.ExportImageRequest) {
		r.ImageId, r.OSSBucket, r.OSSPrefix, r.ImageFormat = id, "dr-exports", "ecs", "qcow2"
	})
	if err != nil {
		t.Fatal(err)
	}
	// cn-beijing does not honour ImageFormat: the export is RAW, named as
	// in the DescribeTaskAttribute reference example.
	key := "ecs_" + id + "_" + resp.TaskId + ".raw"
	tr := e.task(resp.TaskId)
	if tr.TaskStatus != "Waiting" || tr.TaskAction != "ExportImage" || tr.TaskProcess != "0%" || tr.RegionId != SeedRegion {
		t.Errorf("new task: %+v", tr)
	}
	// The image cannot be deleted while it is being exported.
	del := ecs.CreateDeleteImageRequest()
	del.ImageId = id
	_, err = e.bj.DeleteImage(del)
	wantAPIError(t, err, 403, "ImageIsExporting")

	e.clock.Advance(d.ImageExport * 3 / 4)
	if tr = e.task(resp.TaskId); tr.TaskStatus != "Processing" || tr.TaskProcess != "75%" {
		t.Errorf("task at 3/4: %s %s", tr.TaskStatus, tr.TaskProcess)
	}
	if ok, err := bucket.IsObjectExist(key); err != nil || ok {
		t.Fatalf("object exists before the task finished: %v %v", ok, err)
	}
	e.clock.Advance(d.ImageExport / 4)
	tr = e.task(resp.TaskId)
	if tr.TaskStatus != "Finished" || tr.TaskProcess != "100%" || tr.SuccessCount != 1 || tr.FinishedTime == "" {
		t.Errorf("finished task: %+v", tr)
	}
	// The task names its object, as the service's OperationProgressSet does.
	ops := tr.OperationProgressSet.OperationProgress
	if len(ops) != 1 || ops[0].OperationStatus != "Success" {
		t.Fatalf("OperationProgressSet: %+v", ops)
	}
	items := map[string]string{}
	for _, it := range ops[0].RelatedItemSet.RelatedItem {
		items[it.Name] = it.Value
	}
	if items["OSSBucket"] != "dr-exports" || items["OSSObject"] != key || items["ImageFormat"] != "raw" {
		t.Errorf("related items: %v", items)
	}
	body, err := bucket.GetObject(key)
	if err != nil {
		t.Fatalf("GetObject(%s): %v", key, err)
	}
	got, n := digest(t, body)
	body.Close()
	// 40 GiB system disk.
	if n != 40*perGiB {
		t.Errorf("object is %d bytes, want %d", n, 40*perGiB)
	}
	want, _ := digest(t, exportContent(id, "/dev/xvda", 40*perGiB))
	if !bytes.Equal(got, want) {
		t.Error("object bytes differ from the image's deterministic content")
	}
	a, _ := io.ReadAll(exportContent(id, "/dev/xvda", 4096))
	b, _ := io.ReadAll(exportContent("m-other", "/dev/xvda", 4096))
	if bytes.Equal(a, b) {
		t.Error("export content does not depend on the image")
	}
}

func TestExportImageDataDisksAndRunSchedules(t *testing.T) {
	e := newSnapEnv(t)
	e.srv.SetExportBytesPerGiB(1000)
	bucket := mustBucket(t, ossClient(t, e.srv), "dr-exports")
	req := ecs.CreateCreateImageRequest()
	req.InstanceId = SeedInstanceCoreApp
	img, err := e.bj.CreateImage(req)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(e.srv.ecs.durations.ImageCreate)
	exp, err := e.export(func(r *ecs.ExportImageRequest) {
		r.ImageId, r.OSSBucket, r.RoleName = img.ImageId, "dr-exports", ExportImageDefaultRole
	})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(e.srv.ecs.durations.ImageExport)
	// No ECS call: the Go API runs the due work.
	e.srv.RunSchedules()
	res, err := bucket.ListObjects()
	if err != nil {
		t.Fatal(err)
	}
	sizes := map[string]int64{}
	for _, o := range res.Objects {
		sizes[o.Key] = o.Size
	}
	want := map[string]int64{
		img.ImageId + "_" + exp.TaskId + ".raw":   40 * 1000,
		img.ImageId + "_" + exp.TaskId + "_1.raw": 100 * 1000,
	}
	if len(sizes) != len(want) {
		t.Fatalf("objects %v, want %v", sizes, want)
	}
	for k, n := range want {
		if sizes[k] != n {
			t.Errorf("%s: %d bytes, want %d", k, sizes[k], n)
		}
	}
}

func TestExportImageErrors(t *testing.T) {
	e := newSnapEnv(t)
	client := ossClient(t, e.srv)
	mustBucket(t, client, "mine")
	e.srv.AddAccount("2000000000000002", "other-ak", "other-sk")
	otherOSS, err := oss.New(e.srv.URL(), "other-ak", "other-sk")
	if err != nil {
		t.Fatal(err)
	}
	mustBucket(t, otherOSS, "theirs")
	id, _ := e.readyImage("img")

	exp := func(img, bucket, format string) error {
		_, err := e.export(func(r *ecs.ExportImageRequest) { r.ImageId, r.OSSBucket, r.ImageFormat = img, bucket, format })
		return err
	}
	wantAPIError(t, exp("", "mine", ""), 400, "MissingParameter")
	wantAPIError(t, exp(id, "", ""), 400, "MissingParameter")
	wantAPIError(t, exp(id, "mine", "iso"), 400, "InvalidImageFormat.Malformed")
	wantAPIError(t, exp("m-2zenothere0000000000", "mine", ""), 404, "InvalidImageId.NotFound")
	wantAPIError(t, exp(publicImageSeeds[0].ID, "mine", ""), 404, "InvalidImageId.NotFound")
	wantAPIError(t, exp(id, "nobucket", ""), 400, "InvalidOSSBucket.NotFound")
	// ECS's role only reaches the account's own buckets.
	wantAPIError(t, exp(id, "theirs", ""), 403, "NoSetRoletoECSServiceAcount")

	e.srv.SetExportRoleAuthorized(false)
	wantAPIError(t, exp(id, "mine", ""), 403, "NoSetRoletoECSServiceAcount")
	e.srv.SetExportRoleAuthorized(true)

	// An image still being created cannot be exported.
	snap := e.createSnapshot(SeedDiskCoreAppSys, "app")
	e.clock.Advance(e.srv.ecs.durations.SnapshotCreate)
	creating := e.createImage(snap, "")
	wantAPIError(t, exp(creating, "mine", ""), 400, "IncorrectImageStatus")

	// At most 4 data disks of at most 500 GiB each.
	big := ecs.CreateCreateImageRequest()
	big.DiskDeviceMapping = &[]ecs.CreateImageDiskDeviceMapping{{SnapshotId: snap}, {Size: "501"}}
	bigImg, err := e.bj.CreateImage(big)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(e.srv.ecs.durations.ImageCreate)
	wantAPIError(t, exp(bigImg.ImageId, "mine", ""), 400, "InvalidImage.DiskAmountOrSize")

	treq := ecs.CreateDescribeTaskAttributeRequest()
	treq.TaskId = "t-2zenothere0000000000"
	_, err = e.bj.DescribeTaskAttribute(treq)
	wantAPIError(t, err, 400, "InvalidTaskId.NotFound")
}

func TestExportImageInjectedFailure(t *testing.T) {
	e := newSnapEnv(t)
	bucket := mustBucket(t, ossClient(t, e.srv), "mine")
	e.srv.SetExportBytesPerGiB(10)
	id, _ := e.readyImage("img")
	e.srv.FailNext(FailExportImage)
	resp, err := e.export(func(r *ecs.ExportImageRequest) { r.ImageId, r.OSSBucket = id, "mine" })
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(e.srv.ecs.durations.ImageExport)
	if tr := e.task(resp.TaskId); tr.TaskStatus != "Failed" || tr.FailedCount != 1 ||
		len(tr.OperationProgressSet.OperationProgress) != 1 || tr.OperationProgressSet.OperationProgress[0].OperationStatus != "Failed" {
		t.Errorf("failed export: %+v", tr)
	}
	if ok, _ := bucket.IsObjectExist(id + "_" + resp.TaskId + ".raw"); ok {
		t.Error("a failed export wrote its object")
	}
	// The bucket vanishing before the task ends fails it too.
	again, err := e.export(func(r *ecs.ExportImageRequest) { r.ImageId, r.OSSBucket = id, "mine" })
	if err != nil {
		t.Fatal(err)
	}
	if err := ossClient(t, e.srv).DeleteBucket("mine"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(e.srv.ecs.durations.ImageExport)
	if tr := e.task(again.TaskId); tr.TaskStatus != "Failed" {
		t.Errorf("export into a deleted bucket: %s", tr.TaskStatus)
	}
}

// TestExportControlEndpoints drives the feature's endpoints through the
// control API.
func TestExportControlEndpoints(t *testing.T) {
	e := newSnapEnv(t)
	st := snapsOf(e.srv.ecs)
	call := func(method, path, body string) int {
		return control(t, e.srv, method, "ecs/"+path, body, nil)
	}
	if got := call("POST", "fail-next", `{"kind":"ExportImage"}`); got != 204 {
		t.Errorf("fail-next: %d", got)
	}
	if got := call("POST", "fail-next", `{"kind":"Nope"}`); got != 400 {
		t.Errorf("fail-next with an unknown kind: %d", got)
	}
	if got := call("POST", "export-role", `{"authorized":false}`); got != 204 {
		t.Errorf("export-role: %d", got)
	}
	if got := call("POST", "export-scale", `{"bytes_per_gib":123}`); got != 204 {
		t.Errorf("export-scale: %d", got)
	}
	if got := call("GET", "run-schedules", ""); got != 405 {
		t.Errorf("GET run-schedules: %d", got)
	}
	if got := call("POST", "run-schedules", ""); got != 204 {
		t.Errorf("run-schedules: %d", got)
	}
	if got := call("POST", "durations", `{"ImageExport":"3s"}`); got != 204 {
		t.Errorf("the core's durations endpoint: %d", got)
	}
	e.srv.ecs.mu.Lock()
	defer e.srv.ecs.mu.Unlock()
	if st.failNext[FailExportImage] != 1 || !st.exportRoleMissing || st.exportBytesPerGiB != 123 {
		t.Errorf("state after control calls: fail %v role missing %v scale %d", st.failNext, st.exportRoleMissing, st.exportBytesPerGiB)
	}
}

// TestExportInstantDurations: with InstantDurations everything completes in
// the call that starts it, the export's object included.
func TestExportInstantDurations(t *testing.T) {
	e := newSnapEnv(t)
	e.srv.SetDurations(InstantDurations())
	e.srv.SetExportBytesPerGiB(16)
	bucket := mustBucket(t, ossClient(t, e.srv), "instant")
	snap := e.createSnapshot(SeedDiskCoreDBSys, "now")
	if s := e.mustSnapshot(e.bj, snap); s.Status != "accomplished" || s.Progress != "100%" {
		t.Fatalf("instant snapshot: %s %s", s.Status, s.Progress)
	}
	img := e.createImage(snap, "")
	if im := e.mustImage(e.bj, img, ""); im.Status != "Available" {
		t.Fatalf("instant image: %s", im.Status)
	}
	exp, err := e.export(func(r *ecs.ExportImageRequest) { r.ImageId, r.OSSBucket = img, "instant" })
	if err != nil {
		t.Fatal(err)
	}
	props, err := bucket.GetObjectMeta(img + "_" + exp.TaskId + ".raw")
	if err != nil {
		t.Fatalf("object right after ExportImage: %v", err)
	}
	if props.Get("Content-Length") != "640" {
		t.Errorf("Content-Length %s, want 640 (40 GiB x 16 bytes)", props.Get("Content-Length"))
	}
}

// TestExportImagePrefixAndFormat: OSSPrefix is 1 to 30 letters and digits;
// ImageFormat is honoured only in the regions that offer it, RAW elsewhere,
// and the task reports the format produced.
func TestExportImagePrefixAndFormat(t *testing.T) {
	e := newSnapEnv(t)
	e.srv.SetExportBytesPerGiB(10)
	mustBucket(t, ossClient(t, e.srv), "mine")
	id, _ := e.readyImage("img")
	for _, prefix := range []string{"core/", "", strings.Repeat("a", 31), "dr-site"} {
		_, err := e.export(func(r *ecs.ExportImageRequest) {
			r.ImageId, r.OSSBucket = id, "mine"
			r.GetQueryParams()["OSSPrefix"] = prefix
		})
		wantAPIError(t, err, 400, "InvalidOSSPrefix.Malformed")
	}
	format := func(asked string) string {
		t.Helper()
		resp, err := e.export(func(r *ecs.ExportImageRequest) {
			r.ImageId, r.OSSBucket, r.OSSPrefix, r.ImageFormat = id, "mine", "core1", asked
		})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(e.srv.ecs.durations.ImageExport)
		for _, it := range e.task(resp.TaskId).OperationProgressSet.OperationProgress[0].RelatedItemSet.RelatedItem {
			if it.Name == "ImageFormat" {
				return it.Value
			}
		}
		t.Fatal("no ImageFormat in the task")
		return ""
	}
	if got := format("qcow2"); got != "raw" {
		t.Errorf("qcow2 asked in %s: task reports %s, want raw", SeedRegion, got)
	}
	exportFormatRegions[SeedRegion] = true
	defer delete(exportFormatRegions, SeedRegion)
	if got := format("qcow2"); got != "qcow2" {
		t.Errorf("qcow2 asked where ImageFormat is honoured: task reports %s", got)
	}
}

// TestCancelTask: a running export is cancelled and writes nothing; a
// finished one answers InvalidTaskId.IncorrectTaskStatus.
func TestCancelTask(t *testing.T) {
	e := newSnapEnv(t)
	e.srv.SetExportBytesPerGiB(10)
	bucket := mustBucket(t, ossClient(t, e.srv), "mine")
	id, _ := e.readyImage("img")
	cancel := func(task string) error {
		req := ecs.CreateCancelTaskRequest()
		req.TaskId = task
		_, err := e.bj.CancelTask(req)
		return err
	}
	run, err := e.export(func(r *ecs.ExportImageRequest) { r.ImageId, r.OSSBucket = id, "mine" })
	if err != nil {
		t.Fatal(err)
	}
	if tr := e.task(run.TaskId); tr.SupportCancel != "true" {
		t.Errorf("running export: SupportCancel %s", tr.SupportCancel)
	}
	if err := cancel(run.TaskId); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(e.srv.ecs.durations.ImageExport)
	if tr := e.task(run.TaskId); tr.TaskStatus != "Cancelled" || tr.SupportCancel != "false" {
		t.Errorf("cancelled export: %s, SupportCancel %s", tr.TaskStatus, tr.SupportCancel)
	}
	if res, err := bucket.ListObjects(); err != nil || len(res.Objects) != 0 {
		t.Errorf("a cancelled export wrote %+v (%v)", res.Objects, err)
	}
	wantAPIError(t, cancel(run.TaskId), 403, "InvalidTaskId.IncorrectTaskStatus")

	done, err := e.export(func(r *ecs.ExportImageRequest) { r.ImageId, r.OSSBucket = id, "mine" })
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(e.srv.ecs.durations.ImageExport)
	wantAPIError(t, cancel(done.TaskId), 403, "InvalidTaskId.IncorrectTaskStatus")
	wantAPIError(t, cancel("t-2zenothere0000000000"), 400, "InvalidTaskId.NotFound")
}
