package cloud

import (
	"context"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// startEmulator serves an emulator on a free port until the test ends.
func startEmulator(t *testing.T, opts emulator.Options) *emulator.Server {
	t.Helper()
	srv, err := emulator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// StartEmulator is startEmulator for the tests of package cloud_test.
var StartEmulator = startEmulator

// EmulatorConfig is the config of a client for emulator.SeedRegion with the
// emulator's default keys and every endpoint (ECS, OSS, EBS, STS) on srv.
func EmulatorConfig(srv *emulator.Server) Config {
	u := srv.URL()
	return Config{Region: emulator.SeedRegion, AccessKey: emulator.DefaultAccessKeyID, SecretKey: emulator.DefaultAccessKeySecret,
		Endpoints: Endpoints{ECS: u, OSS: u, EBS: u, STS: u}}
}

// MustNew is New for tests: an error ends the test.
func MustNew(t *testing.T, cfg Config) *Client {
	t.Helper()
	c, err := New(context.Background(), cfg, "test")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// CreateSnapshot takes a snapshot of disk in emulator.SeedRegion through c
// (named name unless it is empty) and returns its id.
func CreateSnapshot(t *testing.T, c *Client, disk, name string) string {
	t.Helper()
	req := ecs.CreateCreateSnapshotRequest()
	req.DiskId = disk
	if name != "" {
		req.SnapshotName = name
	}
	resp := ecs.CreateCreateSnapshotResponse()
	if err := c.DoECS(context.Background(), emulator.SeedRegion, req, resp); err != nil {
		t.Fatal(err)
	}
	return resp.SnapshotId
}

// CountCalls is countCalls for the tests of package cloud_test.
var CountCalls = countCalls

// emulatorClient starts an emulator and returns a client for it whose
// retries barely wait.
func emulatorClient(t *testing.T, opts emulator.Options) (*Client, *emulator.Server) {
	t.Helper()
	srv := startEmulator(t, opts)
	cfg := EmulatorConfig(srv)
	cfg.MaxRetries = 3
	c := MustNew(t, cfg)
	c.Backoff.Base, c.Backoff.Max = time.Millisecond, 5*time.Millisecond
	return c, srv
}

// instantClient is an emulatorClient whose operations finish at once.
func instantClient(t *testing.T) (*Client, *emulator.Server) {
	t.Helper()
	c, srv := emulatorClient(t, emulator.Options{})
	srv.SetDurations(emulator.InstantDurations())
	return c, srv
}

// instancesClient is instantClient without the server.
func instancesClient(t *testing.T) *Client {
	t.Helper()
	c, _ := instantClient(t)
	return c
}
