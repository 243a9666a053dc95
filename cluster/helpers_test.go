package cluster

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/hashicorp/raft"

	"github.com/selfplay-lab/selfplay/league"
)

// testLeague returns events that set up a small league: two learners and
// three snapshots, PFSP matchmaking.
func testLeague() []league.Event {
	h := func(s string) league.Hash { return sha256.Sum256([]byte(s)) }
	return []league.Event{
		&league.Configure{Settings: map[string]string{"matchmaking": "pfsp", "seed": "7"}},
		&league.AddLearner{ID: "L0", Params: h("L0")},
		&league.AddLearner{ID: "L1", Params: h("L1")},
		&league.AddSnapshot{ID: "S0", Parent: "L0", Params: h("S0")},
		&league.AddSnapshot{ID: "S1", Parent: "L1", Params: h("S1")},
		&league.AddSnapshot{ID: "S2", Params: h("S2")},
	}
}

// testEvents returns a seeded stream of n events for the league of
// testLeague: leases, results (some for leased matches, some repeated
// match ids, some naming unknown members), progress reports, checkpoints
// and lease expiries, with times increasing.
func testEvents(seed uint64, n int) []league.Event {
	rng := rand.New(rand.NewPCG(seed, 2))
	members := []string{"L0", "L1", "S0", "S1", "S2"}
	evs := testLeague()
	now := int64(1000)
	var matches []string
	for k := 0; len(evs) < n; k++ {
		now += int64(1 + rng.IntN(4))
		switch r := rng.IntN(100); {
		case r < 25:
			evs = append(evs, &league.LeaseMatch{Worker: fmt.Sprintf("w%d", rng.IntN(3)), Now: now, Deadline: now + 20})
		case r < 30:
			evs = append(evs, &league.ExpireLeases{Now: now})
		case r < 36:
			id := members[rng.IntN(2)]
			evs = append(evs, &league.ReportProgress{ID: id, Step: uint64(k), Params: sha256.Sum256(fmt.Appendf(nil, "p%d", k))})
		case r < 38:
			evs = append(evs, &league.Checkpoint{Learner: members[rng.IntN(2)]})
		case r < 45 && len(matches) > 0:
			// A retried result: same match id, a no-op.
			m := matches[rng.IntN(len(matches))]
			evs = append(evs, &league.RecordResult{Match: m, A: "L0", B: "S0", Outcome: league.OutcomeAWins, Time: now})
		case r < 48:
			evs = append(evs, &league.RecordResult{Match: fmt.Sprintf("bad%d", k), A: "ghost", B: "S0", Outcome: league.OutcomeAWins, Time: now})
		default:
			m := fmt.Sprintf("r%d", k)
			matches = append(matches, m)
			a, b := members[rng.IntN(len(members))], members[rng.IntN(len(members))]
			evs = append(evs, &league.RecordResult{Match: m, A: a, B: b, Outcome: league.Outcome(1 + rng.IntN(3)), Worker: "w", Time: now})
		}
	}
	return evs
}

// encodeAll encodes events as raft log commands numbered from first.
func encodeAll(t testing.TB, first uint64, evs []league.Event) []*raft.Log {
	t.Helper()
	logs := make([]*raft.Log, len(evs))
	for i, ev := range evs {
		b, err := league.EncodeEvent(ev)
		if err != nil {
			t.Fatalf("encode event %d (%+v): %v", i, ev, err)
		}
		logs[i] = &raft.Log{Index: first + uint64(i), Term: 1, Type: raft.LogCommand, Data: b}
	}
	return logs
}

// oracle applies events directly to a fresh league.State, the reference
// the FSM must agree with.
func oracle(evs []league.Event) (*league.State, []error) {
	s := league.NewState()
	errs := make([]error, len(evs))
	for i, ev := range evs {
		_, errs[i] = s.Apply(ev)
	}
	return s, errs
}
