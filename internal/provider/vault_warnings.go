package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
)

// warnUnlockedVault warns when proofs (exports, manifests, reports,
// attestations) are planned into a bucket without a locked WORM policy:
// anyone holding the account's keys can delete or rewrite them there. A
// bucket that does not exist yet (made in the same apply) or cannot be read
// is not judged: the plan cannot know its policy.
func warnUnlockedVault(ctx context.Context, c *cloud.Client, region, bucket string, at path.Path, what string, diags *diag.Diagnostics) {
	if c == nil || bucket == "" {
		return
	}
	st, err := c.ReadVault(ctx, c.RegionOr(region), bucket)
	if err != nil || st.Locked() {
		return
	}
	why := "has no retention policy"
	if st.Worm != nil {
		why = "has a retention policy that is not locked (it lapses 24 hours after creation)"
	}
	diags.AddAttributeWarning(at, what+" written to a bucket that is not an immutable vault",
		fmt.Sprintf("%s go to bucket %s, which %s: anyone holding the account's keys can delete or overwrite them. "+
			"Write them to an alidr_recovery_vault with lock = true.", what, bucket, why))
}

// rimgWarnUnlockedExport warns when an export is planned into a new bucket
// that is not a locked vault.
func rimgWarnUnlockedExport(ctx context.Context, c *cloud.Client, plan, state *replicatedImageModel, diags *diag.Diagnostics) {
	pe, _ := rimgExport(ctx, plan.Export)
	if pe == nil || !isKnown(pe.Bucket) || !isKnown(plan.Region) {
		return
	}
	if state != nil {
		if se, _ := rimgExport(ctx, state.Export); se != nil && se.Bucket.Equal(pe.Bucket) {
			return
		}
	}
	warnUnlockedVault(ctx, c, plan.Region.ValueString(), pe.Bucket.ValueString(), path.Root("export").AtName("bucket"), "Exports and manifests", diags)
}
