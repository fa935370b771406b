package cloud

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestApplyEnvironmentPrefersCurrentNames(t *testing.T) {
	c := Config{}
	c.ApplyEnvironment(envOf(map[string]string{
		"ALIBABA_CLOUD_ACCESS_KEY_ID": "new", "ALICLOUD_ACCESS_KEY": "old",
		"ALICLOUD_SECRET_KEY": "old-secret", "ALICLOUD_REGION": "cn-shanghai",
	}))
	if c.AccessKey != "new" || c.SecretKey != "old-secret" || c.Region != "cn-shanghai" {
		t.Fatalf("got %+v", c)
	}
	explicit := Config{AccessKey: "hcl", MaxRetries: 2}
	explicit.ApplyEnvironment(envOf(map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "env"}))
	if explicit.AccessKey != "hcl" || explicit.MaxRetries != 2 {
		t.Fatalf("configuration must win over the environment: %+v", explicit)
	}
}

// ALIDR_DESCRIBE_BATCHING=off (README) turns batching and shared listings
// off; any other value leaves them on.
func TestApplyEnvironmentBatchingSwitch(t *testing.T) {
	for value, off := range map[string]bool{"off": true, "on": false, "": false} {
		var c Config
		c.ApplyEnvironment(envOf(map[string]string{"ALIDR_DESCRIBE_BATCHING": value}))
		if c.NoBatching != off {
			t.Errorf("ALIDR_DESCRIBE_BATCHING=%q: NoBatching %v, want %v", value, c.NoBatching, off)
		}
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		cfg  Config
		want string
	}{
		{Config{}, `set "region"`},
		{Config{Region: "Beijing"}, `not a region id`},
		{Config{Region: emulator.SeedRegion, Endpoints: Endpoints{ECS: "http://192.168.1.10"}}, "endpoints.ecs: the ecs endpoint"},
		{Config{Region: emulator.SeedRegion, AssumeRole: &AssumeRole{}}, "assume_role needs role_arn"},
		{Config{Region: emulator.SeedRegion, MaxRetries: -1}, "max_retries"},
	}
	for _, c := range cases {
		err := c.cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate(%+v) = %v, want %q", c.cfg, err, c.want)
		}
	}
	if err := (&Config{Region: emulator.SeedRegion, Endpoints: Endpoints{ECS: "http://127.0.0.1:1"}}).Validate(); err != nil {
		t.Errorf("loopback http must be accepted: %v", err)
	}
}

func TestResolveCredentials(t *testing.T) {
	if _, err := (&Config{}).resolveStatic(); !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("no credentials: got %v", err)
	}
	msg := ErrNoCredentials.Error()
	for _, want := range []string{"access_key", "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY", "profile"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the no-credentials error should name %s", want)
		}
	}
	if _, err := (&Config{AccessKey: "a"}).resolveStatic(); err == nil || !strings.Contains(err.Error(), "together") {
		t.Errorf("half a key pair: got %v", err)
	}

	file := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(file, []byte(`{"current":"dr","profiles":[
		{"name":"dr","mode":"AK","access_key_id":"AK1","access_key_secret":"S1"},
		{"name":"sts","mode":"StsToken","access_key_id":"AK2","access_key_secret":"S2","sts_token":"T2"},
		{"name":"ecs","mode":"EcsRamRole"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := (&Config{SharedCredentialsFile: file}).resolveStatic()
	if err != nil || got.AccessKeyID != "AK1" || got.AccessKeySecret != "S1" {
		t.Fatalf("current profile: %+v %v", got, err)
	}
	got, err = (&Config{SharedCredentialsFile: file, Profile: "sts"}).resolveStatic()
	if err != nil || got.SecurityToken != "T2" {
		t.Fatalf("sts profile: %+v %v", got, err)
	}
	if _, err = (&Config{SharedCredentialsFile: file, Profile: "ecs"}).resolveStatic(); err == nil || !strings.Contains(err.Error(), `mode "EcsRamRole"`) {
		t.Errorf("unsupported mode: %v", err)
	}
	if _, err = (&Config{SharedCredentialsFile: file, Profile: "nope"}).resolveStatic(); err == nil || !strings.Contains(err.Error(), "dr, sts, ecs") {
		t.Errorf("missing profile should list the profiles: %v", err)
	}
	if err := os.WriteFile(file, []byte(`{not json`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err = (&Config{SharedCredentialsFile: file}).resolveStatic(); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("bad JSON: %v", err)
	}
}
