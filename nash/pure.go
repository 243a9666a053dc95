package nash

import (
	"slices"

	"github.com/selfplay-lab/selfplay/game"
)

// PureEquilibria returns every pure-strategy Nash equilibrium of the
// n-player game g, each as one 0-based strategy per player, in increasing
// order of profile index (player 1's strategy varying fastest). Comparisons
// are exact: float payoffs decide when they differ (rounding to float64 is
// monotone, so a strict float order is the exact order) and ties are settled
// with g's exact payoffs.
func PureEquilibria(g *game.Normal) [][]int {
	N := g.NumProfiles()
	stable := make([]bool, N) // no player gains by deviating, so far
	for k := range stable {
		stable[k] = true
	}
	var cand []int
	for i := range g.NumPlayers() {
		pay := g.Payoffs(i)
		stride, m := g.Stride(i), g.NumStrategies(i)
		for base := range N {
			if (base/stride)%m != 0 {
				continue // visit each opponents' profile once, at s_i = 0
			}
			best := pay[base]
			for s := 1; s < m; s++ {
				best = max(best, pay[base+s*stride])
			}
			cand = cand[:0]
			for s := range m {
				if pay[base+s*stride] == best {
					cand = append(cand, base+s*stride)
				}
			}
			if len(cand) > 1 {
				// Equal floats: keep the exact maxima.
				top := g.PayoffRat(i, cand[0])
				keep := cand[:1]
				for _, k := range cand[1:] {
					switch v := g.PayoffRat(i, k); v.Cmp(top) {
					case 1:
						top, keep = v, append(keep[:0], k)
					case 0:
						keep = append(keep, k)
					}
				}
				cand = keep
			}
			for s := range m {
				k := base + s*stride
				if stable[k] && !slices.Contains(cand, k) {
					stable[k] = false
				}
			}
		}
	}
	var out [][]int
	for k, ok := range stable {
		if ok {
			out = append(out, g.Profile(k, nil))
		}
	}
	return out
}
