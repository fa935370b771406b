package replication

import (
	"reflect"
	"strings"
	"testing"
)

func TestPlanTargets(t *testing.T) {
	current := map[string]Target{
		"cn-shanghai":  {KMSKeyID: "key-a"},
		"cn-guangzhou": {},
		"cn-hangzhou":  {},
	}
	desired := map[string]Target{
		"cn-shanghai":  {KMSKeyID: "key-b"}, // rekeyed
		"cn-guangzhou": {},                  // unchanged
		"cn-chengdu":   {},                  // added
	}
	got := PlanTargets(current, desired)
	want := []Step{
		{"cn-chengdu", Create},
		{"cn-guangzhou", Keep},
		{"cn-hangzhou", Delete},
		{"cn-shanghai", Replace},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("PlanTargets = %v, want %v", got, want)
	}
	if r := Regions(got, Create, Replace); !reflect.DeepEqual(r, []string{"cn-chengdu", "cn-shanghai"}) {
		t.Fatalf("Regions(create, replace) = %v", r)
	}
	if r := Regions(got, Delete); !reflect.DeepEqual(r, []string{"cn-hangzhou"}) {
		t.Fatalf("Regions(delete) = %v", r)
	}
	// Removing a KMS key is a change of key too.
	if s := PlanTargets(map[string]Target{"cn-shanghai": {KMSKeyID: "k"}}, map[string]Target{"cn-shanghai": {}}); s[0].Action != Replace {
		t.Fatalf("dropping the key: %v, want replace", s)
	}
	if s := PlanTargets(nil, nil); len(s) != 0 {
		t.Fatalf("empty plan: %v", s)
	}
	for a, name := range map[Action]string{Keep: "keep", Create: "create", Delete: "delete", Replace: "replace", Action(9): "Action(9)"} {
		if a.String() != name {
			t.Errorf("%d.String() = %q, want %q", int(a), a.String(), name)
		}
	}
}

func TestDiffAccounts(t *testing.T) {
	add, remove := DiffAccounts([]string{"3", "1", "2", "2"}, []string{"4", "2", "1", "4"})
	if !reflect.DeepEqual(add, []string{"4"}) || !reflect.DeepEqual(remove, []string{"3"}) {
		t.Fatalf("DiffAccounts = %v, %v", add, remove)
	}
	if add, remove := DiffAccounts(nil, nil); add != nil || remove != nil {
		t.Fatalf("empty diff = %v, %v", add, remove)
	}
	if !SameAccounts([]string{"1", "2"}, []string{"2", "1"}) || SameAccounts([]string{"1"}, nil) {
		t.Fatal("SameAccounts is wrong")
	}
}

func TestSourceTag(t *testing.T) {
	v := SourceTag(SourceInstance, "i-1")
	if kind, id, ok := ParseSourceTag(v); !ok || kind != SourceInstance || id != "i-1" {
		t.Fatalf("ParseSourceTag(%q) = %q %q %v", v, kind, id, ok)
	}
	for _, bad := range []string{"", "instance", "instance:", "image:m-1", "disk:d-1"} {
		if _, _, ok := ParseSourceTag(bad); ok {
			t.Errorf("ParseSourceTag(%q) accepted", bad)
		}
	}
}

func TestNewClientToken(t *testing.T) {
	a, b := NewClientToken(), NewClientToken()
	if a == b || len(a) != 32 || len(a) > 64 {
		t.Fatalf("tokens %q %q", a, b)
	}
}

func TestValidation(t *testing.T) {
	for _, ok := range []string{"cn-shanghai", "cn-hangzhou", "ap-southeast-1", "us-west-1"} {
		if err := ValidateRegionID(ok); err != nil {
			t.Errorf("ValidateRegionID(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "shanghai", "CN-SHANGHAI", "cn_shanghai", "cn-"} {
		if err := ValidateRegionID(bad); err == nil || !strings.Contains(err.Error(), "cn-shanghai") {
			t.Errorf("ValidateRegionID(%q) = %v, want an error with an example", bad, err)
		}
	}
	if err := ValidateAccountID("1234567890"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"", "abc", "12-34", "123456789012345678901"} {
		if ValidateAccountID(bad) == nil {
			t.Errorf("ValidateAccountID(%q) accepted", bad)
		}
	}
	for _, ok := range []string{"core-golden", "Golden.v1", "镜像一"} {
		if err := ValidateImageName(ok); err != nil {
			t.Errorf("ValidateImageName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"a", "aliyun-x", "ACS:x", "http://x", "https://x", "1abc", strings.Repeat("a", 129)} {
		if ValidateImageName(bad) == nil {
			t.Errorf("ValidateImageName(%q) accepted", bad)
		}
	}
}

func TestExportNames(t *testing.T) {
	if got := ManifestKey("core_m-1_t-1.raw"); got != "core_m-1_t-1.raw.manifest.json" {
		t.Fatal(got)
	}
	if got := ExportKeys("a.raw", []string{"b.raw"}); !reflect.DeepEqual(got, []string{"a.raw", "a.raw.manifest.json", "b.raw", "b.raw.manifest.json"}) {
		t.Fatalf("ExportKeys = %v", got)
	}
	if got := ExportKeys("", nil); got != nil {
		t.Fatalf("ExportKeys of nothing = %v", got)
	}
}

// TestExportPrefixAndFormats: OSSPrefix is 1 to 30 letters and digits (""
// sends none); the formats are ExportImage's five.
func TestExportPrefixAndFormats(t *testing.T) {
	for _, ok := range []string{"", "core", "EcsExport", strings.Repeat("p", 30)} {
		if err := ValidateExportPrefix(ok); err != nil {
			t.Errorf("ValidateExportPrefix(%q) = %v", ok, err)
		}
	}
	if err := ValidateExportPrefix("core/"); err == nil || !strings.Contains(err.Error(), `use e.g. "core"`) {
		t.Errorf("core/: %v", err)
	}
	for _, bad := range []string{"/core", "dr-site", "a_b", "图", strings.Repeat("p", 31)} {
		if ValidateExportPrefix(bad) == nil {
			t.Errorf("ValidateExportPrefix(%q) accepted", bad)
		}
	}
	for _, f := range []string{"raw", "vhd", "qcow2", "vmdk", "vdi"} {
		if ValidateFormat(f) != nil {
			t.Errorf("format %s rejected", f)
		}
	}
	if err := ValidateFormat("iso"); err == nil || !strings.Contains(err.Error(), "qcow2") {
		t.Fatalf("ValidateFormat(iso) = %v", err)
	}
	if FormatNotice("raw") != "" || !strings.Contains(FormatNotice("qcow2"), "exported_format") {
		t.Fatal("FormatNotice")
	}
}

func TestExportDrift(t *testing.T) {
	rec := ObjectState{Exists: true, ETag: `"ABC"`, CRC64: "123", Size: 10}
	for name, tc := range map[string]struct {
		now   ObjectState
		drift bool
	}{
		"same":             {ObjectState{Exists: true, ETag: "abc", CRC64: "123", Size: 10}, false},
		"deleted":          {ObjectState{}, true},
		"etag":             {ObjectState{Exists: true, ETag: "def", CRC64: "123", Size: 10}, true},
		"crc":              {ObjectState{Exists: true, ETag: "abc", CRC64: "999", Size: 10}, true},
		"size":             {ObjectState{Exists: true, ETag: "abc", CRC64: "123", Size: 11}, true},
		"crc not reported": {ObjectState{Exists: true, ETag: "abc", Size: 10}, false},
	} {
		if got := ExportDrift(rec, tc.now); (got != "") != tc.drift {
			t.Errorf("%s: ExportDrift = %q, want drift %v", name, got, tc.drift)
		}
	}
}
