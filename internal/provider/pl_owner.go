package provider

import (
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/restore"
)

// An enterprise policy carries TagOwner, an id derived from its create
// request with the first ordinal no other policy resource of this command
// holds and no claimed policy carries (restore.Owners, as restored
// instances). An apply killed after CreateEnterpriseSnapshotPolicy reached
// the API leaves an unclaimed policy with that owner: the next apply claims
// the same owner id and adopts it instead of creating a second one, while
// two resources with identical arguments get distinct ordinals and so their
// own policies.

// policyOwners holds the owner ids claimed by one configured provider.
var policyOwners sync.Map // *cloud.Client -> *restore.Owners

// maxPolicyTokenGenerations bounds the retries of a create whose token
// the API answers with a policy since deleted.
const maxPolicyTokenGenerations = 100

// claimPolicyOwner returns the owner id of a new policy made from spec in
// region.
func (r *snapshotPolicyResource) claimPolicyOwner(ctx context.Context, region string, spec cloud.ESPSpec) (string, error) {
	digest, err := restore.Digest(struct {
		Region string
		Spec   cloud.ESPSpec
	}{region, spec})
	if err != nil {
		return "", err
	}
	owners, _ := policyOwners.LoadOrStore(r.client, &restore.Owners{})
	return owners.(*restore.Owners).Claim("esp-"+digest[:24], func(owner string) (bool, error) {
		ps, err := r.client.ListEnterprisePoliciesByTags(ctx, region, map[string]string{cloud.TagOwner: owner})
		for _, p := range ps {
			if p.Desc == cloud.ClaimedPolicyDesc {
				return true, nil
			}
		}
		return false, err
	})
}

// createOrAdoptPolicy returns the policy owner's lost run created (and the
// disks bound to it), or creates one. The create's ClientToken derives from
// the request, so a retried call returns the first call's policy; a token
// the API answers with a policy since deleted is bumped to the next
// generation.
func (r *snapshotPolicyResource) createOrAdoptPolicy(ctx context.Context, region, owner string, spec cloud.ESPSpec) (id string, disks []string, err error) {
	ps, err := r.client.ListEnterprisePoliciesByTags(ctx, region, map[string]string{cloud.TagOwner: owner})
	if err != nil {
		return "", nil, err
	}
	for _, p := range ps {
		if p.Desc != cloud.ClaimedPolicyDesc {
			return p.PolicyID, p.DiskIDs, nil
		}
	}
	tags := map[string]string{cloud.TagOwner: owner}
	for k, v := range spec.Tags {
		tags[k] = v
	}
	spec.Tags = tags
	for gen := range maxPolicyTokenGenerations {
		token, err := restore.ClientToken("esp", spec, gen)
		if err != nil {
			return "", nil, err
		}
		id, err := r.client.CreateEnterprisePolicy(ctx, region, spec, token)
		if err != nil {
			return "", nil, err
		}
		if _, err := r.client.FindEnterprisePolicyByID(ctx, region, id); !cloud.IsNotFound(err) {
			return id, nil, err
		}
	}
	return "", nil, fmt.Errorf("%d client tokens for this policy all name deleted policies", maxPolicyTokenGenerations)
}

// markPolicyClaimed marks a policy this resource instance holds, so that a
// later resource with identical arguments creates its own.
func (r *snapshotPolicyResource) markPolicyClaimed(ctx context.Context, region, id string, diags *diag.Diagnostics) {
	if err := r.client.ClaimEnterprisePolicy(context.WithoutCancel(ctx), region, id); err != nil {
		diags.AddWarning("Policy not marked as claimed",
			fmt.Sprintf("Setting the description of %s to %q failed: %v. Another alidr_snapshot_policy with identical arguments could adopt it: "+
				"set the description by hand.", id, cloud.ClaimedPolicyDesc, err))
	}
}
