package emulator

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// accessDeniedDetail is the diagnostic ECS and OSS attach to a refusal by
// RAM: ECS in the JSON error's AccessDeniedDetail ("Announcement of changes
// to the authentication mechanism for Alibaba Cloud ECS query API
// operations"), OSS in the XML error's <AccessDeniedDetail> (OSS error
// 0003-00000201). AuthAction names the action that was refused.
type accessDeniedDetail struct {
	AuthAction               string `json:"AuthAction" xml:"AuthAction"`
	NoPermissionType         string `json:"NoPermissionType" xml:"NoPermissionType"` // ImplicitDeny | ExplicitDeny
	PolicyType               string `json:"PolicyType" xml:"PolicyType"`
	AuthPrincipalOwnerId     string `json:"AuthPrincipalOwnerId" xml:"AuthPrincipalOwnerId"`
	AuthPrincipalType        string `json:"AuthPrincipalType" xml:"AuthPrincipalType"` // SubUser | AssumedRoleUser
	AuthPrincipalDisplayName string `json:"AuthPrincipalDisplayName" xml:"AuthPrincipalDisplayName"`
}

// recordKey carries the request's log record through the request context so
// the RAM check can note who called and which action it needed.
type recordKey struct{}

func withRecord(r *http.Request, rec *RequestRecord) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), recordKey{}, rec))
}

// check evaluates a call and notes it in the request's log record; it
// returns the refusal's detail, or nil when the call may go on.
func (r *ramStore) check(ctx context.Context, acc account, action, resource string) *accessDeniedDetail {
	v := r.authorize(acc.KeyID, action, resource)
	if rec, ok := ctx.Value(recordKey{}).(*RequestRecord); ok {
		rec.AccessKeyID, rec.RAMAction, rec.RAMDenied = acc.KeyID, action, v != ramAllowed
	}
	if v == ramAllowed {
		return nil
	}
	d := &accessDeniedDetail{
		AuthAction: action, NoPermissionType: "ImplicitDeny", PolicyType: "AccountLevelIdentityBasedPolicy",
		AuthPrincipalOwnerId: acc.ID, AuthPrincipalType: "SubUser",
		// The service names the principal by its numeric id, never the key.
		AuthPrincipalDisplayName: fmt.Sprintf("%d", hashString(acc.KeyID)%1e15),
	}
	if v == ramExplicitDeny {
		d.NoPermissionType = "ExplicitDeny"
	}
	if strings.HasPrefix(acc.KeyID, "STS.") {
		d.AuthPrincipalType = "AssumedRoleUser"
	}
	return d
}

// checkRPC refuses an ECS call with 403 Forbidden.RAM and an STS AssumeRole
// with 403 NoPermission ("You are not authorized to do this action. You
// should be authorized by RAM.", RAM FAQ about STS), each with the
// AccessDeniedDetail naming the action.
func (r *ramStore) checkRPC(ctx context.Context, acc account, params map[string]string) error {
	action, resource, ok := rpcRAMRequest(acc.ID, params)
	if !ok {
		return nil
	}
	d := r.check(ctx, acc, action, resource)
	if d == nil {
		return nil
	}
	if strings.HasPrefix(action, "sts:") {
		return &apiError{Status: http.StatusForbidden, Code: "NoPermission", Message: "You are not authorized to do this action. You should be authorized by RAM.", Detail: d}
	}
	return &apiError{Status: http.StatusForbidden, Code: "Forbidden.RAM", Message: "User not authorized to operate on the specified resource, or this API doesn't support RAM.", Detail: d}
}

// OSS refusals (OSS error pages 0003-00000201 for an explicit deny of a RAM
// policy, 0003-00000001 for a missing permission): 403 AccessDenied.
const (
	ecRAMExplicitDeny = "0003-00000201"
	ecRAMNoPermission = "0003-00000001"
)

// checkOSS refuses an OSS operation with 403 AccessDenied and the detail.
func (o *ossService) checkOSS(req *ossReq, op string) (*ossErr, *accessDeniedDetail) {
	region := "*"
	o.mu.RLock()
	if b := o.buckets[req.bucket]; b != nil {
		region = strings.TrimPrefix(b.location, "oss-")
	}
	o.mu.RUnlock()
	action, resource := ossRAMRequest(req.auth.acc.ID, op, region, req.bucket, req.key)
	d := o.s.ram.check(req.r.Context(), req.auth.acc, action, resource)
	if d == nil {
		return nil, nil
	}
	if d.NoPermissionType == "ExplicitDeny" {
		return denied("AccessDenied", ecRAMExplicitDeny, "Access denied by bucket policy."), d
	}
	return denied("AccessDenied", ecRAMNoPermission, "You have no right to access this object because of bucket acl."), d
}
