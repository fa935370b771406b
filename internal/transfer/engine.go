package transfer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/alidr/terraform-provider-alidr/internal/crc64ecma"
)

// readChunk is how much is read from the body between hash updates and
// file writes: small enough that the bytes are still in cache when hashed
// and copied to the page cache. With 256 KiB, download rounds on the test
// VM were bimodal (every few rounds ~1 s more system CPU per GiB); 64 KiB
// was steady and fastest (make bench, 32/64/256 KiB compared).
const readChunk = 64 << 10

// partSum is what is known about one part's bytes.
type partSum struct {
	crc uint64
	sha string // hex; empty when not computed
}

// engine runs one pass of ranged part GETs for Download and Verify.
type engine struct {
	bucket *oss.Bucket
	key    string
	opts   Options
	id     Identity
	// serverCRC is x-oss-hash-crc64ecma; hasCRC false when absent.
	serverCRC uint64
	hasCRC    bool
	parts     []Part
	partSHA   bool

	file    *os.File       // nil when verifying
	journal *Journal       // nil without resume
	resumed map[int]Record // from the journal
	expect  []uint64       // per-part CRC to enforce, or nil
	expSHA  []string       // per-part SHA-256 to enforce, or nil
	sums    []partSum      // filled as parts finish
	failed  []error        // per part, non-nil when it gave up
	hasher  *orderedHasher // nil without whole-object hashes
	bufs    chan []byte    // pool: (workers + 4) buffers of part size
	nbufs   atomic.Int32   // buffers allocated so far
	maxBufs int32          //
	slots   chan struct{}  // bounds parts in flight
	// Finished parts wait in pending for the committer's next sync.
	// abandoned, set once a run has succeeded, stops journaling: the
	// journal is about to be deleted. jmu guards both and the appends.
	jmu       sync.Mutex
	pending   []Record
	abandoned bool
	next      atomic.Int64 // next part index to dispatch

	done      atomic.Int64 // bytes present
	fetched   atomic.Int64 // bytes received over the network this run
	retries   atomic.Int64
	netParts  atomic.Int64 // parts fetched from OSS
	fromLocal atomic.Int64 // parts resumed from the local file

	fatalOnce sync.Once
	fatalErr  error
	cancel    context.CancelFunc
}

// head pins the object: size, ETag, Last-Modified and server CRC. A
// transient failure (throttling, 5xx, network) is retried like a part.
func head(ctx context.Context, bucket *oss.Bucket, key string, opts Options) (Identity, uint64, bool, error) {
	var h http.Header
	for attempt := 1; ; attempt++ {
		var err error
		if h, err = bucket.GetObjectDetailedMeta(key, oss.WithContext(ctx)); err == nil {
			break
		}
		if isFatal(err) || ctx.Err() != nil || attempt >= opts.MaxAttempts {
			return Identity{}, 0, false, &ObjectError{Bucket: bucket.BucketName, Key: key, Op: "head", Err: err}
		}
		if serr := opts.Sleep(ctx, opts.backoff(attempt)); serr != nil {
			return Identity{}, 0, false, &ObjectError{Bucket: bucket.BucketName, Key: key, Op: "head", Err: serr}
		}
	}
	size, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64)
	if err != nil {
		return Identity{}, 0, false, &ObjectError{Bucket: bucket.BucketName, Key: key, Op: "head", Err: fmt.Errorf("bad Content-Length %q", h.Get("Content-Length"))}
	}
	id := Identity{
		Bucket: bucket.BucketName, Key: key, Size: size,
		ETag: h.Get("ETag"), LastModified: h.Get("Last-Modified"), CRC64: h.Get("X-Oss-Hash-Crc64ecma"),
	}
	if id.ETag == "" {
		return Identity{}, 0, false, &ObjectError{Bucket: bucket.BucketName, Key: key, Op: "head", Err: errors.New("no ETag to pin the object version")}
	}
	var crc uint64
	has := id.CRC64 != ""
	if has {
		if crc, err = ParseCRC64(id.CRC64); err != nil {
			return Identity{}, 0, false, &ObjectError{Bucket: bucket.BucketName, Key: key, Op: "head", Err: fmt.Errorf("bad x-oss-hash-crc64ecma %q", id.CRC64)}
		}
	}
	return id, crc, has, nil
}

func newEngine(bucket *oss.Bucket, key string, opts Options, id Identity, serverCRC uint64, hasCRC bool) (*engine, error) {
	ps, err := ChoosePartSize(id.Size, opts.PartSize)
	if err != nil {
		return nil, err
	}
	id.PartSize = ps
	parts, err := PlanParts(id.Size, ps)
	if err != nil {
		return nil, err
	}
	e := &engine{
		bucket: bucket, key: key, opts: opts, id: id, serverCRC: serverCRC, hasCRC: hasCRC,
		parts: parts, partSHA: opts.PartSHA256,
		sums: make([]partSum, len(parts)), failed: make([]error, len(parts)),
		maxBufs: int32(opts.Workers + 4),
		slots:   make(chan struct{}, opts.Workers),
	}
	e.bufs = make(chan []byte, e.maxBufs)
	if m := opts.Expected; m != nil {
		if err := m.Validate(); err != nil {
			return nil, err
		}
		if m.Size != id.Size || m.PartSize != ps {
			return nil, fmt.Errorf("expected manifest has size %d part size %d, object has %d/%d", m.Size, m.PartSize, id.Size, ps)
		}
		e.expect = make([]uint64, len(parts))
		e.expSHA = make([]string, len(parts))
		for i, p := range m.Parts {
			if e.expect[i], err = ParseCRC64(p.CRC64); err != nil {
				return nil, fmt.Errorf("expected manifest part %d: bad crc64", i)
			}
			e.expSHA[i] = p.SHA256
		}
	}
	return e, nil
}

func (e *engine) getBuf(ctx context.Context) ([]byte, error) {
	select {
	case b := <-e.bufs:
		return b, nil
	default:
	}
	if n := e.nbufs.Add(1); n <= e.maxBufs {
		return make([]byte, e.id.PartSize), nil
	}
	select {
	case b := <-e.bufs:
		return b, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (e *engine) putBuf(b []byte) { e.bufs <- b[:cap(b)] }

func (e *engine) releaseSlot() { <-e.slots }

func (e *engine) setFatal(err error) {
	e.fatalOnce.Do(func() {
		e.fatalErr = err
		e.cancel()
	})
}

// run fetches (or resumes) every part once with opts.Workers workers.
func (e *engine) run(ctx context.Context) {
	ctx, e.cancel = context.WithCancel(ctx)
	defer e.cancel()
	var hs []hash.Hash
	if e.opts.MD5 {
		hs = append(hs, newMD5())
	}
	if e.opts.SHA256 {
		hs = append(hs, sha256.New())
	}
	if len(hs) > 0 {
		e.hasher = newOrderedHasher(int(e.maxBufs), e.putBuf, hs...)
	}
	var committed chan struct{}
	stopCommits := make(chan struct{})
	if e.journal != nil {
		committed = make(chan struct{})
		go func() { defer close(committed); e.committer(stopCommits) }()
	}
	stopProgress := e.startProgress()
	var wg sync.WaitGroup
	for range min(e.opts.Workers, max(1, len(e.parts))) {
		wg.Add(1)
		go func() { defer wg.Done(); e.worker(ctx) }()
	}
	wg.Wait()
	if committed != nil {
		// After a success the journal is deleted: do not wait for the disk
		// to catch up with records nobody will read (a sync still running
		// finishes in the background). After an interruption, journal
		// everything written so a rerun resumes from it.
		e.jmu.Lock()
		n, _ := e.firstFailure()
		e.abandoned = n == 0 && e.fatalErr == nil && ctx.Err() == nil && !e.opts.Durable
		abandoned := e.abandoned
		e.jmu.Unlock()
		close(stopCommits)
		if !abandoned {
			<-committed
		}
	}
	stopProgress()
}

func (e *engine) worker(ctx context.Context) {
	// Bytes go to the file chunk by chunk while still in cache. A whole-part
	// buffer from the pool is only needed when in-order hashes read the
	// part later.
	scratch := make([]byte, readChunk)
	for {
		select {
		case e.slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		var buf []byte
		if e.hasher != nil {
			var err error
			if buf, err = e.getBuf(ctx); err != nil {
				e.releaseSlot()
				return
			}
		}
		i := int(e.next.Add(1) - 1)
		if i >= len(e.parts) || ctx.Err() != nil {
			if buf != nil {
				e.putBuf(buf)
			}
			e.releaseSlot()
			return
		}
		e.runPart(ctx, i, buf, scratch)
	}
}

// runPart resumes or fetches part i. buf is a part-sized buffer when the
// bytes must be kept for in-order hashing, else nil.
func (e *engine) runPart(ctx context.Context, i int, buf, scratch []byte) {
	p := e.parts[i]
	var keep []byte
	if buf != nil {
		keep = buf[:p.Length]
	}
	if rec, ok := e.resumed[i]; ok && e.file != nil {
		// Read back what the journal vouches for: it also feeds the
		// in-order hashes and catches a damaged local copy.
		if s, err := e.readLocal(p, keep, scratch); err == nil &&
			s.crc == rec.CRC64 && (rec.SHA256 == "" || s.sha == "" || s.sha == rec.SHA256) {
			e.sums[i] = s
			e.fromLocal.Add(1)
			e.done.Add(p.Length)
			e.deliver(i, keep)
			e.releaseSlot()
			return
		}
	}
	s, err := e.fetchPart(ctx, p, keep, scratch, e.file)
	if err != nil {
		e.failed[i] = err
		if e.hasher != nil {
			e.hasher.fail()
		}
		if buf != nil {
			e.putBuf(buf)
		}
		e.releaseSlot()
		if isFatal(err) {
			e.setFatal(err)
		}
		return
	}
	e.sums[i] = s
	e.deliver(i, keep)
	if e.journal != nil {
		e.jmu.Lock()
		e.pending = append(e.pending, Record{Index: i, Offset: p.Offset, Length: p.Length, CRC64: s.crc, SHA256: s.sha})
		e.jmu.Unlock()
	}
	e.releaseSlot()
}

// readLocal checksums part p from the partial file, into keep when given.
func (e *engine) readLocal(p Part, keep, scratch []byte) (partSum, error) {
	if keep != nil {
		if _, err := e.file.ReadAt(keep, p.Offset); err != nil {
			return partSum{}, err
		}
		return e.sum(keep), nil
	}
	var sh hash.Hash
	if e.partSHA {
		sh = sha256.New()
	}
	var crc uint64
	for off := int64(0); off < p.Length; {
		c := scratch[:min(int64(len(scratch)), p.Length-off)]
		if _, err := e.file.ReadAt(c, p.Offset+off); err != nil {
			return partSum{}, err
		}
		crc = crc64ecma.Update(crc, c)
		if sh != nil {
			sh.Write(c)
		}
		off += int64(len(c))
	}
	s := partSum{crc: crc}
	if sh != nil {
		s.sha = hex.EncodeToString(sh.Sum(nil))
	}
	return s, nil
}

func (l *localError) Error() string { return "local write: " + l.err.Error() }
func (l *localError) Unwrap() error { return l.err }

func (e *engine) firstFailure() (int, error) {
	n := 0
	var first error
	for _, err := range e.failed {
		if err != nil {
			if first == nil {
				first = err
			}
			n++
		}
	}
	return n, first
}

func (e *engine) startProgress() func() {
	return startProgress(e.opts, e.id.Size, &e.done, &e.fetched)
}
