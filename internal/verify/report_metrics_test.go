package verify

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

func durPtr(d time.Duration) *time.Duration { return &d }

// drillResult is a finished run as Run would leave it.
func drillResult(passed bool) *Result {
	start := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	r := &Result{RunID: "vr-1", Name: "core-drill", Status: StatusPassed, StartedAt: start, FinishedAt: start.Add(90 * time.Second),
		Checksum:        &ChecksumResult{Mode: ModeFull, BytesVerified: 41943040},
		RestoreDuration: durPtr(8 * time.Second), MeasuredRTO: durPtr(10500 * time.Millisecond), RTOTarget: durPtr(15 * time.Minute),
		VerifiedPoints: []string{"m-uf6golden"},
		Checks: []Check{{Name: CheckChecksum, Status: StatusPassed}, {Name: CheckBootTest, Status: StatusPassed},
			{Name: CheckRTO, Status: StatusPassed}, {Name: CheckTagging, Status: StatusPassed}},
	}
	if !passed {
		r.Status = StatusFailed
		r.Checks[0].Status = StatusFailed
		r.Checks[3].Status = StatusSkipped
	}
	return r
}

// renderMetrics renders what WriteReport would write, carrying over from
// the file at prevPath.
func renderMetrics(r *Result, m MetricsSpec, prevPath string) ([]byte, error) {
	reg, err := gatherMetrics(r, m, prevPath)
	if err != nil {
		return nil, err
	}
	return encodeText(reg)
}

func metricsSpec() MetricsSpec {
	created := time.Date(2026, 11, 24, 6, 0, 0, 0, time.UTC)
	return MetricsSpec{Site: "core", Region: "cn-shanghai", RPOTarget: durPtr(12 * time.Hour), EffectiveRPO: durPtr(12 * time.Hour), PointCreated: &created}
}

// parseMetrics parses text as node_exporter's textfile collector does and
// lints it with the client's promlint.
func parseMetrics(t *testing.T, text []byte) map[string]*dto.MetricFamily {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(text))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, text)
	}
	problems, err := promlint.New(bytes.NewReader(text)).Lint()
	if err != nil || len(problems) > 0 {
		t.Fatalf("promlint: %v %+v\n%s", err, problems, text)
	}
	return fams
}

// sample returns the value of the series of name whose labels include
// want; ok is false when there is none.
func sample(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	mf := fams[name]
	for _, m := range mf.GetMetric() {
		match := true
		for k, v := range want {
			if labelValue(m, k) != v {
				match = false
			}
		}
		if !match {
			continue
		}
		switch mf.GetType() {
		case dto.MetricType_COUNTER:
			return m.GetCounter().GetValue(), true
		case dto.MetricType_GAUGE:
			return m.GetGauge().GetValue(), true
		}
	}
	return 0, false
}

func TestRenderMetricsValues(t *testing.T) {
	r := drillResult(true)
	out, err := renderMetrics(r, metricsSpec(), "")
	if err != nil {
		t.Fatal(err)
	}
	fams := parseMetrics(t, out)
	site := map[string]string{"site": "core", "region": "cn-shanghai"}
	point := map[string]string{"site": "core", "region": "cn-shanghai", "recovery_point": "m-uf6golden"}
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{MetricDrillPassed, point, 1},
		{MetricLastRun, site, float64(r.FinishedAt.Unix())},
		{MetricLastSuccess, point, float64(r.FinishedAt.Unix())},
		{MetricDrillDuration, point, 90},
		{MetricRestoreDuration, point, 8},
		{MetricMeasuredRTO, point, 10.5},
		{MetricRTOTarget, site, 900},
		{MetricRPOTarget, site, 43200},
		{MetricEffectiveRPO, site, 43200},
		{MetricObservedRPO, point, 4 * 3600},
		{MetricBytesVerifiedTotal, site, 41943040},
		{MetricRunsTotal, site, 1},
		{MetricFailuresTotal, site, 0},
		{MetricCheckPassed, map[string]string{"check": "checksum"}, 1},
		{MetricCheckPassed, map[string]string{"check": "tag_verified_points"}, 1},
	} {
		if got, ok := sample(fams, c.name, c.labels); !ok || got != c.want {
			t.Errorf("%s%v = %v (present %v), want %v", c.name, c.labels, got, ok, c.want)
		}
	}
	if fams[MetricBytesVerifiedTotal].GetType() != dto.MetricType_COUNTER || fams[MetricDrillPassed].GetType() != dto.MetricType_GAUGE {
		t.Fatal("types")
	}
	for name := range fams {
		if !strings.HasPrefix(name, "alidr_") {
			t.Fatalf("foreign metric %s", name)
		}
	}
}

func TestRenderMetricsOmitsUnknown(t *testing.T) {
	r := drillResult(false)
	r.RestoreDuration, r.MeasuredRTO, r.RTOTarget, r.Checksum = nil, nil, nil, nil
	out, err := renderMetrics(r, MetricsSpec{Site: "core", Region: "cn-shanghai"}, "")
	if err != nil {
		t.Fatal(err)
	}
	fams := parseMetrics(t, out)
	for _, name := range []string{MetricRestoreDuration, MetricMeasuredRTO, MetricRTOTarget, MetricRPOTarget, MetricEffectiveRPO, MetricObservedRPO, MetricLastSuccess} {
		if _, ok := fams[name]; ok {
			t.Errorf("%s written without a value:\n%s", name, out)
		}
	}
	if v, _ := sample(fams, MetricDrillPassed, nil); v != 0 {
		t.Fatal("failed run reported as passed")
	}
	if v, ok := sample(fams, MetricCheckPassed, map[string]string{"check": "checksum"}); !ok || v != 0 {
		t.Fatal("failed check")
	}
	if _, ok := sample(fams, MetricCheckPassed, map[string]string{"check": "tag_verified_points"}); ok {
		t.Fatal("skipped check written")
	}
	if v, _ := sample(fams, MetricFailuresTotal, nil); v != 1 {
		t.Fatal("failures")
	}
	if _, err := renderMetrics(r, MetricsSpec{Region: "cn-shanghai"}, ""); err == nil {
		t.Fatal("no site accepted")
	}
}

func TestWriteReportPrometheusCarriesOver(t *testing.T) {
	dir := t.TempDir()
	old := umask(0o077)
	defer umask(old)
	p := filepath.Join(dir, "alidr.prom")
	m := metricsSpec()
	spec := ReportSpec{Format: FormatPrometheus, Path: p, Metrics: &m}
	f := newFake(newFakeClock())

	first := drillResult(true)
	if err := WriteReport(context.Background(), f, first, spec); err != nil {
		t.Fatal(err)
	}
	second := drillResult(false)
	second.StartedAt, second.FinishedAt = first.StartedAt.Add(24*time.Hour), first.FinishedAt.Add(24*time.Hour)
	second.VerifiedPoints = []string{"m-uf6newer"}
	if err := WriteReport(context.Background(), f, second, spec); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("%v %v", st, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("temp files left: %v", entries)
	}
	text, _ := os.ReadFile(p)
	fams := parseMetrics(t, text)
	// The failed run keeps the earlier success, with its recovery point.
	if v, ok := sample(fams, MetricLastSuccess, map[string]string{"recovery_point": "m-uf6golden"}); !ok || v != float64(first.FinishedAt.Unix()) {
		t.Fatalf("last success %v %v\n%s", v, ok, text)
	}
	if v, _ := sample(fams, MetricLastRun, nil); v != float64(second.FinishedAt.Unix()) {
		t.Fatal("last run")
	}
	if v, _ := sample(fams, MetricDrillPassed, map[string]string{"recovery_point": "m-uf6newer"}); v != 0 {
		t.Fatal("passed")
	}
	for name, want := range map[string]float64{MetricRunsTotal: 2, MetricFailuresTotal: 1, MetricBytesVerifiedTotal: 2 * 41943040} {
		if v, _ := sample(fams, name, nil); v != want {
			t.Errorf("%s = %v, want %v", name, v, want)
		}
	}
	// Another site's file does not feed this one.
	other := metricsSpec()
	other.Site = "edge"
	out, err := renderMetrics(drillResult(true), other, p)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := sample(parseMetrics(t, out), MetricRunsTotal, nil); v != 1 {
		t.Fatal("carried over from another site")
	}
}

func TestWriteReportMetricsBesideJUnit(t *testing.T) {
	dir := t.TempDir()
	m := metricsSpec()
	m.Path = filepath.Join(dir, "alidr.prom")
	f := newFake(newFakeClock())
	if err := WriteReport(context.Background(), f, drillResult(true), ReportSpec{Format: FormatJUnit, Path: filepath.Join(dir, "r.xml"), Metrics: &m}); err != nil {
		t.Fatal(err)
	}
	report, _ := os.ReadFile(filepath.Join(dir, "r.xml"))
	text, _ := os.ReadFile(m.Path)
	if !bytes.Contains(report, []byte("<testsuites")) {
		t.Fatalf("report %s", report)
	}
	if v, ok := sample(parseMetrics(t, text), MetricDrillPassed, nil); !ok || v != 1 {
		t.Fatalf("metrics %s", text)
	}
	m.Path = filepath.Join(dir, "missing", "alidr.prom")
	err := WriteReport(context.Background(), f, drillResult(true), ReportSpec{Format: FormatJSON, Path: filepath.Join(dir, "r.json"), Metrics: &m})
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("missing metrics dir: %v", err)
	}
}

// pushed is one request a fake Pushgateway received.
type pushed struct {
	method, path, auth string
	fams               map[string]*dto.MetricFamily
}

func fakePushgateway(t *testing.T, status int) (*httptest.Server, *[]pushed) {
	var got []pushed
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		p := pushed{method: req.Method, path: req.URL.EscapedPath(), auth: req.Header.Get("Authorization"), fams: map[string]*dto.MetricFamily{}}
		dec := expfmt.NewDecoder(req.Body, expfmt.ResponseFormat(req.Header))
		for {
			mf := &dto.MetricFamily{}
			if err := dec.Decode(mf); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Errorf("decode push: %v", err)
				break
			}
			p.fams[mf.GetName()] = mf
		}
		got = append(got, p)
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv, &got
}

// groupingKey turns /metrics/job/J/k1/v1/k2/v2 into "job=J k1=v1 k2=v2",
// sorted: the client orders grouping labels as it likes.
func groupingKey(path string) string {
	parts := strings.Split(strings.TrimPrefix(path, "/metrics/"), "/")
	var kv []string
	for i := 0; i+1 < len(parts); i += 2 {
		kv = append(kv, parts[i]+"="+parts[i+1])
	}
	sort.Strings(kv)
	return strings.Join(kv, " ")
}

func TestPushMetrics(t *testing.T) {
	srv, got := fakePushgateway(t, http.StatusOK)
	m := metricsSpec()
	m.PushURL = srv.URL
	f := newFake(newFakeClock())
	t.Setenv(EnvPushUsername, "ops")
	t.Setenv(EnvPushPassword, "s3cret")
	if err := WriteReport(context.Background(), f, drillResult(true), ReportSpec{Format: FormatJSON, Bucket: "b", Object: "r.json", Metrics: &m}); err != nil {
		t.Fatal(err)
	}
	if len(*got) != 1 {
		t.Fatalf("pushes %d", len(*got))
	}
	p := (*got)[0]
	if p.method != http.MethodPut || groupingKey(p.path) != "job=alidr_drill region=cn-shanghai site=core" || !strings.HasPrefix(p.auth, "Basic ") {
		t.Fatalf("push %s %s %q", p.method, p.path, p.auth)
	}
	if v, ok := sample(p.fams, MetricMeasuredRTO, map[string]string{"recovery_point": "m-uf6golden"}); !ok || v != 10.5 {
		t.Fatalf("pushed RTO %v %v", v, ok)
	}
	for _, mf := range p.fams {
		for _, mt := range mf.GetMetric() {
			if labelValue(mt, "site") != "" || labelValue(mt, "region") != "" {
				t.Fatalf("%s carries a grouping label: the Pushgateway would refuse it", mf.GetName())
			}
		}
	}

	// A refused push is an error naming the status.
	bad, _ := fakePushgateway(t, http.StatusBadRequest)
	m.PushURL, m.Job = bad.URL, "nightly"
	err := WriteReport(context.Background(), f, drillResult(true), ReportSpec{Format: FormatJSON, Bucket: "b", Object: "r.json", Metrics: &m})
	if err == nil || !strings.Contains(err.Error(), "400") {
		t.Fatalf("refused push: %v", err)
	}
	// Credentials never travel over plain http to another host.
	m.PushURL = "http://pushgateway.invalid:9091"
	if err := pushMetrics(context.Background(), nil, m); err == nil || !strings.Contains(err.Error(), "use https") {
		t.Fatalf("credentials over http: %v", err)
	}
}

func TestCheckPushURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://pgw.example.com:9091":        "",
		"http://127.0.0.1:9091/":              "",
		"pgw:9091":                            "http:// or https://",
		"https://ops:pw@pgw.example.com":      "carries credentials",
		"https://pgw.example.com/metrics/job": "base URL",
		"http://":                             "no host",
	} {
		err := CheckPushURL(raw)
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("%s: %v, want %q", raw, err, want)
		}
		if err != nil && strings.Contains(err.Error(), ":pw@") {
			t.Errorf("%s: the error shows the password", raw)
		}
	}
}
