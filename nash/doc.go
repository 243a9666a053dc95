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
// Zero-sum games are solved by
// linear programming. n-player games are solved approximately (logit QRE
// path following, learning dynamics), always reporting the regret reached.
// Maximal lotteries and maximum-entropy Nash equilibria of symmetric
// zero-sum games serve the league's ratings and PSRO meta-solvers.
package nash
