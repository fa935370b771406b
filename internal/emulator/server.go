// Package emulator is a local Alibaba Cloud (ECS + OSS) that speaks the real
// wire protocols, so the official SDKs, Terraform and users' modules run
// offline. One listener serves ECS RPC, OSS REST and a control API under
// ControlPrefix.
package emulator

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// ControlPrefix is the reserved path prefix of the control API.
const ControlPrefix = "/_emulator/"

// Default credentials, overridable with ALIDR_EMULATOR_ACCESS_KEY_ID and
// ALIDR_EMULATOR_ACCESS_KEY_SECRET.
const (
	DefaultAccessKeyID     = "alidr-emulator"
	DefaultAccessKeySecret = "alidr-emulator-secret" //nolint:gosec // the emulator's published local key
	DefaultAccountID       = "1000000000000001"
)

// Options configures a Server. The zero value is usable.
type Options struct {
	// AccessKeyID and AccessKeySecret of the default account; empty means the
	// ALIDR_EMULATOR_* environment variables, then the defaults above.
	AccessKeyID     string
	AccessKeySecret string
	// DataDir holds OSS object data. Empty means a temporary directory that
	// Close removes.
	DataDir string
	// Clock drives timestamps, async state transitions and schedules.
	// Nil means the wall clock.
	Clock Clock
	// Lenient turns off strict mode, the check of every ECS and STS call
	// against the official API definitions (apidefs.go), for clients that
	// send parameters those definitions lack. The command's -strict=false.
	Lenient bool
}

// Server is one emulator instance with its own state.
type Server struct {
	clock    Clock
	accounts *accounts
	ecs      *ecsService
	oss      *ossService
	control  *controlAPI
	ram      *ramStore
	faults   faultSet
	reqlog   requestLog

	dataDir    string
	ownDataDir bool
	strict     bool // check calls against the API definitions

	mu        sync.Mutex
	clockSkew time.Duration
	listener  net.Listener
	http      *http.Server
}

// New builds a server; call Start to listen.
func New(opts Options) (*Server, error) {
	s := &Server{clock: opts.Clock, strict: !opts.Lenient}
	if s.clock == nil {
		s.clock = wallClock{}
	}
	ak := firstNonEmpty(opts.AccessKeyID, os.Getenv("ALIDR_EMULATOR_ACCESS_KEY_ID"), DefaultAccessKeyID)
	sk := firstNonEmpty(opts.AccessKeySecret, os.Getenv("ALIDR_EMULATOR_ACCESS_KEY_SECRET"), DefaultAccessKeySecret)
	s.accounts = newAccounts()
	s.ram = newRAMStore()
	s.accounts.add(DefaultAccountID, ak, sk)

	s.dataDir = opts.DataDir
	if s.dataDir == "" {
		dir, err := os.MkdirTemp("", "alidr-emulator-*")
		if err != nil {
			return nil, err
		}
		s.dataDir, s.ownDataDir = dir, true
	}
	var err error
	if s.oss, err = newOSSService(s); err != nil {
		return nil, err
	}
	s.ecs = newECSService(s)
	s.control = newControlAPI(s)
	return s, nil
}

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves in the
// background.
func (s *Server) Start(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.listener = ln
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second}
	s.mu.Unlock()
	go func() { _ = s.http.Serve(ln) }()
	return nil
}

// Addr is host:port of the listener.
func (s *Server) Addr() string { return s.listener.Addr().String() }

// URL is the base URL, e.g. http://127.0.0.1:9100.
func (s *Server) URL() string { return "http://" + s.Addr() }

// Close stops serving and removes a temporary data directory.
func (s *Server) Close() error {
	s.mu.Lock()
	srv := s.http
	s.mu.Unlock()
	var err error
	if srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = srv.Shutdown(ctx)
		if errors.Is(err, context.DeadlineExceeded) {
			err = srv.Close()
		}
	}
	if s.ownDataDir {
		_ = os.RemoveAll(s.dataDir)
	}
	return err
}

// Clock returns the server's clock.
func (s *Server) Clock() Clock { return s.clock }

// ServeHTTP routes a request to the control API, ECS RPC or OSS REST.
// ECS and OSS requests pass the fault rules and land in the request log.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, ControlPrefix) {
		s.control.ServeHTTP(w, r)
		return
	}
	service, action := "oss", ""
	if a, ok := rpcAction(r); ok {
		service, action = "ecs", a
	} else {
		action = classifyOSS(r)
	}
	rec := &recorder{ResponseWriter: w}
	entry := RequestRecord{Time: s.now(), Service: service, Action: action, Method: r.Method, Path: r.URL.Path}
	// Logged as the status goes out, before the client can see the answer,
	// so a client reading the log right after its call finds the entry.
	rec.onHeader = func(status int) {
		entry.Status = status
		s.reqlog.add(entry)
	}
	defer func() {
		if !rec.wroteHeader { // dropped connection: status 0
			s.reqlog.add(entry)
		}
	}()

	r = withRecord(r, &entry) // the RAM check notes the key and action
	var out http.ResponseWriter = rec
	if fi := s.faults.decide(service, action, r.URL.Path); fi != nil {
		entry.Fault = fi.f.Kind
		var done bool
		if out, r, done = s.applyFault(fi, rec, r, service, action); done {
			return
		}
	}
	if service == "ecs" {
		s.ecs.ServeHTTP(out, r)
	} else {
		s.oss.ServeHTTP(out, r)
	}
	if t, ok := out.(*truncWriter); ok {
		t.finish()
	}
}

// rpcAction tells ECS RPC calls (Action in the query or a form body) from
// OSS and returns the Action.
func rpcAction(r *http.Request) (string, bool) {
	if q := r.URL.Query(); q.Has("Action") {
		return q.Get("Action"), true
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if err := r.ParseForm(); err == nil && r.PostForm.Has("Action") {
			return r.PostForm.Get("Action"), true
		}
	}
	return "", false
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// skew is the injected clock skew (the fault "clock skew").
func (s *Server) skew() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clockSkew
}
