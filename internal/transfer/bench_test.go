package transfer

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/alidr/terraform-provider-alidr/internal/benchkit"
	"github.com/alidr/terraform-provider-alidr/internal/crc64ecma"
)

// BenchmarkDownload compares the engine with the SDK's DownloadFile and
// with the hashing ceiling on an in-process emulator over loopback, all
// measured in the same run (make bench):
//
//	[ALIDR_BENCH_MIB=1024] go test -run '^$' -bench Download -benchtime 1x ./internal/transfer
//
// It prints engine_vs_sdk, engine_full_vs_ceiling (best of 5 runs) with its
// median, and peak_rss_mib lines. The OSS SDK v2 comparison lives in its own
// module, bench/sdkv2, to keep that SDK out of the provider's go.mod.
// One iteration is the whole comparison, whatever b.N is.
func BenchmarkDownload(bm *testing.B) {
	var t testing.TB = bm
	mib := benchkit.EnvInt(t, "ALIDR_BENCH_MIB", 1024)
	size := mib << 20
	_, b := newEmu(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	benchkit.WriteRandomFile(t, src, size)
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
			c0 := benchkit.CPUTime()
			e, _ = engineRun(false, false)
			ec = benchkit.CPUTime() - c0
			os.Remove(filepath.Join(dir, "engine.out"))
		}
		sdk := func() {
			c0 := benchkit.CPUTime()
			s = sdkRun()
			sc = benchkit.CPUTime() - c0
		}
		if r%2 == 0 {
			engine()
			sdk()
		} else {
			sdk()
			engine()
		}
		engBest, sdkBest = benchkit.MinDur(engBest, e), benchkit.MinDur(sdkBest, s)
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
	// Five full runs: the best gives engine_full_vs_ceiling, the median
	// says how typical it is on a machine shared with other work.
	fulls := make([]time.Duration, fullRounds)
	var fullRes *Result
	var fullCPU time.Duration // the least of the rounds
	for i := range fulls {
		c0 := benchkit.CPUTime()
		fulls[i], fullRes = engineRun(true, false)
		cpu := benchkit.CPUTime() - c0
		fullCPU = benchkit.MinDur(fullCPU, cpu)
		fmt.Printf("# full (crc64+md5+sha256) round %d: engine %.2fs (%.0f MiB/s, cpu %.2fs)\n",
			i+1, fulls[i].Seconds(), float64(mib)/fulls[i].Seconds(), cpu.Seconds())
		if i < len(fulls)-1 {
			os.Remove(filepath.Join(dir, "engine.out"))
		}
	}
	peak := peakRSSMiB(t)
	slices.Sort(fulls)

	data, err := os.ReadFile(filepath.Join(dir, "engine.out"))
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "engine.out"))
	// Best of three: the strictest ceiling the machine allows right now.
	c0 := benchkit.CPUTime()
	ceiling, md5hex, shahex := hashCeiling(data)
	ceilingCPU := benchkit.CPUTime() - c0
	for range 2 {
		c, _, _ := hashCeiling(data)
		ceiling = benchkit.MinDur(ceiling, c)
	}
	if md5hex != fullRes.MD5 || shahex != fullRes.SHA256 {
		t.Fatal("engine digests differ from hashing the downloaded bytes")
	}
	fmt.Printf("# ceiling: one goroutine hashing crc64+md5+sha256 from memory %.2fs (%.0f MiB/s, cpu %.2fs)\n", ceiling.Seconds(), float64(mib)/ceiling.Seconds(), ceilingCPU.Seconds())
	// On a machine shared with other work both sides wait for a core; the
	// CPU they used says what the engine costs whatever the load.
	fmt.Printf("# cpu of one hashing pass / cpu of a full download (client + emulator): %.2f\n", ceilingCPU.Seconds()/fullCPU.Seconds())

	fmt.Printf("engine_vs_sdk=%.2f\n", sdkBest.Seconds()/engBest.Seconds())
	fmt.Printf("engine_full_vs_ceiling=%.2f\n", ceiling.Seconds()/fulls[0].Seconds())
	fmt.Printf("engine_full_vs_ceiling_median=%.2f\n", ceiling.Seconds()/fulls[len(fulls)/2].Seconds())
	fmt.Printf("peak_rss_mib=%d\n", peak)
}

// fullRounds is how many full-digest downloads engine_full_vs_ceiling and
// its median come from.
const fullRounds = 5

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
