// Package verify runs disaster-recovery verification drills: checksum
// checks of exported images against expected digests or a manifest, boot
// tests through Cloud Assistant repeated over a soak period, an RTO check,
// and tagging of what a passed run proved. It renders the results as JSON
// and JUnit XML reports. It has no Terraform imports; the cloud is reached
// through the Backend interface (CloudBackend in production, fakes in tests).
package verify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/alidr/terraform-provider-alidr/internal/transfer"
)

// Run and check statuses.
const (
	StatusPassed  = "passed"
	StatusFailed  = "failed"
	StatusSkipped = "skipped"
)

// Check names, stable: reports and pipelines key on them.
const (
	CheckChecksum = "checksum"
	CheckBootTest = "boot_test"
	CheckRTO      = "rto"
	CheckTagging  = "tag_verified_points"
)

// Checksum modes.
const (
	ModeMetadata = "metadata"
	ModeSample   = "sample"
	ModeFull     = "full"
)

// OutputTailBytes is how much of a command's decoded output is kept.
const OutputTailBytes = 2048

// MaxManifestBytes bounds how much of a manifest object is read.
const MaxManifestBytes = 64 << 20

// Spec is what one run checks.
type Spec struct {
	// Name labels the reports (e.g. "nightly").
	Name string
	// RunID identifies the run; NewRunID makes one.
	RunID string
	// Region of the instance and of the verified points.
	Region   string
	Checksum *ChecksumSpec
	BootTest *BootSpec
	// RestoreDuration is a measured restore time added to the boot test's
	// time to healthy for the RTO; HasRestore says it was given.
	RestoreDuration time.Duration
	HasRestore      bool
	// RTOTarget, when positive, adds the rto check.
	RTOTarget time.Duration
	// VerifiedPoints are snapshot (s-...) and image (m-...) ids tagged
	// when the run passes.
	VerifiedPoints []string
	// Log, when set, receives progress (each boot-test attempt, each
	// finished check) for the operator's log.
	Log func(msg string, fields map[string]any)
}

func (s Spec) log(msg string, fields map[string]any) {
	if s.Log != nil {
		s.Log(msg, fields)
	}
}

// ChecksumSpec checks one OSS object.
type ChecksumSpec struct {
	Region, Bucket, Object string
	// Manifest is the key of a transfer.Manifest in the same bucket.
	Manifest string
	// Expected digests: MD5 and SHA256 lowercase hex, CRC64 decimal as OSS
	// writes it. Empty means not given.
	ExpectedMD5, ExpectedSHA256, ExpectedCRC64 string
	Mode                                       string
	// SamplePercent of the manifest's parts in sample mode.
	SamplePercent float64
}

// BootSpec runs a health command on an instance every Interval for Duration.
type BootSpec struct {
	InstanceID, Command, CommandType   string
	Duration, Interval, CommandTimeout time.Duration
	ExpectExitCode                     int
}

// Check is one line of the verdict.
type Check struct {
	Name     string        `json:"name"`
	Status   string        `json:"status"`
	Detail   string        `json:"detail"`
	Duration time.Duration `json:"-"`
}

// Result is a finished run.
type Result struct {
	RunID, Name, Status   string
	StartedAt, FinishedAt time.Time
	Checks                []Check
	Checksum              *ChecksumResult
	Boot                  *BootResult
	// MeasuredRTO is restore duration + boot time to healthy; nil when
	// nothing was measured (or the service never became healthy).
	MeasuredRTO     *time.Duration
	RestoreDuration *time.Duration
	RTOTarget       *time.Duration
	VerifiedPoints  []string
	// Tagged lists the points that received the verified tags.
	Tagged []string
}

// ChecksumResult holds what the checksum check computed or read.
type ChecksumResult struct {
	Mode, Bucket, Object, Manifest string
	// MD5, SHA256 (hex) and CRC64 (decimal) as computed (full) or read from
	// OSS (metadata: CRC64 only); empty when not known.
	MD5, SHA256, CRC64 string
	// BytesVerified is the number of object bytes read and checked; -1
	// when not known exactly (sample mode).
	BytesVerified int64
	// PartsChecked / PartsTotal in sample mode.
	PartsChecked, PartsTotal int
}

// Failed reports whether any check failed.
func (r *Result) Failed() bool {
	for _, c := range r.Checks {
		if c.Status == StatusFailed {
			return true
		}
	}
	return false
}

// FailedChecks lists the failed checks, for error messages.
func (r *Result) FailedChecks() []Check {
	var out []Check
	for _, c := range r.Checks {
		if c.Status == StatusFailed {
			out = append(out, c)
		}
	}
	return out
}

// NewRunID returns an id such as vr-20261124T104500Z-3f9a1c.
func NewRunID(now time.Time) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return "vr-" + now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}

// ObjectInfo is what a HEAD tells about an object.
type ObjectInfo struct {
	Size  int64
	ETag  string
	CRC64 string // x-oss-hash-crc64ecma, "" when OSS sent none
}

// CommandRequest runs Command once on an instance.
type CommandRequest struct {
	InstanceID, Command, CommandType string
	Timeout                          time.Duration
}

// CommandResult is one finished Cloud Assistant invocation on one instance.
type CommandResult struct {
	InvokeID string
	// Status is the invocation status: Success, Failed, Timeout, ...
	Status    string
	ExitCode  int
	Output    string // decoded
	ErrorCode string
	ErrorInfo string
}

// Backend is what a run needs from the cloud.
type Backend interface {
	HeadObject(ctx context.Context, region, bucket, key string) (ObjectInfo, error)
	ReadObject(ctx context.Context, region, bucket, key string, limit int64) ([]byte, error)
	PutObject(ctx context.Context, region, bucket, key string, data []byte, contentType string) error
	// VerifyObject streams the whole object (parts of partSize, 0 = auto)
	// computing CRC64, MD5 and SHA-256.
	VerifyObject(ctx context.Context, region, bucket, key string, partSize int64) (*transfer.Result, error)
	// VerifySample checks percent of the manifest's parts.
	VerifySample(ctx context.Context, region, bucket, key string, m *transfer.Manifest, percent float64) error
	// RunCommand runs a command once and waits for its result.
	RunCommand(ctx context.Context, region string, req CommandRequest) (CommandResult, error)
	// TagResources sets tags on resources of one type ("snapshot", "image").
	TagResources(ctx context.Context, region, resourceType string, ids []string, tags map[string]string) error
}

// Clock is the time source of the boot-test loop; tests use a fake one.
type Clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock is the wall clock.
type RealClock struct{}

// Now returns the wall-clock time.
func (RealClock) Now() time.Time { return time.Now() }

// Sleep waits for d or until ctx ends.
func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	return transfer.SleepContext(ctx, d)
}

// PointType maps a recovery point id to its TagResources ResourceType.
func PointType(id string) (string, error) {
	switch {
	case len(id) > 2 && id[:2] == "s-":
		return "snapshot", nil
	case len(id) > 2 && id[:2] == "m-":
		return "image", nil
	}
	return "", fmt.Errorf("%q is neither a snapshot id (s-...) nor an image id (m-...)", id)
}

// tail returns the last n bytes of s, marking a cut.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// FormatDuration renders d compactly ("1m5s", "0s", "250ms").
func FormatDuration(d time.Duration) string {
	switch {
	case d >= time.Minute:
		d = d.Round(time.Second)
	case d >= time.Millisecond:
		d = d.Round(time.Millisecond)
	}
	return d.String()
}
