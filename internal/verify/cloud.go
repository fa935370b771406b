package verify

import (
	"context"
	"errors"
	"fmt"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/transfer"
)

const (
	tagVerifiedAt      = cloud.TagVerifiedAt
	tagVerificationRun = cloud.TagVerificationRun
)

func init() {
	IsNotFound = cloud.IsObjectNotFound
}

// CloudBackend reaches ECS and OSS through the provider's client and the
// transfer engine.
type CloudBackend struct {
	Client *cloud.Client
	// Workers for full verification (0 = the engine's default).
	Workers int
	// Progress receives full-verification progress (may be nil).
	Progress func(transfer.Progress)
	// CommandPoll tunes DescribeInvocationResults polling.
	CommandPoll cloud.WaitOptions
}

var _ Backend = (*CloudBackend)(nil)

// HeadObject implements Backend.
func (c *CloudBackend) HeadObject(ctx context.Context, region, bucket, key string) (ObjectInfo, error) {
	m, err := c.Client.HeadCheckedObject(ctx, c.Client.RegionOr(region), bucket, key)
	if err != nil {
		return ObjectInfo{}, err
	}
	return ObjectInfo{Size: m.Size, ETag: m.ETag, CRC64: m.CRC64}, nil
}

// ReadObject implements Backend.
func (c *CloudBackend) ReadObject(ctx context.Context, region, bucket, key string, limit int64) ([]byte, error) {
	return c.Client.ReadSmallObject(ctx, c.Client.RegionOr(region), bucket, key, limit)
}

// PutObject implements Backend.
func (c *CloudBackend) PutObject(ctx context.Context, region, bucket, key string, data []byte, contentType string) error {
	return c.Client.PutSmallObject(ctx, c.Client.RegionOr(region), bucket, key, data, contentType)
}

// VerifyObject implements Backend with the transfer engine's streaming
// Verify: parallel ranged parts, bounded memory, nothing written.
func (c *CloudBackend) VerifyObject(ctx context.Context, region, bucket, key string, partSize int64) (*transfer.Result, error) {
	b, err := c.Client.Bucket(c.Client.RegionOr(region), bucket)
	if err != nil {
		return nil, err
	}
	return transfer.Verify(ctx, b, key, transfer.Options{
		Workers: c.Workers, PartSize: partSize, MD5: true, SHA256: true, Progress: c.Progress,
	})
}

// VerifySample implements Backend with the transfer engine.
func (c *CloudBackend) VerifySample(ctx context.Context, region, bucket, key string, m *transfer.Manifest, percent float64) error {
	b, err := c.Client.Bucket(c.Client.RegionOr(region), bucket)
	if err != nil {
		return err
	}
	return transfer.VerifySample(ctx, b, key, m, percent)
}

// RunCommand implements Backend through Cloud Assistant.
func (c *CloudBackend) RunCommand(ctx context.Context, region string, req CommandRequest) (CommandResult, error) {
	out, err := c.Client.RunCommandAndWait(ctx, c.Client.RegionOr(region), cloud.CommandInput{
		InstanceID: req.InstanceID, Type: req.CommandType, Content: req.Command, Timeout: req.Timeout,
		Name: "alidr-verification-boot-test",
	}, c.CommandPoll)
	if err != nil {
		return CommandResult{}, compactAPIError(err)
	}
	return CommandResult{InvokeID: out.InvokeID, Status: out.Status, ExitCode: out.ExitCode, Output: out.Output,
		ErrorCode: out.ErrorCode, ErrorInfo: out.ErrorInfo}, nil
}

// TagResources implements Backend.
func (c *CloudBackend) TagResources(ctx context.Context, region, resourceType string, ids []string, tags map[string]string) error {
	return compactAPIError(c.Client.TagResources(ctx, c.Client.RegionOr(region), resourceType, ids, tags))
}

// shortError keeps the error chain but a one-line message for checks.
type shortError struct {
	msg string
	err error
}

func (e *shortError) Error() string { return e.msg }
func (e *shortError) Unwrap() error { return e.err }

// compactAPIError replaces the SDK's multi-line ServerError text with
// "Code: Message (RequestId ...)", keeping what the caller prefixed.
func compactAPIError(err error) error {
	var se *sdkerrors.ServerError
	if err == nil || !errors.As(err, &se) {
		return err
	}
	var ae *cloud.AccessError
	if errors.As(err, &ae) && ae.Action != "" {
		return &shortError{msg: fmt.Sprintf("%s: RAM refused the action %s (RequestId %s)", se.ErrorCode(), ae.Action, se.RequestId()), err: err}
	}
	full, inner := err.Error(), se.Error()
	prefix := ""
	if i := len(full) - len(inner); i >= 0 && full[i:] == inner {
		prefix = full[:i]
	}
	// The message is the service's own (SignatureDoesNotMatch quotes the
	// signed string, key id included): redacted like the rest of the error.
	return &shortError{msg: cloud.Redact(fmt.Sprintf("%s%s: %s (RequestId %s)", prefix, se.ErrorCode(), se.Message(), se.RequestId())), err: err}
}
