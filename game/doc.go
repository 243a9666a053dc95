// Package game defines the games selfplay simulates: finite n-player
// normal-form games (dense payoffs, mixed-profile evaluation, deviation
// payoffs, random generators) and their Gambit .nfg encoding; later the
// preference games of Nash learning from human feedback and the
// proposer/solver task games of dual-play curricula.
//
// # Normal-form games
//
// A Normal stores n players' payoffs densely, one flat slice per player,
// indexed by profile with player 1's strategy varying fastest (Gambit's
// order; see Normal.Index and Normal.Stride). Every payoff has a float64
// and an exact rational value; rationals that no float64 holds are kept as
// big.Rat, so integer and decimal games cost 8 bytes per payoff.
// Deviation, Expected, Regret and NashConv evaluate mixed profiles in
// floats without allocating in their inner loops; DeviationRat and
// RegretRat do the same in exact arithmetic for verification.
//
// ReadNFG and WriteNFG read and write Gambit's .nfg format in both its
// payoff and outcome versions. Numbers are read exactly (0.1 is 1/10),
// outcome tables and number spellings are kept, and writing a game read
// from a file Gambit wrote reproduces the file. Malformed input yields a
// *SyntaxError naming file:line:col and what was expected.
//
// RandomUniform, RandomInt, RandomZeroSum, RandomCovariant and
// RandomDegenerate generate games from an explicit *rand.Rand, so a seed
// fixes the game.
//
// Game types hold rules and payoffs only. Solving them is package nash's
// job, learning in them is package agents'.
package game
