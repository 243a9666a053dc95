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

// outcomeTable is the outcome structure of an outcome-form game, stored
// like the payoffs: payoff i of outcome o is at o·n+i.
type outcomeTable struct {
	n      int // players
	labels []string
	pay    []float64
	exact  []*big.Rat // nil, or the payoff where no float64 equals it; never modified in place
	// text is nil, or the file spelling of each payoff when it differs
	// from the canonical one ("" otherwise).
	text  []string
	index []int32 // per profile: 1-based outcome number, 0 for the null outcome
}

// rat returns payoff j (= o·n+i) exactly: the stored rational (do not
// modify it) or tmp set to the float's value.
func (t *outcomeTable) rat(j int, tmp *big.Rat) *big.Rat {
	if t.exact != nil && t.exact[j] != nil {
		return t.exact[j]
	}
	return tmp.SetFloat64(t.pay[j])
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
	outcomes = make([]Outcome, len(t.labels))
	var tmp big.Rat
	for o, label := range t.labels {
		outcomes[o] = Outcome{Label: label, Payoffs: make([]*big.Rat, t.n)}
		for i := range t.n {
			outcomes[o].Payoffs[i] = new(big.Rat).Set(t.rat(o*t.n+i, &tmp))
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
	n := len(g.shape)
	if len(index) != g.NumProfiles() {
		return fmt.Errorf("%w: %d outcome indices for %d profiles", ErrShape, len(index), g.NumProfiles())
	}
	t := &outcomeTable{n: n, labels: make([]string, len(outcomes)), pay: make([]float64, n*len(outcomes)), index: make([]int32, len(index))}
	for o, oc := range outcomes {
		if len(oc.Payoffs) != n {
			return fmt.Errorf("%w: outcome %d has %d payoffs for %d players", ErrShape, o+1, len(oc.Payoffs), n)
		}
		t.labels[o] = oc.Label
		for i, v := range oc.Payoffs {
			if v == nil {
				return fmt.Errorf("%w: outcome %d has no payoff for player %d", ErrShape, o+1, i+1)
			}
			t.set(o*n+i, v)
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

// set stores a copy of v as payoff j.
func (t *outcomeTable) set(j int, v *big.Rat) {
	f, exact := v.Float64()
	t.pay[j] = f
	if !exact {
		if t.exact == nil {
			t.exact = make([]*big.Rat, len(t.pay))
		}
		t.exact[j] = new(big.Rat).Set(v)
	}
}

// applyOutcomes installs t and sets every payoff from it.
func (g *Normal) applyOutcomes(t *outcomeTable) {
	n := t.n
	for i := range g.shape {
		g.fromFloat[i], g.spell[i], g.exact[i] = nil, nil, nil
		pay := g.pay[i]
		for k, o := range t.index {
			if o == 0 {
				pay[k] = 0
				continue
			}
			j := int(o-1)*n + i
			pay[k] = t.pay[j]
			if t.exact != nil && t.exact[j] != nil {
				if g.exact[i] == nil {
					g.exact[i] = make([]*big.Rat, len(pay))
				}
				g.exact[i][k] = t.exact[j]
			}
		}
	}
	g.outcomes = t
}

func (t *outcomeTable) clone() *outcomeTable {
	if t == nil {
		return nil
	}
	// The rationals are immutable and may be shared.
	return &outcomeTable{
		n:      t.n,
		labels: cloneOrNil(t.labels),
		pay:    cloneOrNil(t.pay),
		exact:  cloneOrNil(t.exact),
		text:   cloneOrNil(t.text),
		index:  cloneOrNil(t.index),
	}
}

func (t *outcomeTable) equal(u *outcomeTable) bool {
	if t == nil || u == nil {
		return t == nil && u == nil
	}
	if t.n != u.n || !equalSlices(t.labels, u.labels) || !equalSlices(t.index, u.index) || !equalSlices(t.pay, u.pay) {
		return false
	}
	var a, b big.Rat
	for j := range t.pay {
		if t.rat(j, &a).Cmp(u.rat(j, &b)) != 0 {
			return false
		}
	}
	return true
}
