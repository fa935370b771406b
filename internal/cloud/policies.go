package cloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/responses"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/alidr/terraform-provider-alidr/internal/drpolicy"
)

// TagClientToken is set on automatic snapshot policies at creation (the API
// has no ClientToken for them): a create retried after a lost response
// finds the policy it already made instead of making a second one.
const TagClientToken = "alidr:client-token"

// TagRetentionTiers records an alidr_snapshot_policy's monthly and yearly
// tiers on the policy ("monthly=3,yearly=1"): ECS has no field for them, and
// import reads them back from here.
const TagRetentionTiers = "alidr:retention-tiers"

// PolicyLocation is the time zone ECS evaluates automatic snapshot policy
// time points in (UTC+8 in every region), and the one calendar months and
// years of retention tiers are counted in.
var PolicyLocation = time.FixedZone("UTC+8", 8*60*60)

// PolicySpec is the settable part of an automatic snapshot policy.
type PolicySpec struct {
	Name              string
	Schedule          drpolicy.Schedule
	RetentionDays     int // -1 forever
	CopyRegions       []string
	CopyRetentionDays int // -1 forever
	CopyEncrypted     bool
	CopyKMSKeyID      string
	Tags              map[string]string // user tags, set at creation
}

// MaxPolicyCopyRegions is how many regions an automatic snapshot policy
// copies to: CreateAutoSnapshotPolicy / ModifyAutoSnapshotPolicyEx
// TargetCopyRegions, "You can specify only a single destination region."
// (ecs-20140526 v7.7.0 request models).
const MaxPolicyCopyRegions = 1

// ErrTooManyCopyRegions is returned, without calling the API, for a policy
// spec that lists more copy regions than ECS takes.
var ErrTooManyCopyRegions = errors.New("an automatic snapshot policy copies to a single destination region")

func (s PolicySpec) check() error {
	if len(s.CopyRegions) > MaxPolicyCopyRegions {
		return fmt.Errorf("%w; %d given (%s)", ErrTooManyCopyRegions, len(s.CopyRegions), strings.Join(s.CopyRegions, ", "))
	}
	return nil
}

func jsonStrings(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// doECSRetryingConflicts is DoECS that also retries while the resource is
// busy (IsConflict), for the calls that race with snapshots being taken.
func (c *Client) doECSRetryingConflicts(ctx context.Context, region string, req requests.AcsRequest, resp responses.AcsResponse) error {
	cl, err := c.ECS(region)
	if err != nil {
		return err
	}
	action := req.GetActionName()
	err = c.Backoff.Retry(ctx, action, func(err error) bool { return Retryable(err) || IsConflict(err) }, func() error {
		return cl.DoAction(req, resp)
	})
	return c.ecsError(err, action, region)
}

// CreateAutoSnapshotPolicy creates the policy and returns its id. token
// makes it idempotent: after a failed attempt it looks for a policy tagged
// with the token before trying again.
func (c *Client) CreateAutoSnapshotPolicy(ctx context.Context, region string, s PolicySpec, token string) (string, error) {
	if err := s.check(); err != nil {
		return "", err
	}
	cl, err := c.ECS(region)
	if err != nil {
		return "", err
	}
	tags := []ecs.CreateAutoSnapshotPolicyTag{}
	for _, k := range policySortedKeys(s.Tags) {
		tags = append(tags, ecs.CreateAutoSnapshotPolicyTag{Key: k, Value: s.Tags[k]})
	}
	if token != "" {
		tags = append(tags, ecs.CreateAutoSnapshotPolicyTag{Key: TagClientToken, Value: token})
	}
	var id string
	attempt := 0
	err = c.Backoff.Retry(ctx, "CreateAutoSnapshotPolicy", tokenRetryable, func() error {
		attempt++
		if attempt > 1 && token != "" {
			found, err := c.findPolicyByTag(ctx, region, TagClientToken, token)
			if err != nil {
				return err
			}
			if found != "" {
				tflog.Info(ctx, "found the auto snapshot policy a previous attempt created", map[string]any{"id": found})
				id = found
				return nil
			}
		}
		req := ecs.CreateCreateAutoSnapshotPolicyRequest()
		req.AutoSnapshotPolicyName = s.Name
		req.TimePoints = jsonStrings(drpolicy.ECSTimePoints(s.Schedule.Hours))
		req.RepeatWeekdays = jsonStrings(drpolicy.ECSWeekdays(s.Schedule.Weekdays))
		req.RetentionDays = requestsInt(s.RetentionDays)
		if len(s.CopyRegions) > 0 {
			req.EnableCrossRegionCopy = requests.NewBoolean(true)
			req.TargetCopyRegions = jsonStrings(s.CopyRegions)
			req.CopiedSnapshotsRetentionDays = requestsInt(s.CopyRetentionDays)
			req.CopyEncryptionConfiguration.Encrypted = strconv.FormatBool(s.CopyEncrypted)
			req.CopyEncryptionConfiguration.KMSKeyId = s.CopyKMSKeyID
		}
		req.Tag = &tags
		resp := ecs.CreateCreateAutoSnapshotPolicyResponse()
		if err := cl.DoAction(req, resp); err != nil {
			return err
		}
		id = resp.AutoSnapshotPolicyId
		return nil
	})
	if err != nil {
		return "", c.ecsError(err, "CreateAutoSnapshotPolicy", region)
	}
	return id, nil
}

func (c *Client) findPolicyByTag(ctx context.Context, region, key, value string) (string, error) {
	req := ecs.CreateDescribeAutoSnapshotPolicyExRequest()
	req.Tag = &[]ecs.DescribeAutoSnapshotPolicyExTag{{Key: key, Value: value}}
	req.PageSize = requestsInt(PageSize)
	resp := ecs.CreateDescribeAutoSnapshotPolicyExResponse()
	if err := c.DoECS(ctx, region, req, resp); err != nil {
		return "", err
	}
	for _, p := range resp.AutoSnapshotPolicies.AutoSnapshotPolicy {
		if tagMap(p.Tags.Tag)[key] == value {
			return p.AutoSnapshotPolicyId, nil
		}
	}
	return "", nil
}

// policyMissing reports the errors ECS gives for a policy that does not
// exist: the documented code is ParameterInvalid with HTTP 404, older
// answers use InvalidAutoSnapshotPolicyId.NotFound.
func policyMissing(err error) bool {
	return isMissing(err, KindPolicy) || ErrorCode(err) == "ParameterInvalid" && httpStatus(err) == http.StatusNotFound
}

// policyErr turns a missing-policy error into a *NotFoundError.
func policyErr(err error, id, region string) error {
	if policyMissing(err) {
		return &NotFoundError{Kind: KindPolicy, ID: id, Region: region}
	}
	return err
}

// FindAutoSnapshotPolicyByID returns the policy id in region, or a
// *NotFoundError.
func (c *Client) FindAutoSnapshotPolicyByID(ctx context.Context, region, id string) (*ecs.AutoSnapshotPolicy, error) {
	req := ecs.CreateDescribeAutoSnapshotPolicyExRequest()
	req.AutoSnapshotPolicyId = id
	req.PageSize = requestsInt(PageSize)
	resp := ecs.CreateDescribeAutoSnapshotPolicyExResponse()
	if err := c.DoECS(ctx, region, req, resp); err != nil {
		return nil, policyErr(err, id, region)
	}
	for i, p := range resp.AutoSnapshotPolicies.AutoSnapshotPolicy {
		if p.AutoSnapshotPolicyId == id {
			return &resp.AutoSnapshotPolicies.AutoSnapshotPolicy[i], nil
		}
	}
	return nil, &NotFoundError{Kind: KindPolicy, ID: id, Region: region}
}

// PolicyTags returns the user tags of a policy (without the provider's own
// alidr: tags).
func PolicyTags(p *ecs.AutoSnapshotPolicy) map[string]string {
	m := tagMap(p.Tags.Tag)
	for k := range m {
		if strings.HasPrefix(k, "alidr:") {
			delete(m, k)
		}
	}
	return m
}

// PolicyRawTags returns every tag of a policy, the provider's included.
func PolicyRawTags(p *ecs.AutoSnapshotPolicy) map[string]string { return tagMap(p.Tags.Tag) }

// PolicySchedule decodes the policy's TimePoints and RepeatWeekdays.
func PolicySchedule(p *ecs.AutoSnapshotPolicy) (drpolicy.Schedule, error) {
	tp, err := decodeJSONArray(p.TimePoints)
	if err != nil {
		return drpolicy.Schedule{}, fmt.Errorf("TimePoints %q: %w", p.TimePoints, err)
	}
	wd, err := decodeJSONArray(p.RepeatWeekdays)
	if err != nil {
		return drpolicy.Schedule{}, fmt.Errorf("RepeatWeekdays %q: %w", p.RepeatWeekdays, err)
	}
	return drpolicy.FromECS(tp, wd)
}

// PolicyCopyRegions decodes TargetCopyRegions.
func PolicyCopyRegions(p *ecs.AutoSnapshotPolicy) []string {
	if !p.EnableCrossRegionCopy {
		return nil
	}
	out, _ := decodeJSONArray(p.TargetCopyRegions)
	return out
}

// decodeJSONArray reads `["1","2"]`, `[1,2]` or a bare comma list.
func decodeJSONArray(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var raw []any
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		var out []string
		for _, f := range strings.Split(strings.Trim(s, "[]"), ",") {
			if f = strings.Trim(strings.TrimSpace(f), `"`); f != "" {
				out = append(out, f)
			}
		}
		return out, nil
	}
	out := make([]string, 0, len(raw))
	for _, v := range raw {
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case float64:
			out = append(out, strconv.Itoa(int(x)))
		default:
			return nil, fmt.Errorf("unexpected element %v", v)
		}
	}
	return out, nil
}

// ModifyAutoSnapshotPolicy sends every settable field of s.
func (c *Client) ModifyAutoSnapshotPolicy(ctx context.Context, region, id string, s PolicySpec) error {
	if err := s.check(); err != nil {
		return err
	}
	req := ecs.CreateModifyAutoSnapshotPolicyExRequest()
	req.AutoSnapshotPolicyId = id
	req.AutoSnapshotPolicyName = s.Name
	req.TimePoints = jsonStrings(drpolicy.ECSTimePoints(s.Schedule.Hours))
	req.RepeatWeekdays = jsonStrings(drpolicy.ECSWeekdays(s.Schedule.Weekdays))
	req.RetentionDays = requestsInt(s.RetentionDays)
	req.EnableCrossRegionCopy = requests.NewBoolean(len(s.CopyRegions) > 0)
	if len(s.CopyRegions) > 0 {
		req.TargetCopyRegions = jsonStrings(s.CopyRegions)
		req.CopiedSnapshotsRetentionDays = requestsInt(s.CopyRetentionDays)
		req.CopyEncryptionConfiguration.Encrypted = strconv.FormatBool(s.CopyEncrypted)
		req.CopyEncryptionConfiguration.KMSKeyId = s.CopyKMSKeyID
	}
	return policyErr(c.doECSRetryingConflicts(ctx, region, req, ecs.CreateModifyAutoSnapshotPolicyExResponse()), id, region)
}

// DeleteAutoSnapshotPolicy cancels the policy on every disk that follows it,
// then deletes it. A policy already gone is not an error.
func (c *Client) DeleteAutoSnapshotPolicy(ctx context.Context, region, id string) error {
	disks, err := c.PolicyDisks(ctx, region, id)
	if policyMissing(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(disks) > 0 {
		tflog.Info(ctx, "cancelling the auto snapshot policy on its disks before deleting it", map[string]any{"id": id, "disks": disks})
		if err := c.CancelAutoSnapshotPolicy(ctx, region, disks); err != nil && !isMissing(err, KindDisk) {
			return err
		}
	}
	req := ecs.CreateDeleteAutoSnapshotPolicyRequest()
	req.AutoSnapshotPolicyId = id
	err = c.doECSRetryingConflicts(ctx, region, req, ecs.CreateDeleteAutoSnapshotPolicyResponse())
	if policyMissing(err) {
		return nil
	}
	return err
}

// ApplyAutoSnapshotPolicy makes disks follow the policy (a disk follows one
// policy: applying moves it from any other).
func (c *Client) ApplyAutoSnapshotPolicy(ctx context.Context, region, id string, disks []string) error {
	if len(disks) == 0 {
		return nil
	}
	req := ecs.CreateApplyAutoSnapshotPolicyRequest()
	req.AutoSnapshotPolicyId = id
	req.DiskIds = jsonStrings(disks)
	return policyErr(c.doECSRetryingConflicts(ctx, region, req, ecs.CreateApplyAutoSnapshotPolicyResponse()), id, region)
}

// CancelAutoSnapshotPolicy stops automatic snapshots on disks.
func (c *Client) CancelAutoSnapshotPolicy(ctx context.Context, region string, disks []string) error {
	if len(disks) == 0 {
		return nil
	}
	req := ecs.CreateCancelAutoSnapshotPolicyRequest()
	req.DiskIds = jsonStrings(disks)
	return c.doECSRetryingConflicts(ctx, region, req, ecs.CreateCancelAutoSnapshotPolicyResponse())
}

// PolicyDisks lists the disks in region that follow policy id, sorted.
func (c *Client) PolicyDisks(ctx context.Context, region, id string) ([]string, error) {
	var out []string
	err := AllPages(ctx, func(page int) (int, int, error) {
		req := ecs.CreateDescribeDisksRequest()
		req.PageNumber = requestsInt(page)
		req.PageSize = requestsInt(PageSize)
		req.AutoSnapshotPolicyId = id
		resp := ecs.CreateDescribeDisksResponse()
		if err := c.DoECS(ctx, region, req, resp); err != nil {
			return 0, 0, err
		}
		for _, d := range resp.Disks.Disk {
			if d.AutoSnapshotPolicyId == id { // the filter, checked again
				out = append(out, d.DiskId)
			}
		}
		return len(resp.Disks.Disk), resp.TotalCount, nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(out)
	return out, nil
}

// DiskPolicies maps each of disks that exists to the policy it follows now
// ("" for none).
func (c *Client) DiskPolicies(ctx context.Context, region string, disks []string) (map[string]string, error) {
	out := map[string]string{}
	if len(disks) == 0 {
		return out, nil
	}
	for chunk := range slices.Chunk(disks, PageSize) {
		list, err := c.ListDisks(ctx, region, DiskFilter{IDs: chunk})
		if err != nil {
			return nil, err
		}
		for _, d := range list {
			out[d.DiskId] = d.AutoSnapshotPolicyId
		}
	}
	return out, nil
}

// SetPolicyTags moves the policy's user tags from old to new with
// TagResources/UntagResources (ModifyAutoSnapshotPolicyEx has no tags).
func (c *Client) SetPolicyTags(ctx context.Context, region, id string, old, new map[string]string) error {
	var remove []string
	for k := range old {
		if _, ok := new[k]; !ok {
			remove = append(remove, k)
		}
	}
	sort.Strings(remove)
	if len(remove) > 0 {
		req := ecs.CreateUntagResourcesRequest()
		req.ResourceType = "snapshotpolicy"
		req.ResourceId = &[]string{id}
		req.TagKey = &remove
		if err := c.DoECS(ctx, region, req, ecs.CreateUntagResourcesResponse()); err != nil {
			return err
		}
	}
	var add []ecs.TagResourcesTag
	for _, k := range policySortedKeys(new) {
		if v, ok := old[k]; !ok || v != new[k] {
			add = append(add, ecs.TagResourcesTag{Key: k, Value: new[k]})
		}
	}
	if len(add) > 0 {
		req := ecs.CreateTagResourcesRequest()
		req.ResourceType = "snapshotpolicy"
		req.ResourceId = &[]string{id}
		req.Tag = &add
		if err := c.DoECS(ctx, region, req, ecs.CreateTagResourcesResponse()); err != nil {
			return err
		}
	}
	return nil
}

func policySortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TierSnapshots returns the accomplished automatic snapshots of disks in
// region as drpolicy snapshots, and the service's current time (its Date
// header; the local clock when absent) to plan tiers against. They come
// from the region's shared listing (regionSnapshots), not one listing per
// disk.
func (c *Client) TierSnapshots(ctx context.Context, region string, disks []string) ([]drpolicy.Snapshot, time.Time, error) {
	all, now, err := c.regionSnapshots(ctx, region)
	if err != nil {
		return nil, time.Time{}, err
	}
	var out []drpolicy.Snapshot
	for _, s := range all {
		// The disks' own snapshots of this region (the listing holds
		// automatic ones only): copies live in other regions.
		if !slices.Contains(disks, s.SourceDiskId) || s.SourceSnapshotId != "" || (s.RegionId != "" && s.RegionId != region) {
			continue
		}
		out = append(out, tierSnapshot(s))
	}
	if now.IsZero() {
		now = time.Now().UTC()
	}
	return out, now, nil
}

// tierSnapshot is what the retention tiers need of a snapshot.
func tierSnapshot(s ecs.Snapshot) drpolicy.Snapshot {
	cat := strings.ToLower(s.Category)
	if s.Encrypted {
		// ECS cannot archive encrypted snapshots: present them as archived so
		// the tiers only ever extend them.
		cat = "archive"
	}
	return drpolicy.Snapshot{ID: s.SnapshotId, DiskID: s.SourceDiskId, Created: ParseTime(s.CreationTime),
		RetentionDays: s.RetentionDays, Category: cat, SourceID: s.SourceSnapshotId}
}

func serverTime(h map[string][]string) time.Time {
	for k, v := range h {
		if strings.EqualFold(k, "Date") && len(v) > 0 {
			if t, err := http.ParseTime(v[0]); err == nil {
				return t.UTC()
			}
		}
	}
	return time.Time{}
}

// ApplyTierAction extends and/or archives one snapshot as drpolicy planned.
// Archiving passes the retention along, so it never becomes shorter (ECS
// would otherwise keep an archived snapshot forever).
func (c *Client) ApplyTierAction(ctx context.Context, region string, a drpolicy.Action) error {
	if a.Extend {
		if err := c.ExtendSnapshotRetention(ctx, region, a.SnapshotID, a.NewRetentionDays); err != nil {
			return fmt.Errorf("extending snapshot %s to %d days: %w", a.SnapshotID, a.NewRetentionDays, err)
		}
	}
	if a.Archive {
		if err := c.ArchiveSnapshot(ctx, region, a.SnapshotID, a.NewRetentionDays); err != nil {
			return fmt.Errorf("archiving snapshot %s: %w", a.SnapshotID, err)
		}
	}
	return nil
}
