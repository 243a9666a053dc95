// Package leaguesim runs a league of learning agents: NLHF policies from
// package agents, trained on a preference game from package game, in a
// league.State that freezes their snapshots, picks their opponents and
// rates them.
package leaguesim
