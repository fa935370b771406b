package cloud

import (
	"context"
	"slices"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/alidr/terraform-provider-alidr/internal/drpolicy"
)

// DiskSnapshots lists the completed snapshots of disks held in region with
// one paged DescribeSnapshots of the region (ECS DescribeSnapshots filters
// by one DiskId only; ecs-20140526 has no list of disk ids), and the
// service's time; the callers of one provider process share the listing
// (batch.go). copies selects the cross-region copies of the disks'
// snapshots (in a copy region) instead of the disks' own snapshots (in
// their region). A copy names its source disk in SourceDiskId.
//
// Only automatic snapshots (DescribeSnapshots SnapshotType=auto; the v7
// DescribeSnapshotsRequest defines auto, user and all) are a policy's
// points: an image of the protected instance and its CopyImage copies are
// manual snapshots that also name the disk in SourceDiskId.
func (c *Client) DiskSnapshots(ctx context.Context, region string, disks []string, copies bool) ([]drpolicy.Snapshot, time.Time, error) {
	all, now, err := c.regionSnapshots(ctx, region)
	if err != nil {
		return nil, time.Time{}, err
	}
	if now.IsZero() {
		now = time.Now().UTC()
	}
	var out []drpolicy.Snapshot
	for _, s := range all {
		if !slices.Contains(disks, s.SourceDiskId) || (s.SourceSnapshotId != "") != copies {
			continue
		}
		out = append(out, tierSnapshot(s))
	}
	return out, now, nil
}

// regionSnapshots are the completed automatic snapshots of region (see
// DiskSnapshots for why only automatic ones), from the listing shared by the
// policies' refreshes and retention tiers.
func (c *Client) regionSnapshots(ctx context.Context, region string) ([]ecs.Snapshot, time.Time, error) {
	return c.sharedSnapshots(ctx, region, SnapshotFilter{Type: "auto", Status: "accomplished"})
}
