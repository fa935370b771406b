// Package sdkv2 benchmarks the transfer engine against the official OSS SDK
// v2 Downloader on one object served by the emulator (make bench).
package sdkv2

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
	ossv1 "github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/alidr/terraform-provider-alidr/internal/benchkit"
	"github.com/alidr/terraform-provider-alidr/internal/crc64ecma"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
	"github.com/alidr/terraform-provider-alidr/internal/transfer"
)

const (
	bucketName = "dr-bucket"
	key        = "bench.img"
	workers    = 8
)

// BenchmarkEngineVsSDKv2 downloads the same object with the engine and with
// the v2 Downloader (same workers, same part size, CRC64 checked by both),
// alternating who goes first, and prints the ratio of the best runs:
//
//	[ALIDR_BENCH_MIB=1024] [ALIDR_BENCH_ROUNDS=3] go test -run '^$' -bench . -benchtime 1x
//
// One iteration is the whole comparison, whatever b.N is.
func BenchmarkEngineVsSDKv2(b *testing.B) {
	mib := benchkit.EnvInt(b, "ALIDR_BENCH_MIB", 1024)
	rounds := benchkit.EnvInt(b, "ALIDR_BENCH_ROUNDS", 3)
	srv := startEmulator(b)
	dir := b.TempDir()

	v1 := v1Bucket(b, srv)
	src := filepath.Join(dir, "src")
	benchkit.WriteRandomFile(b, src, mib<<20)
	up, err := transfer.Upload(context.Background(), v1, key, src, transfer.Options{})
	if err != nil {
		b.Fatal(err)
	}
	os.Remove(src)
	partSize := up.Manifest.PartSize
	fmt.Printf("# object %d MiB, %d parts of %d MiB, %d workers\n", mib, up.Parts, partSize>>20, workers)

	v2 := v2Client(srv)
	dl := v2.NewDownloader(func(o *oss.DownloaderOptions) {
		o.PartSize = partSize
		o.ParallelNum = workers
	})
	sdkRun := func() time.Duration {
		dst := filepath.Join(dir, "sdkv2.out")
		syscall.Sync() // start each run without the previous run's dirty pages
		start := time.Now()
		// The client's default feature flags include
		// FeatureEnableCRC64CheckDownload: the Downloader combines the parts'
		// CRC64 and checks it against x-oss-hash-crc64ecma.
		if _, err := dl.DownloadFile(context.Background(), &oss.GetObjectRequest{Bucket: oss.Ptr(bucketName), Key: oss.Ptr(key)}, dst); err != nil {
			b.Fatal(err)
		}
		d := time.Since(start)
		checkFileCRC(b, dst, up.CRC64) // outside the timing: the bytes on disk are the object's
		os.Remove(dst)
		return d
	}
	engineRun := func() time.Duration {
		dst := filepath.Join(dir, "engine.out")
		syscall.Sync()
		res, err := transfer.Download(context.Background(), v1, key, dst, transfer.Options{Workers: workers, PartSize: partSize})
		if err != nil {
			b.Fatal(err)
		}
		if !res.CRC64Verified || res.CRC64 != up.CRC64 {
			b.Fatal("engine download does not match the upload")
		}
		checkFileCRC(b, dst, up.CRC64)
		os.Remove(dst)
		return res.Duration
	}
	var engBest, sdkBest, engCPU, sdkCPU time.Duration
	timed := func(run func() time.Duration, cpu *time.Duration) time.Duration {
		c0 := benchkit.CPUTime()
		d := run()
		*cpu += benchkit.CPUTime() - c0
		return d
	}
	for r := range rounds {
		var e, s time.Duration
		if r%2 == 0 {
			e, s = timed(engineRun, &engCPU), timed(sdkRun, &sdkCPU)
		} else {
			s = timed(sdkRun, &sdkCPU)
			e = timed(engineRun, &engCPU)
		}
		engBest, sdkBest = benchkit.MinDur(engBest, e), benchkit.MinDur(sdkBest, s)
		fmt.Printf("# round %d: engine %.2fs (%.0f MiB/s), sdk v2 %.2fs (%.0f MiB/s)\n",
			r+1, e.Seconds(), float64(mib)/e.Seconds(), s.Seconds(), float64(mib)/s.Seconds())
	}
	// Includes the in-process emulator and the untimed CRC re-check of the
	// file, the same on both sides.
	fmt.Printf("# process cpu sdk v2/engine: %.2f\n", sdkCPU.Seconds()/engCPU.Seconds())
	fmt.Printf("engine_vs_sdkv2=%.2f\n", sdkBest.Seconds()/engBest.Seconds())
}

func startEmulator(b *testing.B) *emulator.Server {
	srv, err := emulator.New(emulator.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	return srv
}

func v1Bucket(b *testing.B, srv *emulator.Server) *ossv1.Bucket {
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	b.Cleanup(tr.CloseIdleConnections)
	c, err := ossv1.New(srv.URL(), emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret, ossv1.HTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		b.Fatal(err)
	}
	if err := c.CreateBucket(bucketName); err != nil {
		b.Fatal(err)
	}
	bk, err := c.Bucket(bucketName)
	if err != nil {
		b.Fatal(err)
	}
	return bk
}

// v2Client signs v4 for the emulator's default OSS location; an IP
// endpoint makes the SDK address the bucket path-style.
func v2Client(srv *emulator.Server) *oss.Client {
	cfg := oss.LoadDefaultConfig().
		WithCredentialsProvider(credentials.NewStaticCredentialsProvider(emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret)).
		WithRegion(emulator.SeedRegion).
		WithEndpoint(srv.URL())
	return oss.NewClient(cfg)
}

func checkFileCRC(b *testing.B, path string, want uint64) {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4<<20)
	var crc uint64
	for {
		n, err := f.Read(buf)
		crc = crc64ecma.Update(crc, buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	if crc != want {
		b.Fatalf("%s: CRC64 %d, want %d", filepath.Base(path), crc, want)
	}
}
