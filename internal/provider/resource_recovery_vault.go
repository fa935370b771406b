package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/validate"
)

var (
	_ resource.Resource                = &recoveryVaultResource{}
	_ resource.ResourceWithConfigure   = &recoveryVaultResource{}
	_ resource.ResourceWithModifyPlan  = &recoveryVaultResource{}
	_ resource.ResourceWithImportState = &recoveryVaultResource{}
)

const (
	defaultVaultCreateTimeout = 5 * time.Minute
	defaultVaultUpdateTimeout = 5 * time.Minute
	defaultVaultDeleteTimeout = 5 * time.Minute
	// maxVaultRetentionDays is RetentionPeriodInDays' upper limit
	// (InitiateBucketWorm / ExtendBucketWorm, OSS API reference).
	maxVaultRetentionDays = 25550
)

// NewRecoveryVaultResource manages an OSS bucket with versioning and a WORM
// retention policy, for exports, manifests, reports and attestations.
func NewRecoveryVaultResource() resource.Resource { return &recoveryVaultResource{} }

type recoveryVaultResource struct{ client *cloud.Client }

type recoveryVaultModel struct {
	ID            types.String   `tfsdk:"id"`
	Bucket        types.String   `tfsdk:"bucket"`
	Region        types.String   `tfsdk:"region"`
	RetentionDays types.Int64    `tfsdk:"retention_days"`
	Lock          types.Bool     `tfsdk:"lock"`
	WormID        types.String   `tfsdk:"worm_id"`
	WormState     types.String   `tfsdk:"worm_state"`
	Versioning    types.String   `tfsdk:"versioning"`
	Timeouts      timeouts.Value `tfsdk:"timeouts"`
}

func (r *recoveryVaultResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_recovery_vault"
}

func (r *recoveryVaultResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An immutable vault: an OSS bucket with versioning and a WORM retention policy, where exports, " +
			"manifests, verification reports and signed attestations are kept out of reach of anyone holding the account's keys " +
			"(an attacker, or you). **Threat:** ransomware or an insider with the keys deletes or overwrites every backup and proof. " +
			"**Cost:** once `lock = true`, no object can be deleted or overwritten before its retention ends and the policy can " +
			"only be extended, by anyone, including you; the bucket cannot be destroyed while it holds retained objects, and you " +
			"pay for their storage until then. Put it in a separate account (a provider alias with `assume_role`) so the keys of " +
			"the protected account cannot reach it at all.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, MarkdownDescription: "The bucket name.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"bucket": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Name of the bucket the vault creates: 3 to 63 lower-case letters, digits and hyphens, starting and " +
					"ending with a letter or digit (OSS naming rules), unique across OSS. Create never adopts an existing bucket " +
					"(it fails instead); to manage an existing one, import it. Changing it replaces the vault (which fails while the " +
					"old bucket holds retained objects).",
				Validators:    []validator.String{bucketNameValidator()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"region": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Region of the bucket. Default: the provider's region. Changing it replaces the vault.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace(), stringplanmodifier.UseStateForUnknown()},
			},
			"retention_days": schema.Int64Attribute{
				Required: true,
				MarkdownDescription: "How long every object version is retained after it was written, 1 to 25550 days. While " +
					"`lock` is false the policy can be changed (it is replaced); once locked it can only grow: a plan that " +
					"lowers it fails.",
				Validators: []validator.Int64{int64validator.Between(1, maxVaultRetentionDays)},
			},
			"lock": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Lock the retention policy (CompleteBucketWorm). Irreversible: a locked policy cannot be " +
					"removed or shortened and the bucket cannot be destroyed while it holds retained objects. Without it the " +
					"policy protects objects for 24 hours only, then lapses (OSS), and the next plan shows it being created again. " +
					"Default `false` so that a first apply can be checked before it becomes permanent.",
			},
			"worm_id": schema.StringAttribute{
				Computed: true, MarkdownDescription: "Id of the retention policy (InitiateBucketWorm); empty when there is none.",
			},
			"worm_state": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "`InProgress` (not locked: protects objects for 24 hours after creation, then lapses), " +
					"`Locked`, or empty when the bucket has no policy (it lapsed or was removed outside Terraform).",
			},
			"versioning": schema.StringAttribute{
				Computed: true, MarkdownDescription: "The bucket's versioning status, `Enabled` once the vault is made.",
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{
				Create: true, Update: true, Delete: true,
				CreateDescription: "Creating the bucket, versioning and the policy (default `5m`).",
				UpdateDescription: "Changing or locking the policy (default `5m`).",
				DeleteDescription: "Deleting the bucket (default `5m`).",
			}),
		},
	}
}

func (r *recoveryVaultResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan refuses what a locked policy cannot do and says what destroy
// will meet.
func (r *recoveryVaultResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() {
		return
	}
	var state recoveryVaultModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	locked := state.WormState.ValueString() == cloud.WormLocked
	if req.Plan.Raw.IsNull() {
		if locked {
			resp.Diagnostics.AddWarning("A locked vault cannot be destroyed while it holds retained objects",
				fmt.Sprintf("Bucket %s has a locked retention policy of %d days: OSS refuses to delete any object version before its "+
					"retention ends, so deleting the bucket fails until every version has aged out and been removed. To stop "+
					"managing it now, use `terraform state rm` instead.", state.Bucket.ValueString(), state.RetentionDays.ValueInt64()))
		}
		return
	}
	if !locked {
		return
	}
	var plan recoveryVaultModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if isKnown(plan.RetentionDays) && isKnown(state.RetentionDays) && plan.RetentionDays.ValueInt64() < state.RetentionDays.ValueInt64() {
		resp.Diagnostics.AddAttributeError(path.Root("retention_days"), "A locked retention policy cannot be shortened",
			fmt.Sprintf("Bucket %s has a locked policy retaining objects for %d days; OSS only lets it grow. Set retention_days to %d or more.",
				state.Bucket.ValueString(), state.RetentionDays.ValueInt64(), state.RetentionDays.ValueInt64()))
	}
	if isKnown(plan.Lock) && !plan.Lock.ValueBool() {
		resp.Diagnostics.AddAttributeError(path.Root("lock"), "A locked retention policy cannot be unlocked",
			fmt.Sprintf("Bucket %s's retention policy is locked for good. Set lock = true.", state.Bucket.ValueString()))
	}
}

func (r *recoveryVaultResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan recoveryVaultModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Create(ctx, defaultVaultCreateTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if plan.Region.ValueString() == "" {
		plan.Region = types.StringValue(r.client.Region())
	}
	region, bucket := plan.Region.ValueString(), plan.Bucket.ValueString()
	tflog.Info(ctx, "creating the recovery vault bucket", map[string]any{"bucket": bucket, "region": region})
	if err := r.client.CreateVaultBucket(ctx, region, bucket); err != nil {
		if errors.Is(err, cloud.ErrBucketExists) {
			resp.Diagnostics.AddAttributeError(path.Root("bucket"), "Bucket already exists",
				fmt.Sprintf("Bucket %s exists already. A vault never adopts a bucket on create: choose another name, or import it "+
					"(terraform import <address> %s) to manage it deliberately.", bucket, bucket))
			return
		}
		apiError(&resp.Diagnostics, "create the vault bucket", err)
		return
	}
	// From here on the bucket exists: keep it in state whatever fails, so
	// Terraform taints instead of orphaning it.
	plan.ID = plan.Bucket
	plan.WormID, plan.WormState, plan.Versioning = types.StringValue(""), types.StringValue(""), types.StringValue("")
	err := r.apply(ctx, &plan, nil)
	if err != nil {
		apiError(&resp.Diagnostics, "configure the vault's versioning and retention policy", err)
	}
	r.refresh(ctx, &plan, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// apply brings the bucket's versioning and policy to the plan, from the
// policy in state (nil: none).
func (r *recoveryVaultResource) apply(ctx context.Context, plan *recoveryVaultModel, state *recoveryVaultModel) error {
	region, bucket := plan.Region.ValueString(), plan.Bucket.ValueString()
	days := int(plan.RetentionDays.ValueInt64())
	if err := r.client.EnableVersioning(ctx, region, bucket); err != nil {
		return err
	}
	id, st := "", ""
	if state != nil {
		id, st = state.WormID.ValueString(), state.WormState.ValueString()
	}
	switch {
	case st == cloud.WormLocked:
		if int64(days) > state.RetentionDays.ValueInt64() {
			tflog.Info(ctx, "extending the vault's locked retention policy", map[string]any{"bucket": bucket, "days": days})
			return r.client.ExtendWorm(ctx, region, bucket, id, days)
		}
		return nil
	case st == cloud.WormInProgress && int64(days) != state.RetentionDays.ValueInt64():
		if err := r.client.AbortWorm(ctx, region, bucket); err != nil {
			return err
		}
		id, st = "", ""
	}
	if st == "" {
		var err error
		if id, err = r.client.InitiateWorm(ctx, region, bucket, days); err != nil {
			return err
		}
	}
	if plan.Lock.ValueBool() {
		tflog.Info(ctx, "locking the vault's retention policy", map[string]any{"bucket": bucket, "days": days})
		return r.client.LockWorm(ctx, region, bucket, id)
	}
	return nil
}

// refresh reads the bucket back into m; false when it is gone.
func (r *recoveryVaultResource) refresh(ctx context.Context, m *recoveryVaultModel, diags *diag.Diagnostics) bool {
	st, err := r.client.ReadVault(ctx, m.Region.ValueString(), m.Bucket.ValueString())
	if cloud.IsNotFound(err) {
		return false
	}
	if err != nil {
		diags.AddError("Failed to read the vault bucket", err.Error())
		return true
	}
	m.Versioning = types.StringValue(st.Versioning)
	if st.Worm == nil {
		// No policy (it lapsed unlocked, or was aborted outside Terraform):
		// a null retention makes the next plan create it again.
		m.WormID, m.WormState, m.RetentionDays = types.StringValue(""), types.StringValue(""), types.Int64Null()
		m.Lock = types.BoolValue(false)
		return true
	}
	m.WormID, m.WormState = types.StringValue(st.Worm.ID), types.StringValue(st.Worm.State)
	m.RetentionDays = types.Int64Value(int64(st.Worm.RetentionDays))
	m.Lock = types.BoolValue(st.Locked())
	return true
}

func (r *recoveryVaultResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m recoveryVaultModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !r.refresh(ctx, &m, &resp.Diagnostics) {
		resp.Diagnostics.AddWarning("Vault bucket not found",
			fmt.Sprintf("Bucket %s no longer exists in %s (deleted outside Terraform); removing it from state so the next apply creates it again.",
				m.Bucket.ValueString(), m.Region.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *recoveryVaultResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state recoveryVaultModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Update(ctx, defaultVaultUpdateTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	plan.ID, plan.Region = state.ID, state.Region
	if err := r.apply(ctx, &plan, &state); err != nil {
		apiError(&resp.Diagnostics, "update the vault's retention policy", err)
	}
	if !r.refresh(ctx, &plan, &resp.Diagnostics) {
		resp.Diagnostics.AddError("Vault bucket disappeared", "Bucket "+plan.Bucket.ValueString()+" was deleted during the update.")
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *recoveryVaultResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state recoveryVaultModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := state.Timeouts.Delete(ctx, defaultVaultDeleteTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	region, bucket := state.Region.ValueString(), state.Bucket.ValueString()
	// The vault never deletes objects: deleting the bucket works only when
	// it is empty, which retention guarantees it is not while objects are
	// retained.
	err := r.client.DeleteVaultBucket(ctx, region, bucket)
	if cloud.ErrorCode(err) == "BucketNotEmpty" {
		resp.Diagnostics.AddError("The vault bucket still holds objects",
			fmt.Sprintf("Bucket %s is not empty and the vault never deletes what it keeps (a locked policy forbids it while objects are "+
				"retained). Remove every object version once its retention has ended and destroy again, or stop managing the vault "+
				"with `terraform state rm`.", bucket))
		return
	}
	if err != nil {
		apiError(&resp.Diagnostics, "delete the vault bucket", err)
	}
}

// ImportState adopts an existing bucket: "bucket" (provider region) or
// "region:bucket". The next apply enables versioning and applies the
// configured policy; a policy found locked stays (extend-only).
func (r *recoveryVaultResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	region, bucket, ok := strings.Cut(req.ID, ":")
	if !ok {
		region, bucket = "", req.ID
	}
	if err := validate.BucketName(bucket); err != nil {
		resp.Diagnostics.AddError("Invalid import id", err.Error()+". Use the bucket name, or region:bucket for a bucket outside the provider's region.")
		return
	}
	if region == "" && r.client != nil {
		region = r.client.Region()
	}
	m := recoveryVaultModel{
		ID: types.StringValue(bucket), Bucket: types.StringValue(bucket), Region: types.StringValue(region),
		RetentionDays: types.Int64Null(), Lock: types.BoolNull(),
		WormID: types.StringNull(), WormState: types.StringNull(), Versioning: types.StringNull(),
		Timeouts: timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{"create": types.StringType, "update": types.StringType, "delete": types.StringType})},
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
