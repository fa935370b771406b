package emulator

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// ossCode is the service error code of err ("" when err is not one).
func ossCode(err error) string {
	var se oss.ServiceError
	if errors.As(err, &se) {
		return se.Code
	}
	return ""
}

func TestOSSWormProtectsObjectsThroughSDK(t *testing.T) {
	clock := NewManualClock(time.Now())
	srv := newOSSTestServer(t, Options{Clock: clock})
	c := ossClient(t, srv)
	b := mustBucket(t, c, "vault-worm")
	if err := b.PutObject("report.xml", strings.NewReader("v1")); err != nil {
		t.Fatal(err)
	}
	id, err := c.InitiateBucketWorm("vault-worm", 2)
	if err != nil || id == "" {
		t.Fatalf("InitiateBucketWorm: %q %v", id, err)
	}
	// An InProgress policy already protects the objects.
	if err := b.DeleteObject("report.xml"); ossCode(err) != "FileImmutable" {
		t.Fatalf("DeleteObject under an InProgress policy: %v", err)
	}
	if err := c.CompleteBucketWorm("vault-worm", id); err != nil {
		t.Fatal(err)
	}
	if err := b.PutObject("report.xml", strings.NewReader("forged")); ossCode(err) != "FileImmutable" {
		t.Fatalf("overwrite of a retained object: %v", err)
	}
	if _, err := b.DeleteObjects([]string{"report.xml"}); ossCode(err) != "FileImmutable" {
		t.Fatalf("DeleteObjects of a retained object: %v", err)
	}
	if err := b.PutObject("new.xml", strings.NewReader("new")); err != nil {
		t.Fatalf("a new object must be accepted: %v", err)
	}
	if got := string(objectBytes(t, b, "report.xml")); got != "v1" {
		t.Fatalf("object changed under WORM: %q", got)
	}
	if err := c.AbortBucketWorm("vault-worm"); ossCode(err) == "" {
		t.Fatalf("AbortBucketWorm of a locked policy: %v", err)
	}
	if err := c.ExtendBucketWorm("vault-worm", 1, id); ossCode(err) != "InvalidArgument" {
		t.Fatalf("shortening a locked policy: %v", err)
	}
	if err := c.ExtendBucketWorm("vault-worm", 25551, id); ossCode(err) != "InvalidArgument" {
		t.Fatalf("RetentionPeriodInDays over 25550: %v", err)
	}
	if err := c.ExtendBucketWorm("vault-worm", 3, "0000"); ossCode(err) != "NoSuchWORMConfiguration" {
		t.Fatalf("unknown worm id: %v", err)
	}
	if err := c.ExtendBucketWorm("vault-worm", 3, id); err != nil {
		t.Fatal(err)
	}
	cfg, err := c.GetBucketWorm("vault-worm")
	if err != nil || cfg.State != "Locked" || cfg.RetentionPeriodInDays != 3 || cfg.WormId != id {
		t.Fatalf("GetBucketWorm: %+v %v", cfg, err)
	}
	if err := c.DeleteBucket("vault-worm"); ossCode(err) != "BucketNotEmpty" {
		t.Fatalf("DeleteBucket of a vault: %v", err)
	}
	// After the retention period, objects can go.
	clock.Advance(3*24*time.Hour + time.Minute)
	if err := b.DeleteObject("report.xml"); err != nil {
		t.Fatalf("DeleteObject after retention: %v", err)
	}
}

func TestOSSWormInProgressExpiresAndAborts(t *testing.T) {
	clock := NewManualClock(time.Now())
	srv := newOSSTestServer(t, Options{Clock: clock})
	c := ossClient(t, srv)
	mustBucket(t, c, "vault-unlocked")
	for _, days := range []int{0, 25551} {
		if _, err := c.InitiateBucketWorm("vault-unlocked", days); ossCode(err) != "InvalidArgument" {
			t.Fatalf("InitiateBucketWorm(%d): %v", days, err)
		}
	}
	id, err := c.InitiateBucketWorm("vault-unlocked", 10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.InitiateBucketWorm("vault-unlocked", 10); ossCode(err) == "" {
		t.Fatalf("second policy: %v", err)
	}
	if err := c.ExtendBucketWorm("vault-unlocked", 11, id); ossCode(err) == "" {
		t.Fatalf("extending an unlocked policy: %v", err)
	}
	clock.Advance(24*time.Hour + time.Second)
	if _, err := c.GetBucketWorm("vault-unlocked"); ossCode(err) != "NoSuchWORMConfiguration" {
		t.Fatalf("an unlocked policy must expire after 24 h: %v", err)
	}
	if err := c.CompleteBucketWorm("vault-unlocked", id); ossCode(err) != "NoSuchWORMConfiguration" {
		t.Fatalf("locking an expired policy: %v", err)
	}
	if _, err = c.InitiateBucketWorm("vault-unlocked", 10); err != nil {
		t.Fatal(err)
	}
	if err := c.AbortBucketWorm("vault-unlocked"); err != nil {
		t.Fatalf("AbortBucketWorm of an unlocked policy: %v", err)
	}
	if _, err := c.GetBucketWorm("vault-unlocked"); ossCode(err) != "NoSuchWORMConfiguration" {
		t.Fatalf("GetBucketWorm after abort: %v", err)
	}
}

func TestOSSVersioningAndWormThroughSDK(t *testing.T) {
	clock := NewManualClock(time.Now())
	srv := newOSSTestServer(t, Options{Clock: clock})
	c := ossClient(t, srv)
	b := mustBucket(t, c, "vault-versions")
	if v, err := c.GetBucketVersioning("vault-versions"); err != nil || v.Status != "" {
		t.Fatalf("new bucket versioning: %+v %v", v, err)
	}
	if err := c.SetBucketVersioning("vault-versions", oss.VersioningConfig{Status: "Enabled"}); err != nil {
		t.Fatal(err)
	}
	var h1, h2 http.Header
	if err := b.PutObject("a", strings.NewReader("one"), oss.GetResponseHeader(&h1)); err != nil {
		t.Fatal(err)
	}
	if err := b.PutObject("a", strings.NewReader("two"), oss.GetResponseHeader(&h2)); err != nil {
		t.Fatal(err)
	}
	v1, v2 := oss.GetVersionId(h1), oss.GetVersionId(h2)
	if v1 == "" || v1 == v2 {
		t.Fatalf("version ids %q %q", v1, v2)
	}
	r, err := b.GetObject("a", oss.VersionId(v1))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8)
	n, _ := r.Read(buf)
	r.Close()
	if string(buf[:n]) != "one" {
		t.Fatalf("GET of version 1: %q", buf[:n])
	}
	// A delete marker hides the object and keeps its versions.
	if err := b.DeleteObject("a"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.GetObject("a"); ossCode(err) != "NoSuchKey" {
		t.Fatalf("GET after delete marker: %v", err)
	}
	list, err := b.ListObjectVersions()
	if err != nil || len(list.ObjectVersions) != 2 || len(list.ObjectDeleteMarkers) != 1 || !list.ObjectDeleteMarkers[0].IsLatest {
		t.Fatalf("ListObjectVersions: %+v %v", list, err)
	}
	// Under a policy no version can be removed.
	id, err := c.InitiateBucketWorm("vault-versions", 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CompleteBucketWorm("vault-versions", id); err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteObject("a", oss.VersionId(v1)); ossCode(err) != "FileImmutable" {
		t.Fatalf("DeleteObject of a retained version: %v", err)
	}
	if _, err := b.DeleteObjectVersions([]oss.DeleteObject{{Key: "a", VersionId: v2}}); ossCode(err) != "FileImmutable" {
		t.Fatalf("DeleteObjectVersions of a retained version: %v", err)
	}
	if err := c.SetBucketVersioning("vault-versions", oss.VersioningConfig{Status: "Suspended"}); ossCode(err) == "" {
		t.Fatalf("suspending versioning under a policy: %v", err)
	}
	clock.Advance(25 * time.Hour)
	if err := b.DeleteObject("a", oss.VersionId(v1)); err != nil {
		t.Fatalf("DeleteObject of a version after retention: %v", err)
	}
}
