package chaos

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// signatureValue finds a request signature that was not redacted: an ECS
// RPC or OSS signed-URL "Signature=...", a v4 "x-oss-signature=..." or
// "Signature=..." in an Authorization header, in plain, percent-encoded or
// JSON form. The name must be followed by the separator at once, so
// SignatureMethod, SignatureNonce and SignatureVersion do not match.
var signatureValue = regexp.MustCompile(`(?i)(?:signature)(?:=|%3D|%253D|":\s*")([A-Za-z0-9%+/_-]{12,}={0,2})`)

// leaks counts the lines of every file a run wrote under dir (CLI output,
// trace logs, state, reports; not the configuration that holds the
// credentials, nor the emulator's object store) that hold a credential: the
// access key id, the secret, or an unredacted signature. It returns the count and up to a few examples (the secret
// itself masked) for the report.
func leaks(dir string, secrets []string) (int, []string, error) {
	n := 0
	var examples []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == emulatorData {
			return filepath.SkipDir
		}
		if d.IsDir() || strings.HasSuffix(path, ".tf") {
			return nil
		}
		f, err := os.Open(path) //nolint:gosec // the run's own output directory, written by this process
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for line := 1; sc.Scan(); line++ {
			what := leakIn(sc.Text(), secrets)
			if what == "" {
				continue
			}
			n++
			if len(examples) < 5 {
				examples = append(examples, fmt.Sprintf("%s:%d: %s", path, line, what))
			}
		}
		return sc.Err()
	})
	return n, examples, err
}

// leakIn names what of a credential line holds, "" when none.
func leakIn(line string, secrets []string) string {
	for _, s := range secrets {
		if s != "" && strings.Contains(line, s) {
			return fmt.Sprintf("credential %.4s...", s)
		}
	}
	for _, m := range signatureValue.FindAllStringSubmatch(line, -1) {
		if !strings.HasPrefix(m[1], "REDACTED") {
			return fmt.Sprintf("signature %.6s...", m[1])
		}
	}
	return ""
}
