package league

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestNashAverageClosedForms(t *testing.T) {
	// A Condorcet winner: the Nash is pure on it, so everyone's rating is
	// the logit of their win rate against it.
	w := [][]float64{
		{0.5, 0.6, 0.7},
		{0.4, 0.5, 0.9},
		{0.3, 0.1, 0.5},
	}
	r, p, err := NashAverage(w)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0, math.Log(0.4 / 0.6), math.Log(0.3 / 0.7)}
	for i := range want {
		if !near(r[i], want[i], 1e-9) || !near(p[i], []float64{1, 0, 0}[i], 1e-9) {
			t.Fatalf("ratings %v mass %v, want %v on a pure Nash", r, p, want)
		}
	}
	// Rock–paper–scissors at 80%: uniform Nash, every rating 0.
	rps := [][]float64{{0.5, 0.2, 0.8}, {0.8, 0.5, 0.2}, {0.2, 0.8, 0.5}}
	r, p, err = NashAverage(rps)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if !near(r[i], 0, 1e-9) || !near(p[i], 1.0/3, 1e-7) {
			t.Fatalf("RPS: ratings %v mass %v", r, p)
		}
	}
	// Adding a copy of rock changes no rating; the copies share rock's mass.
	rr := [][]float64{
		{0.5, 0.5, 0.2, 0.8},
		{0.5, 0.5, 0.2, 0.8},
		{0.8, 0.8, 0.5, 0.2},
		{0.2, 0.2, 0.8, 0.5},
	}
	r, p, err = NashAverage(rr)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range []float64{1.0 / 6, 1.0 / 6, 1.0 / 3, 1.0 / 3} {
		if !near(r[i], 0, 1e-9) || !near(p[i], m, 1e-7) {
			t.Fatalf("RPS with a copy: ratings %v mass %v", r, p)
		}
	}
	if _, _, err := NashAverage([][]float64{{0.5, 1}, {0, 0.5}}); err == nil {
		t.Error("a win rate of 1 has no logit and must be rejected")
	}
	if _, _, err := NashAverage([][]float64{{0.5, 0.6}, {0.6, 0.5}}); err == nil {
		t.Error("inconsistent win rates accepted")
	}
}

// cyclicLeague: A, B, C form a cycle at 90%; D beats B and C 70% of the
// time but almost never A (5%). D's record is second only to A's, so BT
// ranks it second; against the cycle's Nash mixture (uniform on A, B, C)
// D scores (logit 0.05 + 2·logit 0.7)/3 < 0, so Nash averaging puts it
// last, off the support.
func cyclicLeague() *Battles {
	bs := NewBattles()
	add := func(a, b string, wins, of int) {
		for k := range of {
			o := BWins
			if k < wins {
				o = AWins
			}
			bs.Add(a, b, o)
		}
	}
	add("A", "B", 90, 100)
	add("B", "C", 90, 100)
	add("C", "A", 90, 100)
	add("D", "B", 70, 100)
	add("D", "C", 70, 100)
	add("D", "A", 5, 100)
	return bs
}

func TestNashAveragingDisagreesWithBTOnCycles(t *testing.T) {
	bs := cyclicLeague()
	order := func(lb *Leaderboard) string {
		var names []string
		for _, p := range lb.Players {
			names = append(names, p.Name)
		}
		return strings.Join(names, "")
	}
	bt := rateOK(t, bs, DefaultRateOptions(MethodBT))
	na := rateOK(t, bs, DefaultRateOptions(MethodNashAvg))
	if order(bt)[:2] != "AD" {
		t.Fatalf("BT order %s: D should be second on its record", order(bt))
	}
	// The Nash certificate, checked here from the win rates: every
	// rating is ≤ 0 and the support players have 0.
	var support []string
	for _, p := range na.Players {
		if p.Rating > 1e-6 {
			t.Fatalf("Nash averaging rating %v > 0 for %s", p.Rating, p.Name)
		}
		if p.Rating > -1e-6 {
			support = append(support, p.Name)
		}
	}
	d := ratingsByName(na)["D"]
	want := eloScale * (math.Log(0.05/0.95) + 2*math.Log(0.7/0.3)) / 3
	slices.Sort(support)
	if !slices.Equal(support, []string{"A", "B", "C"}) || order(na)[3] != 'D' || math.Abs(d.Rating-want) > 5 {
		t.Fatalf("D: %+v (support %v, order %s); want last, off the support, near %.0f", d, support, order(na), want)
	}
	if !strings.Contains(strings.Join(na.Notes, "\n"), "Nash support: ") {
		t.Errorf("notes %q", na.Notes)
	}
	t.Logf("BT %s, Nash averaging %s, support %v", order(bt), order(na), support)
}

func TestMaximalLotteryRatings(t *testing.T) {
	// A Condorcet winner takes the whole lottery.
	bs := NewBattles()
	for range 3 {
		bs.Add("w", "x", AWins)
		bs.Add("w", "y", AWins)
		bs.Add("x", "y", AWins)
	}
	bs.Add("w", "x", BWins)
	bs.Add("x", "y", Tie) // ties do not count in the margins
	lb := rateOK(t, bs, DefaultRateOptions(MethodLottery))
	r := ratingsByName(lb)
	if !near(r["w"].Rating, 1, 1e-9) || !near(r["x"].Rating, 0, 1e-9) || lb.Players[0].Name != "w" {
		t.Fatalf("lottery %+v", lb.Players)
	}
	// The cyclic league: margins 80 around the cycle A→B→C→A; D's
	// margins are +40 over B and C but −90 against A.
	lb = rateOK(t, cyclicLeague(), DefaultRateOptions(MethodLottery))
	var sum float64
	for _, p := range lb.Players {
		sum += p.Rating
	}
	if !near(sum, 1, 1e-9) {
		t.Fatalf("lottery mass sums to %v", sum)
	}
	// Certificate from the data: the lottery is unbeaten by every player.
	bs = cyclicLeague()
	rec := map[[2]string]float64{}
	for _, b := range bs.List {
		x, y := bs.Names[b.A], bs.Names[b.B]
		s := b.Outcome.scoreA()
		rec[[2]string{x, y}] += 2*s - 1
		rec[[2]string{y, x}] -= 2*s - 1
	}
	m := ratingsByName(lb)
	for _, j := range bs.Names {
		var v float64
		for _, i := range bs.Names {
			v += m[i].Rating * rec[[2]string{i, j}]
		}
		if v < -1e-6 {
			t.Errorf("the lottery loses %v to %s", v, j)
		}
	}
}

func TestNonTransitiveBootstrap(t *testing.T) {
	for _, m := range []RatingMethod{MethodNashAvg, MethodLottery} {
		opt := DefaultRateOptions(m)
		opt.Bootstrap, opt.Seed = 20, 3
		a := rateOK(t, cyclicLeague(), opt)
		opt.Workers = 1
		b := rateOK(t, cyclicLeague(), opt)
		if !slices.Equal(a.Players, b.Players) {
			t.Fatalf("%s: worker count changed the result", m)
		}
		for _, p := range a.Players {
			if p.CILow > p.CIHigh || math.IsNaN(p.CILow) {
				t.Errorf("%s: interval %+v", m, p)
			}
		}

	}
}

func ExampleNashAverage() {
	// Rock, paper, scissors and a second rock. Nash averaging gives every
	// strategy of the cycle the same rating, and the copies share rock's
	// mass: adding redundant players changes nothing.
	winRate := [][]float64{
		{0.5, 0.5, 0.2, 0.8}, // rock
		{0.5, 0.5, 0.2, 0.8}, // rock again
		{0.8, 0.8, 0.5, 0.2}, // paper
		{0.2, 0.2, 0.8, 0.5}, // scissors
	}
	rating, mass, err := NashAverage(winRate)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.3f\n%.3f\n", rating, mass)
	// Output:
	// [0.000 0.000 0.000 0.000]
	// [0.167 0.167 0.333 0.333]
}
