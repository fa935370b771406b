package provider_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
	"github.com/alidr/terraform-provider-alidr/internal/ramactions"
)

// Least privilege, proven: for each duty, a RAM user holding only the policy
// alidr_ram_policy generates applies, updates, imports, refreshes and
// destroys that duty's resources (sufficient); the request log shows no
// action outside the table (no drift); and with any one action taken out of
// the policy the step that first needs it fails with the RAM error naming
// that action (minimal).

// The RAM user the provider works as in these tests.
const (
	ramKeyID     = "dr-pipeline-ak"
	ramKeySecret = "dr-pipeline-sk"
)

// dutyCase is the life of one duty's resources: steps run in order, the
// last destroys.
type dutyCase struct {
	duty string
	// arrange creates what the duty builds on with the account's own key
	// and returns the configurations of the steps.
	arrange func(t *testing.T, env *acctest.Env) []ramStep
}

// ramStep is one step of a duty's life.
type ramStep struct {
	config  string // HCL without the provider block
	refresh bool   // refresh only
	destroy bool
	// importOf imports this resource address (with the step's config).
	importOf string
}

func (d dutyCase) selection(env *acctest.Env) ramactions.Selection {
	return ramactions.Selection{Duties: []string{d.duty}, Regions: append([]string{env.Region}, env.DRRegions...), AccountID: emulator.DefaultAccountID}
}

// ramProvider is the provider block of the RAM user.
func ramProvider(env *acctest.Env) string {
	return fmt.Sprintf("provider \"alidr\" {\n  region      = %q\n  max_retries = 2\n  access_key  = %q\n  secret_key  = %q\n%s}\n",
		env.Region, ramKeyID, ramKeySecret, env.EndpointsHCL())
}

// testSteps turns a duty's steps into test steps on the RAM user; before
// step i, onStep(i) runs.
func testSteps(env *acctest.Env, steps []ramStep, onStep func(i int)) []resource.TestStep {
	var out []resource.TestStep
	for i, s := range steps {
		ts := resource.TestStep{Config: ramProvider(env) + s.config, PreConfig: func() { onStep(i) }}
		switch {
		case s.refresh:
			ts.RefreshState = true
			ts.Config = ""
		case s.destroy:
			ts.Destroy = true
		case s.importOf != "":
			ts.ResourceName, ts.ImportState = s.importOf, true
		}
		out = append(out, ts)
	}
	return out
}

// ramDutyEnv starts an emulator whose RAM user holds policy.
func ramDutyEnv(t *testing.T, d dutyCase, without string) (*acctest.Env, []ramStep, []string) {
	env := acctest.NewInstantEmulated(t, "RAM users and policies are set through the emulator's control API")
	sel := d.selection(env)
	_, actions, err := ramactions.Build(sel)
	if err != nil {
		t.Fatal(err)
	}
	kept := slices.DeleteFunc(slices.Clone(actions), func(a string) bool { return a == without })
	if err := env.Emulator.AddRAMUser(emulator.DefaultAccountID, ramKeyID, ramKeySecret, ramactions.Allow(kept, sel).JSON()); err != nil {
		t.Fatal(err)
	}
	return env, d.arrange(t, env), actions
}

func TestAccRAMDuty_backup(t *testing.T)    { testRAMDuty(t, backupDuty) }
func TestAccRAMDuty_replicate(t *testing.T) { testRAMDuty(t, replicateDuty) }
func TestAccRAMDuty_restore(t *testing.T)   { testRAMDuty(t, restoreDuty) }
func TestAccRAMDuty_verify(t *testing.T)    { testRAMDuty(t, verifyDuty) }

// testRAMDuty runs a duty's life under the generated policy, then once per
// action without it. The first run is not parallel inside the (parallel)
// duty test: the others need the step where each action was first called.
func testRAMDuty(t *testing.T, d dutyCase) {
	acctest.SkipOnCloud(t, "RAM users and policies are set through the emulator's control API")
	t.Parallel()
	var actions []string
	stepOf := map[string]int{}
	t.Run("sufficient", func(t *testing.T) {
		env, steps, all := ramDutyEnv(t, d, "")
		actions = all
		srv := env.Emulator
		current, done := 0, 0
		var calls []stepCall
		note := func() {
			recs := srv.Requests()
			for _, rec := range recs[done:] {
				if rec.AccessKeyID == ramKeyID && rec.RAMAction != "" {
					calls = append(calls, stepCall{current, rec.RAMAction})
					if _, seen := stepOf[rec.RAMAction]; !seen {
						stepOf[rec.RAMAction] = current
					}
				}
			}
			done = len(recs)
		}
		// Serial in its subtest: the "without" subtests need stepOf once it returns.
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			Steps: testSteps(env, steps, func(i int) {
				note()
				current = i
			}),
		})
		note()
		// The last step destroys, so the harness runs no CheckDestroy.
		if err := ramLogMatchesTable(srv, d.duty, actions); err != nil {
			t.Error(err)
		}
		for _, c := range calls {
			if ops := stepOps(steps, c.step); !tableHas(d.duty, ops, c.action) {
				t.Errorf("step %d called %s, which the table lists for no %v operation of the duty %s", c.step+1, c.action, ops, d.duty)
			}
		}
	})
	if t.Failed() {
		return
	}
	for _, action := range actions {
		t.Run("without "+action, func(t *testing.T) {
			k, called := stepOf[action]
			if !called {
				if why, ok := ramactions.Conditional[action]; ok {
					t.Skipf("%s is not called in this life (%s)", action, why)
				}
				t.Fatalf("%s is in the %s policy but no step called it: drop it from ramactions.Table or make the test's life call it", action, d.duty)
			}
			env, steps, _ := ramDutyEnv(t, d, action)
			full := ramactions.Allow(actions, d.selection(env)).JSON()
			all := testSteps(env, steps, func(int) {})
			run := append(all[:k:k], all[k])
			warns, isTolerated := toleratedIn(d.duty, action)
			if !isTolerated {
				run[k].ExpectError = wrappedRE("RAM refused the action " + action)
			}
			// With the full policy back, an empty configuration destroys
			// whatever the failed step left.
			recover := resource.TestStep{Config: ramProvider(env), PreConfig: func() {
				if err := env.Emulator.SetKeyPolicy(ramKeyID, full); err != nil {
					t.Fatal(err)
				}
			}}
			acctest.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps:                    append(run, recover),
			})
			if isTolerated && !slices.ContainsFunc(env.Emulator.Requests(), func(rec emulator.RequestRecord) bool {
				return rec.AccessKeyID == ramKeyID && rec.RAMAction == action && rec.RAMDenied
			}) {
				t.Errorf("%s: step %d did not ask for it (%s)", action, k+1, warns)
			}
		})
	}
}

// stepCall is an action the RAM user called during a step.
type stepCall struct {
	step   int
	action string
}

// stepOps are the operations Terraform may run in a step: every step
// refreshes (read); a later configuration may replace (create, delete).
func stepOps(steps []ramStep, i int) []ramactions.Op {
	switch s := steps[i]; {
	case s.refresh:
		return []ramactions.Op{ramactions.Read}
	case s.destroy:
		return []ramactions.Op{ramactions.Read, ramactions.Delete}
	case s.importOf != "":
		return []ramactions.Op{ramactions.Read, ramactions.Import}
	case i == 0:
		return []ramactions.Op{ramactions.Read, ramactions.Create}
	}
	return []ramactions.Op{ramactions.Read, ramactions.Update, ramactions.Create, ramactions.Delete}
}

// tableHas says whether an operation among ops of a type of the duty (or the
// provider itself) lists action.
func tableHas(duty string, ops []ramactions.Op, action string) bool {
	for _, typ := range append([]string{ramactions.Provider}, ramactions.Duties[duty]...) {
		for _, op := range ops {
			if slices.Contains(ramactions.ActionsFor(typ, op), action) {
				return true
			}
		}
	}
	return false
}

// toleratedIn says whether a type of the duty only warns without action.
func toleratedIn(duty, action string) (string, bool) {
	for _, typ := range ramactions.Duties[duty] {
		if why, ok := ramactions.Tolerated[typ][action]; ok {
			return why, true
		}
	}
	return "", false
}

// ramLogMatchesTable checks every call of the RAM user was allowed and is
// an action the table lists for the duty: the table and the calls cannot
// drift apart.
func ramLogMatchesTable(srv *emulator.Server, duty string, actions []string) error {
	var problems []string
	for _, rec := range srv.Requests() {
		if rec.AccessKeyID != ramKeyID || rec.RAMAction == "" {
			continue
		}
		if !slices.Contains(actions, rec.RAMAction) {
			problems = append(problems, fmt.Sprintf("%s (%s %s) is not in the table for duty %s", rec.RAMAction, rec.Method, rec.Path, duty))
		}
		if rec.RAMDenied {
			problems = append(problems, fmt.Sprintf("%s was refused under the generated policy", rec.RAMAction))
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return fmt.Errorf("request log vs ramactions.Table:\n%s", strings.Join(slices.Compact(problems), "\n"))
	}
	return nil
}
