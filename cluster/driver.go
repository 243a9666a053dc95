package cluster

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/hashicorp/raft"

	"github.com/selfplay-lab/selfplay/league"
	"github.com/selfplay-lab/selfplay/leaguesim"
)

// The league driver: the training loop (leaguesim.Run) of a replicated
// league, run on the leader.
//
// Run's learners live in the driver's memory (their optimiser state is not
// in the log), so the driver cannot resume on another node: it runs only
// on a node that leads a league that is still empty, which in practice is
// the bootstrap node right after the cluster is created. If that node
// loses leadership the driver stops (its next proposal fails) and is not
// restarted anywhere; the league keeps every event it committed, the new
// leader keeps serving leases, expiring overdue ones and accepting
// results, and workers keep playing matches among the existing members. A
// fresh league (a new data directory) is needed to train again.

// Driver states (DriverStatus.State).
const (
	DriverWaiting = "waiting" // not the leader yet, or the leader of a league not yet checked
	DriverRunning = "running"
	DriverDone    = "done"    // the run finished all its rounds
	DriverStopped = "stopped" // leadership lost or shut down mid-run
	DriverFailed  = "failed"
	DriverSkipped = "skipped" // the league was not empty: nothing to drive
)

// DriverStatus reports the driver (in GET /v1/status).
type DriverStatus struct {
	State   string `json:"state"`
	Round   int    `json:"round"`
	Rounds  int    `json:"rounds"`
	Matches int    `json:"matches"`
	Game    string `json:"game,omitempty"`
	Error   string `json:"error,omitempty"`
}

// DriverConfig configures a Driver.
type DriverConfig struct {
	// League is the league to train. Its League and PutPolicy fields are
	// set by the driver (the node, and the node's blob store).
	League leaguesim.Config
	// LeaseTTL is the deadline the driver puts on its own leases, which it
	// plays at once; long, so lease expiry never takes one from it.
	// Default 1h.
	LeaseTTL time.Duration
	// Poll is how often the driver checks leadership. Default 200ms.
	Poll time.Duration
	// Replicate, if set, makes a new blob durable before the driver
	// proposes an event naming it: it returns nil once a majority of the
	// voters (this node included) stores the bytes, an error otherwise
	// (API.ReplicateBlob is the implementation). The driver retries a
	// failure with backoff until it succeeds or leadership is lost, and
	// proposes nothing meanwhile. Nil stores blobs on this node only,
	// which survives the node's loss only in a single-voter cluster (the
	// other nodes then copy blobs lazily; see API.Run). Called from the
	// driver's goroutine only.
	Replicate func(ctx context.Context, h league.Hash, data []byte) error
	// Log receives progress lines (nil: silent).
	Log func(string)
}

// Driver runs leaguesim.Run through a Node while the node leads.
// Status may be called from any goroutine.
type Driver struct {
	node *Node
	cfg  DriverConfig
	spec []byte // encoded GameSpec

	mu sync.Mutex
	st DriverStatus
}

// NewDriver checks cfg and returns a driver for n.
func NewDriver(n *Node, cfg DriverConfig) (*Driver, error) {
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = time.Hour
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 200 * time.Millisecond
	}
	if cfg.Log == nil {
		cfg.Log = func(string) {}
	}
	spec, err := NewGameSpec(cfg.League)
	if err != nil {
		return nil, err
	}
	b, err := spec.Encode()
	if err != nil {
		return nil, err
	}
	return &Driver{node: n, cfg: cfg, spec: b, st: DriverStatus{State: DriverWaiting, Rounds: cfg.League.Rounds}}, nil
}

// Status returns the driver's current status.
func (d *Driver) Status() DriverStatus {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.st
}

func (d *Driver) update(fn func(st *DriverStatus)) {
	d.mu.Lock()
	fn(&d.st)
	d.mu.Unlock()
}

// Run waits until the node leads, then drives the league if it is empty
// (see the comment at the top of this file), and returns when the run
// ends, the league turns out not to be empty, or ctx ends. Its error is
// the run's, nil when it completed or was skipped.
func (d *Driver) Run(ctx context.Context) error {
	t := time.NewTicker(d.cfg.Poll)
	defer t.Stop()
	for !d.node.IsLeader() {
		select {
		case <-ctx.Done():
			d.update(func(st *DriverStatus) { st.State = DriverStopped })
			return nil
		case <-t.C:
		}
	}
	// A new leader may not have applied its predecessors' entries yet; a
	// barrier makes the emptiness check see them.
	if err := d.node.Barrier(ctx); err != nil {
		d.update(func(st *DriverStatus) { st.State, st.Error = DriverStopped, err.Error() })
		return nil
	}
	if len(d.node.Members()) > 0 {
		d.update(func(st *DriverStatus) { st.State = DriverSkipped })
		d.cfg.Log("driver: the league already has members; not training (workers keep playing leased matches)")
		return nil
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { // stop at the next blob or learner's turn once leadership is lost
		for {
			select {
			case <-runCtx.Done():
				return
			case <-t.C:
				if !d.node.IsLeader() {
					cancel()
					return
				}
			}
		}
	}()
	h, err := d.storeBlob(runCtx, d.spec)
	switch {
	case err != nil && runCtx.Err() != nil:
		d.update(func(st *DriverStatus) { st.State, st.Error = DriverStopped, err.Error() })
		return nil
	case err != nil:
		d.update(func(st *DriverStatus) { st.State, st.Error = DriverFailed, err.Error() })
		return fmt.Errorf("cluster: driver: store the game: %w", err)
	}

	cfg := d.cfg.League
	cfg.League = &driverLeague{Node: d.node, ctx: runCtx, ttl: d.cfg.LeaseTTL, game: h.String()}
	cfg.PutPolicy = func(_ league.Hash, p *leaguesim.Policy) error {
		b, err := p.MarshalBinary()
		if err != nil {
			return err
		}
		_, err = d.storeBlob(runCtx, b)
		return err
	}
	d.update(func(st *DriverStatus) { st.State, st.Game = DriverRunning, h.String() })
	d.cfg.Log(fmt.Sprintf("driver: training %d rounds (game %s)", cfg.Rounds, h))
	res, err := leaguesim.Run(runCtx, cfg, func(r leaguesim.Round) {
		d.update(func(st *DriverStatus) { st.Round, st.Matches = r.Round, r.Matches })
		d.cfg.Log(fmt.Sprintf("driver: round %d/%d · %d members · %d matches", r.Round, r.Rounds, r.Members, r.Matches))
	})
	if res != nil {
		d.update(func(st *DriverStatus) { st.Matches = res.Matches })
	}
	switch {
	case err == nil:
		d.update(func(st *DriverStatus) { st.State = DriverDone })
		d.cfg.Log("driver: done; workers keep playing leased matches")
		return nil
	case runCtx.Err() != nil || errors.Is(err, ErrNotLeader) || errors.Is(err, raft.ErrLeadershipLost):
		// A proposal that was in flight when leadership moved fails with
		// ErrLeadershipLost before the watcher above notices: the same stop.
		d.update(func(st *DriverStatus) { st.State, st.Error = DriverStopped, err.Error() })
		d.cfg.Log(fmt.Sprintf("driver: stopped: %v", err))
		return nil
	default:
		d.update(func(st *DriverStatus) { st.State, st.Error = DriverFailed, err.Error() })
		return fmt.Errorf("cluster: driver: %w", err)
	}
}

// storeBlob stores data in the node's blob store and, with
// DriverConfig.Replicate, on a majority of the voters, retrying with
// backoff (the event naming the blob waits) until it succeeds or ctx ends;
// a local store failure is returned at once.
func (d *Driver) storeBlob(ctx context.Context, data []byte) (league.Hash, error) {
	h, err := d.node.Blobs().Put(data)
	if err != nil || d.cfg.Replicate == nil {
		return h, err
	}
	wait := 100 * time.Millisecond
	for {
		err := d.cfg.Replicate(ctx, h, data)
		if err == nil {
			return h, nil
		}
		if !errors.Is(err, ErrNoBlobMajority) {
			return h, err
		}
		d.cfg.Log(fmt.Sprintf("driver: %v; retrying in %v before proposing", err, wait))
		select {
		case <-ctx.Done():
			return h, fmt.Errorf("cluster: driver: blob %s: %w (%w)", h, ctx.Err(), err)
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// driverLeague is the leaguesim.League the driver runs on: the node, with
// wall-clock times on leases and results (leaguesim's logical clock would
// make the leader's lease expiry, which compares deadlines with the wall
// clock, take the driver's leases) and the game's hash in the meta of
// every member the run adds.
type driverLeague struct {
	*Node
	ctx  context.Context
	ttl  time.Duration
	game string
}

func (l *driverLeague) Apply(ev league.Event) (league.Effect, error) {
	now := time.Now().UnixNano()
	withGame := func(m map[string]string) map[string]string {
		m = maps.Clone(m)
		if m == nil {
			m = map[string]string{}
		}
		m[MetaGame] = l.game
		return m
	}
	switch e := ev.(type) {
	case *league.LeaseMatch:
		e.Now, e.Deadline = now, now+l.ttl.Nanoseconds()
	case *league.RecordResult:
		e.Time = now
	case *league.AddLearner:
		e.Meta = withGame(e.Meta)
	case *league.AddSnapshot:
		e.Meta = withGame(e.Meta)
	}
	return l.Node.Propose(l.ctx, ev)
}
