package emulator

import (
	"sync"
	"time"
)

// Clock is the emulator's notion of time. Async state transitions and
// snapshot schedules are computed from it, so tests move time instead of
// sleeping.
type Clock interface {
	Now() time.Time
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now().UTC() }

// ManualClock only moves when told to.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock starts a manual clock at t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{now: t.UTC()} }

// Now returns the current manual time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Set moves the clock to t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t.UTC()
	c.mu.Unlock()
}

// now is the server's time: the clock plus any injected clock skew. Every
// timestamp the emulator hands out or checks goes through it.
func (s *Server) now() time.Time { return s.clock.Now().Add(s.skew()) }

// requestNow is the time request timestamps (OSS Date / x-oss-date, presigned
// expiry) are checked against: the wall clock plus the injected skew. Clients
// sign with the wall clock, so a ManualClock moved by months must not make
// every request "too skewed"; only the skew fault shifts this view.
func (s *Server) requestNow() time.Time { return time.Now().UTC().Add(s.skew()) }
