package emulator

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// ossReq is one parsed request.
type ossReq struct {
	w      http.ResponseWriter
	r      *http.Request
	q      url.Values
	bucket string
	key    string
	auth   ossAuth
	reqID  string
}

// splitOSSPath splits a path-style URL path into bucket and object key.
func splitOSSPath(p string) (bucket, key string) {
	p = strings.TrimPrefix(p, "/")
	bucket, key, _ = strings.Cut(p, "/")
	return bucket, key
}

// ServeHTTP authenticates and dispatches one OSS request.
func (o *ossService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	bucket, key := splitOSSPath(r.URL.Path)
	req := &ossReq{w: w, r: r, q: r.URL.Query(), bucket: bucket, key: key, reqID: newRequestID()}
	h := w.Header()
	h.Set("Server", "AliyunOSS")
	h.Set("Date", o.s.now().Format(http.TimeFormat))

	auth, aerr := o.authenticate(r, bucket, key)
	if aerr != nil {
		writeOSSErr(w, r, aerr)
		return
	}
	req.auth = auth
	op := classifyOSS(r)
	if err := o.checkSigningRegion(req, op); err != nil {
		writeOSSErr(w, r, err)
		return
	}
	if err, detail := o.checkOSS(req, op); err != nil {
		writeOSSErrDetail(w, r, err, detail)
		return
	}
	if err := o.dispatch(req, op); err != nil {
		writeOSSErr(w, r, err)
	}
}

// checkSigningRegion enforces what the service checks for v4 signatures:
// the credential scope names a region id ("cn-beijing", not
// "oss-cn-beijing") and it is the bucket's region.
func (o *ossService) checkSigningRegion(req *ossReq, op string) *ossErr {
	region := req.auth.region
	if region == "" {
		return nil
	}
	if strings.HasPrefix(region, "oss-") {
		return errInvalidArgument("", "The signing region in credential is invalid: use the region id ("+strings.TrimPrefix(region, "oss-")+"), not the OSS location.")
	}
	if req.bucket == "" || op == "PutBucket" {
		return nil
	}
	o.mu.RLock()
	b := o.buckets[req.bucket]
	o.mu.RUnlock()
	if b != nil && b.location != "oss-"+region {
		return errInvalidArgument("", "The signing region in credential is invalid: the bucket is in "+strings.TrimPrefix(b.location, "oss-")+", the request was signed for "+region+".")
	}
	return nil
}

// ok writes the common success headers and the status.
func (req *ossReq) ok(status int) {
	req.w.Header().Set("x-oss-request-id", req.reqID)
	req.w.WriteHeader(status)
}

// writeXML answers 200 with an XML document.
func (req *ossReq) writeXML(v any) {
	body, err := xml.Marshal(v)
	if err != nil {
		writeOSSErr(req.w, req.r, errInternal(err))
		return
	}
	h := req.w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(xml.Header)+len(body)))
	req.ok(http.StatusOK)
	_, _ = io.WriteString(req.w, xml.Header)
	_, _ = req.w.Write(body)
}

// maxParam parses a max-keys style parameter.
func maxParam(q url.Values, name string, def, limit int) (int, *ossErr) { //nolint:unparam // each call names the limit its API documents
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > limit {
		return 0, errInvalidArgument("", name+" must be between 0 and "+strconv.Itoa(limit)+".")
	}
	return n, nil
}

// encodeKey applies encoding-type=url to a name in a listing.
func encodeKey(q url.Values, s string) string {
	if q.Get("encoding-type") == "url" {
		return url.QueryEscape(s)
	}
	return s
}
