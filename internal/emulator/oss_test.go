package emulator

import (
	"bytes"
	"errors"
	"hash/crc64"
	"io"
	"math/rand"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// newOSSTestServer starts an emulator on a free loopback port until the
// test or benchmark ends: the one way tests of this package start one.
func newOSSTestServer(tb testing.TB, opts Options) *Server {
	tb.Helper()
	srv, err := New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { srv.Close() })
	return srv
}

// ossClient is the official SDK pointed at srv (v1 signatures, CRC checks on).
func ossClient(t *testing.T, srv *Server, opts ...oss.ClientOption) *oss.Client {
	t.Helper()
	opts = append([]oss.ClientOption{oss.EnableCRC(true), oss.Timeout(5, 10)}, opts...)
	c, err := oss.New(srv.URL(), DefaultAccessKeyID, DefaultAccessKeySecret, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newOSSBucket starts an emulator (newOSSTestServer), points the SDK at it
// (ossClient) and creates bucket name (mustBucket).
func newOSSBucket(t *testing.T, name string) (*Server, *oss.Client, *oss.Bucket) {
	t.Helper()
	srv := newOSSTestServer(t, Options{})
	c := ossClient(t, srv)
	return srv, c, mustBucket(t, c, name)
}

func mustBucket(t *testing.T, c *oss.Client, name string) *oss.Bucket {
	t.Helper()
	if err := c.CreateBucket(name); err != nil {
		t.Fatalf("CreateBucket(%s): %v", name, err)
	}
	b, err := c.Bucket(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// objectBytes reads a whole object through the SDK.
func objectBytes(t *testing.T, b *oss.Bucket, key string, opts ...oss.Option) []byte {
	t.Helper()
	rc, err := b.GetObject(key, opts...)
	if err != nil {
		t.Fatalf("GetObject %s: %v", key, err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return got
}

func randBytes(n int, seed int64) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

func crcOf(b []byte) uint64 { return crc64.Checksum(b, crc64.MakeTable(crc64.ECMA)) }

func serviceErr(t *testing.T, err error) oss.ServiceError {
	t.Helper()
	var se oss.ServiceError
	if !errors.As(err, &se) {
		t.Fatalf("want oss.ServiceError, got %T %v", err, err)
	}
	return se
}

func TestOSSBucketLifecycle(t *testing.T) {
	srv := newOSSTestServer(t, Options{})
	c := ossClient(t, srv)

	// Start from an account without buckets: drop the seeded one.
	if err := c.DeleteBucket(SeedBucket); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"b-two", "a-one", "c-three"} {
		mustBucket(t, c, n)
	}
	// Re-creating one's own bucket succeeds, as on the service.
	if err := c.CreateBucket("a-one"); err != nil {
		t.Fatalf("re-create own bucket: %v", err)
	}
	// The SDK checks names itself; a raw request reaches the server's check.
	if resp := rawOSS(t, srv, http.MethodPut, "/bad_name/", nil, nil); resp.StatusCode != 400 || errorCode(t, resp) != "InvalidBucketName" {
		t.Fatalf("bad name: %d", resp.StatusCode)
	}

	lr, err := c.ListBuckets(oss.MaxKeys(2))
	if err != nil {
		t.Fatal(err)
	}
	if len(lr.Buckets) != 2 || lr.Buckets[0].Name != "a-one" || lr.Buckets[1].Name != "b-two" || !lr.IsTruncated || lr.NextMarker != "b-two" {
		t.Fatalf("page 1: %+v", lr)
	}
	lr, err = c.ListBuckets(oss.Marker(lr.NextMarker))
	if err != nil {
		t.Fatal(err)
	}
	if len(lr.Buckets) != 1 || lr.Buckets[0].Name != "c-three" || lr.IsTruncated {
		t.Fatalf("page 2: %+v", lr)
	}
	if lr.Buckets[0].Location != DefaultOSSLocation {
		t.Fatalf("location %q", lr.Buckets[0].Location)
	}

	info, err := c.GetBucketInfo("a-one")
	if err != nil {
		t.Fatal(err)
	}
	if info.BucketInfo.Name != "a-one" || info.BucketInfo.Owner.ID != DefaultAccountID || info.BucketInfo.Location != DefaultOSSLocation || info.BucketInfo.CreationDate.IsZero() {
		t.Fatalf("info %+v", info.BucketInfo)
	}
	loc, err := c.GetBucketLocation("a-one")
	if err != nil || loc != DefaultOSSLocation {
		t.Fatalf("location %q %v", loc, err)
	}
	if owner, ok := srv.oss.bucketOwner("a-one"); !ok || owner != DefaultAccountID {
		t.Fatalf("bucketOwner %q %v", owner, ok)
	}

	// Not empty -> 409 BucketNotEmpty; then empty it and delete.
	b, _ := c.Bucket("a-one")
	if err := b.PutObject("k", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	se := serviceErr(t, c.DeleteBucket("a-one"))
	if se.StatusCode != 409 || se.Code != "BucketNotEmpty" {
		t.Fatalf("delete non-empty: %+v", se)
	}
	if err := b.DeleteObject("k"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteBucket("a-one"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetBucketInfo("a-one"); serviceErr(t, err).Code != "NoSuchBucket" {
		t.Fatalf("after delete: %v", err)
	}

	// Bucket names are global: another account cannot take or read it.
	srv.AddAccount("2000000000000002", "other-ak", "other-sk")
	other, err := oss.New(srv.URL(), "other-ak", "other-sk")
	if err != nil {
		t.Fatal(err)
	}
	if se := serviceErr(t, other.CreateBucket("b-two")); se.StatusCode != 409 || se.Code != "BucketAlreadyExists" {
		t.Fatalf("foreign create: %+v", se)
	}
	if se := serviceErr(t, func() error { _, err := other.GetBucketInfo("b-two"); return err }()); se.StatusCode != 403 {
		t.Fatalf("foreign read: %+v", se)
	}
	ol, err := other.ListBuckets()
	if err != nil || len(ol.Buckets) != 0 {
		t.Fatalf("other account sees %+v %v", ol.Buckets, err)
	}
}

func TestOSSBucketLocationFromV4RegionAndBody(t *testing.T) {
	srv := newOSSTestServer(t, Options{})
	c4 := ossClient(t, srv, oss.AuthVersion(oss.AuthV4), oss.Region("cn-shanghai"))
	if err := c4.CreateBucket("v4-bucket"); err != nil {
		t.Fatal(err)
	}
	loc, err := c4.GetBucketLocation("v4-bucket")
	if err != nil || loc != "oss-cn-shanghai" {
		t.Fatalf("v4 location %q %v", loc, err)
	}
	// An explicit LocationConstraint in the body wins.
	c := ossClient(t, srv)
	body := `<CreateBucketConfiguration><LocationConstraint>oss-cn-guangzhou</LocationConstraint></CreateBucketConfiguration>`
	resp := rawOSS(t, srv, http.MethodPut, "/gz-bucket/", nil, []byte(body))
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("raw put bucket %d", resp.StatusCode)
	}
	if loc, _ := c.GetBucketLocation("gz-bucket"); loc != "oss-cn-guangzhou" {
		t.Fatalf("body location %q", loc)
	}
	// v4 signatures are bound to the bucket's region.
	if _, err := c4.GetBucketInfo("gz-bucket"); serviceErr(t, err).Code != "InvalidArgument" {
		t.Fatalf("wrong signing region: %v", err)
	}
	bad := ossClient(t, srv, oss.AuthVersion(oss.AuthV4), oss.Region("oss-cn-shanghai"))
	if _, err := bad.GetBucketInfo("v4-bucket"); serviceErr(t, err).Code != "InvalidArgument" {
		t.Fatalf("oss- prefixed signing region: %v", err)
	}
	if _, err := c4.GetBucketInfo("v4-bucket"); err != nil {
		t.Fatalf("right region: %v", err)
	}
}

func TestOSSServerSeedHelpers(t *testing.T) {
	srv := newOSSTestServer(t, Options{})
	if err := srv.CreateBucket("seeded", "cn-shanghai"); err != nil {
		t.Fatal(err)
	}
	if err := srv.CreateBucket("seeded", ""); err == nil {
		t.Fatal("duplicate bucket accepted")
	}
	if err := srv.PutObject("missing", "k", strings.NewReader("x")); err == nil {
		t.Fatal("put into a missing bucket accepted")
	}
	data := randBytes(1<<20, 11)
	if err := srv.PutObject("seeded", "k", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	c := ossClient(t, srv)
	if loc, err := c.GetBucketLocation("seeded"); err != nil || loc != "oss-cn-shanghai" {
		t.Fatalf("location %q %v", loc, err)
	}
	b, _ := c.Bucket("seeded")
	dst := filepath.Join(t.TempDir(), "k")
	if err := b.GetObjectToFile("k", dst); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, data) {
		t.Fatal("seeded object differs")
	}
}

func TestOSSUnsupportedSubResources(t *testing.T) {
	srv, c, b := newOSSBucket(t, "unsupported")
	if err := b.PutObject("k", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	// Must not be mistaken for PutBucket / GetObject / PutObject.
	if se := serviceErr(t, c.SetBucketACL("unsupported", oss.ACLPublicRead)); se.StatusCode != 501 || se.Code != "NotImplemented" {
		t.Fatalf("SetBucketACL: %+v", se)
	}
	if _, err := b.AppendObject("k", strings.NewReader("more"), 1); serviceErr(t, err).Code != "NotImplemented" {
		t.Fatalf("AppendObject: %v", err)
	}
	if got := objectBytes(t, b, "k"); string(got) != "x" {
		t.Fatalf("object changed to %q", got)
	}
	recs := srv.Requests()
	if recs[len(recs)-2].Action != "Unsupported" {
		t.Fatalf("log %+v", recs[len(recs)-2])
	}
}
