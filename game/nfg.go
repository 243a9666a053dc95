package game

import (
	"bytes"
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
	src, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// A UTF-8 byte order mark is not part of the text.
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	p := &nfgParser{sc: nfgScanner{src: src, file: name, line: 1}}
	return p.parse()
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
	src       []byte
	file      string
	pos       int
	line      int // line of src[pos]
	lineStart int // offset of the first byte of that line

	tok          nfgToken
	text         []byte // word or string contents (unescaped); valid until the next token
	tLine, tCol  int    // position of the token
	unescapedBuf []byte
}

func nfgIsSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func (s *nfgScanner) errorf(line, col int, format string, args ...any) *SyntaxError {
	return &SyntaxError{File: s.file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// next scans the next token.
func (s *nfgScanner) next() error {
	src := s.src
	for s.pos < len(src) && nfgIsSpace(src[s.pos]) {
		if src[s.pos] == '\n' {
			s.line++
			s.lineStart = s.pos + 1
		}
		s.pos++
	}
	s.tLine, s.tCol = s.line, s.pos-s.lineStart+1
	if s.pos == len(src) {
		s.tok, s.text = tokEOF, nil
		return nil
	}
	start := s.pos
	s.pos++
	switch src[start] {
	case '{':
		s.tok = tokLBrace
	case '}':
		s.tok = tokRBrace
	case ',':
		s.tok = tokComma
	case '"':
		s.tok = tokString
		return s.scanString()
	default:
		s.tok = tokWord
		for s.pos < len(src) {
			c := src[s.pos]
			if nfgIsSpace(c) || c == '{' || c == '}' || c == ',' || c == '"' {
				break
			}
			s.pos++
		}
		s.text = src[start:s.pos]
		if len(s.text) > maxNumberLen {
			return s.errorf(s.tLine, s.tCol, "expected a number or keyword, found a run of more than %d characters", maxNumberLen)
		}
	}
	return nil
}

// scanString scans a quoted string's contents after the opening quote.
// \" and \\ are escapes; a backslash before anything else is itself.
func (s *nfgScanner) scanString() error {
	src := s.src
	start := s.pos
	escaped := false
	for ; s.pos < len(src); s.pos++ {
		switch src[s.pos] {
		case '"':
			s.text = src[start:s.pos]
			s.pos++
			if escaped {
				s.text = s.unescape(s.text)
			}
			return nil
		case '\\':
			if s.pos+1 < len(src) && (src[s.pos+1] == '"' || src[s.pos+1] == '\\') {
				escaped = true
				s.pos++
			}
		case '\n':
			s.line++
			s.lineStart = s.pos + 1
		}
	}
	return s.errorf(s.tLine, s.tCol, "unterminated string: expected a closing quote, found end of file")
}

func (s *nfgScanner) unescape(b []byte) []byte {
	out := s.unescapedBuf[:0]
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) && (b[i+1] == '"' || b[i+1] == '\\') {
			i++
		}
		out = append(out, b[i])
	}
	s.unescapedBuf = out
	return out
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
	return s.errorf(s.tLine, s.tCol, "expected %s, found %s", what, s.describe())
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
	line, col := p.sc.tLine, p.sc.tCol
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
	t := &outcomeTable{n: n}
	var exact []*big.Rat // grown with t.pay once a payoff needs it
	for {
		if err := p.next(); err != nil {
			return nil, err
		}
		if p.sc.tok == tokRBrace {
			break
		}
		o := len(t.labels) + 1
		if p.sc.tok != tokLBrace {
			return nil, p.sc.expected(`an outcome ("{") or "}" after the outcomes`)
		}
		if o > MaxProfiles {
			return nil, p.sc.errorf(p.sc.tLine, p.sc.tCol, "too many outcomes: more than %d", MaxProfiles)
		}
		if err := p.next(); err != nil {
			return nil, err
		}
		if p.sc.tok != tokString {
			return nil, p.sc.expected(fmt.Sprintf("the name of outcome %d (a quoted string)", o))
		}
		t.labels = append(t.labels, string(p.sc.text))
		if err := p.next(); err != nil {
			return nil, err
		}
		for i := 0; ; i++ {
			if p.sc.tok == tokRBrace && i == n {
				break
			}
			if i == n {
				return nil, p.sc.expected(fmt.Sprintf(`"}" after %s of outcome %d`, counted(n, "payoff"), o))
			}
			if p.sc.tok != tokWord {
				return nil, p.sc.expected(fmt.Sprintf("payoff %d of %d of outcome %d (a number)", i+1, n, o))
			}
			num, what := parseNFGNumber(p.sc.text)
			if what != "" {
				return nil, p.sc.expected(what)
			}
			t.pay = append(t.pay, num.f)
			if num.exact != nil && exact == nil {
				exact = make([]*big.Rat, len(t.pay)-1, cap(t.pay))
			}
			if exact != nil {
				exact = append(exact, num.exact)
			}
			if num.spell != "" && t.text == nil {
				t.text = make([]string, len(t.pay)-1, cap(t.pay))
			}
			if t.text != nil {
				t.text = append(t.text, num.spell)
			}
			if err := p.next(); err != nil {
				return nil, err
			}
			if p.sc.tok == tokComma {
				if err := p.next(); err != nil {
					return nil, err
				}
			}
		}
	}
	t.exact = exact
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
			return nil, p.sc.expected(fmt.Sprintf("the outcome number of profile %d (0 to %d)", len(t.index)+1, len(t.labels)))
		}
		if o > len(t.labels) {
			return nil, p.sc.errorf(p.sc.tLine, p.sc.tCol, "outcome %d of profile %d out of range: the file lists %s", o, len(t.index)+1, counted(len(t.labels), "outcome"))
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
