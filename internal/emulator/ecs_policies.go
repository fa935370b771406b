package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// Automatic snapshot policies: CreateAutoSnapshotPolicy,
// ModifyAutoSnapshotPolicyEx, DeleteAutoSnapshotPolicy,
// ApplyAutoSnapshotPolicy, CancelAutoSnapshotPolicy,
// DescribeAutoSnapshotPolicyEx, and the scheduler that fires them on the
// emulator's clock (see schedule.each for the UTC+8 rule).
//
// Which policy a disk follows is the disk's AutoSnapshotPolicyID field in the
// core state, so DescribeDisks shows it without asking this feature.

type autoSnapshotPolicy struct {
	ID        string
	AccountID string
	RegionID  string
	Name      string
	sched     schedule
	// RetentionDays of the auto snapshots: -1 forever, else 1..65536.
	RetentionDays int
	Created       time.Time

	EnableCrossRegionCopy        bool
	TargetCopyRegions            []string
	CopiedSnapshotsRetentionDays int
	CopyEncrypted                bool
	CopyKMSKeyID                 string
	Tags                         map[string]string
}

func (st *snapStore) registerPolicies() {
	e := st.e
	e.register("CreateAutoSnapshotPolicy", st.createAutoSnapshotPolicy)
	e.register("ModifyAutoSnapshotPolicyEx", st.modifyAutoSnapshotPolicyEx)
	e.register("DeleteAutoSnapshotPolicy", st.deleteAutoSnapshotPolicy)
	e.register("ApplyAutoSnapshotPolicy", st.applyAutoSnapshotPolicy)
	e.register("CancelAutoSnapshotPolicy", st.cancelAutoSnapshotPolicy)
	e.register("DescribeAutoSnapshotPolicyEx", st.describeAutoSnapshotPolicyEx)
	e.registerTagType("snapshotpolicy", storeTagType(func(*rpcCall) map[string]*autoSnapshotPolicy { return st.policies }, st.policyOf,
		func(p *autoSnapshotPolicy) (string, string, string, map[string]string) {
			return p.AccountID, p.RegionID, p.ID, p.Tags
		}))
}

func (st *snapStore) policyOf(c *rpcCall, id string) (*autoSnapshotPolicy, error) {
	p, ok := st.policies[id]
	if !ok || p.AccountID != c.AccountID || p.RegionID != c.Region {
		// The service's code for a missing policy is ParameterInvalid (404).
		return nil, apiErr(http.StatusNotFound, "ParameterInvalid", "The specified automatic snapshot policy does not exist.")
	}
	return p, nil
}

// policyParams reads the settable fields shared by Create and ModifyEx into
// p; only parameters present are applied.
func (st *snapStore) policyParams(c *rpcCall, p *autoSnapshotPolicy) error {
	if c.has("autoSnapshotPolicyName") {
		name := c.str("autoSnapshotPolicyName")
		if name != "" && (len(name) < 2 || len(name) > 128 || strings.HasPrefix(name, "http://") || strings.HasPrefix(name, "https://")) {
			return apiErr(http.StatusBadRequest, "InvalidAutoSnapshotPolicyName.Malformed", "The specified auto snapshot policy name is wrongly formed.")
		}
		p.Name = name
	}
	tp, wd := c.str("timePoints"), c.str("repeatWeekdays")
	if tp != "" || wd != "" {
		if tp == "" {
			tp = p.sched.timePointsJSON()
		}
		if wd == "" {
			wd = p.sched.weekdaysJSON()
		}
		sc, err := parseSchedule(tp, wd)
		if err != nil {
			if err.Error() == "timePoints" {
				return apiErr(http.StatusForbidden, "ParameterInvalid", "The specified TimePoints parameter is invalid.")
			}
			return apiErr(http.StatusForbidden, "ParameterInvalid", "The specified RepeatWeekDays parameter is invalid.")
		}
		p.sched = sc
	}
	if c.str("retentionDays") != "" {
		n := c.int("retentionDays", 0)
		if err := c.err(); err != nil {
			return err
		}
		if n != -1 && (n < 1 || n > 65536) {
			return apiErr(http.StatusForbidden, "ParameterInvalid", "The specified RetentionDays parameter is invalid.")
		}
		p.RetentionDays = n
	}
	if c.has("EnableCrossRegionCopy") {
		p.EnableCrossRegionCopy = c.bool("EnableCrossRegionCopy")
	}
	if c.str("TargetCopyRegions") != "" {
		regions := c.jsonStrings("TargetCopyRegions")
		if err := c.err(); err != nil {
			return err
		}
		// CreateAutoSnapshotPolicy / ModifyAutoSnapshotPolicyEx
		// TargetCopyRegions: "You can specify only a single destination
		// region." (ecs-20140526 v7.7.0 request models). The reference gives
		// no error code for a longer list; this one names the parameter.
		if len(regions) > 1 {
			return apiErr(http.StatusBadRequest, "InvalidTargetCopyRegions.Malformed",
				fmt.Sprintf("TargetCopyRegions lists %d regions; an automatic snapshot policy copies to a single destination region.", len(regions)))
		}
		for _, r := range regions {
			if _, ok := c.acct().regions[r]; !ok {
				return apiErr(http.StatusBadRequest, "InvalidTargetCopyRegions.Malformed",
					fmt.Sprintf("The specified target copy region %q does not exist.", r))
			}
		}
		p.TargetCopyRegions = regions
	}
	if c.str("CopiedSnapshotsRetentionDays") != "" {
		n := c.int("CopiedSnapshotsRetentionDays", 0)
		if err := c.err(); err != nil {
			return err
		}
		if n != -1 && (n < 1 || n > 65536) {
			return apiErr(http.StatusBadRequest, "InvalidCopiedSnapshotsRetentionDays.Malformed",
				"The specified parameter CopiedSnapshotsRetentionDays is not valid.")
		}
		p.CopiedSnapshotsRetentionDays = n
	}
	if c.has("CopyEncryptionConfiguration.Encrypted") {
		p.CopyEncrypted = c.bool("CopyEncryptionConfiguration.Encrypted")
	}
	if c.has("CopyEncryptionConfiguration.KMSKeyId") {
		p.CopyKMSKeyID = c.str("CopyEncryptionConfiguration.KMSKeyId")
	}
	if p.EnableCrossRegionCopy && len(p.TargetCopyRegions) == 0 {
		return apiErr(http.StatusBadRequest, "InvalidTargetCopyRegions.Malformed",
			"TargetCopyRegions is required when EnableCrossRegionCopy is true.")
	}
	return c.err()
}

func (st *snapStore) createAutoSnapshotPolicy(c *rpcCall) (any, error) {
	st.catchUp(c.now)
	for _, name := range []string{"timePoints", "repeatWeekdays", "retentionDays"} {
		if c.str(name) == "" {
			return nil, errMissingParam(name)
		}
	}
	p := &autoSnapshotPolicy{
		ID: newID("sp", c.region().code), AccountID: c.AccountID, RegionID: c.Region,
		Created: c.now, CopiedSnapshotsRetentionDays: -1, Tags: map[string]string{},
	}
	if err := st.policyParams(c, p); err != nil {
		return nil, err
	}
	for _, t := range c.tags() {
		p.Tags[t.Key] = t.Value
	}
	st.policies[p.ID] = p
	st.e.created(p.ID)
	return ecs.CreateAutoSnapshotPolicyResponse{RequestId: c.RequestID, AutoSnapshotPolicyId: p.ID}, nil
}

func (st *snapStore) modifyAutoSnapshotPolicyEx(c *rpcCall) (any, error) {
	p, err := storeTarget(st, c, "autoSnapshotPolicyId", st.policyOf)
	if err != nil {
		return nil, err
	}
	// Validate on a copy so a bad parameter changes nothing.
	next := *p
	if err := st.policyParams(c, &next); err != nil {
		return nil, err
	}
	*p = next
	return ecs.ModifyAutoSnapshotPolicyExResponse{RequestId: c.RequestID}, nil
}

func (st *snapStore) deleteAutoSnapshotPolicy(c *rpcCall) (any, error) {
	p, err := storeTarget(st, c, "autoSnapshotPolicyId", st.policyOf)
	if err != nil {
		return nil, err
	}
	for _, d := range c.region().disks {
		if d.AutoSnapshotPolicyID == p.ID {
			d.AutoSnapshotPolicyID = ""
		}
	}
	delete(st.policies, p.ID)
	return ecs.DeleteAutoSnapshotPolicyResponse{RequestId: c.RequestID}, nil
}

// policyDisks resolves the diskIds parameter; every disk must exist.
func policyDisks(c *rpcCall) ([]*ecsDisk, error) {
	raw := c.str("diskIds")
	if raw == "" {
		return nil, errMissingParam("diskIds")
	}
	var ids []string
	if err := json.Unmarshal([]byte(raw), &ids); err != nil || len(ids) == 0 {
		return nil, apiErr(http.StatusForbidden, "ParameterInvalid", "The specified DiskIds are invalid.")
	}
	disks := make([]*ecsDisk, 0, len(ids))
	for _, id := range ids {
		d, ok := c.region().disks[id]
		if !ok {
			return nil, notFound("InvalidDiskId.NotFound", fmt.Sprintf("The specified disk %s does not exist in the region.", id))
		}
		disks = append(disks, d)
	}
	return disks, nil
}

func (st *snapStore) applyAutoSnapshotPolicy(c *rpcCall) (any, error) {
	p, err := storeTarget(st, c, "autoSnapshotPolicyId", st.policyOf)
	if err != nil {
		return nil, err
	}
	disks, err := policyDisks(c)
	if err != nil {
		return nil, err
	}
	// A disk follows one policy: applying another one moves it, as the
	// service does.
	for _, d := range disks {
		d.AutoSnapshotPolicyID = p.ID
	}
	return ecs.ApplyAutoSnapshotPolicyResponse{RequestId: c.RequestID}, nil
}

func (st *snapStore) cancelAutoSnapshotPolicy(c *rpcCall) (any, error) {
	st.catchUp(c.now)
	disks, err := policyDisks(c)
	if err != nil {
		return nil, err
	}
	for _, d := range disks {
		d.AutoSnapshotPolicyID = ""
	}
	return ecs.CancelAutoSnapshotPolicyResponse{RequestId: c.RequestID}, nil
}

func (st *snapStore) describeAutoSnapshotPolicyEx(c *rpcCall) (any, error) {
	st.catchUp(c.now)
	id, name := c.str("AutoSnapshotPolicyId"), c.str("AutoSnapshotPolicyName")
	wantTags := c.tags()
	number, size := c.page(10, 100)
	if err := c.err(); err != nil {
		return nil, err
	}
	var matched []*autoSnapshotPolicy
	for _, p := range st.policies {
		if p.AccountID != c.AccountID || p.RegionID != c.Region ||
			id != "" && p.ID != id || name != "" && p.Name != name || !tagsMatch(p.Tags, wantTags) {
			continue
		}
		if st.e.hidden(p.ID) {
			continue
		}
		matched = append(matched, p)
	}
	sortByCreated(matched, func(p *autoSnapshotPolicy) (string, int64) { return p.ID, p.Created.UnixNano() })
	resp := ecs.DescribeAutoSnapshotPolicyExResponse{RequestId: c.RequestID, TotalCount: len(matched), PageNumber: number, PageSize: size}
	resp.AutoSnapshotPolicies.AutoSnapshotPolicy = []ecs.AutoSnapshotPolicy{}
	for _, p := range pageOf(matched, number, size) {
		disks := 0
		for _, d := range c.region().disks {
			if d.AutoSnapshotPolicyID == p.ID {
				disks++
			}
		}
		regions, _ := json.Marshal(p.TargetCopyRegions)
		if p.TargetCopyRegions == nil {
			regions = []byte("[]")
		}
		out := ecs.AutoSnapshotPolicy{
			AutoSnapshotPolicyId:         p.ID,
			AutoSnapshotPolicyName:       p.Name,
			RegionId:                     p.RegionID,
			TimePoints:                   p.sched.timePointsJSON(),
			RepeatWeekdays:               p.sched.weekdaysJSON(),
			RetentionDays:                p.RetentionDays,
			DiskNums:                     disks,
			VolumeNums:                   0,
			Status:                       "Normal",
			CreationTime:                 isoTimeSec(p.Created),
			EnableCrossRegionCopy:        p.EnableCrossRegionCopy,
			TargetCopyRegions:            string(regions),
			CopiedSnapshotsRetentionDays: p.CopiedSnapshotsRetentionDays,
			Type:                         "Custom",
		}
		out.CopyEncryptionConfiguration.Encrypted = p.CopyEncrypted
		out.CopyEncryptionConfiguration.KMSKeyId = p.CopyKMSKeyID
		out.Tags.Tag = apiTags(p.Tags)
		resp.AutoSnapshotPolicies.AutoSnapshotPolicy = append(resp.AutoSnapshotPolicies.AutoSnapshotPolicy, out)
	}
	return resp, nil
}

// firePolicies creates the automatic snapshots (and their cross-region
// copies) of every fire time in (from, to]. Snapshots whose retention has
// already run out by to are not created at all: the next expiry pass would
// delete them anyway, and a clock moved by a year stays cheap.
func (st *snapStore) firePolicies(from, to time.Time) {
	d := st.e.durations
	for _, accID := range sortedKeys(st.e.accounts) {
		acc := st.e.accounts[accID]
		for _, pid := range sortedKeys(st.policies) {
			p := st.policies[pid]
			if p.AccountID != accID {
				continue
			}
			r := acc.regions[p.RegionID]
			if r == nil {
				continue
			}
			var disks []*ecsDisk
			for _, id := range sortedKeys(r.disks) {
				if r.disks[id].AutoSnapshotPolicyID == p.ID {
					disks = append(disks, r.disks[id])
				}
			}
			if len(disks) == 0 {
				continue
			}
			start := from
			if p.Created.After(start) {
				start = p.Created
			}
			p.sched.each(start, to, func(t time.Time) {
				for _, disk := range disks {
					if t.Before(disk.Created) {
						continue
					}
					st.fireOne(acc, r, p, disk, t, to, d)
				}
			})
		}
	}
}

// fireOne takes the auto snapshot of disk at fire time t, plus its copies.
func (st *snapStore) fireOne(acc *ecsAccount, r *ecsRegion, p *autoSnapshotPolicy, disk *ecsDisk, t, now time.Time, d Durations) {
	expired := func(days int) bool {
		return days > 0 && !t.Add(time.Duration(days)*24*time.Hour).After(now)
	}
	keep := !expired(p.RetentionDays)
	copies := p.EnableCrossRegionCopy && !expired(p.CopiedSnapshotsRetentionDays)
	if !keep && !copies {
		return
	}
	local := t.In(policyZone)
	seq := sort.SearchInts(p.sched.hours, local.Hour()) + 1
	name := fmt.Sprintf("auto_%s_%d", local.Format("20060102"), seq)
	s := newSnapshot(newID("s", r.code), t, d.SnapshotCreate, st.takeFailure(FailCreateSnapshot))
	s.fromDisk(disk)
	s.AccountID = acc.id
	s.Name = name
	s.Type = "auto"
	s.PolicyID = p.ID
	s.RetentionDays = p.RetentionDays
	if keep {
		st.snapshots[s.ID] = s
	}
	if !copies || s.status(s.state.end) == "failed" {
		return
	}
	for _, target := range p.TargetCopyRegions {
		dr := acc.regions[target]
		if dr == nil {
			continue
		}
		// The copy starts when the source is complete and is listed from the
		// fire time on, progressing until both steps are done.
		cp := st.copyOf(s, dr, acc.id, t, d.SnapshotCreate+d.SnapshotCopy, st.takeFailure(FailCopySnapshot))
		cp.Name = name
		cp.PolicyID = p.ID
		cp.RetentionDays = p.CopiedSnapshotsRetentionDays
		if p.CopyEncrypted {
			cp.Encrypted, cp.KMSKeyID = true, p.CopyKMSKeyID
		}
		st.snapshots[cp.ID] = cp
	}
}
