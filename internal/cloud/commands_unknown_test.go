package cloud_test

import (
	"context"
	"testing"
	"time"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// A RunCommand whose answer is lost (the command started, the response was
// cut) is resent under the same ClientToken: the health check goes on with
// the one invocation instead of failing or running twice.
func TestRunCommandLostAnswerIsResent(t *testing.T) {
	srv, c := startEmulator(t, emulator.Options{})
	db := emulator.SeedInstanceCoreDB
	srv.InjectFault(emulator.Fault{Service: "ecs", Action: "RunCommand", Kind: emulator.FaultTruncate, Count: 1})
	out, err := c.RunCommandAndWait(context.Background(), emulator.SeedRegion, cloud.CommandInput{InstanceID: db, Content: "true", Timeout: 30 * time.Second}, fastPoll)
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != "Success" {
		t.Fatalf("%+v", out)
	}
	if runs := srv.CommandsRun(db); len(runs) != 1 {
		t.Fatalf("the command ran %d times, want once", len(runs))
	}
	if f := srv.Faults(); f[0].Fired != 1 {
		t.Fatalf("fault fired %d times", f[0].Fired)
	}
}
