package cloud

import (
	"context"
	"fmt"
	"sort"
	"strconv"
)

// EBS enterprise snapshot policies (2021-07-30): a cron schedule, a base
// retention, special retention of the first snapshot of each week, month or
// year, cross-region copies to several regions each with its own retention,
// and disks bound by id. Field names and nesting: the EBS API reference and
// the official ebs-20210730 SDK models (Create/Update/Describe/Delete/Bind/
// UnbindEnterpriseSnapshotPolicy).

// ESPSchedule is Schedule: CronExpression, six fields, seconds first
// ("0 0 2 * * ?").
type ESPSchedule struct {
	CronExpression string `json:"CronExpression"`
}

// ESPRetainRule is RetainRule: Number (1-256 snapshots) or TimeInterval in
// TimeUnit (DAYS, WEEKS).
type ESPRetainRule struct {
	Number       int    `json:"Number,omitempty"`
	TimeInterval int    `json:"TimeInterval,omitempty"`
	TimeUnit     string `json:"TimeUnit,omitempty"`
}

// ESPCopyRegion is one CrossRegionCopyInfo.Regions element.
type ESPCopyRegion struct {
	RegionID   string `json:"RegionId"`
	RetainDays int    `json:"RetainDays"`
}

// ESPCopyInfo is CrossRegionCopyInfo.
type ESPCopyInfo struct {
	Enabled bool            `json:"Enabled"`
	Regions []ESPCopyRegion `json:"Regions"`
}

// ESPSpecialRule keeps the first snapshot of each SpecialPeriodUnit (WEEKS,
// MONTHS, YEARS) TimeInterval TimeUnit (DAYS, WEEKS).
type ESPSpecialRule struct {
	SpecialPeriodUnit string `json:"SpecialPeriodUnit"`
	TimeInterval      int    `json:"TimeInterval"`
	TimeUnit          string `json:"TimeUnit"`
}

// ESPSpecialRules is SpecialRetainRules.
type ESPSpecialRules struct {
	Enabled bool             `json:"Enabled"`
	Rules   []ESPSpecialRule `json:"Rules"`
}

// EnterprisePolicy is one DescribeEnterpriseSnapshotPolicy Policies element.
type EnterprisePolicy struct {
	PolicyID            string          `json:"PolicyId"`
	Name                string          `json:"Name"`
	Desc                string          `json:"Desc"`
	State               string          `json:"State"`
	TargetType          string          `json:"TargetType"`
	CreateTime          string          `json:"CreateTime"`
	TargetCount         int             `json:"TargetCount"`
	DiskIDs             []string        `json:"DiskIds"`
	Schedule            ESPSchedule     `json:"Schedule"`
	RetainRule          ESPRetainRule   `json:"RetainRule"`
	CrossRegionCopyInfo ESPCopyInfo     `json:"CrossRegionCopyInfo"`
	SpecialRetainRules  ESPSpecialRules `json:"SpecialRetainRules"`
	Tags                []struct {
		TagKey   string `json:"TagKey"`
		TagValue string `json:"TagValue"`
	} `json:"Tags"`
}

// TagMap is the policy's tags as a map.
func (p *EnterprisePolicy) TagMap() map[string]string {
	out := map[string]string{}
	for _, t := range p.Tags {
		out[t.TagKey] = t.TagValue
	}
	return out
}

// ESPSpec is the settable part of an enterprise policy.
type ESPSpec struct {
	Name       string
	Schedule   ESPSchedule
	RetainRule ESPRetainRule
	Copy       ESPCopyInfo
	Special    ESPSpecialRules
	Tags       map[string]string // set at creation
}

// MaxESPTags is CreateEnterpriseSnapshotPolicy's Tag.N limit (1 to 20).
const MaxESPTags = 20

func (s ESPSpec) body() map[string]string {
	copyInfo := s.Copy
	if copyInfo.Regions == nil {
		copyInfo.Regions = []ESPCopyRegion{}
	}
	special := s.Special
	if special.Rules == nil {
		special.Rules = []ESPSpecialRule{}
	}
	return map[string]string{
		"Name":                s.Name,
		"Schedule":            jsonParam(s.Schedule),
		"RetainRule":          jsonParam(s.RetainRule),
		"CrossRegionCopyInfo": jsonParam(copyInfo),
		"SpecialRetainRules":  jsonParam(special),
	}
}

// CreateEnterprisePolicy creates an enabled policy for disks and returns its
// id. token is the request's ClientToken: a retried create returns the
// policy the first attempt made.
func (c *Client) CreateEnterprisePolicy(ctx context.Context, region string, s ESPSpec, token string) (string, error) {
	if len(s.Tags) > MaxESPTags {
		return "", fmt.Errorf("%d tags given; CreateEnterpriseSnapshotPolicy takes at most %d", len(s.Tags), MaxESPTags)
	}
	params := s.body()
	params["TargetType"], params["State"], params["ClientToken"] = "DISK", "ENABLED", token
	espTagParams(params, s.Tags)
	var out struct {
		PolicyID string `json:"PolicyId"`
	}
	if err := c.DoEBS(ctx, region, "CreateEnterpriseSnapshotPolicy", params, &out); err != nil {
		return "", err
	}
	return out.PolicyID, nil
}

// UpdateEnterprisePolicy sets the policy's name, schedule, retention and
// copies to s (tags are left alone).
func (c *Client) UpdateEnterprisePolicy(ctx context.Context, region, id string, s ESPSpec) error {
	params := s.body()
	params["PolicyId"] = id
	return c.DoEBS(ctx, region, "UpdateEnterpriseSnapshotPolicy", params, nil)
}

// FindEnterprisePolicyByID returns the policy, or a *NotFoundError when
// DescribeEnterpriseSnapshotPolicy does not list it. Concurrent lookups
// are batched (batch.go).
func (c *Client) FindEnterprisePolicyByID(ctx context.Context, region, id string) (*EnterprisePolicy, error) {
	return findByID(ctx, c, enterprisePoliciesByID, KindESP, region, id)
}

// maxESPPageSize is DescribeEnterpriseSnapshotPolicy's PageSize limit: the
// EBS 2021-07-30 reference, "PageSize ... 1-100" (default 10, so a list of
// PolicyIds needs it set). PolicyIds is an array with no documented limit;
// a batch carries at most MaxBatchIDs (100), one page.
const maxESPPageSize = 100

// enterprisePoliciesByID finds enterprise policies with
// DescribeEnterpriseSnapshotPolicy PolicyIds.N, a page of up to 100.
var enterprisePoliciesByID = batchKind[EnterprisePolicy]{
	action: "DescribeEnterpriseSnapshotPolicy",
	id:     func(p *EnterprisePolicy) string { return p.PolicyID },
	fetch: func(ctx context.Context, c *Client, region string, ids []string) ([]EnterprisePolicy, error) {
		params := map[string]string{"PageSize": strconv.Itoa(maxESPPageSize)}
		for i, id := range ids {
			params["PolicyIds."+strconv.Itoa(i+1)] = id
		}
		return c.pagedEnterprisePolicies(ctx, region, params)
	},
}

// pagedEnterprisePolicies pages DescribeEnterpriseSnapshotPolicy with params
// (PageSize set by the caller) until TotalCount policies came back.
func (c *Client) pagedEnterprisePolicies(ctx context.Context, region string, params map[string]string) ([]EnterprisePolicy, error) {
	var all []EnterprisePolicy
	for page := 1; ; page++ {
		params["PageNumber"] = strconv.Itoa(page)
		var out struct {
			TotalCount int                `json:"TotalCount"`
			Policies   []EnterprisePolicy `json:"Policies"`
		}
		if err := c.DoEBS(ctx, region, "DescribeEnterpriseSnapshotPolicy", params, &out); err != nil {
			return nil, err
		}
		all = append(all, out.Policies...)
		if len(out.Policies) == 0 || len(all) >= out.TotalCount {
			return all, nil
		}
	}
}

// DeleteEnterprisePolicy unbinds the policy's disks and deletes it;
// snapshots already taken stay with their retention, and a policy already
// gone is not an error. The disks are unbound first because the EBS
// reference does not say what DeleteEnterpriseSnapshotPolicy does with a
// policy that disks still follow.
func (c *Client) DeleteEnterprisePolicy(ctx context.Context, region, id string) error {
	p, err := c.FindEnterprisePolicyByID(ctx, region, id)
	if IsNotFound(err) {
		return nil
	} else if err != nil {
		return err
	}
	if err := c.UnbindEnterprisePolicy(ctx, region, id, p.DiskIDs); err != nil && !IsNotFound(err) {
		return err
	}
	return c.DoEBS(ctx, region, "DeleteEnterpriseSnapshotPolicy", map[string]string{"PolicyId": id}, nil)
}

// BindEnterprisePolicy makes disks follow the policy.
func (c *Client) BindEnterprisePolicy(ctx context.Context, region, id string, disks []string) error {
	return c.diskTargets(ctx, region, "BindEnterpriseSnapshotPolicy", id, disks)
}

// UnbindEnterprisePolicy stops disks following the policy.
func (c *Client) UnbindEnterprisePolicy(ctx context.Context, region, id string, disks []string) error {
	return c.diskTargets(ctx, region, "UnbindEnterpriseSnapshotPolicy", id, disks)
}

func (c *Client) diskTargets(ctx context.Context, region, action, id string, disks []string) error {
	if len(disks) == 0 {
		return nil
	}
	params := map[string]string{"PolicyId": id}
	for i, d := range disks {
		params["DiskTargets."+strconv.Itoa(i+1)] = d
	}
	return c.DoEBS(ctx, region, action, params, nil)
}

// ClaimedPolicyDesc is the Desc of an enterprise policy that a Terraform
// resource instance has put into its state. Tags are set at creation only
// (no tagging action among the six policy actions), and Desc is the one
// field UpdateEnterpriseSnapshotPolicy changes that this provider leaves
// unset otherwise, so it carries the claim.
const ClaimedPolicyDesc = "alidr:claimed"

// ListEnterprisePoliciesByTags returns the region's enterprise policies
// carrying all tags (DescribeEnterpriseSnapshotPolicy Tag.N filter, up to
// 100 per page as PageSize allows).
func (c *Client) ListEnterprisePoliciesByTags(ctx context.Context, region string, tags map[string]string) ([]EnterprisePolicy, error) {
	params := map[string]string{"PageSize": strconv.Itoa(maxESPPageSize)}
	espTagParams(params, tags)
	return c.pagedEnterprisePolicies(ctx, region, params)
}

// ClaimEnterprisePolicy marks the policy as held by a resource instance
// (Desc = ClaimedPolicyDesc).
func (c *Client) ClaimEnterprisePolicy(ctx context.Context, region, id string) error {
	return c.DoEBS(ctx, region, "UpdateEnterpriseSnapshotPolicy", map[string]string{"PolicyId": id, "Desc": ClaimedPolicyDesc}, nil)
}

// espTagParams adds tags as Tag.N.Key/Tag.N.Value, in key order.
func espTagParams(params, tags map[string]string) {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		n := strconv.Itoa(i + 1)
		params["Tag."+n+".Key"], params["Tag."+n+".Value"] = k, tags[k]
	}
}
