package ramactions

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

func TestEveryActionHasResources(t *testing.T) {
	for _, r := range Table {
		if !slices.Contains(Ops, r.Op) {
			t.Errorf("%s: unknown operation %q", r.Type, r.Op)
		}
		for _, a := range r.Actions {
			if len(Resources[a]) == 0 {
				t.Errorf("%s %s: action %s has no ARN pattern in Resources", r.Type, r.Op, a)
			}
			if svc, name, ok := strings.Cut(a, ":"); !ok || name == "" || !slices.Contains([]string{"ecs", "oss", "sts", "ebs"}, svc) {
				t.Errorf("%s %s: malformed action %q", r.Type, r.Op, a)
			}
		}
	}
	for _, a := range DenyDeleteActions {
		if len(Resources[a]) == 0 {
			t.Errorf("deny-delete action %s has no ARN pattern", a)
		}
	}
	for d, types := range Duties {
		for _, typ := range types {
			if !slices.Contains(KnownTypes(), typ) {
				t.Errorf("duty %s names %s, which has no row", d, typ)
			}
		}
	}
}

func TestBuildBackupPolicy(t *testing.T) {
	doc, actions, err := Build(Selection{Duties: []string{"backup"}, Regions: []string{emulator.SeedRegion, "cn-shanghai"}, AccountID: "1234"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(actions, "ecs:CreateAutoSnapshotPolicy") || !slices.Contains(actions, "ecs:DescribeRegions") {
		t.Errorf("backup actions miss the policy's create or the provider's region check: %v", actions)
	}
	if slices.Contains(actions, "ecs:RunInstances") || slices.Contains(actions, "ecs:DeleteImage") {
		t.Errorf("backup actions reach into restore or replicate: %v", actions)
	}
	var got struct {
		Version   string
		Statement []struct {
			Effect   string
			Action   []string
			Resource []string
		}
	}
	if err := json.Unmarshal([]byte(doc.JSON()), &got); err != nil {
		t.Fatal(err)
	}
	if got.Version != "1" {
		t.Errorf("Version = %q, want \"1\"", got.Version)
	}
	var seen []string
	for _, st := range got.Statement {
		if st.Effect != "Allow" {
			t.Errorf("unexpected %s statement without deny_delete", st.Effect)
		}
		seen = append(seen, st.Action...)
		if slices.Contains(st.Action, "ecs:DeleteAutoSnapshotPolicy") {
			want := []string{"acs:ecs:" + emulator.SeedRegion + ":1234:snapshotpolicy/*", "acs:ecs:cn-shanghai:1234:snapshotpolicy/*"}
			if !slices.Equal(st.Resource, want) {
				t.Errorf("DeleteAutoSnapshotPolicy resources = %v, want %v", st.Resource, want)
			}
		}
	}
	slices.Sort(seen)
	if !slices.Equal(seen, actions) {
		t.Errorf("statements allow %v, actions output says %v", seen, actions)
	}
}

func TestBuildDenyDeleteAndErrors(t *testing.T) {
	doc, _, err := Build(Selection{Duties: []string{"backup", "restore"}, DenyDelete: true})
	if err != nil {
		t.Fatal(err)
	}
	last := doc.Statement[len(doc.Statement)-1]
	if last.Effect != "Deny" || !slices.Equal(last.Action, DenyDeleteActions) || !slices.Equal(last.Resource, []string{"*"}) {
		t.Errorf("last statement = %+v, want the deny-delete guard", last)
	}
	if _, _, err := Build(Selection{Duties: []string{"archive"}}); err == nil || !strings.Contains(err.Error(), "backup, replicate, restore, verify") {
		t.Errorf("unknown duty: err = %v", err)
	}
	if _, _, err := Build(Selection{ResourceTypes: []string{"alidr_nope"}}); err == nil || !strings.Contains(err.Error(), "alidr_snapshot_policy") {
		t.Errorf("unknown type: err = %v", err)
	}
	_, actions, _ := Build(Selection{ResourceTypes: []string{"alidr_disks"}})
	if !slices.Equal(actions, []string{"ecs:DescribeDisks", "ecs:DescribeRegions"}) {
		t.Errorf("alidr_disks actions = %v", actions)
	}
}
