// Package validate holds the naming rules of the ECS and OSS APIs that every
// resource checks at plan time, so a bad name fails in seconds instead of at
// apply. Lengths count characters (runes), as the API reference does, not
// bytes. Each function returns an error that says what to change.
package validate

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ECSName checks a name the ECS API takes (instance, image, automatic
// snapshot policy): 2 to 128 characters, starting with a letter or a Chinese
// character, not starting with http:// or https://. Source: the field
// comments of InstanceName (RunInstances), ImageName (CreateImage, CopyImage)
// and autoSnapshotPolicyName (CreateAutoSnapshotPolicy) in the official
// ECS SDK github.com/alibabacloud-go/ecs-20140526/v7, which follow the ECS
// API reference.
func ECSName(what, name string) error {
	n := utf8.RuneCountInString(name)
	first, _ := utf8.DecodeRuneInString(name)
	lower := strings.ToLower(name)
	switch {
	case !utf8.ValidString(name):
		return fmt.Errorf("%s is not valid UTF-8", what)
	case n < 2 || n > 128:
		return fmt.Errorf("%s %q has %d characters; it must have 2 to 128", what, name, n)
	case strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://"):
		return fmt.Errorf("%s %q must not start with http:// or https://: choose another name", what, name)
	case !(first < utf8.RuneSelf && unicode.IsLetter(first)) && !unicode.Is(unicode.Han, first):
		return fmt.Errorf("%s %q must start with a letter (a-z, A-Z) or a Chinese character", what, name)
	}
	return nil
}

// TagKey checks a tag key: 1 to 128 characters, not starting with aliyun or
// acs: (reserved), not containing http:// or https://. Source: Tag.N.Key of
// RunInstances and CreateAutoSnapshotPolicy in the official ECS SDK.
func TagKey(k string) error {
	n := utf8.RuneCountInString(k)
	lower := strings.ToLower(k)
	switch {
	case n == 0:
		return fmt.Errorf("a tag key must not be empty: give it a name such as \"env\"")
	case n > 128:
		return fmt.Errorf("tag key %q has %d characters; it must have at most 128", k, n)
	case strings.HasPrefix(lower, "aliyun") || strings.HasPrefix(lower, "acs:"):
		return fmt.Errorf("tag key %q must not start with aliyun or acs: (reserved by Alibaba Cloud): choose another key", k)
	case strings.Contains(lower, "http://") || strings.Contains(lower, "https://"):
		return fmt.Errorf("tag key %q must not contain http:// or https://", k)
	}
	return nil
}

// TagValue checks a tag value: at most 128 characters (empty allowed), not
// containing http:// or https://. Source: Tag.N.Value, as for TagKey.
func TagValue(k, v string) error {
	n := utf8.RuneCountInString(v)
	lower := strings.ToLower(v)
	switch {
	case n > 128:
		return fmt.Errorf("the value of tag %q has %d characters; it must have at most 128", k, n)
	case strings.Contains(lower, "http://") || strings.Contains(lower, "https://"):
		return fmt.Errorf("the value of tag %q must not contain http:// or https://", k)
	}
	return nil
}

// BucketName checks an OSS bucket name against the OSS reference page
// "Bucket naming conventions" (https://www.alibabacloud.com/help/en/oss/user-guide/bucket-naming-conventions,
// updated 2026-03-20): lower-case letters, digits and hyphens only,
// beginning and ending with a lower-case letter or digit, 3 to 63
// characters (global uniqueness is the service's to check). PutBucket
// answers InvalidBucketName (OSS error 0015-00000001) otherwise. The
// characters are checked first: only ASCII is allowed, so the length of a
// valid name in bytes is its length in characters.
func BucketName(b string) error {
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' && i != 0 && i != len(b)-1
		if !ok {
			return fmt.Errorf("bucket name %q is not valid: use lower-case letters, digits and hyphens, starting and ending with a letter or digit", b)
		}
	}
	if len(b) < 3 || len(b) > 63 {
		return fmt.Errorf("bucket name %q has %d characters; OSS bucket names have 3 to 63", b, len(b))
	}
	return nil
}

// ObjectKey checks an OSS object key (or a key prefix, when prefix is set):
// UTF-8, 1 to 1023 bytes (OSS object naming conventions; a prefix may be
// empty), not starting with / or \ (OSS), and, stricter than OSS, with no
// "." or ".." path segment: such keys name the same file as another key
// once they are downloaded or mirrored to a file system.
func ObjectKey(what, k string, prefix bool) error {
	switch {
	case !utf8.ValidString(k):
		return fmt.Errorf("%s is not valid UTF-8", what)
	case k == "" && !prefix:
		return fmt.Errorf("%s must not be empty", what)
	case len(k) > 1023:
		return fmt.Errorf("%s is %d bytes long; OSS keys are at most 1023 bytes", what, len(k))
	case strings.HasPrefix(k, "/") || strings.HasPrefix(k, `\`):
		return fmt.Errorf("%s %q must not start with %q: write it relative to the bucket, e.g. %q", what, k, k[:1], strings.TrimLeft(k, `/\`))
	}
	for _, seg := range strings.FieldsFunc(k, func(r rune) bool { return r == '/' || r == '\\' }) {
		if seg == "." || seg == ".." {
			return fmt.Errorf("%s %q has a %q segment: name the object directly, without . or .. between slashes", what, k, seg)
		}
	}
	return nil
}
