package cloud

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// sdkTags renders tags as one of the SDK's Tag types (each action has its
// own struct of Key and Value), sorted by key so that a request is the same
// from run to run; nil when there are none, which leaves Tag.N unset.
func sdkTags[T any](tags map[string]string, tag func(k, v string) T) *[]T {
	if len(tags) == 0 {
		return nil
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]T, 0, len(keys))
	for _, k := range keys {
		out = append(out, tag(k, tags[k]))
	}
	return &out
}

func tagResourcesTag(k, v string) ecs.TagResourcesTag { return ecs.TagResourcesTag{Key: k, Value: v} }

// maxTagResourceIDs is the TagResources limit on ResourceId.N.
const maxTagResourceIDs = 50

// TagResources sets tags on ECS resources of one type ("snapshot",
// "image", "instance", "disk"), 50 ids per call. Existing keys are
// overwritten, other tags kept.
func (c *Client) TagResources(ctx context.Context, region, resourceType string, ids []string, tags map[string]string) error {
	if len(ids) == 0 || len(tags) == 0 {
		return nil
	}
	tt := sdkTags(tags, tagResourcesTag)
	for i := 0; i < len(ids); i += maxTagResourceIDs {
		chunk := append([]string(nil), ids[i:min(len(ids), i+maxTagResourceIDs)]...)
		req := ecs.CreateTagResourcesRequest()
		req.ResourceType = resourceType
		req.ResourceId = &chunk
		req.Tag = tt
		resp := ecs.CreateTagResourcesResponse()
		if err := c.DoECS(ctx, region, req, resp); err != nil {
			return fmt.Errorf("tagging %s %v: %w", resourceType, chunk, asNotFound(err, KindTagged, strings.Join(chunk, ","), region))
		}
	}
	return nil
}

// ListTags returns the tags of one resource.
func (c *Client) ListTags(ctx context.Context, region, resourceType, id string) (map[string]string, error) {
	out := map[string]string{}
	token := ""
	for {
		req := ecs.CreateListTagResourcesRequest()
		req.ResourceType = resourceType
		req.ResourceId = &[]string{id}
		req.NextToken = token
		resp := ecs.CreateListTagResourcesResponse()
		if err := c.DoECS(ctx, region, req, resp); err != nil {
			return nil, err
		}
		for _, t := range resp.TagResources.TagResource {
			out[t.TagKey] = t.TagValue
		}
		if resp.NextToken == "" {
			return out, nil
		}
		token = resp.NextToken
	}
}
