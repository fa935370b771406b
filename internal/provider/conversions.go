package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// Value conversions shared by every resource and data source: one place
// each, no per-resource copies.

// objectAsOptions are the zero options: converting a null or unknown object
// is an error, never a silent empty struct.
var objectAsOptions = basetypes.ObjectAsOptions{}

// isKnown reports whether v holds a value (not null, not unknown).
func isKnown(v attr.Value) bool { return !v.IsNull() && !v.IsUnknown() }

// fullyKnown reports whether v and everything inside it is known (a null
// value is known).
func fullyKnown(v attr.Value) bool {
	if v.IsUnknown() {
		return false
	}
	tv, err := v.ToTerraformValue(context.Background())
	return err == nil && tv.IsFullyKnown()
}

// knownString is v's value, or "" when null or unknown.
func knownString(v types.String) string {
	if !isKnown(v) {
		return ""
	}
	return v.ValueString()
}

// knownInt is v's value, or 0 when null or unknown.
func knownInt(v types.Int64) int64 {
	if !isKnown(v) {
		return 0
	}
	return v.ValueInt64()
}

// knownStrings are the elements of a list or set of strings, nil when it
// is null or unknown.
func knownStrings(ctx context.Context, v interface {
	attr.Value
	ElementsAs(context.Context, any, bool) diag.Diagnostics
}) []string {
	var out []string
	if isKnown(v) {
		_ = v.ElementsAs(ctx, &out, false)
	}
	return out
}

// stringValues are xs as string values, for a list or set of strings.
func stringValues(xs []string) []attr.Value {
	out := make([]attr.Value, 0, len(xs))
	for _, x := range xs {
		out = append(out, types.StringValue(x))
	}
	return out
}

// stringOrNull maps "" to null: the API's "not set".
func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
