package drpolicy

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // America/New_York for the DST case, without relying on the host
)

var cst = time.FixedZone("CST", 8*3600)

func TestRetentionValidate(t *testing.T) {
	tests := []struct {
		r       Retention
		wantErr string
	}{
		{Retention{7, 3, 1}, ""},
		{Retention{-1, 0, 0}, ""},
		{Retention{65535, 1200, 100}, ""},
		{Retention{0, 3, 1}, "daily retention 0 days is not accepted by ECS: use 1 to 65535 days, or -1"},
		{Retention{65536, 3, 1}, "daily retention 65536 days"},
		{Retention{-2, 3, 1}, "daily retention -2 days"},
		{Retention{7, -1, 1}, "monthly retention -1 months is out of range: use 0 (no monthly tier) to 1200 months"},
		{Retention{7, 1201, 1}, "monthly retention 1201 months"},
		{Retention{7, 3, 101}, "yearly retention 101 years is out of range: use 0 (no yearly tier) to 100 years"},
	}
	for _, tt := range tests {
		err := tt.r.Validate()
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%v.Validate() = %v, want %q", tt.r, err, tt.wantErr)
		}
	}
	for r, want := range map[Retention]string{{7, 3, 1}: "7+3+1", {-1, 0, 2}: "forever+0+2"} {
		if got := r.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}

// dailyRun makes one snapshot a day at 02:00 CST from first to last inclusive.
func dailyRun(disk string, first, last time.Time, retention int) []Snapshot {
	var out []Snapshot
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		out = append(out, Snapshot{
			ID: fmt.Sprintf("s-%s-%s", disk, d.Format("20060102")), DiskID: disk,
			Created: d, RetentionDays: retention, Category: "standard",
		})
	}
	return out
}

func at(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, cst) }

// apply mutates snaps as ECS would after the actions.
func apply(snaps []Snapshot, actions []Action) {
	byID := map[string]Action{}
	for _, a := range actions {
		byID[a.SnapshotID] = a
	}
	for i := range snaps {
		if a, ok := byID[snaps[i].ID]; ok {
			if a.Extend {
				snaps[i].RetentionDays = a.NewRetentionDays
			}
			if a.Archive {
				snaps[i].Category = "archive"
			}
		}
	}
}

type want struct {
	days    int // 0: not extended
	archive bool
}

func actionMap(actions []Action) map[string]want {
	m := map[string]want{}
	for _, a := range actions {
		w := want{archive: a.Archive}
		if a.Extend {
			w.days = a.NewRetentionDays
		}
		m[a.SnapshotID] = w
	}
	return m
}

// Thirteen months of daily snapshots all still listed, 7+3+1, planned on
// 2026-11-24 12:00 CST.
func TestPlanTiersThirteenMonths(t *testing.T) {
	snaps := dailyRun("d-1", at(2025, 10, 1, 2), at(2026, 11, 24, 2), 7)
	now := at(2026, 11, 24, 12)
	actions := PlanTiers(Retention{7, 3, 1}, snaps, now, cst)
	got := actionMap(actions)
	exp := map[string]want{
		// first of 2026: yearly tier, 1 year (its monthly period ended 2026-04-01).
		"s-d-1-20260101": {days: 365},
		// monthly firsts whose 3 months have not ended; only Nov 1 is old
		// enough (>= 14 days) with >= 60 days left to archive.
		"s-d-1-20260901": {days: 91},
		"s-d-1-20261001": {days: 92},
		"s-d-1-20261101": {days: 92, archive: true},
	}
	if !maps.Equal(got, exp) {
		t.Fatalf("actions = %v\nwant %v", got, exp)
	}
	if s := Summary(actions); s != "4 snapshots to extend, 1 to archive" {
		t.Errorf("Summary = %q", s)
	}
	for _, a := range actions {
		if a.SnapshotID == "s-d-1-20261101" && a.Reason != "first snapshot of 2026-11 (monthly tier, 3 months): keep 92 days (until 2027-02-01) instead of 7; move to the archive tier" {
			t.Errorf("Reason = %q", a.Reason)
		}
		if a.SnapshotID == "s-d-1-20260101" && !strings.Contains(a.Reason, "first snapshot of 2026 (yearly tier, 1 year): keep 365 days (until 2027-01-01)") {
			t.Errorf("Reason = %q", a.Reason)
		}
	}
	apply(snaps, actions)
	if again := PlanTiers(Retention{7, 3, 1}, snaps, now, cst); len(again) != 0 {
		t.Fatalf("second pass not empty: %+v", again)
	}
}

// Day by day for 13 months: ECS takes the 02:00 snapshot, deletes expired
// ones, the plan runs at 12:00 and is applied. Checks the invariants every day
// and which snapshots survive at the end.
func TestPlanTiersSimulation(t *testing.T) {
	r := Retention{7, 3, 1}
	var snaps []Snapshot
	last := map[string]int{} // retention per id, to catch shortening
	for day := at(2025, 10, 1, 0); !day.After(at(2026, 11, 24, 0)); day = day.AddDate(0, 0, 1) {
		created := day.Add(2 * time.Hour)
		snaps = append(snaps, Snapshot{ID: "s-" + created.Format("20060102"), DiskID: "d-1", Created: created, RetentionDays: r.DailyDays, Category: "standard"})
		now := day.Add(12 * time.Hour)
		snaps = slices.DeleteFunc(snaps, func(s Snapshot) bool {
			return s.RetentionDays > 0 && !s.Created.Add(time.Duration(s.RetentionDays)*24*time.Hour).After(now)
		})
		actions := PlanTiers(r, snaps, now, cst)
		for _, a := range actions {
			s := snaps[slices.IndexFunc(snaps, func(s Snapshot) bool { return s.ID == a.SnapshotID })]
			if a.Extend && a.NewRetentionDays <= s.RetentionDays {
				t.Fatalf("%s: %s shortened or unchanged %d -> %d", now, s.ID, s.RetentionDays, a.NewRetentionDays)
			}
			if a.Archive {
				if now.Sub(s.Created) < 14*24*time.Hour {
					t.Fatalf("%s: %s archived at age %v", now, s.ID, now.Sub(s.Created))
				}
				if left := s.Created.Add(time.Duration(a.NewRetentionDays) * 24 * time.Hour).Sub(now); left < 60*24*time.Hour {
					t.Fatalf("%s: %s archived with only %v left", now, s.ID, left)
				}
			}
		}
		apply(snaps, actions)
		if again := PlanTiers(r, snaps, now, cst); len(again) != 0 {
			t.Fatalf("%s: second pass not empty: %+v", now, again)
		}
		for _, s := range snaps {
			if s.RetentionDays < last[s.ID] {
				t.Fatalf("%s: %s retention went down", now, s.ID)
			}
			last[s.ID] = s.RetentionDays
		}
	}
	var got []string
	for _, s := range snaps {
		got = append(got, fmt.Sprintf("%s %d %s", s.ID, s.RetentionDays, s.Category))
	}
	exp := []string{
		"s-20260101 365 archive", // yearly; archived on Jan 15 while in the monthly tier
		"s-20260901 91 archive",
		"s-20261001 92 archive",
		"s-20261101 92 archive",
		"s-20261118 7 standard", "s-20261119 7 standard", "s-20261120 7 standard", "s-20261121 7 standard",
		"s-20261122 7 standard", "s-20261123 7 standard", "s-20261124 7 standard",
	}
	if !slices.Equal(got, exp) {
		t.Fatalf("surviving snapshots:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(exp, "\n"))
	}
}

func TestPlanTiersCases(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	now := at(2026, 11, 24, 12)
	snap := func(id string, created time.Time, days int, cat string) Snapshot {
		return Snapshot{ID: id, DiskID: "d-1", Created: created, RetentionDays: days, Category: cat}
	}
	tests := []struct {
		name  string
		r     Retention
		snaps []Snapshot
		now   time.Time
		loc   *time.Location
		want  map[string]want
	}{
		{"already kept longer is not shortened, still archived", Retention{7, 3, 0},
			[]Snapshot{snap("a", at(2026, 11, 1, 2), 400, "standard")}, now, cst,
			map[string]want{"a": {archive: true}}},
		{"forever (-1) stays forever", Retention{7, 3, 1},
			[]Snapshot{snap("a", at(2026, 11, 1, 2), -1, "standard")}, now, cst,
			map[string]want{"a": {archive: true}}},
		{"no retention set (0) counts as forever", Retention{7, 3, 1},
			[]Snapshot{snap("a", at(2026, 11, 1, 2), 0, "standard")}, now, cst,
			map[string]want{"a": {archive: true}}},
		{"already archived and long enough: nothing", Retention{7, 3, 0},
			[]Snapshot{snap("a", at(2026, 11, 1, 2), 92, "Archive")}, now, cst,
			map[string]want{}},
		{"under 14 days old: extend, archive later", Retention{7, 3, 0},
			[]Snapshot{snap("a", at(2026, 11, 11, 13), 7, "standard")}, now, cst,
			map[string]want{"a": {days: 92}}},
		{"under 60 days left: extend only", Retention{7, 2, 0},
			[]Snapshot{snap("a", at(2026, 10, 1, 2), 7, "standard")}, now, cst,
			map[string]want{"a": {days: 61}}},
		{"yearly tier alone does not archive", Retention{7, 0, 1},
			[]Snapshot{snap("a", at(2026, 1, 1, 2), 7, ""), snap("b", at(2026, 1, 2, 2), 7, "")}, now, cst,
			map[string]want{"a": {days: 365}}},
		{"no tiers: nothing", Retention{7, 0, 0},
			[]Snapshot{snap("a", at(2026, 11, 1, 2), 7, "")}, now, cst,
			map[string]want{}},
		{"period ended: nothing", Retention{7, 1, 0},
			[]Snapshot{snap("a", at(2026, 10, 1, 2), 7, "")}, now, cst,
			map[string]want{}},
		{"month boundary follows loc", Retention{7, 3, 0},
			[]Snapshot{
				snap("oct", time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC), 7, ""),
				// 2026-10-31T20:00Z is Nov 1 04:00 in CST: first of November there.
				snap("nov", time.Date(2026, 10, 31, 20, 0, 0, 0, time.UTC), 7, ""),
			}, now, cst,
			map[string]want{"oct": {days: 92, archive: true}, "nov": {days: 92, archive: true}}},
		{"same snapshots in UTC: both October", Retention{7, 3, 0},
			[]Snapshot{
				snap("oct", time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC), 7, ""),
				snap("nov", time.Date(2026, 10, 31, 20, 0, 0, 0, time.UTC), 7, ""),
			}, now, nil,
			map[string]want{"oct": {days: 92, archive: true}}},
		{"DST: 92 days and an hour round up to 93", Retention{7, 3, 0},
			[]Snapshot{snap("a", time.Date(2026, 10, 1, 2, 0, 0, 0, ny), 7, "")}, time.Date(2026, 10, 2, 0, 0, 0, 0, ny), ny,
			map[string]want{"a": {days: 93}}},
		{"each disk has its own firsts, input order irrelevant", Retention{7, 3, 0},
			[]Snapshot{
				{ID: "b2", DiskID: "d-b", Created: at(2026, 11, 2, 2), RetentionDays: 7},
				{ID: "a1", DiskID: "d-a", Created: at(2026, 11, 1, 2), RetentionDays: 7},
				{ID: "b1", DiskID: "d-b", Created: at(2026, 11, 3, 2), RetentionDays: 7},
				{ID: "a2", DiskID: "d-a", Created: at(2026, 11, 2, 2), RetentionDays: 7},
			}, now, cst,
			map[string]want{"a1": {days: 92, archive: true}, "b2": {days: 92, archive: true}}},
		{"same instant: lowest id is first", Retention{7, 3, 0},
			[]Snapshot{snap("y", at(2026, 11, 1, 2), 7, ""), snap("x", at(2026, 11, 1, 2), 7, "")}, now, cst,
			map[string]want{"x": {days: 92, archive: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			actions := PlanTiers(tt.r, tt.snaps, tt.now, tt.loc)
			if got := actionMap(actions); !maps.Equal(got, tt.want) {
				t.Fatalf("actions = %v, want %v", got, tt.want)
			}
			for _, a := range actions {
				if a.Reason == "" {
					t.Errorf("action %s has no reason", a.SnapshotID)
				}
			}
			snaps := slices.Clone(tt.snaps)
			apply(snaps, actions)
			if again := PlanTiers(tt.r, snaps, tt.now, tt.loc); len(again) != 0 {
				t.Fatalf("second pass not empty: %+v", again)
			}
		})
	}
}

func TestSummary(t *testing.T) {
	tests := []struct {
		actions []Action
		want    string
	}{
		{nil, "no changes"},
		{[]Action{{Extend: true}}, "1 snapshot to extend"},
		{[]Action{{Extend: true}, {Extend: true, Archive: true}, {Archive: true}}, "2 snapshots to extend, 2 to archive"},
		{[]Action{{Extend: true}, {Extend: true}, {Archive: true}}, "2 snapshots to extend, 1 to archive"},
		{[]Action{{Archive: true}}, "1 snapshot to archive"},
		{[]Action{{Archive: true}, {Archive: true}}, "2 snapshots to archive"},
	}
	for _, tt := range tests {
		if got := Summary(tt.actions); got != tt.want {
			t.Errorf("Summary(%+v) = %q, want %q", tt.actions, got, tt.want)
		}
	}
}
