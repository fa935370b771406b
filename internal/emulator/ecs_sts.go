package emulator

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"
)

// STS on the same RPC listener (Version 2015-04-01), enough for the
// provider's assume_role: AssumeRole hands out temporary keys of a role in
// any registered account (cross-account included); calls signed with them
// must carry the matching SecurityToken until they expire.
// GetCallerIdentity tells who is calling.

const stsAPIVersion = "2015-04-01"

type stsCredential struct {
	AccountID string
	Secret    string
	Token     string
	Expires   time.Time
	Arn       string // acs:ram::<account>:assumed-role/<role>/<session>
	RoleID    string
}

var roleArnPattern = regexp.MustCompile(`^acs:ram::(\d+):role/([A-Za-z0-9.@_-]{1,64})$`)

// credential resolves an access key id: a long-term key of an account, or
// temporary STS keys, which need their security token and must not have
// expired. caller is the assumed-role ARN for STS keys.
func (e *ecsService) credential(keyID, token string, now time.Time) (acc account, caller string, err error) {
	if acc, ok := e.s.accounts.lookup(keyID); ok {
		return acc, "", nil
	}
	e.mu.Lock()
	cred, ok := e.stsKeys[keyID]
	e.mu.Unlock()
	switch {
	case !ok:
		return account{}, "", apiErr(http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
	case token == "":
		return account{}, "", apiErr(http.StatusBadRequest, "MissingSecurityToken", "The security token is required for STS access keys.")
	case token != cred.Token:
		return account{}, "", apiErr(http.StatusBadRequest, "InvalidSecurityToken.MismatchWithAccessKey", "The security token does not match the access key.")
	case !now.Before(cred.Expires):
		return account{}, "", apiErr(http.StatusBadRequest, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired.")
	}
	return account{ID: cred.AccountID, KeyID: keyID, Secret: cred.Secret}, cred.Arn, nil
}

func (e *ecsService) assumeRole(c *rpcCall) (any, error) {
	arn, session := c.str("RoleArn"), c.str("RoleSessionName")
	duration := c.int("DurationSeconds", 3600)
	if err := c.err(); err != nil {
		return nil, err
	}
	if arn == "" {
		return nil, errMissingParam("RoleArn")
	}
	if session == "" {
		return nil, errMissingParam("RoleSessionName")
	}
	m := roleArnPattern.FindStringSubmatch(arn)
	if m == nil {
		return nil, apiErr(http.StatusBadRequest, "InvalidParameter.RoleArn", "The parameter RoleArn is wrongly formed.")
	}
	if len(session) < 2 || len(session) > 64 || strings.ContainsAny(session, " /:") {
		return nil, apiErr(http.StatusBadRequest, "InvalidParameter.RoleSessionName", "The parameter RoleSessionName is wrongly formed.")
	}
	if duration < 900 || duration > 43200 {
		return nil, apiErr(http.StatusBadRequest, "InvalidParameter.DurationSeconds", "The Min/Max value of DurationSeconds is 15min/12hr.")
	}
	if !accountExists(e.s.accounts, m[1]) {
		return nil, notFound("EntityNotExist.Role", "The role not exists: "+arn+".")
	}
	if c.caller != "" {
		return nil, apiErr(http.StatusBadRequest, "InvalidParameter.ChainedRole", "Role chaining is not supported by the emulator.")
	}
	layers, err := e.s.ram.sessionPolicies(arn, c.str("Policy"))
	if err != nil {
		return nil, err
	}
	roleID := fmt.Sprintf("3%017d", hashString(arn)%1e17)
	cred := &stsCredential{
		AccountID: m[1],
		Secret:    randomSecret(30),
		Token:     "CAIS" + randomSecret(120),
		Expires:   c.now.Add(time.Duration(duration) * time.Second),
		Arn:       fmt.Sprintf("acs:ram::%s:assumed-role/%s/%s", m[1], m[2], session),
		RoleID:    roleID,
	}
	keyID := "STS." + randomSecret(25)
	e.stsKeys[keyID] = cred
	e.s.ram.setSession(keyID, layers)
	resp := sts.AssumeRoleResponse{RequestId: c.RequestID}
	resp.Credentials.AccessKeyId = keyID
	resp.Credentials.AccessKeySecret = cred.Secret
	resp.Credentials.SecurityToken = cred.Token
	resp.Credentials.Expiration = cred.Expires.UTC().Format(time.RFC3339)
	resp.AssumedRoleUser.Arn = cred.Arn
	resp.AssumedRoleUser.AssumedRoleId = roleID + ":" + session
	return resp, nil
}

func (e *ecsService) getCallerIdentity(c *rpcCall) (any, error) {
	resp := sts.GetCallerIdentityResponse{RequestId: c.RequestID, AccountId: c.AccountID}
	if c.caller == "" {
		resp.IdentityType = "Account"
		resp.Arn = "acs:ram::" + c.AccountID + ":root"
		resp.UserId, resp.PrincipalId = c.AccountID, c.AccountID
		return resp, nil
	}
	for _, cred := range e.stsKeys {
		if cred.Arn == c.caller {
			resp.RoleId = cred.RoleID
			break
		}
	}
	session := c.caller[strings.LastIndex(c.caller, "/")+1:]
	resp.IdentityType, resp.Arn = "AssumedRoleUser", c.caller
	resp.PrincipalId = resp.RoleId + ":" + session
	return resp, nil
}

func hashString(s string) uint64 {
	var h uint64 = 1469598103934665603
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return h
}

const secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func randomSecret(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = secretAlphabet[int(b[i])%len(secretAlphabet)]
	}
	return string(b)
}

// accountExists tells whether any access key belongs to account id.
func accountExists(a *accounts, id string) bool {
	a.mu.RLock()
	defer a.mu.RUnlock()
	for _, acc := range a.byKey {
		if acc.ID == id {
			return true
		}
	}
	return false
}
