package transfer

import (
	"hash/crc64"
	"strconv"
	"sync"

	"github.com/alidr/terraform-provider-alidr/internal/crc64ecma"
)

// CRC64 returns the CRC64-ECMA of p as OSS computes it.
func CRC64(p []byte) uint64 { return crc64ecma.Checksum(p) }

// zeroOps[i] is the GF(2) matrix that feeds 2^i zero bytes through the CRC
// register. Built once; each combine then costs at most 64 matrix-vector
// products instead of the O(log n) matrix squarings zlib does per call.
var zeroOps = sync.OnceValue(func() *[64][64]uint64 {
	var ops [64][64]uint64
	var odd, even [64]uint64
	// One zero bit: shift right, xor the (reflected) polynomial when the low bit is set.
	odd[0] = crc64.ECMA
	row := uint64(1)
	for n := 1; n < 64; n++ {
		odd[n] = row
		row <<= 1
	}
	gf2Square(&even, &odd) // 2 bits
	gf2Square(&odd, &even) // 4 bits
	gf2Square(&ops[0], &odd)
	for i := 1; i < 64; i++ {
		gf2Square(&ops[i], &ops[i-1])
	}
	return &ops
})

func gf2Times(mat *[64]uint64, vec uint64) uint64 {
	var sum uint64
	for i := 0; vec != 0; i++ {
		if vec&1 != 0 {
			sum ^= mat[i]
		}
		vec >>= 1
	}
	return sum
}

func gf2Square(dst, mat *[64]uint64) {
	for n := 0; n < 64; n++ {
		dst[n] = gf2Times(mat, mat[n])
	}
}

// CRC64Combine returns the CRC64-ECMA of A||B given crcA = CRC64(A),
// crcB = CRC64(B) and lenB = len(B). The pre/post inversion of hash/crc64
// cancels out because the CRC is affine in its input.
func CRC64Combine(crcA, crcB uint64, lenB int64) uint64 {
	if lenB <= 0 {
		return crcA
	}
	ops := zeroOps()
	for i := 0; lenB != 0; i++ {
		if lenB&1 != 0 {
			crcA = gf2Times(&ops[i], crcA)
		}
		lenB >>= 1
	}
	return crcA ^ crcB
}

// FormatCRC64 renders a CRC the way OSS does in x-oss-hash-crc64ecma (decimal).
func FormatCRC64(c uint64) string { return strconv.FormatUint(c, 10) }

// ParseCRC64 parses the decimal form OSS uses.
func ParseCRC64(s string) (uint64, error) { return strconv.ParseUint(s, 10, 64) }
