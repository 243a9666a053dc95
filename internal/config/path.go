package config

import (
	"strconv"
	"strings"
)

// Path builds a field path the way the decoder records it: string elements
// are field names joined by dots, int elements are list indexes. A string
// element that starts with "[" is appended without a dot, so the result of
// [Key] can be used for map keys.
//
//	Path("algorithms", 2, "eta")       == "algorithms[2].eta"
//	Path("algorithms[2]", "eta")       == "algorithms[2].eta"
//	Path("games", Key("a b"), "k")     == `games["a b"].k`
func Path(elems ...any) string {
	var b strings.Builder
	for _, e := range elems {
		switch e := e.(type) {
		case int:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e))
			b.WriteByte(']')
		case string:
			if e == "" {
				continue
			}
			if b.Len() > 0 && !strings.HasPrefix(e, "[") {
				b.WriteByte('.')
			}
			b.WriteString(e)
		default:
			panic("config.Path: element must be string or int")
		}
	}
	return b.String()
}

// Key returns a map key as a path element: the key itself when it is made of
// letters, digits, '_' and '-' only, else the quoted key in brackets.
func Key(k string) string {
	if k != "" && plainKey(k) {
		return k
	}
	return "[" + strconv.Quote(k) + "]"
}

func plainKey(k string) bool {
	for _, r := range k {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
		default:
			return false
		}
	}
	return !strings.HasPrefix(k, "[")
}
