package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"

	"github.com/selfplay-lab/selfplay/league"
)

// ErrNotLeader: the operation needs the leader and this node is not it.
// The error is a *NotLeaderError naming the leader, if one is known, so a
// caller can redirect.
var ErrNotLeader = errors.New("not the leader")

// NotLeaderError is returned by leader-only operations on another node.
type NotLeaderError struct {
	LeaderID   string // "" when no leader is known (an election is running)
	LeaderAddr string // the leader's Raft address
}

func (e *NotLeaderError) Error() string {
	if e.LeaderAddr == "" {
		return "cluster: not the leader; no leader known"
	}
	return fmt.Sprintf("cluster: not the leader; leader is %s at %s", e.LeaderID, e.LeaderAddr)
}

// Unwrap makes errors.Is(err, ErrNotLeader) hold.
func (e *NotLeaderError) Unwrap() error { return ErrNotLeader }

// Config configures a Node. Zero durations take the defaults noted.
type Config struct {
	// ID names the node in the cluster configuration; it must be unique
	// and stable across restarts.
	ID string
	// RaftAddr is the TCP address the Raft transport binds and advertises
	// ("127.0.0.1:7000"); ignored when Transport is set.
	RaftAddr string
	// DataDir holds the log and stable store (raft.db), the snapshots
	// (snapshots/) and the blobs (blobs/). A node restarts from it.
	DataDir string
	// Bootstrap makes a node with an empty DataDir the single voter of a
	// new cluster. A node with existing state ignores it; a node with
	// neither waits to be added by the leader (AddVoter).
	Bootstrap bool
	// Transport replaces the TCP transport (tests use raft's in-memory
	// transport; TLS comes as a raft.NetworkTransport over a TLS stream
	// layer). The node does not close a transport it was given.
	Transport raft.Transport

	// Log, if set, receives Raft's log lines (without trailing newline);
	// LogLevel filters them: "trace", "debug", "info", "warn" (default) or
	// "error".
	Log      func(line string)
	LogLevel string

	HeartbeatTimeout   time.Duration // default 1s
	ElectionTimeout    time.Duration // default 1s
	LeaderLeaseTimeout time.Duration // default 500ms, at most HeartbeatTimeout
	CommitTimeout      time.Duration // default 50ms
	// ApplyTimeout bounds Node.Apply (the leaguesim.League method, which
	// takes no context); default 10s.
	ApplyTimeout time.Duration
	// SnapshotInterval and SnapshotThreshold: raft checks every interval
	// whether threshold entries were added since the last snapshot
	// (defaults 2m and 8192); TrailingLogs entries are kept after a
	// snapshot for slow followers (default 10240); SnapshotRetain snapshots
	// are kept on disk (default 2).
	SnapshotInterval  time.Duration
	SnapshotThreshold uint64
	TrailingLogs      uint64
	SnapshotRetain    int
	// MaxBlobSize bounds a blob (DefaultMaxBlobSize if 0).
	MaxBlobSize int64
	// NoSync skips fsync of the log store: faster, but a power loss may
	// lose acknowledged entries. For tests and benchmarks only.
	NoSync bool
}

// Node is one member of a replicated league: a Raft server whose FSM holds
// the league.State, plus the node's blob store.
//
// All methods are safe for concurrent use. Writes go through the leader
// (Propose); reads come from the local FSM, which lags the leader by the
// replication delay unless Read asks for more (see ReadLevel).
type Node struct {
	cfg   Config
	addr  string
	fsm   *FSM
	raft  *raft.Raft
	blobs *BlobStore
	store *raftboltdb.BoltStore
	// ownTrans is the TCP transport NewNode created, closed on Shutdown.
	ownTrans *raft.NetworkTransport

	shutdownOnce sync.Once
	shutdownCh   chan struct{} // closed by Shutdown
	shutdownErr  error
}

// NewNode opens or creates the node's stores under cfg.DataDir, starts
// Raft and, if cfg.Bootstrap and the directory is new, makes the node the
// single voter of a new cluster. A node with existing state resumes from
// its latest snapshot and log.
func NewNode(cfg Config) (*Node, error) {
	if cfg.ID == "" {
		return nil, errors.New("cluster: config: ID is empty; expected the node's unique name")
	}
	if cfg.DataDir == "" {
		return nil, errors.New("cluster: config: DataDir is empty; expected a directory for the log and snapshots")
	}
	if cfg.Transport == nil && cfg.RaftAddr == "" {
		return nil, errors.New("cluster: config: RaftAddr is empty; expected host:port for the Raft transport")
	}
	if cfg.ApplyTimeout <= 0 {
		cfg.ApplyTimeout = 10 * time.Second
	}
	if cfg.SnapshotRetain <= 0 {
		cfg.SnapshotRetain = 2
	}
	logger, err := newRaftLogger(cfg)
	if err != nil {
		return nil, err
	}
	rc, err := raftConfig(cfg, logger)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("cluster: data dir: %w", err)
	}

	n := &Node{cfg: cfg, fsm: NewFSM(), shutdownCh: make(chan struct{})}
	ok := false
	defer func() {
		if !ok {
			if n.raft != nil {
				_ = n.raft.Shutdown().Error()
			}
			n.closeResources()
		}
	}()
	if n.blobs, err = OpenBlobStore(filepath.Join(cfg.DataDir, "blobs"), cfg.MaxBlobSize); err != nil {
		return nil, err
	}
	n.store, err = raftboltdb.New(raftboltdb.Options{Path: filepath.Join(cfg.DataDir, "raft.db"), NoSync: cfg.NoSync})
	if err != nil {
		return nil, fmt.Errorf("cluster: open log store in %s: %w", cfg.DataDir, err)
	}
	logs, err := raft.NewLogCache(1024, n.store)
	if err != nil {
		return nil, fmt.Errorf("cluster: log cache: %w", err)
	}
	snaps, err := raft.NewFileSnapshotStoreWithLogger(cfg.DataDir, cfg.SnapshotRetain, logger)
	if err != nil {
		return nil, fmt.Errorf("cluster: open snapshot store in %s: %w", cfg.DataDir, err)
	}
	trans := cfg.Transport
	if trans == nil {
		n.ownTrans, err = raft.NewTCPTransportWithLogger(cfg.RaftAddr, nil, 3, 10*time.Second, logger)
		if err != nil {
			return nil, fmt.Errorf("cluster: raft transport on %s: %w", cfg.RaftAddr, err)
		}
		trans = n.ownTrans
	}
	n.addr = string(trans.LocalAddr())

	existing, err := raft.HasExistingState(logs, n.store, snaps)
	if err != nil {
		return nil, fmt.Errorf("cluster: read existing state in %s: %w", cfg.DataDir, err)
	}
	n.raft, err = raft.NewRaft(rc, n.fsm, logs, n.store, snaps, trans)
	if err != nil {
		return nil, fmt.Errorf("cluster: start raft: %w", err)
	}
	if cfg.Bootstrap && !existing {
		f := n.raft.BootstrapCluster(raft.Configuration{Servers: []raft.Server{{
			Suffrage: raft.Voter, ID: raft.ServerID(cfg.ID), Address: trans.LocalAddr(),
		}}})
		if err := f.Error(); err != nil {
			return nil, fmt.Errorf("cluster: bootstrap: %w", err)
		}
	}
	ok = true
	go n.watchHalt()
	return n, nil
}

// watchHalt stops Raft when the FSM halts (ErrCannotApply): a node that
// cannot apply the log must not lead, vote or answer barriers as if its
// state were current. It runs outside raft's FSM goroutine, which
// raft.Shutdown waits for.
func (n *Node) watchHalt() {
	select {
	case <-n.fsm.HaltedCh():
	case <-n.shutdownCh:
		return
	}
	err := n.fsm.Halted()
	if n.cfg.Log != nil {
		n.cfg.Log(fmt.Sprintf("[ERROR] %s: %v; stopping raft", n.cfg.ID, err))
	}
	_ = n.raft.Shutdown().Error()
}

// Halted returns the error (wrapping ErrCannotApply) of the committed entry
// this node could not apply, after which it stopped applying the log and
// stopped Raft; nil while the node is healthy. Status reports it too.
func (n *Node) Halted() error { return n.fsm.Halted() }

// HaltedCh is closed when the node halts (Halted turns non-nil), so that
// a process can stop serving a state that no longer follows the log.
func (n *Node) HaltedCh() <-chan struct{} { return n.fsm.HaltedCh() }

// raftConfig builds raft's configuration from ours.
func raftConfig(cfg Config, logger hclog.Logger) (*raft.Config, error) {
	rc := raft.DefaultConfig()
	rc.LocalID = raft.ServerID(cfg.ID)
	rc.Logger = logger
	// Let raft hand the FSM many commands at once (ApplyBatch).
	rc.BatchApplyCh = true
	set := func(dst *time.Duration, v time.Duration) {
		if v > 0 {
			*dst = v
		}
	}
	set(&rc.HeartbeatTimeout, cfg.HeartbeatTimeout)
	set(&rc.ElectionTimeout, cfg.ElectionTimeout)
	set(&rc.CommitTimeout, cfg.CommitTimeout)
	set(&rc.SnapshotInterval, cfg.SnapshotInterval)
	set(&rc.LeaderLeaseTimeout, cfg.LeaderLeaseTimeout)
	rc.LeaderLeaseTimeout = min(rc.LeaderLeaseTimeout, rc.HeartbeatTimeout)
	if cfg.SnapshotThreshold > 0 {
		rc.SnapshotThreshold = cfg.SnapshotThreshold
	}
	if cfg.TrailingLogs > 0 {
		rc.TrailingLogs = cfg.TrailingLogs
	}
	if err := raft.ValidateConfig(rc); err != nil {
		return nil, fmt.Errorf("cluster: config: %w", err)
	}
	return rc, nil
}

// newRaftLogger adapts cfg.Log to raft's logger.
func newRaftLogger(cfg Config) (hclog.Logger, error) {
	if cfg.Log == nil {
		return hclog.NewNullLogger(), nil
	}
	level := hclog.Warn
	if cfg.LogLevel != "" {
		level = hclog.LevelFromString(cfg.LogLevel)
		if level == hclog.NoLevel {
			return nil, fmt.Errorf("cluster: config: LogLevel %q; expected trace, debug, info, warn or error", cfg.LogLevel)
		}
	}
	return hclog.New(&hclog.LoggerOptions{
		Name:   "raft " + cfg.ID,
		Level:  level,
		Output: lineWriter(cfg.Log),
	}), nil
}

// lineWriter passes each written line to a func.
type lineWriter func(string)

func (w lineWriter) Write(p []byte) (int, error) {
	for line := range bytes.Lines(p) {
		w(string(bytes.TrimRight(line, "\r\n")))
	}
	return len(p), nil
}

var _ io.Writer = lineWriter(nil)

// ID returns the node's id.
func (n *Node) ID() string { return n.cfg.ID }

// Addr returns the node's Raft address.
func (n *Node) Addr() string { return n.addr }

// Blobs returns the node's blob store.
func (n *Node) Blobs() *BlobStore { return n.blobs }

// Raft exposes the underlying raft server for what Node does not wrap
// (stats, observers, fault tests). Do not shut it down directly.
func (n *Node) Raft() *raft.Raft { return n.raft }

// IsLeader reports whether this node believes it is the leader.
func (n *Node) IsLeader() bool { return n.raft.State() == raft.Leader }

// Leader returns the current leader as this node knows it; empty strings
// when none is known.
func (n *Node) Leader() (id, addr string) {
	a, i := n.raft.LeaderWithID()
	return string(i), string(a)
}

// notLeader returns a *NotLeaderError naming the known leader.
func (n *Node) notLeader() error {
	id, addr := n.Leader()
	if id == n.cfg.ID {
		// Leadership was lost between the check and now.
		id, addr = "", ""
	}
	return &NotLeaderError{LeaderID: id, LeaderAddr: addr}
}

// wrapRaft turns raft's errors into ours: ErrNotLeader becomes a
// *NotLeaderError; others (raft.ErrLeadershipLost, raft.ErrRaftShutdown,
// context errors) are wrapped.
func (n *Node) wrapRaft(op string, err error) error {
	if errors.Is(err, raft.ErrNotLeader) {
		return n.notLeader()
	}
	return fmt.Errorf("cluster: %s: %w", op, err)
}

// enqueueTimeout is the time raft may wait to accept an operation: what is
// left of ctx, or no limit (ctx still bounds the wait).
func enqueueTimeout(ctx context.Context) time.Duration {
	if d, ok := ctx.Deadline(); ok {
		return max(time.Until(d), time.Millisecond)
	}
	return 0
}

// wait waits for a raft future, the end of ctx or the node's shutdown,
// whichever comes first. Raft futures cannot be cancelled: when ctx ends
// first the operation may still complete. Shutdown matters because raft
// never answers an Apply still queued when it stops.
func (n *Node) wait(ctx context.Context, f raft.Future) error {
	done := make(chan error, 1)
	go func() { done <- f.Error() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-n.shutdownCh:
		return raft.ErrRaftShutdown
	}
}

// Propose appends ev to the replicated log through this node, which must
// be the leader, waits until it is committed and applied here, and returns
// its effect. An event the state machine refused returns an error wrapping
// ErrRejected and the league's error (the state is unchanged everywhere).
//
// On a follower it returns a *NotLeaderError. When ctx ends first, or
// leadership is lost meanwhile (raft.ErrLeadershipLost), the event may or
// may not be committed: retrying is safe for results, which carry their
// match id and are applied once.
func (n *Node) Propose(ctx context.Context, ev league.Event) (league.Effect, error) {
	b, err := league.EncodeEvent(ev)
	if err != nil {
		return league.Effect{}, fmt.Errorf("cluster: propose: %w", err)
	}
	if !n.IsLeader() {
		return league.Effect{}, n.notLeader()
	}
	f := n.raft.Apply(b, enqueueTimeout(ctx))
	if err := n.wait(ctx, f); err != nil {
		return league.Effect{}, n.wrapRaft("propose "+ev.Type().String(), err)
	}
	switch r := f.Response().(type) {
	case league.Effect:
		return r, nil
	case error:
		return league.Effect{}, r
	default:
		return league.Effect{}, fmt.Errorf("cluster: propose %s: unexpected FSM response %T", ev.Type(), r)
	}
}

// WaitLeader waits until a leader is known and returns it.
func (n *Node) WaitLeader(ctx context.Context) (id, addr string, err error) {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		if id, addr := n.Leader(); addr != "" {
			return id, addr, nil
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return "", "", fmt.Errorf("cluster: %s: wait for a leader: %w", n.cfg.ID, ctx.Err())
		}
	}
}

// AddVoter adds (or updates the address of) a voting member. Leader only.
func (n *Node) AddVoter(ctx context.Context, id, addr string) error {
	if !n.IsLeader() {
		return n.notLeader()
	}
	f := n.raft.AddVoter(raft.ServerID(id), raft.ServerAddress(addr), 0, enqueueTimeout(ctx))
	if err := n.wait(ctx, f); err != nil {
		return n.wrapRaft("add voter "+id, err)
	}
	return nil
}

// RemoveServer removes a member. Leader only; a leader removing itself
// steps down once the change commits.
func (n *Node) RemoveServer(ctx context.Context, id string) error {
	if !n.IsLeader() {
		return n.notLeader()
	}
	f := n.raft.RemoveServer(raft.ServerID(id), 0, enqueueTimeout(ctx))
	if err := n.wait(ctx, f); err != nil {
		return n.wrapRaft("remove server "+id, err)
	}
	return nil
}

// Server is one member of the cluster configuration.
type Server struct {
	ID     string `json:"id"`
	Addr   string `json:"addr"`
	Voter  bool   `json:"voter"`
	Leader bool   `json:"leader"`
}

// Servers returns the latest cluster configuration known to this node, in
// configuration order.
func (n *Node) Servers(ctx context.Context) ([]Server, error) {
	f := n.raft.GetConfiguration()
	if err := n.wait(ctx, f); err != nil {
		return nil, n.wrapRaft("configuration", err)
	}
	leader, _ := n.Leader()
	var out []Server
	for _, s := range f.Configuration().Servers {
		out = append(out, Server{
			ID: string(s.ID), Addr: string(s.Address),
			Voter: s.Suffrage == raft.Voter, Leader: string(s.ID) == leader,
		})
	}
	return out, nil
}

// TransferLeadership hands leadership to the most up-to-date follower
// (before a clean shutdown). Leader only.
func (n *Node) TransferLeadership(ctx context.Context) error {
	if !n.IsLeader() {
		return n.notLeader()
	}
	if err := n.wait(ctx, n.raft.LeadershipTransfer()); err != nil {
		return n.wrapRaft("transfer leadership", err)
	}
	return nil
}

// Snapshot makes raft take a snapshot now (and compact the log). Having
// nothing new to snapshot is not an error.
func (n *Node) Snapshot(ctx context.Context) error {
	err := n.wait(ctx, n.raft.Snapshot())
	if err != nil && !errors.Is(err, raft.ErrNothingNewToSnapshot) {
		return n.wrapRaft("snapshot", err)
	}
	return nil
}

// Status is a node's view of the cluster.
type Status struct {
	ID           string `json:"id"`
	Addr         string `json:"addr"`
	State        string `json:"state"` // Follower, Candidate, Leader, Shutdown
	LeaderID     string `json:"leader_id"`
	LeaderAddr   string `json:"leader_addr"`
	Term         uint64 `json:"term"`
	CommitIndex  uint64 `json:"commit_index"`
	AppliedIndex uint64 `json:"applied_index"` // last entry applied to the league state
	LastIndex    uint64 `json:"last_index"`    // last entry in the log
	// Halted, if not empty, is why this node stopped applying the log
	// (ErrCannotApply: an entry of a newer version); it needs an upgrade.
	Halted string `json:"halted,omitempty"`
}

// Status returns the node's current status.
func (n *Node) Status() Status {
	id, addr := n.Leader()
	st := Status{
		ID: n.cfg.ID, Addr: n.addr, State: n.raft.State().String(),
		LeaderID: id, LeaderAddr: addr,
		Term:         n.raft.CurrentTerm(),
		CommitIndex:  n.raft.CommitIndex(),
		AppliedIndex: n.fsm.AppliedIndex(),
		LastIndex:    n.raft.LastIndex(),
	}
	if err := n.fsm.Halted(); err != nil {
		st.Halted = err.Error()
	}
	return st
}

// Shutdown stops Raft and closes the stores (and the transport NewNode
// created). It does not leave the cluster: the node may restart from its
// data dir. Later calls return the first call's result.
func (n *Node) Shutdown() error {
	n.shutdownOnce.Do(func() {
		close(n.shutdownCh)
		n.shutdownErr = n.raft.Shutdown().Error()
		if err := n.closeResources(); n.shutdownErr == nil {
			n.shutdownErr = err
		}
	})
	return n.shutdownErr
}

// closeResources closes what NewNode opened besides raft.
func (n *Node) closeResources() error {
	var errs []error
	if n.ownTrans != nil {
		errs = append(errs, n.ownTrans.Close())
	}
	if n.store != nil {
		errs = append(errs, n.store.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("cluster: shutdown %s: %w", n.cfg.ID, err)
	}
	return nil
}
