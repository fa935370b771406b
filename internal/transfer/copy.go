package transfer

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// Copy copies src/srcKey to dst/dstKey. Within one bucket OSS copies the
// parts itself (UploadPartCopy pinned to the source ETag); across buckets
// the parts stream through this process: ranged GETs pinned to the source
// ETag, uploaded with Content-MD5, so nothing touches the disk and an
// unfinished copy resumes like an Upload. Either way the destination's
// CRC64 must equal the source's.
func Copy(ctx context.Context, src *oss.Bucket, srcKey string, dst *oss.Bucket, dstKey string, opts Options) (*Result, error) {
	opts = opts.withDefaults()
	id, crc, hasCRC, err := head(ctx, src, srcKey, opts)
	if err != nil {
		return nil, err
	}
	if src.BucketName == dst.BucketName && src.Client.Config.Endpoint == dst.Client.Config.Endpoint {
		return serverSideCopy(ctx, src, srcKey, dstKey, id, crc, hasCRC, opts)
	}
	e, err := newEngine(src, srcKey, opts, id, crc, hasCRC)
	if err != nil {
		return nil, e0(src, srcKey, err)
	}
	opts.PartSize = e.id.PartSize
	if opts.PartSize < MinUploadPartSize && id.Size > opts.PartSize {
		return nil, e0(src, srcKey, fmt.Errorf("part size %d is below the OSS minimum of %d", opts.PartSize, MinUploadPartSize))
	}
	source := func(ctx context.Context, p Part, b []byte) error {
		_, err := e.fetchPart(ctx, p, b, nil, nil)
		return err
	}
	res, err := multipartPut(ctx, dst, dstKey, id.Size, source, opts, "copy")
	if err != nil {
		return nil, err
	}
	if hasCRC && res.CRC64 != crc {
		return nil, &ObjectError{Bucket: dst.BucketName, Key: dstKey, Op: "copy",
			Err: fmt.Errorf("copied bytes have crc64 %d, source oss://%s/%s has %d (corrupted in transit; rerun to replace the bad parts)", res.CRC64, src.BucketName, srcKey, crc)}
	}
	res.Retries += int(e.retries.Load())
	return res, nil
}

func serverSideCopy(ctx context.Context, b *oss.Bucket, srcKey, dstKey string, id Identity, crc uint64, hasCRC bool, opts Options) (*Result, error) {
	start := time.Now()
	oerr := func(err error) error { return &ObjectError{Bucket: b.BucketName, Key: dstKey, Op: "copy", Err: err} }
	ps, err := ChoosePartSize(id.Size, opts.PartSize)
	if err != nil {
		return nil, oerr(err)
	}
	parts, _ := PlanParts(id.Size, ps)
	if len(parts) == 0 {
		parts = []Part{{}}
	}
	imur, err := b.InitiateMultipartUpload(dstKey, oss.WithContext(ctx))
	if err != nil {
		return nil, oerr(fmt.Errorf("initiate: %w", err))
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64
		retries  atomic.Int64
		once     sync.Once
		firstErr error
		wg       sync.WaitGroup
		done     = make([]oss.UploadPart, len(parts))
	)
	for range min(opts.Workers, len(parts)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(parts) || ctx.Err() != nil {
					return
				}
				p := parts[i]
				for attempt := 1; ; attempt++ {
					up, err := b.UploadPartCopy(imur, b.BucketName, srcKey, p.Offset, p.Length, i+1,
						oss.WithContext(ctx), oss.CopySourceIfMatch(id.ETag))
					if err == nil {
						done[i] = up
						break
					}
					err = wrapServiceError(err)
					if isFatal(err) || attempt >= opts.MaxAttempts || ctx.Err() != nil {
						once.Do(func() { firstErr = fmt.Errorf("part %d: %w", i, err); cancel() })
						return
					}
					retries.Add(1)
					if opts.Sleep(ctx, opts.backoff(attempt)) != nil {
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		_ = b.AbortMultipartUpload(imur) // best effort: firstErr is what the caller needs
		return nil, oerr(firstErr)
	}
	sort.Slice(done, func(i, j int) bool { return done[i].PartNumber < done[j].PartNumber })
	var hdr http.Header
	cres, err := b.CompleteMultipartUpload(imur, done, oss.WithContext(ctx), oss.GetResponseHeader(&hdr))
	if err != nil {
		return nil, oerr(fmt.Errorf("complete: %w", err))
	}
	got := hdr.Get("X-Oss-Hash-Crc64ecma")
	if got == "" {
		h, err := b.GetObjectDetailedMeta(dstKey, oss.WithContext(ctx))
		if err != nil {
			return nil, oerr(err)
		}
		got = h.Get("X-Oss-Hash-Crc64ecma")
	}
	res := &Result{Bucket: b.BucketName, Key: dstKey, Size: id.Size, ETag: cres.ETag, CRC64: crc,
		Parts: len(parts), PartsFetched: len(parts), Retries: int(retries.Load()), Duration: time.Since(start)}
	if hasCRC && got != "" {
		if got != FormatCRC64(crc) {
			return nil, oerr(fmt.Errorf("crc64 of the copy is %s, source has %d", got, crc))
		}
		res.CRC64Verified = true
	}
	return res, nil
}
