package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

func hasAttempt(list []AttackAttempt, action, target, code string) bool {
	return slices.ContainsFunc(list, func(a AttackAttempt) bool {
		return a.Action == action && a.Target == target && a.Code == code
	})
}

func TestAttackerDestroysAllButLockedSnapshots(t *testing.T) {
	e := newSnapEnv(t)
	locked := e.accomplishedSnapshot("locked", 30)
	coolOff := e.accomplishedSnapshot("cooloff", 30)
	plain := e.accomplishedSnapshot("plain", 30)
	if _, err := e.lock(locked, 20, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := e.lock(coolOff, 20, 72); err != nil {
		t.Fatal(err)
	}
	// A locked copy in another region.
	cp, err := e.bj.CopySnapshot(copySnapshotRequest(locked, "cn-shanghai"))
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(e.srv.ecs.durations.SnapshotCopy + e.srv.ecs.durations.SnapshotCreate)
	if err := e.lockCall(e.sh, "LockSnapshot", map[string]string{"SnapshotId": cp.SnapshotId, "LockMode": "compliance",
		"LockDuration": "5", "CoolOffPeriod": "0"}, nil); err != nil {
		t.Fatal(err)
	}
	img := ecs.CreateCreateImageRequest()
	img.SnapshotId, img.ImageName = plain, "from-plain"
	im, err := e.bj.CreateImage(img)
	if err != nil {
		t.Fatal(err)
	}
	pol := ecs.CreateCreateAutoSnapshotPolicyRequest()
	pol.TimePoints, pol.RepeatWeekdays, pol.RetentionDays = `["1"]`, `["1"]`, requests.NewInteger(7)
	if _, err := e.bj.CreateAutoSnapshotPolicy(pol); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.CreateBucket("dr-exports", DefaultOSSLocation); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.PutObject("dr-exports", "manifest.json", strings.NewReader("{}")); err != nil {
		t.Fatal(err)
	}

	report, err := e.srv.Attack(DefaultAccessKeyID)
	if err != nil {
		t.Fatal(err)
	}
	snaps := report.SurvivorIDs("snapshot")
	if !slices.Contains(snaps, locked) || !slices.Contains(snaps, cp.SnapshotId) {
		t.Errorf("locked snapshots destroyed: survivors %v", snaps)
	}
	if slices.Contains(snaps, plain) || slices.Contains(snaps, coolOff) {
		t.Errorf("an unlocked snapshot (or one still in its cool-off) survived: %v", snaps)
	}
	for _, want := range []struct{ action, target, code string }{
		{"DeleteSnapshot", locked, "InvalidOperation.SnapshotLocked"},
		{"UnlockSnapshot", locked, "InvalidOperation.CoolOffPeriodExpired"},
		{"ModifySnapshotAttribute RetentionDays=1", locked, "InvalidOperation.DecreaseRetentionDaysUnsupported"},
		{"DeleteSnapshot", cp.SnapshotId, "InvalidOperation.SnapshotLocked"},
	} {
		if !hasAttempt(report.Refused, want.action, want.target, want.code) {
			t.Errorf("no refused %s %s (%s) in %+v", want.action, want.target, want.code, report.Refused)
		}
	}
	for _, want := range []struct{ action, target string }{
		{"UnlockSnapshot", coolOff}, {"DeleteSnapshot", coolOff}, {"DeleteImage", im.ImageId},
		// Never versioned: ListObjectVersions names the "null" version.
		{"DeleteObject", "dr-exports/manifest.json?versionId=null"}, {"DeleteBucket", "dr-exports"},
	} {
		if !hasAttempt(report.Succeeded, want.action, want.target, "") {
			t.Errorf("%s %s did not succeed: %+v", want.action, want.target, report.Refused)
		}
	}
	if got := report.SurvivorIDs("image"); len(got) != 0 {
		t.Errorf("images survived: %v", got)
	}
	if got := report.SurvivorIDs("bucket"); slices.Contains(got, "dr-exports") {
		t.Errorf("bucket survived: %v", got)
	}
}

func TestAttackControlEndpoint(t *testing.T) {
	e := newSnapEnv(t)
	locked := e.accomplishedSnapshot("locked", 30)
	if _, err := e.lock(locked, 20, 0); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL()+ControlPrefix+"attack", strings.NewReader(`{}`))
	req.Header.Set(ControlHeader, "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var report AttackReport
	if err := json.NewDecoder(resp.Body).Decode(&report); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, %v", resp.StatusCode, err)
	}
	if got := report.SurvivorIDs("snapshot"); !slices.Equal(got, []string{locked}) {
		t.Errorf("survivors %v, want only %s", got, locked)
	}
	req, _ = http.NewRequest(http.MethodPost, e.srv.URL()+ControlPrefix+"attack", strings.NewReader(`{"access_key_id":"nobody"}`))
	req.Header.Set(ControlHeader, "1")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown key: status %d", resp.StatusCode)
	}
}
