package cloud

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/alidr/terraform-provider-alidr/internal/crc64ecma"
)

// OSS object helpers used by verification runs: HEAD for the stored
// CRC64, bounded reads of small objects (manifests) and report uploads.

// CheckedObject is what a HEAD returns that checks need.
type CheckedObject struct {
	Size  int64
	ETag  string
	CRC64 string // x-oss-hash-crc64ecma; "" when OSS keeps none
}

// IsObjectNotFound reports a missing object or bucket, also for HEAD
// errors, which carry no XML body (only a 404 status).
func IsObjectNotFound(err error) bool {
	return IsNotFound(err) || isMissing(err, KindOSSObject) || ErrorCode(err) == "" && httpStatus(err) == http.StatusNotFound
}

func objectNotFound(region, bucket, key string, err error) error {
	if IsObjectNotFound(err) {
		return fmt.Errorf("%w: %w", &NotFoundError{Kind: KindOSSObject, ID: "oss://" + bucket + "/" + key, Region: region}, err)
	}
	return err
}

// HeadCheckedObject reads an object's size, ETag and CRC64.
func (c *Client) HeadCheckedObject(ctx context.Context, region, bucket, key string) (CheckedObject, error) {
	b, err := c.Bucket(region, bucket)
	if err != nil {
		return CheckedObject{}, err
	}
	var h http.Header
	err = c.RetryOSS(ctx, "HeadObject oss://"+bucket+"/"+key, func() error {
		var err error
		h, err = b.GetObjectDetailedMeta(key, oss.WithContext(ctx))
		return err
	})
	if err != nil {
		return CheckedObject{}, objectNotFound(region, bucket, key, err)
	}
	size, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64)
	if err != nil {
		return CheckedObject{}, fmt.Errorf("HEAD oss://%s/%s: bad Content-Length %q", bucket, key, h.Get("Content-Length"))
	}
	return CheckedObject{Size: size, ETag: h.Get("ETag"), CRC64: h.Get("X-Oss-Hash-Crc64ecma")}, nil
}

// smallObjectCRCAttempts bounds re-reads of an object whose bytes did not
// match the CRC64 OSS keeps for it (corrupted in transit).
const smallObjectCRCAttempts = 3

// ReadSmallObject reads a whole object of at most limit bytes, checking it
// against the CRC64 OSS keeps for it and reading again when they differ.
func (c *Client) ReadSmallObject(ctx context.Context, region, bucket, key string, limit int64) ([]byte, error) {
	b, err := c.Bucket(region, bucket)
	if err != nil {
		return nil, err
	}
	var data []byte
	what := "oss://" + bucket + "/" + key
	for attempt := 1; ; attempt++ {
		var server string
		var got uint64
		err = c.RetryOSS(ctx, "GetObject "+what, func() error {
			res, err := b.DoGetObject(&oss.GetObjectRequest{ObjectKey: key}, []oss.Option{oss.WithContext(ctx)})
			if err != nil {
				return err
			}
			defer res.Response.Close()
			data, err = io.ReadAll(io.LimitReader(res.Response.Body, limit+1))
			server = res.Response.Headers.Get("X-Oss-Hash-Crc64ecma")
			got = crc64ecma.Checksum(data)
			return err
		})
		if err != nil {
			return nil, objectNotFound(region, bucket, key, err)
		}
		if int64(len(data)) > limit {
			return nil, fmt.Errorf("%s is larger than %d bytes", what, limit)
		}
		if server == "" || server == strconv.FormatUint(got, 10) {
			return data, nil
		}
		if attempt >= smallObjectCRCAttempts {
			return nil, fmt.Errorf("%s: the bytes read have CRC64 %d but OSS keeps %s, %d times in a row", what, got, server, attempt)
		}
	}
}

// PutSmallObject uploads data as one object.
func (c *Client) PutSmallObject(ctx context.Context, region, bucket, key string, data []byte, contentType string) error {
	b, err := c.Bucket(region, bucket)
	if err != nil {
		return err
	}
	return c.RetryOSS(ctx, "PutObject oss://"+bucket+"/"+key, func() error {
		return b.PutObject(key, bytes.NewReader(data), oss.WithContext(ctx), oss.ContentType(contentType))
	})
}
