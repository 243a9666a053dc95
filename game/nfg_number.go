package game

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"
)

// nfgNum is a payoff parsed from an .nfg file.
type nfgNum struct {
	f     float64
	exact *big.Rat // nil when f is the value exactly
	spell string   // the text when it is not the canonical spelling, else ""
}

// Limits that keep a short malicious number from costing much time or
// memory: 10^1000 has about 3 300 bits.
const (
	maxNumberLen = 4096
	maxExp10     = 1000
)

// parseNFGNumber parses an .nfg number exactly: an integer ("-3", "+7"), a
// decimal with optional exponent ("2.5", ".5", "1.", "1e-3", "6.02E23"),
// or a fraction of integers ("-5/2"). Decimals are exact decimals, never
// rounded through floats. When text is not a number it returns what was
// expected instead.
func parseNFGNumber(text []byte) (nfgNum, string) {
	num, want := parseNFGNumberText(text)
	if want == "" && math.IsInf(num.f, 0) {
		return nfgNum{}, "a number of magnitude below 1.8e308 (the float64 range)"
	}
	return num, want
}

func parseNFGNumberText(text []byte) (nfgNum, string) {
	if len(text) > maxNumberLen {
		return nfgNum{}, "a number of at most 4096 characters"
	}
	i := 0
	neg := false
	if i < len(text) && (text[i] == '+' || text[i] == '-') {
		neg = text[i] == '-'
		i++
	}
	start := i
	for i < len(text) && isDecimalDigit(text[i]) {
		i++
	}
	intDigits := text[start:i]

	if i < len(text) && text[i] == '/' {
		i++
		d := i
		for i < len(text) && isDecimalDigit(text[i]) {
			i++
		}
		den := text[d:i]
		if len(intDigits) == 0 || len(den) == 0 || i != len(text) {
			return nfgNum{}, "a number"
		}
		den = trimLeadingZeros(den)
		if len(den) == 0 {
			return nfgNum{}, "a fraction with a non-zero denominator"
		}
		num := fractionValue(neg, trimLeadingZeros(intDigits), den)
		if string(text) != num.canonical() {
			num.spell = string(text)
		}
		return num, ""
	}

	var frac []byte
	if i < len(text) && text[i] == '.' {
		i++
		f := i
		for i < len(text) && isDecimalDigit(text[i]) {
			i++
		}
		frac = text[f:i]
	}
	if len(intDigits) == 0 && len(frac) == 0 {
		return nfgNum{}, "a number"
	}
	exp := 0
	if i < len(text) && (text[i] == 'e' || text[i] == 'E') {
		i++
		eneg := false
		if i < len(text) && (text[i] == '+' || text[i] == '-') {
			eneg = text[i] == '-'
			i++
		}
		e := i
		for i < len(text) && isDecimalDigit(text[i]) {
			i++
		}
		if e == i {
			return nfgNum{}, "a number"
		}
		ed := trimLeadingZeros(text[e:i])
		if len(ed) > 4 {
			return nfgNum{}, "a number with an exponent of at most 1000"
		}
		for _, c := range ed {
			exp = 10*exp + int(c-'0')
		}
		if exp > maxExp10 {
			return nfgNum{}, "a number with an exponent of at most 1000"
		}
		if eneg {
			exp = -exp
		}
	}
	if i != len(text) {
		return nfgNum{}, "a number"
	}
	if frac == nil && exp == 0 {
		// Plain integer: the common case.
		num := integerValue(neg, trimLeadingZeros(intDigits))
		if !isCanonicalInt(text) {
			num.spell = string(text)
		}
		return num, ""
	}
	// ±(int·10^len(frac) + frac)·10^(exp − len(frac)). Canonical spellings
	// have no point or exponent, so a decimal is always spelled.
	mant := make([]byte, 0, len(intDigits)+len(frac))
	mant = append(append(mant, intDigits...), frac...)
	num := decimalValue(neg, trimLeadingZeros(mant), exp-len(frac), text)
	num.spell = string(text)
	return num, ""
}

// canonical returns the spelling the writer uses for a rational value:
// an integer, or a reduced fraction p/q.
func (num nfgNum) canonical() string {
	if num.exact != nil {
		return num.exact.RatString()
	}
	return canonicalFloat(num.f)
}

// canonicalFloat spells the exact rational value of a float.
func canonicalFloat(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1<<62 {
		return strconv.FormatInt(int64(f), 10)
	}
	return new(big.Rat).SetFloat64(f).RatString()
}

// isCanonicalInt reports whether text is an integer in canonical form: an
// optional minus sign and digits without leading zeros, and not "-0".
func isCanonicalInt(text []byte) bool {
	d := text
	if len(d) > 0 && d[0] == '-' {
		d = d[1:]
		if len(d) == 1 && d[0] == '0' {
			return false
		}
	}
	if len(d) == 0 || (d[0] == '0' && len(d) > 1) {
		return false
	}
	for _, c := range d {
		if !isDecimalDigit(c) {
			return false
		}
	}
	return true
}

func isDecimalDigit(c byte) bool { return '0' <= c && c <= '9' }

func trimLeadingZeros(d []byte) []byte {
	for len(d) > 0 && d[0] == '0' {
		d = d[1:]
	}
	return d
}

// floatExactInts is 2^53: every integer of smaller magnitude is a float64.
const floatExactInts = 1 << 53

// smallDigits parses at most 19 digits (no leading zeros) into a uint64.
func smallDigits(d []byte) (uint64, bool) {
	if len(d) > 19 {
		return 0, false
	}
	var v uint64
	for _, c := range d {
		v = 10*v + uint64(c-'0')
	}
	return v, true
}

func integerValue(neg bool, d []byte) nfgNum {
	if v, ok := smallDigits(d); ok && v < floatExactInts {
		return nfgNum{f: withSign(neg, float64(v))}
	}
	z, _ := new(big.Int).SetString(string(d), 10)
	if neg {
		z.Neg(z)
	}
	return ratNumber(new(big.Rat).SetInt(z))
}

var pow10u64 = [...]uint64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

// decimalValue returns ±m·10^exp for the digits m; text is the whole
// number, whose nearest float64 strconv computes correctly rounded.
func decimalValue(neg bool, m []byte, exp int, text []byte) nfgNum {
	if len(m) == 0 {
		return nfgNum{}
	}
	if v, ok := smallDigits(m); ok {
		switch {
		case exp >= 0 && exp < len(pow10u64):
			if hi, lo := bits.Mul64(v, pow10u64[exp]); hi == 0 && lo < floatExactInts {
				return nfgNum{f: withSign(neg, float64(lo))}
			}
		case exp < 0 && -exp < len(pow10u64):
			a, b := v, pow10u64[-exp]
			g := gcdUint(a, b)
			a, b = a/g, b/g
			if a < 1<<63 && b < 1<<63 {
				if b&(b-1) == 0 && a < floatExactInts {
					return nfgNum{f: withSign(neg, float64(a)/float64(b))}
				}
				x := int64(a)
				if neg {
					x = -x
				}
				r := new(big.Rat).SetFrac64(x, int64(b))
				if b&(b-1) == 0 {
					return ratNumber(r) // a power-of-two denominator may still be exact
				}
				f, _ := strconv.ParseFloat(string(text), 64)
				return nfgNum{f: f, exact: r}
			}
		}
	}
	z, _ := new(big.Int).SetString(string(m), 10)
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(max(exp, -exp))), nil)
	r := new(big.Rat)
	if exp >= 0 {
		r.SetInt(z.Mul(z, p))
	} else {
		r.SetFrac(z, p)
	}
	if neg {
		r.Neg(r)
	}
	return ratNumber(r)
}

// fractionValue returns ±p/q for the digits p and q (q ≠ 0).
func fractionValue(neg bool, p, q []byte) nfgNum {
	if len(p) == 0 {
		return nfgNum{}
	}
	a, okA := smallDigits(p)
	b, okB := smallDigits(q)
	if okA && okB {
		if num, ok := smallFraction(neg, a, b); ok {
			return num
		}
	}
	x, _ := new(big.Int).SetString(string(p), 10)
	y, _ := new(big.Int).SetString(string(q), 10)
	r := new(big.Rat).SetFrac(x, y)
	if neg {
		r.Neg(r)
	}
	return ratNumber(r)
}

// smallFraction returns ±a/b (b > 0) when both fit the fast path.
func smallFraction(neg bool, a, b uint64) (nfgNum, bool) {
	g := gcdUint(a, b)
	a, b = a/g, b/g
	if a >= floatExactInts || b >= floatExactInts {
		return nfgNum{}, false
	}
	// Both are exact floats, so the quotient is correctly rounded, and
	// exact when b is a power of two.
	f := withSign(neg, float64(a)/float64(b))
	if b&(b-1) == 0 {
		return nfgNum{f: f}, true
	}
	r := new(big.Rat).SetFrac(new(big.Int).SetUint64(a), new(big.Int).SetUint64(b))
	if neg {
		r.Neg(r)
	}
	return nfgNum{f: f, exact: r}, true
}

// ratNumber wraps r, dropping it when its float is exact.
func ratNumber(r *big.Rat) nfgNum {
	f, exact := r.Float64()
	if exact {
		return nfgNum{f: f}
	}
	return nfgNum{f: f, exact: r}
}

func withSign(neg bool, f float64) float64 {
	if neg && f != 0 {
		return -f
	}
	return f
}

func gcdUint(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
