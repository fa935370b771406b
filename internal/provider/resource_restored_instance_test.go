package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

const (
	testImageWindows = "win2022_21H2_x64_dtc_zh-cn_40G_alibase_20240816.vhd" // 40 GiB, seeded in the emulator
	restoredAddr     = "alidr_restored_instance.test"
)

// restoredTestClient is an SDK-level client on the test's emulator, for
// setting up snapshots and counting what the resource left behind.
func restoredTestClient(t *testing.T, env *acctest.Env) *cloud.Client {
	t.Helper()
	return env.Client(t)
}

// takeSnapshot snapshots a disk and waits until it is accomplished.
func takeSnapshot(t *testing.T, env *acctest.Env, c *cloud.Client, diskID, name string) string {
	t.Helper()
	ctx := context.Background()
	req := ecs.CreateCreateSnapshotRequest()
	req.DiskId = diskID
	req.SnapshotName = name
	resp := ecs.CreateCreateSnapshotResponse()
	if err := c.DoECS(ctx, env.Region, req, resp); err != nil {
		t.Fatalf("CreateSnapshot of %s: %v", diskID, err)
	}
	err := cloud.StateWait{What: "snapshot", Target: []string{"accomplished"}, Timeout: 30 * time.Second,
		Poll: cloud.WaitOptions{Interval: 50 * time.Millisecond},
		Refresh: func(ctx context.Context) (string, int, error) {
			s, err := c.FindSnapshotByID(ctx, env.Region, resp.SnapshotId)
			if err != nil {
				return "", -1, err
			}
			return s.Status, -1, nil
		}}.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return resp.SnapshotId
}

// diskSize is the size in GiB of a fixture disk.
func diskSize(t *testing.T, env *acctest.Env, c *cloud.Client, id string) int64 {
	t.Helper()
	disks, err := c.ListDisks(context.Background(), env.Region, cloud.DiskFilter{IDs: []string{id}})
	if err != nil || len(disks) != 1 {
		t.Fatalf("disk %s: %d found, %v", id, len(disks), err)
	}
	return int64(disks[0].Size)
}

// managedInstances lists the instances the provider created.
func managedInstances(t *testing.T, env *acctest.Env, c *cloud.Client) []string {
	t.Helper()
	req := ecs.CreateDescribeInstancesRequest()
	req.PageSize = "100"
	req.Tag = &[]ecs.DescribeInstancesTag{{Key: cloud.TagManagedBy}}
	resp := ecs.CreateDescribeInstancesResponse()
	if err := c.DoECS(context.Background(), env.Region, req, resp); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, in := range resp.Instances.Instance {
		ids = append(ids, in.InstanceId)
	}
	return ids
}

// expectOneManagedInstance checks that the provider created exactly one
// instance: no duplicate from a retried or re-run create.
func expectOneManagedInstance(env *acctest.Env, c *cloud.Client, t *testing.T) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := managedInstances(t, env, c); len(got) != 1 {
			return fmt.Errorf("want 1 instance created by the provider, found %d: %v", len(got), got)
		}
		return nil
	}
}

// managedImages lists the images the provider created (temporary images).
func managedImages(t *testing.T, env *acctest.Env, c *cloud.Client) []string {
	t.Helper()
	ims, err := c.ListImagesByTags(context.Background(), env.Region, map[string]string{cloud.TagManagedBy: "terraform-provider-alidr"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, im := range ims {
		ids = append(ids, im.ImageId)
	}
	return ids
}

// restoredConfig is a restore into the fixture network; extra is added
// inside the resource block.
func restoredConfig(env *acctest.Env, source, instanceType, extra string) string {
	return env.Config(`
resource "alidr_restored_instance" "test" {
  source             = %s
  instance_type      = %q
  vswitch_id         = %q
  security_group_ids = [%q]
%s
}
`, source, instanceType, env.VSwitchID, env.SecurityGroupID, extra)
}

func TestAccRestoredInstance_validation(t *testing.T) {
	env := acctest.New(t, emulator.Options{})
	image := fmt.Sprintf("{ image_id = %q }", env.ImageID)
	step := func(cfg, want string) resource.TestStep {
		return resource.TestStep{Config: cfg, PlanOnly: true, ExpectError: wrapped(want)}
	}
	var emulatorSteps []resource.TestStep
	if env.Emulator != nil {
		emulatorSteps = append(emulatorSteps, step(restoredConfig(env, fmt.Sprintf("{ image_id = %q }", testImageWindows), "ecs.g7.large", `  system_disk = { size = 30 }`),
			`image `+testImageWindows+` needs a system disk of at least 40 GiB; system_disk.size is 30`))
	}
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: append(emulatorSteps,
			step(restoredConfig(env, image, "ecs.g7.large", `  private_ips = 11`),
				`ecs.g7.large holds at most 6 private IPs per network interface; private_ips is 11`),
			step(restoredConfig(env, image, "ecs.c7.large", `  private_ips = 8`),
				`ecs.c7.large holds at most 6 private IPs per network interface; private_ips is 8`),
			step(restoredConfig(env, image, "ecs.g7.large", `  system_disk = { category = "cloud" }`),
				`system_disk.category "cloud" cannot hold a system disk; use one of cloud_auto,`),
			step(restoredConfig(env, image, "ecs.g7.large", `  system_disk = { size = 4096 }`),
				`A cloud_essd system disk must be 20 to 2048 GiB; system_disk.size is 4096`),
			step(restoredConfig(env, image, "ecs.g7.large", `  data_disks = [{ category = "cloud_essd", size = 10 }]`),
				`A cloud_essd data disk must be 20 to 65536 GiB; data_disks\[0\].size is 10`),
			step(restoredConfig(env, image, "ecs.g7.large", `  data_disks = [{ category = "nvme", size = 100 }]`),
				`data_disks\[0\].category "nvme" is not a data disk category`),
			step(restoredConfig(env, fmt.Sprintf("{ image_id = %q, snapshot_id = \"s-1\" }", env.ImageID), "ecs.g7.large", ""),
				`source sets 2 of image_id, snapshot_id and recovery_point; set exactly one`),
			step(restoredConfig(env, `{ recovery_point = { disk_id = "d-1", before = "yesterday" } }`, "ecs.g7.large", ""),
				`before "yesterday" is not an RFC 3339 time`),
			step(restoredConfig(env, image, "ecs.g7.large", `  rto_target = "soon"`), `Invalid RTO target`),
			step(restoredConfig(env, image, "ecs.g7.large", `  zone_id = "`+env.Region+`-nozone"`),
				`vSwitch `+env.VSwitchID+` is in zone `+env.ZoneID+`, but zone_id is `+env.Region+`-nozone`),
			step(restoredConfig(env, image, "ecs.g7.large", `  region = "`+env.DRRegions[0]+`"`),
				`vSwitch `+env.VSwitchID+` does not exist in `+env.DRRegions[0]),
			step(restoredConfig(env, image, "ecs.g9.huge", ""), `Instance type "ecs.g9.huge" is not offered in `+env.Region),
			step(restoredConfig(env, `{ snapshot_id = "s-2zemissing000000000" }`, "ecs.g7.large", ""),
				`Snapshot s-2zemissing000000000 does not exist in `+env.Region),
			step(restoredConfig(env, `{ image_id = "m-2zemissing000000000" }`, "ecs.g7.large", ""),
				`Image m-2zemissing000000000 does not exist in `+env.Region),
			step(restoredConfig(env, image, "ecs.g7.large", `  desired_status = "Paused"`), `value must be one of`),
			// Warnings (below the restore baseline) do not block: the plan
			// goes through.
			resource.TestStep{
				Config:             restoredConfig(env, image, "ecs.t5-lc1m1.small", `  system_disk = { size = 20 }`),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		),
	})
}

func TestAccRestoredInstance_basic(t *testing.T) {
	env := acctest.NewInstant(t)
	c := restoredTestClient(t, env)
	image := fmt.Sprintf("{ image_id = %q }", env.ImageID)
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: restoredConfig(env, image, "ecs.g7.large", `
  instance_name = "core-restore"
  private_ips   = 2
  rto_target    = "15m"
  tags          = { app = "core" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(restoredAddr, plancheck.ResourceActionCreate),
					// Filled in at plan time from the vSwitch and the provider.
					plancheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("zone_id"), knownvalue.StringExact(env.ZoneID)),
					plancheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("region"), knownvalue.StringExact(env.Region)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^i-`))),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("status"), knownvalue.StringExact("Running")),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("desired_status"), knownvalue.StringExact("Running")),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("restored_from"), knownvalue.StringExact(env.ImageID)),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("restore_duration"), knownvalue.StringRegexp(regexp.MustCompile(`^\d+s$`))),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("rto_met"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("instance_name"), knownvalue.StringExact("core-restore")),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("private_ip_addresses"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("private_ip"), knownvalue.StringRegexp(regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+$`))),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("system_disk"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"category": knownvalue.StringExact("cloud_essd"), "size": knownvalue.Int64Exact(40),
					})),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("tags"), knownvalue.MapExact(map[string]knownvalue.Check{
						"app": knownvalue.StringExact("core"),
					})),
				},
				Check: expectOneManagedInstance(env, c, t),
			},
			// Every updatable argument, in place.
			{
				Config: restoredConfig(env, image, "ecs.g7.large", `
  instance_name      = "core-restore-2"
  description        = "restored for the drill"
  private_ips        = 2
  rto_target         = "1s"
  on_rto_miss        = "fail"
  desired_status     = "Stopped"
  tags               = { app = "core", drill = "2026-11" }
  timeouts           = { update = "5m" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(restoredAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("status"), knownvalue.StringExact("Stopped")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("status"), knownvalue.StringExact("Stopped")),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("instance_name"), knownvalue.StringExact("core-restore-2")),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("description"), knownvalue.StringExact("restored for the drill")),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("tags"), knownvalue.MapExact(map[string]knownvalue.Check{
						"app": knownvalue.StringExact("core"), "drill": knownvalue.StringExact("2026-11"),
					})),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("restored_from"), knownvalue.StringExact(env.ImageID)),
					// The measured duration stays; rto_met follows the new target.
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("rto_target"), knownvalue.StringExact("1s")),
				},
				Check: resource.ComposeTestCheckFunc(expectOneManagedInstance(env, c, t), func(s *terraform.State) error {
					in, err := c.FindInstanceByID(context.Background(), env.Region, s.RootModule().Resources[restoredAddr].Primary.ID)
					if err != nil {
						return err
					}
					if in.Status != "Stopped" || in.InstanceName != "core-restore-2" || cloud.InstanceTags(in)["drill"] != "2026-11" {
						return fmt.Errorf("instance not updated: %s %s %v", in.Status, in.InstanceName, cloud.InstanceTags(in))
					}
					return nil
				}),
			},
			{
				Config: restoredConfig(env, image, "ecs.g7.large", `
  instance_name  = "core-restore-2"
  description    = "restored for the drill"
  private_ips    = 2
  desired_status = "Running"
  tags           = { drill = "2026-11" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(restoredAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("status"), knownvalue.StringExact("Running")),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("rto_met"), knownvalue.Null()),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("tags"), knownvalue.MapExact(map[string]knownvalue.Check{
						"drill": knownvalue.StringExact("2026-11"),
					})),
				},
			},
			{
				ResourceName:      restoredAddr,
				ImportState:       true,
				ImportStateVerify: true,
				// Not readable from the instance: how it was restored and measured.
				ImportStateVerifyIgnore: []string{"source", "restored_from", "restored_from_time", "restore_duration", "rto_met", "rto_target", "timeouts"},
			},
			{
				ResourceName:  restoredAddr,
				ImportState:   true,
				ImportStateId: "not-an-instance",
				ExpectError:   wrapped(`import with the id \(e\.g\. i-2ze\.\.\.\) or region:id`),
			},
			// Drift: type changed and instance stopped outside Terraform.
			{
				PreConfig: func() {
					id := managedInstances(t, env, c)[0]
					if err := c.StopInstance(context.Background(), env.Region, id); err != nil {
						t.Fatal(err)
					}
				},
				Config: restoredConfig(env, image, "ecs.g7.large", `
  instance_name  = "core-restore-2"
  description    = "restored for the drill"
  private_ips    = 2
  tags           = { drill = "2026-11" }`),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(restoredAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("desired_status"), knownvalue.StringExact("Running")),
				}},
			},
			{
				Config: restoredConfig(env, image, "ecs.g7.large", `
  instance_name  = "core-restore-2"
  description    = "restored for the drill"
  private_ips    = 2
  tags           = { drill = "2026-11" }`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("status"), knownvalue.StringExact("Running")),
				},
			},
			// A type change replaces the instance; the old one is deleted.
			{
				Config: restoredConfig(env, image, "ecs.g7.xlarge", `
  instance_name  = "core-restore-2"
  description    = "restored for the drill"
  private_ips    = 2
  tags           = { drill = "2026-11" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(restoredAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: expectOneManagedInstance(env, c, t),
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

// An instance restored by hand is adopted with import: the configuration's
// source is recorded in place, without a replacement.
func TestAccRestoredInstance_importAdopts(t *testing.T) {
	env := acctest.NewInstant(t)
	c := restoredTestClient(t, env)
	id, err := c.RunInstance(context.Background(), env.Region, cloud.RunInstanceInput{
		ImageID: env.ImageID, InstanceType: "ecs.g7.large", VSwitchID: env.VSwitchID,
		SecurityGroupIDs: []string{env.SecurityGroupID}, Name: "by-hand", PrivateIPs: 1,
		SystemDisk: cloud.InstanceDiskInput{Category: "cloud_essd"},
		DataDisks:  []cloud.InstanceDiskInput{{Category: "cloud_essd", Size: 100}},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg := restoredConfig(env, fmt.Sprintf("{ image_id = %q }", env.ImageID), "ecs.g7.large", `
  instance_name = "by-hand"
  data_disks    = [{ size = 100 }]`)
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:             cfg,
				ResourceName:       restoredAddr,
				ImportState:        true,
				ImportStateId:      env.Region + ":" + id,
				ImportStatePersist: true,
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(restoredAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("id"), knownvalue.StringExact(id)),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("source").AtMapKey("image_id"), knownvalue.StringExact(env.ImageID)),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("data_disks"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"snapshot_id": knownvalue.Null(), "category": knownvalue.StringExact("cloud_essd"), "size": knownvalue.Int64Exact(100),
						}),
					})),
				},
			},
			{Config: cfg, PlanOnly: true},
		},
	})
}

func TestAccRestoredInstance_disappears(t *testing.T) {
	env := acctest.NewInstant(t)
	c := restoredTestClient(t, env)
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: restoredConfig(env, fmt.Sprintf("{ image_id = %q }", env.ImageID), "ecs.g7.large", ""),
			Check: func(s *terraform.State) error {
				return c.DeleteInstance(context.Background(), env.Region, s.RootModule().Resources[restoredAddr].Primary.ID)
			},
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(restoredAddr, plancheck.ResourceActionCreate),
			}},
		}},
	})
}

// TestAccRestoredInstance_apiLimits: limits come from the API, not from
// fixed guesses: 12 private IPs on a type holding 15 per interface (sent on
// the primary NetworkInterface), and an ESSD data disk above 32768 GiB.
func TestAccRestoredInstance_apiLimits(t *testing.T) {
	// On an account the region's own catalogue answers (DescribeInstanceTypes
	// EniPrivateIpAddressQuantity of ecs.g7.xlarge).
	env := acctest.NewInstant(t)
	image := fmt.Sprintf("{ image_id = %q }", env.ImageID)
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: restoredConfig(env, image, "ecs.g7.xlarge", `
  private_ips = 12
  data_disks  = [{ category = "cloud_essd", size = 40000 }]`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("private_ip_addresses"), knownvalue.ListSizeExact(12)),
				statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("data_disks").AtSliceIndex(0).AtMapKey("size"), knownvalue.Int64Exact(40000)),
			},
		}},
	})
}

func TestAccRestoredInstance_rto(t *testing.T) {
	env := acctest.New(t, emulator.Options{})
	// Measurement is wall time: a start of 3 seconds or more (a real one takes
	// longer) against a 1-second target.
	env.OnEmulator(func(s *emulator.Server) { s.SetDurations(emulator.Durations{InstanceCreate: 3 * time.Second}) })
	took := `^[3-9]s$`
	if env.Emulator == nil {
		took = `^([3-9]|[1-9]\d+)s$`
	}
	c := restoredTestClient(t, env)
	image := fmt.Sprintf("{ image_id = %q }", env.ImageID)
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      restoredConfig(env, image, "ecs.g7.large", `  rto_target = "1s"`+"\n"+`  on_rto_miss = "fail"`),
				ExpectError: wrapped(`(?s)RTO missed.*took \d+s \(from the first API call to Running\), longer than rto_target 1s`),
			},
			// The failed instance was kept (tainted) and is replaced, not orphaned.
			{
				Config: restoredConfig(env, image, "ecs.g7.large", `  rto_target = "1s"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(restoredAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("rto_met"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("restore_duration"), knownvalue.StringRegexp(regexp.MustCompile(took))),
				},
				Check: expectOneManagedInstance(env, c, t),
			},
			// Raising the target re-evaluates rto_met in place.
			{
				Config: restoredConfig(env, image, "ecs.g7.large", `  rto_target = "10m"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(restoredAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("rto_met"), knownvalue.Bool(true)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("rto_met"), knownvalue.Bool(true)),
				},
			},
		},
	})
}
