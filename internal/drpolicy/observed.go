package drpolicy

import (
	"slices"
	"time"
)

// ObservedWindow is how far back ObservedRPO looks for gaps between
// snapshots: a week, the period every schedule repeats in.
const ObservedWindow = 7 * 24 * time.Hour

// ObservedRPO is the RPO the snapshots taken actually gave: the longest gap
// between consecutive completed snapshots taken in the week before now, and
// the time since the newest one when that already exceeds effective (an
// overrun in progress). The cloud skips a time point while the previous
// snapshot is still running, so this can exceed the schedule's effective
// RPO. Gaps are rounded to the nearest hour: the cloud starts snapshots a
// few minutes either side of the time point, which must not read as drift.
// ok is false without a completed snapshot in the window.
func ObservedRPO(created []time.Time, now time.Time, effective time.Duration) (rpo time.Duration, ok bool) {
	var recent []time.Time
	for _, t := range created {
		if !t.Before(now.Add(-ObservedWindow)) && !t.After(now) {
			recent = append(recent, t)
		}
	}
	if len(recent) == 0 {
		return 0, false
	}
	slices.SortFunc(recent, func(a, b time.Time) int { return a.Compare(b) })
	for i := 1; i < len(recent); i++ {
		rpo = max(rpo, recent[i].Sub(recent[i-1]))
	}
	if age := now.Sub(recent[len(recent)-1]); age > effective {
		rpo = max(rpo, age)
	}
	return rpo.Round(time.Hour), true
}

// Archive rules of ModifySnapshotCategory (ECS API reference): a snapshot is
// archived at least 14 days after it was taken, its retention is 74 to 65536
// days, and an archived snapshot is kept at least 60 more days.
const (
	ArchiveMinAgeDays   = 14
	archiveMinKeepDays  = 60
	archiveMinRetention = 74
	archiveMaxRetention = 65536
)

// ArchiveCandidates are the snapshots an enterprise policy keeps longer than
// its base retention (its weekly, monthly and yearly points) that may be
// moved to the archive tier now. The cloud keeps them by itself; only the
// move to archive is left to the provider.
func ArchiveCandidates(snaps []Snapshot, baseDays int, now time.Time) []Snapshot {
	var out []Snapshot
	for _, s := range snaps {
		if s.Category == "archive" || s.RetentionDays <= baseDays ||
			s.RetentionDays < archiveMinRetention || s.RetentionDays > archiveMaxRetention {
			continue
		}
		end := s.Created.Add(time.Duration(s.RetentionDays) * 24 * time.Hour)
		if now.Sub(s.Created) >= minAgeToArchive && end.Sub(now) >= minArchiveRemaining {
			out = append(out, s)
		}
	}
	return out
}
