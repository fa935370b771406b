package cloud

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/alidr/terraform-provider-alidr/internal/transfer"
)

// Backoff is an exponential backoff with full jitter. Throttling and a
// ClientToken still being processed are retried for as long as Budget
// allows, however many attempts that takes: a throttling storm is a matter
// of time, not of count. Other transient errors (5xx, network) are retried
// at most Attempts-1 times, within Budget too. Without a Budget every
// retryable error is retried by count.
type Backoff struct {
	Base     time.Duration // first delay (before jitter)
	Max      time.Duration // cap of a single delay
	Attempts int           // attempts for 5xx and network errors, including the first
	Budget   time.Duration // how long retrying may last in all (0: no limit beyond Attempts)
	// Sleep waits for d or until ctx ends; tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now tells the time; tests replace it together with Sleep.
	Now func() time.Time
	// Redact cleans an error text before it is logged.
	Redact func(string) string
}

// DefaultRetryTimeout is how long throttled calls are retried by default:
// Alibaba Cloud's flow control windows are per second or per minute, and the
// usual practice is a handful of attempts spaced up to a minute apart.
const DefaultRetryTimeout = 5 * time.Minute

// MaxBackoffDelay caps a single wait between attempts.
const MaxBackoffDelay = 60 * time.Second

// DefaultBackoff suits API calls: 1s, 2s, 4s ... capped at 60s, jittered.
func DefaultBackoff(attempts int, budget time.Duration) Backoff {
	return Backoff{Base: time.Second, Max: MaxBackoffDelay, Attempts: attempts, Budget: budget, Sleep: transfer.SleepContext, Now: time.Now}
}

// Delay returns the jittered delay before attempt n (n >= 1 is the first retry).
func (b Backoff) Delay(n int) time.Duration {
	d := b.Base << min(n-1, 20)
	if d <= 0 || d > b.Max {
		d = b.Max
	}
	// Full jitter spreads retries of many clients hitting the same limit.
	return d/2 + rand.N(d/2+1) //nolint:gosec // jitter, not a secret
}

// retriedByTime reports the errors retried until the budget runs out rather
// than a number of times.
func retriedByTime(err error) bool { return IsThrottled(err) || isTokenBusy(err) }

// Retry calls fn until it succeeds, returns an error retryable says no to,
// runs out of attempts or budget, or ctx ends. It returns fn's last error.
func (b Backoff) Retry(ctx context.Context, what string, retryable func(error) bool, fn func() error) error {
	sleep, now, redact := b.Sleep, b.Now, b.Redact
	if sleep == nil {
		sleep = transfer.SleepContext
	}
	if now == nil {
		now = time.Now
	}
	if redact == nil {
		redact = Redact
	}
	attempts := max(b.Attempts, 1)
	start := now()
	counted := 0             // failed attempts of errors retried by count
	var waited time.Duration // delays asked for: time spent even if Sleep returns at once
	for n := 1; ; n++ {
		err := fn()
		if err == nil || !retryable(err) {
			return err
		}
		byTime := b.Budget > 0 && retriedByTime(err)
		if !byTime {
			counted++
		}
		d := b.Delay(n)
		elapsed := max(now().Sub(start), waited)
		if (!byTime && counted >= attempts) || (b.Budget > 0 && elapsed+d > b.Budget) {
			if n == 1 && !byTime {
				return err
			}
			return fmt.Errorf("%w (gave up after %d attempts over %s: raise max_retry_timeout or max_retries in the provider block if the service needs longer)",
				err, n, elapsed.Round(time.Second))
		}
		tflog.Debug(ctx, "retrying after a transient error", map[string]any{
			"call": what, "attempt": n, "delay": d.String(), "elapsed": elapsed.Round(time.Millisecond).String(),
			"error": redact(err.Error()),
		})
		waited += d
		if serr := sleep(ctx, d); serr != nil {
			return err
		}
	}
}

// throttlingCodes are the flow-control answers. ECS and the RPC gateway:
// Throttling, Throttling.User, Throttling.Api (OpenAPI common error codes);
// Rejected.Throttling (the POP gateway in front of KMS, STS and newer
// products); ServiceUnavailable is the 503 of an overloaded endpoint. OSS
// throttles with 503 (always retried as a 5xx).
var throttlingCodes = []string{
	"Throttling", "Throttling.User", "Throttling.Api", "Throttling.Resource",
	"Rejected.Throttling", "ServiceUnavailable", "RequestLimitExceeded",
}

// IsThrottled reports flow-control errors.
func IsThrottled(err error) bool {
	return err != nil && slices.Contains(throttlingCodes, ErrorCode(err))
}

// tokenBusyCodes say a request with the same ClientToken is still being
// handled (LastTokenProcessing) or a concurrent operation holds the resource
// (OperationConflict): the answer comes if the same request is sent again.
var tokenBusyCodes = []string{"LastTokenProcessing", "OperationConflict"}

func isTokenBusy(err error) bool {
	code := ErrorCode(err)
	return code != "" && slices.ContainsFunc(tokenBusyCodes, func(c string) bool { return code == c || strings.HasPrefix(code, c+".") })
}

// idempotentPrefixes are actions whose repetition is harmless.
var idempotentPrefixes = []string{"Describe", "List", "Get", "Query", "Modify", "Delete", "Tag", "Untag", "Cancel", "Apply"}

// hasClientToken reports whether the request carries a ClientToken (the
// service answers a repeated token with the first result).
func hasClientToken(req requests.AcsRequest) bool {
	return req.GetQueryParams()["ClientToken"] != "" || req.GetFormParams()["ClientToken"] != ""
}

// resendable reports whether a request whose outcome is unknown may be sent
// again: reads and idempotent changes, or anything carrying a ClientToken.
func resendable(req requests.AcsRequest) bool {
	action := req.GetActionName()
	for _, p := range idempotentPrefixes {
		if strings.HasPrefix(action, p) {
			return true
		}
	}
	return hasClientToken(req)
}

// ecsRetryable is the retry rule of one ECS request: transient errors when
// the call was refused or may safely be resent, and for requests carrying a
// ClientToken the token rule (tokenRetryable).
func ecsRetryable(req requests.AcsRequest) func(error) bool {
	return func(err error) bool {
		// The SDK moves a typed request's fields into its parameters when it
		// sends it: look at the token after a send, not before.
		if hasClientToken(req) {
			return tokenRetryable(err)
		}
		return Retryable(err) && (answered(err) || resendable(req))
	}
}

// tokenRetryable is the retry rule of every create made idempotent by a
// token (a ClientToken through DoECS or DoEBS; the token tag that
// CreateAutoSnapshotPolicy looks up before resending): any transient error,
// a lost or garbled answer included, since the token makes resending safe,
// and a busy token (LastTokenProcessing, OperationConflict), whose answer
// comes when the same request is resent.
func tokenRetryable(err error) bool { return Retryable(err) || isTokenBusy(err) }
