package results

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Row is one line of metrics.jsonl: the metrics of run Run (the experiment
// or task name), algorithm Algorithm and seed Seed after Step steps.
type Row struct {
	Run       string
	Algorithm string
	Seed      uint64
	Step      int
	Metrics   map[string]float64
}

// Reserved field names: metrics may not use them.
const (
	FieldRun       = "run"
	FieldAlgorithm = "algorithm"
	FieldSeed      = "seed"
	FieldStep      = "step"
)

func reserved(name string) bool {
	return name == FieldRun || name == FieldAlgorithm || name == FieldSeed || name == FieldStep
}

// check reports what is wrong with r, if anything.
func (r Row) check() error {
	if r.Step < 0 {
		return fmt.Errorf("row %s/%s/seed %d: negative step %d", r.Run, r.Algorithm, r.Seed, r.Step)
	}
	for name := range r.Metrics {
		if name == "" || reserved(name) {
			return fmt.Errorf("row %s/%s/seed %d: metric name %q is empty or reserved", r.Run, r.Algorithm, r.Seed, name)
		}
	}
	return nil
}

// MetricNames returns the metric names of r in sorted order.
func (r Row) MetricNames() []string {
	names := make([]string, 0, len(r.Metrics))
	for k := range r.Metrics {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// AppendJSON appends r as one JSON object (no newline) to b: run, algorithm,
// seed and step first, then the metrics sorted by name.
func (r Row) AppendJSON(b []byte) []byte {
	b = append(b, `{"run":`...)
	b = appendString(b, r.Run)
	b = append(b, `,"algorithm":`...)
	b = appendString(b, r.Algorithm)
	b = append(b, `,"seed":`...)
	b = strconv.AppendUint(b, r.Seed, 10)
	b = append(b, `,"step":`...)
	b = strconv.AppendInt(b, int64(r.Step), 10)
	for _, name := range r.MetricNames() {
		b = append(b, ',')
		b = appendString(b, name)
		b = append(b, ':')
		b = appendNumber(b, r.Metrics[name])
	}
	return append(b, '}')
}

// appendString writes s as a JSON string. Invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\t':
			b = append(b, '\\', 't')
		case r < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}

// appendNumber writes x as a JSON number, NaN as null and ±Inf as ±1e999.
func appendNumber(b []byte, x float64) []byte {
	switch {
	case math.IsNaN(x):
		return append(b, "null"...)
	case math.IsInf(x, 1):
		return append(b, "1e999"...)
	case math.IsInf(x, -1):
		return append(b, "-1e999"...)
	}
	return strconv.AppendFloat(b, x, 'g', -1, 64)
}
