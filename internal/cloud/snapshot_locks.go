package cloud

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/responses"

	"github.com/alidr/terraform-provider-alidr/internal/replication"
)

// Snapshot locks (compliance mode): LockSnapshot, UnlockSnapshot and
// DescribeLockedSnapshots. The pinned v1 SDK has no typed requests for them,
// so they go through its common request, which DoECS signs, sends, retries
// and classifies like every other ECS call. Parameter and field names come
// from the ecs-20140526/v7 v7.7.0 models (lock_snapshot_*, unlock_snapshot_*,
// describe_locked_snapshots_*); testdata/responses holds their examples.

// Lock statuses (LockStatus) as the models document them.
const (
	LockStatusCoolOff    = "compliance-cooloff" // locked; can still be unlocked or re-locked
	LockStatusCompliance = "compliance"         // locked; only a longer lock is accepted
	LockStatusExpired    = "expired"            // the lock ended; the snapshot can be deleted
)

// SnapshotLock is one snapshot's lock (LockedSnapshotInfo).
type SnapshotLock struct {
	SnapshotId               string
	LockMode                 string
	LockStatus               string
	LockDuration             int // days
	CoolOffPeriod            int // hours
	LockCreationTime         string
	LockDurationStartTime    string
	LockExpiredTime          string
	CoolOffPeriodExpiredTime string
}

// Locked reports whether the lock still protects the snapshot (cool-off
// included: a snapshot cannot be deleted during it either).
func (l SnapshotLock) Locked() bool {
	return l.LockStatus == LockStatusCoolOff || l.LockStatus == LockStatusCompliance
}

// ExpiresAt is when the lock ends.
func (l SnapshotLock) ExpiresAt() (time.Time, error) {
	return time.Parse(time.RFC3339, l.LockExpiredTime)
}

// lockRequest is an ECS common request in region; the caller sets ApiName.
func lockRequest(region string) *requests.CommonRequest {
	req := requests.NewCommonRequest()
	req.Method = "POST"
	req.Product = "Ecs"
	req.Version = "2014-05-26"
	req.QueryParams["RegionId"] = region
	return req
}

// doLockAction sends a lock request through DoECS and decodes its JSON
// answer into out (nil: ignored).
func (c *Client) doLockAction(ctx context.Context, region string, req *requests.CommonRequest, out any) error {
	req.TransToAcsRequest()
	resp := responses.NewCommonResponse()
	if err := c.DoECS(ctx, region, req, resp); err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(resp.GetHttpContentBytes(), out); err != nil {
		return fmt.Errorf("ECS %s in %s: reading the answer: %w", req.ApiName, region, err)
	}
	return nil
}

// LockSnapshot locks snapshot id in compliance mode for days (1 to 36500),
// with a cool-off of coolOffHours (0 to 72; 0 locks at once, and must be 0
// when extending a lock whose cool-off has ended). The lock must end within
// the snapshot's retention. A ClientToken makes a resend after an unknown
// outcome safe.
func (c *Client) LockSnapshot(ctx context.Context, region, id string, days, coolOffHours int) (*SnapshotLock, error) {
	req := lockRequest(region)
	req.ApiName = "LockSnapshot"
	req.QueryParams["SnapshotId"] = id
	req.QueryParams["LockMode"] = "compliance"
	req.QueryParams["LockDuration"] = strconv.Itoa(days)
	req.QueryParams["CoolOffPeriod"] = strconv.Itoa(coolOffHours)
	req.QueryParams["ClientToken"] = replication.NewClientToken()
	var out struct{ LockedSnapshotInfo SnapshotLock }
	if err := c.doLockAction(ctx, region, req, &out); err != nil {
		return nil, asNotFound(err, KindSnapshot, id, region)
	}
	return &out.LockedSnapshotInfo, nil
}

// UnlockSnapshot removes a lock that is still in its cool-off period; after
// it the service refuses (InvalidOperation.CoolOffPeriodExpired).
func (c *Client) UnlockSnapshot(ctx context.Context, region, id string) error {
	req := lockRequest(region)
	req.ApiName = "UnlockSnapshot"
	req.QueryParams["SnapshotId"] = id
	return asNotFound(c.doLockAction(ctx, region, req, nil), KindSnapshot, id, region)
}

// lockIDsPerCall is DescribeLockedSnapshots' documented SnapshotIds limit.
const lockIDsPerCall = 100

// ListSnapshotLocks returns the locks of the snapshots ids in region (every
// lock of the region when ids is empty), expired ones included.
func (c *Client) ListSnapshotLocks(ctx context.Context, region string, ids []string) ([]SnapshotLock, error) {
	if len(ids) == 0 {
		return c.listSnapshotLocks(ctx, region, nil)
	}
	var out []SnapshotLock
	for start := 0; start < len(ids); start += lockIDsPerCall {
		got, err := c.listSnapshotLocks(ctx, region, ids[start:min(start+lockIDsPerCall, len(ids))])
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

func (c *Client) listSnapshotLocks(ctx context.Context, region string, ids []string) ([]SnapshotLock, error) {
	var out []SnapshotLock
	token := ""
	for {
		req := lockRequest(region)
		req.ApiName = "DescribeLockedSnapshots"
		req.QueryParams["MaxResults"] = "100" // the documented maximum
		for i, id := range ids {
			req.QueryParams["SnapshotIds."+strconv.Itoa(i+1)] = id
		}
		if token != "" {
			req.QueryParams["NextToken"] = token
		}
		var page struct {
			NextToken           string
			LockedSnapshotsInfo []SnapshotLock
		}
		if err := c.doLockAction(ctx, region, req, &page); err != nil {
			return nil, err
		}
		out = append(out, page.LockedSnapshotsInfo...)
		if page.NextToken == "" || len(page.LockedSnapshotsInfo) == 0 {
			return out, nil
		}
		if page.NextToken == token {
			return nil, fmt.Errorf("ECS DescribeLockedSnapshots in %s: the service answered with the NextToken it was sent", region)
		}
		token = page.NextToken
	}
}
