package emulator

import (
	"fmt"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

func listTags(t *testing.T, client *ecs.Client, rt string, ids []string, filter []ecs.ListTagResourcesTag) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	token := ""
	for {
		req := ecs.CreateListTagResourcesRequest()
		req.ResourceType = rt
		if len(ids) > 0 {
			req.ResourceId = &ids
		}
		if len(filter) > 0 {
			req.Tag = &filter
		}
		req.NextToken = token
		resp, err := client.ListTagResources(req)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range resp.TagResources.TagResource {
			if r.ResourceType != rt {
				t.Fatalf("row type %q", r.ResourceType)
			}
			if out[r.ResourceId] == nil {
				out[r.ResourceId] = map[string]string{}
			}
			out[r.ResourceId][r.TagKey] = r.TagValue
		}
		if token = resp.NextToken; token == "" {
			return out
		}
	}
}

func TestTagsOnInstancesAndDisks(t *testing.T) {
	_, _, client := startECS(t, SeedRegion)

	tag := ecs.CreateTagResourcesRequest()
	tag.ResourceType = "instance"
	tag.ResourceId = &[]string{SeedInstanceCoreDB}
	tag.Tag = &[]ecs.TagResourcesTag{{Key: "dr", Value: "primary"}, {Key: "app", Value: "core2"}}
	if _, err := client.TagResources(tag); err != nil {
		t.Fatal(err)
	}
	got := listTags(t, client, "instance", []string{SeedInstanceCoreDB}, nil)
	if got[SeedInstanceCoreDB]["dr"] != "primary" || got[SeedInstanceCoreDB]["app"] != "core2" || got[SeedInstanceCoreDB]["role"] != "db" {
		t.Fatalf("tags %v", got)
	}
	// The tag shows up on DescribeInstances and filters it.
	dreq := ecs.CreateDescribeInstancesRequest()
	dreq.Tag = &[]ecs.DescribeInstancesTag{{Key: "dr", Value: "primary"}}
	resp, err := client.DescribeInstances(dreq)
	if err != nil || resp.TotalCount != 1 || resp.Instances.Instance[0].InstanceId != SeedInstanceCoreDB {
		t.Fatalf("describe by tag: %v %+v", err, resp)
	}

	// Filter-only listing finds resources by tag across the region.
	byTag := listTags(t, client, "disk", nil, []ecs.ListTagResourcesTag{{Key: "app", Value: "core"}})
	if len(byTag) != 4 {
		t.Fatalf("disks tagged app=core: %v", byTag)
	}

	untag := ecs.CreateUntagResourcesRequest()
	untag.ResourceType = "instance"
	untag.ResourceId = &[]string{SeedInstanceCoreDB}
	untag.TagKey = &[]string{"dr"}
	if _, err := client.UntagResources(untag); err != nil {
		t.Fatal(err)
	}
	if _, ok := listTags(t, client, "instance", []string{SeedInstanceCoreDB}, nil)[SeedInstanceCoreDB]["dr"]; ok {
		t.Fatal("dr tag survived UntagResources")
	}
	// SDK requests keep old parameters: build a fresh one.
	untag = ecs.CreateUntagResourcesRequest()
	untag.ResourceType = "instance"
	untag.ResourceId = &[]string{SeedInstanceCoreDB}
	untag.All = "true"
	if _, err := client.UntagResources(untag); err != nil {
		t.Fatal(err)
	}
	if got := listTags(t, client, "instance", []string{SeedInstanceCoreDB}, nil); len(got) != 0 {
		t.Fatalf("All=true left %v", got)
	}
}

func TestTagErrors(t *testing.T) {
	_, _, client := startECS(t, SeedRegion)
	tag := ecs.CreateTagResourcesRequest()
	tag.ResourceType = "instance"
	tag.ResourceId = &[]string{SeedInstanceCoreDB, "i-2zenothere0000000000"}
	tag.Tag = &[]ecs.TagResourcesTag{{Key: "x", Value: "1"}}
	_, err := client.TagResources(tag)
	wantAPIError(t, err, 404, "InvalidResourceId.NotFound")
	// Nothing was tagged by the failed call.
	if _, ok := listTags(t, client, "instance", []string{SeedInstanceCoreDB}, nil)[SeedInstanceCoreDB]["x"]; ok {
		t.Fatal("failed call tagged a resource")
	}

	newTag := func(keys ...string) *ecs.TagResourcesRequest {
		r := ecs.CreateTagResourcesRequest()
		r.ResourceType = "instance"
		r.ResourceId = &[]string{SeedInstanceCoreDB}
		tags := []ecs.TagResourcesTag{}
		for _, k := range keys {
			tags = append(tags, ecs.TagResourcesTag{Key: k, Value: "v"})
		}
		r.Tag = &tags
		return r
	}
	_, err = client.TagResources(newTag("aliyun-reserved"))
	wantAPIError(t, err, 400, "InvalidTagKey.Malformed")

	var keys []string
	for i := 0; i < 19; i++ { // core-db has 2 already
		keys = append(keys, fmt.Sprintf("k%02d", i))
	}
	_, err = client.TagResources(newTag(keys...))
	wantAPIError(t, err, 400, "InvalidTagCount")
	if _, err := client.TagResources(newTag(keys[:18]...)); err != nil {
		t.Fatalf("20 tags must be allowed: %v", err)
	}

	other := newTag("x")
	other.ResourceType = "spaceship"
	_, err = client.TagResources(other)
	wantAPIError(t, err, 400, "InvalidResourceType.NotFound")
}
