package game

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// ErrPreference reports a preference matrix that is not one: an entry
// outside [0, 1], or P[i][j] + P[j][i] ≠ 1.
var ErrPreference = errors.New("game: not a preference matrix")

// Preference is a preference game: for each of N contexts (prompts) the same
// K candidate responses and a matrix P with P[i][j] = Pr(response i is
// preferred to response j | context), P[i][j] + P[j][i] = 1 and P[i][i] = 1/2.
// The margin M = 2P − 1 is skew-symmetric.
//
// Contexts carry a sampling distribution ρ (uniform unless set); every
// quantity averaged over contexts uses it.
//
// When all contexts share one matrix (games built by Repeat, Cyclic, …) it is
// stored once and Shared reports true; Set then changes every context.
//
// A Preference is not safe for concurrent mutation; concurrent reads are safe.
type Preference struct {
	// Contexts holds one label per context, Responses one label per response.
	Contexts  []string
	Responses []string

	n, k    int
	p       []float64 // k×k row-major per context, context-major; one block when shared
	shared  bool
	weights []float64 // ρ, normalized; nil means uniform
	scores  []float64 // Bradley–Terry scores, k per context (one block when shared); nil if none
}

// NewPreference returns a game with n contexts and k responses in which
// every pair ties (P = 1/2 everywhere). It panics if n or k is not positive.
func NewPreference(n, k int) *Preference {
	g := newPreference(n, k, false)
	for i := range g.p {
		g.p[i] = 0.5
	}
	return g
}

func newPreference(n, k int, shared bool) *Preference {
	if n < 1 || k < 1 {
		panic(fmt.Sprintf("game: preference game with %d contexts and %d responses", n, k))
	}
	blocks := n
	if shared {
		blocks = 1
	}
	g := &Preference{n: n, k: k, shared: shared, p: make([]float64, blocks*k*k)}
	g.Contexts = make([]string, n)
	for c := range g.Contexts {
		g.Contexts[c] = strconv.Itoa(c + 1)
	}
	g.Responses = make([]string, k)
	for i := range g.Responses {
		g.Responses[i] = strconv.Itoa(i + 1)
	}
	return g
}

// FromMatrices returns the game whose context c has preference matrix
// ps[c] (K×K). It checks that every matrix is a preference matrix to within
// tol and returns an error wrapping ErrPreference or ErrShape otherwise.
func FromMatrices(ps [][][]float64, tol float64) (*Preference, error) {
	if len(ps) == 0 || len(ps[0]) == 0 {
		return nil, fmt.Errorf("%w: no contexts or no responses", ErrShape)
	}
	k := len(ps[0])
	g := newPreference(len(ps), k, false)
	for c, m := range ps {
		if len(m) != k {
			return nil, fmt.Errorf("%w: context %d has %d rows, want %d", ErrShape, c+1, len(m), k)
		}
		for i, row := range m {
			if len(row) != k {
				return nil, fmt.Errorf("%w: context %d row %d has %d entries, want %d", ErrShape, c+1, i+1, len(row), k)
			}
			copy(g.p[(c*k+i)*k:], row)
		}
	}
	if err := g.Validate(tol); err != nil {
		return nil, err
	}
	return g, nil
}

// Repeat returns a game of n contexts that all use the matrix of g's context
// c (shared storage). Labels of responses and scores are kept.
func (g *Preference) Repeat(c, n int) *Preference {
	r := newPreference(n, g.k, true)
	copy(r.p, g.Matrix(c))
	copy(r.Responses, g.Responses)
	if s := g.Scores(c); s != nil {
		r.scores = append([]float64(nil), s...)
	}
	return r
}

// NumContexts returns the number of contexts.
func (g *Preference) NumContexts() int { return g.n }

// NumResponses returns the number of responses per context, K.
func (g *Preference) NumResponses() int { return g.k }

// Shared reports whether all contexts share one stored matrix.
func (g *Preference) Shared() bool { return g.shared }

func (g *Preference) block(c int) int {
	if c < 0 || c >= g.n {
		panic(fmt.Sprintf("game: context %d out of range [0, %d)", c, g.n))
	}
	if g.shared {
		return 0
	}
	return c
}

// Matrix returns context c's K×K matrix, row-major. The slice is the game's
// storage: read it, do not modify it (use Set).
func (g *Preference) Matrix(c int) []float64 {
	b := g.block(c)
	return g.p[b*g.k*g.k : (b+1)*g.k*g.k]
}

// At returns P[i][j] in context c.
func (g *Preference) At(c, i, j int) float64 { return g.Matrix(c)[i*g.k+j] }

// Set sets P[i][j] = v and P[j][i] = 1 − v in context c (in every context
// when the game is shared). Setting i = j requires v = 1/2.
func (g *Preference) Set(c, i, j int, v float64) {
	m := g.Matrix(c)
	if i == j && v != 0.5 {
		panic(fmt.Sprintf("game: P[%d][%d] = %v on the diagonal", i, i, v))
	}
	m[i*g.k+j] = v
	m[j*g.k+i] = 1 - v
	g.scores = nil // no longer known to be Bradley–Terry
}

// Scores returns context c's Bradley–Terry scores s (P[i][j] = σ(s_i − s_j))
// when the game was built from scores and not modified since, else nil. The
// slice is the game's storage: do not modify it.
func (g *Preference) Scores(c int) []float64 {
	if g.scores == nil {
		return nil
	}
	b := g.block(c)
	return g.scores[b*g.k : (b+1)*g.k]
}

// Weight returns the probability ρ(c) of context c.
func (g *Preference) Weight(c int) float64 {
	if g.weights == nil {
		return 1 / float64(g.n)
	}
	return g.weights[c]
}

// Weights returns a copy of ρ, the distribution over contexts.
func (g *Preference) Weights() []float64 {
	w := make([]float64, g.n)
	for c := range w {
		w[c] = g.Weight(c)
	}
	return w
}

// SetWeights sets ρ proportional to w (len NumContexts, non-negative, not all
// zero); nil restores the uniform distribution.
func (g *Preference) SetWeights(w []float64) error {
	if w == nil {
		g.weights = nil
		return nil
	}
	if len(w) != g.n {
		return fmt.Errorf("%w: %d context weights for %d contexts", ErrShape, len(w), g.n)
	}
	sum := 0.0
	for c, v := range w {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("game: context %d weight %v: want a finite number ≥ 0", c+1, v)
		}
		sum += v
	}
	if sum == 0 {
		return errors.New("game: context weights are all zero")
	}
	g.weights = make([]float64, g.n)
	for c, v := range w {
		g.weights[c] = v / sum
	}
	return nil
}

// Validate checks every stored matrix: entries in [0, 1], diagonal 1/2 and
// P[i][j] + P[j][i] = 1, all to within tol. The error wraps ErrPreference and
// names the context and pair.
func (g *Preference) Validate(tol float64) error {
	blocks := g.n
	if g.shared {
		blocks = 1
	}
	k := g.k
	for b := range blocks {
		m := g.p[b*k*k : (b+1)*k*k]
		for i := range k {
			if d := m[i*k+i]; !(math.Abs(d-0.5) <= tol) {
				return fmt.Errorf("%w: context %s: P[%d][%d] = %v, want 1/2", ErrPreference, g.Contexts[b], i+1, i+1, d)
			}
			for j := range k {
				v := m[i*k+j]
				if !(v >= -tol && v <= 1+tol) {
					return fmt.Errorf("%w: context %s: P[%d][%d] = %v, want a probability", ErrPreference, g.Contexts[b], i+1, j+1, v)
				}
				if s := v + m[j*k+i]; !(math.Abs(s-1) <= tol) {
					return fmt.Errorf("%w: context %s: P[%d][%d] + P[%d][%d] = %v, want 1", ErrPreference, g.Contexts[b], i+1, j+1, j+1, i+1, s)
				}
			}
		}
	}
	return nil
}

// Clone returns a deep copy of g.
func (g *Preference) Clone() *Preference {
	c := *g
	c.Contexts = append([]string(nil), g.Contexts...)
	c.Responses = append([]string(nil), g.Responses...)
	c.p = append([]float64(nil), g.p...)
	if g.weights != nil {
		c.weights = append([]float64(nil), g.weights...)
	}
	if g.scores != nil {
		c.scores = append([]float64(nil), g.scores...)
	}
	return &c
}

// Unshare returns g itself when its contexts have separate storage, and
// otherwise a copy in which every context has its own matrix.
func (g *Preference) Unshare() *Preference {
	if !g.shared {
		return g
	}
	u := g.Clone()
	u.shared = false
	kk := g.k * g.k
	u.p = make([]float64, g.n*kk)
	for c := range g.n {
		copy(u.p[c*kk:], g.p)
	}
	if g.scores != nil {
		u.scores = make([]float64, g.n*g.k)
		for c := range g.n {
			copy(u.scores[c*g.k:], g.scores)
		}
	}
	return u
}

// WinRates writes into dst (allocated if short) the win rate of every
// response against the distribution pi in context c, g(y) = Σ_y' P[y][y'] pi(y'),
// and returns it.
func (g *Preference) WinRates(c int, pi, dst []float64) []float64 {
	k := g.k
	if len(pi) != k {
		panic(fmt.Sprintf("game: distribution of length %d for %d responses", len(pi), k))
	}
	if cap(dst) < k {
		dst = make([]float64, k)
	}
	dst = dst[:k]
	m := g.Matrix(c)
	for i := range k {
		row := m[i*k : (i+1)*k]
		s := 0.0
		for j, q := range pi {
			s += row[j] * q
		}
		dst[i] = s
	}
	return dst
}

// Value returns P(p1 ≻ p2) = p1ᵀ P p2 in context c.
func (g *Preference) Value(c int, p1, p2 []float64) float64 {
	k := g.k
	m := g.Matrix(c)
	v := 0.0
	for i, a := range p1 {
		if a == 0 {
			continue
		}
		row := m[i*k : (i+1)*k]
		s := 0.0
		for j, b := range p2 {
			s += row[j] * b
		}
		v += a * s
	}
	return v
}

// Margins returns context c's margin matrix M = 2P − 1 as K rows.
func (g *Preference) Margins(c int) [][]float64 {
	k := g.k
	m := g.Matrix(c)
	out := make([][]float64, k)
	for i := range out {
		out[i] = make([]float64, k)
		for j := range k {
			out[i][j] = 2*m[i*k+j] - 1
		}
	}
	return out
}

// CondorcetWinner returns the response that beats every other one with
// probability > 1/2 in context c (strict) or ≥ 1/2 (weak), and whether one
// exists. A strict winner is unique; among weak winners the lowest index is
// returned.
func (g *Preference) CondorcetWinner(c int, weak bool) (int, bool) {
	k := g.k
	m := g.Matrix(c)
	for i := range k {
		ok := true
		for j := range k {
			if j == i {
				continue
			}
			v := m[i*k+j]
			if v < 0.5 || (!weak && v == 0.5) {
				ok = false
				break
			}
		}
		if ok {
			return i, true
		}
	}
	return -1, false
}

// BordaScores writes into dst (allocated if short) each response's win rate
// against the uniform distribution, (1/K) Σ_j P[i][j], and returns it.
func (g *Preference) BordaScores(c int, dst []float64) []float64 {
	k := g.k
	if cap(dst) < k {
		dst = make([]float64, k)
	}
	dst = dst[:k]
	m := g.Matrix(c)
	for i := range k {
		s := 0.0
		for j := range k {
			s += m[i*k+j]
		}
		dst[i] = s / float64(k)
	}
	return dst
}

// CopelandScores writes into dst (allocated if short) each response's number
// of pairwise majorities, a tie (P = 1/2) counting one half, and returns it.
func (g *Preference) CopelandScores(c int, dst []float64) []float64 {
	k := g.k
	if cap(dst) < k {
		dst = make([]float64, k)
	}
	dst = dst[:k]
	m := g.Matrix(c)
	for i := range k {
		s := 0.0
		for j := range k {
			switch v := m[i*k+j]; {
			case j == i:
			case v > 0.5:
				s++
			case v == 0.5:
				s += 0.5
			}
		}
		dst[i] = s
	}
	return dst
}

// BordaWinner returns the response with the highest Borda score in context c
// (the lowest index among ties).
func (g *Preference) BordaWinner(c int) int { return argmax(g.BordaScores(c, nil)) }

// CopelandWinner returns the response with the most pairwise majorities in
// context c (the lowest index among ties).
func (g *Preference) CopelandWinner(c int) int { return argmax(g.CopelandScores(c, nil)) }

func argmax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
