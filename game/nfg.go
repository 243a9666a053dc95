package game

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"strconv"
)

// SyntaxError locates a problem in an .nfg file: a malformed token or
// structure ("expected …, found …") or content that does not fit the game
// (a wrong number of payoffs, an outcome index out of range, too many
// profiles).
type SyntaxError struct {
	File      string
	Line, Col int // 1-based; Col counts bytes
	Msg       string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// ParseNFGFile reads the Gambit .nfg file at path (see ReadNFG).
func ParseNFGFile(path string) (*Normal, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadNFG(f, path)
}

// ReadNFG reads a game in Gambit's .nfg format, naming it name in errors.
//
// Both versions of the format are read. The header is
//
//	NFG 1 R "title" { "Player 1" "Player 2" … }
//
// (D, the old floating-point marker, is accepted for R), then the
// strategies, as counts { 3 2 } or as label lists { { "a" "b" "c" } { "x"
// "y" } }, then an optional comment string. In the payoff version the body
// lists every player's payoff at every profile, players within profiles,
// profiles in index order (player 1's strategy varying fastest). In the
// outcome version it is a list of outcomes { "name" u1, u2, … } (commas
// optional) followed by one 1-based outcome number per profile, 0 standing
// for the null outcome with all payoffs zero; the outcome table is kept
// (see Outcomes) so that WriteNFG reproduces it.
//
// Tokens are separated by white space; braces, commas and quotes delimit
// themselves. Inside a quoted string, \" stands for a quote and \\ for a
// backslash; a backslash before any other character stands for itself, as
// in Gambit's files. Numbers are integers, decimals with an optional
// exponent, or fractions p/q, read exactly: 0.1 is 1/10. How each payoff
// was spelled is remembered and reused by WriteNFG, so reading a file
// written by Gambit and writing it again reproduces the text.
//
// Every problem in the input is reported as a *SyntaxError naming the
// line and column; games with more than MaxProfiles profiles are refused
// before anything is allocated for them. Memory use is proportional to the
// input's size.
func ReadNFG(r io.Reader, name string) (*Normal, error) {
	p := &nfgParser{sc: nfgScanner{r: bufio.NewReaderSize(r, 64<<10), file: name, line: 1, col: 1}}
	g, err := p.parse()
	if err != nil {
		var se *SyntaxError
		if !errors.As(err, &se) {
			err = fmt.Errorf("%s: %w", name, err)
		}
		return nil, err
	}
	return g, nil
}

type nfgToken int8

const (
	tokEOF nfgToken = iota
	tokLBrace
	tokRBrace
	tokComma
	tokString
	tokWord // a number or a keyword: a run of other non-space bytes
)

// nfgScanner splits .nfg text into tokens, tracking positions.
type nfgScanner struct {
	r         *bufio.Reader
	file      string
	line, col int // position of the next byte

	tok        nfgToken
	text       []byte // string contents (unescaped) or word; reused
	tLine, tCo int    // position of the token
	ioErr      error
}

func nfgIsSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func (s *nfgScanner) read() (byte, bool) {
	c, err := s.r.ReadByte()
	if err != nil {
		if !errors.Is(err, io.EOF) {
			s.ioErr = err
		}
		return 0, false
	}
	if c == '\n' {
		s.line++
		s.col = 1
	} else {
		s.col++
	}
	return c, true
}

func (s *nfgScanner) errorf(line, col int, format string, args ...any) *SyntaxError {
	return &SyntaxError{File: s.file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// next scans the next token.
func (s *nfgScanner) next() error {
	var c byte
	var ok bool
	for {
		c, ok = s.read()
		if !ok {
			if s.ioErr != nil {
				return s.ioErr
			}
			s.tok, s.tLine, s.tCo = tokEOF, s.line, s.col
			return nil
		}
		if !nfgIsSpace(c) {
			break
		}
	}
	s.tLine, s.tCo = s.line, s.col-1
	s.text = s.text[:0]
	switch c {
	case '{':
		s.tok = tokLBrace
	case '}':
		s.tok = tokRBrace
	case ',':
		s.tok = tokComma
	case '"':
		s.tok = tokString
		for {
			c, ok = s.read()
			if !ok {
				if s.ioErr != nil {
					return s.ioErr
				}
				return s.errorf(s.tLine, s.tCo, "unterminated string: expected a closing quote, found end of file")
			}
			if c == '"' {
				return nil
			}
			if c == '\\' {
				if b, err := s.r.Peek(1); err == nil && (b[0] == '"' || b[0] == '\\') {
					c, _ = s.read()
				}
			}
			s.text = append(s.text, c)
		}
	default:
		s.tok = tokWord
		s.text = append(s.text, c)
		for {
			b, err := s.r.Peek(1)
			if err != nil {
				if !errors.Is(err, io.EOF) {
					return err
				}
				break
			}
			if c = b[0]; nfgIsSpace(c) || c == '{' || c == '}' || c == ',' || c == '"' {
				break
			}
			if len(s.text) >= maxNumberLen {
				return s.errorf(s.tLine, s.tCo, "expected a number or keyword, found a run of more than %d characters", maxNumberLen)
			}
			s.read()
			s.text = append(s.text, c)
		}
	}
	return nil
}

// describe names the current token for error messages.
func (s *nfgScanner) describe() string {
	switch s.tok {
	case tokEOF:
		return "end of file"
	case tokLBrace:
		return `"{"`
	case tokRBrace:
		return `"}"`
	case tokComma:
		return `","`
	case tokString:
		return "string " + nfgQuoteShort(s.text)
	}
	if _, want := parseNFGNumber(s.text); want == "" {
		return "number " + nfgQuoteShort(s.text)
	}
	return nfgQuoteShort(s.text)
}

// nfgQuoteShort quotes b for a message, eliding the middle of long text.
func nfgQuoteShort(b []byte) string {
	if len(b) > 40 {
		return strconv.Quote(string(b[:20])+"…"+string(b[len(b)-10:])) + fmt.Sprintf(" (%d bytes)", len(b))
	}
	return strconv.Quote(string(b))
}

// expected returns a SyntaxError at the current token.
func (s *nfgScanner) expected(what string) error {
	return s.errorf(s.tLine, s.tCo, "expected %s, found %s", what, s.describe())
}

type nfgParser struct {
	sc nfgScanner

	players    []string
	strategies [][]string // label lists; nil entries with counts form
	shape      []int
	profiles   int
}

func (p *nfgParser) next() error { return p.sc.next() }

// expectWord consumes a word equal to want.
func (p *nfgParser) expectWord(want, what string) error {
	if err := p.next(); err != nil {
		return err
	}
	if p.sc.tok != tokWord || string(p.sc.text) != want {
		return p.sc.expected(what)
	}
	return nil
}

func (p *nfgParser) parse() (*Normal, error) {
	// A UTF-8 byte order mark is not part of the text.
	if b, err := p.sc.r.Peek(3); err == nil && string(b) == "\xef\xbb\xbf" {
		p.sc.r.Discard(3)
	}
	if err := p.expectWord("NFG", `"NFG" (an .nfg file starts with NFG 1 R)`); err != nil {
		return nil, err
	}
	if err := p.expectWord("1", "version 1 after NFG"); err != nil {
		return nil, err
	}
	if err := p.next(); err != nil {
		return nil, err
	}
	if p.sc.tok != tokWord || (string(p.sc.text) != "R" && string(p.sc.text) != "D") {
		return nil, p.sc.expected("R or D after NFG 1")
	}
	if err := p.next(); err != nil {
		return nil, err
	}
	if p.sc.tok != tokString {
		return nil, p.sc.expected("the game's title (a quoted string)")
	}
	title := string(p.sc.text)
	if err := p.readPlayers(); err != nil {
		return nil, err
	}
	if err := p.readStrategies(); err != nil {
		return nil, err
	}
	if err := p.next(); err != nil {
		return nil, err
	}
	comment := ""
	if p.sc.tok == tokString {
		comment = string(p.sc.text)
		if err := p.next(); err != nil {
			return nil, err
		}
	}
	var g *Normal
	var err error
	switch p.sc.tok {
	case tokLBrace:
		g, err = p.readOutcomeBody()
	case tokWord:
		g, err = p.readPayoffBody()
	default:
		err = p.sc.expected("the payoffs (numbers) or an outcome list ({)")
	}
	if err != nil {
		return nil, err
	}
	g.Title, g.Comment = title, comment
	return g, nil
}

func (p *nfgParser) readPlayers() error {
	if err := p.next(); err != nil {
		return err
	}
	if p.sc.tok != tokLBrace {
		return p.sc.expected(`"{" before the player names`)
	}
	for {
		if err := p.next(); err != nil {
			return err
		}
		switch p.sc.tok {
		case tokString:
			p.players = append(p.players, string(p.sc.text))
			continue
		case tokRBrace:
			if len(p.players) == 0 {
				return p.sc.expected("at least one player name (a quoted string)")
			}
			return nil
		}
		return p.sc.expected(`a player name (a quoted string) or "}"`)
	}
}

func (p *nfgParser) readStrategies() error {
	if err := p.next(); err != nil {
		return err
	}
	if p.sc.tok != tokLBrace {
		return p.sc.expected(`"{" before the strategies`)
	}
	line, col := p.sc.tLine, p.sc.tCo
	n := len(p.players)
	p.shape = make([]int, 0, n)
	if err := p.next(); err != nil {
		return err
	}
	switch p.sc.tok {
	case tokLBrace: // label lists
		p.strategies = make([][]string, 0, n)
		for p.sc.tok == tokLBrace {
			if len(p.strategies) == n {
				return p.sc.expected(fmt.Sprintf(`"}" after the strategies of %s`, counted(n, "player")))
			}
			var labels []string
			for {
				if err := p.next(); err != nil {
					return err
				}
				if p.sc.tok != tokString {
					break
				}
				labels = append(labels, string(p.sc.text))
			}
			if p.sc.tok != tokRBrace {
				return p.sc.expected(fmt.Sprintf(`a strategy name of player %d (a quoted string) or "}"`, len(p.strategies)+1))
			}
			if len(labels) == 0 {
				return p.sc.expected(fmt.Sprintf("at least one strategy name of player %d", len(p.strategies)+1))
			}
			p.strategies = append(p.strategies, labels)
			p.shape = append(p.shape, len(labels))
			if err := p.next(); err != nil {
				return err
			}
		}
		if p.sc.tok != tokRBrace || len(p.strategies) < n {
			if len(p.strategies) < n {
				return p.sc.expected(fmt.Sprintf(`the strategy names of player %d ("{")`, len(p.strategies)+1))
			}
			return p.sc.expected(`"}" after the strategies`)
		}
	case tokWord: // counts
		for p.sc.tok == tokWord {
			if len(p.shape) == n {
				return p.sc.expected(fmt.Sprintf(`"}" after the strategy counts of %s`, counted(n, "player")))
			}
			m, ok := digitsValue(p.sc.text)
			if !ok || m <= 0 || m > MaxProfiles {
				return p.sc.expected(fmt.Sprintf("the number of strategies of player %d (a positive integer)", len(p.shape)+1))
			}
			p.shape = append(p.shape, m)
			if err := p.next(); err != nil {
				return err
			}
		}
		if p.sc.tok != tokRBrace || len(p.shape) < n {
			if len(p.shape) < n {
				return p.sc.expected(fmt.Sprintf("the number of strategies of player %d", len(p.shape)+1))
			}
			return p.sc.expected(`"}" after the strategy counts`)
		}
	default:
		return p.sc.expected(`the strategies: counts such as { 3 2 } or name lists such as { { "a" "b" } { "x" "y" } }`)
	}
	count, err := profileCount(p.shape)
	if err != nil {
		return p.sc.errorf(line, col, "too large: %v", err)
	}
	p.profiles = count
	return nil
}

// newGame builds the game with the parsed labels and the given payoffs.
func (p *nfgParser) newGame(pay [][]float64) *Normal {
	n := len(p.shape)
	g := &Normal{
		shape:      p.shape,
		stride:     make([]int, n),
		Players:    p.players,
		Strategies: p.strategies,
		pay:        pay,
		exact:      make([][]*big.Rat, n),
		fromFloat:  make([][]uint64, n),
		spell:      make([][]string, n),
	}
	if g.Strategies == nil {
		g.Strategies = make([][]string, n)
		for i, m := range p.shape {
			g.Strategies[i] = make([]string, m)
			for s := range m {
				g.Strategies[i][s] = strconv.Itoa(s + 1)
			}
		}
	}
	step := 1
	for i, m := range p.shape {
		g.stride[i] = step
		step *= m
	}
	return g
}

// readPayoffBody reads the payoff version's body, starting at its first
// token: n payoffs per profile, n·Π m_i in all.
func (p *nfgParser) readPayoffBody() (*Normal, error) {
	n := len(p.shape)
	want := n * p.profiles
	pay := make([][]float64, n)
	type special struct {
		i, k int
		num  nfgNum
	}
	var specials []special // payoffs with a stored rational or spelling
	for c := 0; ; c++ {
		if p.sc.tok == tokEOF {
			if c < want {
				return nil, p.sc.expected(fmt.Sprintf("payoff %d of %d (%s × %s)", c+1, want, counted(n, "player"), counted(p.profiles, "profile")))
			}
			break
		}
		if c == want {
			return nil, p.sc.expected(fmt.Sprintf("end of file after %s (%s × %s)", counted(want, "payoff"), counted(n, "player"), counted(p.profiles, "profile")))
		}
		if p.sc.tok != tokWord {
			return nil, p.sc.expected("a payoff (a number)")
		}
		num, what := parseNFGNumber(p.sc.text)
		if what != "" {
			return nil, p.sc.expected(what)
		}
		i, k := c%n, c/n
		pay[i] = append(pay[i], num.f)
		if num.exact != nil || num.spell != "" {
			specials = append(specials, special{i, k, num})
		}
		if err := p.next(); err != nil {
			return nil, err
		}
	}
	g := p.newGame(pay)
	for _, sp := range specials {
		if sp.num.exact != nil {
			if g.exact[sp.i] == nil {
				g.exact[sp.i] = make([]*big.Rat, p.profiles)
			}
			g.exact[sp.i][sp.k] = sp.num.exact
		}
		if sp.num.spell != "" {
			if g.spell[sp.i] == nil {
				g.spell[sp.i] = make([]string, p.profiles)
			}
			g.spell[sp.i][sp.k] = sp.num.spell
		}
	}
	return g, nil
}

// readOutcomeBody reads the outcome version's body, starting at the "{"
// of the outcome list.
func (p *nfgParser) readOutcomeBody() (*Normal, error) {
	n := len(p.shape)
	t := &outcomeTable{}
	spelled := false
	for {
		if err := p.next(); err != nil {
			return nil, err
		}
		if p.sc.tok == tokRBrace {
			break
		}
		if p.sc.tok != tokLBrace {
			return nil, p.sc.expected(`an outcome ("{") or "}" after the outcomes`)
		}
		if err := p.next(); err != nil {
			return nil, err
		}
		if p.sc.tok != tokString {
			return nil, p.sc.expected(fmt.Sprintf("the name of outcome %d (a quoted string)", len(t.list)+1))
		}
		oc := Outcome{Label: string(p.sc.text), Payoffs: make([]*big.Rat, 0, n)}
		text := make([]string, 0, n)
		if err := p.next(); err != nil {
			return nil, err
		}
		for p.sc.tok != tokRBrace {
			if p.sc.tok != tokWord {
				if len(oc.Payoffs) < n {
					return nil, p.sc.expected(fmt.Sprintf("payoff %d of %d of outcome %d (a number)", len(oc.Payoffs)+1, n, len(t.list)+1))
				}
				return nil, p.sc.expected(fmt.Sprintf(`"}" after %s of outcome %d`, counted(n, "payoff"), len(t.list)+1))
			}
			if len(oc.Payoffs) == n {
				return nil, p.sc.expected(fmt.Sprintf(`"}" after %s of outcome %d`, counted(n, "payoff"), len(t.list)+1))
			}
			num, what := parseNFGNumber(p.sc.text)
			if what != "" {
				return nil, p.sc.expected(what)
			}
			r := num.exact
			if r == nil {
				r = new(big.Rat).SetFloat64(num.f)
			}
			oc.Payoffs = append(oc.Payoffs, r)
			text = append(text, num.spell)
			spelled = spelled || num.spell != ""
			if err := p.next(); err != nil {
				return nil, err
			}
			if p.sc.tok == tokComma {
				if err := p.next(); err != nil {
					return nil, err
				}
			}
		}
		if len(oc.Payoffs) < n {
			return nil, p.sc.expected(fmt.Sprintf("payoff %d of %d of outcome %d (a number)", len(oc.Payoffs)+1, n, len(t.list)+1))
		}
		if len(t.list) == MaxProfiles {
			return nil, p.sc.errorf(p.sc.tLine, p.sc.tCo, "too many outcomes: more than %d", MaxProfiles)
		}
		t.list = append(t.list, oc)
		t.text = append(t.text, text)
	}
	if !spelled {
		t.text = nil
	}
	t.index = make([]int32, 0, min(p.profiles, 1<<16))
	for {
		if err := p.next(); err != nil {
			return nil, err
		}
		if p.sc.tok == tokEOF {
			if len(t.index) < p.profiles {
				return nil, p.sc.expected(fmt.Sprintf("outcome number %d of %d (one per profile)", len(t.index)+1, p.profiles))
			}
			break
		}
		if len(t.index) == p.profiles {
			return nil, p.sc.expected(fmt.Sprintf("end of file after %s (one per profile)", counted(p.profiles, "outcome number")))
		}
		o, ok := digitsValue(p.sc.text)
		if p.sc.tok != tokWord || !ok {
			return nil, p.sc.expected(fmt.Sprintf("the outcome number of profile %d (0 to %d)", len(t.index)+1, len(t.list)))
		}
		if o > len(t.list) {
			return nil, p.sc.errorf(p.sc.tLine, p.sc.tCo, "outcome %d of profile %d out of range: the file lists %s", o, len(t.index)+1, counted(len(t.list), "outcome"))
		}
		t.index = append(t.index, int32(o))
	}
	pay := make([][]float64, n)
	for i := range pay {
		pay[i] = make([]float64, p.profiles)
	}
	g := p.newGame(pay)
	g.applyOutcomes(t)
	return g, nil
}

// digitsValue parses a non-empty run of at most 18 decimal digits.
func digitsValue(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	v := 0
	for _, c := range b {
		if !isDecimalDigit(c) {
			return 0, false
		}
		v = 10*v + int(c-'0')
	}
	return v, true
}

// counted returns "1 player", "2 players".
func counted(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
