// Package league manages populations of frozen snapshots: the payoff table
// between them, opponent sampling (uniform, PFSP, PSRO meta-solvers,
// AlphaStar roles), ratings and tournaments.
//
// A league's state changes only through events applied by State.Apply,
// which is pure and deterministic, so the same league runs embedded in one
// process, replayed from a log, or replicated by package cluster.
//
// # The league state machine
//
// A State holds the members (learners, whose parameters change, and frozen
// snapshots; parameters are named by their sha256 Hash and stored
// elsewhere), a payoff table decayed as in AlphaStar (every update of a
// pair multiplies its statistics by 0.99 before adding the game; draws
// count half; an unplayed pair reads 0.5), match leases, the ids of every
// recorded result, a seeded PCG generator and the Config. Events are
// Configure, AddLearner, AddSnapshot, SetRole, ReportProgress, Checkpoint,
// RecordResult, LeaseMatch and ExpireLeases; Apply validates an event fully
// before changing anything, so a failed event leaves the state as it was,
// and a RecordResult whose match id was seen is reported as a duplicate
// and ignored. Times come inside events (LeaseMatch deadlines,
// ExpireLeases' now); Apply reads no clock.
//
// EncodeEvent and DecodeEvent give the log format: a type byte (with
// FlagIgnoreUnknown for optional future types) and a msgpack map of the
// non-zero fields; decoding errors name the field and byte offset.
// State.Encode writes a canonical msgpack snapshot (sorted keys and
// slices), so equal states have equal bytes and State.Hash can be compared
// across replicas; DecodeState checks every invariant.
//
// Matchmaking ("matchmaking" setting) turns the payoff table into an exact
// opponent distribution (State.Opponents), from which a lease draws once:
// uniform over snapshots, latest (self-play), pastself (OpenAI Five's 80%
// current self, 20% past selves by quality), pfsp (PFSP with the squared,
// hard, variance, linear or linear_capped weighting), roles (AlphaStar's
// main agent, main exploiter and league exploiter, with their snapshot and
// reset rules applied on ReportProgress) and psro (a meta-strategy over the
// snapshots from MetaSolve: uniform, Nash, maximum-entropy Nash, projected
// replicator dynamics or α-Rank).
//
// Tournaments (RoundRobin, Swiss, SingleElimination) rank a list of players
// through a PlayFunc; MeasureRecovery compares how well they recover the
// full round-robin order per match played.
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
