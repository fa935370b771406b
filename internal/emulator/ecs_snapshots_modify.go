package emulator

import (
	"net/http"
	"strings"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

func (st *snapStore) modifySnapshotAttribute(c *rpcCall) (any, error) {
	id, err := st.requiredID(c, "SnapshotId")
	if err != nil {
		return nil, err
	}
	name := c.str("SnapshotName")
	retention, err := validNameAndRetention(c, name)
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
	id, err := st.requiredID(c, "SnapshotId")
	if err != nil {
		return nil, err
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
