//go:build tools

// Package tools pins the development tools: the OpenTofu CLI that the
// acceptance tests drive, and tfplugindocs that generates docs/.
package tools

import (
	_ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
	_ "github.com/opentofu/opentofu/cmd/tofu"
)
