package transfer

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"hash/crc64"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestCRC64CombineMatchesDirect(t *testing.T) {
	data := randBytes(1<<20+37, 1)
	whole := crc64.Checksum(data, crcTable)
	r := rand.New(rand.NewPCG(2, 3))
	for range 200 {
		// Split into 1..6 random pieces (some empty) and combine.
		cuts := []int{0, len(data)}
		for range r.IntN(6) {
			cuts = append(cuts, r.IntN(len(data)+1))
		}
		sortInts(cuts)
		var c uint64
		for k := 0; k+1 < len(cuts); k++ {
			piece := data[cuts[k]:cuts[k+1]]
			c = CRC64Combine(c, CRC64(piece), int64(len(piece)))
		}
		if c != whole {
			t.Fatalf("cuts %v: combined %d, direct %d", cuts, c, whole)
		}
	}
	// Known vector: CRC64-ECMA (Go's reflected, inverted) of "123456789".
	if got := CRC64([]byte("123456789")); got != 0x995dc9bbdf1939fa {
		t.Fatalf("check value %x", got)
	}
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

func FuzzCRC64Combine(f *testing.F) {
	f.Add([]byte("hello"), []byte("world"))
	f.Add([]byte{}, []byte{0})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		ab := append(append([]byte{}, a...), b...)
		if got, want := CRC64Combine(CRC64(a), CRC64(b), int64(len(b))), CRC64(ab); got != want {
			t.Fatalf("combine %d != direct %d", got, want)
		}
	})
}

func TestChoosePartSize(t *testing.T) {
	cases := []struct {
		size, req, want int64
		err             bool
	}{
		{0, 0, MinAutoPartSize, false},
		{1, 0, MinAutoPartSize, false},
		{8 << 20 * 10000, 0, 8 << 20, false},
		{8<<20*10000 + 1, 0, 9 << 20, false}, // rounded up to whole MiB
		{1 << 40, 0, 105 << 20, false},       // 1 TiB / 10000 = 104.86 MiB
		{100, 7, 7, false},
		{1 << 30, 64 << 10, 0, true}, // 16384 parts
		{1 << 20, 6 << 30, 0, true},
	}
	for _, c := range cases {
		got, err := ChoosePartSize(c.size, c.req)
		if (err != nil) != c.err || (!c.err && got != c.want) {
			t.Errorf("ChoosePartSize(%d,%d) = %d,%v want %d err=%v", c.size, c.req, got, err, c.want, c.err)
		}
		if err == nil {
			if n := ceilDiv(c.size, got); n > MaxParts {
				t.Errorf("size %d: %d parts", c.size, n)
			}
		}
	}
}

func TestPlanParts(t *testing.T) {
	parts, err := PlanParts(25, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []Part{{0, 0, 10}, {1, 10, 10}, {2, 20, 5}}
	if len(parts) != len(want) {
		t.Fatalf("got %v", parts)
	}
	for i := range want {
		if parts[i] != want[i] {
			t.Fatalf("part %d = %v want %v", i, parts[i], want[i])
		}
	}
	if p, _ := PlanParts(0, 10); len(p) != 0 {
		t.Fatalf("empty object planned %v", p)
	}
	if _, err := PlanParts(10, 0); err == nil {
		t.Fatal("zero part size accepted")
	}
}

func sampleManifest(t *testing.T, data []byte, partSize int64) *Manifest {
	parts, err := PlanParts(int64(len(data)), partSize)
	if err != nil {
		t.Fatal(err)
	}
	m := &Manifest{Version: ManifestVersion, Size: int64(len(data)), PartSize: partSize, CRC64: FormatCRC64(CRC64(data))}
	for _, p := range parts {
		b := data[p.Offset:p.End()]
		s := sha256.Sum256(b)
		m.Parts = append(m.Parts, ManifestPart{Index: p.Index, Offset: p.Offset, Length: p.Length, CRC64: FormatCRC64(CRC64(b)), SHA256: hex.EncodeToString(s[:])})
	}
	return m
}

func TestManifestParseAndVerifyFile(t *testing.T) {
	data := randBytes(100_000, 4)
	m := sampleManifest(t, data, 8192)
	js, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	m2, err := ParseManifest(js)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := m2.VerifyFile(path, 100, nil); err != nil {
		t.Fatalf("intact file: %v", err)
	}
	// Flip one byte in part 5: a full check finds it; a sample of one part
	// finds it only when part 5 is sampled.
	data[5*8192+3] ^= 1
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := m2.VerifyFile(path, 100, nil); !errors.Is(err, ErrPartMismatch) || !strings.Contains(err.Error(), "part 5") {
		t.Fatalf("tampered file: %v", err)
	}
	r := rand.New(rand.NewPCG(1, 1))
	hit := 0
	for range 200 {
		if m2.VerifyFile(path, 10, r) != nil {
			hit++
		}
	}
	if hit == 0 || hit == 200 {
		t.Fatalf("10%% sampling caught the bad part %d/200 times", hit)
	}

	// Inconsistent manifests are rejected.
	for name, mut := range map[string]func(m *Manifest){
		"crc":     func(m *Manifest) { m.Parts[2].CRC64 = "1" },
		"offset":  func(m *Manifest) { m.Parts[2].Offset++ },
		"missing": func(m *Manifest) { m.Parts = m.Parts[:len(m.Parts)-1] },
		"version": func(m *Manifest) { m.Version = 9 },
		"sha":     func(m *Manifest) { m.Parts[0].SHA256 = "zz" },
	} {
		bad, _ := ParseManifest(js)
		mut(bad)
		js2, _ := bad.Marshal()
		if _, err := ParseManifest(js2); err == nil {
			t.Errorf("%s: inconsistent manifest accepted", name)
		}
	}
}

func TestOrderedHasherOutOfOrder(t *testing.T) {
	data := randBytes(1<<20, 5)
	const ps = 4096
	parts, _ := PlanParts(int64(len(data)), ps)
	const window = 12
	pool := make(chan []byte, window)
	for range window {
		pool <- make([]byte, ps)
	}
	mh, sh := md5.New(), sha256.New()
	o := newOrderedHasher(window, func(b []byte) { pool <- b[:cap(b)] }, mh, sh)
	// Workers take indexes in order but finish in random order, as the
	// engine's do; the pool bounds the reorder window.
	var next, wg = make(chan int, len(parts)), sync.WaitGroup{}
	for _, p := range parts {
		next <- p.Index
	}
	close(next)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 9))
			for {
				b := <-pool
				i, ok := <-next
				if !ok {
					pool <- b
					return
				}
				p := parts[i]
				copy(b, data[p.Offset:p.End()])
				for range r.IntN(50) {
					_ = r.Uint64() // vary completion order a little
				}
				o.submit(i, b[:p.Length])
			}
		}()
	}
	wg.Wait()
	if !o.finish(len(parts)) {
		t.Fatal("not all parts hashed")
	}
	wantM, wantS := md5.Sum(data), sha256.Sum256(data)
	if !equalSum(mh, wantM[:]) || !equalSum(sh, wantS[:]) {
		t.Fatal("digests differ from sequential hashing")
	}
}

func equalSum(h hash.Hash, want []byte) bool {
	return hex.EncodeToString(h.Sum(nil)) == hex.EncodeToString(want)
}

// crcTable is the independent hash/crc64 reference the engine is checked against.
var crcTable = crc64.MakeTable(crc64.ECMA)
