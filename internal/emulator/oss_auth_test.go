package emulator

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// rawOSS sends a v1-signed request built by hand (independently of the
// server's code) for cases the SDK cannot express. path is "/bucket/key?q"
// with plain (unescaped-safe) names.
func rawOSS(t *testing.T, srv *Server, method, path string, h http.Header, body []byte) *http.Response {
	t.Helper()
	return rawOSSAt(t, srv, method, path, h, body, srv.requestNow(), DefaultAccessKeyID, DefaultAccessKeySecret)
}

func rawOSSAt(t *testing.T, srv *Server, method, path string, h http.Header, body []byte, date time.Time, ak, sk string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL()+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Date", date.UTC().Format(http.TimeFormat))
	// Canonical resource: path plus signed sub-resources, sorted.
	resource := req.URL.Path
	var subs []string
	for k, vs := range req.URL.Query() {
		if k == "uploads" || k == "uploadId" || k == "partNumber" || k == "delete" || k == "location" || k == "bucketInfo" || k == "continuation-token" {
			if vs[0] != "" {
				subs = append(subs, k+"="+vs[0])
			} else {
				subs = append(subs, k)
			}
		}
	}
	sort.Strings(subs)
	if len(subs) > 0 {
		resource += "?" + strings.Join(subs, "&")
	}
	var ossHeaders []string
	for k, v := range req.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-oss-") {
			ossHeaders = append(ossHeaders, lk+":"+v[0]+"\n")
		}
	}
	sort.Strings(ossHeaders)
	s := method + "\n" + req.Header.Get("Content-MD5") + "\n" + req.Header.Get("Content-Type") + "\n" + req.Header.Get("Date") + "\n" + strings.Join(ossHeaders, "") + resource
	mac := hmac.New(sha1.New, []byte(sk))
	mac.Write([]byte(s))
	req.Header.Set("Authorization", "OSS "+ak+":"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func errorCode(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.Request.Method == http.MethodHead {
		b, _ := base64.StdEncoding.DecodeString(resp.Header.Get("x-oss-err"))
		body = b
	}
	_, after, ok := strings.Cut(string(body), "<Code>")
	if !ok {
		return ""
	}
	code, _, _ := strings.Cut(after, "</Code>")
	return code
}

func TestOSSSignatures(t *testing.T) {
	srv := newOSSTestServer(t, Options{})
	good := ossClient(t, srv)
	b := mustBucket(t, good, "sigs")
	if err := b.PutObject("k", strings.NewReader("data")); err != nil {
		t.Fatal(err)
	}

	t.Run("v1 wrong secret", func(t *testing.T) {
		c, _ := oss.New(srv.URL(), DefaultAccessKeyID, "wrong")
		bb, _ := c.Bucket("sigs")
		_, err := bb.GetObject("k")
		if se := serviceErr(t, err); se.StatusCode != 403 || se.Code != "SignatureDoesNotMatch" {
			t.Fatalf("%+v", se)
		}
	})
	t.Run("v4 wrong secret", func(t *testing.T) {
		c, _ := oss.New(srv.URL(), DefaultAccessKeyID, "wrong", oss.AuthVersion(oss.AuthV4), oss.Region(SeedRegion))
		bb, _ := c.Bucket("sigs")
		err := bb.PutObject("k2", strings.NewReader("x"))
		if se := serviceErr(t, err); se.StatusCode != 403 || se.Code != "SignatureDoesNotMatch" {
			t.Fatalf("%+v", se)
		}
	})
	t.Run("v4 additional headers", func(t *testing.T) {
		c := ossClient(t, srv, oss.AuthVersion(oss.AuthV4), oss.Region(SeedRegion), oss.AdditionalHeaders([]string{"host", "user-agent"}))
		bb, _ := c.Bucket("sigs")
		if err := bb.PutObject("dir/v4 key+1", strings.NewReader("v4")); err != nil {
			t.Fatal(err)
		}
		lr, err := bb.ListObjectsV2(oss.Prefix("dir/"), oss.MaxKeys(10))
		if err != nil || len(lr.Objects) != 1 || lr.Objects[0].Key != "dir/v4 key+1" {
			t.Fatalf("%+v %v", lr, err)
		}
	})
	t.Run("unknown key", func(t *testing.T) {
		c, _ := oss.New(srv.URL(), "nobody", "x")
		_, err := c.ListBuckets()
		if se := serviceErr(t, err); se.StatusCode != 403 || se.Code != "InvalidAccessKeyId" {
			t.Fatalf("%+v", se)
		}
	})
	t.Run("anonymous", func(t *testing.T) {
		resp, err := http.Get(srv.URL() + "/sigs/k")
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 403 || errorCode(t, resp) != "AccessDenied" {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
	t.Run("stale date", func(t *testing.T) {
		resp := rawOSSAt(t, srv, http.MethodGet, "/sigs/k", nil, nil, srv.requestNow().Add(-16*time.Minute), DefaultAccessKeyID, DefaultAccessKeySecret)
		if resp.StatusCode != 403 || errorCode(t, resp) != "RequestTimeTooSkewed" {
			t.Fatalf("status %d", resp.StatusCode)
		}
		// 14 minutes off is still accepted.
		resp = rawOSSAt(t, srv, http.MethodGet, "/sigs/k", nil, nil, srv.requestNow().Add(14*time.Minute), DefaultAccessKeyID, DefaultAccessKeySecret)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("14m skew: status %d", resp.StatusCode)
		}
	})
	t.Run("head error in x-oss-err", func(t *testing.T) {
		resp := rawOSS(t, srv, http.MethodHead, "/sigs/missing", nil, nil)
		if resp.StatusCode != 404 || errorCode(t, resp) != "NoSuchKey" {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
	t.Run("tampered resource", func(t *testing.T) {
		// Signed for /sigs/k, sent for /sigs/other.
		c := ossClient(t, srv)
		bb, _ := c.Bucket("sigs")
		signed, err := bb.SignURL("k", oss.HTTPGet, 60)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(strings.Replace(signed, "/sigs/k?", "/sigs/other?", 1))
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 403 || errorCode(t, resp) != "SignatureDoesNotMatch" {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
	for _, v := range []struct {
		name string
		opts []oss.ClientOption
	}{{"v1", nil}, {"v4", []oss.ClientOption{oss.AuthVersion(oss.AuthV4), oss.Region(SeedRegion)}}} {
		t.Run("presigned "+v.name, func(t *testing.T) {
			c := ossClient(t, srv, v.opts...)
			bb, _ := c.Bucket("sigs")
			put, err := bb.SignURL("presigned/obj", oss.HTTPPut, 60)
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(http.MethodPut, put, strings.NewReader("via url"))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("presigned PUT %d", resp.StatusCode)
			}
			get, _ := bb.SignURL("presigned/obj", oss.HTTPGet, 60)
			resp, err = http.Get(get)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(body) != "via url" {
				t.Fatalf("presigned GET %d %q", resp.StatusCode, body)
			}
			// Move the server's time past the expiry.
			srv.SetClockSkew(2 * time.Minute)
			defer srv.SetClockSkew(0)
			resp, err = http.Get(get)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 403 || errorCode(t, resp) != "AccessDenied" {
				t.Fatalf("expired presigned: %d", resp.StatusCode)
			}
		})
	}
}
