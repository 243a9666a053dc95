// Package cluster replicates a league across machines with Raft
// (hashicorp/raft): the finite-state machine applies league events, workers
// lease matches and report results, and every node serves the HTTP API and
// the live leaderboard.
package cluster
