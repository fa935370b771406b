package cloud

import (
	"context"
	"testing"
	"time"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

func countCalls(srv *emulator.Server, action string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Action == action {
			n++
		}
	}
	return n
}

// One client asks DescribeRegions once; a failed answer is not kept.
func TestRegionsFetchedOncePerClient(t *testing.T) {
	c, srv := emulatorClient(t, emulator.Options{})
	c.Backoff.Attempts, c.Backoff.Budget = 1, time.Millisecond // ServiceUnavailable is retried by time
	srv.InjectFault(emulator.Fault{Service: "ecs", Action: "DescribeRegions", Kind: emulator.Fault5xx, Count: 1})
	if err := c.CheckRegions(context.Background(), emulator.SeedRegion); err == nil {
		t.Fatal("the injected 5xx did not reach the caller")
	}
	for range 3 {
		if err := c.CheckRegions(context.Background(), emulator.SeedRegion, "cn-shanghai"); err != nil {
			t.Fatal(err)
		}
	}
	regions, err := c.Regions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	regions[0].RegionId = "changed-by-a-caller"
	if err := c.CheckRegions(context.Background(), "no-such-region"); err == nil {
		t.Fatal("an unknown region passed the cached check")
	}
	again, _ := c.Regions(context.Background())
	if again[0].RegionId == "changed-by-a-caller" {
		t.Fatal("a caller's change reached the cached list")
	}
	if n := countCalls(srv, "DescribeRegions"); n != 2 {
		t.Fatalf("DescribeRegions called %d times, want 2 (the failed one, then one answer for the rest)", n)
	}
}
