package game

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// AntisymmetricVariant selects the lower triangle of RandomAntisymmetric.
type AntisymmetricVariant int

// Variants of the EGPO simulation protocol's preference matrices.
const (
	// LowerRandom draws every P[i][j], i > j, from U(0, 1).
	LowerRandom AntisymmetricVariant = iota
	// LowerTie sets every entry to 1/2.
	LowerTie
	// LowerWin sets P[i][j] = 1 for i > j: a deterministic transitive order
	// in which a higher index beats every lower one.
	LowerWin
)

// ParseAntisymmetricVariant maps "random", "tie" and "lower_win" to variants.
func ParseAntisymmetricVariant(s string) (AntisymmetricVariant, error) {
	switch s {
	case "random", "":
		return LowerRandom, nil
	case "tie":
		return LowerTie, nil
	case "lower_win":
		return LowerWin, nil
	}
	return 0, fmt.Errorf("game: antisymmetric variant %q: want random, tie or lower_win", s)
}

func (v AntisymmetricVariant) String() string {
	switch v {
	case LowerRandom:
		return "random"
	case LowerTie:
		return "tie"
	case LowerWin:
		return "lower_win"
	}
	return fmt.Sprintf("AntisymmetricVariant(%d)", int(v))
}

// RandomAntisymmetric returns n contexts of K responses built as in the EGPO
// simulation protocol: the lower triangle P[i][j] (i > j) is drawn from
// U(0, 1) (or fixed by the variant), the upper triangle is 1 minus its
// mirror and the diagonal is 1/2. Draws are made context by context, row by
// row, so the same rng state gives the same game.
func RandomAntisymmetric(rng *rand.Rand, n, k int, v AntisymmetricVariant) *Preference {
	g := newPreference(n, k, false)
	for c := range n {
		for i := range k {
			g.p[(c*k+i)*k+i] = 0.5
			for j := range i {
				var x float64
				switch v {
				case LowerRandom:
					x = rng.Float64()
				case LowerTie:
					x = 0.5
				case LowerWin:
					x = 1
				default:
					panic(fmt.Sprintf("game: unknown antisymmetric variant %d", int(v)))
				}
				g.p[(c*k+i)*k+j] = x
				g.p[(c*k+j)*k+i] = 1 - x
			}
		}
	}
	return g
}

// BradleyTerry returns the game whose context c has P[i][j] = σ(s_i − s_j)
// with s = scores[c]: the preferences of a single annotator with latent
// utilities s (any scale, so a temperature is folded into the scores).
// Scores are kept for the Plackett–Luce aggregator.
func BradleyTerry(scores [][]float64) (*Preference, error) {
	if len(scores) == 0 || len(scores[0]) == 0 {
		return nil, fmt.Errorf("%w: no contexts or no responses", ErrShape)
	}
	k := len(scores[0])
	g := newPreference(len(scores), k, false)
	g.scores = make([]float64, len(scores)*k)
	for c, s := range scores {
		if len(s) != k {
			return nil, fmt.Errorf("%w: context %d has %d scores, want %d", ErrShape, c+1, len(s), k)
		}
		for i, v := range s {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("game: context %d score %d is %v", c+1, i+1, v)
			}
		}
		copy(g.scores[c*k:], s)
		for i := range k {
			for j := range k {
				g.p[(c*k+i)*k+j] = sigmoid(s[i] - s[j])
			}
		}
	}
	return g, nil
}

// sigmoid is the logistic function, exactly 1/2 at 0 and symmetric:
// sigmoid(−x) = 1 − sigmoid(x) up to rounding.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// Cyclic returns the one-context generalized rock-paper-scissors game on K
// responses: response i beats the next ⌊(K−1)/2⌋ responses cyclically
// (i+1, …, mod K) with probability (1+margin)/2, loses to the previous ones,
// and ties the opposite response when K is even. K = 3 with margin 1 is
// rock-paper-scissors; the uniform distribution is a maximal lottery.
// Use Repeat for more contexts.
func Cyclic(k int, margin float64) (*Preference, error) {
	if k < 2 {
		return nil, fmt.Errorf("%w: cyclic game needs K ≥ 2, got %d", ErrShape, k)
	}
	if !(margin >= 0 && margin <= 1) {
		return nil, fmt.Errorf("game: cyclic margin %v: want a number in [0, 1]", margin)
	}
	g := newPreference(1, k, true)
	for i := range k {
		for j := range k {
			d := (j - i + k) % k
			switch {
			case d == 0 || 2*d == k:
				g.p[i*k+j] = 0.5
			case 2*d < k:
				g.p[i*k+j] = (1 + margin) / 2
			default:
				g.p[i*k+j] = (1 - margin) / 2
			}
		}
	}
	return g, nil
}

// DiscGame returns the one-context disc game of the given points u_i in the
// closed unit disc: P[i][j] = (1 + u_i × u_j)/2 with the planar cross product
// u_i × u_j = x_i y_j − y_i x_j. Preferences are cyclic whenever the points
// surround the origin.
func DiscGame(points [][2]float64) (*Preference, error) {
	k := len(points)
	if k == 0 {
		return nil, fmt.Errorf("%w: disc game with no points", ErrShape)
	}
	for i, u := range points {
		if r := math.Hypot(u[0], u[1]); !(r <= 1+1e-12) {
			return nil, fmt.Errorf("game: disc game point %d at radius %v, want ≤ 1", i+1, r)
		}
	}
	g := newPreference(1, k, true)
	for i, u := range points {
		for j, v := range points {
			m := u[0]*v[1] - u[1]*v[0]
			g.p[i*k+j] = min(1, max(0, (1+m)/2))
		}
		g.p[i*k+i] = 0.5
	}
	return g, nil
}

// RandomDiscGame returns n contexts, each a disc game on K points drawn
// uniformly from the unit disc.
func RandomDiscGame(rng *rand.Rand, n, k int) *Preference {
	g := newPreference(n, k, false)
	pts := make([][2]float64, k)
	for c := range n {
		for i := range pts {
			r, a := math.Sqrt(rng.Float64()), 2*math.Pi*rng.Float64()
			pts[i] = [2]float64{r * math.Cos(a), r * math.Sin(a)}
		}
		d, err := DiscGame(pts)
		if err != nil {
			panic(err) // points are inside the disc by construction
		}
		copy(g.p[c*k*k:], d.p)
	}
	return g
}

// Ranking returns the one-context game of a deterministic annotator who
// ranks the responses in the given order (order[0] best): P[i][j] = 1 when i
// is ranked above j. order must be a permutation of 0..K−1.
func Ranking(order []int) (*Preference, error) {
	k := len(order)
	if k == 0 {
		return nil, fmt.Errorf("%w: empty ranking", ErrShape)
	}
	pos := make([]int, k)
	for i := range pos {
		pos[i] = -1
	}
	for r, y := range order {
		if y < 0 || y >= k || pos[y] >= 0 {
			return nil, fmt.Errorf("game: ranking %v is not a permutation of 0..%d", order, k-1)
		}
		pos[y] = r
	}
	g := newPreference(1, k, true)
	for i := range k {
		for j := range k {
			switch {
			case i == j:
				g.p[i*k+j] = 0.5
			case pos[i] < pos[j]:
				g.p[i*k+j] = 1
			}
		}
	}
	return g, nil
}

// Mixture returns the preferences of a population of annotator types: a
// judgement comes from type a with probability weights[a] (normalized), so
// P = Σ_a w_a P_a. All components must have the same number of responses and
// either the same number of contexts or a single (broadcast) context.
func Mixture(weights []float64, comps []*Preference) (*Preference, error) {
	if len(comps) == 0 || len(weights) != len(comps) {
		return nil, fmt.Errorf("%w: %d weights for %d annotator types", ErrShape, len(weights), len(comps))
	}
	k, n := comps[0].k, 1
	shared := true
	for a, g := range comps {
		if g.k != k {
			return nil, fmt.Errorf("%w: annotator type %d has %d responses, want %d", ErrShape, a+1, g.k, k)
		}
		if g.n > 1 || !g.shared {
			if n > 1 && g.n != n {
				return nil, fmt.Errorf("%w: annotator type %d has %d contexts, others %d", ErrShape, a+1, g.n, n)
			}
			n = max(n, g.n)
			shared = shared && g.shared
		}
	}
	sum := 0.0
	for a, w := range weights {
		if !(w >= 0) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("game: annotator type %d weight %v: want a finite number ≥ 0", a+1, w)
		}
		sum += w
	}
	if sum == 0 {
		return nil, fmt.Errorf("game: annotator weights are all zero")
	}
	out := newPreference(n, k, shared)
	blocks := len(out.p) / (k * k)
	for b := range blocks {
		dst := out.p[b*k*k : (b+1)*k*k]
		for a, g := range comps {
			src := g.Matrix(min(b, g.n-1))
			w := weights[a] / sum
			for i, v := range src {
				dst[i] += w * v
			}
		}
	}
	copy(out.Responses, comps[0].Responses)
	return out, nil
}

// ThreeAnnotators returns the three-response, three-annotator-type example
// of the NLHF paper's appendix in this form: deterministic annotators with
// rankings 1≻2≻3, 2≻3≻1 and 3≻1≻2 in proportions 1/3 − ε/4, 1/3 + ε/2,
// 1/3 − ε/4. Its margins form a cycle whose unique maximal lottery is
// (1/3 + ε/2, 1/3 + ε/2, 1/3 − ε), while the Borda (and Bradley–Terry under
// uniform pairs) winner is response 2 for ε > 0 and response 1 for ε < 0.
// ε must lie in (−2/3, 1/3).
func ThreeAnnotators(eps float64) (*Preference, error) {
	if !(eps > -2.0/3 && eps < 1.0/3) {
		return nil, fmt.Errorf("game: three-annotator ε = %v: want a number in (−2/3, 1/3)", eps)
	}
	var comps []*Preference
	for _, order := range [][]int{{0, 1, 2}, {1, 2, 0}, {2, 0, 1}} {
		r, err := Ranking(order)
		if err != nil {
			return nil, err
		}
		comps = append(comps, r)
	}
	return Mixture([]float64{1.0/3 - eps/4, 1.0/3 + eps/2, 1.0/3 - eps/4}, comps)
}

// HeterogeneousBT returns n contexts judged by a population of m annotators
// with their own Bradley–Terry utilities: annotator a's scores in each
// context are drawn i.i.d. from N(0, spread²), and a judgement comes from
// annotator a with probability weights[a] (equal weights when nil).
func HeterogeneousBT(rng *rand.Rand, n, k, m int, spread float64, weights []float64) (*Preference, error) {
	if m < 1 {
		return nil, fmt.Errorf("game: heterogeneous annotators: %d annotators, want ≥ 1", m)
	}
	if !(spread >= 0) || math.IsInf(spread, 0) {
		return nil, fmt.Errorf("game: heterogeneous annotators: spread %v, want a finite number ≥ 0", spread)
	}
	if weights == nil {
		weights = make([]float64, m)
		for a := range weights {
			weights[a] = 1
		}
	}
	if len(weights) != m {
		return nil, fmt.Errorf("%w: %d weights for %d annotators", ErrShape, len(weights), m)
	}
	comps := make([]*Preference, m)
	for a := range comps {
		s := make([][]float64, n)
		for c := range s {
			s[c] = make([]float64, k)
			for i := range s[c] {
				s[c][i] = spread * rng.NormFloat64()
			}
		}
		var err error
		if comps[a], err = BradleyTerry(s); err != nil {
			return nil, err
		}
	}
	return Mixture(weights, comps)
}

// Noisy returns the preferences of a judge who reports the opposite of the
// true judgement with probability flip ∈ [0, 1/2]: P' = (1 − flip)·P +
// flip·(1 − P). flip = 1/2 makes every pair a tie.
func Noisy(g *Preference, flip float64) (*Preference, error) {
	if !(flip >= 0 && flip <= 0.5) {
		return nil, fmt.Errorf("game: noisy judge flip probability %v: want a number in [0, 1/2]", flip)
	}
	out := g.Clone()
	out.scores = nil
	for i, v := range out.p {
		out.p[i] = (1-flip)*v + flip*(1-v)
	}
	return out, nil
}

// Tempered returns the preferences of a judge whose log-odds are the true
// ones divided by temp > 0: P' = σ(logit(P)/temp). temp > 1 blurs judgements
// toward ties; temp < 1 sharpens them. Bradley–Terry scores are rescaled.
func Tempered(g *Preference, temp float64) (*Preference, error) {
	if !(temp > 0) || math.IsInf(temp, 0) {
		return nil, fmt.Errorf("game: judge temperature %v: want a finite number > 0", temp)
	}
	out := g.Clone()
	for i, v := range out.p {
		switch {
		case v <= 0, v >= 1, v == 0.5:
			out.p[i] = v
		default:
			out.p[i] = sigmoid(math.Log(v/(1-v)) / temp)
		}
	}
	for i := range out.scores {
		out.scores[i] /= temp
	}
	return out, nil
}

// Concat returns a game whose contexts are those of gs in order. All must
// have the same number of responses. Context weights are dropped (uniform).
func Concat(gs ...*Preference) (*Preference, error) {
	if len(gs) == 0 {
		return nil, fmt.Errorf("%w: nothing to concatenate", ErrShape)
	}
	k, n := gs[0].k, 0
	scores := true
	for i, g := range gs {
		if g.k != k {
			return nil, fmt.Errorf("%w: game %d has %d responses, want %d", ErrShape, i+1, g.k, k)
		}
		n += g.n
		scores = scores && g.scores != nil
	}
	out := newPreference(n, k, false)
	if scores {
		out.scores = make([]float64, n*k)
	}
	c := 0
	for _, g := range gs {
		for gc := range g.n {
			copy(out.p[c*k*k:], g.Matrix(gc))
			if scores {
				copy(out.scores[c*k:], g.Scores(gc))
			}
			out.Contexts[c] = g.Contexts[gc]
			c++
		}
	}
	copy(out.Responses, gs[0].Responses)
	return out, nil
}
