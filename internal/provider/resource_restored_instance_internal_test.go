package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/alidr/terraform-provider-alidr/internal/acctest/fixture"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// Warnings cannot be asserted through terraform-plugin-testing, so the
// plan-time baseline checks are exercised here against an emulator.

// seeded is the emulator world the package's own tests run in.
var seeded = fixture.Emulator()

func restoredPlanModel(instanceType string, systemDiskSize int64) restoredInstanceModel {
	return restoredInstanceModel{
		ID:     types.StringUnknown(),
		Region: types.StringUnknown(),
		Source: &restoreSource{
			ImageID: types.StringValue("aliyun_3_x64_20G_alibase_20240819.vhd"), SnapshotID: types.StringNull(),
		},
		InstanceType: types.StringValue(instanceType),
		InstanceName: types.StringUnknown(),
		Description:  types.StringUnknown(),
		SystemDisk: types.ObjectValueMust(systemDiskAttrTypes, map[string]attr.Value{
			"category": types.StringValue("cloud_essd"), "size": types.Int64Value(systemDiskSize),
		}),
		DataDisks:          types.ListNull(types.ObjectType{AttrTypes: dataDiskAttrTypes}),
		VSwitchID:          types.StringValue(seeded.VSwitchID),
		ZoneID:             types.StringUnknown(),
		SecurityGroupIDs:   types.SetValueMust(types.StringType, []attr.Value{types.StringValue(seeded.SecurityGroupID)}),
		PrivateIPs:         types.Int64Value(1),
		Tags:               types.MapNull(types.StringType),
		DesiredStatus:      types.StringValue("Running"),
		RTOTarget:          types.StringNull(),
		OnRTOMiss:          types.StringValue("warn"),
		Timeouts:           timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{"create": types.StringType, "update": types.StringType, "delete": types.StringType})},
		Status:             types.StringUnknown(),
		PrivateIP:          types.StringUnknown(),
		PrivateIPAddresses: types.ListUnknown(types.StringType),
		RestoredFrom:       types.StringUnknown(),
		RestoredFromTime:   types.StringUnknown(),
		RestoreDuration:    types.StringUnknown(),
		RTOMet:             types.BoolUnknown(),
	}
}

// planCreate runs ModifyPlan for creating m and returns the diagnostics and
// the modified plan.
func planCreate(t *testing.T, r *restoredInstanceResource, m restoredInstanceModel) (diag.Diagnostics, restoredInstanceModel) {
	t.Helper()
	ctx := context.Background()
	var sr resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sr)
	typ := sr.Schema.Type().TerraformType(ctx)
	plan := tfsdk.Plan{Schema: sr.Schema, Raw: tftypes.NewValue(typ, nil)}
	if d := plan.Set(ctx, &m); d.HasError() {
		t.Fatalf("building the plan: %v", d)
	}
	req := resource.ModifyPlanRequest{
		Plan:   plan,
		Config: tfsdk.Config{Schema: sr.Schema, Raw: plan.Raw},
		State:  tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(typ, nil)},
	}
	resp := resource.ModifyPlanResponse{Plan: plan}
	r.ModifyPlan(ctx, req, &resp)
	var out restoredInstanceModel
	if d := resp.Plan.Get(ctx, &out); d.HasError() {
		t.Fatalf("reading the plan: %v", d)
	}
	return resp.Diagnostics, out
}

func TestRestoredInstanceModifyPlanBaseline(t *testing.T) {
	_, c := testEmulator(t, emulator.Options{}, 1)
	r := &restoredInstanceResource{client: c}

	// Below the baseline: three warnings, no error.
	diags, plan := planCreate(t, r, restoredPlanModel("ecs.t5-lc1m1.small", 20))
	if diags.HasError() {
		t.Fatalf("unexpected errors: %v", diags)
	}
	warnings := diags.Warnings()
	var details []string
	for _, w := range warnings {
		details = append(details, w.Detail())
	}
	all := strings.Join(details, "\n")
	for _, want := range []string{
		"ecs.t5-lc1m1.small has 1 vCPU; a restored production instance should have at least 2",
		"ecs.t5-lc1m1.small has 1 GiB of memory; a restored production instance should have at least 4 GiB",
		"system_disk.size is 20 GiB; a restored instance should have at least 40 GiB",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing warning %q in:\n%s", want, all)
		}
	}
	if len(warnings) != 3 {
		t.Errorf("want 3 warnings, got %d:\n%s", len(warnings), all)
	}
	// Filled in at plan time.
	if plan.Region.ValueString() != seeded.Region || plan.ZoneID.ValueString() != seeded.ZoneID {
		t.Errorf("region %s zone %s", plan.Region, plan.ZoneID)
	}

	// At the baseline: nothing to say.
	diags, _ = planCreate(t, r, restoredPlanModel("ecs.g7.large", 40))
	if len(diags) != 0 {
		t.Errorf("want no diagnostics, got %v", diags)
	}

	// Errors the API would raise, with the attribute they concern.
	m := restoredPlanModel("ecs.t6-c1m1.large", 40)
	m.PrivateIPs = types.Int64Value(3)
	diags, _ = planCreate(t, r, m)
	if !diags.HasError() || !strings.Contains(diags.Errors()[0].Detail(), "ecs.t6-c1m1.large holds at most 2 private IPs") {
		t.Errorf("want a private IP error, got %v", diags)
	}
	if len(diags.Warnings()) != 1 || !strings.Contains(diags.Warnings()[0].Detail(), "2 GiB of memory") {
		t.Errorf("want a memory warning, got %v", diags.Warnings())
	}
}

func TestRTOMetValues(t *testing.T) {
	for _, tc := range []struct {
		target, measured string
		want             types.Bool
	}{
		{"15m", "4m12s", types.BoolValue(true)},
		{"1s", "3s", types.BoolValue(false)},
		{"", "3s", types.BoolNull()},
		{"1m", "", types.BoolNull()},
		{"bad", "3s", types.BoolNull()},
	} {
		target, measured := types.StringNull(), types.StringNull()
		if tc.target != "" {
			target = types.StringValue(tc.target)
		}
		if tc.measured != "" {
			measured = types.StringValue(tc.measured)
		}
		if got := rtoMet(target, measured); !got.Equal(tc.want) {
			t.Errorf("rtoMet(%q, %q) = %v, want %v", tc.target, tc.measured, got, tc.want)
		}
	}
}
