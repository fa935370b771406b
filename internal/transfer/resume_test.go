package transfer

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A part that keeps failing does not cancel the others; they are journaled
// when the run ends (the commit interval never elapses here) and a rerun
// fetches only the failed part.
func TestDownloadFailedPartKeepsOthersForResume(t *testing.T) {
	f, data, broken := firstPartBroken(t, 15)
	dst := filepath.Join(t.TempDir(), "out")
	var s recSleep
	opts := smallOpts(&s)
	opts.CommitInterval = time.Hour
	_, err := Download(context.Background(), f.bucket(t), "obj", dst, opts)
	if err == nil || !strings.Contains(err.Error(), "1 of 8 parts failed") || !strings.Contains(err.Error(), "oss://bkt/obj") {
		t.Fatalf("error %v", err)
	}
	if len(s.ds) != 4 {
		t.Fatalf("%d retries of the broken part, want 4", len(s.ds))
	}
	broken.Store(false)
	before := len(f.getLog())
	res := mustDownload(t, f.bucket(t), "obj", dst, smallOpts(&s), data)
	if res.PartsFetched != 1 || res.PartsResumed != 7 || len(f.getLog())-before != 1 {
		t.Fatalf("rerun fetched %d parts, resumed %d", res.PartsFetched, res.PartsResumed)
	}
}

// A journal from an older version of the object is ignored on rerun.
func TestDownloadResumeRestartsWhenObjectChanged(t *testing.T) {
	f, _, broken := firstPartBroken(t, 19)
	dst := filepath.Join(t.TempDir(), "out")
	var s recSleep
	if _, err := Download(context.Background(), f.bucket(t), "obj", dst, smallOpts(&s)); err == nil {
		t.Fatal("expected failure")
	}
	broken.Store(false)
	newData := randBytes(512<<10, 20)
	f.put("obj", newData)
	res := mustDownload(t, f.bucket(t), "obj", dst, smallOpts(&s), newData)
	if res.PartsResumed != 0 || res.PartsFetched != 8 {
		t.Fatalf("resumed %d fetched %d", res.PartsResumed, res.PartsFetched)
	}
}

// Local data damaged after it was journaled is detected on resume and
// fetched again instead of being trusted.
func TestDownloadResumeRechecksLocalData(t *testing.T) {
	for _, crcOnly := range []bool{false, true} {
		t.Run(fmt.Sprintf("crcOnly=%v", crcOnly), func(t *testing.T) { testResumeRechecksLocalData(t, crcOnly) })
	}
}

func testResumeRechecksLocalData(t *testing.T, crcOnly bool) {
	f, data, broken := firstPartBroken(t, 21)
	dst := filepath.Join(t.TempDir(), "out")
	var s recSleep
	opts := smallOpts(&s)
	if crcOnly { // no part buffers: resumed parts are checked through scratch
		opts.MD5, opts.SHA256, opts.PartSHA256 = false, false, false
	}
	_, _ = Download(context.Background(), f.bucket(t), "obj", dst, opts) // fails by design: the journal stays
	broken.Store(false)
	pf, _ := os.OpenFile(dst+PartialSuffix, os.O_RDWR, 0)
	if _, err := pf.WriteAt([]byte{0xff, 0xee}, 300<<10); err != nil { // inside part 4
		t.Fatal(err)
	}
	pf.Close()
	res, err := Download(context.Background(), f.bucket(t), "obj", dst, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, data) || res.CRC64 != CRC64(data) {
		t.Fatal("resumed download differs")
	}
	if res.PartsFetched != 2 || res.PartsResumed != 6 {
		t.Fatalf("fetched %d resumed %d", res.PartsFetched, res.PartsResumed)
	}
}

// firstPartBroken serves a 512 KiB object of random data (seed) whose first
// part fails with a 500 while broken is set (it starts set).
func firstPartBroken(t *testing.T, seed uint64) (f *fakeOSS, data []byte, broken *atomic.Bool) {
	f = newFakeOSS(t)
	data = randBytes(512<<10, seed)
	f.put("obj", data)
	broken = new(atomic.Bool)
	broken.Store(true)
	f.setHook(func(w http.ResponseWriter, r *http.Request, o *fakeObject, start, end int64) bool {
		if start == 0 && broken.Load() {
			ossError(w, http.StatusInternalServerError, "InternalError")
			return true
		}
		return false
	})
	return f, data, broken
}
