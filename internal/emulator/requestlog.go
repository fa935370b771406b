package emulator

import (
	"io"
	"net/http"
	"sync"
	"time"
)

// MaxRequestLog bounds the request log; older records are dropped.
const MaxRequestLog = 10000

// RequestRecord is one served ECS or OSS request.
type RequestRecord struct {
	Time    time.Time `json:"time"` // server time (clock + skew) at arrival
	Service string    `json:"service"`
	// Action is the ECS Action or the OSS operation (GetObject, ...).
	Action string `json:"action"`
	Method string `json:"method"`
	Path   string `json:"path"`
	// Status is the HTTP status sent; 0 when the connection was dropped.
	Status int `json:"status"`
	// AccessKeyID is the caller's access key id (not a secret) and RAMAction
	// the RAM action the call needed, once authenticated ("" before, and
	// for calls RAM does not authorise such as GetCallerIdentity).
	AccessKeyID string `json:"access_key_id,omitempty"`
	RAMAction   string `json:"ram_action,omitempty"`
	// RAMDenied says RAM refused the call (its policy does not allow it).
	RAMDenied bool `json:"ram_denied,omitempty"`
	// Fault is the kind of fault injected into this request, if any.
	Fault FaultKind `json:"fault,omitempty"`
}

// requestLog is a ring of the last MaxRequestLog records.
type requestLog struct {
	mu    sync.Mutex
	recs  []RequestRecord
	start int // index of the oldest record once the ring is full
}

func (l *requestLog) add(r RequestRecord) {
	l.mu.Lock()
	if len(l.recs) < MaxRequestLog {
		l.recs = append(l.recs, r)
	} else {
		l.recs[l.start] = r
		l.start = (l.start + 1) % MaxRequestLog
	}
	l.mu.Unlock()
}

func (l *requestLog) list() []RequestRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]RequestRecord, 0, len(l.recs))
	out = append(out, l.recs[l.start:]...)
	return append(out, l.recs[:l.start]...)
}

func (l *requestLog) clear() {
	l.mu.Lock()
	l.recs, l.start = nil, 0
	l.mu.Unlock()
}

// Requests returns the served ECS and OSS requests, oldest first (control
// API calls are not recorded).
func (s *Server) Requests() []RequestRecord { return s.reqlog.list() }

// recorder captures the status for the request log. It forwards ReadFrom
// so object downloads keep net/http's sendfile path, and Unwrap so
// http.ResponseController reaches Flush and Hijack.
type recorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
	onHeader    func(status int)
}

func (r *recorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = code, true
		if r.onHeader != nil {
			r.onHeader(code)
		}
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if !r.wroteHeader {
		r.WriteHeader(http.StatusOK)
	}
	return r.ResponseWriter.Write(p)
}

func (r *recorder) ReadFrom(src io.Reader) (int64, error) {
	if !r.wroteHeader {
		r.WriteHeader(http.StatusOK)
	}
	if rf, ok := r.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(r.ResponseWriter, src)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
