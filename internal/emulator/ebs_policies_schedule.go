package emulator

import (
	"fmt"
	"time"
)

// fireEnterprisePolicies takes the snapshots of every enabled enterprise
// policy's time points in (from, to] for its bound disks, with their copies.
//
// Retention, from the reference (RetainRule, SpecialRetainRules,
// CrossRegionCopyInfo):
//   - RetainRule: TimeInterval/TimeUnit keeps each snapshot that long;
//     Number keeps the newest N of a disk's snapshots;
//   - SpecialRetainRules: the first snapshot of each week, month or year
//     (SpecialPeriodUnit) is kept TimeInterval/TimeUnit instead, when longer;
//   - each CrossRegionCopyInfo region keeps its copies RetainDays.
//
// A time point is skipped for a disk whose previous snapshot by the policy is
// still running (the EBS snapshot policy documentation: a point is skipped
// while the last snapshot is being created). Weeks, months and years are
// counted on the UTC+8 calendar (not in the reference; as the cron).
// Snapshots whose retention ends before to are not created at all, which
// keeps a clock moved by a year cheap.
func (st *snapStore) fireEnterprisePolicies(from, to time.Time) {
	d := st.e.durations
	for _, pid := range sortedKeys(st.espolicies) {
		p := st.espolicies[pid]
		acc := st.e.accounts[p.AccountID]
		if acc == nil || p.State != "ENABLED" || len(p.Disks) == 0 {
			continue
		}
		r := acc.regions[p.RegionID]
		if r == nil {
			continue
		}
		start := from
		if p.Created.After(start) {
			start = p.Created
		}
		p.cron.each(start, to, func(t time.Time) {
			for _, id := range p.Disks {
				disk := r.disks[id]
				if disk == nil || t.Before(disk.Created) {
					continue
				}
				if t.Before(p.busyUntil[id]) {
					p.Skipped++
					continue
				}
				st.fireEnterprise(acc, r, p, disk, t, to, d)
			}
		})
	}
}

// periodKeys are the week, month and year t falls in, in UTC+8.
func periodKeys(t time.Time) map[string]string {
	l := t.In(policyZone)
	y, w := l.ISOWeek()
	return map[string]string{
		"WEEKS":  fmt.Sprintf("%d-W%02d", y, w),
		"MONTHS": l.Format("2006-01"),
		"YEARS":  l.Format("2006"),
	}
}

// retentionDays is how long the snapshot at t is kept (0: by count only),
// and records the periods it opens.
func (p *enterprisePolicy) retentionDays(diskID string, t time.Time) (days int, special bool) {
	if p.RetainRule.Number == 0 {
		days, _ = unitDays("RetainRule", p.RetainRule.TimeInterval, p.RetainRule.TimeUnit)
	}
	keys := periodKeys(t)
	last := p.lastPeriod[diskID]
	if last == nil {
		last = map[string]string{}
		p.lastPeriod[diskID] = last
	}
	if p.Special.Enabled {
		for _, rule := range p.Special.Rules {
			k := keys[rule.SpecialPeriodUnit]
			if last[rule.SpecialPeriodUnit] == k {
				continue // not the first snapshot of its period
			}
			if n, err := unitDays("SpecialRetainRules", rule.TimeInterval, rule.TimeUnit); err == nil && n > days {
				days, special = n, true
			}
		}
	}
	for u, k := range keys {
		last[u] = k
	}
	return days, special
}

// fireEnterprise takes one disk's snapshot at t and its copies.
func (st *snapStore) fireEnterprise(acc *ecsAccount, r *ecsRegion, p *enterprisePolicy, disk *ecsDisk, t, now time.Time, d Durations) {
	p.busyUntil[disk.ID] = t.Add(d.SnapshotCreate)
	days, special := p.retentionDays(disk.ID, t)
	gone := func(days int) bool { return days > 0 && !t.Add(time.Duration(days)*24*time.Hour).After(now) }
	s := newSnapshot(newID("s", r.code), t, d.SnapshotCreate, st.takeFailure(FailCreateSnapshot))
	s.fromDisk(disk)
	s.AccountID = acc.id
	s.Name = "esp_" + t.In(policyZone).Format("20060102_1504")
	s.Type = "auto"
	s.PolicyID = p.ID
	s.RetentionDays = days
	if days == 0 {
		s.RetentionDays = -1 // kept until RetainRule.Number pushes it out
	}
	if !gone(days) {
		st.snapshots[s.ID] = s
		if p.RetainRule.Number > 0 && !special {
			st.keepNewest(p, disk.ID, s.ID)
		}
	}
	if !p.CopyInfo.Enabled || s.status(s.state.end) == "failed" {
		return
	}
	for _, target := range p.CopyInfo.Regions {
		dr := acc.regions[target.RegionID]
		if dr == nil || gone(target.RetainDays) {
			continue
		}
		cp := st.copyOf(s, dr, acc.id, t, d.SnapshotCreate+d.SnapshotCopy, st.takeFailure(FailCopySnapshot))
		cp.Name = s.Name
		cp.PolicyID = p.ID
		cp.RetentionDays = target.RetainDays
		st.snapshots[cp.ID] = cp
	}
}

// keepNewest applies RetainRule.Number to a disk's count-kept snapshots.
func (st *snapStore) keepNewest(p *enterprisePolicy, diskID, id string) {
	list := append(p.counted[diskID], id)
	for len(list) > p.RetainRule.Number {
		delete(st.snapshots, list[0])
		list = list[1:]
	}
	p.counted[diskID] = list
}

// EnterprisePolicySkips reports how many time points of an enterprise policy
// were skipped because the previous snapshot was still running (tests).
func (s *Server) EnterprisePolicySkips(policyID string) int {
	st := snapsOf(s.ecs)
	s.ecs.mu.Lock()
	defer s.ecs.mu.Unlock()
	st.catchUp(s.now())
	if p := st.espolicies[policyID]; p != nil {
		return p.Skipped
	}
	return 0
}
