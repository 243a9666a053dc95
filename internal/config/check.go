package config

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Checker collects semantic problems found after decoding, each located at
// the value it concerns. Its methods return whether the check passed, so that
// dependent checks can be skipped. The zero Checker is not usable; get one
// from Doc.Check. A Checker is not safe for concurrent use.
type Checker struct {
	doc  *Doc
	errs ErrorList
}

// Check returns a Checker that locates its errors in d.
func (d *Doc) Check() *Checker { return &Checker{doc: d} }

// Err returns the problems found so far as an *ErrorList, in the order they
// were reported, or nil if there were none.
func (c *Checker) Err() error { return c.errs.err() }

// Errorf reports a problem with the value at path.
func (c *Checker) Errorf(path, format string, args ...any) {
	c.errs.add(c.doc.Errorf(path, format, args...))
}

// Add reports err as it is when it is a located *Error (or an *ErrorList,
// whose elements are added), or else as a problem with the value at path.
func (c *Checker) Add(path string, err error) {
	switch e := err.(type) {
	case nil:
	case *Error:
		c.errs.add(e)
	case *ErrorList:
		for _, x := range e.Errs {
			c.errs.add(x)
		}
		c.errs.Omitted += e.Omitted
	default:
		c.Errorf(path, "%v", err)
	}
}

// Require checks that ok holds, reporting "expected <want>, found <value>"
// otherwise. value is used when the path is absent from the file (it is then
// a default).
func (c *Checker) Require(ok bool, path, want string, value any) bool {
	if !ok {
		c.Errorf(path, "expected %s, found %s", want, c.found(path, value))
	}
	return ok
}

// Positive checks x > 0 (and finite).
func (c *Checker) Positive(path string, x float64) bool {
	return c.Require(x > 0 && !math.IsInf(x, 0), path, "a positive number", x)
}

// NonNegative checks x ≥ 0 (and finite).
func (c *Checker) NonNegative(path string, x float64) bool {
	return c.Require(x >= 0 && !math.IsInf(x, 0), path, "a non-negative number", x)
}

// Range checks lo ≤ x ≤ hi.
func (c *Checker) Range(path string, x, lo, hi float64) bool {
	return c.Require(x >= lo && x <= hi, path, fmt.Sprintf("a number in [%v, %v]", lo, hi), x)
}

// Probability checks 0 ≤ p ≤ 1.
func (c *Checker) Probability(path string, p float64) bool {
	return c.Require(p >= 0 && p <= 1, path, "a probability in [0, 1]", p)
}

// PositiveInt checks n ≥ 1.
func (c *Checker) PositiveInt(path string, n int) bool {
	return c.Require(n >= 1, path, "a positive integer", n)
}

// IntRange checks lo ≤ n ≤ hi.
func (c *Checker) IntRange(path string, n, lo, hi int) bool {
	return c.Require(n >= lo && n <= hi, path, fmt.Sprintf("an integer in [%d, %d]", lo, hi), n)
}

// OneOf checks that s is one of allowed.
func (c *Checker) OneOf(path, s string, allowed ...string) bool {
	return c.Require(slices.Contains(allowed, s), path, "one of "+strings.Join(allowed, ", "), s)
}

// Present checks that path was given in the file.
func (c *Checker) Present(path string) bool {
	if c.doc.Has(path) {
		return true
	}
	c.Errorf(path, "missing; this field is required")
	return false
}

// Absent checks that path was not given in the file; why completes the
// message, e.g. `not used by algorithm "spo"`.
func (c *Checker) Absent(path, why string) bool {
	if !c.doc.Has(path) {
		return true
	}
	c.Errorf(path, "%s", why)
	return false
}

// found describes the value at path: its text in the file if present, else
// value marked as the default.
func (c *Checker) found(path string, value any) string {
	if n, ok := c.doc.nodes[path]; ok {
		if n.Alias != nil {
			n = n.Alias
		}
		return describe(n)
	}
	var s string
	switch v := value.(type) {
	case string:
		s = strconv.Quote(v)
	case float64:
		s = strconv.FormatFloat(v, 'g', -1, 64)
	default:
		s = fmt.Sprint(v)
	}
	return s + " (the default)"
}
