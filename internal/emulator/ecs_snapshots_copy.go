package emulator

import (
	"net/http"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

func (st *snapStore) copySnapshot(c *rpcCall) (any, error) {
	st.catchUp(c.now)
	id := c.str("SnapshotId")
	dest := c.str("DestinationRegionId")
	name := c.str("DestinationSnapshotName")
	encrypted := c.bool("Encrypted")
	tags := c.tags()
	switch {
	case id == "":
		return nil, errMissingParam("SnapshotId")
	case dest == "":
		return nil, errMissingParam("DestinationRegionId")
	}
	retention, err := validNameAndRetention(c, name)
	if err != nil {
		return nil, err
	}
	prior, commit, err := st.idempotent(c)
	if err != nil {
		return nil, err
	}
	if prior != "" {
		return ecs.CopySnapshotResponse{RequestId: c.RequestID, SnapshotId: prior}, nil
	}
	// CopySnapshot answers 403 for a missing source, unlike other actions.
	src, ok := st.snapshots[id]
	if !ok || src.AccountID != c.AccountID || src.RegionID != c.Region {
		return nil, apiErr(http.StatusForbidden, "InvalidSnapshotId.NotFound", "The specified snapshot is not exists.")
	}
	if src.status(c.now) != "accomplished" {
		return nil, apiErr(http.StatusForbidden, "InvalidSnapshotId.NotReady", "The specified snapshot has not completed yet.")
	}
	if src.Category == "archive" {
		return nil, apiErr(http.StatusForbidden, "OperationDenied.ArchiveSnapshot", "An archive snapshot cannot be copied.")
	}
	dr, ok := c.acct().regions[dest]
	if !ok {
		return nil, notFound("InvalidDestinationRegionId.NotFound", "The specified DestinationRegionId does not exist.")
	}
	cp := st.copyOf(src, dr, c.AccountID, c.now, c.durations().SnapshotCopy, st.takeFailure(FailCopySnapshot))
	cp.Name = name
	cp.Description = c.str("DestinationSnapshotDescription")
	cp.RetentionDays = retention
	cp.Type = "user"
	if encrypted {
		cp.Encrypted, cp.KMSKeyID = true, c.str("KMSKeyId")
		if cp.KMSKeyID == "" {
			cp.KMSKeyID = "alias/acs/ecs"
		}
	}
	st.addSnapshot(cp, tags, commit)
	return ecs.CopySnapshotResponse{RequestId: c.RequestID, SnapshotId: cp.ID}, nil
}

// copyOf makes a copy of src in region dr, starting at start and lasting d.
func (st *snapStore) copyOf(src *snapshot, dr *ecsRegion, accountID string, start time.Time, d time.Duration, fail bool) *snapshot {
	cp := newSnapshot(newID("s", dr.code), start, d, fail)
	cp.AccountID = accountID
	cp.RegionID = dr.ID
	cp.SourceDiskID = src.SourceDiskID
	cp.SourceDiskType = src.SourceDiskType
	cp.SourceDiskCategory = src.SourceDiskCategory
	cp.SourceDiskSize = src.SourceDiskSize
	cp.InstanceID = src.InstanceID
	cp.Encrypted, cp.KMSKeyID = src.Encrypted, src.KMSKeyID
	cp.SourceRegionID = src.RegionID
	cp.SourceSnapshotID = src.ID
	cp.Type = src.Type
	return cp
}
