package cloud

import (
	"context"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// DiskFilter narrows ListDisks; empty fields do not filter.
type DiskFilter struct {
	IDs        []string
	InstanceID string
	DiskType   string // system | data
	Category   string
	Tags       map[string]string
}

// ListDisks returns every disk in region matching f. A lookup by ids alone
// is batched with concurrent ones (batch.go).
func (c *Client) ListDisks(ctx context.Context, region string, f DiskFilter) ([]ecs.Disk, error) {
	if len(f.IDs) > 0 && f.InstanceID == "" && f.DiskType == "" && f.Category == "" && len(f.Tags) == 0 {
		found, err := describeByIDs(ctx, c, disksByID, region, f.IDs)
		if err != nil {
			return nil, err
		}
		out := make([]ecs.Disk, 0, len(found))
		for _, id := range uniqueIDs(f.IDs) {
			if d, ok := found[id]; ok {
				out = append(out, *d)
			}
		}
		return out, nil
	}
	return c.listDisks(ctx, region, f)
}

// disksByID finds disks with DescribeDisks' DiskIds, a JSON array of up to
// 100 ids.
var disksByID = batchKind[ecs.Disk]{
	action: "DescribeDisks",
	id:     func(d *ecs.Disk) string { return d.DiskId },
	fetch: func(ctx context.Context, c *Client, region string, ids []string) ([]ecs.Disk, error) {
		return c.listDisks(ctx, region, DiskFilter{IDs: ids})
	},
}

// listDisks is ListDisks without batching.
func (c *Client) listDisks(ctx context.Context, region string, f DiskFilter) ([]ecs.Disk, error) {
	var out []ecs.Disk
	err := AllPages(ctx, func(page int) (int, int, error) {
		req := ecs.CreateDescribeDisksRequest()
		req.PageNumber = requestsInt(page)
		req.PageSize = requestsInt(PageSize)
		req.InstanceId = f.InstanceID
		req.DiskType = f.DiskType
		req.Category = f.Category
		if len(f.IDs) > 0 {
			req.DiskIds = jsonParam(f.IDs)
		}
		req.Tag = sdkTags(f.Tags, func(k, v string) ecs.DescribeDisksTag { return ecs.DescribeDisksTag{Key: k, Value: v} })
		resp := ecs.CreateDescribeDisksResponse()
		if err := c.DoECS(ctx, region, req, resp); err != nil {
			return 0, 0, err
		}
		out = append(out, resp.Disks.Disk...)
		return len(resp.Disks.Disk), resp.TotalCount, nil
	})
	return out, err
}
