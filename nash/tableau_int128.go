package nash

import "math/big"

// tab128 is a tabNums over i128, for systems whose minors stay below
// 2^i128Limit: integer payoffs of a few digits up to about 12×12.
type tab128 struct {
	k, w int // rows; row width d+1
	a    []i128
	d    i128 // the denominator D
}

// newTab128 returns the slack-basis tableau of M, or false when an entry of
// M does not fit.
func newTab128(M [][]*big.Int) (*tab128, bool) {
	k, d := len(M), len(M[0])
	t := &tab128{k: k, w: d + 1, a: make([]i128, k*(d+1)), d: i128FromInt64(1)}
	for i, row := range M {
		for c, v := range row {
			x, ok := i128FromBig(v)
			if !ok {
				return nil, false
			}
			t.a[i*t.w+c] = x
		}
		t.a[i*t.w+d] = i128FromInt64(1)
	}
	return t, true
}

func (t *tab128) sign(i, j int) int { return t.a[i*t.w+j].sign() }

func (t *tab128) positives(c int, dst []int) []int {
	for i, at := 0, c; i < t.k; i, at = i+1, at+t.w {
		if v := t.a[at]; v.hi&signBit == 0 && v.lo|v.hi != 0 {
			dst = append(dst, i)
		}
	}
	return dst
}

// minRatio filters in place: writes never overtake reads.
func (t *tab128) minRatio(rows []int, j, c int) []int {
	a, w := t.a, t.w
	n := 1
	b := rows[0]
	for _, i := range rows[1:] {
		switch cmp := cmpProducts(a[i*w+j], a[b*w+c], a[b*w+j], a[i*w+c]); {
		case cmp < 0:
			rows[0], n, b = i, 1, i
		case cmp == 0:
			rows[n] = i
			n++
		}
	}
	return rows[:n]
}

func (t *tab128) value(i, j int, dst *big.Int) *big.Int { return t.a[i*t.w+j].setBig(dst) }

func (t *tab128) clone() tabNums {
	c := *t
	c.a = append([]i128(nil), t.a...)
	return &c
}

func (t *tab128) cloneMany(n int) []tabNums {
	slab := make([]i128, n*len(t.a))
	shells := make([]tab128, n)
	out := make([]tabNums, n)
	for i := range out {
		c := &shells[i]
		*c = *t
		c.a = slab[i*len(t.a) : (i+1)*len(t.a) : (i+1)*len(t.a)]
		copy(c.a, t.a)
		out[i] = c
	}
	return out
}

func (t *tab128) copyFrom(src tabNums) {
	s := src.(*tab128)
	copy(t.a, s.a)
	t.d = s.d
}

func (t *tab128) size() int { return 16 * len(t.a) }

func (t *tab128) det(dst *big.Int) *big.Int { return t.d.setBig(dst) }

func (t *tab128) pivot(r, c int) error {
	w := t.w
	rowR := t.a[r*w : (r+1)*w]
	p := rowR[c] // positive
	dv := newDivisor128(t.d)
	unit := p == t.d
	for i := range t.k {
		if i == r {
			continue
		}
		row := t.a[i*w : (i+1)*w]
		ic := row[c]
		if ic.isZero() {
			// T[i][j] = p·T[i][j]/D; column c stays zero.
			if unit {
				continue
			}
			for j, v := range row {
				if j == c || v.isZero() {
					continue
				}
				q, ok := dv.quo(mulMag(p, v), v.hi&signBit != 0)
				if !ok {
					return errOverflow
				}
				row[j] = q
			}
			continue
		}
		for j, v := range row {
			if j == c {
				continue
			}
			q, ok := dv.update(p, v, ic, rowR[j])
			if !ok {
				return errOverflow
			}
			row[j] = q
		}
		row[c] = ic.neg()
	}
	rowR[c] = t.d
	t.d = p
	return nil
}
