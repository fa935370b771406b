package cloud

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/alidr/terraform-provider-alidr/internal/attest"
	"github.com/alidr/terraform-provider-alidr/internal/drpolicy"
)

// Attestation is the provider's attestation setup: the vault bucket where
// verification runs store signed attestations and where recovery points
// are proven verified, the key that signs (held by the pipeline, never by
// the cloud account) and the keys that are trusted. The zero value signs
// nothing and trusts nothing.
type Attestation struct {
	Bucket, Region string
	Signer         ed25519.PrivateKey
	Trusted        []ed25519.PublicKey
}

// maxAttestationBytes bounds an attestation read.
const maxAttestationBytes = 1 << 20

// verifiedBy is the run a point's tags name, but only when both
// verification tags are there (a hint where to look for the attestation).
func verifiedBy(tags map[string]string) string {
	if tags[TagVerifiedAt] == "" {
		return ""
	}
	return tags[TagVerificationRun]
}

// AttestationURL is where a run's attestation is kept.
func (a Attestation) AttestationURL(runID string) string {
	return "oss://" + a.Bucket + "/" + attest.ObjectKey(runID)
}

// WriteAttestation signs s and stores it in the vault under the run's key,
// refusing to replace an existing object (x-oss-forbid-overwrite).
func (c *Client) WriteAttestation(ctx context.Context, s attest.Statement) (string, error) {
	a := c.Attestation
	if a.Bucket == "" || a.Signer == nil {
		return "", errors.New("the provider has no attestation bucket and signing key")
	}
	data, err := attest.Sign(s, a.Signer)
	if err != nil {
		return "", err
	}
	b, err := c.Bucket(c.RegionOr(a.Region), a.Bucket)
	if err != nil {
		return "", err
	}
	key := attest.ObjectKey(s.RunID)
	err = c.RetryOSS(ctx, "PutObject "+a.AttestationURL(s.RunID), func() error {
		return b.PutObject(key, bytes.NewReader(data), oss.WithContext(ctx), oss.ContentType("application/json"), oss.ForbidOverWrite(true))
	})
	return a.AttestationURL(s.RunID), err
}

// proveVerified sets Verified on the points a trusted attestation vouches
// for, and clears it on every other: tags are never proof. Each run's
// attestation is read once; a missing or unreadable one proves nothing.
func (c *Client) proveVerified(ctx context.Context, points []drpolicy.Point) error {
	a := c.Attestation
	statements := map[string]*attest.Statement{}
	for i := range points {
		p := &points[i]
		p.Verified = false
		if p.VerifiedBy == "" || strings.Contains(p.VerifiedBy, "/") || a.Bucket == "" || len(a.Trusted) == 0 {
			continue
		}
		s, seen := statements[p.VerifiedBy]
		if !seen {
			var err error
			if s, err = c.readStatement(ctx, p.VerifiedBy); err != nil {
				return err
			}
			statements[p.VerifiedBy] = s
		}
		p.Verified = s != nil && s.Vouches(p.ID)
	}
	return nil
}

// readStatement reads and verifies a run's attestation; nil when there is
// none or no trusted key signed it. Only failures to read are errors.
func (c *Client) readStatement(ctx context.Context, runID string) (*attest.Statement, error) {
	a := c.Attestation
	data, err := c.ReadSmallObject(ctx, c.RegionOr(a.Region), a.Bucket, attest.ObjectKey(runID), maxAttestationBytes)
	if IsObjectNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the attestation of %s: %w", runID, err)
	}
	s, err := attest.Verify(data, a.Trusted)
	if err != nil {
		return nil, nil
	}
	return &s, nil
}
