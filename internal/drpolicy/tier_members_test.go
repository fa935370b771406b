package drpolicy

import "testing"

func TestTierMembers(t *testing.T) {
	now := at(2026, 11, 20, 12)
	// Daily snapshots since 2026-05-01 kept 7 days, then tiered 7+3+1.
	snaps := dailyRun("d-1", at(2026, 5, 1, 2), at(2026, 11, 20, 2), 7)
	r := Retention{DailyDays: 7, MonthlyMonths: 3, YearlyYears: 1}
	// Monthly members: Sep, Oct, Nov (Aug's 3 months ended on Nov 1); the
	// yearly member is May 1st (the first of 2026 in the run), active until 2027-05-01.
	if got := TierMembers(r, snaps, now, cst); got != 4 {
		t.Fatalf("TierMembers = %d, want 4", got)
	}
	pending := PlanTiers(r, snaps, now, cst)
	if len(pending) != 4 {
		t.Fatalf("%d pending actions before tiering, want 4", len(pending))
	}
	apply(snaps, pending)
	if got := len(PlanTiers(r, snaps, now, cst)); got != 0 {
		t.Fatalf("%d pending after applying", got)
	}
	if got := TierMembers(r, snaps, now, cst); got != 4 {
		t.Fatalf("TierMembers after applying = %d, want 4 (tiering does not change membership)", got)
	}
	if got := TierMembers(Retention{DailyDays: 7}, snaps, now, cst); got != 0 {
		t.Fatalf("no tiers: %d members", got)
	}
}
