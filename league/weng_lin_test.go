package league

import (
	"math"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// TestWengLinOpenSkillExamples reproduces OpenSkill's documented numbers
// (τ = 0): the README's 2v2 Plackett–Luce example and openskill.js'
// 1v1 draw between two new players.
func TestWengLinOpenSkillExamples(t *testing.T) {
	cfg := DefaultWengLinConfig()
	cfg.Tau = 0
	out, err := WengLinRate([][]WengLinRating{
		{{25, 25.0 / 3}, {32.444, 5.123}},
		{{43.381, 2.421}, {25.188, 6.211}},
	}, []int{1, 2}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]WengLinRating{
		{{28.669648436582808, 8.071520788025197}, {33.83086971107981, 5.062772998705765}},
		{{43.071274808241974, 2.4166900452721256}, {23.149503312339064, 6.1378606973362135}},
	}
	for i := range want {
		for j := range want[i] {
			if !near(out[i][j].Mu, want[i][j].Mu, 1e-12) || !near(out[i][j].Sigma, want[i][j].Sigma, 1e-12) {
				t.Errorf("team %d player %d: %+v, want %+v", i, j, out[i][j], want[i][j])
			}
		}
	}
	a, b := WengLinUpdate(cfg.Initial, cfg.Initial, Tie, cfg)
	if a.Mu != 25 || b.Mu != 25 || !near(a.Sigma, 8.065506316323548, 1e-13) || a.Sigma != b.Sigma {
		t.Errorf("1v1 draw: %+v %+v, want 25 / 8.065506316323548 each", a, b)
	}
}

// TestWengLinHandComputed checks a 1v1 win against the closed form: with
// equal priors p = ½, c² = 2σ² + 2β², μ moves by ±σ²/(2c) and σ² shrinks by
// 1 − (σ/c)(σ²/c²)/4.
func TestWengLinHandComputed(t *testing.T) {
	cfg := DefaultWengLinConfig()
	cfg.Tau = 0
	s, beta := 25.0/3, 25.0/6
	c := math.Sqrt(2*s*s + 2*beta*beta)
	mu := s * s / (2 * c)
	sig := s * math.Sqrt(1-(s/c)*(s*s/(c*c))/4)
	for _, m := range []WengLinModel{PlackettLuce, BradleyTerryFull} {
		cfg.Model = m
		w, l := WengLinUpdate(cfg.Initial, cfg.Initial, AWins, cfg)
		if !near(w.Mu, 25+mu, 1e-12) || !near(l.Mu, 25-mu, 1e-12) || !near(w.Sigma, sig, 1e-12) || !near(l.Sigma, sig, 1e-12) {
			t.Errorf("%v: winner %+v loser %+v, want μ 25±%v σ %v", m, w, l, mu, sig)
		}
	}
	// τ inflates σ in quadrature before the game.
	cfg.Tau = 25.0 / 300
	w, _ := WengLinUpdate(cfg.Initial, cfg.Initial, AWins, cfg)
	if w.Sigma <= sig {
		t.Errorf("τ > 0 should leave σ larger: %v <= %v", w.Sigma, sig)
	}
}

// TestWengLinUpdateMatchesGeneral checks the 1v1 fast path against the
// general team update for both models, every outcome, unequal priors and τ.
func TestWengLinUpdateMatchesGeneral(t *testing.T) {
	cfg := DefaultWengLinConfig()
	a0, b0 := WengLinRating{Mu: 31, Sigma: 4}, WengLinRating{Mu: 22, Sigma: 7.5}
	for _, m := range []WengLinModel{PlackettLuce, BradleyTerryFull} {
		cfg.Model = m
		for o, ranks := range map[BattleOutcome][]int{AWins: {1, 2}, BWins: {2, 1}, Tie: {1, 1}} {
			a, b := WengLinUpdate(a0, b0, o, cfg)
			g, err := WengLinRate([][]WengLinRating{{a0}, {b0}}, ranks, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if !near(a.Mu, g[0][0].Mu, 1e-12) || !near(a.Sigma, g[0][0].Sigma, 1e-12) ||
				!near(b.Mu, g[1][0].Mu, 1e-12) || !near(b.Sigma, g[1][0].Sigma, 1e-12) {
				t.Errorf("%v %v: fast %+v %+v, general %+v", m, o, a, b, g)
			}
		}
	}
}

// TestWengLinThreeTeams: with three teams the models differ. Expected
// values were computed independently (Python, the paper's formulas).
func TestWengLinThreeTeams(t *testing.T) {
	cfg := DefaultWengLinConfig()
	cfg.Tau = 0
	teams := [][]WengLinRating{{{25, 25.0 / 3}}, {{30, 5}}, {{20, 3}}}
	want := map[WengLinModel][]WengLinRating{
		PlackettLuce:     {{28.8078952768376, 8.06007238051859}, {29.6743036670942, 4.92484167546369}, {19.6237474519679, 2.99204098679515}},
		BradleyTerryFull: {{31.2272999125658, 7.41755519140552}, {29.3567360607012, 4.84976695750464}, {19.424516949479, 2.97936271048266}},
	}
	for m, w := range want {
		cfg.Model = m
		out, err := WengLinRate(teams, []int{1, 2, 3}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		for i := range w {
			if !near(out[i][0].Mu, w[i].Mu, 1e-10) || !near(out[i][0].Sigma, w[i].Sigma, 1e-10) {
				t.Errorf("%v team %d: %+v, want %+v", m, i, out[i][0], w[i])
			}
		}
	}
	if _, err := WengLinRate(teams[:1], []int{1}, cfg); err == nil {
		t.Error("one team accepted")
	}
	if _, err := WengLinRate([][]WengLinRating{{}, {{25, 8}}}, []int{1, 2}, cfg); err == nil {
		t.Error("empty team accepted")
	}
}

func TestWengLinSequence(t *testing.T) {
	cfg := DefaultWengLinConfig()
	r := WengLin([]Battle{{0, 1, AWins}, {0, 2, AWins}, {1, 2, AWins}}, 3, cfg)
	if !(r[0].Mu > r[1].Mu && r[1].Mu > r[2].Mu) {
		t.Fatalf("transitive results give %+v", r)
	}
	if r[0].Ordinal() != r[0].Mu-3*r[0].Sigma {
		t.Fatal("ordinal")
	}
}
