package nash

import (
	"math"
	"math/big"
)

// tabFloat is a tabNums in float64, for a fast path whose result is
// recomputed and verified exactly afterwards: it stores the real tableau
// T/D (D stays 1) and treats values within a tolerance of zero, and ratios
// within a relative tolerance of each other, as equal, so that the
// lexicographic rule still breaks near-ties. Its integer views (value, det)
// are meaningless; callers read only its basis.
type tabFloat struct {
	k, w int
	a    []float64
}

const (
	floatZeroTol  = 1e-11 // entries are scaled to at most 1 in magnitude
	floatRatioTol = 1e-10
)

// newTabFloat returns the slack-basis tableau of M scaled by its largest
// entry (scaling z leaves the vertex structure unchanged).
func newTabFloat(M [][]*big.Int) *tabFloat {
	k, d := len(M), len(M[0])
	t := &tabFloat{k: k, w: d + 1, a: make([]float64, k*(d+1))}
	var top float64
	for _, row := range M {
		for _, v := range row {
			f, _ := new(big.Float).SetInt(v).Float64()
			top = max(top, math.Abs(f))
		}
	}
	for i, row := range M {
		for c, v := range row {
			f, _ := new(big.Float).SetInt(v).Float64()
			t.a[i*t.w+c] = f / top
		}
		t.a[i*t.w+d] = 1
	}
	return t
}

func (t *tabFloat) sign(i, j int) int {
	switch v := t.a[i*t.w+j]; {
	case v > floatZeroTol:
		return 1
	case v < -floatZeroTol:
		return -1
	}
	return 0
}

func (t *tabFloat) positives(c int, dst []int) []int {
	for i := range t.k {
		if t.a[i*t.w+c] > floatZeroTol {
			dst = append(dst, i)
		}
	}
	return dst
}

func (t *tabFloat) minRatio(rows []int, j, c int) []int {
	a, w := t.a, t.w
	ratio := func(i int) float64 { return a[i*w+j] / a[i*w+c] }
	n := 1
	b := ratio(rows[0])
	for _, i := range rows[1:] {
		v := ratio(i)
		switch tol := floatRatioTol * max(1, math.Abs(v), math.Abs(b)); {
		case v < b-tol:
			rows[0], n, b = i, 1, v
		case v <= b+tol:
			rows[n] = i
			n++
		}
	}
	return rows[:n]
}

func (t *tabFloat) pivot(r, c int) error {
	w := t.w
	rowR := t.a[r*w : (r+1)*w]
	p := rowR[c]
	for j := range rowR {
		rowR[j] /= p
	}
	rowR[c] = 1 / p
	for i := range t.k {
		if i == r {
			continue
		}
		row := t.a[i*w : (i+1)*w]
		ic := row[c]
		if ic == 0 {
			continue
		}
		for j, v := range rowR {
			row[j] -= ic * v
		}
		row[c] = -ic / p
	}
	return nil
}

func (t *tabFloat) value(i, j int, dst *big.Int) *big.Int {
	panic("nash: float tableau has no exact values")
}

func (t *tabFloat) det(dst *big.Int) *big.Int { return dst.SetInt64(1) }

func (t *tabFloat) clone() tabNums {
	c := *t
	c.a = append([]float64(nil), t.a...)
	return &c
}

func (t *tabFloat) cloneMany(n int) []tabNums {
	out := make([]tabNums, n)
	for i := range out {
		out[i] = t.clone()
	}
	return out
}

func (t *tabFloat) copyFrom(src tabNums) { copy(t.a, src.(*tabFloat).a) }

func (t *tabFloat) size() int { return 8 * len(t.a) }
