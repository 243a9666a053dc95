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

// arenaArray renders n battles as a pretty-printed JSON array shaped like
// Chatbot Arena's public files: nested metadata around the three fields.
func arenaArray(n int) []byte {
	var buf bytes.Buffer
	buf.WriteString("[\n")
	for i := range n {
		if i > 0 {
			buf.WriteString(",\n")
		}
		fmt.Fprintf(&buf, `  {
    "question_id": "%032x",
    "model_a": "model-%d",
    "model_b": "model-%d",
    "winner": %q,
    "judge": "arena_user_%d",
    "turn": 1,
    "anony": true,
    "language": "English",
    "tstamp": 1682351591.1322,
    "conv_metadata": {"sum_user_tokens": 12, "sum_assistant_a_tokens": 340, "sum_assistant_b_tokens": 295, "turns": 1, "header_count_a": {"h1": 0, "h2": 0}, "list_count_a": {"ordered": 0, "unordered": 3}, "bold_count_a": {"**": 2, "__": 0}},
    "dedup_tag": {"high_freq": false, "sampled": true},
    "category_tag": {"criteria_v0.1": {"specificity": false, "domain_knowledge": true, "complexity": false}, "if_v0.1": {"if": false, "score": 1}, "math_v0.1": {"math": false}}
  }`, i, i%100, (i+7)%100, []string{"model_a", "model_b", "tie", "tie (bothbad)"}[i%4], i)
	}
	buf.WriteString("\n]\n")
	return buf.Bytes()
}

func BenchmarkReadArenaArray(b *testing.B) {
	data := arenaArray(100000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ReadBattles(bytes.NewReader(data), "bench", NewBattles(), ReadOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
