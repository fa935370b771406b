package chaos

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLeakIn(t *testing.T) {
	secrets := []string{accessKeyID, accessKeySecret}
	for _, line := range []string{
		"Post http://127.0.0.1/?AccessKeyId=REDACTED&Signature=REDACTED&SignatureMethod=HMAC-SHA1&SignatureNonce=d8696ac7c839dbbfeab8957498499294",
		`{"Signature": "REDACTED", "SignatureVersion": "1.0"}`,
		"x-oss-signature-version: OSS4-HMAC-SHA256",
	} {
		if what := leakIn(line, secrets); what != "" {
			t.Errorf("%q: %s, want no leak", line, what)
		}
	}
	for _, line := range []string{
		"GET /?AccessKeyId=" + accessKeyID + "&Action=DescribeRegions",
		"secret_key = " + accessKeySecret,
		"Post http://127.0.0.1/?Action=ExportImage&Signature=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg%3D&SignatureMethod=HMAC-SHA1",
		"StringToSign%3DPOST%26%252F%26Signature%253DZm9vYmFyYmF6cXV4MTIzNDU2",
		`"x-oss-signature":"0f1e2d3c4b5a69788796a5b4c3d2e1f0"`,
	} {
		if leakIn(line, secrets) == "" {
			t.Errorf("%q: no leak found", line)
		}
	}
}

// The configuration (which holds the credentials) and the emulator's
// objects are not searched; everything else the run wrote is.
func TestLeaksScope(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("examples/quickstart/main.tf", `access_key = "`+accessKeyID+`"`)
	write(emulatorData+"/bucket/object", accessKeySecret)
	write("examples/quickstart/terraform.tfstate", `{"detail": "ok"}`)
	write("03-apply.trace.log", "line\nerror: AccessKeyId="+accessKeyID+"\n")
	n, examples, err := leaks(dir, []string{accessKeyID, accessKeySecret})
	if err != nil || n != 1 || len(examples) != 1 {
		t.Fatalf("leaks = %d %v %v, want the one line of the trace log", n, examples, err)
	}
}
