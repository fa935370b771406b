package cloud

import (
	"context"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// ListInstancesByTags returns the instances in region carrying every tag of
// tags (DescribeInstances Tag.N.Key/Value).
func (c *Client) ListInstancesByTags(ctx context.Context, region string, tags map[string]string) ([]ecs.Instance, error) {
	var out []ecs.Instance
	err := AllPages(ctx, func(page int) (int, int, error) {
		req := ecs.CreateDescribeInstancesRequest()
		req.PageNumber = requestsInt(page)
		req.PageSize = requestsInt(PageSize)
		req.Tag = sdkTags(tags, func(k, v string) ecs.DescribeInstancesTag { return ecs.DescribeInstancesTag{Key: k, Value: v} })
		resp := ecs.CreateDescribeInstancesResponse()
		if err := c.DoECS(ctx, region, req, resp); err != nil {
			return 0, 0, err
		}
		out = append(out, resp.Instances.Instance...)
		return len(resp.Instances.Instance), resp.TotalCount, nil
	})
	if err != nil {
		return nil, err
	}
	kept := out[:0]
	for i := range out {
		if hasTags(InstanceTags(&out[i]), tags) {
			kept = append(kept, out[i])
		}
	}
	return kept, nil
}

func hasTags(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}
