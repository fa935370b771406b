package verify

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
	"github.com/alidr/terraform-provider-alidr/internal/transfer"
)

// fakeClock moves only when slept on or advanced.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d > 0 {
		c.Advance(d)
	}
	return nil
}

type object struct {
	data []byte
	crc  string // stored CRC64; "" for none
}

// fakeBackend holds objects and scripted command results.
type fakeBackend struct {
	clk      *fakeClock
	objects  map[string]object
	results  []CommandResult // one per attempt; the last repeats
	cmdErr   error
	cmdTook  time.Duration
	calls    int
	tagged   map[string][]string // type -> ids
	tags     map[string]string
	tagErr   error
	sampleFn func(m *transfer.Manifest, data []byte) error
	puts     map[string][]byte
}

func newFake(clk *fakeClock) *fakeBackend {
	return &fakeBackend{clk: clk, objects: map[string]object{}, tagged: map[string][]string{}, puts: map[string][]byte{}}
}

var errNoSuchKey = oss.ServiceError{StatusCode: 404, Code: "NoSuchKey", Message: "The specified key does not exist."}

func (f *fakeBackend) put(key string, data []byte) {
	f.objects[key] = object{data: data, crc: transfer.FormatCRC64(transfer.CRC64(data))}
}

func (f *fakeBackend) HeadObject(_ context.Context, _, _, key string) (ObjectInfo, error) {
	o, ok := f.objects[key]
	if !ok {
		return ObjectInfo{}, errNoSuchKey
	}
	return ObjectInfo{Size: int64(len(o.data)), ETag: "etag", CRC64: o.crc}, nil
}

func (f *fakeBackend) ReadObject(_ context.Context, _, _, key string, limit int64) ([]byte, error) {
	o, ok := f.objects[key]
	if !ok {
		return nil, errNoSuchKey
	}
	return o.data, nil
}

func (f *fakeBackend) PutObject(_ context.Context, _, bucket, key string, data []byte, _ string) error {
	f.puts[bucket+"/"+key] = data
	return nil
}

func (f *fakeBackend) VerifyObject(_ context.Context, _, _, key string, partSize int64) (*transfer.Result, error) {
	o, ok := f.objects[key]
	if !ok {
		return nil, errNoSuchKey
	}
	if partSize == 0 {
		partSize = 4
	}
	m := manifestOf(o.data, partSize)
	crc, _ := transfer.ParseCRC64(m.CRC64)
	return &transfer.Result{Size: m.Size, CRC64: crc, MD5: m.MD5, SHA256: m.SHA256, Manifest: m}, nil
}

func (f *fakeBackend) VerifySample(_ context.Context, _, _, key string, m *transfer.Manifest, percent float64) error {
	o, ok := f.objects[key]
	if !ok {
		return errNoSuchKey
	}
	if f.sampleFn != nil {
		return f.sampleFn(m, o.data)
	}
	for i, p := range m.Parts { // a deterministic "sample": all parts
		if err := m.CheckPart(i, o.data[p.Offset:p.Offset+p.Length]); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeBackend) RunCommand(_ context.Context, _ string, req CommandRequest) (CommandResult, error) {
	f.calls++
	f.clk.Advance(f.cmdTook)
	if f.cmdErr != nil {
		return CommandResult{}, f.cmdErr
	}
	i := min(f.calls-1, len(f.results)-1)
	return f.results[i], nil
}

func (f *fakeBackend) TagResources(_ context.Context, _, rt string, ids []string, tags map[string]string) error {
	if f.tagErr != nil {
		return f.tagErr
	}
	f.tagged[rt] = append(f.tagged[rt], ids...)
	f.tags = tags
	return nil
}

// manifestOf builds the manifest the transfer engine would write.
func manifestOf(data []byte, partSize int64) *transfer.Manifest {
	parts, _ := transfer.PlanParts(int64(len(data)), partSize)
	m := &transfer.Manifest{Version: transfer.ManifestVersion, Size: int64(len(data)), PartSize: partSize}
	for _, p := range parts {
		b := data[p.Offset:p.End()]
		s := sha256.Sum256(b)
		m.Parts = append(m.Parts, transfer.ManifestPart{Index: p.Index, Offset: p.Offset, Length: p.Length,
			CRC64: transfer.FormatCRC64(transfer.CRC64(b)), SHA256: hex.EncodeToString(s[:])})
	}
	m.CRC64 = transfer.FormatCRC64(transfer.CRC64(data))
	md := md5.Sum(data)
	m.MD5 = hex.EncodeToString(md[:])
	s := sha256.Sum256(data)
	m.SHA256 = hex.EncodeToString(s[:])
	return m
}

func mustJSON(t *testing.T, m *transfer.Manifest) []byte {
	t.Helper()
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var (
	ok      = CommandResult{Status: "Success", ExitCode: 0, Output: "running\nok\n"}
	bad     = CommandResult{Status: "Failed", ExitCode: 7, Output: "curl: (7) Failed to connect to localhost port 8080", ErrorCode: "ExitCodeNonzero"}
	hang    = CommandResult{Status: "Timeout", ExitCode: -1, ErrorCode: "ExecutionTimeout", ErrorInfo: "the command execution has timed out"}
	offline = CommandResult{Status: "Error", ExitCode: -1, ErrorCode: "ClientNotOnline", ErrorInfo: "the Cloud Assistant agent is not online"}
	down    = CommandResult{Status: "Failed", ExitCode: -1, ErrorCode: "InstanceNotRunning", ErrorInfo: "the instance is Stopped"}
	gone    = CommandResult{Status: "Failed", ExitCode: -1, ErrorCode: "InstanceReleased", ErrorInfo: "the instance has released when create task"}
)

func boot(d, iv time.Duration) *BootSpec {
	return &BootSpec{InstanceID: "i-1", Command: "check", Duration: d, Interval: iv, CommandTimeout: time.Minute}
}

func check(t *testing.T, r *Result, name string) Check {
	t.Helper()
	for _, c := range r.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no check %q in %+v", name, r.Checks)
	return Check{}
}

func TestBootTest(t *testing.T) {
	cases := []struct {
		name              string
		results           []CommandResult
		cmdErr            error
		d, iv             time.Duration
		status            string
		attempts, passes  int
		tth               time.Duration // -1: never healthy
		detail, firstFail string
	}{
		{name: "healthy throughout", results: []CommandResult{ok}, d: 5 * time.Minute, iv: time.Minute,
			status: StatusPassed, attempts: 6, passes: 6, tth: 10 * time.Second, detail: "6 of 6 attempt(s) exited 0 over 5m0s"},
		{name: "single attempt", results: []CommandResult{ok}, iv: time.Minute,
			status: StatusPassed, attempts: 1, passes: 1, tth: 10 * time.Second},
		{name: "start-up failures then healthy", results: []CommandResult{bad, bad, ok}, d: 4 * time.Minute, iv: time.Minute,
			status: StatusPassed, attempts: 5, passes: 3, tth: 2*time.Minute + 10*time.Second,
			detail: "2 start-up failure(s)", firstFail: "attempt 1 at +0s: exit code 7, want 0; output: curl: (7)"},
		{name: "flapping", results: []CommandResult{ok, bad}, d: 10 * time.Minute, iv: time.Minute,
			status: StatusFailed, attempts: 2, passes: 1, tth: 10 * time.Second,
			detail: "healthy and then failed", firstFail: "attempt 2 at +1m0s"},
		{name: "never healthy", results: []CommandResult{bad}, d: 2 * time.Minute, iv: time.Minute,
			status: StatusFailed, attempts: 3, tth: -1, detail: "never healthy on i-1: 3 attempt(s) over 2m0s, none exited 0"},
		{name: "hang", results: []CommandResult{hang}, iv: time.Minute,
			status: StatusFailed, attempts: 1, tth: -1, firstFail: "hung until its timeout (status Timeout); ExecutionTimeout"},
		{name: "instance not running stops at once", results: []CommandResult{down}, d: time.Hour, iv: time.Minute,
			status: StatusFailed, attempts: 1, tth: -1, detail: "stopped after a fatal error", firstFail: "InstanceNotRunning: the instance is Stopped"},
		{name: "instance released stops at once", results: []CommandResult{gone}, d: time.Hour, iv: time.Minute,
			status: StatusFailed, attempts: 1, tth: -1, detail: "stopped after a fatal error", firstFail: "InstanceReleased"},
		{name: "agent not online yet is start-up time", results: []CommandResult{offline, ok}, d: time.Minute, iv: time.Minute,
			status: StatusPassed, attempts: 2, passes: 1, tth: time.Minute + 10*time.Second,
			firstFail: "attempt 1 at +0s: status Error; ClientNotOnline: the Cloud Assistant agent is not online"},
		{name: "api error stops at once", cmdErr: errors.New("ECS RunCommand in cn-beijing: InvalidInstanceId.NotFound"), d: time.Hour, iv: time.Minute,
			status: StatusFailed, attempts: 1, tth: -1, firstFail: "InvalidInstanceId.NotFound"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock()
			f := newFake(clk)
			f.results, f.cmdErr, f.cmdTook = tc.results, tc.cmdErr, 10*time.Second
			r := Run(context.Background(), f, clk, Spec{RunID: "vr-1", BootTest: boot(tc.d, tc.iv)})
			c := check(t, r, CheckBootTest)
			if c.Status != tc.status || r.Status != tc.status {
				t.Fatalf("status %s/%s, want %s: %s", c.Status, r.Status, tc.status, c.Detail)
			}
			b := r.Boot
			if len(b.Attempts) != tc.attempts || b.Passes != tc.passes || b.Failures != tc.attempts-tc.passes {
				t.Fatalf("attempts %d passes %d failures %d, want %d/%d", len(b.Attempts), b.Passes, b.Failures, tc.attempts, tc.passes)
			}
			if tc.tth < 0 {
				if b.Healthy || r.MeasuredRTO != nil {
					t.Fatalf("healthy %v rto %v", b.Healthy, r.MeasuredRTO)
				}
			} else if !b.Healthy || b.TimeToHealthy != tc.tth || *r.MeasuredRTO != tc.tth {
				t.Fatalf("time to healthy %s, want %s", b.TimeToHealthy, tc.tth)
			}
			if !strings.Contains(c.Detail, tc.detail) {
				t.Fatalf("detail %q lacks %q", c.Detail, tc.detail)
			}
			if !strings.Contains(b.FirstFailure, tc.firstFail) {
				t.Fatalf("first failure %q lacks %q", b.FirstFailure, tc.firstFail)
			}
			// Attempts start on the interval grid from the first one.
			for i, a := range b.Attempts {
				if a.At != time.Duration(i)*tc.iv {
					t.Fatalf("attempt %d at %s", i+1, a.At)
				}
			}
		})
	}
}

func TestBootTestStopsAtContextEnd(t *testing.T) {
	clk := newFakeClock()
	f := newFake(clk)
	f.results = []CommandResult{ok}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := Run(ctx, f, clk, Spec{BootTest: boot(time.Hour, time.Minute)})
	if r.Status != StatusFailed || !strings.Contains(r.Boot.Stop, "create timeout") || len(r.Boot.Attempts) != 1 {
		t.Fatalf("%+v %+v", r.Checks, r.Boot)
	}
}

func TestChecksum(t *testing.T) {
	data := []byte("the golden image, 42 bytes of it, really!")
	m := manifestOf(data, 8)
	other := bytes.ToUpper(data)
	cases := []struct {
		name   string
		setup  func(f *fakeBackend)
		spec   ChecksumSpec
		status string
		detail string
		check  func(t *testing.T, r *ChecksumResult)
	}{
		{name: "metadata pass", spec: ChecksumSpec{Mode: ModeMetadata, Manifest: "img.manifest"}, status: StatusPassed,
			detail: "metadata: OSS CRC64 " + m.CRC64 + " of oss://b/img (41 bytes) matches manifest; no data was read",
			check: func(t *testing.T, r *ChecksumResult) {
				if r.CRC64 != m.CRC64 || r.BytesVerified != 0 || r.MD5 != "" {
					t.Fatalf("%+v", r)
				}
			}},
		{name: "metadata expected crc pass", spec: ChecksumSpec{Mode: ModeMetadata, ExpectedCRC64: m.CRC64}, status: StatusPassed, detail: "matches expected_crc64"},
		{name: "metadata mismatch", setup: func(f *fakeBackend) { f.put("img", other) },
			spec: ChecksumSpec{Mode: ModeMetadata, ExpectedCRC64: m.CRC64}, status: StatusFailed,
			detail: "CRC64 mismatch for oss://b/img: OSS has " + transfer.FormatCRC64(transfer.CRC64(other)) + ", expected_crc64 says " + m.CRC64},
		{name: "metadata without stored crc", setup: func(f *fakeBackend) { f.objects["img"] = object{data: data} },
			spec: ChecksumSpec{Mode: ModeMetadata, ExpectedCRC64: m.CRC64}, status: StatusFailed, detail: "x-oss-hash-crc64ecma missing"},
		{name: "metadata size differs", setup: func(f *fakeBackend) { f.put("img", append(data, '!')) },
			spec: ChecksumSpec{Mode: ModeMetadata, Manifest: "img.manifest"}, status: StatusFailed, detail: "has 42 bytes, the manifest says 41"},
		{name: "object missing", spec: ChecksumSpec{Mode: ModeFull, Object: "nope", ExpectedMD5: m.MD5}, status: StatusFailed,
			detail: "full: oss://b/nope does not exist: oss: service returned error: StatusCode=404, ErrorCode=NoSuchKey"},
		{name: "manifest missing", spec: ChecksumSpec{Mode: ModeSample, Manifest: "nope.manifest"}, status: StatusFailed,
			detail: "manifest oss://b/nope.manifest does not exist"},
		{name: "manifest does not parse", setup: func(f *fakeBackend) { f.put("img.manifest", []byte("{not json")) },
			spec: ChecksumSpec{Mode: ModeFull, Manifest: "img.manifest"}, status: StatusFailed, detail: "manifest oss://b/img.manifest does not parse: manifest:"},
		{name: "manifest inconsistent", setup: func(f *fakeBackend) {
			bad := *m
			bad.CRC64 = "1"
			f.put("img.manifest", mustJSON(t, &bad))
		}, spec: ChecksumSpec{Mode: ModeFull, Manifest: "img.manifest"}, status: StatusFailed, detail: "does not parse: manifest: part CRC64s combine to"},
		{name: "expected disagrees with manifest", spec: ChecksumSpec{Mode: ModeFull, Manifest: "img.manifest", ExpectedMD5: strings.Repeat("0", 32)},
			status: StatusFailed, detail: "expected_md5 00000000000000000000000000000000 disagrees with the manifest's " + m.MD5},
		{name: "sample pass", spec: ChecksumSpec{Mode: ModeSample, Manifest: "img.manifest", SamplePercent: 50}, status: StatusPassed,
			detail: "sample: 3 of 6 parts (50%) of oss://b/img match the manifest (CRC64 and SHA-256)",
			check: func(t *testing.T, r *ChecksumResult) {
				if r.BytesVerified != -1 || r.PartsChecked != 3 || r.PartsTotal != 6 {
					t.Fatalf("%+v", r)
				}
			}},
		{name: "sample mismatch confirmed by a full read", setup: func(f *fakeBackend) { f.put("img", other) },
			spec: ChecksumSpec{Mode: ModeSample, Manifest: "img.manifest", SamplePercent: 100}, status: StatusFailed,
			detail: "oss://b/img differs from the manifest: part does not match the manifest: part 0 crc64",
			check: func(t *testing.T, r *ChecksumResult) {
				if r.BytesVerified != 41 || r.CRC64 != transfer.FormatCRC64(transfer.CRC64(other)) {
					t.Fatalf("%+v", r)
				}
			}},
		{name: "sample mismatch confirmed names parts", setup: func(f *fakeBackend) {
			d := bytes.Clone(data)
			d[17] = '#'
			f.put("img", d)
		}, spec: ChecksumSpec{Mode: ModeSample, Manifest: "img.manifest", SamplePercent: 100}, status: StatusFailed,
			detail: "; a full re-read confirmed differing parts: 2 (bytes 16-23)"},
		{name: "sample mismatch in transit only", setup: func(f *fakeBackend) {
			f.sampleFn = func(*transfer.Manifest, []byte) error {
				return fmt.Errorf("verify sample: %w: part 3 (bytes 24-31)", transfer.ErrPartMismatch)
			}
		}, spec: ChecksumSpec{Mode: ModeSample, Manifest: "img.manifest", SamplePercent: 10}, status: StatusPassed,
			detail: "sample: a sampled part of oss://b/img read back damaged (verify sample: part does not match the manifest: part 3 (bytes 24-31)), but a full re-read of all 41 bytes matches the manifest: the damage was in transit, not in storage"},
		{name: "sample object replaced", setup: func(f *fakeBackend) {
			f.sampleFn = func(*transfer.Manifest, []byte) error {
				return fmt.Errorf("verify sample: %w", transfer.ErrObjectChanged)
			}
		}, spec: ChecksumSpec{Mode: ModeSample, Manifest: "img.manifest", SamplePercent: 10}, status: StatusFailed,
			detail: "was replaced since the manifest was written"},
		{name: "full pass with manifest", spec: ChecksumSpec{Mode: ModeFull, Manifest: "img.manifest"}, status: StatusPassed,
			detail: "full: read all 41 bytes of oss://b/img; CRC64, MD5, SHA-256 match the manifest",
			check: func(t *testing.T, r *ChecksumResult) {
				if r.MD5 != m.MD5 || r.SHA256 != m.SHA256 || r.CRC64 != m.CRC64 || r.BytesVerified != 41 {
					t.Fatalf("%+v", r)
				}
			}},
		{name: "full pass with sha256 only", spec: ChecksumSpec{Mode: ModeFull, ExpectedSHA256: strings.ToUpper(m.SHA256)}, status: StatusPassed,
			detail: "SHA-256 match expected_sha256"},
		{name: "full mismatch names parts", setup: func(f *fakeBackend) {
			d := append([]byte(nil), data...)
			d[9], d[40] = 'X', '?'
			f.put("img", d)
		}, spec: ChecksumSpec{Mode: ModeFull, Manifest: "img.manifest"}, status: StatusFailed,
			detail: "differing parts: 1 (bytes 8-15), 5 (bytes 40-40)"},
		{name: "full md5 mismatch", spec: ChecksumSpec{Mode: ModeFull, ExpectedMD5: strings.Repeat("a", 32)}, status: StatusFailed,
			detail: "MD5 " + m.MD5 + ", expected_md5 says aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
		{name: "nothing to compare", spec: ChecksumSpec{Mode: ModeFull}, status: StatusFailed, detail: "nothing to compare"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock()
			f := newFake(clk)
			f.put("img", data)
			f.put("img.manifest", mustJSON(t, m))
			if tc.setup != nil {
				tc.setup(f)
			}
			s := tc.spec
			s.Bucket = "b"
			if s.Object == "" {
				s.Object = "img"
			}
			r := Run(context.Background(), f, clk, Spec{Checksum: &s})
			c := check(t, r, CheckChecksum)
			if c.Status != tc.status || r.Status != tc.status {
				t.Fatalf("status %s, want %s: %s", c.Status, tc.status, c.Detail)
			}
			if !strings.Contains(c.Detail, tc.detail) {
				t.Fatalf("detail %q lacks %q", c.Detail, tc.detail)
			}
			if tc.check != nil {
				tc.check(t, r.Checksum)
			}
		})
	}
}

func TestRTOAndTagging(t *testing.T) {
	cases := []struct {
		name     string
		spec     Spec
		results  []CommandResult
		tagErr   error
		status   string
		rto      string // rto check detail fragment, "" for none
		measured time.Duration
		tagCheck string
		tagged   map[string][]string
	}{
		{name: "within target, tags points", results: []CommandResult{bad, ok},
			spec:   Spec{BootTest: boot(time.Minute, time.Minute), HasRestore: true, RestoreDuration: 10 * time.Minute, RTOTarget: 15 * time.Minute, VerifiedPoints: []string{"s-1", "m-1", "s-2"}},
			status: StatusPassed, rto: "measured RTO 11m10s (restore 10m0s + healthy after 1m10s) is within the target 15m0s", measured: 11*time.Minute + 10*time.Second,
			tagCheck: StatusPassed, tagged: map[string][]string{"snapshot": {"s-1", "s-2"}, "image": {"m-1"}}},
		{name: "exceeds target, no tags", results: []CommandResult{ok},
			spec:   Spec{BootTest: boot(0, time.Minute), HasRestore: true, RestoreDuration: 20 * time.Minute, RTOTarget: 15 * time.Minute, VerifiedPoints: []string{"s-1"}},
			status: StatusFailed, rto: "measured RTO 20m10s (restore 20m0s + healthy after 10s) exceeds the target 15m0s by 5m10s", measured: 20*time.Minute + 10*time.Second,
			tagCheck: StatusSkipped, tagged: map[string][]string{}},
		{name: "restore only", spec: Spec{HasRestore: true, RestoreDuration: 5 * time.Minute, RTOTarget: 15 * time.Minute},
			status: StatusPassed, rto: "measured RTO 5m0s (restore 5m0s) is within", measured: 5 * time.Minute},
		{name: "never healthy", results: []CommandResult{bad}, spec: Spec{BootTest: boot(0, time.Minute), RTOTarget: time.Hour},
			status: StatusFailed, rto: "never became healthy during the boot test, so the RTO target 1h0m0s is not met", measured: -1},
		{name: "tagging fails", results: []CommandResult{ok}, tagErr: errors.New("ECS TagResources: Forbidden.RAM"),
			spec:   Spec{BootTest: boot(0, time.Minute), VerifiedPoints: []string{"m-9"}},
			status: StatusFailed, measured: 10 * time.Second, tagCheck: StatusFailed, tagged: map[string][]string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock()
			f := newFake(clk)
			f.results, f.cmdTook, f.tagErr = tc.results, 10*time.Second, tc.tagErr
			tc.spec.RunID = "vr-test"
			r := Run(context.Background(), f, clk, tc.spec)
			if r.Status != tc.status {
				t.Fatalf("status %s: %+v", r.Status, r.Checks)
			}
			if tc.rto != "" {
				if c := check(t, r, CheckRTO); !strings.Contains(c.Detail, tc.rto) {
					t.Fatalf("rto detail %q lacks %q", c.Detail, tc.rto)
				}
			}
			if tc.measured < 0 {
				if r.MeasuredRTO != nil {
					t.Fatalf("measured %s", *r.MeasuredRTO)
				}
			} else if r.MeasuredRTO == nil || *r.MeasuredRTO != tc.measured {
				t.Fatalf("measured %v, want %s", r.MeasuredRTO, tc.measured)
			}
			if tc.tagCheck != "" {
				if c := check(t, r, CheckTagging); c.Status != tc.tagCheck {
					t.Fatalf("tag check %+v", c)
				}
				for typ, ids := range tc.tagged {
					if strings.Join(f.tagged[typ], ",") != strings.Join(ids, ",") {
						t.Fatalf("tagged %v, want %v", f.tagged, tc.tagged)
					}
				}
				if len(tc.tagged) > 0 {
					want := r.FinishedAt.Format(time.RFC3339)
					if f.tags["alidr:verified-at"] != want || f.tags["alidr:verification-run"] != "vr-test" {
						t.Fatalf("tags %v", f.tags)
					}
					if len(r.Tagged) != len(tc.spec.VerifiedPoints) {
						t.Fatalf("result tagged %v", r.Tagged)
					}
				} else if len(r.Tagged) != 0 || len(f.tagged) != 0 {
					t.Fatalf("tagged %v / %v on a failed run", r.Tagged, f.tagged)
				}
			}
		})
	}
}

func sampleResult(t *testing.T) *Result {
	clk := newFakeClock()
	f := newFake(clk)
	data := []byte("0123456789abcdef0123")
	f.put("img", data)
	f.put("img.manifest", mustJSON(t, manifestOf(data, 8)))
	f.results, f.cmdTook = []CommandResult{bad, ok}, 2*time.Second
	return Run(context.Background(), f, clk, Spec{
		Name: "nightly", RunID: "vr-report", Region: emulator.SeedRegion,
		Checksum: &ChecksumSpec{Bucket: "b", Object: "img", Mode: ModeFull, ExpectedMD5: strings.Repeat("b", 32)},
		BootTest: boot(time.Minute, 30*time.Second), RTOTarget: 15 * time.Minute, VerifiedPoints: []string{"s-1"},
	})
}

func TestRenderJSON(t *testing.T) {
	r := sampleResult(t)
	out, err := RenderJSON(r)
	if err != nil {
		t.Fatal(err)
	}
	var j struct {
		RunID, Name, Status string
		StartedAt           string `json:"started_at"`
		Checks              []struct{ Name, Status, Detail string }
		Checksum            struct {
			MD5           string `json:"md5"`
			BytesVerified *int64 `json:"bytes_verified"`
		}
		BootTest struct {
			Attempts, Passes, Failures int
			TimeToHealthy              string `json:"time_to_healthy"`
			Results                    []struct {
				N         int
				Healthy   bool
				ExitCode  int     `json:"exit_code"`
				AtSeconds float64 `json:"at_seconds"`
				Output    string
			}
		} `json:"boot_test"`
		RTO struct{ Target, Measured string }
	}
	if err := json.Unmarshal(out, &j); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if j.Status != StatusFailed || j.Name != "nightly" || j.StartedAt != "2026-11-24T10:00:00Z" {
		t.Fatalf("%s", out)
	}
	names := []string{}
	for _, c := range j.Checks {
		names = append(names, c.Name+":"+c.Status)
	}
	if got := strings.Join(names, " "); got != "checksum:failed boot_test:passed rto:passed tag_verified_points:skipped" {
		t.Fatalf("checks %s", got)
	}
	if j.Checksum.BytesVerified == nil || *j.Checksum.BytesVerified != 20 || j.Checksum.MD5 == "" {
		t.Fatalf("checksum %+v", j.Checksum)
	}
	b := j.BootTest
	if b.Attempts != 3 || b.Passes != 2 || b.Failures != 1 || b.TimeToHealthy != "32s" || len(b.Results) != 3 ||
		b.Results[0].Healthy || b.Results[0].ExitCode != 7 || b.Results[1].AtSeconds != 30 || !strings.Contains(b.Results[0].Output, "curl") {
		t.Fatalf("boot %+v", b)
	}
	if j.RTO.Target != "15m0s" || j.RTO.Measured != "32s" {
		t.Fatalf("rto %+v", j.RTO)
	}
}

func TestRenderJUnit(t *testing.T) {
	r := sampleResult(t)
	out, err := RenderJUnit(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Fatalf("%s", out)
	}
	var s struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name       string `xml:"name,attr"`
			Tests      int    `xml:"tests,attr"`
			Failures   int    `xml:"failures,attr"`
			Skipped    int    `xml:"skipped,attr"`
			Properties []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:"value,attr"`
			} `xml:"properties>property"`
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
				Skipped   *struct{} `xml:"skipped"`
				SystemOut string    `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(out, &s); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if s.Tests != 4 || s.Failures != 1 || len(s.Suites) != 1 {
		t.Fatalf("%s", out)
	}
	su := s.Suites[0]
	if su.Name != "alidr_verification_run.nightly" || su.Tests != 4 || su.Failures != 1 || su.Skipped != 1 || len(su.Cases) != 4 {
		t.Fatalf("%s", out)
	}
	if c := su.Cases[0]; c.Name != "checksum" || c.Failure == nil || !strings.Contains(c.Failure.Message, "expected_md5 says bbbb") || c.Failure.Text != c.Failure.Message {
		t.Fatalf("checksum case %+v", c)
	}
	if c := su.Cases[1]; c.Name != "boot_test" || c.Failure != nil || !strings.Contains(c.SystemOut, "attempt 1 at +0s: unhealthy, exit code 7 (exit code 7, want 0)\nattempt 2 at +30s: healthy, exit code 0\nattempt 3 at +1m0s: healthy, exit code 0\noutput tail of the last attempt:\nrunning\nok") {
		t.Fatalf("boot case %+v", c)
	}
	if c := su.Cases[3]; c.Name != "tag_verified_points" || c.Skipped == nil {
		t.Fatalf("tag case %+v", c)
	}
	props := map[string]string{}
	for _, p := range su.Properties {
		props[p.Name] = p.Value
	}
	if props["run_id"] != "vr-report" || props["status"] != "failed" || props["measured_rto"] != "32s" {
		t.Fatalf("properties %v", props)
	}
}

func TestWriteReport(t *testing.T) {
	r := sampleResult(t)
	dir := t.TempDir()
	old := umask(0o077)
	defer umask(old)
	f := newFake(newFakeClock())
	p := filepath.Join(dir, "dr-report.xml")
	if err := WriteReport(context.Background(), f, r, ReportSpec{Format: FormatJUnit, Path: p, Bucket: "reports", Object: "dr/report.xml"}); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("%v %v", st.Mode(), err)
	}
	data, _ := os.ReadFile(p)
	if !bytes.Equal(data, f.puts["reports/dr/report.xml"]) || !bytes.Contains(data, []byte("<testsuites")) {
		t.Fatal("local and uploaded reports differ")
	}
	err = WriteReport(context.Background(), f, r, ReportSpec{Format: FormatJSON, Path: filepath.Join(dir, "missing", "r.json")})
	if err == nil || !strings.Contains(err.Error(), "does not exist: create it first") {
		t.Fatalf("missing dir: %v", err)
	}
	if err := CheckReportPath(dir); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("dir as path: %v", err)
	}
	if _, _, err := Render(r, "yaml"); err == nil {
		t.Fatal("unknown format accepted")
	}
}

func TestPointTypeAndRunID(t *testing.T) {
	for id, want := range map[string]string{"s-2ze1": "snapshot", "m-bp1": "image", "i-1": "", "s-": ""} {
		got, err := PointType(id)
		if got != want || (want == "") != (err != nil) {
			t.Fatalf("%s: %q %v", id, got, err)
		}
	}
	id := NewRunID(time.Date(2026, 11, 24, 10, 45, 0, 0, time.UTC))
	if !strings.HasPrefix(id, "vr-20261124T104500Z-") || len(id) != len("vr-20261124T104500Z-")+6 {
		t.Fatal(id)
	}
	if SampleCount(6, 50) != 3 || SampleCount(6, 1) != 1 || SampleCount(3, 100) != 3 || SampleCount(0, 50) != 0 {
		t.Fatal("sample count")
	}
}

func TestRunLogsProgress(t *testing.T) {
	clk := newFakeClock()
	f := newFake(clk)
	f.results, f.cmdTook = []CommandResult{bad, ok}, time.Second
	var msgs []string
	r := Run(context.Background(), f, clk, Spec{BootTest: boot(2*time.Minute, time.Minute), Log: func(msg string, fields map[string]any) {
		msgs = append(msgs, fmt.Sprintf("%s %v/%v", msg, fields["attempt"], fields["check"]))
	}})
	want := "boot test attempt 1/<nil>|boot test attempt 2/<nil>|boot test attempt 3/<nil>|verification check passed <nil>/boot_test"
	if got := strings.Join(msgs, "|"); got != want || r.Status != StatusPassed {
		t.Fatalf("logged %q, want %q", got, want)
	}
}
