package transfer

import (
	"os"
	"syscall"
)

// preallocate reserves size bytes so a full disk fails now, not mid-transfer.
func preallocate(f *os.File, size int64) error {
	if size == 0 {
		return nil
	}
	if err := syscall.Fallocate(int(f.Fd()), 0, 0, size); err == nil {
		return nil
	}
	return f.Truncate(size)
}
