package league

import "fmt"

// nonTransitiveRater rates by Nash averaging or a maximal lottery.
// (Pending package nash's MaxEntropyNash and MaximalLottery.)
func nonTransitiveRater(_ []BattleCell, _ []int, _ int, m RatingMethod) (*rater, error) {
	return nil, fmt.Errorf("method %s is not available yet", m)
}
