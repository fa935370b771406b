// Package attest signs and verifies verification-run attestations: the
// statement "run R checked these recovery points, these objects had these
// checksums, these checks ended so, at these times, and its report has this
// digest", signed with Ed25519 (crypto/ed25519) by a key the pipeline holds
// outside the cloud account. A tag on a point can be forged by anyone with
// the account's keys; a signature cannot without the private key.
//
// It has no Terraform or cloud imports.
package attest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Version is the statement format this package writes and reads.
const Version = 1

// ObjectPrefix is where attestations live in the vault bucket; the key of
// a run's attestation is ObjectKey(runID).
const ObjectPrefix = "alidr-attestations/"

// signingContext separates these signatures from any other use of the key.
const signingContext = "alidr-attestation-v1\n"

// StatusPassed is the only run status that makes its points verified.
const StatusPassed = "passed"

// Statement is what a run attests.
type Statement struct {
	Version      int        `json:"version"`
	RunID        string     `json:"run_id"`
	Status       string     `json:"status"`
	Points       []string   `json:"points"`
	Checksums    []Checksum `json:"checksums"`
	Checks       []Check    `json:"checks"`
	StartedAt    string     `json:"started_at"`  // RFC 3339
	FinishedAt   string     `json:"finished_at"` // RFC 3339
	ReportDigest string     `json:"report_digest"`
}

// Checksum is what a run computed for one object.
type Checksum struct {
	Object string `json:"object"` // oss://bucket/key
	CRC64  string `json:"crc64,omitempty"`
	MD5    string `json:"md5,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
}

// Check is one check's verdict.
type Check struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Detail string `json:"detail"`
}

// Envelope is the stored form: the exact payload bytes that were signed,
// the signer's key id and the signature.
type Envelope struct {
	Payload   []byte `json:"payload"` // canonical JSON of a Statement (base64 in the envelope's JSON)
	KeyID     string `json:"key_id"`
	Signature []byte `json:"signature"`
}

// ObjectKey is the vault key of a run's attestation.
func ObjectKey(runID string) string { return ObjectPrefix + runID + ".json" }

// ReportDigest is the digest written into a statement for a report.
func ReportDigest(report []byte) string {
	sum := sha256.Sum256(report)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// KeyID names a public key: the first 16 hex digits of its SHA-256.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// Canonical is the byte form that is signed: points sorted and
// deduplicated, fields in a fixed order, no insignificant whitespace.
func Canonical(s Statement) ([]byte, error) {
	s.Version = Version
	s.Points = slices.Compact(slices.Sorted(slices.Values(s.Points)))
	if s.Points == nil {
		s.Points = []string{}
	}
	if s.Checksums == nil {
		s.Checksums = []Checksum{}
	}
	if s.Checks == nil {
		s.Checks = []Check{}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// Sign returns the stored (JSON) form of s signed with key.
func Sign(s Statement, key ed25519.PrivateKey) ([]byte, error) {
	payload, err := Canonical(s)
	if err != nil {
		return nil, err
	}
	env := Envelope{
		Payload:   payload,
		KeyID:     KeyID(key.Public().(ed25519.PublicKey)),
		Signature: ed25519.Sign(key, append([]byte(signingContext), payload...)),
	}
	return json.Marshal(env)
}

// ErrUntrusted says no trusted key signed the attestation.
var ErrUntrusted = errors.New("attestation is not signed by a trusted key")

// Verify checks a stored attestation against the trusted keys and returns
// its statement. Only the signed payload is read: nothing outside it counts.
func Verify(stored []byte, trusted []ed25519.PublicKey) (Statement, error) {
	var env Envelope
	if err := json.Unmarshal(stored, &env); err != nil {
		return Statement{}, fmt.Errorf("attestation is not an envelope: %w", err)
	}
	msg := append([]byte(signingContext), env.Payload...)
	signed := false
	for _, k := range trusted {
		if len(env.Signature) == ed25519.SignatureSize && ed25519.Verify(k, msg, env.Signature) {
			signed = true
			break
		}
	}
	if !signed {
		return Statement{}, ErrUntrusted
	}
	var s Statement
	dec := json.NewDecoder(bytes.NewReader(env.Payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Statement{}, fmt.Errorf("signed payload does not parse: %w", err)
	}
	if s.Version != Version {
		return Statement{}, fmt.Errorf("attestation version %d, this provider reads %d", s.Version, Version)
	}
	return s, nil
}

// Vouches reports whether s says a passed run verified point.
func (s Statement) Vouches(point string) bool {
	return s.Status == StatusPassed && slices.Contains(s.Points, point)
}

// ParsePrivateKey reads a signing key: a PEM "PRIVATE KEY" (PKCS #8, as
// `openssl genpkey -algorithm ed25519` writes it) or the base64 of a 32-byte
// seed or a 64-byte private key. Errors never quote the input.
func ParsePrivateKey(s string) (ed25519.PrivateKey, error) {
	s = strings.TrimSpace(s)
	if block, _ := pem.Decode([]byte(s)); block != nil {
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("the PEM signing key is not a PKCS #8 private key")
		}
		ek, ok := k.(ed25519.PrivateKey)
		if !ok {
			return nil, errors.New("the PEM signing key is not an Ed25519 key")
		}
		return ek, nil
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	switch {
	case err != nil:
		return nil, errors.New("the signing key is neither PEM nor base64")
	case len(raw) == ed25519.SeedSize:
		return ed25519.NewKeyFromSeed(raw), nil
	case len(raw) == ed25519.PrivateKeySize:
		return ed25519.PrivateKey(raw), nil
	}
	return nil, fmt.Errorf("the base64 signing key has %d bytes; an Ed25519 seed has 32, a private key 64", len(raw))
}

// ParsePublicKey reads a trusted key: a PEM "PUBLIC KEY" (PKIX) or the
// base64 of 32 bytes.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	s = strings.TrimSpace(s)
	if block, _ := pem.Decode([]byte(s)); block != nil {
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("the PEM public key does not parse: %w", err)
		}
		ek, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, errors.New("the PEM public key is not an Ed25519 key")
		}
		return ek, nil
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, errors.New("a public key is PEM (PKIX) or the base64 of 32 bytes")
	}
	return ed25519.PublicKey(raw), nil
}
