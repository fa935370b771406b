package cloud

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// Instance statuses as DescribeInstances reports them.
const (
	InstanceStatusPending  = "Pending"
	InstanceStatusStarting = "Starting"
	InstanceStatusRunning  = "Running"
	InstanceStatusStopping = "Stopping"
	InstanceStatusStopped  = "Stopped"
)

// Instance is an instance as DescribeInstances returns it.
type Instance = ecs.Instance

// FindInstanceByID returns the instance id in region, or a *NotFoundError.
// Concurrent lookups are batched (batch.go).
func (c *Client) FindInstanceByID(ctx context.Context, region, id string) (*ecs.Instance, error) {
	return findByID(ctx, c, instancesByID, KindInstance, region, id)
}

// instancesByID finds instances with DescribeInstances' InstanceIds, a JSON
// array of up to 100 ids.
var instancesByID = batchKind[ecs.Instance]{
	action: "DescribeInstances",
	id:     func(in *ecs.Instance) string { return in.InstanceId },
	fetch: func(ctx context.Context, c *Client, region string, ids []string) ([]ecs.Instance, error) {
		list := jsonParam(ids)
		var out []ecs.Instance
		err := AllPages(ctx, func(page int) (int, int, error) {
			req := ecs.CreateDescribeInstancesRequest()
			req.InstanceIds = list
			req.PageNumber = requestsInt(page)
			req.PageSize = requestsInt(PageSize)
			resp := ecs.CreateDescribeInstancesResponse()
			if err := c.DoECS(ctx, region, req, resp); err != nil {
				return 0, 0, err
			}
			out = append(out, resp.Instances.Instance...)
			return len(resp.Instances.Instance), resp.TotalCount, nil
		})
		return out, err
	},
}

// InstanceDiskInput is one disk of RunInstanceInput. Size 0 lets the API
// derive it (from the image or the snapshot).
type InstanceDiskInput struct {
	Category   string `json:",omitempty"`
	Size       int    `json:",omitempty"`
	SnapshotID string `json:",omitempty"` // data disks only
}

// RunInstanceInput is one pay-as-you-go VPC instance. Its JSON form is the
// request's identity for idempotency tokens, so field order is stable.
type RunInstanceInput struct {
	ImageID          string
	InstanceType     string
	VSwitchID        string
	ZoneID           string   `json:",omitempty"`
	SecurityGroupIDs []string // sorted by RunInstance's caller for stable tokens
	Name             string   `json:",omitempty"`
	Description      string   `json:",omitempty"`
	SystemDisk       InstanceDiskInput
	DataDisks        []InstanceDiskInput `json:",omitempty"`
	// PrivateIPs is the total number of private IPs (primary included).
	PrivateIPs int
	Tags       map[string]string `json:",omitempty"`
}

func (in RunInstanceInput) request(token string) *ecs.RunInstancesRequest {
	req := ecs.CreateRunInstancesRequest()
	req.ImageId = in.ImageID
	req.InstanceType = in.InstanceType
	req.VSwitchId = in.VSwitchID
	req.ZoneId = in.ZoneID
	sgs := append([]string{}, in.SecurityGroupIDs...)
	req.SecurityGroupIds = &sgs
	req.InstanceName = in.Name
	req.Description = in.Description
	req.InstanceChargeType = "PostPaid"
	req.Amount = requests.NewInteger(1)
	req.SystemDiskCategory = in.SystemDisk.Category
	if in.SystemDisk.Size > 0 {
		req.SystemDiskSize = strconv.Itoa(in.SystemDisk.Size)
	}
	if len(in.DataDisks) > 0 {
		dd := make([]ecs.RunInstancesDataDisk, 0, len(in.DataDisks))
		for _, d := range in.DataDisks {
			x := ecs.RunInstancesDataDisk{Category: d.Category, SnapshotId: d.SnapshotID, DeleteWithInstance: "true"}
			if d.Size > 0 {
				x.Size = strconv.Itoa(d.Size)
			}
			dd = append(dd, x)
		}
		req.DataDisk = &dd
	}
	if in.PrivateIPs > 1 {
		// Secondary private IPs exist only as
		// NetworkInterface.N.SecondaryPrivateIpAddressCount, and with
		// NetworkInterface.N.InstanceType=Primary the vSwitch and security
		// groups move into the interface and may not be given at the top
		// level (ecs-20140526 v7.7.0 RunInstancesRequestNetworkInterface).
		// The pinned SDK's struct lacks the count field, hence the query
		// parameter.
		req.NetworkInterface = &[]ecs.RunInstancesNetworkInterface{{
			InstanceType: "Primary", VSwitchId: in.VSwitchID, SecurityGroupIds: &sgs,
		}}
		req.VSwitchId, req.SecurityGroupIds = "", nil
		req.QueryParams["NetworkInterface.1.SecondaryPrivateIpAddressCount"] = strconv.Itoa(in.PrivateIPs - 1)
	}
	req.Tag = sdkTags(in.Tags, func(k, v string) ecs.RunInstancesTag { return ecs.RunInstancesTag{Key: k, Value: v} })
	req.ClientToken = token
	return req
}

// RunInstance creates one instance with the ClientToken token and returns
// its id. It does not wait: use WaitInstanceStatus.
func (c *Client) RunInstance(ctx context.Context, region string, in RunInstanceInput, token string) (string, error) {
	resp := ecs.CreateRunInstancesResponse()
	if err := c.DoECS(ctx, region, in.request(token), resp); err != nil {
		return "", err
	}
	ids := resp.InstanceIdSets.InstanceIdSet
	if len(ids) != 1 {
		return "", fmt.Errorf("ECS RunInstances in %s returned %d instance ids, want 1: %v", region, len(ids), ids)
	}
	return ids[0], nil
}

// WaitInstanceStatus waits until the instance reaches status and returns it.
// Progress (Pending, Starting, ...) is logged at INFO. An instance that
// vanishes is a *NotFoundError after a short grace for eventual consistency.
func (c *Client) WaitInstanceStatus(ctx context.Context, region, id, status string, timeout time.Duration) (*ecs.Instance, error) {
	var last *ecs.Instance
	err := c.wait(ctx, StateWait{
		What:           fmt.Sprintf("instance %s in %s to be %s", id, region, status),
		Target:         []string{status},
		NotFoundChecks: notFoundGrace,
		Timeout:        timeout,
		Poll:           WaitOptions{Interval: time.Second, MaxInterval: 10 * time.Second},
		Refresh: func(ctx context.Context) (string, int, error) {
			in, err := c.FindInstanceByID(ctx, region, id)
			if err != nil {
				return "", -1, err
			}
			last = in
			return in.Status, -1, nil
		},
	})
	return last, err
}

// WaitInstanceDeleted waits until DescribeInstances no longer shows id.
func (c *Client) WaitInstanceDeleted(ctx context.Context, region, id string, timeout time.Duration) error {
	return c.wait(ctx, StateWait{
		What:       fmt.Sprintf("instance %s in %s to be deleted", id, region),
		TargetGone: true,
		Timeout:    timeout,
		Poll:       WaitOptions{Interval: time.Second},
		Refresh: func(ctx context.Context) (string, int, error) {
			in, err := c.FindInstanceByID(ctx, region, id)
			if err != nil {
				return "", -1, err
			}
			return in.Status, -1, nil
		},
	})
}

// WaitInstanceDisks waits until DescribeDisks shows at least want disks
// attached to the instance (new disks can be invisible for a moment) and
// returns them.
func (c *Client) WaitInstanceDisks(ctx context.Context, region, id string, want int, timeout time.Duration) ([]ecs.Disk, error) {
	var disks []ecs.Disk
	err := c.wait(ctx, StateWait{
		What:    fmt.Sprintf("disks of instance %s in %s", id, region),
		Target:  []string{"all visible"},
		Timeout: timeout,
		Poll:    WaitOptions{Interval: 500 * time.Millisecond, MaxInterval: 5 * time.Second},
		Refresh: func(ctx context.Context) (string, int, error) {
			var err error
			disks, err = c.ListDisks(ctx, region, DiskFilter{InstanceID: id})
			if err != nil {
				return "", -1, err
			}
			if len(disks) >= want {
				return "all visible", -1, nil
			}
			return fmt.Sprintf("%d of %d visible", len(disks), want), -1, nil
		},
	})
	return disks, err
}

// StartInstance starts a Stopped instance.
func (c *Client) StartInstance(ctx context.Context, region, id string) error {
	req := ecs.CreateStartInstanceRequest()
	req.InstanceId = id
	return c.DoECS(ctx, region, req, ecs.CreateStartInstanceResponse())
}

// StopInstance stops a Running instance.
func (c *Client) StopInstance(ctx context.Context, region, id string) error {
	req := ecs.CreateStopInstanceRequest()
	req.InstanceId = id
	return c.DoECS(ctx, region, req, ecs.CreateStopInstanceResponse())
}

// DeleteInstance releases an instance in any state (Force). An instance
// that does not exist is success.
func (c *Client) DeleteInstance(ctx context.Context, region, id string) error {
	req := ecs.CreateDeleteInstanceRequest()
	req.InstanceId = id
	req.Force = requests.NewBoolean(true)
	err := c.DoECS(ctx, region, req, ecs.CreateDeleteInstanceResponse())
	if isMissing(err, KindInstance) {
		err = nil
	}
	if err == nil {
		c.RememberDeleted(id)
	}
	return err
}

// ModifyInstanceInput changes an instance's attributes; nil fields stay.
type ModifyInstanceInput struct {
	Name             *string
	Description      *string
	SecurityGroupIDs []string
}

// ModifyInstance applies in (ModifyInstanceAttribute).
func (c *Client) ModifyInstance(ctx context.Context, region, id string, in ModifyInstanceInput) error {
	req := ecs.CreateModifyInstanceAttributeRequest()
	req.InstanceId = id
	if in.Name != nil {
		req.InstanceName = *in.Name
	}
	if in.Description != nil {
		req.Description = *in.Description
	}
	if len(in.SecurityGroupIDs) > 0 {
		sgs := append([]string{}, in.SecurityGroupIDs...)
		req.SecurityGroupIds = &sgs
	}
	return c.DoECS(ctx, region, req, ecs.CreateModifyInstanceAttributeResponse())
}

// UpdateResourceTags adds or changes set and removes the keys of remove on
// one resource (TagResources / UntagResources). resourceType is the API's,
// e.g. "instance".
func (c *Client) UpdateResourceTags(ctx context.Context, region, resourceType, id string, set map[string]string, remove []string) error {
	if len(remove) > 0 {
		req := ecs.CreateUntagResourcesRequest()
		req.ResourceType = resourceType
		req.ResourceId = &[]string{id}
		keys := append([]string{}, remove...)
		sort.Strings(keys)
		req.TagKey = &keys
		if err := c.DoECS(ctx, region, req, ecs.CreateUntagResourcesResponse()); err != nil {
			return err
		}
	}
	if len(set) > 0 {
		req := ecs.CreateTagResourcesRequest()
		req.ResourceType = resourceType
		req.ResourceId = &[]string{id}
		req.Tag = sdkTags(set, tagResourcesTag)
		if err := c.DoECS(ctx, region, req, ecs.CreateTagResourcesResponse()); err != nil {
			return err
		}
	}
	return nil
}

// InstanceTags returns an instance's tags as a map.
func InstanceTags(in *ecs.Instance) map[string]string {
	out := map[string]string{}
	for _, t := range in.Tags.Tag {
		k, v := t.TagKey, t.TagValue
		if k == "" {
			k, v = t.Key, t.Value
		}
		if k != "" {
			out[k] = v
		}
	}
	return out
}

// InstancePrivateIPs returns the private IPs of the primary network
// interface, primary first.
func InstancePrivateIPs(in *ecs.Instance) []string {
	var out []string
	for _, eni := range in.NetworkInterfaces.NetworkInterface {
		if eni.Type != "" && eni.Type != "Primary" {
			continue
		}
		for _, s := range eni.PrivateIpSets.PrivateIpSet {
			if s.Primary {
				out = append([]string{s.PrivateIpAddress}, out...)
			} else {
				out = append(out, s.PrivateIpAddress)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return append(out, in.VpcAttributes.PrivateIpAddress.IpAddress...)
}

// FindInstanceType returns an instance type of the catalog, or a
// *NotFoundError.
func (c *Client) FindInstanceType(ctx context.Context, region, id string) (*ecs.InstanceType, error) {
	req := ecs.CreateDescribeInstanceTypesRequest()
	req.InstanceTypes = &[]string{id}
	resp := ecs.CreateDescribeInstanceTypesResponse()
	if err := c.DoECS(ctx, region, req, resp); err != nil {
		return nil, err
	}
	for i := range resp.InstanceTypes.InstanceType {
		if resp.InstanceTypes.InstanceType[i].InstanceTypeId == id {
			return &resp.InstanceTypes.InstanceType[i], nil
		}
	}
	return nil, &NotFoundError{Kind: "instance type", ID: id, Region: region}
}

// FindVSwitchByID returns a vSwitch of region, or a *NotFoundError.
func (c *Client) FindVSwitchByID(ctx context.Context, region, id string) (*ecs.VSwitch, error) {
	req := ecs.CreateDescribeVSwitchesRequest()
	req.VSwitchId = id
	resp := ecs.CreateDescribeVSwitchesResponse()
	if err := c.DoECS(ctx, region, req, resp); err != nil {
		return nil, asNotFound(err, KindVSwitch, id, region)
	}
	for i := range resp.VSwitches.VSwitch {
		if resp.VSwitches.VSwitch[i].VSwitchId == id {
			return &resp.VSwitches.VSwitch[i], nil
		}
	}
	return nil, &NotFoundError{Kind: KindVSwitch, ID: id, Region: region}
}
