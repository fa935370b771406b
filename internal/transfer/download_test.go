package transfer

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// recSleep records requested backoffs without waiting.
type recSleep struct {
	mu sync.Mutex
	ds []time.Duration
}

func (s *recSleep) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.ds = append(s.ds, d)
	s.mu.Unlock()
	return ctx.Err()
}

func smallOpts(s *recSleep) Options {
	return Options{Workers: 4, PartSize: 64 << 10, MD5: true, SHA256: true, PartSHA256: true, Sleep: s.sleep}
}

func checkResult(t *testing.T, res *Result, data []byte, path string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatal("downloaded bytes differ")
	}
	m, s := md5.Sum(data), sha256.Sum256(data)
	if res.CRC64 != CRC64(data) || res.MD5 != hex.EncodeToString(m[:]) || res.SHA256 != hex.EncodeToString(s[:]) {
		t.Fatalf("checksums: %+v", res)
	}
	if !res.CRC64Verified {
		t.Fatal("CRC64 not verified against OSS")
	}
	js, _ := res.Manifest.Marshal()
	if _, err := ParseManifest(js); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	if res.Manifest.SHA256 != res.SHA256 || (len(data) > 0 && res.Manifest.Parts[0].SHA256 == "") {
		t.Fatal("manifest lacks digests")
	}
	if _, err := os.Stat(path + JournalSuffix); !os.IsNotExist(err) {
		t.Fatal("journal left behind after success")
	}
	if _, err := os.Stat(path + PartialSuffix); !os.IsNotExist(err) {
		t.Fatal("partial file left behind after success")
	}
}

// servedObject puts n random bytes (seed) as "obj" on a new fake OSS.
func servedObject(t *testing.T, n int, seed uint64) (*fakeOSS, []byte) {
	t.Helper()
	f := newFakeOSS(t)
	data := randBytes(n, seed)
	f.put("obj", data)
	return f, data
}

// writeFlipped answers a ranged GET with the range's bytes of o, byte i
// of them XORed with mask: bytes corrupted in transit, headers intact.
func writeFlipped(w http.ResponseWriter, o *fakeObject, start, end int64, i int, mask byte) {
	b := append([]byte{}, o.data[start:end+1]...)
	b[i] ^= mask
	writeRange(w, o, start, end, b)
}

// flipOnce makes the first GET of the part that starts at offset at answer
// with byte i of the part XORed with mask (writeFlipped); the counter
// counts that part's GETs.
func flipOnce(f *fakeOSS, at int64, i int, mask byte) *atomic.Int32 {
	n := new(atomic.Int32)
	f.setHook(func(w http.ResponseWriter, r *http.Request, o *fakeObject, start, end int64) bool {
		if start == at && n.Add(1) == 1 {
			writeFlipped(w, o, start, end, i, mask)
			return true
		}
		return false
	})
	return n
}

// mustDownload downloads key of b into dst with opts and checks the file
// and the result against data (checkResult).
func mustDownload(t *testing.T, b *oss.Bucket, key, dst string, opts Options, data []byte) *Result {
	t.Helper()
	res, err := Download(context.Background(), b, key, dst, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, res, data, dst)
	return res
}

func TestDownloadHappyPath(t *testing.T) {
	f := newFakeOSS(t)
	data := randBytes(1<<20+123, 10)
	o := f.put("obj", data)
	dst := filepath.Join(t.TempDir(), "out")
	var s recSleep
	var progress []Progress
	var pmu sync.Mutex
	opts := smallOpts(&s)
	opts.Progress = func(p Progress) { pmu.Lock(); progress = append(progress, p); pmu.Unlock() }
	res := mustDownload(t, f.bucket(t), "obj", dst, opts, data)
	if res.Parts != 17 || res.PartsFetched != 17 || res.Retries != 0 || res.ETag != o.etag {
		t.Fatalf("result %+v", res)
	}
	gets := f.getLog()
	if len(gets) != 17 {
		t.Fatalf("%d GETs", len(gets))
	}
	seen := map[string]bool{}
	for _, g := range gets {
		if g.behavior != "standard" || g.ifMatch != o.etag || g.rng == "" {
			t.Fatalf("GET not pinned/ranged: %+v", g)
		}
		seen[g.rng] = true
	}
	if len(seen) != 17 {
		t.Fatal("some range fetched twice")
	}
	if st, _ := os.Stat(dst); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode())
	}
	last := progress[len(progress)-1]
	if last.Done != int64(len(data)) || last.Total != int64(len(data)) {
		t.Fatalf("final progress %+v", last)
	}
}

func TestDownloadEmptyObject(t *testing.T) {
	f := newFakeOSS(t)
	f.put("empty", nil)
	var s recSleep
	mustDownload(t, f.bucket(t), "empty", filepath.Join(t.TempDir(), "out"), smallOpts(&s), nil)
}

// A body cut short is retried from the byte after the last one received.
func TestDownloadTruncatedRetriesFromLastByte(t *testing.T) {
	f, data := servedObject(t, 256<<10, 11)
	var cut atomic.Int32
	f.setHook(func(w http.ResponseWriter, r *http.Request, o *fakeObject, start, end int64) bool {
		if start == 64<<10 && cut.Add(1) == 1 {
			writeRange(w, o, start, end, o.data[start:start+1000]) // declares 64 KiB, sends 1000
			return true
		}
		return false
	})
	var s recSleep
	res := mustDownload(t, f.bucket(t), "obj", filepath.Join(t.TempDir(), "out"), smallOpts(&s), data)
	var resumed bool
	for _, g := range f.getLog() {
		if g.rng == RangeHeader(64<<10+1000, 64<<10-1000) {
			resumed = true
		}
	}
	if !resumed || res.Retries != 1 || len(s.ds) != 1 {
		t.Fatalf("retry did not continue at byte 66536: gets %+v retries %d sleeps %v", f.getLog(), res.Retries, s.ds)
	}
}

// 5xx, throttling and a 200-instead-of-206 are retried with growing,
// capped backoff; only the faulty part is retried.
func TestDownloadTransientErrorsBackoff(t *testing.T) {
	f, data := servedObject(t, 256<<10, 12)
	var n atomic.Int32
	f.setHook(func(w http.ResponseWriter, r *http.Request, o *fakeObject, start, end int64) bool {
		if start != 128<<10 {
			return false
		}
		switch n.Add(1) {
		case 1:
			ossError(w, http.StatusServiceUnavailable, "ServiceUnavailable")
		case 2:
			ossError(w, http.StatusTooManyRequests, "Throttling")
		case 3:
			_, _ = w.Write(o.data) // ignores the range: must not be written at the offset
		default:
			return false
		}
		return true
	})
	dst := filepath.Join(t.TempDir(), "out")
	var s recSleep
	opts := smallOpts(&s)
	opts.BaseBackoff, opts.MaxBackoff = time.Second, 3*time.Second
	res := mustDownload(t, f.bucket(t), "obj", dst, opts, data)
	if res.Retries != 3 || len(s.ds) != 3 {
		t.Fatalf("retries %d sleeps %v", res.Retries, s.ds)
	}
	// attempt k waits in [d/2, d] with d = min(1s*2^(k-1), 3s).
	for k, d := range s.ds {
		hi := min(time.Second<<k, 3*time.Second)
		if d < hi/2 || d > hi {
			t.Fatalf("sleep %d = %v outside [%v, %v]", k, d, hi/2, hi)
		}
	}
}

// Bytes corrupted in transit with intact headers are caught by the
// whole-object CRC and the bad part alone is replaced.
func TestDownloadCorruptionRepaired(t *testing.T) {
	f, data := servedObject(t, 512<<10, 13)
	flipOnce(f, 192<<10, 100, 0x40)
	var s recSleep
	res := mustDownload(t, f.bucket(t), "obj", filepath.Join(t.TempDir(), "out"), smallOpts(&s), data) // MD5/SHA-256 recomputed over the repaired bytes
	if len(res.Repaired) != 1 || res.Repaired[0] != 3 {
		t.Fatalf("repaired %v", res.Repaired)
	}
}

// With an expected manifest a corrupted part is re-fetched at once.
func TestDownloadExpectedManifestCatchesCorruptPart(t *testing.T) {
	f, data := servedObject(t, 256<<10, 14)
	m := sampleManifest(t, data, 64<<10)
	flipOnce(f, 0, 0, 1)
	var s recSleep
	opts := smallOpts(&s)
	opts.Expected = m
	dst := filepath.Join(t.TempDir(), "out")
	res := mustDownload(t, f.bucket(t), "obj", dst, opts, data)
	if res.Retries != 1 || len(res.Repaired) != 0 {
		t.Fatalf("retries %d repaired %v", res.Retries, res.Repaired)
	}
}

// 403/404 stop at once without retries.
func TestDownloadFatalErrors(t *testing.T) {
	f := newFakeOSS(t)
	f.put("obj", randBytes(256<<10, 16))
	f.setHook(func(w http.ResponseWriter, r *http.Request, o *fakeObject, start, end int64) bool {
		ossError(w, http.StatusForbidden, "AccessDenied")
		return true
	})
	var s recSleep
	dir := t.TempDir()
	_, err := Download(context.Background(), f.bucket(t), "obj", filepath.Join(dir, "a"), smallOpts(&s))
	if err == nil || !strings.Contains(err.Error(), "AccessDenied") || !strings.Contains(err.Error(), "oss://bkt/obj") || len(s.ds) != 0 {
		t.Fatalf("403: %v, %d sleeps", err, len(s.ds))
	}
	_, err = Download(context.Background(), f.bucket(t), "missing", filepath.Join(dir, "b"), smallOpts(&s))
	if err == nil || !strings.Contains(err.Error(), "oss://bkt/missing") || len(s.ds) != 0 {
		t.Fatalf("404: %v", err)
	}
}

// An object replaced mid-transfer answers 412 to the pinned If-Match: the
// download stops with ErrObjectChanged, and the next run starts over.
func TestDownloadObjectChangedMidTransfer(t *testing.T) {
	f, _ := servedObject(t, 512<<10, 17)
	newData := randBytes(512<<10, 18)
	var once sync.Once
	f.setHook(func(w http.ResponseWriter, r *http.Request, o *fakeObject, start, end int64) bool {
		if start >= 256<<10 {
			once.Do(func() { f.put("obj", newData) })
			ossError(w, http.StatusPreconditionFailed, "PreconditionFailed")
			return true
		}
		return false
	})
	dst := filepath.Join(t.TempDir(), "out")
	var s recSleep
	_, err := Download(context.Background(), f.bucket(t), "obj", dst, smallOpts(&s))
	if !errors.Is(err, ErrObjectChanged) || !strings.Contains(err.Error(), "oss://bkt/obj") {
		t.Fatalf("error %v", err)
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Fatal("destination written for a changed object")
	}
	f.setHook(nil)
	res := mustDownload(t, f.bucket(t), "obj", dst, smallOpts(&s), newData)
	if res.PartsResumed != 0 {
		t.Fatalf("resumed %d parts of the old object", res.PartsResumed)
	}
}

func TestDownloadContextCancel(t *testing.T) {
	f := newFakeOSS(t)
	f.put("obj", randBytes(512<<10, 22))
	ctx, cancel := context.WithCancel(context.Background())
	var n atomic.Int32
	f.setHook(func(w http.ResponseWriter, r *http.Request, o *fakeObject, start, end int64) bool {
		if n.Add(1) == 2 {
			cancel()
			<-r.Context().Done() // hold until the client gives up
			return true
		}
		return false
	})
	var s recSleep
	_, err := Download(ctx, f.bucket(t), "obj", filepath.Join(t.TempDir(), "out"), smallOpts(&s))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v", err)
	}
}

// A part whose good reads alternate with differently corrupted ones never
// reads the same twice in a row; settle still accepts the value two
// non-consecutive reads agree on.
func TestDownloadSettleAcceptsNonConsecutiveAgreement(t *testing.T) {
	f, data := servedObject(t, 512<<10, 16)
	var n atomic.Int32
	f.setHook(func(w http.ResponseWriter, r *http.Request, o *fakeObject, start, end int64) bool {
		if start != 192<<10 {
			return false
		}
		k := n.Add(1)
		if k%2 == 0 {
			return false
		}
		writeFlipped(w, o, start, end, int(k), 0x40) // each bad read differs from the others
		return true
	})
	var s recSleep
	res := mustDownload(t, f.bucket(t), "obj", filepath.Join(t.TempDir(), "out"), smallOpts(&s), data)
	if len(res.Repaired) != 1 || res.Repaired[0] != 3 {
		t.Fatalf("repaired %v", res.Repaired)
	}
	if got := n.Load(); got != 4 {
		t.Fatalf("part 3 read %d times, want 4 (bad, good, bad, good)", got)
	}
}
