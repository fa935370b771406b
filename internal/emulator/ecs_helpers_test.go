package emulator

import (
	"errors"
	"testing"
	"time"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// startECS starts an emulator on a manual clock set to the wall clock (the
// SDK stamps requests with wall time) and returns an SDK client for region.
func startECS(t *testing.T, region string) (*Server, *ManualClock, *ecs.Client) { //nolint:unparam // tests name their region
	t.Helper()
	clock := NewManualClock(time.Now())
	srv := newOSSTestServer(t, Options{Clock: clock, DataDir: t.TempDir()})
	return srv, clock, ecsClient(t, srv, region, DefaultAccessKeyID, DefaultAccessKeySecret)
}

// instantECS is startECS for SeedRegion with operations that finish at once.
func instantECS(t *testing.T) (*Server, *ecs.Client) {
	t.Helper()
	srv, _, client := startECS(t, SeedRegion)
	srv.SetDurations(InstantDurations())
	return srv, client
}

func ecsClient(t *testing.T, srv *Server, region, ak, sk string) *ecs.Client {
	t.Helper()
	c, err := ecs.NewClientWithAccessKey(region, ak, sk)
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = srv.Addr() // the SDK's default scheme is HTTP
	return c
}

// wantAPIError asserts err is the service error code with HTTP status.
func wantAPIError(t *testing.T, err error, status int, code string) {
	t.Helper()
	var se *sdkerrors.ServerError
	if !errors.As(err, &se) {
		t.Fatalf("want %d %s, got %v", status, code, err)
	}
	if se.HttpStatus() != status || se.ErrorCode() != code {
		t.Fatalf("want %d %s, got %d %s: %s", status, code, se.HttpStatus(), se.ErrorCode(), se.Message())
	}
}
