package emulator

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultOSSLocation is where a bucket goes when neither the request body
// (LocationConstraint) nor a v4 signing region says otherwise.
const DefaultOSSLocation = "oss-cn-beijing"

// ossTimeFormat is how OSS writes times in XML bodies.
const ossTimeFormat = "2006-01-02T15:04:05.000Z"

// ossService is OSS over REST with path-style addressing (/bucket/key), the
// form the SDK uses for an IP endpoint. Metadata is in memory; object data
// is on disk under the server's data directory (<data-dir>/oss, wiped at
// start), streamed in and out, never held in memory.
//
// Authentication: v1 ("OSS ak:sig") and v4 ("OSS4-HMAC-SHA256") headers and
// both presigned URL forms, computed as aliyun-oss-go-sdk does; long-term
// keys of registered accounts and STS temporary keys with their security
// token. Date must be within 15 minutes of the wall clock plus injected
// skew. v4 requests must be signed for the bucket's region.
//
// Operations: ListBuckets, PutBucket (region from LocationConstraint, else
// the v4 signing region, else DefaultOSSLocation; StorageClass,
// DataRedundancyType), GetBucketInfo, GetBucketLocation, DeleteBucket;
// PutObject (Content-MD5, x-oss-meta-*, x-oss-forbid-overwrite),
// GetObject/HeadObject/GetObjectMeta (Range incl. x-oss-range-behavior:
// standard, If-Match/-None-Match/-Modified-Since/-Unmodified-Since),
// DeleteObject, DeleteObjects, CopyObject (COPY/REPLACE, copy-source
// conditions), ListObjects v1 and v2; InitiateMultipartUpload (incl.
// sequential), UploadPart, UploadPartCopy, CompleteMultipartUpload (incl.
// x-oss-complete-all, x-oss-forbid-overwrite), AbortMultipartUpload,
// ListParts, ListMultipartUploads; versioning (oss_versioning.go) and
// retention policies (oss_worm.go). Reads of unmodelled settings answer a new
// bucket's defaults (GetBucketAcl, GetObjectAcl, ListLiveChannel); other
// sub-resources (writing acl, tagging, append, ...) answer 501
// NotImplemented. Every object and part response carries
// x-oss-hash-crc64ecma (multipart: combined from the parts' CRCs). Errors
// carry the service's fine-grained EC where the reference documents it.
//
// Not verified offline: whether the service checks the order of parts in a
// sequential upload (the emulator accepts any order and hashes the parts in
// part-number order at Complete), and the EC of causes the reference has no
// page for (those answers carry none).
type ossService struct {
	s     *Server
	store *store

	mu      sync.RWMutex
	buckets map[string]*ossBucket
	uploads map[string]*ossUpload // by upload id
}

type ossBucket struct {
	name         string
	owner        string // account id
	location     string // oss-cn-beijing
	storageClass string
	redundancy   string // DataRedundancyType: LRS or ZRS
	created      time.Time
	objects      map[string]*ossObject   // current versions (no delete markers)
	versioning   string                  // "", Enabled or Suspended (oss_versioning.go)
	versions     map[string][]*ossObject // every version, newest first, once versioning was enabled
	worm         *ossWorm                // retention policy (oss_worm.go)
}

type ossObject struct {
	key          string
	size         int64
	etag         string // without quotes: upper-case hex MD5, or "<HEX>-<N>"
	md5          []byte // nil for multipart objects unless uploaded with sequential
	crc          uint64
	contentType  string
	meta         http.Header // x-oss-meta-* and a few standard headers kept verbatim
	modified     time.Time
	objType      string // Normal | Multipart
	storageClass string
	data         *blob  // nil for a delete marker
	versionID    string // "" until the bucket's versioning is enabled
	deleteMarker bool
}

func newOSSService(s *Server) (*ossService, error) {
	st, err := newStore(filepath.Join(s.dataDir, "oss"))
	if err != nil {
		return nil, err
	}
	o := &ossService{s: s, store: st, buckets: map[string]*ossBucket{}, uploads: map[string]*ossUpload{}}
	o.seed()
	return o, nil
}

// bucketOwner returns the account id owning bucket, if it exists.
func (o *ossService) bucketOwner(bucket string) (string, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	b, ok := o.buckets[bucket]
	if !ok {
		return "", false
	}
	return b.owner, true
}

// putObject stores an object as PutObject would (ECS ExportImage writes here).
func (o *ossService) putObject(bucket, key, contentType string, body io.Reader) error {
	w, err := o.store.write(body)
	if err != nil {
		return err
	}
	obj := &ossObject{key: key, contentType: contentType, meta: http.Header{}, objType: "Normal"}
	obj.setSimple(w)
	if oerr := o.commitObject(bucket, "", obj, nil); oerr != nil {
		return oerr
	}
	return nil
}

// reset drops all buckets, objects and uploads.
func (o *ossService) reset() {
	o.mu.Lock()
	var blobs []*blob
	for _, b := range o.buckets {
		for _, obj := range b.allVersionsLocked() {
			if obj.data != nil {
				blobs = append(blobs, obj.data)
			}
		}
	}
	var parts []*ossPart
	for _, u := range o.uploads {
		for _, p := range u.parts {
			parts = append(parts, p)
		}
	}
	o.buckets = map[string]*ossBucket{}
	o.uploads = map[string]*ossUpload{}
	o.seedLocked()
	o.mu.Unlock()
	for _, b := range blobs {
		b.release()
	}
	for _, p := range parts {
		p.data.release()
	}
}

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

// handledSubResources are the signed sub-resources the emulator serves.
var handledSubResources = map[string]bool{"uploads": true, "uploadId": true, "partNumber": true,
	"location": true, "bucketInfo": true, "delete": true, "continuation-token": true,
	"objectMeta": true, "security-token": true,
	"versioning": true, "versions": true, "versionId": true, "worm": true, "wormId": true, "wormExtend": true}

// methodSubResources are sub-resources served for one method only: reads of
// the ACL and of LiveChannels (GetBucketAcl, GetObjectAcl, ListLiveChannel)
// and sequential on InitiateMultipartUpload. With any other method they are
// unsupported, so PUT ?acl never becomes a PutBucket.
var methodSubResources = map[string]string{"acl": http.MethodGet, "live": http.MethodGet, "sequential": http.MethodPost}

// classifyOSS names the OSS operation of a request from its method and
// sub-resources (used by fault rules and the request log).
func classifyOSS(r *http.Request) string {
	bucket, key := splitOSSPath(r.URL.Path)
	q := r.URL.Query()
	for k := range q {
		// Sub-resources the emulator does not implement (acl, tagging,
		// lifecycle, append, ...) must not fall through to a plain object
		// or bucket operation.
		if ossSignedParams[k] && !handledSubResources[k] && !strings.HasPrefix(k, "response-") && methodSubResources[k] != r.Method {
			return "Unsupported"
		}
	}
	if bucket == "" {
		if r.Method == http.MethodGet {
			return "ListBuckets"
		}
		return "Unknown"
	}
	if key == "" {
		if op := classifyVaultOp(r.Method, q); op != "" {
			return op
		}
		switch r.Method {
		case http.MethodPut:
			return "PutBucket"
		case http.MethodDelete:
			return "DeleteBucket"
		case http.MethodPost:
			if q.Has("delete") {
				return "DeleteObjects"
			}
		case http.MethodGet, http.MethodHead:
			switch {
			case q.Has("acl"):
				return "GetBucketAcl"
			case q.Has("live"):
				return "ListLiveChannel"
			case q.Has("location"):
				return "GetBucketLocation"
			case q.Has("bucketInfo"):
				return "GetBucketInfo"
			case q.Has("uploads"):
				return "ListMultipartUploads"
			case q.Get("list-type") == "2":
				return "ListObjectsV2"
			case r.Method == http.MethodHead:
				return "HeadBucket"
			}
			return "ListObjects"
		}
		return "Unknown"
	}
	copySrc := r.Header.Get("x-oss-copy-source") != ""
	switch r.Method {
	case http.MethodPut:
		switch {
		case q.Has("partNumber") && q.Has("uploadId") && copySrc:
			return "UploadPartCopy"
		case q.Has("partNumber") && q.Has("uploadId"):
			return "UploadPart"
		case copySrc:
			return "CopyObject"
		}
		return "PutObject"
	case http.MethodPost:
		switch {
		case q.Has("uploads"):
			return "InitiateMultipartUpload"
		case q.Has("uploadId"):
			return "CompleteMultipartUpload"
		}
	case http.MethodGet:
		if q.Has("acl") {
			return "GetObjectAcl"
		}
		if q.Has("uploadId") {
			return "ListParts"
		}
		if q.Has("objectMeta") {
			return "GetObjectMeta"
		}
		return "GetObject"
	case http.MethodHead:
		if q.Has("objectMeta") {
			return "GetObjectMeta"
		}
		return "HeadObject"
	case http.MethodDelete:
		if q.Has("uploadId") {
			return "AbortMultipartUpload"
		}
		return "DeleteObject"
	}
	return "Unknown"
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

func (o *ossService) dispatch(req *ossReq, op string) *ossErr {
	switch op {
	case "ListBuckets":
		return o.listBuckets(req)
	case "PutBucket":
		return o.putBucket(req)
	case "DeleteBucket":
		return o.deleteBucket(req)
	case "GetBucketInfo":
		return o.getBucketInfo(req)
	case "GetBucketLocation":
		return o.getBucketLocation(req)
	case "GetBucketAcl":
		return o.getBucketACL(req)
	case "GetObjectAcl":
		return o.getObjectACL(req)
	case "ListLiveChannel":
		return o.listLiveChannels(req)
	case "HeadBucket":
		if _, err := o.bucketFor(req); err != nil {
			return err
		}
		req.ok(http.StatusOK)
		return nil
	case "ListObjects", "ListObjectsV2":
		return o.listObjects(req, op == "ListObjectsV2")
	case "DeleteObjects":
		return o.deleteObjects(req)
	case "PutObject":
		return o.putObjectHTTP(req)
	case "CopyObject":
		return o.copyObject(req)
	case "GetObject":
		return o.getObject(req, false)
	case "HeadObject", "GetObjectMeta":
		return o.getObject(req, true)
	case "DeleteObject":
		return o.deleteObject(req)
	case "InitiateMultipartUpload":
		return o.initiateMultipart(req)
	case "UploadPart", "UploadPartCopy":
		return o.uploadPart(req, op == "UploadPartCopy")
	case "CompleteMultipartUpload":
		return o.completeMultipart(req)
	case "AbortMultipartUpload":
		return o.abortMultipart(req)
	case "ListParts":
		return o.listParts(req)
	case "ListMultipartUploads":
		return o.listMultipartUploads(req)
	case "PutBucketVersioning":
		return o.putBucketVersioning(req)
	case "GetBucketVersioning":
		return o.getBucketVersioning(req)
	case "ListObjectVersions":
		return o.listObjectVersions(req)
	case "InitiateBucketWorm":
		return o.initiateBucketWorm(req)
	case "CompleteBucketWorm":
		return o.completeBucketWorm(req)
	case "ExtendBucketWorm":
		return o.extendBucketWorm(req)
	case "GetBucketWorm":
		return o.getBucketWorm(req)
	case "AbortBucketWorm":
		return o.abortBucketWorm(req)
	}
	return &ossErr{http.StatusNotImplemented, "NotImplemented", "", "This operation is not supported by the emulator."}
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

// bucketFor finds the request's bucket and checks the caller owns it.
// Callers hold no lock; the bucket pointer stays valid, its maps need o.mu.
func (o *ossService) bucketFor(req *ossReq) (*ossBucket, *ossErr) {
	o.mu.RLock()
	b, ok := o.buckets[req.bucket]
	o.mu.RUnlock()
	if !ok {
		return nil, errNoSuchBucket()
	}
	if b.owner != req.auth.acc.ID {
		return nil, denied("AccessDenied", "", "You have no right to access this bucket.")
	}
	return b, nil
}

// Buckets -----------------------------------------------------------------

// bucketNameRE is the OSS bucket naming rule: 3-63 characters, lower-case
// letters, digits and hyphens, starting and ending with a letter or digit
// (OSS reference, EC page 0015-00000001).
var bucketNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)

// bucketStorageClasses are the storage classes PutBucket accepts, as the
// SDK names them (StorageClassType in aliyun-oss-go-sdk const.go); LRS and
// ZRS are its DataRedundancyType values (LRS the default). Other values
// are client bugs, refused here (the service's answer to them is not
// verified offline).
var bucketStorageClasses = map[string]bool{"Standard": true, "IA": true, "Archive": true, "ColdArchive": true, "DeepColdArchive": true}

type xmlOwner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

func owner(id string) xmlOwner { return xmlOwner{ID: id, DisplayName: id} }

// normalizeLocation accepts "cn-beijing" or "oss-cn-beijing".
func normalizeLocation(l string) string {
	if l == "" || strings.HasPrefix(l, "oss-") {
		return l
	}
	return "oss-" + l
}

func (o *ossService) putBucket(req *ossReq) *ossErr {
	if !bucketNameRE.MatchString(req.bucket) {
		return errInvalidBucketName()
	}
	var cfg struct {
		LocationConstraint string `xml:"LocationConstraint"`
		StorageClass       string `xml:"StorageClass"`
		DataRedundancyType string `xml:"DataRedundancyType"`
	}
	body, err := io.ReadAll(io.LimitReader(req.r.Body, 64<<10))
	if err != nil {
		return errInternal(err)
	}
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := xml.Unmarshal(body, &cfg); err != nil {
			return errMalformedXML("")
		}
	}
	if cfg.StorageClass != "" && !bucketStorageClasses[cfg.StorageClass] {
		return errInvalidArgument("", "StorageClass must be one of Standard, IA, Archive, ColdArchive, DeepColdArchive.")
	}
	if cfg.DataRedundancyType != "" && cfg.DataRedundancyType != "LRS" && cfg.DataRedundancyType != "ZRS" {
		return errInvalidArgument("", "DataRedundancyType must be LRS or ZRS.")
	}
	loc := firstNonEmpty(normalizeLocation(cfg.LocationConstraint), normalizeLocation(req.auth.region), DefaultOSSLocation)
	o.mu.Lock()
	defer o.mu.Unlock()
	if b, ok := o.buckets[req.bucket]; ok {
		if b.owner == req.auth.acc.ID {
			// The service answers 200 when the owner re-creates its bucket.
			req.w.Header().Set("Location", "/"+req.bucket)
			req.ok(http.StatusOK)
			return nil
		}
		return &ossErr{http.StatusConflict, "BucketAlreadyExists", ecBucketTaken, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again."}
	}
	o.buckets[req.bucket] = &ossBucket{
		name: req.bucket, owner: req.auth.acc.ID, location: loc,
		storageClass: firstNonEmpty(cfg.StorageClass, "Standard"),
		redundancy:   firstNonEmpty(cfg.DataRedundancyType, "LRS"),
		created:      o.s.now(), objects: map[string]*ossObject{},
	}
	req.w.Header().Set("Location", "/"+req.bucket)
	req.ok(http.StatusOK)
	return nil
}

func (o *ossService) deleteBucket(req *ossReq) *ossErr {
	if _, err := o.bucketFor(req); err != nil {
		return err
	}
	o.mu.Lock()
	b, ok := o.buckets[req.bucket]
	if !ok {
		o.mu.Unlock()
		return errNoSuchBucket()
	}
	if len(b.objects) > 0 || len(b.versions) > 0 {
		o.mu.Unlock()
		return &ossErr{http.StatusConflict, "BucketNotEmpty", "", "The bucket you tried to delete is not empty."}
	}
	for _, u := range o.uploads {
		if u.bucket == req.bucket {
			o.mu.Unlock()
			return &ossErr{http.StatusConflict, "BucketNotEmpty", "", "The bucket has multipart uploads. Please delete them first."}
		}
	}
	delete(o.buckets, req.bucket)
	o.mu.Unlock()
	req.ok(http.StatusNoContent)
	return nil
}

func (o *ossService) listBuckets(req *ossReq) *ossErr {
	prefix, marker := req.q.Get("prefix"), req.q.Get("marker")
	maxKeys, err := maxParam(req.q, "max-keys", 100, 1000)
	if err != nil {
		return err
	}
	type xmlBucket struct {
		Name         string `xml:"Name"`
		Location     string `xml:"Location"`
		CreationDate string `xml:"CreationDate"`
		StorageClass string `xml:"StorageClass"`
		Region       string `xml:"Region"`
	}
	var all []*ossBucket
	o.mu.RLock()
	for _, b := range o.buckets {
		if b.owner == req.auth.acc.ID && strings.HasPrefix(b.name, prefix) && b.name > marker {
			all = append(all, b)
		}
	}
	o.mu.RUnlock()
	sort.Slice(all, func(i, j int) bool { return all[i].name < all[j].name })
	res := struct {
		XMLName     xml.Name    `xml:"ListAllMyBucketsResult"`
		Prefix      string      `xml:"Prefix,omitempty"`
		Marker      string      `xml:"Marker,omitempty"`
		MaxKeys     int         `xml:"MaxKeys,omitempty"`
		IsTruncated bool        `xml:"IsTruncated,omitempty"`
		NextMarker  string      `xml:"NextMarker,omitempty"`
		Owner       xmlOwner    `xml:"Owner"`
		Buckets     []xmlBucket `xml:"Buckets>Bucket"`
	}{Prefix: prefix, Marker: marker, Owner: owner(req.auth.acc.ID)}
	if req.q.Has("max-keys") {
		res.MaxKeys = maxKeys
	}
	if len(all) > maxKeys {
		all = all[:maxKeys]
		res.IsTruncated = true
		res.NextMarker = all[len(all)-1].name
	}
	for _, b := range all {
		res.Buckets = append(res.Buckets, xmlBucket{Name: b.name, Location: b.location,
			CreationDate: b.created.UTC().Format(ossTimeFormat), StorageClass: b.storageClass,
			Region: strings.TrimPrefix(b.location, "oss-")})
	}
	req.writeXML(res)
	return nil
}

// getBucketInfo answers every element aliyun-oss-go-sdk's BucketInfo reads
// (type.go). Values for features the emulator does not model are those of a
// new bucket on the service, as the OSS Go SDK v2 integration test
// (client_integration_bucket_basic_test.go) asserts them: AccessMonitor,
// TransferAcceleration and CrossRegionReplication "Disabled", ACL
// "private", an empty SSEAlgorithm; Versioning is absent until enabled.
func (o *ossService) getBucketInfo(req *ossReq) *ossErr {
	b, err := o.bucketFor(req)
	if err != nil {
		return err
	}
	type sseRule struct {
		SSEAlgorithm string `xml:"SSEAlgorithm"`
	}
	type info struct {
		Name                   string   `xml:"Name"`
		AccessMonitor          string   `xml:"AccessMonitor"`
		Location               string   `xml:"Location"`
		CreationDate           string   `xml:"CreationDate"`
		ExtranetEndpoint       string   `xml:"ExtranetEndpoint"`
		IntranetEndpoint       string   `xml:"IntranetEndpoint"`
		ACL                    string   `xml:"AccessControlList>Grant"`
		Redundancy             string   `xml:"DataRedundancyType"`
		Owner                  xmlOwner `xml:"Owner"`
		StorageClass           string   `xml:"StorageClass"`
		SSE                    sseRule  `xml:"ServerSideEncryptionRule"`
		TransferAcceleration   string   `xml:"TransferAcceleration"`
		CrossRegionReplication string   `xml:"CrossRegionReplication"`
	}
	req.writeXML(struct {
		XMLName xml.Name `xml:"BucketInfo"`
		Bucket  info     `xml:"Bucket"`
	}{Bucket: info{
		Name: b.name, AccessMonitor: "Disabled", Location: b.location,
		CreationDate:     b.created.UTC().Format(ossTimeFormat),
		ExtranetEndpoint: b.location + ".aliyuncs.com", IntranetEndpoint: b.location + "-internal.aliyuncs.com",
		ACL: bucketACL, Redundancy: b.redundancy, Owner: owner(b.owner), StorageClass: b.storageClass,
		TransferAcceleration: "Disabled", CrossRegionReplication: "Disabled",
	}})
	return nil
}

func (o *ossService) getBucketLocation(req *ossReq) *ossErr {
	b, err := o.bucketFor(req)
	if err != nil {
		return err
	}
	req.writeXML(struct {
		XMLName  xml.Name `xml:"LocationConstraint"`
		Location string   `xml:",chardata"`
	}{Location: b.location})
	return nil
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

// CreateBucket creates a bucket owned by the default account without going
// through HTTP (test set-up). location "" means DefaultOSSLocation.
func (s *Server) CreateBucket(name, location string) error {
	if !bucketNameRE.MatchString(name) {
		return errInvalidBucketName()
	}
	o := s.oss
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.buckets[name]; ok {
		return &ossErr{http.StatusConflict, "BucketAlreadyExists", ecBucketTaken, "The requested bucket name is not available."}
	}
	o.buckets[name] = &ossBucket{name: name, owner: DefaultAccountID,
		location:     firstNonEmpty(normalizeLocation(location), DefaultOSSLocation),
		storageClass: "Standard", redundancy: "LRS", created: s.now(), objects: map[string]*ossObject{}}
	return nil
}

// PutObject streams body into bucket/key as a simple object, without going
// through HTTP (test set-up, e.g. seeding a large object for a download
// benchmark). The bucket must exist.
func (s *Server) PutObject(bucket, key string, body io.Reader) error {
	if err := validKey(key); err != nil {
		return err
	}
	return s.oss.putObject(bucket, key, "application/octet-stream", body)
}
