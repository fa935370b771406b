package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/replication"
	"github.com/alidr/terraform-provider-alidr/internal/transfer"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// syncExport brings the export from oldEx to newEx: nothing to do when the
// location and checksums are unchanged, checksums only when just they
// changed, otherwise the old objects go and the image is exported again.
func (w *rimgWork) syncExport(ctx context.Context, oldEx, newEx *rimgExportModel) (*rimgExportModel, error) {
	if newEx != nil && oldEx.current() && newEx.sameLocation(oldEx) {
		if newEx.Checksums.Equal(oldEx.Checksums) {
			return oldEx, nil
		}
		var data []string
		oldEx.DataObjects.ElementsAs(ctx, &data, false)
		again := *newEx
		again.ExportedFormat = oldEx.ExportedFormat
		out, err := w.checksum(ctx, &again, oldEx.Object.ValueString(), data)
		if err != nil {
			return again.located(oldEx.Object.ValueString(), data), err
		}
		return out, nil
	}
	if oldEx != nil {
		if err := w.c.DeleteExportObjects(ctx, w.region, oldEx.Bucket.ValueString(), oldEx.keys(ctx)); err != nil {
			return oldEx, err
		}
	}
	if newEx == nil {
		return nil, nil
	}
	bucket, prefix, format := newEx.Bucket.ValueString(), newEx.Prefix.ValueString(), newEx.Format.ValueString()
	task, err := w.startExport(ctx, cloud.ExportImageInput{Bucket: bucket, Prefix: prefix, Format: format})
	if err != nil {
		return nil, err
	}
	what := fmt.Sprintf("export of image %s to oss://%s (task %s)", w.sourceID, bucket, task)
	tflog.Info(ctx, "exporting image", map[string]any{"task_id": task, "bucket": bucket, "prefix": prefix})
	objects, err := w.c.WaitExportTask(ctx, w.region, task, what, rimgRemaining(ctx))
	if err != nil {
		if ctx.Err() != nil || cloud.IsTimeout(err) {
			// Best effort: a timed-out or interrupted export should not keep
			// writing into the bucket (and blocks deleting the image).
			dctx, cancel := rimgDetached(ctx)
			defer cancel()
			if cerr := w.c.CancelExportTask(dctx, w.region, task); cerr != nil {
				tflog.Warn(ctx, "could not cancel the export task", map[string]any{"task_id": task, "error": cerr.Error()})
			}
		}
		return nil, err
	}
	// The task names the files it wrote; ECS defines no naming pattern. The
	// first one is taken for the system disk (the order the task lists).
	out := *newEx
	out.ExportedFormat = types.StringNull()
	if f := objects[0].Format; f != "" {
		out.ExportedFormat = types.StringValue(f)
	}
	var data []string
	for _, o := range objects {
		if o.Bucket != "" && o.Bucket != bucket {
			return nil, fmt.Errorf("export task %s names oss://%s/%s, outside the bucket %s it was given", task, o.Bucket, o.Key, bucket)
		}
		if o.Key != objects[0].Key {
			data = append(data, o.Key)
		}
	}
	if format != "" && out.ExportedFormat.ValueString() != format {
		tflog.Warn(ctx, "ECS exported another format than the one asked for (ImageFormat is honoured only in some regions)",
			map[string]any{"asked": format, "exported": out.ExportedFormat.ValueString(), "region": w.region})
	}
	// From here the objects exist: a failed checksum still records their
	// names, so the state knows them and destroy removes them.
	done, err := w.checksum(ctx, &out, objects[0].Key, data)
	if err != nil {
		return out.located(objects[0].Key, data), err
	}
	return done, nil
}

// startExport exports the source image, or takes over the export an
// interrupted apply (the provider or the CLI killed) started of an image
// this resource created: nobody else exports it, and ExportImage has no
// ClientToken to make a second call return the first task.
func (w *rimgWork) startExport(ctx context.Context, in cloud.ExportImageInput) (string, error) {
	if w.owned {
		task, err := w.c.FindExportTask(ctx, w.region, cloud.ExportTaskFilter{ImageID: w.sourceID, Bucket: in.Bucket, Prefix: in.Prefix})
		if err != nil {
			return "", err
		}
		if task != "" {
			tflog.Info(ctx, "taking over the export an interrupted apply started", map[string]any{"task_id": task, "image_id": w.sourceID})
			return task, nil
		}
	}
	return w.c.ExportImage(ctx, w.region, w.sourceID, in)
}

// located records the exported objects without checksums: destroy deletes
// them by name, and the next apply (the ETag is unknown, so the export is
// not current) deletes them and exports again.
func (m *rimgExportModel) located(object string, data []string) *rimgExportModel {
	out := *m
	out.Object, out.ManifestObject = types.StringValue(object), types.StringValue(replication.ManifestKey(object))
	out.DataObjects = types.ListValueMust(types.StringType, stringValues(data))
	out.ETag, out.Size = types.StringNull(), types.Int64Null()
	out.MD5, out.SHA256, out.CRC64 = types.StringNull(), types.StringNull(), types.StringNull()
	return &out
}

// checksum streams each exported object (system disk, then data disks)
// once, computing the requested digests and a manifest, and writes the
// manifest beside the object. The model carries the system disk's digests.
func (w *rimgWork) checksum(ctx context.Context, ex *rimgExportModel, object string, data []string) (*rimgExportModel, error) {
	want := ex.checksums(ctx)
	res, err := w.checksumOne(ctx, ex.Bucket.ValueString(), object, want)
	if err != nil {
		return nil, err
	}
	for _, key := range data {
		if _, err := w.checksumOne(ctx, ex.Bucket.ValueString(), key, want); err != nil {
			return nil, err
		}
	}
	manifestKey := replication.ManifestKey(object)
	out := *ex
	out.DataObjects = types.ListValueMust(types.StringType, stringValues(data))
	out.Object, out.ManifestObject = types.StringValue(object), types.StringValue(manifestKey)
	out.ETag, out.Size = types.StringValue(strings.Trim(res.ETag, `"`)), types.Int64Value(res.Size)
	out.MD5, out.SHA256, out.CRC64 = types.StringNull(), types.StringNull(), types.StringNull()
	if want[replication.ChecksumMD5] {
		out.MD5 = types.StringValue(res.MD5)
	}
	if want[replication.ChecksumSHA256] {
		out.SHA256 = types.StringValue(res.SHA256)
	}
	if want[replication.ChecksumCRC64] {
		out.CRC64 = types.StringValue(transfer.FormatCRC64(res.CRC64))
	}
	return &out, nil
}

func (w *rimgWork) checksumOne(ctx context.Context, bucket, object string, want map[string]bool) (*transfer.Result, error) {
	res, err := w.c.ChecksumExport(ctx, w.region, bucket, object, cloud.ExportChecksumOptions{
		MD5: want[replication.ChecksumMD5], SHA256: want[replication.ChecksumSHA256],
	})
	if err != nil {
		return nil, err
	}
	m := res.Manifest
	if m == nil {
		return nil, fmt.Errorf("the transfer engine returned no manifest for oss://%s/%s", bucket, object)
	}
	if m.Bucket == "" {
		m.Bucket = bucket
	}
	if m.Key == "" {
		m.Key = object
	}
	manifestKey := replication.ManifestKey(object)
	if err := w.c.PutExportManifest(ctx, w.region, bucket, manifestKey, m); err != nil {
		return nil, err
	}
	tflog.Info(ctx, "exported image checksummed", map[string]any{
		"object": object, "bytes": res.Size, "parts": len(m.Parts), "manifest": manifestKey,
	})
	return res, nil
}

// dataObjectsDrift checks the exported data disk objects against their
// manifests: the first one deleted or changed, and why.
func (r *replicatedImageResource) dataObjectsDrift(ctx context.Context, region string, ex *rimgExportModel) (string, string, error) {
	var data []string
	ex.DataObjects.ElementsAs(ctx, &data, false)
	bucket := ex.Bucket.ValueString()
	for _, key := range data {
		h, err := r.client.HeadExportObject(ctx, region, bucket, key)
		if cloud.IsNotFound(err) {
			return key, "the exported object was deleted", nil
		}
		if err != nil {
			return "", "", err
		}
		m, err := r.client.GetExportManifest(ctx, region, bucket, replication.ManifestKey(key))
		if cloud.IsNotFound(err) {
			return key, "its manifest was deleted", nil
		}
		if errors.Is(err, cloud.ErrBadManifest) {
			return key, "its manifest is not valid any more", nil
		}
		if err != nil {
			return "", "", err
		}
		recorded := replication.ObjectState{Exists: true, ETag: m.ETag, CRC64: m.CRC64, Size: m.Size}
		if why := replication.ExportDrift(recorded, replication.ObjectState{Exists: true, ETag: h.ETag, CRC64: h.CRC64, Size: h.Size}); why != "" {
			return key, why, nil
		}
	}
	return "", "", nil
}
