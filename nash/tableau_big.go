package nash

import "math/big"

// tabBig is a tabNums over big.Int, for any size of numbers.
type tabBig struct {
	k, w   int // rows; row width d+1
	a      []big.Int
	d      big.Int // the denominator D
	p, tmp big.Int // scratch
}

func newTabBig(M [][]*big.Int) *tabBig {
	k, d := len(M), len(M[0])
	t := &tabBig{k: k, w: d + 1, a: make([]big.Int, k*(d+1))}
	t.d.SetInt64(1)
	for i, row := range M {
		for c, v := range row {
			t.a[i*t.w+c].Set(v)
		}
		t.a[i*t.w+d].SetInt64(1)
	}
	return t
}

func (t *tabBig) sign(i, j int) int { return t.a[i*t.w+j].Sign() }

func (t *tabBig) positives(c int, dst []int) []int {
	for i := range t.k {
		if t.a[i*t.w+c].Sign() > 0 {
			dst = append(dst, i)
		}
	}
	return dst
}

// minRatio filters in place: writes never overtake reads.
func (t *tabBig) minRatio(rows []int, j, c int) []int {
	a, w := t.a, t.w
	n := 1
	b := rows[0]
	for _, i := range rows[1:] {
		t.p.Mul(&a[i*w+j], &a[b*w+c])
		t.tmp.Mul(&a[b*w+j], &a[i*w+c])
		switch cmp := t.p.Cmp(&t.tmp); {
		case cmp < 0:
			rows[0], n, b = i, 1, i
		case cmp == 0:
			rows[n] = i
			n++
		}
	}
	return rows[:n]
}

func (t *tabBig) value(i, j int, dst *big.Int) *big.Int { return dst.Set(&t.a[i*t.w+j]) }

func (t *tabBig) clone() tabNums {
	c := &tabBig{k: t.k, w: t.w, a: make([]big.Int, len(t.a))}
	c.copyFrom(t)
	return c
}

func (t *tabBig) cloneMany(n int) []tabNums {
	out := make([]tabNums, n)
	for i := range out {
		out[i] = t.clone()
	}
	return out
}

func (t *tabBig) copyFrom(src tabNums) {
	s := src.(*tabBig)
	for i := range t.a {
		t.a[i].Set(&s.a[i])
	}
	t.d.Set(&s.d)
}

func (t *tabBig) size() int {
	n := 0
	for i := range t.a {
		n += 32 + 8*len(t.a[i].Bits())
	}
	return n
}

func (t *tabBig) det(dst *big.Int) *big.Int { return dst.Set(&t.d) }

func (t *tabBig) pivot(r, c int) error {
	w := t.w
	rowR := t.a[r*w : (r+1)*w]
	t.p.Set(&rowR[c])
	p := &t.p
	unit := p.Cmp(&t.d) == 0
	for i := range t.k {
		if i == r {
			continue
		}
		row := t.a[i*w : (i+1)*w]
		ic := &row[c]
		if ic.Sign() == 0 {
			if unit {
				continue // p/D = 1
			}
			for j := range row {
				if j == c || row[j].Sign() == 0 {
					continue
				}
				row[j].Mul(&row[j], p)
				row[j].Quo(&row[j], &t.d)
			}
			continue
		}
		for j := range row {
			if j == c {
				continue
			}
			v := &row[j]
			v.Mul(v, p)
			if rowR[j].Sign() != 0 {
				t.tmp.Mul(ic, &rowR[j])
				v.Sub(v, &t.tmp)
			}
			v.Quo(v, &t.d)
		}
		ic.Neg(ic)
	}
	rowR[c].Set(&t.d)
	t.d.Set(p)
	return nil
}
