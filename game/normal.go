package game

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
)

// ErrShape reports a game or profile whose dimensions do not fit.
var ErrShape = errors.New("game: shape mismatch")

// Normal is a finite n-player game in normal (strategic) form.
//
// Payoffs are stored densely, one flat slice per player, indexed by the
// profile index of Gambit's convention: player 1's strategy varies fastest,
// so profile (s_1, …, s_n) has index Σ s_i·stride_i with stride_1 = 1 and
// stride_{i+1} = stride_i·m_i.
//
// Every payoff has a float64 value, used by the floating-point solvers. A game
// built from rationals (a parsed .nfg file, an integer generator) also keeps
// the exact values, used by the exact solvers and verifiers; for a game built
// from floats the exact value of each payoff is the float itself, which is a
// rational, so exact arithmetic is always available.
//
// A Normal is not safe for concurrent mutation; concurrent reads are safe.
type Normal struct {
	// Title and Comment are free text carried through the .nfg format.
	Title, Comment string
	// Players holds one label per player.
	Players []string
	// Strategies holds, for each player, one label per strategy.
	Strategies [][]string

	shape  []int
	stride []int
	pay    [][]float64  // pay[player][profile]
	exact  [][]*big.Rat // exact[player][profile]; nil when payoffs were set as floats
}

// New returns a game with the given number of strategies per player, all
// payoffs zero and exact, and default labels ("1", "2", … for players and
// strategies). It panics if a dimension is not positive.
func New(shape ...int) *Normal {
	if len(shape) == 0 {
		panic("game.New: no players")
	}
	g := &Normal{shape: append([]int(nil), shape...)}
	g.stride = make([]int, len(shape))
	n := 1
	for i, m := range shape {
		if m <= 0 {
			panic(fmt.Sprintf("game.New: player %d has %d strategies", i+1, m))
		}
		g.stride[i] = n
		n *= m
	}
	g.Players = make([]string, len(shape))
	g.Strategies = make([][]string, len(shape))
	g.pay = make([][]float64, len(shape))
	g.exact = make([][]*big.Rat, len(shape))
	for i, m := range shape {
		g.Players[i] = strconv.Itoa(i + 1)
		g.Strategies[i] = make([]string, m)
		for s := range m {
			g.Strategies[i][s] = strconv.Itoa(s + 1)
		}
		g.pay[i] = make([]float64, n)
		g.exact[i] = make([]*big.Rat, n)
		for k := range n {
			g.exact[i][k] = new(big.Rat)
		}
	}
	return g
}

// NumPlayers returns the number of players.
func (g *Normal) NumPlayers() int { return len(g.shape) }

// NumStrategies returns the number of strategies of player i (0-based).
func (g *Normal) NumStrategies(i int) int { return g.shape[i] }

// Shape returns a copy of the number of strategies of every player.
func (g *Normal) Shape() []int { return append([]int(nil), g.shape...) }

// NumProfiles returns the number of pure-strategy profiles.
func (g *Normal) NumProfiles() int { return len(g.pay[0]) }

// Stride returns the profile-index step of player i's strategy.
func (g *Normal) Stride(i int) int { return g.stride[i] }

// Index returns the profile index of the pure profile s (one 0-based
// strategy per player).
func (g *Normal) Index(s ...int) int {
	if len(s) != len(g.shape) {
		panic(fmt.Sprintf("game: profile of %d strategies for %d players", len(s), len(g.shape)))
	}
	k := 0
	for i, si := range s {
		if si < 0 || si >= g.shape[i] {
			panic(fmt.Sprintf("game: strategy %d out of range for player %d", si, i+1))
		}
		k += si * g.stride[i]
	}
	return k
}

// Profile writes the pure profile of index k into dst (allocating it if it
// is too short) and returns it.
func (g *Normal) Profile(k int, dst []int) []int {
	if cap(dst) < len(g.shape) {
		dst = make([]int, len(g.shape))
	}
	dst = dst[:len(g.shape)]
	for i, m := range g.shape {
		dst[i] = k % m
		k /= m
	}
	return dst
}

// Payoff returns player i's payoff at profile index k.
func (g *Normal) Payoff(i, k int) float64 { return g.pay[i][k] }

// Payoffs returns player i's payoffs for every profile index. The slice is
// the game's own storage: read it, do not modify it.
func (g *Normal) Payoffs(i int) []float64 { return g.pay[i] }

// SetPayoff sets player i's payoff at profile index k to the float v.
func (g *Normal) SetPayoff(i, k int, v float64) {
	g.pay[i][k] = v
	if g.exact != nil {
		g.exact[i][k] = nil // derived from the float on demand
	}
}

// SetPayoffRat sets player i's payoff at profile index k to the rational v
// (copied); the float value is its nearest float64.
func (g *Normal) SetPayoffRat(i, k int, v *big.Rat) {
	if g.exact == nil {
		g.exact = make([][]*big.Rat, len(g.shape))
		for j := range g.exact {
			g.exact[j] = make([]*big.Rat, len(g.pay[j]))
		}
	}
	g.exact[i][k] = new(big.Rat).Set(v)
	g.pay[i][k], _ = v.Float64()
}

// PayoffRat returns player i's exact payoff at profile index k as a new
// rational: the value it was set to, or the exact value of its float.
func (g *Normal) PayoffRat(i, k int) *big.Rat {
	if g.exact != nil && g.exact[i][k] != nil {
		return new(big.Rat).Set(g.exact[i][k])
	}
	return g.ratAt(i, k)
}

// IsRational reports whether every payoff was set from a rational (for
// instance parsed from a file), as opposed to from a float.
func (g *Normal) IsRational() bool {
	if g.exact == nil {
		return false
	}
	for _, row := range g.exact {
		for _, r := range row {
			if r == nil {
				return false
			}
		}
	}
	return true
}

// Clone returns a deep copy of g.
func (g *Normal) Clone() *Normal {
	c := &Normal{
		Title:      g.Title,
		Comment:    g.Comment,
		Players:    append([]string(nil), g.Players...),
		Strategies: make([][]string, len(g.Strategies)),
		shape:      append([]int(nil), g.shape...),
		stride:     append([]int(nil), g.stride...),
		pay:        make([][]float64, len(g.pay)),
	}
	for i := range g.Strategies {
		c.Strategies[i] = append([]string(nil), g.Strategies[i]...)
		c.pay[i] = append([]float64(nil), g.pay[i]...)
	}
	if g.exact != nil {
		c.exact = make([][]*big.Rat, len(g.exact))
		for i, row := range g.exact {
			c.exact[i] = make([]*big.Rat, len(row))
			for k, r := range row {
				if r != nil {
					c.exact[i][k] = new(big.Rat).Set(r)
				}
			}
		}
	}
	return c
}
