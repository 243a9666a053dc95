package league

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// rateOK runs Rate and fails the test on error.
func rateOK(t *testing.T, bs *Battles, opt RateOptions) *Leaderboard {
	t.Helper()
	lb, err := Rate(context.Background(), bs, opt)
	if err != nil {
		t.Fatal(err)
	}
	return lb
}

func ratingsByName(lb *Leaderboard) map[string]LeaderboardEntry {
	m := make(map[string]LeaderboardEntry, len(lb.Players))
	for _, p := range lb.Players {
		m[p.Name] = p
	}
	return m
}

// synthBattles draws n battles among players with natural-log strengths
// beta: uniform random pairs, P(a beats b) = σ(β_a − β_b), and a tie with
// probability tieP instead of a decisive result.
func synthBattles(beta []float64, n int, tieP float64, seed uint64) *Battles {
	rng := rand.New(rand.NewPCG(seed, 1))
	bs := NewBattles()
	for i := range beta {
		bs.Intern(fmt.Sprintf("p%02d", i))
	}
	for range n {
		a := rng.IntN(len(beta))
		b := rng.IntN(len(beta) - 1)
		if b >= a {
			b++
		}
		o := BWins
		switch u := rng.Float64(); {
		case u < tieP:
			o = Tie
		case rng.Float64() < btSigmoid(beta[a]-beta[b]):
			o = AWins
		}
		bs.List = append(bs.List, Battle{A: int32(a), B: int32(b), Outcome: o})
	}
	return bs
}

func TestBTTwoPlayersClosedForm(t *testing.T) {
	// A: 3 wins, 2 ties, 1 loss against B. Ties are half wins, so A scores
	// 4 of 6 and the MLE has β_A − β_B = ln(4/2): a gap of 400·log10(2).
	bs := NewBattles()
	for _, o := range []BattleOutcome{AWins, AWins, AWins, Tie, Tie, BWins} {
		bs.Add("A", "B", o)
	}
	lb := rateOK(t, bs, DefaultRateOptions(MethodBT))
	r := ratingsByName(lb)
	gap := 400 * math.Log10(2)
	if !near(r["A"].Rating-r["B"].Rating, gap, 1e-7) || !near(r["A"].Rating+r["B"].Rating, 2000, 1e-7) {
		t.Fatalf("ratings %+v, want a gap of %v around 1000", lb.Players, gap)
	}
	if r["A"].Wins != 3 || r["A"].Ties != 2 || r["A"].Losses != 1 || r["B"].Games != 6 {
		t.Fatalf("records %+v", lb.Players)
	}
	// Anchoring moves the scale, not the gap.
	opt := DefaultRateOptions(MethodBT)
	opt.Anchor, opt.AnchorRating = "B", 1114
	r = ratingsByName(rateOK(t, bs, opt))
	if r["B"].Rating != 1114 || !near(r["A"].Rating, 1114+gap, 1e-7) {
		t.Fatalf("anchored ratings %+v", r)
	}
}

func TestBTRecoversKnownStrengths(t *testing.T) {
	beta := []float64{1.2, 0.7, 0.3, 0, -0.2, -0.5, -0.9, -1.1}
	bs := synthBattles(beta, 60000, 0.1, 7)
	lb := rateOK(t, bs, DefaultRateOptions(MethodBT))
	r := ratingsByName(lb)
	// Ties are drawn independently of strength, which shrinks the BT
	// strengths by the decisive fraction: the expected score is
	// 0.05 + 0.9·σ(d), so the fitted d is smaller than the true one.
	// Compare on the implied expected scores instead.
	for i, b := range beta {
		for j, c := range beta {
			if i >= j {
				continue
			}
			want := 0.1*0.5 + 0.9*btSigmoid(b-c)
			ri, rj := r[fmt.Sprintf("p%02d", i)].Rating, r[fmt.Sprintf("p%02d", j)].Rating
			got := btSigmoid((ri - rj) / eloScale)
			if math.Abs(got-want) > 0.02 {
				t.Errorf("P(p%02d beats p%02d) = %.3f, want %.3f", i, j, got, want)
			}
		}
	}
	// Sorted by rating, CI-aware ranks never decrease down the table.
	for k := 1; k < len(lb.Players); k++ {
		if lb.Players[k].Rating > lb.Players[k-1].Rating || lb.Players[k].Rank < lb.Players[k-1].Rank {
			t.Fatalf("table out of order: %+v", lb.Players)
		}
	}
}

// TestBTWaldIntervals checks the Wald intervals against the spread of
// fits over independent data sets drawn from the same strengths.
func TestBTWaldIntervals(t *testing.T) {
	beta := []float64{0.8, 0.3, 0, -0.4, -0.7}
	lb := rateOK(t, synthBattles(beta, 4000, 0, 1), DefaultRateOptions(MethodBT))
	half := map[string]float64{}
	for _, p := range lb.Players {
		half[p.Name] = (p.CIHigh - p.CILow) / 2
		if p.CILow >= p.Rating || p.CIHigh <= p.Rating {
			t.Fatalf("interval does not contain the rating: %+v", p)
		}
	}
	reps := 60
	if testing.Short() {
		reps = 20
	}
	fits := map[string][]float64{}
	for s := range reps {
		for _, p := range rateOK(t, synthBattles(beta, 4000, 0, uint64(100+s)), DefaultRateOptions(MethodBT)).Players {
			fits[p.Name] = append(fits[p.Name], p.Rating)
		}
	}
	for name, xs := range fits {
		var m, v float64
		for _, x := range xs {
			m += x
		}
		m /= float64(len(xs))
		for _, x := range xs {
			v += (x - m) * (x - m)
		}
		sd := math.Sqrt(v / float64(len(xs)-1))
		if ratio := half[name] / (1.96 * sd); ratio < 0.7 || ratio > 1.4 {
			t.Errorf("%s: Wald half-width %.1f vs 1.96·sd over data sets %.1f", name, half[name], 1.96*sd)
		}
	}
}

func TestBTNewtonMatchesMM(t *testing.T) {
	beta := []float64{1, 0.5, 0.1, 0, -0.3, -1, 0.2, -0.6, 0.4, -0.1}
	bs := synthBattles(beta, 5000, 0.15, 3)
	pairs := pairsOf(bs.Cells(), nil)
	for _, prior := range []float64{0, 2} {
		nw, err := btNewton(pairs, len(beta), prior, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		mm, err := btMM(pairs, len(beta), prior, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range beta {
			if !near(nw.beta[i], mm.beta[i], 1e-8) {
				t.Errorf("prior %v player %d: Newton %v, MM %v", prior, i, nw.beta[i], mm.beta[i])
			}
		}
		// Stationarity: the gradient of the likelihood vanishes.
		grad := make([]float64, len(beta))
		for _, p := range pairs {
			g := p.ScoreI - p.Games*btSigmoid(nw.beta[p.I]-nw.beta[p.J])
			grad[p.I] += g
			grad[p.J] -= g
		}
		for i := range grad {
			if prior > 0 {
				grad[i] += prior * (0.5 - btSigmoid(nw.beta[i]))
			}
			if math.Abs(grad[i]) > 1e-6 {
				t.Errorf("prior %v: gradient %v at player %d", prior, grad[i], i)
			}
		}
	}
}

func TestBTExcludesOutsideLargestComponent(t *testing.T) {
	bs := NewBattles()
	// A > B > C > A, plus a tie A = C: one strongly connected group.
	bs.Add("A", "B", AWins)
	bs.Add("B", "C", AWins)
	bs.Add("C", "A", AWins)
	bs.Add("A", "C", Tie)
	bs.Add("A", "B", BWins)
	bs.Add("D", "A", AWins) // D never lost: above
	bs.Add("B", "E", AWins) // E never won: below
	bs.Add("E", "H", AWins) // H only lost to E: below too, indirectly
	bs.Add("F", "G", Tie)   // F and G only drew each other: not linked
	lb := rateOK(t, bs, DefaultRateOptions(MethodBT))
	var rated []string
	for _, p := range lb.Players {
		rated = append(rated, p.Name)
	}
	slices.Sort(rated)
	if !slices.Equal(rated, []string{"A", "B", "C"}) || !slices.Equal(lb.Excluded, []string{"D", "E", "H", "F", "G"}) {
		t.Fatalf("rated %v excluded %v", rated, lb.Excluded)
	}
	notes := strings.Join(lb.Notes, "\n")
	for _, want := range []string{"5 strongly connected components", "(MLE +∞): D", "(MLE −∞): E, H", "either direction: F, G"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	// The rated players' fit is the fit of their games alone.
	sub := NewBattles()
	for _, b := range bs.List[:5] {
		sub.Add(bs.Names[b.A], bs.Names[b.B], b.Outcome)
	}
	want := ratingsByName(rateOK(t, sub, DefaultRateOptions(MethodBT)))
	for _, p := range lb.Players {
		if !near(p.Rating, want[p.Name].Rating, 1e-9) {
			t.Errorf("%s: %v, fit of the component alone %v", p.Name, p.Rating, want[p.Name].Rating)
		}
	}
	// Anchoring to an excluded player is an error that says why.
	opt := DefaultRateOptions(MethodBT)
	opt.Anchor, opt.AnchorRating = "D", 1000
	if _, err := Rate(context.Background(), bs, opt); err == nil || !strings.Contains(err.Error(), "excluded") {
		t.Errorf("anchor on an excluded player: %v", err)
	}
	// A prior rates everyone, with finite ratings in the right order.
	opt = DefaultRateOptions(MethodBT)
	opt.BT.Prior = 1
	all := ratingsByName(rateOK(t, bs, opt))
	if len(all) != 8 || !(all["D"].Rating > all["A"].Rating && all["E"].Rating < all["B"].Rating && all["H"].Rating < all["E"].Rating) {
		t.Errorf("with a prior: %+v", all)
	}
}

func TestBTNoMLE(t *testing.T) {
	bs := NewBattles()
	bs.Add("A", "B", AWins)
	bs.Add("B", "C", AWins)
	_, err := Rate(context.Background(), bs, DefaultRateOptions(MethodBT))
	if !errors.Is(err, ErrNoMLE) {
		t.Fatalf("error %v, want ErrNoMLE", err)
	}
}

func TestBTBootstrapDeterministic(t *testing.T) {
	bs := synthBattles([]float64{0.5, 0.2, 0, -0.3, -0.6, 0.1}, 3000, 0.1, 11)
	opt := DefaultRateOptions(MethodBT)
	opt.Bootstrap, opt.Seed, opt.Workers = 40, 5, 1
	one := rateOK(t, bs, opt)
	opt.Workers = 4
	four := rateOK(t, bs, opt)
	if !slices.Equal(one.Players, four.Players) {
		t.Fatalf("1 worker %+v\n4 workers %+v", one.Players, four.Players)
	}
	opt.Seed = 6
	other := rateOK(t, bs, opt)
	if slices.Equal(one.Players, other.Players) {
		t.Fatal("a different seed gave identical intervals")
	}
	// Bootstrap and Wald intervals estimate the same spread.
	wald := ratingsByName(rateOK(t, bs, DefaultRateOptions(MethodBT)))
	for _, p := range one.Players {
		w := wald[p.Name]
		if w.Rating != p.Rating {
			t.Errorf("%s: point rating changed with the bootstrap", p.Name)
		}
		ratio := (p.CIHigh - p.CILow) / (w.CIHigh - w.CILow)
		if ratio < 0.6 || ratio > 1.6 {
			t.Errorf("%s: bootstrap width %.1f vs Wald %.1f", p.Name, p.CIHigh-p.CILow, w.CIHigh-w.CILow)
		}
	}
}

func TestBTBootstrapNotesDegenerateResamples(t *testing.T) {
	// A thin cycle: many resamples lose one of its three edges.
	bs := NewBattles()
	bs.Add("A", "B", AWins)
	bs.Add("B", "C", AWins)
	bs.Add("C", "A", AWins)
	for range 20 {
		bs.Add("A", "C", AWins)
	}
	opt := DefaultRateOptions(MethodBT)
	opt.Bootstrap, opt.Seed = 50, 1
	lb := rateOK(t, bs, opt)
	if !strings.Contains(strings.Join(lb.Notes, "\n"), "bootstrap resamples were not strongly connected") {
		t.Fatalf("notes %q", lb.Notes)
	}
	for _, p := range lb.Players {
		if math.IsNaN(p.CILow) || math.IsInf(p.CIHigh, 0) || p.CILow > p.CIHigh {
			t.Fatalf("bad interval %+v", p)
		}
	}
}

// oracleScipy returns the path of a python3 with scipy, skipping the test
// when there is none unless SELFPLAY_REQUIRE_ORACLES=1.
func oracleScipy(t *testing.T) string {
	t.Helper()
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import scipy").Run(); err != nil {
		if os.Getenv("SELFPLAY_REQUIRE_ORACLES") == "1" {
			t.Fatalf("scipy oracle required but %s cannot import scipy: %v", py, err)
		}
		t.Skipf("no scipy in %s: %v", py, err)
	}
	return py
}

type scipyFit struct {
	Players    []string  `json:"players"`
	Ratings    []float64 `json:"ratings"`
	Components int       `json:"components"`
	Converged  bool      `json:"converged"`
}

// checkAgainstScipy rates the CSV file at path and compares players and
// ratings with testdata/bt_oracle.py (scipy L-BFGS, scipy's own SCC).
func checkAgainstScipy(t *testing.T, py, path string) {
	t.Helper()
	out, err := exec.Command(py, "testdata/bt_oracle.py", path).Output()
	if err != nil {
		t.Fatalf("oracle: %v", err)
	}
	var ref scipyFit
	if err := json.Unmarshal(out, &ref); err != nil {
		t.Fatal(err)
	}
	if !ref.Converged {
		t.Fatal("scipy did not converge")
	}
	bs := NewBattles()
	if _, err := ReadBattleFile(path, bs, ReadOptions{Strict: true}); err != nil {
		t.Fatal(err)
	}
	lb := rateOK(t, bs, DefaultRateOptions(MethodBT))
	got := ratingsByName(lb)
	if len(got) != len(ref.Players) {
		t.Fatalf("rated %d players, scipy's largest component has %d", len(got), len(ref.Players))
	}
	var worst float64
	for i, name := range ref.Players {
		g, ok := got[name]
		if !ok {
			t.Fatalf("%s rated by scipy, not by us", name)
		}
		worst = max(worst, math.Abs(g.Rating-ref.Ratings[i]))
	}
	if worst > 0.5 {
		t.Fatalf("largest difference from scipy: %.4f rating points", worst)
	}
	t.Logf("%d players, %d components; largest difference from scipy %.2g points", len(got), ref.Components, worst)
}

func TestBTAgainstScipyFootball(t *testing.T) {
	checkAgainstScipy(t, oracleScipy(t), "testdata/football_2018_2019.csv")
}

func TestBTAgainstScipySynthetic(t *testing.T) {
	py := oracleScipy(t)
	beta := make([]float64, 40)
	rng := rand.New(rand.NewPCG(3, 3))
	for i := range beta {
		beta[i] = rng.NormFloat64()
	}
	bs := synthBattles(beta, 20000, 0.1, 5)
	path := filepath.Join(t.TempDir(), "synth.csv")
	var sb strings.Builder
	sb.WriteString("a,b,winner\n")
	for _, b := range bs.List {
		fmt.Fprintf(&sb, "%s,%s,%s\n", bs.Names[b.A], bs.Names[b.B], b.Outcome)
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	checkAgainstScipy(t, py, path)
}

// TestBTBootstrapLongTail: on real data with a long tail every resample
// loses strong connectivity. The intervals must still bracket the point
// fit, and players with few games must get wider intervals.
func TestBTBootstrapLongTail(t *testing.T) {
	bs := NewBattles()
	if _, err := ReadBattleFile("testdata/football_2018_2019.csv", bs, ReadOptions{}); err != nil {
		t.Fatal(err)
	}
	opt := DefaultRateOptions(MethodBT)
	opt.Bootstrap, opt.Seed = 60, 2
	if testing.Short() {
		opt.Bootstrap = 30
	}
	lb := rateOK(t, bs, opt)
	if !strings.Contains(strings.Join(lb.Notes, "\n"), "aligned to the point fit") {
		t.Fatalf("notes %q", lb.Notes)
	}
	outside := 0
	var fewW, manyW []float64
	for _, p := range lb.Players {
		if p.Rating < p.CILow || p.Rating > p.CIHigh {
			outside++
		}
		switch w := p.CIHigh - p.CILow; {
		case p.Games <= 4:
			fewW = append(fewW, w)
		case p.Games >= 20:
			manyW = append(manyW, w)
		}
	}
	if outside > len(lb.Players)/50 {
		t.Errorf("%d of %d point ratings fall outside their intervals", outside, len(lb.Players))
	}
	slices.Sort(fewW)
	slices.Sort(manyW)
	if len(fewW) < 5 || len(manyW) < 5 || fewW[len(fewW)/2] < 2*manyW[len(manyW)/2] {
		t.Errorf("median width: %d players with ≤ 4 games %.0f, %d with ≥ 20 games %.0f",
			len(fewW), fewW[len(fewW)/2], len(manyW), manyW[len(manyW)/2])
	}
}
