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

// startWriteback asks the kernel to begin writing a just-written part to
// disk now, so the committer's later sync finds little left to flush and
// the disk works while the network does. Best effort.
func startWriteback(f *os.File, off, n int64) {
	const syncFileRangeWrite = 2 // SYNC_FILE_RANGE_WRITE
	syscall.Syscall6(syscall.SYS_SYNC_FILE_RANGE, f.Fd(), uintptr(off), uintptr(n), syncFileRangeWrite, 0, 0)
}

// syncData flushes the file's data and the metadata needed to read it back.
func syncData(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }

// lockFile takes an exclusive advisory lock so two transfers cannot share
// one journal and partial file; the lock dies with the process (kill -9).
func lockFile(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if err == syscall.EWOULDBLOCK {
		return ErrBusy
	}
	return err
}
