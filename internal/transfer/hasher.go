package transfer

import (
	"hash"
	"sync"
	"sync/atomic"
)

// orderedHasher feeds parts that arrive in any order to whole-object hashes
// in index order. It never buffers more than the caller's buffer pool holds
// (the reorder window); each hash runs in its own goroutine so MD5 and
// SHA-256 use separate cores.
type orderedHasher struct {
	mu      sync.Mutex
	next    int
	pending map[int]*chunk
	failed  bool
	release func([]byte)
	outs    []chan *chunk
	wg      sync.WaitGroup
	hashes  []hash.Hash
}

type chunk struct {
	b    []byte
	refs atomic.Int32
}

// newOrderedHasher starts one goroutine per hash. window bounds the chunks
// in flight to the hashes; it must be at least the number of buffers that
// can be submitted so submit never blocks while holding the lock.
func newOrderedHasher(window int, release func([]byte), hs ...hash.Hash) *orderedHasher {
	o := &orderedHasher{pending: map[int]*chunk{}, release: release, hashes: hs}
	for _, h := range hs {
		ch := make(chan *chunk, window)
		o.outs = append(o.outs, ch)
		o.wg.Add(1)
		go func(h hash.Hash) {
			defer o.wg.Done()
			for c := range ch {
				h.Write(c.b)
				if c.refs.Add(-1) == 0 {
					o.release(c.b)
				}
			}
		}(h)
	}
	return o
}

// submit hands over part i's bytes; the hasher releases b when done.
func (o *orderedHasher) submit(i int, b []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.failed || i < o.next {
		o.release(b)
		return
	}
	o.pending[i] = &chunk{b: b}
	for {
		c, ok := o.pending[o.next]
		if !ok {
			return
		}
		delete(o.pending, o.next)
		o.next++
		c.refs.Store(int32(len(o.outs)))
		for _, ch := range o.outs {
			ch <- c
		}
	}
}

// fail gives up on in-order hashing (a part is lost) and frees what it holds
// so the remaining parts can still be fetched and journaled.
func (o *orderedHasher) fail() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.failed = true
	for i, c := range o.pending {
		o.release(c.b)
		delete(o.pending, i)
	}
}

// finish waits for the hashes and reports whether all n parts went through.
func (o *orderedHasher) finish(n int) bool {
	o.mu.Lock()
	for _, ch := range o.outs {
		close(ch)
	}
	ok := !o.failed && o.next == n
	o.mu.Unlock()
	o.wg.Wait()
	return ok
}
