package cloud

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
	"github.com/alidr/terraform-provider-alidr/internal/transfer"
)

// exportEnv starts an emulator whose operations finish at once and whose
// exports are small, and makes an exportableImage through a client of it.
func exportEnv(t *testing.T) (c *Client, srv *emulator.Server, imageID string) {
	t.Helper()
	c, srv = newEmulatorClient(t, emulator.DefaultAccessKeySecret)
	srv.SetDurations(emulator.InstantDurations())
	srv.SetExportBytesPerGiB(4096)
	return c, srv, exportableImage(t, c)
}

// exportableImage makes an available image of the seeded core-app server.
func exportableImage(t *testing.T, c *Client) string {
	t.Helper()
	ctx := context.Background()
	id, err := c.CreateImage(ctx, emulator.SeedRegion, CreateImageInput{InstanceID: emulator.SeedInstanceCoreApp, Name: "export-lost"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitImageAvailable(ctx, emulator.SeedRegion, id, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	return id
}

// ExportImage reached the cloud but its answer was cut in half: the task
// is found by the image, bucket and prefix, and not started twice.
func TestExportImageAnswerLost(t *testing.T) {
	c, srv, id := exportEnv(t)
	srv.InjectFault(emulator.Fault{Service: "ecs", Action: "ExportImage", Kind: emulator.FaultTruncate, Count: 1})
	task, err := c.ExportImage(context.Background(), emulator.SeedRegion, id, ExportImageInput{Bucket: emulator.SeedBucket, Prefix: "core", Format: "raw"})
	if err != nil {
		t.Fatalf("ExportImage with its answer lost: %v, want the task it started", err)
	}
	objs, err := c.WaitExportTask(context.Background(), emulator.SeedRegion, task, "export", 10*time.Second)
	if err != nil || len(objs) == 0 {
		t.Fatalf("the task found (%s): %v, %v", task, objs, err)
	}
	if served := countCalls(srv, "ExportImage"); served != 1 {
		t.Errorf("ExportImage was served %d times, want 1 (the lost answer's task was not found)", served)
	}
}

// A finished export whose objects were deleted since, an export to another
// prefix and a cancelled one are not taken for the lost call's task.
func TestFindExportTaskSkipsOthers(t *testing.T) {
	c, _, id := exportEnv(t)
	ctx := context.Background()
	other, err := c.ExportImage(ctx, emulator.SeedRegion, id, ExportImageInput{Bucket: emulator.SeedBucket, Prefix: "other"})
	if err != nil {
		t.Fatal(err)
	}
	done, err := c.ExportImage(ctx, emulator.SeedRegion, id, ExportImageInput{Bucket: emulator.SeedBucket, Prefix: "core"})
	if err != nil {
		t.Fatal(err)
	}
	objs, err := c.WaitExportTask(ctx, emulator.SeedRegion, done, "export", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	f := ExportTaskFilter{ImageID: id, Bucket: emulator.SeedBucket, Prefix: "core"}
	if got, err := c.FindExportTask(ctx, emulator.SeedRegion, f); err != nil || got != done {
		t.Fatalf("FindExportTask = %q, %v; want the finished export %s (not %s to another prefix)", got, err, done, other)
	}
	if err := c.DeleteExportObjects(ctx, emulator.SeedRegion, emulator.SeedBucket, []string{objs[0].Key}); err != nil {
		t.Fatal(err)
	}
	if got, err := c.FindExportTask(ctx, emulator.SeedRegion, f); err != nil || got != "" {
		t.Fatalf("FindExportTask after its objects were deleted = %q, %v; want none", got, err)
	}
}

// A garbled answer (one byte flipped on the way) is retried: a read is
// sent again, and ExportImage looks up the task it may have started.
func TestGarbledAnswerRetried(t *testing.T) {
	c, srv, id := exportEnv(t)
	srv.InjectFault(emulator.Fault{Service: "ecs", Action: "DescribeRegions", Kind: emulator.FaultCorrupt, Count: 1})
	if _, err := c.Regions(context.Background()); err != nil {
		t.Fatalf("DescribeRegions with a garbled answer: %v, want it sent again", err)
	}
	srv.InjectFault(emulator.Fault{Service: "ecs", Action: "ExportImage", Kind: emulator.FaultCorrupt, Count: 1})
	if _, err := c.ExportImage(context.Background(), emulator.SeedRegion, id, ExportImageInput{Bucket: emulator.SeedBucket, Prefix: "core"}); err != nil {
		t.Fatalf("ExportImage with a garbled answer: %v, want the task it started", err)
	}
}

// A part of an export read is retried as often as max_retries says (five
// retries by default), like any call failing with a 5xx.
func TestChecksumExportRetriesAsConfigured(t *testing.T) {
	c, srv := newEmulatorClient(t, emulator.DefaultAccessKeySecret)
	c.Backoff.Attempts = 6
	b, err := c.Bucket(emulator.SeedRegion, emulator.SeedBucket)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.PutObject("small.raw", strings.NewReader("one part of an exported image")); err != nil {
		t.Fatal(err)
	}
	srv.InjectFault(emulator.Fault{Service: "oss", Action: "GetObject", Kind: emulator.Fault5xx, Count: 5})
	if _, err := c.ChecksumExport(context.Background(), emulator.SeedRegion, emulator.SeedBucket, "small.raw", ExportChecksumOptions{MD5: true}); err != nil {
		t.Fatalf("five failed reads of the one part, six attempts allowed: %v", err)
	}
}

// An upload damaged on the way (the SDK's CRC64 check fails) is sent again.
func TestManifestUploadRetriedAfterCRCMismatch(t *testing.T) {
	c, srv := newEmulatorClient(t, emulator.DefaultAccessKeySecret)
	c.Backoff.Base, c.Backoff.Max = time.Millisecond, time.Millisecond
	srv.InjectFault(emulator.Fault{Service: "oss", Action: "PutObject", Kind: emulator.FaultCorrupt, Count: 1})
	if err := c.PutExportManifest(context.Background(), emulator.SeedRegion, emulator.SeedBucket, "x.manifest.json", &transfer.Manifest{}); err != nil {
		t.Fatalf("manifest upload corrupted once: %v, want it sent again", err)
	}
}
