package cloud_test

import (
	"context"
	"crypto/ed25519"
	"slices"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/alidr/terraform-provider-alidr/internal/attest"
	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/drpolicy"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// startEmulator serves an emulator with instant operations and returns a
// client for emulator.SeedRegion pointed at it (cloud.EmulatorConfig: every
// endpoint), whose retries do not wait.
func startEmulator(t *testing.T, opts emulator.Options) (*emulator.Server, *cloud.Client) {
	t.Helper()
	srv := cloud.StartEmulator(t, opts)
	srv.SetDurations(emulator.InstantDurations())
	cfg := cloud.EmulatorConfig(srv)
	cfg.MaxRetries = 5
	c := cloud.MustNew(t, cfg)
	c.Backoff.Sleep = func(context.Context, time.Duration) error { return nil }
	return srv, c
}

func TestRecoveryPoints(t *testing.T) {
	ctx := context.Background()
	_, c := startEmulator(t, emulator.Options{})
	snap := func(disk string) string { return cloud.CreateSnapshot(t, c, disk, "") }
	s1 := snap(emulator.SeedDiskCoreDBData)
	s2 := snap(emulator.SeedDiskCoreDBSys)
	other := snap(emulator.SeedDiskCoreAppData)

	// A copy of s1 in cn-shanghai, an image from s2, and a verification tag on s1.
	cp := ecs.CreateCopySnapshotRequest()
	cp.SnapshotId, cp.DestinationRegionId = s1, "cn-shanghai"
	cp.DestinationSnapshotName, cp.DestinationSnapshotDescription = "copy", "copy" // required by the CopySnapshot model
	cpResp := ecs.CreateCopySnapshotResponse()
	if err := c.DoECS(ctx, emulator.SeedRegion, cp, cpResp); err != nil {
		t.Fatal(err)
	}
	im := ecs.CreateCreateImageRequest()
	im.SnapshotId, im.ImageName = s2, "from-sys"
	imResp := ecs.CreateCreateImageResponse()
	if err := c.DoECS(ctx, emulator.SeedRegion, im, imResp); err != nil {
		t.Fatal(err)
	}
	tag := ecs.CreateTagResourcesRequest()
	tag.ResourceType, tag.ResourceId = "snapshot", &[]string{s1}
	tag.Tag = &[]ecs.TagResourcesTag{{Key: cloud.TagVerifiedAt, Value: "2026-11-20T08:00:00Z"}, {Key: cloud.TagVerificationRun, Value: "vr-1"}}
	if err := c.DoECS(ctx, emulator.SeedRegion, tag, ecs.CreateTagResourcesResponse()); err != nil {
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
		ps, err := c.RecoveryPoints(ctx, emulator.SeedRegion, cloud.RecoveryPointQuery{DiskID: emulator.SeedDiskCoreDBData, Regions: []string{"cn-shanghai", emulator.SeedRegion}})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"snapshot:" + emulator.SeedRegion + ":" + s1, "snapshot:cn-shanghai:" + cpResp.SnapshotId}
		slices.Sort(want)
		if got := ids(ps); !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
		for _, p := range ps {
			if p.DiskID != emulator.SeedDiskCoreDBData || p.Created.IsZero() || !p.Usable() {
				t.Errorf("point %+v: want disk, creation time and a usable status", p)
			}
			if p.Verified || p.Region == emulator.SeedRegion && p.VerifiedBy != "vr-1" {
				t.Errorf("point %+v: tags are a hint (VerifiedBy), never proof", p)
			}
		}
	})
	t.Run("only a trusted signature verifies", func(t *testing.T) {
		trusted := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
		_, attacker, _ := ed25519.GenerateKey(nil)
		if err := c.CreateVaultBucket(ctx, emulator.SeedRegion, "alidr-proofs"); err != nil {
			t.Fatal(err)
		}
		verified := func() map[string]bool {
			t.Helper()
			ps, err := c.RecoveryPoints(ctx, emulator.SeedRegion, cloud.RecoveryPointQuery{DiskID: emulator.SeedDiskCoreDBData, Regions: []string{"cn-shanghai"}})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]bool{}
			for _, p := range ps {
				out[p.ID] = p.Verified
			}
			return out
		}
		c.Attestation = cloud.Attestation{Bucket: "alidr-proofs", Signer: attacker, Trusted: []ed25519.PublicKey{trusted.Public().(ed25519.PublicKey)}}
		stmt := attest.Statement{RunID: "vr-1", Status: attest.StatusPassed, Points: []string{s1, cpResp.SnapshotId}}
		if _, err := c.WriteAttestation(ctx, stmt); err != nil {
			t.Fatal(err)
		}
		if v := verified(); v[s1] || v[cpResp.SnapshotId] {
			t.Fatalf("an attestation signed by another key verified %v", v)
		}
		stmt.RunID = "vr-2"
		c.Attestation.Signer = trusted
		if _, err := c.WriteAttestation(ctx, stmt); err != nil {
			t.Fatal(err)
		}
		if v := verified(); v[s1] {
			t.Fatalf("the tag names vr-1, whose attestation is untrusted: %v", v)
		}
		retag := ecs.CreateTagResourcesRequest()
		retag.ResourceType, retag.ResourceId = "snapshot", &[]string{s1}
		retag.Tag = &[]ecs.TagResourcesTag{{Key: cloud.TagVerificationRun, Value: "vr-2"}}
		if err := c.DoECS(ctx, emulator.SeedRegion, retag, ecs.CreateTagResourcesResponse()); err != nil {
			t.Fatal(err)
		}
		// The copy carries no tag: the attestation alone is not looked up.
		if v := verified(); !v[s1] || v[cpResp.SnapshotId] {
			t.Fatalf("want only %s verified: %v", s1, v)
		}
		c.Attestation = cloud.Attestation{}
	})
	t.Run("disk without regions stays in its region", func(t *testing.T) {
		ps, err := c.RecoveryPoints(ctx, emulator.SeedRegion, cloud.RecoveryPointQuery{DiskID: emulator.SeedDiskCoreDBData})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(ps); !slices.Equal(got, []string{"snapshot:" + emulator.SeedRegion + ":" + s1}) {
			t.Fatalf("got %v", got)
		}
	})
	t.Run("instance with image", func(t *testing.T) {
		ps, err := c.RecoveryPoints(ctx, emulator.SeedRegion, cloud.RecoveryPointQuery{InstanceID: emulator.SeedInstanceCoreDB})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"snapshot:" + emulator.SeedRegion + ":" + s1, "snapshot:" + emulator.SeedRegion + ":" + s2, "image:" + emulator.SeedRegion + ":" + imResp.ImageId}
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
		if _, err := c.RecoveryPoints(ctx, emulator.SeedRegion, cloud.RecoveryPointQuery{}); err == nil {
			t.Fatal("want an error")
		}
	})
	t.Run("find snapshot", func(t *testing.T) {
		s, err := c.FindSnapshotByID(ctx, emulator.SeedRegion, s1)
		if err != nil || s.SnapshotId != s1 {
			t.Fatalf("got %v, %v", s, err)
		}
		if _, err := c.FindSnapshotByID(ctx, emulator.SeedRegion, "s-missing"); !cloud.IsNotFound(err) {
			t.Fatalf("want NotFound, got %v", err)
		}
	})
}
