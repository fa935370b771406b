package cloud_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

func TestTagResources(t *testing.T) {
	srv, c := startEmulator(t, emulator.Options{})
	ctx := context.Background()
	var ids []string
	for i := range 51 {
		ids = append(ids, cloud.CreateSnapshot(t, c, emulator.SeedDiskCoreDBData, fmt.Sprintf("s%d", i)))
	}
	tags := map[string]string{cloud.TagVerifiedAt: "2026-11-24T10:45:00Z", cloud.TagVerificationRun: "vr-1"}
	if err := c.TagResources(ctx, emulator.SeedRegion, "snapshot", ids, tags); err != nil {
		t.Fatal(err)
	}
	if calls := cloud.CountCalls(srv, "TagResources"); calls != 2 {
		t.Fatalf("%d TagResources calls for 51 ids, want 2 (50 per call)", calls)
	}
	for _, id := range []string{ids[0], ids[49], ids[50]} {
		got, err := c.ListTags(ctx, emulator.SeedRegion, "snapshot", id)
		if err != nil {
			t.Fatal(err)
		}
		if got[cloud.TagVerifiedAt] != tags[cloud.TagVerifiedAt] || got[cloud.TagVerificationRun] != "vr-1" {
			t.Fatalf("%s tags %v", id, got)
		}
	}
	// Other tags are kept; existing keys are overwritten.
	if err := c.TagResources(ctx, emulator.SeedRegion, "snapshot", ids[:1], map[string]string{"team": "dr-reports", cloud.TagVerificationRun: "vr-2"}); err != nil {
		t.Fatal(err)
	}
	got, _ := c.ListTags(ctx, emulator.SeedRegion, "snapshot", ids[0])
	if got["team"] != "dr-reports" || got[cloud.TagVerificationRun] != "vr-2" || got[cloud.TagVerifiedAt] == "" {
		t.Fatalf("tags %v", got)
	}
	err := c.TagResources(ctx, emulator.SeedRegion, "image", []string{"m-2zenosuchimage00000"}, tags)
	if !cloud.IsNotFound(err) || !strings.Contains(err.Error(), "tagging image [m-2zenosuchimage00000]") {
		t.Fatalf("unknown image: %v", err)
	}
	if err := c.TagResources(ctx, emulator.SeedRegion, "snapshot", nil, tags); err != nil {
		t.Fatalf("no ids: %v", err)
	}
}
