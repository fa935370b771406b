package transfer

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

const childEnv = "ALIDR_TRANSFER_KILL_CHILD"

// TestKill9ResumeChild is the victim process of TestKill9Resume.
func TestKill9ResumeChild(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		t.Skip("helper process")
	}
	c, _ := oss.New(os.Getenv(childEnv+"_URL"), "ak", "sk")
	b, _ := c.Bucket("bkt")
	_, _ = Download(context.Background(), b, "obj", os.Getenv(childEnv+"_DST"), killOpts())
	t.Fatal("download finished although the server holds parts back")
}

func killOpts() Options {
	return Options{Workers: 4, PartSize: 64 << 10, MD5: true, SHA256: true, PartSHA256: true, CommitInterval: 50 * time.Millisecond}
}

// A download killed with SIGKILL resumes from its journal: the rerun
// fetches only parts that were in flight or never started, and ends with
// the same checksums as an uninterrupted download.
func TestKill9Resume(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		t.Skip("in child")
	}
	f := newFakeOSS(t)
	data := randBytes(2<<20, 30) // 32 parts
	f.put("obj", data)
	const served = 10
	release := make(chan struct{})
	f.setHook(func(w http.ResponseWriter, r *http.Request, o *fakeObject, start, end int64) bool {
		if start < served*(64<<10) {
			return false
		}
		select { // hold later parts so the child is mid-transfer when killed
		case <-release:
			return false
		case <-r.Context().Done():
			return true
		}
	})
	dst := filepath.Join(t.TempDir(), "out")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKill9ResumeChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=1", childEnv+"_URL="+f.srv.URL, childEnv+"_DST="+dst)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	parts, _ := PlanParts(int64(len(data)), 64<<10)
	deadline := time.Now().Add(30 * time.Second)
	for {
		raw, _ := os.ReadFile(dst + JournalSuffix)
		var recs map[int]Record
		if len(raw) > 0 {
			var hdr journalHeader
			line, _, _ := cutLine(raw)
			if decodeLine(line, &hdr) {
				recs, _, _ = parseJournal(raw, hdr.ID, parts)
			}
		}
		if len(recs) >= served {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("child journaled %d parts in 30s", len(recs))
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no cleanup runs
		t.Fatal(err)
	}
	_ = cmd.Wait() // killed: the error is the signal
	close(release)
	firstRun := map[string]bool{}
	for _, g := range f.getLog() {
		firstRun[g.rng] = true
	}
	before := len(f.getLog())

	res := mustDownload(t, f.bucket(t), "obj", dst, killOpts(), data)
	again := 0
	for _, g := range f.getLog()[before:] {
		if firstRun[g.rng] {
			again++
		}
	}
	if res.PartsResumed < served || again > 4 {
		t.Fatalf("resumed %d parts, re-fetched %d already requested parts (max 4 in flight)", res.PartsResumed, again)
	}
	t.Logf("resumed %d parts, fetched %d, of which %d had been in flight", res.PartsResumed, res.PartsFetched, again)
}

func cutLine(b []byte) ([]byte, []byte, bool) {
	for i, c := range b {
		if c == '\n' {
			return b[:i], b[i+1:], true
		}
	}
	return b, nil, false
}
