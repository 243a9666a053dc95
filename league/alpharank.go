package league

import (
	"errors"
	"fmt"
	"math"
)

// AlphaRankConfig parameterises α-Rank.
type AlphaRankConfig struct {
	// Alpha is the ranking intensity: how strongly selection favours the
	// fitter strategy. Large values approach the infinite-α limit.
	Alpha float64
	// PopulationSize is m, the size of the evolving population.
	PopulationSize int
}

// DefaultAlphaRankConfig is OpenSpiel's default: α = 100, m = 50.
func DefaultAlphaRankConfig() AlphaRankConfig {
	return AlphaRankConfig{Alpha: 100, PopulationSize: 50}
}

func (c AlphaRankConfig) validate() error {
	if !(c.Alpha > 0) || math.IsInf(c.Alpha, 0) {
		return fmt.Errorf("alpharank: alpha %v: expected a positive number", c.Alpha)
	}
	if c.PopulationSize < 2 {
		return fmt.Errorf("alpharank: population size %d: expected at least 2", c.PopulationSize)
	}
	return nil
}

// AlphaRank returns the α-Rank distribution (Omidshafiei et al., "α-Rank:
// Multi-Agent Evaluation by Evolution", 2019) of a single-population
// symmetric game, where payoff[i][j] is the payoff of strategy i against
// strategy j, for example i's win rate against j.
//
// The states of the Markov chain are monomorphic populations. From a
// population playing σ, a mutant τ arises with probability 1/(n−1) and
// takes over with the fixation probability of the Moran process with
// fitnesses f_τ = payoff[τ][σ], f_σ = payoff[σ][τ] (the local selection
// model, OpenSpiel's default):
//
//	ρ = (1 − e^{−αΔ}) / (1 − e^{−mαΔ}),  Δ = f_τ − f_σ,   ρ = 1/m when Δ = 0.
//
// The result is the chain's stationary distribution; strategies with more
// mass rank higher. Among better and worse mutants every pair has a
// positive transition in at least one direction, so the chain has exactly
// one closed class and the distribution is unique even when α is so large
// that some transition probabilities underflow to zero.
//
// AlphaRank also serves as a PSRO meta-solver: pass the empirical
// meta-game's payoff matrix.
func AlphaRank(payoff [][]float64, cfg AlphaRankConfig) ([]float64, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	n := len(payoff)
	if n == 0 {
		return nil, errors.New("alpharank: empty payoff matrix")
	}
	for i, row := range payoff {
		if len(row) != n {
			return nil, fmt.Errorf("alpharank: payoff row %d has %d entries, expected %d", i, len(row), n)
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("alpharank: payoff[%d][%d] = %v: expected a finite number", i, j, v)
			}
		}
	}
	if n == 1 {
		return []float64{1}, nil
	}
	m := float64(cfg.PopulationSize)
	eta := 1 / float64(n-1)
	// p[s][t] is the probability of moving from population s to t.
	p := make([][]float64, n)
	for s := range n {
		p[s] = make([]float64, n)
		stay := 1.0
		for t := range n {
			if t == s {
				continue
			}
			p[s][t] = eta * fixation(payoff[t][s]-payoff[s][t], cfg.Alpha, m)
			stay -= p[s][t]
		}
		p[s][s] = max(stay, 0)
	}
	return stationary(p), nil
}

// fixation is the probability that one mutant with fitness advantage d
// takes over a population of m under selection intensity alpha, written to
// neither overflow nor cancel for large |αd|.
func fixation(d, alpha, m float64) float64 {
	x := alpha * d
	switch {
	case x == 0:
		return 1 / m
	case x > 0: // (1 − e^{−x}) / (1 − e^{−mx})
		return math.Expm1(-x) / math.Expm1(-m*x)
	default: // (e^{|x|} − 1)/(e^{m|x|} − 1) = e^{−(m−1)|x|}·(1 − e^{−|x|})/(1 − e^{−m|x|})
		y := -x
		return math.Exp(-(m-1)*y) * math.Expm1(-y) / math.Expm1(-m*y)
	}
}

// stationary returns the stationary distribution of the row-stochastic
// matrix p, which must have exactly one closed communicating class. It
// restricts p to that class and applies the Grassmann–Taksar–Heyman state
// reduction, which only adds and divides non-negative numbers and so stays
// accurate when transition probabilities span hundreds of orders of
// magnitude.
func stationary(p [][]float64) []float64 {
	n := len(p)
	closed := closedClass(p)
	k := len(closed)
	q := make([][]float64, k)
	for a, s := range closed {
		q[a] = make([]float64, k)
		for b, t := range closed {
			q[a][b] = p[s][t]
		}
	}
	for l := k - 1; l > 0; l-- {
		var s float64
		for j := range l {
			s += q[l][j]
		}
		for i := range l {
			q[i][l] /= s
		}
		for i := range l {
			if q[i][l] == 0 {
				continue
			}
			for j := range l {
				q[i][j] += q[i][l] * q[l][j]
			}
		}
	}
	pi := make([]float64, k)
	pi[0] = 1
	total := 1.0
	for l := 1; l < k; l++ {
		for i := range l {
			pi[l] += pi[i] * q[i][l]
		}
		total += pi[l]
	}
	out := make([]float64, n)
	for a, s := range closed {
		out[s] = pi[a] / total
	}
	return out
}

// closedClass returns the states of the closed class reachable from every
// state of p, in increasing order: the sink among the strongly connected
// components of the graph with an edge s→t when p[s][t] > 0.
func closedClass(p [][]float64) []int {
	n := len(p)
	// reach[s] is the set of states reachable from s (BFS; n is small).
	reach := make([][]bool, n)
	for s := range n {
		seen := make([]bool, n)
		seen[s] = true
		queue := []int{s}
		for len(queue) > 0 {
			u := queue[0]
			queue = queue[1:]
			for t, v := range p[u] {
				if v > 0 && !seen[t] {
					seen[t] = true
					queue = append(queue, t)
				}
			}
		}
		reach[s] = seen
	}
	// A state is in a closed class when everything it reaches reaches it
	// back; pick the first such state's class.
	for s := range n {
		closed := true
		for t := range n {
			if reach[s][t] && !reach[t][s] {
				closed = false
				break
			}
		}
		if !closed {
			continue
		}
		var class []int
		for t := range n {
			if reach[s][t] {
				class = append(class, t)
			}
		}
		return class
	}
	panic("league: a finite Markov chain without a closed class")
}
