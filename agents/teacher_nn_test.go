package agents

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The grid index returns exactly what a brute-force scan returns (the
// lowest slot among the nearest), through growth and rebuilds, with slots
// overwritten as in a history ring, duplicate points (ties), points
// outside the box and clustered points, in one to five dimensions (five
// scans).
func TestNNIndexMatchesScan(t *testing.T) {
	for _, tc := range []struct {
		name    string
		d       int
		history int
		n       int
	}{
		{"1d", 1, 0, 3000},
		{"2d", 2, 0, 5000},
		{"2d ring", 2, 700, 4000},
		{"3d ring", 3, 1000, 3000},
		{"5d scan", 5, 0, 600},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(tc.d), uint64(tc.history)))
			low, high := make([]float64, tc.d), make([]float64, tc.d)
			for k := range tc.d {
				low[k], high[k] = -float64(k+1), 2+float64(k)
			}
			point := func() []float64 {
				p := make([]float64, tc.d)
				for k := range p {
					w := high[k] - low[k]
					switch u := rng.Float64(); {
					case u < 0.5: // a tight cluster
						p[k] = low[k] + 0.3*w + 0.01*w*rng.Float64()
					case u < 0.55: // outside the box
						p[k] = low[k] - w + 3*w*rng.Float64()
					case u < 0.6: // on the bounds
						p[k] = []float64{low[k], high[k]}[rng.IntN(2)]
					default:
						p[k] = low[k] + w*rng.Float64()
					}
				}
				return p
			}
			x := newNNIndex(low, high)
			var pts []float64
			next := 0
			for i := range tc.n {
				q := point()
				if i > 10 && rng.IntN(10) == 0 {
					// Repeat a stored point exactly: a tie.
					s := rng.IntN(len(pts) / tc.d)
					copy(q, pts[s*tc.d:(s+1)*tc.d])
				}
				if len(pts) > 0 {
					best, bd := x.nearest(q, pts)
					wb, wd := 0, math.Inf(1)
					for s := range len(pts) / tc.d {
						if v := sqDist(q, pts[s*tc.d:(s+1)*tc.d]); v < wd {
							wb, wd = s, v
						}
					}
					if best != wb || bd != wd {
						t.Fatalf("query %d %v: index says slot %d at %v, scan slot %d at %v", i, q, best, bd, wb, wd)
					}
				}
				slot := len(pts) / tc.d
				if tc.history > 0 && slot == tc.history {
					slot = next
					copy(pts[slot*tc.d:], q)
					next = (next + 1) % tc.history
				} else {
					pts = append(pts, q...)
				}
				x.set(slot, q, pts)
			}
			if tc.d <= nnMaxDims && x.g == 0 {
				t.Error("no grid was built")
			}
		})
	}
}
