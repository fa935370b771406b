package verify

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

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
