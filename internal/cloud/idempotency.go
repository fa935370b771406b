package cloud

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// DefaultAppearWindow is the Client's AppearWindow when none is set: how long
// a resource returned for an idempotency token may stay invisible to
// Describe calls before the token counts as spent (its resource was deleted
// since). The API is eventually consistent, so a fresh resource can be
// missing for a while; taking it for deleted would create a duplicate, so
// the window is generous. Resources this client deleted (RememberDeleted)
// are known spent at once.
const DefaultAppearWindow = 15 * time.Second

// maxTokenGenerations bounds how many spent tokens CreateIdempotent skips.
const maxTokenGenerations = 20

// RememberDeleted records that this client deleted id, so a token that
// hands it back is known to be spent without waiting (a tainted resource is
// deleted and re-created within one apply). Resource ids are unique across
// regions and accounts, so one set serves every region. DeleteInstance and
// DeleteImage call it.
func (c *Client) RememberDeleted(id string) { c.deleted.Store(id, true) }

// WasDeleted reports whether this client deleted id.
func (c *Client) WasDeleted(id string) bool { _, ok := c.deleted.Load(id); return ok }

func (c *Client) appearWindow() time.Duration {
	if c.AppearWindow > 0 {
		return c.AppearWindow
	}
	return DefaultAppearWindow
}

// CreateIdempotent runs create with the tokens of generation 0, 1, ... until
// one yields a resource that exists: a token whose resource has been deleted
// (an instance replaced since) hands back the deleted id, and the next
// generation creates afresh. exists reports whether the id is visible; a
// NotFound error from it means no. The generation used is returned.
func (c *Client) CreateIdempotent(ctx context.Context, what string, token func(gen int) (string, error),
	create func(token string) (string, error), exists func(ctx context.Context, id string) error) (id string, gen int, err error) {
	for gen = 0; gen < maxTokenGenerations; gen++ {
		tok, err := token(gen)
		if err != nil {
			return "", gen, err
		}
		id, err = create(tok)
		if err != nil {
			return "", gen, err
		}
		if c.WasDeleted(id) {
			tflog.Info(ctx, what+": the idempotency token's resource was deleted; creating a new one", map[string]any{"id": id, "token": tok, "next_generation": gen + 1})
			continue
		}
		// A token's resource may be invisible for a moment; one that stays
		// invisible for the whole window is gone.
		werr := c.wait(ctx, StateWait{
			What: what + " " + id + " to appear", Target: []string{"visible"},
			NotFoundChecks: math.MaxInt, Timeout: c.appearWindow(),
			Poll: WaitOptions{Interval: 500 * time.Millisecond, MaxInterval: time.Second},
			Refresh: func(ctx context.Context) (string, int, error) {
				if err := exists(ctx, id); err != nil {
					return "", -1, err
				}
				return "visible", -1, nil
			},
		})
		switch {
		case werr == nil:
			return id, gen, nil
		case ctx.Err() != nil:
			return "", gen, ctx.Err()
		case !IsTimeout(werr):
			return "", gen, werr
		}
		tflog.Info(ctx, what+": the idempotency token's resource no longer exists; creating a new one", map[string]any{"id": id, "token": tok, "next_generation": gen + 1})
	}
	return "", gen, fmt.Errorf("%s: %d idempotency tokens in a row returned deleted resources; this should not happen, please report it", what, maxTokenGenerations)
}

// ownerClaims holds the owner ids the resources of one configured provider
// (one Terraform command) have claimed, per kind of owner.
type ownerClaims struct {
	mu   sync.Mutex
	held map[string]bool // kind + "/" + owner id
}

// MaxOwnerOrdinal bounds ClaimOwner's search: more identical restores than
// this in one region is not a real set-up.
const MaxOwnerOrdinal = 1000

// ClaimOwner hands out owner ids. A restore's owner id (and so its
// idempotency tokens) is derived from its request, so that an apply
// interrupted after a create call finds the same cloud resources when it is
// run again. Restores whose requests are identical (count = 3) would then
// share one id and one instance: ClaimOwner gives each the base id or
// base-N with the lowest N that no other resource of this client (of this
// kind) holds and that taken (asked of the cloud: a resource instance in
// some state already owns what it created) says is free. Ordinals are handed
// out in the same order on every run, so a re-run adopts what a killed run
// created.
func (c *Client) ClaimOwner(kind, base string, taken func(owner string) (bool, error)) (string, error) {
	o := &c.owners
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.held == nil {
		o.held = map[string]bool{}
	}
	for n := range MaxOwnerOrdinal {
		owner := WithOrdinal(base, n)
		if o.held[kind+"/"+owner] {
			continue
		}
		t, err := taken(owner)
		if err != nil {
			return "", fmt.Errorf("checking whether owner id %s is in use: %w", owner, err)
		}
		if !t {
			o.held[kind+"/"+owner] = true
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
