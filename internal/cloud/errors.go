package cloud

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// Kind names what a finder looks for; each kind has its own not-found codes.
type Kind string

// The kinds of resources the provider looks up.
const (
	KindInstance   Kind = "instance"
	KindImage      Kind = "image"
	KindSnapshot   Kind = "snapshot"
	KindDisk       Kind = "disk"
	KindPolicy     Kind = "auto snapshot policy"
	KindESP        Kind = "enterprise snapshot policy"
	KindTask       Kind = "task"
	KindInvocation Kind = "invocation"
	KindVSwitch    Kind = "vSwitch"
	KindTagged     Kind = "resource"
	KindOSSObject  Kind = "OSS object"
)

// notFoundCodes are the exact codes with which the service says a resource
// of a kind does not exist. Nothing else means "gone": a code that merely
// contains "NotFound" (InvalidAccessKeyId.NotFound, InvalidRegionId.NotFound,
// InvalidZoneId.NotFound) is about the request, not the resource.
var notFoundCodes = map[Kind][]string{
	// DescribeInstances, DeleteInstance, StopInstance error tables
	// (ECS API reference, api-ecs-2014-05-26-*): 404 InvalidInstanceId.NotFound.
	KindInstance: {"InvalidInstanceId.NotFound"},
	// DescribeImages, CancelCopyImage, DescribeImageSharePermission error
	// tables: 404 InvalidImageId.NotFound.
	KindImage: {"InvalidImageId.NotFound"},
	// DescribeSnapshots, CopySnapshot, ModifySnapshotAttribute error tables:
	// InvalidSnapshotId.NotFound.
	KindSnapshot: {"InvalidSnapshotId.NotFound"},
	// DescribeDisks, CreateSnapshot, ApplyAutoSnapshotPolicy error tables:
	// InvalidDiskId.NotFound.
	KindDisk: {"InvalidDiskId.NotFound"},
	// DescribeAutoSnapshotPolicyEx / DeleteAutoSnapshotPolicy: older answers
	// use InvalidAutoSnapshotPolicyId.NotFound; the documented one is
	// ParameterInvalid with HTTP 404 (see policyMissing).
	KindPolicy: {"InvalidAutoSnapshotPolicyId.NotFound"},
	// EBS enterprise snapshot policies: the reference pages found document no
	// not-found code; DescribeEnterpriseSnapshotPolicy answers an unknown id
	// with an empty Policies list, which FindEnterprisePolicyByID turns into
	// a *NotFoundError. Nothing else means "gone".
	KindESP: nil,
	// DescribeTaskAttribute / CancelTask error tables: 400 InvalidTaskId.NotFound.
	KindTask: {"InvalidTaskId.NotFound"},
	// DescribeInvocationResults / StopInvocation error tables:
	// InvalidInvokeId.NotFound.
	KindInvocation: {"InvalidInvokeId.NotFound"},
	// DescribeVSwitches (VPC API reference): InvalidVSwitchId.NotFound.
	KindVSwitch: {"InvalidVSwitchId.NotFound"},
	// TagResources / ListTagResources error tables: InvalidResourceId.NotFound.
	KindTagged: {"InvalidResourceId.NotFound"},
	// OSS error codes (OSS API reference, "Error codes"): NoSuchKey and
	// NoSuchBucket, both HTTP 404. HEAD answers carry no body: a bare 404
	// counts too (see IsObjectNotFound).
	KindOSSObject: {"NoSuchKey", "NoSuchBucket"},
}

// NotFoundError says a resource does not exist (any more). Read removes the
// resource from state when it sees one.
type NotFoundError struct {
	Kind       Kind
	ID, Region string
}

func (e *NotFoundError) Error() string {
	if e.Region != "" {
		return fmt.Sprintf("%s %s not found in %s", e.Kind, e.ID, e.Region)
	}
	return fmt.Sprintf("%s %s not found", e.Kind, e.ID)
}

// IsNotFound reports whether err is a *NotFoundError: a finder looked for a
// resource of a known kind and the service said it does not exist. Raw API
// errors never count here; isMissing turns them into *NotFoundError.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// isMissing reports whether err is the service saying that a resource of
// kind does not exist.
func isMissing(err error, kind Kind) bool {
	return err != nil && slices.Contains(notFoundCodes[kind], ErrorCode(err))
}

// asNotFound turns the service's not-found answer for kind into a
// *NotFoundError and leaves any other error alone.
func asNotFound(err error, kind Kind, id, region string) error {
	if isMissing(err, kind) {
		return &NotFoundError{Kind: kind, ID: id, Region: region}
	}
	return err
}

// IsConflict reports whether the resource is busy or in the wrong state for
// the call: worth retrying for a while.
func IsConflict(err error) bool {
	code := ErrorCode(err)
	return strings.HasPrefix(code, "IncorrectStatus") || strings.HasPrefix(code, "IncorrectInstanceStatus") ||
		strings.HasPrefix(code, "IncorrectDiskStatus") || strings.HasPrefix(code, "IncorrectImageStatus") ||
		isTokenBusy(err) || code == "TaskConflict"
}

// serviceError finds the service's answer in an ECS or OSS SDK error: its
// code and HTTP status; ok is false when err carries none.
func serviceError(err error) (code string, status int, ok bool) {
	var se *sdkerrors.ServerError
	if errors.As(err, &se) {
		return se.ErrorCode(), se.HttpStatus(), true
	}
	var oe oss.ServiceError
	if errors.As(err, &oe) {
		return oe.Code, oe.StatusCode, true
	}
	var ope *oss.ServiceError
	if errors.As(err, &ope) {
		return ope.Code, ope.StatusCode, true
	}
	return "", 0, false
}

// ErrorCode returns the API error code of an ECS or OSS error, or "".
func ErrorCode(err error) string {
	code, _, _ := serviceError(err)
	return code
}

// httpStatus returns the HTTP status of an API error, or 0.
func httpStatus(err error) int {
	if _, status, ok := serviceError(err); ok {
		return status
	}
	var uo oss.UnexpectedStatusCodeError
	if errors.As(err, &uo) {
		return uo.Got()
	}
	return 0
}

// Retryable reports errors worth another attempt: throttling, service
// unavailability, 5xx and network failures. Validation, authentication and
// permission errors never are.
func Retryable(err error) bool {
	if err == nil || IsAccessError(err) {
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
		// The SDK wraps transport failures as client errors with these codes,
		// and an answer it cannot parse (garbled on the way: the call's
		// outcome is unknown, see answered) as JsonUnmarshalError.
		switch ce.ErrorCode() {
		case sdkerrors.TimeoutErrorCode, "SDK.ServerUnreachable", sdkerrors.JsonUnmarshalErrorCode:
			return true
		}
		return false
	}
	// The OSS SDK compares the CRC64 of an upload with the one the service
	// computed: a mismatch means the bytes changed on the way, and sending
	// them again overwrites the damaged object.
	var crc oss.CRCCheckError
	if errors.As(err, &crc) {
		return true
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
