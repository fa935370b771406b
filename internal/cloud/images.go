package cloud

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Image statuses as DescribeImages reports them.
const (
	ImageStatusCreating     = "Creating"
	ImageStatusWaiting      = "Waiting"
	ImageStatusAvailable    = "Available"
	ImageStatusUnAvailable  = "UnAvailable"
	ImageStatusCreateFailed = "CreateFailed"
	ImageStatusDeprecated   = "Deprecated"
)

// Tags a replicated image writes besides TagOwner and TagManagedBy.
const (
	// TagImageSource records what the provider made an image from, e.g.
	// "instance:i-2ze...", so a resumed apply or an import recognises it.
	TagImageSource = "alidr:source"
	// TagKMSKey records the KMS key a copy was encrypted with (DescribeImages
	// does not report it).
	TagKMSKey = "alidr:kms-key-id"
)

// allImageStatuses makes DescribeImages return images in every state: by
// default it hides everything that is not Available.
var allImageStatuses = strings.Join([]string{ImageStatusCreating, ImageStatusWaiting, ImageStatusAvailable,
	ImageStatusUnAvailable, ImageStatusCreateFailed, ImageStatusDeprecated}, ",")

// FindImageByID returns the image id in region, in any status (custom,
// shared or public). A missing image is a *NotFoundError. Concurrent
// lookups are batched (batch.go).
func (c *Client) FindImageByID(ctx context.Context, region, id string) (*ecs.Image, error) {
	return findByID(ctx, c, imagesByID, KindImage, region, id)
}

// imagesByID finds an image by DescribeImages' ImageId, one id per call
// (batch.go).
var imagesByID = batchKind[ecs.Image]{
	action: "DescribeImages",
	id:     func(im *ecs.Image) string { return im.ImageId },
	fetch: func(ctx context.Context, c *Client, region string, ids []string) ([]ecs.Image, error) {
		return c.describeImages(ctx, region, func(req *ecs.DescribeImagesRequest) {
			req.ImageId = ids[0]
			req.Status = allImageStatuses
			req.ShowExpired = requests.NewBoolean(true)
		})
	},
	single: true,
}

// describeImages returns every page of DescribeImages in region for the
// request set fills in.
func (c *Client) describeImages(ctx context.Context, region string, set func(*ecs.DescribeImagesRequest)) ([]ecs.Image, error) {
	var out []ecs.Image
	err := AllPages(ctx, func(page int) (int, int, error) {
		req := ecs.CreateDescribeImagesRequest()
		set(req)
		req.PageNumber = requestsInt(page)
		req.PageSize = requestsInt(PageSize)
		resp := ecs.CreateDescribeImagesResponse()
		if err := c.DoECS(ctx, region, req, resp); err != nil {
			return 0, 0, err
		}
		out = append(out, resp.Images.Image...)
		return len(resp.Images.Image), resp.TotalCount, nil
	})
	return out, err
}

// ListImagesByTags returns the account's own images in region (any status)
// carrying every tag of tags, newest first.
func (c *Client) ListImagesByTags(ctx context.Context, region string, tags map[string]string) ([]ecs.Image, error) {
	out, err := c.describeImages(ctx, region, func(req *ecs.DescribeImagesRequest) {
		req.ImageOwnerAlias = "self"
		req.Status = allImageStatuses
		req.Tag = sdkTags(tags, func(k, v string) ecs.DescribeImagesTag { return ecs.DescribeImagesTag{Key: k, Value: v} })
	})
	if err != nil {
		return nil, err
	}
	// The filter is applied here too: not every API version honours Tag.N
	// on DescribeImages.
	kept := out[:0]
	for _, im := range out {
		if ImageHasTags(im, tags) {
			kept = append(kept, im)
		}
	}
	return kept, nil
}

// ImageTags returns the tags of an image as a map.
func ImageTags(im ecs.Image) map[string]string {
	m := make(map[string]string, len(im.Tags.Tag))
	for _, t := range im.Tags.Tag {
		k, v := t.TagKey, t.TagValue
		if k == "" {
			k, v = t.Key, t.Value
		}
		if k != "" {
			m[k] = v
		}
	}
	return m
}

// ImageHasTags reports whether im carries every tag of want.
func ImageHasTags(im ecs.Image, want map[string]string) bool {
	have := ImageTags(im)
	for k, v := range want {
		if hv, ok := have[k]; !ok || hv != v {
			return false
		}
	}
	return true
}

// CreateImageInput is what CreateImage needs: exactly one of SnapshotID and
// InstanceID.
type CreateImageInput struct {
	SnapshotID  string
	InstanceID  string
	Name        string
	Description string
	// ClientToken makes a retried call return the first call's image.
	ClientToken string
	Tags        map[string]string
}

// CreateImage starts creating a custom image and returns its id. It does
// not wait: use WaitImageAvailable.
func (c *Client) CreateImage(ctx context.Context, region string, in CreateImageInput) (string, error) {
	if (in.SnapshotID == "") == (in.InstanceID == "") {
		return "", fmt.Errorf("creating an image needs exactly one of a snapshot id and an instance id")
	}
	req := ecs.CreateCreateImageRequest()
	req.SnapshotId = in.SnapshotID
	req.InstanceId = in.InstanceID
	req.ImageName = in.Name
	req.Description = in.Description
	req.ClientToken = in.ClientToken
	req.Tag = sdkTags(in.Tags, func(k, v string) ecs.CreateImageTag { return ecs.CreateImageTag{Key: k, Value: v} })
	resp := ecs.CreateCreateImageResponse()
	if err := c.DoECS(ctx, region, req, resp); err != nil {
		return "", err
	}
	return resp.ImageId, nil
}

// ImageUsable reports whether an image can be used (copied, exported,
// booted): Available, progress complete, and every disk mapping complete.
// "Available" alone is reported while the disk snapshots still finish.
func ImageUsable(im *ecs.Image) bool {
	if im == nil || im.Status != ImageStatusAvailable {
		return false
	}
	if p, ok := parsePercent(im.Progress); ok && p < 100 {
		return false
	}
	for _, m := range im.DiskDeviceMappings.DiskDeviceMapping {
		if p, ok := parsePercent(m.Progress); ok && p < 100 {
			return false
		}
	}
	return true
}

// ImageEncrypted reports whether any disk of the image is encrypted. ECS
// does not share such images (OperationDeined.EncryptedSnapshot).
func ImageEncrypted(im *ecs.Image) bool {
	if im == nil {
		return false
	}
	for _, m := range im.DiskDeviceMappings.DiskDeviceMapping {
		if m.Encrypted {
			return true
		}
	}
	return false
}

// parsePercent reads "42%" (or "42"); ok is false for an empty value.
func parsePercent(s string) (int, bool) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if s == "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, false
	}
	return n, true
}

// ImageProgress returns the image's progress in percent (0 when unknown).
func ImageProgress(im *ecs.Image) int {
	if im == nil {
		return 0
	}
	if p, ok := parsePercent(im.Progress); ok {
		return p
	}
	if im.Status == ImageStatusAvailable {
		return 100
	}
	return 0
}

// notFoundGrace is how many consecutive NotFound answers a waiter tolerates
// for a resource it has just created (the API is eventually consistent).
const notFoundGrace = 10

// WaitImageAvailable waits until the image is usable (see ImageUsable) and
// returns it. CreateFailed or UnAvailable is an error; progress is logged
// and schedules the polls.
func (c *Client) WaitImageAvailable(ctx context.Context, region, id string, timeout time.Duration) (*ecs.Image, error) {
	var last *ecs.Image
	err := c.wait(ctx, StateWait{
		What:           fmt.Sprintf("image %s in %s", id, region),
		Target:         []string{ImageStatusAvailable},
		Failure:        []string{ImageStatusCreateFailed, ImageStatusUnAvailable},
		Hint:           "check the source snapshot or instance and the account's image quota, then apply again",
		NotFoundChecks: notFoundGrace,
		Timeout:        timeout,
		Refresh: func(ctx context.Context) (string, int, error) {
			im, err := c.FindImageByID(ctx, region, id)
			if err != nil {
				return "", -1, err
			}
			last = im
			state := im.Status
			if state == ImageStatusAvailable && !ImageUsable(im) {
				state = "Available, disks finishing" // ECS reports Available before the disk snapshots finish
			}
			return state, ImageProgress(im), nil
		},
	})
	return last, err
}

// DeleteImage deletes a custom image; one that does not exist is success.
// force deletes it even when instances were created from it. An image still
// shared with other accounts is unshared first.
func (c *Client) DeleteImage(ctx context.Context, region, id string, force bool) error {
	del := func() error {
		req := ecs.CreateDeleteImageRequest()
		req.ImageId = id
		if force {
			req.Force = requests.NewBoolean(true)
		}
		return c.DoECS(ctx, region, req, ecs.CreateDeleteImageResponse())
	}
	err := del()
	if ErrorCode(err) == "ImageUseShared" {
		accounts, lerr := c.ImageSharedAccounts(ctx, region, id)
		if lerr != nil {
			return lerr
		}
		if serr := c.ModifyImageShare(ctx, region, id, nil, accounts); serr != nil {
			return serr
		}
		err = del()
	}
	// The reference says a missing image is ignored; an explicit
	// InvalidImageId.NotFound means the same.
	if isMissing(err, KindImage) {
		err = nil
	}
	if err == nil {
		c.RememberDeleted(id)
	}
	return err
}

// ModifyImageAttribute renames an image and sets its description.
func (c *Client) ModifyImageAttribute(ctx context.Context, region, id, name, description string) error {
	req := ecs.CreateModifyImageAttributeRequest()
	req.ImageId = id
	req.ImageName = name
	req.Description = description
	return c.DoECS(ctx, region, req, ecs.CreateModifyImageAttributeResponse())
}

// CopyImageInput describes one CopyImage.
type CopyImageInput struct {
	ImageID           string // in the source region
	DestinationRegion string
	Name              string
	Description       string
	// KMSKeyID encrypts the copy with this key; empty keeps the source's
	// encryption.
	KMSKeyID    string
	Encrypted   bool
	ClientToken string
	Tags        map[string]string
}

// CopyImage starts copying an image of sourceRegion into another region and
// returns the copy's id there. It does not wait.
func (c *Client) CopyImage(ctx context.Context, sourceRegion string, in CopyImageInput) (string, error) {
	req := ecs.CreateCopyImageRequest()
	req.ImageId = in.ImageID
	req.DestinationRegionId = in.DestinationRegion
	req.DestinationImageName = in.Name
	req.DestinationDescription = in.Description
	if in.Encrypted || in.KMSKeyID != "" {
		req.Encrypted = requests.NewBoolean(true)
		req.KMSKeyId = in.KMSKeyID
	}
	if in.ClientToken != "" {
		// The pinned v1 SDK's CopyImageRequest lacks the field; the official
		// v7 model (CopyImageRequest.ClientToken) defines it.
		req.QueryParams["ClientToken"] = in.ClientToken
	}
	req.Tag = sdkTags(in.Tags, func(k, v string) ecs.CopyImageTag { return ecs.CopyImageTag{Key: k, Value: v} })
	resp := ecs.CreateCopyImageResponse()
	if err := c.DoECS(ctx, sourceRegion, req, resp); err != nil {
		return "", err
	}
	return resp.ImageId, nil
}

// CancelCopyImage stops a copy under way in its destination region. A copy
// that is gone is success; one that already ended (finished or failed) is
// left alone and reported with done=true so the caller deletes it instead.
func (c *Client) CancelCopyImage(ctx context.Context, region, id string) (done bool, err error) {
	req := ecs.CreateCancelCopyImageRequest()
	req.ImageId = id
	err = c.DoECS(ctx, region, req, ecs.CreateCancelCopyImageResponse())
	switch {
	case err == nil, isMissing(err, KindImage):
		return false, nil
	case ErrorCode(err) != "IncorrectImageStatus":
		return false, err
	}
	// The CancelCopyImage error table answers IncorrectImageStatus for a copy
	// that completed, one that failed and an image that is not being copied:
	// only the image's own status tells which.
	im, ferr := c.FindImageByID(ctx, region, id)
	switch {
	case IsNotFound(ferr):
		return false, nil
	case ferr != nil:
		return false, ferr
	case im.Status == ImageStatusAvailable || im.Status == ImageStatusCreateFailed || im.Status == ImageStatusUnAvailable:
		return true, nil
	}
	return false, fmt.Errorf("%w (the copy is %s and cannot be cancelled now; apply again later)", err, im.Status)
}

// ImageSharedAccounts lists the accounts an image is shared with, sorted.
func (c *Client) ImageSharedAccounts(ctx context.Context, region, id string) ([]string, error) {
	var out []string
	err := AllPages(ctx, func(page int) (int, int, error) {
		req := ecs.CreateDescribeImageSharePermissionRequest()
		req.ImageId = id
		req.PageNumber = requestsInt(page)
		req.PageSize = requestsInt(PageSize)
		resp := ecs.CreateDescribeImageSharePermissionResponse()
		if err := c.DoECS(ctx, region, req, resp); err != nil {
			return 0, 0, asNotFound(err, KindImage, id, region)
		}
		for _, a := range resp.Accounts.Account {
			out = append(out, a.AliyunId)
		}
		return len(resp.Accounts.Account), resp.TotalCount, nil
	})
	sort.Strings(out)
	return out, err
}

// shareBatch is the most accounts ModifyImageSharePermission takes per list.
const shareBatch = 10

// ModifyImageShare shares the image with add and stops sharing it with
// remove, in batches the API accepts.
func (c *Client) ModifyImageShare(ctx context.Context, region, id string, add, remove []string) error {
	for len(add) > 0 || len(remove) > 0 {
		a, r := add[:min(len(add), shareBatch)], remove[:min(len(remove), shareBatch)]
		add, remove = add[len(a):], remove[len(r):]
		req := ecs.CreateModifyImageSharePermissionRequest()
		req.ImageId = id
		if len(a) > 0 {
			req.AddAccount = &a
		}
		if len(r) > 0 {
			req.RemoveAccount = &r
		}
		if err := c.DoECS(ctx, region, req, ecs.CreateModifyImageSharePermissionResponse()); err != nil {
			return err
		}
	}
	return nil
}

// snapshotInUseCodes are DeleteSnapshot's refusals for a snapshot still in
// use (DeleteSnapshot error table): another custom image was made of it
// (SnapshotCreatedImage), or disks were (SnapshotCreatedDisk; Force would
// delete it but leave those disks unable to re-initialise).
var snapshotInUseCodes = []string{"SnapshotCreatedImage", "SnapshotCreatedDisk"}

// DeleteSnapshotsOf deletes snapshots (e.g. those an image made of an
// instance's disks) after their image is gone. Missing ones are skipped;
// ones still used by another image or by disks are kept, with a warning.
func (c *Client) DeleteSnapshotsOf(ctx context.Context, region string, snapshotIDs []string) error {
	for _, id := range snapshotIDs {
		if id == "" {
			continue
		}
		req := ecs.CreateDeleteSnapshotRequest()
		req.SnapshotId = id
		err := c.DoECS(ctx, region, req, ecs.CreateDeleteSnapshotResponse())
		switch {
		case err == nil, isMissing(err, KindSnapshot):
		case slices.Contains(snapshotInUseCodes, ErrorCode(err)):
			tflog.Warn(ctx, "kept a snapshot that is still in use; delete it once its images and disks are gone", map[string]any{
				"snapshot_id": id, "region": region, "reason": ErrorCode(err),
			})
		default:
			return err
		}
	}
	return nil
}
