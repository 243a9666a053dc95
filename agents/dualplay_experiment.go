package agents

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/selfplay-lab/selfplay/internal/config"
)

// DualPlayExperiment is a dual-play experiment file: several methods (each
// a DualPlayConfig), run over the same seeds so that they can be compared.
// It is YAML decoded strictly (unknown fields, wrong types and bad values
// are errors located at their line and column):
//
//	name: naive-vs-gated          # run name in the outputs
//	description: …                # free text, optional
//	seeds: 5                      # runs with seeds seed, seed+1, …
//	seed: 1
//	steps: 200                    # steps per run (a run may set its own)
//	log_every: 0                  # metrics cadence; 0: about 100 rows per run
//	summary: [pass_at_1, …]       # summary columns (DualMetricNames); default DefaultDualSummary
//	summary_tail: 0.1             # batch metrics in the summary: mean over this last share of steps
//	base:                         # a DualPlayConfig shared by every run
//	  batch: 256
//	  verifier: exact
//	runs:                         # or methods: one entry per method
//	  - label: naive              # unique display label (required)
//	    proposer_reward: naive    # DualPlayConfig fields overriding base
//	  - label: pasodoble
//	    steps: 400                # this run's steps
//	    proposer_reward: pasodoble
//	    solver_reward: pasodoble
//	    leak_check: true
//	    schedule: {kind: alternating, proposer_steps: 10}
//
// A run starts from base (itself starting from DefaultDualPlayConfig) and
// overrides the fields it names; nested sections merge field by field, so
// schedule: {proposer_steps: 10} keeps base's schedule kind. Naming a
// proposer_reward, solver_reward or teacher drops base's parameters of
// that scheme (they belong to another scheme); naming only its *_params
// overrides them one by one.
//
// Seeds: seed s of a run (s = 0 … seeds−1) simulates with DualPlayConfig
// seed run.seed + s, where run.seed defaults to base.seed and base.seed to
// the experiment's seed. Every method of an experiment thus sees the same
// seeds (common random numbers: the held-out set and the first proposal
// batch of a joint run are the same), which makes paired comparisons over
// seeds sharper.
//
// A field added to DualPlayConfig (with its yaml tag) is accepted in base
// and in runs without any change here.
type DualPlayExperiment struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description,omitempty"`
	Seeds       int      `yaml:"seeds"`
	Seed        uint64   `yaml:"seed"`
	Steps       int      `yaml:"steps"`
	LogEvery    int      `yaml:"log_every"`
	Summary     []string `yaml:"summary"`
	SummaryTail float64  `yaml:"summary_tail"`
	// Runs are the methods, every default resolved.
	Runs []DualPlayRun `yaml:"runs"`

	doc *config.Doc
}

// DualPlayRun is one method of a DualPlayExperiment.
type DualPlayRun struct {
	// Label names the method in the outputs (metrics.jsonl's algorithm).
	Label string `yaml:"label"`
	// Steps overrides the experiment's steps when > 0.
	Steps  int            `yaml:"steps,omitempty"`
	Config DualPlayConfig `yaml:",inline"`
}

// DefaultDualSummary are the summary columns of an experiment that names
// none: held-out pass@1 and pass@k, then the batch's valid rate, label
// accuracy, learnable-band share, category entropy, repetition mass and
// effective-group ratio.
var DefaultDualSummary = []string{"pass_at_1", "pass_at_k", "valid_rate", "label_accuracy",
	"band_share", "category_entropy", "repetition_mass", "effective_groups"}

// dualStateMetrics are the metrics that describe the learners after a step
// rather than the step's batch; the summary takes their final value. Every
// other metric (batch measures, which carry the noise of one batch and, in
// the alternating schedule, depend on the phase) is averaged over the
// summary tail.
var dualStateMetrics = map[string]bool{"pass_at_1": true, "pass_at_k": true, "ability_mean": true,
	"proposer_entropy": true, "format_entropy": true, "buffer_len": true, "population_len": true}

// dualPlayFile is the shape decoded first: runs stay YAML nodes until base
// is known, because each run decodes on top of a copy of it.
type dualPlayFile struct {
	Name        string         `yaml:"name"`
	Description string         `yaml:"description"`
	Seeds       int            `yaml:"seeds"`
	Seed        uint64         `yaml:"seed"`
	Steps       int            `yaml:"steps"`
	LogEvery    int            `yaml:"log_every"`
	Summary     []string       `yaml:"summary"`
	SummaryTail float64        `yaml:"summary_tail"`
	Base        DualPlayConfig `yaml:"base"`
	Runs        []yaml.Node    `yaml:"runs"`
	Methods     []yaml.Node    `yaml:"methods"`
}

// LoadDualPlayExperiment reads and checks a dual-play experiment file.
// Problems are *config.ErrorList values naming file:line:col and the
// field; a DualPlayConfig problem (a *DualPlayFieldError of Check) is
// located at the field in the run, or in base when the run inherits it.
func LoadDualPlayExperiment(path string, data []byte) (*DualPlayExperiment, error) {
	f := dualPlayFile{Name: "dualplay", Seeds: 1, Seed: 1, Steps: 200, SummaryTail: 0.1, Base: DefaultDualPlayConfig()}
	doc, err := config.Decode(path, data, &f)
	if err != nil {
		return nil, err
	}
	e := &DualPlayExperiment{Name: f.Name, Description: f.Description, Seeds: f.Seeds, Seed: f.Seed, Steps: f.Steps,
		LogEvery: f.LogEvery, Summary: f.Summary, SummaryTail: f.SummaryTail, doc: doc}
	if e.Summary == nil {
		e.Summary = slices.Clone(DefaultDualSummary)
	}
	c := doc.Check()
	c.PositiveInt("seeds", e.Seeds)
	c.PositiveInt("steps", e.Steps)
	c.Require(e.LogEvery >= 0, "log_every", "an integer ≥ 0 (0: about 100 rows per run)", e.LogEvery)
	c.Require(e.SummaryTail > 0 && e.SummaryTail <= 1, "summary_tail", "a share of the steps in (0, 1]", e.SummaryTail)
	if !doc.Has("base.seed") {
		f.Base.Seed = e.Seed
	}
	key, nodes := "runs", f.Runs
	if doc.Has("methods") {
		if doc.Has("runs") {
			c.Errorf("methods", "give the methods either as runs or as methods, not both")
		}
		key, nodes = "methods", f.Methods
	}
	if !c.Require(len(nodes) > 0, key, "a list of at least one run (label and DualPlayConfig fields)", len(nodes)) {
		return nil, c.Err()
	}
	labels := map[string]int{}
	maxCats := 0
	reported := map[string]bool{}
	for i := range nodes {
		path := config.Path(key, i)
		r := DualPlayRun{Config: cloneDualPlayConfig(f.Base)}
		n := &nodes[i]
		for n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		if n.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(n.Content); j += 2 {
				switch n.Content[j].Value {
				case "proposer_reward":
					r.Config.ProposerRewardParams = nil
				case "solver_reward":
					r.Config.SolverRewardParams = nil
				case "teacher":
					r.Config.TeacherParams = nil
				}
			}
		}
		if err := doc.DecodeNode(path, n, &r); err != nil {
			c.Add(path, err)
			continue
		}
		if c.Require(r.Label != "", config.Path(path, "label"), "a label naming the method in the outputs", `""`) {
			if j, dup := labels[r.Label]; dup {
				c.Errorf(config.Path(path, "label"), "label %q is already used by %s; give each run a unique label", r.Label, config.Path(key, j))
			}
			labels[r.Label] = i
		}
		if doc.Has(config.Path(path, "steps")) {
			c.PositiveInt(config.Path(path, "steps"), r.Steps)
		}
		// The resolved config writes an absent init_abilities as [].
		if len(r.Config.Solver.InitAbilities) == 0 {
			r.Config.Solver.InitAbilities = nil
		}
		for _, fe := range r.Config.Check() {
			field, msg := locateDualField(&r.Config, fe)
			at := path + "." + field
			if !doc.Has(at) && doc.Has("base."+field) {
				// Reported once, for the first run that inherits it.
				at = "base." + field
				if k := at + "\x00" + msg; !reported[k] {
					reported[k] = true
					c.Errorf(at, "%s (inherited by run %q)", msg, r.Label)
				}
				continue
			}
			c.Errorf(at, "%s", msg)
		}
		maxCats = max(maxCats, r.Config.Task.Categories)
		e.Runs = append(e.Runs, r)
	}
	names := DualMetricNames(maxCats)
	for i, m := range e.Summary {
		if m == "step" || !slices.Contains(names, m) {
			c.Errorf(config.Path("summary", i), "unknown metric %q (known: %s)", m, strings.Join(names[1:], ", "))
		}
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	for i := range e.Runs {
		resolveDualParams(&e.Runs[i].Config)
	}
	return e, nil
}

// locateDualField returns the yaml path of fe relative to the run and its
// message, narrowing reward and teacher parameter errors to the parameter.
func locateDualField(c *DualPlayConfig, fe *DualPlayFieldError) (field, msg string) {
	field, msg = fe.Field, fmt.Sprintf("%v: want %s", fe.Value, fe.Want)
	var err error
	params := ""
	switch fe.Field {
	case "proposer_reward_params", "proposer_reward":
		_, err = NewProposerReward(c.ProposerReward, c.ProposerRewardParams)
		params = "proposer_reward_params"
	case "solver_reward_params", "solver_reward":
		_, err = NewSolverReward(c.SolverReward, c.SolverRewardParams)
		params = "solver_reward_params"
	case "teacher":
		_, err = NewTeacher(c.Teacher, c.TeacherParams, dualTeacherSpace(c), c.Seed)
		params = "teacher_params"
	default:
		return field, msg
	}
	var pe *ParamError
	switch {
	case errors.As(err, &pe) && pe.Param != "":
		return config.Path(params, config.Key(pe.Param)), pe.Err.Error()
	case err != nil:
		// An unknown scheme name (the registry's message lists the known
		// ones) or a parameter problem without a name.
		return field, err.Error()
	}
	return field, msg
}

// cloneDualPlayConfig copies c deeply enough that decoding a run into the
// copy leaves c alone.
func cloneDualPlayConfig(c DualPlayConfig) DualPlayConfig {
	c.ProposerRewardParams = maps.Clone(c.ProposerRewardParams)
	c.SolverRewardParams = maps.Clone(c.SolverRewardParams)
	c.TeacherParams = maps.Clone(c.TeacherParams)
	c.Solver.InitAbilities = slices.Clone(c.Solver.InitAbilities)
	return c
}

// resolveDualParams fills in the default parameters of c's schemes, so
// that the resolved configuration shows them.
func resolveDualParams(c *DualPlayConfig) {
	resolve := func(schemes []Scheme, name string, values map[string]any) map[string]any {
		for _, s := range schemes {
			if s.Name == name {
				if p, err := s.Resolve(values); err == nil && len(s.Params) > 0 {
					return p.Values()
				}
			}
		}
		return values
	}
	c.ProposerRewardParams = resolve(ProposerRewardSchemes(), c.ProposerReward, c.ProposerRewardParams)
	c.SolverRewardParams = resolve(SolverRewardSchemes(), c.SolverReward, c.SolverRewardParams)
	if c.Teacher != "" {
		c.TeacherParams = resolve(TeacherSchemes(), c.Teacher, c.TeacherParams)
	}
}

// Resolved returns the experiment as YAML with every default filled in
// (base folded into each run, scheme parameters resolved); it loads back
// to the same experiment.
func (e *DualPlayExperiment) Resolved() ([]byte, error) { return config.Marshal(e.ResolvedConfig()) }

// ResolvedConfig returns the value Resolved marshals.
func (e *DualPlayExperiment) ResolvedConfig() any {
	out := *e
	out.LogEvery = e.logEvery(e.Steps)
	return &out
}

// Labels returns the runs' labels in file order.
func (e *DualPlayExperiment) Labels() []string {
	out := make([]string, len(e.Runs))
	for i, r := range e.Runs {
		out[i] = r.Label
	}
	return out
}

// StepsOf returns the number of steps of run i.
func (e *DualPlayExperiment) StepsOf(i int) int {
	if n := e.Runs[i].Steps; n > 0 {
		return n
	}
	return e.Steps
}

// TotalSteps returns the steps of one seed over all runs.
func (e *DualPlayExperiment) TotalSteps() int {
	n := 0
	for i := range e.Runs {
		n += e.StepsOf(i)
	}
	return n
}

// logEvery returns the metrics cadence for a run of steps steps.
func (e *DualPlayExperiment) logEvery(steps int) int {
	if e.LogEvery > 0 {
		return e.LogEvery
	}
	return max(1, (steps+99)/100)
}

// Logged reports whether the metrics after step (1-based) of a run of
// steps steps are recorded: every LogEvery-th step and the last.
func (e *DualPlayExperiment) Logged(step, steps int) bool {
	return step%e.logEvery(steps) == 0 || step == steps
}

// DualPlayRow is one logged step of one run and seed. Metrics holds the
// values of DualMetricNames except step (phase as its DualPhase number).
type DualPlayRow struct {
	Label   string
	Seed    uint64
	Step    int
	Metrics map[string]float64
}

// DualPlayResults are what RunDualPlayExperiment produced; an interrupted
// run keeps every row recorded before the interruption.
type DualPlayResults struct {
	Rows []DualPlayRow
	// Final holds, per run label, one row per finished seed in seed order:
	// the state metrics (pass_at_1, pass_at_k, ability_*, proposer_entropy,
	// format_entropy, buffer_len, population_len) after the last step,
	// every other metric averaged over the last SummaryTail share of the
	// steps.
	Final map[string][]DualPlayRow
	// Seeds is the number of seeds run to completion by every run.
	Seeds int
}

// DualPlayRunOptions control RunDualPlayExperiment.
type DualPlayRunOptions struct {
	// Seeds overrides the experiment's number of seeds when > 0.
	Seeds int
	// Parallel bounds how many runs of one seed simulate at once; 0 means
	// GOMAXPROCS. The results do not depend on it.
	Parallel int
	// OnRow, if set, receives every row, in order (seed, then run, then
	// step), once all runs of the row's seed have finished or stopped;
	// an error stops the experiment.
	OnRow func(DualPlayRow) error
	// Progress, if set, receives the number of completed steps out of
	// the total over all seeds and runs. Calls are serialized but may
	// come from several goroutines.
	Progress func(done, total int)
}

// RunDualPlayExperiment runs every run of e for every seed, the runs of a
// seed concurrently. Rows come out in a fixed order, so the same
// experiment gives the same rows whatever the parallelism. Cancelling ctx
// stops every simulation at its next step; the rows recorded so far are
// delivered and returned with ctx.Err().
func RunDualPlayExperiment(ctx context.Context, e *DualPlayExperiment, o DualPlayRunOptions) (*DualPlayResults, error) {
	seeds := e.Seeds
	if o.Seeds > 0 {
		seeds = o.Seeds
	}
	par := o.Parallel
	if par <= 0 {
		par = runtime.GOMAXPROCS(0)
	}
	res := &DualPlayResults{Final: map[string][]DualPlayRow{}}
	var mu sync.Mutex
	total, done := seeds*e.TotalSteps(), 0
	progress := func() {
		mu.Lock()
		done++
		if o.Progress != nil {
			o.Progress(done, total)
		}
		mu.Unlock()
	}
	type unit struct {
		rows  []DualPlayRow
		final DualPlayRow
		err   error
	}
	for s := range seeds {
		units := make([]unit, len(e.Runs))
		sem := make(chan struct{}, par)
		var wg sync.WaitGroup
		for i := range e.Runs {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				u := &units[i]
				u.rows, u.final, u.err = e.runOne(ctx, i, uint64(s), progress)
			}()
		}
		wg.Wait()
		var firstErr error
		for i := range units {
			u := &units[i]
			for _, r := range u.rows {
				res.Rows = append(res.Rows, r)
				if o.OnRow != nil && firstErr == nil {
					if err := o.OnRow(r); err != nil {
						firstErr = err
					}
				}
			}
			if u.err != nil && firstErr == nil {
				firstErr = fmt.Errorf("%s, seed %d: %w", e.Runs[i].Label, e.Runs[i].Config.Seed+uint64(s), u.err)
			}
		}
		if firstErr != nil {
			if err := ctx.Err(); err != nil && !errors.Is(firstErr, err) {
				return res, err
			}
			return res, firstErr
		}
		res.Seeds++
		for i := range units {
			res.Final[e.Runs[i].Label] = append(res.Final[e.Runs[i].Label], units[i].final)
		}
	}
	return res, nil
}

// runOne simulates run i at seed offset s, returning its logged rows and
// its final summary row.
func (e *DualPlayExperiment) runOne(ctx context.Context, i int, s uint64, progress func()) ([]DualPlayRow, DualPlayRow, error) {
	r := &e.Runs[i]
	cfg := cloneDualPlayConfig(r.Config)
	cfg.Seed += s
	steps := e.StepsOf(i)
	sim, err := NewDualPlaySim(cfg)
	if err != nil {
		return nil, DualPlayRow{}, err
	}
	names := DualMetricNames(cfg.Task.Categories)
	tail := max(1, int(math.Ceil(e.SummaryTail*float64(steps))))
	sum := make([]float64, len(names))
	cnt := make([]int, len(names))
	var vals []float64
	var rows []DualPlayRow
	// Metrics are measured only where they are used, on logged steps and
	// in the summary tail; the dynamics do not depend on it.
	for step := 1; step <= steps; step++ {
		if err := ctx.Err(); err != nil {
			return rows, DualPlayRow{}, err
		}
		sim.Advance()
		logged, inTail := e.Logged(step, steps), step > steps-tail
		if logged || inTail {
			vals = sim.Metrics().AppendValues(vals[:0])
		}
		if inTail {
			for k, v := range vals {
				if !math.IsNaN(v) {
					sum[k] += v
					cnt[k]++
				}
			}
		}
		if logged {
			rows = append(rows, DualPlayRow{Label: r.Label, Seed: cfg.Seed, Step: step, Metrics: dualMetricMap(names, vals)})
		}
		progress()
	}
	final := DualPlayRow{Label: r.Label, Seed: cfg.Seed, Step: steps, Metrics: map[string]float64{}}
	for k, name := range names {
		switch {
		case name == "step" || name == "phase":
		case dualStateMetrics[name] || strings.HasPrefix(name, "ability_"):
			final.Metrics[name] = vals[k]
		case cnt[k] == 0:
			final.Metrics[name] = math.NaN()
		default:
			final.Metrics[name] = sum[k] / float64(cnt[k])
		}
	}
	return rows, final, nil
}

// dualMetricMap names vals (DualMetricNames order), leaving out step.
func dualMetricMap(names []string, vals []float64) map[string]float64 {
	m := make(map[string]float64, len(names)-1)
	for k, name := range names {
		if name != "step" {
			m[name] = vals[k]
		}
	}
	return m
}
