package transfer

import (
	"net/http"
	"testing"
)

func TestRangeAndContentRange(t *testing.T) {
	if h := RangeHeader(10, 5); h != "bytes=10-14" {
		t.Fatalf("RangeHeader = %q", h)
	}
	s, e, err := ParseRange("bytes=10-14")
	if err != nil || s != 10 || e != 14 {
		t.Fatalf("ParseRange = %d %d %v", s, e, err)
	}
	for _, bad := range []string{"10-14", "bytes=14-10", "bytes=1-2,3-4", "bytes=-5", "bytes=a-b", "bytes=5-"} {
		if _, _, err := ParseRange(bad); err == nil {
			t.Errorf("ParseRange(%q) accepted", bad)
		}
	}
	hdr := func(cr, cl string) http.Header {
		h := http.Header{}
		h.Set("Content-Range", cr)
		if cl != "" {
			h.Set("Content-Length", cl)
		}
		return h
	}
	if err := CheckRangeResponse(206, hdr("bytes 10-14/100", "5"), 10, 5, 100); err != nil {
		t.Fatalf("valid response rejected: %v", err)
	}
	if err := CheckRangeResponse(206, hdr("bytes 10-14/*", ""), 10, 5, 100); err != nil {
		t.Fatalf("unknown total rejected: %v", err)
	}
	bad := []struct {
		status int
		h      http.Header
	}{
		{200, hdr("bytes 10-14/100", "5")},   // whole object instead of range
		{206, hdr("bytes 11-15/100", "5")},   // shifted
		{206, hdr("bytes 10-13/100", "4")},   // short
		{206, hdr("bytes 10-14/101", "5")},   // other object size
		{206, hdr("bytes 10-14/100", "6")},   // length disagrees
		{206, hdr("", "5")},                  // missing
		{206, hdr("bytes 10-140/100", "5")},  // past the end
		{206, hdr("items 10-14/100", "5")},   // unit
		{206, hdr("bytes 10-14/100x", "5")},  // junk
		{206, hdr("bytes -10-14/100", "5")},  // sign
		{206, hdr("bytes 10--14/100", "5")},  // sign
		{206, hdr("bytes 10-14/+100", "5")},  // sign
		{206, hdr("bytes 10-14/100", "+5")},  // sign
		{206, hdr("bytes 10-14/100", "5 6")}, // junk
	}
	for _, b := range bad {
		if err := CheckRangeResponse(b.status, b.h, 10, 5, 100); err == nil {
			t.Errorf("accepted status %d %v", b.status, b.h)
		}
	}
}

func FuzzParseContentRange(f *testing.F) {
	f.Add("bytes 0-9/10")
	f.Add("bytes 5-5/*")
	f.Fuzz(func(t *testing.T, s string) {
		cr, err := ParseContentRange(s)
		if err != nil {
			return
		}
		if cr.First < 0 || cr.Last < cr.First || (cr.Total >= 0 && cr.Last >= cr.Total) || cr.Total < -1 {
			t.Fatalf("%q parsed to inconsistent %+v", s, cr)
		}
	})
}

func FuzzParseRange(f *testing.F) {
	f.Add("bytes=0-9")
	f.Fuzz(func(t *testing.T, s string) {
		a, b, err := ParseRange(s)
		if err != nil {
			return
		}
		if a < 0 || b < a {
			t.Fatalf("%q parsed to %d-%d", s, a, b)
		}
		if a2, b2, err := ParseRange(RangeHeader(a, b-a+1)); err != nil || a2 != a || b2 != b {
			t.Fatalf("round trip of %q failed", s)
		}
	})
}
