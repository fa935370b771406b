package transfer

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"hash/crc64"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// fakeOSS is a minimal OSS object endpoint (HEAD and ranged GET of one
// bucket) with a hook for precise fault injection. The emulator covers the
// wire protocol; this isolates the engine's reactions to each fault.
type fakeOSS struct {
	mu      sync.Mutex
	objects map[string]*fakeObject
	// hook may answer a GET itself (return true) before the normal reply.
	hook func(w http.ResponseWriter, r *http.Request, o *fakeObject, start, end int64) bool
	gets []fakeGet
	srv  *httptest.Server
}

type fakeObject struct {
	data []byte
	etag string
}

type fakeGet struct {
	key, rng, ifMatch, behavior string
}

func newFakeOSS(t testing.TB) *fakeOSS {
	f := &fakeOSS{objects: map[string]*fakeObject{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeOSS) put(key string, data []byte) *fakeObject {
	sum := md5.Sum(data)
	o := &fakeObject{data: data, etag: `"` + strings.ToUpper(hex.EncodeToString(sum[:])) + `"`}
	f.mu.Lock()
	f.objects[key] = o
	f.mu.Unlock()
	return o
}

func (f *fakeOSS) bucket(t testing.TB) *oss.Bucket {
	c, err := oss.New(f.srv.URL, "ak", "sk")
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Bucket("bkt")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// setHook installs a hook; under the lock because requests may come from
// a child process, which gives the race detector no ordering to see.
func (f *fakeOSS) setHook(h func(w http.ResponseWriter, r *http.Request, o *fakeObject, start, end int64) bool) {
	f.mu.Lock()
	f.hook = h
	f.mu.Unlock()
}

func (f *fakeOSS) getLog() []fakeGet {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeGet(nil), f.gets...)
}

func ossError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message><RequestId>fake</RequestId></Error>", code, code)
}

func (f *fakeOSS) serve(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.URL.Path, "/bkt/")
	f.mu.Lock()
	o := f.objects[key]
	f.mu.Unlock()
	if o == nil {
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		ossError(w, http.StatusNotFound, "NoSuchKey")
		return
	}
	h := w.Header()
	h.Set("ETag", o.etag)
	h.Set("Last-Modified", "Tue, 24 Nov 2026 10:00:00 GMT")
	h.Set("x-oss-hash-crc64ecma", strconv.FormatUint(crc64.Checksum(o.data, crcTable), 10))
	switch r.Method {
	case http.MethodHead:
		h.Set("Content-Length", strconv.Itoa(len(o.data)))
		w.WriteHeader(http.StatusOK)
	case http.MethodGet:
		f.mu.Lock()
		f.gets = append(f.gets, fakeGet{key, r.Header.Get("Range"), r.Header.Get("If-Match"), r.Header.Get("x-oss-range-behavior")})
		f.mu.Unlock()
		if im := r.Header.Get("If-Match"); im != "" && im != o.etag {
			ossError(w, http.StatusPreconditionFailed, "PreconditionFailed")
			return
		}
		start, end := int64(0), int64(len(o.data))-1
		if rg := r.Header.Get("Range"); rg != "" {
			var err error
			if start, end, err = ParseRange(rg); err != nil || end >= int64(len(o.data)) {
				ossError(w, http.StatusRequestedRangeNotSatisfiable, "InvalidRange")
				return
			}
		}
		f.mu.Lock()
		hook := f.hook
		f.mu.Unlock()
		if hook != nil && hook(w, r, o, start, end) {
			return
		}
		h.Set("Content-Length", strconv.FormatInt(end-start+1, 10))
		if r.Header.Get("Range") != "" {
			h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, len(o.data)))
			w.WriteHeader(http.StatusPartialContent)
		}
		_, _ = w.Write(o.data[start : end+1])
	default:
		ossError(w, http.StatusMethodNotAllowed, "MethodNotAllowed")
	}
}

// writeRange answers a GET like the normal path but with body instead of
// the real bytes (for truncation and corruption).
func writeRange(w http.ResponseWriter, o *fakeObject, start, end int64, body []byte) {
	w.Header().Set("Content-Length", strconv.FormatInt(end-start+1, 10))
	w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, len(o.data)))
	w.WriteHeader(http.StatusPartialContent)
	_, _ = w.Write(body)
}

func randBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	for i := n - n%8; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}
