package transfer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// Result describes a finished transfer. Digests are lowercase hex; MD5 and
// SHA256 are empty unless requested.
type Result struct {
	Bucket, Key string
	Size        int64
	ETag        string
	CRC64       uint64
	// CRC64Verified is false only when OSS sent no x-oss-hash-crc64ecma.
	CRC64Verified bool
	MD5, SHA256   string
	Parts         int
	// PartsFetched counts part fetches over the network in this run,
	// PartsResumed parts taken from a previous run's journal.
	PartsFetched, PartsResumed int
	Retries                    int
	// Repaired lists parts re-fetched after a whole-object CRC mismatch.
	Repaired []int
	Duration time.Duration
	Manifest *Manifest
}

// JournalSuffix and PartialSuffix name the files kept next to destPath
// while a download is incomplete.
const (
	JournalSuffix = ".alidr-journal"
	PartialSuffix = ".alidr-partial"
)

// Download fetches bucket/key to destPath with parallel ranged GETs pinned
// to the ETag seen by a first HEAD, verifying CRC64-ECMA (and MD5/SHA-256
// when asked) in one pass. The data goes to destPath+PartialSuffix and is
// renamed on success; an interrupted run resumes from the journal.
func Download(ctx context.Context, bucket *oss.Bucket, key, destPath string, opts Options) (*Result, error) {
	opts = opts.withDefaults()
	start := time.Now()
	e, err := headEngine(ctx, bucket, key, opts)
	if err != nil {
		return nil, err
	}
	partial := destPath + PartialSuffix
	jpath := opts.JournalPath
	if jpath == "" {
		jpath = destPath + JournalSuffix
	}
	e.file, e.journal, e.resumed, err = openPartial(partial, jpath, e.id, e.parts, opts.NoResume)
	if err != nil {
		return nil, e.objErr("download", err)
	}
	closeAll := func() {
		if e.journal != nil {
			e.journal.Close()
		}
		e.file.Close()
	}
	e.run(ctx)
	if err := e.finishErr(ctx); err != nil {
		closeAll()
		if errors.Is(err, ErrObjectChanged) {
			// Nothing of this version is worth keeping.
			os.Remove(jpath)
			os.Remove(partial)
		}
		return nil, e.objErr("download", err)
	}
	res, err := e.finish(ctx, true)
	if err != nil {
		closeAll()
		return nil, e.objErr("download", err)
	}
	if opts.Durable {
		if err := e.syncData(); err != nil {
			closeAll()
			return nil, e.objErr("download", err)
		}
	}
	closeAll()
	if err := os.Rename(partial, destPath); err != nil {
		return nil, e.objErr("download", err)
	}
	if opts.Durable && !opts.NoSync {
		syncDir(filepath.Dir(destPath))
	}
	os.Remove(jpath)
	res.Duration = time.Since(start)
	return res, nil
}

// headEngine reads bucket/key's identity with a HEAD and returns an engine
// pinned to it.
func headEngine(ctx context.Context, bucket *oss.Bucket, key string, opts Options) (*engine, error) {
	id, crc, hasCRC, err := head(ctx, bucket, key, opts)
	if err != nil {
		return nil, err
	}
	e, err := newEngine(bucket, key, opts, id, crc, hasCRC)
	if err != nil {
		return nil, e0(bucket, key, err)
	}
	return e, nil
}

// Verify streams bucket/key through the same ranged-part machinery without
// writing anything and returns its CRC64 (checked against OSS), the
// requested digests and a manifest.
func Verify(ctx context.Context, bucket *oss.Bucket, key string, opts Options) (*Result, error) {
	opts = opts.withDefaults()
	start := time.Now()
	e, err := headEngine(ctx, bucket, key, opts)
	if err != nil {
		return nil, err
	}
	e.run(ctx)
	if err := e.finishErr(ctx); err != nil {
		return nil, e.objErr("verify", err)
	}
	res, err := e.finish(ctx, false)
	if err != nil {
		return nil, e.objErr("verify", err)
	}
	res.Duration = time.Since(start)
	return res, nil
}

func e0(bucket *oss.Bucket, key string, err error) error {
	return &ObjectError{Bucket: bucket.BucketName, Key: key, Op: "plan", Err: err}
}

// finishErr turns a failed pass into one error.
func (e *engine) finishErr(ctx context.Context) error {
	if e.fatalErr != nil {
		if e.hasher != nil {
			e.hasher.finish(len(e.parts))
		}
		return e.fatalErr
	}
	if n, first := e.firstFailure(); n > 0 {
		if e.hasher != nil {
			e.hasher.finish(len(e.parts))
		}
		return fmt.Errorf("%d of %d parts failed (finished parts are kept for resume); first: %w", n, len(e.parts), first)
	}
	if err := ctx.Err(); err != nil {
		if e.hasher != nil {
			e.hasher.finish(len(e.parts))
		}
		return err
	}
	return nil
}

// finish checks the combined CRC (repairing corrupted parts when needed)
// and completes digests and manifest.
func (e *engine) finish(ctx context.Context, haveFile bool) (*Result, error) {
	hashesOK := true
	if e.hasher != nil {
		hashesOK = e.hasher.finish(len(e.parts))
	}
	res := &Result{
		Bucket: e.id.Bucket, Key: e.key, Size: e.id.Size, ETag: e.id.ETag,
		Parts: len(e.parts), PartsResumed: int(e.fromLocal.Load()),
		CRC64Verified: e.hasCRC,
	}
	crc := e.combined()
	if e.hasCRC && crc != e.serverCRC {
		var err error
		// A part was corrupted without the transport noticing; find it by
		// reading every part again.
		for round := 0; crc != e.serverCRC && round < e.opts.MaxAttempts; round++ {
			var changed []int
			if changed, err = e.settle(ctx, haveFile); err != nil {
				return nil, err
			}
			res.Repaired = append(res.Repaired, changed...)
			crc = e.combined()
		}
		if crc != e.serverCRC {
			return nil, fmt.Errorf("crc64 mismatch: computed %d, OSS says %d", crc, e.serverCRC)
		}
		if haveFile && e.journal != nil && len(res.Repaired) > 0 {
			if err := e.syncData(); err != nil {
				return nil, err
			}
			for _, i := range res.Repaired {
				p := e.parts[i]
				if err := e.journal.Append(Record{Index: i, Offset: p.Offset, Length: p.Length, CRC64: e.sums[i].crc, SHA256: e.sums[i].sha}); err != nil {
					return nil, err
				}
			}
		}
		hashesOK = hashesOK && len(res.Repaired) == 0
	}
	res.CRC64 = crc
	if e.hasher != nil {
		if hashesOK {
			res.MD5, res.SHA256 = e.digests()
		} else {
			// Rare path: digests saw corrupted bytes; recompute them now that
			// every part's CRC is known good.
			var err error
			if res.MD5, res.SHA256, err = e.rehash(ctx, haveFile); err != nil {
				return nil, err
			}
		}
	}
	res.PartsFetched = int(e.netParts.Load())
	res.Retries = int(e.retries.Load())
	res.Manifest = e.manifest(res)
	return res, nil
}

func (e *engine) digests() (md5hex, shahex string) {
	for _, h := range e.hasher.hashes {
		if h.Size() == sha256.Size {
			shahex = hex.EncodeToString(h.Sum(nil))
		} else {
			md5hex = hex.EncodeToString(h.Sum(nil))
		}
	}
	return
}

// rehash recomputes whole-object digests from the local file, or for Verify
// by streaming again with the now-known part CRCs enforced.
func (e *engine) rehash(ctx context.Context, haveFile bool) (string, string, error) {
	var hs []hash.Hash
	if e.opts.MD5 {
		hs = append(hs, newMD5())
	}
	if e.opts.SHA256 {
		hs = append(hs, sha256.New())
	}
	if haveFile {
		w := io.MultiWriter(func() []io.Writer {
			ws := make([]io.Writer, len(hs))
			for i, h := range hs {
				ws[i] = h
			}
			return ws
		}()...)
		if _, err := io.Copy(w, io.NewSectionReader(e.file, 0, e.id.Size)); err != nil {
			return "", "", err
		}
		e.hasher = &orderedHasher{hashes: hs}
		m, s := e.digests()
		return m, s, nil
	}
	again, err := newEngine(e.bucket, e.key, e.opts, e.id, e.serverCRC, e.hasCRC)
	if err != nil {
		return "", "", err
	}
	again.expect = make([]uint64, len(e.parts))
	again.expSHA = make([]string, len(e.parts))
	for i := range e.parts {
		again.expect[i] = e.sums[i].crc
	}
	again.run(ctx)
	if err := again.finishErr(ctx); err != nil {
		return "", "", err
	}
	if !again.hasher.finish(len(e.parts)) {
		return "", "", errors.New("digest pass incomplete")
	}
	copy(e.sums, again.sums)
	e.hasher = again.hasher
	m, s := e.digests()
	return m, s, nil
}

func (e *engine) manifest(res *Result) *Manifest {
	m := &Manifest{
		Version: ManifestVersion, Bucket: e.id.Bucket, Key: e.key, ETag: e.id.ETag,
		Size: e.id.Size, PartSize: e.id.PartSize, CRC64: FormatCRC64(res.CRC64),
		MD5: res.MD5, SHA256: res.SHA256, Parts: make([]ManifestPart, len(e.parts)),
	}
	for i, p := range e.parts {
		m.Parts[i] = ManifestPart{Index: i, Offset: p.Offset, Length: p.Length, CRC64: FormatCRC64(e.sums[i].crc), SHA256: e.sums[i].sha}
	}
	return m
}

// openPartial opens (or creates and preallocates) the partial file and its
// journal. A journal is only trusted together with the partial file it
// describes; otherwise both start over.
func openPartial(partial, jpath string, id Identity, parts []Part, noResume bool) (*os.File, *Journal, map[int]Record, error) {
	_, statErr := os.Stat(partial)
	f, err := os.OpenFile(partial, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, nil, nil, err
	}
	var j *Journal
	recs := map[int]Record{}
	if !noResume {
		if statErr != nil {
			os.Remove(jpath) // a journal without its data file is worthless
		}
		if j, recs, err = OpenJournal(jpath, id, parts); err != nil {
			f.Close()
			return nil, nil, nil, err
		}
	}
	if len(recs) == 0 {
		if err := f.Truncate(0); err != nil {
			f.Close()
			return nil, nil, nil, err
		}
	}
	if err := preallocate(f, id.Size); err != nil {
		f.Close()
		return nil, nil, nil, err
	}
	return f, j, recs, nil
}

func (e *engine) syncData() error {
	if e.opts.NoSync {
		return nil
	}
	return syncData(e.file)
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // best effort: not every file system syncs directories
		_ = d.Close()
	}
}

// VerifySample fetches percent of the manifest's parts (at least one) from
// bucket/key, pinned to the manifest's ETag, and checks their CRC64 and
// SHA-256. It returns the first mismatch or error.
func VerifySample(ctx context.Context, bucket *oss.Bucket, key string, m *Manifest, percent float64) error {
	return verifySample(ctx, bucket, key, m, percent, Options{}, nil)
}

func verifySample(ctx context.Context, bucket *oss.Bucket, key string, m *Manifest, percent float64, opts Options, rnd *rand.Rand) error {
	if err := m.Validate(); err != nil {
		return err
	}
	opts = opts.withDefaults()
	opts.PartSize = m.PartSize
	opts.MD5, opts.SHA256 = false, false
	opts.PartSHA256 = len(m.Parts) > 0 && m.Parts[0].SHA256 != ""
	id := Identity{Bucket: bucket.BucketName, Key: key, Size: m.Size, ETag: m.ETag, PartSize: m.PartSize}
	if id.ETag == "" {
		h, _, _, err := head(ctx, bucket, key, opts)
		if err != nil {
			return err
		}
		id.ETag = h.ETag
	}
	e, err := newEngine(bucket, key, opts, id, 0, false)
	if err != nil {
		return e0(bucket, key, err)
	}
	buf := make([]byte, m.PartSize)
	for _, i := range m.SampleParts(percent, rnd) {
		p, mp := e.parts[i], m.Parts[i]
		// Bytes damaged in transit would look like a damaged object; only a
		// mismatch that persists over three reads is reported.
		var mismatch bool
		for range 3 {
			s, err := e.fetchPart(ctx, p, buf[:p.Length], nil, nil)
			if err != nil {
				return e.objErr("verify sample", err)
			}
			if mismatch = FormatCRC64(s.crc) != mp.CRC64 || (mp.SHA256 != "" && s.sha != mp.SHA256); !mismatch {
				break
			}
		}
		if mismatch {
			return e.objErr("verify sample", fmt.Errorf("%w: part %d (bytes %d-%d)", ErrPartMismatch, i, p.Offset, p.End()-1))
		}
	}
	return nil
}
