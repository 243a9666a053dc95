package league

import (
	"fmt"

	"github.com/selfplay-lab/selfplay/nash"
)

// metaNash returns a Nash equilibrium strategy of the symmetric zero-sum
// meta-game a (a = w − wᵀ, so the game's value is 0 and the row player's
// maximin strategy is an equilibrium of the symmetric game). The linear
// program is solved by nash.SolveZeroSum, deterministic for a given
// matrix; the solver's rounding is clipped and the strategy renormalised,
// as OpenSpiel does for its meta-strategies.
func metaNash(a [][]float64) ([]float64, error) {
	sol, err := nash.SolveZeroSum(a)
	if err != nil {
		return nil, fmt.Errorf("league: nash meta-solver: %w", err)
	}
	return clipNormalise(sol.Row)
}

// metaMaxEnt returns the maximum-entropy Nash equilibrium of the symmetric
// zero-sum meta-game a (nash.MaxEntropyNash).
func metaMaxEnt(a [][]float64) ([]float64, error) {
	p, err := nash.MaxEntropyNash(a)
	if err != nil {
		return nil, fmt.Errorf("league: maxent meta-solver: %w", err)
	}
	return clipNormalise(p)
}
