// Package cloud builds ECS and OSS clients on the official SDKs from the
// provider configuration, and gives the resources what the SDKs lack:
// retries with backoff on throttling, typed errors, finders and waiters.
package cloud

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Config is the provider configuration after HCL and environment merging.
type Config struct {
	Region                string
	AccessKey             string
	SecretKey             string
	SecurityToken         string
	Profile               string
	SharedCredentialsFile string
	AssumeRole            *AssumeRole
	Endpoints             Endpoints
	MaxRetries            int
	// RetryTimeout bounds how long a throttled call is retried (0: the
	// default, DefaultRetryTimeout).
	RetryTimeout time.Duration
	// NoBatching sends every Describe lookup by id on its own instead of
	// batching concurrent ones (batch.go); ALIDR_DESCRIBE_BATCHING=off.
	NoBatching bool
}

// AssumeRole asks STS for temporary credentials of a RAM role.
type AssumeRole struct {
	RoleARN           string
	SessionName       string
	Policy            string
	ExternalID        string
	SessionExpiration int // seconds, 900-43200
}

// Endpoints overrides service addresses (empty = the public endpoint).
type Endpoints struct {
	ECS, OSS, STS string
	EBS           string // ebs.<region>.aliyuncs.com when empty (ebs.go)
}

// DefaultMaxRetries is how often a call failing with a 5xx or network error
// is retried (throttling is retried by time: RetryTimeout).
const DefaultMaxRetries = 5

func (c *Config) retryTimeout() time.Duration {
	if c.RetryTimeout > 0 {
		return c.RetryTimeout
	}
	return DefaultRetryTimeout
}

// envNames lists, per setting, the environment variables read in order:
// the current ALIBABA_CLOUD_* names first, then the older ALICLOUD_* ones.
var envNames = map[string][]string{
	"access_key":              {"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"},
	"secret_key":              {"ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"},
	"security_token":          {"ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"},
	"region":                  {"ALIBABA_CLOUD_REGION", "ALICLOUD_REGION"},
	"profile":                 {"ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE"},
	"shared_credentials_file": {"ALIBABA_CLOUD_CREDENTIALS_FILE", "ALICLOUD_SHARED_CREDENTIALS_FILE"},
	"assume_role_arn":         {"ALIBABA_CLOUD_ROLE_ARN", "ALICLOUD_ASSUME_ROLE_ARN"},
	"assume_role_session":     {"ALIBABA_CLOUD_ROLE_SESSION_NAME", "ALICLOUD_ASSUME_ROLE_SESSION_NAME"},
}

// ApplyEnvironment fills unset fields from the environment (getenv is
// os.Getenv outside tests).
func (c *Config) ApplyEnvironment(getenv func(string) string) {
	fill := func(dst *string, key string) {
		if *dst != "" {
			return
		}
		for _, name := range envNames[key] {
			if v := getenv(name); v != "" {
				*dst = v
				return
			}
		}
	}
	fill(&c.AccessKey, "access_key")
	fill(&c.SecretKey, "secret_key")
	fill(&c.SecurityToken, "security_token")
	fill(&c.Region, "region")
	fill(&c.Profile, "profile")
	fill(&c.SharedCredentialsFile, "shared_credentials_file")
	if getenv("ALIDR_DESCRIBE_BATCHING") == "off" {
		c.NoBatching = true
	}
	if c.AssumeRole == nil {
		var arn, session string
		fill(&arn, "assume_role_arn")
		fill(&session, "assume_role_session")
		if arn != "" {
			c.AssumeRole = &AssumeRole{RoleARN: arn, SessionName: session}
		}
	}
}

var regionPattern = regexp.MustCompile(`^[a-z]{2,}(-[a-z0-9]+)+$`)

// Validate checks what can be checked without calling the service.
func (c *Config) Validate() error {
	var errs []error
	if c.Region == "" {
		errs = append(errs, errors.New(`no region: set "region" in the provider block or ALIBABA_CLOUD_REGION (e.g. "cn-beijing")`))
	} else if !regionPattern.MatchString(c.Region) {
		errs = append(errs, fmt.Errorf("region %q is not a region id: use ids like \"cn-beijing\", \"cn-shanghai\"", c.Region))
	}
	for name, raw := range map[string]string{"ecs": c.Endpoints.ECS, "oss": c.Endpoints.OSS, "sts": c.Endpoints.STS, "ebs": c.Endpoints.EBS} {
		if raw == "" {
			continue
		}
		if _, err := ParseEndpoint(name, raw); err != nil {
			errs = append(errs, fmt.Errorf("endpoints.%s: %w", name, err))
		}
	}
	if c.MaxRetries < 0 {
		errs = append(errs, fmt.Errorf("max_retries is %d: use 0 or more", c.MaxRetries))
	}
	if c.RetryTimeout < 0 {
		errs = append(errs, fmt.Errorf("max_retry_timeout is %s: use 0 (the default, %s) or more seconds", c.RetryTimeout, DefaultRetryTimeout))
	}
	if a := c.AssumeRole; a != nil {
		if a.RoleARN == "" {
			errs = append(errs, errors.New(`assume_role needs role_arn, e.g. "acs:ram::123456789012:role/dr-operator"`))
		}
		if a.SessionExpiration != 0 && (a.SessionExpiration < 900 || a.SessionExpiration > 43200) {
			errs = append(errs, fmt.Errorf("assume_role.session_expiration is %d: use 900 to 43200 seconds", a.SessionExpiration))
		}
	}
	return errors.Join(errs...)
}

// ErrNoCredentials explains every way to give credentials.
var ErrNoCredentials = errors.New("no Alibaba Cloud credentials found. Set one of:\n" +
	"  - access_key and secret_key in the provider block (plus security_token for STS credentials),\n" +
	"  - the environment variables ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET\n" +
	"    (or ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY),\n" +
	"  - profile (or ALIBABA_CLOUD_PROFILE) naming a profile in ~/.aliyun/config.json or shared_credentials_file")

// StaticCredentials is an access key pair, optionally with an STS token.
type StaticCredentials struct {
	AccessKeyID, AccessKeySecret, SecurityToken string
}

// resolveStatic returns the base credentials: explicit, environment, then
// the profile file, in the order the official provider uses.
func (c *Config) resolveStatic() (StaticCredentials, error) {
	if c.AccessKey != "" || c.SecretKey != "" {
		if c.AccessKey == "" || c.SecretKey == "" {
			return StaticCredentials{}, errors.New("access_key and secret_key must be set together (or ALIBABA_CLOUD_ACCESS_KEY_ID with ALIBABA_CLOUD_ACCESS_KEY_SECRET)")
		}
		return StaticCredentials{c.AccessKey, c.SecretKey, c.SecurityToken}, nil
	}
	if c.Profile != "" || c.SharedCredentialsFile != "" {
		return loadProfile(c.SharedCredentialsFile, c.Profile)
	}
	return StaticCredentials{}, ErrNoCredentials
}

// cliConfig is the Alibaba Cloud CLI's ~/.aliyun/config.json.
type cliConfig struct {
	Current  string `json:"current"`
	Profiles []struct {
		Name            string `json:"name"`
		Mode            string `json:"mode"`
		AccessKeyID     string `json:"access_key_id"`
		AccessKeySecret string `json:"access_key_secret"`
		StsToken        string `json:"sts_token"`
	} `json:"profiles"`
}

func loadProfile(path, name string) (StaticCredentials, error) {
	if path == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return StaticCredentials{}, fmt.Errorf("cannot find the home directory for ~/.aliyun/config.json: %w; set shared_credentials_file", err)
		}
		path = filepath.Join(home, ".aliyun", "config.json")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return StaticCredentials{}, fmt.Errorf("reading the credentials file %s: %w (set shared_credentials_file to the Alibaba Cloud CLI config.json)", path, err)
	}
	var cfg cliConfig
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return StaticCredentials{}, fmt.Errorf("the credentials file %s is not valid JSON: %w", path, err)
	}
	if name == "" {
		name = cfg.Current
	}
	var names []string
	for _, p := range cfg.Profiles {
		names = append(names, p.Name)
		if p.Name != name {
			continue
		}
		switch p.Mode {
		case "AK", "":
			return StaticCredentials{p.AccessKeyID, p.AccessKeySecret, ""}, nil
		case "StsToken":
			return StaticCredentials{p.AccessKeyID, p.AccessKeySecret, p.StsToken}, nil
		default:
			return StaticCredentials{}, fmt.Errorf("profile %q in %s has mode %q; this provider reads AK and StsToken profiles: use assume_role {} for role chaining", name, path, p.Mode)
		}
	}
	return StaticCredentials{}, fmt.Errorf("profile %q not found in %s (profiles there: %s)", name, path, strings.Join(names, ", "))
}
