package agents

import (
	"math"
	"math/rand/v2"

	"github.com/selfplay-lab/selfplay/game"
)

// sampler runs per-context host work in parallel: the sampled mode's draws
// and the exact mode's host kernels. In the sampled mode each context draws
// from its own generator, reseeded from (seed, iteration, stream, context),
// so results do not depend on the number of goroutines or on scheduling.
// A sampler is used by one goroutine at a time.
type sampler struct {
	env   *Env
	seed  uint64
	works []*work // one per goroutine, reused across calls
}

// work is one goroutine's scratch: a generator and K-sized vectors. Users
// must not expect it zeroed: it is reused from context to context.
type work struct {
	pcg *rand.PCG
	rng *rand.Rand
	v   [8][]float64
	m   []float64 // K×K
	m2  []float64 // K×K
	i   []int
	f   []float64
	blk [4][]float64 // context-major blocks of hostBlock contexts × K (exactBlocks)
}

func newWork(k int) *work {
	w := &work{pcg: rand.NewPCG(0, 0)}
	w.rng = rand.New(w.pcg)
	for j := range w.v {
		w.v[j] = make([]float64, k)
	}
	w.m = make([]float64, k*k)
	w.m2 = make([]float64, k*k)
	for j := range w.blk {
		w.blk[j] = make([]float64, hostBlock*k)
	}
	return w
}

// splitmix64 is a bijective 64-bit mixer (Steele, Lea, Flood 2014).
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Streams separate the random draws of different uses within an iteration.
const (
	streamMain uint64 = iota + 1
	streamSecond
	streamData
)

// each runs f(c, w) for every context, w's generator seeded for (t, stream, c).
func (s *sampler) each(t int, stream uint64, f func(c int, w *work)) {
	s.exact(func(c int, w *work) {
		w.pcg.Seed(s.seed, splitmix64(splitmix64(splitmix64(uint64(t))^stream)^uint64(c)))
		f(c, w)
	})
}

// exact runs f(c, w) for every context without seeding (host kernels of
// the exact mode, which draw nothing).
func (s *sampler) exact(f func(c int, w *work)) {
	s.exactBlocks(func(c0, c1 int, w *work) {
		for c := c0; c < c1; c++ {
			f(c, w)
		}
	})
}

// exactBlocks runs f on blocks [c0, c1) of at most hostBlock contexts that
// cover every context, in parallel.
func (s *sampler) exactBlocks(f func(c0, c1 int, w *work)) {
	workers := hostWorkers()
	for len(s.works) < workers {
		s.works = append(s.works, newWork(s.env.K))
	}
	forBlocks(s.env.B, workers, func(c0, c1, worker int) {
		f(c0, c1, s.works[worker])
	})
}

// label returns the judgement of y against y' in context c: a Bernoulli
// draw from P[y][y'] or, with probability labels, P[y][y'] itself.
func label(g *game.Preference, rng *rand.Rand, prob bool, c, y, y2 int) float64 {
	p := g.At(c, y, y2)
	if prob {
		return p
	}
	if rng.Float64() < p {
		return 1
	}
	return 0
}

// judgePairs judges every pair of the members ys of context c once, in the
// order (0, 1), (0, 2), …, (1, 2), …, adding J(ys[i], ys[j]) to score[i]
// and 1 − J to score[j]: each member's wins against the others.
func judgePairs(score []float64, g *game.Preference, rng *rand.Rand, prob bool, c int, ys []int) {
	for i, y := range ys {
		for j := i + 1; j < len(ys); j++ {
			z := label(g, rng, prob, c, y, ys[j])
			score[i] += z
			score[j] += 1 - z
		}
	}
}

// extremes returns the index of the first highest and of the first lowest
// score.
func extremes(score []float64) (hi, lo int) {
	for i, s := range score {
		if s > score[hi] {
			hi = i
		}
		if s < score[lo] {
			lo = i
		}
	}
	return hi, lo
}

// sampleFrom draws from the probabilities pi (len K).
func sampleFrom(rng *rand.Rand, pi []float64) int { return game.Sample(rng, pi) }

// solvePairs returns in u the minimizer of
//
//	Σ_n [ z_n (u(y_n) − u(y'_n) − c)² + (1 − z_n)(u(y'_n) − u(y_n) − c)² ] + ridge·|u|²
//
// over the pairs (y_n, y'_n) with labels z_n (1 when y_n won): the
// winner/loser square loss of INPO, TD-MNPO and IPO with soft or hard
// labels. Its normal equations are (L + ridge·I) u = c Σ_n (2z_n − 1)(e_y − e_y'),
// with L the pairs' graph Laplacian; unsampled responses get u = 0.
func solvePairs(u []float64, lap []float64, k int, ridge float64) error {
	ridge = max(ridge, 1e-9) // the Laplacian alone is singular (constant shifts)
	for y := range k {
		lap[y*k+y] += ridge
	}
	return solveDense(lap, u, k)
}

// addPair adds one judged pair to the Laplacian lap (K×K) and right-hand
// side rhs of solvePairs.
func addPair(lap, rhs []float64, k, y, y2 int, z, c float64) {
	if y == y2 {
		return
	}
	lap[y*k+y]++
	lap[y2*k+y2]++
	lap[y*k+y2]--
	lap[y2*k+y]--
	r := c * (2*z - 1)
	rhs[y] += r
	rhs[y2] -= r
}

// probeStep is one SGD step on the uniform-probe square loss of the EGPO
// simulation ("online IPO 1"; also its Nash-MD and extragradient losses):
// with y, y' ~ Uniform, y” ~ opp and labels z = J(y, y”), z' = J(y', y”),
//
//	θ ← θ − (η·K/(2N)) Σ_n (τ·Δ_n − (z_n − z'_n)) (e_{y_n} − e_{y'_n}),
//	Δ_n = (θ − log ref)(y_n) − (θ − log ref)(y'_n),
//
// whose expectation is the exact mirror step θ ← (1 − ητ)θ + ητ·log ref + η·P·opp
// (up to a constant). θ is a log-policy column and is updated in place.
func probeStep(g *game.Preference, w *work, prob bool, c int, theta, logRef, opp []float64, eta, tau float64, n int) {
	k := len(theta)
	delta := w.v[6]
	clear(delta)
	for range n {
		y, y2 := w.rng.IntN(k), w.rng.IntN(k)
		y3 := sampleFrom(w.rng, opp)
		z := label(g, w.rng, prob, c, y, y3)
		z2 := label(g, w.rng, prob, c, y2, y3)
		d := (theta[y] - logRef[y]) - (theta[y2] - logRef[y2])
		r := tau*d - (z - z2)
		delta[y] -= r
		delta[y2] += r
	}
	s := eta * float64(k) / (2 * float64(n))
	for y := range theta {
		theta[y] += s * delta[y]
	}
	normalizeLog(theta)
}

// probeWinRates writes into ghat an unbiased estimate of the win rates
// P·opp from n uniform probes y ~ Uniform, y” ~ opp with labels
// z = J(y, y”): ghat(y) = (K/n) Σ_n 1[y_n = y] z_n.
func probeWinRates(g *game.Preference, w *work, prob bool, c int, opp, ghat []float64, n int) {
	k := len(ghat)
	clear(ghat)
	for range n {
		y := w.rng.IntN(k)
		y3 := sampleFrom(w.rng, opp)
		ghat[y] += label(g, w.rng, prob, c, y, y3)
	}
	s := float64(k) / float64(n)
	for y := range ghat {
		ghat[y] *= s
	}
}

// fitBradleyTerry maximizes Σ_{i≠j} wins[i][j]·log σ(r_i − r_j) − (ridge/2)|r|²
// by Newton's method with backtracking, starting from r (updated in place).
// wins[i][j] is the (possibly fractional) weight of i beating j. ridge > 0
// makes the problem strictly concave even for separable data.
func fitBradleyTerry(r, wins []float64, k int, ridge float64) error {
	grad := make([]float64, k)
	hess := make([]float64, k*k)
	trial := make([]float64, k)
	obj := func(r []float64) float64 {
		f := 0.0
		for i := range k {
			for j := range k {
				if i != j && wins[i*k+j] > 0 {
					f += wins[i*k+j] * logSigmoid(r[i]-r[j])
				}
			}
			f -= ridge / 2 * r[i] * r[i]
		}
		return f
	}
	gradMax := func(r []float64) float64 {
		m := 0.0
		for i := range k {
			gi := -ridge * r[i]
			for j := range k {
				if n := wins[i*k+j] + wins[j*k+i]; i != j && n > 0 {
					gi += wins[i*k+j] - n*sigmoid(r[i]-r[j])
				}
			}
			m = max(m, math.Abs(gi))
		}
		return m
	}
	f := obj(r)
	total := ridge
	for _, w := range wins[:k*k] {
		total += w
	}
	for range 100 {
		clear(hess)
		maxg := 0.0
		for i := range k {
			gi := -ridge * r[i]
			for j := range k {
				if i == j {
					continue
				}
				n := wins[i*k+j] + wins[j*k+i]
				if n == 0 {
					continue
				}
				s := sigmoid(r[i] - r[j])
				gi += wins[i*k+j] - n*s
				h := n * s * (1 - s)
				hess[i*k+i] += h
				hess[i*k+j] -= h
			}
			hess[i*k+i] += ridge
			grad[i] = gi
			maxg = max(maxg, math.Abs(gi))
		}
		if maxg <= 1e-13*total {
			return nil
		}
		step := append([]float64(nil), grad...)
		if err := solveDense(hess, step, k); err != nil {
			return err
		}
		improved := false
		for alpha := 1.0; alpha > 1e-10; alpha /= 2 {
			for i := range k {
				trial[i] = r[i] + alpha*step[i]
			}
			// Near the optimum f stops resolving progress: then accept a
			// step that does not lower f measurably and shrinks the gradient.
			if ft := obj(trial); ft > f || (ft >= f-1e-15*math.Abs(f) && gradMax(trial) < maxg) {
				f = ft
				copy(r, trial)
				improved = true
				break
			}
		}
		if !improved {
			return nil // no further ascent possible in floating point
		}
	}
	return nil
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// logSigmoid returns log σ(x) without overflow.
func logSigmoid(x float64) float64 {
	if x >= 0 {
		return -math.Log1p(math.Exp(-x))
	}
	return x - math.Log1p(math.Exp(x))
}

// ints returns w's integer scratch with length n.
func (w *work) ints(n int) []int {
	if cap(w.i) < n {
		w.i = make([]int, n)
	}
	return w.i[:n]
}

// floats returns w's float scratch with length n.
func (w *work) floats(n int) []float64 {
	if cap(w.f) < n {
		w.f = make([]float64, n)
	}
	return w.f[:n]
}
