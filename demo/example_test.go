package demo_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/selfplay-lab/selfplay/demo"
	"github.com/selfplay-lab/selfplay/league"
)

// A short demo in an in-memory league: the progress after each round, then
// the files to open. A replicated league would be passed instead of
// league.NewState().
func ExampleRun() {
	dir, _ := os.MkdirTemp("", "selfplay-demo-example")
	defer os.RemoveAll(dir)
	cfg := demo.DefaultConfig()
	cfg.Dir, cfg.Rounds = dir, 3
	rep, err := demo.Run(context.Background(), cfg, demo.Leagues{Main: league.NewState()}, func(p demo.Progress) {
		if p.Stage == demo.StageTrain {
			fmt.Printf("round %d/%d: %d members, %d matches, best exploitability %.3f (%s)\n",
				p.Round, p.Rounds, p.Members, p.Matches, p.BestExpl, p.Best)
		}
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("leader:", rep.Leaderboard.Players[0].Name)
	fmt.Println("open", filepath.Base(rep.Page))
	// Output:
	// round 1/3: 7 members, 1264 matches, best exploitability 0.060 (nlhf)
	// round 2/3: 7 members, 1328 matches, best exploitability 0.056 (nlhf)
	// round 3/3: 7 members, 1392 matches, best exploitability 0.033 (main)
	// leader: league_exploiter
	// open leaderboard.html
}
