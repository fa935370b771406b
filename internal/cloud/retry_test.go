package cloud

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

func serverError(status int, code string) error {
	return sdkerrors.NewServerError(status, `{"Code":"`+code+`","Message":"m","RequestId":"r"}`, "")
}

func TestRetryableClassification(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{serverError(400, "Throttling.User"), true},
		{serverError(503, "ServiceUnavailable"), true},
		{serverError(500, "InternalError"), true},
		{serverError(400, "InvalidParameter"), false},
		{serverError(404, "InvalidDiskId.NotFound"), false},
		{serverError(403, "IncorrectInstanceStatus"), false},
		{oss.ServiceError{Code: "InternalError", StatusCode: 500}, true},
		{oss.ServiceError{Code: "NoSuchKey", StatusCode: 404}, false},
		{errors.New("read tcp 127.0.0.1:1: connection reset by peer"), true},
		{errors.New("bad input"), false},
	}
	for _, c := range cases {
		if got := Retryable(c.err); got != c.want {
			t.Errorf("Retryable(%v) = %v, want %v", c.err, got, c.want)
		}
	}
	if !isMissing(serverError(404, "InvalidDiskId.NotFound"), KindDisk) || !IsNotFound(&NotFoundError{Kind: KindDisk, ID: "d-1"}) {
		t.Error("a disk's not-found answer is missed")
	}
	if !IsConflict(serverError(403, "IncorrectInstanceStatus")) {
		t.Error("IsConflict misses IncorrectInstanceStatus")
	}
}

func TestRetryBacksOffAndStops(t *testing.T) {
	var slept []time.Duration
	b := Backoff{Base: time.Second, Max: 4 * time.Second, Attempts: 5, Sleep: func(_ context.Context, d time.Duration) error {
		slept = append(slept, d)
		return nil
	}}
	calls := 0
	err := b.Retry(context.Background(), "x", Retryable, func() error {
		calls++
		if calls < 4 {
			return serverError(400, "Throttling")
		}
		return nil
	})
	if err != nil || calls != 4 || len(slept) != 3 {
		t.Fatalf("err=%v calls=%d slept=%v", err, calls, slept)
	}
	for i, d := range slept {
		ceiling := min(time.Second<<i, 4*time.Second)
		if d < ceiling/2 || d > ceiling {
			t.Errorf("delay %d = %s, want within [%s, %s]", i, d, ceiling/2, ceiling)
		}
	}

	calls = 0
	err = b.Retry(context.Background(), "x", Retryable, func() error { calls++; return serverError(400, "InvalidParameter") })
	if calls != 1 || err == nil {
		t.Fatalf("validation errors must not be retried: calls=%d", calls)
	}
	calls = 0
	err = b.Retry(context.Background(), "x", Retryable, func() error { calls++; return serverError(503, "ServiceUnavailable") })
	if calls != 5 || ErrorCode(err) != "ServiceUnavailable" {
		t.Fatalf("gives up after Attempts with the last error: calls=%d err=%v", calls, err)
	}
}

func TestClockSkewHint(t *testing.T) {
	local := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	server := local.Add(-25 * time.Minute).Format(http.TimeFormat)
	err := explainClockSkew(serverError(400, "InvalidTimeStamp.Expired"), server, local)
	if !strings.Contains(err.Error(), "differs from the service's by 25m0s") || !strings.Contains(err.Error(), "NTP") {
		t.Fatalf("no skew hint: %v", err)
	}
	if ErrorCode(err) != "InvalidTimeStamp.Expired" {
		t.Fatal("the hint must keep the original error reachable")
	}
	same := explainClockSkew(serverError(400, "SignatureDoesNotMatch"), local.Format(http.TimeFormat), local)
	if strings.Contains(same.Error(), "differs") {
		t.Fatalf("no hint when clocks agree: %v", same)
	}
}

// A call whose connection broke after sending may have taken effect: only
// reads, idempotent changes and ClientToken requests are sent again.
func TestUnknownOutcomeResendsOnlySafeCalls(t *testing.T) {
	c, srv := newEmulatorClient(t, emulator.DefaultAccessKeySecret)
	c.Backoff.Sleep = func(context.Context, time.Duration) error { return nil }
	srv.SetDurations(emulator.InstantDurations())
	// Counted by their effect: the request log is written after the response
	// and may lag behind a broken one.
	snapshots := func() int {
		snaps, err := c.ListSnapshots(context.Background(), emulator.SeedRegion, SnapshotFilter{DiskID: emulator.SeedDiskCoreDBData})
		if err != nil {
			t.Fatal(err)
		}
		return len(snaps)
	}

	srv.InjectFault(emulator.Fault{Service: "ecs", Action: "DescribeDisks", Kind: "truncate", Rate: 1, Count: 1})
	if _, err := c.ListDisks(context.Background(), emulator.SeedRegion, DiskFilter{}); err != nil {
		t.Fatalf("a read is resent after a broken response: %v", err)
	}

	srv.InjectFault(emulator.Fault{Service: "ecs", Action: "CreateSnapshot", Kind: "truncate", Rate: 1, Count: 1})
	req := ecs.CreateCreateSnapshotRequest()
	req.DiskId = emulator.SeedDiskCoreDBData
	if err := c.DoECS(context.Background(), emulator.SeedRegion, req, ecs.CreateCreateSnapshotResponse()); err == nil {
		t.Fatal("expected the broken CreateSnapshot response to be reported")
	}
	if n := snapshots(); n != 1 {
		t.Fatalf("a create without ClientToken must not be resent: %d snapshots", n)
	}

	srv.InjectFault(emulator.Fault{Service: "ecs", Action: "CreateSnapshot", Kind: "truncate", Rate: 1, Count: 1})
	req = ecs.CreateCreateSnapshotRequest()
	req.DiskId = emulator.SeedDiskCoreDBData
	req.ClientToken = "alidr-test-token"
	resp := ecs.CreateCreateSnapshotResponse()
	if err := c.DoECS(context.Background(), emulator.SeedRegion, req, resp); err != nil || resp.SnapshotId == "" {
		t.Fatalf("a create with ClientToken is resent: %v", err)
	}
	if n := snapshots(); n != 2 {
		t.Fatalf("the resent create must return the first result, not make another: %d snapshots", n)
	}
}
