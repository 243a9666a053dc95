// Package demo is the workload behind "selfplay demo": a small but real
// mixed league run end to end in a few seconds, and the files a newcomer
// opens afterwards.
//
// # The league
//
// Config.LeagueConfig builds it from leaguesim's "roles" preset: a random
// 7-response cyclic disc game (no response is a pure equilibrium, so no
// single policy is safe) and tabular NLHF policies trained on it by the
// league's mirror-descent and best-response steps:
//
//   - an AlphaStar main agent (softmax best response, τ = 0.05) that plays
//     PFSP over every frozen snapshot half of the time and itself or its
//     own past otherwise;
//   - a main exploiter and a league exploiter (pure best responses) that
//     hunt the main agent's and the whole league's weaknesses and are
//     frozen, and sometimes reset, by the AlphaStar snapshot and reset
//     rules;
//   - "nlhf", a plain learner taking regularised mirror-descent steps
//     (η = 0.5, τ = 0.1 toward the uniform reference, the NLHF update)
//     against PFSP opponents from the frozen snapshots, checkpointed every
//     few rounds;
//   - "ref", the uniform reference policy frozen at the start, like
//     AlphaStar's supervised agents.
//
// Every new snapshot plays every earlier one, which fills the empirical
// meta-game whose Nash mixture the league reports each round; the exact
// exploitability of that mixture is the headline number, and it ends far
// below what any single response can reach because the population covers
// the cycle. A match is one judgement, so the meta-game estimates the
// preference itself (a majority of several judgements would sharpen it into
// a different, sign-like game with a different Nash mixture). After the
// rounds, a round robin among all members and four ratings (Bradley–Terry,
// Elo, Nash averaging, maximal lotteries) with bootstrap intervals.
//
// # Where the league lives
//
// Run takes the league as a leaguesim.League and never builds one itself
// unless given nil. "selfplay demo" passes a replicated league: a
// single-node Raft cluster (package cluster, which this package cannot
// import) kept in the reserved LeagueDir under the output directory, whose
// state machine applies every event of the run; PrepareDir lets it check
// and claim the directory first. An in-memory *league.State behaves the
// same, event for event, and is what the tests here use. The league must
// be empty; Run configures it and adds every member. Policies stay in the
// run's memory (Report.Result.Policies), named in the league by their
// hashes.
//
// # Outputs
//
// Run writes into Config.Dir:
//
//	selfplay-demo.json        marker: this directory holds demo output (and the config)
//	leaderboard.txt           the Bradley–Terry table with every member, and the other ratings
//	leaderboard.json          the Bradley–Terry leaderboard (the schema of "selfplay leaderboard --format json")
//	leaderboard.html          the self-contained leaderboard page with the head-to-head heat map
//	leaderboard.svg           ratings with 95% intervals
//	exploitability.svg, .png  exact exploitability of each learner and of the meta-Nash mixture per round
//	winrate.svg, .png         exact win rate against the uniform reference of each learner and of the meta-Nash mixture per round
//	metrics.jsonl             one row per learner and round plus a "league" row (internal/results format)
//	raft/                     LeagueDir: left to the caller ("selfplay demo": the league's Raft log and snapshots)
//
// A directory is reused only when it is empty or holds the marker of an
// earlier demo (whose files are then replaced); anything else is refused
// with ErrNotDemoDir, so that a mistyped path cannot clobber unrelated files.
//
// # More workloads
//
// The league is the demo's only workload today. A proposer/solver
// curriculum will join it when the dual-play package exists: as a second
// stage of Run after the league, with its own section of Report and its
// own files beside the league's.
package demo
