package transfer

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// Options tune a transfer. The zero value gives the documented defaults.
type Options struct {
	// Workers is the number of parallel part transfers (default 8).
	Workers int
	// PartSize in bytes; 0 picks >= 8 MiB keeping <= 10,000 parts.
	PartSize int64
	// MaxAttempts per part, including the first (default 5).
	MaxAttempts int
	// BaseBackoff is the first retry delay (default 200ms); delays double per
	// attempt with jitter, capped at MaxBackoff (default 60s).
	BaseBackoff time.Duration
	MaxBackoff  time.Duration
	// Sleep waits between retries; tests inject one that does not wait.
	// Nil means a timer that honours ctx.
	Sleep func(ctx context.Context, d time.Duration) error

	// MD5 and SHA256 request whole-object digests computed in order while
	// parts arrive, each on its own goroutine.
	MD5    bool
	SHA256 bool
	// PartSHA256 adds a SHA-256 per part to the manifest and journal (for
	// VerifySample); it costs a second SHA-256 pass in the workers.
	PartSHA256 bool

	// Expected, when set, is checked part by part as data arrives (same part
	// size required); a mismatching part is re-fetched at once.
	Expected *Manifest

	// JournalPath overrides destPath+".alidr-journal"; NoResume disables the
	// journal entirely.
	JournalPath string
	NoResume    bool
	// CommitInterval is how often finished parts are journaled (default
	// 5s, the cadence of ext4's own journal commits): one fdatasync covers
	// every part written since the last commit, then their records are
	// appended, so a record is never ahead of its data. It runs beside the
	// transfer, which never waits for the disk; a crash re-fetches the
	// parts in flight and those finished since the last commit. A resume
	// also re-checks every journaled part's CRC64 from disk before
	// trusting it.
	CommitInterval time.Duration
	// Durable also waits, before the rename and return, until the whole
	// file is on disk, like a database commit; without it a finished
	// download is as durable as any written file (cp, the SDK) and takes
	// no longer than the network. Its cost is the disk's write time.
	Durable bool
	// NoSync never calls fsync (tmpfs, tests). Records then follow the
	// write, which a killed process cannot undo (the page cache survives
	// it); after a power loss the CRC re-check on resume catches a record
	// ahead of its data.
	NoSync bool

	// Progress is called every ProgressInterval (default 1s) and at the end.
	Progress         func(Progress)
	ProgressInterval time.Duration

	// partHook, if set, runs before each network fetch of a part (tests).
	partHook func(Part)
}

// Progress is a snapshot passed to Options.Progress.
type Progress struct {
	Done  int64         // bytes present (resumed + fetched)
	Total int64         // object size
	Rate  float64       // bytes/s fetched in this run
	ETA   time.Duration // at the current rate; 0 when unknown
}

func (o Options) withDefaults() Options {
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.CommitInterval <= 0 {
		o.CommitInterval = 5 * time.Second
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 5
	}
	if o.BaseBackoff <= 0 {
		o.BaseBackoff = 200 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 60 * time.Second
	}
	if o.Sleep == nil {
		o.Sleep = SleepContext
	}
	if o.ProgressInterval <= 0 {
		o.ProgressInterval = time.Second
	}
	return o
}

// SleepContext sleeps for d unless ctx ends first: the one such sleep of
// the provider (cloud and verify use it too).
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

// backoff is the delay before retry number attempt (1-based): exponential,
// capped, with the upper half jittered so parallel parts do not retry in step.
func (o Options) backoff(attempt int) time.Duration {
	d := o.BaseBackoff
	for i := 1; i < attempt && d < o.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, o.MaxBackoff)
	return d/2 + rand.N(d/2+1) //nolint:gosec // jitter, not a secret
}

// ErrObjectChanged means the object was replaced during the transfer
// (HTTP 412 on the If-Match pinned ETag, or a new identity).
var ErrObjectChanged = errors.New("object changed during transfer")

// ObjectError names the object a fatal error is about.
type ObjectError struct {
	Bucket, Key string
	Op          string
	Err         error
}

func (e *ObjectError) Error() string {
	return fmt.Sprintf("%s oss://%s/%s: %v", e.Op, e.Bucket, e.Key, e.Err)
}

func (e *ObjectError) Unwrap() error { return e.Err }

// isFatal reports errors that retrying cannot fix: access denied, missing
// object or bucket, a changed object, a bad request.
func isFatal(err error) bool {
	var le *localError
	if errors.Is(err, ErrObjectChanged) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &le) {
		return true
	}
	var se oss.ServiceError
	if errors.As(err, &se) {
		switch se.StatusCode {
		case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound,
			http.StatusMethodNotAllowed, http.StatusPreconditionFailed, http.StatusRequestedRangeNotSatisfiable:
			return true
		}
		return false
	}
	// Network errors, short bodies and unexpected range answers are transient.
	return false
}

// wrapServiceError maps 412 to ErrObjectChanged while keeping the detail.
func wrapServiceError(err error) error {
	var se oss.ServiceError
	if errors.As(err, &se) && se.StatusCode == http.StatusPreconditionFailed {
		return fmt.Errorf("%w (ETag no longer matches): %w", ErrObjectChanged, err)
	}
	return err
}

// startProgress calls opts.Progress every ProgressInterval and once when
// the returned stop function runs. done counts bytes present, moved the
// bytes transferred in this run (for the rate).
func startProgress(opts Options, total int64, done, moved *atomic.Int64) func() {
	if opts.Progress == nil {
		return func() {}
	}
	start := time.Now()
	report := func() {
		el := time.Since(start).Seconds()
		pr := Progress{Done: min(done.Load(), total), Total: total}
		if el > 0 {
			pr.Rate = float64(moved.Load()) / el
		}
		if pr.Rate > 0 {
			pr.ETA = time.Duration(float64(pr.Total-pr.Done) / pr.Rate * float64(time.Second))
		}
		opts.Progress(pr)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(opts.ProgressInterval)
		defer t.Stop()
		for {
			select {
			case <-stop:
				report()
				return
			case <-t.C:
				report()
			}
		}
	}()
	return func() { close(stop); wg.Wait() }
}
