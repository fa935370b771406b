package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Snapshot locks: LockSnapshot, UnlockSnapshot, DescribeLockedSnapshots.
//
// Sources: the request and response models of ecs-20140526/v7 v7.7.0
// (lock_snapshot_*, unlock_snapshot_*, describe_locked_snapshots_*), the API
// reference pages of the three actions and the ECS user guide "Lock a
// snapshot" (help/en/ecs/user-guide/lock-snapshot). What they say:
//
//   - LockMode has one value, compliance. LockDuration is 1 to 36500 days,
//     CoolOffPeriod 0 to 72 hours (0: locked at once); the cool-off period is
//     part of the lock duration and cannot exceed it;
//   - the lock must end on or before the end of the snapshot's retention
//     ("extend the retention first");
//   - a snapshot locked while progressing starts its lock duration when it
//     is accomplished (LockDurationStartTime);
//   - during the cool-off period (compliance-cooloff) the snapshot cannot be
//     deleted, but can be unlocked or re-locked with any settings (a re-lock
//     resets every lock parameter); after it (compliance) nobody can unlock
//     it, delete it or shorten the lock: only a longer LockDuration with
//     CoolOffPeriod 0 is taken; when the duration ends the lock is expired
//     and the snapshot can be deleted again;
//   - UnlockSnapshot errors: 403 InvalidOperation.CoolOffPeriodExpired, 404
//     InvalidSnapshotId.NotFound, 404 InvalidSnapshotLock.NotFound;
//   - a locked snapshot survives the release of its disk and the deletion of
//     the image it belongs to; a copy does not inherit the lock.
//
// The references name no error code for a locked DeleteSnapshot, a lock
// longer than the retention, a cool-off longer than the lock, or a shorter
// re-lock after the cool-off: the codes below for those are the emulator's
// choice (see lockErr*), and a real account may answer with other codes.

// lockTime is the models' time format (ISO 8601, UTC, seconds).
const lockTime = "2006-01-02T15:04:05Z"

// snapshotLock is the compliance-mode lock of one snapshot.
type snapshotLock struct {
	Created      time.Time // LockCreationTime
	Start        time.Time // LockDurationStartTime
	CoolOffHours int
	DurationDays int
}

func (l *snapshotLock) coolOffEnds() time.Time {
	return l.Created.Add(time.Duration(l.CoolOffHours) * time.Hour)
}

func (l *snapshotLock) expires() time.Time {
	return l.Start.Add(time.Duration(l.DurationDays) * 24 * time.Hour)
}

// status is the documented LockStatus at now.
func (l *snapshotLock) status(now time.Time) string {
	switch {
	case !now.Before(l.expires()):
		return "expired"
	case now.Before(l.coolOffEnds()):
		return "compliance-cooloff"
	}
	return "compliance"
}

// lockedAt tells whether a lock protects the snapshot at now (cool-off
// included: "Snapshots cannot be deleted during the cooling-off period").
func (s *snapshot) lockedAt(now time.Time) bool {
	return s.Lock != nil && s.Lock.status(now) != "expired"
}

// errSnapshotLocked refuses an operation that would remove a locked
// snapshot. The code is the emulator's choice (no reference names one).
func errSnapshotLocked(id string) error {
	return apiErr(http.StatusForbidden, "InvalidOperation.SnapshotLocked",
		fmt.Sprintf("The snapshot %s is locked in compliance mode and cannot be deleted until its lock expires.", id))
}

// errCoolOffExpired is UnlockSnapshot's documented refusal after the cool-off.
func errCoolOffExpired() error {
	return apiErr(http.StatusForbidden, "InvalidOperation.CoolOffPeriodExpired",
		"The snapshot is locked in compliance mode, and the cool-off period has expired. The current operation is not supported.")
}

func (st *snapStore) registerSnapshotLocks() {
	st.e.register("LockSnapshot", st.lockSnapshot)
	st.e.register("UnlockSnapshot", st.unlockSnapshot)
	st.e.register("DescribeLockedSnapshots", st.describeLockedSnapshots)
}

// lockedSnapshotInfo is LockSnapshotResponseBodyLockedSnapshotInfo and
// DescribeLockedSnapshotsResponseBodyLockedSnapshotsInfo (same fields).
type lockedSnapshotInfo struct {
	SnapshotId               string
	LockMode                 string
	LockStatus               string
	LockCreationTime         string
	LockDurationStartTime    string
	LockExpiredTime          string
	LockDuration             int
	CoolOffPeriod            int
	CoolOffPeriodExpiredTime string
}

func lockInfo(s *snapshot, now time.Time) lockedSnapshotInfo {
	l := s.Lock
	return lockedSnapshotInfo{
		SnapshotId: s.ID, LockMode: "compliance", LockStatus: l.status(now),
		LockCreationTime: l.Created.UTC().Format(lockTime), LockDurationStartTime: l.Start.UTC().Format(lockTime),
		LockExpiredTime: l.expires().UTC().Format(lockTime), LockDuration: l.DurationDays,
		CoolOffPeriod: l.CoolOffHours, CoolOffPeriodExpiredTime: l.coolOffEnds().UTC().Format(lockTime),
	}
}

type lockSnapshotResponse struct {
	RequestId          string
	LockedSnapshotInfo lockedSnapshotInfo
}

type unlockSnapshotResponse struct{ RequestId string }

type describeLockedSnapshotsResponse struct {
	RequestId           string
	NextToken           string `json:",omitempty"`
	LockedSnapshotsInfo []lockedSnapshotInfo
}

func (st *snapStore) lockSnapshot(c *rpcCall) (any, error) {
	st.catchUp(c.now)
	id, mode := c.str("SnapshotId"), c.str("LockMode")
	days, hours := c.int("LockDuration", 0), c.int("CoolOffPeriod", 0)
	dryRun := c.bool("DryRun")
	if err := c.err(); err != nil {
		return nil, err
	}
	if mode != "compliance" {
		// The only documented value; the model's single bullet is not
		// machine-readable, so the check is here.
		return nil, apiErr(http.StatusBadRequest, "InvalidParameter",
			fmt.Sprintf("The specified parameter \"LockMode\" is not valid: %q; the valid value is compliance.", mode))
	}
	s, err := st.snapshotOf(c, id)
	if err != nil {
		return nil, err
	}
	if s.status(c.now) == "failed" {
		// Stricter than the references, which are silent: a failed
		// snapshot holds nothing worth locking.
		return nil, apiErr(http.StatusForbidden, "IncorrectSnapshotStatus", "The snapshot failed and cannot be locked.")
	}
	if hours > days*24 {
		return nil, apiErr(http.StatusBadRequest, "InvalidParameter",
			fmt.Sprintf("The cool-off period (%d hours) cannot exceed the lock duration (%d days).", hours, days))
	}
	next := &snapshotLock{Created: c.now, Start: c.now, CoolOffHours: hours, DurationDays: days}
	if s.state.end.After(c.now) {
		next.Start = s.state.end // counted from when the snapshot is accomplished
	}
	if s.Lock != nil && s.Lock.status(c.now) == "compliance" {
		// After the cool-off only a longer duration is taken, from the
		// same start, with CoolOffPeriod 0.
		if hours != 0 {
			return nil, apiErr(http.StatusBadRequest, "InvalidParameter",
				"The snapshot is locked in compliance mode: set CoolOffPeriod to 0 to extend the lock duration.")
		}
		if days < s.Lock.DurationDays {
			return nil, errCoolOffExpired()
		}
		next = &snapshotLock{Created: s.Lock.Created, Start: s.Lock.Start, CoolOffHours: s.Lock.CoolOffHours, DurationDays: days}
	}
	if exp := s.expiresAt(); !exp.IsZero() && next.expires().After(exp) {
		return nil, apiErr(http.StatusBadRequest, "InvalidParameter",
			fmt.Sprintf("The lock would end at %s, after the snapshot's retention ends at %s: extend the snapshot's RetentionDays first.",
				next.expires().UTC().Format(lockTime), exp.UTC().Format(lockTime)))
	}
	if dryRun {
		return nil, errDryRun()
	}
	s.Lock = next
	return lockSnapshotResponse{RequestId: c.RequestID, LockedSnapshotInfo: lockInfo(s, c.now)}, nil
}

func (st *snapStore) unlockSnapshot(c *rpcCall) (any, error) {
	st.catchUp(c.now)
	dryRun := c.bool("DryRun")
	if err := c.err(); err != nil {
		return nil, err
	}
	s, err := st.snapshotOf(c, c.str("SnapshotId"))
	if err != nil {
		return nil, err
	}
	switch {
	case !s.lockedAt(c.now):
		return nil, notFound("InvalidSnapshotLock.NotFound", fmt.Sprintf("The specified snapshot(s) %s is(are) not locked.", s.ID))
	case s.Lock.status(c.now) == "compliance":
		return nil, errCoolOffExpired()
	case dryRun:
		return nil, errDryRun()
	}
	s.Lock = nil
	return unlockSnapshotResponse{RequestId: c.RequestID}, nil
}

// describeLockedSnapshots lists the snapshots of the region that carry a
// lock, expired ones included (the documented statuses include expired).
// MaxResults below 10 means 10 and above 100 means 100, as documented.
func (st *snapStore) describeLockedSnapshots(c *rpcCall) (any, error) {
	st.catchUp(c.now)
	ids, status := c.list("SnapshotIds"), c.str("LockStatus")
	size := min(max(c.int("MaxResults", 10), 10), 100)
	dryRun := c.bool("DryRun")
	if err := c.err(); err != nil {
		return nil, err
	}
	if len(ids) > 100 {
		return nil, apiErr(http.StatusBadRequest, "InvalidParameter", "SnapshotIds takes 1 to 100 snapshot IDs.")
	}
	offset := 0
	if t := c.str("NextToken"); t != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(t, "nt-"))
		if err != nil || n < 0 || !strings.HasPrefix(t, "nt-") {
			return nil, apiErr(http.StatusBadRequest, "InvalidParameter.NextToken", "The specified parameter NextToken is not valid.")
		}
		offset = n
	}
	if dryRun {
		return nil, errDryRun()
	}
	var matched []*snapshot
	for _, s := range st.snapshots {
		if s.AccountID != c.AccountID || s.RegionID != c.Region || s.Lock == nil {
			continue
		}
		if len(ids) > 0 && !slices.Contains(ids, s.ID) || status != "" && !strings.EqualFold(s.Lock.status(c.now), status) {
			continue
		}
		matched = append(matched, s)
	}
	sort.Slice(matched, func(i, j int) bool { return matched[i].ID < matched[j].ID })
	resp := describeLockedSnapshotsResponse{RequestId: c.RequestID, LockedSnapshotsInfo: []lockedSnapshotInfo{}}
	start := min(offset, len(matched))
	end := min(start+size, len(matched))
	for _, s := range matched[start:end] {
		resp.LockedSnapshotsInfo = append(resp.LockedSnapshotsInfo, lockInfo(s, c.now))
	}
	if end < len(matched) {
		resp.NextToken = "nt-" + strconv.Itoa(end)
	}
	return resp, nil
}
