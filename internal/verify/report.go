package verify

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Report formats.
const (
	FormatJSON  = "json"
	FormatJUnit = "junit"
)

// ReportSpec says where a run's report goes: a local file, an OSS object,
// or both; and, with Metrics, where its Prometheus metrics go besides.
type ReportSpec struct {
	Format         string
	Path           string
	Region, Bucket string
	Object         string
	// Metrics labels the metrics of the prometheus format, and adds a
	// metrics file and/or a Pushgateway push to any format.
	Metrics *MetricsSpec
}

type jsonReport struct {
	RunID           string      `json:"run_id"`
	Name            string      `json:"name"`
	Status          string      `json:"status"`
	StartedAt       string      `json:"started_at"`
	FinishedAt      string      `json:"finished_at"`
	DurationSeconds float64     `json:"duration_seconds"`
	Checks          []jsonCheck `json:"checks"`
	Checksum        *jsonSum    `json:"checksum,omitempty"`
	BootTest        *jsonBoot   `json:"boot_test,omitempty"`
	RTO             *jsonRTO    `json:"rto,omitempty"`
	VerifiedPoints  []string    `json:"verified_points"`
	Tagged          []string    `json:"tagged"`
}

type jsonCheck struct {
	Name            string  `json:"name"`
	Status          string  `json:"status"`
	Detail          string  `json:"detail"`
	DurationSeconds float64 `json:"duration_seconds"`
}

type jsonSum struct {
	Mode          string `json:"mode"`
	Bucket        string `json:"bucket"`
	Object        string `json:"object"`
	Manifest      string `json:"manifest,omitempty"`
	MD5           string `json:"md5,omitempty"`
	SHA256        string `json:"sha256,omitempty"`
	CRC64         string `json:"crc64,omitempty"`
	BytesVerified *int64 `json:"bytes_verified"`
	PartsChecked  int    `json:"parts_checked,omitempty"`
	PartsTotal    int    `json:"parts_total,omitempty"`
}

type jsonBoot struct {
	InstanceID    string        `json:"instance_id"`
	Attempts      int           `json:"attempts"`
	Passes        int           `json:"passes"`
	Failures      int           `json:"failures"`
	Healthy       bool          `json:"healthy"`
	TimeToHealthy string        `json:"time_to_healthy,omitempty"`
	FirstFailure  string        `json:"first_failure,omitempty"`
	OutputTail    string        `json:"output_tail,omitempty"`
	Results       []jsonAttempt `json:"results"`
}

type jsonAttempt struct {
	Attempt
	AtSeconds   float64 `json:"at_seconds"`
	TookSeconds float64 `json:"took_seconds"`
}

type jsonRTO struct {
	Target          string `json:"target,omitempty"`
	Measured        string `json:"measured,omitempty"`
	RestoreDuration string `json:"restore_duration,omitempty"`
}

func durStr(d *time.Duration) string {
	if d == nil {
		return ""
	}
	return FormatDuration(*d)
}

// RenderJSON renders the run as an indented JSON document.
func RenderJSON(r *Result) ([]byte, error) {
	j := jsonReport{
		RunID: r.RunID, Name: r.Name, Status: r.Status,
		StartedAt: r.StartedAt.UTC().Format(time.RFC3339), FinishedAt: r.FinishedAt.UTC().Format(time.RFC3339),
		DurationSeconds: r.FinishedAt.Sub(r.StartedAt).Seconds(),
		Checks:          []jsonCheck{}, VerifiedPoints: nonNil(r.VerifiedPoints), Tagged: nonNil(r.Tagged),
	}
	for _, c := range r.Checks {
		j.Checks = append(j.Checks, jsonCheck{Name: c.Name, Status: c.Status, Detail: c.Detail, DurationSeconds: c.Duration.Seconds()})
	}
	if s := r.Checksum; s != nil {
		j.Checksum = &jsonSum{Mode: s.Mode, Bucket: s.Bucket, Object: s.Object, Manifest: s.Manifest,
			MD5: s.MD5, SHA256: s.SHA256, CRC64: s.CRC64, PartsChecked: s.PartsChecked, PartsTotal: s.PartsTotal}
		if s.BytesVerified >= 0 {
			n := s.BytesVerified
			j.Checksum.BytesVerified = &n
		}
	}
	if b := r.Boot; b != nil {
		j.BootTest = &jsonBoot{InstanceID: b.InstanceID, Attempts: len(b.Attempts), Passes: b.Passes, Failures: b.Failures,
			Healthy: b.Healthy, FirstFailure: b.FirstFailure, OutputTail: b.OutputTail, Results: []jsonAttempt{}}
		if b.Healthy {
			j.BootTest.TimeToHealthy = FormatDuration(b.TimeToHealthy)
		}
		for _, a := range b.Attempts {
			j.BootTest.Results = append(j.BootTest.Results, jsonAttempt{Attempt: a, AtSeconds: a.At.Seconds(), TookSeconds: a.Took.Seconds()})
		}
	}
	if r.RTOTarget != nil || r.MeasuredRTO != nil || r.RestoreDuration != nil {
		j.RTO = &jsonRTO{Target: durStr(r.RTOTarget), Measured: durStr(r.MeasuredRTO), RestoreDuration: durStr(r.RestoreDuration)}
	}
	out, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// JUnit XML, the dialect CI systems (GitLab, Jenkins, GitHub test
// reporters) read: one testsuite per run, one testcase per check.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	ID         string          `xml:"id,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
	SystemOut  string          `xml:"system-out,omitempty"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

func secs(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) }

// RenderJUnit renders the run as JUnit XML.
func RenderJUnit(r *Result) ([]byte, error) {
	name := "alidr_verification_run"
	if r.Name != "" {
		name += "." + r.Name
	}
	total := r.FinishedAt.Sub(r.StartedAt)
	s := junitSuite{Name: name, Time: secs(total), Timestamp: r.StartedAt.UTC().Format("2006-01-02T15:04:05"), ID: r.RunID,
		Properties: []junitProperty{{"run_id", r.RunID}, {"status", r.Status}, {"started_at", r.StartedAt.UTC().Format(time.RFC3339)},
			{"finished_at", r.FinishedAt.UTC().Format(time.RFC3339)}}}
	if r.MeasuredRTO != nil {
		s.Properties = append(s.Properties, junitProperty{"measured_rto", FormatDuration(*r.MeasuredRTO)})
	}
	if r.Checksum != nil {
		for _, p := range []junitProperty{{"md5", r.Checksum.MD5}, {"sha256", r.Checksum.SHA256}, {"crc64", r.Checksum.CRC64}} {
			if p.Value != "" {
				s.Properties = append(s.Properties, p)
			}
		}
	}
	for _, c := range r.Checks {
		tc := junitCase{Name: c.Name, Classname: name, Time: secs(c.Duration)}
		switch c.Status {
		case StatusFailed:
			tc.Failure = &junitMessage{Message: c.Detail, Type: c.Name, Text: c.Detail}
			s.Failures++
		case StatusSkipped:
			tc.Skipped = &junitMessage{Message: c.Detail}
			s.Skipped++
		default:
			tc.SystemOut = c.Detail
		}
		if c.Name == CheckBootTest && r.Boot != nil {
			for _, a := range r.Boot.Attempts {
				line := fmt.Sprintf("attempt %d at +%s: %s, exit code %d", a.N, FormatDuration(a.At), map[bool]string{true: "healthy", false: "unhealthy"}[a.Healthy], a.ExitCode)
				if a.Error != "" {
					line += " (" + a.Error + ")"
				}
				tc.SystemOut = joinLines(tc.SystemOut, line)
			}
			if r.Boot.OutputTail != "" {
				tc.SystemOut = joinLines(tc.SystemOut, "output tail of the last attempt:\n"+r.Boot.OutputTail)
			}
		}
		s.Cases = append(s.Cases, tc)
	}
	s.Tests = len(s.Cases)
	out, err := xml.MarshalIndent(junitSuites{Name: name, Tests: s.Tests, Failures: s.Failures, Skipped: s.Skipped,
		Time: s.Time, Suites: []junitSuite{s}}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}

func joinLines(a, b string) string {
	if a == "" {
		return b
	}
	return a + "\n" + b
}

// Render renders r in format json or junit (prometheus needs the labels
// of ReportSpec.Metrics: WriteReport renders it).
func Render(r *Result, format string) ([]byte, string, error) {
	switch format {
	case FormatJUnit:
		b, err := RenderJUnit(r)
		return b, "application/xml", err
	case FormatJSON, "":
		b, err := RenderJSON(r)
		return b, "application/json", err
	}
	if format == FormatPrometheus {
		return nil, "", errors.New("a prometheus report needs its labels: WriteReport renders it")
	}
	return nil, "", fmt.Errorf("unknown report format %q: use json, junit or prometheus", format)
}

// CheckReportPath fails early when a local report could not be written:
// the parent directory must exist.
func CheckReportPath(path string) error {
	if path == "" {
		return nil
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("the directory %q of report.path %q does not exist: create it first (the provider does not create directories) or change report.path", dir, path)
	}
	if err != nil {
		return fmt.Errorf("report.path %q: %w", path, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("report.path %q: %q is not a directory", path, dir)
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("report.path %q is a directory: name a file", path)
	}
	return nil
}

// WriteReport writes the rendered report to the local path (mode 0644)
// and/or the OSS object, then the metrics file and the Pushgateway push
// that spec.Metrics asks for.
func WriteReport(ctx context.Context, b Backend, r *Result, spec ReportSpec) error {
	reg, err := runMetrics(r, spec)
	if err != nil {
		return err
	}
	var metrics []byte
	if reg != nil {
		if metrics, err = encodeText(reg); err != nil {
			return err
		}
	}
	data, ctype := metrics, MetricsContentType
	if spec.Format != FormatPrometheus {
		if data, ctype, err = Render(r, spec.Format); err != nil {
			return err
		}
	}
	if spec.Path != "" {
		if err := CheckReportPath(spec.Path); err != nil {
			return err
		}
		if err := writeFile(spec.Path, data); err != nil {
			return fmt.Errorf("writing report to %s: %w", spec.Path, err)
		}
	}
	if spec.Bucket != "" {
		if err := b.PutObject(ctx, spec.Region, spec.Bucket, spec.Object, data, ctype); err != nil {
			return fmt.Errorf("uploading report to %s: %w", objURL(spec.Bucket, spec.Object), err)
		}
	}
	m := spec.Metrics
	if m == nil {
		return nil
	}
	if spec.Format != FormatPrometheus && m.Path != "" {
		if err := CheckReportPath(m.Path); err != nil {
			return err
		}
		if err := writeFile(m.Path, metrics); err != nil {
			return fmt.Errorf("writing metrics to %s: %w", m.Path, err)
		}
	}
	if m.PushURL != "" {
		return pushMetrics(ctx, reg, *m)
	}
	return nil
}

// writeFile replaces path atomically with data, mode 0644 whatever the
// umask: a reader (node_exporter's textfile collector, a CI upload) sees the
// old file or the new one, never a part, even after a crash.
func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
