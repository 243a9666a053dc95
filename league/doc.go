// Package league manages populations of frozen snapshots: the payoff table
// between them, opponent sampling (uniform, PFSP, PSRO meta-solvers,
// AlphaStar roles), ratings and tournaments.
//
// A league's state changes only through events applied by State.Apply,
// which is pure and deterministic, so the same league runs embedded in one
// process, replayed from a log, or replicated by package cluster.
package league
