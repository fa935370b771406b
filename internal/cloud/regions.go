package cloud

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// Regions lists the regions ECS offers to the account. The first answer is
// kept for the client's life (the provider's Configure makes it), so plans
// checking copy regions call DescribeRegions no more.
func (c *Client) Regions(ctx context.Context) ([]ecs.Region, error) {
	c.mu.Lock()
	cached := c.regions
	c.mu.Unlock()
	if cached != nil {
		return cached, nil
	}
	req := ecs.CreateDescribeRegionsRequest()
	resp := ecs.CreateDescribeRegionsResponse()
	if err := c.DoECS(ctx, c.region, req, resp); err != nil {
		return nil, err
	}
	regions := resp.Regions.Region
	sort.Slice(regions, func(i, j int) bool { return regions[i].RegionId < regions[j].RegionId })
	c.mu.Lock()
	c.regions = regions
	c.mu.Unlock()
	return regions, nil
}

// UnknownRegionError says DescribeRegions answered and does not list the
// region: the only outcome of CheckRegions that is about the region.
type UnknownRegionError struct {
	Region    string
	Available []string
}

func (e *UnknownRegionError) Error() string {
	return fmt.Sprintf("region %q does not exist or is not available to this account; available regions: %v", e.Region, e.Available)
}

// CheckRegions fails with an *UnknownRegionError listing the valid ids when
// any of want is not a region of the account. Any other error (refused
// credentials, throttling that outlasted the retries, a network failure) is
// returned as it is: it says nothing about the region.
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
			return &UnknownRegionError{Region: w, Available: ids}
		}
	}
	return nil
}
