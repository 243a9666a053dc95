package league

import (
	"math"
	"testing"
)

// TestGlicko2GlickmanExample reproduces the worked example of Glickman's
// "Example of the Glicko-2 system": a 1500/200/0.06 player beats 1400/30
// and loses to 1550/100 and 1700/300, τ = 0.5. The paper prints
// 1464.06 / 151.52 / 0.05999 after rounding intermediate values; exact
// arithmetic gives 1464.0507 / 151.5165 / 0.0599960.
func TestGlicko2GlickmanExample(t *testing.T) {
	p := Glicko2Rating{Rating: 1500, RD: 200, Volatility: 0.06}
	games := []Glicko2Result{
		{Opponent: Glicko2Rating{Rating: 1400, RD: 30}, Score: 1},
		{Opponent: Glicko2Rating{Rating: 1550, RD: 100}, Score: 0},
		{Opponent: Glicko2Rating{Rating: 1700, RD: 300}, Score: 0},
	}
	got := Glicko2Update(p, games, 0.5)
	if math.Abs(got.Rating-1464.06) > 0.02 || math.Abs(got.RD-151.52) > 0.01 || math.Abs(got.Volatility-0.05999) > 1e-5 {
		t.Fatalf("got %+v, paper says 1464.06 / 151.52 / 0.05999", got)
	}
	if math.Abs(got.Rating-1464.0507) > 1e-3 || math.Abs(got.RD-151.5165) > 1e-3 || math.Abs(got.Volatility-0.0599960) > 1e-7 {
		t.Fatalf("got %+v, exact arithmetic gives 1464.0507 / 151.5165 / 0.0599960", got)
	}
}

func TestGlicko2NoGamesAndPeriods(t *testing.T) {
	// No games: only φ* = √(φ² + σ²) (on the internal scale).
	p := Glicko2Rating{Rating: 1600, RD: 200, Volatility: 0.06}
	got := Glicko2Update(p, nil, 0.5)
	want := math.Sqrt(math.Pow(200/173.7178, 2)+0.06*0.06) * 173.7178
	if got.Rating != 1600 || math.Abs(got.RD-want) > 1e-9 || got.Volatility != 0.06 {
		t.Fatalf("idle update %+v, want RD %v", got, want)
	}

	// Glicko2 over one period equals Glicko2Update against the opponents'
	// pre-period states, with idle players' RD capped at the initial RD.
	cfg := DefaultGlicko2Config()
	cfg.PeriodSize = 3
	battles := []Battle{{0, 1, AWins}, {2, 0, AWins}, {0, 1, Tie}, {1, 2, BWins}}
	got4 := Glicko2(battles, 4, cfg)
	init := cfg.Initial
	first := Glicko2Update(init, []Glicko2Result{{init, 1}, {init, 0}, {init, 0.5}}, cfg.Tau)
	p1 := Glicko2Update(init, []Glicko2Result{{init, 0}, {init, 0.5}}, cfg.Tau)
	p2 := Glicko2Update(init, []Glicko2Result{{init, 1}}, cfg.Tau)
	// Period 2: battle 4 between players 1 and 2 (2 wins).
	want1 := Glicko2Update(p1, []Glicko2Result{{p2, 0}}, cfg.Tau)
	want2 := Glicko2Update(p2, []Glicko2Result{{p1, 1}}, cfg.Tau)
	want0 := Glicko2Update(first, nil, cfg.Tau)
	for i, w := range []Glicko2Rating{want0, want1, want2, init} {
		w.RD = math.Min(w.RD, init.RD)
		if math.Abs(got4[i].Rating-w.Rating) > 1e-9 || math.Abs(got4[i].RD-w.RD) > 1e-9 || math.Abs(got4[i].Volatility-w.Volatility) > 1e-12 {
			t.Errorf("player %d: %+v, want %+v", i, got4[i], w)
		}
	}
	if got4[3].RD != 350 || got4[3].Rating != 1500 {
		t.Errorf("a player without games must stay new: %+v", got4[3])
	}
	if !(got4[2].Rating > 1500 && got4[1].Rating < 1500) {
		t.Errorf("ratings %+v: player 2 (1 win 1 win) should be above player 1", got4)
	}
}
