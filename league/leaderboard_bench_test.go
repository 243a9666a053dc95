package league

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchBattles is 10⁶ battles among 100 players with normal strengths and
// 10% ties: the size of the performance target.
func benchBattles() *Battles {
	rng := rand.New(rand.NewPCG(42, 42))
	beta := make([]float64, 100)
	for i := range beta {
		beta[i] = rng.NormFloat64()
	}
	return synthBattles(beta, 1_000_000, 0.1, 42)
}

// benchJSONL renders battles as jsonl.
func benchJSONL(bs *Battles) []byte {
	var buf bytes.Buffer
	for _, b := range bs.List {
		fmt.Fprintf(&buf, `{"a":%q,"b":%q,"winner":%q}`+"\n", bs.Names[b.A], bs.Names[b.B], b.Outcome)
	}
	return buf.Bytes()
}

func BenchmarkReadJSONL1M(b *testing.B) {
	data := benchJSONL(benchBattles())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ReadBattles(bytes.NewReader(data), "bench", NewBattles(), ReadOptions{Format: FormatJSONL}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadCSV1M(b *testing.B) {
	bs := benchBattles()
	var buf bytes.Buffer
	buf.WriteString("a,b,winner\n")
	for _, x := range bs.List {
		fmt.Fprintf(&buf, "%s,%s,%s\n", bs.Names[x.A], bs.Names[x.B], x.Outcome)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ReadBattles(bytes.NewReader(data), "bench", NewBattles(), ReadOptions{Format: FormatCSV}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBTFit1M(b *testing.B) {
	bs := benchBattles()
	for b.Loop() {
		if _, err := Rate(context.Background(), bs, DefaultRateOptions(MethodBT)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBTBootstrap100(b *testing.B) {
	bs := benchBattles()
	opt := DefaultRateOptions(MethodBT)
	opt.Bootstrap = 100
	for b.Loop() {
		if _, err := Rate(context.Background(), bs, opt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkElo1M(b *testing.B) {
	bs := benchBattles()
	for b.Loop() {
		Elo(bs.List, len(bs.Names), DefaultEloConfig())
	}
}
