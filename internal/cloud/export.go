package cloud

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/alidr/terraform-provider-alidr/internal/transfer"
)

// ExportImageInput is where ExportImage writes an image.
type ExportImageInput struct {
	Bucket string // in the image's region, owned by the account
	Prefix string // at most 30 characters
	Format string // raw | vhd | qcow2
	// RoleName is the RAM role ECS assumes to write to OSS; empty means
	// AliyunECSImageExportDefaultRole.
	RoleName string
}

// ExportImage starts exporting a custom image of region to OSS and returns
// the task id (see WaitExportTask). ExportImage has no ClientToken.
func (c *Client) ExportImage(ctx context.Context, region, imageID string, in ExportImageInput) (string, error) {
	req := ecs.CreateExportImageRequest()
	req.ImageId = imageID
	req.OSSBucket = in.Bucket
	req.OSSPrefix = in.Prefix
	req.ImageFormat = in.Format
	req.RoleName = in.RoleName
	resp := ecs.CreateExportImageResponse()
	if err := c.DoECS(ctx, region, req, resp); err != nil {
		if ErrorCode(err) == "NoSetRoletoECSServiceAcount" {
			return "", fmt.Errorf("%w\n\nAuthorize ECS to write to OSS: create the RAM role AliyunECSImageExportDefaultRole "+
				"(one click in the ECS console's image export dialog) and apply again", err)
		}
		return "", err
	}
	return resp.TaskId, nil
}

// WaitExportTask waits for an asynchronous ECS task (DescribeTaskAttribute)
// to finish. Failed or Cancelled is an error.
func (c *Client) WaitExportTask(ctx context.Context, region, taskID, what string, timeout time.Duration) error {
	misses := 0
	return Wait(ctx, what, timeout, WaitOptions{}, func(ctx context.Context) (bool, string, error) {
		req := ecs.CreateDescribeTaskAttributeRequest()
		req.TaskId = taskID
		resp := ecs.CreateDescribeTaskAttributeResponse()
		err := c.DoECS(ctx, region, req, resp)
		if isMissing(err, KindTask) && misses < notFoundGrace {
			misses++
			return false, "not visible yet", nil
		}
		if err != nil {
			return false, "", err
		}
		switch resp.TaskStatus {
		case "Finished":
			return true, "100%", nil
		case "Failed", "Cancelled", "Deleted":
			return false, "", fmt.Errorf("task %s (%s) in %s ended %s: check that the bucket exists in %s and ECS may write to it, then apply again",
				taskID, resp.TaskAction, region, resp.TaskStatus, region)
		}
		return false, resp.TaskProcess, nil
	})
}

// CancelExportTask cancels an export task still running (CancelTask); a
// task that is gone or already finished is success.
func (c *Client) CancelExportTask(ctx context.Context, region, taskID string) error {
	req := ecs.CreateCancelTaskRequest()
	req.TaskId = taskID
	err := c.DoECS(ctx, region, req, ecs.CreateCancelTaskResponse())
	if err == nil || isMissing(err, KindTask) || strings.HasPrefix(ErrorCode(err), "IncorrectTaskStatus") {
		return nil
	}
	return err
}

// ExportObjectHead is what a HEAD of an OSS object says.
type ExportObjectHead struct {
	ETag  string
	CRC64 string
	Size  int64
}

// HeadExportObject returns an object's ETag, CRC64 and size; a missing object is
// a *NotFoundError.
func (c *Client) HeadExportObject(ctx context.Context, region, bucket, key string) (*ExportObjectHead, error) {
	b, err := c.Bucket(region, bucket)
	if err != nil {
		return nil, err
	}
	var h http.Header
	err = c.RetryOSS(ctx, "HeadObject", func() error {
		var err error
		h, err = b.GetObjectDetailedMeta(key, oss.WithContext(ctx))
		return err
	})
	if err != nil {
		if IsObjectNotFound(err) {
			return nil, &NotFoundError{Kind: KindOSSObject, ID: "oss://" + bucket + "/" + key, Region: region}
		}
		return nil, err
	}
	size, _ := strconv.ParseInt(h.Get("Content-Length"), 10, 64)
	return &ExportObjectHead{ETag: strings.Trim(h.Get("ETag"), `"`), CRC64: h.Get("X-Oss-Hash-Crc64ecma"), Size: size}, nil
}

// ExportChecksumOptions selects the digests ChecksumExport computes besides the
// CRC64 (always computed and checked against OSS).
type ExportChecksumOptions struct {
	MD5, SHA256 bool
}

// ChecksumExport streams an object once through the transfer engine and
// returns its CRC64, the requested digests and a manifest with per-part
// CRC64 and SHA-256. Progress is logged at INFO.
func (c *Client) ChecksumExport(ctx context.Context, region, bucket, key string, o ExportChecksumOptions) (*transfer.Result, error) {
	b, err := c.Bucket(region, bucket)
	if err != nil {
		return nil, err
	}
	what := "oss://" + bucket + "/" + key
	res, err := transfer.Verify(ctx, b, key, transfer.Options{
		MD5: o.MD5, SHA256: o.SHA256, PartSHA256: true,
		ProgressInterval: 10 * time.Second,
		Progress: func(p transfer.Progress) {
			pct := 100.0
			if p.Total > 0 {
				pct = float64(p.Done) * 100 / float64(p.Total)
			}
			tflog.Info(ctx, "checksumming exported image", map[string]any{
				"object": what, "region": region, "percent": fmt.Sprintf("%.0f", pct), "bytes": p.Done, "total": p.Total,
			})
		},
	})
	if err != nil {
		return nil, fmt.Errorf("checksumming %s: %w", what, err)
	}
	return res, nil
}

// PutExportManifest writes a manifest object (JSON) to bucket/key.
func (c *Client) PutExportManifest(ctx context.Context, region, bucket, key string, m *transfer.Manifest) error {
	data, err := m.Marshal()
	if err != nil {
		return err
	}
	b, err := c.Bucket(region, bucket)
	if err != nil {
		return err
	}
	return c.RetryOSS(ctx, "PutObject "+key, func() error {
		return b.PutObject(key, bytes.NewReader(data), oss.WithContext(ctx), oss.ContentType("application/json"))
	})
}

// GetExportManifest reads a manifest object written by PutExportManifest.
func (c *Client) GetExportManifest(ctx context.Context, region, bucket, key string) (*transfer.Manifest, error) {
	b, err := c.Bucket(region, bucket)
	if err != nil {
		return nil, err
	}
	var data []byte
	err = c.RetryOSS(ctx, "GetObject "+key, func() error {
		r, err := b.GetObject(key, oss.WithContext(ctx))
		if err != nil {
			return err
		}
		defer r.Close()
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(r); err != nil {
			return err
		}
		data = buf.Bytes()
		return nil
	})
	if err != nil {
		if IsObjectNotFound(err) {
			return nil, &NotFoundError{Kind: KindOSSObject, ID: "oss://" + bucket + "/" + key, Region: region}
		}
		return nil, err
	}
	m, err := transfer.ParseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("oss://%s/%s: %w: %v", bucket, key, ErrBadManifest, err)
	}
	return m, nil
}

// ErrBadManifest marks a manifest object that does not parse or is not
// consistent.
var ErrBadManifest = errors.New("invalid manifest")

// ListExportObjects lists the keys of bucket starting with prefix, sorted.
func (c *Client) ListExportObjects(ctx context.Context, region, bucket, prefix string) ([]string, error) {
	b, err := c.Bucket(region, bucket)
	if err != nil {
		return nil, err
	}
	var keys []string
	marker := ""
	for {
		var res oss.ListObjectsResult
		err := c.RetryOSS(ctx, "ListObjects "+prefix, func() error {
			var err error
			res, err = b.ListObjects(oss.Prefix(prefix), oss.Marker(marker), oss.MaxKeys(1000), oss.WithContext(ctx))
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, o := range res.Objects {
			keys = append(keys, o.Key)
		}
		if !res.IsTruncated {
			return keys, nil
		}
		marker = res.NextMarker
	}
}

// DeleteExportObjects deletes every object of bucket whose key starts
// with prefix. A missing bucket is success.
func (c *Client) DeleteExportObjects(ctx context.Context, region, bucket, prefix string) error {
	if prefix == "" {
		return fmt.Errorf("refusing to delete a whole bucket: empty prefix")
	}
	b, err := c.Bucket(region, bucket)
	if err != nil {
		return err
	}
	marker := ""
	for {
		var res oss.ListObjectsResult
		err := c.RetryOSS(ctx, "ListObjects "+prefix, func() error {
			var err error
			res, err = b.ListObjects(oss.Prefix(prefix), oss.Marker(marker), oss.MaxKeys(1000), oss.WithContext(ctx))
			return err
		})
		if err != nil {
			if ErrorCode(err) == "NoSuchBucket" {
				return nil
			}
			return err
		}
		for _, o := range res.Objects {
			key := o.Key
			if err := c.RetryOSS(ctx, "DeleteObject "+key, func() error { return b.DeleteObject(key, oss.WithContext(ctx)) }); err != nil && !IsObjectNotFound(err) {
				return err
			}
		}
		if !res.IsTruncated {
			return nil
		}
		marker = res.NextMarker
	}
}
