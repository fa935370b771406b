// Package sweep deletes what acceptance tests left in an account: every
// instance, image (copies included), snapshot, automatic snapshot policy and
// EBS enterprise snapshot policy carrying the provider's tags, and the OSS exports of those images. An
// interrupted test run then costs nothing (`make sweep`, the sweeper pattern
// of terraform-provider-aws).
package sweep

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
)

// Result counts what a sweep deleted.
type Result struct {
	Instances, Images, Snapshots, Policies, EnterprisePolicies, Objects int
}

// managed reports whether tags mark an object the provider created. Policies
// carry the create token instead of the managed-by tag.
func managed(tags map[string]string) bool {
	return tags[cloud.TagManagedBy] != "" || tags[cloud.TagClientToken] != ""
}

// Region deletes the provider's objects in region, and the exports of its
// images found in buckets (OSS buckets of region). Every deletion is tried;
// the error joins the ones that failed.
func Region(ctx context.Context, c *cloud.Client, region string, buckets []string) (Result, error) {
	var res Result
	var errs []error
	keep := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}

	instances, err := managedInstances(ctx, c, region)
	keep(err)
	for _, id := range instances {
		if err := c.DeleteInstance(ctx, region, id); err != nil {
			keep(fmt.Errorf("instance %s: %w", id, err))
			continue
		}
		res.Instances++
	}

	images, err := c.ListImagesByTags(ctx, region, nil)
	keep(err)
	var imageIDs []string
	for _, im := range images {
		if managed(cloud.ImageTags(im)) {
			imageIDs = append(imageIDs, im.ImageId)
		}
	}
	for _, b := range buckets {
		n, err := deleteExports(ctx, c, region, b, imageIDs)
		res.Objects += n
		keep(err)
	}
	for _, id := range imageIDs {
		if err := c.DeleteImage(ctx, region, id, true); err != nil && !cloud.IsNotFound(err) {
			keep(fmt.Errorf("image %s: %w", id, err))
			continue
		}
		res.Images++
	}

	snaps, err := c.ListSnapshots(ctx, region, cloud.SnapshotFilter{})
	keep(err)
	for _, s := range snaps {
		if !managed(cloud.SnapshotTags(s)) {
			continue
		}
		if err := c.DeleteSnapshotsOf(ctx, region, []string{s.SnapshotId}); err != nil {
			keep(fmt.Errorf("snapshot %s: %w", s.SnapshotId, err))
			continue
		}
		res.Snapshots++
	}

	policies, err := managedPolicies(ctx, c, region)
	keep(err)
	for _, id := range policies {
		if err := deletePolicy(ctx, c, region, id); err != nil {
			keep(fmt.Errorf("auto snapshot policy %s: %w", id, err))
			continue
		}
		res.Policies++
	}

	esps, err := managedEnterprisePolicies(ctx, c, region)
	keep(err)
	for _, p := range esps {
		if err := c.DeleteEnterprisePolicy(ctx, region, p.PolicyID); err != nil {
			keep(fmt.Errorf("enterprise snapshot policy %s: %w", p.PolicyID, err))
			continue
		}
		res.EnterprisePolicies++
	}
	return res, errors.Join(errs...)
}

// managedEnterprisePolicies are the region's enterprise snapshot policies
// the provider made: they carry TagOwner (set at creation, the six policy
// actions have no tagging call) rather than the managed-by tag.
func managedEnterprisePolicies(ctx context.Context, c *cloud.Client, region string) ([]cloud.EnterprisePolicy, error) {
	all, err := c.ListEnterprisePoliciesByTags(ctx, region, nil)
	var out []cloud.EnterprisePolicy
	for _, p := range all {
		if tags := p.TagMap(); tags[cloud.TagOwner] != "" || managed(tags) {
			out = append(out, p)
		}
	}
	return out, err
}

func managedInstances(ctx context.Context, c *cloud.Client, region string) ([]string, error) {
	instances, err := listInstances(ctx, c, region)
	var ids []string
	for i := range instances {
		if managed(cloud.InstanceTags(&instances[i])) {
			ids = append(ids, instances[i].InstanceId)
		}
	}
	return ids, err
}

func managedPolicies(ctx context.Context, c *cloud.Client, region string) ([]string, error) {
	policies, err := listPolicies(ctx, c, region)
	var ids []string
	for _, p := range policies {
		if managed(policyTags(p)) {
			ids = append(ids, p.AutoSnapshotPolicyId)
		}
	}
	return ids, err
}

// deletePolicy releases the policy's disks first: ECS refuses to delete a
// policy disks still follow.
func deletePolicy(ctx context.Context, c *cloud.Client, region, id string) error {
	disks, err := c.PolicyDisks(ctx, region, id)
	if err != nil {
		return err
	}
	if len(disks) > 0 {
		if err := c.CancelAutoSnapshotPolicy(ctx, region, disks); err != nil {
			return err
		}
	}
	return c.DeleteAutoSnapshotPolicy(ctx, region, id)
}

// deleteExports deletes the objects of bucket whose names hold one of the
// image ids: ExportImage names its objects after the image
// (PREFIX_m-xxx_t-xxx.vhd in the API reference), and the provider's
// manifests are named after those objects.
func deleteExports(ctx context.Context, c *cloud.Client, region, bucket string, imageIDs []string) (int, error) {
	if len(imageIDs) == 0 {
		return 0, nil
	}
	keys, err := c.ListObjectKeys(ctx, region, bucket, "")
	if err != nil {
		return 0, fmt.Errorf("bucket %s: %w", bucket, err)
	}
	var doomed []string
	for _, k := range keys {
		for _, id := range imageIDs {
			if strings.Contains(k, id) {
				doomed = append(doomed, k)
				break
			}
		}
	}
	if len(doomed) == 0 {
		return 0, nil
	}
	b, err := c.Bucket(region, bucket)
	if err != nil {
		return 0, err
	}
	deleted := 0
	for start := 0; start < len(doomed); start += 1000 { // DeleteMultipleObjects takes at most 1000 keys
		batch := doomed[start:min(start+1000, len(doomed))]
		err := c.RetryOSS(ctx, "deleting exports in "+bucket, func() error {
			_, err := b.DeleteObjects(batch, oss.DeleteObjectsQuiet(true))
			return err
		})
		if err != nil {
			return deleted, fmt.Errorf("bucket %s: %w", bucket, err)
		}
		deleted += len(batch)
	}
	return deleted, nil
}
