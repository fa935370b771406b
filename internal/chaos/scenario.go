// Package chaos runs the chaos campaign of `make chaos`: it applies, drills
// and destroys examples/quickstart with a real Terraform/OpenTofu CLI and the
// built provider against a fresh emulator per run, under seeded fault
// profiles and kill -9 of the CLI or of the provider plugin at several
// moments of the apply, then takes a census of the emulator through the SDKs
// and greps everything the run wrote for credentials.
package chaos

import (
	"fmt"
	"time"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// Kill targets.
const (
	KillCLI      = "cli"
	KillProvider = "provider"
)

// Scenario is one run of the campaign.
type Scenario struct {
	// Fault, when set, is injected at Rate on every ECS and OSS action for
	// the whole apply and destroy.
	Fault emulator.FaultKind
	// KillTarget (KillCLI or KillProvider), when set, is killed with
	// SIGKILL as soon as the emulator has served KillAt, an ECS action;
	// the apply is then run again.
	KillTarget, KillAt string
}

// Name identifies the scenario in the per-run lines.
func (s Scenario) Name() string {
	switch {
	case s.Fault != "":
		return "fault:" + string(s.Fault)
	case s.KillTarget != "":
		return fmt.Sprintf("kill:%s@%s", s.KillTarget, s.KillAt)
	}
	return "clean"
}

// Rate is the probability of every fault profile; Seed seeds every rule, so
// a campaign replays the same decisions for the same request sequence.
const (
	Rate = 0.3
	Seed = 20261203
)

// LatencyDelay is the delay of the latency profile.
const LatencyDelay = 300 * time.Millisecond

// FaultKinds are the fault profiles of the full campaign.
var FaultKinds = []emulator.FaultKind{emulator.FaultThrottling, emulator.Fault5xx, emulator.FaultDrop,
	emulator.FaultLatency, emulator.FaultTruncate, emulator.FaultCorrupt}

// KillMoments are the ECS actions after which the full campaign kills:
// the golden image, its copies, its export, the restore and the boot test.
var KillMoments = []string{"CreateImage", "CopyImage", "ExportImage", "RunInstances", "RunCommand"}

// Full is the campaign of `make chaos`: a clean run (the time reference),
// every fault profile, and both kill targets at every moment.
func Full() []Scenario {
	out := []Scenario{{}}
	for _, k := range FaultKinds {
		out = append(out, Scenario{Fault: k})
	}
	for _, m := range KillMoments {
		for _, t := range []string{KillCLI, KillProvider} {
			out = append(out, Scenario{KillTarget: t, KillAt: m})
		}
	}
	return out
}

// Short is the profile `make test` runs: a clean run, dropped connections
// and a provider killed during the export.
func Short() []Scenario {
	return []Scenario{{}, {Fault: emulator.FaultDrop}, {KillTarget: KillProvider, KillAt: "ExportImage"}}
}
