package restore

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Finding is one validation result about an attribute. Path names the
// attribute from the resource root: strings are attribute names, ints list
// indexes (e.g. "data_disks", 1, "size").
type Finding struct {
	Path    []any
	Warning bool // false: the API would refuse the request
	Summary string
	Detail  string
}

func errorAt(summary, detail string, path ...any) Finding {
	return Finding{Path: path, Summary: summary, Detail: detail}
}

func warningAt(summary, detail string, path ...any) Finding {
	return Finding{Path: path, Warning: true, Summary: summary, Detail: detail}
}

// HasErrors reports whether any finding is an error.
func HasErrors(fs []Finding) bool {
	return slices.ContainsFunc(fs, func(f Finding) bool { return !f.Warning })
}

// Size bounds in GiB per disk category, as RunInstances accepts them.
type bounds struct{ Min, Max int }

// systemDiskCategories are the categories a system disk may use and its size
// bounds (RunInstances SystemDisk.Size, ecs-20140526 v7.7.0: ESSD at the
// default PL1 20 to 2048, ESSD AutoPL 1 to 2048, other categories 20 to
// 2048). The basic "cloud" category is not sold for system disks of current
// instance types.
var systemDiskCategories = map[string]bounds{
	"cloud_essd":       {20, 2048},
	"cloud_ssd":        {20, 2048},
	"cloud_efficiency": {20, 2048},
	"cloud_auto":       {1, 2048},
}

// dataDiskCategories are the data disk categories and their size bounds
// (RunInstances DataDisk.N.Size, ecs-20140526 v7.7.0: ESSD at the default
// PL1 20 to 65536, ESSD AutoPL 1 to 65536, ultra and standard SSD 20 to
// 32768, basic 5 to 2000).
var dataDiskCategories = map[string]bounds{
	"cloud_essd":       {20, 65536},
	"cloud_ssd":        {20, 32768},
	"cloud_efficiency": {20, 32768},
	"cloud_auto":       {1, 65536},
	"cloud":            {5, 2000},
}

// Limits of one instance.
const (
	MaxDataDisks = 16
	// DefaultSystemDiskCategory and DefaultDataDiskCategory are what the
	// resource uses when the configuration does not say.
	DefaultSystemDiskCategory = "cloud_essd"
	DefaultDataDiskCategory   = "cloud_essd"
	// DefaultSystemDiskSize is the API's default system disk size: the
	// larger of this and the image size.
	DefaultSystemDiskSize = 40
)

// Baseline: what a restored production instance should at least have.
const (
	BaselineVCPU           = 2
	BaselineMemoryGiB      = 4
	BaselineSystemDiskSize = 40
)

// SystemDiskCategories lists the accepted system disk categories, sorted.
func SystemDiskCategories() []string { return sortedKeys(systemDiskCategories) }

// DataDiskCategories lists the accepted data disk categories, sorted.
func DataDiskCategories() []string { return sortedKeys(dataDiskCategories) }

func sortedKeys(m map[string]bounds) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Disk is a disk of the request. Size 0 means "not set" (the API derives it
// from the image or snapshot).
type Disk struct {
	Category   string
	Size       int
	SnapshotID string // data disks only
	// Unknown says the snapshot id or the size is not known until apply, so
	// "neither snapshot nor size" cannot be decided at plan time.
	Unknown bool
}

// Spec is the statically known part of a restore request.
type Spec struct {
	SystemDisk *Disk // nil when not configured
	DataDisks  []Disk
	// PrivateIPs is the number of private IPs (primary included); nil when
	// unknown or not set.
	PrivateIPs *int
}

// Validate applies the API's static rules: known categories, sizes within
// each category's bounds, at most 16 data disks, at least 1 private IP (the
// most depends on the instance type: CheckInstanceType). Every error says
// what to change.
func Validate(s Spec) []Finding {
	var out []Finding
	if d := s.SystemDisk; d != nil {
		cat := d.Category
		if cat == "" {
			cat = DefaultSystemDiskCategory
		}
		b, ok := systemDiskCategories[cat]
		switch {
		case !ok:
			out = append(out, errorAt("Unsupported system disk category",
				fmt.Sprintf("system_disk.category %q cannot hold a system disk; use one of %s.", cat, strings.Join(SystemDiskCategories(), ", ")),
				"system_disk", "category"))
		case d.Size != 0 && (d.Size < b.Min || d.Size > b.Max):
			out = append(out, errorAt("System disk size out of range",
				fmt.Sprintf("A %s system disk must be %d to %d GiB; system_disk.size is %d. Set a size within that range.", cat, b.Min, b.Max, d.Size),
				"system_disk", "size"))
		}
	}
	if len(s.DataDisks) > MaxDataDisks {
		out = append(out, errorAt("Too many data disks",
			fmt.Sprintf("An instance takes at most %d data disks; %d are configured. Remove %d of them.", MaxDataDisks, len(s.DataDisks), len(s.DataDisks)-MaxDataDisks),
			"data_disks"))
	}
	for i, d := range s.DataDisks {
		cat := d.Category
		if cat == "" {
			cat = DefaultDataDiskCategory
		}
		b, ok := dataDiskCategories[cat]
		if !ok {
			out = append(out, errorAt("Unsupported data disk category",
				fmt.Sprintf("data_disks[%d].category %q is not a data disk category; use one of %s.", i, cat, strings.Join(DataDiskCategories(), ", ")),
				"data_disks", i, "category"))
			continue
		}
		if d.Size != 0 && (d.Size < b.Min || d.Size > b.Max) {
			out = append(out, errorAt("Data disk size out of range",
				fmt.Sprintf("A %s data disk must be %d to %d GiB; data_disks[%d].size is %d. Set a size within that range.", cat, b.Min, b.Max, i, d.Size),
				"data_disks", i, "size"))
		}
		if !d.Unknown && d.SnapshotID == "" && d.Size == 0 {
			out = append(out, errorAt("Data disk needs a snapshot or a size",
				fmt.Sprintf("data_disks[%d] has neither snapshot_id nor size: set snapshot_id to restore it, or size for an empty disk.", i),
				"data_disks", i))
		}
	}
	if n := s.PrivateIPs; n != nil && *n < 1 {
		out = append(out, errorAt("Too few private IPs",
			fmt.Sprintf("private_ips is %d; an instance has at least its primary private IP. Set private_ips to 1 (the default) or more.", *n),
			"private_ips"))
	}
	return out
}

// InstanceType is what the checks need to know of an instance type.
type InstanceType struct {
	ID        string
	VCPU      int
	MemoryGiB float64
	// IPsPerENI is the most private IPs one network interface holds
	// (DescribeInstanceTypes EniPrivateIpAddressQuantity; 0 = unknown);
	// MaxDataDisks the most data disks (0 = unknown).
	IPsPerENI    int
	MaxDataDisks int
}

// CheckInstanceType compares the request with the instance type: errors for
// what the type cannot hold, warnings below the restore baseline.
func CheckInstanceType(t InstanceType, privateIPs, dataDisks int) []Finding {
	var out []Finding
	if t.IPsPerENI > 0 && privateIPs > t.IPsPerENI {
		out = append(out, errorAt("Too many private IPs for the instance type",
			fmt.Sprintf("%s holds at most %d private IPs per network interface; private_ips is %d. Lower private_ips or choose a larger instance type.", t.ID, t.IPsPerENI, privateIPs),
			"private_ips"))
	}
	if t.MaxDataDisks > 0 && dataDisks > t.MaxDataDisks {
		out = append(out, errorAt("Too many data disks for the instance type",
			fmt.Sprintf("%s takes at most %d data disks; %d are configured.", t.ID, t.MaxDataDisks, dataDisks),
			"data_disks"))
	}
	if t.VCPU > 0 && t.VCPU < BaselineVCPU {
		out = append(out, warningAt("Instance type below the restore baseline",
			fmt.Sprintf("%s has %d vCPU; a restored production instance should have at least %d. Consider a larger instance_type (e.g. ecs.g7.large) so the restored service keeps up with its load.", t.ID, t.VCPU, BaselineVCPU),
			"instance_type"))
	}
	if t.MemoryGiB > 0 && t.MemoryGiB < BaselineMemoryGiB {
		out = append(out, warningAt("Instance type below the restore baseline",
			fmt.Sprintf("%s has %g GiB of memory; a restored production instance should have at least %d GiB. Consider a larger instance_type.", t.ID, t.MemoryGiB, BaselineMemoryGiB),
			"instance_type"))
	}
	return out
}

// CheckSystemDiskSize compares the configured size (0 = default) with the
// image's minimum and the baseline.
func CheckSystemDiskSize(size, imageSize int, source string) []Finding {
	var out []Finding
	if size != 0 && imageSize > 0 && size < imageSize {
		out = append(out, errorAt("System disk smaller than the image",
			fmt.Sprintf("%s needs a system disk of at least %d GiB; system_disk.size is %d. Set system_disk.size to %d or more, or leave it unset.", source, imageSize, size, imageSize),
			"system_disk", "size"))
	}
	if size != 0 && size < BaselineSystemDiskSize {
		out = append(out, warningAt("System disk below the restore baseline",
			fmt.Sprintf("system_disk.size is %d GiB; a restored instance should have at least %d GiB so logs and updates fit. Consider system_disk.size = %d.", size, BaselineSystemDiskSize, BaselineSystemDiskSize),
			"system_disk", "size"))
	}
	return out
}

// EffectiveSystemDiskSize is the size the API gives a system disk when the
// request sets none.
func EffectiveSystemDiskSize(size, imageSize int) int {
	if size != 0 {
		return size
	}
	return max(DefaultSystemDiskSize, imageSize)
}

// CheckDataDiskSnapshot compares a data disk's size with its snapshot.
func CheckDataDiskSnapshot(index, size, snapshotSize int, snapshotID string) []Finding {
	if size != 0 && snapshotSize > 0 && size < snapshotSize {
		return []Finding{errorAt("Data disk smaller than its snapshot",
			fmt.Sprintf("Snapshot %s is of a %d GiB disk; data_disks[%d].size is %d. Set it to %d or more, or leave it unset to use the snapshot's size.", snapshotID, snapshotSize, index, size, snapshotSize),
			"data_disks", index, "size")}
	}
	return nil
}

// CheckVSwitch checks the vSwitch against the region and the requested zone.
// found is false when the vSwitch does not exist in region.
func CheckVSwitch(vswitchID, region string, found bool, vswZone, wantZone string) []Finding {
	if !found {
		return []Finding{errorAt("vSwitch not found in the region",
			fmt.Sprintf("vSwitch %s does not exist in %s. Use a vSwitch of %s (a vSwitch belongs to one region), or set region to the vSwitch's region.", vswitchID, region, region),
			"vswitch_id")}
	}
	if wantZone != "" && vswZone != "" && wantZone != vswZone {
		return []Finding{errorAt("vSwitch in another zone",
			fmt.Sprintf("vSwitch %s is in zone %s, but zone_id is %s. Use a vSwitch in %s, or set zone_id = %q (or leave zone_id unset).", vswitchID, vswZone, wantZone, wantZone, vswZone),
			"zone_id")}
	}
	return nil
}
