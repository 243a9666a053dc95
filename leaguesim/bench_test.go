package leaguesim

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/selfplay-lab/selfplay/league"
)

// Match throughput. BenchmarkMatches/bare is the floor every match pays:
// a generator seeded from the match id and the three draws of a judgement
// (context weights aside), with no policy, allocation or league work.
// /play adds PlayMatch itself; /league a whole league round trip per match
// (LeaseMatch with PFSP over 20 snapshots, PlayMatch, RecordResult);
// /run the full Run loop of the psro preset (leases, snapshot matches,
// exact best responses, meta-solves), per match recorded.
func BenchmarkMatches(b *testing.B) {
	const k = presetResponses
	g := cyclicDisc(b, 1, k)
	rng := rand.New(rand.NewPCG(1, 2))
	mixed := func() *Policy {
		l := make([]float64, k)
		for i := range l {
			l[i] = rng.NormFloat64()
		}
		p, _ := NewPolicy(k, 1, l)
		return p
	}
	home, away := mixed(), mixed()
	ids := make([]string, 1<<12)
	for i := range ids {
		ids[i] = "m" + strconv.Itoa(i)
	}
	perSec := func(b *testing.B, n int) {
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "matches/s")
	}

	b.Run("bare", func(b *testing.B) {
		ph, pa := home.Prob(0, nil), away.Prob(0, nil)
		wins := 0
		for i := range b.N {
			h := fnv.New64a()
			h.Write([]byte(ids[i&(len(ids)-1)]))
			r := rand.New(rand.NewPCG(1, h.Sum64()))
			y, z := pick(r.Float64(), ph), pick(r.Float64(), pa)
			if r.Float64() < g.At(0, y, z) {
				wins++
			}
		}
		perSec(b, b.N)
		if wins < 0 {
			b.Fatal(wins)
		}
	})
	b.Run("play", func(b *testing.B) {
		b.ReportAllocs()
		l := league.Lease{Home: "a", Away: "b"}
		for i := range b.N {
			l.Match = ids[i&(len(ids)-1)]
			if _, err := PlayMatch(g, l, home, away, MatchOptions{Judgements: 1, Seed: 1}); err != nil {
				b.Fatal(err)
			}
		}
		perSec(b, b.N)
	})
	b.Run("league", func(b *testing.B) {
		s := league.NewState()
		s.Apply(&league.Configure{Settings: map[string]string{"matchmaking": "pfsp", "seed": "1"}})
		pols := map[string]*Policy{"agent": home}
		s.Apply(&league.AddLearner{ID: "agent", Params: home.Hash()})
		for i := range 20 {
			id := fmt.Sprintf("snap%d", i)
			pols[id] = mixed()
			s.Apply(&league.AddSnapshot{ID: id, Params: pols[id].Hash()})
		}
		b.ResetTimer()
		for i := range b.N {
			eff, err := s.Apply(&league.LeaseMatch{Home: "agent", Now: int64(i), Deadline: int64(i) + 1})
			if err != nil {
				b.Fatal(err)
			}
			l := *eff.Lease
			mr, err := PlayMatch(g, l, pols[l.Home], pols[l.Away], MatchOptions{Judgements: 1, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.Apply(mr.Event); err != nil {
				b.Fatal(err)
			}
		}
		perSec(b, b.N)
	})
	b.Run("run", func(b *testing.B) {
		cfg, err := Preset("psro", 1)
		if err != nil {
			b.Fatal(err)
		}
		cfg.EvalMatches, cfg.Bootstrap, cfg.Ratings = 0, 0, []league.RatingMethod{}
		matches := 0
		for range b.N {
			res, err := Run(context.Background(), cfg, nil)
			if err != nil {
				b.Fatal(err)
			}
			matches += res.Matches
		}
		perSec(b, matches)
	})
}

// pick draws from pi by inversion with the uniform u.
func pick(u float64, pi []float64) int {
	for y, p := range pi {
		if u < p {
			return y
		}
		u -= p
	}
	return len(pi) - 1
}
