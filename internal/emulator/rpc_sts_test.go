package emulator

import (
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"
)

func stsClient(t *testing.T, srv *Server, ak, sk string) *sts.Client {
	t.Helper()
	c, err := sts.NewClientWithAccessKey(SeedRegion, ak, sk)
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = srv.Addr()
	return c
}

func TestAssumeRoleCrossAccount(t *testing.T) {
	srv, clock, _ := startECS(t, SeedRegion)
	srv.AddAccount("2000000000000002", "dr-ak", "dr-sk")
	base := stsClient(t, srv, DefaultAccessKeyID, DefaultAccessKeySecret)

	req := sts.CreateAssumeRoleRequest()
	req.RoleArn = "acs:ram::2000000000000002:role/dr-operator"
	req.RoleSessionName = "terraform"
	req.DurationSeconds = requests.NewInteger(900)
	resp, err := base.AssumeRole(req)
	if err != nil {
		t.Fatal(err)
	}
	cred := resp.Credentials
	if !strings.HasPrefix(cred.AccessKeyId, "STS.") || cred.SecurityToken == "" ||
		resp.AssumedRoleUser.Arn != "acs:ram::2000000000000002:assumed-role/dr-operator/terraform" {
		t.Fatalf("AssumeRole %+v", resp)
	}
	exp, err := time.Parse(time.RFC3339, cred.Expiration)
	if err != nil || !exp.Equal(clock.Now().Add(900*time.Second).Truncate(time.Second)) {
		t.Fatalf("expiration %q: %v", cred.Expiration, err)
	}

	// The temporary keys act in the role's account: no core instances there.
	roleECS, err := ecs.NewClientWithStsToken(SeedRegion, cred.AccessKeyId, cred.AccessKeySecret, cred.SecurityToken)
	if err != nil {
		t.Fatal(err)
	}
	roleECS.Domain = srv.Addr()
	list, err := roleECS.DescribeInstances(ecs.CreateDescribeInstancesRequest())
	if err != nil || list.TotalCount != 0 {
		t.Fatalf("role account instances: %v %+v", err, list)
	}
	who, err := func() (*sts.GetCallerIdentityResponse, error) {
		c, err := sts.NewClientWithStsToken(SeedRegion, cred.AccessKeyId, cred.AccessKeySecret, cred.SecurityToken)
		if err != nil {
			return nil, err
		}
		c.Domain = srv.Addr()
		return c.GetCallerIdentity(sts.CreateGetCallerIdentityRequest())
	}()
	if err != nil || who.AccountId != "2000000000000002" || who.IdentityType != "AssumedRoleUser" || who.Arn != resp.AssumedRoleUser.Arn {
		t.Fatalf("caller identity: %v %+v", err, who)
	}

	// A wrong token is refused.
	bad, _ := ecs.NewClientWithStsToken(SeedRegion, cred.AccessKeyId, cred.AccessKeySecret, "CAISforged")
	bad.Domain = srv.Addr()
	_, err = bad.DescribeInstances(ecs.CreateDescribeInstancesRequest())
	wantAPIError(t, err, 400, "InvalidSecurityToken.MismatchWithAccessKey")

	// Expired credentials are refused (the timestamp check is off because
	// the clock moves away from the SDK's wall-clock timestamps).
	srv.SetTimestampWindow(0)
	clock.Advance(901 * time.Second)
	_, err = roleECS.DescribeInstances(ecs.CreateDescribeInstancesRequest())
	wantAPIError(t, err, 400, "InvalidSecurityToken.Expired")
}

func TestAssumeRoleErrors(t *testing.T) {
	srv, _, _ := startECS(t, SeedRegion)
	base := stsClient(t, srv, DefaultAccessKeyID, DefaultAccessKeySecret)
	cases := []struct {
		arn, session, duration string
		status                 int
		code                   string
	}{
		{"acs:ram::9999999999999999:role/nobody", "s1", "", 404, "EntityNotExist.Role"},
		{"not-an-arn", "s1", "", 400, "InvalidParameter.RoleArn"},
		{"acs:ram::" + DefaultAccountID + ":role/ops", "", "", 400, "MissingParameter"},
		{"acs:ram::" + DefaultAccountID + ":role/ops", "s1", "60", 400, "InvalidParameter.DurationSeconds"},
	}
	for _, tc := range cases {
		req := sts.CreateAssumeRoleRequest()
		req.RoleArn, req.RoleSessionName = tc.arn, tc.session
		if tc.duration != "" {
			req.DurationSeconds = requests.Integer(tc.duration)
		}
		_, err := base.AssumeRole(req)
		wantAPIError(t, err, tc.status, tc.code)
	}
	who, err := base.GetCallerIdentity(sts.CreateGetCallerIdentityRequest())
	if err != nil || who.AccountId != DefaultAccountID || who.IdentityType != "Account" {
		t.Fatalf("%v %+v", err, who)
	}
}
