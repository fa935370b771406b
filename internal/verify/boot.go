package verify

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Attempt is one run of the boot-test command.
type Attempt struct {
	N int `json:"n"`
	// At is the attempt's start, relative to the boot test's start.
	At       time.Duration `json:"-"`
	Took     time.Duration `json:"-"`
	Healthy  bool          `json:"healthy"`
	Status   string        `json:"status"`
	ExitCode int           `json:"exit_code"`
	// Error is the API or invocation error, if any.
	Error  string `json:"error,omitempty"`
	Output string `json:"output,omitempty"` // decoded tail
	// Fatal ends the test: retrying cannot help (e.g. instance not running).
	Fatal bool `json:"-"`
}

// BootResult summarises the boot test.
type BootResult struct {
	InstanceID string
	Attempts   []Attempt
	Passes     int
	Failures   int
	// Healthy is true once an attempt was healthy.
	Healthy bool
	// TimeToHealthy is from the first attempt's start to the first healthy
	// result's end; valid when Healthy.
	TimeToHealthy time.Duration
	// FirstFailure describes the first unhealthy attempt.
	FirstFailure string
	// OutputTail is the decoded output of the last attempt.
	OutputTail string
	// Stop says why the loop ended early, if it did.
	Stop string
}

// fatalErrorCodes are invocation errors no retry fixes during a drill: the
// instance is not running, does not exist or was released during the run
// (DescribeInvocationResults ErrorCode values InstanceNotRunning,
// InstanceNotExists, InstanceReleased). A Cloud Assistant agent not online
// yet (ClientNotOnline, ...) is not one: on a freshly restored instance
// that is start-up time.
var fatalErrorCodes = map[string]bool{
	"InstanceNotRunning": true,
	"InstanceNotExists":  true,
	"InstanceReleased":   true,
}

// runBoot runs the command at start, start+interval, ... while the next
// start is within duration. A failure before the first healthy result is
// start-up time; a failure after it (flapping) or a fatal error ends the
// test as failed. It passes when the service became healthy and stayed so.
func runBoot(ctx context.Context, b Backend, clk Clock, region string, s BootSpec, log func(string, map[string]any)) (Check, *BootResult) {
	res := &BootResult{InstanceID: s.InstanceID}
	start := clk.Now()
	for n := 0; ; n++ {
		at := start
		if n > 0 {
			at = clk.Now()
		}
		cr, err := b.RunCommand(ctx, region, CommandRequest{
			InstanceID: s.InstanceID, Command: s.Command, CommandType: s.CommandType, Timeout: s.CommandTimeout,
		})
		end := clk.Now()
		a := Attempt{N: n + 1, At: at.Sub(start), Took: end.Sub(at)}
		if err != nil {
			a.Status, a.ExitCode, a.Error, a.Fatal = "Error", -1, err.Error(), true
			if ctx.Err() != nil {
				a.Error = fmt.Sprintf("stopped by the create timeout: %v", err)
			}
		} else {
			a.Status, a.ExitCode, a.Output = cr.Status, cr.ExitCode, tail(cr.Output, OutputTailBytes)
			a.Healthy = (cr.Status == "Success" || cr.Status == "Failed") && cr.ExitCode == s.ExpectExitCode
			if !a.Healthy {
				a.Error = describeInvocation(cr, s.ExpectExitCode)
				a.Fatal = fatalErrorCodes[cr.ErrorCode]
			}
		}
		res.Attempts = append(res.Attempts, a)
		log("boot test attempt", map[string]any{"instance_id": s.InstanceID, "attempt": a.N, "at": FormatDuration(a.At),
			"healthy": a.Healthy, "status": a.Status, "exit_code": a.ExitCode, "error": a.Error})
		res.OutputTail = a.Output
		if a.Healthy {
			res.Passes++
			if !res.Healthy {
				res.Healthy, res.TimeToHealthy = true, end.Sub(start)
			}
		} else {
			res.Failures++
			if res.FirstFailure == "" {
				res.FirstFailure = fmt.Sprintf("attempt %d at +%s: %s", a.N, FormatDuration(a.At), a.Error)
				if out := strings.TrimSpace(tail(a.Output, 512)); out != "" {
					res.FirstFailure += "; output: " + out
				}
			}
			switch {
			case a.Fatal:
				res.Stop = "stopped after a fatal error"
			case res.Healthy:
				res.Stop = "stopped: the service was healthy and then failed"
			}
			if res.Stop != "" {
				break
			}
		}
		next := start.Add(time.Duration(n+1) * s.Interval)
		if s.Interval <= 0 || next.After(start.Add(s.Duration)) {
			break
		}
		if err := clk.Sleep(ctx, next.Sub(clk.Now())); err != nil {
			res.Stop = "stopped by the create timeout before the duration ended"
			res.Failures++
			if res.FirstFailure == "" {
				res.FirstFailure = res.Stop
			}
			break
		}
	}
	return bootCheck(s, res), res
}

func describeInvocation(cr CommandResult, want int) string {
	var parts []string
	switch cr.Status {
	case "Success", "Failed":
		parts = append(parts, fmt.Sprintf("exit code %d, want %d", cr.ExitCode, want))
	case "Timeout":
		parts = append(parts, "the command hung until its timeout (status Timeout)")
	default:
		parts = append(parts, "status "+cr.Status)
	}
	if cr.ErrorCode != "" && cr.ErrorCode != "ExitCodeNonzero" {
		info := cr.ErrorCode
		if cr.ErrorInfo != "" {
			info += ": " + cr.ErrorInfo
		}
		parts = append(parts, info)
	}
	return strings.Join(parts, "; ")
}

func bootCheck(s BootSpec, r *BootResult) Check {
	n := len(r.Attempts)
	over := ""
	if s.Duration > 0 {
		over = " over " + FormatDuration(s.Duration)
	}
	c := Check{Name: CheckBootTest}
	switch {
	case r.Stop != "" && r.Healthy:
		c.Status = StatusFailed
		c.Detail = fmt.Sprintf("%s on %s (first healthy after %s): %d of %d attempt(s) healthy; first failure: %s",
			r.Stop, s.InstanceID, FormatDuration(r.TimeToHealthy), r.Passes, n, r.FirstFailure)
	case !r.Healthy:
		c.Status = StatusFailed
		c.Detail = fmt.Sprintf("never healthy on %s: %d attempt(s)%s, none exited %d; first failure: %s",
			s.InstanceID, n, over, s.ExpectExitCode, r.FirstFailure)
		if r.Stop != "" {
			c.Detail += " (" + r.Stop + ")"
		}
	default:
		c.Status = StatusPassed
		c.Detail = fmt.Sprintf("healthy on %s after %s and stayed healthy: %d of %d attempt(s) exited %d%s",
			s.InstanceID, FormatDuration(r.TimeToHealthy), r.Passes, n, s.ExpectExitCode, over)
		if r.Failures > 0 {
			c.Detail += fmt.Sprintf(" (%d start-up failure(s) before; first: %s)", r.Failures, r.FirstFailure)
		}
	}
	return c
}
