package restore

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Owners hands out the owner ids of restores. A restore's owner id (and so
// its idempotency tokens) is derived from its request, so that an apply
// interrupted after a create call finds the same cloud resources when it is
// run again. Restores whose requests are identical (count = 3) would then
// share one id and one instance: Owners gives each the base id with the
// first free ordinal instead. An ordinal is free when no other restore of
// this command holds it and taken (asked of the cloud: a resource instance
// in some state already owns what it created) says no. Ordinals are handed
// out in the same order on every run, so a re-run adopts what a killed run
// created.
type Owners struct {
	mu   sync.Mutex
	held map[string]bool
}

// MaxOwnerOrdinal bounds the search: more identical restores than this
// in one region is not a real set-up.
const MaxOwnerOrdinal = 1000

// Claim returns base (ordinal 0, the id a lone restore always had) or
// base-N for the lowest free N, and holds it for the life of o (one
// Terraform command).
func (o *Owners) Claim(base string, taken func(owner string) (bool, error)) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.held == nil {
		o.held = map[string]bool{}
	}
	for n := range MaxOwnerOrdinal {
		owner := WithOrdinal(base, n)
		if o.held[owner] {
			continue
		}
		t, err := taken(owner)
		if err != nil {
			return "", fmt.Errorf("checking whether owner id %s is in use: %w", owner, err)
		}
		if !t {
			o.held[owner] = true
			return owner, nil
		}
	}
	return "", fmt.Errorf("%d restores with identical arguments already exist: give this one a distinct instance_name", MaxOwnerOrdinal)
}

// WithOrdinal is base's owner id with ordinal n: base itself for 0.
func WithOrdinal(base string, n int) string {
	if n == 0 {
		return base
	}
	return fmt.Sprintf("%s-%d", base, n)
}

// SplitOwnerOrdinal splits an owner id base-N (N > 0) into base and N; ok
// is false when owner has no ordinal. Cloud ids (m-xxx, i-xxx) hold one
// "-" after their prefix, so a second one followed by digits is an ordinal.
func SplitOwnerOrdinal(owner string) (base string, n int, ok bool) {
	i := strings.LastIndexByte(owner, '-')
	if i <= 0 || strings.Count(owner, "-") < 2 {
		return owner, 0, false
	}
	n, err := strconv.Atoi(owner[i+1:])
	if err != nil || n <= 0 || owner[i+1] == '0' {
		return owner, 0, false
	}
	return owner[:i], n, true
}
