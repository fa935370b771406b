package cloud

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/alidr/terraform-provider-alidr/internal/transfer"
)

// StateWait waits for a cloud object to reach a target state: the shape of
// terraform-provider-aws's retry.StateChangeConf (pending, target and failure
// states, a not-found allowance for eventual consistency, typed errors). That
// helper polls on a fixed backoff; this one also schedules its polls from the
// progress the API reports (images, snapshots, tasks give a percentage), so a
// 20 s copy is noticed about when it ends rather than up to a backoff step
// late, with fewer Describe calls.
type StateWait struct {
	// What names the wait in logs and errors: "image m-1 in cn-beijing".
	What string
	// Pending states keep the wait going. When empty, every state that is
	// neither a target nor a failure is pending.
	Pending []string
	// Target states end the wait successfully.
	Target []string
	// Failure states end the wait with an *UnexpectedStateError; Hint says
	// what the user can do about it.
	Failure []string
	Hint    string
	// TargetGone makes "not found" the target (a delete).
	TargetGone bool
	// NotFoundChecks is how many NotFound answers in a row are tolerated
	// before the object was first seen (a just-created object may be
	// invisible for a moment).
	NotFoundChecks int
	Timeout        time.Duration
	// Poll sets the pauses between looks.
	Poll WaitOptions
	// Refresh looks at the object once: its state, its progress in percent
	// (-1 when the API gives none) and an error; a NotFound error (IsNotFound)
	// means the object is not visible.
	Refresh func(ctx context.Context) (state string, progress int, err error)
	// Now is the clock, a seam for tests (default time.Now).
	Now func() time.Time
}

// WaitOptions sets a wait's pauses; zero values get defaults.
type WaitOptions struct {
	// Interval is the first pause (default 2s); pauses grow by half up to
	// MaxInterval (default 20s) while no progress is reported.
	Interval, MaxInterval time.Duration
	// Sleep waits for d or until ctx ends; tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// TimeoutError is returned when the wait's Timeout ends first.
type TimeoutError struct {
	What, LastState string
	LastProgress    int
	Timeout         time.Duration
}

func (e *TimeoutError) Error() string {
	state := e.LastState
	if e.LastProgress >= 0 && state != "" {
		state = fmt.Sprintf("%s %d%%", state, e.LastProgress)
	}
	return fmt.Sprintf("timed out after %s waiting for %s (last state %q): raise the timeout in the resource's timeouts block if the operation is just slow",
		e.Timeout, e.What, state)
}

// IsTimeout reports whether err is a wait's *TimeoutError.
func IsTimeout(err error) bool {
	var te *TimeoutError
	return errors.As(err, &te)
}

// UnexpectedStateError is returned for a failure state or a state that is
// neither pending nor target.
type UnexpectedStateError struct {
	What, State, Hint string
	Expected          []string
}

func (e *UnexpectedStateError) Error() string {
	msg := fmt.Sprintf("%s ended in state %s (expected %v)", e.What, e.State, e.Expected)
	if e.Hint != "" {
		msg += ": " + e.Hint
	}
	return msg
}

// minProgressPause is the shortest pause after a poll that found the object
// just short of its predicted end.
const minProgressPause = 200 * time.Millisecond

// Run polls until a target state, a failure, the timeout or the end of ctx.
// Progress is logged at INFO whenever it changes.
func (w StateWait) Run(ctx context.Context) error {
	now, sleep := w.Now, w.Poll.Sleep
	if now == nil {
		now = time.Now
	}
	if sleep == nil {
		sleep = transfer.SleepContext
	}
	interval := w.Poll.Interval
	if interval <= 0 {
		interval = 2 * time.Second
	}
	maxInterval := w.Poll.MaxInterval
	if maxInterval <= 0 {
		maxInterval = 20 * time.Second
	}
	start := now()
	deadline := start.Add(w.Timeout)
	var (
		seen              bool
		misses            int
		lastState, logged string
		lastProgress      = -1
		firstAt           time.Time
		firstProgress     = -1
	)
	// The caller's deadline (a resource's timeouts block) ending the wait is
	// a timeout like our own; a cancellation stays a cancellation.
	timedOut := func(ctx context.Context, err error) error {
		if ctx.Err() == context.DeadlineExceeded {
			return &TimeoutError{What: w.What, LastState: lastState, LastProgress: lastProgress, Timeout: w.Timeout}
		}
		if err == nil {
			err = ctx.Err()
		}
		return err
	}
	for {
		state, progress, err := w.Refresh(ctx)
		at := now()
		switch {
		case IsNotFound(err) && w.TargetGone:
			return nil
		case IsNotFound(err) && !seen && misses < w.NotFoundChecks:
			misses++
			state, progress = "not visible yet", -1
		case err != nil:
			return timedOut(ctx, err)
		default:
			seen = true
			if slices.Contains(w.Target, state) {
				tflog.Info(ctx, w.What+": done", map[string]any{"state": state, "elapsed": at.Sub(start).Round(time.Second).String()})
				return nil
			}
			if slices.Contains(w.Failure, state) || (len(w.Pending) > 0 && !slices.Contains(w.Pending, state)) {
				return &UnexpectedStateError{What: w.What, State: state, Hint: w.Hint, Expected: w.Target}
			}
		}
		lastState, lastProgress = state, progress
		if line := fmt.Sprintf("%s %d", state, progress); line != logged {
			fields := map[string]any{"state": state, "elapsed": at.Sub(start).Round(time.Second).String()}
			if progress >= 0 {
				fields["progress"] = fmt.Sprintf("%d%%", progress)
			}
			tflog.Info(ctx, w.What+": in progress", fields)
			logged = line
		}

		pause := interval
		interval = min(interval*3/2, maxInterval)
		if progress >= 0 && firstProgress < 0 {
			firstAt, firstProgress = at, progress
		} else if progress > firstProgress && firstProgress >= 0 && progress < 100 {
			// Linear extrapolation from the first progress seen: poll
			// again when the object should be done.
			rate := float64(progress-firstProgress) / float64(at.Sub(firstAt))
			remaining := time.Duration(float64(100-progress) / rate)
			pause = min(max(remaining+remaining/50, minProgressPause), maxInterval)
		}
		if left := deadline.Sub(at); left <= 0 {
			return &TimeoutError{What: w.What, LastState: lastState, LastProgress: lastProgress, Timeout: w.Timeout}
		} else if pause > left {
			pause = left
		}
		if err := sleep(ctx, pause); err != nil || ctx.Err() != nil {
			return timedOut(ctx, err)
		}
	}
}

// wait runs w on the client's clock seams (Client.WaitNow, WaitSleep) where
// w sets none: tests run the client's waits on an emulator's manual clock.
func (c *Client) wait(ctx context.Context, w StateWait) error {
	if w.Now == nil {
		w.Now = c.WaitNow
	}
	if w.Poll.Sleep == nil {
		w.Poll.Sleep = c.WaitSleep
	}
	return w.Run(ctx)
}
