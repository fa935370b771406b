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
	// Locks asks for each snapshot's lock (DescribeLockedSnapshots, which
	// needs the ecs:DescribeLockedSnapshots permission): Point.Locked.
	Locks bool
}

// imageStatuses are every image status, so points still being created or
// failed show up (drpolicy explains why they are not usable).
const imageStatuses = "Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated"

// RecoveryPoints lists the snapshots of q's disk or instance in region, their
// copies in q.Regions, and the custom images built from any of them, as
// drpolicy points (unsorted; drpolicy.Select orders them). Verified is set
// only by a signed attestation a trusted key made (proveVerified); the
// verification tags only say where to look.
func (c *Client) RecoveryPoints(ctx context.Context, region string, q RecoveryPointQuery) ([]drpolicy.Point, error) {
	points, _, err := c.RecoveryPointsNow(ctx, region, q)
	return points, err
}

// RecoveryPointsNow is RecoveryPoints that also returns the service's
// current time (from its Date header; the local clock when absent), to
// measure ages such as max_age against the same clock the points were
// stamped with.
func (c *Client) RecoveryPointsNow(ctx context.Context, region string, q RecoveryPointQuery) ([]drpolicy.Point, time.Time, error) {
	points, now, err := c.recoveryPoints(ctx, region, q)
	if err == nil && q.Locks {
		err = c.markLocked(ctx, points)
	}
	return points, now, err
}

func (c *Client) recoveryPoints(ctx context.Context, region string, q RecoveryPointQuery) ([]drpolicy.Point, time.Time, error) {
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
	if err := c.proveVerified(ctx, points); err != nil {
		return nil, time.Time{}, err
	}
	return points, now, nil
}

// markLocked sets Locked on the snapshot points a lock protects now, asking
// each region for the locks of its snapshot points.
func (c *Client) markLocked(ctx context.Context, points []drpolicy.Point) error {
	byRegion := map[string][]string{}
	for _, p := range points {
		if p.Kind == "snapshot" {
			byRegion[p.Region] = append(byRegion[p.Region], p.ID)
		}
	}
	locked := map[string]bool{}
	for region, ids := range byRegion {
		locks, err := c.ListSnapshotLocks(ctx, region, ids)
		if err != nil {
			return err
		}
		for _, l := range locks {
			locked[l.SnapshotId] = l.Locked()
		}
	}
	for i := range points {
		points[i].Locked = points[i].Kind == "snapshot" && locked[points[i].ID]
	}
	return nil
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
		VerifiedBy: verifiedBy(SnapshotTags(s)), Status: s.Status,
	}
}

func imagePoint(region string, im ecs.Image, diskID string) drpolicy.Point {
	return drpolicy.Point{
		ID: im.ImageId, DiskID: diskID, Region: region, Kind: "image",
		Category: "standard", Created: ParseTime(im.CreationTime),
		VerifiedBy: verifiedBy(tagMap(im.Tags.Tag)), Status: im.Status,
	}
}

// listOwnImages lists the account's custom images in region, in every status.
func (c *Client) listOwnImages(ctx context.Context, region string) ([]ecs.Image, error) {
	return c.describeImages(ctx, region, func(req *ecs.DescribeImagesRequest) {
		req.ImageOwnerAlias = "self"
		req.Status = imageStatuses
	})
}
