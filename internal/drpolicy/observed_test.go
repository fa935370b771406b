package drpolicy

import (
	"testing"
	"time"
)

func TestObservedRPO(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	daily := []time.Time{}
	for i := 1; i <= 10; i++ {
		daily = append(daily, now.Add(-time.Duration(i)*24*time.Hour+3*time.Minute))
	}
	if rpo, ok := ObservedRPO(daily, now, 24*time.Hour); !ok || rpo != 24*time.Hour {
		t.Errorf("a healthy daily schedule observes %v, %v; want 24h", rpo, ok)
	}
	// Every other point skipped: 48h gaps.
	var skipped []time.Time
	for i := 1; i <= 10; i += 2 {
		skipped = append(skipped, now.Add(-time.Duration(i)*24*time.Hour))
	}
	if rpo, _ := ObservedRPO(skipped, now, 24*time.Hour); rpo != 48*time.Hour {
		t.Errorf("skipped points observe %v, want 48h", rpo)
	}
	// The newest is 30h old with a 24h schedule: the overrun counts.
	if rpo, _ := ObservedRPO([]time.Time{now.Add(-30 * time.Hour), now.Add(-54 * time.Hour)}, now, 24*time.Hour); rpo != 30*time.Hour {
		t.Errorf("an overrun in progress observes %v, want 30h", rpo)
	}
	if _, ok := ObservedRPO(nil, now, time.Hour); ok {
		t.Error("no snapshot: want ok false")
	}
}

func TestArchiveCandidates(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	snaps := []Snapshot{
		{ID: "daily", Created: now.Add(-20 * day), RetentionDays: 7},
		{ID: "monthly-young", Created: now.Add(-10 * day), RetentionDays: 93},
		{ID: "monthly", Created: now.Add(-20 * day), RetentionDays: 93},
		{ID: "monthly-ending", Created: now.Add(-40 * day), RetentionDays: 93}, // 53 days left < 60
		{ID: "yearly-archived", Created: now.Add(-20 * day), RetentionDays: 366, Category: "archive"},
		{ID: "weekly", Created: now.Add(-20 * day), RetentionDays: 28}, // under 74 days
	}
	got := ArchiveCandidates(snaps, 7, now)
	if len(got) != 1 || got[0].ID != "monthly" {
		t.Fatalf("ArchiveCandidates = %+v, want only monthly", got)
	}
}

func TestSpecialRulesRoundTrip(t *testing.T) {
	r := Tiers{Retention{DailyDays: 7, MonthlyMonths: 3, YearlyYears: 1}, 4}
	if r.String() != "7+4w+3+1" {
		t.Errorf("String() = %q", r.String())
	}
	rules := r.SpecialRules()
	if len(rules) != 3 || rules[1] != (SpecialRule{Period: "MONTHS", Unit: "DAYS", Interval: 93}) {
		t.Fatalf("SpecialRules = %+v", rules)
	}
	var back Tiers
	back.FromSpecialRules(rules)
	if back.WeeklyWeeks != 4 || back.MonthlyMonths != 3 || back.YearlyYears != 1 {
		t.Fatalf("FromSpecialRules(SpecialRules()) = %+v", back)
	}
	// A monthly rule changed in the console to 100 days reads as 4 months.
	back.FromSpecialRules([]SpecialRule{{Period: "MONTHS", Unit: "DAYS", Interval: 100}})
	if back.MonthlyMonths != 4 || back.WeeklyWeeks != 0 {
		t.Fatalf("a foreign rule reads as %+v", back)
	}
}
