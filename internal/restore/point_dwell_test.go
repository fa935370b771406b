package restore

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/alidr/terraform-provider-alidr/internal/drpolicy"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

func TestPointQueryDwellValidation(t *testing.T) {
	at := func(name string) []any { return []any{"source", "recovery_point", name} }
	for _, tt := range []struct {
		q    PointQuery
		want string // a word of the detail; "" for valid
	}{
		{PointQuery{Before: "2026-11-20T08:00:00Z", Dwell: "72h"}, ""},
		{PointQuery{Dwell: "72h"}, "set before"},
		{PointQuery{Before: "2026-11-20T08:00:00Z", Dwell: "3 days"}, "dwell:"},
		{PointQuery{Before: "2026-11-20T08:00:00Z", Dwell: "0h"}, "longer than zero"},
	} {
		fs := tt.q.Validate()
		switch {
		case tt.want == "" && len(fs) != 0:
			t.Errorf("%+v: %+v", tt.q, fs)
		case tt.want != "" && (len(fs) != 1 || !reflect.DeepEqual(fs[0].Path, at("dwell")) || !strings.Contains(fs[0].Detail, tt.want)):
			t.Errorf("%+v: %+v, want %q at dwell", tt.q, fs, tt.want)
		}
	}
}

func TestPointQueryLastCleanPoint(t *testing.T) {
	attack := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	at := func(h int) time.Time { return attack.Add(-time.Duration(h) * time.Hour) }
	points := []drpolicy.Point{
		{ID: "s-clean", Kind: "snapshot", Region: emulator.SeedRegion, Created: at(96), Status: "accomplished", Locked: true},
		{ID: "s-unlocked", Kind: "snapshot", Region: emulator.SeedRegion, Created: at(80), Status: "accomplished"},
		{ID: "s-dwell", Kind: "snapshot", Region: emulator.SeedRegion, Created: at(24), Status: "accomplished", Locked: true},
		{ID: "s-after", Kind: "snapshot", Region: emulator.SeedRegion, Created: at(-2), Status: "accomplished", Locked: true},
	}
	q := PointQuery{Before: attack.Format(time.RFC3339), Dwell: "72h", OnlyLocked: true}
	now := attack.Add(48 * time.Hour)
	p, err := q.Choose(points, emulator.SeedRegion, now)
	if err != nil || p.ID != "s-clean" {
		t.Fatalf("got %s, %v", p.ID, err)
	}
	lines := q.PassedOver(points, emulator.SeedRegion, now, p)
	want := []string{"s-after", "s-dwell", "s-unlocked"}
	if len(lines) != len(want) {
		t.Fatalf("passed over %q", lines)
	}
	for i, id := range want {
		if !strings.HasPrefix(lines[i], id+" ") {
			t.Errorf("line %d = %q, want %s", i, lines[i], id)
		}
	}
	if !strings.Contains(lines[0], "created at or after before") || !strings.Contains(lines[1], "dwell window") || !strings.HasSuffix(lines[2], "not locked") {
		t.Errorf("reasons %q", lines)
	}
}
