package cloud

import (
	"context"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/alidr/terraform-provider-alidr/internal/replication"
)

// Cloud Assistant: run a script once on one instance and wait for its
// result (RunCommand, then DescribeInvocationResults polling).

// CommandInput is one Cloud Assistant run.
type CommandInput struct {
	InstanceID string
	// Type is RunShellScript (default), RunPowerShellScript or RunBatScript.
	Type    string
	Content string
	// Timeout is the service-side execution timeout (10s to 24h; default 60s).
	Timeout time.Duration
	// Name labels the invocation in the console.
	Name string
}

// CommandOutput is the finished invocation on the instance.
type CommandOutput struct {
	InvokeID  string
	Status    string // Success, Failed, Timeout, Cancelled, Terminated, Error, Invalid, Aborted
	ExitCode  int
	Output    string // decoded
	ErrorCode string
	ErrorInfo string
}

// commandPollGrace is how long past the command's own timeout we keep
// polling for the service to report the end.
const commandPollGrace = 2 * time.Minute

// finalInvocationStatus are the per-instance statuses that end an invocation.
var finalInvocationStatus = map[string]bool{
	"Success": true, "Failed": true, "Timeout": true, "Cancelled": true, "Terminated": true,
	"Error": true, "Invalid": true, "Aborted": true, "Stopped": true,
}

// finalRecordStatus are the InvokeRecordStatus values of an ended record.
var finalRecordStatus = map[string]bool{"Finished": true, "Failed": true, "Stopped": true}

// RunCommand starts a script on an instance and returns the invocation id.
func (c *Client) RunCommand(ctx context.Context, region string, in CommandInput) (string, error) {
	typ := in.Type
	if typ == "" {
		typ = "RunShellScript"
	}
	timeout := in.Timeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	req := ecs.CreateRunCommandRequest()
	req.Type = typ
	req.CommandContent = base64.StdEncoding.EncodeToString([]byte(in.Content))
	req.ContentEncoding = "Base64"
	req.Timeout = requests.NewInteger(int(timeout.Round(time.Second) / time.Second))
	req.InstanceId = &[]string{in.InstanceID}
	req.Name = in.Name
	req.KeepCommand = requests.NewBoolean(false)
	// A token makes the call safe to resend when its answer is lost: the
	// service returns the first call's invocation instead of a second run.
	req.ClientToken = replication.NewClientToken()
	resp := ecs.CreateRunCommandResponse()
	if err := c.DoECS(ctx, region, req, resp); err != nil {
		return "", err
	}
	if resp.InvokeId == "" {
		return "", fmt.Errorf("ECS RunCommand in %s returned no InvokeId", region)
	}
	return resp.InvokeId, nil
}

// InvocationResult reads the invocation's result on one instance; done is
// false while it is still running.
func (c *Client) InvocationResult(ctx context.Context, region, invokeID, instanceID string) (out CommandOutput, done bool, err error) {
	req := ecs.CreateDescribeInvocationResultsRequest()
	req.InvokeId = invokeID
	req.InstanceId = instanceID
	req.ContentEncoding = "Base64"
	resp := ecs.CreateDescribeInvocationResultsResponse()
	if err := c.DoECS(ctx, region, req, resp); err != nil {
		return CommandOutput{}, false, err
	}
	for _, r := range resp.Invocation.InvocationResults.InvocationResult {
		if r.InstanceId != instanceID {
			continue
		}
		out = CommandOutput{
			InvokeID: invokeID, Status: r.InvocationStatus, ExitCode: int(r.ExitCode),
			Output: decodeOutput(r.Output), ErrorCode: r.ErrorCode, ErrorInfo: r.ErrorInfo,
		}
		// InvokeRecordStatus is the record's own verdict; it ends too when a
		// per-instance status unknown to us does.
		done := finalInvocationStatus[r.InvocationStatus] || (r.InvocationStatus != "Running" && r.InvocationStatus != "Pending" &&
			r.InvocationStatus != "Scheduled" && r.InvocationStatus != "Stopping" && finalRecordStatus[r.InvokeRecordStatus])
		return out, done, nil
	}
	// Not listed yet (eventual consistency): keep polling.
	return CommandOutput{InvokeID: invokeID, Status: "Pending"}, false, nil
}

// decodeOutput decodes Base64 output, keeping it raw if it is not Base64.
func decodeOutput(s string) string {
	if s == "" {
		return ""
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return s
	}
	return string(b)
}

// RunCommandAndWait runs the script and polls until the service reports an
// end: the command's result, including a Timeout status when it hung.
func (c *Client) RunCommandAndWait(ctx context.Context, region string, in CommandInput, poll WaitOptions) (CommandOutput, error) {
	id, err := c.RunCommand(ctx, region, in)
	if err != nil {
		return CommandOutput{}, err
	}
	timeout := in.Timeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	if poll.Interval <= 0 {
		poll.Interval = 500 * time.Millisecond
	}
	if poll.MaxInterval <= 0 {
		poll.MaxInterval = 5 * time.Second
	}
	var out CommandOutput
	err = c.wait(ctx, StateWait{
		What: "command " + id + " on " + in.InstanceID, Target: []string{"ended"},
		Timeout: timeout + commandPollGrace, Poll: poll,
		Refresh: func(ctx context.Context) (string, int, error) {
			o, done, err := c.InvocationResult(ctx, region, id, in.InstanceID)
			if err != nil {
				return "", -1, err
			}
			out = o
			if done {
				return "ended", -1, nil
			}
			return o.Status, -1, nil
		},
	})
	if err != nil {
		return CommandOutput{InvokeID: id, Status: out.Status}, err
	}
	return out, nil
}
