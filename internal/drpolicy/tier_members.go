package drpolicy

import (
	"slices"
	"time"
)

// TierMembers counts the snapshots a monthly or yearly tier holds at now: the
// first snapshot of a month or year whose tier period has not ended. Every
// snapshot PlanTiers still wants to act on is one of them, so TierMembers
// minus len(PlanTiers(...)) is how many are already tiered.
func TierMembers(r Retention, snaps []Snapshot, now time.Time, loc *time.Location) int {
	// With a one-day retention and the standard tier, every member of an active
	// monthly (>= 28 days) or yearly tier needs extending, so PlanTiers returns
	// exactly one action per member.
	norm := slices.Clone(snaps)
	for i := range norm {
		norm[i].RetentionDays = 1
		norm[i].Category = "standard"
	}
	return len(PlanTiers(r, norm, now, loc))
}
