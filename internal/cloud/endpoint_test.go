package cloud

import (
	"strings"
	"testing"
)

func TestParseEndpoint(t *testing.T) {
	cases := []struct {
		raw, want, err string
	}{
		{raw: "ecs.cn-beijing.aliyuncs.com", want: "https://ecs.cn-beijing.aliyuncs.com"},
		{raw: "https://ecs.example.com:8443", want: "https://ecs.example.com:8443"},
		{raw: "http://127.0.0.1:9100", want: "http://127.0.0.1:9100"},
		{raw: "http://localhost:9100/", want: "http://localhost:9100"},
		{raw: "http://[::1]:9100", want: "http://[::1]:9100"},
		{raw: "http://10.0.0.5:9100", err: "plain http to a non-loopback host: use https://"},
		{raw: "http://ecs.aliyuncs.com", err: "plain http to a non-loopback host"},
		{raw: "ftp://127.0.0.1", err: `has scheme "ftp"`},
		{raw: "https://host/path", err: "has a path"},
		{raw: "", err: "is empty"},
	}
	for _, c := range cases {
		ep, err := ParseEndpoint("ecs", c.raw)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseEndpoint(%q) error = %v, want it to contain %q", c.raw, err, c.err)
			}
			continue
		}
		if err != nil || ep.URL() != c.want {
			t.Errorf("ParseEndpoint(%q) = %q, %v; want %q", c.raw, ep.URL(), err, c.want)
		}
	}
}
