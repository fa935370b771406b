package emulator

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// Cloud Assistant: CreateCommand, RunCommand, InvokeCommand,
// DescribeInvocations, DescribeInvocationResults. An invocation's outcome
// on each instance is fixed when it is invoked (from the instance's script,
// see ScriptCommand) and revealed over the clock: Running until the run
// duration (or, for a hanging script, the timeout) has passed.

// CommandOutcome scripts how Cloud Assistant invocations on one instance end.
type CommandOutcome struct {
	ExitCode int    `json:"exitCode"`
	Output   string `json:"output"`
	// Hang keeps the invocation Running until its Timeout, then Timeout.
	Hang bool `json:"hang"`
	// Sequence outcomes are used one per invocation, in order; once they
	// are used up the outcome's own fields apply (e.g. fail twice, then pass).
	Sequence []CommandOutcome `json:"sequence,omitempty"`
}

// ScriptCommand sets how the next Cloud Assistant invocations on an
// instance end; it replaces any earlier script.
func (s *Server) ScriptCommand(instanceID string, o CommandOutcome) {
	s.ecs.mu.Lock()
	defer s.ecs.mu.Unlock()
	cp := o
	cp.Sequence = append([]CommandOutcome(nil), o.Sequence...)
	s.ecs.scripts[instanceID] = &cp
}

// CommandRun is one Cloud Assistant invocation on an instance, as seen by
// CommandsRun.
type CommandRun struct {
	InvokeID string
	Type     string // RunShellScript, ...
	Content  string // plain text
	Started  time.Time
}

// CommandsRun lists the Cloud Assistant invocations sent to an instance, in
// the order they were made, so tests can assert what a client ran.
func (s *Server) CommandsRun(instanceID string) []CommandRun {
	s.ecs.mu.Lock()
	defer s.ecs.mu.Unlock()
	var out []CommandRun
	for _, a := range s.ecs.accounts {
		for _, r := range a.regions {
			for _, inv := range r.invocations {
				for _, t := range inv.Targets {
					if t.InstanceID == instanceID {
						out = append(out, CommandRun{InvokeID: inv.ID, Type: inv.Command.Type, Content: inv.Command.Content, Started: t.start})
					}
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Started.Equal(out[j].Started) {
			return out[i].Started.Before(out[j].Started)
		}
		return out[i].InvokeID < out[j].InvokeID
	})
	return out
}

// nextOutcome consumes the instance's script; ok is false when none is set.
func (e *ecsService) nextOutcome(instanceID string) (CommandOutcome, bool) {
	sc, ok := e.scripts[instanceID]
	if !ok {
		return CommandOutcome{}, false
	}
	if len(sc.Sequence) > 0 {
		o := sc.Sequence[0]
		sc.Sequence = sc.Sequence[1:]
		return o, true
	}
	return CommandOutcome{ExitCode: sc.ExitCode, Output: sc.Output, Hang: sc.Hang}, true
}

const defaultCommandTimeout = 60 // seconds, as the service

type ecsCommand struct {
	ID, Name, Description, Type, WorkingDir string
	Content                                 string // plain text
	Timeout                                 int    // seconds
	Created                                 time.Time
}

type ecsInvocation struct {
	ID      string
	Command *ecsCommand
	Timeout int
	Created time.Time
	Targets []*invokeTarget
}

// invokeTarget is the invocation on one instance; its result is known up
// front and shown once end has passed.
type invokeTarget struct {
	InstanceID string
	start, end time.Time
	final      string // Success | Failed | Timeout
	exitCode   int
	output     string
	errorCode  string
	errorInfo  string
}

func (t *invokeTarget) status(now time.Time) string {
	if now.Before(t.end) {
		return "Running"
	}
	return t.final
}

// aggregate is the invocation's overall status and its legacy InvokeStatus.
func (inv *ecsInvocation) aggregate(now time.Time) (status, legacy string) {
	running, ok := 0, 0
	for _, t := range inv.Targets {
		switch t.status(now) {
		case "Running":
			running++
		case "Success":
			ok++
		}
	}
	stopped := 0
	for _, t := range inv.Targets {
		if t.final == "Terminated" && !now.Before(t.end) {
			stopped++
		}
	}
	switch {
	case running > 0:
		return "Running", "Running"
	case stopped > 0 && ok+stopped == len(inv.Targets):
		return "Stopped", "Stopped"
	case ok == len(inv.Targets):
		return "Success", "Finished"
	case ok == 0:
		return "Failed", "Failed"
	default:
		return "PartialFailed", "PartialFinished"
	}
}

// decodeContent reads CommandContent in the given encoding (Base64 unless
// PlainText).
func decodeContent(content, encoding string) (string, error) {
	if strings.EqualFold(encoding, "PlainText") {
		return content, nil
	}
	b, err := base64.StdEncoding.DecodeString(content)
	if err != nil {
		return "", apiErr(http.StatusBadRequest, "InvalidCommandContent.NotBase64", "The specified CommandContent is not Base64 encoded.")
	}
	return string(b), nil
}

func commandTypeOK(t string) bool {
	return t == "RunShellScript" || t == "RunBatScript" || t == "RunPowerShellScript"
}

// newCommand validates and builds a command from the call's parameters.
func (c *rpcCall) newCommand(defaultEncoding string) (*ecsCommand, error) {
	typ, raw := c.str("Type"), c.str("CommandContent")
	timeout := c.int("Timeout", defaultCommandTimeout)
	if err := c.err(); err != nil {
		return nil, err
	}
	if typ == "" {
		return nil, errMissingParam("Type")
	}
	if !commandTypeOK(typ) {
		return nil, errInvalidParam("Type", typ)
	}
	if raw == "" {
		return nil, errMissingParam("CommandContent")
	}
	enc := c.str("ContentEncoding")
	if enc == "" {
		enc = defaultEncoding
	}
	content, err := decodeContent(raw, enc)
	if err != nil {
		return nil, err
	}
	if timeout < 10 || timeout > 86400 {
		return nil, errInvalidParam("Timeout", c.str("Timeout"))
	}
	r := c.region()
	cmd := &ecsCommand{
		ID: newID("c", r.code), Name: c.str("Name"), Description: c.str("Description"), Type: typ,
		WorkingDir: c.str("WorkingDir"), Content: content, Timeout: timeout, Created: c.now,
	}
	if cmd.Name == "" {
		cmd.Name = cmd.ID
	}
	return cmd, nil
}

// invoke starts cmd on the instances named by InstanceId.N.
func (c *rpcCall) invoke(cmd *ecsCommand, timeout int) (*ecsInvocation, error) {
	ids := c.list("InstanceId")
	if len(ids) == 0 {
		return nil, errMissingParam("InstanceId.1")
	}
	if len(ids) > 100 {
		return nil, apiErr(http.StatusBadRequest, "InstanceIds.ExceedLimit", "The number of instances exceeds 100.")
	}
	insts := make([]*ecsInstance, 0, len(ids))
	for _, id := range ids {
		inst, err := c.instance(id)
		if err != nil {
			return nil, err
		}
		insts = append(insts, inst)
	}
	e := c.e
	inv := &ecsInvocation{ID: newID("t", c.region().code), Command: cmd, Timeout: timeout, Created: c.now}
	run := c.durations().CommandRun
	for _, inst := range insts {
		t := &invokeTarget{InstanceID: inst.ID, start: c.now}
		if st := inst.Status.at(c.now); st != "Running" {
			t.end, t.final, t.exitCode = c.now, "Failed", -1
			t.errorCode = "InstanceNotRunning"
			t.errorInfo = fmt.Sprintf("the instance is %s; Cloud Assistant needs it Running", st)
			inv.Targets = append(inv.Targets, t)
			continue
		}
		o, scripted := e.nextOutcome(inst.ID)
		if !scripted {
			o = CommandOutcome{Output: defaultOutput(cmd.Content, inst)}
		}
		switch {
		case o.Hang:
			t.end, t.final, t.exitCode = c.now.Add(time.Duration(timeout)*time.Second), "Timeout", -1
			t.output = o.Output
			t.errorCode, t.errorInfo = "ExecutionTimeout", "the command execution has timed out"
		default:
			t.end, t.exitCode, t.output = c.now.Add(run), o.ExitCode, o.Output
			t.final = "Success"
			if o.ExitCode != 0 {
				t.final = "Failed"
				t.errorCode, t.errorInfo = "ExitCodeNonzero", fmt.Sprintf("the command exited with code %d", o.ExitCode)
			}
		}
		inv.Targets = append(inv.Targets, t)
	}
	c.region().invocations[inv.ID] = inv
	return inv, nil
}

// defaultOutput imitates a few common one-liners so unscripted runs look
// plausible: echo prints its arguments, hostname the instance's host name.
func defaultOutput(content string, inst *ecsInstance) string {
	line := strings.TrimSpace(content)
	switch {
	case strings.Contains(line, "\n"):
		return ""
	case line == "hostname":
		return inst.HostName + "\n"
	case strings.HasPrefix(line, "echo "):
		return strings.Trim(strings.TrimSpace(line[len("echo "):]), `"'`) + "\n"
	}
	return ""
}

func (e *ecsService) createCommand(c *rpcCall) (any, error) {
	cmd, err := c.newCommand("Base64")
	if err != nil {
		return nil, err
	}
	c.region().commands[cmd.ID] = cmd
	return ecs.CreateCommandResponse{RequestId: c.RequestID, CommandId: cmd.ID}, nil
}

func (e *ecsService) runCommand(c *rpcCall) (any, error) {
	// ClientToken (RunCommand in the official ECS SDK): a repeated call
	// answers with the first call's invocation.
	if ids, ok, err := c.replay(); err != nil || ok {
		if err != nil {
			return nil, err
		}
		inv := c.region().invocations[ids[0]]
		return ecs.RunCommandResponse{RequestId: c.RequestID, CommandId: inv.Command.ID, InvokeId: inv.ID}, nil
	}
	cmd, err := c.newCommand("PlainText")
	if err != nil {
		return nil, err
	}
	inv, err := c.invoke(cmd, cmd.Timeout)
	if err != nil {
		return nil, err
	}
	c.remember([]string{inv.ID})
	if c.bool("KeepCommand") {
		c.region().commands[cmd.ID] = cmd
	}
	return ecs.RunCommandResponse{RequestId: c.RequestID, CommandId: cmd.ID, InvokeId: inv.ID}, nil
}

func (e *ecsService) invokeCommand(c *rpcCall) (any, error) {
	id := c.str("CommandId")
	if id == "" {
		return nil, errMissingParam("CommandId")
	}
	cmd, ok := c.region().commands[id]
	if !ok {
		return nil, notFound("InvalidCommandId.NotFound", "The specified command does not exist.")
	}
	timeout := c.int("Timeout", cmd.Timeout)
	if err := c.err(); err != nil {
		return nil, err
	}
	inv, err := c.invoke(cmd, timeout)
	if err != nil {
		return nil, err
	}
	return ecs.InvokeCommandResponse{RequestId: c.RequestID, InvokeId: inv.ID}, nil
}

// stopInvocation terminates the invocation on the given instances (all when
// none are named); finished targets keep their result.
func (e *ecsService) stopInvocation(c *rpcCall) (any, error) {
	id := c.str("InvokeId")
	if id == "" {
		return nil, errMissingParam("InvokeId")
	}
	inv, ok := c.region().invocations[id]
	if !ok {
		return nil, notFound("InvalidInvokeId.NotFound", "The specified invocation does not exist.")
	}
	only := c.list("InstanceId")
	for _, t := range inv.Targets {
		if len(only) > 0 && !contains(only, t.InstanceID) || t.status(c.now) != "Running" {
			continue
		}
		t.end, t.final, t.exitCode = c.now, "Terminated", -1
		t.errorCode, t.errorInfo = "ExecutionInterrupted", "the invocation was stopped by StopInvocation"
	}
	return ecs.StopInvocationResponse{RequestId: c.RequestID}, nil
}
