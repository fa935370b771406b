package transfer

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
)

// Identity pins the object version a journal belongs to. Any difference
// means the object (or the plan) changed and the journal is foreign.
type Identity struct {
	Bucket       string `json:"bucket"`
	Key          string `json:"key"`
	Size         int64  `json:"size"`
	ETag         string `json:"etag"`
	LastModified string `json:"last_modified"`
	CRC64        string `json:"crc64"`
	PartSize     int64  `json:"part_size"`
}

// Record is one finished part: written only after its bytes are synced.
type Record struct {
	Index  int    `json:"i"`
	Offset int64  `json:"o"`
	Length int64  `json:"n"`
	CRC64  uint64 `json:"crc"`
	SHA256 string `json:"sha,omitempty"`
}

const journalVersion = 1

// ErrBusy means another transfer holds the journal for the same destination.
var ErrBusy = errors.New("another transfer to this destination is running")

type journalHeader struct {
	Version int      `json:"v"`
	ID      Identity `json:"id"`
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Journal is an append-only log of finished parts. Every line is
// `<json> <crc32c-hex>\n`; the first line holds the Identity.
type Journal struct {
	f *os.File
}

// OpenJournal opens or creates the journal at path for id and returns the
// valid records it holds. A journal for another identity is discarded; a
// corrupt or partial tail is cut off at the last good record. Records that
// do not fit parts are treated as corruption.
func OpenJournal(path string, id Identity, parts []Part) (*Journal, map[int]Record, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, err
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("journal %s: %w", path, err)
	}
	// An existing file keeps its mode on open; the journal must stay private.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, nil, err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	recs, good, ok := parseJournal(data, id, parts)
	if !ok { // empty, foreign or unreadable header: start over
		recs = map[int]Record{}
		if err := f.Truncate(0); err != nil {
			f.Close()
			return nil, nil, err
		}
		line, _ := encodeLine(journalHeader{Version: journalVersion, ID: id})
		if _, err := f.WriteAt(line, 0); err != nil {
			f.Close()
			return nil, nil, err
		}
		good = int64(len(line))
	} else if good < int64(len(data)) {
		if err := f.Truncate(good); err != nil {
			f.Close()
			return nil, nil, err
		}
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, nil, err
	}
	return &Journal{f: f}, recs, nil
}

// parseJournal returns the records and the byte length of the valid prefix;
// ok is false when the header is missing, corrupt or for another identity.
func parseJournal(data []byte, id Identity, parts []Part) (map[int]Record, int64, bool) {
	line, rest, found := bytes.Cut(data, []byte{'\n'})
	if !found {
		return nil, 0, false
	}
	var hdr journalHeader
	if !decodeLine(line, &hdr) || hdr.Version != journalVersion || hdr.ID != id {
		return nil, 0, false
	}
	good := int64(len(line) + 1)
	recs := map[int]Record{}
	for len(rest) > 0 {
		line, next, found := bytes.Cut(rest, []byte{'\n'})
		if !found {
			break // partial last write
		}
		var r Record
		if !decodeLine(line, &r) || r.Index < 0 || r.Index >= len(parts) ||
			parts[r.Index].Offset != r.Offset || parts[r.Index].Length != r.Length {
			break
		}
		recs[r.Index] = r // a later record for the same part (a repair) wins
		good += int64(len(line) + 1)
		rest = next
	}
	return recs, good, true
}

// Append writes records in one write. Callers must have synced the data
// the records describe first.
func (j *Journal) Append(recs ...Record) error {
	var buf []byte
	for _, r := range recs {
		line, err := encodeLine(r)
		if err != nil {
			return err
		}
		buf = append(buf, line...)
	}
	_, err := j.f.Write(buf)
	return err
}

// Close closes the journal file.
func (j *Journal) Close() error { return j.f.Close() }

func encodeLine(v any) ([]byte, error) {
	js, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var sum [4]byte
	c := crc32.Checksum(js, castagnoli)
	sum[0], sum[1], sum[2], sum[3] = byte(c>>24), byte(c>>16), byte(c>>8), byte(c)
	out := make([]byte, 0, len(js)+10)
	out = append(out, js...)
	out = append(out, ' ')
	out = hex.AppendEncode(out, sum[:])
	return append(out, '\n'), nil
}

func decodeLine(line []byte, v any) bool {
	i := bytes.LastIndexByte(line, ' ')
	if i < 0 || len(line)-i-1 != 8 {
		return false
	}
	var sum [4]byte
	if _, err := hex.Decode(sum[:], line[i+1:]); err != nil {
		return false
	}
	c := uint32(sum[0])<<24 | uint32(sum[1])<<16 | uint32(sum[2])<<8 | uint32(sum[3])
	if crc32.Checksum(line[:i], castagnoli) != c {
		return false
	}
	return json.Unmarshal(line[:i], v) == nil
}
