package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// faultFixture is a server with one 200 KiB object "obj" in bucket "faults".
func faultFixture(t *testing.T) (*Server, *oss.Bucket, []byte) {
	t.Helper()
	srv := newOSSTestServer(t, Options{})
	b := mustBucket(t, ossClient(t, srv), "faults")
	data := randBytes(200<<10, 5)
	if err := b.PutObject("obj", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	return srv, b, data
}

func inject(t *testing.T, srv *Server, f Fault) {
	t.Helper()
	if srv.InjectFault(f) == "" {
		t.Fatalf("fault %+v rejected", f)
	}
}

// ecsCall sends a bare ECS RPC request; faults apply before the ECS service
// looks at it, so no signature is needed to observe them.
func ecsCall(t *testing.T, srv *Server, action string) (int, map[string]string) {
	t.Helper()
	resp, err := http.Get(srv.URL() + "/?Action=" + action)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func TestFaultThrottlingAnd5xx(t *testing.T) {
	srv, b, _ := faultFixture(t)

	inject(t, srv, Fault{Service: "oss", Action: "GetObject", Kind: FaultThrottling, Count: 1})
	_, err := b.GetObject("obj")
	if se := serviceErr(t, err); se.StatusCode != 503 || se.Code != "TotalQpsLimitExceeded" {
		t.Fatalf("oss throttling: %+v", se)
	}
	rc, err := b.GetObject("obj") // Count 1: the next call passes
	if err != nil {
		t.Fatalf("after count exhausted: %v", err)
	}
	rc.Close()

	inject(t, srv, Fault{Service: "oss", Action: "PutObject", Kind: Fault5xx, Count: 1})
	if se := serviceErr(t, b.PutObject("x", strings.NewReader("x"))); se.StatusCode != 500 || se.Code != "InternalError" {
		t.Fatalf("oss 5xx: %+v", se)
	}

	inject(t, srv, Fault{Service: "ecs", Action: "DescribeImages", Kind: FaultThrottling, Count: 1})
	inject(t, srv, Fault{Service: "ecs", Action: "DescribeImages", Kind: Fault5xx, Count: 1})
	if st, body := ecsCall(t, srv, "DescribeImages"); st != 400 || body["Code"] != "Throttling.User" || body["RequestId"] == "" {
		t.Fatalf("ecs throttling: %d %v", st, body)
	}
	if st, body := ecsCall(t, srv, "DescribeImages"); st != 503 || body["Code"] != "ServiceUnavailable" {
		t.Fatalf("ecs 5xx: %d %v", st, body)
	}
	// A path prefix limits a rule to one object.
	if err := b.PutObject("other", strings.NewReader("o")); err != nil {
		t.Fatal(err)
	}
	inject(t, srv, Fault{Service: "oss", Action: "GetObject", Path: "/faults/obj", Kind: Fault5xx})
	if rc, err := b.GetObject("other"); err != nil {
		t.Fatalf("other object hit by a path-limited rule: %v", err)
	} else {
		rc.Close()
	}
	if _, err := b.GetObject("obj"); serviceErr(t, err).Code != "InternalError" {
		t.Fatalf("path-limited rule did not fire: %v", err)
	}
	// Other actions are not matched.
	inject(t, srv, Fault{Service: "ecs", Action: "DescribeImages", Kind: Fault5xx})
	if st, body := ecsCall(t, srv, "DescribeRegions"); body["Code"] == "ServiceUnavailable" {
		t.Fatalf("unmatched action got the fault: %d %v", st, body)
	}

	// The request log names service, action, status and fault.
	var found bool
	for _, r := range srv.Requests() {
		if r.Service == "ecs" && r.Action == "DescribeImages" && r.Status == 400 && r.Fault == FaultThrottling {
			found = true
		}
	}
	if !found {
		t.Fatalf("request log lacks the throttled call: %+v", srv.Requests())
	}
	faults := srv.Faults()
	if len(faults) != 6 || faults[0].Fired != 1 || faults[3].Fired != 1 || faults[5].Fired != 0 {
		t.Fatalf("faults %+v", faults)
	}
}

func TestFaultLatency(t *testing.T) {
	srv, b, _ := faultFixture(t)
	inject(t, srv, Fault{Service: "oss", Action: "HeadObject", Kind: FaultLatency, Duration: 80 * time.Millisecond})
	start := time.Now()
	if _, err := b.GetObjectDetailedMeta("obj"); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Fatalf("HEAD took %v, want >= 80ms", d)
	}
}

func TestFaultDrop(t *testing.T) {
	srv, b, _ := faultFixture(t)
	// Unlimited: Go's transport retries an idempotent request once on a
	// reused connection, and that retry must be dropped too.
	inject(t, srv, Fault{Service: "oss", Action: "GetObject", Kind: FaultDrop})
	_, err := b.GetObject("obj")
	var se oss.ServiceError
	if err == nil || errors.As(err, &se) {
		t.Fatalf("want a connection error, got %v", err)
	}
	recs := srv.Requests()
	last := recs[len(recs)-1]
	if last.Action != "GetObject" || last.Status != 0 || last.Fault != FaultDrop {
		t.Fatalf("log %+v", last)
	}
}

func TestFaultTruncate(t *testing.T) {
	srv, b, data := faultFixture(t)
	inject(t, srv, Fault{Service: "oss", Action: "GetObject", Kind: FaultTruncate, Count: 1})
	resp := rawOSS(t, srv, http.MethodGet, "/faults/obj", nil, nil)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ContentLength != int64(len(data)) {
		t.Fatalf("headers: %d len %d", resp.StatusCode, resp.ContentLength)
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) || len(body) != len(data)/2 || !bytes.Equal(body, data[:len(body)]) {
		t.Fatalf("body: %d bytes, err %v", len(body), err)
	}
	// Through the SDK the download fails.
	inject(t, srv, Fault{Service: "oss", Action: "GetObject", Kind: FaultTruncate, Count: 1})
	if err := b.GetObjectToFile("obj", filepath.Join(t.TempDir(), "f")); err == nil {
		t.Fatal("truncated download succeeded")
	}
}

func TestFaultCorrupt(t *testing.T) {
	srv, b, data := faultFixture(t)
	inject(t, srv, Fault{Service: "oss", Action: "GetObject", Kind: FaultCorrupt, Count: 1, Seed: 9})
	err := b.GetObjectToFile("obj", filepath.Join(t.TempDir(), "f"))
	var crcErr oss.CRCCheckError
	if !errors.As(err, &crcErr) {
		t.Fatalf("want the SDK's CRC check to fail, got %v", err)
	}
	// Headers are intact and exactly one byte differs.
	inject(t, srv, Fault{Service: "oss", Action: "GetObject", Kind: FaultCorrupt, Count: 1, Seed: 9})
	resp := rawOSS(t, srv, http.MethodGet, "/faults/obj", nil, nil)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Header.Get("x-oss-hash-crc64ecma") != strconv.FormatUint(crcOf(data), 10) || len(body) != len(data) {
		t.Fatalf("headers changed: %v len %d", resp.Header, len(body))
	}
	diff := 0
	for i := range body {
		if body[i] != data[i] {
			diff++
		}
	}
	if diff != 1 {
		t.Fatalf("%d bytes differ, want 1", diff)
	}

	// Uploads are corrupted on the way in: the SDK's CRC check on PutObject
	// notices that the server stored something else.
	inject(t, srv, Fault{Service: "oss", Action: "PutObject", Kind: FaultCorrupt, Count: 1})
	err = b.PutObject("up", bytes.NewReader(data))
	if !errors.As(err, &crcErr) {
		t.Fatalf("corrupt upload: want CRCCheckError, got %v", err)
	}
}

func TestFaultClockSkew(t *testing.T) {
	srv, b, _ := faultFixture(t)
	before := srv.now()
	inject(t, srv, Fault{Kind: FaultClockSkew, Duration: 20 * time.Minute})
	if d := srv.now().Sub(before); d < 20*time.Minute {
		t.Fatalf("now moved by %v", d)
	}
	_, err := b.GetObjectDetailedMeta("obj")
	if se := serviceErr(t, err); se.StatusCode != 403 || se.Code != "RequestTimeTooSkewed" {
		t.Fatalf("skewed: %+v", se)
	}
	resp, err := http.Get(srv.URL() + "/faults/obj")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	date, _ := http.ParseTime(resp.Header.Get("Date"))
	if d := time.Until(date); d < 19*time.Minute {
		t.Fatalf("Date header %v is not skewed", resp.Header.Get("Date"))
	}
	srv.ClearFaults()
	if _, err := b.GetObjectDetailedMeta("obj"); err != nil {
		t.Fatalf("after clearing: %v", err)
	}
}

// faultSequence runs n HEAD requests and returns which ones failed.
func faultSequence(t *testing.T, srv *Server, b *oss.Bucket, f Fault, n int) string {
	t.Helper()
	srv.ClearFaults()
	inject(t, srv, f)
	var seq strings.Builder
	for i := 0; i < n; i++ {
		if _, err := b.GetObjectDetailedMeta("obj"); err != nil {
			seq.WriteByte('x')
		} else {
			seq.WriteByte('.')
		}
	}
	return seq.String()
}

func TestFaultSeedReproducible(t *testing.T) {
	srv, b, _ := faultFixture(t)
	f := Fault{Service: "oss", Action: "HeadObject", Kind: Fault5xx, Rate: 0.5, Seed: 42}
	a := faultSequence(t, srv, b, f, 40)
	// Traffic that the rule does not match must not shift its sequence.
	srv.ClearFaults()
	inject(t, srv, f)
	var seq strings.Builder
	for i := 0; i < 40; i++ {
		if rc, err := b.GetObject("obj"); err == nil {
			rc.Close()
		}
		if _, err := b.GetObjectDetailedMeta("obj"); err != nil {
			seq.WriteByte('x')
		} else {
			seq.WriteByte('.')
		}
	}
	if seq.String() != a {
		t.Fatalf("interleaved traffic changed the sequence:\n%s\n%s", a, seq.String())
	}
	if !strings.Contains(a, "x") || !strings.Contains(a, ".") {
		t.Fatalf("rate 0.5 gave %s", a)
	}
	// A fresh server with the same seed gives the same sequence.
	srv2, b2, _ := faultFixture(t)
	if again := faultSequence(t, srv2, b2, f, 40); again != a {
		t.Fatalf("same seed differs:\n%s\n%s", a, again)
	}
	f.Seed = 43
	if other := faultSequence(t, srv, b, f, 40); other == a {
		t.Fatalf("seed 43 gave the same sequence as 42: %s", a)
	}
	// Count caps a rate-1 rule.
	if s := faultSequence(t, srv, b, Fault{Service: "oss", Action: "HeadObject", Kind: Fault5xx, Count: 3}, 6); s != "xxx..." {
		t.Fatalf("count 3 gave %s", s)
	}
}

func TestFaultValidationAndReset(t *testing.T) {
	srv, b, _ := faultFixture(t)
	for _, f := range []Fault{
		{Kind: "explode"},
		{Kind: FaultLatency},
		{Kind: Fault5xx, Rate: 1.5},
		{Kind: Fault5xx, Service: "rds"},
	} {
		if _, err := srv.AddFault(f); err == nil {
			t.Errorf("%+v accepted", f)
		}
	}
	inject(t, srv, Fault{Kind: Fault5xx})
	srv.Reset()
	if len(srv.Faults()) != 0 || len(srv.Requests()) != 0 {
		t.Fatalf("reset left faults %v requests %v", srv.Faults(), srv.Requests())
	}
	if _, err := b.GetObjectDetailedMeta("obj"); serviceErr(t, err).Code != "NoSuchBucket" {
		t.Fatalf("reset kept OSS state: %v", err)
	}
}

// The ECS SDK parses the injected errors as service errors with the codes
// the retry classification keys on.
func TestFaultECSErrorsThroughSDK(t *testing.T) {
	srv := newOSSTestServer(t, Options{})
	c, err := ecs.NewClientWithAccessKey(SeedRegion, DefaultAccessKeyID, DefaultAccessKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = srv.Addr() // the SDK's default scheme is HTTP
	inject(t, srv, Fault{Service: "ecs", Action: "DescribeRegions", Kind: FaultThrottling, Count: 1})
	inject(t, srv, Fault{Service: "ecs", Action: "DescribeRegions", Kind: Fault5xx, Count: 1})
	for _, want := range []struct {
		status int
		code   string
	}{{400, "Throttling.User"}, {503, "ServiceUnavailable"}} {
		_, err := c.DescribeRegions(ecs.CreateDescribeRegionsRequest())
		var se *sdkerrors.ServerError
		if !errors.As(err, &se) || se.HttpStatus() != want.status || se.ErrorCode() != want.code || se.RequestId() == "" {
			t.Fatalf("want %d %s, got %v", want.status, want.code, err)
		}
	}
	recs := srv.Requests()
	if len(recs) != 2 || recs[0].Service != "ecs" || recs[0].Action != "DescribeRegions" || recs[0].Fault != FaultThrottling {
		t.Fatalf("log %+v", recs)
	}
}
