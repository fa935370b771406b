package drpolicy

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

var t0 = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

// pt builds a usable, verified standard snapshot created hoursAgo before t0.
func pt(id string, hoursAgo int, mods ...func(*Point)) Point {
	p := Point{ID: id, DiskID: "d-x", Region: emulator.SeedRegion, Kind: "snapshot", Category: "standard",
		Created: t0.Add(-time.Duration(hoursAgo) * time.Hour), Verified: true, Status: "accomplished"}
	for _, m := range mods {
		m(&p)
	}
	return p
}

func status(s string) func(*Point) { return func(p *Point) { p.Status = s } }
func region(s string) func(*Point) { return func(p *Point) { p.Region = s } }
func isImage(p *Point)             { p.Kind = "image" }
func cat(s string) func(*Point)    { return func(p *Point) { p.Category = s } }
func unverified() func(*Point)     { return func(p *Point) { p.Verified = false } }
func disk(s string) func(*Point)   { return func(p *Point) { p.DiskID = s } }

func ids(ps []Point) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func TestSelect(t *testing.T) {
	points := []Point{
		pt("old", 48),
		pt("new", 1),
		pt("mid", 24, unverified()),
		pt("img", 12, isImage, status("Available"), cat("")),
		pt("sh", 6, region("cn-shanghai")),
		pt("arc", 100, cat("archive")),
		pt("busy", 0, status("progressing")),
		pt("bad", 2, status("failed")),
		pt("imgwait", 3, isImage, status("Creating")),
		pt("tieB", 30), pt("tieA", 30),
	}
	tests := []struct {
		name string
		f    Filter
		want []string
	}{
		{"usable only, newest first, ties by id", Filter{}, []string{"new", "sh", "img", "mid", "tieA", "tieB", "old", "arc"}},
		{"before is exclusive", Filter{Before: t0.Add(-6 * time.Hour)}, []string{"img", "mid", "tieA", "tieB", "old", "arc"}},
		{"after is exclusive", Filter{After: t0.Add(-30 * time.Hour)}, []string{"new", "sh", "img", "mid"}},
		{"between", Filter{After: t0.Add(-48 * time.Hour), Before: t0.Add(-12 * time.Hour)}, []string{"mid", "tieA", "tieB"}},
		{"max age inclusive", Filter{MaxAge: 24 * time.Hour, Now: t0}, []string{"new", "sh", "img", "mid"}},
		{"only verified", Filter{OnlyVerified: true, After: t0.Add(-25 * time.Hour)}, []string{"new", "sh", "img"}},
		{"regions case-insensitive", Filter{Regions: []string{"CN-SHANGHAI"}}, []string{"sh"}},
		{"kinds", Filter{Kinds: []string{"image"}}, []string{"img"}},
		{"empty category is standard", Filter{Categories: []string{"standard"}, Kinds: []string{"image"}}, []string{"img"}},
		{"archive category", Filter{Categories: []string{"archive"}}, []string{"arc"}},
		{"several values are any-of", Filter{Regions: []string{"cn-shanghai", emulator.SeedRegion}, Kinds: []string{"snapshot"}, Before: t0.Add(-24 * time.Hour)}, []string{"tieA", "tieB", "old", "arc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(points)
			if got := ids(Select(in, tt.f)); !slices.Equal(got, tt.want) {
				t.Fatalf("Select = %v, want %v", got, tt.want)
			}
			if !slices.EqualFunc(in, points, func(a, b Point) bool { return a == b }) {
				t.Fatal("Select modified its input")
			}
			p, err := Newest(points, tt.f)
			if err != nil || p.ID != tt.want[0] {
				t.Fatalf("Newest = %s, %v; want %s", p.ID, err, tt.want[0])
			}
		})
	}
}

func TestNewestErrors(t *testing.T) {
	twelve := func(mods ...func(*Point)) []Point {
		var ps []Point
		for i := range 12 {
			ps = append(ps, pt(fmt.Sprintf("s-%02d", i), 24+i, mods...))
		}
		return ps
	}
	tests := []struct {
		name   string
		points []Point
		f      Filter
		want   string
	}{
		{"none verified", twelve(unverified()), Filter{Before: t0, OnlyVerified: true},
			"no recovery point for disk d-x before 2026-11-20T08:00:00Z: 12 points exist, 0 are verified; run alidr_verification_run or set only_verified = false"},
		{"funnel lists only filters that removed points",
			append(twelve(unverified()), pt("late", 1), pt("busy", 30, status("progressing"))), Filter{Before: t0.Add(-2 * time.Hour), OnlyVerified: true},
			"no recovery point for disk d-x before 2026-11-20T06:00:00Z: 14 points exist, 13 are usable (snapshot status accomplished or image status Available), 12 were created before 2026-11-20T06:00:00Z, 0 are verified; run alidr_verification_run or set only_verified = false"},
		{"nothing at all", nil, Filter{},
			"no recovery point: no snapshots or images exist; check the disk id and region, or take a snapshot first"},
		{"still in progress", []Point{pt("a", 1, status("progressing")), pt("b", 2, isImage, status("Creating"))}, Filter{},
			"no recovery point for disk d-x: 2 points exist, 0 are usable (snapshot status accomplished or image status Available); wait for the points in status Creating, progressing to finish, or take a new snapshot"},
		{"wrong region", []Point{pt("a", 1), pt("b", 2, region("cn-shanghai"))}, Filter{Regions: []string{"cn-guangzhou"}},
			"no recovery point for disk d-x: 2 points exist, 0 are in region cn-guangzhou; add one of the regions that have points (" + emulator.SeedRegion + ", cn-shanghai) to regions, or copy a snapshot there"},
		{"wrong kind", []Point{pt("a", 1)}, Filter{Kinds: []string{"image"}},
			"no recovery point for disk d-x: 1 point exists, 0 are of kind image; add one of the kinds that exist (snapshot) to kinds"},
		{"wrong category", []Point{pt("a", 1)}, Filter{Categories: []string{"archive"}},
			"no recovery point for disk d-x: 1 point exists, 0 are in category archive; add one of the categories that exist (standard) to categories"},
		{"too early", []Point{pt("a", 30), pt("b", 40)}, Filter{Before: t0.Add(-48 * time.Hour)},
			"no recovery point for disk d-x before 2026-11-18T08:00:00Z: 2 points exist, 0 were created before 2026-11-18T08:00:00Z; the oldest was created 2026-11-18T16:00:00Z; set a later before"},
		{"too late", []Point{pt("a", 30), pt("b", 40)}, Filter{After: t0.Add(-1 * time.Hour), Before: t0},
			"no recovery point for disk d-x after 2026-11-20T07:00:00Z and before 2026-11-20T08:00:00Z: 2 points exist, 0 were created after 2026-11-20T07:00:00Z; the newest was created 2026-11-19T02:00:00Z; set an earlier after"},
		{"too old", []Point{pt("a", 30), pt("b", 40, disk("d-y"))}, Filter{MaxAge: 24 * time.Hour, Now: t0},
			"no recovery point for disks d-x, d-y at most 24h old: 2 points exist, 0 are at most 24h old; the newest is 30h old; raise max_age or take a new snapshot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Newest(tt.points, tt.f)
			if err == nil {
				t.Fatalf("Newest = %+v, want an error", p)
			}
			if !errors.Is(err, ErrNoRecoveryPoint) {
				t.Errorf("error does not match ErrNoRecoveryPoint")
			}
			if err.Error() != tt.want {
				t.Fatalf("error\n%s\nwant\n%s", err, tt.want)
			}
		})
	}
}

func TestUsable(t *testing.T) {
	for s, want := range map[string]bool{
		"accomplished": true, "Accomplished": true, "Available": true, "available": true,
		"progressing": false, "failed": false, "Creating": false, "Waiting": false,
		"UnAvailable": false, "CreateFailed": false, "Deprecated": false, "": false,
	} {
		if got := (Point{Status: s}).Usable(); got != want {
			t.Errorf("Usable(%q) = %v, want %v", s, got, want)
		}
	}
}

// A zero Now means the wall clock: a point from a minute ago is within an
// hour, one from two hours ago is not.
func TestMaxAgeDefaultsToNow(t *testing.T) {
	recent := Point{ID: "r", Status: "accomplished", Created: time.Now().Add(-time.Minute)}
	stale := Point{ID: "s", Status: "accomplished", Created: time.Now().Add(-2 * time.Hour)}
	if got := ids(Select([]Point{recent, stale}, Filter{MaxAge: time.Hour})); !slices.Equal(got, []string{"r"}) {
		t.Fatalf("Select = %v, want [r]", got)
	}
}
