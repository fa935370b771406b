package emulator

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// encodeOutput applies ContentEncoding (Base64 unless PlainText) to output.
func encodeOutput(out, encoding string) string {
	if strings.EqualFold(encoding, "PlainText") {
		return out
	}
	return base64.StdEncoding.EncodeToString([]byte(out))
}

// settleReleased ends a run whose instance was released while the command
// ran, as Cloud Assistant reports it: DescribeInvocationResults ErrorCode
// InstanceReleased, "the instance has released when create task" (its
// ErrorCode and ErrorInfo lists). The instance never answers again.
func (c *rpcCall) settleReleased(t *invokeTarget) {
	if !c.now.Before(t.end) {
		return
	}
	if _, ok := c.region().instances[t.InstanceID]; ok {
		return
	}
	t.end, t.final, t.exitCode, t.output = c.now, "Failed", -1, ""
	t.errorCode, t.errorInfo = "InstanceReleased", "the instance has released when create task"
}

// invocationsMatching lists the region's invocations the call's InvokeId,
// CommandId and InstanceId select, newest first, after answering any
// parameter error the caller recorded.
func (c *rpcCall) invocationsMatching() ([]*ecsInvocation, error) {
	if err := c.err(); err != nil {
		return nil, err
	}
	invokeID, commandID, instanceID := c.str("InvokeId"), c.str("CommandId"), c.str("InstanceId")
	var out []*ecsInvocation
	for _, inv := range c.region().invocations {
		for _, t := range inv.Targets {
			c.settleReleased(t)
		}
		if invokeID != "" && inv.ID != invokeID || commandID != "" && inv.Command.ID != commandID {
			continue
		}
		if instanceID != "" {
			found := false
			for _, t := range inv.Targets {
				found = found || t.InstanceID == instanceID
			}
			if !found {
				continue
			}
		}
		out = append(out, inv)
	}
	if invokeID != "" && len(out) == 0 {
		if _, ok := c.region().invocations[invokeID]; !ok {
			return nil, notFound("InvalidInvokeId.NotFound", "The specified invocation does not exist.")
		}
	}
	sortByCreated(out, func(i *ecsInvocation) (string, int64) { return i.ID, i.Created.UnixNano() })
	return out, nil
}

func (e *ecsService) describeInvocations(c *rpcCall) (any, error) {
	status, cmdType, cmdName := c.str("InvokeStatus"), c.str("CommandType"), c.str("CommandName")
	includeOutput, encoding := c.bool("IncludeOutput"), c.str("ContentEncoding")
	p := c.pager(10, 50)
	all, err := c.invocationsMatching()
	if err != nil {
		return nil, err
	}
	var list []ecs.Invocation
	for _, inv := range all {
		agg, legacy := inv.aggregate(c.now)
		if status != "" && status != agg || cmdType != "" && inv.Command.Type != cmdType || cmdName != "" && inv.Command.Name != cmdName {
			continue
		}
		v := ecs.Invocation{
			InvokeId: inv.ID, CommandId: inv.Command.ID, CommandName: inv.Command.Name, CommandType: inv.Command.Type,
			CommandDescription: inv.Command.Description, CommandContent: base64.StdEncoding.EncodeToString([]byte(inv.Command.Content)),
			InvocationStatus: agg, InvokeStatus: legacy, Timeout: int64(inv.Timeout), RepeatMode: "Once",
			CreationTime: isoTimeSec(inv.Created), WorkingDir: inv.Command.WorkingDir, Username: "root",
			TerminationMode: "Process", VmCount: len(inv.Targets),
		}
		v.InvokeInstances.InvokeInstance = []ecs.InvokeInstance{}
		for _, t := range inv.Targets {
			st := t.status(c.now)
			ii := ecs.InvokeInstance{
				InstanceId: t.InstanceID, InvocationStatus: st, InstanceInvokeStatus: legacyInstanceStatus(st),
				CreationTime: isoTimeSec(inv.Created), StartTime: isoTimeSec(t.start), UpdateTime: isoTimeSec(c.now), Repeats: 1,
			}
			if st != "Running" {
				ii.FinishTime, ii.UpdateTime = isoTimeSec(t.end), isoTimeSec(t.end)
				ii.ExitCode, ii.ErrorCode, ii.ErrorInfo = int64(t.exitCode), t.errorCode, t.errorInfo
				if includeOutput {
					ii.Output = encodeOutput(t.output, encoding)
				}
			}
			v.InvokeInstances.InvokeInstance = append(v.InvokeInstances.InvokeInstance, ii)
		}
		list = append(list, v)
	}
	start, end, next := p.window(len(list))
	resp := ecs.DescribeInvocationsResponse{RequestId: c.RequestID, TotalCount: int64(len(list)), PageSize: int64(p.size), NextToken: next}
	if !p.token {
		resp.PageNumber = int64(p.number)
	}
	resp.Invocations.Invocation = append([]ecs.Invocation{}, list[start:end]...)
	return resp, nil
}

func legacyInstanceStatus(st string) string {
	switch st {
	case "Running":
		return "Running"
	case "Success":
		return "Finished"
	default:
		return "Failed"
	}
}

func (e *ecsService) describeInvocationResults(c *rpcCall) (any, error) {
	instanceID, recordStatus, encoding := c.str("InstanceId"), c.str("InvokeRecordStatus"), c.str("ContentEncoding")
	p := c.pager(10, 50)
	all, err := c.invocationsMatching()
	if err != nil {
		return nil, err
	}
	var results []ecs.InvocationResult
	for _, inv := range all {
		for _, t := range inv.Targets {
			if instanceID != "" && t.InstanceID != instanceID {
				continue
			}
			st := t.status(c.now)
			rec := "Running"
			if st != "Running" {
				rec = "Finished"
			}
			if recordStatus != "" && recordStatus != rec {
				continue
			}
			r := ecs.InvocationResult{
				InvokeId: inv.ID, CommandId: inv.Command.ID, InstanceId: t.InstanceID, InvocationStatus: st,
				InvokeRecordStatus: rec, StartTime: isoTimeSec(t.start), Repeats: 1, Username: "root", TerminationMode: "Process",
			}
			if st != "Running" {
				r.FinishedTime = isoTimeSec(t.end)
				r.ExitCode, r.ErrorCode, r.ErrorInfo = int64(t.exitCode), t.errorCode, t.errorInfo
				r.Output = encodeOutput(t.output, encoding)
			}
			results = append(results, r)
		}
	}
	start, end, next := p.window(len(results))
	resp := ecs.DescribeInvocationResultsResponse{RequestId: c.RequestID}
	resp.Invocation.TotalCount, resp.Invocation.PageSize, resp.Invocation.NextToken = int64(len(results)), int64(p.size), next
	if !p.token {
		resp.Invocation.PageNumber = int64(p.number)
	}
	resp.Invocation.InvocationResults.InvocationResult = append([]ecs.InvocationResult{}, results[start:end]...)
	return resp, nil
}

// describeCloudAssistantStatus reports the agent online on Running
// instances only, as a heartbeat-based status would.
func (e *ecsService) describeCloudAssistantStatus(c *rpcCall) (any, error) {
	ids, osType := c.list("InstanceId"), c.str("OSType")
	p := c.pager(10, 50)
	if err := c.err(); err != nil {
		return nil, err
	}
	r := c.region()
	var insts []*ecsInstance
	if len(ids) > 0 {
		for _, id := range ids {
			inst, err := c.instance(id)
			if err != nil {
				return nil, err
			}
			insts = append(insts, inst)
		}
	} else {
		for _, id := range sortedKeys(r.instances) {
			insts = append(insts, r.instances[id])
		}
	}
	var rows []ecs.InstanceCloudAssistantStatus
	for _, inst := range insts {
		if osType != "" && !strings.EqualFold(osType, inst.OSType) {
			continue
		}
		row := ecs.InstanceCloudAssistantStatus{
			InstanceId: inst.ID, OSType: inst.OSType, CloudAssistantStatus: "false", CloudAssistantVersion: "2.2.3.857",
		}
		if inst.Status.at(c.now) == "Running" {
			row.CloudAssistantStatus, row.LastHeartbeatTime = "true", isoTimeSec(c.now)
		}
		var last time.Time
		for _, inv := range r.invocations {
			for _, t := range inv.Targets {
				if t.InstanceID != inst.ID {
					continue
				}
				row.InvocationCount++
				if t.status(c.now) == "Running" {
					row.ActiveTaskCount++
				}
				if t.start.After(last) {
					last = t.start
				}
			}
		}
		if !last.IsZero() {
			row.LastInvokedTime = isoTimeSec(last)
		}
		rows = append(rows, row)
	}
	start, end, next := p.window(len(rows))
	resp := ecs.DescribeCloudAssistantStatusResponse{RequestId: c.RequestID, TotalCount: int64(len(rows)), PageSize: int64(p.size), NextToken: next}
	if !p.token {
		resp.PageNumber = int64(p.number)
	}
	resp.InstanceCloudAssistantStatusSet.InstanceCloudAssistantStatus = append([]ecs.InstanceCloudAssistantStatus{}, rows[start:end]...)
	return resp, nil
}
