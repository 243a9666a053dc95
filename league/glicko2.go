package league

import (
	"fmt"
	"math"
)

// glicko2Scale converts between the Glicko rating scale and Glicko-2's
// internal one: μ = (r − 1500)/173.7178.
const glicko2Scale = 173.7178

// Glicko2Rating is a player's Glicko-2 state on the Glicko scale.
type Glicko2Rating struct {
	Rating     float64 // r, 1500 for a new player
	RD         float64 // rating deviation, 350 for a new player
	Volatility float64 // σ, 0.06 for a new player
}

// Glicko2Config parameterises Glicko-2 (Glickman, "Example of the Glicko-2
// system").
type Glicko2Config struct {
	// Tau constrains how fast volatility changes; Glickman suggests 0.3–1.2.
	Tau float64
	// Initial is a new player's state.
	Initial Glicko2Rating
	// PeriodSize is the number of consecutive battles in one rating period.
	// Glicko-2 works best when each player plays 10–15 games per period;
	// 0 picks 6 × the number of players, about 12 games per player.
	PeriodSize int
}

// DefaultGlicko2Config is Glickman's example: τ = 0.5, new players at
// 1500 / 350 / 0.06, automatic period size.
func DefaultGlicko2Config() Glicko2Config {
	return Glicko2Config{Tau: 0.5, Initial: Glicko2Rating{Rating: 1500, RD: 350, Volatility: 0.06}}
}

func (c Glicko2Config) validate() error {
	switch {
	case !(c.Tau > 0) || math.IsInf(c.Tau, 0):
		return fmt.Errorf("glicko2: tau = %v: expected a positive number", c.Tau)
	case !(c.Initial.RD > 0) || math.IsInf(c.Initial.RD, 0):
		return fmt.Errorf("glicko2: initial RD = %v: expected a positive number", c.Initial.RD)
	case !(c.Initial.Volatility > 0) || math.IsInf(c.Initial.Volatility, 0):
		return fmt.Errorf("glicko2: initial volatility = %v: expected a positive number", c.Initial.Volatility)
	case math.IsNaN(c.Initial.Rating) || math.IsInf(c.Initial.Rating, 0):
		return fmt.Errorf("glicko2: initial rating %v: expected a finite number", c.Initial.Rating)
	case c.PeriodSize < 0:
		return fmt.Errorf("glicko2: period size %d: expected ≥ 0", c.PeriodSize)
	}
	return nil
}

// Glicko2Result is one game of a rating period: the opponent's pre-period
// state and the player's score (1 win, ½ tie, 0 loss).
type Glicko2Result struct {
	Opponent Glicko2Rating
	Score    float64
}

// Glicko2Update returns the player's state after one rating period with
// the given games (steps 2–8 of Glickman's example). With no games only
// the deviation grows: φ' = √(φ² + σ²).
func Glicko2Update(p Glicko2Rating, games []Glicko2Result, tau float64) Glicko2Rating {
	mu := (p.Rating - 1500) / glicko2Scale
	phi := p.RD / glicko2Scale
	sigma := p.Volatility
	if len(games) == 0 {
		return Glicko2Rating{Rating: p.Rating, RD: math.Sqrt(phi*phi+sigma*sigma) * glicko2Scale, Volatility: sigma}
	}
	var vInv, sum float64 // 1/v and Σ g(φ_j)(s_j − E_j)
	for _, g := range games {
		muJ := (g.Opponent.Rating - 1500) / glicko2Scale
		gj := glicko2G(g.Opponent.RD / glicko2Scale)
		e := 1 / (1 + math.Exp(-gj*(mu-muJ)))
		vInv += gj * gj * e * (1 - e)
		sum += gj * (g.Score - e)
	}
	v := 1 / vInv
	delta := v * sum
	sigma = glicko2Volatility(delta, phi, v, sigma, tau)
	phiStar := math.Sqrt(phi*phi + sigma*sigma)
	phiNew := 1 / math.Sqrt(1/(phiStar*phiStar)+1/v)
	muNew := mu + phiNew*phiNew*sum
	return Glicko2Rating{Rating: 1500 + glicko2Scale*muNew, RD: glicko2Scale * phiNew, Volatility: sigma}
}

// glicko2G is g(φ) = 1/√(1 + 3φ²/π²).
func glicko2G(phi float64) float64 {
	return 1 / math.Sqrt(1+3*phi*phi/(math.Pi*math.Pi))
}

// glicko2Volatility is step 5: the new volatility by the Illinois variant
// of regula falsi on f(x) = eˣ(Δ² − φ² − v − eˣ)/(2(φ² + v + eˣ)²) − (x − a)/τ².
func glicko2Volatility(delta, phi, v, sigma, tau float64) float64 {
	const eps = 1e-6
	a := math.Log(sigma * sigma)
	f := func(x float64) float64 {
		ex := math.Exp(x)
		d := phi*phi + v + ex
		return ex*(delta*delta-phi*phi-v-ex)/(2*d*d) - (x-a)/(tau*tau)
	}
	A := a
	var B float64
	if delta*delta > phi*phi+v {
		B = math.Log(delta*delta - phi*phi - v)
	} else {
		k := 1.0
		for f(a-k*tau) < 0 {
			k++
		}
		B = a - k*tau
	}
	fA, fB := f(A), f(B)
	for i := 0; math.Abs(B-A) > eps && i < 200; i++ {
		C := A + (A-B)*fA/(fB-fA)
		fC := f(C)
		if fC*fB <= 0 {
			A, fA = B, fB
		} else {
			fA /= 2
		}
		B, fB = C, fC
	}
	return math.Exp(A / 2)
}

// Glicko2 rates n players over battles grouped into consecutive rating
// periods of cfg.PeriodSize battles. Within a period every player's games
// are scored against the opponents' pre-period states; a player without
// games in a period only gains deviation, capped at the initial RD so a
// long absence returns a player to "new", not beyond.
func Glicko2(battles []Battle, n int, cfg Glicko2Config) []Glicko2Rating {
	period := cfg.PeriodSize
	if period == 0 {
		period = max(1, 6*n)
	}
	r := make([]Glicko2Rating, n)
	for i := range r {
		r[i] = cfg.Initial
	}
	games := make([][]Glicko2Result, n)
	next := make([]Glicko2Rating, n)
	for start := 0; start < len(battles); start += period {
		for i := range games {
			games[i] = games[i][:0]
		}
		for _, b := range battles[start:min(start+period, len(battles))] {
			s := b.Outcome.scoreA()
			games[b.A] = append(games[b.A], Glicko2Result{Opponent: r[b.B], Score: s})
			games[b.B] = append(games[b.B], Glicko2Result{Opponent: r[b.A], Score: 1 - s})
		}
		for i := range r {
			next[i] = Glicko2Update(r[i], games[i], cfg.Tau)
			next[i].RD = min(next[i].RD, cfg.Initial.RD)
		}
		r, next = next, r
	}
	return r
}
