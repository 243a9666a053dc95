package leaguesim

import (
	"context"
	"testing"
)

// TestPresets runs every preset as shipped and checks what its comment
// promises.
func TestPresets(t *testing.T) {
	for _, name := range Presets() {
		cfg, err := Preset(name, 1)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		end := res.History[len(res.History)-1]
		if len(res.Leaderboards) != len(DefaultRatings()) || len(res.Leaderboards[0].Players) != end.Members {
			t.Errorf("%s: %d leaderboards, %d rated of %d members", name, len(res.Leaderboards), len(res.Leaderboards[0].Players), end.Members)
		}
		t.Logf("%s: %d members, %d matches, meta-Nash exploitability %.4f, learner exploitability %.3f",
			name, end.Members, res.Matches, end.MetaExpl, end.Learners[0].Expl)
		switch name {
		case "latest":
			if end.Learners[0].Expl < 0.05 {
				t.Errorf("latest: the latest policy settled (exploitability %.3f)", end.Learners[0].Expl)
			}
		case "psro":
			if end.MetaExpl > 0.02 {
				t.Errorf("psro: meta-Nash exploitability %.4f", end.MetaExpl)
			}
		case "roles":
			for _, m := range []string{"main", "main_exploiter", "league_exploiter"} {
				n := 0
				for _, mem := range res.League.Members() {
					if mem.Parent == m {
						n++
					}
				}
				if n < 3 {
					t.Errorf("roles: %s has %d snapshots", m, n)
				}
			}
		}
	}
	if _, err := Preset("swiss", 1); err == nil {
		t.Error("unknown preset accepted")
	}
}
