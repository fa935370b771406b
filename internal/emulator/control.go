package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// controlAPI is the emulator's own HTTP+JSON API under ControlPrefix. It has
// no authentication: it is meant for loopback use by tests and scripts, and
// the command refuses non-loopback listen addresses unless told otherwise.
// Every call must carry ControlHeader (see requireControlHeader).
// Errors are {"error": "..."} with a 4xx status.
//
//	GET    /_emulator/health    -> 200 {"status":"ready","now":RFC3339,"manual_clock":bool,"skew":"0s","strict":bool}
//	POST   /_emulator/reset     -> 200; clears faults, the request log, clock skew, ECS and OSS state
//	GET    /_emulator/faults    -> 200 [Fault...] with their "fired" counts
//	POST   /_emulator/faults    -> 201 Fault; body is one Fault or an array of them:
//	                               {"service":"oss","action":"GetObject","kind":"corrupt","rate":0.5,"count":3,"seed":42}
//	                               kinds: throttling, 5xx, latency, drop, truncate, corrupt, clock_skew,
//	                               token_busy (ecs only: 403 LastTokenProcessing);
//	                               latency and clock_skew take "duration":"250ms"; "path":"/bucket/key"
//	                               limits a rule to URL paths with that prefix; rate 0 means 1
//	DELETE /_emulator/faults    -> 204; removes every rule (and a fault-set clock skew)
//	DELETE /_emulator/faults/ID -> 204; removes one rule (404 if unknown)
//	GET    /_emulator/clock     -> 200 {"now":..., "manual_clock":bool, "skew":"..."}
//	POST   /_emulator/clock     -> 200 like GET; body {"advance":"1h"} or {"set":"2026-01-02T03:04:05Z"}
//	                               (409 unless the server runs a ManualClock) and/or {"skew":"20m"}
//	GET    /_emulator/requests  -> 200 [RequestRecord...]; optional ?service=oss&action=GetObject filters
//	POST   /_emulator/attack    -> 200 AttackReport; body {"access_key_id":"..."} (optional): an attacker
//	                               with the account's keys tries to destroy every recovery point (attacker.go)
//	*      /_emulator/ecs/...   -> the ECS service's own controls
//	*      /_emulator/ram/...   -> RAM users and policies (ram_control.go)
type controlAPI struct{ s *Server }

func newControlAPI(s *Server) *controlAPI { return &controlAPI{s: s} }

type controlError struct {
	Error string `json:"error"`
}

func controlFail(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, controlError{Error: fmt.Sprintf(format, args...)})
}

func (c *controlAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !requireControlHeader(w, r) {
		return
	}
	p := strings.TrimPrefix(r.URL.Path, ControlPrefix)
	if p == "ecs" || strings.HasPrefix(p, "ecs/") {
		c.s.ecs.serveControl(w, r)
		return
	}
	if p == "ram" || strings.HasPrefix(p, "ram/") {
		c.s.serveRAMControl(w, r, strings.TrimPrefix(strings.TrimPrefix(p, "ram"), "/"))
		return
	}
	switch {
	case p == "health" && r.Method == http.MethodGet:
		c.clockState(w, map[string]any{"status": "ready", "strict": c.s.strict})
	case p == "reset" && r.Method == http.MethodPost:
		c.s.Reset()
		writeJSON(w, http.StatusOK, map[string]string{"status": "reset"})
	case p == "faults" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, c.s.Faults())
	case p == "faults" && r.Method == http.MethodPost:
		c.postFaults(w, r)
	case p == "faults" && r.Method == http.MethodDelete:
		c.s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	case strings.HasPrefix(p, "faults/") && r.Method == http.MethodDelete:
		if !c.s.RemoveFault(strings.TrimPrefix(p, "faults/")) {
			controlFail(w, http.StatusNotFound, "no fault %q", strings.TrimPrefix(p, "faults/"))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case p == "clock" && r.Method == http.MethodGet:
		c.clockState(w, nil)
	case p == "clock" && r.Method == http.MethodPost:
		c.postClock(w, r)
	case p == "requests" && r.Method == http.MethodGet:
		c.requests(w, r)
	case p == "attack" && r.Method == http.MethodPost:
		c.attack(w, r)
	case p == "health" || p == "reset" || p == "faults" || p == "clock" || p == "requests" || p == "attack" || strings.HasPrefix(p, "faults/"):
		controlFail(w, http.StatusMethodNotAllowed, "method %s not allowed on %s", r.Method, r.URL.Path)
	default:
		controlFail(w, http.StatusNotFound, "unknown control endpoint %s", r.URL.Path)
	}
}

func (c *controlAPI) clockState(w http.ResponseWriter, extra map[string]any) {
	_, manual := c.s.clock.(*ManualClock)
	out := map[string]any{
		"now":          c.s.now().Format(time.RFC3339Nano),
		"manual_clock": manual,
		"skew":         c.s.skew().String(),
	}
	for k, v := range extra {
		out[k] = v
	}
	writeJSON(w, http.StatusOK, out)
}

func (c *controlAPI) postFaults(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		controlFail(w, http.StatusBadRequest, "read body: %v", err)
		return
	}
	var many []Fault
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '[' {
		err = json.Unmarshal(trimmed, &many)
	} else {
		var one Fault
		err = json.Unmarshal(trimmed, &one)
		many = []Fault{one}
	}
	if err != nil {
		controlFail(w, http.StatusBadRequest, "invalid fault JSON: %v", err)
		return
	}
	// Validate all before adding any, so a bad batch changes nothing.
	for i, f := range many {
		if err := f.validate(); err != nil {
			controlFail(w, http.StatusBadRequest, "fault %d: %v", i, err)
			return
		}
	}
	added := make([]Fault, 0, len(many))
	for _, f := range many {
		af, _ := c.s.AddFault(f)
		added = append(added, af)
	}
	if len(added) == 1 && !bytes.HasPrefix(bytes.TrimSpace(body), []byte("[")) {
		writeJSON(w, http.StatusCreated, added[0])
		return
	}
	writeJSON(w, http.StatusCreated, added)
}

func (c *controlAPI) postClock(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Advance string `json:"advance"`
		Set     string `json:"set"`
		Skew    string `json:"skew"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&req); err != nil {
		controlFail(w, http.StatusBadRequest, "invalid clock JSON: %v", err)
		return
	}
	if req.Advance == "" && req.Set == "" && req.Skew == "" {
		controlFail(w, http.StatusBadRequest, `give "advance", "set" or "skew"`)
		return
	}
	if req.Advance != "" && req.Set != "" {
		controlFail(w, http.StatusBadRequest, `give "advance" or "set", not both`)
		return
	}
	var (
		adv, skew time.Duration
		at        time.Time
		err       error
	)
	if req.Advance != "" {
		if adv, err = time.ParseDuration(req.Advance); err != nil || adv < 0 {
			controlFail(w, http.StatusBadRequest, "advance must be a non-negative Go duration such as 90m")
			return
		}
	}
	if req.Set != "" {
		if at, err = time.Parse(time.RFC3339Nano, req.Set); err != nil {
			controlFail(w, http.StatusBadRequest, "set must be an RFC 3339 time: %v", err)
			return
		}
	}
	if req.Skew != "" {
		if skew, err = time.ParseDuration(req.Skew); err != nil {
			controlFail(w, http.StatusBadRequest, "skew must be a Go duration such as -20m")
			return
		}
	}
	if req.Advance != "" || req.Set != "" {
		mc, ok := c.s.clock.(*ManualClock)
		if !ok {
			controlFail(w, http.StatusConflict, "the server runs on the wall clock; start it with a ManualClock (alidr-emulator -manual-clock) to move time, or use \"skew\"")
			return
		}
		if req.Advance != "" {
			mc.Advance(adv)
		} else {
			mc.Set(at)
		}
	}
	if req.Skew != "" {
		c.s.SetClockSkew(skew)
	}
	c.clockState(w, nil)
}

func (c *controlAPI) requests(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	out := []RequestRecord{}
	for _, rec := range c.s.Requests() {
		if (q.Get("service") == "" || q.Get("service") == rec.Service) && (q.Get("action") == "" || q.Get("action") == rec.Action) {
			out = append(out, rec)
		}
	}
	writeJSON(w, http.StatusOK, out)
}
