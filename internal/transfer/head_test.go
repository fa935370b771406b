package transfer

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// The HEAD that pins the object is retried like a part: a throttled or
// failed HEAD does not fail the whole transfer.
func TestEmulatorHeadIsRetried(t *testing.T) {
	for _, kind := range []string{"5xx", "throttling"} {
		t.Run(kind, func(t *testing.T) {
			srv, b := newEmu(t)
			data := randBytes(1<<20, 43)
			if err := b.PutObject("obj", bytes.NewReader(data)); err != nil {
				t.Fatal(err)
			}
			srv.InjectFault(emulator.Fault{Service: "oss", Action: "HeadObject", Kind: emulator.FaultKind(kind), Count: 2})
			var s recSleep
			mustDownload(t, b, "obj", filepath.Join(t.TempDir(), "out"), emuOpts(&s), data)
			if f := srv.Faults(); len(f) != 1 || f[0].Fired != 2 {
				t.Fatalf("faults %+v, want 2 fired", f)
			}
		})
	}
}
