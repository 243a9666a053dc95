package config

import (
	"bytes"
	"cmp"
	"encoding"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// maxNodes bounds the nodes one Decode visits, counting every expansion of
// an alias, so that a small file cannot expand into a huge value.
const maxNodes = 1 << 20

// Defaulter is implemented by configuration structs whose zero value is not
// their default. Decode calls SetDefaults on each struct it creates itself
// (slice and map elements, targets of nil pointers) before filling it from
// the file; the top-level value is never reset.
type Defaulter interface {
	SetDefaults()
}

// Doc is a decoded configuration file. It remembers the YAML node of every
// decoded path, so that checks made after decoding can point at the value in
// the file. A Doc is not safe for concurrent use.
type Doc struct {
	file  string
	root  *yaml.Node
	nodes map[string]*yaml.Node // value node of each decoded path
	keys  map[string]*yaml.Node // key node of each decoded mapping entry
	types map[reflect.Type]*structInfo
}

// Load reads the YAML file at path and decodes it strictly into v, which must
// be a non-nil pointer. See Decode.
func Load(path string, v any) (*Doc, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Decode(path, data, v)
}

// Decode decodes the single YAML document in data strictly into v, a non-nil
// pointer. file names the source in error messages. Fields absent from the
// document keep the values v already has. On failure the error is an
// *ErrorList and v may be partly filled; the Doc is returned either way when
// the YAML itself parsed, so callers can still locate paths.
func Decode(file string, data []byte, v any) (*Doc, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return nil, fmt.Errorf("config.Decode: need a non-nil pointer, got %T", v)
	}
	root, err := parse(file, data)
	if err != nil {
		return nil, err
	}
	doc := &Doc{
		file:  file,
		root:  root,
		nodes: map[string]*yaml.Node{},
		keys:  map[string]*yaml.Node{},
		types: map[reflect.Type]*structInfo{},
	}
	return doc, doc.decode("", root, rv.Elem())
}

// DecodeNode decodes n, a node of this document found at path (typically
// kept in a yaml.Node field or an inline map), strictly into v, a non-nil
// pointer. Errors and recorded positions carry path as their prefix. This is
// how a runner decodes polymorphic sections, such as hyperparameters whose
// fields depend on the algorithm's name.
func (d *Doc) DecodeNode(path string, n *yaml.Node, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("config.DecodeNode: need a non-nil pointer, got %T", v)
	}
	return d.decode(path, n, rv.Elem())
}

// DecodeFields decodes fields, the entries that a struct at path collected
// in its `yaml:",inline"` map, strictly into v, a non-nil pointer to a
// struct, as if they had been written as a mapping of their own: unknown
// keys are errors located at the key in the file. Runners use it for
// sections whose fields depend on a value decoded first, such as an
// algorithm's hyperparameters.
func (d *Doc) DecodeFields(path string, fields map[string]yaml.Node, v any) error {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if n, ok := d.nodes[path]; ok {
		m.Line, m.Column = n.Line, n.Column
	}
	type entry struct{ key, value *yaml.Node }
	entries := make([]entry, 0, len(fields))
	for k, v := range fields {
		key := d.keys[Path(path, Key(k))]
		if key == nil {
			key = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k, Line: v.Line, Column: v.Column}
		}
		entries = append(entries, entry{key, &v})
	}
	slices.SortFunc(entries, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.key.Line, b.key.Line), cmp.Compare(a.key.Column, b.key.Column),
			cmp.Compare(a.key.Value, b.key.Value))
	})
	for _, e := range entries {
		m.Content = append(m.Content, e.key, e.value)
	}
	return d.DecodeNode(path, m, v)
}

func (d *Doc) decode(path string, n *yaml.Node, out reflect.Value) error {
	dec := &decoder{doc: d, budget: maxNodes, expanding: map[*yaml.Node]bool{}}
	dec.unmarshal(path, n, out)
	return dec.errs.err()
}

// File returns the file name given to Decode or Load.
func (d *Doc) File() string { return d.file }

// Has reports whether path was present in the document (and decoded).
func (d *Doc) Has(path string) bool {
	_, ok := d.nodes[path]
	return ok
}

// Pos returns the line and column of the value at path. For a path absent
// from the document it returns the position of the nearest enclosing value
// that is present, and ok is false.
func (d *Doc) Pos(path string) (line, col int, ok bool) {
	n, exact := d.lookup(path)
	if n == nil {
		return 0, 0, false
	}
	return n.Line, n.Column, exact
}

// Errorf returns an error located at the value at path (or at its nearest
// present ancestor when path is absent).
func (d *Doc) Errorf(path, format string, args ...any) *Error {
	n, _ := d.lookup(path)
	return d.errorAt(n, path, fmt.Sprintf(format, args...))
}

func (d *Doc) lookup(path string) (n *yaml.Node, exact bool) {
	if n, ok := d.nodes[path]; ok {
		return n, true
	}
	for p := parent(path); ; p = parent(p) {
		if n, ok := d.nodes[p]; ok {
			return n, false
		}
		if p == "" {
			return d.root, false
		}
	}
}

// parent strips the last element of a path: "a.b[2]" → "a.b" → "a" → "".
func parent(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

func (d *Doc) errorAt(n *yaml.Node, path, msg string) *Error {
	e := &Error{File: d.file, Path: path, Msg: msg}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	return e
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parse returns the document node of the single YAML document in data.
func parse(file string, data []byte) (root *yaml.Node, err error) {
	syntax := func(err error) error {
		msg := err.Error()
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			return &ErrorList{Errs: []*Error{{File: file, Line: line, Msg: m[2]}}}
		}
		return &ErrorList{Errs: []*Error{{File: file, Msg: strings.TrimPrefix(msg, "yaml: ")}}}
	}
	// The YAML library reports malformed input by panicking internally and
	// recovering; should anything escape, it is still bad input, not a crash.
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, syntax(fmt.Errorf("yaml: unreadable document: %v", r))
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &ErrorList{Errs: []*Error{{File: file, Msg: "empty document: expected a YAML mapping"}}}
		}
		return nil, syntax(err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, syntax(err)
	default:
		return nil, &ErrorList{Errs: []*Error{{File: file, Line: next.Line, Column: next.Column,
			Msg: "a second YAML document: expected exactly one"}}}
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		return doc.Content[0], nil
	}
	return &doc, nil
}

type decoder struct {
	doc       *Doc
	errs      ErrorList
	budget    int
	expanding map[*yaml.Node]bool // anchors being expanded, to catch alias cycles
}

func (dec *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	dec.errs.add(dec.doc.errorAt(n, path, fmt.Sprintf(format, args...)))
}

var (
	nodeType        = reflect.TypeFor[yaml.Node]()
	durationType    = reflect.TypeFor[time.Duration]()
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
	textType        = reflect.TypeFor[encoding.TextUnmarshaler]()
	defaulterType   = reflect.TypeFor[Defaulter]()
)

// unmarshal decodes n into out, which must be settable.
func (dec *decoder) unmarshal(path string, n *yaml.Node, out reflect.Value) {
	if dec.budget <= 0 {
		return
	}
	dec.budget--
	if dec.budget == 0 {
		dec.fail(n, path, "document too large (more than %d values after expanding aliases)", maxNodes)
		return
	}
	dec.doc.nodes[path] = n
	if n.Kind == yaml.AliasNode {
		target := n.Alias
		if target == nil || dec.expanding[target] {
			dec.fail(n, path, "alias *%s refers to a value that contains it", n.Value)
			return
		}
		dec.expanding[target] = true
		defer delete(dec.expanding, target)
		n = target
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) != 1 {
			dec.fail(n, path, "empty document: expected a YAML mapping")
			return
		}
		n = n.Content[0]
	}

	if out.Type() == nodeType {
		out.Set(reflect.ValueOf(*n))
		return
	}
	if out.Kind() != reflect.Pointer && out.CanAddr() {
		addr := out.Addr()
		if addr.Type().Implements(unmarshalerType) {
			if err := addr.Interface().(yaml.Unmarshaler).UnmarshalYAML(n); err != nil {
				var ce *Error
				if errors.As(err, &ce) {
					dec.errs.add(ce)
				} else {
					dec.fail(n, path, "%v", err)
				}
			}
			return
		}
		if addr.Type().Implements(textType) {
			dec.scalar(path, n, out)
			return
		}
	}

	switch out.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			out.SetZero()
			return
		}
		if out.IsNil() {
			out.Set(newValue(out.Type().Elem()).Addr())
		}
		dec.unmarshal(path, n, out.Elem())
	case reflect.Struct:
		dec.structure(path, n, out)
	case reflect.Map:
		dec.mapping(path, n, out)
	case reflect.Slice:
		dec.slice(path, n, out)
	case reflect.Array:
		dec.array(path, n, out)
	case reflect.Interface:
		if out.NumMethod() != 0 {
			dec.fail(n, path, "config: cannot decode into Go interface type %s", out.Type())
			return
		}
		var v any
		if err := n.Decode(&v); err != nil {
			dec.fail(n, path, "%s", strings.TrimPrefix(err.Error(), "yaml: "))
			return
		}
		if v == nil {
			out.SetZero()
		} else {
			out.Set(reflect.ValueOf(v))
		}
	case reflect.Bool, reflect.String, reflect.Float32, reflect.Float64,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		dec.scalar(path, n, out)
	default:
		dec.fail(n, path, "config: cannot decode into Go type %s", out.Type())
	}
}

// newValue returns a settable new value of type t with its defaults set.
func newValue(t reflect.Type) reflect.Value {
	p := reflect.New(t)
	if p.Type().Implements(defaulterType) {
		p.Interface().(Defaulter).SetDefaults()
	}
	return p.Elem()
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// scalar decodes a scalar node with the YAML library's own rules for the
// target type, replacing its messages by ones that say what was expected.
func (dec *decoder) scalar(path string, n *yaml.Node, out reflect.Value) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		dec.fail(n, path, "expected %s, found %s", expected(out.Type()), describe(n))
		return
	}
	tmp := reflect.New(out.Type())
	if err := n.Decode(tmp.Interface()); err != nil {
		if rangeErr(n, out.Type()) {
			dec.fail(n, path, "%s is out of range for %s", n.Value, out.Type())
		} else {
			dec.fail(n, path, "expected %s, found %s", expected(out.Type()), describe(n))
		}
		return
	}
	if n.ShortTag() == "!!float" && isInt(out.Kind()) {
		// The YAML library truncates 1.5 to 1; only whole numbers such as 1e3 are integers.
		var f float64
		if n.Decode(&f) != nil || f != float64(toInt(tmp.Elem())) {
			dec.fail(n, path, "expected %s, found %s", expected(out.Type()), describe(n))
			return
		}
	}
	out.Set(tmp.Elem())
}

func isInt(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	}
	return false
}

func toInt(v reflect.Value) float64 {
	if v.CanInt() {
		return float64(v.Int())
	}
	return float64(v.Uint())
}

// rangeErr reports whether n is a number of the right kind for t that
// nevertheless failed to decode, i.e. it does not fit.
func rangeErr(n *yaml.Node, t reflect.Type) bool {
	if n.ShortTag() != "!!int" {
		return false
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return t != durationType
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return !strings.HasPrefix(n.Value, "-")
	}
	return false
}

// expected names what a value of type t looks like in YAML.
func expected(t reflect.Type) string {
	if t == durationType {
		return "a duration such as 1.5s or 200ms"
	}
	if reflect.PointerTo(t).Implements(textType) {
		return "a string (" + t.String() + ")"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "a non-negative integer"
	case reflect.Struct, reflect.Map:
		return "a mapping"
	case reflect.Slice, reflect.Array:
		return "a list"
	}
	return "a value of type " + t.String()
}

// describe says what a node is, for "found …" in messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "alias *" + n.Value
	case yaml.ScalarNode:
		if isNull(n) {
			if n.Value == "" {
				return "nothing"
			}
			return "null"
		}
		v := n.Value
		if len(v) > 40 {
			v = v[:37] + "..."
		}
		if n.ShortTag() == "!!str" {
			return strconv.Quote(v)
		}
		return v
	}
	return "an empty document"
}

// pair is one key/value entry of a mapping after merge keys are expanded.
type pair struct{ key, value *yaml.Node }

// pairs returns the entries of mapping n, expanding "<<" merge keys: keys
// written in n win over merged ones, and earlier merged mappings win over
// later ones. Duplicate explicit keys are reported.
func (dec *decoder) pairs(path string, n *yaml.Node) []pair {
	explicit := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			continue
		}
		if k.Kind != yaml.ScalarNode {
			continue // reported by the caller
		}
		if first, dup := explicit[k.Value]; dup {
			dec.fail(k, Path(path, Key(k.Value)), "duplicate key (first at line %d)", first.Line)
			continue
		}
		explicit[k.Value] = k
	}
	var out []pair
	merged := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			for _, src := range dec.mergeSources(path, v) {
				if dec.expanding[src] {
					dec.fail(k, path, "merge key <<: the merged mapping contains this one")
					continue
				}
				dec.expanding[src] = true
				for _, p := range dec.pairs(path, src) {
					if p.key.Kind == yaml.ScalarNode && (explicit[p.key.Value] != nil || merged[p.key.Value]) {
						continue
					}
					merged[p.key.Value] = true
					out = append(out, p)
				}
				delete(dec.expanding, src)
			}
			continue
		}
		if k.Kind == yaml.ScalarNode && explicit[k.Value] != k {
			continue // a duplicate, already reported
		}
		out = append(out, pair{k, v})
	}
	return out
}

// mergeSources returns the mappings named by the value of a "<<" key.
func (dec *decoder) mergeSources(path string, v *yaml.Node) []*yaml.Node {
	resolve := func(n *yaml.Node) *yaml.Node {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			return n.Alias
		}
		return n
	}
	v = resolve(v)
	var list []*yaml.Node
	switch v.Kind {
	case yaml.MappingNode:
		list = []*yaml.Node{v}
	case yaml.SequenceNode:
		for _, s := range v.Content {
			list = append(list, resolve(s))
		}
	default:
		dec.fail(v, path, "merge key <<: expected a mapping or a list of mappings, found %s", describe(v))
		return nil
	}
	for _, m := range list {
		if m.Kind != yaml.MappingNode {
			dec.fail(m, path, "merge key <<: expected a mapping, found %s", describe(m))
			return nil
		}
		if dec.budget--; dec.budget <= 0 {
			return nil
		}
	}
	return list
}

func (dec *decoder) structure(path string, n *yaml.Node, out reflect.Value) {
	if isNull(n) {
		return // an empty section keeps its defaults
	}
	if n.Kind != yaml.MappingNode {
		dec.fail(n, path, "expected a mapping of fields, found %s", describe(n))
		return
	}
	info, err := dec.doc.structInfo(out.Type())
	if err != nil {
		dec.fail(n, path, "%v", err)
		return
	}
	for _, p := range dec.pairs(path, n) {
		if p.key.Kind != yaml.ScalarNode {
			dec.fail(p.key, path, "expected a field name, found %s", describe(p.key))
			continue
		}
		name := p.key.Value
		fpath := Path(path, Key(name))
		dec.doc.keys[fpath] = p.key
		if f, ok := info.fields[name]; ok {
			dec.unmarshal(fpath, p.value, out.FieldByIndex(f))
			continue
		}
		if info.rest != nil {
			m := out.FieldByIndex(info.rest)
			if m.IsNil() {
				m.Set(reflect.MakeMap(m.Type()))
			}
			dec.mapEntry(fpath, name, p.value, m)
			continue
		}
		dec.fail(p.key, fpath, "unknown field%s", info.suggest(name))
	}
}

func (dec *decoder) mapping(path string, n *yaml.Node, out reflect.Value) {
	if isNull(n) {
		out.SetZero()
		return
	}
	if n.Kind != yaml.MappingNode {
		dec.fail(n, path, "expected a mapping, found %s", describe(n))
		return
	}
	if out.IsNil() {
		out.Set(reflect.MakeMap(out.Type()))
	}
	for _, p := range dec.pairs(path, n) {
		if p.key.Kind != yaml.ScalarNode {
			dec.fail(p.key, path, "expected a scalar key, found %s", describe(p.key))
			continue
		}
		kpath := Path(path, Key(p.key.Value))
		dec.doc.keys[kpath] = p.key
		dec.mapEntry(kpath, p.key.Value, p.value, out)
	}
}

// mapEntry decodes key and value into map m, starting from the entry m
// already has (a default) if any.
func (dec *decoder) mapEntry(path, key string, value *yaml.Node, m reflect.Value) {
	kt := m.Type().Key()
	k := reflect.New(kt).Elem()
	if kt.Kind() == reflect.String {
		k.SetString(key)
	} else {
		keyNode := &yaml.Node{Kind: yaml.ScalarNode, Value: key, Line: value.Line, Column: value.Column}
		if kn := dec.doc.keys[path]; kn != nil {
			keyNode = kn
		}
		before := len(dec.errs.Errs) + dec.errs.Omitted
		dec.scalar(path, keyNode, k)
		if len(dec.errs.Errs)+dec.errs.Omitted != before {
			return
		}
	}
	v := newValue(m.Type().Elem())
	if old := m.MapIndex(k); old.IsValid() {
		v.Set(old)
	}
	dec.unmarshal(path, value, v)
	m.SetMapIndex(k, v)
}

func (dec *decoder) slice(path string, n *yaml.Node, out reflect.Value) {
	if isNull(n) {
		out.SetZero()
		return
	}
	if n.Kind != yaml.SequenceNode {
		dec.fail(n, path, "expected a list, found %s", describe(n))
		return
	}
	s := reflect.MakeSlice(out.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		s.Index(i).Set(newValue(out.Type().Elem()))
		dec.unmarshal(Path(path, i), item, s.Index(i))
	}
	out.Set(s)
}

func (dec *decoder) array(path string, n *yaml.Node, out reflect.Value) {
	if n.Kind != yaml.SequenceNode || len(n.Content) != out.Len() {
		dec.fail(n, path, "expected a list of %d items, found %s", out.Len(), describeLen(n))
		return
	}
	for i, item := range n.Content {
		dec.unmarshal(Path(path, i), item, out.Index(i))
	}
}

func describeLen(n *yaml.Node) string {
	if n.Kind == yaml.SequenceNode {
		return fmt.Sprintf("%d items", len(n.Content))
	}
	return describe(n)
}
