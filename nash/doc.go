// Package nash computes equilibria of normal-form games and measures how far
// a profile is from one.
//
// Exact two-player solvers (vertex enumeration, Lemke–Howson) work in
// rational arithmetic, so degenerate games are handled and every reported
// equilibrium can be verified with zero regret. Zero-sum games are solved by
// linear programming. n-player games are solved approximately (logit QRE
// path following, learning dynamics), always reporting the regret reached.
// Maximal lotteries and maximum-entropy Nash equilibria of symmetric
// zero-sum games serve the league's ratings and PSRO meta-solvers.
package nash
