package cloud

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// Recovery vault calls: an OSS bucket with versioning and a WORM retention
// policy, through aliyun-oss-go-sdk v3.0.2 (CreateBucket, GetBucketInfo,
// SetBucketVersioning/GetBucketVersioning, InitiateBucketWorm,
// CompleteBucketWorm, ExtendBucketWorm, GetBucketWorm, AbortBucketWorm,
// DeleteBucket in client.go).

// KindOSSBucket is a bucket looked up by name.
const KindOSSBucket Kind = "OSS bucket"

// WORM policy states (GetBucketWorm, OSS API reference).
const (
	WormInProgress = "InProgress"
	WormLocked     = "Locked"
)

// VaultState is a bucket's versioning and retention policy.
type VaultState struct {
	Bucket     string
	Location   string // oss-cn-beijing
	Versioning string // "", Enabled or Suspended
	Worm       *Worm  // nil when the bucket has no policy (or it expired)
}

// Worm is a bucket retention policy as GetBucketWorm reports it.
type Worm struct {
	ID            string
	State         string
	RetentionDays int
	Created       time.Time
}

// Locked reports whether the state's policy is locked.
func (v VaultState) Locked() bool { return v.Worm != nil && v.Worm.State == WormLocked }

// IsBucketNotFound reports the service saying a bucket does not exist.
func IsBucketNotFound(err error) bool { return ErrorCode(err) == "NoSuchBucket" }

// ErrBucketExists says CreateVaultBucket found the name taken (by this
// account or another): a vault only manages a bucket it created or one
// imported on purpose.
var ErrBucketExists = errors.New("bucket exists")

// CreateVaultBucket creates bucket in region, refusing a name that already
// exists (OSS answers 200 when the owner re-creates its own bucket, so the
// name is looked up first).
func (c *Client) CreateVaultBucket(ctx context.Context, region, bucket string) error {
	cl, err := c.OSS(region)
	if err != nil {
		return err
	}
	_, err = c.ReadVault(ctx, region, bucket)
	switch {
	case err == nil:
		return fmt.Errorf("oss://%s: %w", bucket, ErrBucketExists)
	case !IsNotFound(err):
		return err
	}
	return c.RetryOSS(ctx, "PutBucket "+bucket, func() error {
		return cl.CreateBucket(bucket, oss.WithContext(ctx))
	})
}

// ReadVault reads a bucket's location, versioning and retention policy; a
// missing bucket is a *NotFoundError.
func (c *Client) ReadVault(ctx context.Context, region, bucket string) (VaultState, error) {
	cl, err := c.OSS(region)
	if err != nil {
		return VaultState{}, err
	}
	st := VaultState{Bucket: bucket}
	notFound := func(err error) error {
		if IsBucketNotFound(err) {
			return fmt.Errorf("%w: %w", &NotFoundError{Kind: KindOSSBucket, ID: bucket, Region: region}, err)
		}
		return err
	}
	err = c.RetryOSS(ctx, "GetBucketInfo "+bucket, func() error {
		res, err := cl.GetBucketInfo(bucket, oss.WithContext(ctx))
		st.Location = res.BucketInfo.Location
		return err
	})
	if err != nil {
		return st, notFound(err)
	}
	err = c.RetryOSS(ctx, "GetBucketVersioning "+bucket, func() error {
		res, err := cl.GetBucketVersioning(bucket, oss.WithContext(ctx))
		st.Versioning = res.Status
		return err
	})
	if err != nil {
		return st, notFound(err)
	}
	err = c.RetryOSS(ctx, "GetBucketWorm "+bucket, func() error {
		res, err := cl.GetBucketWorm(bucket, oss.WithContext(ctx))
		if err != nil {
			return err
		}
		created, _ := time.Parse("2006-01-02T15:04:05.000Z", res.CreationDate)
		st.Worm = &Worm{ID: res.WormId, State: res.State, RetentionDays: res.RetentionPeriodInDays, Created: created}
		return nil
	})
	if err != nil && httpStatus(err) == 404 && !IsBucketNotFound(err) {
		// 404 with another code: no policy (GetBucketWorm reference page).
		err = nil
	}
	return st, notFound(err)
}

// EnableVersioning turns versioning on (it can never be turned off again,
// only suspended, which a retention policy forbids).
func (c *Client) EnableVersioning(ctx context.Context, region, bucket string) error {
	cl, err := c.OSS(region)
	if err != nil {
		return err
	}
	return c.RetryOSS(ctx, "PutBucketVersioning "+bucket, func() error {
		return cl.SetBucketVersioning(bucket, oss.VersioningConfig{Status: "Enabled"}, oss.WithContext(ctx))
	})
}

// InitiateWorm creates an InProgress retention policy and returns its id.
func (c *Client) InitiateWorm(ctx context.Context, region, bucket string, days int) (string, error) {
	cl, err := c.OSS(region)
	if err != nil {
		return "", err
	}
	var id string
	err = c.RetryOSS(ctx, "InitiateBucketWorm "+bucket, func() error {
		var err error
		id, err = cl.InitiateBucketWorm(bucket, days, oss.WithContext(ctx))
		return err
	})
	return id, err
}

// LockWorm locks (completes) a policy: from then on it can only be extended.
func (c *Client) LockWorm(ctx context.Context, region, bucket, id string) error {
	cl, err := c.OSS(region)
	if err != nil {
		return err
	}
	return c.RetryOSS(ctx, "CompleteBucketWorm "+bucket, func() error {
		return cl.CompleteBucketWorm(bucket, id, oss.WithContext(ctx))
	})
}

// ExtendWorm lengthens a locked policy's retention period.
func (c *Client) ExtendWorm(ctx context.Context, region, bucket, id string, days int) error {
	cl, err := c.OSS(region)
	if err != nil {
		return err
	}
	return c.RetryOSS(ctx, "ExtendBucketWorm "+bucket, func() error {
		return cl.ExtendBucketWorm(bucket, days, id, oss.WithContext(ctx))
	})
}

// AbortWorm deletes an unlocked policy.
func (c *Client) AbortWorm(ctx context.Context, region, bucket string) error {
	cl, err := c.OSS(region)
	if err != nil {
		return err
	}
	return c.RetryOSS(ctx, "AbortBucketWorm "+bucket, func() error {
		return cl.AbortBucketWorm(bucket, oss.WithContext(ctx))
	})
}

// DeleteVaultBucket deletes an empty bucket; the service refuses one that
// still holds objects or versions (BucketNotEmpty), which a locked policy
// guarantees while they are retained. A bucket already gone is success.
func (c *Client) DeleteVaultBucket(ctx context.Context, region, bucket string) error {
	cl, err := c.OSS(region)
	if err != nil {
		return err
	}
	err = c.RetryOSS(ctx, "DeleteBucket "+bucket, func() error {
		return cl.DeleteBucket(bucket, oss.WithContext(ctx))
	})
	if IsBucketNotFound(err) {
		return nil
	}
	return err
}
