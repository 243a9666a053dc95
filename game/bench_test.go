package game

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// recursiveDeviation is the first implementation of Deviation (a recursive
// closure over the others' supports, one closure call per profile), kept
// as the benchmark baseline for the walker-based one.
func recursiveDeviation(g *Normal, x Mixed, i int, dst []float64) []float64 {
	m := g.shape[i]
	dst = dst[:m]
	clear(dst)
	stride, pay := g.stride[i], g.pay[i]
	f := func(k int, w float64) {
		for s := range m {
			dst[s] += w * pay[k+s*stride]
		}
	}
	var rec func(j, k int, w float64)
	rec = func(j, k int, w float64) {
		if j < 0 {
			f(k, w)
			return
		}
		if j == i {
			rec(j-1, k, w)
			return
		}
		for s, p := range x[j] {
			if p != 0 {
				rec(j-1, k+s*g.stride[j], w*p)
			}
		}
	}
	rec(len(g.shape)-1, 0, 1)
	return dst
}

// BenchmarkDeviation measures Deviation for every player of a 2-player
// 100×100, a 3-player 10×10×10 and a 5-player 4×4×4×4×4 game at a full-
// support profile, next to the recursive baseline on the same game and
// profile. The two alternate in batches of 16 calls within each iteration,
// so that the machine's load affects both alike; the metrics are the time
// per call of each and their ratio (speedup = baseline / walker).
func BenchmarkDeviation(b *testing.B) {
	for _, shape := range [][]int{{100, 100}, {10, 10, 10}, {4, 4, 4, 4, 4}} {
		g := RandomUniform(rand.New(rand.NewPCG(11, 12)), shape...)
		x := g.Uniform()
		dst := make([]float64, 100)
		for i := range shape {
			b.Run(fmt.Sprintf("%s/player%d", shapeString(shape), i+1), func(b *testing.B) {
				const batch = 16
				var walker, baseline time.Duration
				for b.Loop() {
					t0 := time.Now()
					for range batch {
						g.Deviation(x, i, dst)
					}
					t1 := time.Now()
					for range batch {
						recursiveDeviation(g, x, i, dst)
					}
					walker += t1.Sub(t0)
					baseline += time.Since(t1)
				}
				calls := float64(b.N * batch)
				b.ReportMetric(float64(walker.Nanoseconds())/calls, "walker-ns/call")
				b.ReportMetric(float64(baseline.Nanoseconds())/calls, "baseline-ns/call")
				b.ReportMetric(float64(baseline)/float64(walker), "speedup")
			})
		}
	}
}

// BenchmarkDeviationAllocs checks in the benchmark output that Deviation
// does not allocate.
func BenchmarkDeviationAllocs(b *testing.B) {
	g := RandomUniform(rand.New(rand.NewPCG(11, 12)), 10, 10, 10)
	x, dst := g.Uniform(), make([]float64, 10)
	b.ReportAllocs()
	for b.Loop() {
		g.Deviation(x, 1, dst)
	}
}

// BenchmarkRegret measures Regret (every player's Deviation) on the same
// games.
func BenchmarkRegret(b *testing.B) {
	for _, shape := range [][]int{{100, 100}, {10, 10, 10}} {
		g := RandomUniform(rand.New(rand.NewPCG(13, 14)), shape...)
		x := g.Uniform()
		b.Run(shapeString(shape), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				g.Regret(x)
			}
		})
	}
}

// BenchmarkReadNFG parses a 2-player 200×200 game (80 000 payoffs) in the
// payoff form with integer and with decimal payoffs, and a 3-player
// 30×30×30 game in the outcome form. The same-run baseline splits the same
// text into fields and converts each with strconv.ParseFloat, the least any
// reader must do; ratio = ReadNFG time / baseline time.
func BenchmarkReadNFG(b *testing.B) {
	rng := rand.New(rand.NewPCG(15, 16))
	ints := RandomInt(rng, -1000, 1000, 200, 200)
	dec := RandomUniform(rng, 200, 200)
	outc := RandomInt(rng, -50, 50, 30, 30, 30)
	var texts [3]bytes.Buffer
	if err := ints.WriteNFG(&texts[0]); err != nil {
		b.Fatal(err)
	}
	if err := dec.WriteNFG(&texts[1]); err != nil {
		b.Fatal(err)
	}
	if err := outc.WriteNFGForm(&texts[2], NFGOutcomes); err != nil {
		b.Fatal(err)
	}
	for c, name := range []string{"payoffs-int-200x200", "payoffs-decimal-200x200", "outcomes-int-30x30x30"} {
		data := texts[c].Bytes()
		b.Run(name, func(b *testing.B) {
			var read, base time.Duration
			sink := 0.0
			for b.Loop() {
				t0 := time.Now()
				if _, err := ReadNFG(bytes.NewReader(data), name); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				for _, f := range bytes.Fields(data) {
					v, _ := strconv.ParseFloat(string(f), 64)
					sink += v
				}
				read += t1.Sub(t0)
				base += time.Since(t1)
			}
			b.ReportMetric(float64(read.Nanoseconds())/float64(b.N), "read-ns/file")
			b.ReportMetric(float64(len(data))*float64(b.N)/read.Seconds()/1e6, "read-MB/s")
			b.ReportMetric(float64(read)/float64(base), "ratio-to-parsefloat")
			_ = sink
		})
	}
}

// BenchmarkWriteNFG writes the integer 200×200 game.
func BenchmarkWriteNFG(b *testing.B) {
	g := RandomInt(rand.New(rand.NewPCG(17, 18)), -1000, 1000, 200, 200)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := g.WriteNFG(&buf); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}
