package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/restore"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

func (r *restoredInstanceResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m restoredInstanceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := m.Timeouts.Create(ctx, restoreCreateTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	deadline, _ := ctx.Deadline()
	region := r.client.RegionOr(knownString(m.Region))
	m.Region = types.StringValue(region)
	owner := m.ownerOf(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	owner, err := r.claimOwner(ctx, region, owner)
	if err != nil {
		apiError(&resp.Diagnostics, "choose the restore's owner id", err)
		return
	}
	priv := restorePrivate{Owner: owner}
	savePrivate := func() {
		b, _ := json.Marshal(priv)
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateRestoreKey, b)...)
	}

	// The RTO clock starts with the first API call of the restore (or of
	// the killed run whose image or instance this one adopts).
	start := time.Now()
	ctx = tflog.SetField(ctx, "region", region)

	// 1. What to boot.
	imageID, snapshotID := "", ""
	m.RestoredFromTime = types.StringNull()
	switch src := m.Source; {
	case knownString(src.ImageID) != "":
		imageID = src.ImageID.ValueString()
		m.RestoredFrom = types.StringValue(imageID)
	case knownString(src.SnapshotID) != "":
		snapshotID = src.SnapshotID.ValueString()
		m.RestoredFrom = types.StringValue(snapshotID)
	case src.RecoveryPoint != nil:
		q := pointQuery(src.RecoveryPoint)
		p, err := r.choosePoint(ctx, region, q)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("source").AtName("recovery_point"), "No recovery point to restore", err.Error())
			return
		}
		passedOverWarning(&resp.Diagnostics, path.Root("source").AtName("recovery_point"), p.PassedOver)
		snapshotID = p.ID
		m.RestoredFrom = types.StringValue(p.ID)
		m.RestoredFromTime = types.StringValue(p.Created.UTC().Format(time.RFC3339))
		tflog.Info(ctx, "restore: chose recovery point", map[string]any{"snapshot_id": p.ID, "created": p.Created.UTC().Format(time.RFC3339), "disk_id": q.DiskID})
	}

	// 2. A snapshot goes through a temporary image the resource owns.
	if snapshotID != "" {
		tflog.Info(ctx, "restore: creating the temporary image", map[string]any{"snapshot_id": snapshotID})
		digest, err := restore.Digest([]string{owner, snapshotID})
		if err != nil {
			resp.Diagnostics.AddError("Failed to create the temporary image", err.Error())
			return
		}
		gen := 0
		id, _, err := r.client.CreateIdempotent(ctx, "temporary image",
			func(g int) (string, error) {
				gen = g
				return restore.ClientToken("image", []string{owner, snapshotID}, g)
			},
			func(token string) (string, error) {
				return r.client.CreateImage(ctx, region, cloud.CreateImageInput{
					SnapshotID: snapshotID, Name: fmt.Sprintf("alidr-restore-%.12s-%d", digest, gen),
					Description: "Temporary image of alidr_restored_instance (" + owner + "), deleted once the instance runs.",
					ClientToken: token, Tags: map[string]string{cloud.TagManagedBy: managedByValue, cloud.TagOwner: owner},
				})
			},
			func(ctx context.Context, id string) error {
				_, err := r.client.FindImageByID(ctx, region, id)
				return err
			})
		if err != nil {
			apiError(&resp.Diagnostics, "create the temporary image from snapshot "+snapshotID, err)
			return
		}
		imageID = id
		priv.TemporaryImageID = id
		savePrivate()
		im, err := r.client.WaitImageAvailable(ctx, region, id, time.Until(deadline))
		if err != nil {
			apiError(&resp.Diagnostics, "wait for temporary image "+id, fmt.Errorf("%w (the image is tagged %s=%s; a retried apply reuses it)", err, cloud.TagOwner, owner))
			return
		}
		// An image a killed run created: the restore began then.
		start = restore.Start(start, "", im.CreationTime)
	}

	// 3. The instance, with an idempotency token derived from the request.
	in := m.runInput(ctx, imageID, owner, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Info(ctx, "restore: creating the instance", map[string]any{"image_id": imageID, "instance_type": in.InstanceType})
	id, _, err := r.client.CreateIdempotent(ctx, "instance",
		func(g int) (string, error) { return restore.ClientToken("instance", in, g) },
		func(token string) (string, error) { return r.client.RunInstance(ctx, region, in, token) },
		func(ctx context.Context, id string) error {
			_, err := r.client.FindInstanceByID(ctx, region, id)
			return err
		})
	if err != nil {
		apiError(&resp.Diagnostics, "create the instance", err)
		return
	}
	m.ID = types.StringValue(id)
	ctx = tflog.SetField(ctx, "instance_id", id)
	defer r.markClaimed(ctx, region, id, &resp.Diagnostics)
	start = r.recordStart(ctx, region, id, start, &resp.Diagnostics)
	// From here on the id is in state even if the rest fails: Terraform
	// taints the instance instead of orphaning it.
	save := func() {
		resp.Diagnostics.Append(resp.State.Set(ctx, m.withoutUnknowns())...)
	}

	inst, err := r.client.WaitInstanceStatus(ctx, region, id, cloud.InstanceStatusRunning, time.Until(deadline))
	if err != nil {
		if inst != nil {
			m.fromInstance(inst)
		}
		save()
		apiError(&resp.Diagnostics, "wait for instance "+id+" to run", err)
		return
	}
	elapsed := time.Since(start)
	m.RestoreDuration = types.StringValue(restore.FormatDuration(elapsed))
	m.RTOMet = rtoMet(m.RTOTarget, m.RestoreDuration)
	tflog.Info(ctx, "restore: instance running", map[string]any{"restore_duration": m.RestoreDuration.ValueString(), "rto_target": m.RTOTarget.ValueString()})

	// 4. The temporary image has served its purpose: it would otherwise
	// keep the snapshot from being released by its retention.
	if priv.TemporaryImageID != "" {
		if err := r.client.DeleteImage(ctx, region, priv.TemporaryImageID, true); err != nil {
			resp.Diagnostics.AddWarning("Temporary image kept",
				fmt.Sprintf("Deleting temporary image %s failed: %v. It is deleted with the instance; delete it by hand sooner if you like.", priv.TemporaryImageID, err))
		} else {
			priv.TemporaryImageID = ""
		}
		savePrivate()
	}

	if m.DesiredStatus.ValueString() == cloud.InstanceStatusStopped {
		if err := r.setStatus(ctx, region, id, cloud.InstanceStatusStopped, time.Until(deadline)); err != nil {
			save()
			apiError(&resp.Diagnostics, "stop instance "+id, err)
			return
		}
	}
	// New disks may lag behind in DescribeDisks: wait for the system disk and
	// the configured data disks before reading them back.
	if dds, ok := m.dataDisks(ctx, &resp.Diagnostics); ok {
		if _, err := r.client.WaitInstanceDisks(ctx, region, id, 1+len(dds), time.Until(deadline)); err != nil {
			resp.Diagnostics.AddWarning("Disks not visible yet", fmt.Sprintf("The disks of instance %s are not listed yet (%v); the next refresh fills them in.", id, err))
		}
	}
	r.refresh(ctx, &m, &resp.Diagnostics)
	save()

	if !m.RTOMet.IsNull() && !m.RTOMet.ValueBool() {
		target, _ := restore.ParseRTO(m.RTOTarget.ValueString())
		detail := restore.RTOMissDetail(id, elapsed, target)
		if m.OnRTOMiss.ValueString() == restore.OnMissFail {
			resp.Diagnostics.AddAttributeError(path.Root("rto_target"), "RTO missed", detail+
				" The instance is kept in state (tainted): the next apply replaces it, or `terraform untaint` keeps it.")
		} else {
			resp.Diagnostics.AddAttributeWarning(path.Root("rto_target"), "RTO missed", detail)
		}
	}
}
