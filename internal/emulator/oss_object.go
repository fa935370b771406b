package emulator

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxObjectKey is the service's limit on object names, in bytes.
const maxObjectKey = 1023

// keptHeaders are the standard headers an object remembers from PutObject.
var keptHeaders = []string{"Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language", "Expires"}

// validKey applies the OSS object naming rules: UTF-8, 1-1023 bytes, not
// starting with "/" or "\\" (OSS reference "Object naming", EC pages
// 0016-00000001 and 0016-00000002).
func validKey(key string) *ossErr {
	switch {
	case key == "":
		return &ossErr{http.StatusBadRequest, "InvalidObjectName", ecEmptyObjectName, "The Object name can not be empty."}
	case len(key) > maxObjectKey:
		return &ossErr{http.StatusBadRequest, "InvalidObjectName", ecInvalidObjectName, "The Length of Object name must be less than 1024."}
	case !utf8.ValidString(key) || strings.HasPrefix(key, "/") || strings.HasPrefix(key, `\`):
		return &ossErr{http.StatusBadRequest, "InvalidObjectName", ecInvalidObjectName, "The specified object is not valid."}
	}
	return nil
}

// setSimple fills data, size and digests from a single written file.
func (obj *ossObject) setSimple(w written) {
	obj.data = newBlob([]segment{w.seg})
	obj.size = w.seg.size
	obj.md5 = w.md5
	obj.etag = strings.ToUpper(hex.EncodeToString(w.md5))
	obj.crc = w.crc
	if obj.objType == "" {
		obj.objType = "Normal"
	}
}

// quotedETag is how ETags travel in headers and XML.
func (obj *ossObject) quotedETag() string { return `"` + obj.etag + `"` }

// commitObject publishes obj under bucket/key, replacing (and releasing) the
// version it displaces (oss_versioning.go) unless conflict is set
// (x-oss-forbid-overwrite), which is then the answer, or the bucket's
// retention policy protects that version. accountID "" skips the ownership
// check (internal writers). On error obj's data is released.
func (o *ossService) commitObject(bucket, accountID string, obj *ossObject, conflict *ossErr) *ossErr {
	if obj.modified.IsZero() {
		obj.modified = o.s.now()
	}
	if obj.storageClass == "" {
		obj.storageClass = "Standard"
	}
	o.mu.Lock()
	b, ok := o.buckets[bucket]
	if !ok || (accountID != "" && b.owner != accountID) {
		o.mu.Unlock()
		obj.data.release()
		if !ok {
			return errNoSuchBucket()
		}
		return denied("AccessDenied", "", "You have no right to access this bucket.")
	}
	if b.objects[obj.key] != nil && conflict != nil {
		o.mu.Unlock()
		obj.data.release()
		return conflict
	}
	if o.retainedLocked(b, b.objects[obj.key]) || o.retainedLocked(b, b.displacedLocked(obj.key)) {
		o.mu.Unlock()
		obj.data.release()
		return errObjectImmutable()
	}
	old := b.putVersionLocked(obj)
	o.mu.Unlock()
	releaseObjects(old)
	return nil
}

// requestMeta collects the metadata an upload request sets on an object.
func requestMeta(r *http.Request, key string) (string, http.Header, string) {
	meta := http.Header{}
	for k, v := range r.Header {
		if strings.HasPrefix(strings.ToLower(k), "x-oss-meta-") {
			meta[k] = v
		}
	}
	for _, k := range keptHeaders {
		if v := r.Header.Get(k); v != "" {
			meta.Set(k, v)
		}
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		ct = mime.TypeByExtension(path.Ext(key))
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	return ct, meta, r.Header.Get("x-oss-storage-class")
}

// contentMD5 decodes a Content-MD5 header; nil when absent.
func contentMD5(r *http.Request) ([]byte, *ossErr) {
	v := r.Header.Get("Content-MD5")
	if v == "" {
		return nil, nil
	}
	sum, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(sum) != md5.Size {
		return nil, &ossErr{http.StatusBadRequest, "InvalidDigest", ecInvalidDigest, "The Content-MD5 you specified was invalid."}
	}
	return sum, nil
}

// receiveBody streams the request body to disk and checks its length and
// Content-MD5.
func (o *ossService) receiveBody(req *ossReq) (written, *ossErr) {
	want, merr := contentMD5(req.r)
	if merr != nil {
		return written{}, merr
	}
	w, err := o.store.write(req.r.Body)
	if err != nil {
		return written{}, &ossErr{http.StatusBadRequest, "IncompleteBody", "", "The request body could not be read: " + err.Error()}
	}
	if req.r.ContentLength >= 0 && w.seg.size != req.r.ContentLength {
		newBlob([]segment{w.seg}).release()
		return written{}, &ossErr{http.StatusBadRequest, "IncompleteBody", "", "You did not provide the number of bytes specified by the Content-Length HTTP header."}
	}
	if want != nil && !bytes.Equal(want, w.md5) {
		newBlob([]segment{w.seg}).release()
		return written{}, errDigestMismatch()
	}
	return w, nil
}

// overwriteConflict reads x-oss-forbid-overwrite. It returns the error to
// answer when the key already exists (nil when overwriting is allowed), or
// refuses a value other than true or false (EC 0017-00000279). ec names the
// cause: 0026-00000201 for PutObject and CopyObject, 0042-00000214 for
// CompleteMultipartUpload (OSS reference, EC pages).
func overwriteConflict(req *ossReq, ec string) (conflict, invalid *ossErr) {
	switch v := req.r.Header.Get("x-oss-forbid-overwrite"); {
	case v == "" || strings.EqualFold(v, "false"):
		return nil, nil
	case strings.EqualFold(v, "true"):
		return &ossErr{http.StatusConflict, "FileAlreadyExists", ec, "The object you specified already exists and can not be overwritten."}, nil
	default:
		return nil, errInvalidArgument(ecForbidOverwriteValue, "x-oss-forbid-overwrite must be true or false.")
	}
}

// existsLocked reports whether bucket/key is an object; o.mu is held.
func (o *ossService) existsLocked(bucket, key string) bool {
	b, ok := o.buckets[bucket]
	return ok && b.objects[key] != nil
}

// checkOverwrite refuses early, before any data is read, what
// commitObject would refuse.
func (o *ossService) checkOverwrite(req *ossReq, conflict *ossErr) *ossErr {
	if conflict == nil {
		return nil
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	if o.existsLocked(req.bucket, req.key) {
		return conflict
	}
	return nil
}

func (o *ossService) putObjectHTTP(req *ossReq) *ossErr {
	if err := validKey(req.key); err != nil {
		return err
	}
	if _, err := o.bucketFor(req); err != nil {
		return err
	}
	conflict, err := overwriteConflict(req, ecFileAlreadyExists)
	if err != nil {
		return err
	}
	if err := o.checkOverwrite(req, conflict); err != nil {
		return err
	}
	w, err := o.receiveBody(req)
	if err != nil {
		return err
	}
	ct, meta, sc := requestMeta(req.r, req.key)
	obj := &ossObject{key: req.key, contentType: ct, meta: meta, storageClass: sc}
	obj.setSimple(w)
	if err := o.commitObject(req.bucket, req.auth.acc.ID, obj, conflict); err != nil {
		return err
	}
	h := req.w.Header()
	setVersionHeader(h, obj)
	h.Set("ETag", obj.quotedETag())
	h.Set("Content-MD5", base64.StdEncoding.EncodeToString(obj.md5))
	h.Set("x-oss-hash-crc64ecma", strconv.FormatUint(obj.crc, 10))
	h.Set("Content-Length", "0")
	req.ok(http.StatusOK)
	return nil
}

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

// deleteObject deletes an object or, with versionId, one version of it
// (missing keys are not an error, as in OSS).
func (o *ossService) deleteObject(req *ossReq) *ossErr {
	b, err := o.bucketFor(req)
	if err != nil {
		return err
	}
	deleted, marker, err := o.deleteOne(b, req.key, req.q.Get("versionId"))
	if err != nil {
		return err
	}
	if deleted != nil {
		setVersionHeader(req.w.Header(), deleted)
		if marker {
			req.w.Header().Set("x-oss-delete-marker", "true")
		}
	}
	req.ok(http.StatusNoContent)
	return nil
}

// deleteObjects deletes keys (or versions) in order; a key the retention
// policy protects ends the request with its error, keys before it stay
// deleted (the service's per-key answer is not verified offline).
func (o *ossService) deleteObjects(req *ossReq) *ossErr {
	b, berr := o.bucketFor(req)
	if berr != nil {
		return berr
	}
	want, merr := contentMD5(req.r)
	if merr != nil {
		return merr
	}
	body, err := io.ReadAll(io.LimitReader(req.r.Body, 2<<20))
	if err != nil {
		return errInternal(err)
	}
	if want != nil {
		if sum := md5.Sum(body); !bytes.Equal(sum[:], want) {
			return errDigestMismatch()
		}
	}
	var del struct {
		Quiet   bool `xml:"Quiet"`
		Objects []struct {
			Key       *string `xml:"Key"`
			VersionID string  `xml:"VersionId"`
		} `xml:"Object"`
	}
	body, restore, ok := unescapeControlRefs(body)
	if !ok || xml.Unmarshal(body, &del) != nil {
		return errMalformedXML(ecDeleteMalformedXML)
	}
	if len(del.Objects) == 0 {
		return errMalformedXML(ecDeleteNoObject)
	}
	if len(del.Objects) > 1000 {
		return errInvalidArgument("", "Too many objects to delete (max 1000).")
	}
	keys := make([]string, len(del.Objects))
	for i, ob := range del.Objects {
		// The EC pages name these causes (Key absent, Key empty) but not
		// the Code; MalformedXML is what the body is.
		switch {
		case ob.Key == nil:
			return errMalformedXML(ecDeleteMissingKey)
		case *ob.Key == "":
			return errMalformedXML(ecDeleteEmptyKey)
		}
		keys[i] = restore(*ob.Key)
	}
	type deleted struct {
		Key                   string `xml:"Key"`
		VersionID             string `xml:"VersionId,omitempty"`
		DeleteMarker          bool   `xml:"DeleteMarker,omitempty"`
		DeleteMarkerVersionID string `xml:"DeleteMarkerVersionId,omitempty"`
	}
	res := struct {
		XMLName      xml.Name  `xml:"DeleteResult"`
		EncodingType string    `xml:"EncodingType,omitempty"`
		Deleted      []deleted `xml:"Deleted"`
	}{}
	if req.q.Get("encoding-type") == "url" {
		res.EncodingType = "url"
	}
	for i, k := range keys {
		id := del.Objects[i].VersionID
		obj, marker, err := o.deleteOne(b, k, id)
		if err != nil {
			return err
		}
		d := deleted{Key: encodeKey(req.q, k), VersionID: id}
		if obj != nil && marker {
			d.DeleteMarker, d.DeleteMarkerVersionID = true, obj.versionID
		}
		if !del.Quiet {
			res.Deleted = append(res.Deleted, d)
		}
	}
	req.writeXML(res)
	return nil
}

// parseCopySource reads x-oss-copy-source: "/bucket/url-escaped-key".
func parseCopySource(v string) (bucket, key string, err *ossErr) {
	v, _, _ = strings.Cut(v, "?") // ?versionId=...: no versioning here
	b, k := splitOSSPath(v)
	k, uerr := url.QueryUnescape(k)
	if uerr != nil || b == "" || k == "" {
		return "", "", errInvalidArgument("", "x-oss-copy-source is invalid.")
	}
	return b, k, nil
}

// copySourceObject resolves and references the source of a copy, checking
// the x-oss-copy-source-if-* conditions.
func (o *ossService) copySourceObject(req *ossReq) (*ossObject, *ossErr) {
	sb, sk, err := parseCopySource(req.r.Header.Get("x-oss-copy-source"))
	if err != nil {
		return nil, err
	}
	src, err := o.lookupObject(req, sb, sk)
	if err != nil {
		return nil, err
	}
	if st := checkConditions(req.r.Header, "x-oss-copy-source-", src); st != 0 {
		src.data.release()
		return nil, errPreconditionFailed(st)
	}
	return src, nil
}

func (o *ossService) copyObject(req *ossReq) *ossErr {
	if err := validKey(req.key); err != nil {
		return err
	}
	if _, err := o.bucketFor(req); err != nil {
		return err
	}
	conflict, err := overwriteConflict(req, ecFileAlreadyExists)
	if err != nil {
		return err
	}
	if err := o.checkOverwrite(req, conflict); err != nil {
		return err
	}
	src, err := o.copySourceObject(req)
	if err != nil {
		return err
	}
	data, lerr := o.store.link(src.data)
	src.data.release()
	if lerr != nil {
		return errInternal(lerr)
	}
	obj := &ossObject{key: req.key, size: src.size, etag: src.etag, md5: src.md5, crc: src.crc,
		contentType: src.contentType, meta: src.meta, objType: src.objType, storageClass: src.storageClass, data: data}
	if strings.EqualFold(req.r.Header.Get("x-oss-metadata-directive"), "REPLACE") {
		obj.contentType, obj.meta, obj.storageClass = requestMeta(req.r, req.key)
	}
	if err := o.commitObject(req.bucket, req.auth.acc.ID, obj, conflict); err != nil {
		return err
	}
	req.w.Header().Set("x-oss-hash-crc64ecma", strconv.FormatUint(obj.crc, 10))
	req.writeXML(struct {
		XMLName      xml.Name `xml:"CopyObjectResult"`
		LastModified string   `xml:"LastModified"`
		ETag         string   `xml:"ETag"`
	}{LastModified: obj.modified.UTC().Format(ossTimeFormat), ETag: obj.quotedETag()})
	return nil
}

// Listing -------------------------------------------------------------------

type xmlContents struct {
	Key          string    `xml:"Key"`
	LastModified string    `xml:"LastModified"`
	ETag         string    `xml:"ETag"`
	Type         string    `xml:"Type"`
	Size         int64     `xml:"Size"`
	StorageClass string    `xml:"StorageClass"`
	Owner        *xmlOwner `xml:"Owner,omitempty"`
}

// listing is one page of a prefix/delimiter walk over sorted names.
type listing struct {
	objects   []*ossObject
	prefixes  []string
	truncated bool
	next      string // last key or common prefix returned, when truncated
}

// walk pages through sorted keys after marker, folding keys that share a
// prefix up to the delimiter into one common prefix.
func walk(keys []string, get func(string) *ossObject, prefix, delimiter, marker string, max int) listing {
	var l listing
	i := sort.SearchStrings(keys, marker)
	if i < len(keys) && keys[i] == marker {
		i++
	}
	count := 0
	for ; i < len(keys); i++ {
		k := keys[i]
		if !strings.HasPrefix(k, prefix) {
			if k > prefix {
				break
			}
			continue
		}
		entry, isPrefix := k, false
		if delimiter != "" {
			if j := strings.Index(k[len(prefix):], delimiter); j >= 0 {
				entry, isPrefix = k[:len(prefix)+j+len(delimiter)], true
				// A marker equal to a common prefix (a NextMarker) skips the
				// whole group; a marker inside a group still yields it.
				if entry == marker || (len(l.prefixes) > 0 && l.prefixes[len(l.prefixes)-1] == entry) {
					continue
				}
			}
		}
		if count == max {
			l.truncated = true
			break
		}
		count++
		l.next = entry
		if isPrefix {
			l.prefixes = append(l.prefixes, entry)
		} else {
			l.objects = append(l.objects, get(k))
		}
	}
	if !l.truncated {
		l.next = ""
	}
	return l
}

func (o *ossService) listObjects(req *ossReq, v2 bool) *ossErr {
	b, err := o.bucketFor(req)
	if err != nil {
		return err
	}
	q := req.q
	maxKeys, err := maxParam(q, "max-keys", 100, 1000)
	if err != nil {
		return err
	}
	prefix, delimiter := q.Get("prefix"), q.Get("delimiter")
	marker := q.Get("marker")
	if v2 {
		marker = q.Get("start-after")
		if tok := q.Get("continuation-token"); tok != "" {
			raw, derr := base64.RawURLEncoding.DecodeString(tok)
			if derr != nil {
				return errInvalidArgument("", "continuation-token is invalid.")
			}
			marker = string(raw)
		}
	}
	o.mu.RLock()
	keys := make([]string, 0, len(b.objects))
	objs := make(map[string]*ossObject, len(b.objects))
	for k, obj := range b.objects {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
			objs[k] = obj
		}
	}
	o.mu.RUnlock()
	sort.Strings(keys)
	l := walk(keys, func(k string) *ossObject { return objs[k] }, prefix, delimiter, marker, maxKeys)

	withOwner := !v2 || q.Get("fetch-owner") == "true"
	contents := make([]xmlContents, 0, len(l.objects))
	for _, obj := range l.objects {
		c := xmlContents{Key: encodeKey(q, obj.key), LastModified: obj.modified.UTC().Format(ossTimeFormat),
			ETag: obj.quotedETag(), Type: obj.objType, Size: obj.size, StorageClass: obj.storageClass}
		if withOwner {
			ow := owner(b.owner)
			c.Owner = &ow
		}
		contents = append(contents, c)
	}
	prefixes := make([]string, len(l.prefixes))
	for i, p := range l.prefixes {
		prefixes[i] = encodeKey(q, p)
	}
	encoding := ""
	if q.Get("encoding-type") == "url" {
		encoding = "url"
	}
	if v2 {
		res := struct {
			XMLName               xml.Name      `xml:"ListBucketResult"`
			Name                  string        `xml:"Name"`
			Prefix                string        `xml:"Prefix"`
			StartAfter            string        `xml:"StartAfter,omitempty"`
			ContinuationToken     string        `xml:"ContinuationToken,omitempty"`
			MaxKeys               int           `xml:"MaxKeys"`
			Delimiter             string        `xml:"Delimiter"`
			EncodingType          string        `xml:"EncodingType,omitempty"`
			IsTruncated           bool          `xml:"IsTruncated"`
			NextContinuationToken string        `xml:"NextContinuationToken,omitempty"`
			KeyCount              int           `xml:"KeyCount"`
			Contents              []xmlContents `xml:"Contents"`
			CommonPrefixes        []string      `xml:"CommonPrefixes>Prefix"`
		}{Name: b.name, Prefix: encodeKey(q, prefix), StartAfter: encodeKey(q, q.Get("start-after")),
			ContinuationToken: q.Get("continuation-token"), MaxKeys: maxKeys, Delimiter: encodeKey(q, delimiter),
			EncodingType: encoding, IsTruncated: l.truncated, KeyCount: len(contents) + len(prefixes),
			Contents: contents, CommonPrefixes: prefixes}
		if l.truncated {
			res.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(l.next))
		}
		req.writeXML(res)
		return nil
	}
	req.writeXML(struct {
		XMLName        xml.Name      `xml:"ListBucketResult"`
		Name           string        `xml:"Name"`
		Prefix         string        `xml:"Prefix"`
		Marker         string        `xml:"Marker"`
		MaxKeys        int           `xml:"MaxKeys"`
		Delimiter      string        `xml:"Delimiter"`
		EncodingType   string        `xml:"EncodingType,omitempty"`
		IsTruncated    bool          `xml:"IsTruncated"`
		NextMarker     string        `xml:"NextMarker,omitempty"`
		Contents       []xmlContents `xml:"Contents"`
		CommonPrefixes []string      `xml:"CommonPrefixes>Prefix"`
	}{Name: b.name, Prefix: encodeKey(q, prefix), Marker: encodeKey(q, marker), MaxKeys: maxKeys,
		Delimiter: encodeKey(q, delimiter), EncodingType: encoding, IsTruncated: l.truncated,
		NextMarker: encodeKey(q, l.next), Contents: contents, CommonPrefixes: prefixes})
	return nil
}
