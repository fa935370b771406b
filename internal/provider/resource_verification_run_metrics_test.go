package provider_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// promValue is the value of name's series whose labels include want.
func promValue(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, error) {
	for _, m := range fams[name].GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range want {
			match = match && labels[k] == v
		}
		if match {
			return m.GetGauge().GetValue() + m.GetCounter().GetValue(), nil
		}
	}
	return 0, fmt.Errorf("no %s%v", name, want)
}

func parseProm(r io.Reader) (map[string]*dto.MetricFamily, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	return p.TextToMetricFamilies(r)
}

func TestAccVerificationRun_metrics(t *testing.T) {
	env := newVREnv(t, emulator.Options{})
	db := emulator.SeedInstanceCoreDB
	env.Emulator.ScriptCommand(db, emulator.CommandOutcome{ExitCode: 0, Output: "running\n"})
	dir := t.TempDir()
	junit, beside, own := filepath.Join(dir, "dr-report.xml"), filepath.Join(dir, "alidr_core.prom"), filepath.Join(dir, "alidr_edge.prom")

	var (
		mu     sync.Mutex
		pushes = map[string]map[string]*dto.MetricFamily{}
	)
	pgw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		dec := expfmt.NewDecoder(req.Body, expfmt.ResponseFormat(req.Header))
		fams := map[string]*dto.MetricFamily{}
		for {
			mf := &dto.MetricFamily{}
			if err := dec.Decode(mf); err != nil {
				break
			}
			fams[mf.GetName()] = mf
		}
		mu.Lock()
		pushes[req.Method+" "+req.URL.Path] = fams
		mu.Unlock()
	}))
	defer pgw.Close()
	created := time.Now().Add(-3 * time.Hour).UTC().Format(time.RFC3339)

	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.Config(`
resource "alidr_verification_run" "core" {
  name             = "core-drill"
  region           = %[7]q
  boot_test        = { instance_id = %[1]q, command = "true" }
  restore_duration = "8s"
  rto_target       = "15m"
  report = {
    path   = %[2]q
    format = "junit"
    metrics = {
      path                      = %[3]q
      pushgateway_url           = %[5]q
      site                      = "core"
      rpo_target                = "12h"
      effective_rpo             = "12h"
      recovery_point_created_at = %[6]q
    }
  }
}
resource "alidr_verification_run" "edge" {
  name      = "edge"
  boot_test = { instance_id = %[1]q, command = "true" }
  report    = { path = %[4]q, format = "prometheus" }
}`, db, junit, beside, own, pgw.URL, created, env.Region),
			ConfigStateChecks: []statecheck.StateCheck{
				state("alidr_verification_run.core", "status", knownvalue.StringExact("passed")),
			},
			Check: func(s *terraform.State) error {
				if _, err := os.Stat(junit); err != nil {
					return fmt.Errorf("the JUnit report is missing beside the metrics: %w", err)
				}
				for _, c := range []struct {
					addr, file string
					labels     map[string]string
				}{
					{"alidr_verification_run.core", beside, map[string]string{"site": "core", "region": env.Region}},
					// Defaults: site is the name, region the provider's.
					{"alidr_verification_run.edge", own, map[string]string{"site": "edge", "region": env.Region}},
				} {
					if err := checkMetricsFile(s, c.addr, c.file, c.labels); err != nil {
						return err
					}
				}
				f, _ := os.Open(beside)
				defer f.Close()
				fams, err := parseProm(f)
				if err != nil {
					return err
				}
				for name, want := range map[string]float64{
					"alidr_restore_duration_seconds": 8, "alidr_rto_target_seconds": 900,
					"alidr_rpo_target_seconds": 43200, "alidr_effective_rpo_seconds": 43200,
				} {
					if v, err := promValue(fams, name, nil); err != nil || v != want {
						return fmt.Errorf("%s = %v (%w), want %v", name, v, err, want)
					}
				}
				started, _ := time.Parse(time.RFC3339, s.RootModule().Resources["alidr_verification_run.core"].Primary.Attributes["started_at"])
				ct, _ := time.Parse(time.RFC3339, created)
				// started_at in the state is whole seconds.
				if v, err := promValue(fams, "alidr_observed_rpo_seconds", nil); err != nil || v < started.Sub(ct).Seconds() || v >= started.Sub(ct).Seconds()+1 {
					return fmt.Errorf("observed RPO %v (%w), want %v", v, err, started.Sub(ct).Seconds())
				}
				mu.Lock()
				defer mu.Unlock()
				// The client orders the grouping labels as it likes.
				pushed := pushes["PUT /metrics/job/alidr_drill/site/core/region/"+env.Region]
				if pushed == nil {
					pushed = pushes["PUT /metrics/job/alidr_drill/region/"+env.Region+"/site/core"]
				}
				if v, err := promValue(pushed, "alidr_drill_passed", nil); err != nil || v != 1 || len(pushes) != 1 {
					return fmt.Errorf("pushes %v: %v %w", pushes, v, err)
				}
				return nil
			},
		}},
	})
}

func TestAccVerificationRun_metricsValidation(t *testing.T) {
	env := newVREnv(t, emulator.Options{})
	var steps []resource.TestStep
	for _, c := range []struct {
		name, report string
		errs         []string
	}{
		{"", `{ path = "x.prom", format = "prometheus" }`, []string{"Metrics need a site label", "report.metrics.site"}},
		{"n", `{ path = "x.prom", format = "prometheus", metrics = { path = "y.prom" } }`, []string{"The report is already the metrics file"}},
		{"n", `{ path = "x.xml", format = "junit", metrics = { pushgateway_url = "https://ops:pw@pgw.example.com" } }`,
			[]string{"Invalid Pushgateway URL", "carries credentials"}},
		{"n", `{ path = "x.xml", format = "junit", metrics = { site = "s" } }`, []string{"Metrics have nowhere to go"}},
		{"n", `{ path = "x.prom", format = "prometheus", metrics = { recovery_point_created_at = "yesterday" } }`,
			[]string{"Invalid time", "is not an RFC 3339 time"}},
	} {
		name := ""
		if c.name != "" {
			name = fmt.Sprintf("name = %q", c.name)
		}
		steps = append(steps, resource.TestStep{
			PlanOnly: true,
			Config: env.Config(`
resource "alidr_verification_run" "r" {
  %s
  boot_test = { instance_id = %q, command = "true" }
  report    = %s
}`, name, emulator.SeedInstanceCoreDB, c.report),
			ExpectError: wrappedRE(c.errs...),
		})
	}
	acctest.Test(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories, Steps: steps})
}

// checkMetricsFile parses a run's metrics file as node_exporter does and
// compares it with the run's state.
func checkMetricsFile(s *terraform.State, addr, file string, labels map[string]string) error {
	attrs := s.RootModule().Resources[addr].Primary.Attributes
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	fams, err := parseProm(f)
	if err != nil {
		return fmt.Errorf("%s does not parse: %w", file, err)
	}
	finished, _ := time.Parse(time.RFC3339, attrs["finished_at"])
	passed := 0.0
	if attrs["status"] == "passed" {
		passed = 1
	}
	for name, want := range map[string]float64{
		"alidr_drill_passed":                         passed,
		"alidr_drill_last_run_timestamp_seconds":     float64(finished.Unix()),
		"alidr_drill_last_success_timestamp_seconds": float64(finished.Unix()),
		"alidr_drill_runs_total":                     1,
	} {
		v, err := promValue(fams, name, labels)
		// Times in the state are whole seconds.
		if err != nil || v < want || v >= want+1 {
			return fmt.Errorf("%s: %s = %v (%w), want %v", addr, name, v, err, want)
		}
	}
	if mrto, err := time.ParseDuration(attrs["measured_rto"]); err == nil {
		if v, err := promValue(fams, "alidr_measured_rto_seconds", labels); err != nil || strconv.FormatFloat(v, 'f', 3, 64) != strconv.FormatFloat(mrto.Seconds(), 'f', 3, 64) {
			return fmt.Errorf("%s: measured RTO %v (%w), state %s", addr, v, err, attrs["measured_rto"])
		}
	}
	return nil
}
