package emulator

import (
	"bufio"
	"bytes"
	"fmt"
	"hash/crc64"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// partReader yields n deterministic pseudo-random bytes for part i.
func partReader(i int, n int64) io.Reader {
	return io.LimitReader(rand.New(rand.NewSource(int64(i)+1000)), n)
}

// rangedDownload fetches [0,size) in chunk-sized ranges with workers
// parallel GETs and returns the combined CRC64 of the bytes received
// (0 without verify, which only counts bytes).
func rangedDownload(b *oss.Bucket, key string, size, chunk int64, workers int, verify bool) (uint64, error) {
	n := int((size + chunk - 1) / chunk)
	crcs := make([]uint64, n)
	jobs := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				start := int64(i) * chunk
				end := min(start+chunk, size) - 1
				rc, err := b.GetObject(key, oss.Range(start, end), oss.RangeBehavior("standard"))
				if err != nil {
					errs <- err
					continue
				}
				h := crc64.New(crcTable)
				var sink io.Writer = h
				if !verify {
					sink = io.Discard
				}
				got, err := io.Copy(sink, rc)
				rc.Close()
				if err == nil && got != end-start+1 {
					err = fmt.Errorf("range %d-%d: got %d bytes", start, end, got)
				}
				if err != nil {
					errs <- err
					continue
				}
				crcs[i] = h.Sum64()
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		return 0, err
	default:
	}
	if !verify {
		return 0, nil
	}
	var crc uint64
	for i, c := range crcs {
		crc = crc64Combine(crc, c, min(chunk, size-int64(i)*chunk))
	}
	return crc, nil
}

// TestOSSBigObject uploads a 4 GiB object in parts to a separate emulator
// process and downloads it with 8 parallel ranged GETs, checking the
// combined CRC and the emulator's peak RSS. Opt-in: ALIDR_EMULATOR_BIG=1
// (ALIDR_EMULATOR_BIG_MB overrides the size).
func TestOSSBigObject(t *testing.T) {
	if os.Getenv("ALIDR_EMULATOR_BIG") != "1" {
		t.Skip("set ALIDR_EMULATOR_BIG=1 to run the 4 GiB memory test")
	}
	size := int64(4 << 30)
	if mb, err := strconv.Atoi(os.Getenv("ALIDR_EMULATOR_BIG_MB")); err == nil && mb > 0 {
		size = int64(mb) << 20
	}
	const partSize = 64 << 20

	bin := filepath.Join(t.TempDir(), "alidr-emulator")
	build := exec.Command("go", "build", "-o", bin, "github.com/alidr/terraform-provider-alidr/internal/emulator/cmd/alidr-emulator")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("build: %v", err)
	}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-data-dir", t.TempDir())
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() {
		t.Fatal("no ready line")
	}
	url := strings.Fields(sc.Text())[3]

	c, err := oss.New(url, DefaultAccessKeyID, DefaultAccessKeySecret, oss.Timeout(10, 300))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CreateBucket("big"); err != nil {
		t.Fatal(err)
	}
	b, _ := c.Bucket("big")

	// Upload: 4 workers, parts generated on the fly; the client computes
	// each part's CRC for the expected whole-object CRC.
	start := time.Now()
	imur, err := b.InitiateMultipartUpload("disk.img")
	if err != nil {
		t.Fatal(err)
	}
	nParts := int((size + partSize - 1) / partSize)
	parts := make([]oss.UploadPart, nParts)
	partCRC := make([]uint64, nParts)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var upErr error
	jobs := make(chan int)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				n := min(int64(partSize), size-int64(i)*partSize)
				h := crc64.New(crcTable)
				p, err := b.UploadPart(imur, io.TeeReader(partReader(i, n), h), n, i+1)
				mu.Lock()
				if err != nil && upErr == nil {
					upErr = err
				}
				parts[i], partCRC[i] = p, h.Sum64()
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < nParts; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if upErr != nil {
		t.Fatal(upErr)
	}
	var want uint64
	for i, pc := range partCRC {
		want = crc64Combine(want, pc, min(int64(partSize), size-int64(i)*partSize))
	}
	if _, err := b.CompleteMultipartUpload(imur, parts); err != nil {
		t.Fatal(err)
	}
	upDur := time.Since(start)
	meta, err := b.GetObjectDetailedMeta("disk.img")
	if err != nil {
		t.Fatal(err)
	}
	if meta.Get("Content-Length") != strconv.FormatInt(size, 10) || meta.Get("x-oss-hash-crc64ecma") != strconv.FormatUint(want, 10) {
		t.Fatalf("meta %v, want crc %d", meta, want)
	}

	start = time.Now()
	got, err := rangedDownload(b, "disk.img", size, partSize, 8, true)
	if err != nil {
		t.Fatal(err)
	}
	downDur := time.Since(start)
	if got != want {
		t.Fatalf("downloaded CRC %d want %d", got, want)
	}
	hwm := procStatusKB(t, cmd.Process.Pid, "VmHWM")
	rss := procStatusKB(t, cmd.Process.Pid, "VmRSS")
	mib := float64(size) / (1 << 20)
	t.Logf("size %.0f MiB: upload %v (%.0f MiB/s, 4 streams), ranged download %v (%.0f MiB/s, 8 streams); emulator RSS now %d MiB, peak %d MiB",
		mib, upDur.Round(time.Millisecond), mib/upDur.Seconds(), downDur.Round(time.Millisecond), mib/downDur.Seconds(), rss/1024, hwm/1024)
	if hwm > 200*1024 {
		t.Fatalf("emulator peak RSS %d MiB exceeds 200 MiB", hwm/1024)
	}
}

func procStatusKB(t *testing.T, pid int, field string) int64 {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	t.Fatalf("%s not in /proc/%d/status", field, pid)
	return 0
}

// BenchmarkOSSRangedDownload measures loopback GET throughput: a 256 MiB
// object fetched with 8 parallel ranged GETs of 32 MiB per iteration.
func BenchmarkOSSRangedDownload(b *testing.B) {
	srv := newOSSTestServer(b, Options{})
	const size = 256 << 20
	c, _ := oss.New(srv.URL(), DefaultAccessKeyID, DefaultAccessKeySecret)
	if err := srv.CreateBucket("bench", ""); err != nil {
		b.Fatal(err)
	}
	if err := srv.PutObject("bench", "obj", partReader(0, size)); err != nil {
		b.Fatal(err)
	}
	bk, _ := c.Bucket("bench")
	// Verify the bytes once, then time the transfer alone (the client's
	// CRC would otherwise dominate on 2 cores).
	want := srv.oss.buckets["bench"].objects["obj"].crc
	if got, err := rangedDownload(bk, "obj", size, 32<<20, 8, true); err != nil || got != want {
		b.Fatalf("crc %d want %d (%v)", got, want, err)
	}
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := rangedDownload(bk, "obj", size, 32<<20, 8, false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOSSPutObject measures single-stream upload throughput (64 MiB).
func BenchmarkOSSPutObject(b *testing.B) {
	srv := newOSSTestServer(b, Options{})
	c, _ := oss.New(srv.URL(), DefaultAccessKeyID, DefaultAccessKeySecret)
	if err := c.CreateBucket("bench"); err != nil {
		b.Fatal(err)
	}
	bk, _ := c.Bucket("bench")
	data, _ := io.ReadAll(partReader(1, 64<<20))
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := bk.PutObject("obj", bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// crcTable is the independent hash/crc64 reference the emulator is checked against.
var crcTable = crc64.MakeTable(crc64.ECMA)
