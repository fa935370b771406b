package emulator

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// nonceWindow is how long signature nonces are remembered and how far a
// request's Timestamp may be from the server's time.
const nonceWindow = 15 * time.Minute

// authenticate checks the call's signature, timestamp and nonce as the RPC
// gateway does and returns the call with merged query and form parameters.
func (e *ecsService) authenticate(r *http.Request, now time.Time) (*rpcCall, error) {
	if err := r.ParseForm(); err != nil {
		return nil, apiErr(http.StatusBadRequest, "InvalidParameter", "The request body is not a valid form.")
	}
	// r.Form holds the body's values first, then the query's.
	params := map[string]string{}
	for k, vs := range r.Form {
		if len(vs) > 0 {
			params[k] = vs[0]
		}
	}
	for _, name := range []string{"AccessKeyId", "Signature", "SignatureNonce", "Timestamp", "Action", "Version", "SignatureMethod"} {
		if params[name] == "" {
			return nil, errMissingParam(name)
		}
	}
	handlers := e.handlers
	switch params["Version"] {
	case ecsAPIVersion:
	case stsAPIVersion:
		handlers = e.stsHandlers
	case ebsAPIVersion:
		handlers = e.ebsHandlers
	default:
		return nil, apiErr(http.StatusBadRequest, "InvalidVersion", "Specified parameter Version is not valid.")
	}
	if params["SignatureMethod"] != "HMAC-SHA1" {
		return nil, apiErr(http.StatusBadRequest, "InvalidSignatureMethod", "Specified signature method is not valid.")
	}
	acc, caller, err := e.credential(params["AccessKeyId"], params["SecurityToken"], now)
	if err != nil {
		return nil, err
	}
	ts, err := time.Parse("2006-01-02T15:04:05Z", params["Timestamp"])
	if err != nil {
		return nil, apiErr(http.StatusBadRequest, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.")
	}
	e.mu.Lock()
	window := e.tsWindow
	e.mu.Unlock()
	if d := now.Sub(ts); window > 0 && (d > window || d < -window) {
		return nil, apiErr(http.StatusBadRequest, "InvalidTimeStamp.Expired",
			fmt.Sprintf("Specified time stamp or date value is expired. Server time is %s.", now.UTC().Format("2006-01-02T15:04:05Z")))
	}
	stringToSign := rpcStringToSign(r.Method, params)
	want := rpcSign(stringToSign, acc.Secret)
	if !hmac.Equal([]byte(want), []byte(params["Signature"])) {
		return nil, apiErr(http.StatusBadRequest, "SignatureDoesNotMatch",
			"Specified signature is not matched with our calculation. server string to sign is:"+stringToSign)
	}
	if !e.useNonce(params["SignatureNonce"], now) {
		return nil, apiErr(http.StatusBadRequest, "SignatureNonceUsed", "Specified signature nonce was used already.")
	}
	action := params["Action"]
	h, ok := handlers[action]
	if !ok {
		return nil, apiErr(http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
	}
	if err := e.s.ram.checkRPC(r.Context(), acc, params); err != nil {
		return nil, err
	}
	return &rpcCall{
		e:         e,
		api:       params["Version"],
		handler:   h,
		caller:    caller,
		Action:    action,
		AccountID: acc.ID,
		Region:    params["RegionId"],
		RequestID: newRequestID(),
		now:       now,
		params:    params,
	}, nil
}

// useNonce records a nonce and reports whether it was fresh. Nonces older
// than the timestamp window are forgotten: a replay that old fails the
// timestamp check anyway.
func (e *ecsService) useNonce(nonce string, now time.Time) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for n, t := range e.nonces {
		if now.Sub(t) > nonceWindow {
			delete(e.nonces, n)
		}
	}
	if _, used := e.nonces[nonce]; used {
		return false
	}
	e.nonces[nonce] = now
	return true
}

// rpcStringToSign is the SDK's string to sign: METHOD&%2F& followed by the
// percent-encoded, sorted parameters (all but Signature).
func rpcStringToSign(method string, params map[string]string) string {
	v := url.Values{}
	for k, val := range params {
		if k != "Signature" {
			v.Set(k, val)
		}
	}
	s := v.Encode()
	s = strings.ReplaceAll(s, "+", "%20")
	s = strings.ReplaceAll(s, "*", "%2A")
	s = strings.ReplaceAll(s, "%7E", "~")
	return method + "&%2F&" + url.QueryEscape(s)
}

// rpcSign is base64(HMAC-SHA1(secret + "&", stringToSign)).
func rpcSign(stringToSign, secret string) string {
	m := hmac.New(sha1.New, []byte(secret+"&"))
	m.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// SetTimestampWindow sets how far a request's Timestamp may be from the
// server's time (15 minutes, as the service, by default). 0 disables the
// check: the SDK stamps requests with wall time, so tests that move a
// ManualClock hours away need it off. Nonces are still checked.
func (s *Server) SetTimestampWindow(d time.Duration) {
	s.ecs.mu.Lock()
	s.ecs.tsWindow = max(d, 0)
	s.ecs.mu.Unlock()
}
