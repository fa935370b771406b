package emulator

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// xmlCharRef is a numeric character reference: &#xHH; or &#NN;.
var xmlCharRef = regexp.MustCompile(`&#(x[0-9a-fA-F]+|[0-9]+);`)

// xmlControlRef reports whether r is a control character XML 1.0 forbids
// even as a reference (all below U+0020 but tab, LF and CR).
func xmlControlRef(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' && r != '\r' }

// refValue parses the number of a character reference match.
func refValue(m []byte) (rune, bool) {
	digits, base := string(m[2:len(m)-1]), 10
	if digits[0] == 'x' {
		digits, base = digits[1:], 16
	}
	n, err := strconv.ParseUint(digits, base, 32)
	return rune(n), err == nil && n <= utf8.MaxRune
}

// unescapeControlRefs lets encoding/xml read a body whose text holds
// references to control characters. The SDK writes them for keys that
// contain such characters (EscapeXml in aliyun-oss-go-sdk utils.go turns
// U+000C into "&#x0C;"), OSS accepts them, and encoding/xml refuses them.
// Each such reference is rewritten to a private-use character the body does
// not otherwise use (literally or by reference); restore maps the decoded
// text back. ok is false when no free placeholder range exists. (A
// reference written literally inside CDATA would be rewritten too; the SDKs
// write no CDATA.)
func unescapeControlRefs(body []byte) (out []byte, restore func(string) string, ok bool) {
	identity := func(s string) string { return s }
	refs := xmlCharRef.FindAllIndex(body, -1)
	used := map[rune]bool{}
	hasControl := false
	for _, loc := range refs {
		if r, valid := refValue(body[loc[0]:loc[1]]); valid {
			used[r] = true
			hasControl = hasControl || xmlControlRef(r)
		}
	}
	if !hasControl {
		return body, identity, true
	}
	for _, r := range string(body) {
		used[r] = true
	}
	// 32 placeholders, one per control character, in the BMP private use
	// area (U+E000-U+F8FF).
	base := rune(-1)
	for b := rune(0xE000); b+0x20 <= 0xF900 && base < 0; b += 0x20 {
		free := true
		for r := b; r < b+0x20 && free; r++ {
			free = !used[r]
		}
		if free {
			base = b
		}
	}
	if base < 0 {
		return nil, nil, false
	}
	out = xmlCharRef.ReplaceAllFunc(body, func(m []byte) []byte {
		if r, valid := refValue(m); valid && xmlControlRef(r) {
			return []byte("&#x" + strconv.FormatInt(int64(base+r), 16) + ";")
		}
		return m
	})
	restore = func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= base && r < base+0x20 {
				return r - base
			}
			return r
		}, s)
	}
	return out, restore, true
}
