package cloud_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

func TestVerificationObjects(t *testing.T) {
	srv, c := startEmulator(t, emulator.Options{})
	ctx := context.Background()
	oc, err := oss.New(srv.URL(), emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	if err := oc.CreateBucket("dr-reports"); err != nil {
		t.Fatal(err)
	}
	_, err = c.HeadCheckedObject(ctx, emulator.SeedRegion, "dr-reports", "missing")
	var nf *cloud.NotFoundError
	if !errors.As(err, &nf) || !cloud.IsObjectNotFound(err) || !strings.Contains(err.Error(), "OSS object oss://dr-reports/missing not found in "+emulator.SeedRegion) {
		t.Fatalf("missing object: %v", err)
	}
	if _, err := c.ReadSmallObject(ctx, emulator.SeedRegion, "dr-reports", "missing", 10); !cloud.IsObjectNotFound(err) {
		t.Fatalf("missing object read: %v", err)
	}
	if _, err := c.HeadCheckedObject(ctx, emulator.SeedRegion, "no-such-bucket", "x"); !cloud.IsObjectNotFound(err) {
		t.Fatalf("missing bucket: %v", err)
	}
	data := []byte(`{"report": true}`)
	if err := c.PutSmallObject(ctx, emulator.SeedRegion, "dr-reports", "r/report.json", data, "application/json"); err != nil {
		t.Fatal(err)
	}
	h, err := c.HeadCheckedObject(ctx, emulator.SeedRegion, "dr-reports", "r/report.json")
	if err != nil || h.Size != int64(len(data)) || h.CRC64 == "" || h.ETag == "" {
		t.Fatalf("%+v %v", h, err)
	}
	got, err := c.ReadSmallObject(ctx, emulator.SeedRegion, "dr-reports", "r/report.json", int64(len(data)))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("%q %v", got, err)
	}
	// Bytes damaged in transit are read again.
	srv.InjectFault(emulator.Fault{Service: "oss", Action: "GetObject", Kind: emulator.FaultCorrupt, Count: 2})
	got, err = c.ReadSmallObject(ctx, emulator.SeedRegion, "dr-reports", "r/report.json", int64(len(data)))
	if err != nil || !bytes.Equal(got, data) || srv.Faults()[0].Fired != 2 {
		t.Fatalf("after corruption: %q %v %+v", got, err, srv.Faults())
	}
	srv.ClearFaults()
	srv.InjectFault(emulator.Fault{Service: "oss", Action: "GetObject", Kind: emulator.FaultCorrupt})
	if _, err := c.ReadSmallObject(ctx, emulator.SeedRegion, "dr-reports", "r/report.json", 100); err == nil || !strings.Contains(err.Error(), "but OSS keeps") {
		t.Fatalf("persistent corruption: %v", err)
	}
	srv.ClearFaults()
	if _, err := c.ReadSmallObject(ctx, emulator.SeedRegion, "dr-reports", "r/report.json", 4); err == nil || !strings.Contains(err.Error(), "larger than 4 bytes") {
		t.Fatalf("limit: %v", err)
	}
}
