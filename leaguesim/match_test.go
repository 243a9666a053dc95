package leaguesim

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
	"github.com/selfplay-lab/selfplay/league"
)

// TestPlayMatchFrequencies plays many one-judgement matches between two
// mixed policies on a weighted two-context game and compares the observed
// frequencies with exact values: the home score's mean with WinRate (a
// tie, both sides giving the same answer, scores ½ = P[y][y]), the share of
// ties with Σ_c ρ(c) Σ_y π(y|c) σ(y|c), and the contexts with ρ.
func TestPlayMatchFrequencies(t *testing.T) {
	a, _ := game.Cyclic(3, 0.6)
	b, _ := game.BradleyTerry([][]float64{{0, 1, -1}})
	g, err := game.Concat(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.SetWeights([]float64{1, 3}); err != nil {
		t.Fatal(err)
	}
	home, _ := NewPolicy(3, 2, []float64{0, 1, 0.5, -1, 2, 0})
	away, _ := NewPolicy(3, 2, []float64{1, 0, -0.5, 0, 0, 1})
	const n = 40000
	var score, ties, ctx1 float64
	for i := range n {
		l := league.Lease{Match: fmt.Sprintf("m%d", i), Home: "h", Away: "a", Worker: "w"}
		mr, err := PlayMatch(g, l, home, away, MatchOptions{Judgements: 1, Seed: 9})
		if err != nil {
			t.Fatal(err)
		}
		j := mr.Judgements[0]
		if ev := mr.Event; ev.Match != l.Match || ev.A != "h" || ev.B != "a" || ev.Worker != "w" {
			t.Fatalf("event %+v does not match lease %+v", ev, l)
		}
		want := map[float64]league.Outcome{1: league.OutcomeAWins, 0: league.OutcomeBWins, 0.5: league.OutcomeDraw}[j.Score]
		if mr.Event.Outcome != want || mr.Score != j.Score || (j.Score == 0.5) != (j.Home == j.Away) {
			t.Fatalf("judgement %+v gave outcome %v, score %v", j, mr.Event.Outcome, mr.Score)
		}
		score += j.Score
		if j.Home == j.Away {
			ties++
		}
		ctx1 += float64(j.Context)
	}
	var wantTies float64
	for c := range 2 {
		ph, pa := home.Prob(c, nil), away.Prob(c, nil)
		for y := range ph {
			wantTies += g.Weight(c) * ph[y] * pa[y]
		}
	}
	for _, tc := range []struct {
		name      string
		got, want float64
	}{
		{"home score", score / n, WinRate(g, home, away)},
		{"tie share", ties / n, wantTies},
		{"context 1 share", ctx1 / n, 0.75},
	} {
		// Each quantity is a mean of n draws bounded in [0, 1]: 4.5 standard
		// errors of at most 1/(2√n) each.
		if d := math.Abs(tc.got - tc.want); d > 4.5*0.5/math.Sqrt(n) {
			t.Errorf("%s %.4f, exact %.4f", tc.name, tc.got, tc.want)
		}
	}
}

func TestPlayMatchDeterministicAndMajority(t *testing.T) {
	g, _ := game.Cyclic(5, 0.2)
	p := Uniform(5, 1)
	l := league.Lease{Match: "m7", Home: "x", Away: "y"}
	opt := MatchOptions{Judgements: 9, Seed: 3}
	a, _ := PlayMatch(g, l, p, p, opt)
	b, _ := PlayMatch(g, l, p, p, opt)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same match played twice differs")
	}
	same := 0
	for i := range 20 {
		l.Match = fmt.Sprintf("other%d", i)
		c, _ := PlayMatch(g, l, p, p, opt)
		if reflect.DeepEqual(a.Judgements, c.Judgements) {
			same++
		}
	}
	if same > 0 {
		t.Fatalf("%d of 20 other match ids replayed match m7", same)
	}
	// The outcome is the majority of points; an even split draws.
	outcomes := map[league.Outcome]int{}
	for i := range 400 {
		l.Match = fmt.Sprintf("even%d", i)
		mr, _ := PlayMatch(g, l, p, p, MatchOptions{Judgements: 2, Seed: 1})
		want := league.OutcomeDraw
		if mr.Score > 1 {
			want = league.OutcomeAWins
		} else if mr.Score < 1 {
			want = league.OutcomeBWins
		}
		if mr.Event.Outcome != want {
			t.Fatalf("score %v of 2 gave %v", mr.Score, mr.Event.Outcome)
		}
		outcomes[want]++
	}
	if len(outcomes) != 3 {
		t.Fatalf("400 two-judgement matches produced outcomes %v", outcomes)
	}
}

func TestPlayMatchErrors(t *testing.T) {
	g, _ := game.Cyclic(3, 1)
	p := Uniform(3, 1)
	l := league.Lease{Match: "m1", Home: "a", Away: "b"}
	for _, tc := range []struct {
		home, away *Policy
		n          int
		want       string
	}{
		{nil, p, 1, "no home policy"},
		{p, Uniform(4, 1), 1, "away policy is 4×1, the game has 3 responses and 1 contexts"},
		{p, p, 0, "0 judgements"},
	} {
		_, err := PlayMatch(g, l, tc.home, tc.away, MatchOptions{Judgements: tc.n})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "m1") {
			t.Errorf("%v, want an error naming m1 and %q", err, tc.want)
		}
	}
}

// TestMatchStreamIsFNV1a pins the match generator's stream to FNV-1a of
// the match id (hash/fnv), the documented contract that lets another
// implementation replay a match.
func TestMatchStreamIsFNV1a(t *testing.T) {
	for _, id := range []string{"", "m1", "e12345", "s/ü"} {
		h := fnv.New64a()
		h.Write([]byte(id))
		want := rand.New(rand.NewPCG(42, h.Sum64()))
		got := matchRand(42, id)
		for range 3 {
			if a, b := got.Uint64(), want.Uint64(); a != b {
				t.Fatalf("match %q: stream differs from PCG(42, FNV-1a)", id)
			}
		}
	}
}
