package emulator

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

func TestCRC64Combine(t *testing.T) {
	data := randBytes(1<<20+333, 7)
	for _, cut := range []int{0, 1, 8, 1000, 1 << 19, len(data) - 1, len(data)} {
		a, b := data[:cut], data[cut:]
		if got, want := crc64Combine(crcOf(a), crcOf(b), int64(len(b))), crcOf(data); got != want {
			t.Fatalf("cut %d: combine %d want %d", cut, got, want)
		}
	}
	// Three-way, as CompleteMultipartUpload folds parts left to right.
	p1, p2, p3 := data[:100], data[100:5000], data[5000:]
	c := crc64Combine(crc64Combine(crc64Combine(0, crcOf(p1), 100), crcOf(p2), int64(len(p2))), crcOf(p3), int64(len(p3)))
	if c != crcOf(data) {
		t.Fatalf("three-way combine %d want %d", c, crcOf(data))
	}
}

func TestOSSMultipart(t *testing.T) {
	srv, _, b := newOSSBucket(t, "multi")
	const partSize = 100 << 10
	data := randBytes(3*partSize+12345, 3)
	key := "big/object.bin"

	imur, err := b.InitiateMultipartUpload(key, oss.Meta("kind", "backup"), oss.ContentType("application/x-disk"))
	if err != nil {
		t.Fatal(err)
	}
	// Parts uploaded out of order, one of them twice (the later one wins).
	var parts []oss.UploadPart
	chunks := [][]byte{data[:partSize], data[partSize : 2*partSize], data[2*partSize : 3*partSize], data[3*partSize:]}
	if _, err := b.UploadPart(imur, bytes.NewReader(randBytes(partSize, 99)), partSize, 2); err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{3, 1, 0, 2} {
		// The SDK checks each part's x-oss-hash-crc64ecma against its own.
		p, err := b.UploadPart(imur, bytes.NewReader(chunks[i]), int64(len(chunks[i])), i+1)
		if err != nil {
			t.Fatalf("part %d: %v", i+1, err)
		}
		sum := md5.Sum(chunks[i])
		if p.ETag != `"`+strings.ToUpper(hex.EncodeToString(sum[:]))+`"` {
			t.Fatalf("part etag %s", p.ETag)
		}
		parts = append(parts, p)
	}

	lp, err := b.ListUploadedParts(imur)
	if err != nil {
		t.Fatal(err)
	}
	if len(lp.UploadedParts) != 4 || lp.UploadedParts[0].PartNumber != 1 || lp.UploadedParts[3].Size != len(chunks[3]) {
		t.Fatalf("list parts %+v", lp)
	}
	lp, err = b.ListUploadedParts(imur, oss.MaxParts(2), oss.PartNumberMarker(2))
	if err != nil || len(lp.UploadedParts) != 2 || lp.UploadedParts[0].PartNumber != 3 || lp.IsTruncated {
		t.Fatalf("list parts page %+v %v", lp, err)
	}
	lmu, err := b.ListMultipartUploads()
	if err != nil || len(lmu.Uploads) != 1 || lmu.Uploads[0].UploadID != imur.UploadID || lmu.Uploads[0].Key != key {
		t.Fatalf("list uploads %+v %v", lmu, err)
	}

	// Out-of-order and wrong-ETag completions are rejected.
	sorted := append([]oss.UploadPart(nil), parts...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].PartNumber < sorted[j].PartNumber })
	// The SDK sorts parts itself, so send a reversed list by hand.
	rev := fmt.Sprintf("<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>%s</ETag></Part><Part><PartNumber>1</PartNumber><ETag>%s</ETag></Part></CompleteMultipartUpload>", sorted[1].ETag, sorted[0].ETag)
	resp := rawOSS(t, srv, http.MethodPost, "/multi/"+key+"?uploadId="+imur.UploadID, nil, []byte(rev))
	if resp.StatusCode != 400 || errorCode(t, resp) != "InvalidPartOrder" {
		t.Fatalf("reversed: %d", resp.StatusCode)
	}
	bad := append([]oss.UploadPart(nil), sorted...)
	bad[1].ETag = `"00000000000000000000000000000000"`
	if _, err := b.CompleteMultipartUpload(imur, bad); serviceErr(t, err).Code != "InvalidPart" {
		t.Fatalf("bad etag: %v", err)
	}

	var hdr http.Header
	res, err := b.CompleteMultipartUpload(imur, parts, oss.GetResponseHeader(&hdr))
	if err != nil {
		t.Fatal(err)
	}
	// OSS: MD5 over the parts' upper-case hex MD5 strings (S3 hashes the
	// binary digests).
	md := md5.New()
	for _, ch := range chunks {
		s := md5.Sum(ch)
		md.Write([]byte(strings.ToUpper(hex.EncodeToString(s[:]))))
	}
	wantETag := `"` + strings.ToUpper(hex.EncodeToString(md.Sum(nil))) + `-4"`
	if res.ETag != wantETag {
		t.Fatalf("multipart etag %s want %s", res.ETag, wantETag)
	}
	if hdr.Get("x-oss-hash-crc64ecma") != strconv.FormatUint(crcOf(data), 10) {
		t.Fatalf("complete crc %s want %d", hdr.Get("x-oss-hash-crc64ecma"), crcOf(data))
	}

	// The combined object downloads whole (SDK CRC check) and by ranges that
	// straddle part boundaries.
	dst := filepath.Join(t.TempDir(), "dl")
	if err := b.GetObjectToFile(key, dst); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, data) {
		t.Fatal("multipart bytes differ")
	}
	for _, r := range [][2]int64{{partSize - 10, partSize + 10}, {0, int64(len(data)) - 1}, {2*partSize + 5, 3*partSize + 100}} {
		rc, err := b.GetObject(key, oss.Range(r[0], r[1]))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(got, data[r[0]:r[1]+1]) {
			t.Fatalf("range %v differs", r)
		}
	}
	meta, _ := b.GetObjectDetailedMeta(key)
	if meta.Get("x-oss-object-type") != "Multipart" || meta.Get("X-Oss-Meta-Kind") != "backup" || meta.Get("Content-Type") != "application/x-disk" || meta.Get("ETag") != wantETag {
		t.Fatalf("meta %v", meta)
	}
	// The upload is gone; parts not used were released.
	if _, err := b.ListUploadedParts(imur); serviceErr(t, err).Code != "NoSuchUpload" {
		t.Fatalf("after complete: %v", err)
	}
	if files, _ := os.ReadDir(filepath.Join(srv.dataDir, "oss", "data")); len(files) != 4 {
		t.Fatalf("%d data files, want the 4 parts", len(files))
	}
	// Deleting the object removes its files.
	if err := b.DeleteObject(key); err != nil {
		t.Fatal(err)
	}
	if files, _ := os.ReadDir(filepath.Join(srv.dataDir, "oss", "data")); len(files) != 0 {
		t.Fatalf("%d data files left", len(files))
	}
}

func TestOSSMultipartAbortAndSmallParts(t *testing.T) {
	srv, _, b := newOSSBucket(t, "abort")
	imur, err := b.InitiateMultipartUpload("k")
	if err != nil {
		t.Fatal(err)
	}
	p1, _ := b.UploadPart(imur, strings.NewReader("tiny"), 4, 1)
	p2, _ := b.UploadPart(imur, strings.NewReader("tail"), 4, 2)
	if _, err := b.CompleteMultipartUpload(imur, []oss.UploadPart{p1, p2}); serviceErr(t, err).Code != "EntityTooSmall" {
		t.Fatalf("small part: %v", err)
	}
	// A single small part is fine (it is also the last).
	if err := b.AbortMultipartUpload(imur); err != nil {
		t.Fatal(err)
	}
	if err := b.AbortMultipartUpload(imur); serviceErr(t, err).Code != "NoSuchUpload" {
		t.Fatalf("second abort: %v", err)
	}
	if files, _ := os.ReadDir(filepath.Join(srv.dataDir, "oss", "data")); len(files) != 0 {
		t.Fatalf("abort left %d files", len(files))
	}
	imur, _ = b.InitiateMultipartUpload("single")
	p, _ := b.UploadPart(imur, strings.NewReader("only"), 4, 1)
	if _, err := b.CompleteMultipartUpload(imur, []oss.UploadPart{p}); err != nil {
		t.Fatal(err)
	}
	if got := objectBytes(t, b, "single"); string(got) != "only" {
		t.Fatalf("got %q", got)
	}
	_, err = b.UploadPart(oss.InitiateMultipartUploadResult{Bucket: "abort", Key: "k", UploadID: "NOPE"}, strings.NewReader("x"), 1, 1)
	if serviceErr(t, err).Code != "NoSuchUpload" {
		t.Fatalf("unknown upload: %v", err)
	}
}

func TestOSSUploadPartCopyAndCopyObject(t *testing.T) {
	_, _, b := newOSSBucket(t, "copies")
	data := randBytes(250<<10, 4)
	if err := b.PutObject("src key+1", bytes.NewReader(data), oss.Meta("a", "1")); err != nil {
		t.Fatal(err)
	}

	// CopyObject keeps metadata by default and replaces it on request.
	if _, err := b.CopyObject("src key+1", "dst/copy"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.CopyObject("src key+1", "dst/replaced", oss.MetadataDirective(oss.MetaReplace), oss.Meta("b", "2")); err != nil {
		t.Fatal(err)
	}
	m1, _ := b.GetObjectDetailedMeta("dst/copy")
	m2, _ := b.GetObjectDetailedMeta("dst/replaced")
	if m1.Get("X-Oss-Meta-A") != "1" || m2.Get("X-Oss-Meta-A") != "" || m2.Get("X-Oss-Meta-B") != "2" {
		t.Fatalf("copy meta %v / %v", m1, m2)
	}
	// The copy survives the source's deletion (own data).
	if err := b.DeleteObject("src key+1"); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "copy")
	if err := b.GetObjectToFile("dst/copy", dst); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, data) {
		t.Fatal("copy differs")
	}
	if _, err := b.CopyObject("missing", "x"); serviceErr(t, err).Code != "NoSuchKey" {
		t.Fatalf("copy missing: %v", err)
	}
	if _, err := b.CopyObject("dst/copy", "x", oss.CopySourceIfMatch(`"nope"`)); serviceErr(t, err).StatusCode != 412 {
		t.Fatalf("copy if-match: %v", err)
	}

	// UploadPartCopy with ranges assembles a new object from the copy.
	imur, err := b.InitiateMultipartUpload("assembled")
	if err != nil {
		t.Fatal(err)
	}
	const ps = 100 << 10
	var parts []oss.UploadPart
	for i, start := 0, int64(0); start < int64(len(data)); i, start = i+1, start+ps {
		n := min(int64(ps), int64(len(data))-start)
		p, err := b.UploadPartCopy(imur, "copies", "dst/copy", start, n, i+1)
		if err != nil {
			t.Fatalf("part copy %d: %v", i+1, err)
		}
		parts = append(parts, p)
	}
	if _, err := b.CompleteMultipartUpload(imur, parts); err != nil {
		t.Fatal(err)
	}
	if err := b.GetObjectToFile("assembled", dst); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, data) {
		t.Fatal("assembled differs")
	}
}

func TestOSSListObjects(t *testing.T) {
	_, _, b := newOSSBucket(t, "listing")
	keys := []string{"a.txt", "b/1", "b/2", "b/c/3", "d e+f", "z"}
	for _, k := range keys {
		if err := b.PutObject(k, strings.NewReader(k)); err != nil {
			t.Fatal(err)
		}
	}

	// v1 pagination with marker: every key exactly once.
	var got []string
	marker := ""
	for pages := 0; ; pages++ {
		lr, err := b.ListObjects(oss.Marker(marker), oss.MaxKeys(2))
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range lr.Objects {
			got = append(got, o.Key)
			if o.Size != int64(len(o.Key)) || o.ETag == "" || o.Owner.ID != DefaultAccountID {
				t.Fatalf("entry %+v", o)
			}
		}
		if !lr.IsTruncated {
			break
		}
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		marker = lr.NextMarker
	}
	if strings.Join(got, ",") != strings.Join(keys, ",") {
		t.Fatalf("v1 keys %q", got)
	}

	// Delimiter folds "b/" into one common prefix.
	lr, err := b.ListObjects(oss.Delimiter("/"))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(lr.CommonPrefixes) != "[b/]" || len(lr.Objects) != 3 {
		t.Fatalf("delimiter: %+v", lr)
	}
	lr, _ = b.ListObjects(oss.Prefix("b/"), oss.Delimiter("/"))
	if fmt.Sprint(lr.CommonPrefixes) != "[b/c/]" || len(lr.Objects) != 2 || lr.Objects[0].Key != "b/1" {
		t.Fatalf("prefix+delimiter: %+v", lr)
	}
	// A common prefix counts toward max-keys and the marker skips past it.
	lr, _ = b.ListObjects(oss.Delimiter("/"), oss.MaxKeys(2))
	if !lr.IsTruncated || lr.NextMarker != "b/" || fmt.Sprint(lr.CommonPrefixes) != "[b/]" {
		t.Fatalf("page with prefix: %+v", lr)
	}
	lr, _ = b.ListObjects(oss.Delimiter("/"), oss.Marker("b/"))
	if len(lr.CommonPrefixes) != 0 || len(lr.Objects) != 2 || lr.Objects[0].Key != "d e+f" {
		t.Fatalf("after prefix marker: %+v", lr)
	}

	// v2 with continuation tokens.
	got = nil
	token := ""
	for {
		opts := []oss.Option{oss.MaxKeys(4)}
		if token != "" {
			opts = append(opts, oss.ContinuationToken(token))
		}
		lr2, err := b.ListObjectsV2(opts...)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range lr2.Objects {
			got = append(got, o.Key)
		}
		if !lr2.IsTruncated {
			break
		}
		token = lr2.NextContinuationToken
	}
	if strings.Join(got, ",") != strings.Join(keys, ",") {
		t.Fatalf("v2 keys %q", got)
	}
	lr2, err := b.ListObjectsV2(oss.StartAfter("b/2"), oss.Delimiter("/"))
	if err != nil || fmt.Sprint(lr2.CommonPrefixes) != "[b/]" || len(lr2.Objects) != 2 {
		t.Fatalf("v2 start-after: %+v %v", lr2, err)
	}

	// Multi-delete, verbose and quiet.
	dr, err := b.DeleteObjects([]string{"a.txt", "d e+f", "never-existed"})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(dr.DeletedObjects) != "[a.txt d e+f never-existed]" {
		t.Fatalf("deleted %v", dr.DeletedObjects)
	}
	if _, err := b.DeleteObjects([]string{"z"}, oss.DeleteObjectsQuiet(true)); err != nil {
		t.Fatal(err)
	}
	lr, _ = b.ListObjects()
	if len(lr.Objects) != 3 {
		t.Fatalf("after deletes: %+v", lr.Objects)
	}
}

func TestOSSListMultipartUploads(t *testing.T) {
	_, c, b := newOSSBucket(t, "uploads")
	ids := map[string]string{}
	for _, k := range []string{"a/1", "a/2", "b", "c d"} {
		imur, err := b.InitiateMultipartUpload(k)
		if err != nil {
			t.Fatal(err)
		}
		ids[k] = imur.UploadID
	}
	lr, err := b.ListMultipartUploads(oss.Delimiter("/"))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(lr.CommonPrefixes) != "[a/]" || len(lr.Uploads) != 2 || lr.Uploads[0].Key != "b" || lr.Uploads[1].Key != "c d" || lr.Uploads[1].UploadID != ids["c d"] {
		t.Fatalf("delimiter: %+v", lr)
	}
	// Paging with key and upload-id markers visits each upload once.
	var seen []string
	opts := []oss.Option{oss.MaxUploads(3)}
	for i := 0; i < 5; i++ {
		lr, err := b.ListMultipartUploads(opts...)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range lr.Uploads {
			seen = append(seen, u.Key)
		}
		if !lr.IsTruncated {
			break
		}
		opts = []oss.Option{oss.MaxUploads(3), oss.KeyMarker(lr.NextKeyMarker), oss.UploadIDMarker(lr.NextUploadIDMarker)}
	}
	if strings.Join(seen, ",") != "a/1,a/2,b,c d" {
		t.Fatalf("paged uploads %q", seen)
	}
	// A bucket with uploads in progress cannot be deleted.
	if se := serviceErr(t, c.DeleteBucket("uploads")); se.Code != "BucketNotEmpty" {
		t.Fatalf("delete with uploads: %+v", se)
	}
}

// The SDK's own resumable helpers (parallel parts, checkpoints, combined
// CRC check on download) work end to end.
func TestOSSSDKUploadFileDownloadFile(t *testing.T) {
	srv := newOSSTestServer(t, Options{})
	b := mustBucket(t, ossClient(t, srv), "sdk-helpers")
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	data := randBytes(1<<20+4321, 21)
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := b.UploadFile("f", src, 200<<10, oss.Routines(3), oss.Checkpoint(true, filepath.Join(dir, "up.cp"))); err != nil {
		t.Fatal(err)
	}
	meta, err := b.GetObjectDetailedMeta("f")
	if err != nil {
		t.Fatal(err)
	}
	if meta.Get("x-oss-object-type") != "Multipart" || meta.Get("x-oss-hash-crc64ecma") != strconv.FormatUint(crcOf(data), 10) {
		t.Fatalf("uploaded meta %v", meta)
	}
	dst := filepath.Join(dir, "dst")
	if err := b.DownloadFile("f", dst, 300<<10, oss.Routines(3), oss.Checkpoint(true, filepath.Join(dir, "down.cp"))); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, data) {
		t.Fatal("DownloadFile bytes differ")
	}
}
