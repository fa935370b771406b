package cloud

import (
	"context"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// TestPollingLag runs every long wait of the client against operations that
// take 20 s on the emulator's manual clock (the waits sleep by advancing it,
// so the test takes milliseconds) and checks that each resource is seen
// done within 10% of the operation's time. It prints the operation time,
// the time the wait took and the Describe calls it made:
//
//	go test -count=1 -v -run TestPollingLag ./internal/cloud/
func TestPollingLag(t *testing.T) {
	const op = 20 * time.Second
	clock := emulator.NewManualClock(time.Now())
	c, srv := emulatorClient(t, emulator.Options{Clock: clock})
	c.WaitNow = clock.Now
	c.WaitSleep = func(ctx context.Context, d time.Duration) error {
		clock.Advance(d)
		return ctx.Err()
	}
	d := emulator.InstantDurations()
	d.InstanceCreate, d.ImageCreate, d.ImageCopy, d.ImageExport = op, op, op, op
	srv.SetDurations(d)
	srv.SetExportBytesPerGiB(16)
	ctx := context.Background()
	const region, dest = emulator.SeedRegion, "cn-shanghai"
	ossc, err := oss.New(srv.URL(), emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	if err := ossc.CreateBucket("dr-lag"); err != nil {
		t.Fatal(err)
	}

	describes := func(action string) int {
		n := 0
		for _, r := range srv.Requests() {
			if r.Action == action {
				n++
			}
		}
		return n
	}
	// measure runs start (the API call that begins the operation) and wait,
	// and reports how long the wait took on the emulator's clock. maxCalls
	// is what the fixed schedule (2 s growing by half, 1 s for instances)
	// needed: 6 calls and 26.4 s for a 20 s image, 7 calls for an instance.
	measure := func(name, describe string, maxCalls int, start func() (string, error), wait func(id string) error) string {
		t.Helper()
		id, err := start()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		began, calls := clock.Now(), describes(describe)
		if err := wait(id); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		took, n := clock.Now().Sub(began), describes(describe)-calls
		lag := float64(took-op) / float64(op) * 100
		t.Logf("%-15s operation %s, resource %5.2fs (%+5.1f%%), %d %s calls", name, op, took.Seconds(), lag, n, describe)
		if took > op+op/10 {
			t.Errorf("%s: seen done after %s, more than 10%% past the operation's %s", name, took, op)
		}
		if n > maxCalls {
			t.Errorf("%s: %d %s calls, want at most %d", name, n, describe, maxCalls)
		}
		return id
	}

	image := measure("CreateImage", "DescribeImages", 6,
		func() (string, error) {
			return c.CreateImage(ctx, region, CreateImageInput{InstanceID: emulator.SeedInstanceCoreApp, Name: "lag-src"})
		},
		func(id string) error { _, err := c.WaitImageAvailable(ctx, region, id, time.Hour); return err })
	measure("CopyImage", "DescribeImages", 6,
		func() (string, error) {
			return c.CopyImage(ctx, region, CopyImageInput{ImageID: image, DestinationRegion: dest, Name: "lag-copy"})
		},
		func(id string) error { _, err := c.WaitImageAvailable(ctx, dest, id, time.Hour); return err })
	measure("ExportImage", "DescribeTaskAttribute", 6,
		func() (string, error) {
			return c.ExportImage(ctx, region, image, ExportImageInput{Bucket: "dr-lag", Prefix: "lag", Format: "raw"})
		},
		func(task string) error {
			_, err := c.WaitExportTask(ctx, region, task, "export "+task, time.Hour)
			return err
		})
	measure("RunInstances", "DescribeInstances", 7,
		func() (string, error) { return c.RunInstance(ctx, region, testRunInput(), "lag-token") },
		func(id string) error {
			_, err := c.WaitInstanceStatus(ctx, region, id, InstanceStatusRunning, time.Hour)
			return err
		})
}
