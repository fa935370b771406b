package sweep

import (
	"context"
	"strings"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
)

// Object is one cloud object a census found.
type Object struct {
	Region string
	// Kind is instance, image, snapshot, auto_snapshot_policy or object
	// (an OSS object, ID "bucket/key").
	Kind string
	ID   string
	Tags map[string]string
}

// Owner is what makes the object one resource instance's own: its
// alidr:owner tag, else its create token (policies), else for an exported
// OSS object its name without the export task. "" when nothing names an
// owner.
func (o Object) Owner() string {
	if v := o.Tags[cloud.TagOwner]; v != "" {
		return v
	}
	if v := o.Tags[cloud.TagClientToken]; v != "" {
		return v
	}
	if o.Kind == "object" && strings.Contains(o.ID, "_m-") {
		// ExportImage names objects PREFIX_m-xxx_t-xxx.EXT (API reference)
		// and the manifest of one is named after it: without the task id,
		// the name is the same for every export of one image.
		parts := strings.Split(o.ID, "_")
		for i, p := range parts {
			if strings.HasPrefix(p, "t-") {
				_, ext, _ := strings.Cut(p, ".")
				parts[i] = "t-*." + ext
			}
		}
		return strings.Join(parts, "_")
	}
	return ""
}

// Census lists every instance, image, snapshot and automatic snapshot
// policy of the account in region (managed by the provider or not) and every
// object of buckets, through the SDKs: a chaos run compares the census
// before, during and after its work.
func Census(ctx context.Context, c *cloud.Client, region string, buckets []string) ([]Object, error) {
	var out []Object
	add := func(kind, id string, tags map[string]string) {
		out = append(out, Object{Region: region, Kind: kind, ID: id, Tags: tags})
	}
	instances, err := listInstances(ctx, c, region)
	if err != nil {
		return nil, err
	}
	for i := range instances {
		add("instance", instances[i].InstanceId, cloud.InstanceTags(&instances[i]))
	}
	images, err := c.ListImagesByTags(ctx, region, nil)
	if err != nil {
		return nil, err
	}
	for _, im := range images {
		add("image", im.ImageId, cloud.ImageTags(im))
	}
	snaps, err := c.ListSnapshots(ctx, region, cloud.SnapshotFilter{})
	if err != nil {
		return nil, err
	}
	for _, s := range snaps {
		add("snapshot", s.SnapshotId, cloud.SnapshotTags(s))
	}
	policies, err := listPolicies(ctx, c, region)
	if err != nil {
		return nil, err
	}
	for _, p := range policies {
		add("auto_snapshot_policy", p.AutoSnapshotPolicyId, policyTags(p))
	}
	for _, b := range buckets {
		keys, err := c.ListObjectKeys(ctx, region, b, "")
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			add("object", b+"/"+k, nil)
		}
	}
	return out, nil
}

func listInstances(ctx context.Context, c *cloud.Client, region string) ([]ecs.Instance, error) {
	var out []ecs.Instance
	err := cloud.AllPages(ctx, func(page int) (int, int, error) {
		req := ecs.CreateDescribeInstancesRequest()
		req.PageNumber, req.PageSize = requests.NewInteger(page), requests.NewInteger(cloud.PageSize)
		resp := ecs.CreateDescribeInstancesResponse()
		if err := c.DoECS(ctx, region, req, resp); err != nil {
			return 0, 0, err
		}
		out = append(out, resp.Instances.Instance...)
		return len(resp.Instances.Instance), resp.TotalCount, nil
	})
	return out, err
}

func listPolicies(ctx context.Context, c *cloud.Client, region string) ([]ecs.AutoSnapshotPolicy, error) {
	var out []ecs.AutoSnapshotPolicy
	err := cloud.AllPages(ctx, func(page int) (int, int, error) {
		req := ecs.CreateDescribeAutoSnapshotPolicyExRequest()
		req.PageNumber, req.PageSize = requests.NewInteger(page), requests.NewInteger(cloud.PageSize)
		resp := ecs.CreateDescribeAutoSnapshotPolicyExResponse()
		if err := c.DoECS(ctx, region, req, resp); err != nil {
			return 0, 0, err
		}
		out = append(out, resp.AutoSnapshotPolicies.AutoSnapshotPolicy...)
		return len(resp.AutoSnapshotPolicies.AutoSnapshotPolicy), resp.TotalCount, nil
	})
	return out, err
}

func policyTags(p ecs.AutoSnapshotPolicy) map[string]string {
	tags := map[string]string{}
	for _, t := range p.Tags.Tag {
		tags[t.TagKey] = t.TagValue
	}
	return tags
}
