//go:build !amd64

package crc64ecma

const hasCLMUL = false

func foldCLMUL(reg uint64, p []byte, keys *[2]uint64, out *[foldBlock]byte) {
	panic("unreachable")
}
