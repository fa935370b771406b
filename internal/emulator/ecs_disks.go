package emulator

import (
	"fmt"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// Disks: DescribeDisks. Disks are created and released with instances.

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
