package league_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/selfplay-lab/selfplay/league"
)

func ExampleRate() {
	bs := league.NewBattles()
	for range 3 {
		bs.Add("gpt", "llama", league.AWins)
	}
	bs.Add("gpt", "llama", league.BWins)
	bs.Add("llama", "mistral", league.AWins)
	bs.Add("llama", "mistral", league.Tie)
	bs.Add("mistral", "gpt", league.AWins)
	bs.Add("mistral", "gpt", league.BWins)

	// Bradley–Terry with Wald intervals; ratings agree with scipy's fit of
	// the same eight battles (1084.54, 976.04, 939.42).
	opt := league.DefaultRateOptions(league.MethodBT)
	lb, err := league.Rate(context.Background(), bs, opt)
	if err != nil {
		panic(err)
	}
	for _, p := range lb.Players {
		fmt.Printf("%d %-7s %6.1f  [%6.1f, %6.1f]  %d-%d-%d\n", p.Rank, p.Name, p.Rating, p.CILow, p.CIHigh, p.Wins, p.Losses, p.Ties)
	}
	// Output:
	// 1 gpt     1084.5  [ 882.2, 1286.8]  4-2-0
	// 1 llama    976.0  [ 780.5, 1171.6]  2-3-1
	// 1 mistral  939.4  [ 702.2, 1176.7]  1-2-1
}

func ExampleReadBattles() {
	input := `{"a": "x", "b": "y", "winner": "a"}
{"a": "y", "b": "x", "winner": "tie"}
{"a": "x", "b": "y", "winner": "draw"}
`
	bs := league.NewBattles()
	st, err := league.ReadBattles(strings.NewReader(input), "battles.jsonl", bs, league.ReadOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Println(st.Format, st.Added, "battles,", st.Malformed, "malformed")
	fmt.Println(st.Errors[0])
	// Output:
	// jsonl 2 battles, 1 malformed
	// battles.jsonl:3: winner "draw": expected "a", "b" or "tie"
}

func ExampleGlicko2Update() {
	// Glickman's worked example.
	p := league.Glicko2Rating{Rating: 1500, RD: 200, Volatility: 0.06}
	next := league.Glicko2Update(p, []league.Glicko2Result{
		{Opponent: league.Glicko2Rating{Rating: 1400, RD: 30}, Score: 1},
		{Opponent: league.Glicko2Rating{Rating: 1550, RD: 100}, Score: 0},
		{Opponent: league.Glicko2Rating{Rating: 1700, RD: 300}, Score: 0},
	}, 0.5)
	fmt.Printf("%.2f %.2f %.5f\n", next.Rating, next.RD, next.Volatility)
	// Output: 1464.05 151.52 0.06000
}

func ExampleAlphaRank() {
	// Rock, paper, scissors: a perfect cycle, so every strategy survives
	// equally often.
	winRate := [][]float64{{0.5, 0, 1}, {1, 0.5, 0}, {0, 1, 0.5}}
	pi, err := league.AlphaRank(winRate, league.DefaultAlphaRankConfig())
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.3f\n", pi)
	// Output: [0.333 0.333 0.333]
}
