package cloud

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Backoff is an exponential backoff with full jitter.
type Backoff struct {
	Base     time.Duration // first delay (before jitter)
	Max      time.Duration // cap of a single delay
	Attempts int           // total attempts including the first
	// Sleep waits for d or until ctx ends; tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultBackoff suits API calls: 1s, 2s, 4s ... capped at 30s.
func DefaultBackoff(attempts int) Backoff {
	return Backoff{Base: time.Second, Max: 30 * time.Second, Attempts: attempts, Sleep: SleepContext}
}

// Delay returns the jittered delay before attempt n (n >= 1 is the first retry).
func (b Backoff) Delay(n int) time.Duration {
	d := b.Base << min(n-1, 20)
	if d <= 0 || d > b.Max {
		d = b.Max
	}
	// Full jitter spreads retries of many clients hitting the same limit.
	return d/2 + rand.N(d/2+1)
}

// SleepContext sleeps for d unless ctx ends first.
func SleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Retry calls fn until it succeeds, returns an error retryable says no to,
// runs out of attempts or ctx ends. It returns fn's last error.
func (b Backoff) Retry(ctx context.Context, what string, retryable func(error) bool, fn func() error) error {
	sleep := b.Sleep
	if sleep == nil {
		sleep = SleepContext
	}
	attempts := max(b.Attempts, 1)
	var err error
	for n := 1; ; n++ {
		if err = fn(); err == nil || !retryable(err) || n >= attempts {
			return err
		}
		d := b.Delay(n)
		tflog.Debug(ctx, "retrying after a transient error", map[string]any{
			"call": what, "attempt": n, "of": attempts, "delay": d.String(), "error": err.Error(),
		})
		if serr := sleep(ctx, d); serr != nil {
			return err
		}
	}
}
