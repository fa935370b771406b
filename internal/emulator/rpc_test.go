package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// signedParams builds a DescribeRegions call signed like the SDK, with the
// given secret, nonce and timestamp.
func signedParams(secret, nonce string, ts time.Time) url.Values {
	p := map[string]string{
		"Action": "DescribeRegions", "Version": ecsAPIVersion, "Format": "JSON",
		"AccessKeyId": DefaultAccessKeyID, "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
		"SignatureType": "", "SignatureNonce": nonce, "Timestamp": ts.UTC().Format("2006-01-02T15:04:05Z"),
		"RegionId": SeedRegion,
	}
	v := url.Values{}
	for k, val := range p {
		v.Set(k, val)
	}
	v.Set("Signature", rpcSign(rpcStringToSign("POST", p), secret))
	return v
}

func postRPC(t *testing.T, srv *Server, v url.Values) (int, map[string]any, http.Header) {
	t.Helper()
	resp, err := http.Post(srv.URL()+"/?"+v.Encode(), "application/x-www-form-urlencoded", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	return resp.StatusCode, m, resp.Header
}

func TestRPCSignatureChecks(t *testing.T) {
	srv, clock, _ := startECS(t, SeedRegion)
	now := clock.Now()
	cases := []struct {
		name   string
		params url.Values
		status int
		code   string
	}{
		{"wrong secret", signedParams("not-the-secret", "n1", now), 400, "SignatureDoesNotMatch"},
		{"stale timestamp", signedParams(DefaultAccessKeySecret, "n2", now.Add(-16*time.Minute)), 400, "InvalidTimeStamp.Expired"},
		{"future timestamp", signedParams(DefaultAccessKeySecret, "n3", now.Add(16*time.Minute)), 400, "InvalidTimeStamp.Expired"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body, h := postRPC(t, srv, tc.params)
			if status != tc.status || body["Code"] != tc.code {
				t.Fatalf("got %d %v, want %d %s", status, body, tc.status, tc.code)
			}
			if body["RequestId"] == "" || h.Get("Date") == "" {
				t.Fatalf("missing RequestId or Date: %v %v", body, h)
			}
		})
	}

	t.Run("unknown key", func(t *testing.T) {
		v := signedParams(DefaultAccessKeySecret, "n4", now)
		v.Set("AccessKeyId", "nobody")
		status, body, _ := postRPC(t, srv, v)
		if status != 404 || body["Code"] != "InvalidAccessKeyId.NotFound" {
			t.Fatalf("got %d %v", status, body)
		}
	})

	t.Run("tampered parameter", func(t *testing.T) {
		v := signedParams(DefaultAccessKeySecret, "n5", now)
		v.Set("RegionId", "cn-shanghai")
		status, body, _ := postRPC(t, srv, v)
		if status != 400 || body["Code"] != "SignatureDoesNotMatch" {
			t.Fatalf("got %d %v", status, body)
		}
	})

	t.Run("replayed nonce", func(t *testing.T) {
		v := signedParams(DefaultAccessKeySecret, "n6", now)
		if status, body, _ := postRPC(t, srv, v); status != 200 {
			t.Fatalf("first call: %d %v", status, body)
		}
		status, body, _ := postRPC(t, srv, v)
		if status != 400 || body["Code"] != "SignatureNonceUsed" {
			t.Fatalf("replay: got %d %v", status, body)
		}
	})

	t.Run("missing signature", func(t *testing.T) {
		v := signedParams(DefaultAccessKeySecret, "n7", now)
		v.Del("Signature")
		status, body, _ := postRPC(t, srv, v)
		if status != 400 || body["Code"] != "MissingParameter" {
			t.Fatalf("got %d %v", status, body)
		}
	})

	t.Run("unknown action", func(t *testing.T) {
		p := map[string]string{}
		v := signedParams(DefaultAccessKeySecret, "n8", now)
		v.Set("Action", "LaunchRockets")
		v.Del("Signature")
		for k := range v {
			p[k] = v.Get(k)
		}
		v.Set("Signature", rpcSign(rpcStringToSign("POST", p), DefaultAccessKeySecret))
		status, body, _ := postRPC(t, srv, v)
		if status != 404 || body["Code"] != "InvalidAction.NotFound" {
			t.Fatalf("got %d %v", status, body)
		}
	})
}

// The form body takes part in the signature like the query does.
func TestRPCFormBodySigned(t *testing.T) {
	srv, clock, _ := startECS(t, SeedRegion)
	v := signedParams(DefaultAccessKeySecret, "form-1", clock.Now())
	resp, err := http.Post(srv.URL()+"/", "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestDescribeRegionsAndZonesThroughSDK(t *testing.T) {
	srv, _, client := startECS(t, SeedRegion)
	regions, err := client.DescribeRegions(ecs.CreateDescribeRegionsRequest())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range regions.Regions.Region {
		got[r.RegionId] = r.RegionEndpoint
	}
	for _, id := range []string{SeedRegion, "cn-shanghai", "cn-guangzhou", "cn-hangzhou"} {
		if got[id] != fmt.Sprintf("ecs.%s.aliyuncs.com", id) {
			t.Errorf("region %s endpoint %q", id, got[id])
		}
	}
	if regions.RequestId == "" {
		t.Error("no RequestId")
	}

	zreq := ecs.CreateDescribeZonesRequest()
	zreq.RegionId = "cn-shanghai"
	zones, err := client.DescribeZones(zreq)
	if err != nil {
		t.Fatal(err)
	}
	if len(zones.Zones.Zone) != 3 || zones.Zones.Zone[0].ZoneId != "cn-shanghai-e" {
		t.Fatalf("zones %+v", zones.Zones.Zone)
	}
	if !contains(zones.Zones.Zone[0].AvailableInstanceTypes.InstanceTypes, "ecs.g7.large") {
		t.Errorf("zone types %v", zones.Zones.Zone[0].AvailableInstanceTypes.InstanceTypes)
	}

	zreq = ecs.CreateDescribeZonesRequest()
	zreq.RegionId = "mars-north-1"
	_, err = client.DescribeZones(zreq)
	wantAPIError(t, err, 404, "InvalidRegionId.NotFound")

	// Another account's keys are verified against that account's secret.
	srv.AddAccount("2000000000000002", "other-ak", "other-sk")
	if _, err := ecsClient(t, srv, SeedRegion, "other-ak", "other-sk").DescribeRegions(ecs.CreateDescribeRegionsRequest()); err != nil {
		t.Fatal(err)
	}
	_, err = ecsClient(t, srv, SeedRegion, "other-ak", DefaultAccessKeySecret).DescribeRegions(ecs.CreateDescribeRegionsRequest())
	wantAPIError(t, err, 400, "SignatureDoesNotMatch")
}

func TestDescribeInstanceTypesFilters(t *testing.T) {
	_, _, client := startECS(t, SeedRegion)
	req := ecs.CreateDescribeInstanceTypesRequest()
	req.InstanceTypes = &[]string{"ecs.g7.large", "ecs.c7.large"}
	resp, err := client.DescribeInstanceTypes(req)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.InstanceTypes.InstanceType) != 2 {
		t.Fatalf("%+v", resp.InstanceTypes.InstanceType)
	}
	for _, it := range resp.InstanceTypes.InstanceType {
		if it.InstanceTypeId == "ecs.g7.large" && (it.CpuCoreCount != 2 || it.MemorySize != 8) {
			t.Errorf("g7.large %+v", it)
		}
	}
	req = ecs.CreateDescribeInstanceTypesRequest()
	req.MinimumCpuCoreCount = "4"
	resp, err = client.DescribeInstanceTypes(req)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range resp.InstanceTypes.InstanceType {
		if it.CpuCoreCount < 4 {
			t.Errorf("filter leaked %s", it.InstanceTypeId)
		}
	}
	if len(resp.InstanceTypes.InstanceType) == 0 {
		t.Error("no types with >= 4 cores")
	}
}

func TestRPCMissingRegion(t *testing.T) {
	srv, clock, _ := startECS(t, SeedRegion)
	v := signedParams(DefaultAccessKeySecret, "r1", clock.Now())
	p := map[string]string{}
	v.Set("Action", "DescribeZones")
	v.Del("RegionId")
	v.Del("Signature")
	for k := range v {
		p[k] = v.Get(k)
	}
	v.Set("Signature", rpcSign(rpcStringToSign("POST", p), DefaultAccessKeySecret))
	status, body, _ := postRPC(t, srv, v)
	if status != 400 || body["Code"] != "MissingParameter" {
		t.Fatalf("got %d %v", status, body)
	}
}
