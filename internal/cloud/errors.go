package cloud

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// NotFoundError says a resource does not exist (any more). Read removes the
// resource from state when it sees one.
type NotFoundError struct {
	Kind, ID, Region string
}

func (e *NotFoundError) Error() string {
	if e.Region != "" {
		return fmt.Sprintf("%s %s not found in %s", e.Kind, e.ID, e.Region)
	}
	return fmt.Sprintf("%s %s not found", e.Kind, e.ID)
}

// IsNotFound reports whether err is a NotFoundError or an API NotFound code.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	if errors.As(err, &nf) {
		return true
	}
	code := ErrorCode(err)
	return strings.Contains(code, "NotFound") || code == "NoSuchKey" || code == "NoSuchBucket"
}

// IsConflict reports whether the resource is busy or in the wrong state for
// the call: worth retrying for a while.
func IsConflict(err error) bool {
	code := ErrorCode(err)
	return strings.HasPrefix(code, "IncorrectStatus") || strings.HasPrefix(code, "IncorrectInstanceStatus") ||
		strings.HasPrefix(code, "IncorrectDiskStatus") || strings.HasPrefix(code, "IncorrectImageStatus") ||
		strings.HasPrefix(code, "OperationConflict") || code == "LastTokenProcessing" || code == "TaskConflict"
}

// IsThrottled reports flow-control errors.
func IsThrottled(err error) bool {
	code := ErrorCode(err)
	return strings.HasPrefix(code, "Throttling") || code == "ServiceUnavailable" || code == "RequestLimitExceeded"
}

// ErrorCode returns the API error code of an ECS or OSS error, or "".
func ErrorCode(err error) string {
	var se *sdkerrors.ServerError
	if errors.As(err, &se) {
		return se.ErrorCode()
	}
	var oe oss.ServiceError
	if errors.As(err, &oe) {
		return oe.Code
	}
	var ope *oss.ServiceError
	if errors.As(err, &ope) {
		return ope.Code
	}
	return ""
}

// httpStatus returns the HTTP status of an API error, or 0.
func httpStatus(err error) int {
	var se *sdkerrors.ServerError
	if errors.As(err, &se) {
		return se.HttpStatus()
	}
	var oe oss.ServiceError
	if errors.As(err, &oe) {
		return oe.StatusCode
	}
	var ope *oss.ServiceError
	if errors.As(err, &ope) {
		return ope.StatusCode
	}
	var uo oss.UnexpectedStatusCodeError
	if errors.As(err, &uo) {
		return uo.Got()
	}
	return 0
}

// Retryable reports errors worth another attempt: throttling, service
// unavailability, 5xx and network failures. Validation errors never are.
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	if IsThrottled(err) {
		return true
	}
	if st := httpStatus(err); st >= 500 {
		return true
	} else if st > 0 {
		return false
	}
	var ce *sdkerrors.ClientError
	if errors.As(err, &ce) {
		// The SDK wraps transport failures as client errors with these codes.
		return ce.ErrorCode() == sdkerrors.TimeoutErrorCode || ce.ErrorCode() == "SDK.ServerUnreachable"
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "connection reset") || strings.Contains(msg, "EOF") ||
		strings.Contains(msg, "connection refused") || strings.Contains(msg, "broken pipe")
}

// answered reports whether the service itself rejected the call (an API
// error, so it did not act) or the connection failed before the request was
// sent. Otherwise the outcome is unknown: the call may have taken effect.
func answered(err error) bool {
	if httpStatus(err) > 0 {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "dial"
}

// idempotentPrefixes are actions whose repetition is harmless.
var idempotentPrefixes = []string{"Describe", "List", "Get", "Query", "Modify", "Delete", "Tag", "Untag", "Cancel", "Apply"}

// resendable reports whether a request whose outcome is unknown may be sent
// again: reads and idempotent changes, or anything carrying a ClientToken
// (the service answers a repeated token with the first result).
func resendable(req requests.AcsRequest) bool {
	action := req.GetActionName()
	for _, p := range idempotentPrefixes {
		if strings.HasPrefix(action, p) {
			return true
		}
	}
	return req.GetQueryParams()["ClientToken"] != "" || req.GetFormParams()["ClientToken"] != ""
}

// signatureCodes are the errors a wrong local clock produces.
var signatureCodes = map[string]bool{
	"SignatureDoesNotMatch":    true,
	"InvalidTimeStamp.Expired": true,
	"InvalidTimeStamp.Format":  false,
	"RequestTimeTooSkewed":     true,
	"IllegalTimestamp":         true,
}

// explainClockSkew wraps err with a hint when the service rejected the
// signature or timestamp and its Date header shows our clock is minutes off.
func explainClockSkew(err error, serverDate string, local time.Time) error {
	if err == nil || !signatureCodes[ErrorCode(err)] || serverDate == "" {
		return err
	}
	server, perr := http.ParseTime(serverDate)
	if perr != nil {
		return err
	}
	skew := local.Sub(server)
	if skew < 0 {
		skew = -skew
	}
	if skew < 2*time.Minute {
		return err
	}
	return fmt.Errorf("%w\n\nThe local clock differs from the service's by %s (local %s, service %s). "+
		"Signed requests are rejected when clocks differ by more than 15 minutes: synchronise this machine's clock "+
		"(e.g. enable NTP with `timedatectl set-ntp true` or chrony) and retry",
		err, skew.Round(time.Second), local.UTC().Format(time.RFC3339), server.UTC().Format(time.RFC3339))
}
