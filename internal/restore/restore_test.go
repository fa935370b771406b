package restore

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/alidr/terraform-provider-alidr/internal/drpolicy"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

func intp(n int) *int { return &n }

func TestValidate(t *testing.T) {
	tests := []struct {
		name     string
		spec     Spec
		wantPath []any
		wantText string
	}{
		{"ok", Spec{SystemDisk: &Disk{Category: "cloud_essd", Size: 80}, DataDisks: []Disk{{SnapshotID: "s-1"}}, PrivateIPs: intp(2)}, nil, ""},
		{"ok defaults", Spec{SystemDisk: &Disk{}, PrivateIPs: intp(10)}, nil, ""},
		{"unknown system category", Spec{SystemDisk: &Disk{Category: "cloud"}}, []any{"system_disk", "category"}, "use one of cloud_auto, cloud_efficiency, cloud_essd, cloud_ssd"},
		{"system too big", Spec{SystemDisk: &Disk{Category: "cloud_ssd", Size: 4096}}, []any{"system_disk", "size"}, "must be 20 to 2048 GiB; system_disk.size is 4096"},
		{"system too small default category", Spec{SystemDisk: &Disk{Size: 10}}, []any{"system_disk", "size"}, "cloud_essd system disk must be 20 to 2048"},
		{"data category", Spec{DataDisks: []Disk{{SnapshotID: "s"}, {Category: "nvme", Size: 10}}}, []any{"data_disks", 1, "category"}, `data_disks[1].category "nvme"`},
		{"data size", Spec{DataDisks: []Disk{{Category: "cloud", Size: 3000}}}, []any{"data_disks", 0, "size"}, "cloud data disk must be 5 to 2000 GiB"},
		{"data auto small ok", Spec{DataDisks: []Disk{{Category: "cloud_auto", Size: 1}}}, nil, ""},
		{"data empty", Spec{DataDisks: []Disk{{Category: "cloud_essd"}}}, []any{"data_disks", 0}, "neither snapshot_id nor size"},
		{"data unknown until apply", Spec{DataDisks: []Disk{{Category: "cloud_essd", Unknown: true}}}, nil, ""},
		{"too many disks", Spec{DataDisks: make17()}, []any{"data_disks"}, "at most 16 data disks; 17 are configured. Remove 1"},
		{"zero ips", Spec{PrivateIPs: intp(0)}, []any{"private_ips"}, "at least its primary"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := Validate(tt.spec)
			if tt.wantPath == nil {
				if len(fs) != 0 {
					t.Fatalf("want no findings, got %+v", fs)
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("want 1 finding, got %+v", fs)
			}
			if fs[0].Warning || !HasErrors(fs) {
				t.Errorf("want an error, got a warning")
			}
			if !reflect.DeepEqual(fs[0].Path, tt.wantPath) {
				t.Errorf("path %v, want %v", fs[0].Path, tt.wantPath)
			}
			if !strings.Contains(fs[0].Detail, tt.wantText) {
				t.Errorf("detail %q does not contain %q", fs[0].Detail, tt.wantText)
			}
		})
	}
}

func make17() []Disk {
	out := make([]Disk, 17)
	for i := range out {
		out[i] = Disk{SnapshotID: "s"}
	}
	return out
}

func TestCheckInstanceType(t *testing.T) {
	small := InstanceType{ID: "ecs.t5-lc1m1.small", VCPU: 1, MemoryGiB: 1, IPsPerENI: 2, MaxDataDisks: 16}
	fs := CheckInstanceType(small, 1, 0)
	if len(fs) != 2 || !fs[0].Warning || !fs[1].Warning || HasErrors(fs) {
		t.Fatalf("want two warnings, got %+v", fs)
	}
	if !strings.Contains(fs[0].Detail, "1 vCPU") || !strings.Contains(fs[1].Detail, "1 GiB of memory") {
		t.Errorf("details: %q / %q", fs[0].Detail, fs[1].Detail)
	}
	fs = CheckInstanceType(small, 3, 0)
	if !HasErrors(fs) || !reflect.DeepEqual(fs[0].Path, []any{"private_ips"}) || !strings.Contains(fs[0].Detail, "at most 2 private IPs") {
		t.Errorf("want an IP error first, got %+v", fs)
	}
	big := InstanceType{ID: "ecs.g7.xlarge", VCPU: 4, MemoryGiB: 16, IPsPerENI: 15}
	if fs := CheckInstanceType(big, 10, 2); len(fs) != 0 {
		t.Errorf("want nothing, got %+v", fs)
	}
	if fs := CheckInstanceType(InstanceType{ID: "x", VCPU: 2, MemoryGiB: 3.5}, 1, 0); len(fs) != 1 || !strings.Contains(fs[0].Detail, "3.5 GiB") {
		t.Errorf("want a memory warning, got %+v", fs)
	}
}

func TestCheckSystemDiskSize(t *testing.T) {
	fs := CheckSystemDiskSize(30, 40, "snapshot s-1")
	if len(fs) != 2 || fs[0].Warning || !fs[1].Warning {
		t.Fatalf("want an error and a warning, got %+v", fs)
	}
	if !strings.Contains(fs[0].Detail, "snapshot s-1 needs a system disk of at least 40 GiB; system_disk.size is 30") {
		t.Errorf("detail %q", fs[0].Detail)
	}
	if fs := CheckSystemDiskSize(0, 20, "image"); len(fs) != 0 {
		t.Errorf("unset size: %+v", fs)
	}
	if fs := CheckSystemDiskSize(40, 40, "image"); len(fs) != 0 {
		t.Errorf("exact size: %+v", fs)
	}
	if got := EffectiveSystemDiskSize(0, 20); got != 40 {
		t.Errorf("default size %d", got)
	}
	if got := EffectiveSystemDiskSize(0, 60); got != 60 {
		t.Errorf("image size %d", got)
	}
}

func TestCheckDataDiskSnapshotAndVSwitch(t *testing.T) {
	if fs := CheckDataDiskSnapshot(2, 100, 200, "s-x"); len(fs) != 1 || !reflect.DeepEqual(fs[0].Path, []any{"data_disks", 2, "size"}) {
		t.Errorf("got %+v", fs)
	}
	if fs := CheckDataDiskSnapshot(0, 0, 200, "s-x"); fs != nil {
		t.Errorf("unset size: %+v", fs)
	}
	if fs := CheckVSwitch("vsw-1", "cn-shanghai", false, "", ""); len(fs) != 1 || !strings.Contains(fs[0].Detail, "does not exist in cn-shanghai") {
		t.Errorf("got %+v", fs)
	}
	if fs := CheckVSwitch("vsw-1", emulator.SeedRegion, true, emulator.SeedZone, emulator.SeedRegion+"-k"); len(fs) != 1 || !strings.Contains(fs[0].Detail, `zone_id = "`+emulator.SeedZone+`"`) {
		t.Errorf("got %+v", fs)
	}
	if fs := CheckVSwitch("vsw-1", emulator.SeedRegion, true, emulator.SeedZone, ""); fs != nil {
		t.Errorf("got %+v", fs)
	}
}

func TestRTO(t *testing.T) {
	if _, err := ParseRTO("0s"); err == nil {
		t.Error("zero RTO accepted")
	}
	if _, err := ParseRTO("soon"); err == nil {
		t.Error("bad RTO accepted")
	}
	d, err := ParseRTO("1d")
	if err != nil || d != 24*time.Hour {
		t.Errorf("1d = %v, %v", d, err)
	}
	if !RTOMet(15*time.Minute, 15*time.Minute) || RTOMet(15*time.Minute+time.Second, 15*time.Minute) {
		t.Error("RTOMet bounds")
	}
	if got := FormatDuration(4*time.Minute + 12400*time.Millisecond); got != "4m12s" {
		t.Errorf("format %q", got)
	}
	if got := FormatDuration(-time.Second); got != "0s" {
		t.Errorf("negative %q", got)
	}
	back, err := ParseMeasured(FormatDuration(3 * time.Second))
	if err != nil || back != 3*time.Second {
		t.Errorf("round trip %v %v", back, err)
	}
	if s := RTOMissDetail("i-1", 20*time.Minute, 15*time.Minute); !strings.Contains(s, "took 20m0s") || !strings.Contains(s, "raise rto_target") {
		t.Errorf("detail %q", s)
	}
}

func TestClientToken(t *testing.T) {
	type req struct {
		A string
		B map[string]string
	}
	a, err := ClientToken("instance", req{"x", map[string]string{"k": "v", "a": "b"}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := ClientToken("instance", req{"x", map[string]string{"a": "b", "k": "v"}}, 0)
	if a != b {
		t.Errorf("same request, different tokens %q %q", a, b)
	}
	c, _ := ClientToken("instance", req{"y", nil}, 0)
	d, _ := ClientToken("instance", req{"x", map[string]string{"k": "v", "a": "b"}}, 1)
	e, _ := ClientToken("image", req{"x", map[string]string{"k": "v", "a": "b"}}, 0)
	if a == c || a == d || a == e || d == e {
		t.Errorf("tokens collide: %q %q %q %q", a, c, d, e)
	}
	if len(a) > 64 || !strings.HasPrefix(a, "alidr-instance-") || !strings.HasSuffix(d, "-1") {
		t.Errorf("token shape %q (%d) %q", a, len(a), d)
	}
	if _, err := ClientToken("x", func() {}, 0); err == nil {
		t.Error("unmarshalable request accepted")
	}
}

func TestPointQuery(t *testing.T) {
	if fs := (PointQuery{Before: "yesterday", MaxAge: "3 days"}).Validate(); len(fs) != 2 ||
		!reflect.DeepEqual(fs[0].Path, []any{"source", "recovery_point", "before"}) || !strings.Contains(fs[0].Detail, "2026-11-20T08:00:00Z") ||
		!reflect.DeepEqual(fs[1].Path, []any{"source", "recovery_point", "max_age"}) {
		t.Errorf("got %+v", fs)
	}
	if fs := (PointQuery{Before: "2026-11-20T08:00:00Z", MaxAge: "3d"}).Validate(); len(fs) != 0 {
		t.Errorf("got %+v", fs)
	}
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	at := func(h int) time.Time { return now.Add(-time.Duration(h) * time.Hour) }
	points := []drpolicy.Point{
		{ID: "s-old", Kind: "snapshot", Region: emulator.SeedRegion, Created: at(100), Status: "accomplished", Verified: true},
		{ID: "s-mid", Kind: "snapshot", Region: emulator.SeedRegion, Created: at(50), Status: "accomplished"},
		{ID: "s-new", Kind: "snapshot", Region: emulator.SeedRegion, Created: at(1), Status: "accomplished"},
		{ID: "s-busy", Kind: "snapshot", Region: emulator.SeedRegion, Created: at(0), Status: "progressing"},
		{ID: "m-img", Kind: "image", Region: emulator.SeedRegion, Created: at(0), Status: "Available"},
		{ID: "s-sh", Kind: "snapshot", Region: "cn-shanghai", Created: at(0), Status: "accomplished"},
	}
	for _, tt := range []struct {
		q    PointQuery
		want string
	}{
		{PointQuery{}, "s-new"},
		{PointQuery{Before: at(10).Format(time.RFC3339)}, "s-mid"},
		{PointQuery{Before: at(60).Format(time.RFC3339)}, "s-old"},
		{PointQuery{OnlyVerified: true}, "s-old"},
		{PointQuery{MaxAge: "3d", Before: at(10).Format(time.RFC3339)}, "s-mid"},
	} {
		p, err := tt.q.Choose(points, emulator.SeedRegion, now)
		if err != nil || p.ID != tt.want {
			t.Errorf("%+v: got %q, %v; want %q", tt.q, p.ID, err, tt.want)
		}
	}
	_, err := PointQuery{MaxAge: "1d", Before: at(30).Format(time.RFC3339)}.Choose(points, emulator.SeedRegion, now)
	if !errors.Is(err, drpolicy.ErrNoRecoveryPoint) {
		t.Errorf("want no recovery point, got %v", err)
	}
	if _, err := (PointQuery{Before: "nope"}).Choose(points, emulator.SeedRegion, now); err == nil {
		t.Error("bad before accepted")
	}
}

// TestAPILimits: the bounds of the RunInstances reference (ecs-20140526
// v7.7.0): ESSD data disks up to 65536 GiB, ESSD AutoPL system disks from
// 1 GiB, private IPs per interface from the instance type, not a fixed 10.
func TestAPILimits(t *testing.T) {
	for name, s := range map[string]Spec{
		"essd data 65536":  {DataDisks: []Disk{{Category: "cloud_essd", Size: 65536}}},
		"autopl system 1":  {SystemDisk: &Disk{Category: "cloud_auto", Size: 1}},
		"12 private IPs":   {PrivateIPs: intp(12)},
		"ssd data 32768":   {DataDisks: []Disk{{Category: "cloud_ssd", Size: 32768}}},
		"autopl data 1":    {DataDisks: []Disk{{Category: "cloud_auto", Size: 1}}},
		"essd system 2048": {SystemDisk: &Disk{Category: "cloud_essd", Size: 2048}},
	} {
		if fs := Validate(s); len(fs) != 0 {
			t.Errorf("%s: %+v", name, fs)
		}
	}
	for name, s := range map[string]Spec{
		"essd data 65537":    {DataDisks: []Disk{{Category: "cloud_essd", Size: 65537}}},
		"ssd data 32769":     {DataDisks: []Disk{{Category: "cloud_ssd", Size: 32769}}},
		"essd system 19":     {SystemDisk: &Disk{Category: "cloud_essd", Size: 19}},
		"autopl system 2049": {SystemDisk: &Disk{Category: "cloud_auto", Size: 2049}},
	} {
		if fs := Validate(s); !HasErrors(fs) {
			t.Errorf("%s accepted", name)
		}
	}
	big := InstanceType{ID: "ecs.g7.xlarge", VCPU: 4, MemoryGiB: 16, IPsPerENI: 15}
	if fs := CheckInstanceType(big, 12, 0); len(fs) != 0 {
		t.Errorf("12 IPs on a type holding 15: %+v", fs)
	}
	if fs := CheckInstanceType(big, 16, 0); !HasErrors(fs) || !strings.Contains(fs[0].Detail, "at most 15 private IPs") {
		t.Errorf("16 IPs on a type holding 15: %+v", fs)
	}
}
