//go:build tools

// Package lint pins golangci-lint in a module of its own: in tools/go.mod its
// requirements would move OpenTofu's pinned dependencies (grpc, otel,
// golang.org/x/...) away from the versions OpenTofu is built and tested with.
package lint

import _ "github.com/golangci/golangci-lint/v2/cmd/golangci-lint"
