package transfer

import (
	"bufio"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
)

// NewZstdWriter compresses everything written to it into w; Close flushes
// the frame (it does not close w).
func NewZstdWriter(w io.Writer, level zstd.EncoderLevel) (io.WriteCloser, error) {
	return zstd.NewWriter(w, zstd.WithEncoderLevel(level))
}

// NewZstdReader decompresses r. Close releases the decoder.
func NewZstdReader(r io.Reader) (io.ReadCloser, error) {
	d, err := zstd.NewReader(r)
	if err != nil {
		return nil, err
	}
	return d.IOReadCloser(), nil
}

// Encrypted stream format: a header, then chunks sealed independently with
// AES-256-GCM so a reader can check each on arrival with bounded memory.
//
//	header: magic "ALDRGCM1" | chunk size (uint32 BE) | nonce prefix (4 random bytes)
//	chunk i: GCM(plaintext[i]) || tag, nonce = prefix || uint64 BE i
//	AAD:    header || len(objectID) (uint32 BE) || objectID || uint64 BE i || last (0/1)
//
// The chunk index in nonce and AAD detects reordering; the last flag
// detects truncation at a chunk boundary and appended data; the object id
// stops a chunk or stream being replayed under another object; the header
// in the AAD protects the chunk size and prefix.
const (
	gcmMagic = "ALDRGCM1"
	gcmHdr   = len(gcmMagic) + 4 + 4
	// DefaultChunkSize is the plaintext size of one encrypted chunk.
	DefaultChunkSize = 64 << 10
	maxChunkSize     = 16 << 20
)

// ErrAuth reports an encrypted stream that fails authentication: tampered,
// reordered, truncated, extended, or for another key or object.
var ErrAuth = errors.New("encrypted stream failed authentication")

type gcmStream struct {
	aead   cipher.AEAD
	header []byte
	id     []byte
	index  uint64
	nonce  [12]byte
	aad    []byte
}

func newGCMStream(key []byte, objectID string, header []byte) (*gcmStream, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("AES-256-GCM needs a 32-byte key, got %d", len(key))
	}
	blk, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(blk)
	if err != nil {
		return nil, err
	}
	s := &gcmStream{aead: aead, header: header, id: []byte(objectID)}
	copy(s.nonce[:4], header[len(gcmMagic)+4:])
	return s, nil
}

func (s *gcmStream) chunkParams(last bool) ([]byte, []byte) {
	binary.BigEndian.PutUint64(s.nonce[4:], s.index)
	s.aad = append(s.aad[:0], s.header...)
	s.aad = binary.BigEndian.AppendUint32(s.aad, uint32(len(s.id)))
	s.aad = append(s.aad, s.id...)
	s.aad = binary.BigEndian.AppendUint64(s.aad, s.index)
	if last {
		s.aad = append(s.aad, 1)
	} else {
		s.aad = append(s.aad, 0)
	}
	return s.nonce[:], s.aad
}

type encryptWriter struct {
	w      io.Writer
	s      *gcmStream
	buf    []byte
	out    []byte
	size   int
	closed bool
	err    error
}

// NewEncryptWriter encrypts into w with key (32 bytes) bound to objectID.
// chunkSize 0 means DefaultChunkSize. Close writes the final chunk; without
// it the stream is rejected as truncated.
func NewEncryptWriter(w io.Writer, key []byte, objectID string, chunkSize int) (io.WriteCloser, error) {
	if chunkSize == 0 {
		chunkSize = DefaultChunkSize
	}
	if chunkSize < 1 || chunkSize > maxChunkSize {
		return nil, fmt.Errorf("chunk size %d out of range", chunkSize)
	}
	hdr := make([]byte, gcmHdr)
	copy(hdr, gcmMagic)
	binary.BigEndian.PutUint32(hdr[len(gcmMagic):], uint32(chunkSize))
	if _, err := rand.Read(hdr[len(gcmMagic)+4:]); err != nil {
		return nil, err
	}
	s, err := newGCMStream(key, objectID, hdr)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(hdr); err != nil {
		return nil, err
	}
	return &encryptWriter{w: w, s: s, size: chunkSize, buf: make([]byte, 0, chunkSize)}, nil
}

func (e *encryptWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	if e.closed {
		return 0, errors.New("write after close")
	}
	n := 0
	for len(p) > 0 {
		// A full buffer is flushed only once more data proves it is not last.
		if len(e.buf) == e.size {
			if e.err = e.seal(false); e.err != nil {
				return n, e.err
			}
		}
		k := copy(e.buf[len(e.buf):e.size], p)
		e.buf = e.buf[:len(e.buf)+k]
		p = p[k:]
		n += k
	}
	return n, nil
}

func (e *encryptWriter) seal(last bool) error {
	if e.s.index == ^uint64(0) {
		return errors.New("too many chunks")
	}
	nonce, aad := e.s.chunkParams(last)
	e.out = e.s.aead.Seal(e.out[:0], nonce, e.buf, aad)
	e.s.index++
	e.buf = e.buf[:0]
	_, err := e.w.Write(e.out)
	return err
}

// Close seals the final chunk (possibly empty). It does not close w.
func (e *encryptWriter) Close() error {
	if e.closed {
		return e.err
	}
	e.closed = true
	if e.err == nil {
		e.err = e.seal(true)
	}
	return e.err
}

type decryptReader struct {
	r    *bufio.Reader
	s    *gcmStream
	size int
	ct   []byte
	pt   []byte
	done bool
	err  error
}

// NewDecryptReader authenticates and decrypts a stream written by
// NewEncryptWriter with the same key and objectID. Each chunk is checked
// before any of its bytes are returned; a stream that ends without its
// last chunk, or continues after it, yields ErrAuth.
func NewDecryptReader(r io.Reader, key []byte, objectID string) (io.Reader, error) {
	hdr := make([]byte, gcmHdr)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, fmt.Errorf("%w: short header", ErrAuth)
	}
	if string(hdr[:len(gcmMagic)]) != gcmMagic {
		return nil, fmt.Errorf("%w: not an encrypted stream", ErrAuth)
	}
	size := int(binary.BigEndian.Uint32(hdr[len(gcmMagic):]))
	if size < 1 || size > maxChunkSize {
		return nil, fmt.Errorf("%w: chunk size %d", ErrAuth, size)
	}
	s, err := newGCMStream(key, objectID, hdr)
	if err != nil {
		return nil, err
	}
	return &decryptReader{r: bufio.NewReaderSize(r, size+s.aead.Overhead()+1), s: s, size: size,
		ct: make([]byte, size+s.aead.Overhead())}, nil
}

func (d *decryptReader) Read(p []byte) (int, error) {
	for len(d.pt) == 0 {
		if d.err != nil {
			return 0, d.err
		}
		if d.done {
			return 0, io.EOF
		}
		d.err = d.next()
	}
	n := copy(p, d.pt)
	d.pt = d.pt[n:]
	return n, nil
}

func (d *decryptReader) next() error {
	n, err := io.ReadFull(d.r, d.ct)
	switch {
	case err == io.EOF:
		return fmt.Errorf("%w: stream ends before its last chunk", ErrAuth)
	case err == io.ErrUnexpectedEOF:
		// A short chunk can only be the last one.
	case err != nil:
		return err
	}
	last := n < len(d.ct)
	if !last {
		if _, perr := d.r.Peek(1); perr == io.EOF {
			last = true
		} else if perr != nil {
			return perr
		}
	}
	nonce, aad := d.s.chunkParams(last)
	pt, oerr := d.s.aead.Open(d.ct[:0], nonce, d.ct[:n], aad)
	if oerr != nil {
		return fmt.Errorf("%w: chunk %d", ErrAuth, d.s.index)
	}
	d.s.index++
	d.pt, d.done = pt, last
	return nil
}
