package cloud

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// Regions lists the regions ECS offers to the account.
func (c *Client) Regions(ctx context.Context) ([]ecs.Region, error) {
	req := ecs.CreateDescribeRegionsRequest()
	resp := ecs.CreateDescribeRegionsResponse()
	if err := c.DoECS(ctx, c.region, req, resp); err != nil {
		return nil, err
	}
	regions := resp.Regions.Region
	sort.Slice(regions, func(i, j int) bool { return regions[i].RegionId < regions[j].RegionId })
	return regions, nil
}

// CheckRegions fails with the list of valid ids when any of want is not a
// region of the account.
func (c *Client) CheckRegions(ctx context.Context, want ...string) error {
	regions, err := c.Regions(ctx)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(regions))
	for _, r := range regions {
		ids = append(ids, r.RegionId)
	}
	for _, w := range want {
		if !slices.Contains(ids, w) {
			return fmt.Errorf("region %q does not exist or is not available to this account; available regions: %v", w, ids)
		}
	}
	return nil
}
