package league

import (
	"crypto/sha256"
	"fmt"
	"testing"
)

// benchLeague returns a league of one learner per role and n snapshots
// with every pair of (learner, snapshot) played a few times.
func benchLeague(b *testing.B, n int, kv ...string) *State {
	s := NewState()
	mustApply(b, s, configEvent(append([]string{"reissue", "false", "recent", "100"}, kv...)...),
		&AddLearner{ID: "main", Role: RoleMain}, &AddLearner{ID: "mexp", Role: RoleMainExploiter},
		&AddLearner{ID: "lexp", Role: RoleLeagueExploiter})
	for i := range n {
		mustApply(b, s, &AddSnapshot{ID: fmt.Sprintf("s%d", i), Parent: "main"})
	}
	for i := range n {
		for _, l := range []string{"main", "mexp", "lexp"} {
			recordResults(b, s, l, fmt.Sprintf("s%d", i), i%3+1, 0, 2)
		}
	}
	return s
}

// resultEvents returns k results between the league's learners and
// snapshots, with fresh match ids.
func resultEvents(k, n int) []*RecordResult {
	evs := make([]*RecordResult, k)
	for i := range evs {
		evs[i] = &RecordResult{Match: fmt.Sprintf("bench-%d", i), A: "main", B: fmt.Sprintf("s%d", i%n), Outcome: Outcome(1 + i%3), Worker: "w"}
	}
	return evs
}

// Recording a result: decoding it from the log (baseline) vs decoding and
// applying it.
func BenchmarkRecordResult(b *testing.B) {
	const n = 100
	evs := resultEvents(1<<16, n)
	enc := make([][]byte, len(evs))
	for i, ev := range evs {
		var err error
		if enc[i], err = EncodeEvent(ev); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := DecodeEvent(enc[i%len(enc)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode+apply", func(b *testing.B) {
		s := benchLeague(b, n)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if i%len(enc) == 0 && i > 0 {
				b.StopTimer()
				s = benchLeague(b, n)
				b.StartTimer()
			}
			ev, err := DecodeEvent(enc[i%len(enc)])
			if err != nil {
				b.Fatal(err)
			}
			if eff, err := s.Apply(ev); err != nil || eff.Duplicate {
				b.Fatal(err, eff)
			}
		}
	})
}

// Leasing a match with each matchmaking rule over 50 snapshots; "uniform"
// is the baseline.
func BenchmarkLeaseMatch(b *testing.B) {
	for _, c := range []struct{ name, home string }{
		{"uniform", ""}, {"pfsp", ""}, {"roles", "main"}, {"psro/nash", ""}, {"psro/prd", ""}, {"psro/alpharank", ""},
	} {
		b.Run(c.name, func(b *testing.B) {
			kv := []string{"matchmaking", c.name}
			if mm, solver, ok := cut(c.name); ok {
				kv = []string{"matchmaking", mm, "psro.solver", solver}
			}
			s := benchLeague(b, 50, kv...)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := s.Apply(&LeaseMatch{Home: c.home, Now: int64(i), Deadline: int64(i) + 1}); err != nil {
					b.Fatal(err)
				}
				if i%4096 == 4095 {
					s.Apply(&ExpireLeases{Now: int64(i) + 1})
				}
			}
		})
	}
}

func cut(name string) (before, after string, ok bool) {
	for i := range len(name) {
		if name[i] == '/' {
			return name[:i], name[i+1:], true
		}
	}
	return name, "", false
}

// Encoding a state of 10^5 recorded results among 100 snapshots (the
// baseline is hashing the encoding, which every replica comparison also
// pays).
func BenchmarkStateEncode(b *testing.B) {
	s := benchLeague(b, 100)
	for _, ev := range resultEvents(100000, 100) {
		mustApply(b, s, ev)
	}
	enc, err := s.Encode()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("sha256", func(b *testing.B) {
		b.SetBytes(int64(len(enc)))
		for b.Loop() {
			sha256.Sum256(enc)
		}
	})
	b.Run("encode", func(b *testing.B) {
		b.SetBytes(int64(len(enc)))
		for b.Loop() {
			if _, err := s.Encode(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(len(enc)))
		for b.Loop() {
			if _, err := DecodeState(enc); err != nil {
				b.Fatal(err)
			}
		}
	})
}
