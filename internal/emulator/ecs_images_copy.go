package emulator

import (
	"net/http"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// CopyImage and CancelCopyImage: a copy is an image in the destination
// region that becomes Available when its copy ends.

func (st *snapStore) copyImage(c *rpcCall) (any, error) {
	st.catchUp(c.now)
	id, dest := c.str("ImageId"), c.str("DestinationRegionId")
	name := c.str("DestinationImageName")
	encrypted := c.bool("Encrypted")
	tags := c.tags()
	switch {
	case id == "":
		return nil, errMissingParam("ImageId")
	case dest == "":
		return nil, errMissingParam("DestinationRegionId")
	}
	prior, commit, err := st.idempotent(c)
	if err != nil {
		return nil, err
	}
	if prior != "" {
		return ecs.CopyImageResponse{RequestId: c.RequestID, ImageId: prior}, nil
	}
	src, err := st.ownImage(c, id)
	if err != nil {
		return nil, err
	}
	if src.status(c.now) != "Available" {
		return nil, apiErr(http.StatusBadRequest, "IncorrectImageStatus", "The image not available.")
	}
	dr, ok := c.acct().regions[dest]
	if !ok {
		return nil, apiErr(http.StatusBadRequest, "DestinationRegion.NotFound", "The destination region not found")
	}
	if c.str("KMSKeyId") != "" && !encrypted {
		return nil, apiErr(http.StatusBadRequest, "InvalidParameter.EncryptedIllegal",
			"The specified parameter Encrypted must be true when kmsKeyId is not empty.")
	}
	if err := st.validImageName(c.AccountID, dest, name); err != nil {
		return nil, err
	}
	d := c.durations().ImageCopy
	fail := st.takeFailure(FailCopyImage)
	cp := &image{
		ID: newID("m", dr.code), AccountID: c.AccountID, RegionID: dest,
		Name: name, Description: c.str("DestinationDescription"), Architecture: src.Architecture,
		Platform: src.Platform, OSType: src.OSType, OSName: src.OSName, Family: src.Family,
		SizeGiB: src.SizeGiB, Created: c.now, Shared: map[string]time.Time{}, Tags: map[string]string{},
		IsCopied: true, SourceImageID: src.ID, SourceRegionID: src.RegionID,
		Encrypted: src.Encrypted || encrypted, KMSKeyID: src.KMSKeyID,
	}
	if encrypted {
		cp.KMSKeyID = c.str("KMSKeyId")
	}
	if cp.Name == "" {
		cp.Name = src.Name
	}
	for _, m := range src.Mappings {
		mp := m
		if s, ok := st.snapshots[m.SnapshotID]; ok {
			// The copy owns snapshots in the destination region, made while
			// the copy runs.
			sc := st.copyOf(s, dr, c.AccountID, c.now, d, false)
			sc.ImageID = cp.ID
			sc.Description = "Copied for image " + cp.ID
			if encrypted {
				sc.Encrypted, sc.KMSKeyID = true, cp.KMSKeyID
			}
			st.snapshots[sc.ID] = sc
			mp.SnapshotID = sc.ID
		}
		cp.Mappings = append(cp.Mappings, mp)
	}
	for _, t := range tags {
		cp.Tags[t.Key] = t.Value
	}
	final := "Available"
	if fail {
		final = "CreateFailed"
	}
	cp.state.begin(c.now, d, final, "Waiting", "Creating")
	st.images[cp.ID] = cp
	st.e.created(cp.ID)
	commit(cp.ID)
	return ecs.CopyImageResponse{RequestId: c.RequestID, ImageId: cp.ID}, nil
}

// dropImage removes an image; snapshots it made for itself go with it (they
// are the copy's data or an instance capture), others are kept, and so are
// locked ones (user guide "Lock a snapshot": not deleted with the image).
func (st *snapStore) dropImage(im *image) {
	now := st.e.s.now()
	for id, s := range st.snapshots {
		if s.ImageID == im.ID {
			if im.IsCopied && !s.lockedAt(now) {
				delete(st.snapshots, id)
			} else {
				s.ImageID = ""
			}
		}
	}
	delete(st.images, im.ID)
}

func (st *snapStore) cancelCopyImage(c *rpcCall) (any, error) {
	im, err := storeTarget(st, c, "ImageId", st.ownImage)
	if err != nil {
		return nil, err
	}
	if !im.IsCopied {
		return nil, apiErr(http.StatusBadRequest, "ImageCreatedNotFromCopy", "The specified image is not the target image of a copy action.")
	}
	if !im.copying(c.now) {
		// CancelCopyImage error table: the same code for a finished and a
		// failed copy, told apart only by the message.
		msg := "The image has completed copy."
		if im.status(c.now) == "CreateFailed" {
			msg = "The Image copy has been failed."
		}
		return nil, apiErr(http.StatusBadRequest, "IncorrectImageStatus", msg)
	}
	st.dropImage(im)
	return ecs.CancelCopyImageResponse{RequestId: c.RequestID}, nil
}
