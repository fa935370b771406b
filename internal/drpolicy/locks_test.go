package drpolicy

import (
	"testing"
	"time"
)

func TestLockTargets(t *testing.T) {
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 2, 0, 0, 0, time.UTC) }
	snaps := []Snapshot{
		{ID: "s-feb1", DiskID: "d-1", Created: day(2, 1), RetentionDays: 93},
		{ID: "s-feb2", DiskID: "d-1", Created: day(2, 2), RetentionDays: 7},
		{ID: "s-jan1", DiskID: "d-1", Created: day(1, 1), RetentionDays: 366},
		{ID: "s-jan1b", DiskID: "d-2", Created: day(1, 1), RetentionDays: 366},
	}
	tiers := Tiers{Retention: Retention{DailyDays: 7, MonthlyMonths: 3, YearlyYears: 1}}
	now := day(2, 3)
	got := map[string]LockTarget{}
	for _, l := range LockTargets(tiers, []string{"monthly", "yearly"}, snaps, now, nil) {
		got[l.Snapshot.ID] = l
	}
	if len(got) != 3 {
		t.Fatalf("want s-jan1, s-jan1b (yearly) and s-feb1 (monthly), got %v", got)
	}
	if l := got["s-jan1"]; l.Tier != "yearly" || !l.Until.Equal(day(1, 1).AddDate(0, 0, 366)) {
		t.Errorf("s-jan1: %+v", l)
	}
	if l := got["s-feb1"]; l.Tier != "monthly" || !l.Until.Equal(day(2, 1).AddDate(0, 0, 93)) {
		t.Errorf("s-feb1: %+v", l)
	}
	// A tier whose end has passed locks nothing.
	if got := LockTargets(tiers, []string{"monthly"}, snaps, day(12, 1), nil); len(got) != 0 {
		t.Errorf("expired monthly points: %v", got)
	}
}

func TestLockDaysAndRetention(t *testing.T) {
	now := time.Date(2026, 2, 3, 0, 0, 0, 0, time.UTC)
	if got := LockDays(now.Add(36*time.Hour), now, 0); got != 2 {
		t.Errorf("LockDays 36h = %d, want 2", got)
	}
	if got := LockDays(now.Add(time.Hour), now, 72); got != 3 {
		t.Errorf("LockDays with a 72h cool-off = %d, want 3", got)
	}
	s := Snapshot{Created: now.AddDate(0, 0, -2), RetentionDays: 7}
	if got := RetentionForLock(s, now, 30); got != 32 {
		t.Errorf("RetentionForLock = %d, want 32", got)
	}
	if got := RetentionForLock(s, now, 5); got != 0 {
		t.Errorf("RetentionForLock within retention = %d, want 0", got)
	}
}
