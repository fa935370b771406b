package acctest

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/alidr/terraform-provider-alidr/internal/acctest/fixture"
	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// Env is one test's target: an emulator of its own, or the real cloud, and
// the fixtures it holds.
type Env struct {
	// Emulator is nil against the real cloud.
	Emulator *emulator.Server
	fixture.Set
}

// New starts an emulator for t, or targets the real cloud in cloud mode:
// without credentials the test skips, without fixtures it fails.
func New(t *testing.T, opts emulator.Options) *Env {
	t.Helper()
	if Cloud() {
		for _, v := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"} {
			if os.Getenv(v) == "" {
				t.Skipf("cloud acceptance tests need %s", v)
			}
		}
		f, err := fixture.FromEnv(os.Getenv)
		if err != nil {
			t.Fatal(err)
		}
		return &Env{Set: f}
	}
	return &Env{Emulator: fixture.StartEmulator(t, opts), Set: fixture.Emulator()}
}

// NewInstant is New with the emulator's default options and instant
// operations (Instant): for tests of what the provider does, not of how
// long it waits.
func NewInstant(t *testing.T) *Env {
	t.Helper()
	env := New(t, emulator.Options{})
	env.Instant()
	return env
}

// NewEmulated is New with the emulator's default options for a test that
// needs the emulator's controls; reason says which (SkipOnCloud).
func NewEmulated(t *testing.T, reason string) *Env {
	t.Helper()
	SkipOnCloud(t, reason)
	return New(t, emulator.Options{})
}

// NewInstantEmulated is NewEmulated with instant operations (Instant).
func NewInstantEmulated(t *testing.T, reason string) *Env {
	t.Helper()
	env := NewEmulated(t, reason)
	env.Instant()
	return env
}

// SkipOnCloud skips a test that needs the emulator's controls (faults, its
// clock, scripted outcomes, its request log) when it runs against the real
// cloud; reason says which control. Call it before New.
func SkipOnCloud(t *testing.T, reason string) {
	t.Helper()
	if Cloud() {
		t.Skip("emulator only: " + reason)
	}
}

// OnEmulator calls f with the test's emulator and does nothing against the
// real cloud. It is for arrangements that make the emulator behave as the
// cloud does by itself (instant or slow operations) and for checks only the
// emulator can make (its request log, the commands it ran).
func (e *Env) OnEmulator(f func(s *emulator.Server)) {
	if e.Emulator != nil {
		f(e.Emulator)
	}
}

// Instant makes the emulator's operations finish at once (OnEmulator).
func (e *Env) Instant() {
	e.OnEmulator(func(s *emulator.Server) { s.SetDurations(emulator.InstantDurations()) })
}

// ProviderConfig is the provider block pointing at the test's target.
func (e *Env) ProviderConfig() string {
	if e.Emulator == nil {
		return fmt.Sprintf("provider \"alidr\" {\n  region = %q\n}\n", e.Region)
	}
	return fmt.Sprintf("provider \"alidr\" {\n  region      = %q\n  max_retries = 8\n%s%s}\n", e.Region, e.CredentialsHCL(), e.EndpointsHCL())
}

// CredentialsHCL sets the emulator's credentials in a provider block; against
// the real cloud it is empty: the provider reads them from the environment.
func (e *Env) CredentialsHCL() string {
	if e.Emulator == nil {
		return ""
	}
	return fmt.Sprintf("  access_key = %q\n  secret_key = %q\n", emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret)
}

// EndpointsHCL points a provider block at the emulator; against the real
// cloud it is empty.
func (e *Env) EndpointsHCL() string {
	if e.Emulator == nil {
		return ""
	}
	u := e.Emulator.URL()
	return fmt.Sprintf("  endpoints {\n    ecs = %q\n    oss = %q\n    sts = %q\n    ebs = %q\n  }\n", u, u, u, u)
}

// AccessKeyID is an access key id the target knows (an id, not a secret).
func (e *Env) AccessKeyID() string {
	if e.Emulator == nil {
		return os.Getenv("ALIBABA_CLOUD_ACCESS_KEY_ID")
	}
	return emulator.DefaultAccessKeyID
}

// Config joins the provider block with a test configuration.
func (e *Env) Config(hcl string, args ...any) string {
	return e.ProviderConfig() + fmt.Sprintf(hcl, args...)
}

// Client is a cloud client on the test's target, for arranging and checking
// what the configuration under test does. Its backoff is short so injected
// throttling does not slow the test.
func (e *Env) Client(t *testing.T) *cloud.Client {
	t.Helper()
	c, err := cloud.New(context.Background(), e.cloudConfig(), "acctest")
	if err != nil {
		t.Fatalf("cloud client for the test: %v", err)
	}
	c.Backoff.Base, c.Backoff.Max = time.Millisecond, 5*time.Millisecond
	return c
}

func (e *Env) cloudConfig() cloud.Config {
	cfg := cloud.Config{Region: e.Region, MaxRetries: 3}
	if e.Emulator != nil {
		cfg.AccessKey, cfg.SecretKey = emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret
		cfg.Endpoints = cloud.Endpoints{ECS: e.Emulator.URL(), OSS: e.Emulator.URL(), STS: e.Emulator.URL(), EBS: e.Emulator.URL()}
	} else {
		cfg.ApplyEnvironment(os.Getenv)
	}
	return cfg
}

// ECS is the official ECS SDK client on the test's target in region: tests
// check what the provider did through it, not through the provider.
func (e *Env) ECS(t *testing.T, region string) *ecs.Client {
	t.Helper()
	cfg := e.cloudConfig()
	c, err := ecs.NewClientWithAccessKey(region, cfg.AccessKey, cfg.SecretKey)
	if err != nil {
		t.Fatal(err)
	}
	if e.Emulator != nil {
		c.Domain = e.Emulator.Addr()
	}
	return c
}

// OSSBucket is the official OSS SDK handle on the fixture bucket.
func (e *Env) OSSBucket(t *testing.T) *oss.Bucket {
	t.Helper()
	b, err := e.Client(t).Bucket(e.Region, e.Bucket)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Test runs an acceptance test case: in parallel with the others against
// the emulator, where each test has its own, and one at a time against the
// real cloud, where the tests share the fixtures (a disk follows one
// snapshot policy at a time; tests count the images in a region).
func Test(t *testing.T, tc resource.TestCase) {
	t.Helper()
	if Cloud() {
		resource.Test(t, tc)
		return
	}
	resource.ParallelTest(t, tc)
}
