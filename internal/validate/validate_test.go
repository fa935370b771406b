package validate

import (
	"strings"
	"testing"
)

func TestECSName(t *testing.T) {
	ok := []string{"ab", "core-db", "恢复-1", strings.Repeat("恢", 128), "a" + strings.Repeat("é", 127), "Web:app_1.2"}
	bad := []string{"", "a", strings.Repeat("恢", 129), "1abc", "-abc", "http://x", "HTTPS://x", "éa"}
	for _, s := range ok {
		if err := ECSName("name", s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	for _, s := range bad {
		if err := ECSName("name", s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
	// 60 Chinese characters are 180 bytes: the count is in characters.
	if err := ECSName("name", strings.Repeat("恢", 129)); err == nil || !strings.Contains(err.Error(), "has 129 characters") {
		t.Errorf("count: %v", err)
	}
}

func TestTags(t *testing.T) {
	for _, k := range []string{"", "aliyun-x", "ACS:x", "a http://x", strings.Repeat("k", 129)} {
		if TagKey(k) == nil {
			t.Errorf("key %q accepted", k)
		}
	}
	for _, k := range []string{"env", "环境", strings.Repeat("键", 128)} {
		if err := TagKey(k); err != nil {
			t.Errorf("key %q: %v", k, err)
		}
	}
	if TagValue("k", "") != nil || TagValue("k", strings.Repeat("值", 128)) != nil {
		t.Error("valid value refused")
	}
	if TagValue("k", "see https://x") == nil || TagValue("k", strings.Repeat("v", 129)) == nil {
		t.Error("invalid value accepted")
	}
}

func TestBucketName(t *testing.T) {
	for _, b := range []string{"abc", "alidr-dr-images", "a1-b2", strings.Repeat("a", 63)} {
		if err := BucketName(b); err != nil {
			t.Errorf("%q: %v", b, err)
		}
	}
	for _, b := range []string{"", "ab", strings.Repeat("a", 64), "Abc", "a_b", "-abc", "abc-", "a.b", "桶桶桶"} {
		if BucketName(b) == nil {
			t.Errorf("%q accepted", b)
		}
	}
}

// A name of 22 CJK characters (66 bytes) is refused for its characters,
// not reported as 66 characters long when it has 22.
func TestBucketNameNonASCIIReason(t *testing.T) {
	err := BucketName(strings.Repeat("桶", 22))
	if err == nil || !strings.Contains(err.Error(), "lower-case letters, digits and hyphens") {
		t.Fatalf("22 CJK characters: %v, want the allowed characters named", err)
	}
}

func TestObjectKey(t *testing.T) {
	for _, k := range []string{"a", "core/m-1_system.qcow2", "a..b/c", ".hidden/x"} {
		if err := ObjectKey("object", k, false); err != nil {
			t.Errorf("%q: %v", k, err)
		}
	}
	for _, k := range []string{"", "/a", `\a`, "a/../b", "..", "a/./b", "a/..", `a\..\b`, strings.Repeat("k", 1024)} {
		if ObjectKey("object", k, false) == nil {
			t.Errorf("%q accepted", k)
		}
	}
	if err := ObjectKey("prefix", "", true); err != nil {
		t.Errorf("empty prefix: %v", err)
	}
	if ObjectKey("prefix", "core/../", true) == nil {
		t.Error("prefix with .. accepted")
	}
}
