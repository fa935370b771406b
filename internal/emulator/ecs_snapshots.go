package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// Disk snapshots: CreateSnapshot, DescribeSnapshots, DeleteSnapshot,
// CopySnapshot, ModifySnapshotAttribute, ModifySnapshotCategory.

// snapshot is one disk snapshot. Its status is derived from state and the
// clock: progressing until the snapshot duration has passed, then
// accomplished (or failed when a failure was injected).
type snapshot struct {
	ID          string
	AccountID   string
	RegionID    string
	Name        string
	Description string

	SourceDiskID       string
	SourceDiskType     string // system | data
	SourceDiskCategory string
	SourceDiskSize     int
	InstanceID         string // the instance the disk was attached to

	Created       time.Time
	state         lifecycle
	RetentionDays int    // 0 (unset) or -1: kept forever
	Category      string // standard | flash | archive
	Type          string // user | auto
	PolicyID      string // the policy of an auto snapshot
	Encrypted     bool
	KMSKeyID      string
	// Copies name their source.
	SourceRegionID   string
	SourceSnapshotID string
	// ImageID is set on snapshots made for an image (CreateImage from an
	// instance, CopyImage). DeleteImage keeps the former, as the service
	// does, and removes a copy's.
	ImageID string
	Tags    map[string]string
	// Lock is the compliance lock (ecs_snapshot_locks.go), nil when never
	// locked or unlocked; a copy starts without one.
	Lock *snapshotLock
}

func (s *snapshot) status(now time.Time) string { return s.state.at(now) }

// expiresAt is when retention deletes the snapshot; zero when never.
func (s *snapshot) expiresAt() time.Time {
	if s.RetentionDays <= 0 {
		return time.Time{}
	}
	return s.Created.Add(time.Duration(s.RetentionDays) * 24 * time.Hour)
}

// newSnapshot starts a snapshot at start that accomplishes after d, or
// fails then when fail is set.
func newSnapshot(id string, start time.Time, d time.Duration, fail bool) *snapshot {
	s := &snapshot{ID: id, Created: start, Category: "standard", Type: "user", Tags: map[string]string{}}
	final := "accomplished"
	if fail {
		final = "failed"
	}
	s.state.begin(start, d, final, "progressing")
	return s
}

// fromDisk fills the source fields from a disk.
func (s *snapshot) fromDisk(d *ecsDisk) {
	s.SourceDiskID = d.ID
	s.SourceDiskType = d.Type
	s.SourceDiskCategory = d.Category
	s.SourceDiskSize = d.SizeGiB
	s.InstanceID = d.InstanceID
	s.RegionID = d.RegionID
	s.Encrypted = d.Encrypted
	s.KMSKeyID = d.KMSKeyID
}

// usage is how the snapshot is used: image, disk, image_disk or none.
func (st *snapStore) usage(s *snapshot) string {
	byImage := st.usedByImage(s.ID) != ""
	byDisk := st.usedByDisk(s) != ""
	switch {
	case byImage && byDisk:
		return "image_disk"
	case byImage:
		return "image"
	case byDisk:
		return "disk"
	}
	return "none"
}

// usedByImage returns an image built on the snapshot, "" when none.
func (st *snapStore) usedByImage(snapshotID string) string {
	for _, im := range st.images {
		for _, m := range im.Mappings {
			if m.SnapshotID == snapshotID {
				return im.ID
			}
		}
	}
	return ""
}

// usedByDisk returns a disk created from the snapshot, "" when none.
func (st *snapStore) usedByDisk(s *snapshot) string {
	a, ok := st.e.accounts[s.AccountID]
	if !ok {
		return ""
	}
	r := a.regions[s.RegionID]
	if r == nil {
		return ""
	}
	for id, d := range r.disks {
		if d.SourceSnapshotID == s.ID {
			return id
		}
	}
	return ""
}

// snapshotOf finds a snapshot of the caller's account and region.
func (st *snapStore) snapshotOf(c *rpcCall, id string) (*snapshot, error) {
	s, ok := st.snapshots[id]
	if !ok || s.AccountID != c.AccountID || s.RegionID != c.Region {
		return nil, notFound("InvalidSnapshotId.NotFound", "The specified SnapshotId does not exist.")
	}
	return s, nil
}

func (st *snapStore) registerSnapshots() {
	e := st.e
	e.register("CreateSnapshot", st.createSnapshot)
	e.register("DescribeSnapshots", st.describeSnapshots)
	e.register("DeleteSnapshot", st.deleteSnapshot)
	e.register("CopySnapshot", st.copySnapshot)
	e.register("ModifySnapshotAttribute", st.modifySnapshotAttribute)
	e.register("ModifySnapshotCategory", st.modifySnapshotCategory)
	// Snapshots expire with the clock: catch up before reading them.
	e.registerTagType("snapshot", storeTagType(
		func(c *rpcCall) map[string]*snapshot { st.catchUp(c.now); return st.snapshots },
		func(c *rpcCall, id string) (*snapshot, error) { st.catchUp(c.now); return st.snapshotOf(c, id) },
		func(s *snapshot) (string, string, string, map[string]string) {
			return s.AccountID, s.RegionID, s.ID, s.Tags
		}))
	// RunInstances and CreateDisk create disks from accomplished snapshots.
	e.hooks.snapshot = func(accountID, region, id string) (int, bool) {
		st.catchUp(e.s.now())
		s, ok := st.snapshots[id]
		if !ok || s.AccountID != accountID || s.RegionID != region || s.status(e.s.now()) != "accomplished" {
			return 0, false
		}
		return s.SourceDiskSize, true
	}
}

// addSnapshot stores a snapshot a call created, with the call's tags, and
// records it for the call's ClientToken (commit, from idempotent).
func (st *snapStore) addSnapshot(s *snapshot, tags []tag, commit func(id string)) {
	for _, t := range tags {
		s.Tags[t.Key] = t.Value
	}
	st.snapshots[s.ID] = s
	st.e.created(s.ID)
	commit(s.ID)
}

// validNameAndRetention checks what every action that names a snapshot
// checks first: the name, then its RetentionDays parameter.
func validNameAndRetention(c *rpcCall, name string) (int, error) {
	if err := validSnapshotName(name); err != nil {
		return 0, err
	}
	return validRetention(c, "RetentionDays")
}

// validRetention checks a snapshot RetentionDays parameter (1..65536).
func validRetention(c *rpcCall, name string) (int, error) {
	if !c.has(name) || c.str(name) == "" {
		return 0, nil
	}
	n := c.int(name, 0)
	if err := c.err(); err != nil {
		return 0, err
	}
	if n < 1 || n > 65536 {
		return 0, apiErr(http.StatusBadRequest, "InvalidRetentionDays.Malformed",
			fmt.Sprintf("The specified %s is not valid: it must be within 1 to 65536.", name))
	}
	return n, nil
}

// validSnapshotName applies the API's naming rule; "auto" is reserved for
// automatic snapshots.
func validSnapshotName(name string) error {
	if name == "" {
		return nil
	}
	if len(name) < 2 || len(name) > 128 || strings.HasPrefix(name, "auto") ||
		strings.HasPrefix(name, "http://") || strings.HasPrefix(name, "https://") {
		return apiErr(http.StatusBadRequest, "InvalidSnapshotName.Malformed",
			"Specified snapshot name is not valid: 2 to 128 characters, not starting with auto, http:// or https://.")
	}
	return nil
}

func (st *snapStore) createSnapshot(c *rpcCall) (any, error) {
	st.catchUp(c.now)
	diskID := c.str("DiskId")
	name := c.str("SnapshotName")
	category := c.str("Category")
	if diskID == "" {
		return nil, errMissingParam("DiskId")
	}
	retention, err := validNameAndRetention(c, name)
	if err != nil {
		return nil, err
	}
	switch category {
	case "":
		category = "standard"
	case "standard", "flash":
	default:
		return nil, apiErr(http.StatusBadRequest, "InvalidParameter.Category", "The specified Category is not valid.")
	}
	tags := c.tags()
	prior, commit, err := st.idempotent(c)
	if err != nil {
		return nil, err
	}
	if prior != "" {
		return ecs.CreateSnapshotResponse{RequestId: c.RequestID, SnapshotId: prior}, nil
	}
	d, ok := c.region().disks[diskID]
	if !ok {
		return nil, notFound("InvalidDiskId.NotFound", "The specified disk does not exist.")
	}
	if status := d.Status.at(c.now); status != "In_use" && status != "Available" {
		return nil, apiErr(http.StatusForbidden, "IncorrectDiskStatus", "The current disk status does not support this operation.")
	}
	for _, s := range st.snapshots {
		if s.SourceDiskID == d.ID && s.Type == "user" && s.status(c.now) == "progressing" && s.SourceSnapshotID == "" {
			return nil, apiErr(http.StatusForbidden, "IncorrectDiskStatus.CreatingSnapshot", "A previous snapshot creation is in process.")
		}
	}
	s := newSnapshot(newID("s", c.region().code), c.now, c.durations().SnapshotCreate, st.takeFailure(FailCreateSnapshot))
	s.fromDisk(d)
	s.AccountID = c.AccountID
	s.Name = name
	s.Description = c.str("Description")
	s.RetentionDays = retention
	s.Category = category
	st.addSnapshot(s, tags, commit)
	return ecs.CreateSnapshotResponse{RequestId: c.RequestID, SnapshotId: s.ID}, nil
}

func (st *snapStore) deleteSnapshot(c *rpcCall) (any, error) {
	force := c.bool("Force")
	id, err := st.requiredID(c, "SnapshotId")
	if err != nil {
		return nil, err
	}
	resp := ecs.DeleteSnapshotResponse{RequestId: c.RequestID}
	s, ok := st.snapshots[id]
	if !ok || s.AccountID != c.AccountID || s.RegionID != c.Region {
		// The service ignores a snapshot that does not exist.
		return resp, nil
	}
	if s.lockedAt(c.now) {
		return nil, errSnapshotLocked(id)
	}
	if im := st.usedByImage(id); im != "" {
		return nil, apiErr(http.StatusForbidden, "SnapshotCreatedImage",
			"The snapshot has been used to create user defined image(s).")
	}
	if !force && st.usedByDisk(s) != "" {
		return nil, apiErr(http.StatusForbidden, "SnapshotCreatedDisk", "The snapshot has been used to create disk(s).")
	}
	delete(st.snapshots, id)
	return resp, nil
}

// expireSnapshots deletes snapshots whose retention has run out. Snapshots
// an image still uses are kept, as the service cannot delete them either;
// so are locked ones (LockSnapshot keeps a lock within the retention, so
// this only guards against a bug).
func (st *snapStore) expireSnapshots(now time.Time) {
	for id, s := range st.snapshots {
		exp := s.expiresAt()
		if exp.IsZero() || exp.After(now) {
			continue
		}
		if st.usedByImage(id) != "" || s.lockedAt(now) {
			continue
		}
		delete(st.snapshots, id)
	}
}

// releaseOrphanAutoSnapshots deletes the automatic snapshots of disks that no
// longer exist: the service releases them with their disk (DeleteAutoSnapshot
// defaults to true, as DescribeDisks reports). Cross-region copies,
// snapshots an image uses and locked snapshots (user guide "Lock a
// snapshot": not deleted when the disk is released) are kept.
func (st *snapStore) releaseOrphanAutoSnapshots(now time.Time) {
	for id, s := range st.snapshots {
		if s.Type != "auto" || s.SourceSnapshotID != "" {
			continue
		}
		if a := st.e.accounts[s.AccountID]; a != nil {
			if r := a.regions[s.RegionID]; r != nil && r.disks[s.SourceDiskID] != nil {
				continue
			}
		}
		if st.usedByImage(id) != "" || s.lockedAt(now) {
			continue
		}
		delete(st.snapshots, id)
	}
}
