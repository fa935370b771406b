package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

func TestRAMPolicyEvaluation(t *testing.T) {
	p, err := parseRAMPolicy(`{"Version":"1","Statement":[
		{"Effect":"Allow","Action":["ecs:Describe*","ecs:DeleteSnapshot"],"Resource":"acs:ecs:cn-beijing:*:*"},
		{"Effect":"Deny","Action":"ECS:deletesnapshot","Resource":"acs:ecs:*:*:snapshot/s-keep*"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		action, resource string
		want             ramVerdict
	}{
		{"ecs:DescribeSnapshots", "acs:ecs:cn-beijing:1:snapshot/*", ramAllowed},
		{"ecs:describesnapshots", "acs:ecs:cn-beijing:1:snapshot/*", ramAllowed}, // action names are case-insensitive
		{"ecs:DescribeSnapshots", "acs:ecs:cn-shanghai:1:snapshot/*", ramImplicitDeny},
		{"ecs:CreateSnapshot", "acs:ecs:cn-beijing:1:disk/d-1", ramImplicitDeny},
		{"ecs:DeleteSnapshot", "acs:ecs:cn-beijing:1:snapshot/s-other", ramAllowed},
		{"ecs:DeleteSnapshot", "acs:ecs:cn-beijing:1:snapshot/s-keep1", ramExplicitDeny}, // Deny wins over Allow
	} {
		if got := p.decide(c.action, c.resource); got != c.want {
			t.Errorf("%s on %s = %d, want %d", c.action, c.resource, got, c.want)
		}
	}
	for _, bad := range []string{
		`{"Version":"2","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
		`{"Version":"1","Statement":[]}`,
		`{"Version":"1","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}`,
		`{"Version":"1","Statement":[{"Effect":"Allow","Resource":"*"}]}`,
		`{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"acs:SourceIp":"10.0.0.0/8"}}}]}`,
	} {
		if _, err := parseRAMPolicy(bad); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

const snapshotsOnly = `{"Version":"1","Statement":[
	{"Effect":"Allow","Action":["ecs:DescribeSnapshots","ecs:DeleteSnapshot"],"Resource":"acs:ecs:` + SeedRegion + `:*:snapshot/*"},
	{"Effect":"Deny","Action":"ecs:DeleteSnapshot","Resource":"*"}]}`

func TestRAMRefusesECSCallsWithForbiddenRAM(t *testing.T) {
	srv, _, _ := startECS(t, SeedRegion)
	if err := srv.AddRAMUser(DefaultAccountID, "backup-ak", "backup-sk", snapshotsOnly); err != nil {
		t.Fatal(err)
	}
	c := ecsClient(t, srv, SeedRegion, "backup-ak", "backup-sk")
	if _, err := c.DescribeSnapshots(ecs.CreateDescribeSnapshotsRequest()); err != nil {
		t.Fatalf("allowed call refused: %v", err)
	}
	_, err := c.DescribeInstances(ecs.CreateDescribeInstancesRequest())
	wantRAMRefusal(t, err, "Forbidden.RAM", "ecs:DescribeInstances", "ImplicitDeny")
	del := ecs.CreateDeleteSnapshotRequest()
	del.SnapshotId = "s-anything"
	_, err = c.DeleteSnapshot(del)
	wantRAMRefusal(t, err, "Forbidden.RAM", "ecs:DeleteSnapshot", "ExplicitDeny")

	var seen []string
	for _, rec := range srv.Requests() {
		if rec.AccessKeyID == "backup-ak" {
			seen = append(seen, fmt.Sprintf("%s denied=%v", rec.RAMAction, rec.RAMDenied))
		}
	}
	if strings.Join(seen, ",") != "ecs:DescribeSnapshots denied=false,ecs:DescribeInstances denied=true,ecs:DeleteSnapshot denied=true" {
		t.Errorf("request log RAM actions of the key = %v", seen)
	}
	// The account's own key stays unrestricted.
	if _, err := ecsClient(t, srv, SeedRegion, DefaultAccessKeyID, DefaultAccessKeySecret).DescribeInstances(ecs.CreateDescribeInstancesRequest()); err != nil {
		t.Fatal(err)
	}
}

func wantRAMRefusal(t *testing.T, err error, code, action, kind string) {
	t.Helper()
	var se *sdkerrors.ServerError
	if !errors.As(err, &se) || se.HttpStatus() != http.StatusForbidden || se.ErrorCode() != code {
		t.Fatalf("want 403 %s, got %v", code, err)
	}
	d := se.AccessDeniedDetail()
	if d["AuthAction"] != action || d["NoPermissionType"] != kind {
		t.Fatalf("AccessDeniedDetail = %v, want AuthAction %s, %s", d, action, kind)
	}
}

func TestRAMSessionPolicyIntersectsRolePolicy(t *testing.T) {
	srv, _, _ := startECS(t, SeedRegion)
	role := "acs:ram::" + DefaultAccountID + ":role/dr-operator"
	if err := srv.SetRolePolicy(role, `{"Version":"1","Statement":[{"Effect":"Allow","Action":["ecs:DescribeSnapshots","ecs:DescribeDisks"],"Resource":"*"}]}`); err != nil {
		t.Fatal(err)
	}
	base := stsClient(t, srv, DefaultAccessKeyID, DefaultAccessKeySecret)
	req := sts.CreateAssumeRoleRequest()
	req.RoleArn, req.RoleSessionName = role, "backup"
	req.Policy = `{"Version":"1","Statement":[{"Effect":"Allow","Action":["ecs:DescribeDisks","ecs:DescribeInstances"],"Resource":"*"}]}`
	resp, err := base.AssumeRole(req)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ecs.NewClientWithStsToken(SeedRegion, resp.Credentials.AccessKeyId, resp.Credentials.AccessKeySecret, resp.Credentials.SecurityToken)
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = srv.Addr()
	if _, err := c.DescribeDisks(ecs.CreateDescribeDisksRequest()); err != nil {
		t.Fatalf("allowed by role and session: %v", err)
	}
	_, err = c.DescribeSnapshots(ecs.CreateDescribeSnapshotsRequest()) // role only
	wantRAMRefusal(t, err, "Forbidden.RAM", "ecs:DescribeSnapshots", "ImplicitDeny")
	_, err = c.DescribeInstances(ecs.CreateDescribeInstancesRequest()) // session only
	wantRAMRefusal(t, err, "Forbidden.RAM", "ecs:DescribeInstances", "ImplicitDeny")

	req.Policy = `{"Version":"1","Statement":[{"Effect":"Allow"}]}`
	_, err = base.AssumeRole(req)
	wantAPIError(t, err, http.StatusBadRequest, "InvalidParameter.PolicyGrammar")

	// A RAM user needs sts:AssumeRole on the role.
	if err := srv.AddRAMUser(DefaultAccountID, "pipeline-ak", "pipeline-sk", snapshotsOnly); err != nil {
		t.Fatal(err)
	}
	req.Policy = ""
	_, err = stsClient(t, srv, "pipeline-ak", "pipeline-sk").AssumeRole(req)
	wantRAMRefusal(t, err, "NoPermission", "sts:AssumeRole", "ImplicitDeny")
}

func TestRAMRefusesOSSCallsWithAccessDenied(t *testing.T) {
	srv := newOSSTestServer(t, Options{})
	if err := srv.AddRAMUser(DefaultAccountID, "reader-ak", "reader-sk", `{"Version":"1","Statement":[
		{"Effect":"Allow","Action":["oss:GetObject","oss:PutObject"],"Resource":"acs:oss:*:*:`+SeedBucket+`/*"},
		{"Effect":"Deny","Action":"oss:PutObject","Resource":"acs:oss:*:*:`+SeedBucket+`/locked/*"}]}`); err != nil {
		t.Fatal(err)
	}
	c, err := oss.New(srv.URL(), "reader-ak", "reader-sk")
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Bucket(SeedBucket)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.PutObject("a.txt", strings.NewReader("x")); err != nil {
		t.Fatalf("allowed PutObject: %v", err)
	}
	if _, err := b.GetObjectDetailedMeta("a.txt"); err != nil {
		t.Fatalf("HEAD needs oss:GetObject, which is allowed: %v", err)
	}
	wantOSSRefusal(t, b.DeleteObject("a.txt"), "oss:DeleteObject", ecRAMNoPermission)
	wantOSSRefusal(t, b.PutObject("locked/b.txt", strings.NewReader("x")), "oss:PutObject", ecRAMExplicitDeny)
	if _, err := b.ListObjects(); err == nil {
		t.Fatal("ListObjects needs oss:ListObjects on the bucket")
	}
}

func wantOSSRefusal(t *testing.T, err error, action, ec string) {
	t.Helper()
	var se oss.ServiceError
	if !errors.As(err, &se) || se.StatusCode != http.StatusForbidden || se.Code != "AccessDenied" || se.Ec != ec ||
		!strings.Contains(se.RawMessage, "<AuthAction>"+action+"</AuthAction>") {
		t.Fatalf("want 403 AccessDenied %s naming %s, got %#v", ec, action, err)
	}
}

func TestRAMControlAPI(t *testing.T) {
	srv := newOSSTestServer(t, Options{})
	body := `{"access_key_id":"ctl-ak","access_key_secret":"ctl-sk","policy":{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:ListBuckets","Resource":"*"}]}}`
	if st := control(t, srv, http.MethodPost, "ram/users", body, nil); st != http.StatusCreated {
		t.Fatalf("POST ram/users = %d", st)
	}
	if st := control(t, srv, http.MethodPost, "ram/users", body, nil); st != http.StatusBadRequest {
		t.Fatalf("a second key of the same id = %d, want 400", st)
	}
	c, _ := oss.New(srv.URL(), "ctl-ak", "ctl-sk")
	if _, err := c.ListBuckets(); err != nil {
		t.Fatalf("allowed ListBuckets: %v", err)
	}
	deny := `{"Version":"1","Statement":[{"Effect":"Deny","Action":"oss:*","Resource":"*"}]}`
	if st := control(t, srv, http.MethodPut, "ram/keys/ctl-ak/policy", deny, nil); st != http.StatusNoContent {
		t.Fatalf("PUT policy = %d", st)
	}
	if _, err := c.ListBuckets(); err == nil {
		t.Fatal("ListBuckets allowed after the deny-all policy")
	}
	if st := control(t, srv, http.MethodDelete, "ram/keys/ctl-ak/policy", "", nil); st != http.StatusNoContent {
		t.Fatalf("DELETE policy = %d", st)
	}
	if _, err := c.ListBuckets(); err != nil {
		t.Fatalf("ListBuckets after the policy was lifted: %v", err)
	}
	for path, doc := range map[string]string{
		"ram/keys/ctl-ak/policy":   `{"Version":"1"}`,
		"ram/keys/nobody/policy":   deny,
		"ram/roles/policy?arn=bad": deny,
	} {
		var e controlError
		if st := control(t, srv, http.MethodPut, path, doc, &e); st != http.StatusBadRequest || e.Error == "" {
			t.Errorf("PUT %s = %d %q, want 400 with a reason", path, st, e.Error)
		}
	}
	if st := control(t, srv, http.MethodPut, "ram/roles/policy?arn=acs:ram::"+DefaultAccountID+":role/r", deny, nil); st != http.StatusNoContent {
		t.Errorf("PUT role policy = %d", st)
	}
}

func TestRAMRequestOfRPCCalls(t *testing.T) {
	for _, c := range []struct {
		params           map[string]string
		action, resource string
	}{
		{map[string]string{"Version": ecsAPIVersion, "Action": "DeleteSnapshot", "RegionId": SeedRegion, "SnapshotId": "s-1"},
			"ecs:DeleteSnapshot", "acs:ecs:" + SeedRegion + ":42:snapshot/s-1"},
		{map[string]string{"Version": ecsAPIVersion, "Action": "DescribeImages", "RegionId": "cn-shanghai"},
			"ecs:DescribeImages", "acs:ecs:cn-shanghai:42:image/*"},
		{map[string]string{"Version": ecsAPIVersion, "Action": "TagResources", "RegionId": SeedRegion, "ResourceType": "snapshotpolicy", "ResourceId.1": "sp-1"},
			"ecs:TagResources", "acs:ecs:" + SeedRegion + ":42:snapshotpolicy/sp-1"},
		{map[string]string{"Version": ecsAPIVersion, "Action": "DescribeRegions"}, "ecs:DescribeRegions", "*"},
		{map[string]string{"Version": stsAPIVersion, "Action": "AssumeRole", "RoleArn": "acs:ram::42:role/r"}, "sts:AssumeRole", "acs:ram::42:role/r"},
		{map[string]string{"Version": ramEBSVersion, "Action": "CreateEnterpriseSnapshotPolicy", "RegionId": SeedRegion},
			"ebs:CreateEnterpriseSnapshotPolicy", "acs:ebs:" + SeedRegion + ":42:enterprisesnapshotpolicy/*"},
	} {
		action, resource, ok := rpcRAMRequest("42", c.params)
		if !ok || action != c.action || resource != c.resource {
			t.Errorf("%v: %s on %s (%v), want %s on %s", c.params, action, resource, ok, c.action, c.resource)
		}
	}
	if _, _, ok := rpcRAMRequest("42", map[string]string{"Version": stsAPIVersion, "Action": "GetCallerIdentity"}); ok {
		t.Error("GetCallerIdentity needs no permission")
	}
}
