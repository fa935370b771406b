package transfer

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/alidr/terraform-provider-alidr/internal/crc64ecma"
)

// deliver hands a finished part to the in-order hashes.
func (e *engine) deliver(i int, b []byte) {
	if e.hasher != nil {
		e.hasher.submit(i, b)
	}
}

func (e *engine) sum(b []byte) partSum {
	s := partSum{crc: crc64ecma.Update(0, b)}
	if e.partSHA {
		h := sha256.Sum256(b)
		s.sha = hex.EncodeToString(h[:])
	}
	return s
}

// committer journals finished parts in groups: every CommitInterval one
// fdatasync of the data file covers every part written meanwhile, then
// their records are appended. A record is thus never ahead of its data,
// and the workers never wait for the disk: on a disk slower than the
// network the journal trails by about one interval (a crash re-fetches
// those parts too) instead of the transfer slowing to disk speed.
func (e *engine) committer(stop <-chan struct{}) {
	tick := time.NewTicker(e.opts.CommitInterval)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			e.commit()
		case <-stop:
			e.commit()
			return
		}
	}
}

func (e *engine) commit() {
	e.jmu.Lock()
	batch := e.pending
	e.pending = nil
	abandoned := e.abandoned
	e.jmu.Unlock()
	if len(batch) == 0 || abandoned {
		return
	}
	var err error
	if !e.opts.NoSync {
		err = syncData(e.file)
	}
	e.jmu.Lock()
	defer e.jmu.Unlock()
	if e.abandoned {
		return
	}
	if err == nil {
		err = e.journal.Append(batch...)
	}
	if err != nil {
		e.setFatal(fmt.Errorf("journal: %w", err))
	}
}

// combined is the CRC64 of the whole object from the part CRCs.
func (e *engine) combined() uint64 {
	var c uint64
	for i, p := range e.parts {
		c = CRC64Combine(c, e.sums[i].crc, p.Length)
	}
	return c
}
