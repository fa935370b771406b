package emulator

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// lookupObject finds an object and takes a reference on its data; the
// caller must release it.
func (o *ossService) lookupObject(req *ossReq, bucket, key string) (*ossObject, *ossErr) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	b, ok := o.buckets[bucket]
	if !ok {
		return nil, errNoSuchBucket()
	}
	if b.owner != req.auth.acc.ID {
		return nil, denied("AccessDenied", "", "You have no right to access this object.")
	}
	obj := b.objects[key]
	if obj == nil {
		return nil, errNoSuchKey()
	}
	obj.data.acquire()
	return obj, nil
}

// checkConditions evaluates If-Match, If-None-Match, If-Modified-Since and
// If-Unmodified-Since with the given header prefix ("" or
// "x-oss-copy-source-"). It returns the status to answer with, or 0.
func checkConditions(h http.Header, prefix string, obj *ossObject) int {
	etagMatch := func(list string) bool {
		for _, e := range strings.Split(list, ",") {
			e = strings.Trim(strings.TrimSpace(e), `"`)
			if e == "*" || strings.EqualFold(e, obj.etag) {
				return true
			}
		}
		return false
	}
	mod := obj.modified.Truncate(time.Second)
	notModified := http.StatusNotModified
	if prefix != "" {
		notModified = http.StatusPreconditionFailed
	}
	if v := h.Get(prefix + "If-Match"); v != "" && !etagMatch(v) {
		return http.StatusPreconditionFailed
	}
	if v := h.Get(prefix + "If-Unmodified-Since"); v != "" {
		if t, err := http.ParseTime(v); err == nil && mod.After(t) {
			return http.StatusPreconditionFailed
		}
	}
	if v := h.Get(prefix + "If-None-Match"); v != "" && etagMatch(v) {
		return notModified
	}
	if v := h.Get(prefix + "If-Modified-Since"); v != "" {
		if t, err := http.ParseTime(v); err == nil && !mod.After(t) {
			return notModified
		}
	}
	return 0
}

// byteRange is an inclusive range resolved against an object size.
type byteRange struct{ start, end int64 }

// parseRange applies OSS's Range semantics. ok=false means "ignore the
// header and return the whole object" (what the service does for invalid
// ranges unless x-oss-range-behavior: standard); unsatisfiable=true means
// 416 InvalidRange (standard behaviour only).
func parseRange(v string, size int64, standard bool) (rng byteRange, ok, unsatisfiable bool) {
	spec, found := strings.CutPrefix(strings.TrimSpace(v), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return rng, false, false
	}
	a, b, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return rng, false, false
	}
	parse := func(s string) (int64, bool) {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		return n, err == nil && n >= 0
	}
	switch {
	case a == "" && b == "": // "bytes=-"
		return rng, false, false
	case a == "": // suffix: last N bytes
		n, good := parse(b)
		if !good || n == 0 {
			return rng, false, false
		}
		if n > size {
			if !standard || size == 0 {
				return rng, false, standard && size == 0
			}
			n = size
		}
		return byteRange{size - n, size - 1}, true, false
	default:
		start, good := parse(a)
		if !good {
			return rng, false, false
		}
		end := size - 1
		if b != "" {
			e, good := parse(b)
			if !good || e < start {
				return rng, false, false
			}
			end = e
		}
		if start >= size {
			return rng, false, standard
		}
		if end >= size {
			if !standard {
				return rng, false, false
			}
			end = size - 1
		}
		return byteRange{start, end}, true, false
	}
}

// setObjectHeaders writes the headers every GET/HEAD answer carries.
func setObjectHeaders(h http.Header, obj *ossObject) {
	for k, v := range obj.meta {
		h[k] = v
	}
	h.Set("Content-Type", obj.contentType)
	h.Set("ETag", obj.quotedETag())
	h.Set("Last-Modified", obj.modified.UTC().Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	h.Set("x-oss-object-type", obj.objType)
	h.Set("x-oss-storage-class", obj.storageClass)
	h.Set("x-oss-hash-crc64ecma", strconv.FormatUint(obj.crc, 10))
	setVersionHeader(h, obj)
}

func (o *ossService) getObject(req *ossReq, head bool) *ossErr {
	lookup := o.lookupObject
	if req.q.Has("versionId") {
		lookup = func(req *ossReq, _, _ string) (*ossObject, *ossErr) { return o.lookupVersion(req) }
	}
	obj, err := lookup(req, req.bucket, req.key)
	if err != nil {
		return err
	}
	defer obj.data.release()
	h := req.w.Header()
	if st := checkConditions(req.r.Header, "", obj); st != 0 {
		if st == http.StatusNotModified {
			h.Set("ETag", obj.quotedETag())
			h.Set("Last-Modified", obj.modified.UTC().Format(http.TimeFormat))
			req.ok(st)
			return nil
		}
		return errPreconditionFailed(st)
	}
	setObjectHeaders(h, obj)
	if v := req.q.Get("response-content-type"); v != "" {
		h.Set("Content-Type", v)
	}
	status, start, n := http.StatusOK, int64(0), obj.size
	if v := req.r.Header.Get("Range"); v != "" && !req.q.Has("objectMeta") {
		standard := strings.EqualFold(req.r.Header.Get("x-oss-range-behavior"), "standard")
		rng, ok, bad := parseRange(v, obj.size, standard)
		if bad {
			h.Set("Content-Range", "bytes */"+strconv.FormatInt(obj.size, 10))
			return &ossErr{http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "", "The requested range cannot be satisfied."}
		}
		if ok {
			status, start, n = http.StatusPartialContent, rng.start, rng.end-rng.start+1
			h.Set("Content-Range", "bytes "+strconv.FormatInt(rng.start, 10)+"-"+strconv.FormatInt(rng.end, 10)+"/"+strconv.FormatInt(obj.size, 10))
		}
	}
	if status == http.StatusOK && obj.md5 != nil {
		h.Set("Content-MD5", base64.StdEncoding.EncodeToString(obj.md5))
	}
	h.Set("Content-Length", strconv.FormatInt(n, 10))
	req.ok(status)
	if head || n == 0 {
		return nil
	}
	// Errors here mean the client went away; headers are already out.
	_ = obj.data.copyRange(req.w, start, n)
	return nil
}
