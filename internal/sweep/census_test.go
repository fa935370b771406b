package sweep

import (
	"testing"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
)

// Two exports of one image (two tasks) have one owner; the files of one
// multi-disk export and their manifests have their own.
func TestObjectOwner(t *testing.T) {
	obj := func(key string) Object { return Object{Kind: "object", ID: "b/" + key} }
	first, second := obj("core_m-1_t-1.raw"), obj("core_m-1_t-2.raw")
	if first.Owner() == "" || first.Owner() != second.Owner() {
		t.Errorf("two exports of m-1: owners %q and %q, want one", first.Owner(), second.Owner())
	}
	for _, other := range []Object{obj("core_m-1_t-1_1.raw"), obj("core_m-1_t-1.raw.manifest.json"), obj("core_m-2_t-1.raw")} {
		if other.Owner() == first.Owner() {
			t.Errorf("%s shares the owner %q of %s", other.ID, other.Owner(), first.ID)
		}
	}
	if o := obj("report.xml").Owner(); o != "" {
		t.Errorf("report.xml: owner %q, want none", o)
	}
	tagged := Object{Kind: "image", Tags: map[string]string{cloud.TagOwner: "m-1-1", cloud.TagClientToken: "tok"}}
	if tagged.Owner() != "m-1-1" {
		t.Errorf("tagged image: owner %q, want its alidr:owner tag", tagged.Owner())
	}
}
