// Package game defines the games selfplay simulates: finite n-player
// normal-form games (dense payoffs, mixed-profile evaluation, deviation
// payoffs, random generators) and their Gambit .nfg encoding; later the
// preference games of Nash learning from human feedback and the
// proposer/solver task games of dual-play curricula.
//
// Game types hold rules and payoffs only. Solving them is package nash's
// job, learning in them is package agents'.
package game
