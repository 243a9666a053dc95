package demo

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/selfplay-lab/selfplay/agents"
	"github.com/selfplay-lab/selfplay/game"
	"github.com/selfplay-lab/selfplay/league"
	"github.com/selfplay-lab/selfplay/leaguesim"
)

// The demo's proposer/solver pair: a dual-play simulation (package agents)
// whose snapshots join a league of their own, where a match is a solver
// snapshot attempting a task drawn from a proposer snapshot.

// Sizes of the dual-play stage.
const (
	// DualSteps is the length of the dual-play run, spread over the
	// league's rounds; the pasodoble run of examples/dualplay's
	// naive_vs_gated scenario takes 200 steps as well.
	DualSteps = 200
	// dualSnapshotEvery is the population's snapshot interval: 11
	// snapshots of each role over the run, counting the initial one.
	dualSnapshotEvery = 20
	// dualMatches is the number of matches per (solver, proposer) pair of
	// snapshots: ~660 games per member, enough to separate the solver
	// snapshots, whose held-out pass@1 moves by tens of points.
	dualMatches = 60
)

// Roles of the dual-play league's members (their Meta "role").
const (
	RoleSolver   = "solver"
	RoleProposer = "proposer"
)

// DualConfig is the dual-play simulation of the demo: PasoDoble's rewards
// (validity thresholds, 1.1 − p + 0.2·diversity for the proposer, solver
// trained on tasks in its band, leak check), the pasodoble run of
// examples/dualplay/naive_vs_gated.yaml, with a snapshot every 20 steps.
func DualConfig(seed uint64) agents.DualPlayConfig {
	c := agents.DefaultDualPlayConfig()
	c.Seed = seed
	c.Batch, c.Attempts = 256, 8
	c.ProposerReward, c.SolverReward, c.LeakCheck = "pasodoble", "pasodoble", true
	c.Population.SnapshotEvery = dualSnapshotEvery
	return c
}

// DualMember is a snapshot of one role of the dual-play run, a member of
// the dual-play league.
type DualMember struct {
	ID   string // "solver-STEP" or "proposer-STEP", STEP with at least three digits
	Role string // RoleSolver or RoleProposer
	Step int
	// Values are the parameters: a proposer's probabilities over the task
	// cells (action = category·G + cell), a solver's ability per category.
	Values []float64
	// Params is the hash of the member's blob (EncodeDualParams).
	Params league.Hash
}

// DualStep is the dual-play run after one step.
type DualStep struct {
	Step int
	// PassAt1 is the solver's held-out pass@1.
	PassAt1 float64
	// Difficulty is the share of the step's proposed tasks that the frozen
	// initial solver fails (1 − its mean true solve rate): the proposer's
	// difficulty on a fixed scale.
	Difficulty float64
	// ValidRate is the share of valid proposed tasks. Both are NaN at
	// step 0, before any task was proposed.
	ValidRate float64
}

// DualReport is what the dual-play stage produced.
type DualReport struct {
	Config agents.DualPlayConfig
	// League is the dual-play league: every snapshot, every result.
	League leaguesim.League
	// Members are the snapshots, in the order added (a solver, then the
	// proposer of the same step).
	Members []DualMember
	// Steps holds the run's metrics from step 0 (the initial state) on.
	Steps []DualStep
	// Battles holds every result, solver first, in the order recorded.
	Battles *league.Battles
	// Matches counts the results recorded.
	Matches int
	// Leaderboard rates solvers and proposers together by Bradley–Terry
	// (bootstrap intervals): a solver's rating is its ability, a
	// proposer's the difficulty of its tasks, on one logit scale.
	Leaderboard *league.Leaderboard
}

// Member returns the member named id.
func (r *DualReport) Member(id string) (DualMember, bool) {
	for _, m := range r.Members {
		if m.ID == id {
			return m, true
		}
	}
	return DualMember{}, false
}

// dualRun is the dual-play stage in progress. Not safe for concurrent use:
// Run drives it from the league's progress callback.
type dualRun struct {
	sim   *agents.DualPlaySim
	space *game.TaskSpace
	lg    leaguesim.League
	rec   leaguesim.Recorder
	pool  *leaguesim.Pool
	seed  uint64
	rep   *DualReport
	clock int64 // logical time of the dual league's events
	seq   int   // dual match ids are "d<seq>"
}

// newDualRun configures the empty league lg and adds the initial
// snapshots.
func newDualRun(ctx context.Context, seed uint64, lg leaguesim.League, pool *leaguesim.Pool) (*dualRun, error) {
	cfg := DualConfig(seed)
	sim, err := agents.NewDualPlaySim(cfg)
	if err != nil {
		return nil, fmt.Errorf("demo: dual play: %w", err) // the config is ours: a broken build
	}
	d := &dualRun{sim: sim, space: sim.Space(), lg: lg, rec: recorderOf(lg), pool: pool, seed: seed,
		rep: &DualReport{Config: cfg, League: lg, Battles: league.NewBattles()}}
	// No decay: snapshots never change, so every game is evidence.
	if err := d.apply(&league.Configure{Settings: map[string]string{"seed": strconv.FormatUint(seed, 10), "decay": "1"}}); err != nil {
		return nil, err
	}
	d.record(sim.Metrics())
	return d, d.snapshot(ctx, 0, sim.Proposer(), sim.Solver().Theta())
}

// apply applies a non-result event to the dual-play league.
func (d *dualRun) apply(ev league.Event) error {
	d.clock++
	if _, err := d.lg.Apply(ev); err != nil {
		return fmt.Errorf("demo: dual-play league: %w", err)
	}
	return nil
}

// record keeps the metrics of a step.
func (d *dualRun) record(m *agents.DualMetrics) {
	s := DualStep{Step: m.Step, PassAt1: m.PassAt1, Difficulty: math.NaN(), ValidRate: math.NaN()}
	if m.Tasks > 0 { // no batch before the first step
		s.Difficulty, s.ValidRate = 1-m.RefSolveRate, m.ValidRate
	}
	d.rep.Steps = append(d.rep.Steps, s)
}

// step returns the number of steps taken.
func (d *dualRun) step() int { return d.sim.StepCount() }

// advanceTo takes steps until step, adding every new snapshot of the
// population to the league and playing its matches.
func (d *dualRun) advanceTo(ctx context.Context, step int) error {
	pop := d.sim.Population()
	for d.sim.StepCount() < step {
		if err := ctx.Err(); err != nil {
			return err
		}
		known := pop.Len()
		d.sim.Advance()
		d.record(d.sim.Metrics())
		for _, s := range pop.Members[known:] {
			if err := d.snapshot(ctx, s.Step, s.Proposer, s.Theta); err != nil {
				return err
			}
		}
	}
	return nil
}

// snapshot adds the solver and the proposer of step to the league (their
// parameters as blobs, named by hash) and plays the new solver against
// every proposer and the new proposer against every earlier solver.
func (d *dualRun) snapshot(ctx context.Context, step int, p *agents.DualProposer, theta []float64) error {
	sfx := fmt.Sprintf("-%03d", step)
	solver := DualMember{ID: RoleSolver + sfx, Role: RoleSolver, Step: step, Values: append([]float64(nil), theta...)}
	proposer := DualMember{ID: RoleProposer + sfx, Role: RoleProposer, Step: step, Values: append([]float64(nil), p.Probs()...)}
	for _, m := range []*DualMember{&solver, &proposer} {
		data := EncodeDualParams(m.Role, m.Values)
		m.Params = sha256.Sum256(data)
		if err := putBlob(d.lg, m.Params, data); err != nil {
			return fmt.Errorf("demo: storing %s: %w", m.ID, err)
		}
		if err := d.apply(&league.AddSnapshot{ID: m.ID, Step: uint64(step), Params: m.Params,
			Meta: map[string]string{"role": m.Role}}); err != nil {
			return err
		}
		d.rep.Members = append(d.rep.Members, *m)
	}
	type pair struct{ solver, proposer *DualMember }
	var pairs []pair
	for i := range d.rep.Members {
		m := &d.rep.Members[i]
		switch {
		case m.Role == RoleProposer && m.Step <= step:
			pairs = append(pairs, pair{&d.rep.Members[len(d.rep.Members)-2], m})
		case m.Role == RoleSolver && m.Step < step:
			pairs = append(pairs, pair{m, &d.rep.Members[len(d.rep.Members)-1]})
		}
	}
	type match struct {
		id   string
		pair pair
	}
	ms := make([]match, 0, len(pairs)*dualMatches)
	for range dualMatches {
		for _, p := range pairs {
			d.seq++
			ms = append(ms, match{"d" + strconv.Itoa(d.seq), p})
		}
	}
	evs := make([]*league.RecordResult, len(ms))
	clock := d.clock
	err := d.pool.Do(ctx, d.rec, len(ms), func(w, i int) (*league.RecordResult, error) {
		m := ms[i]
		o := league.OutcomeBWins
		if PlayDualMatch(d.space, d.seed, m.id, m.pair.proposer.Values, m.pair.solver.Values) {
			o = league.OutcomeAWins
		}
		evs[i] = &league.RecordResult{Match: m.id, A: m.pair.solver.ID, B: m.pair.proposer.ID, Outcome: o,
			Worker: d.pool.Name(w), Time: clock + 1 + int64(i)}
		return evs[i], nil
	})
	if err != nil {
		return fmt.Errorf("demo: dual-play matches of step %d: %w", step, err)
	}
	d.clock += int64(len(ms))
	for _, ev := range evs {
		o := league.AWins
		if ev.Outcome == league.OutcomeBWins {
			o = league.BWins
		}
		d.rep.Battles.Add(ev.A, ev.B, o)
	}
	d.rep.Matches += len(ms)
	return nil
}

// rate fits the dual-play leaderboard.
func (d *dualRun) rate(ctx context.Context, seed uint64) error {
	opt := league.DefaultRateOptions(league.MethodBT)
	opt.Bootstrap, opt.Seed = bootstrap, seed
	lb, err := league.Rate(ctx, d.rep.Battles, opt)
	if err != nil {
		return fmt.Errorf("demo: rating the dual-play league: %w", err)
	}
	d.rep.Leaderboard = lb
	return nil
}

// PlayDualMatch plays match id between a solver of abilities theta and a
// proposer of cell probabilities probs on space and reports whether the
// solver won: the proposer writes a task in a cell drawn from probs, the
// solver makes one attempt, and it wins when its answer is correct by
// ground truth (a broken task the solver still answers correctly is the
// solver's win; an invalid task whose label the solver copies is not).
// The generator is PCG(seed, FNV-1a of id), so the match plays the same on
// any worker.
func PlayDualMatch(space *game.TaskSpace, seed uint64, id string, probs, theta []float64) bool {
	h := fnv.New64a()
	h.Write([]byte(id))
	rng := rand.New(rand.NewPCG(seed, h.Sum64()))
	a := game.Sample(rng, probs)
	g := space.NumCells()
	var t game.Task
	space.ProposeCell(rng, a/g, a%g, &t)
	var att [1]game.Attempt
	correct, _ := space.Attempts(rng, &t, theta, att[:])
	return correct == 1
}

// dualMagic starts every dual-play parameter blob.
const dualMagic = "selfplay/dualplay-params/v1\n"

// maxDualValues bounds the values of a decoded blob.
const maxDualValues = 1 << 20

// ErrDualParams marks a blob that is not a dual-play member's parameters.
var ErrDualParams = errors.New("demo: not a dual-play parameter blob")

// EncodeDualParams returns the blob of a dual-play member: the magic line,
// the role and its length as a byte, the number of values as a
// little-endian uint32, and the values as little-endian float64s. Its
// sha256 is the member's Params.
func EncodeDualParams(role string, values []float64) []byte {
	b := make([]byte, 0, len(dualMagic)+1+len(role)+4+8*len(values))
	b = append(b, dualMagic...)
	b = append(b, byte(len(role)))
	b = append(b, role...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(values)))
	for _, v := range values {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

// DecodeDualParams reads a blob written by EncodeDualParams.
func DecodeDualParams(b []byte) (role string, values []float64, err error) {
	bad := func(what string) (string, []float64, error) {
		return "", nil, fmt.Errorf("%w: %s", ErrDualParams, what)
	}
	if len(b) < len(dualMagic) || string(b[:len(dualMagic)]) != dualMagic {
		return bad("missing the header line")
	}
	b = b[len(dualMagic):]
	if len(b) < 1 || len(b) < 1+int(b[0]) {
		return bad("truncated role")
	}
	role, b = string(b[1:1+int(b[0])]), b[1+int(b[0]):]
	if role != RoleSolver && role != RoleProposer {
		return bad(fmt.Sprintf("role %q, want %s or %s", role, RoleSolver, RoleProposer))
	}
	if len(b) < 4 {
		return bad("truncated value count")
	}
	n := binary.LittleEndian.Uint32(b)
	b = b[4:]
	if n > maxDualValues || uint64(len(b)) != 8*uint64(n) {
		return bad(fmt.Sprintf("%d values in %d bytes", n, len(b)))
	}
	values = make([]float64, n)
	for i := range values {
		values[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
		if math.IsNaN(values[i]) || math.IsInf(values[i], 0) {
			return bad(fmt.Sprintf("value %d is %v", i, values[i]))
		}
	}
	return role, values, nil
}
