package provider_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// What a CD pipeline or a drift-detection service runs, with the exit codes
// it reads: right after an apply of examples/quickstart (one of each resource
// type, and the data sources), `plan -detailed-exitcode` and
// `plan -refresh-only -detailed-exitcode` exit 0; a change made outside
// Terraform makes the refresh-only plan exit 2 and name the attribute.
// scripts/test-cli.sh (make test-cli) runs it with every CLI it finds.
func TestAccCLIRefreshIsNoOp(t *testing.T) {
	acctest.SkipOnCloud(t, "applies the quickstart against the seeded world")
	env := acctest.New(t, emulator.Options{})
	env.Emulator.SetDurations(emulator.InstantDurations())
	// Small exported files: the export is written while the emulator holds
	// its lock, and on a loaded machine 40 MiB outlasted the SDK's timeout.
	env.Emulator.SetExportBytesPerGiB(16 << 10)
	tf := acctest.NewCLI(t, map[string]string{"endpoint": env.Emulator.URL()})
	t.Log(tf.Version())

	examples := t.TempDir()
	if err := os.CopyFS(examples, os.DirFS("../../examples")); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(examples, "quickstart")
	// The provider serves from this process: relative paths it writes (the
	// drill's report) land where a CLI-started provider would put them.
	t.Chdir(dir)
	applyThenNoOp(t, tf, dir)

	// Rename the restored instance behind Terraform's back, through the SDK.
	inst := stateResource(t, tf, dir, "alidr_restored_instance")
	drifted := "renamed-outside-terraform"
	id, region := inst["id"].(string), inst["region"].(string)
	if err := env.Client(t).ModifyInstance(context.Background(), region, id, cloud.ModifyInstanceInput{Name: &drifted}); err != nil {
		t.Fatal(err)
	}
	out := tf.Must(dir, 2, "plan", "-refresh-only", "-detailed-exitcode", "-input=false", "-no-color")
	for _, want := range []string{"alidr_restored_instance.this has changed", "instance_name", drifted} {
		if !strings.Contains(out, want) {
			t.Errorf("the refresh-only plan does not say %q:\n%s", want, out)
		}
	}
	// Accepting the drift records it; the next refresh is a no-op again and
	// the normal plan proposes to restore the configured name.
	tf.Must(dir, 0, "apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color")
	tf.Must(dir, 0, "plan", "-refresh-only", "-detailed-exitcode", "-input=false", "-no-color")
	out = tf.Must(dir, 2, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	if !strings.Contains(out, drifted) || !strings.Contains(out, "instance_name") {
		t.Errorf("the plan does not propose to rename the instance back:\n%s", out)
	}
}

// The snapshot policy's example as documented (its other resource examples
// name objects the emulator does not have), in an emulator of its own: the
// quickstart's policy would take the same disks.
func TestAccCLIRefreshIsNoOpPolicyExample(t *testing.T) {
	acctest.SkipOnCloud(t, "the example selects the seeded disks tagged app=core")
	env := acctest.New(t, emulator.Options{})
	tf := acctest.NewCLI(t, nil)
	example, err := os.ReadFile("../../examples/resources/alidr_snapshot_policy/resource.tf")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	provider := "terraform {\n  required_providers {\n    alidr = { source = \"alidr/alidr\" }\n  }\n}\n" + env.ProviderConfig()
	for name, body := range map[string]string{"resource.tf": string(example), "emulator.tf": provider} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	applyThenNoOp(t, tf, dir)
}

// applyThenNoOp applies dir (destroyed when the test ends) and checks that
// the plan and the refresh-only plan right after it find nothing to do.
func applyThenNoOp(t *testing.T, tf *acctest.CLI, dir string) {
	t.Helper()
	tf.Must(dir, 0, "init", "-input=false", "-no-color")
	tf.Must(dir, 0, "apply", "-auto-approve", "-input=false", "-no-color")
	t.Cleanup(func() { tf.Must(dir, 0, "destroy", "-auto-approve", "-input=false", "-no-color") })
	tf.Must(dir, 0, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	tf.Must(dir, 0, "plan", "-refresh-only", "-detailed-exitcode", "-input=false", "-no-color")
}

// stateResource returns the values of the only resource of type typ in the
// state, at any module depth.
func stateResource(t *testing.T, tf *acctest.CLI, dir, typ string) map[string]any {
	t.Helper()
	type module struct {
		Resources []struct {
			Type   string         `json:"type"`
			Values map[string]any `json:"values"`
		} `json:"resources"`
		ChildModules []json.RawMessage `json:"child_modules"`
	}
	var state struct {
		Values struct {
			RootModule json.RawMessage `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(tf.Must(dir, 0, "show", "-json")), &state); err != nil {
		t.Fatal(err)
	}
	var found []map[string]any
	var walk func(json.RawMessage)
	walk = func(raw json.RawMessage) {
		var m module
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		for _, r := range m.Resources {
			if r.Type == typ {
				found = append(found, r.Values)
			}
		}
		for _, c := range m.ChildModules {
			walk(c)
		}
	}
	walk(state.Values.RootModule)
	if len(found) != 1 {
		t.Fatalf("%d resources of type %s in the state, want 1", len(found), typ)
	}
	return found[0]
}
