package cloud

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// Each kind's not-found answer is exactly its own code: a code that merely
// contains "NotFound" is about the request (a key, a region), not the
// resource.
func TestNotFoundCodesAreExactPerKind(t *testing.T) {
	for kind, codes := range notFoundCodes {
		for _, code := range codes {
			if !isMissing(serverError(404, code), kind) {
				t.Errorf("%s: %s must mean missing", kind, code)
			}
		}
		for _, other := range []string{"InvalidAccessKeyId.NotFound", "InvalidRegionId.NotFound", "InvalidZoneId.NotFound",
			"InvalidOSSBucket.NotFound", "InvalidAction.NotFound", "SignatureDoesNotMatch"} {
			if isMissing(serverError(404, other), kind) {
				t.Errorf("%s: %s must not mean the resource is missing", kind, other)
			}
		}
	}
	if isMissing(serverError(404, "InvalidSnapshotId.NotFound"), KindImage) {
		t.Error("a snapshot's code does not say an image is missing")
	}
	if IsNotFound(serverError(404, "InvalidImageId.NotFound")) {
		t.Error("IsNotFound is for finders' typed errors only")
	}
}

// A revoked or unknown key (InvalidAccessKeyId.NotFound) is an
// authentication failure: Read must not drop resources from state, Delete
// must not report success, nothing is retried.
func TestRevokedKeyIsAnAuthenticationError(t *testing.T) {
	_, srv := newEmulatorClient(t, emulator.DefaultAccessKeySecret)
	cfg := EmulatorConfig(srv)
	cfg.AccessKey, cfg.SecretKey, cfg.MaxRetries = "LTAI-revoked-key-0001", "whatever", 3
	c := MustNew(t, cfg)
	c.Backoff.Sleep = func(context.Context, time.Duration) error { return nil }
	// A tiny latency rule counts the calls as they arrive.
	srv.InjectFault(emulator.Fault{Service: "*", Kind: emulator.FaultLatency, Duration: time.Millisecond, Rate: 1})
	ctx := context.Background()
	_, errImage := c.FindImageByID(ctx, emulator.SeedRegion, "m-2zedoesnotexist00000")
	_, errInstance := c.FindInstanceByID(ctx, emulator.SeedRegion, emulator.SeedInstanceCoreDB)
	_, errSnapshot := c.FindSnapshotByID(ctx, emulator.SeedRegion, "s-2zeany00000000000000")
	_, errPolicy := c.FindAutoSnapshotPolicyByID(ctx, emulator.SeedRegion, "sp-2zeany0000000000000")
	_, errObject := c.HeadCheckedObject(ctx, emulator.SeedRegion, emulator.SeedBucket, "any")
	errDeleteImage := c.DeleteImage(ctx, emulator.SeedRegion, "m-2zedoesnotexist00000", false)
	errDeleteInstance := c.DeleteInstance(ctx, emulator.SeedRegion, emulator.SeedInstanceCoreDB)
	errRegions := c.CheckRegions(ctx, emulator.SeedRegion)
	for name, err := range map[string]error{"FindImageByID": errImage, "FindInstanceByID": errInstance,
		"FindSnapshotByID": errSnapshot, "FindAutoSnapshotPolicyByID": errPolicy, "HeadCheckedObject": errObject,
		"DeleteImage": errDeleteImage, "DeleteInstance": errDeleteInstance, "CheckRegions": errRegions} {
		if err == nil {
			t.Errorf("%s with a revoked key succeeded", name)
			continue
		}
		var ae *AccessError
		if IsNotFound(err) || IsObjectNotFound(err) || !errors.As(err, &ae) || ae.Permission {
			t.Errorf("%s: want an authentication error, got %v", name, err)
		}
		if !strings.Contains(err.Error(), "access_key") {
			t.Errorf("%s: the message must say what to check: %v", name, err)
		}
	}
	var unknown *UnknownRegionError
	if errors.As(errRegions, &unknown) {
		t.Errorf("a refused key is not an unknown region: %v", errRegions)
	}
	if f := srv.Faults(); len(f) != 1 || f[0].Fired != 8 {
		t.Errorf("authentication errors must not be retried: 8 calls, fault %+v", f)
	}
}

// Six throttled answers in a row are a matter of time, not of count: with
// max_retries = 5 the call still succeeds, waits grow to at most 60s, and a
// storm that outlasts the budget fails saying how to give it longer.
func TestThrottlingIsRetriedByTime(t *testing.T) {
	c, srv := newEmulatorClient(t, emulator.DefaultAccessKeySecret)
	c.Backoff = DefaultBackoff(5+1, 5*time.Minute)
	var slept []time.Duration
	c.Backoff.Sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	c.Backoff.Now = func() time.Time { return time.Unix(0, 0) } // time passes only by the sleeps
	srv.InjectFault(emulator.Fault{Service: "ecs", Action: "DescribeSnapshots", Kind: emulator.FaultThrottling, Rate: 1, Count: 6})
	if _, err := c.ListSnapshots(context.Background(), emulator.SeedRegion, SnapshotFilter{}); err != nil {
		t.Fatalf("six throttled answers with max_retries = 5: %v", err)
	}
	if len(slept) != 6 {
		t.Fatalf("want 6 waits, got %v", slept)
	}
	for _, d := range slept {
		if d > MaxBackoffDelay {
			t.Errorf("wait %s is over %s", d, MaxBackoffDelay)
		}
	}

	srv.ClearFaults()
	slept = nil
	c.Backoff.Budget = 2 * time.Minute
	srv.InjectFault(emulator.Fault{Service: "ecs", Action: "DescribeSnapshots", Kind: emulator.FaultThrottling, Rate: 1})
	_, err := c.ListSnapshots(context.Background(), emulator.SeedRegion, SnapshotFilter{})
	var total time.Duration
	for _, d := range slept {
		total += d
	}
	if !IsThrottled(err) || !strings.Contains(err.Error(), "max_retry_timeout") || total > 2*time.Minute || len(slept) < 5 {
		t.Fatalf("an endless storm ends within the budget (waited %s in %d waits): %v", total, len(slept), err)
	}
}

func TestThrottlingCodes(t *testing.T) {
	for _, code := range []string{"Throttling", "Throttling.User", "Throttling.Api", "Rejected.Throttling", "ServiceUnavailable"} {
		if err := serverError(400, code); !IsThrottled(err) || !Retryable(err) {
			t.Errorf("%s is throttling and retried", code)
		}
	}
	for _, code := range []string{"InvalidAccessKeyId.NotFound", "Forbidden.RAM", "NoPermission", "SignatureDoesNotMatch", "InvalidSecurityToken.Expired"} {
		if err := serverError(403, code); Retryable(err) || !IsAccessError(err) {
			t.Errorf("%s is an access error and never retried", code)
		}
	}
}

// LastTokenProcessing and OperationConflict answer a ClientToken request
// whose first attempt is still being handled: every such request is sent
// again until the first result comes back. Without a token they are final.
func TestBusyClientTokenIsRetried(t *testing.T) {
	var calls atomic.Int32
	busy := []string{"LastTokenProcessing", "OperationConflict"}
	ecsStub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(calls.Add(1))
		w.Header().Set("Content-Type", "application/json")
		if n <= len(busy) {
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, `{"RequestId":"r`+busy[n-1]+`","Code":"`+busy[n-1]+`","Message":"busy"}`)
			return
		}
		_, _ = io.WriteString(w, `{"RequestId":"r-ok","SnapshotId":"s-2zeok000000000000000"}`)
	}))
	t.Cleanup(ecsStub.Close)
	c, err := New(context.Background(), Config{Region: emulator.SeedRegion, AccessKey: "ak", SecretKey: "sk", Endpoints: Endpoints{ECS: ecsStub.URL}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	c.Backoff.Sleep = func(context.Context, time.Duration) error { return nil }

	req := ecs.CreateCreateSnapshotRequest()
	req.DiskId = "d-1"
	req.ClientToken = "alidr-token"
	resp := ecs.CreateCreateSnapshotResponse()
	if err := c.DoECS(context.Background(), emulator.SeedRegion, req, resp); err != nil || resp.SnapshotId == "" || calls.Load() != 3 {
		t.Fatalf("a busy token is retried: %d calls, %v", calls.Load(), err)
	}

	calls.Store(0)
	req = ecs.CreateCreateSnapshotRequest()
	req.DiskId = "d-1"
	if err := c.DoECS(context.Background(), emulator.SeedRegion, req, ecs.CreateCreateSnapshotResponse()); ErrorCode(err) != "LastTokenProcessing" || calls.Load() != 1 {
		t.Fatalf("without a token the answer is final: %d calls, %v", calls.Load(), err)
	}
}

func TestRedact(t *testing.T) {
	in := `Post "http://h/?AccessKeyId=LTAIabc&Action=X&SecurityToken=CAIS%2Bt0k%3D&Signature=s1g%3D&SignatureMethod=HMAC-SHA1&SignatureNonce=n1": EOF` +
		` string to sign is:POST&%2F&AccessKeyId%3DLTAIabc%26SecurityToken%3DCAIS%252Bt0k%26Version%3D1` +
		` Authorization: OSS LTAIabc:c2lnbmF0dXJl url ?OSSAccessKeyId=LTAIabc&Expires=1&Signature=abc%2B&security-token=CAIS` +
		` Authorization: OSS4-HMAC-SHA256 Credential=LTAIabc/20261203/cn-beijing/oss/aliyun_v4_request,Signature=deadbeef` +
		` map[AccessKeyId:[LTAIabc] SecurityToken:[CAIS]]`
	out := Redact(in)
	for _, secret := range []string{"LTAIabc", "CAIS", "s1g", "c2lnbmF0dXJl", "abc%2B", "deadbeef"} {
		if strings.Contains(out, secret) {
			t.Errorf("%q left in %s", secret, out)
		}
	}
	for _, kept := range []string{"SignatureMethod=HMAC-SHA1", "SignatureNonce=n1", "Action=X", "Version%3D1", "Expires=1"} {
		if !strings.Contains(out, kept) {
			t.Errorf("%q must be kept: %s", kept, out)
		}
	}
}

// CancelCopyImage's IncorrectImageStatus answers a finished copy, a failed
// one and an image that is not being copied: only the image's status tells
// whether the caller may delete it.
func TestCancelCopyImageIncorrectStatusLooksAtTheImage(t *testing.T) {
	status := "Waiting"
	ecsStub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Query().Get("Action") {
		case "CancelCopyImage":
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"RequestId":"r1","Code":"IncorrectImageStatus","Message":"The specified image is not coping."}`)
		case "DescribeImages":
			_, _ = io.WriteString(w, `{"RequestId":"r2","TotalCount":1,"Images":{"Image":[{"ImageId":"m-copy","Status":"`+status+`","IsCopied":true}]}}`)
		}
	}))
	t.Cleanup(ecsStub.Close)
	c, err := New(context.Background(), Config{Region: "cn-shanghai", AccessKey: "ak", SecretKey: "sk", Endpoints: Endpoints{ECS: ecsStub.URL}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if done, err := c.CancelCopyImage(context.Background(), "cn-shanghai", "m-copy"); done || ErrorCode(err) != "IncorrectImageStatus" {
		t.Fatalf("a copy still Waiting is not finished: done=%v, %v", done, err)
	}
	for _, s := range []string{"Available", "CreateFailed"} {
		status = s
		if done, err := c.CancelCopyImage(context.Background(), "cn-shanghai", "m-copy"); !done || err != nil {
			t.Fatalf("a copy that ended %s is left to delete: done=%v, %v", s, done, err)
		}
	}
}

// Base credentials STS does not accept fail assume_role as an
// authentication error, not as a transient one.
func TestAssumeRoleWithRevokedBaseKey(t *testing.T) {
	_, srv := newEmulatorClient(t, emulator.DefaultAccessKeySecret)
	cfg := EmulatorConfig(srv)
	cfg.AccessKey, cfg.SecretKey = "LTAI-revoked-key-0002", "s"
	cfg.AssumeRole = &AssumeRole{RoleARN: "acs:ram::" + emulator.DefaultAccountID + ":role/dr-operator"}
	_, err := New(context.Background(), cfg, "test")
	var ae *AccessError
	if !errors.As(err, &ae) || ae.Permission || !strings.Contains(err.Error(), "sts:AssumeRole") || strings.Contains(err.Error(), "LTAI-revoked-key-0002") {
		t.Fatalf("assume_role with a revoked base key: %v", err)
	}
}
