package emulator

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
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

// checkNewObject makes the checks every request that creates an object
// makes before reading any data: the key's name, the caller's bucket and
// x-oss-forbid-overwrite (refused early here when the key exists). It
// returns the conflict commitObject answers if the key appears meanwhile.
func (o *ossService) checkNewObject(req *ossReq, ec string) (conflict, err *ossErr) {
	if err := validKey(req.key); err != nil {
		return nil, err
	}
	if _, err := o.bucketFor(req); err != nil {
		return nil, err
	}
	if conflict, err = overwriteConflict(req, ec); err != nil || conflict == nil {
		return nil, err
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	if o.existsLocked(req.bucket, req.key) {
		return nil, conflict
	}
	return conflict, nil
}

func (o *ossService) putObjectHTTP(req *ossReq) *ossErr {
	conflict, err := o.checkNewObject(req, ecFileAlreadyExists)
	if err != nil {
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
