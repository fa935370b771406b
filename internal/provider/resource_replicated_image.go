package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/replication"
)

var (
	_ resource.Resource                   = &replicatedImageResource{}
	_ resource.ResourceWithConfigure      = &replicatedImageResource{}
	_ resource.ResourceWithImportState    = &replicatedImageResource{}
	_ resource.ResourceWithModifyPlan     = &replicatedImageResource{}
	_ resource.ResourceWithValidateConfig = &replicatedImageResource{}
)

// NewReplicatedImageResource is a custom image copied to other regions,
// shared with accounts and optionally exported to OSS with checksums.
func NewReplicatedImageResource() resource.Resource { return &replicatedImageResource{} }

type replicatedImageResource struct{ client *cloud.Client }

// Default timeouts: copies of large images across regions take hours.
const (
	rimgCreateTimeout = 3 * time.Hour
	rimgUpdateTimeout = 3 * time.Hour
	rimgDeleteTimeout = time.Hour
	// rimgManagedBy is the value of cloud.TagManagedBy on what this resource makes.
	rimgManagedBy = "terraform-provider-alidr"
)

func (r *replicatedImageResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_replicated_image"
}

func (r *replicatedImageResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *replicatedImageResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan replicatedImageModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Create(ctx, rimgCreateTimeout)
	resp.Diagnostics.Append(d...)
	src, d := rimgSource(ctx, plan.Source)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	region := r.client.RegionOr(plan.Region.ValueString())
	plan.Region = types.StringValue(region)
	kind, sourceID := src.kind()
	ctx = tflog.SetField(ctx, "region", region)

	imageID, err := r.sourceImage(ctx, region, kind, sourceID, plan)
	if imageID == "" {
		apiError(&resp.Diagnostics, "create the source image", err)
		return
	}
	plan.ID, plan.ImageID = types.StringValue(imageID), types.StringValue(imageID)
	ctx = tflog.SetField(ctx, "image_id", imageID)
	if err != nil {
		// Save the id so Terraform taints the resource instead of orphaning
		// the image; nothing else has been started.
		plan.Targets, _ = rimgTargetsValue(ctx, nil, plan.Targets.IsNull())
		plan.Export, _ = rimgExportValue(ctx, nil)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		apiError(&resp.Diagnostics, "wait for the source image "+imageID, err)
		return
	}

	desired, d := rimgTargets(ctx, plan.Targets)
	resp.Diagnostics.Append(d...)
	ex, d := rimgExport(ctx, plan.Export)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	w := r.newWork(plan, imageID, kind)
	if kind == replication.SourceImage {
		// Other resources may replicate the same image: own distinct copies.
		owner, err := r.claimCopyOwner(ctx, imageID, rimgSortedKeys(desired))
		if err != nil {
			apiError(&resp.Diagnostics, "choose the owner id of the copies", err)
			return
		}
		w.owner = owner
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateCopyOwnerKey, copyOwnerPrivate(owner))...)
	}
	out := w.apply(ctx, nil, desired, nil, ex, true)
	r.markCopiesClaimed(ctx, out.targets, &resp.Diagnostics)
	r.finish(ctx, &plan, out, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// sourceImage returns the source image, creating it from a snapshot or an
// instance (or adopting the one an interrupted apply created), and waits
// until it is usable. A returned id with an error means the image exists
// but is not usable (yet).
func (r *replicatedImageResource) sourceImage(ctx context.Context, region, kind, sourceID string, plan replicatedImageModel) (string, error) {
	if kind == replication.SourceImage {
		im, err := r.client.FindImageByID(ctx, region, sourceID)
		if cloud.IsNotFound(err) {
			return "", fmt.Errorf("image %s not found in %s: set source.image_id to an image of that region or set region to the image's region", sourceID, region)
		}
		if err != nil {
			return "", err
		}
		if im.ImageOwnerAlias != "" && im.ImageOwnerAlias != "self" {
			return "", fmt.Errorf("image %s is a %s image: only custom images of the account can be copied; copy it into the account first", sourceID, im.ImageOwnerAlias)
		}
		if _, err := r.client.WaitImageAvailable(ctx, region, sourceID, rimgRemaining(ctx)); err != nil {
			return "", err
		}
		return sourceID, nil
	}
	sourceTag := replication.SourceTag(kind, sourceID)
	tags := map[string]string{cloud.TagManagedBy: rimgManagedBy, cloud.TagImageSource: sourceTag}
	var id string
	found, err := r.client.ListImagesByTags(ctx, region, tags)
	if err != nil {
		return "", err
	}
	for _, im := range found {
		if im.ImageName == plan.Name.ValueString() && im.Status != cloud.ImageStatusCreateFailed {
			id = im.ImageId
			tflog.Info(ctx, "adopting the source image an earlier apply created", map[string]any{"image_id": id, "source": sourceTag})
			break
		}
	}
	if id == "" {
		in := cloud.CreateImageInput{
			Name: plan.Name.ValueString(), Description: plan.Description.ValueString(),
			ClientToken: replication.NewClientToken(), Tags: tags,
		}
		if kind == replication.SourceSnapshot {
			in.SnapshotID = sourceID
		} else {
			in.InstanceID = sourceID
		}
		if id, err = r.client.CreateImage(ctx, region, in); err != nil {
			return "", err
		}
		tflog.Info(ctx, "creating the source image", map[string]any{"image_id": id, "source": sourceTag})
	}
	im, err := r.client.WaitImageAvailable(ctx, region, id, rimgRemaining(ctx))
	if err != nil && im != nil && im.Status == cloud.ImageStatusCreateFailed {
		// A failed image is of no use: remove it so nothing is left behind.
		dctx, cancel := rimgDetached(ctx)
		defer cancel()
		if derr := r.client.DeleteImage(dctx, region, id, false); derr != nil {
			return id, fmt.Errorf("%w (deleting the failed image also failed: %v)", err, derr) //nolint:errorlint // err is the cause; derr is context
		}
		return "", err
	}
	return id, err
}

func (r *replicatedImageResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state replicatedImageModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	region := r.client.RegionOr(state.Region.ValueString())
	id := state.ID.ValueString()
	src, err := r.client.FindImageByID(ctx, region, id)
	if cloud.IsNotFound(err) {
		r.readSourceGone(ctx, &state, region, resp)
		return
	}
	if err != nil {
		apiError(&resp.Diagnostics, "read image "+id, err)
		return
	}
	state.Region, state.ImageID = types.StringValue(region), types.StringValue(id)
	imported := state.Source.IsNull()
	srcTags := cloud.ImageTags(*src)
	if imported {
		m := &rimgSourceModel{SnapshotID: types.StringNull(), ImageID: types.StringNull(), InstanceID: types.StringNull()}
		kind, sid, ok := replication.ParseSourceTag(srcTags[cloud.TagImageSource])
		switch {
		case ok && kind == replication.SourceSnapshot:
			m.SnapshotID = types.StringValue(sid)
		case ok && kind == replication.SourceInstance:
			m.InstanceID = types.StringValue(sid)
		default:
			m.ImageID = types.StringValue(id)
		}
		state.Source = rimgSourceValue(m)
		if state.DeleteSnapshotsOnDestroy.IsNull() {
			state.DeleteSnapshotsOnDestroy = types.BoolValue(false)
		}
	}
	srcModel, d := rimgSource(ctx, state.Source)
	resp.Diagnostics.Append(d...)
	kind, _ := srcModel.kind()
	owned := kind != replication.SourceImage

	targets, d := rimgTargets(ctx, state.Targets)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	if imported && state.Targets.IsNull() {
		targets, err = r.discoverCopies(ctx, region, recordedCopyOwner(ctx, req.Private, id))
		if err != nil {
			apiError(&resp.Diagnostics, "find the copies of image "+id, err)
			return
		}
	}
	var firstCopy *rimgTargetModel
	encrypted, selfShared := map[string]bool{}, map[string]string{}
	for _, region := range rimgSortedKeys(targets) {
		t := targets[region]
		cp, err := r.findCopy(ctx, region, recordedCopyOwner(ctx, req.Private, id), t)
		if err != nil {
			apiError(&resp.Diagnostics, "read the copy of image "+id+" in "+region, err)
			return
		}
		if cp == nil {
			resp.Diagnostics.AddWarning("Image copy missing",
				fmt.Sprintf("The copy of image %s in %s no longer exists (or failed); Terraform will copy it again on the next apply.", id, region))
			delete(targets, region)
			continue
		}
		t.ImageID, t.Status = types.StringValue(cp.ImageId), types.StringValue(cp.Status)
		t.Progress = types.Int64Value(int64(cloud.ImageProgress(cp)))
		if t.KMSKeyID.IsNull() {
			t.KMSKeyID = stringOrNull(cloud.ImageTags(*cp)[cloud.TagKMSKey])
		}
		targets[region] = t
		encrypted[region], selfShared[region] = cloud.ImageEncrypted(cp), cp.IsSelfShared
		if firstCopy == nil {
			firstCopy = &t
			if !owned {
				state.Name, state.Description = types.StringValue(cp.ImageName), rimgKeepOrNull(state.Description, cp.Description)
			}
		}
	}
	state.Targets, d = rimgTargetsValue(ctx, targets, state.Targets.IsNull())
	resp.Diagnostics.Append(d...)
	if owned {
		state.Name, state.Description = types.StringValue(src.ImageName), rimgKeepOrNull(state.Description, src.Description)
	}

	// Shares: any image whose accounts differ from the configuration makes
	// the next plan update them all.
	want := rimgAccounts(ctx, state.ShareWithAccounts)
	type img struct{ region, id, selfShared string }
	var check []img
	if owned && !cloud.ImageEncrypted(src) {
		check = append(check, img{region, id, src.IsSelfShared})
	}
	for _, rg := range rimgSortedKeys(targets) {
		if !encrypted[rg] {
			check = append(check, img{rg, targets[rg].ImageID.ValueString(), selfShared[rg]})
		}
	}
	for _, im := range check {
		// DescribeImages IsSelfShared: "Indicates whether the custom image was
		// shared to other Alibaba Cloud accounts" (ecs-20140526 v7 models):
		// "false" means no accounts, without a DescribeImageSharePermission.
		have, err := []string(nil), error(nil)
		if !strings.EqualFold(im.selfShared, "false") {
			have, err = r.client.ImageSharedAccounts(ctx, im.region, im.id)
		}
		if err != nil {
			apiError(&resp.Diagnostics, "read the share permissions of image "+im.id, err)
			return
		}
		if !replication.SameAccounts(have, want) {
			state.ShareWithAccounts = rimgAccountsValue(have, imported)
			break
		}
	}

	// Export drift.
	ex, d := rimgExport(ctx, state.Export)
	resp.Diagnostics.Append(d...)
	if ex.current() {
		recorded := replication.ObjectState{Exists: true, ETag: ex.ETag.ValueString(), Size: ex.Size.ValueInt64()}
		if !ex.CRC64.IsNull() {
			recorded.CRC64 = ex.CRC64.ValueString()
		}
		now := replication.ObjectState{}
		h, err := r.client.HeadExportObject(ctx, region, ex.Bucket.ValueString(), ex.Object.ValueString())
		switch {
		case err == nil:
			now = replication.ObjectState{Exists: true, ETag: h.ETag, CRC64: h.CRC64, Size: h.Size}
		case !cloud.IsNotFound(err):
			apiError(&resp.Diagnostics, "check the exported object oss://"+ex.Bucket.ValueString()+"/"+ex.Object.ValueString(), err)
			return
		}
		object, why := ex.Object.ValueString(), replication.ExportDrift(recorded, now)
		if why == "" {
			object, why, err = r.dataObjectsDrift(ctx, region, ex)
			if err != nil {
				apiError(&resp.Diagnostics, "check the exported data disk objects in oss://"+ex.Bucket.ValueString(), err)
				return
			}
		}
		if why != "" {
			resp.Diagnostics.AddWarning("Exported image drifted",
				fmt.Sprintf("oss://%s/%s: %s. Terraform will export the image again on the next apply.", ex.Bucket.ValueString(), object, why))
			// Keep the object names so the next apply deletes them (a new
			// export gets new names); a null ETag marks the export stale.
			ex.ETag = types.StringNull()
			state.Export, d = rimgExportValue(ctx, ex)
			resp.Diagnostics.Append(d...)
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// readSourceGone handles a source image deleted outside Terraform. Without
// copies left the resource leaves the state. With copies left it stays, with
// image_id null, so the next plan replaces it: the destroy half deletes the
// copies (and the export) instead of orphaning them.
func (r *replicatedImageResource) readSourceGone(ctx context.Context, state *replicatedImageModel, region string, resp *resource.ReadResponse) {
	id := state.ID.ValueString()
	targets, d := rimgTargets(ctx, state.Targets)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	for _, rg := range rimgSortedKeys(targets) {
		cp, err := r.findCopy(ctx, rg, recordedCopyOwner(ctx, resp.Private, id), targets[rg])
		if err != nil {
			apiError(&resp.Diagnostics, "read the copy of image "+id+" in "+rg, err)
			return
		}
		if cp == nil {
			delete(targets, rg)
		}
	}
	if len(targets) == 0 {
		resp.Diagnostics.AddWarning("Replicated image removed from state",
			fmt.Sprintf("The source image %s no longer exists in %s; Terraform will create it again on the next apply.", id, region))
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.AddWarning("Source image deleted outside Terraform",
		fmt.Sprintf("The source image %s no longer exists in %s but its copies in %s do. The next apply replaces the resource: "+
			"it deletes those copies and creates the image and its copies again.", id, region, strings.Join(rimgSortedKeys(targets), ", ")))
	state.ImageID = types.StringNull()
	state.Targets, d = rimgTargetsValue(ctx, targets, false)
	resp.Diagnostics.Append(d...)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *replicatedImageResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state replicatedImageModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Update(ctx, rimgUpdateTimeout)
	resp.Diagnostics.Append(d...)
	src, d := rimgSource(ctx, state.Source)
	resp.Diagnostics.Append(d...)
	current, d := rimgTargets(ctx, state.Targets)
	resp.Diagnostics.Append(d...)
	desired, d := rimgTargets(ctx, plan.Targets)
	resp.Diagnostics.Append(d...)
	oldEx, d := rimgExport(ctx, state.Export)
	resp.Diagnostics.Append(d...)
	newEx, d := rimgExport(ctx, plan.Export)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	id := state.ID.ValueString()
	kind, _ := src.kind()
	plan.ID, plan.ImageID, plan.Region = state.ID, state.ImageID, state.Region
	ctx = tflog.SetField(ctx, "image_id", id)

	w := r.newWork(plan, id, kind)
	w.owner = recordedCopyOwner(ctx, req.Private, id)
	renamed := !plan.Name.Equal(state.Name) || !plan.Description.Equal(state.Description)
	shareChanged := !replication.SameAccounts(rimgAccounts(ctx, plan.ShareWithAccounts), rimgAccounts(ctx, state.ShareWithAccounts))
	if renamed && w.owned {
		if err := r.client.ModifyImageAttribute(ctx, w.region, id, w.name, w.description); err != nil {
			apiError(&resp.Diagnostics, "rename image "+id, err)
			return
		}
	}
	out := w.apply(ctx, current, desired, oldEx, newEx, shareChanged || renamed)
	r.markCopiesClaimed(ctx, out.targets, &resp.Diagnostics)
	r.finish(ctx, &plan, out, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *replicatedImageResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state replicatedImageModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := state.Timeouts.Delete(ctx, rimgDeleteTimeout)
	resp.Diagnostics.Append(d...)
	src, d := rimgSource(ctx, state.Source)
	resp.Diagnostics.Append(d...)
	targets, d := rimgTargets(ctx, state.Targets)
	resp.Diagnostics.Append(d...)
	ex, d := rimgExport(ctx, state.Export)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	id := state.ID.ValueString()
	kind, _ := src.kind()
	w := r.newWork(state, id, kind)
	w.owner = recordedCopyOwner(ctx, req.Private, id)
	ctx = tflog.SetField(ctx, "image_id", id)

	// Every copy (those in state, and any other tagged copy in those
	// regions an interrupted apply may have left), in parallel.
	regions := rimgSortedKeys(targets)
	errs := rimgParallel(regions, func(region string) error {
		return w.removeCopies(ctx, region, targets[region].ImageID.ValueString())
	})
	for i, err := range errs {
		if err != nil {
			apiError(&resp.Diagnostics, "delete the copy of image "+id+" in "+regions[i], err)
		}
	}
	if ex != nil && !ex.Bucket.IsNull() {
		if err := r.client.DeleteExportObjects(ctx, w.region, ex.Bucket.ValueString(), ex.keys(ctx)); err != nil {
			apiError(&resp.Diagnostics, "delete the exported objects of image "+id, err)
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if w.owned {
		if err := w.deleteImage(ctx, w.region, id, kind == replication.SourceInstance && w.deleteSnapshots); err != nil {
			apiError(&resp.Diagnostics, "delete image "+id, err)
		}
	}
}

func (r *replicatedImageResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := strings.TrimSpace(req.ID)
	region := ""
	if rg, rest, ok := strings.Cut(id, ":"); ok {
		region, id = rg, rest
	}
	if id == "" || !strings.HasPrefix(id, "m-") {
		resp.Diagnostics.AddError("Invalid import id",
			fmt.Sprintf("%q is not an image id: import with the source image id, e.g. m-2zeabc..., or <region>:<image id>; "+
				"add -N (the copies' alidr:owner tag) for the N-th resource replicating one image.", req.ID))
		return
	}
	if region == "" && r.client != nil {
		region = r.client.Region()
	}
	// m-xxx-N names the copies of the N-th resource replicating m-xxx
	// (their alidr:owner tag, see claimCopyOwner).
	owner := id
	if base, _, ok := cloud.SplitOwnerOrdinal(id); ok {
		id = base
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("region"), region)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateCopyOwnerKey, copyOwnerPrivate(owner))...)
}

// finish records the outcome of a workRun in the model and the diagnostics.
func (r *replicatedImageResource) finish(ctx context.Context, m *replicatedImageModel, out workResult, diags *diag.Diagnostics) {
	targets := map[string]rimgTargetModel{}
	for region, t := range out.targets {
		targets[region] = t
	}
	var d diag.Diagnostics
	m.Targets, d = rimgTargetsValue(ctx, targets, m.Targets.IsNull())
	diags.Append(d...)
	m.Export, d = rimgExportValue(ctx, out.export)
	diags.Append(d...)
	for _, e := range out.errs {
		diags.AddError(e.summary, e.err.Error())
	}
	if len(out.unshared) > 0 {
		diags.AddWarning("Encrypted images not shared",
			"ECS does not share images with encrypted disks, so these images are not shared with share_with_accounts: "+
				strings.Join(out.unshared, ", ")+". Share the KMS key and copy the image in the other account, or drop kms_key_id for regions that must be shared.")
	}
}

// rimgRemaining is the time left before ctx's deadline.
func rimgRemaining(ctx context.Context) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		return max(time.Until(dl), time.Millisecond)
	}
	return rimgCreateTimeout
}

// rimgDetached is a context for clean-up after ctx ended (timeout, Ctrl-C).
func rimgDetached(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
}
