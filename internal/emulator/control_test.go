package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// control calls the control API and decodes a JSON answer into out.
func control(t *testing.T, srv *Server, method, path, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL()+ControlPrefix+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(ControlHeader, "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
	return resp.StatusCode
}

func TestControlHealthFaultsRequests(t *testing.T) {
	srv := newOSSTestServer(t, Options{})
	var health map[string]any
	if st := control(t, srv, "GET", "health", "", &health); st != 200 || health["status"] != "ready" || health["manual_clock"] != false {
		t.Fatalf("health %d %v", st, health)
	}

	var added Fault
	st := control(t, srv, "POST", "faults", `{"service":"oss","action":"ListBuckets","kind":"latency","duration":"5ms","count":2,"seed":7}`, &added)
	if st != 201 || added.ID == "" || added.Duration != 5*time.Millisecond || added.Count != 2 || added.Seed != 7 {
		t.Fatalf("post fault %d %+v", st, added)
	}
	var batch []Fault
	if st := control(t, srv, "POST", "faults", `[{"kind":"5xx","service":"ecs","action":"DescribeImages"},{"kind":"throttling"}]`, &batch); st != 201 || len(batch) != 2 {
		t.Fatalf("batch %d %+v", st, batch)
	}
	var bad map[string]string
	if st := control(t, srv, "POST", "faults", `[{"kind":"5xx"},{"kind":"bogus"}]`, &bad); st != 400 || !strings.Contains(bad["error"], "bogus") {
		t.Fatalf("invalid batch %d %v", st, bad)
	}
	var list []Fault
	control(t, srv, "GET", "faults", "", &list)
	if len(list) != 3 {
		t.Fatalf("a rejected batch must add nothing: %+v", list)
	}
	if st := control(t, srv, "DELETE", "faults/"+batch[1].ID, "", nil); st != 204 {
		t.Fatalf("delete one %d", st)
	}
	if st := control(t, srv, "DELETE", "faults/nope", "", nil); st != 404 {
		t.Fatalf("delete unknown %d", st)
	}

	// One OSS call (slowed, not failed) and one ECS call (failed) show up in
	// the log; control calls do not.
	c := ossClient(t, srv)
	if _, err := c.ListBuckets(); err != nil {
		t.Fatal(err)
	}
	if st, _ := ecsCall(t, srv, "DescribeImages"); st != 503 {
		t.Fatalf("ecs fault via control API: %d", st)
	}
	var recs []RequestRecord
	control(t, srv, "GET", "requests", "", &recs)
	if len(recs) != 2 || recs[0].Action != "ListBuckets" || recs[0].Status != 200 || recs[0].Fault != FaultLatency ||
		recs[1].Service != "ecs" || recs[1].Status != 503 || recs[1].Fault != Fault5xx {
		t.Fatalf("requests %+v", recs)
	}
	control(t, srv, "GET", "requests?service=ecs", "", &recs)
	if len(recs) != 1 {
		t.Fatalf("filtered %+v", recs)
	}
	control(t, srv, "GET", "faults", "", &list)
	if len(list) != 2 || list[0].Fired != 1 {
		t.Fatalf("fired counts %+v", list)
	}
	if st := control(t, srv, "DELETE", "faults", "", nil); st != 204 || len(srv.Faults()) != 0 {
		t.Fatalf("clear %d", st)
	}

	// Reset drops OSS state and the log, back to the seeded bucket.
	if err := c.CreateBucket("gone-soon"); err != nil {
		t.Fatal(err)
	}
	if st := control(t, srv, "POST", "reset", "", nil); st != 200 {
		t.Fatalf("reset %d", st)
	}
	if lr, err := c.ListBuckets(); err != nil || len(lr.Buckets) != 1 || lr.Buckets[0].Name != SeedBucket {
		t.Fatalf("after reset %+v %v", lr, err)
	}
	// /_emulator/ecs/... belongs to the ECS service (which answers this
	// with 204; the generic router would say 404).
	if st := control(t, srv, "DELETE", "ecs/commands/i-unknown", "", nil); st != 204 {
		t.Fatalf("ecs control route %d", st)
	}
	if st := control(t, srv, "GET", "nothing-here", "", nil); st != 404 {
		t.Fatalf("unknown endpoint %d", st)
	}
	if st := control(t, srv, "PUT", "faults", "", nil); st != 405 {
		t.Fatalf("wrong method %d", st)
	}
}

func TestControlClock(t *testing.T) {
	wall := newOSSTestServer(t, Options{})
	var e map[string]any
	if st := control(t, wall, "POST", "clock", `{"advance":"1h"}`, &e); st != 409 || !strings.Contains(e["error"].(string), "ManualClock") {
		t.Fatalf("advance on wall clock %d %v", st, e)
	}
	var state struct {
		Now         time.Time `json:"now"`
		ManualClock bool      `json:"manual_clock"`
		Skew        string    `json:"skew"`
	}
	if st := control(t, wall, "POST", "clock", `{"skew":"-20m"}`, &state); st != 200 || state.Skew != "-20m0s" {
		t.Fatalf("skew %d %+v", st, state)
	}
	if d := time.Until(state.Now); d > -19*time.Minute {
		t.Fatalf("skewed now %v", state.Now)
	}
	// The skew makes OSS reject a correctly signed request.
	if _, err := ossClient(t, wall).ListBuckets(); serviceErr(t, err).Code != "RequestTimeTooSkewed" {
		t.Fatalf("skewed OSS: %v", err)
	}

	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	mc := NewManualClock(start)
	srv := newOSSTestServer(t, Options{Clock: mc})
	if st := control(t, srv, "POST", "clock", `{"advance":"90m"}`, &state); st != 200 || !state.Now.Equal(start.Add(90*time.Minute)) || !state.ManualClock {
		t.Fatalf("advance %d %+v", st, state)
	}
	if !mc.Now().Equal(start.Add(90 * time.Minute)) {
		t.Fatalf("clock at %v", mc.Now())
	}
	if st := control(t, srv, "POST", "clock", `{"set":"2027-01-02T03:04:05Z"}`, &state); st != 200 || state.Now.Format(time.RFC3339) != "2027-01-02T03:04:05Z" {
		t.Fatalf("set %d %+v", st, state)
	}
	for _, body := range []string{`{}`, `{"advance":"-1h"}`, `{"set":"yesterday"}`, `{"advance":"1h","set":"2027-01-02T03:04:05Z"}`, `not json`} {
		if st := control(t, srv, "POST", "clock", body, nil); st != 400 {
			t.Errorf("%s: %d", body, st)
		}
	}
}
