// Package demo is the workload behind "selfplay demo": a small but real
// mixed league (NLHF learners with PFSP opponents, and a proposer/solver
// pair) run end to end in a few seconds on in-process workers, and the
// files a newcomer opens afterwards.
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
// # The proposer/solver pair
//
// Alongside the league, a dual-play simulation (package agents,
// DualConfig: PasoDoble's rewards, the pasodoble run of
// examples/dualplay/naive_vs_gated.yaml) trains a proposer of tasks and a
// solver for DualSteps steps, a share of them after every round. The
// initial pair and then, every 20 steps, a snapshot of each role join a
// second league, the dual-play population: members "solver-STEP" and
// "proposer-STEP" (Meta "role"), their parameters (ability per category,
// probabilities over the task cells) kept as blobs named by their sha256
// (EncodeDualParams). Every new solver plays every proposer so far and
// every new proposer every earlier solver, 60 matches per pair; a match is
// the solver attempting one task drawn from the proposer, won by the
// solver when its answer is correct (PlayDualMatch, seeded by the match
// id). A Bradley–Terry fit then puts solver ability and proposer
// difficulty on one scale: a solver rated r_s against a proposer rated r_p
// solves its tasks with probability σ((r_s − r_p)·ln 10/400).
//
// The population is a league of its own rather than more members of the
// NLHF league: its members play a different game, must never be drawn as
// PFSP opponents of the NLHF learners nor enter their meta-game or round
// robin, and a rating that mixed the two scales would mean nothing.
// Report.Dual holds it; its leaderboard is printed and written beside the
// league's. On seeds 1–3, held-out pass@1 rises from 0.50 to 0.79 and the
// later half of the solver snapshots is rated 100 to 120 points above the
// earlier half (TestDualPlayLeague asserts the order).
//
// # Workers
//
// Most matches have players fixed before they are played: every new
// snapshot against every earlier one, the round robin, the dual-play
// matches. Config.Workers in-process workers play them (leaguesim.Pool):
// each batch is cut into chunks dealt round robin to the workers, which
// play them concurrently and record the results in batch order, through
// the league's Apply or, for a replicated league, pipelined through its
// log. The learners' training matches, whose opponents the league draws
// lease by lease and whose judgements the next update reads, are played by
// Run itself. A match is seeded by its id, and the ratings read the results
// in batch order, so the leaderboards, the metrics and the plots are the
// same byte for byte whatever the number of workers; Report.Workers says
// how many matches each played.
//
// # Where the leagues live
//
// Run takes both leagues in a Leagues and builds one itself only when
// given nil. "selfplay demo" passes replicated leagues:
// two single-node Raft clusters (package cluster, which this package
// cannot import) kept in the reserved LeagueDir and DualLeagueDir under the
// output directory, whose state machines apply every event of the run, and
// which record the workers' results (leaguesim.Recorder) and keep the
// parameter blobs (BlobPutter); PrepareDir lets the caller check and claim
// the directory first. An in-memory *league.State behaves the same, event
// for event, and is what the tests here use. The leagues must be empty;
// Run configures them and adds every member. Policies stay in the run's
// memory too (Report.Result.Policies, Report.Dual.Members).
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
//	dualplay-leaderboard.txt, .json, .html
//	                          the dual-play league's Bradley–Terry leaderboard: solvers and proposers on one scale
//	dualplay.svg, .png        the solver's held-out pass@1 and the proposer's difficulty per step
//	dualplay-ratings.svg, .png
//	                          the rating of every solver and proposer snapshot by its step, with 95% intervals
//	dualplay.jsonl            one row per dual-play step (internal/results format)
//	raft/, raft-dualplay/     LeagueDir, DualLeagueDir: left to the caller ("selfplay demo": the leagues' Raft logs, snapshots and blobs)
//
// A directory is reused only when it is empty or holds the marker of an
// earlier demo (whose files are then replaced); anything else is refused
// with ErrNotDemoDir, so that a mistyped path cannot clobber unrelated files.
package demo
