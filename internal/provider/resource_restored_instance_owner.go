package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/restore"
)

// claimOwner returns this restore's owner id: base (derived from the
// request) with the first ordinal that no other restore of this apply holds
// and no instance already in some state (tagged TagClaimed) carries.
func (r *restoredInstanceResource) claimOwner(ctx context.Context, region, base string) (string, error) {
	return r.client.ClaimOwner("restore", base, func(owner string) (bool, error) {
		in, err := r.client.ListInstancesByTags(ctx, region, map[string]string{cloud.TagOwner: owner, cloud.TagClaimed: "true"})
		return len(in) > 0, err
	})
}

// markClaimed tags an instance this resource instance has put into its
// state, so that a later restore with the same arguments creates its own.
func (r *restoredInstanceResource) markClaimed(ctx context.Context, region, id string, diags *diag.Diagnostics) {
	if err := r.client.TagResources(context.WithoutCancel(ctx), region, "instance", []string{id}, map[string]string{cloud.TagClaimed: "true"}); err != nil {
		diags.AddWarning("Instance not marked as claimed",
			fmt.Sprintf("Tagging %s with %s failed: %v. Another alidr_restored_instance with identical arguments could adopt it: add the tag by hand (%s = true).",
				id, cloud.TagClaimed, err, cloud.TagClaimed))
	}
}

// recordStart returns when this restore began (see restore.Start) and
// writes it on the instance when no earlier run did, right after the
// instance exists: the create request itself must not carry it, since a
// re-run must send the same request under the same idempotency token.
func (r *restoredInstanceResource) recordStart(ctx context.Context, region, id string, start time.Time, diags *diag.Diagnostics) time.Time {
	inst, err := r.client.FindInstanceByID(ctx, region, id)
	if err != nil {
		diags.AddWarning("Restore start not checked", fmt.Sprintf("Reading instance %s failed: %v. restore_duration counts from this run's first call.", id, err))
		return start
	}
	recorded := cloud.InstanceTags(inst)[cloud.TagRestoreStarted]
	start = restore.Start(start, recorded, inst.CreationTime)
	if recorded == "" {
		if err := r.client.TagResources(ctx, region, "instance", []string{id}, map[string]string{cloud.TagRestoreStarted: start.UTC().Format(time.RFC3339Nano)}); err != nil {
			diags.AddWarning("Restore start not recorded", fmt.Sprintf("Tagging instance %s with its start failed: %v. If this apply is interrupted, the next one measures the RTO from the instance's creation minute.", id, err))
		}
	}
	return start
}

// importOwner records the owner id an imported instance carries, as it is
// (an identical restore's has an ordinal suffix, see claimOwner), so that
// destroy finds what else that restore created (a temporary image).
func (r *restoredInstanceResource) importOwner(ctx context.Context, region, id string, resp *resource.ImportStateResponse) {
	inst, err := r.client.FindInstanceByID(ctx, region, id)
	if cloud.IsNotFound(err) {
		return // Read reports it
	}
	if err != nil {
		apiError(&resp.Diagnostics, "read instance "+id, err)
		return
	}
	owner := cloud.InstanceTags(inst)[cloud.TagOwner]
	if owner == "" {
		return
	}
	b, _ := json.Marshal(restorePrivate{Owner: owner})
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateRestoreKey, b)...)
}
