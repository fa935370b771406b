package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
)

// clientFrom type-asserts the provider data shared by every resource and
// data source; nil means the provider is not configured yet (validation).
func clientFrom(data any, diags *diag.Diagnostics) *cloud.Client {
	if data == nil {
		return nil
	}
	c, ok := data.(*cloud.Client)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *cloud.Client, got %T. This is a bug in the provider; please report it.", data))
		return nil
	}
	return c
}

// apiError reports a failed cloud call with what was being done.
func apiError(diags *diag.Diagnostics, doing string, err error) {
	diags.AddError("Failed to "+doing, err.Error())
}
