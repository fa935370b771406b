package ramactions

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The committed pages are what the table generates (make docs rewrites
// them; this catches a table edit without it).
func TestGuidesAreCurrent(t *testing.T) {
	for _, typ := range KnownTypes() {
		path := filepath.Join("..", "..", "templates", "guides", GuideFile(typ))
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v (run make docs)", typ, err)
			continue
		}
		if string(got) != Markdown(typ) {
			t.Errorf("%s is stale: run make docs and commit it", path)
		}
	}
}

func TestMarkdownListsEveryOperation(t *testing.T) {
	page := Markdown("alidr_snapshot_policy")
	for _, want := range []string{
		"| create | `ebs:CreateEnterpriseSnapshotPolicy` | `acs:ebs:{region}:{account}:enterprisesnapshotpolicy/*` |",
		"| delete | `ebs:UnbindEnterpriseSnapshotPolicy` |",
		"`ecs:CreateAutoSnapshotPolicy` (only when engine = \"automatic\")",
		"`ecs:ModifySnapshotCategory` (only when",
		"Included in the `backup` duty",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	}
	if page := Markdown("alidr_verification_run"); !strings.Contains(page, "| delete | none | |") {
		t.Errorf("an operation calling nothing says so:\n%s", page)
	}
}
