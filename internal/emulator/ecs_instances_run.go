package emulator

import (
	"fmt"
	"net"
	"net/http"
	"strconv"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// RunInstances: the instances it creates and its checks of disk sizes,
// devices and private IPs (network interfaces: ecs_instances_nic.go).

// systemDiskBounds are RunInstances SystemDisk.Size's bounds in GiB
// (ecs-20140526 v7.7.0): ESSD by performance level, ESSD AutoPL 1 to 2048,
// other categories 20 to 2048.
func systemDiskBounds(category, pl string) (int, int) { //nolint:unparam // the reference gives bounds per category; all maxima are 2048 today
	switch category {
	case "cloud_essd":
		return essdMinSize(pl), 2048
	case "cloud_auto":
		return 1, 2048
	}
	return 20, 2048
}

// essdMinSize is an ESSD's smallest size at performance level pl (PL1 when
// not set): PL0 1, PL1 20, PL2 461, PL3 1261 GiB.
func essdMinSize(pl string) int {
	switch pl {
	case "PL0":
		return 1
	case "PL2":
		return 461
	case "PL3":
		return 1261
	}
	return 20
}

type diskSpec struct {
	name, desc, category, pl, snapshot, device, kms string
	size                                            int
	encrypted, deleteWithInstance                   bool
}

func (e *ecsService) runInstances(c *rpcCall) (any, error) {
	r := c.region()
	if ids, ok, err := c.replay(); err != nil || ok {
		if err != nil {
			return nil, err
		}
		resp := ecs.RunInstancesResponse{RequestId: c.RequestID}
		resp.InstanceIdSets.InstanceIdSet = ids
		return resp, nil
	}

	imageID, typeID := c.str("ImageId"), c.str("InstanceType")
	amount := c.int("Amount", 1)
	sysSize := c.int("SystemDisk.Size", 0)
	nic, err := primaryInterface(c)
	if err != nil {
		return nil, err
	}
	vswID, secondary := nic.vswitchID, nic.secondaryIPs
	dryRun, uniqueSuffix := c.bool("DryRun"), c.bool("UniqueSuffix")
	if err := c.err(); err != nil {
		return nil, err
	}
	switch {
	case imageID == "":
		return nil, errMissingParam("ImageId")
	case typeID == "":
		return nil, errMissingParam("InstanceType")
	case vswID == "":
		return nil, errMissingParam("VSwitchId")
	}
	if amount < 1 || amount > 100 {
		return nil, errInvalidParam("Amount", c.str("Amount"))
	}
	typ, ok := findInstanceType(typeID)
	if !ok {
		return nil, apiErr(http.StatusBadRequest, "InvalidInstanceType.ValueNotSupported",
			"The specified InstanceType does not exist or beyond the permitted range.")
	}
	img, ok := e.hooks.image(c.AccountID, c.Region, imageID)
	if !ok {
		return nil, notFound("InvalidImageId.NotFound", "The specified ImageId does not exist.")
	}
	if img.Status != "Available" {
		return nil, apiErr(http.StatusForbidden, "IncorrectImageStatus", "The specified image is not available.")
	}
	vsw, ok := r.vswitches[vswID]
	if !ok {
		return nil, notFound("InvalidVSwitchId.NotFound", "The specified VSwitchId does not exist.")
	}
	if z := c.str("ZoneId"); z != "" && z != vsw.ZoneID {
		return nil, apiErr(http.StatusBadRequest, "InvalidParameter.Mismatch",
			fmt.Sprintf("The specified vSwitch %s is not in zone %s.", vsw.ID, z))
	}
	sgs := nic.securityGroups
	if len(sgs) == 0 {
		return nil, errMissingParam("SecurityGroupId")
	}
	for _, id := range sgs {
		sg, ok := r.securityGroups[id]
		if !ok {
			return nil, notFound("InvalidSecurityGroupId.NotFound", fmt.Sprintf("The specified SecurityGroupId %q does not exist.", id))
		}
		if sg.VpcID != vsw.VpcID {
			return nil, apiErr(http.StatusBadRequest, "InvalidSecurityGroup.VpcMismatch",
				"The specified security group and vswitch are not in the same VPC.")
		}
	}

	// System disk.
	sys := diskSpec{
		name: c.str("SystemDisk.DiskName"), desc: c.str("SystemDisk.Description"),
		category: c.str("SystemDisk.Category"), pl: c.str("SystemDisk.PerformanceLevel"),
		size: sysSize, device: "/dev/xvda", deleteWithInstance: true,
		encrypted: c.str("SystemDisk.Encrypted") == "true", kms: c.str("SystemDisk.KMSKeyId"),
	}
	if sys.category == "" {
		sys.category = "cloud_essd"
	}
	if _, ok := diskCategories[sys.category]; !ok || sys.category == "cloud" {
		return nil, apiErr(http.StatusBadRequest, "InvalidSystemDiskCategory.ValueNotSupported",
			fmt.Sprintf("The specified SystemDisk.Category %q is not supported.", sys.category))
	}
	if sys.size == 0 {
		sys.size = max(40, img.SizeGiB)
	}
	if sys.size < img.SizeGiB {
		return nil, apiErr(http.StatusBadRequest, "InvalidSystemDiskSize.LessThanImageSize",
			fmt.Sprintf("The specified SystemDisk.Size %d GiB is less than the image size %d GiB.", sys.size, img.SizeGiB))
	}
	if lo, hi := systemDiskBounds(sys.category, sys.pl); sys.size < lo || sys.size > hi {
		return nil, apiErr(http.StatusBadRequest, "InvalidSystemDiskSize.ValueNotSupported",
			fmt.Sprintf("The specified SystemDisk.Size is out of the permitted range (%d-%d GiB).", lo, hi))
	}

	// Data disks: the image's, then the requested ones.
	var data []diskSpec
	for _, d := range img.DataDiskSnapshots {
		data = append(data, diskSpec{category: "cloud_essd", snapshot: d.SnapshotID, size: d.SizeGiB, device: d.Device, deleteWithInstance: true})
	}
	for i, g := range c.indexed("DataDisk") {
		d := diskSpec{
			name: g["DiskName"], desc: g["Description"], category: g["Category"], pl: g["PerformanceLevel"],
			snapshot: g["SnapshotId"], device: g["Device"], kms: g["KMSKeyId"],
			encrypted: g["Encrypted"] == "true", deleteWithInstance: g["DeleteWithInstance"] != "false",
		}
		field := fmt.Sprintf("DataDisk.%d.", i+1)
		if d.category == "" {
			d.category = "cloud_efficiency"
		}
		bounds, ok := diskCategories[d.category]
		if !ok {
			return nil, apiErr(http.StatusBadRequest, "InvalidDataDiskCategory.ValueNotSupported",
				fmt.Sprintf("The specified %sCategory %q is not supported.", field, d.category))
		}
		if s := g["Size"]; s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				return nil, errInvalidParam(field+"Size", s)
			}
			d.size = n
		}
		if d.snapshot != "" {
			snapSize, ok := e.hooks.snapshot(c.AccountID, c.Region, d.snapshot)
			if !ok {
				return nil, notFound("InvalidSnapshotId.NotFound", fmt.Sprintf("The specified snapshot %q does not exist.", d.snapshot))
			}
			if d.size == 0 {
				d.size = snapSize
			}
			if d.size < snapSize {
				return nil, apiErr(http.StatusBadRequest, "InvalidDataDiskSize.ValueNotSupported",
					fmt.Sprintf("The specified %sSize %d GiB is smaller than the snapshot (%d GiB).", field, d.size, snapSize))
			}
		} else if d.size == 0 {
			return nil, errMissingParam(field + "Size")
		}
		if d.category == "cloud_essd" {
			bounds[0] = essdMinSize(d.pl)
		}
		if d.size < bounds[0] || d.size > bounds[1] {
			return nil, apiErr(http.StatusBadRequest, "InvalidDataDiskSize.ValueNotSupported",
				fmt.Sprintf("The specified %sSize %d GiB is out of the permitted range for %s.", field, d.size, d.category))
		}
		data = append(data, d)
	}
	if len(data) > typ.Disks {
		return nil, apiErr(http.StatusBadRequest, "InvalidParameter.DataDisk", "Too many data disks for the instance type.")
	}

	// Addresses.
	privateIP := nic.primaryIP
	if privateIP != "" {
		if amount > 1 {
			return nil, apiErr(http.StatusBadRequest, "InvalidParameter.Conflict", "PrivateIpAddress can only be set when Amount is 1.")
		}
		if !inCIDR(privateIP, vsw.CIDR) {
			return nil, apiErr(http.StatusBadRequest, "InvalidPrivateIpAddress", "The specified PrivateIpAddress is not in the vSwitch's CIDR block.")
		}
		if ipInUse(r, privateIP) {
			return nil, apiErr(http.StatusBadRequest, "InvalidPrivateIpAddress.Duplicated", "The specified PrivateIpAddress is already in use.")
		}
	}
	if secondary < 0 || secondary > typ.IPsPerENI-1 {
		return nil, errInvalidParam("NetworkInterface.1.SecondaryPrivateIpAddressCount", strconv.Itoa(secondary))
	}
	tags := c.tags()
	if len(tags) > 20 {
		return nil, apiErr(http.StatusBadRequest, "InvalidTagCount", "The number of tags exceeds 20.")
	}
	if dryRun {
		return nil, errDryRun()
	}

	d := c.durations()
	ids := make([]string, 0, amount)
	for n := 0; n < amount; n++ {
		id := newID("i", r.code)
		inst := &ecsInstance{
			ID: id, Name: c.str("InstanceName"), Description: c.str("Description"), HostName: c.str("HostName"),
			RegionID: r.ID, ZoneID: vsw.ZoneID, Type: typ.ID, ImageID: img.ID, OSName: img.OSName, OSType: img.OSType,
			VpcID: vsw.VpcID, VSwitchID: vsw.ID, SecurityGrps: append([]string{}, sgs...),
			Created: c.now, Tags: map[string]string{},
		}
		if inst.Name == "" {
			inst.Name = id
		} else if amount > 1 && uniqueSuffix {
			inst.Name = fmt.Sprintf("%s%03d", inst.Name, n+1)
		}
		if inst.HostName == "" {
			inst.HostName = "iZ" + id[2:] + "Z"
		}
		// Register the instance first so each allocation sees the last.
		r.instances[id] = inst
		if privateIP != "" {
			inst.PrivateIPs = []string{privateIP}
		}
		for len(inst.PrivateIPs) < 1+secondary {
			ip, ok := freePrivateIP(r, vsw)
			if !ok {
				// Undo this call's instances: RunInstances is all or nothing.
				for _, done := range append(ids, id) {
					for _, did := range r.instances[done].DiskIDs {
						delete(r.disks, did)
					}
					delete(r.instances, done)
				}
				return nil, apiErr(http.StatusForbidden, "InvalidVSwitchId.IpNotEnough", "The vSwitch has not enough free private IP addresses.")
			}
			inst.PrivateIPs = append(inst.PrivateIPs, ip)
		}
		for _, t := range tags {
			inst.Tags[t.Key] = t.Value
		}
		inst.Status.begin(c.now, d.InstanceCreate, "Running", "Pending", "Starting")
		specs := append([]diskSpec{sys}, data...)
		assignDevices(specs)
		for k, spec := range specs {
			disk := &ecsDisk{
				ID: newID("d", r.code), Name: spec.name, Description: spec.desc, SizeGiB: spec.size,
				Category: spec.category, PerformanceLevel: spec.pl, Type: "data", InstanceID: id,
				Device: spec.device, ZoneID: vsw.ZoneID, RegionID: r.ID, SourceSnapshotID: spec.snapshot,
				Encrypted: spec.encrypted, KMSKeyID: spec.kms, DeleteWithInstance: spec.deleteWithInstance,
				Created: c.now, Tags: map[string]string{},
			}
			if k == 0 {
				disk.Type, disk.ImageID = "system", img.ID
			}
			if disk.Category == "cloud_essd" && disk.PerformanceLevel == "" {
				disk.PerformanceLevel = "PL1"
			}
			disk.Status.settle("In_use")
			r.disks[disk.ID] = disk
			inst.DiskIDs = append(inst.DiskIDs, disk.ID)
			e.created(disk.ID)
		}
		r.instances[id] = inst
		e.created(id)
		ids = append(ids, id)
	}
	c.remember(ids)
	resp := ecs.RunInstancesResponse{RequestId: c.RequestID, OrderId: strconv.FormatInt(c.now.UnixNano()/1000, 10)}
	resp.InstanceIdSets.InstanceIdSet = ids
	return resp, nil
}

// assignDevices gives disks without a requested device the next free
// /dev/xvdX in order.
func assignDevices(specs []diskSpec) {
	used := map[string]bool{}
	for _, s := range specs {
		used[s.device] = s.device != ""
	}
	next := 0
	for i := range specs {
		for specs[i].device == "" && next < 26 {
			dev := "/dev/xvd" + string(rune('a'+next))
			next++
			if !used[dev] {
				specs[i].device, used[dev] = dev, true
			}
		}
	}
}

func inCIDR(ip, cidr string) bool {
	_, n, err := net.ParseCIDR(cidr)
	addr := net.ParseIP(ip)
	return err == nil && addr != nil && n.Contains(addr)
}

func ipInUse(r *ecsRegion, ip string) bool {
	for _, inst := range r.instances {
		if contains(inst.PrivateIPs, ip) {
			return true
		}
	}
	return false
}
