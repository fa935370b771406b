package emulator

import "time"

// The seeded world every account starts from (reset restores it). Ids of
// seeded resources are deterministic so docs and examples can name them.

// seedEpoch is the creation time of seeded resources.
var seedEpoch = time.Date(2024, 9, 1, 8, 0, 0, 0, time.UTC)

type regionSeed struct {
	ID, LocalName, Code string
	Zones               []ecsZone
	VpcCIDR             string
}

// SeedRegion is the region of the default account's seeded instances, disks
// and bucket: the default region of tests, examples and the acceptance
// fixture. Tests name it through this constant, never as a literal.
const SeedRegion = "cn-beijing"

// SeedZone is the zone of SeedRegion's seeded vSwitch and instances.
const SeedZone = SeedRegion + "-h"

// regionSeeds are the regions the emulator serves.
var regionSeeds = []regionSeed{
	{ID: SeedRegion, LocalName: "华北2（北京）", Code: "2ze", VpcCIDR: "172.16.0.0/12",
		Zones: []ecsZone{{SeedZone, "华北 2 可用区 H"}, {"cn-beijing-i", "华北 2 可用区 I"}, {"cn-beijing-k", "华北 2 可用区 K"}}},
	{ID: "cn-shanghai", LocalName: "华东2（上海）", Code: "uf6", VpcCIDR: "172.17.0.0/16",
		Zones: []ecsZone{{"cn-shanghai-e", "华东 2 可用区 E"}, {"cn-shanghai-f", "华东 2 可用区 F"}, {"cn-shanghai-g", "华东 2 可用区 G"}}},
	{ID: "cn-guangzhou", LocalName: "华南3（广州）", Code: "7xv", VpcCIDR: "172.18.0.0/16",
		Zones: []ecsZone{{"cn-guangzhou-a", "华南 3 可用区 A"}, {"cn-guangzhou-b", "华南 3 可用区 B"}}},
	{ID: "cn-hangzhou", LocalName: "华东1（杭州）", Code: "bp1", VpcCIDR: "172.19.0.0/16",
		Zones: []ecsZone{{"cn-hangzhou-h", "华东 1 可用区 H"}, {"cn-hangzhou-i", "华东 1 可用区 I"}, {"cn-hangzhou-j", "华东 1 可用区 J"}}},
}

// instanceTypeSeed is one instance type of the catalog (all zones sell all).
type instanceTypeSeed struct {
	ID        string
	Family    string
	Cores     int
	MemoryGiB float64
	Disks     int // max data disks
	ENIs      int
	IPsPerENI int
}

var instanceTypeSeeds = []instanceTypeSeed{
	{"ecs.t5-lc1m1.small", "ecs.t5", 1, 1, 16, 1, 2},
	{"ecs.t6-c1m1.large", "ecs.t6", 2, 2, 16, 2, 2},
	{"ecs.c7.large", "ecs.c7", 2, 4, 16, 3, 6},
	{"ecs.g7.large", "ecs.g7", 2, 8, 16, 3, 6},
	{"ecs.g7.xlarge", "ecs.g7", 4, 16, 16, 4, 15},
	{"ecs.g7.2xlarge", "ecs.g7", 8, 32, 16, 4, 15},
	{"ecs.r7.large", "ecs.r7", 2, 16, 16, 3, 6},
}

func findInstanceType(id string) (instanceTypeSeed, bool) {
	for _, t := range instanceTypeSeeds {
		if t.ID == id {
			return t, true
		}
	}
	return instanceTypeSeed{}, false
}

// diskCategories are the categories every zone sells, with data disk size
// bounds (RunInstances DataDisk.N.Size, ecs-20140526 v7.7.0; ESSD at PL1).
var diskCategories = map[string][2]int{
	"cloud_essd":       {20, 65536},
	"cloud_ssd":        {20, 32768},
	"cloud_efficiency": {20, 32768},
	"cloud_auto":       {1, 65536},
	"cloud":            {5, 2000},
}

// PublicImageSeed is a public system image present in every region. The
// image feature reads this slice to fill its store.
type PublicImageSeed struct {
	ID       string
	Name     string
	OSName   string
	OSType   string
	Platform string
	Arch     string
	SizeGiB  int
}

var publicImageSeeds = []PublicImageSeed{
	{ID: "aliyun_3_x64_20G_alibase_20240819.vhd", Name: "aliyun_3_x64_20G_alibase_20240819.vhd",
		OSName: "Alibaba Cloud Linux  3.2104 LTS 64位", OSType: "linux", Platform: "Aliyun", Arch: "x86_64", SizeGiB: 20},
	{ID: "ubuntu_22_04_x64_20G_alibase_20240822.vhd", Name: "ubuntu_22_04_x64_20G_alibase_20240822.vhd",
		OSName: "Ubuntu  22.04 64位", OSType: "linux", Platform: "Ubuntu", Arch: "x86_64", SizeGiB: 20},
	{ID: "centos_7_9_x64_20G_alibase_20240628.vhd", Name: "centos_7_9_x64_20G_alibase_20240628.vhd",
		OSName: "CentOS  7.9 64位", OSType: "linux", Platform: "CentOS", Arch: "x86_64", SizeGiB: 20},
	{ID: "win2022_21H2_x64_dtc_zh-cn_40G_alibase_20240816.vhd", Name: "win2022_21H2_x64_dtc_zh-cn_40G_alibase_20240816.vhd",
		OSName: "Windows Server  2022 数据中心版 64位中文版", OSType: "windows", Platform: "Windows Server 2022", Arch: "x86_64", SizeGiB: 40},
}

// publicImage is the default image lookup: the public catalog only. The
// image feature replaces e.hooks.image to add custom and shared images.
func (e *ecsService) publicImage(_, _ string, id string) (imageInfo, bool) {
	for _, p := range publicImageSeeds {
		if p.ID == id {
			return imageInfo{ID: p.ID, SizeGiB: p.SizeGiB, OSName: p.OSName, OSType: p.OSType, Status: "Available"}, true
		}
	}
	return imageInfo{}, false
}

// Seeded ids in cn-beijing of the default account.
const (
	SeedVpcBeijing      = "vpc-2zeseedvpc0000000000"
	SeedVSwitchBeijing  = "vsw-2zeseedvswh000000000"
	SeedSecurityGroupBJ = "sg-2zeseedsg00000000000"
	SeedInstanceCoreDB  = "i-2zecoredb00000000000"
	SeedInstanceCoreApp = "i-2zecoreapp0000000000"
	SeedDiskCoreDBSys   = "d-2zecoredbsys00000000"
	SeedDiskCoreDBData  = "d-2zecoredbdata0000000"
	SeedDiskCoreAppSys  = "d-2zecoreappsys0000000"
	SeedDiskCoreAppData = "d-2zecoreappdata000000"
)

// Seeded network of cn-shanghai, the usual recovery region in examples.
const (
	SeedVpcShanghai           = "vpc-uf6seedvpc0000000000"
	SeedVSwitchShanghai       = "vsw-uf6seedvswe000000000"
	SeedSecurityGroupShanghai = "sg-uf6seedsg00000000000"
)

// SeedNetwork returns the ids of the VPC, vSwitch and security group every
// account has in region (ok is false for regions the emulator does not
// serve). The ids are the same in every account.
func SeedNetwork(region string) (vpcID, vSwitchID, securityGroupID string, ok bool) {
	for _, rs := range regionSeeds {
		if rs.ID == region {
			zone := rs.Zones[0].ID
			return seedID("vpc", rs.Code, "seedvpc"), seedID("vsw", rs.Code, "seedvsw"+zone[len(zone)-1:]),
				seedID("sg", rs.Code, "seedsg"), true
		}
	}
	return "", "", "", false
}

// seedAccount builds an account's world: regions, zones and a VPC, vSwitch
// and security group per region; the default account also gets the two
// running core instances in cn-beijing.
func seedAccount(id string, withInstances bool) *ecsAccount {
	a := &ecsAccount{id: id, regions: map[string]*ecsRegion{}}
	for _, rs := range regionSeeds {
		r := &ecsRegion{
			ID: rs.ID, LocalName: rs.LocalName, code: rs.Code,
			vpcs:           map[string]*ecsVPC{},
			vswitches:      map[string]*ecsVSwitch{},
			securityGroups: map[string]*ecsSecurityGroup{},
			instances:      map[string]*ecsInstance{},
			disks:          map[string]*ecsDisk{},
			commands:       map[string]*ecsCommand{},
			invocations:    map[string]*ecsInvocation{},
			clientTokens:   map[string]*clientTokenEntry{},
		}
		for _, z := range rs.Zones {
			r.zones = append(r.zones, &ecsZone{ID: z.ID, LocalName: z.LocalName})
		}
		vpcID, vswID, sgID, _ := SeedNetwork(rs.ID)
		vpc := &ecsVPC{ID: vpcID, Name: "alidr-default", CIDR: rs.VpcCIDR, Created: seedEpoch}
		r.vpcs[vpc.ID] = vpc
		// One vSwitch in the first zone; its CIDR is the first /24 of the VPC.
		vsw := &ecsVSwitch{ID: vswID,
			Name: "alidr-default-" + rs.Zones[0].ID, VpcID: vpc.ID, ZoneID: rs.Zones[0].ID,
			CIDR: vpc.CIDR[:len(vpc.CIDR)-len("0.0/16")] + "0.0/24", Created: seedEpoch}
		if rs.ID == SeedRegion {
			vsw.CIDR = "172.16.0.0/24"
		}
		r.vswitches[vsw.ID] = vsw
		sg := &ecsSecurityGroup{ID: sgID, Name: "alidr-default", VpcID: vpc.ID, Created: seedEpoch}
		r.securityGroups[sg.ID] = sg
		a.regions[rs.ID] = r
	}
	if withInstances {
		bj := a.regions[SeedRegion]
		seedInstance(bj, SeedInstanceCoreDB, "core-db", "ecs.g7.xlarge", SeedDiskCoreDBSys, SeedDiskCoreDBData, 200)
		seedInstance(bj, SeedInstanceCoreApp, "core-app", "ecs.g7.large", SeedDiskCoreAppSys, SeedDiskCoreAppData, 100)
	}
	return a
}

func seedInstance(r *ecsRegion, id, name, typ, sysDisk, dataDisk string, dataGiB int) {
	vsw := r.vswitches[SeedVSwitchBeijing]
	img := publicImageSeeds[0]
	inst := &ecsInstance{
		ID: id, Name: name, HostName: name, RegionID: r.ID, ZoneID: vsw.ZoneID, Type: typ,
		ImageID: img.ID, OSName: img.OSName, OSType: img.OSType,
		VpcID: vsw.VpcID, VSwitchID: vsw.ID, SecurityGrps: []string{SeedSecurityGroupBJ},
		Created: seedEpoch,
		DiskIDs: []string{sysDisk, dataDisk},
		Tags:    map[string]string{"app": "core", "role": name[len("core-"):]},
	}
	ip, _ := freePrivateIP(r, vsw)
	inst.PrivateIPs = []string{ip}
	inst.Status.settle("Running")
	r.instances[id] = inst
	for i, d := range []struct {
		id, typ, dev string
		size         int
	}{{sysDisk, "system", "/dev/xvda", 40}, {dataDisk, "data", "/dev/xvdb", dataGiB}} {
		disk := &ecsDisk{
			ID: d.id, Name: name + "-" + d.typ, SizeGiB: d.size, Category: "cloud_essd", PerformanceLevel: "PL1",
			Type: d.typ, InstanceID: id, Device: d.dev, ZoneID: vsw.ZoneID, RegionID: r.ID,
			DeleteWithInstance: true, Created: seedEpoch, Tags: map[string]string{"app": "core"},
		}
		if i == 0 {
			disk.ImageID = img.ID
		}
		disk.Status.settle("In_use")
		r.disks[d.id] = disk
	}
}
