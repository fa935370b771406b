package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/attest"
	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// Restores from snapshots and recovery points, and restores that get
// through interrupted applies, timeouts, throttling and eventual
// consistency.

func TestAccRestoredInstance_snapshotWithDataDisks(t *testing.T) {
	env := acctest.NewInstant(t)
	c := restoredTestClient(t, env)
	sys := takeSnapshot(t, env, c, env.SystemDiskID, "core-db-sys")
	data := takeSnapshot(t, env, c, env.DataDiskID, "core-db-data")
	sysSize, dataSize := diskSize(t, env, c, env.SystemDiskID), diskSize(t, env, c, env.DataDiskID)
	cfg := restoredConfig(env, fmt.Sprintf("{ snapshot_id = %q }", sys), "ecs.g7.xlarge", fmt.Sprintf(`
  system_disk = { category = "cloud_essd", size = 80 }
  data_disks  = [{ snapshot_id = %q, category = "cloud_essd" }, { category = "cloud_efficiency", size = 50 }]`, data))
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: restoredConfig(env, fmt.Sprintf("{ snapshot_id = %q }", sys), "ecs.g7.xlarge", fmt.Sprintf(`
  system_disk = { size = %d }
  data_disks  = [{ snapshot_id = %q, size = %d }]`, sysSize-10, data, dataSize-10)),
				PlanOnly: true,
				ExpectError: wrapped(fmt.Sprintf(`(?s)snapshot %s needs a system disk of at least %d GiB.*Snapshot %s is of a %d GiB disk; data_disks\[0\].size is %d`,
					sys, sysSize, data, dataSize, dataSize-10)),
			},
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("restored_from"), knownvalue.StringExact(sys)),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("status"), knownvalue.StringExact("Running")),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("system_disk"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"category": knownvalue.StringExact("cloud_essd"), "size": knownvalue.Int64Exact(80),
					})),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("data_disks"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"snapshot_id": knownvalue.StringExact(data), "category": knownvalue.StringExact("cloud_essd"), "size": knownvalue.Int64Exact(dataSize),
						}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"snapshot_id": knownvalue.Null(), "category": knownvalue.StringExact("cloud_efficiency"), "size": knownvalue.Int64Exact(50),
						}),
					})),
				},
				Check: func(s *terraform.State) error {
					// The temporary image is gone once the instance runs.
					if ims := managedImages(t, env, c); len(ims) != 0 {
						return fmt.Errorf("temporary images left: %v", ims)
					}
					disks, err := c.ListDisks(context.Background(), env.Region, cloud.DiskFilter{InstanceID: s.RootModule().Resources[restoredAddr].Primary.ID, DiskType: "data"})
					if err != nil {
						return err
					}
					if len(disks) != 2 {
						return fmt.Errorf("want 2 data disks, got %d", len(disks))
					}
					for _, d := range disks {
						if int64(d.Size) == dataSize && d.SourceSnapshotId != data {
							return fmt.Errorf("data disk %s not restored from %s: %q", d.DiskId, data, d.SourceSnapshotId)
						}
					}
					return nil
				},
			},
			{
				ResourceName:            restoredAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"source", "restored_from", "restored_from_time", "restore_duration", "rto_met", "timeouts"},
			},
			// Re-planning does not move anything.
			{Config: cfg, PlanOnly: true},
		},
		CheckDestroy: func(*terraform.State) error {
			if got := managedInstances(t, env, c); len(got) != 0 {
				return fmt.Errorf("instances left after destroy: %v", got)
			}
			if ims := managedImages(t, env, c); len(ims) != 0 {
				return fmt.Errorf("images left after destroy: %v", ims)
			}
			return nil
		},
	})
}

func TestAccRestoredInstance_recoveryPoint(t *testing.T) {
	// On the emulator its clock moves days between the snapshots; on the
	// cloud the snapshots are minutes apart.
	t0 := time.Date(2026, 11, 17, 2, 0, 0, 0, time.UTC)
	clock := emulator.NewManualClock(t0)
	env := acctest.New(t, emulator.Options{Clock: clock})
	env.OnEmulator(func(s *emulator.Server) { s.SetTimestampWindow(0) }) // the SDK stamps requests with wall time
	env.Instant()
	c := restoredTestClient(t, env)
	advance := func(d time.Duration) { env.OnEmulator(func(*emulator.Server) { clock.Advance(d) }) }
	var taken []string
	t.Cleanup(func() {
		if err := c.DeleteSnapshotsOf(context.Background(), env.Region, taken); err != nil {
			t.Errorf("deleting the test's snapshots: %v", err)
		}
	})
	snapshot := func(name string) (string, time.Time) {
		id := takeSnapshot(t, env, c, env.SystemDiskID, name)
		taken = append(taken, id)
		s, err := c.FindSnapshotByID(context.Background(), env.Region, id)
		if err != nil {
			t.Fatal(err)
		}
		at, err := time.Parse(time.RFC3339, s.CreationTime)
		if err != nil {
			t.Fatal(err)
		}
		return id, at.UTC()
	}
	older, olderAt := snapshot("before-attack")
	advance(72 * time.Hour)
	newer, newerAt := snapshot("after-attack")
	attack := olderAt.Add(newerAt.Sub(olderAt) / 2).Format(time.RFC3339)
	// The older point is the verified one.
	trust := newTestTrust(t, env, "alidr-proofs-restore")
	trust.vouch(t, trust.key, "vr-older", attest.StatusPassed, older)
	point := func(extra string) string {
		return fmt.Sprintf("{ recovery_point = { disk_id = %q%s } }", env.SystemDiskID, extra)
	}
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      restoredConfig(env, point(`, before = "2000-01-01T00:00:00Z"`), "ecs.g7.large", ""),
				ExpectError: wrapped(`(?s)no recovery point for disk ` + env.SystemDiskID + ` before .*set a later before`),
			},
			{
				Config: restoredConfig(env, point(fmt.Sprintf(", before = %q", attack)), "ecs.g7.large", ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("restored_from"), knownvalue.StringExact(older)),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("restored_from_time"), knownvalue.StringExact(olderAt.Format(time.RFC3339))),
				},
			},
			// A newer point appearing later does not move an existing restore.
			{
				PreConfig: func() { advance(time.Hour); snapshot("even-newer") },
				Config:    restoredConfig(env, point(fmt.Sprintf(", before = %q", attack)), "ecs.g7.large", ""),
				PlanOnly:  true,
			},
			{
				Config: restoredConfig(env, point(fmt.Sprintf(", before = %q", newerAt.Add(time.Second).Format(time.RFC3339))), "ecs.g7.large", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(restoredAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("restored_from"), knownvalue.StringExact(newer)),
				},
			},
			{
				Config: trust.into(false, restoredConfig(env, point(", only_verified = true"), "ecs.g7.large", `  desired_status = "Stopped"`)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("restored_from"), knownvalue.StringExact(older)),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("status"), knownvalue.StringExact("Stopped")),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("restore_duration"), knownvalue.StringRegexp(regexp.MustCompile(`^\d+s$`))),
				},
				Check: func(*terraform.State) error {
					if ims := managedImages(t, env, c); len(ims) != 0 {
						return fmt.Errorf("temporary images left: %v", ims)
					}
					return expectOneManagedInstance(env, c, t)(nil)
				},
			},
		},
	})
}

func TestAccRestoredInstance_interruptedApply(t *testing.T) {
	acctest.SkipOnCloud(t, "truncates RunInstances responses")
	// The emulator's clock runs 10 minutes behind: the lost run's instance
	// looks created 10 minutes before the retried apply. It is set back when
	// the test's turn comes, not before a parallel test waits for it:
	// request timestamps must stay within 15 minutes of the emulator's clock.
	clock := emulator.NewManualClock(time.Now())
	var clockSet time.Time
	env := acctest.New(t, emulator.Options{Clock: clock})
	c := restoredTestClient(t, env)
	image := fmt.Sprintf("{ image_id = %q }", env.ImageID)
	// One retry (max_retries = 0 means the default), so two lost
	// RunInstances responses reach Terraform.
	noRetries := strings.Replace(env.Config(""), "max_retries = 8", "max_retries = 1", 1)
	body := strings.TrimPrefix(restoredConfig(env, image, "ecs.g7.large", ""), env.Config(""))
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			// The instance is created but the response is lost: nothing is
			// saved, as after a crash between the call and the state write.
			{
				PreConfig: func() {
					clockSet = time.Now()
					clock.Set(clockSet.Add(-10 * time.Minute))
					env.Emulator.SetDurations(emulator.InstantDurations())
					env.Emulator.InjectFault(emulator.Fault{Service: "ecs", Action: "RunInstances", Kind: emulator.FaultTruncate, Count: 2})
				},
				Config:      noRetries + body,
				ExpectError: wrapped(`Failed to create the instance(?s).*unexpected EOF`),
			},
			// The retried apply reuses the request's token: same instance.
			{
				PreConfig: func() {
					if got := managedInstances(t, env, c); len(got) != 1 {
						t.Fatalf("the lost RunInstances should have created one instance, found %v", got)
					}
				},
				Config: noRetries + body,
				Check: func(s *terraform.State) error {
					// The RTO counts from the lost run's start (the instance's
					// creation, 10 minutes back on the emulator's clock), not
					// from the adoption (which would report the boot time
					// alone). CreationTime has minute precision (up to a
					// minute more).
					took, err := time.ParseDuration(s.RootModule().Resources[restoredAddr].Primary.Attributes["restore_duration"])
					if err != nil {
						return err
					}
					if most := 11*time.Minute + time.Since(clockSet); took < 10*time.Minute || took > most {
						return fmt.Errorf("restore_duration %s, want between 10m and %s", took, most)
					}
					id := s.RootModule().Resources[restoredAddr].Primary.ID
					got := managedInstances(t, env, c)
					if len(got) != 1 || got[0] != id {
						return fmt.Errorf("want the lost instance adopted, found %v (state %s)", got, id)
					}
					// The start is written on the instance for a later re-run.
					tags, err := c.ListTags(context.Background(), env.Region, "instance", id)
					if err != nil {
						return err
					}
					if _, err := time.Parse(time.RFC3339Nano, tags[cloud.TagRestoreStarted]); err != nil {
						return fmt.Errorf("%s: %w", cloud.TagRestoreStarted, err)
					}
					return nil
				},
			},
		},
	})
}

func TestAccRestoredInstance_createTimeoutTaints(t *testing.T) {
	env := acctest.NewInstant(t)
	c := restoredTestClient(t, env)
	// From a snapshot, so there is a temporary image to clean up too.
	source := fmt.Sprintf("{ snapshot_id = %q }", takeSnapshot(t, env, c, env.SystemDiskID, "core-db-sys"))
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// A real instance takes longer than 2s to start by itself.
				PreConfig: func() {
					env.OnEmulator(func(s *emulator.Server) { s.SetDurations(emulator.Durations{InstanceCreate: time.Hour}) })
				},
				Config:      restoredConfig(env, source, "ecs.g7.large", `  timeouts = { create = "2s" }`),
				ExpectError: wrapped(`timed out after [\d.]+m?s waiting for instance i-\w+ in ` + env.Region + ` to be Running`),
			},
			{
				PreConfig: func() {
					// The failed create kept its instance (in state, tainted)
					// and its temporary image (in private state).
					if got := managedInstances(t, env, c); len(got) != 1 {
						t.Fatalf("want the slow instance, found %v", got)
					}
					if got := managedImages(t, env, c); len(got) != 1 {
						t.Fatalf("want the temporary image, found %v", got)
					}
					env.Instant()
				},
				// The replacement's first tokens still name the image and
				// instance deleted just before: they are skipped.
				Config: restoredConfig(env, source, "ecs.g7.large", `  timeouts = { create = "1m" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(restoredAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("status"), knownvalue.StringExact("Running")),
				},
				// The slow instance and its image were deleted, not orphaned.
				Check: func(*terraform.State) error {
					if ims := managedImages(t, env, c); len(ims) != 0 {
						return fmt.Errorf("temporary images left: %v", ims)
					}
					return expectOneManagedInstance(env, c, t)(nil)
				},
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if got := managedInstances(t, env, c); len(got) != 0 {
				return fmt.Errorf("instances left after destroy: %v", got)
			}
			return nil
		},
	})
}

func TestAccRestoredInstance_throttling(t *testing.T) {
	env := acctest.NewInstantEmulated(t, "injects throttling and a lost RunInstances response")
	c := restoredTestClient(t, env)
	env.Emulator.InjectFault(emulator.Fault{Service: "ecs", Action: "RunInstances", Kind: "throttling", Rate: 1, Count: 2})
	// A lost response is retried with the same token: still one instance.
	env.Emulator.InjectFault(emulator.Fault{Service: "ecs", Action: "RunInstances", Kind: emulator.FaultTruncate, Count: 1})
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: restoredConfig(env, fmt.Sprintf("{ image_id = %q }", env.ImageID), "ecs.g7.large", ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("status"), knownvalue.StringExact("Running")),
			},
			Check: func(*terraform.State) error {
				for _, f := range env.Emulator.Faults() {
					if f.Action == "RunInstances" && f.Fired != f.Count {
						return fmt.Errorf("fault %s fired %d of %d times", f.Kind, f.Fired, f.Count)
					}
				}
				return expectOneManagedInstance(env, c, t)(nil)
			},
		}},
	})
}

// Eventual consistency: new instances, images and disks stay invisible to
// their first Describe calls. The restore waits for them and creates
// nothing twice.
func TestAccRestoredInstance_eventualConsistency(t *testing.T) {
	env := acctest.NewInstant(t)
	c := restoredTestClient(t, env)
	sys := takeSnapshot(t, env, c, env.SystemDiskID, "core-db-sys")
	env.OnEmulator(func(s *emulator.Server) { s.SetEventualConsistency(3) }) // the cloud is so by itself
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: restoredConfig(env, fmt.Sprintf("{ snapshot_id = %q }", sys), "ecs.g7.large", `  data_disks = [{ size = 50 }]`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("status"), knownvalue.StringExact("Running")),
				statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("restored_from"), knownvalue.StringExact(sys)),
				statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("system_disk").AtMapKey("size"), knownvalue.Int64Exact(diskSize(t, env, c, env.SystemDiskID))),
				statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("data_disks").AtSliceIndex(0).AtMapKey("category"), knownvalue.StringExact("cloud_essd")),
			},
			Check: func(*terraform.State) error {
				if ims := managedImages(t, env, c); len(ims) != 0 {
					return fmt.Errorf("temporary images left: %v", ims)
				}
				return expectOneManagedInstance(env, c, t)(nil)
			},
		}},
	})
}
