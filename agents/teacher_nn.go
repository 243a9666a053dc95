package agents

import "math"

// nnIndex finds, among points stored by slot (a flat n×d slice owned by
// the caller), the nearest to a query: exactly what a brute-force scan in
// slot order finds, the smallest squared Euclidean distance (sqDist) with
// ties going to the lowest slot. ALP-GMM asks once per episode over its
// whole history (TeachMyAgent uses a kd-tree), so a scan is O(history) an
// episode; the index makes it about O(1) for the histories of a run.
//
// Points are bucketed in a uniform grid over the task box, about
// nnPerCell points a cell, rebuilt as the number of points doubles. A
// query scans the cells around its own in rings of growing Chebyshev
// radius r and stops once the best distance found is below the smallest
// distance any unscanned cell could hold, (r·w)² with w the narrowest cell
// width: a cell r+1 rings out is separated from the query's cell by r
// whole cells along some axis. Points outside the box go to the nearest
// edge cell; the bound still holds, since edge cells only extend outwards.
// Below nnGridMin points, and in more than nnMaxDims dimensions, it scans.
//
// Not safe for concurrent use.
type nnIndex struct {
	d         int
	low, high []float64

	g       int // cells per axis; 0: no grid (scan)
	scale   []float64
	minW    float64
	cells   [][]int32 // slots per cell (any order)
	cellOf  []int32   // cell per slot, −1 if none
	builtAt int       // points when the grid was last built

	qc, lo, hi, it []int // query-cell scratch
}

const (
	nnGridMin = 256
	nnPerCell = 8
	nnMaxDims = 4
)

func newNNIndex(low, high []float64) *nnIndex {
	d := len(low)
	return &nnIndex{d: d, low: low, high: high,
		qc: make([]int, d), lo: make([]int, d), hi: make([]int, d), it: make([]int, d)}
}

// set records that slot now holds the point p (a new slot n−1 of n, or an
// overwritten one). pts holds every point by slot, p included.
func (x *nnIndex) set(slot int, p, pts []float64) {
	n := len(pts) / x.d
	if x.d > nnMaxDims || n < nnGridMin {
		return
	}
	if x.g == 0 || n >= 2*x.builtAt {
		x.build(pts)
		return
	}
	for len(x.cellOf) < n {
		x.cellOf = append(x.cellOf, -1)
	}
	if c := x.cellOf[slot]; c >= 0 {
		l := x.cells[c]
		for i, s := range l {
			if int(s) == slot {
				l[i] = l[len(l)-1]
				x.cells[c] = l[:len(l)-1]
				break
			}
		}
	}
	c := x.cell(p, x.qc)
	x.cells[c] = append(x.cells[c], int32(slot))
	x.cellOf[slot] = int32(c)
}

// build buckets every point of pts into a grid sized for their number.
func (x *nnIndex) build(pts []float64) {
	n := len(pts) / x.d
	x.g = max(1, int(math.Ceil(math.Pow(float64(n)/nnPerCell, 1/float64(x.d)))))
	x.scale = make([]float64, x.d)
	x.minW = math.Inf(1)
	total := 1
	for k := range x.d {
		w := (x.high[k] - x.low[k]) / float64(x.g)
		x.scale[k] = 1 / w
		x.minW = min(x.minW, w)
		total *= x.g
	}
	x.cells = make([][]int32, total)
	x.cellOf = make([]int32, n)
	for s := range n {
		c := x.cell(pts[s*x.d:(s+1)*x.d], x.qc)
		x.cells[c] = append(x.cells[c], int32(s))
		x.cellOf[s] = int32(c)
	}
	x.builtAt = n
}

// cell returns p's cell and writes its per-axis coordinates into qc.
func (x *nnIndex) cell(p []float64, qc []int) int {
	c := 0
	for k := range x.d {
		v := (p[k] - x.low[k]) * x.scale[k]
		i := 0
		switch {
		case v >= float64(x.g):
			i = x.g - 1
		case v > 0: // NaN and below the box go to cell 0
			i = min(int(v), x.g-1)
		}
		qc[k] = i
		c = c*x.g + i
	}
	return c
}

// nearest returns the slot of the point of pts nearest to q (see nnIndex)
// and its squared distance; slot 0 and +Inf when no distance is below
// +Inf, as a scan would return.
func (x *nnIndex) nearest(q, pts []float64) (best int, bd float64) {
	bd = math.Inf(1)
	consider := func(s int) {
		if v := sqDist(q, pts[s*x.d:(s+1)*x.d]); v < bd || v == bd && s < best {
			best, bd = s, v
		}
	}
	n := len(pts) / x.d
	if x.g == 0 || len(x.cellOf) < n {
		for s := range n {
			if v := sqDist(q, pts[s*x.d:(s+1)*x.d]); v < bd {
				best, bd = s, v
			}
		}
		return best, bd
	}
	x.cell(q, x.qc)
	reach := 0 // rings needed to cover the grid
	for k := range x.d {
		reach = max(reach, x.qc[k], x.g-1-x.qc[k])
	}
	for r := 0; r <= reach; r++ {
		if r > 0 {
			// Unscanned cells are at least (r−1) whole cells away.
			if lb := float64(r-1) * x.minW * (1 - 1e-9); bd < lb*lb {
				break
			}
		}
		x.ring(r, func(c int) {
			for _, s := range x.cells[c] {
				consider(int(s))
			}
		})
	}
	return best, bd
}

// ring calls f with every grid cell at Chebyshev distance exactly r from
// the query cell x.qc: for each axis k and side, the face with axis k at
// qc_k ± r, the axes before k strictly inside the ring (their faces were
// done) and the axes after k over the whole ring.
func (x *nnIndex) ring(r int, f func(int)) {
	if r == 0 {
		c := 0
		for k := range x.d {
			c = c*x.g + x.qc[k]
		}
		f(c)
		return
	}
	for k := range x.d {
		for _, side := range [2]int{-r, r} {
			v := x.qc[k] + side
			if v < 0 || v >= x.g {
				continue
			}
			empty := false
			for j := range x.d {
				switch {
				case j == k:
					x.lo[j], x.hi[j] = v, v
				case j < k:
					x.lo[j], x.hi[j] = max(x.qc[j]-r+1, 0), min(x.qc[j]+r-1, x.g-1)
				default:
					x.lo[j], x.hi[j] = max(x.qc[j]-r, 0), min(x.qc[j]+r, x.g-1)
				}
				empty = empty || x.lo[j] > x.hi[j]
			}
			if empty {
				continue
			}
			copy(x.it, x.lo)
			for {
				c := 0
				for j := range x.d {
					c = c*x.g + x.it[j]
				}
				f(c)
				j := x.d - 1
				for ; j >= 0; j-- {
					if x.it[j] < x.hi[j] {
						x.it[j]++
						break
					}
					x.it[j] = x.lo[j]
				}
				if j < 0 {
					break
				}
			}
		}
	}
}
