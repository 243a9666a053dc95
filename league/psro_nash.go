package league

import "errors"

// metaNash returns a Nash equilibrium strategy of the symmetric zero-sum
// game a. TEMPORARY: waits for nash.SolveZeroSum.
func metaNash(a [][]float64) ([]float64, error) {
	_ = a
	return nil, errors.New("league: nash meta-solver not available yet")
}
