package transfer

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

func newEmu(t testing.TB) (*emulator.Server, *oss.Bucket) {
	t.Helper()
	srv, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		start := time.Now()
		srv.Close()
		if d := time.Since(start); d > time.Second {
			t.Logf("emulator Close took %v (waits for connections still active)", d)
		}
	})
	// Our own transport so cleanup can close idle connections: the
	// emulator's Close (http.Server.Shutdown) otherwise waits 5s for
	// connections the client dialed but never used.
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := oss.New(srv.URL(), emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret, oss.HTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CreateBucket("dr-bucket"); err != nil {
		t.Fatal(err)
	}
	b, err := c.Bucket("dr-bucket")
	if err != nil {
		t.Fatal(err)
	}
	return srv, b
}

func writeTemp(t testing.TB, data []byte) string {
	p := filepath.Join(t.TempDir(), "src")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func emuOpts(s *recSleep) Options {
	return Options{Workers: 4, PartSize: 128 << 10, MD5: true, SHA256: true, PartSHA256: true, Sleep: s.sleep}
}

func TestEmulatorUploadDownloadVerify(t *testing.T) {
	_, b := newEmu(t)
	data := randBytes(3<<20+777, 40)
	var s recSleep
	var last Progress
	opts := emuOpts(&s)
	opts.Progress = func(p Progress) { last = p } // the final call comes after all workers
	up, err := Upload(context.Background(), b, "disk.img", writeTemp(t, data), opts)
	if err != nil {
		t.Fatal(err)
	}
	if last.Done != int64(len(data)) || last.Total != int64(len(data)) || last.Rate <= 0 {
		t.Fatalf("final upload progress %+v", last)
	}
	if !up.CRC64Verified || up.CRC64 != CRC64(data) || up.Parts != 25 || up.PartsFetched != 25 {
		t.Fatalf("upload %+v", up)
	}
	dst := filepath.Join(t.TempDir(), "out")
	dopts := emuOpts(&s)
	dopts.Durable = true
	down, err := Download(context.Background(), b, "disk.img", dst, dopts)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, down, data, dst)
	if down.MD5 != up.MD5 || down.SHA256 != up.SHA256 {
		t.Fatal("upload and download digests differ")
	}
	for i := range up.Manifest.Parts {
		if up.Manifest.Parts[i] != down.Manifest.Parts[i] {
			t.Fatalf("manifest part %d: %+v vs %+v", i, up.Manifest.Parts[i], down.Manifest.Parts[i])
		}
	}
	ver, err := Verify(context.Background(), b, "disk.img", emuOpts(&s))
	if err != nil || ver.SHA256 != up.SHA256 {
		t.Fatalf("verify %+v %v", ver, err)
	}
	if err := VerifySample(context.Background(), b, "disk.img", down.Manifest, 20); err != nil {
		t.Fatal(err)
	}
	if len(s.ds) != 0 {
		t.Fatalf("retries without faults: %v", s.ds)
	}
}

func TestEmulatorDownloadSurvivesFaults(t *testing.T) {
	for _, kind := range []string{"truncate", "drop", "5xx", "throttling", "corrupt"} {
		t.Run(kind, func(t *testing.T) {
			srv, b := newEmu(t)
			data := randBytes(2<<20, 41)
			if err := b.PutObject("obj", bytes.NewReader(data)); err != nil {
				t.Fatal(err)
			}
			srv.InjectFault(emulator.Fault{Service: "oss", Action: "GetObject", Kind: emulator.FaultKind(kind), Rate: 0.25, Count: 4, Seed: 7})
			var s recSleep
			res := mustDownload(t, b, "obj", filepath.Join(t.TempDir(), "out"), emuOpts(&s), data)
			t.Logf("download took %v", res.Duration)
			fired := 0
			for _, f := range srv.Faults() {
				fired += f.Fired
			}
			if fired == 0 {
				t.Fatal("fault never fired")
			}
			if kind == "corrupt" {
				if len(res.Repaired) != fired {
					t.Fatalf("%d corruptions, repaired parts %v", fired, res.Repaired)
				}
			} else if kind == "drop" {
				// net/http resends an idempotent GET by itself when a reused
				// connection closes before any response, so some (or all)
				// drops never reach the engine.
				if res.Retries > fired {
					t.Fatalf("%d faults, %d retries", fired, res.Retries)
				}
			} else if res.Retries != fired {
				t.Fatalf("%d faults, %d retries", fired, res.Retries)
			}
		})
	}
}

func TestEmulatorObjectReplacedMidDownload(t *testing.T) {
	_, b := newEmu(t)
	if err := b.PutObject("obj", bytes.NewReader(randBytes(2<<20, 42))); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	var s recSleep
	opts := emuOpts(&s)
	opts.partHook = func(p Part) {
		if p.Index == 6 {
			once.Do(func() { _ = b.PutObject("obj", bytes.NewReader(randBytes(2<<20, 43))) })
		}
	}
	_, err := Download(context.Background(), b, "obj", filepath.Join(t.TempDir(), "out"), opts)
	if !errors.Is(err, ErrObjectChanged) || !strings.Contains(err.Error(), "oss://dr-bucket/obj") {
		t.Fatalf("error %v", err)
	}
	if len(s.ds) != 0 {
		t.Fatal("412 was retried")
	}
}

func TestEmulatorUploadRetriesAndResumes(t *testing.T) {
	srv, b := newEmu(t)
	data := randBytes(2<<20, 44)
	src := writeTemp(t, data)
	// Corrupted request bodies fail Content-MD5 and are sent again.
	srv.InjectFault(emulator.Fault{Service: "oss", Action: "UploadPart", Kind: "corrupt", Count: 2, Seed: 1})
	var s recSleep
	res, err := Upload(context.Background(), b, "a", src, emuOpts(&s))
	if err != nil {
		t.Fatal(err)
	}
	if res.Retries != 2 || !res.CRC64Verified {
		t.Fatalf("upload %+v", res)
	}
	srv.ClearFaults()

	// A failed upload leaves its parts; the rerun keeps them (ListParts).
	// Runs resume the newest unfinished upload of the key; an older one
	// (here made by hand) is aborted once the newest completes.
	stale, err := b.InitiateMultipartUpload("b")
	if err != nil {
		t.Fatal(err)
	}
	// Initiated has millisecond resolution; the next upload is the one the
	// runs below resume.
	time.Sleep(10 * time.Millisecond)
	if _, err := b.InitiateMultipartUpload("b"); err != nil {
		t.Fatal(err)
	}
	srv.InjectFault(emulator.Fault{Service: "oss", Action: "UploadPart", Kind: "5xx", Rate: 0.5, Seed: 3})
	opts := emuOpts(&s)
	opts.MaxAttempts = 1
	if _, err := Upload(context.Background(), b, "b", src, opts); err == nil {
		t.Fatal("upload with failing parts succeeded")
	}
	srv.ClearFaults()
	res, err = Upload(context.Background(), b, "b", src, emuOpts(&s))
	if err != nil {
		t.Fatal(err)
	}
	if res.PartsResumed == 0 || res.PartsResumed+res.PartsFetched != res.Parts {
		t.Fatalf("resumed %d sent %d of %d", res.PartsResumed, res.PartsFetched, res.Parts)
	}
	lr, err := b.ListMultipartUploads(oss.Prefix("b"))
	if err != nil {
		t.Fatal(err)
	}
	if len(lr.Uploads) != 0 {
		t.Fatalf("unfinished uploads left after the resumed upload completed: %+v (stale %s)", lr.Uploads, stale.UploadID)
	}
	dst := filepath.Join(t.TempDir(), "out")
	mustDownload(t, b, "b", dst, emuOpts(&s), data)
}

func TestEmulatorCopySameAndCrossBucket(t *testing.T) {
	srv, b := newEmu(t)
	data := randBytes(1<<20+5, 45)
	if err := b.PutObject("src", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	var s recSleep
	opts := Options{Workers: 3, PartSize: 128 << 10, Sleep: s.sleep}
	res, err := Copy(context.Background(), b, "src", b, "same", opts)
	if err != nil {
		t.Fatal(err)
	}
	if !res.CRC64Verified || res.CRC64 != CRC64(data) || res.Parts != 9 {
		t.Fatalf("server-side copy %+v", res)
	}
	copies := 0
	for _, r := range srv.Requests() {
		if r.Action == "UploadPartCopy" {
			copies++
		}
		if r.Action == "GetObject" {
			t.Fatal("same-bucket copy read the data through the client")
		}
	}
	if copies != 9 {
		t.Fatalf("%d UploadPartCopy calls", copies)
	}

	if err := b.Client.CreateBucket("other"); err != nil {
		t.Fatal(err)
	}
	other, _ := b.Client.Bucket("other")
	srv.InjectFault(emulator.Fault{Service: "oss", Action: "GetObject", Kind: "truncate", Count: 2, Seed: 2})
	res, err = Copy(context.Background(), b, "src", other, "dst", opts)
	if err != nil {
		t.Fatal(err)
	}
	if !res.CRC64Verified || res.CRC64 != CRC64(data) || res.Retries != 2 {
		t.Fatalf("streamed copy %+v", res)
	}
	for _, k := range []struct {
		bk  *oss.Bucket
		key string
	}{{b, "same"}, {other, "dst"}} {
		rc, err := k.bk.GetObject(k.key)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(got, data) {
			t.Fatalf("%s/%s differs from the source", k.bk.BucketName, k.key)
		}
	}
}

func TestEmulatorEmptyObjectRoundTrip(t *testing.T) {
	_, b := newEmu(t)
	var s recSleep
	up, err := Upload(context.Background(), b, "empty", writeTemp(t, nil), emuOpts(&s))
	if err != nil {
		t.Fatal(err)
	}
	if up.Size != 0 || up.CRC64 != 0 {
		t.Fatalf("upload %+v", up)
	}
	dst := filepath.Join(t.TempDir(), "out")
	mustDownload(t, b, "empty", dst, emuOpts(&s), nil)
}
