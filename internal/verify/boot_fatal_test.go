package verify

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestBootTestStopsOnInstanceNotExists: Cloud Assistant reports an instance
// that does not exist (released before the run) in the invocation result's
// ErrorCode InstanceNotExists (the DescribeInvocationResults example of the
// official ecs-20140526 v7 model), not as an API NotFound error. No retry
// brings it back: the boot test stops after the first attempt.
func TestBootTestStopsOnInstanceNotExists(t *testing.T) {
	notExists := CommandResult{Status: "Failed", ExitCode: -1, ErrorCode: "InstanceNotExists", ErrorInfo: "the specified instance does not exists"}
	clk := newFakeClock()
	f := newFake(clk)
	f.results, f.cmdTook = []CommandResult{notExists}, 10*time.Second
	r := Run(context.Background(), f, clk, Spec{RunID: "vr-1", BootTest: boot(time.Hour, time.Minute)})
	c := check(t, r, CheckBootTest)
	if c.Status != StatusFailed || len(r.Boot.Attempts) != 1 {
		t.Fatalf("status %s after %d attempts, want failed after 1: %s", c.Status, len(r.Boot.Attempts), c.Detail)
	}
	if !strings.Contains(c.Detail, "stopped after a fatal error") || !strings.Contains(r.Boot.FirstFailure, "InstanceNotExists") {
		t.Fatalf("detail %q, first failure %q", c.Detail, r.Boot.FirstFailure)
	}
}
