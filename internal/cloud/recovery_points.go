package cloud

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/alidr/terraform-provider-alidr/internal/drpolicy"
)

// RecoveryPointQuery names what to find recovery points for: one disk or
// every disk of one instance.
type RecoveryPointQuery struct {
	DiskID, InstanceID string
	// Regions are extra regions searched for cross-region copies, recognised
	// by their SourceDiskId or SourceSnapshotId. The query region is always
	// searched; listing it here again is harmless.
	Regions []string
}

// imageStatuses are every image status, so points still being created or
// failed show up (drpolicy explains why they are not usable).
const imageStatuses = "Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated"

// RecoveryPoints lists the snapshots of q's disk or instance in region, their
// copies in q.Regions, and the custom images built from any of them, as
// drpolicy points (unsorted; drpolicy.Select orders them). Verified is set
// from the TagVerifiedAt tag.
func (c *Client) RecoveryPoints(ctx context.Context, region string, q RecoveryPointQuery) ([]drpolicy.Point, error) {
	points, _, err := c.RecoveryPointsNow(ctx, region, q)
	return points, err
}

// RecoveryPointsNow is RecoveryPoints that also returns the service's
// current time (from its Date header; the local clock when absent), to
// measure ages such as max_age against the same clock the points were
// stamped with.
func (c *Client) RecoveryPointsNow(ctx context.Context, region string, q RecoveryPointQuery) ([]drpolicy.Point, time.Time, error) {
	if q.DiskID == "" && q.InstanceID == "" {
		return nil, time.Time{}, fmt.Errorf("recovery points need a disk id or an instance id")
	}
	primary, now, err := c.listSnapshots(ctx, region, SnapshotFilter{DiskID: q.DiskID, InstanceID: q.InstanceID})
	if err != nil {
		return nil, time.Time{}, err
	}
	if now.IsZero() {
		now = time.Now().UTC()
	}
	disks := map[string]bool{}
	if q.DiskID != "" {
		disks[q.DiskID] = true
	}
	if q.InstanceID != "" && q.DiskID == "" {
		ds, err := c.ListDisks(ctx, region, DiskFilter{InstanceID: q.InstanceID})
		if err != nil {
			return nil, time.Time{}, err
		}
		for _, d := range ds {
			disks[d.DiskId] = true
		}
	}
	sources := map[string]bool{}
	for _, s := range primary {
		sources[s.SnapshotId] = true
		if s.SourceDiskId != "" {
			disks[s.SourceDiskId] = true
		}
	}

	var points []drpolicy.Point
	add := func(r string, snaps []ecs.Snapshot) error {
		byID := map[string]ecs.Snapshot{}
		for _, s := range snaps {
			byID[s.SnapshotId] = s
			points = append(points, snapshotPoint(r, s))
		}
		if len(snaps) == 0 {
			return nil
		}
		images, err := c.listOwnImages(ctx, r)
		if err != nil {
			return err
		}
		for _, im := range images {
			for _, m := range im.DiskDeviceMappings.DiskDeviceMapping {
				if s, ok := byID[m.SnapshotId]; ok {
					points = append(points, imagePoint(r, im, s.SourceDiskId))
					break
				}
			}
		}
		return nil
	}
	if err := add(region, primary); err != nil {
		return nil, time.Time{}, err
	}
	seen := map[string]bool{region: true}
	for _, r := range q.Regions {
		r = strings.TrimSpace(r)
		if r == "" || seen[r] {
			continue
		}
		seen[r] = true
		all, err := c.ListSnapshots(ctx, r, SnapshotFilter{})
		if err != nil {
			return nil, time.Time{}, err
		}
		copies := slices.DeleteFunc(all, func(s ecs.Snapshot) bool {
			return !sources[s.SourceSnapshotId] && !disks[s.SourceDiskId]
		})
		if err := add(r, copies); err != nil {
			return nil, time.Time{}, err
		}
	}
	return points, now, nil
}

func snapshotPoint(region string, s ecs.Snapshot) drpolicy.Point {
	r := s.RegionId
	if r == "" {
		r = region
	}
	cat := strings.ToLower(s.Category)
	if cat == "" {
		cat = "standard"
	}
	return drpolicy.Point{
		ID: s.SnapshotId, DiskID: s.SourceDiskId, Region: r, Kind: "snapshot",
		Category: cat, Created: ParseTime(s.CreationTime),
		Verified: SnapshotTags(s)[TagVerifiedAt] != "", Status: s.Status,
	}
}

func imagePoint(region string, im ecs.Image, diskID string) drpolicy.Point {
	return drpolicy.Point{
		ID: im.ImageId, DiskID: diskID, Region: region, Kind: "image",
		Category: "standard", Created: ParseTime(im.CreationTime),
		Verified: tagMap(im.Tags.Tag)[TagVerifiedAt] != "", Status: im.Status,
	}
}

// listOwnImages lists the account's custom images in region, in every status.
func (c *Client) listOwnImages(ctx context.Context, region string) ([]ecs.Image, error) {
	return c.describeImages(ctx, region, func(req *ecs.DescribeImagesRequest) {
		req.ImageOwnerAlias = "self"
		req.Status = imageStatuses
	})
}
