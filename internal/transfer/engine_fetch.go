package transfer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"

	"github.com/alidr/terraform-provider-alidr/internal/crc64ecma"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// fetchPart downloads part p with retries; a retry resumes after the last
// byte received. Each chunk is hashed as it arrives, kept in keep (when not
// nil, else read through scratch) and written to w at its offset (when not
// nil).
func (e *engine) fetchPart(ctx context.Context, p Part, keep, scratch []byte, w *os.File) (partSum, error) {
	if e.opts.partHook != nil {
		e.opts.partHook(p)
	}
	e.netParts.Add(1)
	var (
		got int64
		crc uint64
		sh  hash.Hash
	)
	if e.partSHA {
		sh = sha256.New()
	}
	for attempt := 1; ; attempt++ {
		n, err := e.getRange(ctx, p, got, keep, scratch, w, &crc, sh)
		got += n
		if err == nil {
			s := partSum{crc: crc}
			if sh != nil {
				s.sha = hex.EncodeToString(sh.Sum(nil))
			}
			if e.expect == nil || (s.crc == e.expect[p.Index] && (e.expSHA[p.Index] == "" || s.sha == "" || s.sha == e.expSHA[p.Index])) {
				return s, nil
			}
			// Corrupted in transit: start the part over.
			err = fmt.Errorf("%w: part %d crc64 %d, want %d", ErrPartMismatch, p.Index, s.crc, e.expect[p.Index])
			e.done.Add(-got)
			got, crc = 0, 0
			if sh != nil {
				sh.Reset()
			}
		}
		err = wrapServiceError(err)
		if isFatal(err) || ctx.Err() != nil {
			if ctx.Err() != nil && !errors.Is(err, ErrObjectChanged) {
				err = ctx.Err()
			}
			return partSum{}, fmt.Errorf("part %d (bytes %d-%d): %w", p.Index, p.Offset, p.End()-1, err)
		}
		if attempt >= e.opts.MaxAttempts {
			return partSum{}, fmt.Errorf("part %d (bytes %d-%d) failed after %d attempts: %w", p.Index, p.Offset, p.End()-1, attempt, err)
		}
		e.retries.Add(1)
		if serr := e.opts.Sleep(ctx, e.opts.backoff(attempt)); serr != nil {
			return partSum{}, fmt.Errorf("part %d: %w", p.Index, serr)
		}
	}
}

// getRange GETs part p from byte from on, pinned to the ETag, and returns
// how many valid bytes it read before any error.
func (e *engine) getRange(ctx context.Context, p Part, from int64, keep, scratch []byte, w *os.File, crc *uint64, sh hash.Hash) (int64, error) {
	need := p.Length - from
	if need <= 0 {
		return 0, nil
	}
	off := p.Offset + from
	res, err := e.bucket.DoGetObject(&oss.GetObjectRequest{ObjectKey: e.key}, []oss.Option{
		oss.WithContext(ctx),
		oss.Range(off, off+need-1),
		oss.RangeBehavior("standard"),
		oss.IfMatch(e.id.ETag),
	})
	if err != nil {
		return 0, err
	}
	resp := res.Response
	defer resp.Body.Close()
	if err := CheckRangeResponse(resp.StatusCode, resp.Headers, off, need, e.id.Size); err != nil {
		return 0, err
	}
	if et := resp.Headers.Get("ETag"); et != "" && et != e.id.ETag {
		return 0, fmt.Errorf("%w: ETag %s, pinned %s", ErrObjectChanged, et, e.id.ETag)
	}
	var got int64
	for got < need {
		var dst []byte
		if keep != nil {
			dst = keep[from+got : from+min(need, got+readChunk)]
		} else {
			dst = scratch[:min(int64(len(scratch)), need-got)]
		}
		n, err := resp.Body.Read(dst)
		if n > 0 {
			c := dst[:n]
			*crc = crc64ecma.Update(*crc, c)
			if sh != nil {
				sh.Write(c)
			}
			if w != nil {
				if _, werr := w.WriteAt(c, off+got); werr != nil {
					return got, &localError{werr}
				}
			}
			got += int64(n)
			e.done.Add(int64(n))
			e.fetched.Add(int64(n))
		}
		if err == io.EOF {
			if got < need {
				return got, fmt.Errorf("body ended after %d of %d bytes: %w", got, need, io.ErrUnexpectedEOF)
			}
			break
		}
		if err != nil {
			return got, err
		}
	}
	return got, nil
}

// localError is a failure of the local disk: retrying the network cannot fix it.
type localError struct{ err error }

func (e *engine) objErr(op string, err error) error {
	return &ObjectError{Bucket: e.id.Bucket, Key: e.key, Op: op, Err: err}
}
