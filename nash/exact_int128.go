package nash

import (
	"math"
	"math/big"
	"math/bits"
)

// i128 is a signed integer in sign-magnitude form: the magnitude has up to
// 127 bits (hi without its top bit, then lo) and the top bit of hi is the
// sign; zero is always stored with a clear sign bit. It is the fast number
// type of the integer-pivoting tableaux. Stored values stay below
// 2^i128Limit in magnitude, so the product of two fits in 256 bits with room
// to spare; an operation whose result could exceed the limit reports failure
// and the caller redoes its work in big.Int. Sign-magnitude keeps products
// and sums free of two's-complement negations of 256-bit intermediates.
type i128 struct{ lo, hi uint64 }

// i128Limit bounds the magnitude of every stored i128: |v| < 2^i128Limit.
const i128Limit = 125

const signBit = 1 << 63

func i128FromInt64(v int64) i128 {
	if v < 0 {
		return i128{uint64(-v), signBit}
	}
	return i128{uint64(v), 0}
}

// i128FromBig converts v, reporting false when |v| ≥ 2^i128Limit.
func i128FromBig(v *big.Int) (i128, bool) {
	if v.BitLen() >= i128Limit {
		return i128{}, false
	}
	if bits.UintSize != 64 {
		panic("nash: i128 needs 64-bit words")
	}
	words := v.Bits() // the magnitude, little-endian
	var r i128
	if len(words) > 0 {
		r.lo = uint64(words[0])
	}
	if len(words) > 1 {
		r.hi = uint64(words[1])
	}
	if v.Sign() < 0 {
		r.hi |= signBit
	}
	return r, true
}

// setBig stores a's value in dst and returns dst.
func (a i128) setBig(dst *big.Int) *big.Int {
	dst.SetUint64(a.hi &^ signBit)
	dst.Lsh(dst, 64)
	var lo big.Int
	lo.SetUint64(a.lo)
	dst.Or(dst, &lo)
	if a.hi&signBit != 0 {
		dst.Neg(dst)
	}
	return dst
}

func (a i128) isZero() bool { return a.lo|a.hi == 0 }

func (a i128) sign() int {
	switch {
	case a.lo|a.hi == 0:
		return 0
	case a.hi&signBit != 0:
		return -1
	}
	return 1
}

func (a i128) neg() i128 {
	if a.lo|a.hi == 0 {
		return a
	}
	return i128{a.lo, a.hi ^ signBit}
}

// u256 is an unsigned 256-bit integer, w0 least significant: the magnitude
// of a product of two i128. (A struct rather than an array, so that it is
// passed in registers.)
type u256 struct{ w0, w1, w2, w3 uint64 }

// mulMag returns |a|·|b|.
func mulMag(a, b i128) u256 {
	ah, bh := a.hi&^signBit, b.hi&^signBit
	var p u256
	if ah|bh == 0 {
		p.w1, p.w0 = bits.Mul64(a.lo, b.lo)
		return p
	}
	h0, l0 := bits.Mul64(a.lo, b.lo)
	h1, l1 := bits.Mul64(a.lo, bh)
	h2, l2 := bits.Mul64(ah, b.lo)
	h3, l3 := bits.Mul64(ah, bh)
	var c1, c2, k1, k2 uint64
	p.w0 = l0
	p.w1, c1 = bits.Add64(h0, l1, 0)
	p.w1, c2 = bits.Add64(p.w1, l2, 0)
	p.w2, k1 = bits.Add64(h1, h2, c1)
	p.w2, k2 = bits.Add64(p.w2, l3, c2)
	p.w3 = h3 + k1 + k2
	return p
}

func (x u256) add(y u256) u256 {
	var c uint64
	x.w0, c = bits.Add64(x.w0, y.w0, 0)
	x.w1, c = bits.Add64(x.w1, y.w1, c)
	x.w2, c = bits.Add64(x.w2, y.w2, c)
	x.w3, _ = bits.Add64(x.w3, y.w3, c)
	return x
}

// sub returns x − y, which must not be negative.
func (x u256) sub(y u256) u256 {
	var b uint64
	x.w0, b = bits.Sub64(x.w0, y.w0, 0)
	x.w1, b = bits.Sub64(x.w1, y.w1, b)
	x.w2, b = bits.Sub64(x.w2, y.w2, b)
	x.w3, _ = bits.Sub64(x.w3, y.w3, b)
	return x
}

func (x u256) cmp(y u256) int {
	switch {
	case x.w3 != y.w3:
		return cmpWord(x.w3, y.w3)
	case x.w2 != y.w2:
		return cmpWord(x.w2, y.w2)
	case x.w1 != y.w1:
		return cmpWord(x.w1, y.w1)
	}
	return cmpWord(x.w0, y.w0)
}

func cmpWord(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (x u256) bitLen() int {
	switch {
	case x.w3 != 0:
		return 192 + bits.Len64(x.w3)
	case x.w2 != 0:
		return 128 + bits.Len64(x.w2)
	case x.w1 != 0:
		return 64 + bits.Len64(x.w1)
	}
	return bits.Len64(x.w0)
}

// signedSum returns the magnitude and negativity of sx·x + sy·y, where the
// signs are true for negative.
func signedSum(x u256, sx bool, y u256, sy bool) (u256, bool) {
	if sx == sy {
		return x.add(y), sx
	}
	if x.cmp(y) >= 0 {
		return x.sub(y), sx
	}
	return y.sub(x), sy
}

// cmpProducts compares a·b with c·d. Products far apart are ordered in
// float64: each of a, b, c, d converts with relative error below 2⁻⁵², each
// product adds one rounding, so a gap larger than 10⁻¹⁴ of their size is
// certain; closer ones are compared exactly.
func cmpProducts(a, b, c, d i128) int {
	p, q := a.float()*b.float(), c.float()*d.float()
	if gap := p - q; math.Abs(gap) > 1e-14*(math.Abs(p)+math.Abs(q)) {
		if gap < 0 {
			return -1
		}
		return 1
	}
	s1, s2 := a.sign()*b.sign(), c.sign()*d.sign()
	if s1 != s2 {
		if s1 < s2 {
			return -1
		}
		return 1
	}
	if s1 == 0 {
		return 0
	}
	return s1 * mulMag(a, b).cmp(mulMag(c, d))
}

// float returns a rounded to a float64.
func (a i128) float() float64 {
	f := float64(a.hi&^signBit)*0x1p64 + float64(a.lo)
	if a.hi&signBit != 0 {
		return -f
	}
	return f
}

// divisor128 divides integers exactly by a fixed positive i128 d. Exactness
// (d divides the dividend, as in every fraction-free pivot) lets the
// quotient be computed without long division: strip d's factors of two by a
// shift, then multiply by the inverse of d's odd part modulo 2^128, which is
// the true quotient whenever that fits in 128 bits.
type divisor128 struct {
	bitLen int
	shift  uint
	inv    i128 // inverse of d >> shift modulo 2^128, as a plain 128-bit word pair
}

func newDivisor128(d i128) divisor128 {
	var dv divisor128
	if d.hi == 0 {
		dv.bitLen = bits.Len64(d.lo)
	} else {
		dv.bitLen = 64 + bits.Len64(d.hi)
	}
	var s uint
	if d.lo != 0 {
		s = uint(bits.TrailingZeros64(d.lo))
	} else {
		s = 64 + uint(bits.TrailingZeros64(d.hi))
	}
	dv.shift = s
	odd := shr128(d.lo, d.hi, s)
	// Newton's iteration x ← x(2 − o·x) doubles the number of correct low
	// bits; an odd o is its own inverse modulo 8.
	x64 := odd.lo
	for range 5 { // 3 → 6 → 12 → 24 → 48 → 96 bits, of which 64 are kept
		x64 *= 2 - odd.lo*x64
	}
	x := i128{x64, 0}
	ox := mulLo128(odd, x)
	two := i128{2, 0}
	dv.inv = mulLo128(x, sub128(two, ox))
	return dv
}

// quo returns the signed quotient of the magnitude n (negative when neg) by
// d, which must be exact, and false when it might reach 2^i128Limit in
// magnitude.
func (dv *divisor128) quo(n u256, neg bool) (i128, bool) {
	// |q| < 2^(bitLen(n) − bitLen(d) + 1).
	if n.bitLen()-dv.bitLen >= i128Limit {
		return i128{}, false
	}
	var lo, hi uint64
	switch s := dv.shift; {
	case s == 0:
		lo, hi = n.w0, n.w1
	case s < 64:
		lo = n.w0>>s | n.w1<<(64-s)
		hi = n.w1>>s | n.w2<<(64-s)
	case s == 64:
		lo, hi = n.w1, n.w2
	default:
		s -= 64
		lo = n.w1>>s | n.w2<<(64-s)
		hi = n.w2>>s | n.w3<<(64-s)
	}
	q := mulLo128(i128{lo, hi}, dv.inv)
	if neg && q.lo|q.hi != 0 {
		q.hi |= signBit
	}
	return q, true
}

// mulLo128 returns a·b modulo 2^128, reading both as plain word pairs.
func mulLo128(a, b i128) i128 {
	hi, lo := bits.Mul64(a.lo, b.lo)
	hi += a.lo*b.hi + a.hi*b.lo
	return i128{lo, hi}
}

func sub128(a, b i128) i128 {
	lo, borrow := bits.Sub64(a.lo, b.lo, 0)
	hi, _ := bits.Sub64(a.hi, b.hi, borrow)
	return i128{lo, hi}
}

// shr128 returns the 128-bit value (hi, lo) shifted right by s < 128.
func shr128(lo, hi uint64, s uint) i128 {
	if s >= 64 {
		return i128{hi >> (s - 64), 0}
	}
	if s == 0 {
		return i128{lo, hi}
	}
	return i128{lo>>s | hi<<(64-s), hi >> s}
}

// update returns (p·v − q·r)/D for the divisor's D, which must divide
// exactly, and false when the result might reach 2^i128Limit. It is the
// inner step of a fraction-free pivot, written out in full to stay in
// registers.
func (dv *divisor128) update(p, v, q, r i128) (i128, bool) {
	// x = |p·v|, y = |q·r|.
	ph, vh, qh, rh := p.hi&^signBit, v.hi&^signBit, q.hi&^signBit, r.hi&^signBit
	var x0, x1, x2, x3, y0, y1, y2, y3 uint64
	if ph|vh == 0 {
		x1, x0 = bits.Mul64(p.lo, v.lo)
	} else {
		h0, l0 := bits.Mul64(p.lo, v.lo)
		h1, l1 := bits.Mul64(p.lo, vh)
		h2, l2 := bits.Mul64(ph, v.lo)
		h3, l3 := bits.Mul64(ph, vh)
		var c1, c2, k1, k2 uint64
		x0 = l0
		x1, c1 = bits.Add64(h0, l1, 0)
		x1, c2 = bits.Add64(x1, l2, 0)
		x2, k1 = bits.Add64(h1, h2, c1)
		x2, k2 = bits.Add64(x2, l3, c2)
		x3 = h3 + k1 + k2
	}
	if qh|rh == 0 {
		y1, y0 = bits.Mul64(q.lo, r.lo)
	} else {
		h0, l0 := bits.Mul64(q.lo, r.lo)
		h1, l1 := bits.Mul64(q.lo, rh)
		h2, l2 := bits.Mul64(qh, r.lo)
		h3, l3 := bits.Mul64(qh, rh)
		var c1, c2, k1, k2 uint64
		y0 = l0
		y1, c1 = bits.Add64(h0, l1, 0)
		y1, c2 = bits.Add64(y1, l2, 0)
		y2, k1 = bits.Add64(h1, h2, c1)
		y2, k2 = bits.Add64(y2, l3, c2)
		y3 = h3 + k1 + k2
	}
	// n = sx·x − sy·y as magnitude and sign.
	xneg := (p.hi^v.hi)&signBit != 0
	yneg := (q.hi^r.hi)&signBit != 0
	var n0, n1, n2, n3 uint64
	neg := xneg
	if xneg != yneg {
		var c uint64
		n0, c = bits.Add64(x0, y0, 0)
		n1, c = bits.Add64(x1, y1, c)
		n2, c = bits.Add64(x2, y2, c)
		n3, _ = bits.Add64(x3, y3, c)
	} else {
		var b uint64
		n0, b = bits.Sub64(x0, y0, 0)
		n1, b = bits.Sub64(x1, y1, b)
		n2, b = bits.Sub64(x2, y2, b)
		n3, b = bits.Sub64(x3, y3, b)
		if b != 0 { // x < y: negate
			n0, b = bits.Sub64(0, n0, 0)
			n1, b = bits.Sub64(0, n1, b)
			n2, b = bits.Sub64(0, n2, b)
			n3, _ = bits.Sub64(0, n3, b)
			neg = !neg
		}
	}
	// |q| < 2^(bitLen(n) − bitLen(D) + 1).
	var bl int
	switch {
	case n3 != 0:
		bl = 192 + bits.Len64(n3)
	case n2 != 0:
		bl = 128 + bits.Len64(n2)
	case n1 != 0:
		bl = 64 + bits.Len64(n1)
	default:
		bl = bits.Len64(n0)
	}
	if bl-dv.bitLen >= i128Limit {
		return i128{}, false
	}
	var lo, hi uint64
	switch s := dv.shift; {
	case s == 0:
		lo, hi = n0, n1
	case s < 64:
		lo = n0>>s | n1<<(64-s)
		hi = n1>>s | n2<<(64-s)
	case s == 64:
		lo, hi = n1, n2
	default:
		s -= 64
		lo = n1>>s | n2<<(64-s)
		hi = n2>>s | n3<<(64-s)
	}
	qh2, ql := bits.Mul64(lo, dv.inv.lo)
	qh2 += lo*dv.inv.hi + hi*dv.inv.lo
	if neg && ql|qh2 != 0 {
		qh2 |= signBit
	}
	return i128{ql, qh2}, true
}
