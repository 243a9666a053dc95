package league

import (
	"fmt"
	"math"
)

// WengLinModel selects the likelihood of Weng & Lin's Bayesian
// approximation method ("A Bayesian Approximation Method for Online
// Ranking", JMLR 2011), the model behind OpenSkill.
type WengLinModel int

// Weng–Lin models.
const (
	// PlackettLuce is OpenSkill's default model.
	PlackettLuce WengLinModel = iota
	// BradleyTerryFull compares every pair of teams with its own scale
	// c_iq = √(σ_i² + σ_q² + 2β²).
	BradleyTerryFull
)

// String returns "plackett-luce" or "bradley-terry".
func (m WengLinModel) String() string {
	switch m {
	case PlackettLuce:
		return "plackett-luce"
	case BradleyTerryFull:
		return "bradley-terry"
	}
	return fmt.Sprintf("WengLinModel(%d)", int(m))
}

// WengLinRating is a player's belief: skill ~ N(Mu, Sigma²).
type WengLinRating struct {
	Mu, Sigma float64
}

// Ordinal is the conservative display value μ − 3σ that OpenSkill ranks by.
func (r WengLinRating) Ordinal() float64 { return r.Mu - 3*r.Sigma }

// WengLinConfig parameterises Weng–Lin updates.
type WengLinConfig struct {
	Model   WengLinModel
	Initial WengLinRating // a new player's belief
	Beta    float64       // performance noise
	Kappa   float64       // floor on the variance shrink factor
	// Tau is added in quadrature to each player's σ before every game, so
	// beliefs never freeze; 0 disables it.
	Tau float64
}

// DefaultWengLinConfig is OpenSkill's default: Plackett–Luce, μ = 25,
// σ = 25/3, β = 25/6, κ = 10⁻⁴, τ = 25/300.
func DefaultWengLinConfig() WengLinConfig {
	return WengLinConfig{
		Model:   PlackettLuce,
		Initial: WengLinRating{Mu: 25, Sigma: 25.0 / 3},
		Beta:    25.0 / 6,
		Kappa:   1e-4,
		Tau:     25.0 / 300,
	}
}

func (c WengLinConfig) validate() error {
	pos := func(x float64) bool { return x > 0 && !math.IsInf(x, 0) }
	switch {
	case c.Model != PlackettLuce && c.Model != BradleyTerryFull:
		return fmt.Errorf("openskill: unknown model %d", int(c.Model))
	case !pos(c.Initial.Sigma):
		return fmt.Errorf("openskill: initial sigma %v: expected a positive number", c.Initial.Sigma)
	case math.IsNaN(c.Initial.Mu) || math.IsInf(c.Initial.Mu, 0):
		return fmt.Errorf("openskill: initial mu %v: expected a finite number", c.Initial.Mu)
	case !pos(c.Beta):
		return fmt.Errorf("openskill: beta %v: expected a positive number", c.Beta)
	case !pos(c.Kappa):
		return fmt.Errorf("openskill: kappa %v: expected a positive number", c.Kappa)
	case !(c.Tau >= 0) || math.IsInf(c.Tau, 0):
		return fmt.Errorf("openskill: tau %v: expected a number ≥ 0", c.Tau)
	}
	return nil
}

// WengLinUpdate returns the beliefs of players a and b after one battle;
// it is WengLinRate for two one-player teams, written out.
//
// With two teams the Plackett–Luce and Bradley–Terry (full) models
// coincide: with c² = σ_a² + σ_b² + 2β² and p_a = 1/(1 + e^{(μ_b−μ_a)/c}),
// μ_a += σ_a²/c·(s_a − p_a) and σ_a² ·= max(1 − (σ_a/c)·σ_a²/c²·p_a(1−p_a), κ),
// where s_a is 1, ½ or 0, and symmetrically for b.
func WengLinUpdate(a, b WengLinRating, o BattleOutcome, cfg WengLinConfig) (WengLinRating, WengLinRating) {
	if cfg.Tau > 0 {
		a.Sigma = math.Hypot(a.Sigma, cfg.Tau)
		b.Sigma = math.Hypot(b.Sigma, cfg.Tau)
	}
	c := math.Sqrt(a.Sigma*a.Sigma + b.Sigma*b.Sigma + 2*cfg.Beta*cfg.Beta)
	pa := 1 / (1 + math.Exp((b.Mu-a.Mu)/c))
	sa := o.scoreA()
	upd := func(r WengLinRating, s, p float64) WengLinRating {
		s2 := r.Sigma * r.Sigma
		delta := r.Sigma / c * s2 / (c * c) * p * (1 - p)
		return WengLinRating{Mu: r.Mu + s2/c*(s-p), Sigma: math.Sqrt(s2 * max(1-delta, cfg.Kappa))}
	}
	return upd(a, sa, pa), upd(b, 1-sa, 1-pa)
}

// WengLinRate returns the beliefs of every player after one match between
// teams, where ranks[i] is team i's place (lower is better, equal ranks
// tie). Team skill is the sum of its players' skills; each player's share
// of the team update is proportional to its variance (Weng & Lin 2011,
// Algorithms 1 and 4, with γ = σ_team/c as in OpenSkill).
func WengLinRate(teams [][]WengLinRating, ranks []int, cfg WengLinConfig) ([][]WengLinRating, error) {
	if len(teams) < 2 || len(ranks) != len(teams) {
		return nil, fmt.Errorf("openskill: %d teams and %d ranks: expected at least two teams, one rank each", len(teams), len(ranks))
	}
	k := len(teams)
	mu := make([]float64, k)
	s2 := make([]float64, k) // team variance
	out := make([][]WengLinRating, k)
	for i, t := range teams {
		if len(t) == 0 {
			return nil, fmt.Errorf("openskill: team %d has no players", i)
		}
		out[i] = make([]WengLinRating, len(t))
		for j, p := range t {
			if cfg.Tau > 0 {
				p.Sigma = math.Hypot(p.Sigma, cfg.Tau)
			}
			out[i][j] = p
			mu[i] += p.Mu
			s2[i] += p.Sigma * p.Sigma
		}
	}
	omega := make([]float64, k)
	delta := make([]float64, k)
	b2 := cfg.Beta * cfg.Beta
	switch cfg.Model {
	case PlackettLuce:
		var c2 float64
		for i := range k {
			c2 += s2[i] + b2
		}
		c := math.Sqrt(c2)
		// sumQ[q] = Σ over teams ranked at or below q of e^{μ/c}; aQ[q] =
		// the number of teams sharing q's rank. Shift by the largest μ so
		// the exponentials cannot overflow; the shift cancels in ratios.
		top := mu[0]
		for _, m := range mu {
			top = max(top, m)
		}
		ex := make([]float64, k)
		for i := range k {
			ex[i] = math.Exp((mu[i] - top) / c)
		}
		sumQ := make([]float64, k)
		aQ := make([]float64, k)
		for q := range k {
			for s := range k {
				if ranks[s] >= ranks[q] {
					sumQ[q] += ex[s]
				}
				if ranks[s] == ranks[q] {
					aQ[q]++
				}
			}
		}
		for i := range k {
			for q := range k {
				if ranks[q] > ranks[i] {
					continue
				}
				p := ex[i] / sumQ[q]
				delta[i] += p * (1 - p) / aQ[q]
				if q == i {
					omega[i] += (1 - p) / aQ[q]
				} else {
					omega[i] -= p / aQ[q]
				}
			}
			omega[i] *= s2[i] / c
			delta[i] *= math.Sqrt(s2[i]) / c * s2[i] / c2
		}
	case BradleyTerryFull:
		for i := range k {
			for q := range k {
				if q == i {
					continue
				}
				c := math.Sqrt(s2[i] + s2[q] + 2*b2)
				p := 1 / (1 + math.Exp((mu[q]-mu[i])/c))
				var s float64
				switch {
				case ranks[q] > ranks[i]:
					s = 1
				case ranks[q] == ranks[i]:
					s = 0.5
				}
				omega[i] += s2[i] / c * (s - p)
				delta[i] += math.Sqrt(s2[i]) / c * s2[i] / (c * c) * p * (1 - p)
			}
		}
	default:
		return nil, fmt.Errorf("openskill: unknown model %d", int(cfg.Model))
	}
	for i := range k {
		for j := range out[i] {
			p := &out[i][j]
			share := p.Sigma * p.Sigma / s2[i]
			p.Mu += share * omega[i]
			p.Sigma *= math.Sqrt(max(1-share*delta[i], cfg.Kappa))
		}
	}
	return out, nil
}

// WengLin rates n players by Weng–Lin updates over battles in order.
func WengLin(battles []Battle, n int, cfg WengLinConfig) []WengLinRating {
	r := make([]WengLinRating, n)
	for i := range r {
		r[i] = cfg.Initial
	}
	for _, b := range battles {
		r[b.A], r[b.B] = WengLinUpdate(r[b.A], r[b.B], b.Outcome, cfg)
	}
	return r
}
