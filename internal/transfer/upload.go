package transfer

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/alidr/terraform-provider-alidr/internal/crc64ecma"
)

// MinUploadPartSize is the OSS minimum for every part but the last.
const MinUploadPartSize int64 = 100 << 10

// partSource fills b with part p's bytes.
type partSource func(ctx context.Context, p Part, b []byte) error

// Upload sends srcPath to bucket/key as a multipart upload: each part
// carries Content-MD5 and its returned CRC64 is checked; an unfinished
// upload of the same key is resumed (parts already there with the same
// size and MD5 are kept, found via ListParts); the object's CRC64 after
// Complete must equal the combined local one.
func Upload(ctx context.Context, bucket *oss.Bucket, key, srcPath string, opts Options) (*Result, error) {
	opts = opts.withDefaults()
	f, err := os.Open(srcPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	src := func(_ context.Context, p Part, b []byte) error {
		_, err := f.ReadAt(b, p.Offset)
		return err
	}
	return multipartPut(ctx, bucket, key, st.Size(), src, opts, "upload")
}

func multipartPut(ctx context.Context, bucket *oss.Bucket, key string, size int64, src partSource, opts Options, op string) (*Result, error) {
	start := time.Now()
	oerr := func(err error) error { return &ObjectError{Bucket: bucket.BucketName, Key: key, Op: op, Err: err} }
	ps, err := ChoosePartSize(size, opts.PartSize)
	if err != nil {
		return nil, oerr(err)
	}
	if ps < MinUploadPartSize && size > ps {
		return nil, oerr(fmt.Errorf("part size %d is below the OSS minimum of %d", ps, MinUploadPartSize))
	}
	parts, _ := PlanParts(size, ps)
	if len(parts) == 0 {
		parts = []Part{{Index: 0}} // an empty object is one empty part
	}
	imur, existing, superseded, err := findOrInitUpload(ctx, bucket, key, opts.NoResume)
	if err != nil {
		return nil, oerr(err)
	}
	u := &uploader{bucket: bucket, imur: imur, opts: opts, parts: parts, existing: existing, src: src,
		sums: make([]partSum, len(parts)), etags: make([]string, len(parts)), partSHA: opts.PartSHA256}
	var hs []hash.Hash
	if opts.MD5 {
		hs = append(hs, md5.New())
	}
	if opts.SHA256 {
		hs = append(hs, sha256.New())
	}
	nbuf := opts.Workers
	if len(hs) > 0 {
		nbuf += 4
	}
	u.bufs = make(chan []byte, nbuf)
	for range nbuf {
		u.bufs <- nil // allocated on first use
	}
	if len(hs) > 0 {
		u.hasher = newOrderedHasher(nbuf, func(b []byte) { u.bufs <- b[:cap(b)] }, hs...)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	u.cancel = cancel
	stopProgress := startProgress(opts, size, &u.done, &u.moved)
	var wg sync.WaitGroup
	for range min(opts.Workers, len(parts)) {
		wg.Add(1)
		go func() { defer wg.Done(); u.worker(ctx, ps) }()
	}
	wg.Wait()
	stopProgress()
	if u.hasher != nil {
		u.hasher.finish(len(parts))
	}
	if u.err != nil {
		return nil, oerr(fmt.Errorf("%w (upload %s kept for resume)", u.err, imur.UploadID))
	}
	var crc uint64
	up := make([]oss.UploadPart, len(parts))
	for i, p := range parts {
		crc = CRC64Combine(crc, u.sums[i].crc, p.Length)
		up[i] = oss.UploadPart{PartNumber: i + 1, ETag: u.etags[i]}
	}
	var hdr http.Header
	cres, err := bucket.CompleteMultipartUpload(imur, up, oss.WithContext(ctx), oss.GetResponseHeader(&hdr))
	if err != nil {
		return nil, oerr(fmt.Errorf("complete: %w", err))
	}
	// Older unfinished uploads of this key were left by runs this one
	// superseded; no rerun would pick them, and OSS bills their parts.
	for _, old := range superseded {
		_ = bucket.AbortMultipartUpload(old, oss.WithContext(ctx)) // best effort: a later run retries
	}
	got := hdr.Get("X-Oss-Hash-Crc64ecma")
	if got == "" { // not every OSS answers Complete with the CRC; ask
		h, err := bucket.GetObjectDetailedMeta(key, oss.WithContext(ctx))
		if err != nil {
			return nil, oerr(fmt.Errorf("head after complete: %w", err))
		}
		got = h.Get("X-Oss-Hash-Crc64ecma")
	}
	res := &Result{Bucket: bucket.BucketName, Key: key, Size: size, ETag: cres.ETag, CRC64: crc,
		Parts: len(parts), PartsFetched: int(u.sent.Load()), PartsResumed: int(u.reused.Load()), Retries: int(u.retries.Load())}
	if got != "" {
		if got != FormatCRC64(crc) {
			return nil, oerr(fmt.Errorf("crc64 after complete is %s, local data has %d", got, crc))
		}
		res.CRC64Verified = true
	}
	if u.hasher != nil {
		for _, h := range hs {
			if h.Size() == sha256.Size {
				res.SHA256 = hex.EncodeToString(h.Sum(nil))
			} else {
				res.MD5 = hex.EncodeToString(h.Sum(nil))
			}
		}
	}
	m := &Manifest{Version: ManifestVersion, Bucket: bucket.BucketName, Key: key, ETag: cres.ETag, Size: size, PartSize: ps,
		CRC64: FormatCRC64(crc), MD5: res.MD5, SHA256: res.SHA256}
	if size > 0 {
		for i, p := range parts {
			m.Parts = append(m.Parts, ManifestPart{Index: i, Offset: p.Offset, Length: p.Length, CRC64: FormatCRC64(u.sums[i].crc), SHA256: u.sums[i].sha})
		}
	}
	res.Manifest = m
	res.Duration = time.Since(start)
	return res, nil
}

// findOrInitUpload resumes the newest unfinished upload of key, returning
// its parts by number, or starts a new one. It also returns the older
// unfinished uploads of key, to abort once this one completes.
func findOrInitUpload(ctx context.Context, bucket *oss.Bucket, key string, noResume bool) (imur oss.InitiateMultipartUploadResult, parts map[int]oss.UploadedPart, older []oss.InitiateMultipartUploadResult, err error) {
	if !noResume {
		var all []oss.UncompletedUpload
		keyMarker, idMarker := "", ""
		for {
			lr, err := bucket.ListMultipartUploads(oss.WithContext(ctx), oss.Prefix(key), oss.KeyMarker(keyMarker), oss.UploadIDMarker(idMarker))
			if err != nil {
				return imur, nil, nil, fmt.Errorf("list uploads: %w", err)
			}
			for _, u := range lr.Uploads {
				if u.Key == key {
					all = append(all, u)
				}
			}
			if !lr.IsTruncated {
				break
			}
			keyMarker, idMarker = lr.NextKeyMarker, lr.NextUploadIDMarker
		}
		if len(all) > 0 {
			sort.SliceStable(all, func(i, j int) bool { return all[i].Initiated.After(all[j].Initiated) })
			for _, u := range all[1:] {
				older = append(older, oss.InitiateMultipartUploadResult{Bucket: bucket.BucketName, Key: key, UploadID: u.UploadID})
			}
			imur = oss.InitiateMultipartUploadResult{Bucket: bucket.BucketName, Key: key, UploadID: all[0].UploadID}
			parts = map[int]oss.UploadedPart{}
			marker := 0
			for {
				lp, err := bucket.ListUploadedParts(imur, oss.WithContext(ctx), oss.PartNumberMarker(marker))
				if err != nil {
					return oss.InitiateMultipartUploadResult{}, nil, nil, fmt.Errorf("list parts: %w", err)
				}
				for _, p := range lp.UploadedParts {
					parts[p.PartNumber] = p
				}
				if !lp.IsTruncated || lp.NextPartNumberMarker == "" {
					break
				}
				if _, err := fmt.Sscan(lp.NextPartNumberMarker, &marker); err != nil {
					break
				}
			}
			return imur, parts, older, nil
		}
	}
	imur, err = bucket.InitiateMultipartUpload(key, oss.WithContext(ctx))
	if err != nil {
		return imur, nil, nil, fmt.Errorf("initiate: %w", err)
	}
	return imur, map[int]oss.UploadedPart{}, nil, nil
}

type uploader struct {
	bucket   *oss.Bucket
	imur     oss.InitiateMultipartUploadResult
	opts     Options
	parts    []Part
	existing map[int]oss.UploadedPart
	src      partSource
	sums     []partSum
	etags    []string
	partSHA  bool
	bufs     chan []byte
	hasher   *orderedHasher
	next     atomic.Int64
	sent     atomic.Int64
	reused   atomic.Int64
	retries  atomic.Int64
	done     atomic.Int64 // bytes in place (sent or reused)
	moved    atomic.Int64 // bytes sent in this run
	errOnce  sync.Once
	err      error
	cancel   context.CancelFunc
}

func (u *uploader) fail(err error) {
	u.errOnce.Do(func() { u.err = err; u.cancel() })
	if u.hasher != nil {
		u.hasher.fail()
	}
}

func (u *uploader) worker(ctx context.Context, ps int64) {
	for {
		var b []byte
		select {
		case b = <-u.bufs:
		case <-ctx.Done():
			return
		}
		if b == nil {
			b = make([]byte, ps)
		}
		i := int(u.next.Add(1) - 1)
		if i >= len(u.parts) || ctx.Err() != nil {
			u.bufs <- b
			return
		}
		p := u.parts[i]
		data := b[:p.Length]
		if err := u.src(ctx, p, data); err != nil {
			u.bufs <- b
			u.fail(fmt.Errorf("read part %d: %w", i, err))
			return
		}
		md := md5.Sum(data)
		s := partSum{crc: crc64ecma.Update(0, data)}
		if u.partSHA {
			h := sha256.Sum256(data)
			s.sha = hex.EncodeToString(h[:])
		}
		etag := `"` + strings.ToUpper(hex.EncodeToString(md[:])) + `"`
		if ex, ok := u.existing[i+1]; ok && int64(ex.Size) == p.Length && strings.EqualFold(ex.ETag, etag) {
			u.reused.Add(1)
		} else if err := u.sendPart(ctx, i, data, md[:], s.crc); err != nil {
			u.bufs <- b
			u.fail(err)
			return
		} else {
			u.moved.Add(p.Length)
		}
		u.done.Add(p.Length)
		u.sums[i], u.etags[i] = s, etag
		if u.hasher != nil {
			u.hasher.submit(i, data)
		} else {
			u.bufs <- b
		}
	}
}

// sendPart uploads one part with Content-MD5, retrying transient errors
// and CRC mismatches.
func (u *uploader) sendPart(ctx context.Context, i int, data, md []byte, crc uint64) error {
	u.sent.Add(1)
	for attempt := 1; ; attempt++ {
		var hdr http.Header
		_, err := u.bucket.UploadPart(u.imur, bytes.NewReader(data), int64(len(data)), i+1,
			oss.WithContext(ctx), oss.ContentMD5(base64.StdEncoding.EncodeToString(md)), oss.GetResponseHeader(&hdr))
		if err == nil {
			if got := hdr.Get("X-Oss-Hash-Crc64ecma"); got != "" && got != FormatCRC64(crc) {
				err = fmt.Errorf("part %d stored with crc64 %s, sent %d", i, got, crc)
			} else {
				return nil
			}
		}
		if isFatalUpload(err) || ctx.Err() != nil {
			return fmt.Errorf("part %d: %w", i, err)
		}
		if attempt >= u.opts.MaxAttempts {
			return fmt.Errorf("part %d failed after %d attempts: %w", i, attempt, err)
		}
		u.retries.Add(1)
		if err := u.opts.Sleep(ctx, u.opts.backoff(attempt)); err != nil {
			return err
		}
	}
}

// isFatalUpload is isFatal except that a digest mismatch (the body was
// damaged on the way) is worth sending again.
func isFatalUpload(err error) bool {
	var se oss.ServiceError
	if errors.As(err, &se) && (se.Code == "InvalidDigest" || se.Code == "BadDigest" || se.Code == "RequestTimeout") {
		return false
	}
	return isFatal(err)
}
