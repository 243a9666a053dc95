package league

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync/atomic"
)

// btDegeneratePrior is the prior, in virtual ties per player, that keeps a
// bootstrap resample's strengths finite when the resample is not strongly
// connected. It is weak on purpose: a player the resample cannot place
// runs far out, giving it the very wide interval it deserves, while
// players the data do place barely move. (One virtual tie would pull
// weakly linked groups towards the average and bias their intervals.)
const btDegeneratePrior = 0.01

// btRater prepares the Bradley–Terry leaderboard.
//
// Rating = 1000 + 400·β/ln 10 with mean 1000 over the rated players, or
// pinned so the anchor has opt.AnchorRating.
//
// The maximum-likelihood estimate exists exactly when the comparison graph
// (an edge i→j when i won or tied against j) is strongly connected: if some
// group of players never lost or drew against the rest, the likelihood
// keeps growing as that group's strengths go to +∞. Without a prior, Rate
// therefore fits the largest strongly connected component (ties broken by
// battles, then first appearance), whose MLE is exactly what an
// unregularised fit of all the data converges to for those players, and
// excludes everyone else, saying in the notes which side of the rated
// group each excluded player is on. With opt.BT.Prior > 0 everyone is
// rated. A bootstrap resample that is not strongly connected is fitted
// with btDegeneratePrior (or opt.BT.Prior when set), every resample is then
// aligned to the point fit by the games-weighted mean strength, and the
// notes count such resamples.
func btRater(bs *Battles, cells []BattleCell, active []int, anchor int, opt RateOptions) (*rater, error) {
	n := len(bs.Names)
	prior := opt.BT.Prior
	rated := active
	var excluded []int
	var notes []string
	if prior == 0 {
		var err error
		rated, excluded, notes, err = btRatedSet(bs, cells, active)
		if err != nil {
			return nil, err
		}
	} else {
		notes = append(notes, fmt.Sprintf("BT with a prior of %g virtual ties per player against an average player: every player is rated", prior))
	}
	a := positionOf(rated, anchor)
	if anchor >= 0 && a < 0 {
		return nil, badOption(fmt.Errorf("anchor %q is excluded from the Bradley-Terry fit (see notes); choose a rated player or use a prior", opt.Anchor))
	}
	keep := positions(n, rated)
	sub := subCells(cells, keep)
	m := len(rated)
	folder := newPairFolder(sub, keep)
	fit, err := fitBT(folder.fold(sub, nil), m, prior, opt.Bootstrap == 0 && m <= btNewtonMax, nil)
	if err != nil {
		return nil, err
	}
	toRating := func(beta []float64) []float64 {
		out := make([]float64, m)
		centreAt := 0.0
		base := 1000.0
		if a >= 0 {
			centreAt, base = beta[a], opt.AnchorRating
		} else {
			for _, b := range beta {
				centreAt += b
			}
			centreAt /= float64(m)
		}
		for j, b := range beta {
			out[j] = base + eloScale*(b-centreAt)
		}
		return out
	}
	rt := &rater{players: rated, rating: toRating(fit.beta), excluded: excluded, notes: notes}
	if a >= 0 {
		rt.notes = append(rt.notes, fmt.Sprintf("BT rating = %g + 400·(β − β_anchor)/ln 10, anchored: %s = %g (anchoring widens the other players' CIs)", opt.AnchorRating, opt.Anchor, opt.AnchorRating))
	} else {
		rt.notes = append(rt.notes, "BT rating = 1000 + 400·β/ln 10, mean 1000 over the rated players; ties count half a win each way")
	}
	if fit.cov != nil {
		rt.lo, rt.hi = waldIntervals(rt.rating, fit.cov.At, m, a)
		rt.notes = append(rt.notes, "95% CIs: Wald, from the Fisher information (--bootstrap N for percentile intervals)")
	} else if opt.Bootstrap == 0 {
		rt.notes = append(rt.notes, fmt.Sprintf("no Wald CIs above %d players: use --bootstrap", btNewtonMax))
	}
	draw := cellResampler(sub)
	var degenerate atomic.Int64
	// Resamples return raw strengths; finish turns them into ratings once
	// it is known whether any resample was degenerate.
	rt.resample = func(rng *rand.Rand) ([]float64, error) {
		pairs := folder.fold(sub, draw(rng))
		p := prior
		if p == 0 && !stronglyConnected(pairs, m) {
			degenerate.Add(1)
			p = btDegeneratePrior
		}
		// Start from the point fit: a resample's optimum is close to it.
		f, err := fitBT(pairs, m, p, false, fit.beta)
		if err != nil {
			return nil, err
		}
		return f.beta, nil
	}
	rt.finish = func(reps [][]float64) []string {
		d := degenerate.Load()
		if d == 0 || a >= 0 {
			for r, beta := range reps {
				reps[r] = toRating(beta)
			}
			if d == 0 {
				return nil
			}
			return []string{fmt.Sprintf("%d of %d bootstrap resamples were not strongly connected (no MLE); they were fitted with %g virtual ties per player", d, len(reps), btDegeneratePrior)}
		}
		// Some players' strengths run off in degenerate resamples, and so
		// would the mean of all strengths, dragging every interval with
		// it. Align each resample to the point fit by the games-weighted
		// mean difference instead, which the rarely-playing players barely
		// move.
		games := make([]float64, m)
		var total float64
		for _, p := range folder.fold(sub, nil) {
			games[p.I] += p.Games
			games[p.J] += p.Games
			total += 2 * p.Games
		}
		for _, beta := range reps {
			var shift float64
			for j, b := range beta {
				shift += games[j] * (b - fit.beta[j])
			}
			shift /= total
			for j, b := range beta {
				beta[j] = rt.rating[j] + eloScale*(b-fit.beta[j]-shift)
			}
		}
		return []string{fmt.Sprintf("%d of %d bootstrap resamples were not strongly connected (no MLE); they were fitted with %g virtual ties per player, and every resample was aligned to the point fit by the games-weighted mean strength rather than the plain mean, which the rarely-playing players would swing", d, len(reps), btDegeneratePrior)}
	}
	return rt, nil
}

// waldIntervals returns rating ± 1.96·sd, where sd is the standard
// deviation of the reported rating: of β_j − mean(β), or of β_j − β_a
// when anchored at position a ≥ 0 (then a's own interval is a point).
func waldIntervals(rating []float64, cov func(i, j int) float64, m, a int) (lo, hi []float64) {
	lo = make([]float64, m)
	hi = make([]float64, m)
	for j := range m {
		v := cov(j, j)
		if a >= 0 {
			v += cov(a, a) - 2*cov(j, a)
		}
		sd := eloScale * math.Sqrt(max(v, 0))
		lo[j], hi[j] = rating[j]-1.96*sd, rating[j]+1.96*sd
	}
	return lo, hi
}

// btRatedSet picks the largest strongly connected component of the active
// players and explains the exclusions.
func btRatedSet(bs *Battles, cells []BattleCell, active []int) (rated, excluded []int, notes []string, err error) {
	keep := positions(len(bs.Names), active)
	pairs := pairsOf(cells, keep)
	comps := strongComponents(pairs, len(active))
	if len(comps) == 1 {
		return active, nil, nil, nil
	}
	games := make([]float64, len(active))
	for _, p := range pairs {
		games[p.I] += p.Games
		games[p.J] += p.Games
	}
	best := -1
	var bestGames float64
	for c, comp := range comps {
		var g float64
		for _, v := range comp {
			g += games[v]
		}
		switch {
		case best < 0, len(comp) > len(comps[best]),
			len(comp) == len(comps[best]) && g > bestGames,
			len(comp) == len(comps[best]) && g == bestGames && comp[0] < comps[best][0]:
			best, bestGames = c, g
		}
	}
	main := comps[best]
	if len(main) < 2 {
		return nil, nil, nil, fmt.Errorf("%w: no two players both beat (or tied) and lost to (or tied) each other, even indirectly; a prior (virtual ties) makes every rating finite", ErrNoMLE)
	}
	// below: reachable from the rated group (it beat them, they never came
	// back); above: can reach it; the rest are not linked either way.
	adj := make([][]int32, len(active))
	radj := make([][]int32, len(active))
	for _, p := range pairs {
		if p.ScoreI > 0 {
			adj[p.I] = append(adj[p.I], p.J)
			radj[p.J] = append(radj[p.J], p.I)
		}
		if p.Games-p.ScoreI > 0 {
			adj[p.J] = append(adj[p.J], p.I)
			radj[p.I] = append(radj[p.I], p.J)
		}
	}
	below := reachable(adj, main)
	above := reachable(radj, main)
	inMain := make([]bool, len(active))
	for _, v := range main {
		inMain[v] = true
		rated = append(rated, active[v])
	}
	var up, down, apart []string
	for v := range active {
		if inMain[v] {
			continue
		}
		excluded = append(excluded, active[v])
		name := bs.Names[active[v]]
		switch {
		case above[v]:
			up = append(up, name)
		case below[v]:
			down = append(down, name)
		default:
			apart = append(apart, name)
		}
	}
	notes = append(notes, fmt.Sprintf("BT: the maximum-likelihood estimate does not exist for all %d players: the comparison graph (an edge for every win or tie) has %d strongly connected components. Rated the largest (%d players); excluded %d (a prior of virtual ties would rate everyone)",
		len(active), len(comps), len(main), len(excluded)))
	if len(up) > 0 {
		notes = append(notes, fmt.Sprintf("excluded, never lost or drew against the rated players even indirectly (MLE +∞): %s", nameList(up)))
	}
	if len(down) > 0 {
		notes = append(notes, fmt.Sprintf("excluded, never won or drew against the rated players even indirectly (MLE −∞): %s", nameList(down)))
	}
	if len(apart) > 0 {
		notes = append(notes, fmt.Sprintf("excluded, not linked to the rated players by a chain of results in either direction: %s", nameList(apart)))
	}
	return rated, excluded, notes, nil
}

// reachable marks the vertices reachable from start along adj.
func reachable(adj [][]int32, start []int32) []bool {
	seen := make([]bool, len(adj))
	queue := append([]int32(nil), start...)
	for _, v := range start {
		seen[v] = true
	}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, w := range adj[v] {
			if !seen[w] {
				seen[w] = true
				queue = append(queue, w)
			}
		}
	}
	return seen
}

// nameList joins names, eliding after 20.
func nameList(names []string) string {
	const show = 20
	if len(names) <= show {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:show], ", "), len(names)-show)
}
