package attest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
)

func keyPair(t *testing.T, seed byte) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	return priv.Public().(ed25519.PublicKey), priv
}

func statement() Statement {
	return Statement{RunID: "vr-1", Status: StatusPassed, Points: []string{"s-2", "s-1", "s-2"},
		Checksums: []Checksum{{Object: "oss://b/k", CRC64: "1"}},
		Checks:    []Check{{Name: "boot_test", Status: "passed", Detail: "healthy <ok> & fine"}},
		StartedAt: "2026-12-03T10:00:00Z", FinishedAt: "2026-12-03T10:05:00Z", ReportDigest: ReportDigest([]byte("r"))}
}

func TestSignVerify(t *testing.T) {
	pub, priv := keyPair(t, 1)
	other, _ := keyPair(t, 2)
	stored, err := Sign(statement(), priv)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Verify(stored, []ed25519.PublicKey{other, pub})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Vouches("s-1") || !s.Vouches("s-2") || s.Vouches("s-3") {
		t.Fatalf("points %v", s.Points)
	}
	if strings.Join(s.Points, ",") != "s-1,s-2" {
		t.Fatalf("canonical points %v", s.Points)
	}
	if _, err := Verify(stored, []ed25519.PublicKey{other}); !errors.Is(err, ErrUntrusted) {
		t.Fatalf("a signature by an untrusted key: %v", err)
	}
	if _, err := Verify(stored, nil); !errors.Is(err, ErrUntrusted) {
		t.Fatalf("no trusted keys: %v", err)
	}
}

// Any change to the signed payload, or a signature from another key over
// the same payload, fails.
func TestVerifyRefusesTampering(t *testing.T) {
	pub, priv := keyPair(t, 1)
	_, attacker := keyPair(t, 3)
	stored, err := Sign(statement(), priv)
	if err != nil {
		t.Fatal(err)
	}
	var env Envelope
	if err := json.Unmarshal(stored, &env); err != nil {
		t.Fatal(err)
	}
	tampered := env
	tampered.Payload = bytes.Replace(env.Payload, []byte(`"s-1"`), []byte(`"s-9"`), 1)
	resigned := env
	resigned.Signature = ed25519.Sign(attacker, append([]byte(signingContext), env.Payload...))
	noContext := env
	noContext.Signature = ed25519.Sign(priv, env.Payload)
	for name, e := range map[string]Envelope{"tampered payload": tampered, "attacker's signature": resigned, "signature without context": noContext} {
		b, _ := json.Marshal(e)
		if _, err := Verify(b, []ed25519.PublicKey{pub}); !errors.Is(err, ErrUntrusted) {
			t.Errorf("%s: %v", name, err)
		}
	}
	failed := statement()
	failed.Status = "failed"
	b, _ := Sign(failed, priv)
	s, err := Verify(b, []ed25519.PublicKey{pub})
	if err != nil || s.Vouches("s-1") {
		t.Fatalf("a failed run vouches for nothing: %v %v", s, err)
	}
}

func TestCanonicalIsStable(t *testing.T) {
	a := statement()
	b := statement()
	b.Points = []string{"s-1", "s-2"}
	ca, _ := Canonical(a)
	cb, _ := Canonical(b)
	if !bytes.Equal(ca, cb) {
		t.Fatalf("canonical forms differ:\n%s\n%s", ca, cb)
	}
	if !bytes.Contains(ca, []byte("<ok> & fine")) {
		t.Fatalf("HTML escaping changes the payload: %s", ca)
	}
}

func TestParseKeys(t *testing.T) {
	pub, priv := keyPair(t, 7)
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	pemPriv := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	pder, _ := x509.MarshalPKIXPublicKey(pub)
	pemPub := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pder}))
	for _, s := range []string{pemPriv, base64.StdEncoding.EncodeToString(priv.Seed()), base64.StdEncoding.EncodeToString(priv)} {
		k, err := ParsePrivateKey(s)
		if err != nil || !k.Equal(priv) {
			t.Errorf("ParsePrivateKey: %v", err)
		}
	}
	for _, s := range []string{pemPub, base64.StdEncoding.EncodeToString(pub)} {
		k, err := ParsePublicKey(s)
		if err != nil || !k.Equal(pub) {
			t.Errorf("ParsePublicKey: %v", err)
		}
	}
	secret := base64.StdEncoding.EncodeToString([]byte("0123456789"))
	if _, err := ParsePrivateKey(secret); err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("a bad key is refused without quoting it: %v", err)
	}
	if _, err := ParsePublicKey("not a key"); err == nil {
		t.Error("a bad public key was accepted")
	}
}
