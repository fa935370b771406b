package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

var (
	ok      = CommandResult{Status: "Success", ExitCode: 0, Output: "running\nok\n"}
	bad     = CommandResult{Status: "Failed", ExitCode: 7, Output: "curl: (7) Failed to connect to localhost port 8080", ErrorCode: "ExitCodeNonzero"}
	hang    = CommandResult{Status: "Timeout", ExitCode: -1, ErrorCode: "ExecutionTimeout", ErrorInfo: "the command execution has timed out"}
	offline = CommandResult{Status: "Error", ExitCode: -1, ErrorCode: "ClientNotOnline", ErrorInfo: "the Cloud Assistant agent is not online"}
	down    = CommandResult{Status: "Failed", ExitCode: -1, ErrorCode: "InstanceNotRunning", ErrorInfo: "the instance is Stopped"}
	gone    = CommandResult{Status: "Failed", ExitCode: -1, ErrorCode: "InstanceReleased", ErrorInfo: "the instance has released when create task"}
)

func boot(d, iv time.Duration) *BootSpec {
	return &BootSpec{InstanceID: "i-1", Command: "check", Duration: d, Interval: iv, CommandTimeout: time.Minute}
}

func check(t *testing.T, r *Result, name string) Check {
	t.Helper()
	for _, c := range r.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no check %q in %+v", name, r.Checks)
	return Check{}
}

func TestBootTest(t *testing.T) {
	cases := []struct {
		name              string
		results           []CommandResult
		cmdErr            error
		d, iv             time.Duration
		status            string
		attempts, passes  int
		tth               time.Duration // -1: never healthy
		detail, firstFail string
	}{
		{name: "healthy throughout", results: []CommandResult{ok}, d: 5 * time.Minute, iv: time.Minute,
			status: StatusPassed, attempts: 6, passes: 6, tth: 10 * time.Second, detail: "6 of 6 attempt(s) exited 0 over 5m0s"},
		{name: "single attempt", results: []CommandResult{ok}, iv: time.Minute,
			status: StatusPassed, attempts: 1, passes: 1, tth: 10 * time.Second},
		{name: "start-up failures then healthy", results: []CommandResult{bad, bad, ok}, d: 4 * time.Minute, iv: time.Minute,
			status: StatusPassed, attempts: 5, passes: 3, tth: 2*time.Minute + 10*time.Second,
			detail: "2 start-up failure(s)", firstFail: "attempt 1 at +0s: exit code 7, want 0; output: curl: (7)"},
		{name: "flapping", results: []CommandResult{ok, bad}, d: 10 * time.Minute, iv: time.Minute,
			status: StatusFailed, attempts: 2, passes: 1, tth: 10 * time.Second,
			detail: "healthy and then failed", firstFail: "attempt 2 at +1m0s"},
		{name: "never healthy", results: []CommandResult{bad}, d: 2 * time.Minute, iv: time.Minute,
			status: StatusFailed, attempts: 3, tth: -1, detail: "never healthy on i-1: 3 attempt(s) over 2m0s, none exited 0"},
		{name: "hang", results: []CommandResult{hang}, iv: time.Minute,
			status: StatusFailed, attempts: 1, tth: -1, firstFail: "hung until its timeout (status Timeout); ExecutionTimeout"},
		{name: "instance not running stops at once", results: []CommandResult{down}, d: time.Hour, iv: time.Minute,
			status: StatusFailed, attempts: 1, tth: -1, detail: "stopped after a fatal error", firstFail: "InstanceNotRunning: the instance is Stopped"},
		{name: "instance released stops at once", results: []CommandResult{gone}, d: time.Hour, iv: time.Minute,
			status: StatusFailed, attempts: 1, tth: -1, detail: "stopped after a fatal error", firstFail: "InstanceReleased"},
		{name: "agent not online yet is start-up time", results: []CommandResult{offline, ok}, d: time.Minute, iv: time.Minute,
			status: StatusPassed, attempts: 2, passes: 1, tth: time.Minute + 10*time.Second,
			firstFail: "attempt 1 at +0s: status Error; ClientNotOnline: the Cloud Assistant agent is not online"},
		{name: "api error stops at once", cmdErr: errors.New("ECS RunCommand in cn-beijing: InvalidInstanceId.NotFound"), d: time.Hour, iv: time.Minute,
			status: StatusFailed, attempts: 1, tth: -1, firstFail: "InvalidInstanceId.NotFound"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock()
			f := newFake(clk)
			f.results, f.cmdErr, f.cmdTook = tc.results, tc.cmdErr, 10*time.Second
			r := Run(context.Background(), f, clk, Spec{RunID: "vr-1", BootTest: boot(tc.d, tc.iv)})
			c := check(t, r, CheckBootTest)
			if c.Status != tc.status || r.Status != tc.status {
				t.Fatalf("status %s/%s, want %s: %s", c.Status, r.Status, tc.status, c.Detail)
			}
			b := r.Boot
			if len(b.Attempts) != tc.attempts || b.Passes != tc.passes || b.Failures != tc.attempts-tc.passes {
				t.Fatalf("attempts %d passes %d failures %d, want %d/%d", len(b.Attempts), b.Passes, b.Failures, tc.attempts, tc.passes)
			}
			if tc.tth < 0 {
				if b.Healthy || r.MeasuredRTO != nil {
					t.Fatalf("healthy %v rto %v", b.Healthy, r.MeasuredRTO)
				}
			} else if !b.Healthy || b.TimeToHealthy != tc.tth || *r.MeasuredRTO != tc.tth {
				t.Fatalf("time to healthy %s, want %s", b.TimeToHealthy, tc.tth)
			}
			if !strings.Contains(c.Detail, tc.detail) {
				t.Fatalf("detail %q lacks %q", c.Detail, tc.detail)
			}
			if !strings.Contains(b.FirstFailure, tc.firstFail) {
				t.Fatalf("first failure %q lacks %q", b.FirstFailure, tc.firstFail)
			}
			// Attempts start on the interval grid from the first one.
			for i, a := range b.Attempts {
				if a.At != time.Duration(i)*tc.iv {
					t.Fatalf("attempt %d at %s", i+1, a.At)
				}
			}
		})
	}
}

func TestBootTestStopsAtContextEnd(t *testing.T) {
	clk := newFakeClock()
	f := newFake(clk)
	f.results = []CommandResult{ok}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := Run(ctx, f, clk, Spec{BootTest: boot(time.Hour, time.Minute)})
	if r.Status != StatusFailed || !strings.Contains(r.Boot.Stop, "create timeout") || len(r.Boot.Attempts) != 1 {
		t.Fatalf("%+v %+v", r.Checks, r.Boot)
	}
}

func TestRTOAndTagging(t *testing.T) {
	cases := []struct {
		name     string
		spec     Spec
		results  []CommandResult
		tagErr   error
		status   string
		rto      string // rto check detail fragment, "" for none
		measured time.Duration
		tagCheck string
		tagged   map[string][]string
	}{
		{name: "within target, tags points", results: []CommandResult{bad, ok},
			spec:   Spec{BootTest: boot(time.Minute, time.Minute), HasRestore: true, RestoreDuration: 10 * time.Minute, RTOTarget: 15 * time.Minute, VerifiedPoints: []string{"s-1", "m-1", "s-2"}},
			status: StatusPassed, rto: "measured RTO 11m10s (restore 10m0s + healthy after 1m10s) is within the target 15m0s", measured: 11*time.Minute + 10*time.Second,
			tagCheck: StatusPassed, tagged: map[string][]string{"snapshot": {"s-1", "s-2"}, "image": {"m-1"}}},
		{name: "exceeds target, no tags", results: []CommandResult{ok},
			spec:   Spec{BootTest: boot(0, time.Minute), HasRestore: true, RestoreDuration: 20 * time.Minute, RTOTarget: 15 * time.Minute, VerifiedPoints: []string{"s-1"}},
			status: StatusFailed, rto: "measured RTO 20m10s (restore 20m0s + healthy after 10s) exceeds the target 15m0s by 5m10s", measured: 20*time.Minute + 10*time.Second,
			tagCheck: StatusSkipped, tagged: map[string][]string{}},
		{name: "restore only", spec: Spec{HasRestore: true, RestoreDuration: 5 * time.Minute, RTOTarget: 15 * time.Minute},
			status: StatusPassed, rto: "measured RTO 5m0s (restore 5m0s) is within", measured: 5 * time.Minute},
		{name: "never healthy", results: []CommandResult{bad}, spec: Spec{BootTest: boot(0, time.Minute), RTOTarget: time.Hour},
			status: StatusFailed, rto: "never became healthy during the boot test, so the RTO target 1h0m0s is not met", measured: -1},
		{name: "tagging fails", results: []CommandResult{ok}, tagErr: errors.New("ECS TagResources: Forbidden.RAM"),
			spec:   Spec{BootTest: boot(0, time.Minute), VerifiedPoints: []string{"m-9"}},
			status: StatusFailed, measured: 10 * time.Second, tagCheck: StatusFailed, tagged: map[string][]string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock()
			f := newFake(clk)
			f.results, f.cmdTook, f.tagErr = tc.results, 10*time.Second, tc.tagErr
			tc.spec.RunID = "vr-test"
			r := Run(context.Background(), f, clk, tc.spec)
			if r.Status != tc.status {
				t.Fatalf("status %s: %+v", r.Status, r.Checks)
			}
			if tc.rto != "" {
				if c := check(t, r, CheckRTO); !strings.Contains(c.Detail, tc.rto) {
					t.Fatalf("rto detail %q lacks %q", c.Detail, tc.rto)
				}
			}
			if tc.measured < 0 {
				if r.MeasuredRTO != nil {
					t.Fatalf("measured %s", *r.MeasuredRTO)
				}
			} else if r.MeasuredRTO == nil || *r.MeasuredRTO != tc.measured {
				t.Fatalf("measured %v, want %s", r.MeasuredRTO, tc.measured)
			}
			if tc.tagCheck != "" {
				if c := check(t, r, CheckTagging); c.Status != tc.tagCheck {
					t.Fatalf("tag check %+v", c)
				}
				for typ, ids := range tc.tagged {
					if strings.Join(f.tagged[typ], ",") != strings.Join(ids, ",") {
						t.Fatalf("tagged %v, want %v", f.tagged, tc.tagged)
					}
				}
				if len(tc.tagged) > 0 {
					want := r.FinishedAt.Format(time.RFC3339)
					if f.tags["alidr:verified-at"] != want || f.tags["alidr:verification-run"] != "vr-test" {
						t.Fatalf("tags %v", f.tags)
					}
					if len(r.Tagged) != len(tc.spec.VerifiedPoints) {
						t.Fatalf("result tagged %v", r.Tagged)
					}
				} else if len(r.Tagged) != 0 || len(f.tagged) != 0 {
					t.Fatalf("tagged %v / %v on a failed run", r.Tagged, f.tagged)
				}
			}
		})
	}
}

func TestPointTypeAndRunID(t *testing.T) {
	for id, want := range map[string]string{"s-2ze1": "snapshot", "m-bp1": "image", "i-1": "", "s-": ""} {
		got, err := PointType(id)
		if got != want || (want == "") != (err != nil) {
			t.Fatalf("%s: %q %v", id, got, err)
		}
	}
	id := NewRunID(time.Date(2026, 11, 24, 10, 45, 0, 0, time.UTC))
	if !strings.HasPrefix(id, "vr-20261124T104500Z-") || len(id) != len("vr-20261124T104500Z-")+6 {
		t.Fatal(id)
	}
	if SampleCount(6, 50) != 3 || SampleCount(6, 1) != 1 || SampleCount(3, 100) != 3 || SampleCount(0, 50) != 0 {
		t.Fatal("sample count")
	}
}

func TestRunLogsProgress(t *testing.T) {
	clk := newFakeClock()
	f := newFake(clk)
	f.results, f.cmdTook = []CommandResult{bad, ok}, time.Second
	var msgs []string
	r := Run(context.Background(), f, clk, Spec{BootTest: boot(2*time.Minute, time.Minute), Log: func(msg string, fields map[string]any) {
		msgs = append(msgs, fmt.Sprintf("%s %v/%v", msg, fields["attempt"], fields["check"]))
	}})
	want := "boot test attempt 1/<nil>|boot test attempt 2/<nil>|boot test attempt 3/<nil>|verification check passed <nil>/boot_test"
	if got := strings.Join(msgs, "|"); got != want || r.Status != StatusPassed {
		t.Fatalf("logged %q, want %q", got, want)
	}
}
