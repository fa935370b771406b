package provider

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/drpolicy"
	"github.com/alidr/terraform-provider-alidr/internal/validate"
	"github.com/alidr/terraform-provider-alidr/internal/verify"
)

// Plan-time validators of the API's naming rules (internal/validate), shared
// by every resource.

// stringRule adapts a validate function to a string attribute validator.
type stringRule struct {
	summary, desc string
	check         func(string) error
}

func (v stringRule) Description(context.Context) string         { return v.desc }
func (v stringRule) MarkdownDescription(context.Context) string { return v.desc }

func (v stringRule) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, err.Error()+".")
	}
}

// ecsNameValidator: 2-128 characters, a letter or Chinese character first,
// not http:// or https://.
func ecsNameValidator(what string) validator.String {
	return stringRule{"Invalid " + what, "an ECS " + what + " (2-128 characters, starting with a letter or Chinese character)",
		func(s string) error { return validate.ECSName(what, s) }}
}

func bucketNameValidator() validator.String {
	return stringRule{"Invalid bucket name", "an OSS bucket name", validate.BucketName}
}

// objectKeyValidator checks an object key, or a key prefix when prefix is set.
func objectKeyValidator(what string, prefix bool) validator.String {
	return stringRule{"Invalid " + what, "an OSS " + what,
		func(s string) error { return validate.ObjectKey(what, s, prefix) }}
}

// tagsValidator checks every key and value of a tags map.
type tagsValidator struct{}

func (tagsValidator) Description(context.Context) string {
	return "tag keys of 1-128 characters, values of at most 128"
}
func (v tagsValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (tagsValidator) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for k, e := range req.ConfigValue.Elements() {
		err := validate.TagKey(k)
		if s, ok := e.(types.String); err == nil && ok && !s.IsNull() && !s.IsUnknown() {
			err = validate.TagValue(k, s.ValueString())
		}
		if err != nil {
			resp.Diagnostics.AddAttributeError(req.Path.AtMapKey(k), "Invalid tag", fmt.Sprintf("%v.", err))
		}
	}
}

// regionAvailable reports whether region (a resource's own `region`) is one
// of the account's, adding an error on attr when it is not. Without it, an
// unknown region surfaces later as misleading "image not found" errors. The
// provider's region is checked when the provider is configured.
func regionAvailable(ctx context.Context, client *cloud.Client, region string, attr path.Path, diags *diag.Diagnostics) bool {
	if region == "" || region == client.Region() {
		return true
	}
	if err := client.CheckRegions(ctx, region); err != nil {
		diags.AddAttributeError(attr, "Unknown region", err.Error()+": set region to one of them.")
		return false
	}
	return true
}
func hexRE(n int) *regexp.Regexp { return regexp.MustCompile(fmt.Sprintf("^[0-9a-fA-F]{%d}$", n)) }

// durationValidator accepts drpolicy durations ("30m", "1d12h", "500ms").
func durationValidator() validator.String {
	return stringRule{"Invalid duration", "a duration such as 30s, 15m, 2h or 1d", func(s string) error {
		_, err := drpolicy.ParseDuration(s)
		return err
	}}
}

// rfc3339Validator accepts an RFC 3339 time or "".
func rfc3339Validator() validator.String {
	return stringRule{"Invalid time", "an RFC 3339 time or empty", func(s string) error {
		if _, err := time.Parse(time.RFC3339, s); s != "" && err != nil {
			return fmt.Errorf("%q is not an RFC 3339 time such as 2026-11-24T02:00:00Z: use the created_at of the recovery point", s)
		}
		return nil
	}}
}

// crc64Validator accepts a decimal uint64 as OSS writes CRC64s.
func crc64Validator() validator.String {
	return stringRule{"Invalid CRC64", "a CRC64-ECMA in decimal, as in x-oss-hash-crc64ecma", func(s string) error {
		if _, err := strconv.ParseUint(s, 10, 64); err != nil {
			return fmt.Errorf("%q is not a decimal CRC64: use the value of the x-oss-hash-crc64ecma header (e.g. 12345678901234567890), not hex", s)
		}
		return nil
	}}
}

// pointIDsValidator accepts snapshot and image ids.
type pointIDsValidator struct{}

func (pointIDsValidator) Description(context.Context) string {
	return "snapshot (s-...) or image (m-...) ids"
}
func (v pointIDsValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (pointIDsValidator) ValidateList(ctx context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for i, e := range req.ConfigValue.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			continue
		}
		if _, err := verify.PointType(s.ValueString()); err != nil {
			resp.Diagnostics.AddAttributeError(req.Path.AtListIndex(i), "Invalid recovery point id",
				err.Error()+": verified_points takes snapshot and image ids, e.g. alidr_replicated_image.golden.id")
		}
	}
}

// parseDur parses an optional duration attribute; ok is false when unset
// or unknown.
func parseDur(s types.String) (time.Duration, bool, error) {
	if !isKnown(s) {
		return 0, false, nil
	}
	d, err := drpolicy.ParseDuration(s.ValueString())
	return d, err == nil, err
}
