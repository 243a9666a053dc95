package config

import (
	"fmt"
	"strings"
)

// MaxErrors bounds how many problems one Decode or Checker reports; the rest
// are summarized in a final line.
const MaxErrors = 20

// Error is one problem in a configuration file. Line and Column are 1-based;
// zero means unknown (Column is unknown for YAML syntax errors). Path is the
// field path such as "algorithms[2].eta", empty for the document itself.
type Error struct {
	File         string
	Line, Column int
	Path         string
	Msg          string
}

// Error formats the problem as "file:line:col: path: msg", leaving out the
// parts that are unknown.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "%d:", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, "%d:", e.Column)
		}
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is what Decode, Load and Checker.Err return when anything is
// wrong: the problems in document order, at most MaxErrors of them. It
// unwraps to its elements, so errors.As(err, &e) with e a *Error finds the
// first.
type ErrorList struct {
	Errs    []*Error
	Omitted int // problems found beyond MaxErrors
}

// Error lists the problems one per line.
func (l *ErrorList) Error() string {
	parts := make([]string, 0, len(l.Errs)+1)
	for _, e := range l.Errs {
		parts = append(parts, e.Error())
	}
	if l.Omitted > 0 {
		parts = append(parts, fmt.Sprintf("(and %d more problems)", l.Omitted))
	}
	return strings.Join(parts, "\n")
}

// Unwrap returns the individual errors.
func (l *ErrorList) Unwrap() []error {
	out := make([]error, len(l.Errs))
	for i, e := range l.Errs {
		out[i] = e
	}
	return out
}

func (l *ErrorList) add(e *Error) {
	if len(l.Errs) >= MaxErrors {
		l.Omitted++
		return
	}
	l.Errs = append(l.Errs, e)
}

// err returns l as an error, or nil when it holds no problems.
func (l *ErrorList) err() error {
	if len(l.Errs) == 0 {
		return nil
	}
	return l
}
