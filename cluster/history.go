package cluster

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/selfplay-lab/selfplay/league"
)

// History records the operations clients performed on a replicated league
// (result submissions and reads of which results are recorded), with
// their invocation and response times, for a linearizability check
// (CheckHistory). Fault tests record one while faults are injected; a
// multi-process test can record the same operations from its clients and
// check them the same way (HistoryOp marshals to JSON).
//
// A History is safe for concurrent use.
type History struct {
	start time.Time

	mu  sync.Mutex
	ops []HistoryOp
}

// OpKind is the kind of a recorded operation.
type OpKind string

const (
	// OpRecord submits one result (league.RecordResult) by its match id.
	OpRecord OpKind = "record"
	// OpRead reads, linearizably, which of some match ids are recorded.
	OpRead OpKind = "read"
)

// OpStatus is how an operation ended.
type OpStatus string

const (
	// StatusNew: a record was acknowledged and was the first for its match.
	StatusNew OpStatus = "new"
	// StatusDuplicate: a record was acknowledged as a no-op, its match
	// having been recorded before (league.Effect.Duplicate).
	StatusDuplicate OpStatus = "duplicate"
	// StatusUnknown: a record failed in a way that leaves its fate open
	// (a timeout, a lost leadership): it may take effect at any time
	// after its invocation, even after the failure was reported.
	StatusUnknown OpStatus = "unknown"
	// StatusOK: a read returned.
	StatusOK OpStatus = "ok"
)

// HistoryOp is one client operation.
type HistoryOp struct {
	Client int    `json:"client"`
	Kind   OpKind `json:"kind"`
	// Matches is the match id submitted (one, for a record) or the ids a
	// read asked about.
	Matches []string `json:"matches"`
	// Present lists the ids of Matches a read found recorded.
	Present []string `json:"present,omitempty"`
	Status  OpStatus `json:"status"`
	// Call and Return are nanoseconds since the history's start. Return is
	// ignored for StatusUnknown.
	Call   int64 `json:"call"`
	Return int64 `json:"return"`
}

// NewHistory starts an empty history; its clock starts now.
func NewHistory() *History { return &History{start: time.Now()} }

// Now returns the history's clock: monotonic nanoseconds since its start.
func (h *History) Now() int64 { return int64(time.Since(h.start)) }

// Add appends an operation.
func (h *History) Add(op HistoryOp) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ops = append(h.ops, op)
}

// Ops returns a copy of the operations, by invocation time.
func (h *History) Ops() []HistoryOp {
	h.mu.Lock()
	out := slices.Clone(h.ops)
	h.mu.Unlock()
	slices.SortStableFunc(out, func(a, b HistoryOp) int {
		switch {
		case a.Call < b.Call:
			return -1
		case a.Call > b.Call:
			return 1
		}
		return 0
	})
	return out
}

// RecordStatus classifies the outcome of proposing a result. It returns
// ok = false for outcomes that certainly changed nothing, which need not
// be recorded: a refusal by a node that was not the leader (raft appends
// nothing then) or by the state machine (ErrRejected).
func RecordStatus(eff league.Effect, err error) (status OpStatus, ok bool) {
	switch {
	case err == nil && eff.Duplicate:
		return StatusDuplicate, true
	case err == nil:
		return StatusNew, true
	case errors.Is(err, ErrNotLeader), errors.Is(err, ErrRejected):
		return "", false
	}
	return StatusUnknown, true
}

// resultOp is the per-match-id operation the model checks: a history is
// split by match id, since results for different matches are independent
// (a read of several ids is one read per id).
type resultOp struct {
	kind    OpKind
	status  OpStatus
	present bool // reads
	match   string
}

// ResultModel is the sequential specification of one match id: it is
// either recorded or not; the first acknowledged record is new and later
// ones are duplicates; a record of unknown fate may or may not take
// effect; a read sees whether it is recorded. Histories are partitioned by
// match id.
func ResultModel() porcupine.Model {
	m := porcupine.NondeterministicModel{
		Partition: partitionByMatch,
		Init:      func() []any { return []any{false} },
		Step: func(state, input, _ any) []any {
			recorded, op := state.(bool), input.(resultOp)
			switch {
			case op.kind == OpRead && op.present == recorded:
				return []any{recorded}
			case op.kind == OpRead:
				return nil
			case op.status == StatusNew && !recorded, op.status == StatusDuplicate && recorded:
				return []any{true}
			case op.status == StatusUnknown && recorded:
				return []any{true}
			case op.status == StatusUnknown:
				return []any{false, true}
			}
			return nil
		},
		DescribeOperation: func(input, _ any) string {
			op := input.(resultOp)
			if op.kind == OpRead {
				return fmt.Sprintf("read(%s) = %t", op.match, op.present)
			}
			return fmt.Sprintf("record(%s) = %s", op.match, op.status)
		},
		DescribeState: func(state any) string {
			if state.(bool) {
				return "recorded"
			}
			return "absent"
		},
	}
	return m.ToModel()
}

// partitionByMatch groups the per-id operations by match id, in order of
// first appearance.
func partitionByMatch(ops []porcupine.Operation) [][]porcupine.Operation {
	index := map[string]int{}
	var out [][]porcupine.Operation
	for _, op := range ops {
		m := op.Input.(resultOp).match
		i, ok := index[m]
		if !ok {
			i = len(out)
			index[m] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], op)
	}
	return out
}

// PorcupineOps converts a history to porcupine operations for
// ResultModel: a read becomes one operation per match id it asked about,
// and a record of unknown fate returns at the end of time.
func PorcupineOps(ops []HistoryOp) ([]porcupine.Operation, error) {
	var out []porcupine.Operation
	for i, op := range ops {
		ret := op.Return
		switch {
		case op.Status == StatusUnknown:
			ret = math.MaxInt64
		case ret < op.Call:
			return nil, fmt.Errorf("cluster: history op %d (%s by client %d): returns at %d before its call at %d", i, op.Kind, op.Client, ret, op.Call)
		}
		switch op.Kind {
		case OpRecord:
			if len(op.Matches) != 1 {
				return nil, fmt.Errorf("cluster: history op %d: record of %d match ids; expected 1", i, len(op.Matches))
			}
			switch op.Status {
			case StatusNew, StatusDuplicate, StatusUnknown:
			default:
				return nil, fmt.Errorf("cluster: history op %d: record status %q; expected new, duplicate or unknown", i, op.Status)
			}
			out = append(out, porcupine.Operation{
				ClientId: op.Client, Call: op.Call, Return: ret,
				Input: resultOp{kind: OpRecord, status: op.Status, match: op.Matches[0]},
			})
		case OpRead:
			if op.Status != StatusOK {
				return nil, fmt.Errorf("cluster: history op %d: read status %q; expected ok (failed reads are left out)", i, op.Status)
			}
			present := map[string]bool{}
			for _, m := range op.Present {
				present[m] = true
			}
			for _, m := range op.Matches {
				out = append(out, porcupine.Operation{
					ClientId: op.Client, Call: op.Call, Return: ret,
					Input: resultOp{kind: OpRead, present: present[m], match: m},
				})
			}
		default:
			return nil, fmt.Errorf("cluster: history op %d: kind %q; expected record or read", i, op.Kind)
		}
	}
	return out, nil
}

// CheckHistory checks that the operations are linearizable under
// ResultModel, giving up after timeout (porcupine.Unknown). The
// LinearizationInfo can be rendered with porcupine.VisualizePath.
func CheckHistory(ops []HistoryOp, timeout time.Duration) (porcupine.CheckResult, porcupine.LinearizationInfo, error) {
	pops, err := PorcupineOps(ops)
	if err != nil {
		return porcupine.Unknown, porcupine.LinearizationInfo{}, err
	}
	res, info := porcupine.CheckOperationsVerbose(ResultModel(), pops, timeout)
	return res, info, nil
}
