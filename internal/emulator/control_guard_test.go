package emulator

import (
	"net/http"
	"strings"
	"testing"
)

// TestControlRefusesCallsBrowsersCouldMake: without ControlHeader, or with an
// Origin header, a control call is refused and changes nothing.
func TestControlRefusesCallsBrowsersCouldMake(t *testing.T) {
	srv := newOSSTestServer(t, Options{})
	if st := control(t, srv, "POST", "faults", `{"service":"ecs","action":"DescribeRegions","kind":"5xx"}`, nil); st != 201 {
		t.Fatalf("add fault: %d", st)
	}
	for name, hdr := range map[string]http.Header{
		"no header":   {"Content-Type": {"text/plain"}},
		"with origin": {ControlHeader: {"1"}, "Origin": {"http://evil.example"}},
	} {
		req, _ := http.NewRequest("POST", srv.URL()+ControlPrefix+"reset", strings.NewReader(""))
		req.Header = hdr
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", name, resp.StatusCode)
		}
	}
	req, _ := http.NewRequest("POST", srv.URL()+ControlPrefix+"ecs/fail-next", strings.NewReader(`{"kind":"ExportImage"}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("ECS control without header: %d, want 403", resp.StatusCode)
	}
	if n := len(srv.Faults()); n != 1 {
		t.Fatalf("refused reset still ran: %d fault rules left, want 1", n)
	}
}
