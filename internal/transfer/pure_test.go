package transfer

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"hash/crc64"
	"math/rand/v2"
	"net/http"
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

func TestRangeAndContentRange(t *testing.T) {
	if h := RangeHeader(10, 5); h != "bytes=10-14" {
		t.Fatalf("RangeHeader = %q", h)
	}
	s, e, err := ParseRange("bytes=10-14")
	if err != nil || s != 10 || e != 14 {
		t.Fatalf("ParseRange = %d %d %v", s, e, err)
	}
	for _, bad := range []string{"10-14", "bytes=14-10", "bytes=1-2,3-4", "bytes=-5", "bytes=a-b", "bytes=5-"} {
		if _, _, err := ParseRange(bad); err == nil {
			t.Errorf("ParseRange(%q) accepted", bad)
		}
	}
	hdr := func(cr, cl string) http.Header {
		h := http.Header{}
		h.Set("Content-Range", cr)
		if cl != "" {
			h.Set("Content-Length", cl)
		}
		return h
	}
	if err := CheckRangeResponse(206, hdr("bytes 10-14/100", "5"), 10, 5, 100); err != nil {
		t.Fatalf("valid response rejected: %v", err)
	}
	if err := CheckRangeResponse(206, hdr("bytes 10-14/*", ""), 10, 5, 100); err != nil {
		t.Fatalf("unknown total rejected: %v", err)
	}
	bad := []struct {
		status int
		h      http.Header
	}{
		{200, hdr("bytes 10-14/100", "5")},   // whole object instead of range
		{206, hdr("bytes 11-15/100", "5")},   // shifted
		{206, hdr("bytes 10-13/100", "4")},   // short
		{206, hdr("bytes 10-14/101", "5")},   // other object size
		{206, hdr("bytes 10-14/100", "6")},   // length disagrees
		{206, hdr("", "5")},                  // missing
		{206, hdr("bytes 10-140/100", "5")},  // past the end
		{206, hdr("items 10-14/100", "5")},   // unit
		{206, hdr("bytes 10-14/100x", "5")},  // junk
		{206, hdr("bytes -10-14/100", "5")},  // sign
		{206, hdr("bytes 10--14/100", "5")},  // sign
		{206, hdr("bytes 10-14/+100", "5")},  // sign
		{206, hdr("bytes 10-14/100", "+5")},  // sign
		{206, hdr("bytes 10-14/100", "5 6")}, // junk
	}
	for _, b := range bad {
		if err := CheckRangeResponse(b.status, b.h, 10, 5, 100); err == nil {
			t.Errorf("accepted status %d %v", b.status, b.h)
		}
	}
}

func FuzzParseContentRange(f *testing.F) {
	f.Add("bytes 0-9/10")
	f.Add("bytes 5-5/*")
	f.Fuzz(func(t *testing.T, s string) {
		cr, err := ParseContentRange(s)
		if err != nil {
			return
		}
		if cr.First < 0 || cr.Last < cr.First || (cr.Total >= 0 && cr.Last >= cr.Total) || cr.Total < -1 {
			t.Fatalf("%q parsed to inconsistent %+v", s, cr)
		}
	})
}

func FuzzParseRange(f *testing.F) {
	f.Add("bytes=0-9")
	f.Fuzz(func(t *testing.T, s string) {
		a, b, err := ParseRange(s)
		if err != nil {
			return
		}
		if a < 0 || b < a {
			t.Fatalf("%q parsed to %d-%d", s, a, b)
		}
		if a2, b2, err := ParseRange(RangeHeader(a, b-a+1)); err != nil || a2 != a || b2 != b {
			t.Fatalf("round trip of %q failed", s)
		}
	})
}

func testIdentity() Identity {
	return Identity{Bucket: "b", Key: "k", Size: 25, ETag: `"E"`, LastModified: "lm", CRC64: "1", PartSize: 10}
}

func TestJournalRoundTripAndMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j")
	parts, _ := PlanParts(25, 10)
	j, recs, err := OpenJournal(path, testIdentity(), parts)
	if err != nil || len(recs) != 0 {
		t.Fatalf("open: %v %v", recs, err)
	}
	if err := j.Append(Record{Index: 2, Offset: 20, Length: 5, CRC64: 7}, Record{Index: 0, Offset: 0, Length: 10, CRC64: 9, SHA256: "ab"}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode())
	}
	j, recs, err = OpenJournal(path, testIdentity(), parts)
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	if len(recs) != 2 || recs[2].CRC64 != 7 || recs[0].SHA256 != "ab" {
		t.Fatalf("records %+v", recs)
	}
}

func TestJournalCorruptTailTruncated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j")
	parts, _ := PlanParts(25, 10)
	j, _, _ := OpenJournal(path, testIdentity(), parts)
	if err := j.Append(Record{Index: 0, Offset: 0, Length: 10, CRC64: 1}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	good, _ := os.ReadFile(path)

	for name, tail := range map[string]string{
		"partial line":    `{"i":1,"o":10,"n":10,"crc":2`,
		"bad checksum":    `{"i":1,"o":10,"n":10,"crc":2} 00000000` + "\n",
		"wrong geometry":  string(mustLine(t, Record{Index: 1, Offset: 11, Length: 10, CRC64: 2})),
		"index too large": string(mustLine(t, Record{Index: 3, Offset: 30, Length: 10, CRC64: 2})),
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(path, append(append([]byte{}, good...), tail...), 0o600); err != nil {
				t.Fatal(err)
			}
			j, recs, err := OpenJournal(path, testIdentity(), parts)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 1 || recs[0].CRC64 != 1 {
				t.Fatalf("records %+v", recs)
			}
			// New records must follow the good prefix, not the garbage.
			if err := j.Append(Record{Index: 2, Offset: 20, Length: 5, CRC64: 3}); err != nil {
				t.Fatal(err)
			}
			j.Close()
			j, recs, _ = OpenJournal(path, testIdentity(), parts)
			j.Close()
			if len(recs) != 2 || recs[2].CRC64 != 3 {
				t.Fatalf("after append: %+v", recs)
			}
		})
	}
}

func mustLine(t *testing.T, v any) []byte {
	l, err := encodeLine(v)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestJournalForeignIgnored(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j")
	parts, _ := PlanParts(25, 10)
	j, _, _ := OpenJournal(path, testIdentity(), parts)
	if err := j.Append(Record{Index: 0, Offset: 0, Length: 10, CRC64: 1}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	for _, mut := range []func(*Identity){
		func(id *Identity) { id.ETag = `"F"` },
		func(id *Identity) { id.LastModified = "other" },
		func(id *Identity) { id.Key = "other" },
		func(id *Identity) { id.CRC64 = "2" },
		func(id *Identity) { id.PartSize = 5 },
	} {
		id := testIdentity()
		mut(&id)
		j, recs, err := OpenJournal(path, id, parts)
		if err != nil || len(recs) != 0 {
			t.Fatalf("foreign journal used: %+v %v", recs, err)
		}
		j.Close()
	}
	// A header damaged by a crash is ignored too.
	if err := os.WriteFile(path, []byte("garbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	j, recs, err := OpenJournal(path, testIdentity(), parts)
	if err != nil || len(recs) != 0 {
		t.Fatalf("garbage journal used: %+v %v", recs, err)
	}
	j.Close()
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode not tightened: %v", st.Mode())
	}
}

func FuzzJournalParse(f *testing.F) {
	parts, _ := PlanParts(25, 10)
	hdr, _ := encodeLine(journalHeader{Version: journalVersion, ID: testIdentity()})
	rec, _ := encodeLine(Record{Index: 1, Offset: 10, Length: 10, CRC64: 5})
	f.Add(append(append([]byte{}, hdr...), rec...))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, good, ok := parseJournal(data, testIdentity(), parts)
		if !ok {
			return
		}
		if good > int64(len(data)) {
			t.Fatalf("good prefix %d beyond %d", good, len(data))
		}
		for i, r := range recs {
			if r.Index != i || parts[i].Offset != r.Offset || parts[i].Length != r.Length {
				t.Fatalf("invalid record accepted: %+v", r)
			}
		}
		// The good prefix alone must parse to the same records.
		again, good2, _ := parseJournal(data[:good], testIdentity(), parts)
		if good2 != good || len(again) != len(recs) {
			t.Fatalf("prefix not stable")
		}
	})
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

func TestJournalExclusive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j")
	parts, _ := PlanParts(25, 10)
	j, _, err := OpenJournal(path, testIdentity(), parts)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := OpenJournal(path, testIdentity(), parts); !errors.Is(err, ErrBusy) {
		t.Fatalf("second open: %v", err)
	}
	j.Close()
	j, _, err = OpenJournal(path, testIdentity(), parts)
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	j.Close()
}

// crcTable is the independent hash/crc64 reference the engine is checked against.
var crcTable = crc64.MakeTable(crc64.ECMA)
