package emulator

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

func TestOSSObjectPutGetHeadCRC(t *testing.T) {
	srv := newOSSTestServer(t, Options{})
	for _, v := range []struct {
		name string
		opts []oss.ClientOption
	}{
		{"v1", nil},
		{"v4", []oss.ClientOption{oss.AuthVersion(oss.AuthV4), oss.Region(SeedRegion)}},
	} {
		t.Run(v.name, func(t *testing.T) {
			c := ossClient(t, srv, v.opts...)
			b := mustBucket(t, c, "objects-"+v.name)
			data := randBytes(300<<10+7, 1)
			key := "dir/sub dir/ob+ject ü?.bin"
			var hdr http.Header
			if err := b.PutObject(key, bytes.NewReader(data), oss.Meta("Owner-Team", "dr"), oss.ContentType("application/x-test"), oss.GetResponseHeader(&hdr)); err != nil {
				t.Fatal(err)
			}
			sum := md5.Sum(data)
			wantETag := `"` + strings.ToUpper(hex.EncodeToString(sum[:])) + `"`
			if hdr.Get("ETag") != wantETag {
				t.Fatalf("put etag %q want %q", hdr.Get("ETag"), wantETag)
			}
			if hdr.Get("x-oss-hash-crc64ecma") != strconv.FormatUint(crcOf(data), 10) {
				t.Fatalf("put crc %q", hdr.Get("x-oss-hash-crc64ecma"))
			}

			// GetObjectToFile verifies the CRC header against the bytes.
			dst := filepath.Join(t.TempDir(), "out")
			if err := b.GetObjectToFile(key, dst); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(dst)
			if !bytes.Equal(got, data) {
				t.Fatal("downloaded bytes differ")
			}

			meta, err := b.GetObjectDetailedMeta(key)
			if err != nil {
				t.Fatal(err)
			}
			checks := map[string]string{
				"Content-Length":        strconv.Itoa(len(data)),
				"Content-Type":          "application/x-test",
				"ETag":                  wantETag,
				"X-Oss-Meta-Owner-Team": "dr",
				"X-Oss-Hash-Crc64ecma":  strconv.FormatUint(crcOf(data), 10),
				"Accept-Ranges":         "bytes",
				"X-Oss-Object-Type":     "Normal",
				"Content-Md5":           base64.StdEncoding.EncodeToString(sum[:]),
			}
			for k, want := range checks {
				if meta.Get(k) != want {
					t.Errorf("HEAD %s = %q, want %q", k, meta.Get(k), want)
				}
			}
			if meta.Get("x-oss-request-id") == "" || meta.Get("Last-Modified") == "" {
				t.Errorf("HEAD lacks request id or Last-Modified: %v", meta)
			}

			_, err = b.GetObjectDetailedMeta("missing")
			if se := serviceErr(t, err); se.StatusCode != 404 || se.Code != "NoSuchKey" {
				t.Fatalf("HEAD missing: %+v", se)
			}
			_, err = b.GetObject("missing")
			if se := serviceErr(t, err); se.StatusCode != 404 || se.Code != "NoSuchKey" {
				t.Fatalf("GET missing: %+v", se)
			}
			if err := b.DeleteObject(key); err != nil {
				t.Fatal(err)
			}
			if ok, err := b.IsObjectExist(key); ok || err != nil {
				t.Fatalf("exists after delete: %v %v", ok, err)
			}
			// Deleting a missing key is 204 too.
			if err := b.DeleteObject(key); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestOSSPutObjectContentMD5(t *testing.T) {
	srv, _, b := newOSSBucket(t, "md5-bucket")
	data := []byte("the payload")
	sum := md5.Sum([]byte("another payload"))
	err := b.PutObject("k", bytes.NewReader(data), oss.ContentMD5(base64.StdEncoding.EncodeToString(sum[:])))
	// OSS answers InvalidDigest (EC 0017-00000503) where S3 says BadDigest.
	if se := serviceErr(t, err); se.StatusCode != 400 || se.Code != "InvalidDigest" || se.Ec != "0017-00000503" {
		t.Fatalf("bad md5: %+v", se)
	}
	if ok, _ := b.IsObjectExist("k"); ok {
		t.Fatal("object stored despite the MD5 mismatch")
	}
	good := md5.Sum(data)
	if err := b.PutObject("k", bytes.NewReader(data), oss.ContentMD5(base64.StdEncoding.EncodeToString(good[:]))); err != nil {
		t.Fatal(err)
	}
	// No files left behind by the failed upload: only the stored object.
	entries, _ := os.ReadDir(filepath.Join(srv.dataDir, "oss", "data"))
	tmp, _ := os.ReadDir(filepath.Join(srv.dataDir, "oss", "tmp"))
	if len(entries) != 1 || len(tmp) != 0 {
		t.Fatalf("data files %d tmp files %d", len(entries), len(tmp))
	}
}

func TestOSSRanges(t *testing.T) {
	srv, _, b := newOSSBucket(t, "ranges")
	data := randBytes(1000, 2)
	if err := b.PutObject("obj", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	full := strconv.FormatUint(crcOf(data), 10)
	cases := []struct {
		rng          string
		standard     bool
		status       int
		start, end   int // expected body data[start:end]
		contentRange string
	}{
		{"bytes=0-99", false, 206, 0, 100, "bytes 0-99/1000"},
		{"bytes=900-", false, 206, 900, 1000, "bytes 900-999/1000"},
		{"bytes=-10", false, 206, 990, 1000, "bytes 990-999/1000"},
		{"bytes=999-999", true, 206, 999, 1000, "bytes 999-999/1000"},
		// Legacy behaviour: an invalid range yields the whole object, 200.
		{"bytes=500-2000", false, 200, 0, 1000, ""},
		{"bytes=2000-", false, 200, 0, 1000, ""},
		{"bytes=-2000", false, 200, 0, 1000, ""},
		{"bytes=20-10", false, 200, 0, 1000, ""},
		{"bytes=abc", true, 200, 0, 1000, ""},
		// Standard behaviour: the end is clipped, a start past the end is 416.
		{"bytes=500-2000", true, 206, 500, 1000, "bytes 500-999/1000"},
		{"bytes=-2000", true, 206, 0, 1000, "bytes 0-999/1000"},
		{"bytes=1000-", true, 416, 0, 0, "bytes */1000"},
		{"bytes=5000-6000", true, 416, 0, 0, "bytes */1000"},
	}
	for _, tc := range cases {
		h := http.Header{"Range": {tc.rng}}
		if tc.standard {
			h.Set("x-oss-range-behavior", "standard")
		}
		resp := rawOSS(t, srv, http.MethodGet, "/ranges/obj", h, nil)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		name := tc.rng + " standard=" + strconv.FormatBool(tc.standard)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d want %d", name, resp.StatusCode, tc.status)
			continue
		}
		if resp.Header.Get("Content-Range") != tc.contentRange {
			t.Errorf("%s: Content-Range %q want %q", name, resp.Header.Get("Content-Range"), tc.contentRange)
		}
		if tc.status == 416 {
			if !strings.Contains(string(body), "<Code>InvalidRange</Code>") {
				t.Errorf("%s: body %s", name, body)
			}
			continue
		}
		if !bytes.Equal(body, data[tc.start:tc.end]) {
			t.Errorf("%s: body bytes differ (len %d)", name, len(body))
		}
		if resp.Header.Get("Content-Length") != strconv.Itoa(tc.end-tc.start) {
			t.Errorf("%s: Content-Length %q", name, resp.Header.Get("Content-Length"))
		}
		// The CRC header always describes the whole object.
		if resp.Header.Get("x-oss-hash-crc64ecma") != full {
			t.Errorf("%s: crc header %q", name, resp.Header.Get("x-oss-hash-crc64ecma"))
		}
	}

	// Through the SDK: oss.Range + standard behaviour.
	if got := objectBytes(t, b, "obj", oss.Range(10, 19), oss.RangeBehavior("standard")); !bytes.Equal(got, data[10:20]) {
		t.Fatalf("sdk range got %x", got)
	}
	_, err := b.GetObject("obj", oss.NormalizedRange("1000-"), oss.RangeBehavior("standard"))
	if se := serviceErr(t, err); se.StatusCode != 416 || se.Code != "InvalidRange" {
		t.Fatalf("sdk 416: %+v", se)
	}
}

func TestOSSConditionalRequests(t *testing.T) {
	// A manual clock far from the wall clock: requests signed with the wall
	// clock are accepted, object times come from the manual clock.
	clock := NewManualClock(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	srv := newOSSTestServer(t, Options{Clock: clock})
	c := ossClient(t, srv)
	b := mustBucket(t, c, "cond")
	if err := b.PutObject("k", strings.NewReader("hello")); err != nil {
		t.Fatal(err)
	}
	meta, _ := b.GetObjectDetailedMeta("k")
	etag := meta.Get("ETag")
	mod, _ := http.ParseTime(meta.Get("Last-Modified"))
	if !mod.Equal(clock.Now()) {
		t.Fatalf("Last-Modified %v, want the manual clock's %v", mod, clock.Now())
	}
	clock.Advance(time.Hour)

	if _, err := b.GetObject("k", oss.IfMatch(`"0000"`)); serviceErr(t, err).StatusCode != 412 || serviceErr(t, err).Code != "PreconditionFailed" {
		t.Fatalf("If-Match mismatch: %v", err)
	}
	rc, err := b.GetObject("k", oss.IfMatch(etag))
	if err != nil {
		t.Fatalf("If-Match match: %v", err)
	}
	rc.Close()
	for name, h := range map[string]http.Header{
		"If-None-Match":     {"If-None-Match": {etag}},
		"If-Modified-Since": {"If-Modified-Since": {mod.Format(http.TimeFormat)}},
	} {
		resp := rawOSS(t, srv, http.MethodGet, "/cond/k", h, nil)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 304 || len(body) != 0 || resp.Header.Get("ETag") != etag {
			t.Errorf("%s: %d %q", name, resp.StatusCode, body)
		}
	}
	resp := rawOSS(t, srv, http.MethodGet, "/cond/k", http.Header{"If-Modified-Since": {mod.Add(-time.Hour).Format(http.TimeFormat)}}, nil)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("If-Modified-Since earlier: %d", resp.StatusCode)
	}
	resp = rawOSS(t, srv, http.MethodGet, "/cond/k", http.Header{"If-Unmodified-Since": {mod.Add(-time.Hour).Format(http.TimeFormat)}}, nil)
	resp.Body.Close()
	if resp.StatusCode != 412 {
		t.Errorf("If-Unmodified-Since earlier: %d", resp.StatusCode)
	}
}

// An object deleted or overwritten while a GET streams it keeps serving the
// old bytes to that GET; its files go away when the GET ends. Multipart
// objects open their part files one after the other, so this needs the
// reference counting, not just an open file descriptor.
func TestOSSDeleteDuringDownload(t *testing.T) {
	srv := newOSSTestServer(t, Options{})
	b := mustBucket(t, ossClient(t, srv), "busy")
	const ps = 8 << 20
	data := randBytes(4*ps, 12) // larger than the socket buffers
	imur, err := b.InitiateMultipartUpload("obj")
	if err != nil {
		t.Fatal(err)
	}
	var parts []oss.UploadPart
	for i := 0; i < 4; i++ {
		p, err := b.UploadPart(imur, bytes.NewReader(data[i*ps:(i+1)*ps]), ps, i+1)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, p)
	}
	if _, err := b.CompleteMultipartUpload(imur, parts); err != nil {
		t.Fatal(err)
	}
	resp := rawOSS(t, srv, http.MethodGet, "/busy/obj", nil, nil)
	defer resp.Body.Close()
	head := make([]byte, 1024)
	if _, err := io.ReadFull(resp.Body, head); err != nil {
		t.Fatal(err)
	}
	if err := b.PutObject("obj", strings.NewReader("replacement")); err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteObject("obj"); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(append(head, rest...), data) {
		t.Fatal("in-flight GET saw different bytes")
	}
	resp.Body.Close()
	// The handler releases its reference right after the last byte.
	deadline := time.Now().Add(5 * time.Second)
	for {
		files, _ := os.ReadDir(filepath.Join(srv.dataDir, "oss", "data"))
		if len(files) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d data files remain", len(files))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
