package emulator

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// primaryNIC is where RunInstances connects the instance's primary network
// interface: from the top-level VSwitchId, SecurityGroupId(s) and
// PrivateIpAddress, or from NetworkInterface.N with InstanceType=Primary.
type primaryNIC struct {
	vswitchID      string
	securityGroups []string
	primaryIP      string
	secondaryIPs   int
}

// primaryInterface reads the primary network interface of a RunInstances
// call, with the rules of the RunInstances reference (ecs-20140526 v7.7.0
// RunInstancesRequestNetworkInterface):
//   - SecondaryPrivateIpAddressCount exists only as
//     NetworkInterface.N.SecondaryPrivateIpAddressCount; a top-level one is
//     refused (the service would ignore an unknown parameter).
//   - With NetworkInterface.N.InstanceType=Primary, NetworkInterface.N.VSwitchId
//     is required and replaces VSwitchId; NetworkInterface.N.SecurityGroupId
//     or .SecurityGroupIds.M is required and replaces SecurityGroupId and
//     SecurityGroupIds.N; .PrimaryIpAddress replaces PrivateIpAddress. Giving
//     both forms is refused.
//
// Secondary network interfaces are not emulated and are refused. The
// reference names no error code for these conflicts; InvalidParameter.Conflict
// is the emulator's.
func primaryInterface(c *rpcCall) (primaryNIC, error) {
	if c.has("SecondaryPrivateIpAddressCount") {
		return primaryNIC{}, apiErr(http.StatusBadRequest, "InvalidParameter",
			"SecondaryPrivateIpAddressCount is not a RunInstances parameter: use NetworkInterface.1.SecondaryPrivateIpAddressCount with NetworkInterface.1.InstanceType=Primary.")
	}
	top := primaryNIC{vswitchID: c.str("VSwitchId"), primaryIP: c.str("PrivateIpAddress")}
	top.securityGroups = c.list("SecurityGroupIds")
	if sg := c.str("SecurityGroupId"); sg != "" {
		top.securityGroups = append([]string{sg}, top.securityGroups...)
	}
	var primary map[string]string
	for _, g := range c.indexed("NetworkInterface") {
		if g["InstanceType"] != "Primary" {
			return primaryNIC{}, apiErr(http.StatusBadRequest, "InvalidParameter",
				"Secondary network interfaces (NetworkInterface.N.InstanceType other than Primary) are not emulated.")
		}
		if primary != nil {
			return primaryNIC{}, apiErr(http.StatusBadRequest, "InvalidParameter.Conflict", "Only one NetworkInterface.N can be the Primary interface.")
		}
		primary = g
	}
	if primary == nil {
		return top, nil
	}
	conflict := func(what string) (primaryNIC, error) {
		return primaryNIC{}, apiErr(http.StatusBadRequest, "InvalidParameter.Conflict",
			what+" cannot be specified together with NetworkInterface.N.InstanceType=Primary; set it on the interface.")
	}
	switch {
	case top.vswitchID != "":
		return conflict("VSwitchId")
	case len(top.securityGroups) > 0:
		return conflict("SecurityGroupId or SecurityGroupIds.N")
	case top.primaryIP != "":
		return conflict("PrivateIpAddress")
	}
	nic := primaryNIC{vswitchID: primary["VSwitchId"], primaryIP: primary["PrimaryIpAddress"]}
	if nic.vswitchID == "" {
		return primaryNIC{}, errMissingParam("NetworkInterface.1.VSwitchId")
	}
	var idx []int
	byIdx := map[int]string{}
	for k, v := range primary {
		if n, err := strconv.Atoi(strings.TrimPrefix(k, "SecurityGroupIds.")); err == nil && strings.HasPrefix(k, "SecurityGroupIds.") && n >= 1 {
			idx = append(idx, n)
			byIdx[n] = v
		}
	}
	sort.Ints(idx)
	sg := primary["SecurityGroupId"]
	if sg != "" && len(idx) > 0 {
		return primaryNIC{}, apiErr(http.StatusBadRequest, "InvalidParameter.Conflict",
			"NetworkInterface.N.SecurityGroupId and NetworkInterface.N.SecurityGroupIds.M cannot both be specified.")
	}
	if sg != "" {
		nic.securityGroups = []string{sg}
	}
	for _, n := range idx {
		nic.securityGroups = append(nic.securityGroups, byIdx[n])
	}
	if len(nic.securityGroups) == 0 {
		return primaryNIC{}, errMissingParam("NetworkInterface.1.SecurityGroupId")
	}
	if v, ok := primary["SecondaryPrivateIpAddressCount"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return primaryNIC{}, errInvalidParam("NetworkInterface.1.SecondaryPrivateIpAddressCount", v)
		}
		nic.secondaryIPs = n
	}
	return nic, nil
}
