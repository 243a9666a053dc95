package league

// CIRanks returns the rank of each player given confidence intervals
// [lo_i, hi_i]: 1 + the number of players whose lower bound exceeds the
// player's upper bound. Players whose intervals overlap share ranks, so
// ranks say only what the data can support (Chatbot Arena's convention).
func CIRanks(lo, hi []float64) []int {
	ranks := make([]int, len(lo))
	for i := range lo {
		ranks[i] = 1
		for j := range lo {
			if lo[j] > hi[i] {
				ranks[i]++
			}
		}
	}
	return ranks
}
