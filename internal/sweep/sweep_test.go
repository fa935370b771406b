package sweep

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/drpolicy"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// TestMain runs the sweepers with -sweep=REGIONS (make sweep) and the tests
// otherwise.
func TestMain(m *testing.M) { resource.TestMain(m) }

func init() {
	resource.AddTestSweepers("alidr", &resource.Sweeper{
		Name: "alidr",
		F: func(region string) error {
			cfg := cloud.Config{Region: region, MaxRetries: 5}
			cfg.ApplyEnvironment(os.Getenv)
			c, err := cloud.New(context.Background(), cfg, "alidr-sweeper")
			if err != nil {
				return err
			}
			var buckets []string
			if b := os.Getenv("ALIDR_TESTACC_BUCKET"); b != "" && region == cfg.Region {
				buckets = append(buckets, b)
			}
			res, err := Region(context.Background(), c, region, buckets)
			fmt.Printf("swept %s: %d instances, %d images, %d snapshots, %d snapshot policies, %d enterprise snapshot policies, %d export objects\n",
				region, res.Instances, res.Images, res.Snapshots, res.Policies, res.EnterprisePolicies, res.Objects)
			return err
		},
	})
}

// The sweep deletes exactly the tagged objects and the exports of tagged
// images, in the emulator, and the SDK counts what is left.
func TestRegion(t *testing.T) {
	acctest.SkipOnCloud(t, "sweeps objects it makes next to the emulator's seeded world")
	env := acctest.New(t, emulator.Options{})
	env.Instant()
	seeded, region, c := env.Set, env.Region, env.Client(t)
	ctx := context.Background()
	tagged := map[string]string{cloud.TagManagedBy: "terraform-provider-alidr"}
	must := func(id string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return id
	}

	// Two instances of each kind: one made by the provider, one by someone else.
	run := func(tags map[string]string) string {
		return must(c.RunInstance(ctx, region, cloud.RunInstanceInput{
			ImageID: seeded.ImageID, InstanceType: "ecs.g7.large", VSwitchID: seeded.VSwitchID,
			SecurityGroupIDs: []string{seeded.SecurityGroupID}, PrivateIPs: 1, SystemDisk: cloud.InstanceDiskInput{Category: "cloud_essd"}, Tags: tags,
		}, ""))
	}
	keptInstance, _ := run(nil), run(tagged)
	image := func(name string, tags map[string]string) string {
		return must(c.CreateImage(ctx, region, cloud.CreateImageInput{InstanceID: emulator.SeedInstanceCoreDB, Name: name, Tags: tags}))
	}
	keptImage, sweptImage := image("kept", nil), image("swept", tagged)
	snapshot := func(tags map[string]string) string {
		req := ecs.CreateCreateSnapshotRequest()
		req.DiskId = emulator.SeedDiskCoreAppData
		for k, v := range tags {
			req.Tag = &[]ecs.CreateSnapshotTag{{Key: k, Value: v}}
		}
		resp := ecs.CreateCreateSnapshotResponse()
		if err := c.DoECS(ctx, region, req, resp); err != nil {
			t.Fatal(err)
		}
		return resp.SnapshotId
	}
	keptSnap, _ := snapshot(nil), snapshot(tagged)
	policy := func(token string) string {
		spec := cloud.PolicySpec{Name: "sweep-" + token, Schedule: drpolicy.Schedule{Hours: []int{2}, Weekdays: []time.Weekday{time.Monday}}, RetentionDays: 7}
		return must(c.CreateAutoSnapshotPolicy(ctx, region, spec, token))
	}
	keptPolicy, sweptPolicy := policy(""), policy("token-1")
	if err := c.ApplyAutoSnapshotPolicy(ctx, region, sweptPolicy, []string{emulator.SeedDiskCoreDBData}); err != nil {
		t.Fatal(err)
	}
	bucket, err := c.Bucket(region, emulator.SeedBucket)
	if err != nil {
		t.Fatal(err)
	}
	exports := []string{"core/" + sweptImage + "_system.raw", "core/" + sweptImage + "_system.raw.manifest.json"}
	kept := []string{"core/" + keptImage + "_system.raw", "notes.txt"}
	for _, k := range append(exports, kept...) {
		if err := bucket.PutObject(k, strings.NewReader("x")); err != nil {
			t.Fatal(err)
		}
	}

	res, err := Region(ctx, c, region, []string{emulator.SeedBucket})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Result{Instances: 1, Images: 1, Snapshots: 1, Policies: 1, Objects: 2}); res != want {
		t.Errorf("swept %+v, want %+v", res, want)
	}

	// What is left, counted through the SDK: the untagged objects and the
	// seeded world.
	ins := ecs.CreateDescribeInstancesRequest()
	ins.PageSize = "100"
	insResp := ecs.CreateDescribeInstancesResponse()
	if err := c.DoECS(ctx, region, ins, insResp); err != nil {
		t.Fatal(err)
	}
	var running []string
	for _, in := range insResp.Instances.Instance {
		if in.Status != "Deleted" {
			running = append(running, in.InstanceId)
		}
	}
	if want := []string{emulator.SeedInstanceCoreDB, emulator.SeedInstanceCoreApp, keptInstance}; !sameSet(running, want) {
		t.Errorf("instances left %v, want %v", running, want)
	}
	ims, err := c.ListImagesByTags(ctx, region, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ims) != 1 || ims[0].ImageId != keptImage {
		t.Errorf("images left %d, want only %s", len(ims), keptImage)
	}
	snaps, err := c.ListSnapshots(ctx, region, cloud.SnapshotFilter{DiskID: emulator.SeedDiskCoreAppData})
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 1 || snaps[0].SnapshotId != keptSnap {
		t.Errorf("snapshots of %s left: %d, want only %s", emulator.SeedDiskCoreAppData, len(snaps), keptSnap)
	}
	if _, err := c.FindAutoSnapshotPolicyByID(ctx, region, sweptPolicy); !cloud.IsNotFound(err) {
		t.Errorf("policy %s not swept: %v", sweptPolicy, err)
	}
	if _, err := c.FindAutoSnapshotPolicyByID(ctx, region, keptPolicy); err != nil {
		t.Errorf("policy %s was not the provider's: %v", keptPolicy, err)
	}
	keys, err := c.ListObjectKeys(ctx, region, emulator.SeedBucket, "")
	if err != nil {
		t.Fatal(err)
	}
	if !sameSet(keys, kept) {
		t.Errorf("objects left %v, want %v", keys, kept)
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		if seen[x]--; seen[x] < 0 {
			return false
		}
	}
	return true
}
