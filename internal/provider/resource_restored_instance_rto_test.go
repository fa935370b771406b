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
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// An apply that dies after RunInstances and is run again adopts the
// instance; its restore_duration counts from the first run's first call,
// not from the re-run (which would report the boot time alone).
func TestAccRestoredInstance_rtoCountsFromTheFirstRun(t *testing.T) {
	// The emulator's clock runs 10 minutes behind: the killed run's
	// instance looks created 10 minutes before the re-run.
	env := acctest.New(t, emulator.Options{Clock: emulator.NewManualClock(time.Now().Add(-10 * time.Minute))})
	env.RequireEmulator(t)
	c := restoredTestClient(t, env)
	image := fmt.Sprintf("{ image_id = %q }", testImageLinux)
	noRetries := strings.Replace(env.Config(""), "max_retries = 8", "max_retries = 1", 1)
	body := strings.TrimPrefix(restoredConfig(env, image, "ecs.g7.large", `  rto_target = "5m"`), env.Config(""))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// The instance is created, its response lost: as after a kill -9.
				PreConfig: func() {
					env.Emulator.SetDurations(emulator.InstantDurations())
					env.Emulator.InjectFault(emulator.Fault{Service: "ecs", Action: "RunInstances", Kind: emulator.FaultTruncate, Count: 2})
				},
				Config:      noRetries + body,
				ExpectError: wrapped(`Failed to create the instance(?s).*unexpected EOF`),
			},
			{
				PreConfig: func() {
					if got := managedInstances(t, c); len(got) != 1 {
						t.Fatalf("want the lost instance, found %v", got)
					}
				},
				Config: noRetries + body,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("restore_duration"), knownvalue.StringRegexp(regexp.MustCompile(`^1[01]m\d+s$`))),
					statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("rto_met"), knownvalue.Bool(false)),
				},
				// The start is written on the instance for a later re-run.
				Check: func(s *terraform.State) error {
					tags, err := c.ListTags(context.Background(), "cn-beijing", "instance", s.RootModule().Resources[restoredAddr].Primary.ID)
					if err != nil {
						return err
					}
					if _, err := time.Parse(time.RFC3339Nano, tags[cloud.TagRestoreStarted]); err != nil {
						return fmt.Errorf("%s: %v", cloud.TagRestoreStarted, err)
					}
					return nil
				},
			},
		},
	})
}
