package emulator

import (
	"net/http"
	"sort"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// Catalog actions: regions, zones, instance types, vSwitches, security
// groups. Responses use the SDK's response structs so field names and
// nesting are exactly what ecs.Client decodes.

func (e *ecsService) describeRegions(c *rpcCall) (any, error) {
	resp := ecs.DescribeRegionsResponse{RequestId: c.RequestID}
	resp.Regions.Region = []ecs.Region{}
	for _, rs := range regionSeeds {
		resp.Regions.Region = append(resp.Regions.Region, ecs.Region{
			RegionId:       rs.ID,
			LocalName:      rs.LocalName,
			RegionEndpoint: "ecs." + rs.ID + ".aliyuncs.com",
			Status:         "available",
		})
	}
	return resp, nil
}

func (e *ecsService) describeZones(c *rpcCall) (any, error) {
	types := make([]string, 0, len(instanceTypeSeeds))
	for _, t := range instanceTypeSeeds {
		types = append(types, t.ID)
	}
	cats := sortedKeys(diskCategories)
	resp := ecs.DescribeZonesResponse{RequestId: c.RequestID}
	resp.Zones.Zone = []ecs.Zone{}
	for _, z := range c.region().zones {
		zone := ecs.Zone{ZoneId: z.ID, LocalName: z.LocalName, ZoneType: "AvailabilityZone"}
		zone.AvailableResourceCreation.ResourceTypes = []string{"VSwitch", "IoOptimized", "Instance", "Disk"}
		zone.AvailableDiskCategories.DiskCategories = cats
		zone.AvailableVolumeCategories.VolumeCategories = []string{}
		zone.AvailableInstanceTypes.InstanceTypes = types
		resp.Zones.Zone = append(resp.Zones.Zone, zone)
	}
	return resp, nil
}

func (e *ecsService) describeInstanceTypes(c *rpcCall) (any, error) {
	want := c.list("InstanceTypes")
	family := c.str("InstanceTypeFamily")
	minCPU, maxCPU := c.int("MinimumCpuCoreCount", 0), c.int("MaximumCpuCoreCount", 0)
	minMem, maxMem := c.float("MinimumMemorySize"), c.float("MaximumMemorySize")
	if err := c.err(); err != nil {
		return nil, err
	}
	resp := ecs.DescribeInstanceTypesResponse{RequestId: c.RequestID}
	resp.InstanceTypes.InstanceType = []ecs.InstanceType{}
	for _, t := range instanceTypeSeeds {
		if len(want) > 0 && !contains(want, t.ID) ||
			family != "" && t.Family != family ||
			minCPU > 0 && t.Cores < minCPU || maxCPU > 0 && t.Cores > maxCPU ||
			minMem > 0 && t.MemoryGiB < minMem || maxMem > 0 && t.MemoryGiB > maxMem {
			continue
		}
		resp.InstanceTypes.InstanceType = append(resp.InstanceTypes.InstanceType, ecs.InstanceType{
			InstanceTypeId:              t.ID,
			InstanceTypeFamily:          t.Family,
			CpuCoreCount:                t.Cores,
			MemorySize:                  t.MemoryGiB,
			EniQuantity:                 t.ENIs,
			EniPrivateIpAddressQuantity: t.IPsPerENI,
			DiskQuantity:                t.Disks,
			CpuArchitecture:             "X86",
			InstanceCategory:            "General-purpose",
			InstanceFamilyLevel:         "EnterpriseLevel",
			NvmeSupport:                 "unsupported",
		})
	}
	return resp, nil
}

func (e *ecsService) describeVSwitches(c *rpcCall) (any, error) {
	vpcID, zoneID, id := c.str("VpcId"), c.str("ZoneId"), c.str("VSwitchId")
	number, size := c.page(10, 50)
	if err := c.err(); err != nil {
		return nil, err
	}
	r := c.region()
	var all []ecs.VSwitch
	for _, k := range sortedKeys(r.vswitches) {
		v := r.vswitches[k]
		if vpcID != "" && v.VpcID != vpcID || zoneID != "" && v.ZoneID != zoneID || id != "" && v.ID != id {
			continue
		}
		all = append(all, ecs.VSwitch{
			VSwitchId: v.ID, VSwitchName: v.Name, VpcId: v.VpcID, ZoneId: v.ZoneID, CidrBlock: v.CIDR,
			Status: "Available", IsDefault: true, AvailableIpAddressCount: 252, CreationTime: isoTime(v.Created),
		})
	}
	resp := ecs.DescribeVSwitchesResponse{RequestId: c.RequestID, PageNumber: number, PageSize: size, TotalCount: len(all)}
	resp.VSwitches.VSwitch = pageOf(all, number, size)
	return resp, nil
}

func (e *ecsService) describeSecurityGroups(c *rpcCall) (any, error) {
	vpcID, id := c.str("VpcId"), c.str("SecurityGroupId")
	number, size := c.page(10, 50)
	if err := c.err(); err != nil {
		return nil, err
	}
	r := c.region()
	var all []ecs.SecurityGroup
	for _, k := range sortedKeys(r.securityGroups) {
		g := r.securityGroups[k]
		if vpcID != "" && g.VpcID != vpcID || id != "" && g.ID != id {
			continue
		}
		all = append(all, ecs.SecurityGroup{
			SecurityGroupId: g.ID, SecurityGroupName: g.Name, VpcId: g.VpcID,
			SecurityGroupType: "normal", CreationTime: isoTime(g.Created),
		})
	}
	resp := ecs.DescribeSecurityGroupsResponse{RequestId: c.RequestID, RegionId: c.Region, PageNumber: number, PageSize: size, TotalCount: len(all)}
	resp.SecurityGroups.SecurityGroup = pageOf(all, number, size)
	return resp, nil
}

// pageOf returns page number (1-based) of size items; an empty, non-nil
// slice past the end so the JSON is [] rather than null.
func pageOf[T any](all []T, number, size int) []T {
	start := (number - 1) * size
	if start >= len(all) {
		return []T{}
	}
	end := min(start+size, len(all))
	return all[start:end]
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// notFound is the service's 404 for a missing resource.
func notFound(code, msg string) error { return apiErr(http.StatusNotFound, code, msg) }
