// Package game defines the games selfplay simulates: finite n-player
// normal-form games (dense payoffs, mixed-profile evaluation, deviation
// payoffs, random generators) and their Gambit .nfg encoding; the
// preference games of Nash learning from human feedback; and the
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
// # Preference games
//
// A Preference holds, for N contexts (prompts) and K responses, the matrix
// P[i][j] = Pr(i preferred to j | context) with P + Pᵀ = 1, and a context
// distribution. Constructors: BradleyTerry (from scores), RandomAntisymmetric
// (the EGPO protocol, with LowerTie and LowerWin variants), Cyclic
// (generalized rock-paper-scissors), DiscGame and RandomDiscGame, Ranking and
// Mixture (annotator types with weights), ThreeAnnotators (NLHF's example),
// HeterogeneousBT, Noisy and Tempered judges, Repeat and Concat; from data,
// ReadComparisons parses JSON Lines of pairwise judgements
// ({"context", "a", "b", "winner": "a"|"b"|"tie", "annotator", "weight"}) with
// *ComparisonError values naming file:line:col, and EstimatePreference turns
// them into P with the smoothing documented at EstimateOptions. Judge draws
// Bernoulli judgements from an explicit generator; GroupWin and
// GroupWinRates aggregate pairwise preferences into n-player group oracles
// (MeanPairwise, BeatsAll, PlackettLuce); CondorcetWinner, BordaWinner and
// CopelandWinner are the voting winners of a context.
//
// Game types hold rules and payoffs only. Solving them is package nash's
// job, learning in them is package agents'.
package game
