package cloud_test

import (
	"context"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// fastPoll polls without waiting in wall time.
var fastPoll = cloud.WaitOptions{Interval: time.Millisecond, MaxInterval: time.Millisecond}

func TestRunCommandAndWait(t *testing.T) {
	srv, c := startEmulator(t, emulator.Options{})
	ctx := context.Background()
	db := emulator.SeedInstanceCoreDB
	script := "set -e\nsystemctl is-system-running && curl -fsS 'localhost:8080/health?x=1&y=\"2\"'\n"
	srv.ScriptCommand(db, emulator.CommandOutcome{Sequence: []emulator.CommandOutcome{
		{ExitCode: 0, Output: "running\nhéllo ✓\n"},
		{ExitCode: 3, Output: "degraded"},
	}})

	out, err := c.RunCommandAndWait(ctx, emulator.SeedRegion, cloud.CommandInput{InstanceID: db, Content: script, Timeout: 30 * time.Second}, fastPoll)
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != "Success" || out.ExitCode != 0 || out.Output != "running\nhéllo ✓\n" || out.InvokeID == "" {
		t.Fatalf("%+v", out)
	}
	runs := srv.CommandsRun(db)
	if len(runs) != 1 || runs[0].Content != script || runs[0].Type != "RunShellScript" {
		t.Fatalf("the emulator ran %+v", runs)
	}

	out, err = c.RunCommandAndWait(ctx, emulator.SeedRegion, cloud.CommandInput{InstanceID: db, Type: "RunShellScript", Content: "check"}, fastPoll)
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != "Failed" || out.ExitCode != 3 || out.Output != "degraded" || out.ErrorCode != "ExitCodeNonzero" {
		t.Fatalf("%+v", out)
	}

	// A stopped instance: the invocation fails with InstanceNotRunning.
	stop := ecs.CreateStopInstanceRequest()
	stop.InstanceId = emulator.SeedInstanceCoreApp
	stop.ForceStop = requests.NewBoolean(true)
	if err := c.DoECS(ctx, emulator.SeedRegion, stop, ecs.CreateStopInstanceResponse()); err != nil {
		t.Fatal(err)
	}
	out, err = c.RunCommandAndWait(ctx, emulator.SeedRegion, cloud.CommandInput{InstanceID: emulator.SeedInstanceCoreApp, Content: "true"}, fastPoll)
	if err != nil || out.Status != "Failed" || out.ErrorCode != "InstanceNotRunning" {
		t.Fatalf("%+v %v", out, err)
	}

	// An unknown instance is an API error, not retried.
	_, err = c.RunCommandAndWait(ctx, emulator.SeedRegion, cloud.CommandInput{InstanceID: "i-2zenosuchinstance000", Content: "true"}, fastPoll)
	if cloud.ErrorCode(err) != "InvalidInstanceId.NotFound" {
		t.Fatalf("unknown instance: %v", err)
	}
}

func TestRunCommandWaitsForRunningAndHang(t *testing.T) {
	clk := emulator.NewManualClock(time.Now())
	srv, c := startEmulator(t, emulator.Options{Clock: clk})
	srv.SetDurations(emulator.Durations{CommandRun: 5 * time.Second})
	db := emulator.SeedInstanceCoreDB
	srv.ScriptCommand(db, emulator.CommandOutcome{Sequence: []emulator.CommandOutcome{{ExitCode: 0, Output: "ok"}, {Hang: true, Output: "stuck"}}})

	for i, tc := range []struct {
		advance   time.Duration
		status    string
		errorCode string
		output    string
	}{
		{5 * time.Second, "Success", "", "ok"},
		{20 * time.Second, "Timeout", "ExecutionTimeout", "stuck"},
	} {
		// Count the polls that saw the command Running; move the clock
		// past its end only once the client has seen it running.
		polls := 0
		poll := cloud.WaitOptions{Interval: time.Millisecond, MaxInterval: time.Millisecond,
			Sleep: func(ctx context.Context, d time.Duration) error {
				polls++
				if polls == 3 {
					clk.Advance(tc.advance)
				}
				return ctx.Err()
			}}
		out, err := c.RunCommandAndWait(context.Background(), emulator.SeedRegion,
			cloud.CommandInput{InstanceID: db, Content: "check", Timeout: 20 * time.Second}, poll)
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		if out.Status != tc.status || out.ErrorCode != tc.errorCode || out.Output != tc.output || polls != 3 {
			t.Fatalf("run %d: %+v after %d polls", i, out, polls)
		}
	}
}
