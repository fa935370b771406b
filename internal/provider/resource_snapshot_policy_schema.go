package provider

import (
	"context"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The alidr_snapshot_policy schema (resource_snapshot_policy.go holds the
// resource and its CRUD, resource_snapshot_policy_plan.go the plan-time
// checks).

func (r *snapshotPolicyResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A snapshot policy: when snapshots are taken, how long they are kept (daily, weekly, monthly and yearly tiers), " +
			"cross-region copies, and which disks follow it. By default an EBS enterprise snapshot policy, which keeps every tier and copies " +
			"to several regions by itself, between applies; `engine = \"automatic\"` keeps the ECS automatic snapshot policy (one copy region, " +
			"monthly and yearly tiers enforced by this resource on every apply). Plans fail when the schedule cannot meet `rpo_target`, warn when a " +
			"snapshot would start in an `avoid` window, and report the RPO the snapshots really gave (`observed_rpo`).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, MarkdownDescription: "The policy id: `esp-...` for an enterprise policy, `sp-...` for an automatic one.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"engine": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(engineEnterprise),
				MarkdownDescription: "`enterprise` (default): an EBS enterprise snapshot policy (cron schedule, base and weekly/monthly/yearly retention " +
					"kept by the cloud, copies to several regions each with its own retention). `automatic`: an ECS automatic snapshot policy " +
					"(one copy region, encrypted copies with a KMS key, `daily_days = -1`; monthly and yearly tiers enforced by this resource on apply). " +
					"Changing it replaces the policy.",
				Validators:    []validator.String{stringvalidator.OneOf(engineEnterprise, engineAutomatic)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"region": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Region of the policy and its disks. Default: the provider's region. Changing it replaces the policy.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace(), stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required: true, MarkdownDescription: "Policy name, 2 to 128 characters, starting with a letter or Chinese character, not with `http://` or `https://`.",
				Validators: []validator.String{ecsNameValidator("policy name")},
			},
			"schedule": schema.SingleNestedAttribute{
				Required: true,
				MarkdownDescription: "When snapshots start: `hours` and `weekdays`, or `cron`. " +
					"ECS evaluates automatic policy time points in UTC+8 in every region; enterprise policies are evaluated the same way here (see the page).",
				Attributes: map[string]schema.Attribute{
					"hours": schema.SetAttribute{
						Optional: true, ElementType: types.Int64Type,
						MarkdownDescription: "Hours (0-23, UTC+8) at which snapshots start, e.g. `[2, 14]`. Set with `weekdays`, or use `cron`.",
					},
					"weekdays": schema.SetAttribute{
						Optional: true, ElementType: types.StringType,
						MarkdownDescription: "Days on which snapshots are taken: `MON`, `TUE`, `WED`, `THU`, `FRI`, `SAT`, `SUN`.",
					},
					"cron": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "The schedule as the enterprise policy's six-field cron expression, seconds first: `0 0 2,14 ? * *` " +
							"is 02:00 and 14:00 every day, `0 0 */6 ? * MON-FRI` every six hours on weekdays. Snapshots start on the hour; " +
							"day-of-month and month stay `?`/`*`. Instead of `hours` and `weekdays`; the automatic engine takes `hours` and `weekdays` only.",
					},
					"time_zone": schema.StringAttribute{
						Optional: true, Computed: true, Default: stringdefault.StaticString(scheduleZone),
						MarkdownDescription: "The time zone the hours are in: `UTC+8` (default and only value), the zone ECS evaluates automatic policies in " +
							"whatever the region.",
					},
				},
			},
			"retention": schema.SingleNestedAttribute{
				Required: true,
				MarkdownDescription: "How long snapshots are kept: `daily_days` every snapshot, and the first snapshot of each week, month and year longer. " +
					"An enterprise policy keeps all tiers by itself; with the automatic engine the monthly and yearly tiers are enforced by this resource " +
					"on every apply (see the page's \"Retention tiers\" section).",
				Attributes: map[string]schema.Attribute{
					"daily_days": schema.Int64Attribute{
						Required:            true,
						MarkdownDescription: "Days each snapshot is kept: 1 to 65535, or -1 (automatic engine only) to keep them forever.",
					},
					"weekly_weeks": schema.Int64Attribute{
						Optional: true, Computed: true, Default: int64default.StaticInt64(0),
						MarkdownDescription: "Keep the first snapshot of each week (UTC+8) this many weeks (enterprise engine). 0 (default) disables the tier.",
					},
					"monthly_months": schema.Int64Attribute{
						Optional: true, Computed: true, Default: int64default.StaticInt64(0),
						MarkdownDescription: "Keep the first snapshot of each calendar month (UTC+8) this many months and move it to the archive tier. 0 (default) disables the tier.",
					},
					"yearly_years": schema.Int64Attribute{
						Optional: true, Computed: true, Default: int64default.StaticInt64(0),
						MarkdownDescription: "Keep the first snapshot of each calendar year (UTC+8) this many years. 0 (default) disables the tier.",
					},
				},
			},
			"cross_region_copy": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "Copy every snapshot to other regions. Omit to take no copies. An enterprise policy copies to several regions, " +
					"each with its own retention; an automatic policy to a single one (CreateAutoSnapshotPolicy `TargetCopyRegions`).",
				Attributes: map[string]schema.Attribute{
					"regions": schema.SetAttribute{
						Required: true, ElementType: types.StringType,
						MarkdownDescription: "The regions to copy to: each must exist and differ from the policy's region. The automatic engine " +
							"takes one region (ECS takes a single destination region per automatic policy).",
						Validators: []validator.Set{setvalidator.SizeAtLeast(1)},
					},
					"retention_days": schema.Int64Attribute{
						Required: true, MarkdownDescription: "Days the copies are kept: 1 to 65535, or -1 (automatic engine only) for forever.",
					},
					"region_retention_days": schema.MapAttribute{
						Optional: true, ElementType: types.Int64Type,
						MarkdownDescription: "Per-region override of `retention_days` (enterprise engine), e.g. `{ \"cn-guangzhou\" = 7 }`. Keys must be in `regions`.",
					},
					"encrypted": schema.BoolAttribute{
						Optional: true, Computed: true, Default: booldefault.StaticBool(false),
						MarkdownDescription: "Encrypt the copies (automatic engine: the enterprise policy's CrossRegionCopyInfo has no encryption setting). Default `false`.",
					},
					"kms_key_id": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "KMS key for encrypted copies (requires `encrypted = true`); the service key when omitted.",
					},
				},
			},
			"disk_ids": schema.SetAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Disks that follow this policy. A disk follows one policy at a time: a disk taken from another policy " +
					"is reported with a warning naming it. Disks removed from the set stop taking automatic snapshots.",
			},
			"rpo_target": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Longest acceptable gap between snapshots, e.g. `12h` or `1d`. The plan fails when `effective_rpo` " +
					"exceeds it, naming the gap and a schedule change that meets it.",
			},
			"avoid": schema.ListAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Peak-hour windows (UTC+8) in which snapshots should not start, e.g. `\"MON 08:00-12:00\"` or `\"DAILY 09:00-11:00\"`. " +
					"Each scheduled time point inside one gives a plan-time warning.",
			},
			"tags": schema.MapAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Tags on the policy. Keys starting with `alidr:` are reserved for the provider.",
				Validators:          []validator.Map{tagsValidator{}},
			},
			"effective_rpo": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The longest gap between scheduled snapshots over a week, e.g. `12h`: the most data a failure can cost.",
			},
			"max_observed_rpo": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Largest acceptable `observed_rpo`, e.g. `26h`. A plan whose refreshed `observed_rpo` exceeds it fails, naming the disk " +
					"or region, so a nightly `terraform plan` is a monitor. Without it an `observed_rpo` above `effective_rpo` is a warning.",
			},
			"observed_rpo": schema.SingleNestedAttribute{
				Computed: true,
				MarkdownDescription: "The RPO the snapshots really gave, as of the last refresh: per disk (`disks`) and per copy region (`copy_regions`), " +
					"the longest gap between completed snapshots over the last week, and the time since the newest one when that already exceeds " +
					"`effective_rpo`, to the nearest hour. The cloud skips a time point while the previous snapshot is still running, so it can exceed " +
					"`effective_rpo`. A disk or region without a completed snapshot in the last week is absent.",
				Attributes: map[string]schema.Attribute{
					"disks":        schema.MapAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Observed RPO by disk id, in the policy's region."},
					"copy_regions": schema.MapAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Observed RPO by copy region (the worst disk)."},
				},
			},
			"pending_tier_actions": schema.Int64Attribute{
				Computed: true,
				MarkdownDescription: "Snapshots the monthly/yearly tiers still have to extend or archive, as seen by the last refresh. " +
					"Non-zero makes the next plan show an update; the apply brings it to 0.",
			},
			"tiered_snapshots": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Snapshots currently held by the monthly and yearly tiers (kept longer and, for the monthly tier, archived).",
			},
			"last_tier_actions": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "What the latest apply with tier work did, e.g. `2 snapshots to extend, 1 to archive` (`no changes` when none yet).",
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{
				Create: true, Update: true, Delete: true,
				CreateDescription: "Creating the policy, attaching disks and tiering existing snapshots (default `10m`).",
				UpdateDescription: "Changing the policy and tiering snapshots (default `30m`).",
				DeleteDescription: "Detaching disks and deleting the policy (default `10m`).",
			}),
		},
	}
	maps.Copy(resp.Schema.Attributes, spLockSchema())
}
