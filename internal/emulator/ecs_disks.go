package emulator

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// Disks: DescribeDisks, CreateDisk, AttachDisk, DetachDisk, DeleteDisk,
// ResizeDisk. Disks are also created and released with instances.

func errDiskNotFound(id string) error {
	return notFound("InvalidDiskId.NotFound", fmt.Sprintf("The specified disk %q does not exist.", id))
}

// disk finds a disk of the call's region.
func (c *rpcCall) disk(id string) (*ecsDisk, error) {
	if id == "" {
		return nil, errMissingParam("DiskId")
	}
	d, ok := c.region().disks[id]
	if !ok {
		return nil, errDiskNotFound(id)
	}
	return d, nil
}

func (c *rpcCall) diskView(d *ecsDisk) ecs.Disk {
	v := ecs.Disk{
		DiskId: d.ID, DiskName: d.Name, Description: d.Description, Size: d.SizeGiB, Category: d.Category,
		PerformanceLevel: d.PerformanceLevel, Type: d.Type, InstanceId: d.InstanceID, Device: d.Device,
		Status: d.Status.at(c.now), ZoneId: d.ZoneID, RegionId: d.RegionID, ImageId: d.ImageID,
		SourceSnapshotId: d.SourceSnapshotID, AutoSnapshotPolicyId: d.AutoSnapshotPolicyID,
		EnableAutoSnapshot: true, EnableAutomatedSnapshotPolicy: d.AutoSnapshotPolicyID != "",
		Encrypted: d.Encrypted, KMSKeyId: d.KMSKeyID, DeleteWithInstance: d.DeleteWithInstance,
		DeleteAutoSnapshot: true, Portable: d.Type == "data", DiskChargeType: "PostPaid",
		CreationTime: isoTime(d.Created), SerialNumber: d.ID[2:], MultiAttach: "Disabled",
		IOPS: diskIOPS(d),
	}
	v.Attachments.Attachment = []ecs.Attachment{}
	if d.InstanceID != "" {
		v.AttachedTime = isoTime(d.Created)
		v.Attachments.Attachment = append(v.Attachments.Attachment, ecs.Attachment{
			InstanceId: d.InstanceID, Device: d.Device, AttachedTime: isoTime(d.Created),
		})
	}
	v.Tags.Tag = sdkTags(d.Tags)
	v.OperationLocks.OperationLock = []ecs.OperationLock{}
	return v
}

// diskIOPS is the ESSD PL1 formula, enough for display.
func diskIOPS(d *ecsDisk) int { return min(1800+50*d.SizeGiB, 50000) }

func (e *ecsService) describeDisks(c *rpcCall) (any, error) {
	ids := c.jsonStrings("DiskIds")
	instanceID, diskType, category := c.str("InstanceId"), c.str("DiskType"), c.str("Category")
	status, zone, snapshot, policy, name := c.str("Status"), c.str("ZoneId"), c.str("SnapshotId"), c.str("AutoSnapshotPolicyId"), c.str("DiskName")
	tags := c.tags()
	p := c.pager(10, 100)
	if err := c.err(); err != nil {
		return nil, err
	}
	if len(ids) > 100 {
		return nil, errInvalidParam("DiskIds", c.str("DiskIds"))
	}
	if diskType != "" && diskType != "all" && diskType != "system" && diskType != "data" {
		return nil, errInvalidParam("DiskType", diskType)
	}
	if diskType == "all" {
		diskType = ""
	}
	r := c.region()
	var all []*ecsDisk
	for _, d := range r.disks {
		if len(ids) > 0 && !contains(ids, d.ID) ||
			instanceID != "" && d.InstanceID != instanceID || diskType != "" && d.Type != diskType ||
			category != "" && d.Category != category || status != "" && status != "All" && d.Status.at(c.now) != status ||
			zone != "" && d.ZoneID != zone || snapshot != "" && d.SourceSnapshotID != snapshot ||
			policy != "" && d.AutoSnapshotPolicyID != policy || name != "" && !matchName(name, d.Name) ||
			!matchTags(d.Tags, tags) {
			continue
		}
		if e.hidden(d.ID) {
			continue
		}
		all = append(all, d)
	}
	sortByCreated(all, func(d *ecsDisk) (string, int64) { return d.ID, d.Created.UnixNano() })
	start, end, next := p.window(len(all))
	resp := ecs.DescribeDisksResponse{RequestId: c.RequestID, TotalCount: len(all), PageSize: p.size, NextToken: next}
	if !p.token {
		resp.PageNumber = p.number
	}
	resp.Disks.Disk = []ecs.Disk{}
	for _, d := range all[start:end] {
		resp.Disks.Disk = append(resp.Disks.Disk, c.diskView(d))
	}
	return resp, nil
}

func errIncorrectDiskStatus() error {
	return apiErr(http.StatusForbidden, "IncorrectDiskStatus", "The current disk status does not support this operation.")
}

func (e *ecsService) createDisk(c *rpcCall) (any, error) {
	if ids, ok, err := c.replay(); err != nil || ok {
		if err != nil {
			return nil, err
		}
		return ecs.CreateDiskResponse{RequestId: c.RequestID, DiskId: ids[0]}, nil
	}
	size := c.int("Size", 0)
	encrypted := c.bool("Encrypted")
	if err := c.err(); err != nil {
		return nil, err
	}
	r := c.region()
	zone, category, snapshot := c.str("ZoneId"), c.str("DiskCategory"), c.str("SnapshotId")
	var inst *ecsInstance
	if id := c.str("InstanceId"); id != "" {
		var err error
		if inst, err = c.instance(id); err != nil {
			return nil, err
		}
		zone = inst.ZoneID
	}
	if zone == "" {
		return nil, errMissingParam("ZoneId")
	}
	if r.zone(zone) == nil {
		return nil, notFound("InvalidZoneId.NotFound", fmt.Sprintf("The specified zone %q does not exist.", zone))
	}
	if category == "" {
		category = "cloud"
	}
	bounds, ok := diskCategories[category]
	if !ok {
		return nil, apiErr(http.StatusBadRequest, "InvalidDiskCategory.ValueNotSupported",
			fmt.Sprintf("The specified DiskCategory %q is not supported.", category))
	}
	if snapshot != "" {
		snapSize, ok := e.hooks.snapshot(c.AccountID, c.Region, snapshot)
		if !ok {
			return nil, notFound("InvalidSnapshotId.NotFound", fmt.Sprintf("The specified snapshot %q does not exist.", snapshot))
		}
		if size == 0 {
			size = snapSize
		}
		if size < snapSize {
			return nil, apiErr(http.StatusBadRequest, "InvalidDiskSize.TooSmall",
				fmt.Sprintf("The specified Size %d GiB is less than the snapshot size %d GiB.", size, snapSize))
		}
	} else if size == 0 {
		return nil, errMissingParam("Size")
	}
	if size < bounds[0] || size > bounds[1] {
		return nil, apiErr(http.StatusBadRequest, "InvalidDiskSize.ValueNotSupported",
			fmt.Sprintf("The specified Size %d GiB is out of the permitted range for %s.", size, category))
	}
	tags := c.tags()
	if len(tags) > maxTagsPerResource {
		return nil, apiErr(http.StatusBadRequest, "InvalidTagCount", "A resource can have at most 20 tags.")
	}
	if inst != nil {
		if err := c.checkAttachable(inst, false); err != nil {
			return nil, err
		}
	}
	d := &ecsDisk{
		ID: newID("d", r.code), Name: c.str("DiskName"), Description: c.str("Description"), SizeGiB: size,
		Category: category, PerformanceLevel: c.str("PerformanceLevel"), Type: "data", ZoneID: zone, RegionID: r.ID,
		SourceSnapshotID: snapshot, Encrypted: encrypted, KMSKeyID: c.str("KMSKeyId"), Created: c.now,
		Tags: map[string]string{},
	}
	if d.Category == "cloud_essd" && d.PerformanceLevel == "" {
		d.PerformanceLevel = "PL1"
	}
	for _, t := range tags {
		d.Tags[t.Key] = t.Value
	}
	dur := c.durations()
	if inst != nil {
		c.attach(d, inst, "", false)
		d.Status.begin(c.now, dur.DiskCreate+dur.DiskAttach, "In_use", "Creating", "Attaching")
	} else {
		d.Status.begin(c.now, dur.DiskCreate, "Available", "Creating")
	}
	r.disks[d.ID] = d
	e.created(d.ID)
	c.remember([]string{d.ID})
	return ecs.CreateDiskResponse{RequestId: c.RequestID, DiskId: d.ID}, nil
}

// checkAttachable tells whether inst can take one more disk (a system disk
// when bootable).
func (c *rpcCall) checkAttachable(inst *ecsInstance, bootable bool) error {
	st := inst.Status.at(c.now)
	if st != "Running" && st != "Stopped" || bootable && st != "Stopped" {
		return errIncorrectInstanceStatus()
	}
	r := c.region()
	data := 0
	for _, id := range inst.DiskIDs {
		if d, ok := r.disks[id]; ok {
			if d.Type == "system" && bootable {
				return apiErr(http.StatusForbidden, "InvalidOperation.InstanceHasSystemDisk", "The instance already has a system disk.")
			}
			if d.Type == "data" {
				data++
			}
		}
	}
	if t, ok := findInstanceType(inst.Type); ok && !bootable && data >= t.Disks {
		return apiErr(http.StatusForbidden, "InstanceDiskNumber.LimitExceed", "The instance has the maximum number of data disks.")
	}
	return nil
}

// attach links a disk to an instance on device (the next free /dev/xvdX
// when empty).
func (c *rpcCall) attach(d *ecsDisk, inst *ecsInstance, device string, bootable bool) {
	r := c.region()
	// A disk's type follows how it is attached: a former system disk can
	// serve as a data disk.
	d.Type = "data"
	if bootable {
		d.Type, device = "system", "/dev/xvda"
	}
	if device == "" {
		used := map[string]bool{}
		for _, id := range inst.DiskIDs {
			if o, ok := r.disks[id]; ok {
				used[o.Device] = true
			}
		}
		for i := 1; i < 26 && device == ""; i++ {
			if dev := "/dev/xvd" + string(rune('a'+i)); !used[dev] {
				device = dev
			}
		}
	}
	d.InstanceID, d.Device = inst.ID, device
	if bootable {
		inst.DiskIDs = append([]string{d.ID}, inst.DiskIDs...)
	} else {
		inst.DiskIDs = append(inst.DiskIDs, d.ID)
	}
}

// diskAndInstance finds the DiskId and InstanceId of AttachDisk and
// DetachDisk (a missing disk is reported before a missing instance).
func (c *rpcCall) diskAndInstance() (*ecsDisk, *ecsInstance, error) {
	d, err := c.disk(c.str("DiskId"))
	if err != nil {
		return nil, nil, err
	}
	inst, err := c.instance(c.str("InstanceId"))
	if err != nil {
		return nil, nil, err
	}
	return d, inst, nil
}

func (e *ecsService) attachDisk(c *rpcCall) (any, error) {
	bootable, deleteWith := c.bool("Bootable"), c.str("DeleteWithInstance")
	if err := c.err(); err != nil {
		return nil, err
	}
	d, inst, err := c.diskAndInstance()
	if err != nil {
		return nil, err
	}
	if d.Status.at(c.now) != "Available" {
		return nil, errIncorrectDiskStatus()
	}
	if d.ZoneID != inst.ZoneID {
		return nil, apiErr(http.StatusForbidden, "InvalidInstanceId.ZoneMismatch", "The disk and the instance are not in the same zone.")
	}
	if err := c.checkAttachable(inst, bootable); err != nil {
		return nil, err
	}
	device := c.str("Device")
	if device != "" {
		for _, id := range inst.DiskIDs {
			if o, ok := c.region().disks[id]; ok && o.Device == device {
				return nil, apiErr(http.StatusForbidden, "InvalidDevice.InUse", "The specified device is in use.")
			}
		}
	}
	if deleteWith != "" {
		d.DeleteWithInstance, _ = strconv.ParseBool(deleteWith)
	}
	c.attach(d, inst, device, bootable)
	d.Status.begin(c.now, c.durations().DiskAttach, "In_use", "Attaching")
	return ecs.AttachDiskResponse{RequestId: c.RequestID}, nil
}

func (e *ecsService) detachDisk(c *rpcCall) (any, error) {
	deleteWith := c.str("DeleteWithInstance")
	d, inst, err := c.diskAndInstance()
	if err != nil {
		return nil, err
	}
	if d.InstanceID != inst.ID || d.Status.at(c.now) != "In_use" {
		return nil, errIncorrectDiskStatus()
	}
	if d.Type == "system" && inst.Status.at(c.now) != "Stopped" {
		return nil, errIncorrectInstanceStatus()
	}
	if deleteWith != "" {
		d.DeleteWithInstance, _ = strconv.ParseBool(deleteWith)
	}
	ids := inst.DiskIDs[:0]
	for _, id := range inst.DiskIDs {
		if id != d.ID {
			ids = append(ids, id)
		}
	}
	inst.DiskIDs = ids
	d.InstanceID, d.Device = "", ""
	d.Status.begin(c.now, c.durations().DiskDetach, "Available", "Detaching")
	return ecs.DetachDiskResponse{RequestId: c.RequestID}, nil
}

func (e *ecsService) deleteDisk(c *rpcCall) (any, error) {
	d, err := c.disk(c.str("DiskId"))
	if err != nil {
		return nil, err
	}
	if d.Status.at(c.now) != "Available" {
		return nil, errIncorrectDiskStatus()
	}
	delete(c.region().disks, d.ID)
	return ecs.DeleteDiskResponse{RequestId: c.RequestID}, nil
}

func (e *ecsService) resizeDisk(c *rpcCall) (any, error) {
	newSize := c.int("NewSize", 0)
	if err := c.err(); err != nil {
		return nil, err
	}
	d, err := c.disk(c.str("DiskId"))
	if err != nil {
		return nil, err
	}
	if st := d.Status.at(c.now); st != "Available" && st != "In_use" {
		return nil, errIncorrectDiskStatus()
	}
	if newSize == 0 {
		return nil, errMissingParam("NewSize")
	}
	if newSize <= d.SizeGiB {
		return nil, apiErr(http.StatusBadRequest, "InvalidDiskSize.TooSmall", "The new size must be larger than the current size.")
	}
	limit := diskCategories[d.Category][1]
	if d.Type == "system" {
		limit = 2048
	}
	if newSize > limit {
		return nil, apiErr(http.StatusBadRequest, "InvalidDiskSize.TooLarge", "The new size exceeds the category's maximum.")
	}
	d.SizeGiB = newSize
	return ecs.ResizeDiskResponse{RequestId: c.RequestID}, nil
}
