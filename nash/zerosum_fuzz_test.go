package nash

import (
	"math"
	"testing"
)

// fuzzMatrix decodes data into an m×n matrix (1 ≤ m, n ≤ 12) of small
// integers scaled by a power of ten, so that ties, duplicates and wide
// ranges are all common.
func fuzzMatrix(data []byte, square bool) [][]float64 {
	if len(data) < 3 {
		return nil
	}
	m, n := 1+int(data[0]%12), 1+int(data[1]%12)
	if square {
		n = m
	}
	scale := math.Pow(10, float64(int(data[2]%9)-4))
	data = data[3:]
	A := make([][]float64, m)
	k := 0
	for i := range A {
		A[i] = make([]float64, n)
		for j := range A[i] {
			if len(data) > 0 {
				A[i][j] = float64(int8(data[k%len(data)])%5) * scale
				k++
			}
		}
	}
	return A
}

// FuzzSolveZeroSum: any small matrix is solved with a valid certificate or
// fails with ErrNumerical, never panics.
func FuzzSolveZeroSum(f *testing.F) {
	f.Add([]byte{2, 2, 4, 1, 255, 255, 1})
	f.Add([]byte{5, 3, 8, 0, 0, 0})
	f.Add([]byte{11, 11, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Fuzz(func(t *testing.T, data []byte) {
		A := fuzzMatrix(data, false)
		if A == nil {
			return
		}
		sol, err := SolveZeroSum(A)
		if err != nil {
			t.Fatalf("%v: %v", A, err)
		}
		zsCheck(t, A, sol, zsTol(A))
	})
}

// FuzzMaximalLottery: the skew-symmetric part of any small square matrix
// has a maximal lottery, which is optimal.
func FuzzMaximalLottery(f *testing.F) {
	f.Add([]byte{3, 0, 4, 1, 2, 3, 4, 5})
	f.Add([]byte{6, 0, 4, 0, 0, 1})
	f.Add([]byte{9, 0, 2, 255, 1, 0, 254, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		A := fuzzMatrix(data, true)
		if A == nil {
			return
		}
		M, _ := antisymmetrize(A)
		p, err := MaximalLottery(M)
		if err != nil {
			t.Fatalf("%v: %v", M, err)
		}
		lotteryCheck(t, M, p)
	})
}
