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
	// Prefix is OSSPrefix: 1 to 30 letters and digits, "" for none.
	Prefix string
	// Format is ImageFormat (raw, vhd, qcow2, vmdk, vdi), "" for the API's
	// default (raw). ECS honours it only in some regions and exports RAW
	// elsewhere: the format produced is the one WaitExportTask reports.
	Format string
	// RoleName is the RAM role ECS assumes to write to OSS; empty means
	// AliyunECSImageExportDefaultRole.
	RoleName string
}

// ExportImage starts exporting a custom image of region to OSS and returns
// the task id (see WaitExportTask). ExportImage has no ClientToken: when
// the answer is lost, the task is looked up (FindExportTask) before the
// request is sent again.
func (c *Client) ExportImage(ctx context.Context, region, imageID string, in ExportImageInput) (string, error) {
	sent := time.Now()
	task, err := c.exportImage(ctx, region, imageID, in)
	if err == nil || !Retryable(err) || answered(err) {
		return task, err
	}
	// Service times are compared with the local clock: allow some skew.
	f := ExportTaskFilter{ImageID: imageID, Bucket: in.Bucket, Prefix: in.Prefix, Since: sent.Add(-time.Minute)}
	found, ferr := c.awaitExportTask(ctx, region, f)
	switch {
	case ferr != nil:
		return "", fmt.Errorf("%w (looking up whether the export started also failed: %w)", err, ferr)
	case found != "":
		tflog.Info(ctx, "ExportImage's answer was lost; found its task", map[string]any{"task_id": found, "image_id": imageID})
		return found, nil
	}
	tflog.Info(ctx, "ExportImage's answer was lost and no task of it appeared; sending it again", map[string]any{"image_id": imageID})
	return c.exportImage(ctx, region, imageID, in)
}

// awaitExportTask looks for a task matching f for up to the client's appear window: a
// new task may take a moment to be listed.
func (c *Client) awaitExportTask(ctx context.Context, region string, f ExportTaskFilter) (string, error) {
	deadline := time.Now().Add(c.appearWindow())
	for {
		id, err := c.FindExportTask(ctx, region, f)
		if err != nil || id != "" || !time.Now().Before(deadline) {
			return id, err
		}
		if err := transfer.SleepContext(ctx, time.Second); err != nil {
			return "", err
		}
	}
}

func (c *Client) exportImage(ctx context.Context, region, imageID string, in ExportImageInput) (string, error) {
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

// ExportedObject is one file an export task wrote, as the task names it.
type ExportedObject struct {
	Bucket, Key string
	// Format is the ImageFormat the task reports for the file: the format
	// produced, which differs from the one asked where ECS ignores it.
	Format string
}

// codeTaskIncorrectStatus is CancelTask's answer for a task that already
// ended (CancelTask reference).
const codeTaskIncorrectStatus = "InvalidTaskId.IncorrectTaskStatus"

// WaitExportTask waits for an export task (DescribeTaskAttribute) to
// finish and returns the files it wrote, in the order the task lists them.
// The API does not define the files' names: they are read from the task's
// OperationProgressSet.OperationProgress[].RelatedItemSet (OSSBucket,
// OSSObject, ImageFormat), never derived from the prefix. Failed or
// Cancelled is an error, and so is a finished task that names no file.
func (c *Client) WaitExportTask(ctx context.Context, region, taskID, what string, timeout time.Duration) ([]ExportedObject, error) {
	var objects []ExportedObject
	err := c.wait(ctx, StateWait{
		What:           what,
		Target:         []string{"Finished"},
		Failure:        []string{"Failed", "Cancelled", "Deleted"},
		Hint:           fmt.Sprintf("check that the bucket exists in %s and ECS may write to it, then apply again", region),
		NotFoundChecks: notFoundGrace,
		Timeout:        timeout,
		Refresh: func(ctx context.Context) (string, int, error) {
			req := ecs.CreateDescribeTaskAttributeRequest()
			req.TaskId = taskID
			resp := ecs.CreateDescribeTaskAttributeResponse()
			if err := c.DoECS(ctx, region, req, resp); err != nil {
				return "", -1, asNotFound(err, KindTask, taskID, region)
			}
			if resp.TaskStatus == "Finished" {
				objects = exportedObjects(resp.OperationProgressSet.OperationProgress)
				if len(objects) == 0 {
					return "", -1, fmt.Errorf("export task %s in %s finished but names no exported object (OperationProgressSet is empty)", taskID, region)
				}
			}
			progress, ok := parsePercent(resp.TaskProcess)
			if !ok {
				progress = -1
			}
			return resp.TaskStatus, progress, nil
		},
	})
	return objects, err
}

// exportedObjects reads the files of a finished export task.
func exportedObjects(ops []ecs.OperationProgress) []ExportedObject {
	var out []ExportedObject
	for _, op := range ops {
		var o ExportedObject
		for _, it := range op.RelatedItemSet.RelatedItem {
			switch it.Name {
			case "OSSBucket":
				o.Bucket = it.Value
			case "OSSObject":
				o.Key = it.Value
			case "ImageFormat":
				o.Format = strings.ToLower(it.Value)
			}
		}
		if o.Key != "" {
			out = append(out, o)
		}
	}
	return out
}

// CancelExportTask cancels an export task still running (CancelTask). A
// task that is gone, or already ended (InvalidTaskId.IncorrectTaskStatus:
// finished, failed or cancelled), is success: there is nothing left to stop.
func (c *Client) CancelExportTask(ctx context.Context, region, taskID string) error {
	req := ecs.CreateCancelTaskRequest()
	req.TaskId = taskID
	err := c.DoECS(ctx, region, req, ecs.CreateCancelTaskResponse())
	if err == nil || isMissing(err, KindTask) || ErrorCode(err) == codeTaskIncorrectStatus {
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
		// A part is retried as often as any call failing with a 5xx or a
		// network error (max_retries).
		MaxAttempts:      c.Backoff.Attempts,
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
		if ae := asAccessError(err, "OSS checksum of "+what); ae != err { //nolint:errorlint // identity: did asAccessError make a new error?
			return nil, c.redact.leave(ae)
		}
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
	// Checked against the CRC64 OSS keeps: bytes corrupted in transit are a
	// failed read, not a manifest that changed.
	data, err := c.ReadSmallObject(ctx, region, bucket, key, maxManifestBytes)
	if err != nil {
		return nil, err
	}
	m, err := transfer.ParseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("oss://%s/%s: %w: %w", bucket, key, ErrBadManifest, err)
	}
	return m, nil
}

// maxManifestBytes bounds a manifest read: 10,000 parts of JSON.
const maxManifestBytes = 16 << 20

// ErrBadManifest marks a manifest object that does not parse or is not
// consistent.
var ErrBadManifest = errors.New("invalid manifest")

// ListObjectKeys lists the keys of bucket starting with prefix, sorted. The
// provider never derives exported names from a listing (the export task names
// them); the sweeper and tests take a census with it.
func (c *Client) ListObjectKeys(ctx context.Context, region, bucket, prefix string) ([]string, error) {
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

// DeleteExportObjects deletes the given objects of bucket; objects and a
// bucket already gone are success.
func (c *Client) DeleteExportObjects(ctx context.Context, region, bucket string, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	b, err := c.Bucket(region, bucket)
	if err != nil {
		return err
	}
	for _, key := range keys {
		err := c.RetryOSS(ctx, "DeleteObject "+key, func() error { return b.DeleteObject(key, oss.WithContext(ctx)) })
		if ErrorCode(err) == "NoSuchBucket" {
			return nil
		}
		if err != nil && !IsObjectNotFound(err) {
			return err
		}
	}
	return nil
}
