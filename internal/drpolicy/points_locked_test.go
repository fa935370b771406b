package drpolicy

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

func locked() func(*Point) { return func(p *Point) { p.Locked = true } }

// The last clean point: the attack was seen at t0, the attacker may have
// been inside for 72h, so the newest locked, verified point created before
// t0-72h is chosen, and each newer candidate says why it was passed over.
func TestLastCleanPointWithDwellAndLocks(t *testing.T) {
	points := []Point{
		pt("during-attack", 2, locked()),           // inside the dwell window
		pt("in-dwell", 50, locked(), unverified()), // inside the window, unverified
		pt("unlocked", 80),                         // before the window, not locked
		pt("clean", 100, locked()),                 // the answer
		pt("older", 200, locked()),
		pt("other-region", 10, locked(), region("cn-shanghai")), // out of scope
		pt("image", 90, isImage),                                // images cannot be locked
	}
	f := Filter{Now: t0, Before: t0, Dwell: 72 * time.Hour, OnlyLocked: true, OnlyVerified: true, Regions: []string{emulator.SeedRegion}}
	got, err := Newest(points, f)
	if err != nil || got.ID != "clean" {
		t.Fatalf("Newest = %s, %v; want clean", got.ID, err)
	}
	lines := PassedOver(points, f, got)
	if len(lines) != 4 {
		t.Fatalf("passed over:\n%s", strings.Join(lines, "\n"))
	}
	for i, want := range []struct{ id, reason string }{
		{"during-attack", "too new for the 72h dwell window (created at or after 2026-11-17T08:00:00Z)"},
		{"in-dwell", "too new for the 72h dwell window"},
		{"unlocked", "not locked"},
		{"image", "not locked (an image cannot be locked)"},
	} {
		if !strings.HasPrefix(lines[i], want.id+" (") || !strings.Contains(lines[i], want.reason) {
			t.Errorf("line %d = %q, want %s: %s", i, lines[i], want.id, want.reason)
		}
	}
	if !strings.Contains(lines[1], "not verified") {
		t.Errorf("in-dwell should also be unverified: %q", lines[1])
	}
	if slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "other-region") || strings.HasPrefix(l, "older") }) {
		t.Errorf("out-of-scope or older points listed: %v", lines)
	}
}

func TestDwellWithoutBeforeDoesNothingAndErrorsNameTheDwell(t *testing.T) {
	points := []Point{pt("a", 10, locked()), pt("b", 20)}
	if got, err := Newest(points, Filter{Now: t0, Dwell: 72 * time.Hour}); err != nil || got.ID != "a" {
		t.Errorf("dwell without before: %s, %v", got.ID, err)
	}
	_, err := Newest(points, Filter{Now: t0, Before: t0, Dwell: 72 * time.Hour})
	if !errors.Is(err, ErrNoRecoveryPoint) || !strings.Contains(err.Error(), "minus a 72h dwell time") ||
		!strings.Contains(err.Error(), "shorten dwell or set a later before") {
		t.Errorf("error %v", err)
	}
	_, err = Newest(points, Filter{Now: t0, OnlyLocked: true, Before: t0.Add(-15 * time.Hour)})
	if err == nil || !strings.Contains(err.Error(), "0 are locked") {
		t.Errorf("only_locked error %v", err)
	}
}
