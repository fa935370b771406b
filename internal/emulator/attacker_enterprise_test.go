package emulator

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestAttackerDeletesEnterprisePolicies: stolen keys delete the EBS
// enterprise snapshot policies too (the six policy actions have no lock), so
// no new points are taken after the attack; the report names each deletion
// and no enterprise policy survives.
func TestAttackerDeletesEnterprisePolicies(t *testing.T) {
	e := newSnapEnv(t)
	resp, err := ebsCall(e.bj, "cn-beijing", "CreateEnterpriseSnapshotPolicy", map[string]string{
		"Name": "core", "TargetType": "DISK",
		"Schedule":   `{"CronExpression":"0 0 2 * * ?"}`,
		"RetainRule": `{"TimeInterval":7,"TimeUnit":"DAYS"}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		PolicyID string `json:"PolicyId"`
	}
	if err := json.Unmarshal(resp.GetHttpContentBytes(), &created); err != nil || created.PolicyID == "" {
		t.Fatalf("create answered %s (%v)", resp.GetHttpContentString(), err)
	}
	if _, err := ebsCall(e.bj, "cn-beijing", "BindEnterpriseSnapshotPolicy", map[string]string{
		"PolicyId": created.PolicyID, "DiskTargets.1": SeedDiskCoreDBData}); err != nil {
		t.Fatal(err)
	}

	report, err := e.srv.Attack(DefaultAccessKeyID)
	if err != nil {
		t.Fatal(err)
	}
	if !hasAttempt(report.Succeeded, "DeleteEnterpriseSnapshotPolicy", created.PolicyID, "") {
		t.Errorf("the attacker did not delete the enterprise policy: succeeded %+v, refused %+v", report.Succeeded, report.Refused)
	}
	if got := report.SurvivorIDs("enterprise-policy"); slices.Contains(got, created.PolicyID) {
		t.Errorf("enterprise policy survived the attack: %v", got)
	}
	left, err := enterprisePolicies(e.bj, "cn-beijing")
	if err != nil || len(left) != 0 {
		t.Errorf("enterprise policies after the attack: %v (%v)", left, err)
	}
}
