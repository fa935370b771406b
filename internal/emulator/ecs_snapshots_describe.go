package emulator

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

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
	sortByCreated(matched, func(s *snapshot) (string, int64) { return s.ID, s.Created.UnixNano() })
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
