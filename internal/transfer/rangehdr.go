package transfer

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// RangeHeader is the Range header value for length bytes at off.
func RangeHeader(off, length int64) string {
	return fmt.Sprintf("bytes=%d-%d", off, off+length-1)
}

// ParseRange parses a single closed range "bytes=a-b" as RangeHeader writes it.
func ParseRange(h string) (start, end int64, err error) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !ok {
		return 0, 0, fmt.Errorf("range %q: missing bytes= unit", h)
	}
	a, b, ok := strings.Cut(spec, "-")
	if !ok || strings.Contains(b, ",") {
		return 0, 0, fmt.Errorf("range %q: want one closed range", h)
	}
	if start, err = parseNonNeg(a); err != nil {
		return 0, 0, fmt.Errorf("range %q: %w", h, err)
	}
	if end, err = parseNonNeg(b); err != nil {
		return 0, 0, fmt.Errorf("range %q: %w", h, err)
	}
	if end < start {
		return 0, 0, fmt.Errorf("range %q: end before start", h)
	}
	return start, end, nil
}

// ContentRange is a parsed "bytes first-last/total" header; Total is -1 for "*".
type ContentRange struct {
	First, Last, Total int64
}

// ParseContentRange parses a 206 Content-Range header.
func ParseContentRange(s string) (ContentRange, error) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(s), "bytes ")
	if !ok {
		return ContentRange{}, fmt.Errorf("content-range %q: missing bytes unit", s)
	}
	rng, total, ok := strings.Cut(spec, "/")
	if !ok {
		return ContentRange{}, fmt.Errorf("content-range %q: missing total", s)
	}
	a, b, ok := strings.Cut(rng, "-")
	if !ok {
		return ContentRange{}, fmt.Errorf("content-range %q: malformed range", s)
	}
	var cr ContentRange
	var err error
	if cr.First, err = parseNonNeg(a); err != nil {
		return ContentRange{}, fmt.Errorf("content-range %q: %w", s, err)
	}
	if cr.Last, err = parseNonNeg(b); err != nil {
		return ContentRange{}, fmt.Errorf("content-range %q: %w", s, err)
	}
	if total == "*" {
		cr.Total = -1
	} else if cr.Total, err = parseNonNeg(total); err != nil {
		return ContentRange{}, fmt.Errorf("content-range %q: %w", s, err)
	}
	if cr.Last < cr.First || (cr.Total >= 0 && cr.Last >= cr.Total) {
		return ContentRange{}, fmt.Errorf("content-range %q: inconsistent bounds", s)
	}
	return cr, nil
}

// CheckRangeResponse verifies that a ranged GET answered exactly the bytes
// asked for: status 206, a Content-Range for [off, off+length) of an object
// of total bytes, and a matching Content-Length when present. Without
// x-oss-range-behavior: standard OSS may answer 200 with the whole object,
// which must never be written at a part's offset.
func CheckRangeResponse(status int, h http.Header, off, length, total int64) error {
	if status != http.StatusPartialContent {
		return fmt.Errorf("ranged GET answered status %d, want 206", status)
	}
	cr, err := ParseContentRange(h.Get("Content-Range"))
	if err != nil {
		return err
	}
	if cr.First != off || cr.Last != off+length-1 || (cr.Total >= 0 && cr.Total != total) {
		return fmt.Errorf("content-range %q does not match requested bytes %d-%d/%d", h.Get("Content-Range"), off, off+length-1, total)
	}
	if cl := h.Get("Content-Length"); cl != "" {
		n, err := parseNonNeg(cl)
		if err != nil || n != length {
			return fmt.Errorf("content-length %q does not match requested length %d", cl, length)
		}
	}
	return nil
}

func parseNonNeg(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" || s[0] == '+' || s[0] == '-' {
		return 0, fmt.Errorf("bad number %q", s)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("bad number %q", s)
	}
	return n, nil
}
