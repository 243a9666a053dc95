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
// # Task games
//
// A TaskSpace models the task space of proposer/solver self-play (dual
// play): C skill categories × a difficulty b on the logit scale of
// item-response theory, cut into G cells; a proposer's action is a
// (category, cell) pair. Every modelling choice is a TaskConfig field whose
// comment gives its default and why; Check and Validate report bad fields
// by their yaml names (*TaskFieldError, wrapping ErrTaskConfig).
//
// A proposal (ProposeCell, ProposeAt) is a Task: its category, cell and
// difficulty, a signature from a finite pool per (category, cell) so that
// repetition and diversity are measurable (SignatureKey), 3PL item
// parameters (discrimination a, guessing c), and a kind: Valid, Invalid
// (wrong label or ill-posed), Leaking (answer in the question) or NonUnique.
// The chance of a valid proposal, v(b) = ValidMax·σ(ValidSlope·(ValidMidpoint
// − b)), falls with difficulty, so a reward for unsolved tasks tempts the
// proposer into broken ones; the rest is split among the broken kinds by
// configured shares.
//
// A solver has one ability θ per category. An attempt at a valid task is
// correct with the 3PL probability c + (1−c)·σ(a(θ − b)) (ItemResponse);
// leaking tasks are solved at LeakSuccess whatever θ; invalid tasks have no
// correct answer and their wrong label is reproduced only by coincidence;
// on non-unique tasks a correct answer may differ from the proposer's.
// Attempts samples a group of attempts into a caller's buffer without
// allocating; each Attempt carries an Answer identity (the key, an
// alternative correct answer, the bogus label, or one of a few distractors
// whose frequencies decay geometrically, so wrong answers collide), whether
// it is correct and whether it matches the proposer's label. SuccessProb,
// LabelMatchProb and AnswerProbs give the same law in closed form.
//
// Verifiers see different things: ExactRewards ground truth, LabelRewards
// the proposer's label (PasoDoble), MajorityVote only the attempts (R-Zero's
// pseudo-label and p̂, with Vote.Correct recording what R-Zero cannot see),
// and RetrievalCheck judges the task with d distractor documents (Search
// Self-play; non-unique tasks pass, its known failure mode).
//
// NewEvalSet builds a seeded held-out set of valid tasks over all cells;
// its PassAt1 and PassAtK are exact expectations for an ability vector, and
// SampleCorrect with EstimatePassAtK (the unbiased estimator
// 1 − C(n−c, k)/C(n, k), PassAtKEstimate) reproduces benchmark-style
// estimates. ItemInformation, a²p(1−p), is the learning signal of a graded
// attempt.
//
// Game types hold rules and payoffs only. Solving them is package nash's
// job, learning in them is package agents'.
package game
