package game

import (
	"bufio"
	"fmt"
	"io"
	"math/big"
	"strconv"
)

// NFGForm selects the version of the .nfg format WriteNFGForm writes.
type NFGForm int

const (
	// NFGAuto writes the outcome version when the game has an outcome
	// table (HasOutcomes) and the payoff version otherwise.
	NFGAuto NFGForm = iota
	// NFGPayoffs writes the payoff version: every payoff listed.
	NFGPayoffs
	// NFGOutcomes writes the outcome version; a game without an outcome
	// table gets one unnamed outcome per profile, as Gambit writes it.
	NFGOutcomes
)

// WriteNFG writes g in Gambit's .nfg format (WriteNFGForm with NFGAuto).
func (g *Normal) WriteNFG(w io.Writer) error { return g.WriteNFGForm(w, NFGAuto) }

// WriteNFGForm writes g in the given version of Gambit's .nfg format, laid
// out as Gambit itself writes it: the header with label lists, the comment,
// then the payoffs one profile per line, or the outcome list one outcome
// per line followed by the outcome numbers. ReadNFG reads the result back
// as a game Equal to g.
//
// Payoffs are written as they were spelled in the file g was read from,
// else rationals as integers or reduced fractions p/q, and payoffs set as
// floats as the shortest decimal that reads back as the same float64.
// Strings are quoted with \" for quotes, and \\ for a backslash where it
// would otherwise be read as an escape. The error wraps ErrShape when the
// labels do not match the game's shape.
func (g *Normal) WriteNFGForm(w io.Writer, form NFGForm) error {
	if err := g.checkLabels(); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var b []byte
	b = append(b, "NFG 1 R "...)
	b = appendNFGString(b, g.Title)
	b = append(b, " { "...)
	for _, p := range g.Players {
		b = appendNFGString(b, p)
		b = append(b, ' ')
	}
	b = append(b, "}\n\n{ "...)
	for _, labels := range g.Strategies {
		b = append(b, "{ "...)
		for _, l := range labels {
			b = appendNFGString(b, l)
			b = append(b, ' ')
		}
		b = append(b, "}\n"...)
	}
	b = append(b, "}\n"...)
	b = appendNFGString(b, g.Comment)
	b = append(b, "\n\n"...)
	if _, err := bw.Write(b); err != nil {
		return err
	}

	switch {
	case form == NFGPayoffs || (form == NFGAuto && g.outcomes == nil):
		g.writePayoffs(bw)
	case g.outcomes != nil:
		g.writeOutcomeTable(bw)
	default:
		g.writeProfileOutcomes(bw)
	}
	return bw.Flush()
}

func (g *Normal) checkLabels() error {
	if len(g.Players) != len(g.shape) || len(g.Strategies) != len(g.shape) {
		return fmt.Errorf("%w: %d player labels and %d strategy lists for %d players", ErrShape, len(g.Players), len(g.Strategies), len(g.shape))
	}
	for i, labels := range g.Strategies {
		if len(labels) != g.shape[i] {
			return fmt.Errorf("%w: player %d has %d strategy labels for %d strategies", ErrShape, i+1, len(labels), g.shape[i])
		}
	}
	return nil
}

// writePayoffs writes the payoff version's body: per profile, every
// player's payoff followed by a space, then a newline; a blank line ends it.
func (g *Normal) writePayoffs(bw *bufio.Writer) {
	var b []byte
	for k := range g.NumProfiles() {
		b = b[:0]
		for i := range g.shape {
			b = g.appendPayoff(b, i, k)
			b = append(b, ' ')
		}
		b = append(b, '\n')
		bw.Write(b) // errors are sticky and reported by Flush
	}
	bw.WriteByte('\n')
}

// writeOutcomeTable writes the outcome version's body from g's table.
func (g *Normal) writeOutcomeTable(bw *bufio.Writer) {
	t := g.outcomes
	var b []byte
	bw.WriteString("{\n")
	for o, label := range t.labels {
		b = append(b[:0], "{ "...)
		b = appendNFGString(b, label)
		b = append(b, ' ')
		for i := range t.n {
			if i > 0 {
				b = append(b, ", "...)
			}
			j := o*t.n + i
			switch {
			case t.text != nil && t.text[j] != "":
				b = append(b, t.text[j]...)
			case t.exact != nil && t.exact[j] != nil:
				b = appendRat(b, t.exact[j])
			default:
				b = appendExactFloat(b, t.pay[j])
			}
		}
		b = append(b, " }\n"...)
		bw.Write(b)
	}
	bw.WriteString("}\n")
	for _, o := range t.index {
		b = strconv.AppendInt(b[:0], int64(o), 10)
		b = append(b, ' ')
		bw.Write(b)
	}
	bw.WriteByte('\n')
}

// writeProfileOutcomes writes the outcome version of a game without an
// outcome table: outcome k+1 is profile k's payoffs.
func (g *Normal) writeProfileOutcomes(bw *bufio.Writer) {
	var b []byte
	bw.WriteString("{\n")
	for k := range g.NumProfiles() {
		b = append(b[:0], `{ "" `...)
		for i := range g.shape {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = g.appendPayoff(b, i, k)
		}
		b = append(b, " }\n"...)
		bw.Write(b)
	}
	bw.WriteString("}\n")
	for k := range g.NumProfiles() {
		b = strconv.AppendInt(b[:0], int64(k+1), 10)
		b = append(b, ' ')
		bw.Write(b)
	}
	bw.WriteByte('\n')
}

// appendPayoff appends payoff (i, k) as the writer spells it.
func (g *Normal) appendPayoff(b []byte, i, k int) []byte {
	if sp := g.spell[i]; sp != nil && sp[k] != "" {
		return append(b, sp[k]...)
	}
	if e := g.exact[i]; e != nil && e[k] != nil {
		return appendRat(b, e[k])
	}
	f := g.pay[i][k]
	if g.isFloat(i, k) {
		return strconv.AppendFloat(b, f, 'g', -1, 64)
	}
	return appendExactFloat(b, f)
}

// appendExactFloat appends the rational value of f as appendRat would.
func appendExactFloat(b []byte, f float64) []byte {
	if f > -1<<62 && f < 1<<62 && f == float64(int64(f)) {
		return strconv.AppendInt(b, int64(f), 10)
	}
	return append(b, canonicalFloat(f)...)
}

// appendRat appends r as an integer or a reduced fraction p/q.
func appendRat(b []byte, r *big.Rat) []byte {
	if r.IsInt() {
		return r.Num().Append(b, 10)
	}
	b = r.Num().Append(b, 10)
	b = append(b, '/')
	return r.Denom().Append(b, 10)
}

// appendNFGString appends s quoted for an .nfg file. A quote becomes \".
// A backslash is written as is, as Gambit does, unless ReadNFG would take
// it for an escape (before a quote or a backslash, or at the end): then it
// is doubled.
func appendNFGString(b []byte, s string) []byte {
	b = append(b, '"')
	for j := 0; j < len(s); j++ {
		switch c := s[j]; c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			if j+1 == len(s) || s[j+1] == '"' || s[j+1] == '\\' {
				b = append(b, '\\')
			}
			b = append(b, '\\')
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
