package transfer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sort"

	"github.com/alidr/terraform-provider-alidr/internal/crc64ecma"
)

// ManifestVersion is the format version written by this package.
const ManifestVersion = 1

// Manifest describes an object's bytes so a later check can verify the
// whole or a sample of parts without the original. CRC64s are decimal
// strings as OSS writes them (JSON numbers lose uint64 precision).
type Manifest struct {
	Version  int            `json:"version"`
	Bucket   string         `json:"bucket,omitempty"`
	Key      string         `json:"key,omitempty"`
	ETag     string         `json:"etag,omitempty"`
	Size     int64          `json:"size"`
	PartSize int64          `json:"part_size"`
	CRC64    string         `json:"crc64"`
	MD5      string         `json:"md5,omitempty"`
	SHA256   string         `json:"sha256,omitempty"`
	Parts    []ManifestPart `json:"parts"`
}

// ManifestPart is one part's checksums.
type ManifestPart struct {
	Index  int    `json:"index"`
	Offset int64  `json:"offset"`
	Length int64  `json:"length"`
	CRC64  string `json:"crc64"`
	SHA256 string `json:"sha256,omitempty"`
}

// Marshal renders the manifest as indented JSON.
func (m *Manifest) Marshal() ([]byte, error) { return json.MarshalIndent(m, "", "  ") }

// ParseManifest decodes and checks a manifest: parts contiguous from 0,
// lengths matching the part size, sizes adding up, and per-part CRCs
// combining to the whole-object CRC.
func ParseManifest(data []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// Validate checks the manifest's internal consistency.
func (m *Manifest) Validate() error {
	if m.Version != ManifestVersion {
		return fmt.Errorf("manifest: unsupported version %d", m.Version)
	}
	plan, err := PlanParts(m.Size, m.PartSize)
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	if len(plan) != len(m.Parts) {
		return fmt.Errorf("manifest: %d parts listed, %d expected for size %d and part size %d", len(m.Parts), len(plan), m.Size, m.PartSize)
	}
	total, err := ParseCRC64(m.CRC64)
	if err != nil {
		return fmt.Errorf("manifest: bad crc64 %q", m.CRC64)
	}
	var crc uint64
	for i, p := range m.Parts {
		if p.Index != i || p.Offset != plan[i].Offset || p.Length != plan[i].Length {
			return fmt.Errorf("manifest: part %d does not match the plan", i)
		}
		c, err := ParseCRC64(p.CRC64)
		if err != nil {
			return fmt.Errorf("manifest: part %d: bad crc64 %q", i, p.CRC64)
		}
		if p.SHA256 != "" {
			if b, err := hex.DecodeString(p.SHA256); err != nil || len(b) != sha256.Size {
				return fmt.Errorf("manifest: part %d: bad sha256", i)
			}
		}
		crc = CRC64Combine(crc, c, p.Length)
	}
	if crc != total {
		return fmt.Errorf("manifest: part CRC64s combine to %d, manifest says %d", crc, total)
	}
	return nil
}

// SampleParts picks ceil(percent% of the parts) distinct part indexes (at
// least one for a non-empty object), sorted. percent >= 100 picks all.
func (m *Manifest) SampleParts(percent float64, rnd *rand.Rand) []int {
	n := len(m.Parts)
	if n == 0 {
		return nil
	}
	k := int(float64(n)*percent/100 + 0.999999)
	k = max(1, min(n, k))
	if rnd == nil {
		rnd = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())) //nolint:gosec // picks parts to sample, not a secret
	}
	idx := rnd.Perm(n)[:k]
	sort.Ints(idx)
	return idx
}

// ErrPartMismatch reports a part whose bytes disagree with the manifest.
var ErrPartMismatch = errors.New("part does not match the manifest")

// CheckPart compares data against part i of the manifest.
func (m *Manifest) CheckPart(i int, data []byte) error {
	p := m.Parts[i]
	if int64(len(data)) != p.Length {
		return fmt.Errorf("%w: part %d has %d bytes, want %d", ErrPartMismatch, i, len(data), p.Length)
	}
	if got := FormatCRC64(crc64ecma.Checksum(data)); got != p.CRC64 {
		return fmt.Errorf("%w: part %d crc64 %s, want %s", ErrPartMismatch, i, got, p.CRC64)
	}
	if p.SHA256 != "" {
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != p.SHA256 {
			return fmt.Errorf("%w: part %d sha256 %s, want %s", ErrPartMismatch, i, got, p.SHA256)
		}
	}
	return nil
}

// VerifyFile checks a sample (percent of the parts) of a local copy
// against the manifest, reading one part at a time.
func (m *Manifest) VerifyFile(path string, percent float64, rnd *rand.Rand) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size() != m.Size {
		return fmt.Errorf("%w: %s has %d bytes, want %d", ErrPartMismatch, path, st.Size(), m.Size)
	}
	var buf []byte
	for _, i := range m.SampleParts(percent, rnd) {
		p := m.Parts[i]
		if int64(cap(buf)) < p.Length {
			buf = make([]byte, p.Length)
		}
		if _, err := io.ReadFull(io.NewSectionReader(f, p.Offset, p.Length), buf[:p.Length]); err != nil {
			return fmt.Errorf("read part %d of %s: %w", i, path, err)
		}
		if err := m.CheckPart(i, buf[:p.Length]); err != nil {
			return err
		}
	}
	return nil
}
