package transfer

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/alidr/terraform-provider-alidr/internal/crc64ecma"
)

// BenchmarkDownload compares the engine with the SDK's DownloadFile and
// with the hashing ceiling on an in-process emulator over loopback, all
// measured in the same run (make bench):
//
//	[ALIDR_BENCH_MIB=1024] go test -run '^$' -bench Download -benchtime 1x ./internal/transfer
//
// It prints engine_vs_sdk, engine_full_vs_ceiling and peak_rss_mib lines.
// One iteration is the whole comparison, whatever b.N is.
func BenchmarkDownload(bm *testing.B) {
	var t testing.TB = bm
	mib := int64(1024)
	if v := os.Getenv("ALIDR_BENCH_MIB"); v != "" {
		var err error
		if mib, err = strconv.ParseInt(v, 10, 64); err != nil {
			t.Fatal(err)
		}
	}
	size := mib << 20
	_, b := newEmu(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	writeRandomFile(t, src, size)
	up, err := Upload(context.Background(), b, "bench.img", src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(src)
	fmt.Printf("# object %d MiB, %d parts of %d MiB, upload %.2fs\n", mib, up.Parts, up.Manifest.PartSize>>20, up.Duration.Seconds())
	partSize := up.Manifest.PartSize

	sdkRun := func() time.Duration {
		dst, cp := filepath.Join(dir, "sdk.out"), filepath.Join(dir, "sdk.cp")
		syscall.Sync() // start each run without the previous run's dirty pages
		start := time.Now()
		if err := b.DownloadFile("bench.img", dst, partSize, oss.Routines(8), oss.Checkpoint(true, cp)); err != nil {
			t.Fatal(err)
		}
		d := time.Since(start)
		os.Remove(dst)
		return d
	}
	// The engine runs with its defaults: the journal is committed (an
	// fdatasync, then the records) every 5s, so a download this short ends
	// before its first commit, and nothing waits for the disk at the end.
	// durable adds that wait, which the SDK never does.
	// ALIDR_BENCH_COMMIT=200ms makes commits happen during the run.
	var commit time.Duration
	if v := os.Getenv("ALIDR_BENCH_COMMIT"); v != "" {
		var err error
		if commit, err = time.ParseDuration(v); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("# journal committed every %v\n", commit)
	}
	engineRun := func(full, durable bool) (time.Duration, *Result) {
		dst := filepath.Join(dir, "engine.out")
		syscall.Sync()
		res, err := Download(context.Background(), b, "bench.img", dst, Options{Workers: 8, PartSize: partSize, MD5: full, SHA256: full, Durable: durable, CommitInterval: commit})
		if err != nil {
			t.Fatal(err)
		}
		if res.CRC64 != up.CRC64 {
			t.Fatal("benchmark download does not match the upload")
		}
		return res.Duration, res
	}
	// Alternate and keep the best of n so page-cache and CPU noise from
	// other processes hit both sides alike.
	rounds := 3
	if v, err := strconv.Atoi(os.Getenv("ALIDR_BENCH_ROUNDS")); err == nil && v > 0 {
		rounds = v
	}
	var sdkBest, engBest time.Duration
	var sdkCPU, engCPU time.Duration
	for r := range rounds {
		// Alternate who goes first: the first run after a file removal pays
		// for the filesystem catching up.
		var e, s, ec, sc time.Duration
		engine := func() {
			c0 := cpuTime()
			e, _ = engineRun(false, false)
			ec = cpuTime() - c0
			os.Remove(filepath.Join(dir, "engine.out"))
		}
		sdk := func() {
			c0 := cpuTime()
			s = sdkRun()
			sc = cpuTime() - c0
		}
		if r%2 == 0 {
			engine()
			sdk()
		} else {
			sdk()
			engine()
		}
		engBest, sdkBest = minDur(engBest, e), minDur(sdkBest, s)
		engCPU, sdkCPU = engCPU+ec, sdkCPU+sc
		fmt.Printf("# crc64 only: engine %.2fs (%.0f MiB/s, cpu %.2fs), sdk %.2fs (%.0f MiB/s, cpu %.2fs)\n",
			e.Seconds(), float64(mib)/e.Seconds(), ec.Seconds(), s.Seconds(), float64(mib)/s.Seconds(), sc.Seconds())
	}
	fmt.Printf("# process cpu (client + in-process emulator) sdk/engine: %.2f\n", sdkCPU.Seconds()/engCPU.Seconds())
	durable, _ := engineRun(false, true)
	os.Remove(filepath.Join(dir, "engine.out"))
	fmt.Printf("# durable (crc64 only, waits until the file is on disk): engine %.2fs (%.0f MiB/s), sdk/engine %.2f\n",
		durable.Seconds(), float64(mib)/durable.Seconds(), sdkBest.Seconds()/durable.Seconds())

	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS(t)
	c0 := cpuTime()
	full, fullRes := engineRun(true, false)
	fullCPU := cpuTime() - c0
	peak := peakRSSMiB(t)
	fmt.Printf("# full (crc64+md5+sha256): engine %.2fs (%.0f MiB/s, cpu %.2fs)\n", full.Seconds(), float64(mib)/full.Seconds(), fullCPU.Seconds())

	data, err := os.ReadFile(filepath.Join(dir, "engine.out"))
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "engine.out"))
	// Best of three: the strictest ceiling the machine allows right now.
	ceiling, md5hex, shahex := hashCeiling(data)
	for range 2 {
		c, _, _ := hashCeiling(data)
		ceiling = minDur(ceiling, c)
	}
	if md5hex != fullRes.MD5 || shahex != fullRes.SHA256 {
		t.Fatal("engine digests differ from hashing the downloaded bytes")
	}
	fmt.Printf("# ceiling: one goroutine hashing crc64+md5+sha256 from memory %.2fs (%.0f MiB/s)\n", ceiling.Seconds(), float64(mib)/ceiling.Seconds())

	fmt.Printf("engine_vs_sdk=%.2f\n", sdkBest.Seconds()/engBest.Seconds())
	fmt.Printf("engine_full_vs_ceiling=%.2f\n", ceiling.Seconds()/full.Seconds())
	fmt.Printf("peak_rss_mib=%d\n", peak)
}

// cpuTime is user+system CPU of this process (client and emulator).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru) // cannot fail for RUSAGE_SELF
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func minDur(a, b time.Duration) time.Duration {
	if a == 0 || b < a {
		return b
	}
	return a
}

func hashCeiling(data []byte) (time.Duration, string, string) {
	start := time.Now()
	m, s := md5.New(), sha256.New()
	var c uint64
	for off := 0; off < len(data); off += 1 << 20 {
		chunk := data[off:min(len(data), off+1<<20)]
		c = crc64ecma.Update(c, chunk)
		m.Write(chunk)
		s.Write(chunk)
	}
	ms, ss := m.Sum(nil), s.Sum(nil)
	d := time.Since(start)
	_ = c
	return d, hex.EncodeToString(ms), hex.EncodeToString(ss)
}

func writeRandomFile(t testing.TB, path string, size int64) {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := rand.NewChaCha8([32]byte{1})
	if _, err := io.CopyN(f, r, size); err != nil {
		t.Fatal(err)
	}
}

// resetPeakRSS makes VmHWM start again from the current RSS.
func resetPeakRSS(t testing.TB) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Skipf("cannot reset peak RSS: %v", err)
	}
}

func peakRSSMiB(t testing.TB) int64 {
	st, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(st), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb >> 10
		}
	}
	t.Fatal("no VmHWM")
	return 0
}
