package league

import (
	"slices"
	"testing"
)

func TestCIRanks(t *testing.T) {
	// a [10,12] clearly above c [1,3]; b [2,11] overlaps both.
	lo := []float64{10, 2, 1, 10}
	hi := []float64{12, 11, 3, 12}
	if got, want := CIRanks(lo, hi), []int{1, 1, 3, 1}; !slices.Equal(got, want) {
		t.Fatalf("ranks %v, want %v", got, want)
	}
	// Point intervals rank by value, equal values share a rank.
	if got, want := CIRanks([]float64{3, 1, 3, 2}, []float64{3, 1, 3, 2}), []int{1, 4, 1, 3}; !slices.Equal(got, want) {
		t.Fatalf("point ranks %v, want %v", got, want)
	}
}
