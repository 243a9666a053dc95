package game

import (
	"fmt"
	"math"
	"math/big"

	"gonum.org/v1/gonum/floats"
)

// Mixed is a mixed-strategy profile: Mixed[i][s] is the probability that
// player i plays strategy s.
type Mixed [][]float64

// Uniform returns the profile in which every player mixes uniformly.
func (g *Normal) Uniform() Mixed {
	x := make(Mixed, len(g.shape))
	for i, m := range g.shape {
		x[i] = make([]float64, m)
		for s := range x[i] {
			x[i][s] = 1 / float64(m)
		}
	}
	return x
}

// CheckMixed returns an error wrapping ErrShape when x does not have one
// probability vector of the right length per player, or a vector is not a
// distribution to within tol.
func (g *Normal) CheckMixed(x Mixed, tol float64) error {
	if err := g.checkMixedShape(len(x), func(i int) int { return len(x[i]) }); err != nil {
		return err
	}
	for i, xi := range x {
		sum := 0.0
		for s, p := range xi {
			if !(p >= -tol) || math.IsInf(p, 0) {
				return fmt.Errorf("game: player %d strategy %d has probability %g", i+1, s+1, p)
			}
			sum += p
		}
		if math.Abs(sum-1) > tol {
			return fmt.Errorf("game: player %d's probabilities sum to %g, not 1", i+1, sum)
		}
	}
	return nil
}

// CheckMixedRat is CheckMixed for an exact profile, with no tolerance:
// every probability must be non-nil and ≥ 0, and each player's must sum to
// exactly 1.
func (g *Normal) CheckMixedRat(x MixedRat) error {
	if err := g.checkMixedShape(len(x), func(i int) int { return len(x[i]) }); err != nil {
		return err
	}
	one := big.NewRat(1, 1)
	for i, xi := range x {
		sum := new(big.Rat)
		for s, p := range xi {
			if p == nil || p.Sign() < 0 {
				return fmt.Errorf("game: player %d strategy %d has probability %v", i+1, s+1, p)
			}
			sum.Add(sum, p)
		}
		if sum.Cmp(one) != 0 {
			return fmt.Errorf("game: player %d's probabilities sum to %s, not 1", i+1, sum.RatString())
		}
	}
	return nil
}

func (g *Normal) checkMixedShape(n int, length func(i int) int) error {
	if n != len(g.shape) {
		return fmt.Errorf("%w: profile has %d players, game has %d", ErrShape, n, len(g.shape))
	}
	for i, m := range g.shape {
		if length(i) != m {
			return fmt.Errorf("%w: player %d has %d probabilities, game has %d strategies", ErrShape, i+1, length(i), m)
		}
	}
	return nil
}

// Expected returns every player's expected payoff under the mixed profile x,
// which must fit g (see CheckMixed).
func (g *Normal) Expected(x Mixed) []float64 {
	u := make([]float64, len(g.shape))
	m0 := g.shape[0]
	x0 := x[0][:m0]
	var buf walkBuf
	w := g.walker(x, 0, &buf)
	for w.next() {
		wt, b := w.weight(), w.base()
		for i, pay := range g.pay {
			u[i] += wt * floats.Dot(x0, pay[b:b+m0])
		}
	}
	return u
}

// Deviation writes into dst (allocated if short) the payoff to player i of
// each of its pure strategies when the other players play x, and returns it.
// x[i] is ignored; the others must fit g. It does not allocate when dst is
// long enough and the game has at most 17 players.
func (g *Normal) Deviation(x Mixed, i int, dst []float64) []float64 {
	m := g.shape[i]
	if cap(dst) < m {
		dst = make([]float64, m)
	}
	dst = dst[:m]
	clear(dst)
	pay := g.pay[i]
	m0 := g.shape[0]
	var buf walkBuf
	if i == 0 {
		g.deviation1(x, dst, &buf)
		return dst
	}
	w := g.walker(x, i, &buf)
	// Player 1 is an opponent: for each strategy of player i, a dot
	// product of x_1 with a contiguous run of payoffs (gonum's assembly
	// kernel, about twice as fast as a Go loop at length 100).
	x0 := x[0][:m0]
	stride := g.stride[i]
	for w.next() {
		wt, b := w.weight(), w.base()
		for s := range dst {
			dst[s] += wt * floats.Dot(x0, pay[b+s*stride:b+s*stride+m0])
		}
	}
	return dst
}

// deviation1 is Deviation for player 1, whose strategies are contiguous:
// dst += Σ w·row over the profiles of the others. Player 2's strategies are
// looped over here, the rest by the walker, and rows are added four at a
// time so that dst is loaded and stored once per four rows.
func (g *Normal) deviation1(x Mixed, dst []float64, buf *walkBuf) {
	m := len(dst)
	pay := g.pay[0]
	if len(g.shape) == 1 {
		copy(dst, pay[:m])
		return
	}
	var wts [4]float64
	var rows [4][]float64
	n := 0
	x1 := x[1][:g.shape[1]]
	w := g.walker(x, 1, buf)
	for w.next() {
		wt, b := w.weight(), w.base()
		for s1, p := range x1 {
			if p == 0 {
				continue
			}
			r := b + s1*m
			wts[n], rows[n] = wt*p, pay[r:r+m]
			if n++; n == 4 {
				axpy4(dst, &wts, &rows)
				n = 0
			}
		}
	}
	for r := range n {
		axpyUnrolled(dst, wts[r], rows[r])
	}
}

// walkDepth is the number of enumerated players walkBuf holds without
// allocating.
const walkDepth = 16

// walkBuf is stack storage for a profileWalker.
type walkBuf struct {
	players, pos [walkDepth]int
	base         [walkDepth + 1]int
	w            [walkDepth + 1]float64
}

// profileWalker enumerates the pure profiles of the players other than
// player 1 and one more (skip), restricted to strategies of non-zero
// probability under x, with each partial profile's probability and its
// contribution to the profile index. The player with the smallest stride
// varies fastest, so payoffs are visited in memory order.
type profileWalker struct {
	x       Mixed
	stride  []int
	players []int // enumerated players, slowest first
	pos     []int // current strategy of players[l]
	idx     []int // idx[l+1]: index contribution of players[:l+1]
	w       []float64
	level   int
	done    bool
}

func (g *Normal) walker(x Mixed, skip int, buf *walkBuf) profileWalker {
	n := len(g.shape)
	w := profileWalker{x: x, stride: g.stride, players: buf.players[:0]}
	if n-1 > walkDepth {
		w.players = make([]int, 0, n)
	}
	for j := n - 1; j > 0; j-- {
		if j != skip {
			w.players = append(w.players, j)
		}
	}
	d := len(w.players)
	if d <= walkDepth {
		w.pos, w.idx, w.w = buf.pos[:d], buf.base[:d+1], buf.w[:d+1]
	} else {
		w.pos, w.idx, w.w = make([]int, d), make([]int, d+1), make([]float64, d+1)
	}
	w.w[0] = 1
	if d > 0 {
		w.pos[0] = -1
	}
	return w
}

// next advances to the next partial profile; it reports false when none
// is left.
func (w *profileWalker) next() bool {
	d := len(w.players)
	if d == 0 {
		ok := !w.done
		w.done = true
		return ok
	}
	l := w.level
	for l >= 0 {
		j := w.players[l]
		xj := w.x[j]
		s := w.pos[l] + 1
		for s < len(xj) && xj[s] == 0 {
			s++
		}
		if s >= len(xj) {
			l--
			continue
		}
		w.pos[l] = s
		w.w[l+1] = w.w[l] * xj[s]
		w.idx[l+1] = w.idx[l] + s*w.stride[j]
		if l == d-1 {
			w.level = l
			return true
		}
		l++
		w.pos[l] = -1
	}
	w.level = -1
	return false
}

func (w *profileWalker) weight() float64 { return w.w[len(w.players)] }
func (w *profileWalker) base() int       { return w.idx[len(w.players)] }

// axpyUnrolled adds alpha·x to dst (len(dst) terms).
func axpyUnrolled(dst []float64, alpha float64, x []float64) {
	x = x[:len(dst)]
	k := 0
	for ; k+4 <= len(dst); k += 4 {
		dst[k] += alpha * x[k]
		dst[k+1] += alpha * x[k+1]
		dst[k+2] += alpha * x[k+2]
		dst[k+3] += alpha * x[k+3]
	}
	for ; k < len(dst); k++ {
		dst[k] += alpha * x[k]
	}
}

// axpy4 adds Σ_r w[r]·rows[r] to dst, loading and storing dst once.
func axpy4(dst []float64, w *[4]float64, rows *[4][]float64) {
	r0, r1, r2, r3 := rows[0][:len(dst)], rows[1][:len(dst)], rows[2][:len(dst)], rows[3][:len(dst)]
	w0, w1, w2, w3 := w[0], w[1], w[2], w[3]
	for k := range dst {
		dst[k] += (w0*r0[k] + w1*r1[k]) + (w2*r2[k] + w3*r3[k])
	}
}

// Regret returns, for each player, the gain of its best pure deviation from
// x: max_s u_i(s, x_{-i}) − u_i(x). All are ≥ 0 up to rounding; x is a Nash
// equilibrium exactly when all are 0.
func (g *Normal) Regret(x Mixed) []float64 {
	r := make([]float64, len(g.shape))
	var dev []float64
	for i := range g.shape {
		dev = g.Deviation(x, i, dev)
		best := math.Inf(-1)
		for _, v := range dev {
			best = max(best, v)
		}
		r[i] = best - floats.Dot(x[i], dev)
	}
	return r
}

// NashConv returns the sum over players of Regret(x).
func (g *Normal) NashConv(x Mixed) float64 {
	sum := 0.0
	for _, r := range g.Regret(x) {
		sum += r
	}
	return sum
}

// MixedRat is a mixed profile in exact rationals.
type MixedRat [][]*big.Rat

// DeviationRat is Deviation in exact arithmetic over the game's exact
// payoffs. It returns new rationals.
func (g *Normal) DeviationRat(x MixedRat, i int) []*big.Rat {
	m := g.shape[i]
	dst := make([]*big.Rat, m)
	for s := range dst {
		dst[s] = new(big.Rat)
	}
	// Enumerate the profiles of the others with non-zero probability,
	// keeping the probability of every prefix.
	var others []int
	for j := len(g.shape) - 1; j >= 0; j-- {
		if j != i {
			others = append(others, j)
		}
	}
	d := len(others)
	pos := make([]int, d)
	base := make([]int, d+1)
	w := make([]big.Rat, d+1)
	w[0].SetInt64(1)
	var tmp, scratch big.Rat
	stride := g.stride[i]
	leaf := func(b int, wt *big.Rat) {
		for s := range dst {
			tmp.Mul(wt, g.ratInto(i, b+s*stride, &scratch))
			dst[s].Add(dst[s], &tmp)
		}
	}
	if d == 0 {
		leaf(0, &w[0])
		return dst
	}
	pos[0] = -1
	for l := 0; l >= 0; {
		j := others[l]
		xj := x[j]
		s := pos[l] + 1
		for s < len(xj) && xj[s].Sign() == 0 {
			s++
		}
		if s >= len(xj) {
			l--
			continue
		}
		pos[l] = s
		w[l+1].Mul(&w[l], xj[s])
		base[l+1] = base[l] + s*g.stride[j]
		if l == d-1 {
			leaf(base[d], &w[d])
			continue
		}
		l++
		pos[l] = -1
	}
	return dst
}

// RegretRat returns each player's regret at x in exact arithmetic.
func (g *Normal) RegretRat(x MixedRat) []*big.Rat {
	r := make([]*big.Rat, len(g.shape))
	var tmp big.Rat
	for i := range g.shape {
		dev := g.DeviationRat(x, i)
		best := dev[0]
		u := new(big.Rat)
		for s, v := range dev {
			if v.Cmp(best) > 0 {
				best = v
			}
			u.Add(u, tmp.Mul(x[i][s], v))
		}
		r[i] = new(big.Rat).Sub(best, u)
	}
	return r
}
