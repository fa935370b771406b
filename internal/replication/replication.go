// Package replication holds the framework-free logic of a replicated image:
// which target regions to copy to, delete or re-copy, whom to share with,
// where an export goes and whether it drifted, and input validation with
// messages that say what to change.
package replication

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/alidr/terraform-provider-alidr/internal/validate"
)

// Target is the desired copy of the image in one region.
type Target struct {
	// KMSKeyID encrypts the copy; empty keeps the source's encryption.
	KMSKeyID string
}

// Action is what happens to one region's copy.
type Action int

const (
	// Keep leaves the copy as it is.
	Keep Action = iota
	// Create copies the image into a region that has no copy.
	Create
	// Delete removes the copy of a region no longer wanted.
	Delete
	// Replace deletes the copy and copies again (the KMS key changed).
	Replace
)

func (a Action) String() string {
	switch a {
	case Keep:
		return "keep"
	case Create:
		return "create"
	case Delete:
		return "delete"
	case Replace:
		return "replace"
	}
	return fmt.Sprintf("Action(%d)", int(a))
}

// Step is the action for one region.
type Step struct {
	Region string
	Action Action
}

// PlanTargets compares the copies that exist (current) with the wanted ones
// and returns one step per region of either, sorted by region. A region
// whose KMS key changed is replaced; nothing else about a copy can change
// in place.
func PlanTargets(current, desired map[string]Target) []Step {
	regions := map[string]bool{}
	for r := range current {
		regions[r] = true
	}
	for r := range desired {
		regions[r] = true
	}
	steps := make([]Step, 0, len(regions))
	for r := range regions {
		cur, have := current[r]
		want, wanted := desired[r]
		a := Keep
		switch {
		case have && !wanted:
			a = Delete
		case !have && wanted:
			a = Create
		case cur.KMSKeyID != want.KMSKeyID:
			a = Replace
		}
		steps = append(steps, Step{Region: r, Action: a})
	}
	sort.Slice(steps, func(i, j int) bool { return steps[i].Region < steps[j].Region })
	return steps
}

// Regions returns the regions of steps with one of the actions, in order.
func Regions(steps []Step, actions ...Action) []string {
	var out []string
	for _, s := range steps {
		if slices.Contains(actions, s.Action) {
			out = append(out, s.Region)
		}
	}
	return out
}

// DiffAccounts returns the accounts to add to have to reach want and the
// ones to remove, both sorted and without duplicates.
func DiffAccounts(have, want []string) (add, remove []string) {
	h, w := set(have), set(want)
	for a := range w {
		if !h[a] {
			add = append(add, a)
		}
	}
	for a := range h {
		if !w[a] {
			remove = append(remove, a)
		}
	}
	sort.Strings(add)
	sort.Strings(remove)
	return add, remove
}

func set(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// SameAccounts reports whether a and b hold the same accounts.
func SameAccounts(a, b []string) bool {
	add, remove := DiffAccounts(a, b)
	return len(add) == 0 && len(remove) == 0
}

// Source kinds, as recorded in the source tag of an image the resource made.
const (
	SourceSnapshot = "snapshot"
	SourceInstance = "instance"
	SourceImage    = "image"
)

// SourceTag is the value tagging an image the resource created: its kind
// and the id it was made from, e.g. "instance:i-2ze...".
func SourceTag(kind, id string) string { return kind + ":" + id }

// ParseSourceTag splits a SourceTag value; ok is false for anything else.
func ParseSourceTag(v string) (kind, id string, ok bool) {
	kind, id, found := strings.Cut(v, ":")
	if !found || id == "" || (kind != SourceSnapshot && kind != SourceInstance) {
		return "", "", false
	}
	return kind, id, true
}

// NewClientToken returns a fresh idempotency token for one create call:
// retries of that call reuse it, a later apply gets a new one.
func NewClientToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

var (
	regionRE  = regexp.MustCompile(`^[a-z]{2,}(-[a-z0-9]+)+$`)
	accountRE = regexp.MustCompile(`^[0-9]{1,20}$`)
)

// ValidateRegionID checks the shape of a region id.
func ValidateRegionID(r string) error {
	if !regionRE.MatchString(r) {
		return fmt.Errorf("%q is not a region id: use ids like cn-shanghai or cn-guangzhou", r)
	}
	return nil
}

// ValidateAccountID checks an Alibaba Cloud account id (digits only).
func ValidateAccountID(a string) error {
	if !accountRE.MatchString(a) {
		return fmt.Errorf("%q is not an Alibaba Cloud account id: use the account's numeric UID, e.g. 1234567890123456", a)
	}
	return nil
}

// ValidateImageName applies the ECS rule for custom image names: the
// common ECS name rule, and no reserved aliyun or acs: at the start.
func ValidateImageName(name string) error {
	if err := validate.ECSName("image name", name); err != nil {
		return err
	}
	if lower := strings.ToLower(name); strings.HasPrefix(lower, "aliyun") || strings.HasPrefix(lower, "acs:") {
		return fmt.Errorf("image name %q must not start with aliyun or acs: (reserved): choose another name", name)
	}
	return nil
}
