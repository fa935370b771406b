package cloud

import (
	"net/url"
	"regexp"
	"strings"
)

// Errors leave this package only through leave (see Client.ecsError and
// Client.RetryOSS): a broken connection makes Go's *url.Error carry the
// whole signed ECS URL, and the service's SignatureDoesNotMatch message
// quotes the string it signed. Neither may reach logs, diagnostics, state
// or reports.

// redacted replaces a secret value.
const redacted = "REDACTED"

// secretParams are the request parameters and header fields whose values
// are credentials: ECS RPC (AccessKeyId, SecurityToken, Signature), OSS
// signed URLs v1 (OSSAccessKeyId, Signature, security-token) and v4
// (x-oss-credential, x-oss-signature, x-oss-security-token), and the v4
// Authorization header's Credential and Signature.
var secretParams = []string{
	"AccessKeyId", "SecurityToken", "Signature", "security-token",
	"x-oss-credential", "x-oss-signature", "Credential",
}

// separators may stand between a parameter and its value: query strings,
// the percent-encoded string to sign (once or twice encoded), headers and
// Go's printing of maps and url.Values.
var separators = []string{"%253D", "%3D", "=", "\":\"", "\": \"", ":[", ": ", ":"}

// ossV1Authorization is an OSS v1 Authorization header value: "OSS id:sig".
var ossV1Authorization = regexp.MustCompile(`\bOSS [A-Za-z0-9._+/=-]+:[A-Za-z0-9+/=]+`)

// Redact removes credential values from s.
func Redact(s string) string {
	s = ossV1Authorization.ReplaceAllString(s, "OSS "+redacted)
	for _, p := range secretParams {
		s = redactParam(s, p)
	}
	return s
}

// redactParam replaces the value after every occurrence of param followed
// by a separator. "SignatureMethod=" or "SignatureNonce=" do not match:
// the separator must follow the name directly.
func redactParam(s, param string) string {
	var b strings.Builder
	lower, lp := strings.ToLower(s), strings.ToLower(param)
	for {
		i := strings.Index(lower, lp)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := i + len(param)
		sep := ""
		for _, c := range separators {
			if strings.HasPrefix(lower[j:], strings.ToLower(c)) {
				sep = c
				break
			}
		}
		if sep == "" {
			b.WriteString(s[:j])
			s, lower = s[j:], lower[j:]
			continue
		}
		j += len(sep)
		end := j + valueLen(lower[j:])
		b.WriteString(s[:j])
		if end > j {
			b.WriteString(redacted)
		}
		s, lower = s[end:], lower[end:]
	}
}

// valueLen is the length of the parameter value at the start of s: up to a
// delimiter of the surrounding text or an encoded '&'.
func valueLen(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '&', ' ', '\t', '\n', '"', '\'', ',', ']', '<', '>', ')', ';', '\\':
			return i
		case '%':
			if strings.HasPrefix(s[i:], "%26") || strings.HasPrefix(s[i:], "%2526") {
				return i
			}
		}
	}
	return len(s)
}

// redactor removes the client's own credentials (by value, also URL
// encoded) and every credential parameter from error texts.
type redactor struct{ values func() []string }

func (r redactor) text(s string) string {
	if r.values != nil {
		for _, v := range r.values() {
			if len(v) < 4 {
				continue
			}
			for _, form := range []string{v, url.QueryEscape(v), url.QueryEscape(url.QueryEscape(v))} {
				s = strings.ReplaceAll(s, form, redacted)
			}
		}
	}
	return Redact(s)
}

// leave wraps an error leaving the package: its text is redacted, the
// original stays reachable for errors.As (codes, HTTP statuses).
func (r redactor) leave(err error) error {
	if err == nil {
		return nil
	}
	return &redactedError{msg: r.text(err.Error()), err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
