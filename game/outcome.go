package game

import (
	"fmt"
	"math/big"
)

// Outcome is one entry of an outcome table: a labelled payoff vector that
// any number of pure profiles may lead to. Gambit's outcome-form .nfg files
// describe games this way.
type Outcome struct {
	Label   string
	Payoffs []*big.Rat // one per player
}

// outcomeTable is the outcome structure of an outcome-form game.
type outcomeTable struct {
	list []Outcome // payoff rationals are never modified in place
	// text is nil, or text[o][i] is the file spelling of outcome o's payoff
	// to player i when it differs from the canonical one ("" otherwise).
	text  [][]string
	index []int32 // per profile: 1-based outcome number, 0 for the null outcome
}

// HasOutcomes reports whether g has an outcome table: it was read from an
// outcome-form .nfg file or given one by SetOutcomes, and no payoff has
// been set since.
func (g *Normal) HasOutcomes() bool { return g.outcomes != nil }

// Outcomes returns a copy of g's outcome table and, for every profile index
// k, index[k], the 1-based number of the outcome at k (0 for the null
// outcome, which pays every player zero). Both are nil when g has no
// outcome table.
func (g *Normal) Outcomes() (outcomes []Outcome, index []int) {
	t := g.outcomes
	if t == nil {
		return nil, nil
	}
	outcomes = make([]Outcome, len(t.list))
	for o, oc := range t.list {
		outcomes[o] = Outcome{Label: oc.Label, Payoffs: make([]*big.Rat, len(oc.Payoffs))}
		for i, v := range oc.Payoffs {
			outcomes[o].Payoffs[i] = new(big.Rat).Set(v)
		}
	}
	index = make([]int, len(t.index))
	for k, o := range t.index {
		index[k] = int(o)
	}
	return outcomes, index
}

// SetOutcomes gives g the outcome table outcomes and sets every payoff
// from it: the payoffs at profile index k are those of outcome index[k]
// (1-based), or all zero when index[k] is 0. Outcomes need not all be used
// and may be used several times. The error wraps ErrShape when index does
// not have one entry per profile, an index is out of range, or an outcome
// does not have one non-nil payoff per player; g is unchanged then.
func (g *Normal) SetOutcomes(outcomes []Outcome, index []int) error {
	if len(index) != g.NumProfiles() {
		return fmt.Errorf("%w: %d outcome indices for %d profiles", ErrShape, len(index), g.NumProfiles())
	}
	t := &outcomeTable{list: make([]Outcome, len(outcomes)), index: make([]int32, len(index))}
	for o, oc := range outcomes {
		if len(oc.Payoffs) != len(g.shape) {
			return fmt.Errorf("%w: outcome %d has %d payoffs for %d players", ErrShape, o+1, len(oc.Payoffs), len(g.shape))
		}
		t.list[o] = Outcome{Label: oc.Label, Payoffs: make([]*big.Rat, len(oc.Payoffs))}
		for i, v := range oc.Payoffs {
			if v == nil {
				return fmt.Errorf("%w: outcome %d has no payoff for player %d", ErrShape, o+1, i+1)
			}
			t.list[o].Payoffs[i] = new(big.Rat).Set(v)
		}
	}
	for k, o := range index {
		if o < 0 || o > len(outcomes) {
			return fmt.Errorf("%w: profile %d has outcome %d, want 0 to %d", ErrShape, k, o, len(outcomes))
		}
		t.index[k] = int32(o)
	}
	g.applyOutcomes(t)
	return nil
}

// applyOutcomes installs t and sets every payoff from it.
func (g *Normal) applyOutcomes(t *outcomeTable) {
	// Float values and exactness per outcome payoff, computed once.
	type value struct {
		f     float64
		exact *big.Rat // nil when f is exact
	}
	vals := make([][]value, len(t.list))
	for o, oc := range t.list {
		vals[o] = make([]value, len(oc.Payoffs))
		for i, r := range oc.Payoffs {
			f, ok := r.Float64()
			vals[o][i] = value{f: f}
			if !ok {
				vals[o][i].exact = r
			}
		}
	}
	for i := range g.shape {
		g.fromFloat[i], g.spell[i], g.exact[i] = nil, nil, nil
		pay := g.pay[i]
		for k, o := range t.index {
			if o == 0 {
				pay[k] = 0
				continue
			}
			v := vals[o-1][i]
			pay[k] = v.f
			if v.exact != nil {
				if g.exact[i] == nil {
					g.exact[i] = make([]*big.Rat, len(pay))
				}
				g.exact[i][k] = v.exact
			}
		}
	}
	g.outcomes = t
}

func (t *outcomeTable) clone() *outcomeTable {
	if t == nil {
		return nil
	}
	c := &outcomeTable{list: make([]Outcome, len(t.list)), index: append([]int32(nil), t.index...)}
	for o, oc := range t.list {
		// The rationals are immutable and may be shared.
		c.list[o] = Outcome{Label: oc.Label, Payoffs: append([]*big.Rat(nil), oc.Payoffs...)}
	}
	if t.text != nil {
		c.text = make([][]string, len(t.text))
		for o, row := range t.text {
			c.text[o] = cloneOrNil(row)
		}
	}
	return c
}

func (t *outcomeTable) equal(u *outcomeTable) bool {
	if t == nil || u == nil {
		return t == nil && u == nil
	}
	if len(t.list) != len(u.list) || !equalSlices(t.index, u.index) {
		return false
	}
	for o, oc := range t.list {
		if oc.Label != u.list[o].Label || len(oc.Payoffs) != len(u.list[o].Payoffs) {
			return false
		}
		for i, v := range oc.Payoffs {
			if v.Cmp(u.list[o].Payoffs[i]) != 0 {
				return false
			}
		}
	}
	return true
}
