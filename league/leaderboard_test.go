package league

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// transitiveBattles: "top" beats everyone most of the time, "mid" beats
// "low" most of the time; every pair has wins both ways.
func transitiveBattles() *Battles {
	bs := NewBattles()
	add := func(a, b string, wins, losses, ties int) {
		for range wins {
			bs.Add(a, b, AWins)
		}
		for range losses {
			bs.Add(a, b, BWins)
		}
		for range ties {
			bs.Add(b, a, Tie)
		}
	}
	add("top", "mid", 30, 10, 4)
	add("mid", "low", 30, 10, 4)
	add("top", "low", 36, 4, 4)
	// Shuffle so online methods, which weigh recent results more, do not
	// see all the losses last.
	perm := slices.Clone(bs.List)
	rand.New(rand.NewPCG(1, 1)).Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
	bs.List = perm
	return bs
}

func TestRateEveryMethodOrdersATransitiveLeague(t *testing.T) {
	for _, m := range RatingMethods() {
		t.Run(string(m), func(t *testing.T) {
			lb := rateOK(t, transitiveBattles(), DefaultRateOptions(m))
			if lb.Method != m || len(lb.Players) != 3 {
				t.Fatalf("%+v", lb)
			}
			var names []string
			for _, p := range lb.Players {
				names = append(names, p.Name)
				if !(p.CILow <= p.Rating && p.Rating <= p.CIHigh) {
					t.Errorf("%s: rating outside its interval: %+v", m, p)
				}
				if p.Games != 88 || p.Wins+p.Losses+p.Ties != p.Games {
					t.Errorf("%s: record %+v", m, p)
				}
			}
			want := []string{"top", "mid", "low"}
			if m == MethodAlphaRank || m == MethodLottery {
				// α = 100 and the Condorcet winner put all the mass on the
				// top player; the rest tie at 0, in name order.
				want = []string{"top", "low", "mid"}
				if lb.Players[0].Rating < 0.999 || lb.Players[1].Rating != lb.Players[2].Rating {
					t.Errorf("alpharank mass %+v", lb.Players)
				}
			}
			if !slices.Equal(names, want) {
				t.Errorf("order %v, want %v", names, want)
			}
			if len(lb.Notes) == 0 {
				t.Error("no notes")
			}
		})
	}
}

func TestRateJSONShape(t *testing.T) {
	lb := rateOK(t, transitiveBattles(), DefaultRateOptions(MethodBT))
	data, err := json.Marshal(lb)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"excluded", "method", "notes", "players"}) {
		t.Fatalf("keys %v", keys)
	}
	if string(raw["excluded"]) != "[]" || string(raw["method"]) != `"bt"` {
		t.Fatalf("excluded %s method %s", raw["excluded"], raw["method"])
	}
	var players []map[string]any
	if err := json.Unmarshal(raw["players"], &players); err != nil {
		t.Fatal(err)
	}
	keys = keys[:0]
	for k := range players[0] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"ci_high", "ci_low", "games", "losses", "name", "rank", "rating", "ties", "wins"}; !slices.Equal(keys, want) {
		t.Fatalf("player keys %v, want %v", keys, want)
	}
}

func TestRateOnlineMethodsMatchDirectCalls(t *testing.T) {
	bs := transitiveBattles()
	n := len(bs.Names)
	opt := DefaultRateOptions(MethodElo)
	opt.Elo.K = 16
	opt.Anchor, opt.AnchorRating = "low", 800
	elo := Elo(bs.List, n, opt.Elo)
	got := ratingsByName(rateOK(t, bs, opt))
	for i, name := range bs.Names {
		if want := elo[i] - elo[2] + 800; !near(got[name].Rating, want, 1e-9) {
			t.Errorf("elo %s: %v, want %v", name, got[name].Rating, want)
		}
	}
	g := Glicko2(bs.List, n, DefaultGlicko2Config())
	got = ratingsByName(rateOK(t, bs, DefaultRateOptions(MethodGlicko2)))
	for i, name := range bs.Names {
		p := got[name]
		if !near(p.Rating, g[i].Rating, 1e-9) || !near(p.CIHigh-p.Rating, 1.96*g[i].RD, 1e-9) {
			t.Errorf("glicko2 %s: %+v, want %+v", name, p, g[i])
		}
	}
	w := WengLin(bs.List, n, DefaultWengLinConfig())
	got = ratingsByName(rateOK(t, bs, DefaultRateOptions(MethodOpenSkill)))
	for i, name := range bs.Names {
		p := got[name]
		if !near(p.Rating, w[i].Mu, 1e-9) || !near(p.Rating-p.CILow, 1.96*w[i].Sigma, 1e-9) {
			t.Errorf("openskill %s: %+v, want %+v", name, p, w[i])
		}
	}
}

func TestRateOnlineBootstrap(t *testing.T) {
	bs := transitiveBattles()
	opt := DefaultRateOptions(MethodElo)
	opt.Bootstrap, opt.Seed = 30, 4
	a := rateOK(t, bs, opt)
	opt.Workers = 1
	b := rateOK(t, bs, opt)
	if !slices.Equal(a.Players, b.Players) {
		t.Fatalf("worker count changed the result:\n%+v\n%+v", a.Players, b.Players)
	}
	for _, p := range a.Players {
		if !(p.CILow < p.CIHigh) || math.IsNaN(p.CILow) {
			t.Errorf("interval %+v", p)
		}
	}
	if !strings.Contains(strings.Join(a.Notes, "\n"), "percentile bootstrap over 30 resamples, seed 4") {
		t.Errorf("notes %q", a.Notes)
	}
}

func TestRateErrors(t *testing.T) {
	if _, err := Rate(context.Background(), NewBattles(), DefaultRateOptions(MethodBT)); err == nil || errors.Is(err, ErrBadOption) {
		t.Errorf("no battles: %v", err)
	}
	bs := transitiveBattles()
	for _, tc := range []struct {
		name string
		opt  func(*RateOptions)
		bs   *Battles
		want string
	}{
		{"method", func(o *RateOptions) { o.Method = "glicko3" }, bs, `unknown method "glicko3"`},
		{"anchor-method", func(o *RateOptions) { o.Method, o.Anchor = MethodOpenSkill, "top" }, bs, "no rating scale"},
		{"anchor-name", func(o *RateOptions) { o.Anchor = "nobody" }, bs, `anchor "nobody": no such player`},
		{"bootstrap", func(o *RateOptions) { o.Bootstrap = -1 }, bs, "bootstrap -1"},

		{"elo-k", func(o *RateOptions) { o.Method, o.Elo.K = MethodElo, 0 }, bs, "K = 0"},
		{"prior", func(o *RateOptions) { o.BT.Prior = -1 }, bs, "prior -1"},
		{"glicko-tau", func(o *RateOptions) { o.Method, o.Glicko2.Tau = MethodGlicko2, math.NaN() }, bs, "tau"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := DefaultRateOptions(MethodBT)
			tc.opt(&opt)
			_, err := Rate(context.Background(), tc.bs, opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrBadOption) {
				t.Fatalf("error %v, want %q matching ErrBadOption", err, tc.want)
			}
		})
	}
}
