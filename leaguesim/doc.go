// Package leaguesim runs a league of learning agents: tabular NLHF policies
// (package agents) trained on a preference game (package game) inside a
// league.State that freezes their snapshots, chooses their opponents and
// rates them. It sits above both packages, which do not know each other.
//
// # The loop
//
// Run adds the Config's frozen pool and learners to the league, then plays
// rounds. In a round each learner, in order, leases Matches matches as the
// home member (the opponent is drawn by the league's matchmaking: uniform,
// latest, pastself, pfsp, roles or psro), plays them with PlayMatch and
// records the results, takes one update step, and reports progress, which
// lets the league apply AlphaStar's snapshot and reset rules to learners
// with a role; learners without one are checkpointed every CheckpointEvery
// rounds. New snapshots may play SnapshotMatches against every earlier
// snapshot, which fills the empirical meta-game that the PSRO meta-solvers
// read. After the rounds, an optional round robin (EvalMatches) and the
// ratings (Bradley–Terry, Elo, Nash averaging, maximal lotteries, …) of
// every recorded result.
//
// A match is a number of judgements: a context drawn from the game's
// context distribution, one response from each member's policy, and a
// Bernoulli judgement from the preference matrix (identical responses
// tie). Its generator is PCG(seed, FNV-1a of the match id), so a match
// plays the same on any worker, in any order, and a re-issued lease replays
// it exactly.
//
// # Workers
//
// The snapshot matches and the round robin, most of a league's results,
// are fixed before they are played: their ids and members are chosen in
// advance. With Config.Player set, Run hands each such batch to it and
// waits; Pool is a Player of in-process workers that lease chunks of the
// batch, play them concurrently and record the results (through a
// Recorder: the league's Apply, or a replicated league's log) in batch
// order. The results, the history, the ratings and the league's events
// are those of Run playing alone, only the worker names on the results
// differ, whatever the number of workers and their timing.
//
// # Learners
//
// The update rules are steps of the generic NLHF mirror update of packages
// agents and cuda, taken against the learner's opponents rather than against
// itself: "mirror" (log π' = (1−ητ) log π + ητ log ref + η G: Hedge/MW at
// τ = 0, OMD toward the reference otherwise) and "br" (a pure best response
// at τ = 0, a softmax best response at temperature τ otherwise), where G(y)
// is the win rate of response y against the opponents. In the Exact mode G
// is computed from the game against the league's exact opponent
// distribution (State.Opponents) mixed into one policy; in the Sampled mode
// it is estimated from the judgements of the learner's own matches of the
// round, (points + ½)/(games + 1) per response given, with an optional
// share of uniformly random answers (Explore) so that a best response can
// learn about answers its policy never gives.
//
// # Policies, hashes and other leagues
//
// A Policy is immutable and named by Hash, the sha256 of its binary
// encoding (MarshalBinary, DecodePolicy); the league state carries only
// hashes and Result.Policies maps them back, as a blob store beside a
// replicated log would. Run talks to the league through the League
// interface, which *league.State implements; a replicated league can
// implement it by proposing each event through its log. The same Config and
// seed give the same Result, bit for bit, and the same league state
// whichever League applies the events.
//
// Presets returns small ready-made leagues (latest, pfsp, psro, roles) on a
// random cyclic disc game; Exploitability, WinRate and Mixture measure
// policies exactly.
//
// # What the tests show
//
// On cyclic games: PSRO with the Nash meta-solver drives the exact
// exploitability of its meta-Nash mixture below 0.02 on every one of five
// random disc games, while latest-self play cycles through pure responses
// whose exploitability stays high; PRD matches Nash and the uniform
// meta-solver (fictitious play over the population) lags; α-Rank puts its
// mass on a cycle; PFSP trains a learner against the opponents that beat it;
// in an AlphaStar league the main exploiter's snapshots beat the main agent
// and the population covers the cycle; and on a PFSP population Bradley–Terry
// and Elo order two members against their head-to-head record (one wins
// every game yet is rated lower, with separated intervals for BT) where
// Nash averaging rates the cycle as equals.
package leaguesim
