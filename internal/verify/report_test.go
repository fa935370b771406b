package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

func sampleResult(t *testing.T) *Result {
	clk := newFakeClock()
	f := newFake(clk)
	data := []byte("0123456789abcdef0123")
	f.put("img", data)
	f.put("img.manifest", mustJSON(t, manifestOf(data, 8)))
	f.results, f.cmdTook = []CommandResult{bad, ok}, 2*time.Second
	return Run(context.Background(), f, clk, Spec{
		Name: "nightly", RunID: "vr-report", Region: emulator.SeedRegion,
		Checksum: &ChecksumSpec{Bucket: "b", Object: "img", Mode: ModeFull, ExpectedMD5: strings.Repeat("b", 32)},
		BootTest: boot(time.Minute, 30*time.Second), RTOTarget: 15 * time.Minute, VerifiedPoints: []string{"s-1"},
	})
}

func TestRenderJSON(t *testing.T) {
	r := sampleResult(t)
	out, err := RenderJSON(r)
	if err != nil {
		t.Fatal(err)
	}
	var j struct {
		RunID, Name, Status string
		StartedAt           string `json:"started_at"`
		Checks              []struct{ Name, Status, Detail string }
		Checksum            struct {
			MD5           string `json:"md5"`
			BytesVerified *int64 `json:"bytes_verified"`
		}
		BootTest struct {
			Attempts, Passes, Failures int
			TimeToHealthy              string `json:"time_to_healthy"`
			Results                    []struct {
				N         int
				Healthy   bool
				ExitCode  int     `json:"exit_code"`
				AtSeconds float64 `json:"at_seconds"`
				Output    string
			}
		} `json:"boot_test"`
		RTO struct{ Target, Measured string }
	}
	if err := json.Unmarshal(out, &j); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if j.Status != StatusFailed || j.Name != "nightly" || j.StartedAt != "2026-11-24T10:00:00Z" {
		t.Fatalf("%s", out)
	}
	names := []string{}
	for _, c := range j.Checks {
		names = append(names, c.Name+":"+c.Status)
	}
	if got := strings.Join(names, " "); got != "checksum:failed boot_test:passed rto:passed tag_verified_points:skipped" {
		t.Fatalf("checks %s", got)
	}
	if j.Checksum.BytesVerified == nil || *j.Checksum.BytesVerified != 20 || j.Checksum.MD5 == "" {
		t.Fatalf("checksum %+v", j.Checksum)
	}
	b := j.BootTest
	if b.Attempts != 3 || b.Passes != 2 || b.Failures != 1 || b.TimeToHealthy != "32s" || len(b.Results) != 3 ||
		b.Results[0].Healthy || b.Results[0].ExitCode != 7 || b.Results[1].AtSeconds != 30 || !strings.Contains(b.Results[0].Output, "curl") {
		t.Fatalf("boot %+v", b)
	}
	if j.RTO.Target != "15m0s" || j.RTO.Measured != "32s" {
		t.Fatalf("rto %+v", j.RTO)
	}
}

func TestRenderJUnit(t *testing.T) {
	r := sampleResult(t)
	out, err := RenderJUnit(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Fatalf("%s", out)
	}
	var s struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name       string `xml:"name,attr"`
			Tests      int    `xml:"tests,attr"`
			Failures   int    `xml:"failures,attr"`
			Skipped    int    `xml:"skipped,attr"`
			Properties []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:"value,attr"`
			} `xml:"properties>property"`
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
				Skipped   *struct{} `xml:"skipped"`
				SystemOut string    `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(out, &s); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if s.Tests != 4 || s.Failures != 1 || len(s.Suites) != 1 {
		t.Fatalf("%s", out)
	}
	su := s.Suites[0]
	if su.Name != "alidr_verification_run.nightly" || su.Tests != 4 || su.Failures != 1 || su.Skipped != 1 || len(su.Cases) != 4 {
		t.Fatalf("%s", out)
	}
	if c := su.Cases[0]; c.Name != "checksum" || c.Failure == nil || !strings.Contains(c.Failure.Message, "expected_md5 says bbbb") || c.Failure.Text != c.Failure.Message {
		t.Fatalf("checksum case %+v", c)
	}
	if c := su.Cases[1]; c.Name != "boot_test" || c.Failure != nil || !strings.Contains(c.SystemOut, "attempt 1 at +0s: unhealthy, exit code 7 (exit code 7, want 0)\nattempt 2 at +30s: healthy, exit code 0\nattempt 3 at +1m0s: healthy, exit code 0\noutput tail of the last attempt:\nrunning\nok") {
		t.Fatalf("boot case %+v", c)
	}
	if c := su.Cases[3]; c.Name != "tag_verified_points" || c.Skipped == nil {
		t.Fatalf("tag case %+v", c)
	}
	props := map[string]string{}
	for _, p := range su.Properties {
		props[p.Name] = p.Value
	}
	if props["run_id"] != "vr-report" || props["status"] != "failed" || props["measured_rto"] != "32s" {
		t.Fatalf("properties %v", props)
	}
}

func TestWriteReport(t *testing.T) {
	r := sampleResult(t)
	dir := t.TempDir()
	old := umask(0o077)
	defer umask(old)
	f := newFake(newFakeClock())
	p := filepath.Join(dir, "dr-report.xml")
	if err := WriteReport(context.Background(), f, r, ReportSpec{Format: FormatJUnit, Path: p, Bucket: "reports", Object: "dr/report.xml"}); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("%v %v", st.Mode(), err)
	}
	data, _ := os.ReadFile(p)
	if !bytes.Equal(data, f.puts["reports/dr/report.xml"]) || !bytes.Contains(data, []byte("<testsuites")) {
		t.Fatal("local and uploaded reports differ")
	}
	err = WriteReport(context.Background(), f, r, ReportSpec{Format: FormatJSON, Path: filepath.Join(dir, "missing", "r.json")})
	if err == nil || !strings.Contains(err.Error(), "does not exist: create it first") {
		t.Fatalf("missing dir: %v", err)
	}
	if err := CheckReportPath(dir); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("dir as path: %v", err)
	}
	if _, _, err := Render(r, "yaml"); err == nil {
		t.Fatal("unknown format accepted")
	}
}
