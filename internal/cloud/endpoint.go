package cloud

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Endpoint is a service address checked for transport security.
type Endpoint struct {
	Scheme string // "https" or, for loopback only, "http"
	Host   string // host[:port]
}

// URL renders the endpoint as scheme://host.
func (e Endpoint) URL() string { return e.Scheme + "://" + e.Host }

// ParseEndpoint accepts "host", "host:port" or "scheme://host[:port]".
// Plain HTTP is allowed only to loopback addresses (the emulator): anything
// else would send signed requests and data in clear text.
func ParseEndpoint(service, raw string) (Endpoint, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return Endpoint{}, fmt.Errorf("the %s endpoint is empty", service)
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return Endpoint{}, fmt.Errorf("the %s endpoint %q is not a valid address: use host[:port] or https://host[:port]", service, raw)
	}
	if u.Path != "" && u.Path != "/" {
		return Endpoint{}, fmt.Errorf("the %s endpoint %q has a path; give only scheme://host[:port]", service, raw)
	}
	scheme := strings.ToLower(u.Scheme)
	switch scheme {
	case "https":
	case "http":
		if !IsLoopback(u.Hostname()) {
			return Endpoint{}, fmt.Errorf("the %s endpoint %q uses plain http to a non-loopback host: use https:// (plain http is allowed only for 127.0.0.1, ::1 or localhost, e.g. the emulator)", service, raw)
		}
	default:
		return Endpoint{}, fmt.Errorf("the %s endpoint %q has scheme %q: use https:// (or http:// to a loopback address)", service, raw, u.Scheme)
	}
	return Endpoint{Scheme: scheme, Host: u.Host}, nil
}

// IsLoopback reports whether host is localhost or a loopback IP.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
