// Package nash computes equilibria of normal-form games and measures how far
// a profile is from one.
//
// Exact two-player solvers (vertex enumeration, Lemke–Howson) work in
// rational arithmetic, so degenerate games are handled and every reported
// equilibrium can be verified with zero regret.
//
// # Exact two-player solvers
//
// EnumerateBimatrix returns every extreme equilibrium of a bimatrix game: it
// enumerates the vertices of both best-response polytopes by depth-first
// search over lexicographically perturbed bases, pivoting in integers
// (fraction-free, 128-bit with overflow detection, big.Int beyond), and
// pairs vertices with complementary labels. It groups the equilibria into
// maximal Nash subsets (Cliques) and connected Components and reports a
// Continuum. LemkeHowson and LemkeHowsonAll follow complementary pivoting
// paths with the same lexicographic rule, so degenerate games are safe;
// large games pivot in float64 first and recompute the end point exactly.
// VerifyExact checks any n-player profile in rational arithmetic and
// PureEquilibria lists the pure equilibria of any game.
//
// # Floating-point solvers
//
// SolveZeroSum solves a two-player zero-sum game by the simplex method on
// its linear program, with rows and columns generated as needed, a
// first-order warm start for large games, perturbation and Bland's rule
// against degeneracy; the answer carries its duality gap, checked against
// ZeroSumGapTol. MaximalLottery and MaxEntropyNash (and MaximalLotteryFace)
// pick the maximum-entropy optimal strategy of a symmetric zero-sum game,
// for the league's maximal lotteries and Nash averaging.
//
// LogitQRE and LogitQREPath compute logit quantal response equilibria by
// arc-length continuation from λ = 0. SolveNPlayer finds an ε-Nash
// equilibrium of an n-player game (QRE path, support refinement, support
// enumeration) and returns ε. FictitiousPlay, RegretMatching,
// RegretMatchingPlus, Replicator, Hedge and ProjectedReplicator (the PSRO
// meta-solver) are learning dynamics that report the NashConv of their
// average and last iterates. Regrets, NashConv, MaxRegret and
// Exploitability measure any profile. Floating-point solvers always report
// the regret or gap they reached, and fail with ErrNumerical rather than
// return an uncertified answer.
package nash
