package cloud_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/drpolicy"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// startEmulator serves an emulator with instant operations and returns a
// client for cn-beijing pointed at it (ECS and OSS), whose retries do not
// wait.
func startEmulator(t *testing.T, opts emulator.Options) (*emulator.Server, *cloud.Client) {
	t.Helper()
	srv, err := emulator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	srv.SetDurations(emulator.InstantDurations())
	c, err := cloud.New(context.Background(), cloud.Config{
		Region: "cn-beijing", AccessKey: emulator.DefaultAccessKeyID, SecretKey: emulator.DefaultAccessKeySecret,
		Endpoints: cloud.Endpoints{ECS: srv.URL(), OSS: srv.URL(), EBS: srv.URL()}, MaxRetries: 5,
	}, "test")
	if err != nil {
		t.Fatal(err)
	}
	c.Backoff.Sleep = func(context.Context, time.Duration) error { return nil }
	return srv, c
}

func TestRecoveryPoints(t *testing.T) {
	ctx := context.Background()
	_, c := startEmulator(t, emulator.Options{})
	snap := func(disk string) string {
		t.Helper()
		req := ecs.CreateCreateSnapshotRequest()
		req.DiskId = disk
		resp := ecs.CreateCreateSnapshotResponse()
		if err := c.DoECS(ctx, "cn-beijing", req, resp); err != nil {
			t.Fatal(err)
		}
		return resp.SnapshotId
	}
	s1 := snap(emulator.SeedDiskCoreDBData)
	s2 := snap(emulator.SeedDiskCoreDBSys)
	other := snap(emulator.SeedDiskCoreAppData)

	// A copy of s1 in cn-shanghai, an image from s2, and a verification tag on s1.
	cp := ecs.CreateCopySnapshotRequest()
	cp.SnapshotId, cp.DestinationRegionId = s1, "cn-shanghai"
	cp.DestinationSnapshotName, cp.DestinationSnapshotDescription = "copy", "copy" // required by the CopySnapshot model
	cpResp := ecs.CreateCopySnapshotResponse()
	if err := c.DoECS(ctx, "cn-beijing", cp, cpResp); err != nil {
		t.Fatal(err)
	}
	im := ecs.CreateCreateImageRequest()
	im.SnapshotId, im.ImageName = s2, "from-sys"
	imResp := ecs.CreateCreateImageResponse()
	if err := c.DoECS(ctx, "cn-beijing", im, imResp); err != nil {
		t.Fatal(err)
	}
	tag := ecs.CreateTagResourcesRequest()
	tag.ResourceType, tag.ResourceId = "snapshot", &[]string{s1}
	tag.Tag = &[]ecs.TagResourcesTag{{Key: cloud.TagVerifiedAt, Value: "2026-11-20T08:00:00Z"}}
	if err := c.DoECS(ctx, "cn-beijing", tag, ecs.CreateTagResourcesResponse()); err != nil {
		t.Fatal(err)
	}

	ids := func(ps []drpolicy.Point) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Kind+":"+p.Region+":"+p.ID)
		}
		slices.Sort(out)
		return out
	}

	t.Run("disk with copies", func(t *testing.T) {
		ps, err := c.RecoveryPoints(ctx, "cn-beijing", cloud.RecoveryPointQuery{DiskID: emulator.SeedDiskCoreDBData, Regions: []string{"cn-shanghai", "cn-beijing"}})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"snapshot:cn-beijing:" + s1, "snapshot:cn-shanghai:" + cpResp.SnapshotId}
		slices.Sort(want)
		if got := ids(ps); !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
		for _, p := range ps {
			if p.DiskID != emulator.SeedDiskCoreDBData || p.Created.IsZero() || !p.Usable() {
				t.Errorf("point %+v: want disk, creation time and a usable status", p)
			}
			if p.Region == "cn-beijing" && !p.Verified || p.Region == "cn-shanghai" && p.Verified {
				t.Errorf("point %+v: only the tagged snapshot is verified", p)
			}
		}
	})
	t.Run("disk without regions stays in its region", func(t *testing.T) {
		ps, err := c.RecoveryPoints(ctx, "cn-beijing", cloud.RecoveryPointQuery{DiskID: emulator.SeedDiskCoreDBData})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(ps); !slices.Equal(got, []string{"snapshot:cn-beijing:" + s1}) {
			t.Fatalf("got %v", got)
		}
	})
	t.Run("instance with image", func(t *testing.T) {
		ps, err := c.RecoveryPoints(ctx, "cn-beijing", cloud.RecoveryPointQuery{InstanceID: emulator.SeedInstanceCoreDB})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"snapshot:cn-beijing:" + s1, "snapshot:cn-beijing:" + s2, "image:cn-beijing:" + imResp.ImageId}
		slices.Sort(want)
		if got := ids(ps); !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v (not %s of another instance)", got, want, other)
		}
		for _, p := range ps {
			if p.Kind == "image" && p.DiskID != emulator.SeedDiskCoreDBSys {
				t.Errorf("image point %+v: want the disk of its snapshot", p)
			}
		}
	})
	t.Run("needs a disk or instance", func(t *testing.T) {
		if _, err := c.RecoveryPoints(ctx, "cn-beijing", cloud.RecoveryPointQuery{}); err == nil {
			t.Fatal("want an error")
		}
	})
	t.Run("find snapshot", func(t *testing.T) {
		s, err := c.FindSnapshotByID(ctx, "cn-beijing", s1)
		if err != nil || s.SnapshotId != s1 {
			t.Fatalf("got %v, %v", s, err)
		}
		if _, err := c.FindSnapshotByID(ctx, "cn-beijing", "s-missing"); !cloud.IsNotFound(err) {
			t.Fatalf("want NotFound, got %v", err)
		}
	})
}
