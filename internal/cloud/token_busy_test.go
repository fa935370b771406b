package cloud_test

import (
	"context"
	"testing"
	"time"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// TestBusyClientTokenIsRetriedForEBSCreates: a create whose ClientToken the service is
// still handling answers 403 LastTokenProcessing; the same request sent
// again gets the answer. EBS creates (DoEBS) are retried like ECS ones
// (DoECS), and the retries make one object.
func TestBusyClientTokenIsRetriedForEBSCreates(t *testing.T) {
	ctx := context.Background()
	srv, c := startEmulator(t, emulator.Options{})
	c.Backoff.Budget = time.Minute // a busy token is retried by time, as throttling

	busy := srv.InjectFault(emulator.Fault{Service: "ecs", Action: "CreateEnterpriseSnapshotPolicy", Kind: emulator.FaultTokenBusy, Count: 2})
	spec := espSpec
	spec.Tags = map[string]string{"busy": "token"}
	id, err := c.CreateEnterprisePolicy(ctx, "cn-beijing", spec, "tok-busy-esp")
	if err != nil {
		t.Fatalf("enterprise create after two busy-token answers: %v", err)
	}
	if fired := firedOf(srv, busy); fired != 2 {
		t.Fatalf("the busy-token fault fired %d times, want 2", fired)
	}
	pols, err := c.ListEnterprisePoliciesByTags(ctx, "cn-beijing", spec.Tags)
	if err != nil {
		t.Fatal(err)
	}
	if len(pols) != 1 || pols[0].PolicyID != id {
		t.Fatalf("policies after the retried create: %+v, want one (%s)", pols, id)
	}

	// The same rule for an ECS create carrying a token.
	busy = srv.InjectFault(emulator.Fault{Service: "ecs", Action: "CreateImage", Kind: emulator.FaultTokenBusy, Count: 2})
	if _, err := c.CreateImage(ctx, "cn-beijing", cloud.CreateImageInput{InstanceID: emulator.SeedInstanceCoreApp, Name: "busy", ClientToken: "tok-busy-img"}); err != nil {
		t.Fatalf("ECS create after two busy-token answers: %v", err)
	}
	if fired := firedOf(srv, busy); fired != 2 {
		t.Fatalf("the busy-token fault fired %d times, want 2", fired)
	}
}

func firedOf(srv *emulator.Server, id string) int {
	for _, f := range srv.Faults() {
		if f.ID == id {
			return f.Fired
		}
	}
	return -1
}
