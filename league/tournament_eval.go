package league

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
)

// KendallTau returns Kendall's τ-b between two scorings of the same items
// (higher is better in both): (concordant − discordant) pairs over the
// geometric mean of the pairs not tied in each. It is 1 for the same order,
// −1 for the reverse, and NaN when either scoring ties everything.
func KendallTau(x, y []float64) float64 {
	if len(x) != len(y) {
		panic(fmt.Sprintf("league: KendallTau of %d and %d items", len(x), len(y)))
	}
	var conc, disc, tieX, tieY float64
	for i := range x {
		for j := i + 1; j < len(x); j++ {
			dx, dy := x[i]-x[j], y[i]-y[j]
			switch {
			case dx == 0 && dy == 0:
				tieX++
				tieY++
			case dx == 0:
				tieX++
			case dy == 0:
				tieY++
			case (dx > 0) == (dy > 0):
				conc++
			default:
				disc++
			}
		}
	}
	pairs := float64(len(x)) * float64(len(x)-1) / 2
	return (conc - disc) / math.Sqrt((pairs-tieX)*(pairs-tieY))
}

// orderScores turns an order (best first) into scores for KendallTau.
func orderScores(order []int) []float64 {
	s := make([]float64, len(order))
	for k, i := range order {
		s[i] = float64(len(order) - k)
	}
	return s
}

// RecoveryConfig configures MeasureRecovery.
type RecoveryConfig struct {
	Players int     // field size (default 32)
	Spread  float64 // strengths evenly spaced over this many logits (default 4)
	Trials  int     // independent tournaments per point (default 200)
	Seed    uint64
	// ReferenceCycles is the number of games per pair of the reference
	// round robin (default 4).
	ReferenceCycles int
	// RoundRobinRounds and SwissRounds are the budgets measured (default:
	// RR 1, 2, 3, 4, 6, 8, 12, 16, 24 and all n−1 rounds; Swiss 1…8).
	RoundRobinRounds []int
	SwissRounds      []int
}

// RecoveryPoint is the mean agreement of one format at one budget.
type RecoveryPoint struct {
	Format  string  // "roundrobin", "swiss", "elimination" or "elimination-anchor"
	Rounds  int     // rounds played (round robin, Swiss); 0 for elimination
	Matches float64 // mean matches played
	// Tau is the mean Kendall τ between the format's order and the
	// reference round robin's; TauSE its standard error over trials.
	Tau, TauSE float64
	// TauTruth is the mean τ against the true strength order.
	TauTruth float64
	// Top is the mean fraction of the reference's top quarter that the
	// format also places in its top quarter (precision at n/4).
	Top float64
}

func (c *RecoveryConfig) defaults() {
	if c.Players == 0 {
		c.Players = 32
	}
	if c.Spread == 0 {
		c.Spread = 4
	}
	if c.Trials == 0 {
		c.Trials = 200
	}
	if c.ReferenceCycles == 0 {
		c.ReferenceCycles = 4
	}
	if c.RoundRobinRounds == nil {
		for _, r := range []int{1, 2, 3, 4, 6, 8, 12, 16, 24} {
			if r < c.Players-1 {
				c.RoundRobinRounds = append(c.RoundRobinRounds, r)
			}
		}
		c.RoundRobinRounds = append(c.RoundRobinRounds, c.Players-1+c.Players%2)
	}
	if c.SwissRounds == nil {
		for r := 1; r <= 8 && r < c.Players; r++ {
			c.SwissRounds = append(c.SwissRounds, r)
		}
	}
}

// MeasureRecovery measures how well each tournament format recovers the
// full round-robin ranking per match played. The population has known
// strengths θ evenly spaced over Spread logits, each match won by i with
// probability 1/(1+e^{θj−θi}) (Bradley–Terry, no draws). In every trial the
// players are listed in a random order (so list-order tiebreaks carry no
// information), a reference round robin of ReferenceCycles games per pair
// is played, and each format is played with fresh outcomes; τ is taken
// between the format's final order and the reference's.
func MeasureRecovery(ctx context.Context, cfg RecoveryConfig) ([]RecoveryPoint, error) {
	cfg.defaults()
	n := cfg.Players
	if n < 4 || cfg.Trials < 2 || cfg.ReferenceCycles < 1 {
		return nil, fmt.Errorf("league: recovery needs ≥ 4 players, ≥ 2 trials and ≥ 1 reference cycle, got %d, %d, %d", n, cfg.Trials, cfg.ReferenceCycles)
	}
	type format struct {
		name   string
		rounds int
		run    func(ctx context.Context, names []string, play PlayFunc) (*TournamentResult, error)
	}
	var formats []format
	for _, r := range cfg.RoundRobinRounds {
		formats = append(formats, format{"roundrobin", r, func(ctx context.Context, names []string, play PlayFunc) (*TournamentResult, error) {
			return RoundRobin(ctx, names, 1, r, play)
		}})
	}
	for _, r := range cfg.SwissRounds {
		formats = append(formats, format{"swiss", r, func(ctx context.Context, names []string, play PlayFunc) (*TournamentResult, error) {
			return Swiss(ctx, names, r, play)
		}})
	}
	formats = append(formats,
		format{"elimination", 0, func(ctx context.Context, names []string, play PlayFunc) (*TournamentResult, error) {
			return SingleElimination(ctx, names, -1, play)
		}},
		format{"elimination-anchor", 0, func(ctx context.Context, names []string, play PlayFunc) (*TournamentResult, error) {
			return SingleElimination(ctx, names, 0, play)
		}})

	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprint(i)
	}
	type acc struct{ matches, tau, tau2, truth, top float64 }
	sums := make([]acc, len(formats))
	for trial := range uint64(cfg.Trials) {
		// theta[i]: strength of the player listed i-th.
		theta := make([]float64, n)
		for i, p := range rand.New(rand.NewPCG(cfg.Seed, trial)).Perm(n) {
			theta[i] = cfg.Spread * (float64(p)/float64(n-1) - 0.5)
		}
		// Each format draws its outcomes from its own stream, so adding or
		// removing a format leaves the others' numbers unchanged.
		player := func(stream uint64) PlayFunc {
			rng := rand.New(rand.NewPCG(cfg.Seed^stream, trial))
			return func(_ context.Context, _ int, pairs []Pairing) ([]Outcome, error) {
				out := make([]Outcome, len(pairs))
				for k, p := range pairs {
					out[k] = OutcomeBWins
					if rng.Float64() < 1/(1+math.Exp(theta[p.B]-theta[p.A])) {
						out[k] = OutcomeAWins
					}
				}
				return out, nil
			}
		}
		ref, err := RoundRobin(ctx, names, cfg.ReferenceCycles, 0, player(0x7265666572656e63))
		if err != nil {
			return nil, err
		}
		refScores := orderScores(ref.Order())
		quarter := max(1, n/4)
		refTop := make(map[int]bool, quarter)
		for _, i := range ref.Order()[:quarter] {
			refTop[i] = true
		}
		for f, fm := range formats {
			res, err := fm.run(ctx, names, player(streamOf(fm.name, fm.rounds)))
			if err != nil {
				return nil, fmt.Errorf("league: recovery, %s: %w", fm.name, err)
			}
			sc := orderScores(res.Order())
			tau := KendallTau(sc, refScores)
			sums[f].matches += float64(res.Matches())
			sums[f].tau += tau
			sums[f].tau2 += tau * tau
			sums[f].truth += KendallTau(sc, theta)
			for _, i := range res.Order()[:quarter] {
				if refTop[i] {
					sums[f].top += 1 / float64(quarter)
				}
			}
		}
	}
	out := make([]RecoveryPoint, len(formats))
	t := float64(cfg.Trials)
	for f, fm := range formats {
		s := sums[f]
		mean := s.tau / t
		variance := max(0, s.tau2/t-mean*mean) * t / (t - 1)
		out[f] = RecoveryPoint{Format: fm.name, Rounds: fm.rounds, Matches: s.matches / t,
			Tau: mean, TauSE: math.Sqrt(variance / t), TauTruth: s.truth / t, Top: s.top / t}
	}
	return out, nil
}

// streamOf names a format's random stream (FNV-1a of name and rounds).
func streamOf(name string, rounds int) uint64 {
	h := uint64(14695981039346656037)
	for _, b := range []byte(fmt.Sprintf("%s/%d", name, rounds)) {
		h = (h ^ uint64(b)) * 1099511628211
	}
	return h
}
