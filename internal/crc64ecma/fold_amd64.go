package crc64ecma

import "golang.org/x/sys/cpu"

var hasCLMUL = cpu.X86.HasPCLMULQDQ && cpu.X86.HasSSE41

// foldCLMUL xors reg into the first 8 bytes of p (len(p) a positive
// multiple of 128) and folds it into out with PCLMULQDQ.
//
//go:noescape
func foldCLMUL(reg uint64, p []byte, keys *[2]uint64, out *[foldBlock]byte)
