package agents

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/selfplay-lab/selfplay/cuda"
	"github.com/selfplay-lab/selfplay/game"
	"github.com/selfplay-lab/selfplay/internal/config"
)

// Experiment is an NLHF experiment file (YAML, decoded strictly: unknown
// fields are errors located at their line):
//
//	name: cyclic-last-iterate      # run name in the outputs
//	seeds: 3                       # runs with seeds seed, seed+1, …
//	seed: 1
//	iterations: 2000
//	mode: exact                    # default mode of every algorithm: exact | sampled
//	tau: 0.01                      # evaluation τ (and default of each algorithm's tau)
//	log_every: 0                   # metrics cadence; 0 = about log_points log-spaced iterations
//	log_points: 60
//	ground_truth: true             # solve π*_τ for KL(π*‖π) and win rate vs π*
//	thresholds: [1.0e-3, 1.0e-6]   # summary: first logged iteration with gap ≤ threshold
//	game: {kind: random_antisymmetric, contexts: 10, responses: 10}   # see GameSpec
//	ref: {kind: normal, sigma: 1}                                     # uniform | normal
//	policy: {kind: tabular}                                           # tabular | loglinear
//	algorithms:
//	  - name: mmd                  # registry name ("selfplay nlhf list")
//	    label: MMD                 # unique display label (default: the name)
//	    eta: 0.5                   # hyperparameters, checked against the registry
//	  - name: nash_md
//	    mode: sampled
//	    samples: 1000
type Experiment struct {
	Name        string          `yaml:"name"`
	Description string          `yaml:"description,omitempty"`
	Seeds       int             `yaml:"seeds"`
	Seed        uint64          `yaml:"seed"`
	Iterations  int             `yaml:"iterations"`
	Mode        string          `yaml:"mode"`
	Tau         float64         `yaml:"tau"`
	LogEvery    int             `yaml:"log_every"`
	LogPoints   int             `yaml:"log_points"`
	GroundTruth bool            `yaml:"ground_truth"`
	Thresholds  []float64       `yaml:"thresholds"`
	Game        GameSpec        `yaml:"game"`
	Ref         RefSpec         `yaml:"ref"`
	Policy      PolicySpec      `yaml:"policy"`
	Algorithms  []AlgorithmSpec `yaml:"algorithms"`

	doc  *config.Doc
	dir  string
	algs []*Algorithm
	vals []map[string]any
}

// RefSpec selects the reference policy: uniform, or normal (logits i.i.d.
// N(0, sigma²) per context and response, drawn from seed or the run's seed).
type RefSpec struct {
	Kind  string  `yaml:"kind"`
	Sigma float64 `yaml:"sigma"`
	Seed  *uint64 `yaml:"seed"`
}

// PolicySpec selects the policy class: tabular, or loglinear with dim
// random N(0, scale²) features per (context, response) plus, with
// include_ref, the reference log-probability as a feature (see LogLinear).
type PolicySpec struct {
	Kind       string  `yaml:"kind"`
	Dim        int     `yaml:"dim"`
	Scale      float64 `yaml:"scale"`
	IncludeRef bool    `yaml:"include_ref"`
	Ridge      float64 `yaml:"ridge"`
	Seed       uint64  `yaml:"seed"`
}

// AlgorithmSpec is one entry of the algorithms list. Every key besides
// name, label, mode, iterations and oracles is a hyperparameter of the
// algorithm.
type AlgorithmSpec struct {
	Name  string `yaml:"name"`
	Label string `yaml:"label,omitempty"`
	Mode  string `yaml:"mode,omitempty"`
	// Iterations overrides the experiment's iterations for this entry.
	Iterations int `yaml:"iterations,omitempty"`
	// Oracles are the players' own games for heterogeneous MNPO.
	Oracles []GameSpec           `yaml:"oracles,omitempty"`
	Params  map[string]yaml.Node `yaml:",inline"`
}

// defaultExperiment returns the defaults of every top-level field.
func defaultExperiment() Experiment {
	return Experiment{
		Name: "nlhf", Seeds: 1, Seed: 1, Iterations: 100, Mode: "exact", Tau: 0.1,
		LogPoints: 50, GroundTruth: true, Thresholds: []float64{1e-3, 1e-6},
		Ref:    RefSpec{Kind: "uniform", Sigma: 1},
		Policy: PolicySpec{Kind: "tabular", Dim: 8, Scale: 1, IncludeRef: true},
	}
}

// LoadExperiment reads and checks an experiment file. Problems are
// *config.ErrorList values naming file:line:col and the field.
func LoadExperiment(path string, data []byte) (*Experiment, error) {
	exp := defaultExperiment()
	doc, err := config.Decode(path, data, &exp)
	if err != nil {
		return nil, err
	}
	exp.doc, exp.dir = doc, filepath.Dir(path)
	if err := exp.check(); err != nil {
		return nil, err
	}
	return &exp, nil
}

func (e *Experiment) check() error {
	doc := e.doc
	c := doc.Check()
	c.PositiveInt("seeds", e.Seeds)
	c.PositiveInt("iterations", e.Iterations)
	c.OneOf("mode", e.Mode, "exact", "sampled")
	c.NonNegative("tau", e.Tau)
	c.Require(e.LogEvery >= 0, "log_every", "an integer ≥ 0", e.LogEvery)
	c.PositiveInt("log_points", e.LogPoints)
	for i, th := range e.Thresholds {
		c.Positive(config.Path("thresholds", i), th)
	}
	if c.Present("game") {
		checkGame(doc, c, "game", &e.Game)
	}
	if c.OneOf("ref.kind", e.Ref.Kind, "uniform", "normal") && e.Ref.Kind == "normal" {
		c.NonNegative("ref.sigma", e.Ref.Sigma)
	} else {
		c.Absent("ref.sigma", "only the normal reference has sigma")
	}
	if c.OneOf("policy.kind", e.Policy.Kind, "tabular", "loglinear") && e.Policy.Kind == "loglinear" {
		c.Require(e.Policy.Dim >= 0, "policy.dim", "an integer ≥ 0", e.Policy.Dim)
		c.NonNegative("policy.scale", e.Policy.Scale)
		c.NonNegative("policy.ridge", e.Policy.Ridge)
		c.Require(e.Policy.Dim > 0 || e.Policy.IncludeRef, "policy.dim", "at least one feature", e.Policy.Dim)
	} else {
		for _, f := range []string{"dim", "scale", "include_ref", "ridge", "seed"} {
			c.Absent(config.Path("policy", f), "only the loglinear policy has "+f)
		}
	}
	if !c.Require(len(e.Algorithms) > 0, "algorithms", "a list of at least one algorithm", len(e.Algorithms)) {
		return c.Err()
	}
	labels := map[string]int{}
	e.algs = make([]*Algorithm, len(e.Algorithms))
	e.vals = make([]map[string]any, len(e.Algorithms))
	for i := range e.Algorithms {
		a := &e.Algorithms[i]
		path := config.Path("algorithms", i)
		alg, err := LookupAlgorithm(a.Name)
		if err != nil {
			c.Errorf(config.Path(path, "name"), "%v", err)
			continue
		}
		if a.Label == "" {
			a.Label = a.Name
		}
		if j, dup := labels[a.Label]; dup {
			c.Errorf(config.Path(path, "label"), "label %q is already used by algorithms[%d]; give each entry a unique label", a.Label, j)
		}
		labels[a.Label] = i
		if a.Mode != "" {
			c.OneOf(config.Path(path, "mode"), a.Mode, "exact", "sampled")
		}
		if doc.Has(config.Path(path, "iterations")) {
			c.PositiveInt(config.Path(path, "iterations"), a.Iterations)
		}
		vals := map[string]any{}
		for name, node := range a.Params {
			var v any
			if err := node.Decode(&v); err != nil {
				c.Errorf(config.Path(path, config.Key(name)), "%v", err)
				continue
			}
			vals[name] = v
		}
		// The experiment's τ is the default τ of every algorithm that has one.
		if _, set := vals["tau"]; !set && slices.ContainsFunc(alg.Params, func(p Param) bool { return p.Name == "tau" }) && doc.Has("tau") {
			vals["tau"] = e.Tau
		}
		p, err := alg.Resolve(vals)
		if err != nil {
			e.locate(c, i, err)
			continue
		}
		if len(a.Oracles) > 0 {
			if a.Name != "mnpo" || p.String("variant") != "ht" {
				c.Errorf(config.Path(path, "oracles"), "only mnpo with variant ht takes oracles")
			}
			for j := range a.Oracles {
				checkGame(doc, c, config.Path(path, "oracles", j), &a.Oracles[j])
			}
		}
		e.algs[i], e.vals[i] = alg, p.Values()
	}
	if err := c.Err(); err != nil {
		return err
	}
	return e.dryRun()
}

// locate reports err, from algorithm i, at the parameter it names.
func (e *Experiment) locate(c *config.Checker, i int, err error) {
	path := config.Path("algorithms", i)
	var pe *ParamError
	if errors.As(err, &pe) && pe.Param != "" {
		c.Errorf(config.Path(path, config.Key(pe.Param)), "%v", pe.Err)
		return
	}
	c.Errorf(path, "%v", err)
}

// dryRun builds every learner once on a tiny game so that parameter
// combinations the constructors reject are reported with their location.
func (e *Experiment) dryRun() error {
	c := e.doc.Check()
	be := cuda.NewCPU(1)
	defer be.Close()
	g := game.NewPreference(1, 2)
	env, err := NewEnv(be, g, nil)
	if err != nil {
		return err
	}
	defer env.Close()
	for i, a := range e.algs {
		o := e.options(i, 1)
		if len(e.Algorithms[i].Oracles) > 0 {
			for range e.Algorithms[i].Oracles {
				o.Oracles = append(o.Oracles, g)
			}
		}
		l, err := a.New(env, e.vals[i], o)
		if err != nil {
			e.locate(c, i, err)
			continue
		}
		l.Close()
	}
	return c.Err()
}

// options returns the learner options of algorithm i at seed.
func (e *Experiment) options(i int, seed uint64) Options {
	mode := e.Mode
	if m := e.Algorithms[i].Mode; m != "" {
		mode = m
	}
	md, _ := ParseMode(mode)
	o := Options{Mode: md, Seed: splitmix64(seed ^ uint64(i+1)<<32)}
	if e.Policy.Kind == "loglinear" {
		o.Policy = LogLinear{Dim: e.Policy.Dim, Scale: e.Policy.Scale, Seed: e.Policy.Seed, IncludeRef: e.Policy.IncludeRef, Ridge: e.Policy.Ridge}
	}
	return o
}

// Resolved returns the experiment as YAML with every default filled in,
// including each algorithm's hyperparameters; it loads back to the same
// experiment.
func (e *Experiment) Resolved() ([]byte, error) {
	v, err := e.ResolvedConfig()
	if err != nil {
		return nil, err
	}
	return config.Marshal(v)
}

// ResolvedConfig returns the value Resolved marshals.
func (e *Experiment) ResolvedConfig() (any, error) {
	type resolved struct {
		Name        string          `yaml:"name"`
		Description string          `yaml:"description,omitempty"`
		Seeds       int             `yaml:"seeds"`
		Seed        uint64          `yaml:"seed"`
		Iterations  int             `yaml:"iterations"`
		Mode        string          `yaml:"mode"`
		Tau         float64         `yaml:"tau"`
		LogEvery    int             `yaml:"log_every"`
		LogPoints   int             `yaml:"log_points"`
		GroundTruth bool            `yaml:"ground_truth"`
		Thresholds  []float64       `yaml:"thresholds"`
		Game        GameSpec        `yaml:"game"`
		Ref         map[string]any  `yaml:"ref"`
		Policy      map[string]any  `yaml:"policy"`
		Algorithms  []AlgorithmSpec `yaml:"algorithms"`
	}
	out := resolved{Name: e.Name, Description: e.Description, Seeds: e.Seeds, Seed: e.Seed, Iterations: e.Iterations,
		Mode: e.Mode, Tau: e.Tau, LogEvery: e.LogEvery, LogPoints: e.LogPoints, GroundTruth: e.GroundTruth,
		Thresholds: e.Thresholds, Game: e.Game}
	out.Ref = map[string]any{"kind": e.Ref.Kind}
	if e.Ref.Kind == "normal" {
		out.Ref["sigma"] = e.Ref.Sigma
		if e.Ref.Seed != nil {
			out.Ref["seed"] = *e.Ref.Seed
		}
	}
	out.Policy = map[string]any{"kind": e.Policy.Kind}
	if e.Policy.Kind == "loglinear" {
		p := e.Policy
		out.Policy["dim"], out.Policy["scale"], out.Policy["include_ref"] = p.Dim, p.Scale, p.IncludeRef
		out.Policy["ridge"], out.Policy["seed"] = p.Ridge, p.Seed
	}
	out.Algorithms = make([]AlgorithmSpec, len(e.Algorithms))
	for i, a := range e.Algorithms {
		a.Params = map[string]yaml.Node{}
		for name, v := range e.vals[i] {
			var n yaml.Node
			if err := n.Encode(v); err != nil {
				return nil, err
			}
			a.Params[name] = n
		}
		if a.Mode == "" {
			a.Mode = e.Mode
		}
		out.Algorithms[i] = a
	}
	return &out, nil
}

// Labels returns the algorithms' labels in file order.
func (e *Experiment) Labels() []string {
	out := make([]string, len(e.Algorithms))
	for i, a := range e.Algorithms {
		out[i] = a.Label
	}
	return out
}

// IterationsOf returns the number of iterations of algorithm i.
func (e *Experiment) IterationsOf(i int) int {
	if n := e.Algorithms[i].Iterations; n > 0 {
		return n
	}
	return e.Iterations
}

// TotalSteps returns the steps of one seed over all algorithms.
func (e *Experiment) TotalSteps() int {
	n := 0
	for i := range e.Algorithms {
		n += e.IterationsOf(i)
	}
	return n
}

// LoggedIterations returns the iterations (numbers of completed steps) at
// which metrics of algorithm i are recorded: 0, the cadence or log-spaced
// points, and the last iteration.
func (e *Experiment) LoggedIterations(i int) []int {
	t := e.IterationsOf(i)
	set := map[int]bool{0: true, t: true}
	if e.LogEvery > 0 {
		for i := e.LogEvery; i < t; i += e.LogEvery {
			set[i] = true
		}
	} else {
		for j := range e.LogPoints {
			x := math.Exp(math.Log(float64(t)) * float64(j) / float64(max(1, e.LogPoints-1)))
			set[int(math.Round(x))] = true
		}
	}
	out := make([]int, 0, len(set))
	for i := range set {
		out = append(out, i)
	}
	slices.Sort(out)
	return out
}

// Row is one logged iteration of one algorithm and seed.
type Row struct {
	Algorithm string
	Seed      uint64
	Record
}

// Results are what an experiment run produced; an interrupted run keeps
// every row recorded before the interruption.
type Results struct {
	Rows []Row
	// Final holds, per algorithm label, the last record of each finished
	// seed, in seed order.
	Final map[string][]Record
	// WinLabels and WinMatrix: the mean over seeds of the win-rate matrix
	// among the final last-iterate policies, the reference and, with ground
	// truth, π*_τ (when τ > 0) and the maximal lottery.
	WinLabels []string
	WinMatrix [][]float64
	// Seeds is the number of seeds run to completion.
	Seeds int
}

// RunOptions control RunExperiment.
type RunOptions struct {
	Backend cuda.Backend
	// Seeds overrides the experiment's number of seeds when > 0.
	Seeds int
	// OnRow, if set, receives every row as it is recorded (to stream it to
	// a file); an error stops the run.
	OnRow func(Row) error
	// Progress, if set, receives the number of completed steps out of the
	// total over all seeds and algorithms.
	Progress func(done, total int)
}

// RunExperiment runs every algorithm of e for every seed. Cancelling ctx
// stops at the next step and returns the results so far with ctx.Err().
func RunExperiment(ctx context.Context, e *Experiment, o RunOptions) (*Results, error) {
	seeds := e.Seeds
	if o.Seeds > 0 {
		seeds = o.Seeds
	}
	res := &Results{Final: map[string][]Record{}}
	total, done := seeds*e.TotalSteps(), 0
	labels := e.Labels()
	for s := range seeds {
		seed := e.Seed + uint64(s)
		finals, err := e.runSeed(ctx, o, seed, res, &done, total)
		if err != nil {
			return res, err
		}
		res.Seeds++
		w, wl := finals.matrix()
		res.WinLabels = wl
		if res.WinMatrix == nil {
			res.WinMatrix = make([][]float64, len(w))
			for i := range w {
				res.WinMatrix[i] = make([]float64, len(w))
			}
		}
		for i := range w {
			for j := range w {
				res.WinMatrix[i][j] += (w[i][j] - res.WinMatrix[i][j]) / float64(res.Seeds)
			}
		}
		for i, l := range labels {
			res.Final[l] = append(res.Final[l], finals.records[i])
		}
	}
	return res, nil
}

// seedFinals collects the final policies of one seed.
type seedFinals struct {
	g       *game.Preference
	labels  []string
	records []Record
	pols    [][]float64
}

func (f *seedFinals) matrix() ([][]float64, []string) {
	return WinRateMatrix(f.g, f.pols), f.labels
}

func (e *Experiment) runSeed(ctx context.Context, o RunOptions, seed uint64, res *Results, done *int, total int) (*seedFinals, error) {
	g, err := BuildGame(&e.Game, seed, e.dir)
	if err != nil {
		return nil, e.doc.Errorf("game", "%v", err)
	}
	var ref []float64
	if e.Ref.Kind == "normal" {
		rs := seed
		if e.Ref.Seed != nil {
			rs = *e.Ref.Seed
		}
		ref = NormalRef(rand.New(rand.NewPCG(rs, 0x726566)), g.NumResponses(), g.NumContexts(), e.Ref.Sigma)
	}
	env, err := NewEnv(o.Backend, g, ref)
	if err != nil {
		return nil, err
	}
	defer env.Close()
	ev, err := NewEvaluator(env, e.Tau, e.GroundTruth)
	if err != nil {
		return nil, fmt.Errorf("seed %d: %w", seed, err)
	}
	f := &seedFinals{g: g}
	for i, spec := range e.Algorithms {
		opt := e.options(i, seed)
		var agg game.Aggregator
		if a, ok := e.vals[i]["aggregator"].(string); ok {
			agg, _ = game.ParseAggregator(a)
		}
		for j := range spec.Oracles {
			og, err := BuildGame(&spec.Oracles[j], splitmix64(seed^uint64(j+1)<<16), e.dir)
			if err != nil {
				return nil, e.doc.Errorf(config.Path("algorithms", i, "oracles", j), "%v", err)
			}
			opt.Oracles = append(opt.Oracles, og)
		}
		l, err := e.algs[i].New(env, e.vals[i], opt)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", spec.Label, err)
		}
		rec, pol, err := e.train(ctx, o, env, ev, l, spec.Label, seed, e.LoggedIterations(i), e.IterationsOf(i), agg, opt.Oracles, res, done, total)
		l.Close()
		if err != nil {
			return nil, err
		}
		f.labels = append(f.labels, spec.Label)
		f.records = append(f.records, rec)
		f.pols = append(f.pols, pol)
	}
	f.labels = append(f.labels, "ref")
	f.pols = append(f.pols, env.refHost)
	if star := ev.Star(); star != nil && e.Tau > 0 {
		f.labels = append(f.labels, "pi_star")
		f.pols = append(f.pols, star)
	}
	if lot, _ := ev.Lottery(); lot != nil {
		logs := make([]float64, len(lot))
		for i, p := range lot {
			logs[i] = math.Log(p)
		}
		f.labels = append(f.labels, "max_lottery")
		f.pols = append(f.pols, logs)
	}
	return f, nil
}

func (e *Experiment) train(ctx context.Context, o RunOptions, env *Env, ev *Evaluator, l Learner, label string, seed uint64,
	logged []int, iterations int, agg game.Aggregator, oracles []*game.Preference, res *Results, done *int, total int) (Record, []float64, error) {
	tr, err := NewTrainer(env, l, ev, agg, oracles)
	if err != nil {
		return Record{}, nil, err
	}
	defer tr.Close()
	var last Record
	emit := func() error {
		r, err := tr.Record()
		if err != nil {
			return fmt.Errorf("%s, seed %d: %w", label, seed, err)
		}
		last = r
		row := Row{Algorithm: label, Seed: seed, Record: r}
		res.Rows = append(res.Rows, row)
		if o.OnRow != nil {
			return o.OnRow(row)
		}
		return nil
	}
	next := 0
	for it := 0; ; it++ {
		if next < len(logged) && logged[next] == it {
			if err := emit(); err != nil {
				return last, nil, err
			}
			next++
		}
		if it == iterations {
			break
		}
		if err := ctx.Err(); err != nil {
			return last, nil, err
		}
		if err := tr.Step(); err != nil {
			return last, nil, fmt.Errorf("%s, seed %d: %w", label, seed, err)
		}
		*done++
		if o.Progress != nil {
			o.Progress(*done, total)
		}
	}
	pol, err := env.read(l.Policy())
	return last, pol, err
}
