package transfer

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func testIdentity() Identity {
	return Identity{Bucket: "b", Key: "k", Size: 25, ETag: `"E"`, LastModified: "lm", CRC64: "1", PartSize: 10}
}

func TestJournalRoundTripAndMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j")
	parts, _ := PlanParts(25, 10)
	j, recs, err := OpenJournal(path, testIdentity(), parts)
	if err != nil || len(recs) != 0 {
		t.Fatalf("open: %v %v", recs, err)
	}
	if err := j.Append(Record{Index: 2, Offset: 20, Length: 5, CRC64: 7}, Record{Index: 0, Offset: 0, Length: 10, CRC64: 9, SHA256: "ab"}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode())
	}
	j, recs, err = OpenJournal(path, testIdentity(), parts)
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	if len(recs) != 2 || recs[2].CRC64 != 7 || recs[0].SHA256 != "ab" {
		t.Fatalf("records %+v", recs)
	}
}

func TestJournalCorruptTailTruncated(t *testing.T) {
	path, parts := journalOfPart0(t)
	good, _ := os.ReadFile(path)

	for name, tail := range map[string]string{
		"partial line":    `{"i":1,"o":10,"n":10,"crc":2`,
		"bad checksum":    `{"i":1,"o":10,"n":10,"crc":2} 00000000` + "\n",
		"wrong geometry":  string(mustLine(t, Record{Index: 1, Offset: 11, Length: 10, CRC64: 2})),
		"index too large": string(mustLine(t, Record{Index: 3, Offset: 30, Length: 10, CRC64: 2})),
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(path, append(append([]byte{}, good...), tail...), 0o600); err != nil {
				t.Fatal(err)
			}
			j, recs, err := OpenJournal(path, testIdentity(), parts)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 1 || recs[0].CRC64 != 1 {
				t.Fatalf("records %+v", recs)
			}
			// New records must follow the good prefix, not the garbage.
			if err := j.Append(Record{Index: 2, Offset: 20, Length: 5, CRC64: 3}); err != nil {
				t.Fatal(err)
			}
			j.Close()
			j, recs, _ = OpenJournal(path, testIdentity(), parts)
			j.Close()
			if len(recs) != 2 || recs[2].CRC64 != 3 {
				t.Fatalf("after append: %+v", recs)
			}
		})
	}
}

// journalOfPart0 writes a journal of a 25-byte object in 10-byte parts
// (testIdentity) that holds part 0 with CRC64 1.
func journalOfPart0(t *testing.T) (path string, parts []Part) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "j")
	parts, _ = PlanParts(25, 10)
	j, _, _ := OpenJournal(path, testIdentity(), parts)
	if err := j.Append(Record{Index: 0, Offset: 0, Length: 10, CRC64: 1}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	return path, parts
}

func mustLine(t *testing.T, v any) []byte {
	l, err := encodeLine(v)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestJournalForeignIgnored(t *testing.T) {
	path, parts := journalOfPart0(t)
	for _, mut := range []func(*Identity){
		func(id *Identity) { id.ETag = `"F"` },
		func(id *Identity) { id.LastModified = "other" },
		func(id *Identity) { id.Key = "other" },
		func(id *Identity) { id.CRC64 = "2" },
		func(id *Identity) { id.PartSize = 5 },
	} {
		id := testIdentity()
		mut(&id)
		j, recs, err := OpenJournal(path, id, parts)
		if err != nil || len(recs) != 0 {
			t.Fatalf("foreign journal used: %+v %v", recs, err)
		}
		j.Close()
	}
	// A header damaged by a crash is ignored too.
	if err := os.WriteFile(path, []byte("garbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	j, recs, err := OpenJournal(path, testIdentity(), parts)
	if err != nil || len(recs) != 0 {
		t.Fatalf("garbage journal used: %+v %v", recs, err)
	}
	j.Close()
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode not tightened: %v", st.Mode())
	}
}

func FuzzJournalParse(f *testing.F) {
	parts, _ := PlanParts(25, 10)
	hdr, _ := encodeLine(journalHeader{Version: journalVersion, ID: testIdentity()})
	rec, _ := encodeLine(Record{Index: 1, Offset: 10, Length: 10, CRC64: 5})
	f.Add(append(append([]byte{}, hdr...), rec...))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, good, ok := parseJournal(data, testIdentity(), parts)
		if !ok {
			return
		}
		if good > int64(len(data)) {
			t.Fatalf("good prefix %d beyond %d", good, len(data))
		}
		for i, r := range recs {
			if r.Index != i || parts[i].Offset != r.Offset || parts[i].Length != r.Length {
				t.Fatalf("invalid record accepted: %+v", r)
			}
		}
		// The good prefix alone must parse to the same records.
		again, good2, _ := parseJournal(data[:good], testIdentity(), parts)
		if good2 != good || len(again) != len(recs) {
			t.Fatalf("prefix not stable")
		}
	})
}

func TestJournalExclusive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j")
	parts, _ := PlanParts(25, 10)
	j, _, err := OpenJournal(path, testIdentity(), parts)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := OpenJournal(path, testIdentity(), parts); !errors.Is(err, ErrBusy) {
		t.Fatalf("second open: %v", err)
	}
	j.Close()
	j, _, err = OpenJournal(path, testIdentity(), parts)
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	j.Close()
}
