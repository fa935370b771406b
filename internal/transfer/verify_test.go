package transfer

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func TestVerifyAndVerifySample(t *testing.T) {
	f, data := servedObject(t, 300<<10, 23)
	var s recSleep
	res, err := Verify(context.Background(), f.bucket(t), "obj", smallOpts(&s))
	if err != nil {
		t.Fatal(err)
	}
	m, sh := md5.Sum(data), sha256.Sum256(data)
	if res.CRC64 != CRC64(data) || res.MD5 != hex.EncodeToString(m[:]) || res.SHA256 != hex.EncodeToString(sh[:]) {
		t.Fatalf("verify result %+v", res)
	}
	if err := VerifySample(context.Background(), f.bucket(t), "obj", res.Manifest, 100); err != nil {
		t.Fatalf("sample of intact object: %v", err)
	}
	// Same size and ETag but different bytes in part 2 (the manifest pins
	// the ETag, so pretend the store lost bytes).
	bad := append([]byte{}, data...)
	bad[2*(64<<10)+5] ^= 1
	f.mu.Lock()
	f.objects["obj"].data = bad
	f.mu.Unlock()
	if err := VerifySample(context.Background(), f.bucket(t), "obj", res.Manifest, 100); !errors.Is(err, ErrPartMismatch) || !strings.Contains(err.Error(), "part 2") {
		t.Fatalf("damaged object: %v", err)
	}
}

// Verify repairs its digests when a part is corrupted in transit.
func TestVerifyCorruptionRecomputesDigests(t *testing.T) {
	f, data := servedObject(t, 300<<10, 24)
	flipOnce(f, 64<<10, 7, 2)
	var s recSleep
	res, err := Verify(context.Background(), f.bucket(t), "obj", smallOpts(&s))
	if err != nil {
		t.Fatal(err)
	}
	m := md5.Sum(data)
	if res.CRC64 != CRC64(data) || res.MD5 != hex.EncodeToString(m[:]) || len(res.Repaired) != 1 {
		t.Fatalf("verify result %+v", res)
	}
}

// A part corrupted once in transit is not reported as a damaged object.
func TestVerifySampleToleratesTransientCorruption(t *testing.T) {
	f, data := servedObject(t, 256<<10, 25)
	m := sampleManifest(t, data, 64<<10)
	m.ETag = f.objects["obj"].etag
	n := flipOnce(f, 64<<10, 9, 1)
	if err := VerifySample(context.Background(), f.bucket(t), "obj", m, 100); err != nil {
		t.Fatal(err)
	}
	if n.Load() < 2 {
		t.Fatal("corrupted part was not read again")
	}
}
