package game

import (
	"errors"
	"fmt"
	"math"
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
// Every payoff has a float64 value, used by the floating-point solvers, and
// an exact rational value, used by the exact solvers and verifiers. A payoff
// set from a rational (a parsed .nfg file, an integer generator) keeps that
// rational; a payoff set from a float has the float's own exact value.
// Rationals that a float64 represents exactly (integers, halves, …) cost no
// extra memory: only the others are stored as big.Rat.
//
// A game read from an outcome-form .nfg file also keeps its outcome table
// (see Outcomes), so that writing it reproduces the file's structure.
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
	pay    [][]float64 // pay[player][profile]
	// exact[i] is nil, or exact[i][k] is the payoff when no float64 equals
	// it (nil otherwise: the payoff is pay[i][k] exactly). Stored rationals
	// are never modified in place, so clones and outcomes may share them.
	exact [][]*big.Rat
	// fromFloat[i] is nil, or bit k is set when payoff k was set as a float.
	fromFloat [][]uint64
	// spell[i] is nil, or spell[i][k] is the payoff's spelling in the file
	// it was read from when that differs from the canonical one ("" if not).
	spell [][]string
	// outcomes is the outcome table of an outcome-form game, nil otherwise.
	outcomes *outcomeTable
}

// MaxProfiles bounds the number of pure profiles of a game created by New
// or read from a file: 10⁸ profiles of two players already take 1.6 GB.
const MaxProfiles = 100_000_000

// New returns a game with the given number of strategies per player, all
// payoffs zero and exact, and default labels ("1", "2", … for players and
// strategies). It panics if a dimension is not positive or the game has
// more than MaxProfiles profiles.
func New(shape ...int) *Normal {
	if len(shape) == 0 {
		panic("game.New: no players")
	}
	n, err := profileCount(shape)
	if err != nil {
		panic("game.New: " + err.Error())
	}
	g := &Normal{
		shape:      append([]int(nil), shape...),
		stride:     make([]int, len(shape)),
		Players:    make([]string, len(shape)),
		Strategies: make([][]string, len(shape)),
		pay:        make([][]float64, len(shape)),
		exact:      make([][]*big.Rat, len(shape)),
		fromFloat:  make([][]uint64, len(shape)),
		spell:      make([][]string, len(shape)),
	}
	step := 1
	for i, m := range shape {
		g.stride[i] = step
		step *= m
		g.Players[i] = strconv.Itoa(i + 1)
		g.Strategies[i] = make([]string, m)
		for s := range m {
			g.Strategies[i][s] = strconv.Itoa(s + 1)
		}
		g.pay[i] = make([]float64, n)
	}
	return g
}

// profileCount returns Π shape, or an error if a dimension is not positive
// or the product exceeds MaxProfiles.
func profileCount(shape []int) (int, error) {
	n := 1
	for i, m := range shape {
		if m <= 0 {
			return 0, fmt.Errorf("player %d has %d strategies", i+1, m)
		}
		if n > MaxProfiles/m {
			return 0, fmt.Errorf("%s strategies make more than %d profiles", shapeString(shape), MaxProfiles)
		}
		n *= m
	}
	return n, nil
}

func shapeString(shape []int) string {
	b := make([]byte, 0, 4*len(shape))
	for i, m := range shape {
		if i > 0 {
			b = append(b, "×"...)
		}
		b = strconv.AppendInt(b, int64(m), 10)
	}
	return string(b)
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

// SetPayoff sets player i's payoff at profile index k to the float v, whose
// exact value becomes the payoff's rational value. It panics if v is NaN or
// infinite. Setting a payoff discards the outcome table, if any: the
// profile no longer shares its outcome with other profiles.
func (g *Normal) SetPayoff(i, k int, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		panic(fmt.Sprintf("game: payoff %v is not finite", v))
	}
	g.pay[i][k] = v
	g.forget(i, k)
	if g.fromFloat[i] == nil {
		g.fromFloat[i] = make([]uint64, (len(g.pay[i])+63)/64)
	}
	g.fromFloat[i][k/64] |= 1 << (k % 64)
}

// SetPayoffRat sets player i's payoff at profile index k to the rational v
// (copied); the float value is its nearest float64. It discards the outcome
// table like SetPayoff.
func (g *Normal) SetPayoffRat(i, k int, v *big.Rat) {
	g.forget(i, k)
	f, exact := v.Float64()
	g.pay[i][k] = f
	if !exact {
		if g.exact[i] == nil {
			g.exact[i] = make([]*big.Rat, len(g.pay[i]))
		}
		g.exact[i][k] = new(big.Rat).Set(v)
	}
	if g.fromFloat[i] != nil {
		g.fromFloat[i][k/64] &^= 1 << (k % 64)
	}
}

// setExactFloat sets payoff (i, k) to the rational value of the float v,
// as SetPayoffRat would, without building a big.Rat.
func (g *Normal) setExactFloat(i, k int, v float64) {
	g.forget(i, k)
	g.pay[i][k] = v
	if g.fromFloat[i] != nil {
		g.fromFloat[i][k/64] &^= 1 << (k % 64)
	}
}

// forget clears what is recorded about payoff (i, k) besides its values.
func (g *Normal) forget(i, k int) {
	if g.exact[i] != nil {
		g.exact[i][k] = nil
	}
	if g.spell[i] != nil {
		g.spell[i][k] = ""
	}
	g.outcomes = nil
}

// PayoffRat returns player i's exact payoff at profile index k as a new
// rational: the value it was set to, or the exact value of its float.
func (g *Normal) PayoffRat(i, k int) *big.Rat {
	return new(big.Rat).Set(g.ratInto(i, k, new(big.Rat)))
}

// ratInto returns the exact payoff (i, k): the stored rational itself (do
// not modify it) or tmp set to the float's value.
func (g *Normal) ratInto(i, k int, tmp *big.Rat) *big.Rat {
	if e := g.exact[i]; e != nil && e[k] != nil {
		return e[k]
	}
	return tmp.SetFloat64(g.pay[i][k])
}

// isFloat reports whether payoff (i, k) was set as a float.
func (g *Normal) isFloat(i, k int) bool {
	ff := g.fromFloat[i]
	return ff != nil && ff[k/64]&(1<<(k%64)) != 0
}

// IsRational reports whether every payoff was set from a rational (for
// instance parsed from a file), as opposed to from a float.
func (g *Normal) IsRational() bool {
	for _, ff := range g.fromFloat {
		for _, w := range ff {
			if w != 0 {
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
		exact:      make([][]*big.Rat, len(g.pay)),
		fromFloat:  make([][]uint64, len(g.pay)),
		spell:      make([][]string, len(g.pay)),
		outcomes:   g.outcomes.clone(),
	}
	for i := range g.Strategies {
		c.Strategies[i] = append([]string(nil), g.Strategies[i]...)
	}
	for i := range g.pay {
		c.pay[i] = append([]float64(nil), g.pay[i]...)
		c.exact[i] = cloneOrNil(g.exact[i])
		c.fromFloat[i] = cloneOrNil(g.fromFloat[i])
		c.spell[i] = cloneOrNil(g.spell[i])
	}
	return c
}

func cloneOrNil[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append([]T(nil), s...)
}

// Equal reports whether g and h are the same game: equal shapes, labels,
// title and comment, exactly equal payoffs, and the same outcome tables
// (both absent, or equal labels, payoffs and profile assignment). How
// payoffs are spelled in a file, and whether they were set as floats or
// rationals, does not matter.
func (g *Normal) Equal(h *Normal) bool {
	if g.Title != h.Title || g.Comment != h.Comment || !equalSlices(g.shape, h.shape) ||
		!equalSlices(g.Players, h.Players) || len(g.Strategies) != len(h.Strategies) {
		return false
	}
	for i := range g.Strategies {
		if !equalSlices(g.Strategies[i], h.Strategies[i]) {
			return false
		}
	}
	var a, b big.Rat
	for i := range g.pay {
		for k, v := range g.pay[i] {
			if v != h.pay[i][k] || g.ratInto(i, k, &a).Cmp(h.ratInto(i, k, &b)) != 0 {
				return false
			}
		}
	}
	return g.outcomes.equal(h.outcomes)
}

func equalSlices[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
