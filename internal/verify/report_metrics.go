package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/push"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// FormatPrometheus is the Prometheus text exposition format (version
// 0.0.4). It is what node_exporter's textfile collector parses (it reads
// files with expfmt's classic TextParser, which would type an OpenMetrics
// counter family as untyped); the metric names follow the OpenMetrics
// conventions too (counters end in _total, units in the name).
const FormatPrometheus = "prometheus"

// MetricsContentType is the content type of a prometheus report.
var MetricsContentType = string(expfmt.NewFormat(expfmt.TypeTextPlain))

// DefaultPushJob is the Pushgateway job when none is given.
const DefaultPushJob = "alidr_drill"

// Environment variables holding Pushgateway basic-auth credentials: they
// stay out of the configuration, so out of the state.
const (
	EnvPushUsername = "ALIDR_PUSHGATEWAY_USERNAME"
	EnvPushPassword = "ALIDR_PUSHGATEWAY_PASSWORD" //nolint:gosec // an environment variable's name
)

// MetricsSpec carries what the metrics need beyond the run itself: labels,
// the RPO figures of the snapshot policy, and where to write and push.
type MetricsSpec struct {
	// Path of the metrics file when the report itself is not one; "" for none.
	Path string
	// PushURL of a Pushgateway ("" for no push) and the job to push as.
	PushURL, Job string
	// Site and Region label every metric.
	Site, Region string
	// RPOTarget and EffectiveRPO (of the snapshot policy), when known.
	RPOTarget, EffectiveRPO *time.Duration
	// PointCreated is when the restored recovery point was taken: the
	// observed RPO is the run's start minus it.
	PointCreated *time.Time
}

// Label names.
const (
	labelSite          = "site"
	labelRegion        = "region"
	labelRecoveryPoint = "recovery_point"
	labelCheck         = "check"
)

var (
	siteLabels  = []string{labelSite, labelRegion}
	pointLabels = []string{labelSite, labelRegion, labelRecoveryPoint}
	checkLabels = []string{labelSite, labelRegion, labelCheck}
)

// metricDef is one metric the provider emits.
type metricDef struct {
	name, help string
	kind       prometheus.ValueType
	labels     []string
}

// Metric names, stable: dashboards and alert rules key on them.
const (
	MetricDrillPassed        = "alidr_drill_passed"
	MetricLastRun            = "alidr_drill_last_run_timestamp_seconds"
	MetricLastSuccess        = "alidr_drill_last_success_timestamp_seconds"
	MetricDrillDuration      = "alidr_drill_duration_seconds"
	MetricCheckPassed        = "alidr_drill_check_passed" //nolint:gosec // a metric name
	MetricRestoreDuration    = "alidr_restore_duration_seconds"
	MetricMeasuredRTO        = "alidr_measured_rto_seconds"
	MetricRTOTarget          = "alidr_rto_target_seconds"
	MetricRPOTarget          = "alidr_rpo_target_seconds"
	MetricEffectiveRPO       = "alidr_effective_rpo_seconds"
	MetricObservedRPO        = "alidr_observed_rpo_seconds"
	MetricBytesVerifiedTotal = "alidr_checksum_bytes_verified_total"
	MetricRunsTotal          = "alidr_drill_runs_total"
	MetricFailuresTotal      = "alidr_drill_failures_total"
)

var metricDefs = []metricDef{
	{MetricDrillPassed, "1 when the last drill passed every check, 0 when it failed.", prometheus.GaugeValue, pointLabels},
	{MetricLastRun, "When the last drill finished (Unix time).", prometheus.GaugeValue, siteLabels},
	{MetricLastSuccess, "When the last passed drill finished (Unix time); kept from the previous file while drills fail.", prometheus.GaugeValue, pointLabels},
	{MetricDrillDuration, "Wall time of the last drill's checks.", prometheus.GaugeValue, pointLabels},
	{MetricCheckPassed, "1 when the check passed in the last drill, 0 when it failed; skipped checks are absent.", prometheus.GaugeValue, checkLabels},
	{MetricRestoreDuration, "Restore time measured for the last drill.", prometheus.GaugeValue, pointLabels},
	{MetricMeasuredRTO, "Restore time plus the boot test's time to healthy in the last drill.", prometheus.GaugeValue, pointLabels},
	{MetricRTOTarget, "The recovery time objective.", prometheus.GaugeValue, siteLabels},
	{MetricRPOTarget, "The recovery point objective.", prometheus.GaugeValue, siteLabels},
	{MetricEffectiveRPO, "The longest gap between scheduled snapshots of the snapshot policy.", prometheus.GaugeValue, siteLabels},
	{MetricObservedRPO, "Age of the restored recovery point when the last drill started.", prometheus.GaugeValue, pointLabels},
	{MetricBytesVerifiedTotal, "Object bytes whose checksums the drills verified.", prometheus.CounterValue, siteLabels},
	{MetricRunsTotal, "Drills run.", prometheus.CounterValue, siteLabels},
	{MetricFailuresTotal, "Drills that failed.", prometheus.CounterValue, siteLabels},
}

// MetricNames lists every metric the provider can emit, as exposed
// (counters with their _total suffix).
func MetricNames() []string {
	out := make([]string, len(metricDefs))
	for i, d := range metricDefs {
		out[i] = d.name
	}
	return out
}

// carried is what a metrics file keeps across runs: counters and the last
// success, read back from the previous file of the same site and region.
type carried struct {
	bytes, runs, failures float64
	lastSuccess           *dto.Metric
}

// readCarried parses the previous metrics file at path. A missing or
// unparsable file starts the counters afresh, which Prometheus sees as a
// counter reset.
func readCarried(path string, m MetricsSpec) carried {
	var c carried
	if path == "" {
		return c
	}
	f, err := os.Open(path)
	if err != nil {
		return c
	}
	defer f.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(f)
	if err != nil {
		return c
	}
	find := func(name string) *dto.Metric {
		for _, mt := range families[name].GetMetric() {
			if labelValue(mt, labelSite) == m.Site && labelValue(mt, labelRegion) == m.Region {
				return mt
			}
		}
		return nil
	}
	counter := func(name string) float64 {
		if mt := find(name); mt != nil {
			return mt.GetCounter().GetValue()
		}
		return 0
	}
	c.bytes, c.runs, c.failures = counter(MetricBytesVerifiedTotal), counter(MetricRunsTotal), counter(MetricFailuresTotal)
	c.lastSuccess = find(MetricLastSuccess)
	return c
}

func labelValue(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// drillMetrics is a prometheus.Collector of one finished run.
type drillMetrics struct {
	r     *Result
	m     MetricsSpec
	prev  carried
	descs map[string]*prometheus.Desc
	kinds map[string]prometheus.ValueType
}

func newDrillMetrics(r *Result, m MetricsSpec, prev carried) *drillMetrics {
	d := &drillMetrics{r: r, m: m, prev: prev, descs: map[string]*prometheus.Desc{}, kinds: map[string]prometheus.ValueType{}}
	for _, def := range metricDefs {
		d.descs[def.name] = prometheus.NewDesc(def.name, def.help, def.labels, nil)
		d.kinds[def.name] = def.kind
	}
	return d
}

func (d *drillMetrics) Describe(ch chan<- *prometheus.Desc) {
	for _, desc := range d.descs {
		ch <- desc
	}
}

func (d *drillMetrics) Collect(ch chan<- prometheus.Metric) {
	r, m := d.r, d.m
	point := strings.Join(r.VerifiedPoints, ",")
	emit := func(name string, v float64, extra ...string) {
		ch <- prometheus.MustNewConstMetric(d.descs[name], d.kinds[name], v, append([]string{m.Site, m.Region}, extra...)...)
	}
	secs := func(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }
	passed := r.Status == StatusPassed

	emit(MetricDrillPassed, boolFloat(passed), point)
	emit(MetricLastRun, secs(r.FinishedAt))
	switch {
	case passed:
		emit(MetricLastSuccess, secs(r.FinishedAt), point)
	case d.prev.lastSuccess != nil:
		emit(MetricLastSuccess, d.prev.lastSuccess.GetGauge().GetValue(), labelValue(d.prev.lastSuccess, labelRecoveryPoint))
	}
	emit(MetricDrillDuration, r.FinishedAt.Sub(r.StartedAt).Seconds(), point)
	for _, c := range r.Checks {
		if c.Status != StatusSkipped {
			emit(MetricCheckPassed, boolFloat(c.Status == StatusPassed), c.Name)
		}
	}
	for name, v := range map[string]*time.Duration{
		MetricRestoreDuration: r.RestoreDuration, MetricMeasuredRTO: r.MeasuredRTO,
	} {
		if v != nil {
			emit(name, v.Seconds(), point)
		}
	}
	for name, v := range map[string]*time.Duration{
		MetricRTOTarget: r.RTOTarget, MetricRPOTarget: m.RPOTarget, MetricEffectiveRPO: m.EffectiveRPO,
	} {
		if v != nil {
			emit(name, v.Seconds())
		}
	}
	if m.PointCreated != nil {
		emit(MetricObservedRPO, r.StartedAt.Sub(*m.PointCreated).Seconds(), point)
	}
	var verified float64
	if r.Checksum != nil && r.Checksum.BytesVerified > 0 {
		verified = float64(r.Checksum.BytesVerified)
	}
	emit(MetricBytesVerifiedTotal, d.prev.bytes+verified)
	emit(MetricRunsTotal, d.prev.runs+1)
	emit(MetricFailuresTotal, d.prev.failures+boolFloat(!passed))
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// gatherMetrics registers the run's metrics, carrying counters and the
// last success from the previous file at prevPath ("" for none).
func gatherMetrics(r *Result, m MetricsSpec, prevPath string) (*prometheus.Registry, error) {
	if m.Site == "" || m.Region == "" {
		return nil, errors.New("metrics need a site and a region label")
	}
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(newDrillMetrics(r, m, readCarried(prevPath, m))); err != nil {
		return nil, err
	}
	return reg, nil
}

// encodeText renders families as Prometheus text with the official encoder.
func encodeText(g prometheus.Gatherer) ([]byte, error) {
	families, err := g.Gather()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range families {
		if err := enc.Encode(mf); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// CheckPushURL accepts an http(s) Pushgateway base URL without
// credentials (they would land in the state: use the environment).
func CheckPushURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("%q is not a URL: %w", raw, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%q: use an http:// or https:// URL such as https://pushgateway.example.com:9091", raw)
	case u.User != nil:
		return fmt.Errorf("%q carries credentials, which would be stored in the state: remove them and set %s and %s instead", u.Redacted(), EnvPushUsername, EnvPushPassword)
	case u.Host == "":
		return fmt.Errorf("%q has no host", raw)
	case strings.Contains(u.Path, "/metrics/job"):
		return fmt.Errorf("%q: give the Pushgateway's base URL, without /metrics/job/...; the job and grouping labels are added", raw)
	}
	return nil
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// pushMetrics replaces the Pushgateway group {job, site, region} with the
// run's metrics (HTTP PUT), so a metric the run did not measure does not
// linger from an earlier push.
func pushMetrics(ctx context.Context, reg prometheus.Gatherer, m MetricsSpec) error {
	if err := CheckPushURL(m.PushURL); err != nil {
		return err
	}
	job := m.Job
	if job == "" {
		job = DefaultPushJob
	}
	// The grouping key carries site and region; the pushed series must not.
	stripped := prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		mfs, err := reg.Gather()
		for _, mf := range mfs {
			for _, mt := range mf.Metric {
				kept := mt.Label[:0]
				for _, l := range mt.Label {
					if l.GetName() != labelSite && l.GetName() != labelRegion {
						kept = append(kept, l)
					}
				}
				mt.Label = kept
			}
		}
		return mfs, err
	})
	p := push.New(m.PushURL, job).Gatherer(stripped).Grouping(labelSite, m.Site).Grouping(labelRegion, m.Region)
	if user, pass := os.Getenv(EnvPushUsername), os.Getenv(EnvPushPassword); user != "" || pass != "" {
		u, _ := url.Parse(m.PushURL)
		if u.Scheme != "https" && !isLoopback(u.Hostname()) {
			return fmt.Errorf("refusing to send Pushgateway credentials over plain http to %s: use https", u.Host)
		}
		p = p.BasicAuth(user, pass)
	}
	if err := p.PushContext(ctx); err != nil {
		return fmt.Errorf("pushing metrics to the Pushgateway: %w", err)
	}
	return nil
}

// metricsPath is the file the metrics go to: the report's own path for
// the prometheus format, else MetricsSpec.Path ("" for none).
func metricsPath(spec ReportSpec) string {
	switch {
	case spec.Format == FormatPrometheus:
		return spec.Path
	case spec.Metrics != nil:
		return spec.Metrics.Path
	}
	return ""
}

// runMetrics gathers the run's metrics when spec asks for any (nil
// otherwise), carrying over from the file they replace.
func runMetrics(r *Result, spec ReportSpec) (*prometheus.Registry, error) {
	if spec.Format != FormatPrometheus && spec.Metrics == nil {
		return nil, nil
	}
	var m MetricsSpec
	if spec.Metrics != nil {
		m = *spec.Metrics
	}
	return gatherMetrics(r, m, metricsPath(spec))
}
