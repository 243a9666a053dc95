// AVX2 + FMA kernels for the CPU backend's hot loops; see simd_amd64.go.
// Every vector function handles len(first slice) elements, a multiple of
// 4; the Go wrappers do the tails. Four float64 lanes per register.

#include "textflag.h"

// Constants for exp, each broadcast to four lanes (32 bytes): log2(e), the
// rounding shift 1.5·2^52, ln 2 split in a high part exact for integer
// multiples and a low part, the finite range of exp, and 1/i! for the
// Taylor polynomial of e^r on |r| ≤ ln(2)/2 (degree 12: < 3 ulp). exp flushes
// results below 2^-1022 to 0, gives +Inf above 709.78 and keeps NaN.
DATA expc<>+0(SB)/8, $1.4426950408889634
DATA expc<>+8(SB)/8, $1.4426950408889634
DATA expc<>+16(SB)/8, $1.4426950408889634
DATA expc<>+24(SB)/8, $1.4426950408889634
DATA expc<>+32(SB)/8, $6755399441055744.0
DATA expc<>+40(SB)/8, $6755399441055744.0
DATA expc<>+48(SB)/8, $6755399441055744.0
DATA expc<>+56(SB)/8, $6755399441055744.0
DATA expc<>+64(SB)/8, $6.93147180369123816490e-01
DATA expc<>+72(SB)/8, $6.93147180369123816490e-01
DATA expc<>+80(SB)/8, $6.93147180369123816490e-01
DATA expc<>+88(SB)/8, $6.93147180369123816490e-01
DATA expc<>+96(SB)/8, $1.90821492927058770002e-10
DATA expc<>+104(SB)/8, $1.90821492927058770002e-10
DATA expc<>+112(SB)/8, $1.90821492927058770002e-10
DATA expc<>+120(SB)/8, $1.90821492927058770002e-10
DATA expc<>+128(SB)/8, $-708.3964185322641
DATA expc<>+136(SB)/8, $-708.3964185322641
DATA expc<>+144(SB)/8, $-708.3964185322641
DATA expc<>+152(SB)/8, $-708.3964185322641
DATA expc<>+160(SB)/8, $709.782712893384
DATA expc<>+168(SB)/8, $709.782712893384
DATA expc<>+176(SB)/8, $709.782712893384
DATA expc<>+184(SB)/8, $709.782712893384
DATA expc<>+192(SB)/8, $1.0
DATA expc<>+200(SB)/8, $1.0
DATA expc<>+208(SB)/8, $1.0
DATA expc<>+216(SB)/8, $1.0
DATA expc<>+224(SB)/8, $0.5
DATA expc<>+232(SB)/8, $0.5
DATA expc<>+240(SB)/8, $0.5
DATA expc<>+248(SB)/8, $0.5
DATA expc<>+256(SB)/8, $0.16666666666666666
DATA expc<>+264(SB)/8, $0.16666666666666666
DATA expc<>+272(SB)/8, $0.16666666666666666
DATA expc<>+280(SB)/8, $0.16666666666666666
DATA expc<>+288(SB)/8, $0.041666666666666664
DATA expc<>+296(SB)/8, $0.041666666666666664
DATA expc<>+304(SB)/8, $0.041666666666666664
DATA expc<>+312(SB)/8, $0.041666666666666664
DATA expc<>+320(SB)/8, $0.008333333333333333
DATA expc<>+328(SB)/8, $0.008333333333333333
DATA expc<>+336(SB)/8, $0.008333333333333333
DATA expc<>+344(SB)/8, $0.008333333333333333
DATA expc<>+352(SB)/8, $0.001388888888888889
DATA expc<>+360(SB)/8, $0.001388888888888889
DATA expc<>+368(SB)/8, $0.001388888888888889
DATA expc<>+376(SB)/8, $0.001388888888888889
DATA expc<>+384(SB)/8, $0.0001984126984126984
DATA expc<>+392(SB)/8, $0.0001984126984126984
DATA expc<>+400(SB)/8, $0.0001984126984126984
DATA expc<>+408(SB)/8, $0.0001984126984126984
DATA expc<>+416(SB)/8, $2.48015873015873e-05
DATA expc<>+424(SB)/8, $2.48015873015873e-05
DATA expc<>+432(SB)/8, $2.48015873015873e-05
DATA expc<>+440(SB)/8, $2.48015873015873e-05
DATA expc<>+448(SB)/8, $2.7557319223985893e-06
DATA expc<>+456(SB)/8, $2.7557319223985893e-06
DATA expc<>+464(SB)/8, $2.7557319223985893e-06
DATA expc<>+472(SB)/8, $2.7557319223985893e-06
DATA expc<>+480(SB)/8, $2.755731922398589e-07
DATA expc<>+488(SB)/8, $2.755731922398589e-07
DATA expc<>+496(SB)/8, $2.755731922398589e-07
DATA expc<>+504(SB)/8, $2.755731922398589e-07
DATA expc<>+512(SB)/8, $2.505210838544172e-08
DATA expc<>+520(SB)/8, $2.505210838544172e-08
DATA expc<>+528(SB)/8, $2.505210838544172e-08
DATA expc<>+536(SB)/8, $2.505210838544172e-08
DATA expc<>+544(SB)/8, $2.08767569878681e-09
DATA expc<>+552(SB)/8, $2.08767569878681e-09
DATA expc<>+560(SB)/8, $2.08767569878681e-09
DATA expc<>+568(SB)/8, $2.08767569878681e-09
DATA expc<>+576(SB)/8, $0.5
DATA expc<>+584(SB)/8, $0.5
DATA expc<>+592(SB)/8, $0.5
DATA expc<>+600(SB)/8, $0.5
DATA expc<>+608(SB)/8, $1.4142135623730951
DATA expc<>+616(SB)/8, $1.4142135623730951
DATA expc<>+624(SB)/8, $1.4142135623730951
DATA expc<>+632(SB)/8, $1.4142135623730951
DATA expc<>+640(SB)/8, $4503599627370496.0
DATA expc<>+648(SB)/8, $4503599627370496.0
DATA expc<>+656(SB)/8, $4503599627370496.0
DATA expc<>+664(SB)/8, $4503599627370496.0
DATA expc<>+672(SB)/8, $1023.0
DATA expc<>+680(SB)/8, $1023.0
DATA expc<>+688(SB)/8, $1023.0
DATA expc<>+696(SB)/8, $1023.0
DATA expc<>+704(SB)/8, $2.2250738585072014e-308
DATA expc<>+712(SB)/8, $2.2250738585072014e-308
DATA expc<>+720(SB)/8, $2.2250738585072014e-308
DATA expc<>+728(SB)/8, $2.2250738585072014e-308
DATA expc<>+736(SB)/8, $6.666666666666735130e-01
DATA expc<>+744(SB)/8, $6.666666666666735130e-01
DATA expc<>+752(SB)/8, $6.666666666666735130e-01
DATA expc<>+760(SB)/8, $6.666666666666735130e-01
DATA expc<>+768(SB)/8, $3.999999999940941908e-01
DATA expc<>+776(SB)/8, $3.999999999940941908e-01
DATA expc<>+784(SB)/8, $3.999999999940941908e-01
DATA expc<>+792(SB)/8, $3.999999999940941908e-01
DATA expc<>+800(SB)/8, $2.857142874366239149e-01
DATA expc<>+808(SB)/8, $2.857142874366239149e-01
DATA expc<>+816(SB)/8, $2.857142874366239149e-01
DATA expc<>+824(SB)/8, $2.857142874366239149e-01
DATA expc<>+832(SB)/8, $2.222219843214978396e-01
DATA expc<>+840(SB)/8, $2.222219843214978396e-01
DATA expc<>+848(SB)/8, $2.222219843214978396e-01
DATA expc<>+856(SB)/8, $2.222219843214978396e-01
DATA expc<>+864(SB)/8, $1.818357216161805012e-01
DATA expc<>+872(SB)/8, $1.818357216161805012e-01
DATA expc<>+880(SB)/8, $1.818357216161805012e-01
DATA expc<>+888(SB)/8, $1.818357216161805012e-01
DATA expc<>+896(SB)/8, $1.531383769920937332e-01
DATA expc<>+904(SB)/8, $1.531383769920937332e-01
DATA expc<>+912(SB)/8, $1.531383769920937332e-01
DATA expc<>+920(SB)/8, $1.531383769920937332e-01
DATA expc<>+928(SB)/8, $1.479819860511658591e-01
DATA expc<>+936(SB)/8, $1.479819860511658591e-01
DATA expc<>+944(SB)/8, $1.479819860511658591e-01
DATA expc<>+952(SB)/8, $1.479819860511658591e-01
DATA expc<>+960(SB)/8, $0x7ff0000000000000
DATA expc<>+968(SB)/8, $0x7ff0000000000000
DATA expc<>+976(SB)/8, $0x7ff0000000000000
DATA expc<>+984(SB)/8, $0x7ff0000000000000
DATA expc<>+992(SB)/8, $0x000fffffffffffff
DATA expc<>+1000(SB)/8, $0x000fffffffffffff
DATA expc<>+1008(SB)/8, $0x000fffffffffffff
DATA expc<>+1016(SB)/8, $0x000fffffffffffff
DATA expc<>+1024(SB)/8, $0x3ff0000000000000
DATA expc<>+1032(SB)/8, $0x3ff0000000000000
DATA expc<>+1040(SB)/8, $0x3ff0000000000000
DATA expc<>+1048(SB)/8, $0x3ff0000000000000
DATA expc<>+1056(SB)/8, $0x4330000000000000
DATA expc<>+1064(SB)/8, $0x4330000000000000
DATA expc<>+1072(SB)/8, $0x4330000000000000
DATA expc<>+1080(SB)/8, $0x4330000000000000
GLOBL expc<>(SB), RODATA|NOPTR, $1088

// func expAVX2(dst, src []float64)
TEXT ·expAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ src_base+24(FP), SI
	VMOVUPD expc<>+0(SB), Y15
	VMOVUPD expc<>+32(SB), Y14
	VMOVUPD expc<>+64(SB), Y13
	VMOVUPD expc<>+96(SB), Y12
	SHRQ $2, CX
	JEQ  expAVX2_done
expAVX2_loop:
	VMOVUPD (SI), Y0
	VMOVUPD Y0, Y1
	VFMADD213PD Y14, Y15, Y1       // t = x·log2e + shift: round(x·log2e) in the low bits
	VSUBPD Y14, Y1, Y2             // k = t − shift
	VMOVUPD Y0, Y9
	VFNMADD231PD Y13, Y2, Y9       // r = x − k·ln2hi
	VFNMADD231PD Y12, Y2, Y9       // r −= k·ln2lo
	VPSLLQ $52, Y1, Y1             // k << 52, the exponent increment
	VMULPD Y9, Y9, Y2              // r²
	VMULPD Y2, Y2, Y3              // r⁴
	VMULPD Y3, Y3, Y4              // r⁸
	VADDPD expc<>+192(SB), Y9, Y5      // 1 + r
	VMOVUPD expc<>+256(SB), Y6
	VFMADD213PD expc<>+224(SB), Y9, Y6  // c2 + c3 r
	VMOVUPD expc<>+320(SB), Y7
	VFMADD213PD expc<>+288(SB), Y9, Y7  // c4 + c5 r
	VMOVUPD expc<>+384(SB), Y8
	VFMADD213PD expc<>+352(SB), Y9, Y8  // c6 + c7 r
	VFMADD231PD Y6, Y2, Y5         // p03 = (1 + r) + r²(c2 + c3 r)
	VFMADD231PD Y8, Y2, Y7         // p47
	VMOVUPD expc<>+448(SB), Y6
	VFMADD213PD expc<>+416(SB), Y9, Y6  // c8 + c9 r
	VMOVUPD expc<>+512(SB), Y8
	VFMADD213PD expc<>+480(SB), Y9, Y8 // c10 + c11 r
	VFMADD231PD Y8, Y2, Y6         // p8b
	VFMADD231PD expc<>+544(SB), Y3, Y6 // p8c = p8b + r⁴ c12
	VFMADD231PD Y7, Y3, Y5         // p03 + r⁴ p47
	VFMADD231PD Y6, Y4, Y5         // + r⁸ p8c
	VPADDQ Y1, Y5, Y5              // scale by 2^k
	VCMPPD $0x01, expc<>+128(SB), Y0, Y6 // x < lo → 0
	VCMPPD $0x0E, expc<>+160(SB), Y0, Y7 // x > hi → +Inf
	VCMPPD $0x03, Y0, Y0, Y8        // NaN → NaN
	VORPD Y6, Y7, Y10
	VORPD Y8, Y10, Y10
	VANDNPD Y5, Y10, Y5
	VANDPD expc<>+960(SB), Y7, Y7
	VANDPD Y0, Y8, Y8
	VORPD Y7, Y5, Y5
	VORPD Y8, Y5, Y5
	VMOVUPD Y5, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNE  expAVX2_loop
expAVX2_done:
	VZEROUPPER
	RET

// func subExpAccAVX2(dst, e, x, m, s []float64)
TEXT ·subExpAccAVX2(SB), NOSPLIT, $0-120
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ e_base+24(FP), DX
	MOVQ x_base+48(FP), SI
	MOVQ m_base+72(FP), R8
	MOVQ s_base+96(FP), R9
	VMOVUPD expc<>+0(SB), Y15
	VMOVUPD expc<>+32(SB), Y14
	VMOVUPD expc<>+64(SB), Y13
	VMOVUPD expc<>+96(SB), Y12
	SHRQ $2, CX
	JEQ  subExpAccAVX2_done
subExpAccAVX2_loop:
	VMOVUPD (SI), Y0
	VSUBPD (R8), Y0, Y0            // v = x − m
	VMOVUPD Y0, (DI)               // dst = v
	VMOVUPD Y0, Y1
	VFMADD213PD Y14, Y15, Y1       // t = x·log2e + shift: round(x·log2e) in the low bits
	VSUBPD Y14, Y1, Y2             // k = t − shift
	VMOVUPD Y0, Y9
	VFNMADD231PD Y13, Y2, Y9       // r = x − k·ln2hi
	VFNMADD231PD Y12, Y2, Y9       // r −= k·ln2lo
	VPSLLQ $52, Y1, Y1             // k << 52, the exponent increment
	VMULPD Y9, Y9, Y2              // r²
	VMULPD Y2, Y2, Y3              // r⁴
	VMULPD Y3, Y3, Y4              // r⁸
	VADDPD expc<>+192(SB), Y9, Y5      // 1 + r
	VMOVUPD expc<>+256(SB), Y6
	VFMADD213PD expc<>+224(SB), Y9, Y6  // c2 + c3 r
	VMOVUPD expc<>+320(SB), Y7
	VFMADD213PD expc<>+288(SB), Y9, Y7  // c4 + c5 r
	VMOVUPD expc<>+384(SB), Y8
	VFMADD213PD expc<>+352(SB), Y9, Y8  // c6 + c7 r
	VFMADD231PD Y6, Y2, Y5         // p03 = (1 + r) + r²(c2 + c3 r)
	VFMADD231PD Y8, Y2, Y7         // p47
	VMOVUPD expc<>+448(SB), Y6
	VFMADD213PD expc<>+416(SB), Y9, Y6  // c8 + c9 r
	VMOVUPD expc<>+512(SB), Y8
	VFMADD213PD expc<>+480(SB), Y9, Y8 // c10 + c11 r
	VFMADD231PD Y8, Y2, Y6         // p8b
	VFMADD231PD expc<>+544(SB), Y3, Y6 // p8c = p8b + r⁴ c12
	VFMADD231PD Y7, Y3, Y5         // p03 + r⁴ p47
	VFMADD231PD Y6, Y4, Y5         // + r⁸ p8c
	VPADDQ Y1, Y5, Y5              // scale by 2^k
	VCMPPD $0x01, expc<>+128(SB), Y0, Y6 // x < lo → 0
	VCMPPD $0x0E, expc<>+160(SB), Y0, Y7 // x > hi → +Inf
	VCMPPD $0x03, Y0, Y0, Y8        // NaN → NaN
	VORPD Y6, Y7, Y10
	VORPD Y8, Y10, Y10
	VANDNPD Y5, Y10, Y5
	VANDPD expc<>+960(SB), Y7, Y7
	VANDPD Y0, Y8, Y8
	VORPD Y7, Y5, Y5
	VORPD Y8, Y5, Y5
	VMOVUPD Y5, (DX)               // e = exp(v)
	VADDPD (R9), Y5, Y5
	VMOVUPD Y5, (R9)               // s += e
	ADDQ $32, DI
	ADDQ $32, DX
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	DECQ CX
	JNE  subExpAccAVX2_loop
subExpAccAVX2_done:
	VZEROUPPER
	RET

// func maxAccAVX2(m, x []float64)
TEXT ·maxAccAVX2(SB), NOSPLIT, $0-48
	MOVQ m_base+0(FP), DI
	MOVQ m_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	SHRQ $2, CX
	JEQ  maxAccAVX2_done
maxAccAVX2_loop:
	VMOVUPD (DI), Y0
	VMAXPD (SI), Y0, Y0
	VMOVUPD Y0, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	DECQ CX
	JNE  maxAccAVX2_loop
maxAccAVX2_done:
	VZEROUPPER
	RET

// func subAVX2(dst, m []float64)
TEXT ·subAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ m_base+24(FP), SI
	SHRQ $2, CX
	JEQ  subAVX2_done
subAVX2_loop:
	VMOVUPD (DI), Y0
	VSUBPD (SI), Y0, Y0
	VMOVUPD Y0, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	DECQ CX
	JNE  subAVX2_loop
subAVX2_done:
	VZEROUPPER
	RET

// func axpbyAVX2(y []float64, a float64, x []float64, b float64, z []float64)
TEXT ·axpbyAVX2(SB), NOSPLIT, $0-88
	MOVQ y_base+0(FP), DI
	MOVQ y_len+8(FP), CX
	VBROADCASTSD a+24(FP), Y14
	MOVQ x_base+32(FP), SI
	VBROADCASTSD b+56(FP), Y15
	MOVQ z_base+64(FP), DX
	SHRQ $2, CX
	JEQ  axpbyAVX2_done
axpbyAVX2_loop:
	VMULPD (SI), Y14, Y0
	VFMADD231PD (DX), Y15, Y0      // a·x + b·z
	VMOVUPD Y0, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, DX
	DECQ CX
	JNE  axpbyAVX2_loop
axpbyAVX2_done:
	VZEROUPPER
	RET

// func axpyAVX2(y []float64, a float64, x []float64)
TEXT ·axpyAVX2(SB), NOSPLIT, $0-56
	MOVQ y_base+0(FP), DI
	MOVQ y_len+8(FP), CX
	VBROADCASTSD a+24(FP), Y14
	MOVQ x_base+32(FP), SI
	SHRQ $2, CX
	JEQ  axpyAVX2_done
axpyAVX2_loop:
	VMOVUPD (DI), Y0
	VFMADD231PD (SI), Y14, Y0      // y + a·x
	VMOVUPD Y0, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	DECQ CX
	JNE  axpyAVX2_loop
axpyAVX2_done:
	VZEROUPPER
	RET

// func klAccAVX2(s, p, lp, lr []float64)
TEXT ·klAccAVX2(SB), NOSPLIT, $0-96
	MOVQ s_base+0(FP), DI
	MOVQ s_len+8(FP), CX
	MOVQ p_base+24(FP), SI
	MOVQ lp_base+48(FP), DX
	MOVQ lr_base+72(FP), R8
	VXORPD Y15, Y15, Y15
	SHRQ $2, CX
	JEQ  klAccAVX2_done
klAccAVX2_loop:
	VMOVUPD (SI), Y1
	VMOVUPD (DX), Y2
	VSUBPD (R8), Y2, Y2            // log p − log ref
	VMULPD Y1, Y2, Y2
	VCMPPD $0x0E, Y15, Y1, Y3      // p > 0: 0·log 0 counts as 0
	VANDPD Y3, Y2, Y2
	VADDPD (DI), Y2, Y2
	VMOVUPD Y2, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, R8
	DECQ CX
	JNE  klAccAVX2_loop
klAccAVX2_done:
	VZEROUPPER
	RET

// func mulAVX2(dst, s []float64)
TEXT ·mulAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ s_base+24(FP), SI
	SHRQ $2, CX
	JEQ  mulAVX2_done
mulAVX2_loop:
	VMOVUPD (DI), Y0
	VMULPD (SI), Y0, Y0
	VMOVUPD Y0, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	DECQ CX
	JNE  mulAVX2_loop
mulAVX2_done:
	VZEROUPPER
	RET

// func fmaAccAVX2(y, a, b []float64)
TEXT ·fmaAccAVX2(SB), NOSPLIT, $0-72
	MOVQ y_base+0(FP), DI
	MOVQ y_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DX
	SHRQ $2, CX
	JEQ  fmaAccAVX2_done
fmaAccAVX2_loop:
	VMOVUPD (SI), Y1
	VMOVUPD (DI), Y0
	VFMADD231PD (DX), Y1, Y0       // y + a·b
	VMOVUPD Y0, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, DX
	DECQ CX
	JNE  fmaAccAVX2_loop
fmaAccAVX2_done:
	VZEROUPPER
	RET

// func logAVX2(dst, src []float64) (special bool)
// dst[i] = log(src[i]) for positive normal finite inputs, as in fdlibm:
// x = 2^k·m with m in [√2/2, √2), f = m − 1, s = f/(2+f), and log(1+f) from
// a degree-14 polynomial in s. special reports lanes that were zero,
// negative, subnormal, infinite or NaN: the caller redoes those. dst must
// not alias src.
TEXT ·logAVX2(SB), NOSPLIT, $0-49
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ src_base+24(FP), SI
	XORQ AX, AX
	SHRQ $2, CX
	JEQ  logAVX2_done
	VMOVUPD expc<>+1024(SB), Y15
	VMOVUPD expc<>+576(SB), Y14
	VMOVUPD expc<>+64(SB), Y13
	VMOVUPD expc<>+96(SB), Y12
logAVX2_loop:
	VMOVUPD (SI), Y0                  // x
	VCMPPD $0x09, expc<>+704(SB), Y0, Y10 // !(x ≥ min normal): zero, negative, subnormal, NaN
	VCMPPD $0x05, expc<>+960(SB), Y0, Y11     // !(x < +Inf)
	VORPD Y10, Y11, Y10
	VMOVMSKPD Y10, DX
	ORQ DX, AX
	VPSRLQ $52, Y0, Y1                // biased exponent
	VPOR expc<>+1056(SB), Y1, Y1
	VSUBPD expc<>+640(SB), Y1, Y1  // as a double
	VSUBPD expc<>+672(SB), Y1, Y1   // k
	VPAND expc<>+992(SB), Y0, Y2
	VPOR Y15, Y2, Y2                  // m in [1, 2)
	VCMPPD $0x0E, expc<>+608(SB), Y2, Y3 // m > √2
	VANDPD Y14, Y3, Y4                // 0.5 where m > √2
	VMULPD Y4, Y2, Y6
	VSUBPD Y6, Y2, Y2                 // m halved where m > √2
	VANDPD expc<>+192(SB), Y3, Y4
	VADDPD Y4, Y1, Y1                 // k += 1 there
	VSUBPD expc<>+192(SB), Y2, Y2    // f = m − 1
	VADDPD expc<>+192(SB), Y2, Y3
	VADDPD expc<>+192(SB), Y3, Y3    // 2 + f
	VDIVPD Y3, Y2, Y3                 // s = f/(2+f)
	VMULPD Y3, Y3, Y4                 // z = s²
	VMULPD Y4, Y4, Y5                 // w = z²
	VMOVUPD expc<>+896(SB), Y6
	VFMADD213PD expc<>+832(SB), Y5, Y6   // lg4 + w·lg6
	VFMADD213PD expc<>+768(SB), Y5, Y6   // lg2 + w·(…)
	VMULPD Y5, Y6, Y6                 // t1 = w·(…)
	VMOVUPD expc<>+928(SB), Y7
	VFMADD213PD expc<>+864(SB), Y5, Y7
	VFMADD213PD expc<>+800(SB), Y5, Y7
	VFMADD213PD expc<>+736(SB), Y5, Y7
	VMULPD Y4, Y7, Y7                 // t2 = z·(…)
	VADDPD Y7, Y6, Y6                 // R
	VMULPD Y2, Y2, Y8
	VMULPD Y14, Y8, Y8                // hfsq = f²/2
	VADDPD Y8, Y6, Y6                 // hfsq + R
	VMULPD Y3, Y6, Y6                 // s·(hfsq + R)
	VFMADD231PD Y12, Y1, Y6           // + k·ln2lo
	VSUBPD Y6, Y8, Y8                 // hfsq − (…)
	VSUBPD Y2, Y8, Y8                 // (…) − f
	VMULPD Y13, Y1, Y9                // k·ln2hi
	VSUBPD Y8, Y9, Y9                 // k·ln2hi − (…)
	VMOVUPD Y9, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNE  logAVX2_loop
logAVX2_done:
	TESTQ AX, AX
	SETNE special+48(FP)
	VZEROUPPER
	RET

// func gemm2x16AVX2(acc, q, coef *float64, k, stride, pairs, cols int)
// For row pairs y = 0, 2, …, 2·pairs−2 and contexts i < cols (a multiple of
// 16): acc[y][i] += Σ_j coef[y][j]·q[j][i], where acc and q have rows of
// stride elements and coef is k×k. Two rows × 16 contexts keep eight
// independent FMA chains in flight, enough to hide the FMA latency.
TEXT ·gemm2x16AVX2(SB), NOSPLIT, $0-56
	MOVQ acc+0(FP), DI
	MOVQ q+8(FP), SI
	MOVQ coef+16(FP), DX
	MOVQ k+24(FP), R8
	MOVQ stride+32(FP), R11
	SHLQ $3, R11                   // row stride in bytes
	MOVQ R8, AX
	SHLQ $3, AX                    // coef row in bytes
	MOVQ pairs+40(FP), R13
	MOVQ cols+48(FP), R12
	SHLQ $3, R12                   // bytes of contexts per row
	TESTQ R13, R13
	JEQ  gemmdone
	TESTQ R12, R12
	JEQ  gemmdone
	TESTQ R8, R8
	JEQ  gemmdone
gemmPairs:
	XORQ R9, R9
gemmCols:
	LEAQ (DI)(R9*1), R14
	VMOVUPD (R14), Y0
	VMOVUPD 32(R14), Y1
	VMOVUPD 64(R14), Y2
	VMOVUPD 96(R14), Y3
	VMOVUPD (R14)(R11*1), Y4
	VMOVUPD 32(R14)(R11*1), Y5
	VMOVUPD 64(R14)(R11*1), Y6
	VMOVUPD 96(R14)(R11*1), Y7
	LEAQ (SI)(R9*1), CX
	MOVQ DX, BX
	MOVQ R8, R10
gemmInner:
	VBROADCASTSD (BX), Y8
	VBROADCASTSD (BX)(AX*1), Y9
	VMOVUPD (CX), Y10
	VMOVUPD 32(CX), Y11
	VMOVUPD 64(CX), Y12
	VMOVUPD 96(CX), Y13
	VFMADD231PD Y10, Y8, Y0
	VFMADD231PD Y11, Y8, Y1
	VFMADD231PD Y12, Y8, Y2
	VFMADD231PD Y13, Y8, Y3
	VFMADD231PD Y10, Y9, Y4
	VFMADD231PD Y11, Y9, Y5
	VFMADD231PD Y12, Y9, Y6
	VFMADD231PD Y13, Y9, Y7
	ADDQ R11, CX
	ADDQ $8, BX
	DECQ R10
	JNE  gemmInner
	VMOVUPD Y0, (R14)
	VMOVUPD Y1, 32(R14)
	VMOVUPD Y2, 64(R14)
	VMOVUPD Y3, 96(R14)
	VMOVUPD Y4, (R14)(R11*1)
	VMOVUPD Y5, 32(R14)(R11*1)
	VMOVUPD Y6, 64(R14)(R11*1)
	VMOVUPD Y7, 96(R14)(R11*1)
	ADDQ $128, R9
	CMPQ R9, R12
	JLT  gemmCols
	LEAQ (DI)(R11*2), DI
	LEAQ (DX)(AX*2), DX
	DECQ R13
	JNE  gemmPairs
gemmdone:
	VZEROUPPER
	RET

// func winCtxAVX2(acc, q, p *float64, k, w, pstride, cols, dist int)
// The win rates against one preference matrix per context, for a chunk:
// acc[y][i] += Σ_j P[y·k+j][i]·q[j][i] for y, j < k and contexts i < cols
// (a multiple of 8), where acc and q have rows of w elements and P rows of
// pstride elements. P is streamed once, row after row (each row segment is
// contiguous), and while row r is read the same segment of row r+dist is
// prefetched: the k² segments of a chunk lie far apart in memory, more
// streams than the hardware prefetchers follow, so without this every
// segment starts with cache misses.
TEXT ·winCtxAVX2(SB), NOSPLIT, $0-64
	MOVQ acc+0(FP), DI
	MOVQ q+8(FP), SI
	MOVQ p+16(FP), DX
	MOVQ k+24(FP), R8
	MOVQ w+32(FP), R11
	SHLQ $3, R11                   // acc and q row stride in bytes
	MOVQ pstride+40(FP), R12
	SHLQ $3, R12                   // P row stride in bytes
	MOVQ cols+48(FP), R13
	SHLQ $3, R13                   // bytes per row segment
	MOVQ dist+56(FP), AX
	TESTQ R8, R8
	JEQ  winCtxdone
	TESTQ R13, R13
	JEQ  winCtxdone
	MOVQ AX, BX
	IMULQ R12, BX
	ADDQ DX, BX                    // prefetch row
	NEGQ AX
	MOVQ R8, R9
	IMULQ R8, R9
	ADDQ R9, AX                    // rows left with a prefetch target
	MOVQ R8, R9
winCtxRows:
	MOVQ SI, CX
	MOVQ R8, R10
winCtxTerms:
	XORQ R14, R14
	TESTQ AX, AX
	JLE  winCtxPlain
winCtxPf:
	PREFETCHT0 (BX)(R14*1)
	VMOVUPD (DX)(R14*1), Y0
	VMOVUPD 32(DX)(R14*1), Y1
	VMOVUPD (DI)(R14*1), Y2
	VMOVUPD 32(DI)(R14*1), Y3
	VFMADD231PD (CX)(R14*1), Y0, Y2
	VFMADD231PD 32(CX)(R14*1), Y1, Y3
	VMOVUPD Y2, (DI)(R14*1)
	VMOVUPD Y3, 32(DI)(R14*1)
	ADDQ $64, R14
	CMPQ R14, R13
	JLT  winCtxPf
	JMP  winCtxNext
winCtxPlain:
	VMOVUPD (DX)(R14*1), Y0
	VMOVUPD 32(DX)(R14*1), Y1
	VMOVUPD (DI)(R14*1), Y2
	VMOVUPD 32(DI)(R14*1), Y3
	VFMADD231PD (CX)(R14*1), Y0, Y2
	VFMADD231PD 32(CX)(R14*1), Y1, Y3
	VMOVUPD Y2, (DI)(R14*1)
	VMOVUPD Y3, 32(DI)(R14*1)
	ADDQ $64, R14
	CMPQ R14, R13
	JLT  winCtxPlain
winCtxNext:
	ADDQ R12, DX
	ADDQ R12, BX
	ADDQ R11, CX
	DECQ AX
	DECQ R10
	JNE  winCtxTerms
	ADDQ R11, DI
	DECQ R9
	JNE  winCtxRows
winCtxdone:
	VZEROUPPER
	RET

// func winCtxRegAVX2(acc, q, p *float64, k, w, pstride, cols int)
// What winCtxAVX2 computes, with the accumulator of 16 contexts held in
// registers over all k terms of a row y (the same FMAs in the same order,
// so bit-identical): per FMA one load of P and one of q, and acc is loaded
// and stored once per row instead of once per term. The k rows of P of
// one y are read side by side, each prefetched 512 bytes ahead. cols is a
// multiple of 16.
TEXT ·winCtxRegAVX2(SB), NOSPLIT, $0-56
	MOVQ acc+0(FP), DI
	MOVQ q+8(FP), SI
	MOVQ p+16(FP), DX
	MOVQ k+24(FP), R8
	MOVQ w+32(FP), R11
	SHLQ $3, R11                   // acc and q row stride in bytes
	MOVQ pstride+40(FP), R12
	SHLQ $3, R12                   // P row stride in bytes
	MOVQ cols+48(FP), R13
	SHLQ $3, R13                   // bytes per row segment
	TESTQ R8, R8
	JEQ  wcrdone
	TESTQ R13, R13
	JEQ  wcrdone
	MOVQ R8, AX
	IMULQ R12, AX                  // bytes from P row y·k to (y+1)·k
	MOVQ R8, R9
wcrRows:
	XORQ R14, R14
wcrCols:
	VMOVUPD (DI)(R14*1), Y0
	VMOVUPD 32(DI)(R14*1), Y1
	VMOVUPD 64(DI)(R14*1), Y2
	VMOVUPD 96(DI)(R14*1), Y3
	MOVQ DX, BX
	MOVQ SI, CX
	MOVQ R8, R10
wcrTerms:
	PREFETCHT0 512(BX)(R14*1)
	PREFETCHT0 576(BX)(R14*1)
	VMOVUPD (BX)(R14*1), Y4
	VMOVUPD 32(BX)(R14*1), Y5
	VMOVUPD 64(BX)(R14*1), Y6
	VMOVUPD 96(BX)(R14*1), Y7
	VFMADD231PD (CX)(R14*1), Y4, Y0
	VFMADD231PD 32(CX)(R14*1), Y5, Y1
	VFMADD231PD 64(CX)(R14*1), Y6, Y2
	VFMADD231PD 96(CX)(R14*1), Y7, Y3
	ADDQ R12, BX
	ADDQ R11, CX
	DECQ R10
	JNE  wcrTerms
	VMOVUPD Y0, (DI)(R14*1)
	VMOVUPD Y1, 32(DI)(R14*1)
	VMOVUPD Y2, 64(DI)(R14*1)
	VMOVUPD Y3, 96(DI)(R14*1)
	ADDQ $128, R14
	CMPQ R14, R13
	JLT  wcrCols
	ADDQ AX, DX
	ADDQ R11, DI
	DECQ R9
	JNE  wcrRows
wcrdone:
	VZEROUPPER
	RET
