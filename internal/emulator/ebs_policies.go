package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
)

// EBS enterprise snapshot policies (API 2021-07-30): Create, Update,
// Describe, Delete, Bind and UnbindEnterpriseSnapshotPolicy, and their
// scheduler on the emulator's clock (ebs_policies_schedule.go). Parameter
// names, nesting and response fields follow the EBS API reference pages and
// the official ebs-20210730 SDK models (apidefs_ebs.go). The endpoint the
// service answers on is ebs.<region>.aliyuncs.com (the EBS DescribeRegions
// reference lists RegionEndpoint "ebs.cn-hangzhou.aliyuncs.com"); the
// emulator serves every product on one listener and routes by Version.
//
// Behaviour the sources do not state is marked "not in the reference" where
// the emulator decides it; the provider's docs name the same points.

type enterprisePolicy struct {
	ID, AccountID, RegionID string
	Name, Desc, State       string
	Created                 time.Time
	cron                    cronSpec
	RetainRule              espRetainRule
	StorageRule             *espStorageRule
	CopyInfo                espCopyInfo
	Special                 espSpecialRules
	Tags                    map[string]string
	Disks                   []string // bound disk ids, sorted

	// Scheduler state per disk: when its last snapshot by this policy ends
	// (a time point before that is skipped), the period keys ("2026-W05",
	// "2026-03", "2026") of its last taken snapshot, and its snapshots kept
	// only by RetainRule.Number, oldest first.
	busyUntil  map[string]time.Time
	lastPeriod map[string]map[string]string
	counted    map[string][]string
	// Skipped counts the time points skipped because the previous snapshot
	// was still running (a test hook; the API does not report it).
	Skipped int
}

func (st *snapStore) registerEnterprisePolicies() {
	h := st.e.ebsHandlers
	for action, fn := range map[string]rpcHandler{
		"CreateEnterpriseSnapshotPolicy":   st.createEnterprisePolicy,
		"UpdateEnterpriseSnapshotPolicy":   st.updateEnterprisePolicy,
		"DescribeEnterpriseSnapshotPolicy": st.describeEnterprisePolicies,
		"DeleteEnterpriseSnapshotPolicy":   st.deleteEnterprisePolicy,
		"BindEnterpriseSnapshotPolicy":     st.bindEnterprisePolicy,
		"UnbindEnterpriseSnapshotPolicy":   st.unbindEnterprisePolicy,
	} {
		h[action] = func(c *rpcCall) (any, error) {
			st.catchUp(c.now)
			return fn(c)
		}
	}
}

// espOf finds a policy of the caller's account and region. The reference
// pages found document no error code for an unknown policy id on Update,
// Delete, Bind or Unbind (Describe answers an empty list); this 404 is the
// emulator's choice and clients should not depend on its code.
func (st *snapStore) espOf(c *rpcCall) (*enterprisePolicy, error) {
	id := c.str("PolicyId")
	p, ok := st.espolicies[id]
	if !ok || p.AccountID != c.AccountID || p.RegionID != c.Region {
		return nil, apiErr(http.StatusNotFound, "InvalidPolicyId.NotFound", fmt.Sprintf("The specified enterprise snapshot policy %s does not exist in the region.", id))
	}
	return p, nil
}

func (st *snapStore) createEnterprisePolicy(c *rpcCall) (any, error) {
	if ids, ok, err := c.replay(); err != nil || ok {
		if err != nil {
			return nil, err
		}
		return map[string]string{"RequestId": c.RequestID, "PolicyId": ids[0]}, nil
	}
	p := &enterprisePolicy{
		ID: newID("esp", c.region().code), AccountID: c.AccountID, RegionID: c.Region,
		Name: c.str("Name"), Desc: c.str("Desc"), State: "ENABLED", Created: c.now, Tags: map[string]string{},
		busyUntil: map[string]time.Time{}, lastPeriod: map[string]map[string]string{}, counted: map[string][]string{},
	}
	if s := c.str("State"); s != "" {
		p.State = strings.ToUpper(s)
	}
	if err := st.readPolicyBody(c, p); err != nil {
		return nil, err
	}
	for _, t := range c.indexed("Tag") {
		if t["Key"] == "" {
			return nil, errMissingParam("Tag.N.Key")
		}
		p.Tags[t["Key"]] = t["Value"]
	}
	st.espolicies[p.ID] = p
	c.remember([]string{p.ID})
	return map[string]string{"RequestId": c.RequestID, "PolicyId": p.ID}, nil
}

func (st *snapStore) updateEnterprisePolicy(c *rpcCall) (any, error) {
	p, err := st.espOf(c)
	if err != nil {
		return nil, err
	}
	next := *p // validate everything before changing anything
	if err := st.readPolicyBody(c, &next); err != nil {
		return nil, err
	}
	if c.has("Name") {
		next.Name = c.str("Name")
	}
	if c.has("Desc") {
		next.Desc = c.str("Desc")
	}
	if s := c.str("State"); s != "" {
		next.State = strings.ToUpper(s)
	}
	*p = next
	return map[string]string{"RequestId": c.RequestID}, nil
}

// deleteEnterprisePolicy unbinds its disks; snapshots already taken stay
// with their retention (not in the reference; as ECS automatic policies).
func (st *snapStore) deleteEnterprisePolicy(c *rpcCall) (any, error) {
	p, err := st.espOf(c)
	if err != nil {
		return nil, err
	}
	delete(st.espolicies, p.ID)
	return map[string]string{"RequestId": c.RequestID}, nil
}

// diskTargets resolves DiskTargets.N: at least one, each an existing disk of
// the region (InvalidDiskId.NotFound as ECS answers; the EBS pages found
// give no code of their own).
func diskTargets(c *rpcCall) ([]string, error) {
	ids := c.list("DiskTargets")
	if len(ids) == 0 {
		return nil, errMissingParam("DiskTargets.1")
	}
	for _, id := range ids {
		if _, ok := c.region().disks[id]; !ok {
			return nil, notFound("InvalidDiskId.NotFound", fmt.Sprintf("The specified disk %s does not exist in the region.", id))
		}
	}
	return ids, nil
}

func (st *snapStore) bindEnterprisePolicy(c *rpcCall) (any, error) {
	return st.changeDisks(c, func(p *enterprisePolicy, ids []string) {
		for _, id := range ids {
			if !slices.Contains(p.Disks, id) {
				p.Disks = append(p.Disks, id)
			}
		}
		sort.Strings(p.Disks)
	})
}

func (st *snapStore) unbindEnterprisePolicy(c *rpcCall) (any, error) {
	return st.changeDisks(c, func(p *enterprisePolicy, ids []string) {
		p.Disks = slices.DeleteFunc(p.Disks, func(d string) bool { return slices.Contains(ids, d) })
	})
}

// changeDisks resolves PolicyId and DiskTargets.N, then applies change.
func (st *snapStore) changeDisks(c *rpcCall, change func(p *enterprisePolicy, ids []string)) (any, error) {
	p, err := st.espOf(c)
	if err != nil {
		return nil, err
	}
	ids, err := diskTargets(c)
	if err != nil {
		return nil, err
	}
	change(p, ids)
	return map[string]string{"RequestId": c.RequestID}, nil
}

// espView is one element of DescribeEnterpriseSnapshotPolicy's Policies
// (ebs-20210730 DescribeEnterpriseSnapshotPolicyResponseBodyPolicies).
type espView struct {
	PolicyID            string          `json:"PolicyId"`
	Name                string          `json:"Name"`
	Desc                string          `json:"Desc"`
	State               string          `json:"State"`
	TargetType          string          `json:"TargetType"`
	CreateTime          string          `json:"CreateTime"`
	TargetCount         int             `json:"TargetCount"`
	DiskIDs             []string        `json:"DiskIds"`
	Schedule            espSchedule     `json:"Schedule"`
	RetainRule          espRetainRule   `json:"RetainRule"`
	StorageRule         *espStorageRule `json:"StorageRule,omitempty"`
	CrossRegionCopyInfo espCopyInfo     `json:"CrossRegionCopyInfo"`
	SpecialRetainRules  espSpecialRules `json:"SpecialRetainRules"`
	Tags                []espTag        `json:"Tags"`
	ManagedForEcs       bool            `json:"ManagedForEcs"`
	ResourceGroupID     string          `json:"ResourceGroupId,omitempty"`
}

type espTag struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

type espDescribeResponse struct {
	RequestID  string    `json:"RequestId"`
	TotalCount int       `json:"TotalCount"`
	PageNumber int       `json:"PageNumber"`
	PageSize   int       `json:"PageSize"`
	Policies   []espView `json:"Policies"`
}

// describeEnterprisePolicies filters by PolicyIds.N and DiskIds.N (a policy
// matches when it is bound to any of the disks) and pages with PageNumber /
// PageSize (default 10, as MaxResults). Unknown ids are simply absent.
func (st *snapStore) describeEnterprisePolicies(c *rpcCall) (any, error) {
	ids, disks, tags := c.list("PolicyIds"), c.list("DiskIds"), c.indexed("Tag")
	var match []*enterprisePolicy
	for _, id := range sortedKeys(st.espolicies) {
		p := st.espolicies[id]
		if p.AccountID != c.AccountID || p.RegionID != c.Region {
			continue
		}
		if len(ids) > 0 && !slices.Contains(ids, p.ID) {
			continue
		}
		if len(disks) > 0 && !slices.ContainsFunc(p.Disks, func(d string) bool { return slices.Contains(disks, d) }) {
			continue
		}
		// [ref] Tag.N filters: a policy must carry every pair given.
		if slices.ContainsFunc(tags, func(t map[string]string) bool { v, ok := p.Tags[t["Key"]]; return !ok || v != t["Value"] }) {
			continue
		}
		match = append(match, p)
	}
	size := c.int("PageSize", c.int("MaxResults", 10))
	page := max(c.int("PageNumber", 1), 1)
	resp := espDescribeResponse{RequestID: c.RequestID, TotalCount: len(match), PageNumber: page, PageSize: size, Policies: []espView{}}
	for i := (page - 1) * size; i < len(match) && i < page*size; i++ {
		resp.Policies = append(resp.Policies, match[i].view())
	}
	return resp, nil
}

func (p *enterprisePolicy) view() espView {
	v := espView{
		PolicyID: p.ID, Name: p.Name, Desc: p.Desc, State: p.State, TargetType: "DISK",
		CreateTime: p.Created.UTC().Format("2006-01-02T15:04:05Z"), TargetCount: len(p.Disks),
		DiskIDs: append([]string{}, p.Disks...), Schedule: espSchedule{CronExpression: p.cron.text},
		RetainRule: p.RetainRule, StorageRule: p.StorageRule, CrossRegionCopyInfo: p.CopyInfo,
		SpecialRetainRules: p.Special, Tags: []espTag{},
	}
	if v.CrossRegionCopyInfo.Regions == nil {
		v.CrossRegionCopyInfo.Regions = []espCopyRegion{}
	}
	if v.SpecialRetainRules.Rules == nil {
		v.SpecialRetainRules.Rules = []espSpecialRule{}
	}
	for _, k := range sortedKeys(p.Tags) {
		v.Tags = append(v.Tags, espTag{TagKey: k, TagValue: p.Tags[k]})
	}
	return v
}
