package transfer

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
)

// settle re-fetches every part after a whole-object CRC mismatch and keeps,
// per part, the first value seen on any two reads (the stored one counts as
// a read), within MaxAttempts re-reads. Only the digests of earlier reads are
// kept: the read that matches one holds the agreed bytes. It returns the
// indexes whose bytes changed.
func (e *engine) settle(ctx context.Context, write bool) ([]int, error) {
	var (
		mu      sync.Mutex
		changed []int
		firstEr error
		next    atomic.Int64
		wg      sync.WaitGroup
	)
	for range min(e.opts.Workers, len(e.parts)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// The pass is over, so the pool's buffers are free to reuse.
			buf, err := e.getBuf(ctx)
			if err != nil {
				return
			}
			defer e.putBuf(buf)
			for {
				i := int(next.Add(1) - 1)
				if i >= len(e.parts) || ctx.Err() != nil {
					return
				}
				p := e.parts[i]
				b := buf[:p.Length]
				seen := []uint64{e.sums[i].crc}
				var err error
				for try := 0; ; try++ {
					var s partSum
					if s, err = e.fetchPart(ctx, p, b, nil, nil); err != nil {
						break
					}
					if slices.Contains(seen, s.crc) {
						if s.crc != e.sums[i].crc {
							if write {
								if _, err = e.file.WriteAt(b, p.Offset); err != nil {
									break
								}
							}
							e.sums[i] = s
							mu.Lock()
							changed = append(changed, i)
							mu.Unlock()
						}
						break
					}
					if try >= e.opts.MaxAttempts {
						err = fmt.Errorf("part %d: no two of %d reads agree", i, len(seen)+1)
						break
					}
					seen = append(seen, s.crc)
				}
				if err != nil {
					mu.Lock()
					if firstEr == nil {
						firstEr = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return changed, firstEr
}
