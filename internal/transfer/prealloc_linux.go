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

// syncData flushes the file's data and the metadata needed to read it back.
// It holds a reference on the descriptor so a concurrent Close (the
// committer may still be syncing when a download returns) cannot close it
// underneath the call.
func syncData(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.Fdatasync(int(fd)) }); err != nil {
		return err
	}
	return serr
}

// lockFile takes an exclusive advisory lock so two transfers cannot share
// one journal and partial file; the lock dies with the process (kill -9).
func lockFile(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if err == syscall.EWOULDBLOCK {
		return ErrBusy
	}
	return err
}
