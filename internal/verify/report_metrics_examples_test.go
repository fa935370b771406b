package verify

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v2"
)

// The dashboard and alert rules in examples/ must query only what the
// provider emits: checked offline against metricDefs.

var (
	metricRE = regexp.MustCompile(`\balidr_[a-z0-9_]+`)
	// Label names in matchers ({site=~"..."}) and groupings (by/on (...)).
	matcherRE  = regexp.MustCompile(`([a-z_]+)\s*(=~|!~|!=|=)\s*"`)
	groupingRE = regexp.MustCompile(`\b(?:by|on|without|ignoring)\s*\(([^)]*)\)`)
)

// checkExpr fails when expr names no metric, a metric the provider does
// not emit, or a label its series cannot carry.
func checkExpr(t *testing.T, where, expr string) {
	t.Helper()
	names := metricRE.FindAllString(expr, -1)
	if len(names) == 0 {
		t.Errorf("%s: %q queries no alidr metric", where, expr)
	}
	for _, n := range names {
		if !slices.Contains(MetricNames(), n) {
			t.Errorf("%s: %q queries %s, which the provider does not emit (it emits %v)", where, expr, n, MetricNames())
		}
	}
	// The provider's labels, and what Prometheus or a Pushgateway adds.
	known := []string{labelSite, labelRegion, labelRecoveryPoint, labelCheck, "job", "instance"}
	var labels []string
	for _, m := range matcherRE.FindAllStringSubmatch(expr, -1) {
		labels = append(labels, m[1])
	}
	for _, m := range groupingRE.FindAllStringSubmatch(expr, -1) {
		for _, l := range strings.Split(m[1], ",") {
			labels = append(labels, strings.TrimSpace(l))
		}
	}
	for _, l := range labels {
		if !slices.Contains(known, l) {
			t.Errorf("%s: %q uses label %q, which no alidr series has", where, expr, l)
		}
	}
}

// grafanaDashboard is the part of Grafana's dashboard model the check reads.
type grafanaDashboard struct {
	UID           *string `json:"uid"`
	Title         *string `json:"title"`
	SchemaVersion *int    `json:"schemaVersion"`
	Time          *struct{ From, To string }
	Templating    struct {
		List []struct {
			Name, Type string
			Query      json.RawMessage
		}
	}
	Panels []struct {
		ID      *int                      `json:"id"`
		Type    string                    `json:"type"`
		Title   string                    `json:"title"`
		GridPos *struct{ H, W, X, Y int } `json:"gridPos"`
		Targets []struct {
			RefID string `json:"refId"`
			Expr  string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
}

func TestGrafanaDashboard(t *testing.T) {
	raw, err := os.ReadFile("../../examples/dashboards/alidr-drills.json")
	if err != nil {
		t.Fatal(err)
	}
	var d grafanaDashboard
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if d.UID == nil || *d.UID == "" || len(*d.UID) > 40 {
		t.Error("uid: required, at most 40 characters")
	}
	if d.Title == nil || *d.Title == "" {
		t.Error("title required")
	}
	// Grafana migrates older models on load; 39 is the version of the
	// panels used here (stat, timeseries, table with fieldConfig).
	if d.SchemaVersion == nil || *d.SchemaVersion < 36 {
		t.Error("schemaVersion required, >= 36")
	}
	if d.Time == nil || d.Time.From == "" || d.Time.To == "" {
		t.Error("time range required")
	}
	vars := map[string]bool{}
	for _, v := range d.Templating.List {
		vars[v.Name] = true
		if v.Type == "query" {
			var q struct{ Query string }
			if json.Unmarshal(v.Query, &q) != nil || q.Query == "" {
				t.Errorf("variable %s: query missing", v.Name)
			}
			checkExpr(t, "variable "+v.Name, q.Query)
		}
	}
	if !vars["datasource"] || !vars["site"] {
		t.Error("variables datasource and site required")
	}
	if len(d.Panels) == 0 {
		t.Fatal("no panels")
	}
	ids := map[int]bool{}
	types := []string{"stat", "timeseries", "table", "bargauge", "gauge"}
	queried := map[string]bool{}
	for _, p := range d.Panels {
		where := "panel " + p.Title
		if p.ID == nil || ids[*p.ID] {
			t.Errorf("%s: id missing or repeated", where)
		} else {
			ids[*p.ID] = true
		}
		if !slices.Contains(types, p.Type) || p.Title == "" {
			t.Errorf("%s: type %q or title missing", where, p.Type)
		}
		if g := p.GridPos; g == nil || g.W <= 0 || g.H <= 0 || g.X < 0 || g.Y < 0 || g.X+g.W > 24 {
			t.Errorf("%s: gridPos %+v outside Grafana's 24-column grid", where, g)
		}
		if len(p.Targets) == 0 {
			t.Errorf("%s: no targets", where)
		}
		refs := map[string]bool{}
		for _, tg := range p.Targets {
			if tg.RefID == "" || refs[tg.RefID] || tg.Expr == "" {
				t.Errorf("%s: target needs a unique refId and an expr: %+v", where, tg)
			}
			refs[tg.RefID] = true
			checkExpr(t, where, tg.Expr)
			for _, n := range metricRE.FindAllString(tg.Expr, -1) {
				queried[n] = true
			}
		}
	}
	// What the issue asks the dashboard to show.
	for _, n := range []string{MetricMeasuredRTO, MetricRTOTarget, MetricEffectiveRPO, MetricObservedRPO, MetricRPOTarget,
		MetricLastSuccess, MetricBytesVerifiedTotal, MetricFailuresTotal, MetricCheckPassed} {
		if !queried[n] {
			t.Errorf("no panel shows %s", n)
		}
	}
}

func TestAlertRules(t *testing.T) {
	raw, err := os.ReadFile("../../examples/alerts/alidr-drills.rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Groups []struct {
			Name  string
			Rules []struct {
				Alert, Expr, For string
				Labels           map[string]string
				Annotations      map[string]string
			}
		}
	}
	if err := yaml.UnmarshalStrict(raw, &f); err != nil {
		t.Fatalf("rules file: %v", err)
	}
	alerts := map[string]bool{}
	for _, g := range f.Groups {
		if g.Name == "" {
			t.Error("group without a name")
		}
		for _, r := range g.Rules {
			if r.Alert == "" || r.Labels["severity"] == "" || r.Annotations["summary"] == "" {
				t.Errorf("rule %q: alert, labels.severity and annotations.summary required", r.Alert)
			}
			checkExpr(t, "alert "+r.Alert, r.Expr)
			alerts[r.Alert] = true
		}
	}
	for _, a := range []string{"AlidrDrillStale", "AlidrRTOOverTarget", "AlidrEffectiveRPOOverTarget", "AlidrObservedRPOOverTarget"} {
		if !alerts[a] {
			t.Errorf("alert %s missing", a)
		}
	}
}
