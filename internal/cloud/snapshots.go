package cloud

import (
	"context"
	"strings"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// SnapshotFilter narrows ListSnapshots; empty fields do not filter.
type SnapshotFilter struct {
	IDs        []string
	DiskID     string
	InstanceID string
	Category   string // standard | flash | archive
	Type       string // auto | user | all
	Status     string // progressing | accomplished | failed | all
	Tags       map[string]string
}

// FindSnapshotByID returns the snapshot id in region, or a *NotFoundError.
// Concurrent lookups are batched (batch.go).
func (c *Client) FindSnapshotByID(ctx context.Context, region, id string) (*ecs.Snapshot, error) {
	return findByID(ctx, c, snapshotsByID, KindSnapshot, region, id)
}

// snapshotsByID finds snapshots (any status) with DescribeSnapshots'
// SnapshotIds, a JSON array of up to 100 ids.
var snapshotsByID = batchKind[ecs.Snapshot]{
	action: "DescribeSnapshots",
	id:     func(s *ecs.Snapshot) string { return s.SnapshotId },
	fetch: func(ctx context.Context, c *Client, region string, ids []string) ([]ecs.Snapshot, error) {
		out, _, err := c.listSnapshots(ctx, region, SnapshotFilter{IDs: ids})
		return out, err
	},
}

// ListSnapshots returns every snapshot in region matching f, newest first
// (as ECS lists them).
func (c *Client) ListSnapshots(ctx context.Context, region string, f SnapshotFilter) ([]ecs.Snapshot, error) {
	out, _, err := c.listSnapshots(ctx, region, f)
	return out, err
}

// listSnapshots is ListSnapshots that also returns the service's time (the
// Date of its answers; zero when absent).
func (c *Client) listSnapshots(ctx context.Context, region string, f SnapshotFilter) ([]ecs.Snapshot, time.Time, error) {
	var out []ecs.Snapshot
	var now time.Time
	err := AllPages(ctx, func(page int) (int, int, error) {
		req := ecs.CreateDescribeSnapshotsRequest()
		req.PageNumber = requestsInt(page)
		req.PageSize = requestsInt(PageSize)
		req.DiskId = f.DiskID
		req.InstanceId = f.InstanceID
		req.Category = f.Category
		req.SnapshotType = f.Type
		req.Status = f.Status
		if req.Status == "" {
			req.Status = "all"
		}
		if len(f.IDs) > 0 {
			req.SnapshotIds = jsonParam(f.IDs)
		}
		req.Tag = sdkTags(f.Tags, func(k, v string) ecs.DescribeSnapshotsTag { return ecs.DescribeSnapshotsTag{Key: k, Value: v} })
		resp := ecs.CreateDescribeSnapshotsResponse()
		if err := c.DoECS(ctx, region, req, resp); err != nil {
			return 0, 0, err
		}
		if t := serverTime(resp.GetHttpHeaders()); t.After(now) {
			now = t
		}
		out = append(out, resp.Snapshots.Snapshot...)
		return len(resp.Snapshots.Snapshot), resp.TotalCount, nil
	})
	return out, now, err
}

// SnapshotTags turns the API's tag list into a map.
func SnapshotTags(s ecs.Snapshot) map[string]string { return tagMap(s.Tags.Tag) }

func tagMap(tags []ecs.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		k, v := t.Key, t.Value
		if k == "" {
			k, v = t.TagKey, t.TagValue
		}
		if k != "" {
			m[k] = v
		}
	}
	return m
}

// ParseTime reads the API's ISO 8601 times ("2026-11-20T08:00:00Z" or
// "2026-11-20T08:00Z"); the zero time when s is empty or malformed.
func ParseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// ExtendSnapshotRetention sets a snapshot's retention (days from its
// creation). ECS only ever lengthens it.
func (c *Client) ExtendSnapshotRetention(ctx context.Context, region, id string, days int) error {
	req := ecs.CreateModifySnapshotAttributeRequest()
	req.SnapshotId = id
	req.RetentionDays = requestsInt(days)
	return c.DoECS(ctx, region, req, ecs.CreateModifySnapshotAttributeResponse())
}

// ArchiveSnapshot moves a snapshot to the archive tier, keeping it
// retentionDays from its creation (0: forever).
func (c *Client) ArchiveSnapshot(ctx context.Context, region, id string, retentionDays int) error {
	req := ecs.CreateModifySnapshotCategoryRequest()
	req.SnapshotId = id
	req.Category = "Archive"
	if retentionDays > 0 {
		req.RetentionDays = requestsInt(retentionDays)
	}
	return c.DoECS(ctx, region, req, ecs.CreateModifySnapshotCategoryResponse())
}
