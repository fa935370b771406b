// Package benchkit holds what the benchmarks of several packages and of the
// bench module internal/transfer/bench/sdkv2 share. Only benchmarks import it.
package benchkit

import (
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// CPUTime is user+system CPU of this process (client and in-process
// emulator).
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// MinDur is the shorter of a and b, a zero a counting as unset.
func MinDur(a, b time.Duration) time.Duration {
	if a == 0 || b < a {
		return b
	}
	return a
}

// EnvInt reads a positive integer setting from the environment, def when
// unset.
func EnvInt(tb testing.TB, name string, def int64) int64 {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		tb.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

// WriteRandomFile writes size reproducible random bytes to path.
func WriteRandomFile(tb testing.TB, path string, size int64) {
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if _, err := io.CopyN(f, rand.NewChaCha8([32]byte{1}), size); err != nil {
		tb.Fatal(err)
	}
}
