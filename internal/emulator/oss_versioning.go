package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"sort"
	"strings"
)

// Bucket versioning: PutBucketVersioning, GetBucketVersioning,
// ListObjectVersions, and GetObject/HeadObject/DeleteObject/DeleteObjects
// with a versionId. Shapes from the OSS API reference (PutBucketVersioning,
// GetBucketVersioning, ListObjectVersions pages) and aliyun-oss-go-sdk
// v3.0.2 (VersioningConfig, ListObjectVersionsResult, DeleteObject,
// DeletedKeyInfo in type.go; the x-oss-version-id and x-oss-delete-marker
// headers in option.go/const.go).
//
// A bucket's versioning is "" until first enabled (GetBucketVersioning then
// answers no Status), then Enabled or Suspended; it never returns to "".
// Objects written before versioning was enabled get the version id "null",
// as do objects written while it is suspended (the next such write
// replaces the previous "null" version).
//
// Not verified offline: the exact id format (the service's ids are opaque
// strings; here 32 hex digits), delimiter in ListObjectVersions (refused
// here), and the answer to a GET of a delete marker by version id (404
// NoSuchKey with x-oss-delete-marker: true here).

const (
	versioningEnabled   = "Enabled"
	versioningSuspended = "Suspended"
	nullVersionID       = "null"
)

func newVersionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func errNoSuchVersion() *ossErr {
	return &ossErr{http.StatusNotFound, "NoSuchVersion", "", "The specified version does not exist."}
}

// versionsLocked returns key's versions, newest (current) first; o.mu is
// held. An unversioned bucket has at most its current object.
func (b *ossBucket) versionsLocked(key string) []*ossObject {
	if b.versioning == "" {
		if obj := b.objects[key]; obj != nil {
			return []*ossObject{obj}
		}
		return nil
	}
	return b.versions[key]
}

// setVersionsLocked stores key's versions and derives the current object
// (the newest version unless it is a delete marker).
func (b *ossBucket) setVersionsLocked(key string, vs []*ossObject) {
	if len(vs) == 0 {
		delete(b.versions, key)
		delete(b.objects, key)
		return
	}
	b.versions[key] = vs
	if vs[0].deleteMarker {
		delete(b.objects, key)
	} else {
		b.objects[key] = vs[0]
	}
}

// displacedLocked is the version a new write of key would destroy: the
// current object when versioning was never enabled, the "null" version
// when it is suspended, nothing when it is enabled.
func (b *ossBucket) displacedLocked(key string) *ossObject {
	switch b.versioning {
	case "":
		return b.objects[key]
	case versioningSuspended:
		for _, v := range b.versions[key] {
			if v.versionID == nullVersionID {
				return v
			}
		}
	}
	return nil
}

// putVersionLocked makes obj (an object or a delete marker) the current
// version of its key and returns what it displaced (to release).
func (b *ossBucket) putVersionLocked(obj *ossObject) (gone *ossObject) {
	if b.versioning == "" {
		gone = b.objects[obj.key]
		b.objects[obj.key] = obj
		return gone
	}
	vs := b.versions[obj.key]
	if b.versioning == versioningEnabled {
		obj.versionID = newVersionID()
	} else {
		obj.versionID = nullVersionID
		if gone = b.displacedLocked(obj.key); gone != nil {
			vs = withoutVersion(vs, nullVersionID)
		}
	}
	b.setVersionsLocked(obj.key, append([]*ossObject{obj}, vs...))
	return gone
}

// removeVersionLocked deletes one version for good.
func (b *ossBucket) removeVersionLocked(key, versionID string) *ossObject {
	for _, v := range b.versionsLocked(key) {
		if v.versionID == versionID || (b.versioning == "" && versionID == nullVersionID) {
			if b.versioning == "" {
				delete(b.objects, key)
			} else {
				b.setVersionsLocked(key, withoutVersion(b.versions[key], v.versionID))
			}
			return v
		}
	}
	return nil
}

func withoutVersion(vs []*ossObject, id string) []*ossObject {
	out := make([]*ossObject, 0, len(vs))
	for _, v := range vs {
		if v.versionID != id {
			out = append(out, v)
		}
	}
	return out
}

// allVersionsLocked lists every stored version of every key.
func (b *ossBucket) allVersionsLocked() []*ossObject {
	var all []*ossObject
	if b.versioning == "" {
		for _, obj := range b.objects {
			all = append(all, obj)
		}
		return all
	}
	for _, vs := range b.versions {
		all = append(all, vs...)
	}
	return all
}

// releaseObjects drops the data of objects no longer stored (delete
// markers hold none).
func releaseObjects(objs ...*ossObject) {
	for _, obj := range objs {
		if obj != nil && obj.data != nil {
			obj.data.release()
		}
	}
}

// setVersionHeader names the version an answer is about, on versioned
// buckets only (as the service does).
func setVersionHeader(h http.Header, obj *ossObject) {
	if obj.versionID != "" {
		h.Set("x-oss-version-id", obj.versionID)
	}
}

func (o *ossService) putBucketVersioning(req *ossReq) *ossErr {
	b, err := o.bucketFor(req)
	if err != nil {
		return err
	}
	body, rerr := io.ReadAll(io.LimitReader(req.r.Body, 64<<10))
	if rerr != nil {
		return errInternal(rerr)
	}
	var cfg struct {
		XMLName xml.Name `xml:"VersioningConfiguration"`
		Status  string   `xml:"Status"`
	}
	if xml.Unmarshal(body, &cfg) != nil {
		return errMalformedXML("")
	}
	if cfg.Status != versioningEnabled && cfg.Status != versioningSuspended {
		return errMalformedXML("")
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if cfg.Status == versioningSuspended && b.worm != nil && o.wormActiveLocked(b) {
		// The WORM reference: a retention policy cannot coexist with
		// suspended versioning.
		return &ossErr{http.StatusConflict, "InvalidBucketState", "", "Versioning cannot be suspended while a retention policy is configured."}
	}
	if b.versioning == "" {
		b.versions = map[string][]*ossObject{}
		for k, obj := range b.objects {
			obj.versionID = nullVersionID
			b.versions[k] = []*ossObject{obj}
		}
	}
	b.versioning = cfg.Status
	req.ok(http.StatusOK)
	return nil
}

func (o *ossService) getBucketVersioning(req *ossReq) *ossErr {
	b, err := o.bucketFor(req)
	if err != nil {
		return err
	}
	o.mu.RLock()
	status := b.versioning
	o.mu.RUnlock()
	req.writeXML(struct {
		XMLName xml.Name `xml:"VersioningConfiguration"`
		Status  string   `xml:"Status,omitempty"`
	}{Status: status})
	return nil
}

// lookupVersion finds one version of req's object by versionId and takes
// a reference on its data.
func (o *ossService) lookupVersion(req *ossReq) (*ossObject, *ossErr) {
	if _, err := o.bucketFor(req); err != nil {
		return nil, err
	}
	id := req.q.Get("versionId")
	o.mu.RLock()
	defer o.mu.RUnlock()
	b := o.buckets[req.bucket]
	for _, v := range b.versionsLocked(req.key) {
		if v.versionID == id || (v.versionID == "" && id == nullVersionID) {
			if v.deleteMarker {
				req.w.Header().Set("x-oss-delete-marker", "true")
				setVersionHeader(req.w.Header(), v)
				return nil, errNoSuchKey()
			}
			v.data.acquire()
			return v, nil
		}
	}
	return nil, errNoSuchVersion()
}

// deleteOne deletes key (a version of it when versionID is set) as
// DeleteObject does, refusing what the bucket's retention policy protects.
// It reports the version deleted or the delete marker made.
func (o *ossService) deleteOne(b *ossBucket, key, versionID string) (deleted *ossObject, marker bool, err *ossErr) {
	o.mu.Lock()
	var gone *ossObject
	defer func() {
		o.mu.Unlock()
		releaseObjects(gone)
	}()
	if versionID != "" {
		for _, v := range b.versionsLocked(key) {
			if v.versionID == versionID || (v.versionID == "" && versionID == nullVersionID) {
				if o.retainedLocked(b, v) {
					return nil, false, errObjectImmutable()
				}
				gone = b.removeVersionLocked(key, versionID)
				return v, v.deleteMarker, nil
			}
		}
		return nil, false, errNoSuchVersion()
	}
	if o.retainedLocked(b, b.objects[key]) || o.retainedLocked(b, b.displacedLocked(key)) {
		return nil, false, errObjectImmutable()
	}
	if b.versioning == "" {
		gone = b.objects[key]
		delete(b.objects, key)
		return gone, false, nil
	}
	m := &ossObject{key: key, deleteMarker: true, modified: o.s.now()}
	gone = b.putVersionLocked(m)
	return m, true, nil
}

// listObjectVersions answers GET /?versions: keys in order, each key's
// versions newest first, paged by key-marker and version-id-marker.
func (o *ossService) listObjectVersions(req *ossReq) *ossErr {
	b, err := o.bucketFor(req)
	if err != nil {
		return err
	}
	if req.q.Get("delimiter") != "" {
		return &ossErr{http.StatusNotImplemented, "NotImplemented", "", "delimiter in ListObjectVersions is not supported by the emulator."}
	}
	maxKeys, err := maxParam(req.q, "max-keys", 100, 1000)
	if err != nil {
		return err
	}
	prefix, keyMarker, idMarker := req.q.Get("prefix"), req.q.Get("key-marker"), req.q.Get("version-id-marker")
	type version struct {
		XMLName      xml.Name
		Key          string   `xml:"Key"`
		VersionID    string   `xml:"VersionId"`
		IsLatest     bool     `xml:"IsLatest"`
		LastModified string   `xml:"LastModified"`
		ETag         string   `xml:"ETag,omitempty"`
		Type         string   `xml:"Type,omitempty"`
		Size         *int64   `xml:"Size,omitempty"`
		StorageClass string   `xml:"StorageClass,omitempty"`
		Owner        xmlOwner `xml:"Owner"`
	}
	res := struct {
		XMLName             xml.Name  `xml:"ListVersionsResult"`
		Name                string    `xml:"Name"`
		Prefix              string    `xml:"Prefix"`
		KeyMarker           string    `xml:"KeyMarker"`
		VersionIDMarker     string    `xml:"VersionIdMarker"`
		MaxKeys             int       `xml:"MaxKeys"`
		Delimiter           string    `xml:"Delimiter"`
		IsTruncated         bool      `xml:"IsTruncated"`
		NextKeyMarker       string    `xml:"NextKeyMarker,omitempty"`
		NextVersionIDMarker string    `xml:"NextVersionIdMarker,omitempty"`
		EncodingType        string    `xml:"EncodingType,omitempty"`
		Entries             []version `xml:",any"`
	}{Name: b.name, Prefix: encodeKey(req.q, prefix), KeyMarker: encodeKey(req.q, keyMarker), VersionIDMarker: idMarker, MaxKeys: maxKeys}
	if req.q.Get("encoding-type") == "url" {
		res.EncodingType = "url"
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	keys := map[string]bool{}
	for k := range b.objects {
		keys[k] = true
	}
	for k := range b.versions {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		if strings.HasPrefix(k, prefix) && k >= keyMarker {
			sorted = append(sorted, k)
		}
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		vs := b.versionsLocked(k)
		skip := k == keyMarker
		for i, v := range vs {
			id := firstNonEmpty(v.versionID, nullVersionID)
			if skip {
				if idMarker != "" && id == idMarker {
					skip = false
				}
				continue
			}
			if len(res.Entries) == maxKeys {
				res.IsTruncated = true
				last := res.Entries[len(res.Entries)-1]
				res.NextKeyMarker, res.NextVersionIDMarker = last.Key, last.VersionID
				req.writeXML(res)
				return nil
			}
			e := version{Key: encodeKey(req.q, k), VersionID: id, IsLatest: i == 0,
				LastModified: v.modified.UTC().Format(ossTimeFormat), Owner: owner(b.owner)}
			if v.deleteMarker {
				e.XMLName.Local = "DeleteMarker"
			} else {
				size := v.size
				e.XMLName.Local, e.ETag, e.Type, e.Size, e.StorageClass = "Version", v.quotedETag(), v.objType, &size, v.storageClass
			}
			res.Entries = append(res.Entries, e)
		}
	}
	req.writeXML(res)
	return nil
}

// classifyVaultOp names the bucket-level versioning and retention-policy
// operations ("" for others), from the sub-resources aliyun-oss-go-sdk
// v3.0.2 sends (client.go).
func classifyVaultOp(method string, q map[string][]string) string {
	has := func(k string) bool { _, ok := q[k]; return ok }
	switch {
	case method == http.MethodPut && has("versioning"):
		return "PutBucketVersioning"
	case method == http.MethodGet && has("versioning"):
		return "GetBucketVersioning"
	case method == http.MethodGet && has("versions"):
		return "ListObjectVersions"
	case method == http.MethodPost && has("wormId") && has("wormExtend"):
		return "ExtendBucketWorm"
	case method == http.MethodPost && has("wormId"):
		return "CompleteBucketWorm"
	case method == http.MethodPost && has("worm"):
		return "InitiateBucketWorm"
	case method == http.MethodGet && has("worm"):
		return "GetBucketWorm"
	case method == http.MethodDelete && has("worm"):
		return "AbortBucketWorm"
	}
	return ""
}
