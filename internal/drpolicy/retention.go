package drpolicy

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Retention is a "daily+monthly+yearly" tier policy such as 7+3+1: automatic
// snapshots live DailyDays days (the auto snapshot policy's retentionDays), the
// first snapshot of each month is kept MonthlyMonths months and the first of
// each year YearlyYears years.
type Retention struct {
	DailyDays     int
	MonthlyMonths int
	YearlyYears   int
}

// ECS limits and rules the plan respects (ECS "Archive snapshots" and
// ModifySnapshotCategory documentation):
const (
	// maxRetentionDays is the largest retentionDays ECS accepts.
	maxRetentionDays = 65535
	// Tier bounds keep every computed retention within maxRetentionDays
	// (100 years is 36525 days).
	maxMonthlyMonths = 1200
	maxYearlyYears   = 100
	// A standard snapshot must have existed this long before it can be archived.
	minAgeToArchive = 14 * 24 * time.Hour
	// Archived snapshots are billed for at least 60 days in the archive tier;
	// deleting earlier costs an early-deletion fee. We only archive when the
	// retention left from now covers that minimum.
	minArchiveRemaining = 60 * 24 * time.Hour
)

// Validate checks the tiers against what ECS accepts.
func (r Retention) Validate() error {
	if r.DailyDays != -1 && (r.DailyDays < 1 || r.DailyDays > maxRetentionDays) {
		return fmt.Errorf("daily retention %d days is not accepted by ECS: use 1 to %d days, or -1 to keep automatic snapshots forever", r.DailyDays, maxRetentionDays)
	}
	if r.MonthlyMonths < 0 || r.MonthlyMonths > maxMonthlyMonths {
		return fmt.Errorf("monthly retention %d months is out of range: use 0 (no monthly tier) to %d months", r.MonthlyMonths, maxMonthlyMonths)
	}
	if r.YearlyYears < 0 || r.YearlyYears > maxYearlyYears {
		return fmt.Errorf("yearly retention %d years is out of range: use 0 (no yearly tier) to %d years", r.YearlyYears, maxYearlyYears)
	}
	return nil
}

// String reads like "7+3+1" ("forever+3+1" when daily snapshots never expire).
func (r Retention) String() string {
	d := fmt.Sprint(r.DailyDays)
	if r.DailyDays == -1 {
		d = "forever"
	}
	return fmt.Sprintf("%s+%d+%d", d, r.MonthlyMonths, r.YearlyYears)
}

// Snapshot is what PlanTiers needs to know about an existing snapshot.
type Snapshot struct {
	ID, DiskID string
	Created    time.Time
	// RetentionDays counts from Created, as ECS does. -1 means forever; 0 means
	// none set, which ECS also keeps until someone deletes it, so both are
	// treated as forever and never touched.
	RetentionDays int
	Category      string // "standard" (or empty) or "archive"
	// SourceID is the snapshot a cross-region copy was made from ("" for
	// a disk's own snapshot).
	SourceID string
}

// Action is one change PlanTiers wants applied to a snapshot.
type Action struct {
	SnapshotID, DiskID string
	// Extend: set the snapshot's retention to NewRetentionDays (always longer
	// than now). When only Archive is set, NewRetentionDays is the current,
	// unchanged retention.
	Extend           bool
	NewRetentionDays int
	// Archive: move the snapshot to the archive tier (ModifySnapshotCategory).
	Archive bool
	Reason  string
}

func forever(days int) bool { return days <= 0 }

// PlanTiers decides, per disk, which snapshots the monthly and yearly tiers
// keep longer and which move to the archive tier:
//   - the first snapshot of each calendar month in loc is kept MonthlyMonths
//     months from its creation and archived;
//   - the first snapshot of each calendar year in loc is kept YearlyYears years
//     (not archived by that tier alone; with a monthly tier it already was).
//
// A tier only acts while its period has not ended at now. Retention is never
// shortened (a snapshot already kept longer, or forever, keeps that), nothing is
// ever deleted, and applying the actions then planning again at the same now
// yields none. A snapshot is archived only when ECS allows it and it pays off:
// it is at least 14 days old and at least 60 days of retention remain after
// now (the archive tier's minimum billing period). A nil loc means UTC.
func PlanTiers(r Retention, snaps []Snapshot, now time.Time, loc *time.Location) []Action {
	if loc == nil {
		loc = time.UTC
	}
	byDisk := map[string][]Snapshot{}
	var disks []string
	for _, s := range snaps {
		if _, ok := byDisk[s.DiskID]; !ok {
			disks = append(disks, s.DiskID)
		}
		byDisk[s.DiskID] = append(byDisk[s.DiskID], s)
	}
	slices.Sort(disks)

	var actions []Action
	for _, disk := range disks {
		list := byDisk[disk]
		slices.SortStableFunc(list, func(a, b Snapshot) int {
			if c := a.Created.Compare(b.Created); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		seenMonth := map[[2]int]bool{}
		seenYear := map[int]bool{}
		for _, s := range list {
			local := s.Created.In(loc)
			month := [2]int{local.Year(), int(local.Month())}
			firstOfMonth, firstOfYear := !seenMonth[month], !seenYear[local.Year()]
			seenMonth[month], seenYear[local.Year()] = true, true

			var need int
			var why []string
			archive := false
			if firstOfMonth && r.MonthlyMonths > 0 {
				if end := local.AddDate(0, r.MonthlyMonths, 0); end.After(now) {
					need = max(need, daysUntil(s.Created, end))
					why = append(why, fmt.Sprintf("first snapshot of %s (monthly tier, %d %s)", local.Format("2006-01"), r.MonthlyMonths, plural(r.MonthlyMonths, "month", "months")))
					archive = true
				}
			}
			if firstOfYear && r.YearlyYears > 0 {
				if end := local.AddDate(r.YearlyYears, 0, 0); end.After(now) {
					need = max(need, daysUntil(s.Created, end))
					why = append(why, fmt.Sprintf("first snapshot of %d (yearly tier, %d %s)", local.Year(), r.YearlyYears, plural(r.YearlyYears, "year", "years")))
				}
			}
			if len(why) == 0 {
				continue
			}
			a := Action{SnapshotID: s.ID, DiskID: s.DiskID, NewRetentionDays: s.RetentionDays}
			if !forever(s.RetentionDays) && s.RetentionDays < need {
				a.Extend, a.NewRetentionDays = true, need
			}
			if archive && !strings.EqualFold(s.Category, "archive") && s.Created.Add(minAgeToArchive).Compare(now) <= 0 &&
				(forever(a.NewRetentionDays) || s.Created.Add(time.Duration(a.NewRetentionDays)*24*time.Hour).Sub(now) >= minArchiveRemaining) {
				a.Archive = true
			}
			if !a.Extend && !a.Archive {
				continue
			}
			a.Reason = strings.Join(why, " and ")
			if a.Extend {
				a.Reason += fmt.Sprintf(": keep %d days (until %s) instead of %d", need, s.Created.Add(time.Duration(need)*24*time.Hour).In(loc).Format("2006-01-02"), s.RetentionDays)
			}
			if a.Archive {
				a.Reason += "; move to the archive tier"
			}
			actions = append(actions, a)
		}
	}
	return actions
}

// daysUntil is the retention, in whole 24h days from created, that reaches end
// (rounded up so the tier's end is always covered).
func daysUntil(created, end time.Time) int {
	d := end.Sub(created)
	n := int(d / (24 * time.Hour))
	if d%(24*time.Hour) != 0 {
		n++
	}
	return n
}

// Summary reads like "2 snapshots to extend, 1 to archive" or "no changes".
func Summary(actions []Action) string {
	var ext, arc int
	for _, a := range actions {
		if a.Extend {
			ext++
		}
		if a.Archive {
			arc++
		}
	}
	noun := func(n int) string {
		if n == 1 {
			return "1 snapshot"
		}
		return fmt.Sprintf("%d snapshots", n)
	}
	switch {
	case ext == 0 && arc == 0:
		return "no changes"
	case arc == 0:
		return noun(ext) + " to extend"
	case ext == 0:
		return noun(arc) + " to archive"
	default:
		return fmt.Sprintf("%s to extend, %d to archive", noun(ext), arc)
	}
}
