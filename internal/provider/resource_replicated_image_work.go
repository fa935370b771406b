package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/replication"
	"github.com/alidr/terraform-provider-alidr/internal/transfer"
)

// The cloud side of alidr_replicated_image: copies, shares and the export,
// run in parallel. It translates the plan into cloud calls; the decisions
// (which region gets what) come from internal/replication.

// rimgWork is one apply's view of the resource.
type rimgWork struct {
	c                 *cloud.Client
	region            string // of the source image
	sourceID          string
	owner             string // TagOwner of the copies (see claimCopyOwner)
	name, description string
	// owned is true when this resource created the source image.
	owned           bool
	kind            string
	shares          []string
	deleteSnapshots bool
}

func (r *replicatedImageResource) newWork(m replicatedImageModel, sourceID, kind string) *rimgWork {
	return &rimgWork{
		c: r.client, region: r.client.RegionOr(m.Region.ValueString()), sourceID: sourceID, owner: sourceID,
		name: m.Name.ValueString(), description: m.Description.ValueString(),
		owned: kind != replication.SourceImage, kind: kind,
		shares:          rimgAccounts(context.Background(), m.ShareWithAccounts),
		deleteSnapshots: m.DeleteSnapshotsOnDestroy.ValueBool(),
	}
}

type rimgErr struct {
	summary string
	err     error
}

type workResult struct {
	targets map[string]rimgTargetModel
	export  *rimgExportModel
	errs    []rimgErr
	// unshared lists encrypted images left out of share_with_accounts.
	unshared []string
}

// apply brings the copies from current to desired and the export from
// oldEx to newEx. syncKept renames and re-shares the copies that stay (and
// the source image when owned). Removals run first, then new copies and the
// export in parallel.
func (w *rimgWork) apply(ctx context.Context, current, desired map[string]rimgTargetModel, oldEx, newEx *rimgExportModel, syncKept bool) workResult {
	out := workResult{targets: map[string]rimgTargetModel{}}
	var mu sync.Mutex
	fail := func(summary string, err error) {
		mu.Lock()
		out.errs = append(out.errs, rimgErr{summary, err})
		mu.Unlock()
	}
	share := func(region, id string) error {
		skipped, err := w.reconcileShares(ctx, region, id)
		if skipped {
			mu.Lock()
			out.unshared = append(out.unshared, id+" ("+region+")")
			mu.Unlock()
		}
		return err
	}
	steps := replication.PlanTargets(rimgDomainTargets(current), rimgDomainTargets(desired))
	for _, s := range steps {
		tflog.Debug(ctx, "replicated image target", map[string]any{"target_region": s.Region, "action": s.Action.String()})
		if s.Action == replication.Keep {
			t := current[s.Region]
			t.KMSKeyID = desired[s.Region].KMSKeyID
			out.targets[s.Region] = t
		}
	}

	removals := replication.Regions(steps, replication.Delete, replication.Replace)
	removeErrs := rimgParallel(removals, func(region string) error {
		return w.removeCopies(ctx, region, current[region].ImageID.ValueString())
	})
	blocked := map[string]bool{}
	for i, err := range removeErrs {
		if err != nil {
			region := removals[i]
			fail("Failed to delete the copy in "+region, err)
			out.targets[region] = current[region] // still there
			blocked[region] = true
		}
	}

	var adds []string
	for _, region := range replication.Regions(steps, replication.Create, replication.Replace) {
		if !blocked[region] {
			adds = append(adds, region)
		}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ex, err := w.syncExport(ctx, oldEx, newEx)
		if err != nil {
			fail("Failed to export image "+w.sourceID, err)
		}
		mu.Lock()
		out.export = ex
		mu.Unlock()
	}()
	if syncKept {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if w.owned {
				if err := share(w.region, w.sourceID); err != nil {
					fail("Failed to share image "+w.sourceID, err)
				}
			}
			for _, s := range steps {
				if s.Action != replication.Keep {
					continue
				}
				id := current[s.Region].ImageID.ValueString()
				if err := w.c.ModifyImageAttribute(ctx, s.Region, id, w.name, w.description); err != nil {
					fail("Failed to rename the copy in "+s.Region, err)
				}
				if err := share(s.Region, id); err != nil {
					fail("Failed to share the copy in "+s.Region, err)
				}
			}
		}()
	}
	results := make([]rimgTargetModel, len(adds))
	errs := rimgParallel(adds, func(region string) error {
		t, err := w.ensureCopy(ctx, region, desired[region].KMSKeyID, share)
		mu.Lock()
		for i, a := range adds {
			if a == region {
				results[i] = t
			}
		}
		mu.Unlock()
		return err
	})
	wg.Wait()
	for i, region := range adds {
		if errs[i] != nil {
			fail("Failed to copy image "+w.sourceID+" to "+region, errs[i])
		}
		// A copy that exists is recorded even when a later step failed, so
		// it is in state (and deleted with the resource), never orphaned.
		if id := results[i].ImageID.ValueString(); id != "" {
			out.targets[region] = results[i]
		}
	}
	sort.Strings(out.unshared)
	return out
}

func rimgDomainTargets(m map[string]rimgTargetModel) map[string]replication.Target {
	out := make(map[string]replication.Target, len(m))
	for region, t := range m {
		out[region] = replication.Target{KMSKeyID: t.KMSKeyID.ValueString()}
	}
	return out
}

// copyTags are the tags of every copy of the source image.
func (w *rimgWork) copyTags() map[string]string {
	return map[string]string{cloud.TagOwner: w.owner, cloud.TagManagedBy: rimgManagedBy}
}

// ensureCopy makes the copy in region exist and be usable: it adopts a
// tagged copy an interrupted apply started, discards failed or wrongly
// keyed ones, copies otherwise, waits (logging progress), and shares it.
// A copy still running when the wait ends (timeout, cancellation) is
// cancelled so nothing is left behind.
//
// When the copy exists but a later step failed, the returned target holds
// its id along with the error.
func (w *rimgWork) ensureCopy(ctx context.Context, region string, kms types.String, share func(region, id string) error) (rimgTargetModel, error) {
	ctx = tflog.SetField(ctx, "target_region", region)
	found, err := w.c.ListImagesByTags(ctx, region, w.copyTags())
	if err != nil {
		return rimgTargetModel{}, err
	}
	id := ""
	for _, im := range found {
		if id == "" && im.Status != cloud.ImageStatusCreateFailed && im.Status != cloud.ImageStatusUnAvailable &&
			cloud.ImageTags(im)[cloud.TagKMSKey] == kms.ValueString() {
			id = im.ImageId
			tflog.Info(ctx, "adopting a copy an earlier apply started", map[string]any{"copy_id": id, "status": im.Status})
			continue
		}
		tflog.Info(ctx, "discarding a stale copy", map[string]any{"copy_id": im.ImageId, "status": im.Status})
		if err := w.discard(ctx, region, im.ImageId); err != nil {
			return rimgTargetModel{}, err
		}
	}
	if id == "" {
		tags := w.copyTags()
		if kms.ValueString() != "" {
			tags[cloud.TagKMSKey] = kms.ValueString()
		}
		id, err = w.c.CopyImage(ctx, w.region, cloud.CopyImageInput{
			ImageID: w.sourceID, DestinationRegion: region, Name: w.name, Description: w.description,
			KMSKeyID: kms.ValueString(), ClientToken: replication.NewClientToken(), Tags: tags,
		})
		if err != nil {
			return rimgTargetModel{}, err
		}
		tflog.Info(ctx, "copying image", map[string]any{"copy_id": id})
	}
	im, err := w.c.WaitImageAvailable(ctx, region, id, rimgRemaining(ctx))
	if err != nil {
		dctx, cancel := rimgDetached(ctx)
		defer cancel()
		if im != nil && im.Status == cloud.ImageStatusCreateFailed {
			if derr := w.deleteImage(dctx, region, id, true); derr != nil {
				return rimgTargetModel{}, fmt.Errorf("%w (deleting the failed copy %s also failed: %v)", err, id, derr) //nolint:errorlint // err is the cause; derr is context
			}
			return rimgTargetModel{}, fmt.Errorf("%w; the failed copy was deleted, apply again to retry", err)
		}
		finished, cerr := w.c.CancelCopyImage(dctx, region, id)
		if cerr != nil {
			return rimgTargetModel{}, fmt.Errorf("%w (cancelling copy %s also failed: %v; it is tagged %s=%s and the next apply adopts or removes it)",
				err, id, cerr, cloud.TagOwner, w.owner) //nolint:errorlint // err is the cause; cerr is context
		}
		if !finished {
			tflog.Info(ctx, "cancelled the unfinished copy", map[string]any{"copy_id": id})
			return rimgTargetModel{}, fmt.Errorf("%w; copy %s was cancelled", err, id)
		}
		if im, err = w.c.FindImageByID(dctx, region, id); err != nil {
			return rimgTargetModel{}, err
		}
	}
	t := rimgTargetModel{
		KMSKeyID: kms, ImageID: types.StringValue(id), Status: types.StringValue(im.Status),
		Progress: types.Int64Value(int64(cloud.ImageProgress(im))),
	}
	if share == nil {
		share = func(region, id string) error { _, err := w.reconcileShares(ctx, region, id); return err }
	}
	return t, share(region, id)
}

// removeCopies removes the copy id in region and any other copy there
// tagged as this resource's.
func (w *rimgWork) removeCopies(ctx context.Context, region, id string) error {
	ids := []string{}
	if id != "" {
		ids = append(ids, id)
	}
	found, err := w.c.ListImagesByTags(ctx, region, w.copyTags())
	if err != nil {
		return err
	}
	for _, im := range found {
		if im.ImageId != id {
			ids = append(ids, im.ImageId)
		}
	}
	for _, id := range ids {
		if err := w.discard(ctx, region, id); err != nil {
			return err
		}
	}
	return nil
}

// discard cancels a copy under way or deletes a finished or failed one.
func (w *rimgWork) discard(ctx context.Context, region, id string) error {
	im, err := w.c.FindImageByID(ctx, region, id)
	if cloud.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if im.IsCopied && (im.Status == cloud.ImageStatusWaiting || im.Status == cloud.ImageStatusCreating) {
		finished, err := w.c.CancelCopyImage(ctx, region, id)
		if err != nil {
			return err
		}
		if !finished {
			tflog.Info(ctx, "cancelled copy", map[string]any{"copy_id": id, "target_region": region})
			return nil
		}
	}
	return w.deleteImage(ctx, region, id, w.deleteSnapshots)
}

// deleteImage deletes an image and, with snapshots, the snapshots it was
// made of.
func (w *rimgWork) deleteImage(ctx context.Context, region, id string, snapshots bool) error {
	var snaps []string
	if snapshots {
		im, err := w.c.FindImageByID(ctx, region, id)
		if cloud.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		for _, m := range im.DiskDeviceMappings.DiskDeviceMapping {
			if m.SnapshotId != "" {
				snaps = append(snaps, m.SnapshotId)
			}
		}
	}
	if err := w.c.DeleteImage(ctx, region, id, false); err != nil {
		return err
	}
	tflog.Info(ctx, "deleted image", map[string]any{"image_id": id, "image_region": region, "snapshots": len(snaps)})
	return w.c.DeleteSnapshotsOf(ctx, region, snaps)
}

// reconcileShares makes the image shared with exactly w.shares. ECS does
// not share encrypted images: for those nothing is added and skipped is
// true when there was something to add.
func (w *rimgWork) reconcileShares(ctx context.Context, region, id string) (skipped bool, err error) {
	have, err := w.c.ImageSharedAccounts(ctx, region, id)
	if err != nil {
		return false, err
	}
	add, remove := replication.DiffAccounts(have, w.shares)
	if len(add) > 0 {
		im, err := w.c.FindImageByID(ctx, region, id)
		if err != nil {
			return false, err
		}
		if cloud.ImageEncrypted(im) {
			tflog.Warn(ctx, "not sharing an encrypted image", map[string]any{"image_id": id, "image_region": region})
			skipped, add = true, nil
		}
	}
	if len(add) == 0 && len(remove) == 0 {
		return skipped, nil
	}
	tflog.Info(ctx, "updating image share permissions", map[string]any{"image_id": id, "image_region": region, "add": add, "remove": remove})
	return skipped, w.c.ModifyImageShare(ctx, region, id, add, remove)
}

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
	out.DataObjects = types.ListValueMust(types.StringType, rimgStringValues(data))
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
	out.DataObjects = types.ListValueMust(types.StringType, rimgStringValues(data))
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

func rimgStringValues(xs []string) []attr.Value {
	out := make([]attr.Value, 0, len(xs))
	for _, x := range xs {
		out = append(out, types.StringValue(x))
	}
	return out
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

// discoverCopies finds, in every region but the source's, the copies
// tagged with owner, this resource's owner id (import).
func (r *replicatedImageResource) discoverCopies(ctx context.Context, sourceRegion, owner string) (map[string]rimgTargetModel, error) {
	regions, err := r.client.Regions(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]rimgTargetModel{}
	for _, rg := range regions {
		if rg.RegionId == sourceRegion {
			continue
		}
		found, err := r.client.ListImagesByTags(ctx, rg.RegionId, map[string]string{cloud.TagOwner: owner})
		if err != nil {
			return nil, err
		}
		for _, im := range found {
			if im.Status == cloud.ImageStatusCreateFailed {
				continue
			}
			out[rg.RegionId] = rimgTargetModel{
				KMSKeyID: stringOrNull(cloud.ImageTags(im)[cloud.TagKMSKey]), ImageID: types.StringValue(im.ImageId),
				Status: types.StringValue(im.Status), Progress: types.Int64Value(int64(cloud.ImageProgress(&im))),
			}
			break
		}
	}
	return out, nil
}

// findCopy returns the copy recorded for region, or a tagged copy with the
// same key when the recorded one is gone; nil when there is none (or it
// failed).
func (r *replicatedImageResource) findCopy(ctx context.Context, region, owner string, t rimgTargetModel) (*ecs.Image, error) {
	if id := t.ImageID.ValueString(); id != "" {
		im, err := r.client.FindImageByID(ctx, region, id)
		if err == nil && im.Status != cloud.ImageStatusCreateFailed {
			return im, nil
		}
		if err != nil && !cloud.IsNotFound(err) {
			return nil, err
		}
	}
	found, err := r.client.ListImagesByTags(ctx, region, map[string]string{cloud.TagOwner: owner})
	if err != nil {
		return nil, err
	}
	for i := range found {
		im := &found[i]
		if im.Status == cloud.ImageStatusCreateFailed || im.ImageId == t.ImageID.ValueString() {
			continue
		}
		if t.KMSKeyID.IsNull() || cloud.ImageTags(*im)[cloud.TagKMSKey] == t.KMSKeyID.ValueString() {
			return im, nil
		}
	}
	return nil, nil
}

// rimgParallel runs fn for every item at once and returns the errors in
// item order.
func rimgParallel(items []string, fn func(string) error) []error {
	errs := make([]error, len(items))
	var wg sync.WaitGroup
	for i, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(it)
		}()
	}
	wg.Wait()
	return errs
}

func rimgSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
