package emulator

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// maxOSSSkew is how far a request's Date may be from the server's time.
const maxOSSSkew = 15 * time.Minute

// ossSignedParams are the sub-resources that v1 signatures cover (the SDK's
// signKeyList); other query parameters are not signed in v1.
var ossSignedParams = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range []string{"acl", "uploads", "location", "cors",
		"logging", "website", "referer", "lifecycle",
		"delete", "append", "tagging", "objectMeta",
		"uploadId", "partNumber", "security-token",
		"position", "img", "style", "styleName",
		"replication", "replicationProgress",
		"replicationLocation", "cname", "bucketInfo",
		"comp", "qos", "live", "status", "vod",
		"startTime", "endTime", "symlink",
		"x-oss-process", "response-content-type", "x-oss-traffic-limit",
		"response-content-language", "response-expires",
		"response-cache-control", "response-content-disposition",
		"response-content-encoding", "udf", "udfName", "udfImage",
		"udfId", "udfImageDesc", "udfApplication",
		"udfApplicationLog", "restore", "callback", "callback-var", "qosInfo",
		"policy", "stat", "encryption", "versions", "versioning", "versionId", "requestPayment",
		"x-oss-request-payer", "sequential",
		"inventory", "inventoryId", "continuation-token", "asyncFetch",
		"worm", "wormId", "wormExtend", "withHashContext",
		"x-oss-enable-md5", "x-oss-enable-sha1", "x-oss-enable-sha256",
		"x-oss-hash-ctx", "x-oss-md5-ctx", "transferAcceleration",
		"regionList", "cloudboxes", "x-oss-ac-source-ip", "x-oss-ac-subnet-mask", "x-oss-ac-vpc-id", "x-oss-ac-forward-allow",
		"metaQuery", "resourceGroup", "rtc", "x-oss-async-process", "responseHeader"} {
		m[k] = true
	}
	return m
}()

// errSignatureMismatch refuses a wrong signature; ec is the v4 one (no EC
// for the v1 header or URL form was found in the reference).
func errSignatureMismatch(ec string) *ossErr {
	return denied("SignatureDoesNotMatch", ec, "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
}

// ossAuth is an authenticated caller.
type ossAuth struct {
	acc    account
	region string // from a v4 credential scope, else ""
}

// authenticate checks the request's signature in any of the forms the SDK
// produces: v1 header, v4 header, v1 presigned URL, v4 presigned URL.
func (o *ossService) authenticate(r *http.Request, bucket, key string) (ossAuth, *ossErr) {
	q := r.URL.Query()
	authz := r.Header.Get("Authorization")
	switch {
	case strings.HasPrefix(authz, "OSS4-HMAC-SHA256 "):
		return o.authV4Header(r, bucket, key, authz)
	case strings.HasPrefix(authz, "OSS "):
		return o.authV1Header(r, bucket, key, authz)
	case authz != "":
		return ossAuth{}, &ossErr{http.StatusBadRequest, "InvalidArgument", "", "Authorization header is invalid or not supported by this emulator (use v1 or v4)."}
	case q.Has("OSSAccessKeyId"):
		return o.authV1Query(r, bucket, key)
	case q.Get("x-oss-signature-version") == "OSS4-HMAC-SHA256":
		return o.authV4Query(r, bucket, key)
	}
	return ossAuth{}, denied("AccessDenied", "", "You have no right to access this object because anonymous access is not allowed.")
}

// checkDate parses the Date (or x-oss-date) header and rejects skew against
// requestNow (wall clock + injected skew, see there).
func (o *ossService) checkDate(r *http.Request) *ossErr {
	var t time.Time
	var err error
	if d := r.Header.Get("x-oss-date"); d != "" {
		t, err = time.Parse("20060102T150405Z", d)
	} else if d := r.Header.Get("Date"); d != "" {
		t, err = http.ParseTime(d)
	} else {
		return denied("AccessDenied", "", "OSS authentication requires a valid Date.")
	}
	if err != nil {
		return denied("AccessDenied", "", "OSS authentication requires a valid Date.")
	}
	now := o.s.requestNow()
	if d := t.Sub(now); d > maxOSSSkew || d < -maxOSSSkew {
		return denied("RequestTimeTooSkewed", ecRequestTimeTooSkewed, "The difference between the request time and the current time is too large.")
	}
	return nil
}

// account resolves a long-term access key, else temporary STS keys (issued
// by the emulator's AssumeRole) with their security token.
func (o *ossService) account(keyID, token string) (account, *ossErr) {
	if acc, ok := o.s.accounts.lookup(keyID); ok {
		return acc, nil
	}
	// Token expiry is server state, so it runs on the server clock.
	acc, _, err := o.s.ecs.credential(keyID, token, o.s.now())
	if err == nil {
		return acc, nil
	}
	var ae *apiError
	if errors.As(err, &ae) {
		switch ae.Code {
		case "InvalidSecurityToken.Expired":
			return account{}, denied("SecurityTokenExpired", "", "The security token you provided has expired.")
		case "MissingSecurityToken", "InvalidSecurityToken.MismatchWithAccessKey":
			return account{}, denied("InvalidAccessKeyId", "", "The security token you provided is invalid.")
		}
	}
	return account{}, denied("InvalidAccessKeyId", ecUnknownAccessKeyID, "The OSS Access Key Id you provided does not exist in our records.")
}

// v1 --------------------------------------------------------------------

func (o *ossService) authV1Header(r *http.Request, bucket, key, authz string) (ossAuth, *ossErr) {
	cred := strings.TrimPrefix(authz, "OSS ")
	i := strings.LastIndexByte(cred, ':')
	if i < 0 {
		return ossAuth{}, &ossErr{http.StatusBadRequest, "InvalidArgument", "", "Authorization header is invalid."}
	}
	acc, aerr := o.account(cred[:i], r.Header.Get("x-oss-security-token"))
	if aerr != nil {
		return ossAuth{}, aerr
	}
	if aerr := o.checkDate(r); aerr != nil {
		return ossAuth{}, aerr
	}
	want := signV1(acc.Secret, v1StringToSign(r, r.Header.Get("Date"), bucket, key))
	if !hmac.Equal([]byte(want), []byte(cred[i+1:])) {
		return ossAuth{}, errSignatureMismatch("")
	}
	return ossAuth{acc: acc}, nil
}

func (o *ossService) authV1Query(r *http.Request, bucket, key string) (ossAuth, *ossErr) {
	q := r.URL.Query()
	acc, aerr := o.account(q.Get("OSSAccessKeyId"), q.Get("security-token"))
	if aerr != nil {
		return ossAuth{}, aerr
	}
	exp, err := strconv.ParseInt(q.Get("Expires"), 10, 64)
	if err != nil {
		return ossAuth{}, denied("AccessDenied", "", "Expires is invalid.")
	}
	if o.s.requestNow().Unix() > exp {
		return ossAuth{}, denied("AccessDenied", "", "Request has expired.")
	}
	want := signV1(acc.Secret, v1StringToSign(r, q.Get("Expires"), bucket, key))
	if !hmac.Equal([]byte(want), []byte(q.Get("Signature"))) {
		return ossAuth{}, errSignatureMismatch("")
	}
	return ossAuth{acc: acc}, nil
}

func signV1(secret, s string) string {
	h := hmac.New(sha1.New, []byte(secret))
	h.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// v1StringToSign mirrors the SDK's getSignedStr: method, Content-MD5,
// Content-Type, date (or Expires), sorted x-oss-* headers, resource.
func v1StringToSign(r *http.Request, date, bucket, key string) string {
	var b strings.Builder
	b.WriteString(r.Method + "\n" + r.Header.Get("Content-MD5") + "\n" + r.Header.Get("Content-Type") + "\n" + date + "\n")
	b.WriteString(canonicalOSSHeaders(r, false))
	b.WriteString(v1Resource(r.URL.Query(), bucket, key))
	return b.String()
}

func v1Resource(q url.Values, bucket, key string) string {
	res := "/"
	if bucket != "" {
		res = "/" + bucket + "/" + key
	}
	var keys []string
	for k := range q {
		if ossSignedParams[k] {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return res
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k
		if v := q.Get(k); v != "" {
			parts[i] += "=" + v
		}
	}
	return res + "?" + strings.Join(parts, "&")
}

// canonicalOSSHeaders lists x-oss-* headers (v4 also Content-MD5 and
// Content-Type, trimmed) as sorted "name:value\n" lines, first value only.
func canonicalOSSHeaders(r *http.Request, v4 bool, extra ...string) string {
	m := map[string]string{}
	for k, v := range r.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-oss-") {
			m[lk] = v[0]
		} else if v4 && (lk == "content-md5" || lk == "content-type") {
			m[lk] = v[0]
		}
	}
	for _, e := range extra {
		if e == "host" {
			m[e] = r.Host
		} else if v := r.Header.Values(e); len(v) > 0 {
			m[e] = v[0]
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		v := m[k]
		if v4 {
			v = strings.Trim(v, " ")
		}
		b.WriteString(k + ":" + v + "\n")
	}
	return b.String()
}

// v4 --------------------------------------------------------------------

// v4Scope is the parsed credential "AK/20260102/cn-hangzhou/oss/aliyun_v4_request".
type v4Scope struct{ keyID, day, region, product string }

func parseV4Credential(c string) (v4Scope, bool) {
	p := strings.Split(c, "/")
	if len(p) != 5 || p[4] != "aliyun_v4_request" {
		return v4Scope{}, false
	}
	return v4Scope{p[0], p[1], p[2], p[3]}, true
}

func (o *ossService) authV4Header(r *http.Request, bucket, key, authz string) (ossAuth, *ossErr) {
	fields := map[string]string{}
	for _, f := range strings.Split(strings.TrimPrefix(authz, "OSS4-HMAC-SHA256 "), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(f), "=")
		fields[k] = v
	}
	scope, ok := parseV4Credential(fields["Credential"])
	if !ok || fields["Signature"] == "" {
		return ossAuth{}, &ossErr{http.StatusBadRequest, "InvalidArgument", "", "Authorization header is invalid."}
	}
	acc, aerr := o.account(scope.keyID, r.Header.Get("x-oss-security-token"))
	if aerr != nil {
		return ossAuth{}, aerr
	}
	if aerr := o.checkDate(r); aerr != nil {
		return ossAuth{}, aerr
	}
	signDate := r.Header.Get("x-oss-date")
	if signDate == "" {
		signDate = r.Header.Get("Date")
	}
	var additional []string
	if a := fields["AdditionalHeaders"]; a != "" {
		additional = strings.Split(strings.ToLower(a), ";")
	}
	want := signV4(acc.Secret, scope, signDate, v4CanonicalRequest(r, bucket, key, r.URL.Query(), additional))
	if subtle.ConstantTimeCompare([]byte(want), []byte(fields["Signature"])) != 1 {
		return ossAuth{}, errSignatureMismatch(ecSignatureV4)
	}
	return ossAuth{acc: acc, region: scope.region}, nil
}

func (o *ossService) authV4Query(r *http.Request, bucket, key string) (ossAuth, *ossErr) {
	q := r.URL.Query()
	scope, ok := parseV4Credential(q.Get("x-oss-credential"))
	if !ok {
		return ossAuth{}, &ossErr{http.StatusBadRequest, "InvalidArgument", "", "x-oss-credential is invalid."}
	}
	acc, aerr := o.account(scope.keyID, q.Get("x-oss-security-token"))
	if aerr != nil {
		return ossAuth{}, aerr
	}
	signed, err := time.Parse("20060102T150405Z", q.Get("x-oss-date"))
	if err != nil {
		return ossAuth{}, denied("AccessDenied", "", "x-oss-date is invalid.")
	}
	exp, err := strconv.ParseInt(q.Get("x-oss-expires"), 10, 64)
	if err != nil {
		return ossAuth{}, denied("AccessDenied", "", "x-oss-expires is invalid.")
	}
	if o.s.requestNow().After(signed.Add(time.Duration(exp) * time.Second)) {
		return ossAuth{}, denied("AccessDenied", "", "Request has expired.")
	}
	sig := q.Get("x-oss-signature")
	q.Del("x-oss-signature")
	var additional []string
	if a := q.Get("x-oss-additional-headers"); a != "" {
		additional = strings.Split(strings.ToLower(a), ";")
	}
	want := signV4(acc.Secret, scope, q.Get("x-oss-date"), v4CanonicalRequest(r, bucket, key, q, additional))
	if subtle.ConstantTimeCompare([]byte(want), []byte(sig)) != 1 {
		return ossAuth{}, errSignatureMismatch(ecSignatureV4)
	}
	return ossAuth{acc: acc, region: scope.region}, nil
}

// v4Escape is the SDK's object-name escaping for v4 ("/" kept).
func v4Escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(url.QueryEscape(s), "+", "%20"), "%2F", "/")
}

// v4CanonicalRequest mirrors the SDK's getSignedStrV4: every query parameter
// is signed, keys and values escaped.
func v4CanonicalRequest(r *http.Request, bucket, key string, q url.Values, additional []string) string {
	res := "/"
	if bucket != "" {
		res = "/" + bucket + "/" + v4Escape(key)
	}
	keys := make([]string, 0, len(q))
	enc := map[string]string{}
	for k := range q {
		ek := url.QueryEscape(k)
		keys = append(keys, ek)
		if v := q.Get(k); v != "" {
			enc[ek] = strings.ReplaceAll(url.QueryEscape(v), "+", "%20")
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k
		if v, ok := enc[k]; ok {
			parts[i] += "=" + v
		}
	}
	payload := r.Header.Get("x-oss-content-sha256")
	if payload == "" {
		payload = "UNSIGNED-PAYLOAD"
	}
	return r.Method + "\n" + res + "\n" + strings.Join(parts, "&") + "\n" +
		canonicalOSSHeaders(r, true, additional...) + "\n" + strings.Join(additional, ";") + "\n" + payload
}

func signV4(secret string, scope v4Scope, signDate, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	toSign := "OSS4-HMAC-SHA256\n" + signDate + "\n" + scope.day + "/" + scope.region + "/" + scope.product + "/aliyun_v4_request\n" + hex.EncodeToString(sum[:])
	mac := func(key []byte, s string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(s))
		return h.Sum(nil)
	}
	k := mac([]byte("aliyun_v4"+secret), scope.day)
	k = mac(k, scope.region)
	k = mac(k, scope.product)
	k = mac(k, "aliyun_v4_request")
	return hex.EncodeToString(mac(k, toSign))
}
