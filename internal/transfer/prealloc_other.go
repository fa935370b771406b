//go:build !linux

package transfer

import "os"

func preallocate(f *os.File, size int64) error { return f.Truncate(size) }

func syncData(f *os.File) error { return f.Sync() }

func lockFile(f *os.File) error { return nil }
