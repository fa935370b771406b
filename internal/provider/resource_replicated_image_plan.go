package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/alidr/terraform-provider-alidr/internal/replication"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func (r *replicatedImageResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m replicatedImageModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if src, d := rimgSource(ctx, m.Source); !d.HasError() && src != nil {
		set := 0
		for _, v := range []types.String{src.ImageID, src.SnapshotID, src.InstanceID} {
			if !v.IsNull() {
				set++
			}
		}
		if set != 1 {
			resp.Diagnostics.AddAttributeError(path.Root("source"), "Invalid image source",
				fmt.Sprintf("source sets %d of image_id, snapshot_id and instance_id: set exactly one, e.g. source = { snapshot_id = \"s-...\" }.", set))
		}
	}
	if !m.Name.IsNull() && !m.Name.IsUnknown() {
		if err := replication.ValidateImageName(m.Name.ValueString()); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Invalid image name", err.Error()+".")
		}
	}
	if !m.Targets.IsUnknown() && !m.Targets.IsNull() {
		for region := range m.Targets.Elements() {
			if err := replication.ValidateRegionID(region); err != nil {
				resp.Diagnostics.AddAttributeError(path.Root("targets").AtMapKey(region), "Invalid target region", err.Error()+".")
			} else if !m.Region.IsNull() && !m.Region.IsUnknown() && region == m.Region.ValueString() {
				resp.Diagnostics.AddAttributeError(path.Root("targets").AtMapKey(region), "Target is the source region",
					fmt.Sprintf("The source image already lives in %s: remove %q from targets (copies go to other regions).", region, region))
			}
		}
	}
	if !m.ShareWithAccounts.IsUnknown() && !m.ShareWithAccounts.IsNull() {
		for _, e := range m.ShareWithAccounts.Elements() {
			if s, ok := e.(types.String); ok && !s.IsUnknown() && !s.IsNull() {
				if err := replication.ValidateAccountID(s.ValueString()); err != nil {
					resp.Diagnostics.AddAttributeError(path.Root("share_with_accounts"), "Invalid account id", err.Error()+".")
				}
			}
		}
	}
	if ex, d := rimgExport(ctx, m.Export); !d.HasError() && ex != nil {
		at := path.Root("export")
		if !ex.Prefix.IsUnknown() && !ex.Prefix.IsNull() {
			if err := replication.ValidateExportPrefix(ex.Prefix.ValueString()); err != nil {
				resp.Diagnostics.AddAttributeError(at.AtName("prefix"), "Invalid export prefix", err.Error()+".")
			}
		}
		if !ex.Format.IsUnknown() && !ex.Format.IsNull() {
			if err := replication.ValidateFormat(ex.Format.ValueString()); err != nil {
				resp.Diagnostics.AddAttributeError(at.AtName("format"), "Invalid export format", err.Error()+".")
			} else if notice := replication.FormatNotice(ex.Format.ValueString()); notice != "" {
				resp.Diagnostics.AddAttributeWarning(at.AtName("format"), "Export format not guaranteed", notice+
					" Set format = \"raw\" to avoid the surprise, or keep it and read export.exported_format.")
			}
		}
		if !ex.Checksums.IsUnknown() && !ex.Checksums.IsNull() {
			if len(ex.Checksums.Elements()) == 0 {
				resp.Diagnostics.AddAttributeError(at.AtName("checksums"), "No checksums",
					"checksums is empty: list at least one of crc64, md5, sha256, or leave it out to compute all three.")
			}
			for _, e := range ex.Checksums.Elements() {
				if s, ok := e.(types.String); ok && !s.IsUnknown() && !s.IsNull() && !validChecksum(s.ValueString()) {
					resp.Diagnostics.AddAttributeError(at.AtName("checksums"), "Unknown checksum",
						fmt.Sprintf("%q is not a checksum this provider computes: use crc64, md5 or sha256.", s.ValueString()))
				}
			}
		}
	}
}
func validChecksum(c string) bool {
	for _, k := range replication.Checksums {
		if k == c {
			return true
		}
	}
	return false
}

// ModifyPlan fills the region, checks target regions exist and keeps the
// computed values of copies and of the export that the change leaves alone
// (and only those: a rekeyed region gets a new copy id).
func (r *replicatedImageResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	plan, state, ok := planAndState[replicatedImageModel](ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	if state != nil && state.ImageID.IsNull() && !state.ID.IsNull() {
		// The source image is gone (see readSourceGone): replace.
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("image_id"))
		plan.ID, plan.ImageID = types.StringUnknown(), types.StringUnknown()
	}
	if plan.Region.IsUnknown() && r.client != nil {
		var cfgRegion types.String
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("region"), &cfgRegion)...)
		if cfgRegion.IsNull() {
			plan.Region = types.StringValue(r.client.Region())
			if state != nil && !state.Region.IsNull() {
				plan.Region = state.Region
			}
		}
	}

	if state == nil && r.client != nil && !plan.Region.IsUnknown() {
		regionAvailable(ctx, r.client, plan.Region.ValueString(), path.Root("region"), &resp.Diagnostics)
	}
	planTargets, d := rimgTargets(ctx, plan.Targets)
	resp.Diagnostics.Append(d...)
	var stateTargets map[string]rimgTargetModel
	if state != nil {
		stateTargets, d = rimgTargets(ctx, state.Targets)
		resp.Diagnostics.Append(d...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	var newRegions []string
	for region := range planTargets {
		if !plan.Region.IsUnknown() && region == plan.Region.ValueString() {
			resp.Diagnostics.AddAttributeError(path.Root("targets").AtMapKey(region), "Target is the source region",
				fmt.Sprintf("The source image lives in %s: remove %q from targets (copies go to other regions).", region, region))
		}
		if _, ok := stateTargets[region]; !ok {
			newRegions = append(newRegions, region)
		}
	}
	if shares := knownStrings(ctx, plan.ShareWithAccounts); len(shares) > 0 {
		var enc []string
		for _, region := range rimgSortedKeys(planTargets) {
			if k := planTargets[region].KMSKeyID; !k.IsNull() && k.ValueString() != "" {
				enc = append(enc, region)
			}
		}
		if len(enc) > 0 {
			resp.Diagnostics.AddAttributeWarning(path.Root("share_with_accounts"), "Encrypted copies are not shared",
				fmt.Sprintf("ECS does not share images with encrypted disks: the copies in %s (kms_key_id set) will not be shared "+
					"with share_with_accounts. Drop kms_key_id there if those copies must be shared.", strings.Join(enc, ", ")))
		}
	}
	if len(newRegions) > 0 && r.client != nil {
		if err := r.client.CheckRegions(ctx, newRegions...); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("targets"), "Unknown target region", err.Error()+": fix or remove the target.")
		}
	}
	rimgWarnUnlockedExport(ctx, r.client, &plan, state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || state == nil {
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}

	if !plan.Targets.IsUnknown() && !plan.Targets.IsNull() {
		for region, t := range planTargets {
			s, had := stateTargets[region]
			if had && !t.KMSKeyID.IsUnknown() && t.KMSKeyID.ValueString() == s.KMSKeyID.ValueString() && !s.ImageID.IsNull() {
				t.ImageID, t.Status, t.Progress = s.ImageID, s.Status, s.Progress
			} else {
				t.ImageID, t.Status, t.Progress = types.StringUnknown(), types.StringUnknown(), types.Int64Unknown()
			}
			planTargets[region] = t
		}
		plan.Targets, d = rimgTargetsValue(ctx, planTargets, false)
		resp.Diagnostics.Append(d...)
	}

	pe, d := rimgExport(ctx, plan.Export)
	resp.Diagnostics.Append(d...)
	se, d := rimgExport(ctx, state.Export)
	resp.Diagnostics.Append(d...)
	if pe != nil {
		if se.current() && pe.sameLocation(se) {
			pe.Object, pe.ManifestObject, pe.ETag, pe.Size, pe.DataObjects = se.Object, se.ManifestObject, se.ETag, se.Size, se.DataObjects
			pe.ExportedFormat = se.ExportedFormat
			if pe.Checksums.Equal(se.Checksums) {
				pe.MD5, pe.SHA256, pe.CRC64 = se.MD5, se.SHA256, se.CRC64
			} else {
				pe.MD5, pe.SHA256, pe.CRC64 = types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
				pe.ManifestObject = se.ManifestObject
			}
		} else {
			pe.setComputedUnknown()
		}
		plan.Export, d = rimgExportValue(ctx, pe)
		resp.Diagnostics.Append(d...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}
