package emulator

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// These tests hold the emulator to what OSS does, with the official SDK as
// the client; raw HTTP only where the SDK cannot send the request.

// wantServiceError checks an SDK error's Code and EC.
func wantServiceError(t *testing.T, what string, err error, code, ec string) {
	t.Helper()
	if se := serviceErr(t, err); se.Code != code || se.Ec != ec {
		t.Fatalf("%s: code %q ec %q, want %q %q (%v)", what, se.Code, se.Ec, code, ec, err)
	}
}

func TestOSSErrorsCarryEC(t *testing.T) {
	srv, c, b := newOSSBucket(t, "ec-bucket")
	// GET: the SDK reads /Error/EC from the body.
	_, err := b.GetObject("missing")
	wantServiceError(t, "GetObject", err, "NoSuchKey", "0026-00000001")
	// HEAD has no body: the SDK takes the EC from the x-oss-ec header.
	_, err = b.GetObjectMeta("missing")
	if se := serviceErr(t, err); se.StatusCode != 404 || se.Ec != "0026-00000001" {
		t.Fatalf("GetObjectMeta: %+v", se)
	}
	_, err = c.GetBucketInfo("no-such-bucket")
	wantServiceError(t, "GetBucketInfo", err, "NoSuchBucket", "0015-00000101")
	resp := rawOSS(t, srv, http.MethodGet, "/ec-bucket/missing", nil, nil)
	if resp.Header.Get("x-oss-ec") != "0026-00000001" {
		t.Fatalf("x-oss-ec %q", resp.Header.Get("x-oss-ec"))
	}
	// Another account's bucket name is taken (EC 0015-00000102).
	srv.AddAccount("2000000000000002", "other-ak", "other-sk")
	other, err := oss.New(srv.URL(), "other-ak", "other-sk")
	if err != nil {
		t.Fatal(err)
	}
	wantServiceError(t, "CreateBucket of a taken name", other.CreateBucket("ec-bucket"), "BucketAlreadyExists", "0015-00000102")
}

func TestOSSForbidOverwriteOnMultipartUpload(t *testing.T) {
	_, _, b := newOSSBucket(t, "no-overwrite")
	if err := b.PutObject("k", strings.NewReader("original")); err != nil {
		t.Fatal(err)
	}
	_, err := b.InitiateMultipartUpload("k", oss.ForbidOverWrite(true))
	wantServiceError(t, "Initiate with x-oss-forbid-overwrite", err, "FileAlreadyExists", "")
	// The object may appear while the upload runs: Complete checks again.
	imur, err := b.InitiateMultipartUpload("k")
	if err != nil {
		t.Fatal(err)
	}
	p, err := b.UploadPart(imur, strings.NewReader("replacement"), 11, 1)
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.CompleteMultipartUpload(imur, []oss.UploadPart{p}, oss.ForbidOverWrite(true))
	wantServiceError(t, "Complete with x-oss-forbid-overwrite", err, "FileAlreadyExists", "0042-00000214")
	if got := objectBytes(t, b, "k"); string(got) != "original" {
		t.Fatalf("object overwritten: %q", got)
	}
	// The refused upload is still there and completes without the header.
	if _, err := b.CompleteMultipartUpload(imur, []oss.UploadPart{p}); err != nil {
		t.Fatalf("complete after refusal: %v", err)
	}
}

func TestOSSForbidOverwriteRefusesOtherValues(t *testing.T) {
	srv := newOSSTestServer(t, Options{})
	mustBucket(t, ossClient(t, srv), "forbid-values")
	// The SDK only sends true or false; OSS refuses anything else (EC
	// 0017-00000279).
	resp := rawOSS(t, srv, http.MethodPut, "/forbid-values/k", http.Header{"X-Oss-Forbid-Overwrite": {"abc"}}, []byte("x"))
	if resp.StatusCode != 400 || resp.Header.Get("x-oss-ec") != "0017-00000279" || errorCode(t, resp) != "InvalidArgument" {
		t.Fatalf("status %d ec %q", resp.StatusCode, resp.Header.Get("x-oss-ec"))
	}
}

func TestOSSSequentialMultipartUpload(t *testing.T) {
	_, _, b := newOSSBucket(t, "sequential")
	data := randBytes(minPartSize+100, 7)
	imur, err := b.InitiateMultipartUpload("seq", oss.Sequential())
	if err != nil {
		t.Fatalf("InitiateMultipartUpload ?uploads&sequential: %v", err)
	}
	var parts []oss.UploadPart
	for i, chunk := range [][]byte{data[:minPartSize], data[minPartSize:]} {
		p, err := b.UploadPart(imur, bytes.NewReader(chunk), int64(len(chunk)), i+1)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, p)
	}
	if _, err := b.CompleteMultipartUpload(imur, parts); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(objectBytes(t, b, "seq"), data) {
		t.Fatal("sequential upload content differs")
	}
	// Unlike other multipart objects, it carries the MD5 of its content.
	meta, err := b.GetObjectDetailedMeta("seq")
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(data)
	if meta.Get("Content-MD5") != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Fatalf("Content-MD5 %q", meta.Get("Content-MD5"))
	}
}

func TestOSSDeleteObjectsControlCharacterKeys(t *testing.T) {
	_, _, b := newOSSBucket(t, "ctl-keys")
	// The private-use key must not be taken for an escaped control character.
	keys := []string{"form\x0cfeed", "bell\x07", "plain", "private\ue00c"}
	for _, k := range keys {
		if err := b.PutObject(k, strings.NewReader("x")); err != nil {
			t.Fatalf("PutObject %q: %v", k, err)
		}
	}
	// The SDK escapes U+000C as "&#x0C;", which XML 1.0 does not allow.
	res, err := b.DeleteObjects(keys)
	if err != nil {
		t.Fatalf("DeleteObjects: %v", err)
	}
	if len(res.DeletedObjects) != len(keys) {
		t.Fatalf("deleted %q", res.DeletedObjects)
	}
	for i, k := range keys {
		if res.DeletedObjects[i] != k {
			t.Fatalf("deleted[%d] %q want %q", i, res.DeletedObjects[i], k)
		}
		if ok, err := b.IsObjectExist(k); err != nil || ok {
			t.Fatalf("%q still exists (%v)", k, err)
		}
	}
}

func TestOSSBucketKeepsDataRedundancyType(t *testing.T) {
	srv := newOSSTestServer(t, Options{})
	c := ossClient(t, srv)
	if err := c.CreateBucket("zrs-bucket", oss.RedundancyType(oss.RedundancyZRS), oss.StorageClass(oss.StorageIA)); err != nil {
		t.Fatal(err)
	}
	info, err := c.GetBucketInfo("zrs-bucket")
	if err != nil {
		t.Fatal(err)
	}
	if info.BucketInfo.RedundancyType != "ZRS" || info.BucketInfo.StorageClass != "IA" {
		t.Fatalf("info %+v", info.BucketInfo)
	}
	// Values the service does not know are client bugs.
	err = c.CreateBucket("bad-redundancy", oss.RedundancyType(oss.DataRedundancyType("GRS")))
	wantServiceError(t, "DataRedundancyType GRS", err, "InvalidArgument", "")
	err = c.CreateBucket("bad-class", oss.StorageClass(oss.StorageClassType("Cold")))
	wantServiceError(t, "StorageClass Cold", err, "InvalidArgument", "")
}

func TestOSSBucketInfoElements(t *testing.T) {
	srv := newOSSTestServer(t, Options{})
	c := ossClient(t, srv)
	mustBucket(t, c, "info-bucket")
	res, err := c.GetBucketInfo("info-bucket")
	if err != nil {
		t.Fatal(err)
	}
	bi := res.BucketInfo
	if bi.TransferAcceleration != "Disabled" || bi.CrossRegionReplication != "Disabled" || bi.AccessMonitor != "Disabled" ||
		bi.ACL != "private" || bi.RedundancyType != "LRS" || bi.SseRule.SSEAlgorithm != "" || bi.Versioning != "" {
		t.Fatalf("bucket info %+v", bi)
	}
	raw := rawOSS(t, srv, http.MethodGet, "/info-bucket/?bucketInfo", nil, nil)
	body, _ := io.ReadAll(raw.Body)
	if !bytes.Contains(body, []byte("<ServerSideEncryptionRule><SSEAlgorithm></SSEAlgorithm></ServerSideEncryptionRule>")) {
		t.Fatalf("no ServerSideEncryptionRule in %s", body)
	}
}

func TestOSSACLReadsAnswerDefaults(t *testing.T) {
	_, c, b := newOSSBucket(t, "acl-bucket")
	bacl, err := c.GetBucketACL("acl-bucket")
	if err != nil {
		t.Fatalf("GetBucketACL: %v", err)
	}
	if bacl.ACL != "private" || bacl.Owner.ID != DefaultAccountID {
		t.Fatalf("bucket acl %+v", bacl)
	}
	if err := b.PutObject("k", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	oacl, err := b.GetObjectACL("k")
	if err != nil {
		t.Fatalf("GetObjectACL: %v", err)
	}
	if oacl.ACL != "default" || oacl.Owner.ID != DefaultAccountID {
		t.Fatalf("object acl %+v", oacl)
	}
	_, err = b.GetObjectACL("missing")
	wantServiceError(t, "GetObjectACL of a missing key", err, "NoSuchKey", "0026-00000001")
	// Writing an ACL is still not emulated.
	if se := serviceErr(t, b.SetObjectACL("k", oss.ACLPublicRead)); se.StatusCode != 501 {
		t.Fatalf("SetObjectACL: %+v", se)
	}
}

func TestOSSListLiveChannelIsEmpty(t *testing.T) {
	srv := newOSSTestServer(t, Options{})
	b := mustBucket(t, ossClient(t, srv), "live-bucket")
	res, err := b.ListLiveChannel()
	if err != nil {
		t.Fatalf("ListLiveChannel: %v", err)
	}
	if len(res.LiveChannel) != 0 || res.IsTruncated || res.MaxKeys != 100 {
		t.Fatalf("live channels %+v", res)
	}
}

func TestOSSObjectNamingRules(t *testing.T) {
	srv := newOSSTestServer(t, Options{})
	b := mustBucket(t, ossClient(t, srv), "names")
	err := b.PutObject(strings.Repeat("k", maxObjectKey+1), strings.NewReader("x"))
	wantServiceError(t, "1024-byte key", err, "InvalidObjectName", "0016-00000002")
	err = b.PutObject("bad\xffutf8", strings.NewReader("x"))
	wantServiceError(t, "key not UTF-8", err, "InvalidObjectName", "0016-00000002")
	if err := b.PutObject(strings.Repeat("k", maxObjectKey), strings.NewReader("x")); err != nil {
		t.Fatalf("1023-byte key: %v", err)
	}
}

func TestOSSBucketNamingRules(t *testing.T) {
	srv := newOSSTestServer(t, Options{})
	// The SDK checks names itself; raw requests reach the server's check.
	for _, name := range []string{"ab", strings.Repeat("a", 64), "Upper", "-lead", "trail-", "under_score"} {
		resp := rawOSS(t, srv, http.MethodPut, "/"+name+"/", nil, nil)
		if resp.StatusCode != 400 || resp.Header.Get("x-oss-ec") != "0015-00000001" || errorCode(t, resp) != "InvalidBucketName" {
			t.Fatalf("%q: status %d ec %q", name, resp.StatusCode, resp.Header.Get("x-oss-ec"))
		}
	}
	for _, name := range []string{"abc", strings.Repeat("a", 63), "a-1"} {
		if resp := rawOSS(t, srv, http.MethodPut, "/"+name+"/", nil, nil); resp.StatusCode != 200 {
			t.Fatalf("%q: status %d", name, resp.StatusCode)
		}
	}
}

func TestOSSMultipartLimits(t *testing.T) {
	srv := newOSSTestServer(t, Options{})
	b := mustBucket(t, ossClient(t, srv), "limits")
	imur, err := b.InitiateMultipartUpload("k")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 10001} {
		_, err := b.UploadPart(imur, strings.NewReader("x"), 1, n)
		wantServiceError(t, "part number", err, "InvalidArgument", "0017-00000220")
	}
	small, err := b.UploadPart(imur, bytes.NewReader(make([]byte, minPartSize-1)), minPartSize-1, 1)
	if err != nil {
		t.Fatal(err)
	}
	last, err := b.UploadPart(imur, strings.NewReader("tail"), 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.CompleteMultipartUpload(imur, []oss.UploadPart{small, last})
	wantServiceError(t, "part under 100 KiB", err, "EntityTooSmall", "0042-00000213")
}
