package emulator

import (
	"errors"
	"strings"
	"testing"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// OSS accepts temporary keys from the emulator's STS AssumeRole together
// with their security token, and rejects them without it.
func TestOSSWithSTSCredentials(t *testing.T) {
	srv := newOSSTestServer(t, Options{})
	if err := srv.CreateBucket("sts-bucket", ""); err != nil {
		t.Fatal(err)
	}
	sc, err := sts.NewClientWithAccessKey("cn-beijing", DefaultAccessKeyID, DefaultAccessKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	sc.Domain = srv.Addr()
	req := sts.CreateAssumeRoleRequest()
	req.RoleArn = "acs:ram::" + DefaultAccountID + ":role/dr-operator"
	req.RoleSessionName = "oss-test"
	resp, err := sc.AssumeRole(req)
	var se *sdkerrors.ServerError
	if errors.As(err, &se) && strings.HasPrefix(se.ErrorCode(), "InvalidAction") {
		t.Skip("this emulator build has no STS AssumeRole")
	}
	if err != nil {
		t.Fatal(err)
	}
	cr := resp.Credentials
	for _, v := range []oss.ClientOption{nil, oss.AuthVersion(oss.AuthV4)} {
		opts := []oss.ClientOption{oss.SecurityToken(cr.SecurityToken)}
		if v != nil {
			opts = append(opts, v, oss.Region("cn-beijing"))
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
	if _, err := b.GetObject("k"); serviceErr(t, err).StatusCode != 403 {
		t.Fatalf("wrong token: %v", err)
	}
}
