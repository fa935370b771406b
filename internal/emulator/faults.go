package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FaultKind names what an injected fault does to a matching request.
type FaultKind string

const (
	// FaultThrottling answers as the service does when throttling: ECS 400
	// Throttling.User (JSON), OSS 503 TotalQpsLimitExceeded (XML).
	FaultThrottling FaultKind = "throttling"
	// Fault5xx answers with a server error: ECS 503 ServiceUnavailable,
	// OSS 500 InternalError.
	Fault5xx FaultKind = "5xx"
	// FaultLatency delays the request by Duration, then serves it normally.
	FaultLatency FaultKind = "latency"
	// FaultDrop closes the connection without any response. Go's HTTP
	// transport silently retries an idempotent request (GET, HEAD) once when
	// a reused connection drops before any response byte, as it would on a
	// real network; use Count > 1 (or 0) to make the client see the error.
	FaultDrop FaultKind = "drop"
	// FaultTruncate sends the headers (with the full Content-Length) and
	// half of the body, then closes the connection.
	FaultTruncate FaultKind = "truncate"
	// FaultCorrupt flips one byte of the body and keeps the headers, so a
	// client's CRC64/MD5 check catches it. Uploads (PutObject, UploadPart)
	// get their request body corrupted on the way in, everything else its
	// response body on the way out.
	FaultCorrupt FaultKind = "corrupt"
	// FaultClockSkew shifts the server's clock by Duration as soon as it is
	// injected (Rate, Count and matching do not apply): signature time
	// checks reject clients and Date headers show the skew. Clearing the
	// faults removes the skew.
	FaultClockSkew FaultKind = "clock_skew"
	// FaultTokenBusy answers an ECS or EBS request as the service answers a
	// ClientToken whose first request is still being handled: 403
	// LastTokenProcessing, "The last token request is processing." (the
	// error code tables of the ECS API reference, e.g. CreateDisk). ECS/EBS
	// only.
	FaultTokenBusy FaultKind = "token_busy"
)

var faultKinds = map[FaultKind]bool{FaultThrottling: true, Fault5xx: true, FaultLatency: true,
	FaultDrop: true, FaultTruncate: true, FaultCorrupt: true, FaultClockSkew: true, FaultTokenBusy: true}

// Fault is one injection rule. Matching requests draw from a math/rand
// source seeded with Seed, so the same seed and request sequence always
// produce the same faults.
type Fault struct {
	// ID is assigned by InjectFault.
	ID string `json:"id,omitempty"`
	// Service is "ecs", "oss" or "*"/"" for both.
	Service string `json:"service"`
	// Action is an ECS Action ("DescribeImages"), an OSS operation
	// ("GetObject", "UploadPart", ...) or "*"/"" for all.
	Action string `json:"action"`
	// Path, when set, limits the rule to URL paths with this prefix, e.g.
	// "/bucket/key" for one OSS object.
	Path string    `json:"path,omitempty"`
	Kind FaultKind `json:"kind"`
	// Rate is the probability (0..1] that a matching request is hit; 0
	// means 1 (always).
	Rate float64 `json:"rate"`
	// Count caps how many times the rule fires; 0 means unlimited.
	Count int `json:"count"`
	// Seed seeds the rule's random source.
	Seed int64 `json:"seed"`
	// Duration is the delay (latency) or the skew (clock_skew). In JSON a
	// Go duration string such as "250ms" or "-20m".
	Duration time.Duration `json:"-"`
	// Fired is how many times the rule has fired (read-only).
	Fired int `json:"fired"`
}

// MarshalJSON writes Duration as a Go duration string.
func (f Fault) MarshalJSON() ([]byte, error) {
	type plain Fault
	v := struct {
		plain
		Duration string `json:"duration,omitempty"`
	}{plain: plain(f)}
	if f.Duration != 0 {
		v.Duration = f.Duration.String()
	}
	return json.Marshal(v)
}

// UnmarshalJSON reads Duration as a Go duration string.
func (f *Fault) UnmarshalJSON(b []byte) error {
	type plain Fault
	var v struct {
		plain
		Duration string `json:"duration"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = Fault(v.plain)
	if v.Duration != "" {
		d, err := time.ParseDuration(v.Duration)
		if err != nil {
			return fmt.Errorf("duration: %w", err)
		}
		f.Duration = d
	}
	return nil
}

func (f Fault) validate() error {
	if !faultKinds[f.Kind] {
		return fmt.Errorf("unknown fault kind %q", f.Kind)
	}
	switch strings.ToLower(f.Service) {
	case "", "*", "ecs", "oss":
	default:
		return fmt.Errorf("service must be ecs, oss or *, not %q", f.Service)
	}
	if f.Kind == FaultTokenBusy && strings.ToLower(f.Service) != "ecs" {
		return fmt.Errorf("%s applies to service ecs only (OSS has no ClientToken)", f.Kind)
	}
	if f.Rate < 0 || f.Rate > 1 {
		return fmt.Errorf("rate must be within 0..1")
	}
	if f.Count < 0 {
		return fmt.Errorf("count must not be negative")
	}
	if (f.Kind == FaultLatency && f.Duration <= 0) || (f.Kind == FaultClockSkew && f.Duration == 0) {
		return fmt.Errorf("%s needs a duration", f.Kind)
	}
	return nil
}

type faultRule struct {
	f   Fault
	rng *rand.Rand
}

func (fr *faultRule) matches(service, action, path string) bool {
	if fr.f.Kind == FaultClockSkew {
		return false
	}
	if s := strings.ToLower(fr.f.Service); s != "" && s != "*" && s != service {
		return false
	}
	if a := fr.f.Action; a != "" && a != "*" && a != action {
		return false
	}
	if !strings.HasPrefix(path, fr.f.Path) {
		return false
	}
	return fr.f.Count == 0 || fr.f.Fired < fr.f.Count
}

// faultSet holds the active rules in injection order.
type faultSet struct {
	mu    sync.Mutex
	seq   int
	rules []*faultRule
}

func (fs *faultSet) add(f Fault) Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.seq++
	f.ID = "fault-" + strconv.Itoa(fs.seq)
	f.Fired = 0
	fs.rules = append(fs.rules, &faultRule{f: f, rng: rand.New(rand.NewSource(f.Seed))}) //nolint:gosec // seeded on purpose: a fault campaign replays
	return f
}

func (fs *faultSet) clear() (hadSkew bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, r := range fs.rules {
		hadSkew = hadSkew || r.f.Kind == FaultClockSkew
	}
	fs.rules = nil
	return hadSkew
}

func (fs *faultSet) remove(id string) (found, wasSkew bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, r := range fs.rules {
		if r.f.ID == id {
			fs.rules = append(fs.rules[:i], fs.rules[i+1:]...)
			return true, r.f.Kind == FaultClockSkew
		}
	}
	return false, false
}

func (fs *faultSet) list() []Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]Fault, len(fs.rules))
	for i, r := range fs.rules {
		out[i] = r.f
	}
	return out
}

// firing is a decided fault for one request.
type firing struct {
	f      Fault
	offset float64 // where in the body corrupt flips a byte (fraction)
}

// decide draws for every matching rule in order until one fires. Only rules
// that match draw, so other traffic does not shift a rule's sequence.
func (fs *faultSet) decide(service, action, path string) *firing {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, r := range fs.rules {
		if !r.matches(service, action, path) {
			continue
		}
		rate := r.f.Rate
		if rate == 0 {
			rate = 1
		}
		if r.rng.Float64() >= rate {
			continue
		}
		r.f.Fired++
		return &firing{f: r.f, offset: r.rng.Float64()}
	}
	return nil
}

// InjectFault adds a rule and returns its id; an invalid rule is not added
// and yields "" (AddFault reports why). A clock_skew fault takes effect at
// once.
func (s *Server) InjectFault(f Fault) string {
	added, err := s.AddFault(f)
	if err != nil {
		return ""
	}
	return added.ID
}

// AddFault is InjectFault with validation errors and the stored rule.
func (s *Server) AddFault(f Fault) (Fault, error) {
	if err := f.validate(); err != nil {
		return Fault{}, err
	}
	f = s.faults.add(f)
	if f.Kind == FaultClockSkew {
		s.SetClockSkew(f.Duration)
	}
	return f, nil
}

// Faults lists the active rules with their fire counts.
func (s *Server) Faults() []Fault { return s.faults.list() }

// ClearFaults removes every rule (and a skew set by a clock_skew fault).
func (s *Server) ClearFaults() {
	if s.faults.clear() {
		s.SetClockSkew(0)
	}
}

// RemoveFault removes one rule by id (and its skew, for clock_skew).
func (s *Server) RemoveFault(id string) bool {
	found, wasSkew := s.faults.remove(id)
	if wasSkew {
		s.SetClockSkew(0)
	}
	return found
}

// SetClockSkew shifts the server's time (s.now) by d.
func (s *Server) SetClockSkew(d time.Duration) {
	s.mu.Lock()
	s.clockSkew = d
	s.mu.Unlock()
}

// Reset clears faults, the request log and both services' state.
func (s *Server) Reset() {
	s.ClearFaults()
	s.SetClockSkew(0)
	s.reqlog.clear()
	s.ecs.reset()
	s.oss.reset()
}

// applyFault acts on a fired fault before the request reaches its service.
// It returns the writer and request to continue with, or done=true when the
// fault has answered (or dropped) the request itself.
func (s *Server) applyFault(fi *firing, w *recorder, r *http.Request, service, action string) (http.ResponseWriter, *http.Request, bool) {
	f := fi.f
	switch f.Kind {
	case FaultThrottling:
		if service == "ecs" {
			writeRPCError(w, http.StatusBadRequest, "Throttling.User", "Request was denied due to user flow control.")
		} else {
			writeOSSError(w, r, http.StatusServiceUnavailable, "TotalQpsLimitExceeded", "Max total qps limit is exceeded")
		}
		return w, r, true
	case FaultTokenBusy:
		writeRPCError(w, http.StatusForbidden, "LastTokenProcessing", "The last token request is processing.")
		return w, r, true
	case Fault5xx:
		if service == "ecs" {
			writeRPCError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.")
		} else {
			writeOSSError(w, r, http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")
		}
		return w, r, true
	case FaultLatency:
		t := time.NewTimer(f.Duration)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return w, r, true
		}
		return w, r, false
	case FaultDrop:
		w.status = 0
		abortConn(w, false)
		return w, r, true
	case FaultTruncate:
		return &truncWriter{rec: w}, r, false
	case FaultCorrupt:
		if service == "oss" && (action == "PutObject" || action == "UploadPart") && r.Body != nil {
			n := r.ContentLength
			r2 := r.Clone(r.Context())
			r2.Body = &corruptReader{ReadCloser: r.Body, at: corruptAt(n, fi.offset)}
			return w, r2, false
		}
		return &corruptWriter{rec: w, frac: fi.offset}, r, false
	}
	return w, r, false
}

// corruptAt picks the byte to flip within a body of n bytes (first byte
// when the length is unknown).
func corruptAt(n int64, frac float64) int64 {
	if n <= 0 {
		return 0
	}
	return int64(frac * float64(n))
}

// abortConn closes the client connection: without a response, or (flush)
// mid response after sending what was written. Flushing before any header
// would send a 200, so drop must not flush.
func abortConn(w http.ResponseWriter, flush bool) {
	rc := http.NewResponseController(w)
	if flush {
		_ = rc.Flush()
	}
	if conn, _, err := rc.Hijack(); err == nil {
		_ = conn.Close()
		return
	}
	panic(http.ErrAbortHandler)
}

// errTruncated stops the handler's copy once the truncation point is reached.
var errTruncated = fmt.Errorf("emulator: response truncated by fault")

// truncWriter lets half of the declared body through, then cuts the
// connection (see finish). It deliberately has no ReadFrom, so copies go
// through Write.
type truncWriter struct {
	rec         *recorder
	limit, sent int64
	cut         bool
}

func (t *truncWriter) Header() http.Header         { return t.rec.Header() }
func (t *truncWriter) Unwrap() http.ResponseWriter { return t.rec }

func (t *truncWriter) WriteHeader(code int) {
	n, _ := strconv.ParseInt(t.Header().Get("Content-Length"), 10, 64)
	t.limit = n / 2
	t.rec.WriteHeader(code)
}

func (t *truncWriter) Write(p []byte) (int, error) {
	if !t.rec.wroteHeader {
		t.WriteHeader(http.StatusOK)
	}
	if t.cut {
		return 0, errTruncated
	}
	if room := t.limit - t.sent; int64(len(p)) > room {
		n, _ := t.rec.Write(p[:room])
		t.sent += int64(n)
		t.cut = true
		return n, errTruncated
	}
	n, err := t.rec.Write(p)
	t.sent += int64(n)
	return n, err
}

// finish closes the connection after the handler returns, so the client
// sees fewer bytes than Content-Length promised.
func (t *truncWriter) finish() { abortConn(t.rec, true) }

// corruptWriter flips one byte of the response body (no ReadFrom either).
type corruptWriter struct {
	rec     *recorder
	frac    float64
	at      int64
	written int64
	set     bool
}

func (c *corruptWriter) Header() http.Header         { return c.rec.Header() }
func (c *corruptWriter) WriteHeader(code int)        { c.rec.WriteHeader(code) }
func (c *corruptWriter) Unwrap() http.ResponseWriter { return c.rec }

func (c *corruptWriter) Write(p []byte) (int, error) {
	if !c.set {
		n, _ := strconv.ParseInt(c.Header().Get("Content-Length"), 10, 64)
		c.at, c.set = corruptAt(n, c.frac), true
	}
	if c.at >= c.written && c.at < c.written+int64(len(p)) {
		q := append([]byte(nil), p...)
		q[c.at-c.written] ^= 0xFF
		p = q
	}
	n, err := c.rec.Write(p)
	c.written += int64(n)
	return n, err
}

// corruptReader flips one byte of a request body.
type corruptReader struct {
	io.ReadCloser
	at, read int64
}

func (c *corruptReader) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	if c.at >= c.read && c.at < c.read+int64(n) {
		p[c.at-c.read] ^= 0xFF
	}
	c.read += int64(n)
	return n, err
}
