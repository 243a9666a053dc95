package league

import (
	"fmt"
	"math"

	"github.com/selfplay-lab/selfplay/nash"
)

// NashAverage returns Balduzzi et al.'s Nash averaging ("Re-evaluating
// evaluation", NeurIPS 2018) of a win-rate matrix: with A_ij =
// logit(winRate[i][j]), an antisymmetric payoff matrix, and p* the
// maximum-entropy Nash equilibrium of the symmetric zero-sum game A, player
// i's rating is (A p*)_i in natural-log odds: 0 for players in the
// support of p*, negative for the others. Unlike BT or Elo it does not
// reward beating players that are redundant or dominated, and it is
// invariant to adding copies of a player. winRate[i][j] + winRate[j][i]
// must be 1 and every rate strictly between 0 and 1.
func NashAverage(winRate [][]float64) (rating, mass []float64, err error) {
	n := len(winRate)
	a := make([][]float64, n)
	for i, row := range winRate {
		if len(row) != n {
			return nil, nil, fmt.Errorf("nashavg: row %d has %d entries, expected %d", i, len(row), n)
		}
		a[i] = make([]float64, n)
		for j, w := range row {
			if i == j {
				continue
			}
			if !(w > 0 && w < 1) || math.Abs(w+winRate[j][i]-1) > 1e-9 {
				return nil, nil, fmt.Errorf("nashavg: win rate [%d][%d] = %v: expected 0 < w < 1 with w[i][j] + w[j][i] = 1", i, j, w)
			}
			a[i][j] = math.Log(w / (1 - w))
		}
	}
	p, err := nash.MaxEntropyNash(a)
	if err != nil {
		return nil, nil, fmt.Errorf("nashavg: %w", err)
	}
	rating = make([]float64, n)
	for i := range n {
		for j := range n {
			rating[i] += a[i][j] * p[j]
		}
	}
	return rating, p, nil
}

// nonTransitiveRater rates by Nash averaging or a maximal lottery of the
// active players' head-to-head results.
func nonTransitiveRater(cells []BattleCell, active []int, n int, m RatingMethod, names []string) (*rater, error) {
	var mass []float64
	rate := func(score, games [][]float64) ([]float64, error) {
		k := len(score)
		if m == MethodLottery {
			margin := make([][]float64, k)
			for i := range k {
				margin[i] = make([]float64, k)
				for j := range k {
					margin[i][j] = 2*score[i][j] - games[i][j] // #(i beat j) − #(j beat i)
				}
			}
			p, err := nash.MaximalLottery(margin)
			if err != nil {
				return nil, fmt.Errorf("lottery: %w", err)
			}
			return p, nil
		}
		w := make([][]float64, k)
		for i := range k {
			w[i] = make([]float64, k)
			for j := range k {
				// Half a win and half a loss of smoothing keep the logit
				// finite; an unplayed pair is 0.5.
				w[i][j] = (score[i][j] + 0.5) / (games[i][j] + 1)
			}
		}
		r, p, err := NashAverage(w)
		if err != nil {
			return nil, err
		}
		if mass == nil {
			mass = p // the point fit runs first
		}
		for i := range r {
			r[i] *= eloScale
		}
		return r, nil
	}
	rt, err := matrixRater(cells, active, n, rate)
	if err != nil {
		return nil, err
	}
	if m == MethodLottery {
		rt.notes = append(rt.notes, "maximal lottery (Fishburn) of the margins M_ij = #(i beat j) − #(j beat i), ties 0: rating = the lottery's probability; a Condorcet winner gets 1")
		return rt, nil
	}
	var support []string
	for j, p := range mass {
		if p > 1e-9 {
			support = append(support, fmt.Sprintf("%s %.3f", names[active[j]], p))
		}
	}
	rt.notes = append(rt.notes,
		"Nash averaging (Balduzzi et al. 2018): A_ij = logit of i's win rate against j, smoothed by half a win and half a loss (unplayed pairs 0.5); rating = 400/ln 10 · (A p*)_i with p* the max-entropy Nash of A: 0 on its support, below 0 off it",
		"Nash support: "+nameList(support))
	return rt, nil
}
