package emulator

import (
	"crypto/md5"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/alidr/terraform-provider-alidr/internal/crc64ecma"
)

// crc64Combine returns the CRC of A||B from crc(A), crc(B) and len(B), in
// O(log len) without touching the data (zlib's crc32_combine for 64 bits).
// Multipart objects get their CRC from their parts' CRCs this way.
func crc64Combine(crc1, crc2 uint64, len2 int64) uint64 {
	if len2 <= 0 {
		return crc1
	}
	return gf2MultModP(x2nModP(len2, 3), crc1) ^ crc2
}

// crcPoly is the reflected ECMA-182 polynomial.
const crcPoly = 0xC96C5795D7870F42

var crcX2N = func() (t [64]uint64) {
	p := uint64(1) << 62 // x^1
	t[0] = p
	for n := 1; n < 64; n++ {
		p = gf2MultModP(p, p)
		t[n] = p
	}
	return t
}()

// gf2MultModP multiplies a and b modulo the CRC polynomial (reflected bits).
func gf2MultModP(a, b uint64) uint64 {
	m := uint64(1) << 63
	var p uint64
	for {
		if a&m != 0 {
			p ^= b
			if a&(m-1) == 0 {
				break
			}
		}
		m >>= 1
		if b&1 != 0 {
			b = (b >> 1) ^ crcPoly
		} else {
			b >>= 1
		}
	}
	return p
}

// x2nModP is x^(n * 2^k) modulo the polynomial.
func x2nModP(n int64, k uint) uint64 {
	p := uint64(1) << 63 // x^0
	for n != 0 {
		if n&1 != 0 {
			p = gf2MultModP(crcX2N[k&63], p)
		}
		n >>= 1
		k++
	}
	return p
}

// blob is the immutable data of an object: one or more files on disk (a
// multipart object keeps its part files instead of concatenating them).
// refs counts holders: the object table and every reader in flight, so
// overwriting or deleting an object never pulls a file from under a GET.
type blob struct {
	segs []segment
	offs []int64 // start offset of each segment
	size int64
	refs atomic.Int64
}

type segment struct {
	path string
	size int64
}

func newBlob(segs []segment) *blob {
	b := &blob{segs: segs, offs: make([]int64, len(segs))}
	for i, s := range segs {
		b.offs[i] = b.size
		b.size += s.size
	}
	b.refs.Store(1)
	return b
}

// acquire must be called while the caller knows another reference is held
// (under the service lock with the object still in its table).
func (b *blob) acquire() { b.refs.Add(1) }

// release drops one reference and removes the files with the last one.
func (b *blob) release() {
	if b.refs.Add(-1) == 0 {
		for _, s := range b.segs {
			_ = os.Remove(s.path)
		}
	}
}

// copyRange writes bytes [off, off+n) to w. Plain *os.File + LimitReader
// lets net/http use sendfile on the fast path.
func (b *blob) copyRange(w io.Writer, off, n int64) error {
	i := sort.Search(len(b.offs), func(i int) bool { return b.offs[i] > off }) - 1
	for ; n > 0 && i >= 0 && i < len(b.segs); i++ {
		seg := b.segs[i]
		segOff := off - b.offs[i]
		chunk := min(seg.size-segOff, n)
		if chunk <= 0 {
			continue
		}
		if _, err := copyFileRange(w, seg.path, segOff, chunk); err != nil {
			return err
		}
		off += chunk
		n -= chunk
	}
	if n > 0 {
		return io.ErrUnexpectedEOF
	}
	return nil
}

func copyFileRange(w io.Writer, path string, off, n int64) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	if _, ok := w.(io.ReaderFrom); ok {
		return io.Copy(w, io.LimitReader(f, n))
	}
	buf := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(buf)
	return io.CopyBuffer(w, io.LimitReader(f, n), *buf)
}

// copyBufs are 1 MiB buffers for disk <-> network copies.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

// store places object data under dir: files are written to tmp/ and
// renamed into data/ once complete.
type store struct {
	dir string
	seq atomic.Uint64
}

func newStore(dir string) (*store, error) {
	// Metadata lives in memory, so data left by an earlier run is garbage.
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	for _, d := range []string{"tmp", "data"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			return nil, err
		}
	}
	return &store{dir: dir}, nil
}

func (st *store) name() string { return fmt.Sprintf("%016x", st.seq.Add(1)) }

// written is what streaming a body to disk produced.
type written struct {
	seg segment
	md5 []byte
	crc uint64
}

// write streams r to a new data file, hashing on the way; nothing is held
// in memory beyond a copy buffer.
func (st *store) write(r io.Reader) (written, error) {
	name := st.name()
	tmp := filepath.Join(st.dir, "tmp", name)
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return written{}, err
	}
	md := md5.New()
	crc := crc64ecma.New()
	buf := copyBufs.Get().(*[]byte)
	n, err := io.CopyBuffer(io.MultiWriter(f, md, crc), r, *buf)
	copyBufs.Put(buf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(tmp)
		return written{}, err
	}
	final := filepath.Join(st.dir, "data", name)
	if err := os.Rename(tmp, final); err != nil {
		_ = os.Remove(tmp)
		return written{}, err
	}
	return written{seg: segment{path: final, size: n}, md5: md.Sum(nil), crc: crc.Sum64()}, nil
}

// link gives a copy of a blob its own files: hard links when the file system
// allows (data files are immutable), else a byte copy.
func (st *store) link(b *blob) (*blob, error) {
	segs := make([]segment, 0, len(b.segs))
	fail := func(err error) (*blob, error) {
		for _, s := range segs {
			_ = os.Remove(s.path)
		}
		return nil, err
	}
	for _, s := range b.segs {
		dst := filepath.Join(st.dir, "data", st.name())
		if err := os.Link(s.path, dst); err != nil {
			src, err := os.Open(s.path)
			if err != nil {
				return fail(err)
			}
			w, err := st.write(src)
			src.Close()
			if err != nil {
				return fail(err)
			}
			dst = w.seg.path
		}
		segs = append(segs, segment{path: dst, size: s.size})
	}
	return newBlob(segs), nil
}

// rangeReader streams bytes [off, off+n) of b.
func (b *blob) rangeReader(off, n int64) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		err := b.copyRange(pw, off, n)
		pw.CloseWithError(err)
	}()
	return pr
}
