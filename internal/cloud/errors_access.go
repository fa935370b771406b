package cloud

import (
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"strings"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// authenticationCodes say the service does not accept who is calling: an
// unknown, disabled or mistyped key, a secret that does not match, a
// missing or expired STS token. OpenAPI (RPC gateway) common error codes:
// InvalidAccessKeyId.NotFound (404), InvalidAccessKeyId.Inactive,
// SignatureDoesNotMatch, IncompleteSignature; STS tokens:
// InvalidSecurityToken.Expired / .Malformed / .MismatchWithAccessKey and
// MissingSecurityToken. OSS error codes: InvalidAccessKeyId (403),
// SignatureDoesNotMatch, SecurityTokenExpired.
var authenticationCodes = []string{
	"InvalidAccessKeyId.NotFound", "InvalidAccessKeyId.Inactive", "InvalidAccessKeyId",
	"SignatureDoesNotMatch", "IncompleteSignature", "MissingSecurityToken", "SecurityTokenExpired",
}

// permissionCodes say the caller is known but may not do this: OpenAPI
// common error codes Forbidden, Forbidden.RAM, Forbidden.RiskControl,
// Forbidden.NotSupportRAM, ActionUnauthorized, NoPermission; OSS
// AccessDenied (403).
var permissionCodes = []string{
	"Forbidden", "Forbidden.RAM", "Forbidden.RiskControl", "Forbidden.NotSupportRAM",
	"Forbidden.NoPermission", "ActionUnauthorized", "NoPermission", "AccessDenied",
}

// AccessError says the service refused the caller: authentication (the
// credentials) or permission (what the RAM user or role may do). It is
// never retried and never read as a missing resource.
type AccessError struct {
	Code       string
	Permission bool   // false: authentication failed
	Call       string // "ECS DescribeRegions in cn-beijing"
	// Action is the RAM action refused, from the error's AccessDeniedDetail
	// (AuthAction), "" when the service did not name it.
	Action string
	Err    error
}

func (e *AccessError) Error() string {
	if e.Permission && e.Action != "" {
		return fmt.Sprintf("%s: permission denied (%s): RAM refused the action %s to the RAM user or role of these credentials. "+
			"Grant it %s (alidr_ram_policy generates the policy each duty needs), or lift a Deny naming it, and apply again.\n\n%v",
			e.Call, e.Code, e.Action, e.Action, e.Err)
	}
	if e.Permission {
		return fmt.Sprintf("%s: permission denied (%s): the RAM user or role of these credentials may not make this call. "+
			"Grant it the action (for ECS e.g. the AliyunECSFullAccess system policy or a custom policy naming the action; "+
			"for OSS the bucket's oss: actions) and apply again.\n\n%v", e.Call, e.Code, e.Err)
	}
	return fmt.Sprintf("%s: authentication failed (%s): Alibaba Cloud does not accept these credentials. "+
		"Check that access_key and secret_key (or ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, "+
		"the profile, or assume_role) name an enabled AccessKey pair that was not deleted or rotated, and that "+
		"security_token is set and current for STS credentials.\n\n%v", e.Call, e.Code, e.Err)
}

func (e *AccessError) Unwrap() error { return e.Err }

// accessCode returns err's code and whether it is a permission (true) or an
// authentication (false) refusal; ok is false for any other error.
func accessCode(err error) (code string, permission, ok bool) {
	code = ErrorCode(err)
	switch {
	case code == "":
		return "", false, false
	case slices.Contains(authenticationCodes, code), strings.HasPrefix(code, "InvalidSecurityToken."):
		return code, false, true
	case slices.Contains(permissionCodes, code):
		return code, true, true
	}
	return "", false, false
}

// IsAccessError reports an authentication or permission refusal.
func IsAccessError(err error) bool {
	var ae *AccessError
	if errors.As(err, &ae) {
		return true
	}
	_, _, ok := accessCode(err)
	return ok
}

// asAccessError turns an authentication or permission refusal into an
// *AccessError naming the call; other errors are returned as they are.
func asAccessError(err error, call string) error {
	code, permission, ok := accessCode(err)
	if !ok {
		return err
	}
	return &AccessError{Code: code, Permission: permission, Call: call, Action: deniedAction(err), Err: err}
}

// deniedAction is the AuthAction of a refusal's AccessDeniedDetail: a field
// of the ECS JSON error (read by the SDK), an element of the OSS XML error
// (ServiceError.RawMessage).
func deniedAction(err error) string {
	var se *sdkerrors.ServerError
	if errors.As(err, &se) {
		if a, ok := se.AccessDeniedDetail()["AuthAction"].(string); ok {
			return a
		}
		return ""
	}
	var detail struct {
		Action string `xml:"AccessDeniedDetail>AuthAction"`
	}
	var oe oss.ServiceError
	if errors.As(err, &oe) && xml.Unmarshal([]byte(oe.RawMessage), &detail) == nil {
		return detail.Action
	}
	var ope *oss.ServiceError
	if errors.As(err, &ope) && xml.Unmarshal([]byte(ope.RawMessage), &detail) == nil {
		return detail.Action
	}
	return ""
}
