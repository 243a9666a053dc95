package league

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// RatingMethod names a way to turn battles into a leaderboard.
type RatingMethod string

// Rating methods.
const (
	MethodBT        RatingMethod = "bt"        // Bradley–Terry maximum likelihood
	MethodElo       RatingMethod = "elo"       // online Elo, order-dependent
	MethodGlicko2   RatingMethod = "glicko2"   // Glicko-2 over rating periods
	MethodOpenSkill RatingMethod = "openskill" // Weng–Lin Bayesian updates
	MethodNashAvg   RatingMethod = "nashavg"   // Nash averaging of the logit payoffs
	MethodLottery   RatingMethod = "lottery"   // maximal lottery of the margins
	MethodAlphaRank RatingMethod = "alpharank" // α-Rank stationary mass
)

// RatingMethods lists the methods Rate accepts, default first.
func RatingMethods() []RatingMethod {
	return []RatingMethod{MethodBT, MethodElo, MethodGlicko2, MethodOpenSkill, MethodNashAvg, MethodLottery, MethodAlphaRank}
}

// eloScale converts natural-log odds to rating points: 400/ln 10, so a
// 400-point gap is 10:1 odds.
var eloScale = 400 / math.Ln10

// ErrBadOption marks a Rate error caused by its options (an unknown
// method, an anchor that is not a rated player, an invalid parameter)
// rather than by the data or the computation.
var ErrBadOption = errors.New("invalid rating option")

// optionError is an error message that matches ErrBadOption.
type optionError struct{ err error }

func (e *optionError) Error() string        { return e.err.Error() }
func (e *optionError) Unwrap() error        { return e.err }
func (e *optionError) Is(target error) bool { return target == ErrBadOption }

// badOption wraps err, if not nil, so that it matches ErrBadOption.
func badOption(err error) error {
	if err == nil {
		return nil
	}
	return &optionError{err: err}
}

// RateOptions controls Rate. Start from DefaultRateOptions.
type RateOptions struct {
	Method RatingMethod
	// Bootstrap is the number of bootstrap resamples for confidence
	// intervals; 0 uses each method's own interval (see Rate).
	Bootstrap int
	// Seed seeds the bootstrap; the same seed gives the same intervals.
	Seed uint64
	// Workers bounds bootstrap parallelism; 0 means GOMAXPROCS.
	Workers int
	// Anchor, when not empty, names a player whose rating is pinned to
	// AnchorRating (bt, elo and glicko2). Bootstrap resamples are pinned
	// too, so the anchor's own interval is a point and everyone else's
	// interval includes the anchor's uncertainty: anchoring widens CIs.
	Anchor       string
	AnchorRating float64

	BT        BTConfig
	Elo       EloConfig
	Glicko2   Glicko2Config
	OpenSkill WengLinConfig
	AlphaRank AlphaRankConfig
}

// DefaultRateOptions returns the defaults for method m.
func DefaultRateOptions(m RatingMethod) RateOptions {
	return RateOptions{
		Method:    m,
		Elo:       DefaultEloConfig(),
		Glicko2:   DefaultGlicko2Config(),
		OpenSkill: DefaultWengLinConfig(),
		AlphaRank: DefaultAlphaRankConfig(),
	}
}

// LeaderboardEntry is one rated player.
type LeaderboardEntry struct {
	Name   string  `json:"name"`
	Rating float64 `json:"rating"`
	CILow  float64 `json:"ci_low"`
	CIHigh float64 `json:"ci_high"`
	Rank   int     `json:"rank"`
	Games  int64   `json:"games"`
	Wins   int64   `json:"wins"`
	Losses int64   `json:"losses"`
	Ties   int64   `json:"ties"`
}

// Leaderboard is the result of Rate: rated players sorted by rating
// (highest first, then by name), the names of players that could not be
// rated, and notes saying how the numbers were made and what was dropped.
type Leaderboard struct {
	Method   RatingMethod       `json:"method"`
	Players  []LeaderboardEntry `json:"players"`
	Excluded []string           `json:"excluded"`
	Notes    []string           `json:"notes"`
}

// rater is one method prepared on a data set: the players it rates, their
// point ratings, optional own intervals, and how to rate a resample.
type rater struct {
	players []int     // rated players (indices into Battles.Names)
	rating  []float64 // point rating of each rated player
	lo, hi  []float64 // the method's own 95% interval, or nil
	// resample rates one bootstrap resample; nil when the method has no
	// bootstrap. It must be safe for concurrent use.
	resample func(rng *rand.Rand) ([]float64, error)
	excluded []int
	notes    []string
	// finish, when not nil, post-processes the bootstrap replicates in
	// place (for example from strengths to ratings) and returns notes.
	finish func(reps [][]float64) []string
}

// Rate rates the players of bs by opt.Method.
//
// Confidence intervals are 95%. With opt.Bootstrap > 0 they are percentile
// intervals over bootstrap resamples: for bt, nashavg, lottery and
// alpharank a multinomial redraw of the battle counts over the unique
// (a, b, outcome) cells; for the order-dependent elo, glicko2 and
// openskill a redraw of the battle sequence with replacement, in random
// order. Without a bootstrap, bt gives Wald intervals from the Fisher
// information, glicko2 rating ± 1.96·RD, openskill μ ± 1.96·σ, and the
// others a point (low = high = rating). Ranks are CI-aware (see CIRanks).
// The displayed rating is always the fit on the data as given.
//
// Players without games are excluded. Bradley–Terry ratings are
// 1000 + 400·β/ln 10 with mean 1000 (or pinned by the anchor), ties
// counting half a win each way. Its maximum-likelihood estimate exists
// only when the comparison graph (an edge i→j when i won or tied against
// j) is strongly connected; otherwise, unless opt.BT.Prior > 0, Rate fits
// the largest strongly connected component, which is exactly what an
// unregularised fit of all the data converges to for those players, and
// excludes the rest, saying in the notes which side of the rated group
// each excluded player is on (never lost to it, never beat it, or not
// linked). It returns ErrNoMLE when no two players can be rated. Errors
// caused by opt match ErrBadOption.
func Rate(ctx context.Context, bs *Battles, opt RateOptions) (*Leaderboard, error) {
	if opt.Bootstrap < 0 {
		return nil, badOption(fmt.Errorf("bootstrap %d: expected ≥ 0 resamples", opt.Bootstrap))
	}
	if len(bs.List) == 0 {
		return nil, errors.New("no battles to rate")
	}
	anchor := -1
	if opt.Anchor != "" {
		switch opt.Method {
		case MethodBT, MethodElo, MethodGlicko2:
		default:
			return nil, badOption(fmt.Errorf("anchor: method %s has no rating scale to anchor (bt, elo and glicko2 do)", opt.Method))
		}
		i, ok := bs.Player(opt.Anchor)
		if !ok {
			return nil, badOption(fmt.Errorf("anchor %q: no such player", opt.Anchor))
		}
		if math.IsNaN(opt.AnchorRating) || math.IsInf(opt.AnchorRating, 0) {
			return nil, badOption(fmt.Errorf("anchor %q: rating %v: expected a finite number", opt.Anchor, opt.AnchorRating))
		}
		anchor = i
	}
	cells := bs.Cells()
	rec := records(cells, len(bs.Names))
	var active []int
	var idle []int
	for i, r := range rec {
		if r.Games > 0 {
			active = append(active, i)
		} else {
			idle = append(idle, i)
		}
	}
	var (
		rt  *rater
		err error
	)
	switch opt.Method {
	case MethodBT:
		if err = badOption(opt.BT.validate()); err == nil {
			rt, err = btRater(bs, cells, active, anchor, opt)
		}
	case MethodElo:
		if err = badOption(opt.Elo.validate()); err == nil {
			rt = eloRater(bs, active, anchor, opt)
		}
	case MethodGlicko2:
		if err = badOption(opt.Glicko2.validate()); err == nil {
			rt = glicko2Rater(bs, active, anchor, opt)
		}
	case MethodOpenSkill:
		if err = badOption(opt.OpenSkill.validate()); err == nil {
			rt = openSkillRater(bs, active, opt)
		}
	case MethodAlphaRank:
		if err = badOption(opt.AlphaRank.validate()); err == nil {
			rt, err = alphaRankRater(cells, active, len(bs.Names), opt)
		}
	case MethodNashAvg, MethodLottery:
		rt, err = nonTransitiveRater(cells, active, len(bs.Names), opt.Method, bs.Names)
	default:
		var names []string
		for _, m := range RatingMethods() {
			names = append(names, string(m))
		}
		return nil, badOption(fmt.Errorf("unknown method %q: expected one of %s", opt.Method, strings.Join(names, ", ")))
	}
	if err != nil {
		return nil, err
	}
	lo, hi := rt.lo, rt.hi
	var ciNote string
	switch {
	case opt.Bootstrap > 0:
		reps, err := bootstrapRun(ctx, opt.Bootstrap, opt.Workers, opt.Seed,
			func(_ int, rng *rand.Rand) ([]float64, error) { return rt.resample(rng) })
		if err != nil {
			return nil, fmt.Errorf("bootstrap: %w", err)
		}
		if rt.finish != nil {
			rt.notes = append(rt.notes, rt.finish(reps)...)
		}
		lo = make([]float64, len(rt.players))
		hi = make([]float64, len(rt.players))
		buf := make([]float64, 0, len(reps))
		for j := range rt.players {
			lo[j], hi[j] = percentileCI(reps, j, buf)
		}
		ciNote = fmt.Sprintf("95%% CIs: percentile bootstrap over %d resamples, seed %d", opt.Bootstrap, opt.Seed)
	case lo == nil:
		lo = slices.Clone(rt.rating)
		hi = slices.Clone(rt.rating)
		ciNote = "no CIs without --bootstrap for this method: ci_low = ci_high = rating, ranks by rating"
	}
	lb := &Leaderboard{Method: opt.Method, Excluded: []string{}, Notes: []string{}}
	lb.Notes = append(lb.Notes, rt.notes...)
	if ciNote != "" {
		lb.Notes = append(lb.Notes, ciNote)
	}
	ranks := CIRanks(lo, hi)
	for j, p := range rt.players {
		r := rec[p]
		lb.Players = append(lb.Players, LeaderboardEntry{
			Name: bs.Names[p], Rating: rt.rating[j], CILow: lo[j], CIHigh: hi[j], Rank: ranks[j],
			Games: r.Games, Wins: r.Wins, Losses: r.Losses, Ties: r.Ties,
		})
	}
	slices.SortStableFunc(lb.Players, func(a, b LeaderboardEntry) int {
		if c := cmp.Compare(b.Rating, a.Rating); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	for _, p := range append(idle, rt.excluded...) {
		lb.Excluded = append(lb.Excluded, bs.Names[p])
	}
	if len(idle) > 0 {
		lb.Notes = append(lb.Notes, fmt.Sprintf("excluded %d players without games", len(idle)))
	}
	return lb, nil
}

// pinned shifts ratings so that position a (if ≥ 0) has rating at.
func pinned(r []float64, a int, at float64) {
	if a < 0 {
		return
	}
	d := at - r[a]
	for i := range r {
		r[i] += d
	}
}

// positionOf returns the position of player p in players, or −1.
func positionOf(players []int, p int) int {
	if p < 0 {
		return -1
	}
	i, ok := slices.BinarySearch(players, p)
	if !ok {
		return -1
	}
	return i
}

// onlineRater rates the active players by an order-dependent method run
// over a battle sequence; bootstrap resamples redraw the sequence.
func onlineRater(bs *Battles, active []int, anchor int, opt RateOptions,
	run func(list []Battle) []float64) *rater {
	a := positionOf(active, anchor)
	pick := func(all []float64) []float64 {
		out := make([]float64, len(active))
		for j, p := range active {
			out[j] = all[p]
		}
		pinned(out, a, opt.AnchorRating)
		return out
	}
	rt := &rater{players: active, rating: pick(run(bs.List))}
	rt.resample = func(rng *rand.Rand) ([]float64, error) {
		idx := make([]int, len(bs.List))
		resampleIndices(rng, len(bs.List), idx)
		list := make([]Battle, len(idx))
		for i, k := range idx {
			list[i] = bs.List[k]
		}
		return pick(run(list)), nil
	}
	return rt
}

func eloRater(bs *Battles, active []int, anchor int, opt RateOptions) *rater {
	n := len(bs.Names)
	rt := onlineRater(bs, active, anchor, opt, func(list []Battle) []float64 { return Elo(list, n, opt.Elo) })
	rt.notes = append(rt.notes, fmt.Sprintf("online Elo in input order: K = %g, start %g; order-dependent", opt.Elo.K, opt.Elo.Initial))
	if anchor >= 0 {
		rt.notes = append(rt.notes, fmt.Sprintf("anchored: %s = %g", opt.Anchor, opt.AnchorRating))
	}
	return rt
}

func glicko2Rater(bs *Battles, active []int, anchor int, opt RateOptions) *rater {
	n := len(bs.Names)
	cfg := opt.Glicko2
	period := cfg.PeriodSize
	if period == 0 {
		period = max(1, 6*n)
	}
	cfg.PeriodSize = period
	var final []Glicko2Rating
	rt := onlineRater(bs, active, anchor, opt, func(list []Battle) []float64 {
		g := Glicko2(list, n, cfg)
		if final == nil {
			final = g // the point fit runs first, before any resample
		}
		out := make([]float64, n)
		for i, r := range g {
			out[i] = r.Rating
		}
		return out
	})
	rt.lo = make([]float64, len(active))
	rt.hi = make([]float64, len(active))
	for j, p := range active {
		rt.lo[j] = rt.rating[j] - 1.96*final[p].RD
		rt.hi[j] = rt.rating[j] + 1.96*final[p].RD
	}
	rt.notes = append(rt.notes, fmt.Sprintf("Glicko-2 in input order: tau = %g, rating periods of %d battles; without --bootstrap CIs are rating ± 1.96·RD", cfg.Tau, period))
	if anchor >= 0 {
		rt.notes = append(rt.notes, fmt.Sprintf("anchored: %s = %g", opt.Anchor, opt.AnchorRating))
	}
	return rt
}

func openSkillRater(bs *Battles, active []int, opt RateOptions) *rater {
	n := len(bs.Names)
	var final []WengLinRating
	rt := onlineRater(bs, active, -1, opt, func(list []Battle) []float64 {
		w := WengLin(list, n, opt.OpenSkill)
		if final == nil {
			final = w
		}
		out := make([]float64, n)
		for i, r := range w {
			out[i] = r.Mu
		}
		return out
	})
	rt.lo = make([]float64, len(active))
	rt.hi = make([]float64, len(active))
	for j, p := range active {
		rt.lo[j] = final[p].Mu - 1.96*final[p].Sigma
		rt.hi[j] = final[p].Mu + 1.96*final[p].Sigma
	}
	c := opt.OpenSkill
	rt.notes = append(rt.notes, fmt.Sprintf("Weng-Lin (%s) in input order: rating = mu; mu0 %g, sigma0 %g, beta %g, tau %g; without --bootstrap CIs are mu ± 1.96·sigma",
		c.Model, c.Initial.Mu, c.Initial.Sigma, c.Beta, c.Tau))
	return rt
}

// subCells returns the cells between players with keep[p] ≥ 0.
func subCells(cells []BattleCell, keep []int32) []BattleCell {
	var out []BattleCell
	for _, c := range cells {
		if keep[c.A] >= 0 && keep[c.B] >= 0 {
			out = append(out, c)
		}
	}
	return out
}

// positions maps each listed player to its position, others to −1.
func positions(n int, players []int) []int32 {
	keep := make([]int32, n)
	for i := range keep {
		keep[i] = -1
	}
	for j, p := range players {
		keep[p] = int32(j)
	}
	return keep
}

// cellResampler returns a function drawing multinomial resamples of the
// cells' counts, each a fresh slice.
func cellResampler(cells []BattleCell) func(rng *rand.Rand) []int64 {
	weights := make([]int64, len(cells))
	var total int64
	for k, c := range cells {
		weights[k] = c.Count
		total += c.Count
	}
	return func(rng *rand.Rand) []int64 {
		out := make([]int64, len(cells))
		multinomial(rng, weights, total, out)
		return out
	}
}

// matrixRater rates the active players by a function of their
// head-to-head scores; resamples redraw the cells.
func matrixRater(cells []BattleCell, active []int, nPlayers int,
	rate func(score, games [][]float64) ([]float64, error)) (*rater, error) {
	keep := positions(nPlayers, active)
	sub := subCells(cells, keep)
	m := len(active)
	fromCounts := func(counts []int64) ([]float64, error) {
		score := make([][]float64, m)
		games := make([][]float64, m)
		for i := range m {
			score[i] = make([]float64, m)
			games[i] = make([]float64, m)
		}
		for k, c := range sub {
			cnt := float64(c.Count)
			if counts != nil {
				cnt = float64(counts[k])
			}
			i, j := keep[c.A], keep[c.B]
			s := c.Outcome.scoreA() * cnt
			score[i][j] += s
			score[j][i] += cnt - s
			games[i][j] += cnt
			games[j][i] += cnt
		}
		return rate(score, games)
	}
	point, err := fromCounts(nil)
	if err != nil {
		return nil, err
	}
	draw := cellResampler(sub)
	return &rater{
		players: active,
		rating:  point,
		resample: func(rng *rand.Rand) ([]float64, error) {
			return fromCounts(draw(rng))
		},
	}, nil
}

func alphaRankRater(cells []BattleCell, active []int, n int, opt RateOptions) (*rater, error) {
	rt, err := matrixRater(cells, active, n, func(score, games [][]float64) ([]float64, error) {
		return AlphaRank(winRateMatrix(score, games), opt.AlphaRank)
	})
	if err != nil {
		return nil, err
	}
	rt.notes = append(rt.notes, fmt.Sprintf("alpha-Rank stationary mass over head-to-head win rates (unplayed pairs 0.5): alpha = %g, m = %d",
		opt.AlphaRank.Alpha, opt.AlphaRank.PopulationSize))
	return rt, nil
}

// winRateMatrix is score/games, 0.5 where a pair never played.
func winRateMatrix(score, games [][]float64) [][]float64 {
	m := len(score)
	w := make([][]float64, m)
	for i := range m {
		w[i] = make([]float64, m)
		for j := range m {
			w[i][j] = 0.5
			if games[i][j] > 0 {
				w[i][j] = score[i][j] / games[i][j]
			}
		}
	}
	return w
}
