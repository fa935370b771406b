package provider

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
)

// The copies of a replicated image carry TagOwner, which tells an apply
// run again after a crash which copies are its own. When the resource made
// its own source image, the source id is unique and is the owner. When
// several resources replicate one existing image, each claims its own owner
// id (the source id, or the source id with an ordinal) and keeps it in
// private state, so no resource adopts or deletes another one's copies.
const privateCopyOwnerKey = "copy_owner"

// privateGetter is the private state of a request.
type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

// recordedCopyOwner is the owner id in private state, or sourceID for
// resources created before owner ids were recorded.
func recordedCopyOwner(ctx context.Context, p privateGetter, sourceID string) string {
	if p == nil {
		return sourceID
	}
	var owner string
	if b, d := p.GetKey(ctx, privateCopyOwnerKey); !d.HasError() && json.Unmarshal(b, &owner) == nil && owner != "" {
		return owner
	}
	return sourceID
}

// copyOwnerPrivate is the private state value of an owner id (JSON).
func copyOwnerPrivate(owner string) []byte {
	b, _ := json.Marshal(owner)
	return b
}

// claimCopyOwner returns the first owner id for copies of sourceID that no
// resource of this command holds and that no claimed copy in regions
// carries.
func (r *replicatedImageResource) claimCopyOwner(ctx context.Context, sourceID string, regions []string) (string, error) {
	return r.client.ClaimOwner("image copy", sourceID, func(owner string) (bool, error) {
		for _, region := range regions {
			ims, err := r.client.ListImagesByTags(ctx, region, map[string]string{cloud.TagOwner: owner, cloud.TagClaimed: "true"})
			if err != nil || len(ims) > 0 {
				return len(ims) > 0, err
			}
		}
		return false, nil
	})
}

// markCopiesClaimed tags the copies now in state as claimed.
func (r *replicatedImageResource) markCopiesClaimed(ctx context.Context, targets map[string]rimgTargetModel, diags *diag.Diagnostics) {
	for _, region := range rimgSortedKeys(targets) {
		id := targets[region].ImageID.ValueString()
		if id == "" {
			continue
		}
		if err := r.client.TagResources(context.WithoutCancel(ctx), region, "image", []string{id}, map[string]string{cloud.TagClaimed: "true"}); err != nil {
			diags.AddWarning("Copy not marked as claimed",
				fmt.Sprintf("Tagging copy %s in %s with %s failed: %v. Another alidr_replicated_image of the same source could adopt it: add the tag by hand (%s = true).",
					id, region, cloud.TagClaimed, err, cloud.TagClaimed))
		}
	}
}
