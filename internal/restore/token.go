package restore

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// ClientToken derives the idempotency token of a create call from the call
// itself: the same request always yields the same token, so an apply that
// was interrupted after the call reached the API and is run again gets the
// first call's result instead of a second resource. kind separates token
// spaces ("instance", "image"); generation is bumped when the resource a
// token produced has since been deleted (a replaced instance), so the next
// create gets a fresh one. The token is at most 64 ASCII characters, the
// API's limit.
func ClientToken(kind string, request any, generation int) (string, error) {
	h, err := Digest(request)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("alidr-%.8s-%.32s-%d", kind, h, generation), nil
}

// Digest is the hex SHA-256 of the JSON form of v (struct fields in
// declaration order, map keys sorted): stable across runs and processes.
func Digest(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("digesting the request: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}
