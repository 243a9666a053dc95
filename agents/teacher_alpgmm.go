package agents

import (
	"math"
	"math/rand/v2"
)

func alpGMMParams() []Param {
	return []Param{
		{Name: "fit_rate", Default: 250, Doc: "episodes between GMM fits, each on the last fit_rate (task, ALP) points (TeachMyAgent's constructor default; its experiments use 150)"},
		{Name: "max_k", Default: 10, Doc: "GMMs with k = 2..max_k components are fitted and the best AIC kept"},
		{Name: "random_ratio", Default: 0.2, Doc: "probability of a uniform random task after bootstrap"},
		{Name: "bootstrap", Default: 0, Doc: "episodes of uniform sampling before the first fit; 0 means fit_rate (TeachMyAgent's default)"},
		{Name: "reward_low", Default: 0.0, Doc: "episode returns are rescaled from [reward_low, reward_high] to [0, 1] (clipped) before ALP"},
		{Name: "reward_high", Default: 1.0, Doc: "see reward_low"},
		{Name: "history", Default: 0, Doc: "(task, reward) records kept for the nearest-neighbour ALP; 0 keeps all (TeachMyAgent's default; the search is indexed, so a long history costs memory, not time)"},
		{Name: "em_iters", Default: 100, Doc: "maximum EM iterations per fit (scikit-learn's default)"},
		{Name: "em_tol", Default: 1e-3, Doc: "EM stops when the mean log-likelihood improves by less (scikit-learn's default)"},
		{Name: "reg_covar", Default: 1e-6, Doc: "added to every covariance diagonal (scikit-learn's default)"},
	}
}

// alpMinRecords is the number of records after which ALP is computed;
// before that (5 or fewer records) ALP is 0, as in TeachMyAgent.
const alpMinRecords = 5

// ALPGMMTeacher is ALP-GMM (algorithms.md §6.6, after TeachMyAgent) over a
// continuous task box. Each observed episode gets its absolute learning
// progress ALP = |r_new − r_old|, r_old being the (rescaled) reward of the
// nearest previously seen task by Euclidean distance on the task
// parameters (exact, through a grid index standing in for TeachMyAgent's
// kd-tree; 0 while there are 5 or fewer records). Every
// fit_rate episodes after bootstrap it fits full-covariance GMMs with
// k = 2..max_k components by EM on the last fit_rate (task, ALP) points and
// keeps the one with the lowest AIC. Sampling draws a uniform task during
// bootstrap, with probability random_ratio, or before the first fit;
// otherwise it picks a component with probability ∝ its mean ALP (the ALP
// coordinate of its mean; uniformly if all are 0), draws from that
// Gaussian, drops the ALP coordinate and clips to the box. Sampled tasks
// have Category −1.
type ALPGMMTeacher struct {
	space TeacherSpace
	d     int

	fitRate, maxK, bootstrap, history int
	randomRatio, rLow, rHigh          float64
	em                                emConfig
	seed                              uint64

	// Nearest-neighbour records of (task, rescaled reward), a ring buffer
	// when history > 0.
	recTask   []float64
	recReward []float64
	recNext   int
	nn        *nnIndex // over recTask
	// The last fitRate (task, ALP) points, a ring of (d+1)-vectors.
	recent     []float64
	recentNext int

	episodes int
	fits     int
	gmm      *gaussianMixture
	scratch  []float64
}

func newALPGMMTeacher(p Params, space TeacherSpace, seed uint64) (Teacher, error) {
	for _, n := range []string{"fit_rate", "em_iters"} {
		if err := p.atLeast(n, 1); err != nil {
			return nil, err
		}
	}
	if err := p.atLeast("max_k", 2); err != nil {
		return nil, err
	}
	for _, n := range []string{"bootstrap", "history"} {
		if err := p.atLeast(n, 0); err != nil {
			return nil, err
		}
	}
	if p.Int("max_k") > p.Int("fit_rate") {
		return nil, p.errf("max_k", "%d: want at most fit_rate = %d (a fit needs a point per component)", p.Int("max_k"), p.Int("fit_rate"))
	}
	if err := p.unitInterval("random_ratio"); err != nil {
		return nil, err
	}
	if err := p.positive("em_tol", "reg_covar"); err != nil {
		return nil, err
	}
	lo, hi := p.Float("reward_low"), p.Float("reward_high")
	if !(lo < hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil, p.errf("reward_high", "%v: want a finite number > reward_low = %v", hi, lo)
	}
	if err := space.check(false, true); err != nil {
		return nil, err
	}
	a := &ALPGMMTeacher{space: space, d: len(space.Low),
		fitRate: p.Int("fit_rate"), maxK: p.Int("max_k"), bootstrap: p.Int("bootstrap"), history: p.Int("history"),
		randomRatio: p.Float("random_ratio"), rLow: lo, rHigh: hi,
		em:   emConfig{maxIter: p.Int("em_iters"), tol: p.Float("em_tol"), reg: p.Float("reg_covar")},
		seed: seed}
	if a.bootstrap == 0 {
		a.bootstrap = a.fitRate
	}
	a.nn = newNNIndex(space.Low, space.High)
	a.recent = make([]float64, 0, a.fitRate*(a.d+1))
	a.scratch = make([]float64, 2*(a.d+1))
	return a, nil
}

// Name implements Teacher.
func (*ALPGMMTeacher) Name() string { return TeacherALPGMM }

// Sample implements Teacher.
func (a *ALPGMMTeacher) Sample(rng *rand.Rand) TeacherTask {
	if a.episodes < a.bootstrap || rng.Float64() < a.randomRatio || a.gmm == nil {
		return TeacherTask{Category: -1, Point: a.space.uniformPoint(rng)}
	}
	g := a.gmm
	total := 0.0
	for c := range g.k {
		total += max(g.mean[c*g.d+a.d], 0)
	}
	c := 0
	if total > 0 {
		u := rng.Float64() * total
		c = g.k - 1
		for j := range g.k {
			if w := max(g.mean[j*g.d+a.d], 0); u < w {
				c = j
				break
			} else {
				u -= w
			}
		}
	} else {
		c = rng.IntN(g.k)
	}
	x, z := a.scratch[:a.d+1], a.scratch[a.d+1:]
	g.sample(c, rng, x, z)
	pt := make([]float64, a.d)
	for i := range pt {
		pt[i] = min(max(x[i], a.space.Low[i]), a.space.High[i])
	}
	return TeacherTask{Category: -1, Point: pt}
}

// Update implements Teacher: one episode per observation, in order. An
// observation whose Point does not have the box's dimension panics.
func (a *ALPGMMTeacher) Update(batch []TeacherObservation) {
	for _, o := range batch {
		a.episode(o.Task.Point, o.Reward)
	}
}

func (a *ALPGMMTeacher) episode(task []float64, reward float64) {
	if len(task) != a.d {
		panic("agents: ALP-GMM update with a task of the wrong dimension")
	}
	r := min(max((reward-a.rLow)/(a.rHigh-a.rLow), 0), 1)
	alp := 0.0
	if n := len(a.recReward); n > alpMinRecords {
		best, _ := a.nn.nearest(task, a.recTask)
		alp = math.Abs(r - a.recReward[best])
	}
	slot := len(a.recReward)
	if a.history > 0 && len(a.recReward) == a.history {
		slot = a.recNext
		copy(a.recTask[a.recNext*a.d:], task)
		a.recReward[a.recNext] = r
		a.recNext = (a.recNext + 1) % a.history
	} else {
		a.recTask = append(a.recTask, task...)
		a.recReward = append(a.recReward, r)
	}
	a.nn.set(slot, task, a.recTask)

	if len(a.recent) < cap(a.recent) {
		a.recent = append(a.recent, task...)
		a.recent = append(a.recent, alp)
	} else {
		row := a.recent[a.recentNext*(a.d+1) : (a.recentNext+1)*(a.d+1)]
		copy(row, task)
		row[a.d] = alp
		a.recentNext = (a.recentNext + 1) % a.fitRate
	}
	a.episodes++
	if a.episodes >= a.bootstrap && a.episodes%a.fitRate == 0 {
		a.fit()
	}
}

// fit fits GMMs with k = 2..max_k components to the recent (task, ALP)
// points and keeps the best by AIC. The EM seeding is drawn from a stream
// of the construction seed numbered by the fit, so fits do not depend on
// how Sample was called.
func (a *ALPGMMTeacher) fit() {
	a.fits++
	rng := rand.New(rand.NewPCG(a.seed, uint64(a.fits)))
	n := len(a.recent) / (a.d + 1)
	var best *gaussianMixture
	bestAIC := math.Inf(1)
	for k := 2; k <= a.maxK && k <= n; k++ {
		g, ll := fitGMM(a.recent, a.d+1, k, rng, a.em)
		if v := g.aic(ll); v < bestAIC {
			best, bestAIC = g, v
		}
	}
	if best != nil {
		a.gmm = best
	}
}

// ALPComponent describes one component of the current mixture.
type ALPComponent struct {
	Weight float64
	// Mean is the component's mean over the task parameters.
	Mean []float64
	// ALP is the mean absolute learning progress of the component.
	ALP float64
}

// Components returns the current mixture (nil before the first fit).
func (a *ALPGMMTeacher) Components() []ALPComponent {
	if a.gmm == nil {
		return nil
	}
	g := a.gmm
	out := make([]ALPComponent, g.k)
	for c := range out {
		out[c] = ALPComponent{Weight: g.weight[c], Mean: append([]float64(nil), g.mean[c*g.d:c*g.d+a.d]...), ALP: g.mean[c*g.d+a.d]}
	}
	return out
}
