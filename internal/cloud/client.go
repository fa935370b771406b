package cloud

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/responses"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// Client is the one shared handle the resources use. It is safe for
// concurrent use; per-region SDK clients are built lazily.
type Client struct {
	region    string
	creds     credentials.CredentialsProvider
	ecsEP     *Endpoint
	ossEP     *Endpoint
	ebsEP     *Endpoint
	httpc     *http.Client
	Backoff   Backoff
	userAgent string
	redact    redactor
	base      StaticCredentials
	role      *assumedRole

	mu  sync.Mutex
	oss map[string]*oss.Client

	// Attestation is set by the provider (attestation.go); keys in it never
	// reach logs or errors.
	Attestation Attestation

	regionCache regionCache
	batch       *batcher        // nil: batching off
	listings    *sharedListings // nil: batching off
	writes      atomic.Uint64   // ECS/EBS write calls sent or answered (batch.go)

	// Idempotency state (idempotency.go): CreateIdempotent's AppearWindow,
	// the ids this client deleted, the owner ids its resources claimed.
	AppearWindow time.Duration
	deleted      sync.Map
	owners       ownerClaims

	// WaitNow and WaitSleep are the clock of the client's waits (default
	// time.Now and transfer.SleepContext): a seam for tests.
	WaitNow   func() time.Time
	WaitSleep func(ctx context.Context, d time.Duration) error
}

// New validates cfg, resolves credentials (assuming a role when asked) and
// returns a client. It makes no API call unless a role is assumed.
func New(ctx context.Context, cfg Config, userAgent string) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Client{
		region:    cfg.Region,
		Backoff:   DefaultBackoff(cfg.MaxRetries+1, cfg.retryTimeout()),
		userAgent: userAgent,
		oss:       map[string]*oss.Client{},
	}
	c.httpc = &http.Client{Transport: sharedTransport{t: newTransport(), writes: &c.writes}}
	if !cfg.NoBatching {
		c.batch = newBatcher(BatchWindow)
		c.listings = newSharedListings()
	}
	var err error
	if c.ecsEP, err = optionalEndpoint("ecs", cfg.Endpoints.ECS); err != nil {
		return nil, err
	}
	if c.ossEP, err = optionalEndpoint("oss", cfg.Endpoints.OSS); err != nil {
		return nil, err
	}
	if c.ebsEP, err = optionalEndpoint("ebs", cfg.Endpoints.EBS); err != nil {
		return nil, err
	}
	base, err := cfg.resolveStatic()
	if err != nil {
		return nil, err
	}
	c.base = base
	c.redact = redactor{values: c.secretValues}
	c.Backoff.Redact = c.redact.text
	if base.SecurityToken != "" {
		c.creds = credentials.NewStaticSTSCredentialsProvider(base.AccessKeyID, base.AccessKeySecret, base.SecurityToken)
	} else {
		c.creds = credentials.NewStaticAKCredentialsProvider(base.AccessKeyID, base.AccessKeySecret)
	}
	if cfg.AssumeRole != nil {
		stsEP, err := optionalEndpoint("sts", cfg.Endpoints.STS)
		if err != nil {
			return nil, err
		}
		if stsEP == nil {
			stsEP = &Endpoint{Scheme: "https", Host: "sts.aliyuncs.com"}
		}
		ar := &assumedRole{client: c, role: *cfg.AssumeRole, endpoint: *stsEP, base: c.creds}
		c.role = ar
		if _, err := ar.GetCredentials(); err != nil {
			return nil, err
		}
		c.creds = ar
	}
	return c, nil
}

func optionalEndpoint(service, raw string) (*Endpoint, error) {
	if raw == "" {
		return nil, nil
	}
	ep, err := ParseEndpoint(service, raw)
	if err != nil {
		return nil, err
	}
	return &ep, nil
}

var sdkInit sync.Mutex

// sharedTransport hides the *http.Transport from the ECS SDK, which would
// otherwise replace its DialContext on every call: a data race when the
// transport is shared.
// It also counts the write calls going through it (batch.go).
type sharedTransport struct {
	t      *http.Transport
	writes *atomic.Uint64
}

func (s sharedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if s.writes == nil || !isWriteCall(r) {
		return s.t.RoundTrip(r)
	}
	// Counted when sent and when answered: a listing started in between
	// may or may not see the write, so neither it nor an earlier one is
	// shared afterwards.
	s.writes.Add(1)
	defer s.writes.Add(1)
	return s.t.RoundTrip(r)
}

// newTransport is the default transport with TLS 1.2 as the floor.
func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	t.MaxIdleConnsPerHost = 32
	return t
}

// Region is the provider's default region.
func (c *Client) Region() string { return c.region }

// RegionOr returns r, or the provider's region when r is empty.
func (c *Client) RegionOr(r string) string {
	if r != "" {
		return r
	}
	return c.region
}

// ECS returns a new SDK client for region. The SDK's client is not safe for
// concurrent use (every call rewrites its timeout), so each call gets its
// own; they share one transport and so one connection pool.
func (c *Client) ECS(region string) (*ecs.Client, error) {
	conf := sdk.NewConfig()
	conf.Scheme = "HTTPS"
	conf.Transport = c.httpc.Transport
	conf.Timeout = 60 * time.Second
	conf.AutoRetry = false // we retry, with backoff and only what is retryable
	if c.ecsEP != nil && c.ecsEP.Scheme == "http" {
		conf.Scheme = "HTTP"
	}
	// The SDK fills a package-level endpoint table lazily without locking.
	sdkInit.Lock()
	cl, err := ecs.NewClientWithOptions(region, conf, c.creds)
	sdkInit.Unlock()
	if err != nil {
		return nil, fmt.Errorf("building the ECS client for %s: %w", region, err)
	}
	if c.ecsEP != nil {
		cl.Domain = c.ecsEP.Host
	}
	cl.AppendUserAgent("alidr", c.userAgent)
	return cl, nil
}

// DoECS sends an ECS request in region, retrying throttling, 5xx and network
// errors with backoff (and a busy ClientToken for requests carrying one).
// resp is filled on success.
func (c *Client) DoECS(ctx context.Context, region string, req requests.AcsRequest, resp responses.AcsResponse) error {
	cl, err := c.ECS(region)
	if err != nil {
		return err
	}
	action := req.GetActionName()
	err = c.Backoff.Retry(ctx, action, ecsRetryable(req), func() error {
		return cl.DoAction(req, resp)
	})
	return c.ecsError(err, action, region)
}

// ecsError is where ECS errors leave this package: it adds the call and
// region, a clock-skew hint when the service's Date header shows the local
// clock is off, types authentication and permission refusals, and redacts
// credentials from the text.
func (c *Client) ecsError(err error, action, region string) error {
	return c.serviceError("ECS", err, action, region)
}

// serviceError is ecsError for any RPC product (ECS, EBS).
func (c *Client) serviceError(product string, err error, action, region string) error {
	if err == nil {
		return nil
	}
	var se *sdkerrors.ServerError
	if errors.As(err, &se) {
		var date string
		if v := se.RespHeaders["Date"]; len(v) > 0 {
			date = v[0]
		}
		err = explainClockSkew(err, date, time.Now())
	}
	call := fmt.Sprintf("%s %s in %s", product, action, region)
	if ae := asAccessError(err, call); ae != err { //nolint:errorlint // identity: did asAccessError make a new error?
		return c.redact.leave(ae)
	}
	return c.redact.leave(fmt.Errorf("%s: %w", call, err))
}

// secretValues are the client's own credentials, to be removed from error
// texts wherever they appear.
func (c *Client) secretValues() []string {
	out := []string{c.base.AccessKeyID, c.base.AccessKeySecret, c.base.SecurityToken}
	if c.role != nil {
		// Not under role.mu: GetCredentials holds it while its own error
		// leaves through the redactor.
		if cur := c.role.issued.Load(); cur != nil {
			out = append(out, cur.AccessKeyId, cur.AccessKeySecret, cur.SecurityToken)
		}
	}
	return out
}

// OSS returns the OSS client for region.
func (c *Client) OSS(region string) (*oss.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.oss[region]; ok {
		return cl, nil
	}
	endpoint := "https://oss-" + region + ".aliyuncs.com"
	if c.ossEP != nil {
		endpoint = c.ossEP.URL()
	}
	cl, err := oss.New(endpoint, "", "",
		oss.SetCredentialsProvider(ossCredentials{c.creds}),
		oss.HTTPClient(c.httpc),
		oss.Region(region),
		oss.AuthVersion(oss.AuthV4), // v4 binds each request to its region
		oss.UserAgent("alidr/"+c.userAgent),
	)
	if err != nil {
		return nil, fmt.Errorf("building the OSS client for %s: %w", region, err)
	}
	c.oss[region] = cl
	return cl, nil
}

// Bucket returns a handle on bucket in region.
func (c *Client) Bucket(region, bucket string) (*oss.Bucket, error) {
	cl, err := c.OSS(region)
	if err != nil {
		return nil, err
	}
	return cl.Bucket(bucket)
}

// RetryOSS runs an OSS call with the client's backoff. Its errors leave
// the package typed and redacted like ECS ones.
func (c *Client) RetryOSS(ctx context.Context, what string, fn func() error) error {
	err := c.Backoff.Retry(ctx, what, Retryable, fn)
	if err == nil {
		return nil
	}
	call := "OSS " + what
	if ae := asAccessError(err, call); ae != err { //nolint:errorlint // identity: did asAccessError make a new error?
		return c.redact.leave(ae)
	}
	return c.redact.leave(fmt.Errorf("%s: %w", call, err))
}

// ossCredentials adapts the SDK credentials provider to the OSS SDK.
type ossCredentials struct {
	p credentials.CredentialsProvider
}

func (o ossCredentials) GetCredentials() oss.Credentials {
	cc, err := o.p.GetCredentials()
	if err != nil {
		return ossKey{}
	}
	return ossKey{cc.AccessKeyId, cc.AccessKeySecret, cc.SecurityToken}
}

type ossKey struct{ id, secret, token string }

func (k ossKey) GetAccessKeyID() string     { return k.id }
func (k ossKey) GetAccessKeySecret() string { return k.secret }
func (k ossKey) GetSecurityToken() string   { return k.token }

// assumedRole holds STS credentials of a RAM role and renews them five
// minutes before they expire, so a three-hour apply keeps working.
type assumedRole struct {
	client   *Client
	role     AssumeRole
	endpoint Endpoint
	base     credentials.CredentialsProvider

	mu      sync.Mutex
	current *credentials.Credentials
	issued  atomic.Pointer[credentials.Credentials] // current, readable without mu
	expires time.Time
}

func (a *assumedRole) GetProviderName() string { return "alidr_assume_role" }

func (a *assumedRole) GetCredentials() (*credentials.Credentials, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.current != nil && time.Until(a.expires) > 5*time.Minute {
		return a.current, nil
	}
	conf := sdk.NewConfig()
	conf.Scheme = strings.ToUpper(a.endpoint.Scheme)
	conf.Transport = a.client.httpc.Transport
	conf.Timeout = 30 * time.Second
	cl, err := sts.NewClientWithOptions(a.client.region, conf, a.base)
	if err != nil {
		return nil, err
	}
	cl.Domain = a.endpoint.Host
	req := sts.CreateAssumeRoleRequest()
	req.RoleArn = a.role.RoleARN
	req.RoleSessionName = a.role.SessionName
	if req.RoleSessionName == "" {
		req.RoleSessionName = "terraform-provider-alidr"
	}
	req.Policy = a.role.Policy
	req.ExternalId = a.role.ExternalID
	if a.role.SessionExpiration > 0 {
		req.DurationSeconds = requests.NewInteger(a.role.SessionExpiration)
	}
	resp := sts.CreateAssumeRoleResponse()
	err = a.client.Backoff.Retry(context.Background(), "AssumeRole", Retryable, func() error { return cl.DoAction(req, resp) })
	if err != nil {
		err = fmt.Errorf("assuming role %s through STS: %w (check that the base credentials may call sts:AssumeRole on it)", a.role.RoleARN, err)
		return nil, a.client.redact.leave(asAccessError(err, "STS AssumeRole"))
	}
	exp, err := time.Parse(time.RFC3339, resp.Credentials.Expiration)
	if err != nil {
		exp = time.Now().Add(15 * time.Minute)
	}
	a.current = &credentials.Credentials{
		AccessKeyId:     resp.Credentials.AccessKeyId,
		AccessKeySecret: resp.Credentials.AccessKeySecret,
		SecurityToken:   resp.Credentials.SecurityToken,
		ProviderName:    a.GetProviderName(),
	}
	a.issued.Store(a.current)
	a.expires = exp
	return a.current, nil
}
