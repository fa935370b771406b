package emulator

import (
	"net/http"
	"strings"
)

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
