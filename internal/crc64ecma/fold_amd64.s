#include "textflag.h"

// One lane: X = clmul(X.lo, K.lo) ^ clmul(X.hi, K.hi) ^ next 16 bytes.
#define FOLD(X, off) \
	MOVOU     X, X9; \
	PCLMULQDQ $0x00, X8, X; \
	PCLMULQDQ $0x11, X8, X9; \
	MOVOU     off(SI), X10; \
	PXOR      X9, X; \
	PXOR      X10, X

// func foldCLMUL(reg uint64, p []byte, keys *[2]uint64, out *[128]byte)
TEXT ·foldCLMUL(SB), NOSPLIT, $0-48
	MOVQ  reg+0(FP), AX
	MOVQ  p_base+8(FP), SI
	MOVQ  p_len+16(FP), CX
	MOVQ  keys+32(FP), DX
	MOVQ  out+40(FP), DI
	MOVOU (DX), X8
	MOVOU 0(SI), X0
	MOVOU 16(SI), X1
	MOVOU 32(SI), X2
	MOVOU 48(SI), X3
	MOVOU 64(SI), X4
	MOVOU 80(SI), X5
	MOVOU 96(SI), X6
	MOVOU 112(SI), X7
	MOVQ  AX, X9
	PXOR  X9, X0
	ADDQ  $128, SI
	SUBQ  $128, CX

loop:
	CMPQ CX, $128
	JB   done
	FOLD(X0, 0)
	FOLD(X1, 16)
	FOLD(X2, 32)
	FOLD(X3, 48)
	FOLD(X4, 64)
	FOLD(X5, 80)
	FOLD(X6, 96)
	FOLD(X7, 112)
	ADDQ $128, SI
	SUBQ $128, CX
	JMP  loop

done:
	MOVOU X0, 0(DI)
	MOVOU X1, 16(DI)
	MOVOU X2, 32(DI)
	MOVOU X3, 48(DI)
	MOVOU X4, 64(DI)
	MOVOU X5, 80(DI)
	MOVOU X6, 96(DI)
	MOVOU X7, 112(DI)
	RET
