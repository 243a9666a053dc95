package leaguesim

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/selfplay-lab/selfplay/agents"
	"github.com/selfplay-lab/selfplay/cuda"
	"github.com/selfplay-lab/selfplay/league"
)

// League is what Run needs of a league: the event-sourced state machine
// and the reads that matchmaking and training use. *league.State
// implements it; a replicated league can too, by proposing every event
// through its log and reading its local state. Run calls it from one
// goroutine and expects each read to reflect every event it applied.
type League interface {
	Apply(ev league.Event) (league.Effect, error)
	Opponents(home string) ([]league.Choice, error)
	Member(id string) (league.Member, bool)
	Members() []league.Member
	MetaStrategy() (ids []string, sigma []float64, err error)
}

// Round summarises the league after a round; Run passes one to its
// progress callback and keeps them all in Result.History.
type Round struct {
	Round, Rounds int
	// Matches is the number of results recorded so far (training, snapshot
	// and evaluation matches).
	Matches   int
	Members   int
	Snapshots int
	// Learners in configuration order.
	Learners []LearnerStatus
	// MetaIDs and Meta are the snapshots and the league's PSRO meta-strategy
	// over them (configured solver, empirical meta-game); MetaExpl is the
	// exact exploitability of the policy that plays that mixture. Empty and
	// NaN while there are no snapshots.
	MetaIDs  []string
	Meta     []float64
	MetaExpl float64
}

// LearnerStatus is one learner after a round.
type LearnerStatus struct {
	ID     string
	Step   uint64
	Params league.Hash // the current policy (see Result.Policies)
	// Expl is the exact exploitability of the current policy.
	Expl float64
	// Snapshot names the snapshot taken this round, if any; Reset reports
	// that the AlphaStar reset rule returned the learner to Init.
	Snapshot string
	Reset    bool
}

// Result is what Run produced.
type Result struct {
	// League is the league after the run.
	League League
	// Policies holds every policy the league names, by hash.
	Policies map[league.Hash]*Policy
	// Battles holds every recorded result between two different members in
	// the order recorded (so online Elo sees the real order).
	Battles *league.Battles
	// Leaderboards holds one leaderboard per Config.Ratings method, in
	// order; empty when no two members played.
	Leaderboards []*league.Leaderboard
	// History holds one entry per completed round.
	History []Round
	// Matches counts the results recorded.
	Matches int
}

// Policy returns the current policy of member id.
func (r *Result) Policy(id string) (*Policy, error) {
	m, ok := r.League.Member(id)
	if !ok {
		return nil, fmt.Errorf("leaguesim: %w: %q", league.ErrUnknownMember, id)
	}
	p, ok := r.Policies[m.Params]
	if !ok {
		return nil, fmt.Errorf("leaguesim: member %q: no policy with hash %s", id, m.Params)
	}
	return p, nil
}

// Leaderboard returns the leaderboard of method m, or nil.
func (r *Result) Leaderboard(m league.RatingMethod) *league.Leaderboard {
	for _, lb := range r.Leaderboards {
		if lb.Method == m {
			return lb
		}
	}
	return nil
}

// runner is the state of one Run.
type runner struct {
	ctx      context.Context
	cfg      Config
	lg       League
	env      *agents.Env
	res      *Result
	trainers []*trainer
	byID     map[string]*trainer
	clock    int64 // logical time of events, in nanoseconds
	evalSeq  int   // sequence of snapshot and evaluation match ids
	explore  *Policy
}

// worker is the worker name Run puts on its leases and results.
const worker = "leaguesim"

// Run runs the league described by cfg and rates its members. onProgress,
// if not nil, receives a summary after every round. Cancelling ctx stops
// the run before the next learner's turn and returns the result so far
// (without ratings) with ctx.Err().
func Run(ctx context.Context, cfg Config, onProgress func(Round)) (*Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	be := cfg.Backend
	if be == nil {
		cpu := cuda.NewCPU(1)
		defer cpu.Close()
		be = cpu
	}
	env, err := agents.NewEnv(be, cfg.Game, cfg.Ref)
	if err != nil {
		return nil, fmt.Errorf("leaguesim: %w", err)
	}
	defer env.Close()
	r := &runner{ctx: ctx, cfg: cfg, lg: cfg.League, env: env, byID: make(map[string]*trainer),
		res: &Result{Policies: make(map[league.Hash]*Policy), Battles: league.NewBattles()}}
	if r.lg == nil {
		r.lg = league.NewState()
	}
	r.res.League = r.lg
	defer func() {
		for _, t := range r.trainers {
			t.close()
		}
	}()
	if cfg.Explore > 0 {
		r.explore = Uniform(env.K, env.B)
	}
	if err := r.setup(); err != nil {
		return nil, err
	}
	for round := 1; round <= cfg.Rounds; round++ {
		st := Round{Round: round, Rounds: cfg.Rounds}
		for _, t := range r.trainers {
			if err := ctx.Err(); err != nil {
				return r.res, err
			}
			ls, err := r.train(t, round)
			if err != nil {
				return r.res, err
			}
			st.Learners = append(st.Learners, ls)
		}
		if err := r.summarise(&st); err != nil {
			return r.res, err
		}
		r.res.History = append(r.res.History, st)
		if onProgress != nil {
			onProgress(st)
		}
	}
	if err := r.evaluate(ctx); err != nil {
		return r.res, err
	}
	if err := r.rate(ctx); err != nil {
		return r.res, err
	}
	return r.res, nil
}

// apply applies ev with the next logical time.
func (r *runner) apply(ev league.Event) (league.Effect, error) {
	eff, err := r.applyRaw(ev)
	if err != nil {
		return eff, fmt.Errorf("leaguesim: %w", err)
	}
	return eff, nil
}

// applyRaw is apply without wrapping the error, for callers that say
// which part of the Config caused it.
func (r *runner) applyRaw(ev league.Event) (league.Effect, error) {
	r.clock++
	return r.lg.Apply(ev)
}

// put stores p (and hands it to Config.PutPolicy the first time) and
// returns its hash.
func (r *runner) put(p *Policy) (league.Hash, error) {
	h := p.Hash()
	if _, ok := r.res.Policies[h]; ok {
		return h, nil
	}
	if r.cfg.PutPolicy != nil {
		if err := r.cfg.PutPolicy(h, p); err != nil {
			return h, fmt.Errorf("leaguesim: store policy %s: %w", h, err)
		}
	}
	r.res.Policies[h] = p
	return h, nil
}

// setup configures the league and adds the learners (and their first
// snapshots).
func (r *runner) setup() error {
	settings := map[string]string{"seed": strconv.FormatUint(r.cfg.Seed, 10)}
	for k, v := range r.cfg.Settings {
		settings[k] = v
	}
	if _, err := r.applyRaw(&league.Configure{Settings: settings}); err != nil {
		return fmt.Errorf("%w: settings: %w", ErrConfig, err)
	}
	k, b := r.env.K, r.env.B
	for i, f := range r.cfg.Frozen {
		p, err := NewPolicy(k, b, f.Policy)
		if err != nil {
			return fmt.Errorf("%w: frozen[%d].policy: %w", ErrConfig, i, err)
		}
		h, err := r.put(p)
		if err != nil {
			return err
		}
		eff, err := r.applyRaw(&league.AddSnapshot{ID: f.ID, Params: h})
		if err != nil {
			return fmt.Errorf("%w: frozen[%d]: %w", ErrConfig, i, err)
		}
		if err := r.snapshotAdded(eff.Snapshot); err != nil {
			return err
		}
	}
	for i, lc := range r.cfg.Learners {
		init, err := NewPolicy(k, b, r.env.RefHost())
		if lc.Init != nil {
			init, err = NewPolicy(k, b, lc.Init)
		}
		if err != nil {
			return fmt.Errorf("%w: learners[%d].init: %w", ErrConfig, i, err)
		}
		t, err := newTrainer(r.env, lc, init)
		if err != nil {
			return err
		}
		r.trainers = append(r.trainers, t)
		r.byID[lc.ID] = t
		h, err := r.put(init)
		if err != nil {
			return err
		}
		eff, err := r.applyRaw(&league.AddLearner{ID: lc.ID, Role: lc.Role, Params: h,
			Meta: map[string]string{"rule": lc.Rule}})
		if err != nil {
			return fmt.Errorf("%w: learners[%d]: %w", ErrConfig, i, err)
		}
		if err := r.snapshotAdded(eff.Snapshot); err != nil {
			return err
		}
		if lc.Role == league.RoleNone && r.cfg.CheckpointEvery > 0 {
			if _, err := r.checkpoint(t); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkpoint freezes learner t into a snapshot and returns its id.
func (r *runner) checkpoint(t *trainer) (string, error) {
	eff, err := r.apply(&league.Checkpoint{Learner: t.id})
	if err != nil {
		return "", err
	}
	return eff.Snapshot, r.snapshotAdded(eff.Snapshot)
}

// snapshotAdded plays the new snapshot id (if any) against every earlier
// snapshot, SnapshotMatches times each.
func (r *runner) snapshotAdded(id string) error {
	if id == "" || r.cfg.SnapshotMatches == 0 {
		return nil
	}
	var earlier []string
	for _, m := range r.lg.Members() {
		if m.Kind == league.KindSnapshot && m.ID != id {
			earlier = append(earlier, m.ID)
		}
	}
	var batch []FixedMatch
	for n := range r.cfg.SnapshotMatches {
		for _, old := range earlier {
			a, b := id, old
			if n%2 == 1 {
				a, b = b, a
			}
			m, err := r.fixed("s", a, b)
			if err != nil {
				return err
			}
			batch = append(batch, m)
		}
	}
	return r.playFixed(batch)
}

// fixed returns an unleased match between a and b with a match id
// prefix+sequence ("s" snapshot and "e" evaluation matches; the league's
// own leases are "m<n>").
func (r *runner) fixed(prefix, a, b string) (FixedMatch, error) {
	r.evalSeq++
	l := league.Lease{Match: prefix + strconv.Itoa(r.evalSeq), Home: a, Away: b, Worker: worker}
	pa, err := r.policyOf(a)
	if err != nil {
		return FixedMatch{}, err
	}
	pb, err := r.policyOf(b)
	if err != nil {
		return FixedMatch{}, err
	}
	return FixedMatch{Lease: l, Home: pa, Away: pb}, nil
}

// playFixed plays and records a batch of fixed matches: itself, one after
// another, or through Config.Player. Either way the results get the same
// times and enter Battles in batch order.
func (r *runner) playFixed(batch []FixedMatch) error {
	if len(batch) == 0 {
		return nil
	}
	if r.cfg.Player == nil {
		for _, m := range batch {
			if _, err := r.play(m.Lease, m.Home, m.Away); err != nil {
				return err
			}
		}
		return nil
	}
	for i := range batch {
		batch[i].Time = r.clock + 1 + int64(i)
	}
	res, err := r.cfg.Player.PlayBatch(r.ctx, Batch{Game: r.cfg.Game, Options: r.matchOptions(), Matches: batch})
	if err != nil {
		return fmt.Errorf("leaguesim: playing %d matches from %s: %w", len(batch), batch[0].Lease.Match, err)
	}
	if len(res) != len(batch) {
		return fmt.Errorf("leaguesim: the player returned %d results for %d matches", len(res), len(batch))
	}
	r.clock += int64(len(batch))
	for i, mr := range res {
		if mr.Event == nil || mr.Event.Match != batch[i].Lease.Match {
			return fmt.Errorf("leaguesim: the player's result %d is not that of match %s", i, batch[i].Lease.Match)
		}
		r.count(batch[i].Lease, mr)
	}
	return nil
}

// matchOptions are the options of every match of the run.
func (r *runner) matchOptions() MatchOptions {
	return MatchOptions{Judgements: r.cfg.Judgements, Seed: r.cfg.Seed}
}

// policyOf returns the current policy of member id: a learner's live
// policy or a snapshot's stored one.
func (r *runner) policyOf(id string) (*Policy, error) {
	if t, ok := r.byID[id]; ok {
		return t.pol, nil
	}
	m, ok := r.lg.Member(id)
	if !ok {
		return nil, fmt.Errorf("leaguesim: %w: %q", league.ErrUnknownMember, id)
	}
	p, ok := r.res.Policies[m.Params]
	if !ok {
		return nil, fmt.Errorf("leaguesim: member %q has parameters %s that this run did not store", id, m.Params)
	}
	return p, nil
}

// play plays match l and records its result.
func (r *runner) play(l league.Lease, home, away *Policy) (MatchResult, error) {
	mr, err := PlayMatch(r.cfg.Game, l, home, away, r.matchOptions())
	if err != nil {
		return mr, err
	}
	mr.Event.Time = r.clock + 1
	eff, err := r.apply(mr.Event)
	if err != nil {
		return mr, err
	}
	if eff.Duplicate {
		return mr, fmt.Errorf("leaguesim: match %s was already recorded", l.Match)
	}
	r.count(l, mr)
	return mr, nil
}

// count counts a recorded result and adds it to Battles.
func (r *runner) count(l league.Lease, mr MatchResult) {
	r.res.Matches++
	if l.Home != l.Away {
		o := league.Tie
		switch mr.Event.Outcome {
		case league.OutcomeAWins:
			o = league.AWins
		case league.OutcomeBWins:
			o = league.BWins
		}
		r.res.Battles.Add(l.Home, l.Away, o)
	}
}

// train runs learner t's turn of a round.
func (r *runner) train(t *trainer, round int) (LearnerStatus, error) {
	var mix *Policy
	if r.cfg.Mode == agents.Exact {
		var err error
		if mix, err = r.opponentMixture(t.id); err != nil {
			return LearnerStatus{}, err
		}
	}
	behaviour := t.pol
	if r.explore != nil {
		var err error
		if behaviour, err = Mixture([]*Policy{t.pol, r.explore}, []float64{1 - r.cfg.Explore, r.cfg.Explore}); err != nil {
			return LearnerStatus{}, err
		}
	}
	var js []Judgement
	for range r.cfg.Matches {
		eff, err := r.apply(&league.LeaseMatch{Worker: worker, Home: t.id, Now: r.clock, Deadline: r.clock + 1e9})
		if err != nil {
			return LearnerStatus{}, err
		}
		l := *eff.Lease
		away, err := r.policyOf(l.Away)
		if err != nil {
			return LearnerStatus{}, err
		}
		mr, err := r.play(l, behaviour, away)
		if err != nil {
			return LearnerStatus{}, err
		}
		js = append(js, mr.Judgements...)
	}
	var err error
	if r.cfg.Mode == agents.Exact {
		err = t.updateExact(mix)
	} else {
		err = t.updateSampled(js)
	}
	if err != nil {
		return LearnerStatus{}, err
	}
	t.step++
	h, err := r.put(t.pol)
	if err != nil {
		return LearnerStatus{}, err
	}
	eff, err := r.apply(&league.ReportProgress{ID: t.id, Step: t.step, Params: h})
	if err != nil {
		return LearnerStatus{}, err
	}
	ls := LearnerStatus{ID: t.id, Step: t.step, Snapshot: eff.Snapshot, Reset: eff.Reset}
	if err := r.snapshotAdded(eff.Snapshot); err != nil {
		return ls, err
	}
	if eff.Reset {
		if err := t.load(t.initial); err != nil {
			return ls, err
		}
	}
	if t.cfg.Role == league.RoleNone && r.cfg.CheckpointEvery > 0 && round%r.cfg.CheckpointEvery == 0 {
		if ls.Snapshot, err = r.checkpoint(t); err != nil {
			return ls, err
		}
	}
	ls.Params = t.pol.Hash()
	ls.Expl = Exploitability(r.cfg.Game, t.pol)
	return ls, nil
}

// opponentMixture returns the league's exact opponent distribution for
// home as one mixed policy.
func (r *runner) opponentMixture(home string) (*Policy, error) {
	cs, err := r.lg.Opponents(home)
	if err != nil {
		return nil, fmt.Errorf("leaguesim: %w", err)
	}
	ps, w := make([]*Policy, len(cs)), make([]float64, len(cs))
	for i, c := range cs {
		if ps[i], err = r.policyOf(c.ID); err != nil {
			return nil, err
		}
		w[i] = c.P
	}
	return Mixture(ps, w)
}

// summarise fills the population counts and the meta-strategy of st.
func (r *runner) summarise(st *Round) error {
	st.Matches = r.res.Matches
	ms := r.lg.Members()
	st.Members = len(ms)
	for _, m := range ms {
		if m.Kind == league.KindSnapshot {
			st.Snapshots++
		}
	}
	st.MetaExpl = math.NaN()
	if st.Snapshots == 0 {
		return nil
	}
	ids, sigma, err := r.lg.MetaStrategy()
	if err != nil {
		return fmt.Errorf("leaguesim: round %d: %w", st.Round, err)
	}
	mix, err := r.mixtureOf(ids, sigma)
	if err != nil {
		return err
	}
	st.MetaIDs, st.Meta, st.MetaExpl = ids, sigma, Exploitability(r.cfg.Game, mix)
	return nil
}

// mixtureOf returns the mixed policy playing member ids[i] with
// probability w[i].
func (r *runner) mixtureOf(ids []string, w []float64) (*Policy, error) {
	ps := make([]*Policy, len(ids))
	for i, id := range ids {
		var err error
		if ps[i], err = r.policyOf(id); err != nil {
			return nil, err
		}
	}
	return Mixture(ps, w)
}

// evaluate plays the final round robin: EvalMatches cycles, each playing
// every pair once (sides alternating between cycles), so that order-dependent
// ratings such as online Elo see the pairs interleaved.
func (r *runner) evaluate(ctx context.Context) error {
	ms := r.lg.Members()
	for n := range r.cfg.EvalMatches {
		if err := ctx.Err(); err != nil {
			return err
		}
		var batch []FixedMatch
		for i := range ms {
			for j := i + 1; j < len(ms); j++ {
				a, b := ms[i].ID, ms[j].ID
				if n%2 == 1 {
					a, b = b, a
				}
				m, err := r.fixed("e", a, b)
				if err != nil {
					return err
				}
				batch = append(batch, m)
			}
		}
		if err := r.playFixed(batch); err != nil {
			return err
		}
	}
	return nil
}

// rate computes the leaderboards.
func (r *runner) rate(ctx context.Context) error {
	if len(r.res.Battles.List) == 0 {
		return nil
	}
	for _, m := range r.cfg.Ratings {
		opt := league.DefaultRateOptions(m)
		opt.Bootstrap, opt.Seed = r.cfg.Bootstrap, r.cfg.Seed
		lb, err := league.Rate(ctx, r.res.Battles, opt)
		if err != nil {
			return fmt.Errorf("leaguesim: rating %s: %w", m, err)
		}
		r.res.Leaderboards = append(r.res.Leaderboards, lb)
	}
	return nil
}
