package cloud

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// The lock actions go through the common request: their answers are the
// official examples (testdata/responses), every field SnapshotLock reads is
// a field of the model, and the example values arrive.
func TestSnapshotLockResponseContracts(t *testing.T) {
	dir := filepath.Join("testdata", "responses")
	var params []string
	c := ResponsesClient(t, dir, func(w http.ResponseWriter, r *http.Request) bool {
		for k := range r.Form {
			params = append(params, r.Form.Get("Action")+" "+k)
		}
		if r.Form.Get("NextToken") != "" { // the example's token: the last page
			_, _ = w.Write([]byte(`{"RequestId":"last-page","LockedSnapshotsInfo":[]}`))
			return true
		}
		return false
	})
	ctx := context.Background()
	lock, err := c.LockSnapshot(ctx, "cn-hangzhou", "s-9dp2qojdpdfmgfmf****", 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := SnapshotLock{SnapshotId: "s-9dp2qojdpdfmgfmf****", LockMode: "compliance", LockStatus: LockStatusCoolOff,
		LockDuration: 1, CoolOffPeriod: 3, LockCreationTime: "2025-10-15T10:00:00Z", LockDurationStartTime: "2025-10-15T10:00:00Z",
		LockExpiredTime: "2025-10-16T10:00:00Z", CoolOffPeriodExpiredTime: "2025-10-15T13:00:00Z"}
	if *lock != want {
		t.Errorf("LockSnapshot read %+v, the example says %+v", *lock, want)
	}
	if exp, err := lock.ExpiresAt(); err != nil || !exp.Equal(time.Date(2025, 10, 16, 10, 0, 0, 0, time.UTC)) || !lock.Locked() {
		t.Errorf("ExpiresAt %v, %v; Locked %v", exp, err, lock.Locked())
	}
	locks, err := c.ListSnapshotLocks(ctx, "cn-hangzhou", []string{"s-bp67acfmxazb4p****"})
	want.SnapshotId = "s-bp67acfmxazb4p****"
	if err != nil || len(locks) != 1 || locks[0] != want {
		t.Errorf("DescribeLockedSnapshots read %+v (%v), the example says %+v", locks, err, want)
	}
	if err := c.UnlockSnapshot(ctx, "cn-hangzhou", "s-9dp2qojdpdfmgfmf****"); err != nil {
		t.Fatal(err)
	}
	for action, prefix := range map[string]string{"LockSnapshot": "LockedSnapshotInfo.", "DescribeLockedSnapshots": "LockedSnapshotsInfo[]."} {
		model, err := os.ReadFile(filepath.Join(dir, action+".fields"))
		if err != nil {
			t.Fatal(err)
		}
		for i := range reflect.TypeFor[SnapshotLock]().NumField() {
			if f := prefix + reflect.TypeFor[SnapshotLock]().Field(i).Name; !slices.Contains(strings.Fields(string(model)), f) {
				t.Errorf("SnapshotLock reads %s, which the official model of %s does not have", f, action)
			}
		}
	}
	for _, p := range []string{"LockSnapshot LockMode", "LockSnapshot LockDuration", "LockSnapshot CoolOffPeriod", "LockSnapshot SnapshotId",
		"LockSnapshot ClientToken", "UnlockSnapshot SnapshotId", "DescribeLockedSnapshots SnapshotIds.1", "DescribeLockedSnapshots MaxResults"} {
		if !slices.Contains(params, p) {
			t.Errorf("%s not sent", p)
		}
	}
}

// dbDataSnapshots takes n snapshots of the seeded core-db data disk.
func dbDataSnapshots(t *testing.T, c *Client, n int) []string {
	t.Helper()
	var ids []string
	for range n {
		ids = append(ids, CreateSnapshot(t, c, emulator.SeedDiskCoreDBData, ""))
	}
	return ids
}

func TestSnapshotLocksAgainstTheEmulator(t *testing.T) {
	c, srv := instantClient(t)
	ctx, region := context.Background(), emulator.SeedRegion
	ids := dbDataSnapshots(t, c, 3)
	// Throttling is retried for lock calls as for every call.
	srv.InjectFault(emulator.Fault{Service: "ecs", Action: "LockSnapshot", Kind: "throttling", Rate: 1, Count: 2})
	if _, err := c.LockSnapshot(ctx, region, ids[0], 5, 0); err != nil {
		t.Fatalf("throttled lock: %v", err)
	}
	if _, err := c.LockSnapshot(ctx, region, ids[1], 5, 24); err != nil {
		t.Fatal(err)
	}
	locks, err := c.ListSnapshotLocks(ctx, region, nil)
	if err != nil || len(locks) != 2 {
		t.Fatalf("locks %+v, %v", locks, err)
	}
	byID := map[string]SnapshotLock{}
	for _, l := range locks {
		byID[l.SnapshotId] = l
	}
	if byID[ids[0]].LockStatus != LockStatusCompliance || byID[ids[1]].LockStatus != LockStatusCoolOff {
		t.Errorf("statuses %+v", byID)
	}
	err = c.UnlockSnapshot(ctx, region, ids[0])
	if ErrorCode(err) != "InvalidOperation.CoolOffPeriodExpired" || IsNotFound(err) {
		t.Errorf("unlock after the cool-off: %v", err)
	}
	if err := c.UnlockSnapshot(ctx, region, ids[1]); err != nil {
		t.Fatal(err)
	}
	if err := c.UnlockSnapshot(ctx, region, "s-2zenothere0000000000"); !IsNotFound(err) {
		t.Errorf("unlock of a missing snapshot: %v", err)
	}
	if _, err := c.LockSnapshot(ctx, region, "s-2zenothere0000000000", 1, 0); !IsNotFound(err) {
		t.Errorf("lock of a missing snapshot: %v", err)
	}
	locks, err = c.ListSnapshotLocks(ctx, region, []string{ids[0], ids[2]})
	if err != nil || len(locks) != 1 || locks[0].SnapshotId != ids[0] || !locks[0].Locked() {
		t.Errorf("by id: %+v, %v", locks, err)
	}
}

// RecoveryPoints with Locks marks the snapshots a lock protects now.
func TestRecoveryPointsMarkLocked(t *testing.T) {
	c, _ := instantClient(t)
	ctx, region := context.Background(), emulator.SeedRegion
	ids := dbDataSnapshots(t, c, 2)
	if _, err := c.LockSnapshot(ctx, region, ids[1], 3, 0); err != nil {
		t.Fatal(err)
	}
	for _, withLocks := range []bool{false, true} {
		points, err := c.RecoveryPoints(ctx, region, RecoveryPointQuery{DiskID: emulator.SeedDiskCoreDBData, Locks: withLocks})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, p := range points {
			got[p.ID] = p.Locked
		}
		if got[ids[0]] || got[ids[1]] != withLocks {
			t.Errorf("Locks=%v: locked %v", withLocks, got)
		}
	}
}
