package cloud

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Poll is one look at a resource during a wait: done when the target state
// is reached, progress for the log (e.g. "42%"), an error to stop waiting.
type Poll func(ctx context.Context) (done bool, progress string, err error)

// WaitOptions tunes Wait; zero values get defaults.
type WaitOptions struct {
	Interval    time.Duration // first poll interval (default 2s)
	MaxInterval time.Duration // polls slow down to this (default 20s)
	Sleep       func(ctx context.Context, d time.Duration) error
}

// Wait polls until done, an error, or timeout. It logs progress at INFO so a
// long copy or restore shows life in `terraform apply`.
func Wait(ctx context.Context, what string, timeout time.Duration, opts WaitOptions, poll Poll) error {
	if opts.Interval <= 0 {
		opts.Interval = 2 * time.Second
	}
	if opts.MaxInterval <= 0 {
		opts.MaxInterval = 20 * time.Second
	}
	if opts.Sleep == nil {
		opts.Sleep = SleepContext
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	interval := opts.Interval
	last := ""
	for {
		done, progress, err := poll(ctx)
		if err != nil {
			return err
		}
		if done {
			tflog.Info(ctx, what+": done", map[string]any{"elapsed": time.Since(start).Round(time.Second).String()})
			return nil
		}
		if progress != last {
			tflog.Info(ctx, what+": in progress", map[string]any{"progress": progress, "elapsed": time.Since(start).Round(time.Second).String()})
			last = progress
		}
		if err := opts.Sleep(ctx, interval); err != nil {
			if ctx.Err() == context.DeadlineExceeded {
				return fmt.Errorf("timed out after %s waiting for %s (last progress %q): raise the timeout in the resource's timeouts block if the operation is just slow", timeout, what, last)
			}
			return err
		}
		interval = min(interval*3/2, opts.MaxInterval)
	}
}
