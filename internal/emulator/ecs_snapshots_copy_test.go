package emulator

import (
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// copySnapshotRequest is a CopySnapshot with the parameters its model
// requires (DestinationSnapshotName and DestinationSnapshotDescription too).
func copySnapshotRequest(id, region string) *ecs.CopySnapshotRequest {
	req := ecs.CreateCopySnapshotRequest()
	req.SnapshotId, req.DestinationRegionId = id, region
	req.DestinationSnapshotName, req.DestinationSnapshotDescription = "copy-of-"+id, "copy of "+id
	return req
}

func TestSnapshotCopyToRegion(t *testing.T) {
	e := newSnapEnv(t)
	d := e.srv.ecs.durations
	id := e.createSnapshot(SeedDiskCoreDBData, "src")
	req := copySnapshotRequest(id, "cn-shanghai")
	_, err := e.bj.CopySnapshot(req)
	wantAPIError(t, err, 403, "InvalidSnapshotId.NotReady")
	missing := copySnapshotRequest("s-2zenothere0000000000", "cn-shanghai")
	_, err = e.bj.CopySnapshot(missing)
	wantAPIError(t, err, 403, "InvalidSnapshotId.NotFound")

	e.clock.Advance(d.SnapshotCreate)
	req.DestinationSnapshotName = "dr-copy"
	req.RetentionDays = requests.NewInteger(30)
	req.Encrypted = requests.NewBoolean(true)
	req.KMSKeyId = "key-123"
	req.Tag = &[]ecs.CopySnapshotTag{{Key: "dr", Value: "yes"}}
	resp, err := e.bj.CopySnapshot(req)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(resp.SnapshotId, "s-uf6") {
		t.Errorf("copy id %s lacks the destination region infix", resp.SnapshotId)
	}
	if _, ok := e.snapshot(e.bj, resp.SnapshotId); ok {
		t.Error("copy listed in the source region")
	}
	cp := e.mustSnapshot(e.sh, resp.SnapshotId)
	if cp.Status != "progressing" || cp.SourceRegionId != SeedRegion || cp.SourceSnapshotId != id ||
		cp.SnapshotName != "dr-copy" || cp.RetentionDays != 30 || !cp.Encrypted || cp.KMSKeyId != "key-123" ||
		cp.SourceDiskSize != "200" || cp.RegionId != "cn-shanghai" || len(cp.Tags.Tag) != 1 {
		t.Errorf("copy: %+v", cp)
	}
	e.clock.Advance(d.SnapshotCopy)
	if cp = e.mustSnapshot(e.sh, resp.SnapshotId); cp.Status != "accomplished" {
		t.Errorf("copy status after %v: %s", d.SnapshotCopy, cp.Status)
	}
	byKey := ecs.CreateDescribeSnapshotsRequest()
	byKey.Encrypted = requests.NewBoolean(true)
	byKey.KMSKeyId = "key-123"
	if r, err := e.sh.DescribeSnapshots(byKey); err != nil || r.TotalCount != 1 {
		t.Errorf("Encrypted/KMSKeyId filter: %v %v", r, err)
	}
	plain := ecs.CreateDescribeSnapshotsRequest()
	plain.Encrypted = requests.NewBoolean(false)
	if r, err := e.sh.DescribeSnapshots(plain); err != nil || r.TotalCount != 0 {
		t.Errorf("Encrypted=false filter: %v %v", r, err)
	}

	bad := copySnapshotRequest(id, "mars-north-1")
	_, err = e.bj.CopySnapshot(bad)
	wantAPIError(t, err, 404, "InvalidDestinationRegionId.NotFound")
}
