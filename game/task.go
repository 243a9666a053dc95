package game

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// ErrTaskConfig is wrapped by every *TaskFieldError, so callers can test for
// a bad task-game configuration with errors.Is.
var ErrTaskConfig = errors.New("game: bad task-game configuration")

// TaskKind classifies a proposed task by what a perfect grader would find.
type TaskKind uint8

const (
	// Valid: well posed, with a unique answer that the proposer labelled
	// correctly.
	Valid TaskKind = iota
	// Invalid: the proposer's label is wrong or the question is ill-posed.
	// No solver answer is correct by ground truth, and the label is an
	// answer solvers almost never give.
	Invalid
	// Leaking: valid, but the answer is in the question, so solvers succeed
	// whatever their ability.
	Leaking
	// NonUnique: several answers are correct; the proposer's label is one
	// of them, and a correct solver may give another.
	NonUnique
	// NumTaskKinds is the number of kinds, for arrays indexed by kind.
	NumTaskKinds = 4
)

var taskKindNames = [NumTaskKinds]string{"valid", "invalid", "leaking", "non-unique"}

func (k TaskKind) String() string {
	if int(k) < len(taskKindNames) {
		return taskKindNames[k]
	}
	return fmt.Sprintf("TaskKind(%d)", uint8(k))
}

// TaskConfig parameterizes a task game. Every field's comment gives its
// default (DefaultTaskConfig) and why; field names in errors and config
// files are the yaml tags.
//
// Difficulty b and ability θ share the logit scale of item-response theory:
// a solver with θ = b on an item of discrimination a and no guessing
// succeeds half the time.
type TaskConfig struct {
	// Categories is the number of skill categories C. Default 4: enough
	// for the proposer's category entropy and per-category ability to be
	// informative, few enough to read per-category plots.
	Categories int `yaml:"categories"`
	// DifficultyMin and DifficultyMax bound the difficulty b. Defaults −3
	// and 3: for a solver near θ = 0 and a = 1 this spans success rates
	// from about 95% to 5%, so both trivial and hopeless tasks exist.
	DifficultyMin float64 `yaml:"difficulty_min"`
	DifficultyMax float64 `yaml:"difficulty_max"`
	// Cells is the number G of equal-width difficulty cells that split
	// [DifficultyMin, DifficultyMax]; a proposer's actions are (category,
	// cell) pairs and each pair has its own signature pool. Default 12:
	// cells half a logit wide, finer than the band a learnability reward
	// can tell apart with 8 attempts.
	Cells int `yaml:"cells"`
	// Graded makes difficulty discrete: a task proposed in a cell has the
	// cell's centre as b. Default false (continuous: b uniform within the
	// cell), so that tasks of one cell are not interchangeable.
	Graded bool `yaml:"graded"`
	// PoolSize is the number of distinct task signatures per (category,
	// cell); a proposal draws one uniformly. Default 64: a proposer
	// confined to one cell repeats itself within a batch of 256, while one
	// spread over all cells rarely does, so repetition measures collapse.
	PoolSize int `yaml:"pool_size"`

	// Discrimination is the median IRT discrimination a of a task.
	// Default 1: the logit scale is then the 1PL (Rasch) scale.
	Discrimination float64 `yaml:"discrimination"`
	// DiscriminationSpread is the standard deviation of log a across
	// tasks (a is lognormal, drawn from 256 equiprobable quantiles so that
	// a proposal costs no exp). Default 0.3: fitted 2PL discriminations of
	// benchmark items mostly lie within a factor of two of their median.
	DiscriminationSpread float64 `yaml:"discrimination_spread"`
	// Guessing is the 3PL lower asymptote c of every task. Default 0:
	// free-form answers (numbers, programs) are not guessed; set 1/options
	// for multiple choice.
	Guessing float64 `yaml:"guessing"`
	// Distractors is the number D of distinct wrong answers a solver can
	// give. Default 4: small enough that wrong answers collide, which is
	// what lets a majority vote settle on a wrong answer.
	Distractors int `yaml:"distractors"`
	// DistractorDecay ρ makes wrong answers concentrate: distractor j
	// (0-based) has probability ∝ ρ^j among wrong answers. Default 0.5:
	// one common misconception takes about half the wrong answers, so a
	// majority of m attempts is often wrong once the success rate drops
	// below about 1/2 (R-Zero's pseudo-label decay). 1 spreads them evenly.
	DistractorDecay float64 `yaml:"distractor_decay"`

	// ValidMax, ValidSlope and ValidMidpoint give the probability that a
	// proposal aimed at difficulty b is valid,
	// v(b) = ValidMax·σ(ValidSlope·(ValidMidpoint − b)).
	// ValidMax default 0.95: even easy proposals are sometimes broken.
	ValidMax float64 `yaml:"valid_max"`
	// ValidSlope default 1 (per logit): validity halves over about one
	// logit past the midpoint, so the hardest cells are mostly broken and
	// a reward that favours unsolved tasks is tempted into them.
	ValidSlope float64 `yaml:"valid_slope"`
	// ValidMidpoint default 1: half of all proposals one logit above an
	// initial solver (θ = 0) are valid, so the frontier is still mostly
	// valid while harder cells are not.
	ValidMidpoint float64 `yaml:"valid_midpoint"`
	// InvalidShare, LeakShare and NonUniqueShare split the remaining
	// 1 − v(b) among the broken kinds; they must sum to 1. Defaults 0.6,
	// 0.2, 0.2: wrong labels and ill-posed questions are the common
	// failure (SSP, PasoDoble); leakage and non-unique answers are the
	// named hacks, rarer but rewarded by some schemes.
	InvalidShare   float64 `yaml:"invalid_share"`
	LeakShare      float64 `yaml:"leak_share"`
	NonUniqueShare float64 `yaml:"non_unique_share"`

	// LeakSuccess is a solver's success rate on a leaking task, whatever
	// its ability. Default 0.95: copying the answer out of the question
	// almost always works.
	LeakSuccess float64 `yaml:"leak_success"`
	// InvalidMatch is the chance that an attempt on an invalid task gives
	// the proposer's (wrong) label. Default 0.02: a wrong label is
	// reproduced only by a coincident mistake, so invalid tasks look
	// unsolvable to label-matching rewards.
	InvalidMatch float64 `yaml:"invalid_match"`
	// NonUniqueMatch is the chance that a correct attempt on a non-unique
	// task gives the proposer's answer rather than another correct one.
	// Default 0.5: two acceptable answers, equally likely.
	NonUniqueMatch float64 `yaml:"non_unique_match"`

	// RetrievalDistractors is the number d of unrelated documents mixed
	// into the retrieval validity check (SSP). Default 4, SSP's best.
	RetrievalDistractors int `yaml:"retrieval_distractors"`
	// RetrievalValidPass is the chance that the check, without
	// distractors, recovers the label of a valid, leaking or non-unique
	// task. Default 0.9: a RAG solver given the proposer's own documents
	// usually finds the answer.
	RetrievalValidPass float64 `yaml:"retrieval_valid_pass"`
	// RetrievalInvalidPass is the chance that the check, without
	// distractors, passes an invalid task. Default 0.3: with only the
	// proposer's documents the RAG solver is led to the proposer's answer.
	RetrievalInvalidPass float64 `yaml:"retrieval_invalid_pass"`
	// RetrievalDerail is the chance that one distractor document derails
	// the check on a task that should pass. Default 0.01: a well-posed
	// question survives noise.
	RetrievalDerail float64 `yaml:"retrieval_derail"`
	// RetrievalExpose is the chance that one distractor document exposes
	// an invalid task (the RAG solver no longer reaches the wrong label).
	// Default 0.25: with 4 distractors an invalid task passes about 10% of
	// the time, a valid one about 87%.
	RetrievalExpose float64 `yaml:"retrieval_expose"`
}

// DefaultTaskConfig returns the documented defaults.
func DefaultTaskConfig() TaskConfig {
	return TaskConfig{
		Categories:           4,
		DifficultyMin:        -3,
		DifficultyMax:        3,
		Cells:                12,
		PoolSize:             64,
		Discrimination:       1,
		DiscriminationSpread: 0.3,
		Guessing:             0,
		Distractors:          4,
		DistractorDecay:      0.5,
		ValidMax:             0.95,
		ValidSlope:           1,
		ValidMidpoint:        1,
		InvalidShare:         0.6,
		LeakShare:            0.2,
		NonUniqueShare:       0.2,
		LeakSuccess:          0.95,
		InvalidMatch:         0.02,
		NonUniqueMatch:       0.5,
		RetrievalDistractors: 4,
		RetrievalValidPass:   0.9,
		RetrievalInvalidPass: 0.3,
		RetrievalDerail:      0.01,
		RetrievalExpose:      0.25,
	}
}

// SetDefaults sets c to DefaultTaskConfig (for config decoders that fill
// defaults before decoding).
func (c *TaskConfig) SetDefaults() { *c = DefaultTaskConfig() }

// MaxDistractors is the largest TaskConfig.Distractors (answers are bytes).
const MaxDistractors = 256 - int(firstDistractor)

// TaskFieldError reports a TaskConfig field with a bad value. Field is the
// yaml name, so a runner can locate it in the file.
type TaskFieldError struct {
	Field string
	Value any
	Want  string
}

func (e *TaskFieldError) Error() string {
	return fmt.Sprintf("game: task config %s = %v: want %s", e.Field, e.Value, e.Want)
}

// Unwrap returns ErrTaskConfig.
func (e *TaskFieldError) Unwrap() error { return ErrTaskConfig }

// Check returns every problem with c, in field order; nil if none.
func (c *TaskConfig) Check() []*TaskFieldError {
	var errs []*TaskFieldError
	bad := func(field string, v any, want string) {
		errs = append(errs, &TaskFieldError{Field: field, Value: v, Want: want})
	}
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	prob := func(field string, p float64) {
		if !(p >= 0 && p <= 1) {
			bad(field, p, "a probability in [0, 1]")
		}
	}
	if c.Categories < 1 {
		bad("categories", c.Categories, "at least 1")
	}
	if !finite(c.DifficultyMin) {
		bad("difficulty_min", c.DifficultyMin, "a finite number")
	}
	if !finite(c.DifficultyMax) || !(c.DifficultyMax > c.DifficultyMin) {
		bad("difficulty_max", c.DifficultyMax, fmt.Sprintf("a finite number > difficulty_min (%v)", c.DifficultyMin))
	}
	if c.Cells < 1 {
		bad("cells", c.Cells, "at least 1")
	}
	if c.PoolSize < 1 || c.PoolSize > 1<<31 {
		bad("pool_size", c.PoolSize, "an integer in [1, 2³¹]")
	}
	if !finite(c.Discrimination) || !(c.Discrimination > 0) {
		bad("discrimination", c.Discrimination, "a finite number > 0")
	}
	if !finite(c.DiscriminationSpread) || !(c.DiscriminationSpread >= 0) {
		bad("discrimination_spread", c.DiscriminationSpread, "a finite number ≥ 0")
	}
	if !(c.Guessing >= 0 && c.Guessing < 1) {
		bad("guessing", c.Guessing, "a number in [0, 1)")
	}
	if c.Distractors < 1 || c.Distractors > MaxDistractors {
		bad("distractors", c.Distractors, fmt.Sprintf("an integer in [1, %d]", MaxDistractors))
	}
	if !(c.DistractorDecay > 0 && c.DistractorDecay <= 1) {
		bad("distractor_decay", c.DistractorDecay, "a number in (0, 1]")
	}
	prob("valid_max", c.ValidMax)
	if !finite(c.ValidSlope) || !(c.ValidSlope >= 0) {
		bad("valid_slope", c.ValidSlope, "a finite number ≥ 0")
	}
	if !finite(c.ValidMidpoint) {
		bad("valid_midpoint", c.ValidMidpoint, "a finite number")
	}
	prob("invalid_share", c.InvalidShare)
	prob("leak_share", c.LeakShare)
	prob("non_unique_share", c.NonUniqueShare)
	if s := c.InvalidShare + c.LeakShare + c.NonUniqueShare; math.Abs(s-1) > 1e-9 {
		bad("non_unique_share", c.NonUniqueShare,
			fmt.Sprintf("invalid_share + leak_share + non_unique_share = 1 (sum is %v)", s))
	}
	prob("leak_success", c.LeakSuccess)
	prob("invalid_match", c.InvalidMatch)
	prob("non_unique_match", c.NonUniqueMatch)
	if c.RetrievalDistractors < 0 {
		bad("retrieval_distractors", c.RetrievalDistractors, "at least 0")
	}
	prob("retrieval_valid_pass", c.RetrievalValidPass)
	prob("retrieval_invalid_pass", c.RetrievalInvalidPass)
	prob("retrieval_derail", c.RetrievalDerail)
	prob("retrieval_expose", c.RetrievalExpose)
	return errs
}

// Validate returns nil if c is usable, else an error joining every
// *TaskFieldError of Check (errors.As finds the first; all wrap
// ErrTaskConfig).
func (c *TaskConfig) Validate() error {
	errs := c.Check()
	if len(errs) == 0 {
		return nil
	}
	if len(errs) == 1 {
		return errs[0]
	}
	return taskFieldErrors(errs)
}

type taskFieldErrors []*TaskFieldError

func (e taskFieldErrors) Error() string {
	var b strings.Builder
	for i, fe := range e {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(fe.Error())
	}
	return b.String()
}

func (e taskFieldErrors) Unwrap() []error {
	out := make([]error, len(e))
	for i, fe := range e {
		out[i] = fe
	}
	return out
}

// Task is one proposed task: where the proposer aimed it, what it really
// is, and its item-response parameters.
type Task struct {
	Category int // skill category in [0, Categories)
	Cell     int // difficulty cell in [0, Cells)
	// Signature indexes the task's content in the finite pool of its
	// (category, cell); TaskSpace.SignatureKey makes it global. Equal
	// signatures mean repeated content, for diversity measures; the kind
	// and item parameters of each proposal are drawn afresh (a paraphrase
	// may be broken where the original was not).
	Signature int
	Kind      TaskKind
	// Difficulty b, Discrimination a and Guessing c are the 3PL item
	// parameters: success probability c + (1−c)·σ(a(θ − b)).
	Difficulty     float64
	Discrimination float64
	Guessing       float64
}

// Label returns the answer the proposer gave as correct: the key, or, on
// an invalid task, AnswerBogus.
func (t *Task) Label() Answer {
	if t.Kind == Invalid {
		return AnswerBogus
	}
	return AnswerKey
}

// IsCorrect reports whether answer a is correct by ground truth: the key
// (or, on a non-unique task, the alternative); nothing on an invalid task.
func (t *Task) IsCorrect(a Answer) bool {
	switch t.Kind {
	case Invalid:
		return false
	case NonUnique:
		return a == AnswerKey || a == AnswerAlternative
	default:
		return a == AnswerKey
	}
}

// TaskSpace is a task game built from a TaskConfig: it samples proposals
// and solver attempts and verifies them. It is immutable after
// NewTaskSpace and safe for concurrent use; all randomness comes from the
// *rand.Rand each call is given.
type TaskSpace struct {
	cfg   TaskConfig
	width float64 // of a difficulty cell
	// kindCum[0..2] are the cumulative shares of Invalid, Leaking and
	// NonUnique among broken proposals.
	kindCum [3]float64
	// distCum is the cumulative distribution of distractors among wrong
	// answers (last entry 1).
	distCum []float64
	// retrieval pass probabilities by kind
	retrieval [NumTaskKinds]float64
	// discrimination holds the 256 equiprobable quantiles of a's lognormal
	// law, Discrimination·exp(DiscriminationSpread·Φ⁻¹((i + ½)/256)).
	discrimination [256]float64
	// validRange[cell] brackets ValidProb(b) over the cell (see kindIn).
	validRange []validRange
}

// NewTaskSpace validates cfg and returns its task space.
func NewTaskSpace(cfg TaskConfig) (*TaskSpace, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &TaskSpace{cfg: cfg, width: (cfg.DifficultyMax - cfg.DifficultyMin) / float64(cfg.Cells)}
	s.kindCum[0] = cfg.InvalidShare
	s.kindCum[1] = cfg.InvalidShare + cfg.LeakShare
	s.kindCum[2] = 1
	s.distCum = make([]float64, cfg.Distractors)
	w, sum := 1.0, 0.0
	for j := range s.distCum {
		sum += w
		s.distCum[j] = sum
		w *= cfg.DistractorDecay
	}
	for j := range s.distCum {
		s.distCum[j] /= sum
	}
	s.distCum[len(s.distCum)-1] = 1
	for i := range s.discrimination {
		z := math.Sqrt2 * math.Erfinv(2*(float64(i)+0.5)/256-1)
		s.discrimination[i] = cfg.Discrimination * math.Exp(cfg.DiscriminationSpread*z)
	}
	s.validRange = make([]validRange, cfg.Cells)
	for c := range s.validRange {
		lo, hi := s.CellBounds(c)
		// v is monotone in b, so its extremes are at the cell's ends;
		// kindMargin covers the rounding of ValidProb (a few ulps).
		v0, v1 := s.ValidProb(lo), s.ValidProb(hi)
		s.validRange[c] = validRange{min(v0, v1) - kindMargin, max(v0, v1) + kindMargin}
	}
	d := float64(cfg.RetrievalDistractors)
	pass := cfg.RetrievalValidPass * math.Pow(1-cfg.RetrievalDerail, d)
	s.retrieval = [NumTaskKinds]float64{
		Valid:     pass,
		Leaking:   pass,
		NonUnique: pass,
		Invalid:   cfg.RetrievalInvalidPass * math.Pow(1-cfg.RetrievalExpose, d),
	}
	return s, nil
}

// Config returns the space's configuration.
func (s *TaskSpace) Config() TaskConfig { return s.cfg }

// NumCategories returns C.
func (s *TaskSpace) NumCategories() int { return s.cfg.Categories }

// NumCells returns G, the number of difficulty cells.
func (s *TaskSpace) NumCells() int { return s.cfg.Cells }

// NumSignatures returns the number of distinct signature keys,
// Categories × Cells × PoolSize.
func (s *TaskSpace) NumSignatures() int { return s.cfg.Categories * s.cfg.Cells * s.cfg.PoolSize }

// SignatureKey returns t's signature as an index in [0, NumSignatures),
// unique across categories and cells.
func (s *TaskSpace) SignatureKey(t *Task) int {
	return (t.Category*s.cfg.Cells+t.Cell)*s.cfg.PoolSize + t.Signature
}

// CellBounds returns the difficulty interval [lo, hi) of a cell.
func (s *TaskSpace) CellBounds(cell int) (lo, hi float64) {
	lo = s.cfg.DifficultyMin + float64(cell)*s.width
	if cell == s.cfg.Cells-1 {
		return lo, s.cfg.DifficultyMax
	}
	return lo, lo + s.width
}

// CellCenter returns the middle of a cell: a graded task's difficulty.
func (s *TaskSpace) CellCenter(cell int) float64 {
	lo, hi := s.CellBounds(cell)
	return (lo + hi) / 2
}

// CellOf returns the cell containing difficulty b, clamping b to the range.
func (s *TaskSpace) CellOf(b float64) int {
	c := int(math.Floor((b - s.cfg.DifficultyMin) / s.width))
	return min(max(c, 0), s.cfg.Cells-1)
}

// ValidProb returns v(b), the probability that a proposal aimed at
// difficulty b is valid.
func (s *TaskSpace) ValidProb(b float64) float64 {
	return s.cfg.ValidMax * sigmoid(s.cfg.ValidSlope*(s.cfg.ValidMidpoint-b))
}

// KindProbs returns the probability of each kind for a proposal aimed at
// difficulty b, indexed by TaskKind.
func (s *TaskSpace) KindProbs(b float64) [NumTaskKinds]float64 {
	v := s.ValidProb(b)
	return [NumTaskKinds]float64{
		Valid:     v,
		Invalid:   (1 - v) * s.cfg.InvalidShare,
		Leaking:   (1 - v) * s.cfg.LeakShare,
		NonUnique: (1 - v) * s.cfg.NonUniqueShare,
	}
}

// SampleKind draws the kind of a proposal aimed at difficulty b.
func (s *TaskSpace) SampleKind(r *rand.Rand, b float64) TaskKind {
	u := r.Float64()
	if b >= s.cfg.DifficultyMin && b <= s.cfg.DifficultyMax {
		return s.kindIn(u, b, s.CellOf(b))
	}
	return s.kindOf(u, b)
}

// validRange is a little wider than the range of ValidProb over a cell.
type validRange struct{ lo, hi float64 }

// kindMargin is the slack of the shortcuts of kindIn: far above the
// rounding error of its quantities (a few ulps of numbers ≤ 1), far below
// any probability that matters.
const kindMargin = 1e-12

// kindIn returns kindOf(u, b) for a difficulty b in cell, usually without
// kindOf's exp: when u is below the cell's whole range of v it is Valid;
// when it is above, the conditional uniform (u − v)/(1 − v), which falls
// as v rises, lies between its values at the range's ends, and when those
// fall within one kind's share the kind is known. Only draws within
// kindMargin-widened reach of a boundary take the exp.
func (s *TaskSpace) kindIn(u, b float64, cell int) TaskKind {
	vr := s.validRange[cell]
	if u < vr.lo {
		return Valid
	}
	if u >= vr.hi && vr.hi < 1 {
		least, most := (u-vr.hi)/(1-vr.hi), (u-vr.lo)/(1-vr.lo)
		k0, k1 := s.kindCum[0], s.kindCum[1]
		switch {
		case most < k0-kindMargin:
			return Invalid
		case least >= k0+kindMargin && most < k1-kindMargin:
			return Leaking
		case least >= k1+kindMargin:
			return NonUnique
		}
	}
	return s.kindOf(u, b)
}

func (s *TaskSpace) kindOf(u, b float64) TaskKind {
	v := s.ValidProb(b)
	if u < v {
		return Valid
	}
	u = (u - v) / (1 - v) // uniform on [0, 1) given broken
	switch {
	case u < s.kindCum[0]:
		return Invalid
	case u < s.kindCum[1]:
		return Leaking
	default:
		return NonUnique
	}
}

// ProposeCell samples a proposal in (category, cell) into t: difficulty
// uniform in the cell (its centre when Graded), then kind, signature and
// discrimination. It panics if category or cell is out of range.
func (s *TaskSpace) ProposeCell(r *rand.Rand, category, cell int, t *Task) {
	if cell < 0 || cell >= s.cfg.Cells {
		panic(fmt.Sprintf("game: difficulty cell %d out of range [0, %d)", cell, s.cfg.Cells))
	}
	bits := r.Uint64()
	var b float64
	if s.cfg.Graded {
		b = s.CellCenter(cell)
	} else {
		lo, hi := s.CellBounds(cell)
		b = lo + (hi-lo)*float64(bits>>11)*0x1p-53
	}
	s.propose(r, category, cell, b, uint8(bits), t)
}

// ProposeAt samples a proposal of category aimed at difficulty b (clamped
// to the range) into t. It panics if category is out of range.
func (s *TaskSpace) ProposeAt(r *rand.Rand, category int, b float64, t *Task) {
	b = min(max(b, s.cfg.DifficultyMin), s.cfg.DifficultyMax)
	s.propose(r, category, s.CellOf(b), b, uint8(r.Uint64()), t)
}

// propose fills t; q picks the discrimination quantile. One 64-bit draw
// gives the kind (high 32 bits, as a uniform) and the signature (low 32
// bits, scaled to the pool: bias below PoolSize/2³², negligible).
func (s *TaskSpace) propose(r *rand.Rand, category, cell int, b float64, q uint8, t *Task) {
	if category < 0 || category >= s.cfg.Categories {
		panic(fmt.Sprintf("game: task category %d out of range [0, %d)", category, s.cfg.Categories))
	}
	bits := r.Uint64()
	kind := s.kindIn(float64(bits>>32)*0x1p-32, b, cell)
	*t = Task{
		Category:       category,
		Cell:           cell,
		Signature:      int((bits & (1<<32 - 1)) * uint64(s.cfg.PoolSize) >> 32),
		Kind:           kind,
		Difficulty:     b,
		Discrimination: s.discrimination[q],
		Guessing:       s.cfg.Guessing,
	}
}
