package config

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// structInfo maps the YAML field names of a struct type to field indexes.
type structInfo struct {
	fields map[string][]int
	names  []string // sorted, for messages
	rest   []int    // index of the ",inline" map that takes unknown keys, if any
}

// structInfo returns the field table of struct type t, following the naming
// rules of go.yaml.in/yaml/v3 so that Marshal writes what Decode reads.
func (d *Doc) structInfo(t reflect.Type) (*structInfo, error) {
	if info, ok := d.types[t]; ok {
		return info, nil
	}
	info := &structInfo{fields: map[string][]int{}}
	if err := info.add(t, nil); err != nil {
		return nil, err
	}
	for name := range info.fields {
		info.names = append(info.names, name)
	}
	slices.Sort(info.names)
	d.types[t] = info
	return info, nil
}

func (info *structInfo) add(t reflect.Type, prefix []int) error {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.PkgPath != "" && !f.Anonymous {
			continue // unexported
		}
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, flags, _ := strings.Cut(tag, ",")
		index := append(slices.Clone(prefix), i)
		if slices.Contains(strings.Split(flags, ","), "inline") {
			switch {
			case f.Type.Kind() == reflect.Struct:
				if err := info.add(f.Type, index); err != nil {
					return err
				}
			case f.Type.Kind() == reflect.Map && f.Type.Key().Kind() == reflect.String && info.rest == nil:
				info.rest = index
			default:
				return fmt.Errorf("config: %s.%s: inline needs a struct or one map with string keys", t, f.Name)
			}
			continue
		}
		if f.PkgPath != "" {
			continue // unexported embedded type without inline
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		if _, dup := info.fields[name]; dup {
			return fmt.Errorf("config: %s: two fields named %q", t, name)
		}
		info.fields[name] = index
	}
	return nil
}

// suggest returns the text after "unknown field" for name: the closest known
// field when there is a near miss, else the list of known fields.
func (info *structInfo) suggest(name string) string {
	if len(info.names) == 0 {
		return "; this section takes no fields"
	}
	best, bestDist := "", 3
	for _, f := range info.names {
		if d := editDistance(strings.ToLower(name), f); d < bestDist {
			best, bestDist = f, d
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return "; expected one of: " + strings.Join(info.names, ", ")
}

// editDistance is the Levenshtein distance between a and b in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
