package provider_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

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
