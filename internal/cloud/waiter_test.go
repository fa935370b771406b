package cloud

import (
	"context"
	"errors"
	"testing"
	"time"
)

// fakeClock is a wait's clock and sleeper: sleeping moves it on.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }
func (c *fakeClock) sleep(_ context.Context, d time.Duration) error {
	c.t = c.t.Add(d)
	return nil
}

// linearOp is an operation that takes d and reports integer percent progress,
// as ECS does for images and snapshots.
func linearOp(c *fakeClock, d time.Duration, withProgress bool) (refresh func(context.Context) (string, int, error), calls *int) {
	start := c.t
	n := 0
	return func(context.Context) (string, int, error) {
		n++
		el := c.t.Sub(start)
		if el >= d {
			return "Available", 100, nil
		}
		if !withProgress {
			return "Creating", -1, nil
		}
		return "Creating", int(100 * el / d), nil
	}, &n
}

func TestStateWaitFollowsProgress(t *testing.T) {
	for _, op := range []time.Duration{7 * time.Second, 20 * time.Second, 21 * time.Second, 95 * time.Second} {
		clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
		refresh, calls := linearOp(clock, op, true)
		start := clock.t
		err := StateWait{What: "image", Target: []string{"Available"}, Timeout: time.Hour,
			Refresh: refresh, Now: clock.now, Poll: WaitOptions{Sleep: clock.sleep}}.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		took := clock.t.Sub(start)
		if lag := took - op; lag < 0 || lag > op/10 {
			t.Errorf("%s operation: wait ended after %s (lag %s, more than 10%%) with %d calls", op, took, lag, *calls)
		}

		// The same operation without progress pays the backoff's lag, and
		// progress never costs more calls.
		clock2 := &fakeClock{t: start}
		plain, plainCalls := linearOp(clock2, op, false)
		if err := (StateWait{What: "image", Target: []string{"Available"}, Timeout: time.Hour,
			Refresh: plain, Now: clock2.now, Poll: WaitOptions{Sleep: clock2.sleep}}).Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if *calls > *plainCalls {
			t.Errorf("%s operation: %d calls following progress, %d without", op, *calls, *plainCalls)
		}
		t.Logf("%s operation: progress %s in %d calls; backoff alone %s in %d calls", op, took, *calls, clock2.t.Sub(start), *plainCalls)
	}
}

func TestStateWaitFailureAndUnexpectedStates(t *testing.T) {
	clock := &fakeClock{t: time.Unix(0, 0)}
	states := []string{"Creating", "CreateFailed"}
	i := 0
	err := StateWait{What: "image m-1", Target: []string{"Available"}, Failure: []string{"CreateFailed"}, Hint: "check the snapshot",
		Timeout: time.Hour, Now: clock.now, Poll: WaitOptions{Sleep: clock.sleep},
		Refresh: func(context.Context) (string, int, error) { s := states[i]; i++; return s, -1, nil }}.Run(context.Background())
	var ue *UnexpectedStateError
	if !errors.As(err, &ue) || ue.State != "CreateFailed" || ue.Hint != "check the snapshot" {
		t.Fatalf("want an UnexpectedStateError for CreateFailed, got %v", err)
	}

	err = StateWait{What: "instance", Pending: []string{"Pending", "Starting"}, Target: []string{"Running"}, Timeout: time.Hour,
		Now: clock.now, Poll: WaitOptions{Sleep: clock.sleep},
		Refresh: func(context.Context) (string, int, error) { return "Stopped", -1, nil }}.Run(context.Background())
	if !errors.As(err, &ue) || ue.State != "Stopped" {
		t.Fatalf("a state outside Pending must end the wait, got %v", err)
	}
}

func TestStateWaitTimeoutIsTyped(t *testing.T) {
	clock := &fakeClock{t: time.Unix(0, 0)}
	err := StateWait{What: "task t-1", Target: []string{"Finished"}, Timeout: time.Minute, Now: clock.now, Poll: WaitOptions{Sleep: clock.sleep},
		Refresh: func(context.Context) (string, int, error) { return "Processing", 40, nil }}.Run(context.Background())
	var te *TimeoutError
	if !errors.As(err, &te) || !IsTimeout(err) || te.LastState != "Processing" || te.LastProgress != 40 {
		t.Fatalf("want a TimeoutError naming the last state, got %v", err)
	}
	if got := clock.t.Sub(time.Unix(0, 0)); got != time.Minute {
		t.Errorf("the last poll should come at the deadline, came at %s", got)
	}
	if IsTimeout(errors.New("timed out waiting")) {
		t.Error("IsTimeout must not match on text")
	}
}

func TestStateWaitNotFound(t *testing.T) {
	clock := &fakeClock{t: time.Unix(0, 0)}
	gone := &NotFoundError{Kind: "image", ID: "m-1"}
	answers := []error{gone, gone, nil}
	i := 0
	refresh := func(context.Context) (string, int, error) {
		err := answers[min(i, len(answers)-1)]
		i++
		return "Available", 100, err
	}
	if err := (StateWait{What: "image", Target: []string{"Available"}, NotFoundChecks: 2, Timeout: time.Hour,
		Now: clock.now, Poll: WaitOptions{Sleep: clock.sleep}, Refresh: refresh}).Run(context.Background()); err != nil {
		t.Fatalf("two misses are allowed before the object is seen: %v", err)
	}

	i = 0
	err := StateWait{What: "image", Target: []string{"Available"}, NotFoundChecks: 1, Timeout: time.Hour,
		Now: clock.now, Poll: WaitOptions{Sleep: clock.sleep}, Refresh: refresh}.Run(context.Background())
	if !IsNotFound(err) {
		t.Fatalf("a third miss exceeds the allowance: want NotFound, got %v", err)
	}

	// Once seen, vanishing is an error at once.
	seq := []error{nil, gone}
	i = 0
	err = StateWait{What: "image", Target: []string{"Available"}, NotFoundChecks: 5, Timeout: time.Hour,
		Now: clock.now, Poll: WaitOptions{Sleep: clock.sleep},
		Refresh: func(context.Context) (string, int, error) { e := seq[i]; i++; return "Creating", 10, e }}.Run(context.Background())
	if !IsNotFound(err) {
		t.Fatalf("an object that vanished after it was seen: want NotFound, got %v", err)
	}

	// For a delete, not found is the target.
	if err := (StateWait{What: "image", TargetGone: true, Timeout: time.Hour, Now: clock.now, Poll: WaitOptions{Sleep: clock.sleep},
		Refresh: func(context.Context) (string, int, error) { return "", 0, gone }}).Run(context.Background()); err != nil {
		t.Fatalf("delete wait: %v", err)
	}
}

func TestStateWaitStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	clock := &fakeClock{t: time.Unix(0, 0)}
	err := StateWait{What: "image", Target: []string{"Available"}, Timeout: time.Hour, Now: clock.now,
		Poll:    WaitOptions{Sleep: func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() }},
		Refresh: func(context.Context) (string, int, error) { return "Creating", 1, nil }}.Run(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}

// The caller's deadline (a resource's timeouts block) ending the wait is a
// timeout too, whichever of the two deadlines fires first.
func TestStateWaitCallerDeadlineIsTimeout(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := StateWait{What: "copy", Target: []string{"Available"}, Timeout: time.Hour, Poll: WaitOptions{Interval: time.Millisecond},
		Refresh: func(context.Context) (string, int, error) { return "Creating", 5, nil }}.Run(ctx)
	if !IsTimeout(err) {
		t.Fatalf("want a TimeoutError, got %v", err)
	}
}
