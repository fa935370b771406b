package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// planAndState reads a ModifyPlan request: the plan, and the state unless
// the resource is being created (nil then). ok is false on destroy (there
// is no plan to modify) and when either could not be read.
func planAndState[M any](ctx context.Context, req resource.ModifyPlanRequest, diags *diag.Diagnostics) (plan M, state *M, ok bool) {
	if req.Plan.Raw.IsNull() {
		return plan, nil, false
	}
	diags.Append(req.Plan.Get(ctx, &plan)...)
	if diags.HasError() {
		return plan, nil, false
	}
	if !req.State.Raw.IsNull() {
		state = new(M)
		diags.Append(req.State.Get(ctx, state)...)
		if diags.HasError() {
			return plan, nil, false
		}
	}
	return plan, state, true
}
