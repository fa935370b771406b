package emulator

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
)

// ossErr is an OSS error answer: HTTP status, Code, the fine-grained error
// code (EC) and a message.
//
// OSS puts the EC in the x-oss-ec header and in /Error/EC of the body, one EC
// per cause (OSS reference "Error responses", help.aliyun.com/document_detail/32005);
// aliyun-oss-go-sdk reads it into ServiceError.Ec (error.go) and the v2 SDK
// into ServiceError.EC (alibabacloud-oss-go-sdk-v2 errors.go, client.go).
// ec is "" where no EC for the cause was found in the reference: such
// answers carry none rather than a guessed one.
type ossErr struct {
	status  int
	code    string
	ec      string
	message string
}

func (e *ossErr) Error() string { return e.code + ": " + e.message }

// ECs of the causes the emulator answers, each from its page in the OSS
// reference (help.aliyun.com/zh/oss/support/<EC>, checked 2026-12-03) unless
// noted.
const (
	ecInvalidBucketName    = "0015-00000001" // name outside the naming rules
	ecNoSuchBucket         = "0015-00000101" // quoted in a service answer (developer.aliyun.com/ask/597026)
	ecBucketTaken          = "0015-00000102" // PutBucket of another account's bucket
	ecEmptyObjectName      = "0016-00000001"
	ecInvalidObjectName    = "0016-00000002" // over 1023 bytes or not UTF-8
	ecNoSuchKey            = "0026-00000001" // quoted in service answers
	ecFileAlreadyExists    = "0026-00000201" // x-oss-forbid-overwrite: true on an existing object
	ecCompleteFileExists   = "0042-00000214" // the same, on CompleteMultipartUpload
	ecForbidOverwriteValue = "0017-00000279" // x-oss-forbid-overwrite neither true nor false
	ecNoSuchUpload         = "0017-00000244"
	ecInvalidPartNumber    = "0017-00000220"
	ecInvalidPartOrder     = "0042-00000209"
	ecEntityTooSmall       = "0042-00000213"
	ecInvalidDigest        = "0017-00000502" // Content-MD5 not a base64 MD5
	ecDigestMismatch       = "0017-00000503" // Content-MD5 differs from the body
	ecPreconditionFailed   = "0017-00001001"
	ecDeleteMalformedXML   = "0016-00000607"
	ecDeleteEmptyKey       = "0016-00000611"
	ecDeleteMissingKey     = "0016-00000613"
	ecDeleteNoObject       = "0016-00000615"
	ecRequestTimeTooSkewed = "0002-00000504"
	ecSignatureV4          = "0002-00000201"
	ecUnknownAccessKeyID   = "0002-00000902"
)

// ossError is the XML error body of OSS.
type ossError struct {
	XMLName      xml.Name `xml:"Error"`
	Code         string   `xml:"Code"`
	Message      string   `xml:"Message"`
	RequestID    string   `xml:"RequestId"`
	HostID       string   `xml:"HostId"`
	EC           string   `xml:"EC,omitempty"`
	RecommendDoc string   `xml:"RecommendDoc,omitempty"`
	// AccessDeniedDetail comes with refusals by RAM.
	AccessDeniedDetail *accessDeniedDetail `xml:"AccessDeniedDetail,omitempty"`
}

// writeOSSError answers with an error that has no known EC (fault injection).
func writeOSSError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	writeOSSErr(w, r, &ossErr{status: status, code: code, message: message})
}

// writeOSSErr answers an OSS call with the service's XML error; HEAD
// requests carry no body, so the error goes into x-oss-err (base64 XML) as
// the service does.
func writeOSSErr(w http.ResponseWriter, r *http.Request, e *ossErr) {
	writeOSSErrDetail(w, r, e, nil)
}

// writeOSSErrDetail is writeOSSErr with a refusal's AccessDeniedDetail.
func writeOSSErrDetail(w http.ResponseWriter, r *http.Request, e *ossErr, detail *accessDeniedDetail) {
	id := newRequestID()
	doc := ossError{Code: e.code, Message: e.message, RequestID: id, HostID: r.Host, EC: e.ec, AccessDeniedDetail: detail}
	if e.ec != "" {
		doc.RecommendDoc = "https://api.aliyun.com/troubleshoot?q=" + e.ec
	}
	body, _ := xml.Marshal(doc)
	body = append([]byte(xml.Header), body...)
	h := w.Header()
	h.Set("x-oss-request-id", id)
	if e.ec != "" {
		h.Set("x-oss-ec", e.ec)
	}
	if r.Method == http.MethodHead {
		h.Set("x-oss-err", base64.StdEncoding.EncodeToString(body))
		w.WriteHeader(e.status)
		return
	}
	h.Set("Content-Type", "application/xml")
	w.WriteHeader(e.status)
	_, _ = w.Write(body)
}

func errNoSuchBucket() *ossErr {
	return &ossErr{http.StatusNotFound, "NoSuchBucket", ecNoSuchBucket, "The specified bucket does not exist."}
}

func errNoSuchKey() *ossErr {
	return &ossErr{http.StatusNotFound, "NoSuchKey", ecNoSuchKey, "The specified key does not exist."}
}

func errInvalidArgument(ec, msg string) *ossErr {
	return &ossErr{http.StatusBadRequest, "InvalidArgument", ec, msg}
}

func errMalformedXML(ec string) *ossErr {
	return &ossErr{http.StatusBadRequest, "MalformedXML", ec, "The XML you provided was not well-formed or did not validate against our published schema."}
}

func errInternal(err error) *ossErr {
	return &ossErr{http.StatusInternalServerError, "InternalError", "", "We encountered an internal error. Please try again. (" + err.Error() + ")"}
}

// denied is a 403 refusal: credentials, signature or ownership.
func denied(code, ec, msg string) *ossErr {
	return &ossErr{http.StatusForbidden, code, ec, msg}
}

func errInvalidBucketName() *ossErr {
	return &ossErr{http.StatusBadRequest, "InvalidBucketName", ecInvalidBucketName, "The specified bucket is not valid."}
}

func errNoSuchUpload() *ossErr {
	return &ossErr{http.StatusNotFound, "NoSuchUpload", ecNoSuchUpload, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."}
}

func errPreconditionFailed(status int) *ossErr {
	return &ossErr{status, "PreconditionFailed", ecPreconditionFailed, "At least one of the pre-conditions you specified did not hold."}
}

// errDigestMismatch is what OSS answers when Content-MD5 differs from the
// body: InvalidDigest (EC 0017-00000503), not S3's BadDigest. The OSS
// Python SDK's test against the service expects it
// (tests/test_multipart.py, test_upload_part_content_md5_bad), as do the
// Android and C++ SDK guides.
func errDigestMismatch() *ossErr {
	return &ossErr{http.StatusBadRequest, "InvalidDigest", ecDigestMismatch, "The Content-MD5 you specified did not match what we received."}
}
