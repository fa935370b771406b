package emulator

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

func runCommand(t *testing.T, client *ecs.Client, content string, timeout string, ids ...string) string {
	t.Helper()
	req := ecs.CreateRunCommandRequest()
	req.Type = "RunShellScript"
	req.CommandContent = content
	req.Timeout = requests.Integer(timeout)
	req.InstanceId = &ids
	resp, err := client.RunCommand(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.InvokeId == "" || resp.CommandId == "" {
		t.Fatalf("RunCommand response %+v", resp)
	}
	return resp.InvokeId
}

func results(t *testing.T, client *ecs.Client, invokeID string) []ecs.InvocationResult {
	t.Helper()
	req := ecs.CreateDescribeInvocationResultsRequest()
	req.InvokeId = invokeID
	resp, err := client.DescribeInvocationResults(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp.Invocation.InvocationResults.InvocationResult
}

func oneResult(t *testing.T, client *ecs.Client, invokeID string) ecs.InvocationResult {
	t.Helper()
	rs := results(t, client, invokeID)
	if len(rs) != 1 {
		t.Fatalf("%d results", len(rs))
	}
	return rs[0]
}

func decoded(t *testing.T, s string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("output %q is not base64: %v", s, err)
	}
	return string(b)
}

func TestRunCommandDefaultOutcome(t *testing.T) {
	srv, clock, client := startECS(t, SeedRegion)
	srv.SetDurations(Durations{CommandRun: 3 * time.Second})
	inv := runCommand(t, client, "echo hello", "", SeedInstanceCoreDB)
	if r := oneResult(t, client, inv); r.InvocationStatus != "Running" || r.InvokeRecordStatus != "Running" || r.Output != "" {
		t.Fatalf("before run time: %+v", r)
	}
	clock.Advance(3 * time.Second)
	r := oneResult(t, client, inv)
	if r.InvocationStatus != "Success" || r.ExitCode != 0 || decoded(t, r.Output) != "hello\n" || r.InstanceId != SeedInstanceCoreDB {
		t.Fatalf("after run time: %+v", r)
	}
	// PlainText output on request.
	req := ecs.CreateDescribeInvocationResultsRequest()
	req.InvokeId = inv
	req.ContentEncoding = "PlainText"
	resp, err := client.DescribeInvocationResults(req)
	if err != nil || resp.Invocation.InvocationResults.InvocationResult[0].Output != "hello\n" {
		t.Fatalf("plain text: %v %+v", err, resp)
	}
}

func TestRunCommandScriptedFailThenPass(t *testing.T) {
	srv, clock, client := startECS(t, SeedRegion)
	srv.SetDurations(InstantDurations())
	srv.ScriptCommand(SeedInstanceCoreApp, CommandOutcome{
		ExitCode: 0, Output: "ready\n",
		Sequence: []CommandOutcome{{ExitCode: 2, Output: "not yet"}, {ExitCode: 1, Output: "still no"}},
	})
	want := []struct {
		status string
		code   int64
		out    string
		err    string
	}{
		{"Failed", 2, "not yet", "ExitCodeNonzero"},
		{"Failed", 1, "still no", "ExitCodeNonzero"},
		{"Success", 0, "ready\n", ""},
		{"Success", 0, "ready\n", ""},
	}
	runs := srv.CommandsRun(SeedInstanceCoreApp)
	if len(runs) != 0 {
		t.Fatalf("runs before any: %v", runs)
	}
	for i, w := range want {
		if i > 0 {
			clock.Advance(time.Second) // order CommandsRun by time
		}
		r := oneResult(t, client, runCommand(t, client, fmt.Sprintf("systemctl is-active app # %d", i), "", SeedInstanceCoreApp))
		if r.InvocationStatus != w.status || r.ExitCode != w.code || decoded(t, r.Output) != w.out || r.ErrorCode != w.err {
			t.Fatalf("invocation %d: %+v, want %+v", i+1, r, w)
		}
	}
	runs = srv.CommandsRun(SeedInstanceCoreApp)
	if len(runs) != 4 || runs[0].Content != "systemctl is-active app # 0" || runs[3].Content != "systemctl is-active app # 3" ||
		runs[0].Type != "RunShellScript" || len(srv.CommandsRun(SeedInstanceCoreDB)) != 0 {
		t.Fatalf("CommandsRun %+v", runs)
	}
}

func TestRunCommandHangsUntilTimeout(t *testing.T) {
	srv, clock, client := startECS(t, SeedRegion)
	srv.SetDurations(Durations{CommandRun: time.Second})
	srv.ScriptCommand(SeedInstanceCoreDB, CommandOutcome{Hang: true})
	inv := runCommand(t, client, "sleep 999", "30", SeedInstanceCoreDB)
	clock.Advance(29 * time.Second)
	if r := oneResult(t, client, inv); r.InvocationStatus != "Running" {
		t.Fatalf("at 29s: %+v", r)
	}
	clock.Advance(time.Second)
	if r := oneResult(t, client, inv); r.InvocationStatus != "Timeout" || r.ErrorCode != "ExecutionTimeout" {
		t.Fatalf("at 30s: %+v", r)
	}
}

func TestRunCommandInstanceNotRunning(t *testing.T) {
	_, client := instantECS(t)
	stop := ecs.CreateStopInstanceRequest()
	stop.InstanceId = SeedInstanceCoreApp
	if _, err := client.StopInstance(stop); err != nil {
		t.Fatal(err)
	}
	inv := runCommand(t, client, "uptime", "", SeedInstanceCoreApp, SeedInstanceCoreDB)
	byID := map[string]ecs.InvocationResult{}
	for _, r := range results(t, client, inv) {
		byID[r.InstanceId] = r
	}
	if r := byID[SeedInstanceCoreApp]; r.InvocationStatus != "Failed" || r.ErrorCode != "InstanceNotRunning" {
		t.Fatalf("stopped instance: %+v", r)
	}
	if r := byID[SeedInstanceCoreDB]; r.InvocationStatus != "Success" {
		t.Fatalf("running instance: %+v", r)
	}
	req := ecs.CreateDescribeInvocationsRequest()
	req.InvokeId = inv
	req.IncludeOutput = "true"
	resp, err := client.DescribeInvocations(req)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Invocations.Invocation) != 1 {
		t.Fatalf("%+v", resp)
	}
	got := resp.Invocations.Invocation[0]
	if got.InvocationStatus != "PartialFailed" || len(got.InvokeInstances.InvokeInstance) != 2 || got.CommandType != "RunShellScript" {
		t.Fatalf("invocation %+v", got)
	}
	if decoded(t, got.CommandContent) != "uptime" {
		t.Errorf("command content %q", got.CommandContent)
	}

	bad := ecs.CreateRunCommandRequest()
	bad.Type = "RunShellScript"
	bad.CommandContent = "true"
	bad.InstanceId = &[]string{"i-2zenothere0000000000"}
	_, err = client.RunCommand(bad)
	wantAPIError(t, err, 404, "InvalidInstanceId.NotFound")
}

func TestCreateAndInvokeCommand(t *testing.T) {
	_, client := instantECS(t)
	create := ecs.CreateCreateCommandRequest()
	create.Name = "check"
	create.Type = "RunShellScript"
	create.CommandContent = base64.StdEncoding.EncodeToString([]byte("hostname"))
	cmd, err := client.CreateCommand(create)
	if err != nil {
		t.Fatal(err)
	}
	invoke := ecs.CreateInvokeCommandRequest()
	invoke.CommandId = cmd.CommandId
	invoke.InstanceId = &[]string{SeedInstanceCoreDB}
	inv, err := client.InvokeCommand(invoke)
	if err != nil {
		t.Fatal(err)
	}
	r := oneResult(t, client, inv.InvokeId)
	if r.CommandId != cmd.CommandId || r.InvocationStatus != "Success" || decoded(t, r.Output) != "core-db\n" {
		t.Fatalf("%+v", r)
	}
	// CreateCommand wants Base64 content.
	create.CommandContent = "not base64!"
	_, err = client.CreateCommand(create)
	wantAPIError(t, err, 400, "InvalidCommandContent.NotBase64")

	invoke.CommandId = "c-2zenothere0000000000"
	_, err = client.InvokeCommand(invoke)
	wantAPIError(t, err, 404, "InvalidCommandId.NotFound")

	// DescribeInvocations filters by command.
	list := ecs.CreateDescribeInvocationsRequest()
	list.CommandId = cmd.CommandId
	resp, err := client.DescribeInvocations(list)
	if err != nil || resp.TotalCount != 1 || resp.Invocations.Invocation[0].CommandName != "check" {
		t.Fatalf("%v %+v", err, resp)
	}
}

func TestControlScriptsCommands(t *testing.T) {
	srv, client := instantECS(t)
	rec := httptest.NewRecorder()
	srv.ecs.serveControl(rec, httptest.NewRequest(http.MethodPost, ControlPrefix+"ecs/commands/"+SeedInstanceCoreDB,
		strings.NewReader(`{"exitCode":3,"output":"disk full"}`)))
	if rec.Code != http.StatusNoContent {
		t.Fatalf("control status %d %s", rec.Code, rec.Body)
	}
	r := oneResult(t, client, runCommand(t, client, "df -h", "", SeedInstanceCoreDB))
	if r.ExitCode != 3 || decoded(t, r.Output) != "disk full" {
		t.Fatalf("%+v", r)
	}
	rec = httptest.NewRecorder()
	srv.ecs.serveControl(rec, httptest.NewRequest(http.MethodDelete, ControlPrefix+"ecs/commands/"+SeedInstanceCoreDB, nil))
	if rec.Code != http.StatusNoContent {
		t.Fatalf("control delete status %d", rec.Code)
	}
	if r := oneResult(t, client, runCommand(t, client, "df -h", "", SeedInstanceCoreDB)); r.ExitCode != 0 {
		t.Fatalf("after reset: %+v", r)
	}
	rec = httptest.NewRecorder()
	srv.ecs.serveControl(rec, httptest.NewRequest(http.MethodPost, ControlPrefix+"ecs/commands/"+SeedInstanceCoreDB, strings.NewReader(`nope`)))
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("bad body status %d", rec.Code)
	}

	// Durations and consistency through control.
	rec = httptest.NewRecorder()
	srv.ecs.serveControl(rec, httptest.NewRequest(http.MethodPost, ControlPrefix+"ecs/durations", strings.NewReader(`{"InstanceStop":"7s"}`)))
	if rec.Code != http.StatusNoContent || srv.ecs.durations.InstanceStop != 7*time.Second {
		t.Fatalf("durations: %d %v", rec.Code, srv.ecs.durations)
	}
	rec = httptest.NewRecorder()
	srv.ecs.serveControl(rec, httptest.NewRequest(http.MethodPost, ControlPrefix+"ecs/durations", strings.NewReader(`{"Warp":"7s"}`)))
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("unknown duration accepted: %d", rec.Code)
	}
}

func TestCloudAssistantStatus(t *testing.T) {
	srv, _, client := startECS(t, SeedRegion)
	srv.SetDurations(Durations{CommandRun: time.Minute, InstanceStop: time.Minute})
	runCommand(t, client, "uptime", "", SeedInstanceCoreDB)
	stop := ecs.CreateStopInstanceRequest()
	stop.InstanceId = SeedInstanceCoreApp
	if _, err := client.StopInstance(stop); err != nil {
		t.Fatal(err)
	}
	req := ecs.CreateDescribeCloudAssistantStatusRequest()
	req.InstanceId = &[]string{SeedInstanceCoreDB, SeedInstanceCoreApp}
	resp, err := client.DescribeCloudAssistantStatus(req)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]ecs.InstanceCloudAssistantStatus{}
	for _, s := range resp.InstanceCloudAssistantStatusSet.InstanceCloudAssistantStatus {
		got[s.InstanceId] = s
	}
	db, app := got[SeedInstanceCoreDB], got[SeedInstanceCoreApp]
	if db.CloudAssistantStatus != "true" || db.InvocationCount != 1 || db.ActiveTaskCount != 1 || app.CloudAssistantStatus != "false" {
		t.Fatalf("statuses %+v", got)
	}
}

func TestStopInvocation(t *testing.T) {
	srv, clock, client := startECS(t, SeedRegion)
	srv.SetDurations(Durations{CommandRun: time.Second})
	srv.ScriptCommand(SeedInstanceCoreDB, CommandOutcome{Hang: true})
	inv := runCommand(t, client, "sleep 999", "600", SeedInstanceCoreDB, SeedInstanceCoreApp)
	clock.Advance(time.Second) // core-app finishes, core-db hangs
	stop := ecs.CreateStopInvocationRequest()
	stop.InvokeId = inv
	if _, err := client.StopInvocation(stop); err != nil {
		t.Fatal(err)
	}
	byID := map[string]ecs.InvocationResult{}
	for _, r := range results(t, client, inv) {
		byID[r.InstanceId] = r
	}
	if byID[SeedInstanceCoreDB].InvocationStatus != "Terminated" || byID[SeedInstanceCoreApp].InvocationStatus != "Success" {
		t.Fatalf("after stop: %+v", byID)
	}
	req := ecs.CreateDescribeInvocationsRequest()
	req.InvokeId = inv
	resp, err := client.DescribeInvocations(req)
	if err != nil || resp.Invocations.Invocation[0].InvocationStatus != "Stopped" {
		t.Fatalf("aggregate: %v %+v", err, resp)
	}
	stop = ecs.CreateStopInvocationRequest()
	stop.InvokeId = "t-2zenothere0000000000"
	_, err = client.StopInvocation(stop)
	wantAPIError(t, err, 404, "InvalidInvokeId.NotFound")
}

// An instance released while its command runs ends the run as Cloud
// Assistant reports it: InstanceReleased, not an API NotFound code.
func TestRunCommandInstanceReleasedDuringRun(t *testing.T) {
	srv, clock, client := startECS(t, SeedRegion)
	srv.SetDurations(Durations{CommandRun: time.Second})
	srv.ScriptCommand(SeedInstanceCoreDB, CommandOutcome{Hang: true})
	inv := runCommand(t, client, "sleep 999", "60", SeedInstanceCoreDB)
	del := ecs.CreateDeleteInstanceRequest()
	del.InstanceId = SeedInstanceCoreDB
	del.Force = requests.NewBoolean(true)
	if _, err := client.DeleteInstance(del); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	r := oneResult(t, client, inv)
	if r.InvocationStatus != "Failed" || r.ErrorCode != "InstanceReleased" || r.InvokeRecordStatus != "Finished" {
		t.Fatalf("released during the run: %+v", r)
	}
	clock.Advance(time.Minute)
	if r := oneResult(t, client, inv); r.ErrorCode != "InstanceReleased" {
		t.Fatalf("the result stays: %+v", r)
	}
}
