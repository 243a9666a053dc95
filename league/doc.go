// Package league manages populations of frozen snapshots: the payoff table
// between them, opponent sampling (uniform, PFSP, PSRO meta-solvers,
// AlphaStar roles), ratings and tournaments.
//
// A league's state changes only through events applied by State.Apply,
// which is pure and deterministic, so the same league runs embedded in one
// process, replayed from a log, or replicated by package cluster.
//
// # Ratings and leaderboards
//
// Battles (pairwise results, read from jsonl, Chatbot Arena JSON or CSV by
// ReadBattles) become a Leaderboard through Rate: Bradley–Terry maximum
// likelihood (the default; ties count half a win, and when the comparison
// graph is not strongly connected only its largest strongly connected
// component is rated, with the others excluded and explained), online Elo,
// Glicko-2, Weng–Lin (OpenSkill), Nash averaging, maximal lotteries and
// α-Rank. Confidence intervals come from a seeded, parallel, deterministic
// bootstrap (a multinomial redraw of the unique (a, b, outcome) cells) or
// from each method's own uncertainty; ranks are CI-aware (CIRanks).
// AlphaRank also serves as a PSRO meta-solver.
package league
