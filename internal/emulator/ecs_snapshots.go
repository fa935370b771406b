package emulator

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
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
	e.registerTagType("snapshot", tagType{
		get: func(c *rpcCall, id string) (map[string]string, bool) {
			st.catchUp(c.now)
			s, err := st.snapshotOf(c, id)
			if err != nil {
				return nil, false
			}
			return s.Tags, true
		},
		list: func(c *rpcCall) []string {
			st.catchUp(c.now)
			var ids []string
			for _, s := range st.snapshots {
				if s.AccountID == c.AccountID && s.RegionID == c.Region {
					ids = append(ids, s.ID)
				}
			}
			sort.Strings(ids)
			return ids
		},
	})
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
	if err := validSnapshotName(name); err != nil {
		return nil, err
	}
	retention, err := validRetention(c, "RetentionDays")
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
	if err := c.err(); err != nil {
		return nil, err
	}
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
	for _, t := range tags {
		s.Tags[t.Key] = t.Value
	}
	st.snapshots[s.ID] = s
	st.e.created(s.ID)
	commit(s.ID)
	return ecs.CreateSnapshotResponse{RequestId: c.RequestID, SnapshotId: s.ID}, nil
}

// snapshotJSON renders a snapshot as DescribeSnapshots returns it.
func (st *snapStore) snapshotJSON(s *snapshot, now time.Time) ecs.Snapshot {
	status := s.status(now)
	progress := s.state.progress(now)
	if status == "failed" {
		progress = 0
	}
	out := ecs.Snapshot{
		SnapshotId:        s.ID,
		SnapshotName:      s.Name,
		Description:       s.Description,
		RegionId:          s.RegionID,
		SourceDiskId:      s.SourceDiskID,
		SourceDiskSize:    strconv.Itoa(s.SourceDiskSize),
		SourceDiskType:    s.SourceDiskType,
		SourceStorageType: "disk",
		CreationTime:      isoTimeSec(s.Created),
		LastModifiedTime:  isoTimeSec(s.Created),
		Status:            status,
		Progress:          fmt.Sprintf("%d%%", progress),
		Available:         status == "accomplished",
		RetentionDays:     s.RetentionDays,
		Category:          s.Category,
		SnapshotType:      s.Type,
		Usage:             st.usage(s),
		Encrypted:         s.Encrypted,
		KMSKeyId:          s.KMSKeyID,
		SourceRegionId:    s.SourceRegionID,
		SourceSnapshotId:  s.SourceSnapshotID,
		SnapshotSN:        s.ID[2:],
		InstantAccess:     s.Category == "flash",
	}
	if status == "progressing" {
		out.RemainTime = int(s.state.end.Sub(now).Seconds())
	}
	out.Tags.Tag = apiTags(s.Tags)
	return out
}

// apiTags renders a tag set as the API's Tag list, sorted by key.
func apiTags(m map[string]string) []ecs.Tag {
	out := make([]ecs.Tag, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, ecs.Tag{Key: k, Value: m[k], TagKey: k, TagValue: m[k]})
	}
	return out
}

// tagsMatch reports whether m carries every wanted tag (an empty value
// matches any value of the key).
func tagsMatch(m map[string]string, want []tag) bool {
	for _, t := range want {
		v, ok := m[t.Key]
		if !ok || t.Value != "" && v != t.Value {
			return false
		}
	}
	return true
}

func (st *snapStore) describeSnapshots(c *rpcCall) (any, error) {
	st.catchUp(c.now)
	ids := c.jsonStrings("SnapshotIds")
	diskID, instanceID := c.str("DiskId"), c.str("InstanceId")
	status, category, usage := c.str("Status"), c.str("Category"), c.str("Usage")
	snapType := c.str("SnapshotType")
	name, diskType := c.str("SnapshotName"), c.str("SourceDiskType")
	kmsKey, encFilter := c.str("KMSKeyId"), c.str("Encrypted") != ""
	encrypted := c.bool("Encrypted")
	wantTags := c.tags()
	tokenMode := c.has("NextToken") || c.has("MaxResults")
	number, size := c.page(10, 100)
	maxResults := c.int("MaxResults", 10)
	offset := 0
	if tok := c.str("NextToken"); tok != "" {
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 {
			return nil, apiErr(http.StatusBadRequest, "InvalidNextToken.Malformed", "The specified NextToken is not valid.")
		}
		offset = n
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	if tokenMode && (maxResults < 1 || maxResults > 100) {
		return nil, errInvalidParam("MaxResults", c.str("MaxResults"))
	}
	switch snapType {
	case "", "all", "auto", "user":
	default:
		return nil, errInvalidParam("SnapshotType", snapType)
	}
	if status == "all" {
		status = ""
	}
	r := c.region()
	var matched []*snapshot
	for _, s := range st.snapshots {
		if s.AccountID != c.AccountID || s.RegionID != c.Region {
			continue
		}
		if ids != nil && !contains(ids, s.ID) ||
			diskID != "" && s.SourceDiskID != diskID ||
			status != "" && s.status(c.now) != status ||
			category != "" && s.Category != category ||
			snapType != "" && snapType != "all" && s.Type != snapType ||
			usage != "" && st.usage(s) != usage ||
			name != "" && s.Name != name ||
			diskType != "" && !strings.EqualFold(s.SourceDiskType, diskType) ||
			encFilter && s.Encrypted != encrypted || kmsKey != "" && s.KMSKeyID != kmsKey ||
			!tagsMatch(s.Tags, wantTags) {
			continue
		}
		if instanceID != "" {
			d := r.disks[s.SourceDiskID]
			if s.InstanceID != instanceID && (d == nil || d.InstanceID != instanceID) {
				continue
			}
		}
		if st.e.hidden(s.ID) {
			continue
		}
		matched = append(matched, s)
	}
	// Newest first, as the service lists them.
	sort.Slice(matched, func(i, j int) bool {
		if !matched[i].Created.Equal(matched[j].Created) {
			return matched[i].Created.After(matched[j].Created)
		}
		return matched[i].ID < matched[j].ID
	})
	resp := ecs.DescribeSnapshotsResponse{RequestId: c.RequestID, TotalCount: len(matched)}
	var page []*snapshot
	if tokenMode {
		page = pageOf(matched[min(offset, len(matched)):], 1, maxResults)
		if next := offset + len(page); next < len(matched) {
			resp.NextToken = strconv.Itoa(next)
		}
		resp.PageSize = maxResults
	} else {
		page = pageOf(matched, number, size)
		resp.PageNumber, resp.PageSize = number, size
	}
	resp.Snapshots.Snapshot = make([]ecs.Snapshot, 0, len(page))
	for _, s := range page {
		resp.Snapshots.Snapshot = append(resp.Snapshots.Snapshot, st.snapshotJSON(s, c.now))
	}
	return resp, nil
}

func (st *snapStore) deleteSnapshot(c *rpcCall) (any, error) {
	st.catchUp(c.now)
	id := c.str("SnapshotId")
	force := c.bool("Force")
	if id == "" {
		return nil, errMissingParam("SnapshotId")
	}
	if err := c.err(); err != nil {
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
	if err := validSnapshotName(name); err != nil {
		return nil, err
	}
	retention, err := validRetention(c, "RetentionDays")
	if err != nil {
		return nil, err
	}
	if err := c.err(); err != nil {
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
	for _, t := range tags {
		cp.Tags[t.Key] = t.Value
	}
	st.snapshots[cp.ID] = cp
	st.e.created(cp.ID)
	commit(cp.ID)
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

func (st *snapStore) modifySnapshotAttribute(c *rpcCall) (any, error) {
	st.catchUp(c.now)
	id := c.str("SnapshotId")
	if id == "" {
		return nil, errMissingParam("SnapshotId")
	}
	name := c.str("SnapshotName")
	if err := validSnapshotName(name); err != nil {
		return nil, err
	}
	retention, err := validRetention(c, "RetentionDays")
	if err != nil {
		return nil, err
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	if !c.has("SnapshotName") && !c.has("Description") && retention == 0 {
		return nil, apiErr(http.StatusBadRequest, "NoAttributeToModify", "No attribute to be modified in this request.")
	}
	s, err := st.snapshotOf(c, id)
	if err != nil {
		return nil, err
	}
	if retention > 0 {
		if s.status(c.now) != "accomplished" {
			return nil, apiErr(http.StatusBadRequest, "InvalidSnapshotId.NotReady", "The specified snapshot has not completed yet.")
		}
		// The retention period can be extended, never shortened (a
		// permanent one included), and must leave the snapshot alive.
		if s.RetentionDays > 0 && retention < s.RetentionDays || s.RetentionDays == -1 {
			return nil, apiErr(http.StatusBadRequest, "InvalidOperation.DecreaseRetentionDaysUnsupported",
				"The requested operation to decrease retention days for the snapshot is not supported.")
		}
		if !s.Created.Add(time.Duration(retention) * 24 * time.Hour).After(c.now) {
			return nil, apiErr(http.StatusBadRequest, "InvalidRetentionDays.Malformed", "The specified RetentionDays is not valid.")
		}
		s.RetentionDays = retention
	}
	if c.has("SnapshotName") {
		s.Name = name
	}
	if c.has("Description") {
		s.Description = c.str("Description")
	}
	return ecs.ModifySnapshotAttributeResponse{RequestId: c.RequestID}, nil
}

// Archive rules from the ModifySnapshotCategory documentation: a standard
// snapshot must have been kept at least 14 days before it can be archived,
// and an archive snapshot is kept at least 60 days, so the retention (counted
// from the snapshot's creation) must be within [74, 65536] and leave at
// least 60 days after archiving; no retention means forever. Encrypted
// snapshots cannot be archived and archiving cannot be undone.
const (
	archiveMinAgeDays    = 14
	archiveMinPeriodDays = 60
)

func (st *snapStore) modifySnapshotCategory(c *rpcCall) (any, error) {
	st.catchUp(c.now)
	id := c.str("SnapshotId")
	if id == "" {
		return nil, errMissingParam("SnapshotId")
	}
	category := c.str("Category")
	if !strings.EqualFold(category, "archive") {
		return nil, apiErr(http.StatusBadRequest, "InvalidParameter.SnapshotCategory", "The specified parameter category is invalid.")
	}
	retention := 0
	if c.str("RetentionDays") != "" {
		retention = c.int("RetentionDays", 0)
		if err := c.err(); err != nil {
			return nil, err
		}
		if retention < archiveMinAgeDays+archiveMinPeriodDays || retention > 65536 {
			return nil, apiErr(http.StatusBadRequest, "InvalidRetentionDays.Malformed",
				"The specified RetentionDays is not valid: archive snapshots take 74 to 65536 days.")
		}
	}
	s, err := st.snapshotOf(c, id)
	if err != nil {
		return nil, err
	}
	if s.status(c.now) != "accomplished" {
		return nil, apiErr(http.StatusBadRequest, "InvalidStatus.SnapshotUnfinished", "The specified unfinished snapshot is not support archive.")
	}
	if s.Category == "archive" {
		// Archiving is immediate here, so "being archived" means "archived".
		return nil, apiErr(http.StatusBadRequest, "InvalidStatus.SnapshotInArchive", "The specified snapshot is currently being archived.")
	}
	if s.Encrypted {
		return nil, apiErr(http.StatusForbidden, "InvalidOperation.EncryptedSnapshotUnsupport", "Archiving encrypted snapshots is not currently supported.")
	}
	age := c.now.Sub(s.Created)
	if age < archiveMinAgeDays*24*time.Hour {
		return nil, apiErr(http.StatusBadRequest, "InvalidStatus.SnapshotAgeLimit", "The specified snapshot created within 14 days is not support archive.")
	}
	if retention > 0 && s.RetentionDays > retention {
		return nil, apiErr(http.StatusBadRequest, "InvalidOperation.DecreaseRetentionDaysUnsupported",
			"The requested operation to decrease retention days for the snapshot is not supported.")
	}
	if retention > 0 && s.Created.Add(time.Duration(retention)*24*time.Hour).Before(c.now.Add(archiveMinPeriodDays*24*time.Hour)) {
		return nil, apiErr(http.StatusBadRequest, "InvalidRetentionDays.Malformed",
			"The specified RetentionDays is not valid: an archive snapshot is kept at least 60 days after archiving.")
	}
	if st.usedByImage(s.ID) != "" {
		return nil, apiErr(http.StatusForbidden, "SnapshotCreatedImage", "The snapshot has been used to create user defined image(s).")
	}
	s.Category = "archive"
	s.RetentionDays = retention
	if retention == 0 {
		s.RetentionDays = -1
	}
	// Archiving is immediate here; the task is reported finished.
	t := &ecsTask{ID: newID("t", c.region().code), AccountID: c.AccountID, RegionID: c.Region,
		Action: "ModifySnapshotCategory", Created: c.now}
	t.state.begin(c.now, 0, "Finished")
	t.finished = true
	st.tasks[t.ID] = t
	return ecs.ModifySnapshotCategoryResponse{RequestId: c.RequestID, TaskId: t.ID}, nil
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
