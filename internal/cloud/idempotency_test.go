package cloud

import (
	"errors"
	"sync"
	"testing"
)

func TestClaimOwnerDistinctOrdinals(t *testing.T) {
	var c Client
	inCloud := map[string]bool{"r-1": true} // claimed by a resource in state
	var lookupErr error
	taken := func(owner string) (bool, error) { return inCloud[owner], lookupErr }
	var mu sync.Mutex
	got := map[string]bool{}
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id, err := c.ClaimOwner("restore", "r", taken)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			got[id] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(got) != 3 || !got["r"] || !got["r-2"] || !got["r-3"] {
		t.Fatalf("claimed %v, want r, r-2, r-3", got)
	}
	// Another kind of owner claims apart.
	if id, _ := c.ClaimOwner("image copy", "r", taken); id != "r" {
		t.Fatalf("another kind claimed %s, want r", id)
	}
	// A new client (a re-run after a crash) hands out the same ids.
	var again Client
	if id, _ := again.ClaimOwner("restore", "r", taken); id != "r" {
		t.Fatalf("re-run claimed %s, want r", id)
	}
	// A failed lookup claims nothing.
	lookupErr = errors.New("throttled")
	if id, err := again.ClaimOwner("restore", "r", taken); !errors.Is(err, lookupErr) {
		t.Fatalf("failed lookup: claimed %q, error %v", id, err)
	}
}

func TestSplitOwnerOrdinal(t *testing.T) {
	for owner, want := range map[string]struct {
		base string
		n    int
		ok   bool
	}{
		"m-2zeabc":    {"m-2zeabc", 0, false},
		"m-2zeabc-1":  {"m-2zeabc", 1, true},
		"m-2zeabc-12": {"m-2zeabc", 12, true},
		"m-2zeabc-0":  {"m-2zeabc-0", 0, false},
		"m-2zeabc-01": {"m-2zeabc-01", 0, false},
		"m-2zeabc-x":  {"m-2zeabc-x", 0, false},
	} {
		base, n, ok := SplitOwnerOrdinal(owner)
		if base != want.base || n != want.n || ok != want.ok {
			t.Errorf("SplitOwnerOrdinal(%q) = %q, %d, %t; want %q, %d, %t", owner, base, n, ok, want.base, want.n, want.ok)
		}
		if ok && WithOrdinal(base, n) != owner {
			t.Errorf("WithOrdinal(%q, %d) = %q, want %q", base, n, WithOrdinal(base, n), owner)
		}
	}
}
