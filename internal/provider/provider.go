// Package provider is the Terraform framework layer: provider configuration,
// resources and data sources. It translates between HCL and the cloud and
// domain packages and holds no business logic of its own.
package provider

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
)

var _ provider.Provider = &alidrProvider{}

// New returns the provider factory for providerserver.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &alidrProvider{version: version} }
}

type alidrProvider struct {
	version string
}

type providerModel struct {
	Region                types.String     `tfsdk:"region"`
	AccessKey             types.String     `tfsdk:"access_key"`
	SecretKey             types.String     `tfsdk:"secret_key"`
	SecurityToken         types.String     `tfsdk:"security_token"`
	Profile               types.String     `tfsdk:"profile"`
	SharedCredentialsFile types.String     `tfsdk:"shared_credentials_file"`
	MaxRetries            types.Int64      `tfsdk:"max_retries"`
	MaxRetryTimeout       types.Int64      `tfsdk:"max_retry_timeout"`
	AssumeRole            *assumeRoleModel `tfsdk:"assume_role"`
	Endpoints             *endpointsModel  `tfsdk:"endpoints"`

	Attestation *attestationModel `tfsdk:"attestation"` // provider_attestation.go
}

type assumeRoleModel struct {
	RoleARN           types.String `tfsdk:"role_arn"`
	SessionName       types.String `tfsdk:"session_name"`
	Policy            types.String `tfsdk:"policy"`
	ExternalID        types.String `tfsdk:"external_id"`
	SessionExpiration types.Int64  `tfsdk:"session_expiration"`
}

type endpointsModel struct {
	ECS types.String `tfsdk:"ecs"`
	OSS types.String `tfsdk:"oss"`
	STS types.String `tfsdk:"sts"`
	EBS types.String `tfsdk:"ebs"`
}

func (p *alidrProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "alidr"
	resp.Version = p.version
}

func (p *alidrProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	endpoint := func(service string) schema.StringAttribute {
		return schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Custom " + service + " endpoint, `host[:port]` or `https://host[:port]`. " +
				"Plain `http://` is accepted only for loopback addresses (the emulator).",
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Disaster recovery on Alibaba Cloud: snapshot policies with RPO checks, replicated images, " +
			"restored instances with measured RTO, and verification runs. Credentials and region work like the official " +
			"`alicloud` provider.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Default region id, e.g. `cn-beijing`. Environment: `ALIBABA_CLOUD_REGION`, `ALICLOUD_REGION`.",
			},
			"access_key": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Access key id. Environment: `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALICLOUD_ACCESS_KEY`.",
			},
			"secret_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Access key secret. Environment: `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, `ALICLOUD_SECRET_KEY`.",
			},
			"security_token": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "STS security token for temporary credentials. Environment: `ALIBABA_CLOUD_SECURITY_TOKEN`, `ALICLOUD_SECURITY_TOKEN`.",
			},
			"profile": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Profile name in the Alibaba Cloud CLI configuration (`AK` and `StsToken` modes). Environment: `ALIBABA_CLOUD_PROFILE`, `ALICLOUD_PROFILE`.",
			},
			"shared_credentials_file": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Path of the CLI configuration holding `profile`. Default `~/.aliyun/config.json`.",
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How often a call failing with a server error (5xx) or a network error is retried with exponential " +
					"backoff and jitter. Default 5. Throttling is retried by time instead: see `max_retry_timeout`.",
				Validators: []validator.Int64{int64validator.Between(0, 20)},
			},
			"max_retry_timeout": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How long, in seconds, a throttled call (`Throttling`, `Throttling.User`, `Throttling.Api`, " +
					"`Rejected.Throttling`, `ServiceUnavailable`) or a request whose `ClientToken` is still being processed " +
					"(`LastTokenProcessing`, `OperationConflict`) is retried, however many attempts that takes. Waits grow " +
					"exponentially from 1s to at most 60s, with jitter. It also bounds the retries of `max_retries`. Default 300.",
				Validators: []validator.Int64{int64validator.Between(1, 3600)},
			},
		},
		Blocks: map[string]schema.Block{
			"assume_role": schema.SingleNestedBlock{
				MarkdownDescription: "Assume a RAM role through STS; the base credentials must be allowed to assume it.",
				Attributes: map[string]schema.Attribute{
					"role_arn": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "ARN of the role, e.g. `acs:ram::123456789012:role/dr-operator`. Environment: `ALIBABA_CLOUD_ROLE_ARN`.",
					},
					"session_name": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Session name recorded in ActionTrail. Default `terraform-provider-alidr`.",
					},
					"policy": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "A policy document further restricting the session.",
					},
					"external_id": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "External id the role's trust policy requires.",
					},
					"session_expiration": schema.Int64Attribute{
						Optional:            true,
						MarkdownDescription: "Session length in seconds (900-43200). Credentials are renewed before they expire.",
						Validators:          []validator.Int64{int64validator.Between(900, 43200)},
					},
				},
			},
			"attestation": attestationBlock(),
			"endpoints": schema.SingleNestedBlock{
				MarkdownDescription: "Service endpoint overrides, e.g. to use the local emulator.",
				Attributes: map[string]schema.Attribute{
					"ecs": endpoint("ECS"),
					"oss": endpoint("OSS"),
					"sts": endpoint("STS"),
					"ebs": endpoint("EBS"),
				},
			},
		},
	}
}

func (p *alidrProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Credentials and endpoints must be known when planning: the provider
	// checks the region and reads the cloud during plan.
	for name, v := range map[string]attr.Value{
		"region": m.Region, "access_key": m.AccessKey, "secret_key": m.SecretKey, "security_token": m.SecurityToken,
		"profile": m.Profile, "shared_credentials_file": m.SharedCredentialsFile,
	} {
		if v.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Provider argument not known at plan time",
				name+" depends on a value only known after apply. Set it from a variable, a data source or the environment instead.")
		}
	}
	if m.Endpoints != nil && (m.Endpoints.ECS.IsUnknown() || m.Endpoints.OSS.IsUnknown() || m.Endpoints.STS.IsUnknown() || m.Endpoints.EBS.IsUnknown()) {
		resp.Diagnostics.AddAttributeError(path.Root("endpoints"), "Provider argument not known at plan time",
			"An endpoint depends on a value only known after apply. Set it from a variable instead.")
	}
	if resp.Diagnostics.HasError() {
		return
	}
	cfg := cloud.Config{
		Region:                m.Region.ValueString(),
		AccessKey:             m.AccessKey.ValueString(),
		SecretKey:             m.SecretKey.ValueString(),
		SecurityToken:         m.SecurityToken.ValueString(),
		Profile:               m.Profile.ValueString(),
		SharedCredentialsFile: m.SharedCredentialsFile.ValueString(),
		MaxRetries:            int(m.MaxRetries.ValueInt64()),
	}
	if m.MaxRetries.IsNull() {
		cfg.MaxRetries = cloud.DefaultMaxRetries
	}
	if !m.MaxRetryTimeout.IsNull() {
		cfg.RetryTimeout = time.Duration(m.MaxRetryTimeout.ValueInt64()) * time.Second
	}
	if m.AssumeRole != nil && !m.AssumeRole.RoleARN.IsNull() {
		cfg.AssumeRole = &cloud.AssumeRole{
			RoleARN:           m.AssumeRole.RoleARN.ValueString(),
			SessionName:       m.AssumeRole.SessionName.ValueString(),
			Policy:            m.AssumeRole.Policy.ValueString(),
			ExternalID:        m.AssumeRole.ExternalID.ValueString(),
			SessionExpiration: int(m.AssumeRole.SessionExpiration.ValueInt64()),
		}
	}
	if m.Endpoints != nil {
		cfg.Endpoints = cloud.Endpoints{ECS: m.Endpoints.ECS.ValueString(), OSS: m.Endpoints.OSS.ValueString(), STS: m.Endpoints.STS.ValueString(), EBS: m.Endpoints.EBS.ValueString()}
	}
	cfg.ApplyEnvironment(os.Getenv)
	if cfg.SecretKey != "" {
		ctx = tflog.MaskAllFieldValuesStrings(ctx, cfg.SecretKey)
	}
	if cfg.SecurityToken != "" {
		ctx = tflog.MaskAllFieldValuesStrings(ctx, cfg.SecurityToken)
	}

	client, err := cloud.New(ctx, cfg, p.version)
	if err != nil {
		resp.Diagnostics.AddError("Invalid alidr provider configuration", err.Error())
		return
	}
	client.Attestation = attestationConfig(ctx, m.Attestation, cfg.Region, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	// An unknown region fails here, at plan time, with the list of valid ones.
	// Refused credentials and transient failures are reported as what they
	// are: they say nothing about the region.
	var unknown *cloud.UnknownRegionError
	var access *cloud.AccessError
	switch err := client.CheckRegions(ctx, cfg.Region); {
	case err == nil:
	case errors.As(err, &unknown):
		resp.Diagnostics.AddAttributeError(path.Root("region"), "Unknown region", err.Error()+". Set region to one of them.")
		return
	case errors.As(err, &access) && access.Permission:
		resp.Diagnostics.AddError("Alibaba Cloud denied ecs:DescribeRegions", err.Error())
		return
	case errors.As(err, &access):
		resp.Diagnostics.AddAttributeError(path.Root("access_key"), "Alibaba Cloud rejected the credentials", err.Error())
		return
	default:
		resp.Diagnostics.AddError("Could not check the region with ECS DescribeRegions",
			err.Error()+"\n\nThe region was not checked because the call failed; this is not a configuration error. Apply again when the service answers.")
		return
	}
	tflog.Info(ctx, "alidr provider configured", map[string]any{"region": cfg.Region})
	resp.DataSourceData = client
	resp.ResourceData = client
}

func (p *alidrProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewVerificationRunResource,
		NewRestoredInstanceResource,
		NewReplicatedImageResource,
		NewSnapshotPolicyResource,
		NewRecoveryVaultResource,
	}
}

func (p *alidrProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewRegionsDataSource,
		NewDisksDataSource,
		NewRecoveryPointsDataSource,
		NewRAMPolicyDataSource,
	}
}
