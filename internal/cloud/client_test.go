package cloud

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

func newEmulatorClient(t *testing.T, secret string) (*Client, *emulator.Server) {
	t.Helper()
	srv := startEmulator(t, emulator.Options{})
	cfg := EmulatorConfig(srv)
	cfg.SecretKey, cfg.MaxRetries = secret, 3
	return MustNew(t, cfg), srv
}

// Resources poll several regions at once; the shared client must be safe
// for that (run with -race).
func TestConcurrentECSCalls(t *testing.T) {
	c, _ := newEmulatorClient(t, emulator.DefaultAccessKeySecret)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(region string) {
			defer wg.Done()
			_, err := c.ListDisks(context.Background(), region, DiskFilter{})
			errs <- err
		}([]string{emulator.SeedRegion, "cn-shanghai"}[i%2])
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestRetriesThrottlingThenSucceeds(t *testing.T) {
	c, srv := newEmulatorClient(t, emulator.DefaultAccessKeySecret)
	c.Backoff.Sleep = func(context.Context, time.Duration) error { return nil }
	srv.InjectFault(emulator.Fault{Service: "ecs", Action: "DescribeDisks", Kind: "throttling", Rate: 1, Count: 2})
	disks, err := c.ListDisks(context.Background(), emulator.SeedRegion, DiskFilter{InstanceID: emulator.SeedInstanceCoreDB})
	if err != nil || len(disks) != 2 {
		t.Fatalf("got %d disks, %v", len(disks), err)
	}
	if f := srv.Faults(); len(f) != 1 || f[0].Fired != 2 {
		t.Fatalf("expected 2 throttled attempts before success, faults: %+v", f)
	}
}

func TestWrongSecretIsNotRetried(t *testing.T) {
	c, srv := newEmulatorClient(t, "wrong")
	// A tiny latency rule counts the calls as they arrive.
	srv.InjectFault(emulator.Fault{Service: "ecs", Action: "DescribeRegions", Kind: "latency", Duration: time.Millisecond, Rate: 1})
	_, err := c.Regions(context.Background())
	if ErrorCode(err) != "SignatureDoesNotMatch" {
		t.Fatalf("got %v", err)
	}
	if f := srv.Faults(); len(f) != 1 || f[0].Fired != 1 {
		t.Fatalf("a signature error must not be retried: %+v", f)
	}
}

func TestAssumeRoleThroughSTS(t *testing.T) {
	cfg := EmulatorConfig(startEmulator(t, emulator.Options{}))
	cfg.AssumeRole = &AssumeRole{RoleARN: "acs:ram::" + emulator.DefaultAccountID + ":role/dr-operator", SessionName: "alidr-test"}
	c := MustNew(t, cfg)
	cc, err := c.creds.GetCredentials()
	if err != nil || cc.SecurityToken == "" || cc.AccessKeyId == emulator.DefaultAccessKeyID {
		t.Fatalf("expected temporary credentials, got %+v %v", cc, err)
	}
	req := ecs.CreateDescribeInstancesRequest()
	resp := ecs.CreateDescribeInstancesResponse()
	if err := c.DoECS(context.Background(), emulator.SeedRegion, req, resp); err != nil {
		t.Fatalf("calling ECS with the role's credentials: %v", err)
	}
	if resp.TotalCount != 2 {
		t.Fatalf("the role works in the same account: want 2 instances, got %d", resp.TotalCount)
	}
}
