package emulator

import (
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// OSS accepts temporary keys from the emulator's STS AssumeRole together
// with their security token, and rejects them without it.
func TestOSSWithSTSCredentials(t *testing.T) {
	clock := NewManualClock(time.Now())
	srv := newOSSTestServer(t, Options{Clock: clock})
	if err := srv.CreateBucket("sts-bucket", ""); err != nil {
		t.Fatal(err)
	}
	sc, err := sts.NewClientWithAccessKey(SeedRegion, DefaultAccessKeyID, DefaultAccessKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	sc.Domain = srv.Addr()
	req := sts.CreateAssumeRoleRequest()
	req.RoleArn = "acs:ram::" + DefaultAccountID + ":role/dr-operator"
	req.RoleSessionName = "oss-test"
	req.DurationSeconds = "900"
	resp, err := sc.AssumeRole(req)
	if err != nil {
		t.Fatal(err)
	}
	cr := resp.Credentials
	for _, v := range []oss.ClientOption{nil, oss.AuthVersion(oss.AuthV4)} {
		opts := []oss.ClientOption{oss.SecurityToken(cr.SecurityToken)}
		if v != nil {
			opts = append(opts, v, oss.Region(SeedRegion))
		}
		c, _ := oss.New(srv.URL(), cr.AccessKeyId, cr.AccessKeySecret, opts...)
		b, _ := c.Bucket("sts-bucket")
		if err := b.PutObject("k", strings.NewReader("via sts")); err != nil {
			t.Fatalf("put with STS keys: %v", err)
		}
	}
	noToken, _ := oss.New(srv.URL(), cr.AccessKeyId, cr.AccessKeySecret)
	b, _ := noToken.Bucket("sts-bucket")
	if _, err := b.GetObject("k"); serviceErr(t, err).Code != "InvalidAccessKeyId" {
		t.Fatalf("without token: %v", err)
	}
	wrong, _ := oss.New(srv.URL(), cr.AccessKeyId, cr.AccessKeySecret, oss.SecurityToken("CAISwrong"))
	b, _ = wrong.Bucket("sts-bucket")
	if _, err := b.GetObject("k"); serviceErr(t, err).Code != "InvalidAccessKeyId" {
		t.Fatalf("wrong token: %v", err)
	}
	good, _ := oss.New(srv.URL(), cr.AccessKeyId, cr.AccessKeySecret, oss.SecurityToken(cr.SecurityToken))
	b, _ = good.Bucket("sts-bucket")
	clock.Advance(16 * time.Minute)
	if _, err := b.GetObject("k"); serviceErr(t, err).Code != "SecurityTokenExpired" {
		t.Fatalf("expired token: %v", err)
	}
}
