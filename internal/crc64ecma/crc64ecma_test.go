package crc64ecma

import (
	"hash/crc64"
	"math/rand/v2"
	"testing"
	"time"
)

func reference(crc uint64, p []byte) uint64 { return crc64.Update(crc, table, p) }

// TestUpdateMatchesHashCRC64 compares every length around the folding
// thresholds, at odd offsets and from random registers, with hash/crc64.
func TestUpdateMatchesHashCRC64(t *testing.T) {
	if !hasCLMUL {
		t.Log("no PCLMULQDQ on this CPU: checking the table fallback only")
	}
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 1<<16+64)
	for i := range buf {
		buf[i] = byte(r.Uint32())
	}
	lengths := []int{0, 1, 7, 8, 15, 16, 127, 128, 129, 255, 256, 1<<16 - 1, 1 << 16}
	for n := foldMin - 130; n < foldMin+300; n++ {
		lengths = append(lengths, n)
	}
	for _, n := range lengths {
		for _, off := range []int{0, 1, 3, 8, 15, 63} {
			p := buf[off : off+n]
			for _, crc := range []uint64{0, ^uint64(0), r.Uint64()} {
				if got, want := Update(crc, p), reference(crc, p); got != want {
					t.Fatalf("len %d off %d crc %#x: got %#x, want %#x", n, off, crc, got, want)
				}
			}
		}
	}
}

func TestKnownValue(t *testing.T) {
	// CRC-64/XZ check value of "123456789".
	if got := Checksum([]byte("123456789")); got != 0x995dc9bbdf1939fa {
		t.Fatalf("got %#x", got)
	}
	long := make([]byte, 4096)
	for i := range long {
		long[i] = byte(i * 7)
	}
	h := New()
	h.Write(long[:1000])
	h.Write(long[1000:])
	if h.Sum64() != reference(0, long) {
		t.Fatal("streaming digest differs from hash/crc64")
	}
	if s := h.Sum(nil); len(s) != Size || s[7] != byte(h.Sum64()) {
		t.Fatalf("Sum = %x", s)
	}
}

func FuzzUpdate(f *testing.F) {
	f.Add(uint64(0), []byte("123456789"), 0)
	f.Add(^uint64(0), make([]byte, 3000), 5)
	f.Fuzz(func(t *testing.T, crc uint64, p []byte, split int) {
		if got, want := Update(crc, p), reference(crc, p); got != want {
			t.Fatalf("got %#x, want %#x", got, want)
		}
		if len(p) > 0 {
			split = int(uint(split) % uint(len(p)))
			if Update(Update(crc, p[:split]), p[split:]) != reference(crc, p) {
				t.Fatal("split update differs")
			}
		}
	})
}

// BenchmarkUpdate times Update and hash/crc64 on the same buffer in the
// same loop and reports how many times faster Update is (make bench).
func BenchmarkUpdate(b *testing.B) {
	p := make([]byte, 256<<10)
	var fast, table time.Duration
	for b.Loop() {
		t0 := time.Now()
		Update(0, p)
		t1 := time.Now()
		reference(0, p)
		fast, table = fast+t1.Sub(t0), table+time.Since(t1)
	}
	b.ReportMetric(float64(len(p))*float64(b.N)/fast.Seconds()/1e6, "MB/s")
	b.ReportMetric(float64(table)/float64(fast), "x_hash/crc64")
}
