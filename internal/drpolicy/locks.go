package drpolicy

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Lock tiers of an enterprise policy: every snapshot is in the daily tier,
// the first snapshot of each week, month and year (in the schedule's zone)
// in the weekly, monthly and yearly tier, kept as long as the policy's
// special retention rule keeps it (SpecialRules: weeks, months as 31 days,
// years as 366 days).
var LockTierNames = []string{"daily", "weekly", "monthly", "yearly"}

// TierDays is how many days tier keeps a point; 0 when the tier is off.
func (t Tiers) TierDays(tier string) int {
	switch tier {
	case "daily":
		return t.DailyDays
	case "weekly":
		return t.WeeklyWeeks * 7
	case "monthly":
		return t.MonthlyMonths * daysPerMonth
	case "yearly":
		return t.YearlyYears * daysPerYear
	}
	return 0
}

// LockTarget is a point a locked tier wants locked until Until.
type LockTarget struct {
	Snapshot Snapshot
	Tier     string // the locked tier keeping it longest
	Until    time.Time
}

// LockTargets are the disks' own snapshots (snaps, one region) that the
// locked tiers keep past now, each with the end of the longest locked tier
// holding it. A nil loc means UTC.
func LockTargets(t Tiers, locked []string, snaps []Snapshot, now time.Time, loc *time.Location) []LockTarget {
	if loc == nil {
		loc = time.UTC
	}
	list := slices.Clone(snaps)
	slices.SortStableFunc(list, func(a, b Snapshot) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	seen := map[string]bool{} // disk + period key
	var out []LockTarget
	for _, s := range list {
		local := s.Created.In(loc)
		year, week := local.ISOWeek()
		first := map[string]bool{"daily": true}
		for tier, key := range map[string]string{
			"weekly":  fmt.Sprintf("%s/%d-W%02d", s.DiskID, year, week),
			"monthly": s.DiskID + "/m" + local.Format("2006-01"),
			"yearly":  s.DiskID + "/y" + local.Format("2006"),
		} {
			first[tier] = !seen[key]
			seen[key] = true
		}
		best := LockTarget{Snapshot: s}
		for _, tier := range locked {
			days := t.TierDays(tier)
			if days <= 0 || !first[tier] {
				continue
			}
			if end := s.Created.Add(time.Duration(days) * 24 * time.Hour); end.After(now) && end.After(best.Until) {
				best.Tier, best.Until = tier, end
			}
		}
		if best.Tier != "" {
			out = append(out, best)
		}
	}
	return out
}

// LockDays is the LockDuration (whole days, at least 1 and at least the
// cool-off, which is part of the lock) that covers until from now.
func LockDays(until, now time.Time, coolOffHours int) int {
	return max(daysUntil(now, until), 1, (coolOffHours+23)/24)
}

// RetentionForLock is the retention s needs so that a lock of days from now
// ends within it (ECS: the lock must end within the snapshot's retention),
// or 0 when its retention already covers it (or is forever).
func RetentionForLock(s Snapshot, now time.Time, days int) int {
	need := daysUntil(s.Created, now.Add(time.Duration(days)*24*time.Hour))
	if forever(s.RetentionDays) || s.RetentionDays >= need {
		return 0
	}
	return need
}
