//go:build tools

// Package tools pins the development tools: the OpenTofu CLI that the
// acceptance tests drive, tfplugindocs that generates docs/, and actionlint
// that checks the example GitHub Actions workflow.
package tools

import (
	_ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
	_ "github.com/opentofu/opentofu/cmd/tofu"
	_ "github.com/rhysd/actionlint/cmd/actionlint"
)
