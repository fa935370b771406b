package emulator

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// Instances: RunInstances, DescribeInstances, Start/Stop/DeleteInstance(s).

func errInstanceNotFound(id string) error {
	return notFound("InvalidInstanceId.NotFound", fmt.Sprintf("The specified InstanceId %q does not exist.", id))
}

func errIncorrectInstanceStatus() error {
	return apiErr(http.StatusForbidden, "IncorrectInstanceStatus", "The current status of the resource does not support this operation.")
}

func errDryRun() error {
	return apiErr(http.StatusBadRequest, "DryRunOperation", "Request validation has been passed with DryRun flag set.")
}

// instance finds an instance of the call's region.
func (c *rpcCall) instance(id string) (*ecsInstance, error) {
	if id == "" {
		return nil, errMissingParam("InstanceId")
	}
	inst, ok := c.region().instances[id]
	if !ok {
		return nil, errInstanceNotFound(id)
	}
	return inst, nil
}

// pager is PageNumber/PageSize or NextToken/MaxResults paging; the token
// mode is used as soon as either of its parameters is sent.
type pager struct {
	token        bool
	number, size int
	offset       int
}

func (c *rpcCall) pager(defSize, maxSize int) pager {
	if c.str("NextToken") != "" || c.str("MaxResults") != "" {
		p := pager{token: true, size: c.int("MaxResults", defSize)}
		if p.size < 1 || p.size > maxSize {
			c.fail(apiErr(http.StatusBadRequest, "InvalidParameter.MaxResults", "The specified parameter MaxResults is not valid."))
		}
		if t := c.str("NextToken"); t != "" {
			off, err := strconv.Atoi(strings.TrimPrefix(t, "nt-"))
			if err != nil || off < 0 || !strings.HasPrefix(t, "nt-") {
				c.fail(apiErr(http.StatusBadRequest, "InvalidParameter.NextToken", "The specified parameter NextToken is not valid."))
			}
			p.offset = off
		}
		return p
	}
	number, size := c.page(defSize, maxSize)
	return pager{number: number, size: size, offset: (number - 1) * size}
}

// window returns the [start,end) slice of n items and the next token ("" at
// the end or in page mode).
func (p pager) window(n int) (start, end int, next string) {
	start = min(p.offset, n)
	end = min(start+p.size, n)
	if p.token && end < n {
		next = "nt-" + strconv.Itoa(end)
	}
	return start, end, next
}

// matchTags reports whether tags has every Tag.N filter (an empty Value
// matches any value of the key).
func matchTags(tags map[string]string, filter []tag) bool {
	for _, f := range filter {
		v, ok := tags[f.Key]
		if !ok || f.Value != "" && v != f.Value {
			return false
		}
	}
	return true
}

func sdkTags(m map[string]string) []ecs.Tag {
	out := []ecs.Tag{}
	for _, k := range sortedKeys(m) {
		out = append(out, ecs.Tag{Key: k, Value: m[k], TagKey: k, TagValue: m[k]})
	}
	return out
}

func (c *rpcCall) instanceView(inst *ecsInstance) ecs.Instance {
	t, _ := findInstanceType(inst.Type)
	v := ecs.Instance{
		InstanceId: inst.ID, InstanceName: inst.Name, Description: inst.Description,
		HostName: inst.HostName, Hostname: inst.HostName,
		RegionId: inst.RegionID, ZoneId: inst.ZoneID, InstanceType: inst.Type, InstanceTypeFamily: t.Family,
		Cpu: t.Cores, CPU: t.Cores, Memory: int(t.MemoryGiB * 1024),
		ImageId: inst.ImageID, OSName: inst.OSName, OSNameEn: inst.OSName, OSType: inst.OSType, OsType: inst.OSType,
		Status: inst.Status.at(c.now), CreationTime: isoTime(inst.Created), StartTime: isoTime(inst.Created),
		InstanceNetworkType: "vpc", InstanceChargeType: "PostPaid", InternetChargeType: "PayByTraffic",
		IoOptimized: true, DeviceAvailable: true, ExpiredTime: "2099-12-31T15:59Z",
		SerialNumber: inst.ID[2:], InstanceOwnerId: ownerID(c.AccountID),
	}
	v.SecurityGroupIds.SecurityGroupId = append([]string{}, inst.SecurityGrps...)
	v.VpcAttributes.VpcId = inst.VpcID
	v.VpcAttributes.VSwitchId = inst.VSwitchID
	v.VpcAttributes.PrivateIpAddress.IpAddress = append([]string{}, inst.PrivateIPs[:1]...)
	v.InnerIpAddress.IpAddress = []string{}
	v.PublicIpAddress.IpAddress = []string{}
	eni := ecs.NetworkInterface{
		NetworkInterfaceId: "eni-" + inst.ID[2:], Type: "Primary", PrimaryIpAddress: inst.PrivateIPs[0],
		MacAddress: macFor(inst.ID),
	}
	for i, ip := range inst.PrivateIPs {
		eni.PrivateIpSets.PrivateIpSet = append(eni.PrivateIpSets.PrivateIpSet, ecs.PrivateIpSet{PrivateIpAddress: ip, Primary: i == 0})
	}
	v.NetworkInterfaces.NetworkInterface = []ecs.NetworkInterface{eni}
	v.Tags.Tag = sdkTags(inst.Tags)
	v.OperationLocks.LockReason = []ecs.LockReason{}
	return v
}

func ownerID(accountID string) int64 { n, _ := strconv.ParseInt(accountID, 10, 64); return n }

func macFor(id string) string {
	h := 0
	for _, ch := range id {
		h = h*31 + int(ch)
	}
	return fmt.Sprintf("00:16:3e:%02x:%02x:%02x", (h>>16)&0xff, (h>>8)&0xff, h&0xff)
}

func (e *ecsService) describeInstances(c *rpcCall) (any, error) {
	ids := c.jsonStrings("InstanceIds")
	status, zone, vsw, vpc := c.str("Status"), c.str("ZoneId"), c.str("VSwitchId"), c.str("VpcId")
	name, image, typ := c.str("InstanceName"), c.str("ImageId"), c.str("InstanceType")
	tags := c.tags()
	p := c.pager(10, 100)
	if err := c.err(); err != nil {
		return nil, err
	}
	if len(ids) > 100 {
		return nil, errInvalidParam("InstanceIds", c.str("InstanceIds"))
	}
	r := c.region()
	var all []*ecsInstance
	for _, inst := range r.instances {
		if len(ids) > 0 && !contains(ids, inst.ID) ||
			status != "" && inst.Status.at(c.now) != status ||
			zone != "" && inst.ZoneID != zone || vsw != "" && inst.VSwitchID != vsw || vpc != "" && inst.VpcID != vpc ||
			name != "" && !matchName(name, inst.Name) || image != "" && inst.ImageID != image || typ != "" && inst.Type != typ ||
			!matchTags(inst.Tags, tags) {
			continue
		}
		if e.hidden(inst.ID) {
			continue
		}
		all = append(all, inst)
	}
	sortByCreated(all, func(i *ecsInstance) (string, int64) { return i.ID, i.Created.UnixNano() })
	start, end, next := p.window(len(all))
	resp := ecs.DescribeInstancesResponse{RequestId: c.RequestID, TotalCount: len(all), PageSize: p.size, NextToken: next}
	if !p.token {
		resp.PageNumber = p.number
	}
	resp.Instances.Instance = []ecs.Instance{}
	for _, inst := range all[start:end] {
		resp.Instances.Instance = append(resp.Instances.Instance, c.instanceView(inst))
	}
	return resp, nil
}

// matchName supports the API's trailing-* fuzzy match.
func matchName(pattern, name string) bool {
	if p, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(name, p)
	}
	return pattern == name
}

// sortByCreated orders newest first, then by id, as describe calls do.
func sortByCreated[T any](s []T, key func(T) (string, int64)) {
	sort.Slice(s, func(i, j int) bool {
		ii, ti := key(s[i])
		ij, tj := key(s[j])
		if ti != tj {
			return ti > tj
		}
		return ii < ij
	})
}

// idemPayload is the canonical form of a call for ClientToken idempotency:
// every parameter but the per-request signature fields.
func idemPayload(params map[string]string) string {
	skip := map[string]bool{"Signature": true, "SignatureNonce": true, "Timestamp": true, "ClientToken": true}
	keys := make([]string, 0, len(params))
	for k := range params {
		if !skip[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "=" + params[k] + "\n")
	}
	return b.String()
}

// replay answers a repeated ClientToken: the ids the first call created
// when the payload is the same, IdempotentParameterMismatch otherwise.
func (c *rpcCall) replay() (ids []string, ok bool, err error) {
	token := c.str("ClientToken")
	if token == "" {
		return nil, false, nil
	}
	entry, ok := c.region().clientTokens[c.Action+"\x00"+token]
	if !ok {
		return nil, false, nil
	}
	if entry.payload != idemPayload(c.params) {
		return nil, false, apiErr(http.StatusBadRequest, "IdempotentParameterMismatch", "The specified parameters are different from before.")
	}
	return append([]string{}, entry.ids...), true, nil
}

// remember records the ids a ClientToken call created.
func (c *rpcCall) remember(ids []string) {
	if token := c.str("ClientToken"); token != "" {
		c.region().clientTokens[c.Action+"\x00"+token] = &clientTokenEntry{payload: idemPayload(c.params), ids: ids}
	}
}

func (e *ecsService) startInstance(c *rpcCall) (any, error) {
	if err := c.transitionInstance("Stopped", c.durations().InstanceStart, "Running", "Starting"); err != nil {
		return nil, err
	}
	return ecs.StartInstanceResponse{RequestId: c.RequestID}, nil
}

func (e *ecsService) stopInstance(c *rpcCall) (any, error) {
	if err := c.transitionInstance("Running", c.durations().InstanceStop, "Stopped", "Stopping"); err != nil {
		return nil, err
	}
	return ecs.StopInstanceResponse{RequestId: c.RequestID}, nil
}

func (e *ecsService) rebootInstance(c *rpcCall) (any, error) {
	d := c.durations()
	if err := c.transitionInstance("Running", d.InstanceStop+d.InstanceStart, "Running", "Stopping", "Starting"); err != nil {
		return nil, err
	}
	return ecs.RebootInstanceResponse{RequestId: c.RequestID}, nil
}

// transitionInstance moves the call's InstanceId from state from through
// steps to final over d, after the checks Start/Stop/RebootInstance share.
func (c *rpcCall) transitionInstance(from string, d time.Duration, final string, steps ...string) error {
	dryRun := c.bool("DryRun")
	inst, err := c.instance(c.str("InstanceId"))
	if err != nil {
		return err
	}
	if inst.Status.at(c.now) != from {
		return errIncorrectInstanceStatus()
	}
	if dryRun {
		return errDryRun()
	}
	inst.Status.begin(c.now, d, final, steps...)
	return nil
}

// checkDeletable applies DeleteInstance's rules: only Stopped instances,
// or any instance with Force.
func (c *rpcCall) checkDeletable(inst *ecsInstance, force bool) error {
	if st := inst.Status.at(c.now); st != "Stopped" && !force {
		return errIncorrectInstanceStatus()
	}
	return nil
}

// release removes an instance; its disks go with it unless
// DeleteWithInstance is off, in which case they are detached.
func (c *rpcCall) release(inst *ecsInstance) {
	r := c.region()
	for _, id := range inst.DiskIDs {
		d, ok := r.disks[id]
		if !ok {
			continue
		}
		if d.DeleteWithInstance {
			delete(r.disks, id)
			continue
		}
		d.InstanceID, d.Device = "", ""
		d.Status.settle("Available")
	}
	delete(r.instances, inst.ID)
}

func (e *ecsService) deleteInstance(c *rpcCall) (any, error) {
	force, dryRun := c.bool("Force"), c.bool("DryRun")
	inst, err := c.instance(c.str("InstanceId"))
	if err != nil {
		return nil, err
	}
	if err := c.checkDeletable(inst, force); err != nil {
		return nil, err
	}
	if dryRun {
		return nil, errDryRun()
	}
	c.release(inst)
	return ecs.DeleteInstanceResponse{RequestId: c.RequestID}, nil
}

func (e *ecsService) deleteInstances(c *rpcCall) (any, error) {
	force, dryRun := c.bool("Force"), c.bool("DryRun")
	ids := c.list("InstanceId")
	if err := c.err(); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, errMissingParam("InstanceId.1")
	}
	var insts []*ecsInstance
	for _, id := range ids {
		inst, err := c.instance(id)
		if err != nil {
			return nil, err
		}
		if err := c.checkDeletable(inst, force); err != nil {
			return nil, err
		}
		insts = append(insts, inst)
	}
	if dryRun {
		return nil, errDryRun()
	}
	for _, inst := range insts {
		c.release(inst)
	}
	return ecs.DeleteInstancesResponse{RequestId: c.RequestID}, nil
}

func (e *ecsService) describeInstanceStatus(c *rpcCall) (any, error) {
	ids, zone := c.list("InstanceId"), c.str("ZoneId")
	number, size := c.page(10, 50)
	if err := c.err(); err != nil {
		return nil, err
	}
	var all []*ecsInstance
	for _, inst := range c.region().instances {
		if len(ids) > 0 && !contains(ids, inst.ID) || zone != "" && inst.ZoneID != zone || e.hidden(inst.ID) {
			continue
		}
		all = append(all, inst)
	}
	sortByCreated(all, func(i *ecsInstance) (string, int64) { return i.ID, i.Created.UnixNano() })
	resp := ecs.DescribeInstanceStatusResponse{RequestId: c.RequestID, PageNumber: number, PageSize: size, TotalCount: len(all)}
	resp.InstanceStatuses.InstanceStatus = []ecs.InstanceStatus{}
	for _, inst := range pageOf(all, number, size) {
		resp.InstanceStatuses.InstanceStatus = append(resp.InstanceStatuses.InstanceStatus,
			ecs.InstanceStatus{InstanceId: inst.ID, Status: inst.Status.at(c.now)})
	}
	return resp, nil
}

func (e *ecsService) modifyInstanceAttribute(c *rpcCall) (any, error) {
	inst, err := c.instance(c.str("InstanceId"))
	if err != nil {
		return nil, err
	}
	name, host := c.str("InstanceName"), c.str("HostName")
	if len(name) > 128 || strings.HasPrefix(name, "http://") || strings.HasPrefix(name, "https://") {
		return nil, apiErr(http.StatusBadRequest, "InvalidInstanceName.Malformed", "The specified InstanceName is not valid.")
	}
	sgs := c.list("SecurityGroupIds")
	for _, id := range sgs {
		sg, ok := c.region().securityGroups[id]
		if !ok {
			return nil, notFound("InvalidSecurityGroupId.NotFound", fmt.Sprintf("The specified SecurityGroupId %q does not exist.", id))
		}
		if sg.VpcID != inst.VpcID {
			return nil, apiErr(http.StatusBadRequest, "InvalidSecurityGroup.VpcMismatch", "The security group and the instance are not in the same VPC.")
		}
	}
	if name != "" {
		inst.Name = name
	}
	if host != "" {
		inst.HostName = host
	}
	if c.has("Description") {
		inst.Description = c.str("Description")
	}
	if len(sgs) > 0 {
		inst.SecurityGrps = sgs
	}
	return ecs.ModifyInstanceAttributeResponse{RequestId: c.RequestID}, nil
}

// batchTransition is StartInstances/StopInstances: from must hold for each
// instance. AllTogether (the default) fails the call if any instance cannot
// move; SuccessFirst moves those that can and reports each.
func (c *rpcCall) batchTransition(from, final, step string, d func(Durations) time.Duration) ([]ecs.InstanceResponse, error) {
	ids := c.list("InstanceId")
	dryRun := c.bool("DryRun")
	mode := c.str("BatchOptimization")
	if err := c.err(); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, errMissingParam("InstanceId.1")
	}
	if len(ids) > 100 {
		return nil, errInvalidParam("InstanceId", strconv.Itoa(len(ids)))
	}
	if mode != "" && mode != "AllTogether" && mode != "SuccessFirst" {
		return nil, errInvalidParam("BatchOptimization", mode)
	}
	successFirst := mode == "SuccessFirst"
	out := make([]ecs.InstanceResponse, 0, len(ids))
	var movable []*ecsInstance
	for _, id := range ids {
		inst, err := c.instance(id)
		if err == nil && inst.Status.at(c.now) != from {
			err = errIncorrectInstanceStatus()
		}
		if err != nil {
			if !successFirst {
				return nil, err
			}
			ae := err.(*apiError) //nolint:errorlint // the emulator's own unwrapped error, made just above
			r := ecs.InstanceResponse{InstanceId: id, Code: ae.Code, Message: ae.Message}
			if inst != nil {
				r.PreviousStatus, r.CurrentStatus = inst.Status.at(c.now), inst.Status.at(c.now)
			}
			out = append(out, r)
			continue
		}
		movable = append(movable, inst)
		out = append(out, ecs.InstanceResponse{InstanceId: id, Code: "200", Message: "success", PreviousStatus: from, CurrentStatus: step})
	}
	if dryRun {
		return nil, errDryRun()
	}
	for _, inst := range movable {
		inst.Status.begin(c.now, d(c.durations()), final, step)
	}
	return out, nil
}

func (e *ecsService) startInstances(c *rpcCall) (any, error) {
	rs, err := c.batchTransition("Stopped", "Running", "Starting", func(d Durations) time.Duration { return d.InstanceStart })
	if err != nil {
		return nil, err
	}
	resp := ecs.StartInstancesResponse{RequestId: c.RequestID}
	resp.InstanceResponses.InstanceResponse = rs
	return resp, nil
}

func (e *ecsService) stopInstances(c *rpcCall) (any, error) {
	rs, err := c.batchTransition("Running", "Stopped", "Stopping", func(d Durations) time.Duration { return d.InstanceStop })
	if err != nil {
		return nil, err
	}
	resp := ecs.StopInstancesResponse{RequestId: c.RequestID}
	resp.InstanceResponses.InstanceResponse = rs
	return resp, nil
}
