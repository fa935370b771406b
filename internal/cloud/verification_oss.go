package cloud

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
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
	return err != nil && (IsNotFound(err) || httpStatus(err) == http.StatusNotFound)
}

func objectNotFound(region, bucket, key string, err error) error {
	if IsObjectNotFound(err) {
		return fmt.Errorf("%w: %v", &NotFoundError{Kind: "OSS object", ID: "oss://" + bucket + "/" + key, Region: region}, err)
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

// ReadSmallObject reads a whole object of at most limit bytes.
func (c *Client) ReadSmallObject(ctx context.Context, region, bucket, key string, limit int64) ([]byte, error) {
	b, err := c.Bucket(region, bucket)
	if err != nil {
		return nil, err
	}
	var data []byte
	err = c.RetryOSS(ctx, "GetObject oss://"+bucket+"/"+key, func() error {
		body, err := b.GetObject(key, oss.WithContext(ctx))
		if err != nil {
			return err
		}
		defer body.Close()
		data, err = io.ReadAll(io.LimitReader(body, limit+1))
		return err
	})
	if err != nil {
		return nil, objectNotFound(region, bucket, key, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("oss://%s/%s is larger than %d bytes", bucket, key, limit)
	}
	return data, nil
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
