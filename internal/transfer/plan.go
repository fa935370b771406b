package transfer

import "fmt"

const (
	// MinAutoPartSize is the smallest part size chosen automatically.
	MinAutoPartSize int64 = 8 << 20
	// MaxParts is the OSS limit on parts of a multipart upload; downloads
	// keep to it too so one manifest layout fits both directions.
	MaxParts = 10000
	// MaxPartSize is the OSS limit on one multipart part.
	MaxPartSize int64 = 5 << 30
	partAlign   int64 = 1 << 20
)

// Part is one contiguous byte range of an object.
type Part struct {
	Index  int   `json:"index"`
	Offset int64 `json:"offset"`
	Length int64 `json:"length"`
}

// End is the offset one past the last byte.
func (p Part) End() int64 { return p.Offset + p.Length }

// ChoosePartSize returns requested when it is positive and keeps the object
// within MaxParts, otherwise the smallest MiB-aligned size >= MinAutoPartSize
// that does.
func ChoosePartSize(size, requested int64) (int64, error) {
	if size < 0 {
		return 0, fmt.Errorf("negative object size %d", size)
	}
	if requested > 0 {
		if requested > MaxPartSize {
			return 0, fmt.Errorf("part size %d exceeds the OSS limit of %d bytes", requested, MaxPartSize)
		}
		if n := ceilDiv(size, requested); n > MaxParts {
			return 0, fmt.Errorf("part size %d gives %d parts for %d bytes; the limit is %d", requested, n, size, MaxParts)
		}
		return requested, nil
	}
	ps := ceilDiv(size, MaxParts)
	ps = ceilDiv(ps, partAlign) * partAlign
	if ps < MinAutoPartSize {
		ps = MinAutoPartSize
	}
	if ps > MaxPartSize {
		return 0, fmt.Errorf("object of %d bytes is too large for %d parts", size, MaxParts)
	}
	return ps, nil
}

// PlanParts splits size bytes into parts of partSize (the last may be
// shorter). An empty object has no parts.
func PlanParts(size, partSize int64) ([]Part, error) {
	if partSize <= 0 {
		return nil, fmt.Errorf("part size must be positive, got %d", partSize)
	}
	if size < 0 {
		return nil, fmt.Errorf("negative object size %d", size)
	}
	n := ceilDiv(size, partSize)
	if n > MaxParts {
		return nil, fmt.Errorf("%d parts exceed the limit of %d", n, MaxParts)
	}
	parts := make([]Part, n)
	for i := range parts {
		off := int64(i) * partSize
		parts[i] = Part{Index: i, Offset: off, Length: min(partSize, size-off)}
	}
	return parts, nil
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }
