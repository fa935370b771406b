package provider

import (
	"context"
	"fmt"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/replication"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

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
