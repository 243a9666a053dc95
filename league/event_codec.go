package league

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/vmihailenco/msgpack/v5"
)

// Wire format of an event (the payload of one log entry):
//
//	byte 0     event type (EventType), ORed with FlagIgnoreUnknown for
//	           optional types that older nodes may skip
//	bytes 1…   a msgpack map from field name to value; zero-valued fields
//	           are omitted, unknown fields are skipped when decoding (so a
//	           newer node may add fields), a repeated field is an error.
//
// Field names and value types are fixed per event type: strings (ids,
// roles), unsigned or signed integers (steps, outcomes, times), 32-byte bin
// (parameter hashes) and string→string maps (metadata, settings). The
// encoding of a given event is canonical: fields in declaration order, map
// entries sorted by key, integers in their shortest form.

// DecodeError locates a malformed encoded event.
type DecodeError struct {
	Type   EventType // 0 if the type byte itself was bad
	Field  string    // the field being decoded, "" for the envelope
	Offset int       // byte offset of the offending value in the input
	Err    error
}

func (e *DecodeError) Error() string {
	var b bytes.Buffer
	b.WriteString("league: decode event")
	if e.Type != 0 {
		fmt.Fprintf(&b, " %s", e.Type)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ", field %q", e.Field)
	}
	fmt.Fprintf(&b, " at byte %d: %v", e.Offset, e.Err)
	return b.String()
}

func (e *DecodeError) Unwrap() error { return e.Err }

// EncodeEvent encodes ev for a log entry. It validates the event first, so
// a malformed event never reaches the log.
func EncodeEvent(ev Event) ([]byte, error) {
	if ev == nil {
		return nil, fmt.Errorf("league: %w: nil event", ErrInvalidEvent)
	}
	if err := ev.check(); err != nil {
		return nil, fmt.Errorf("league: encode %s: %w", ev.Type(), err)
	}
	if u, ok := ev.(*UnknownEvent); ok {
		return append([]byte{byte(u.EventType) | FlagIgnoreUnknown}, u.Body...), nil
	}
	var buf bytes.Buffer
	buf.WriteByte(byte(ev.Type()))
	enc := msgpack.NewEncoder(&buf)
	var n fieldCounter
	ev.fields(&n)
	w := fieldWriter{enc: enc}
	w.err = enc.EncodeMapLen(int(n))
	ev.fields(&w)
	if w.err != nil {
		return nil, fmt.Errorf("league: encode %s: %w", ev.Type(), w.err)
	}
	if buf.Len() > MaxEventSize {
		return nil, fmt.Errorf("league: encode %s: %d bytes: %w (at most %d)", ev.Type(), buf.Len(), ErrLimit, MaxEventSize)
	}
	return buf.Bytes(), nil
}

// maxFields bounds the number of map entries of an event body, known or not.
const maxFields = 64

// DecodeEvent decodes an event encoded by EncodeEvent and validates its
// fields. An unknown type with FlagIgnoreUnknown decodes to *UnknownEvent;
// without the flag it fails with ErrUnknownEvent. Errors are *DecodeError
// naming the field and byte offset; a field that decodes but holds a bad
// value also wraps a *FieldError (and so ErrInvalidEvent).
func DecodeEvent(b []byte) (Event, error) {
	if len(b) == 0 {
		return nil, &DecodeError{Err: errors.New("empty input; expected a type byte")}
	}
	if len(b) > MaxEventSize {
		return nil, &DecodeError{Err: fmt.Errorf("%d bytes: %w (at most %d)", len(b), ErrLimit, MaxEventSize)}
	}
	t := EventType(b[0] &^ FlagIgnoreUnknown)
	ev := newEvent(t)
	if ev == nil {
		if b[0]&FlagIgnoreUnknown != 0 && t != 0 {
			return &UnknownEvent{EventType: t, Body: bytes.Clone(b[1:])}, nil
		}
		return nil, &DecodeError{Err: fmt.Errorf("%w %d (flag ignore-if-unknown not set)", ErrUnknownEvent, b[0])}
	}
	r := bytes.NewReader(b[1:])
	d := msgpack.NewDecoder(r)
	offset := func() int { return len(b) - r.Len() }

	n, err := d.DecodeMapLen()
	if err != nil {
		return nil, &DecodeError{Type: t, Offset: 1, Err: fmt.Errorf("expected a msgpack map: %w", err)}
	}
	if n > maxFields {
		return nil, &DecodeError{Type: t, Offset: 1, Err: fmt.Errorf("map of %d fields: %w (at most %d)", n, ErrLimit, maxFields)}
	}
	reg := fieldReader{decoders: make(map[string]func(*msgpack.Decoder) error)}
	ev.fields(&reg)
	at := make(map[string]int, n)
	for range max(n, 0) {
		start := offset()
		key, err := d.DecodeString()
		if err != nil {
			return nil, &DecodeError{Type: t, Offset: start, Err: fmt.Errorf("expected a field name: %w", err)}
		}
		if _, dup := at[key]; dup {
			return nil, &DecodeError{Type: t, Field: key, Offset: start, Err: errors.New("field repeated")}
		}
		at[key] = offset()
		dec, known := reg.decoders[key]
		if !known {
			if err := d.Skip(); err != nil {
				return nil, &DecodeError{Type: t, Field: key, Offset: at[key], Err: err}
			}
			continue
		}
		if err := dec(d); err != nil {
			return nil, &DecodeError{Type: t, Field: key, Offset: at[key], Err: err}
		}
	}
	if r.Len() != 0 {
		return nil, &DecodeError{Type: t, Offset: offset(), Err: fmt.Errorf("%d trailing bytes after the field map", r.Len())}
	}
	if err := ev.check(); err != nil {
		de := &DecodeError{Type: t, Err: err}
		var fe *FieldError
		if errors.As(err, &fe) {
			de.Field = fe.Field
			if i := bytes.IndexByte([]byte(fe.Field), '.'); i >= 0 {
				de.Offset = at[fe.Field[:i]]
			} else {
				de.Offset = at[fe.Field]
			}
		}
		return nil, de
	}
	return ev, nil
}

// fieldCounter counts the fields an encoding will write.
type fieldCounter int

func (c *fieldCounter) str(_ string, p *string) {
	if *p != "" {
		*c++
	}
}
func (c *fieldCounter) u8(_ string, p *uint8) {
	if *p != 0 {
		*c++
	}
}
func (c *fieldCounter) u64(_ string, p *uint64) {
	if *p != 0 {
		*c++
	}
}
func (c *fieldCounter) i64(_ string, p *int64) {
	if *p != 0 {
		*c++
	}
}
func (c *fieldCounter) hash(_ string, p *Hash) {
	if !p.IsZero() {
		*c++
	}
}
func (c *fieldCounter) strMap(_ string, p *map[string]string, _ int) {
	if len(*p) > 0 {
		*c++
	}
}

// fieldWriter writes the non-zero fields; the first error sticks.
type fieldWriter struct {
	enc *msgpack.Encoder
	err error
}

func (w *fieldWriter) key(name string) bool {
	if w.err == nil {
		w.err = w.enc.EncodeString(name)
	}
	return w.err == nil
}

func (w *fieldWriter) str(name string, p *string) {
	if *p != "" && w.key(name) {
		w.err = w.enc.EncodeString(*p)
	}
}
func (w *fieldWriter) u8(name string, p *uint8) {
	if *p != 0 && w.key(name) {
		w.err = w.enc.EncodeUint(uint64(*p))
	}
}
func (w *fieldWriter) u64(name string, p *uint64) {
	if *p != 0 && w.key(name) {
		w.err = w.enc.EncodeUint(*p)
	}
}
func (w *fieldWriter) i64(name string, p *int64) {
	if *p != 0 && w.key(name) {
		w.err = w.enc.EncodeInt(*p)
	}
}
func (w *fieldWriter) hash(name string, p *Hash) {
	if !p.IsZero() && w.key(name) {
		w.err = w.enc.EncodeBytes(p[:])
	}
}
func (w *fieldWriter) strMap(name string, p *map[string]string, _ int) {
	if len(*p) == 0 || !w.key(name) {
		return
	}
	if w.err = w.enc.EncodeMapLen(len(*p)); w.err != nil {
		return
	}
	for _, k := range sortedKeys(*p) {
		if w.err = w.enc.EncodeString(k); w.err == nil {
			w.err = w.enc.EncodeString((*p)[k])
		}
		if w.err != nil {
			return
		}
	}
}

// fieldReader registers one decoder per field name.
type fieldReader struct {
	decoders map[string]func(*msgpack.Decoder) error
}

func (r *fieldReader) str(name string, p *string) {
	r.decoders[name] = func(d *msgpack.Decoder) error {
		s, err := d.DecodeString()
		if err != nil {
			return fmt.Errorf("expected a string: %w", err)
		}
		if len(s) > MaxSettingLen+MaxMetaValLen {
			return fmt.Errorf("string of %d bytes: %w", len(s), ErrLimit)
		}
		*p = s
		return nil
	}
}

func (r *fieldReader) u8(name string, p *uint8) {
	r.decoders[name] = func(d *msgpack.Decoder) error {
		x, err := d.DecodeInt64()
		if err != nil {
			return fmt.Errorf("expected an integer: %w", err)
		}
		if x < 0 || x > 255 {
			return fmt.Errorf("integer %d out of range [0, 255]", x)
		}
		*p = uint8(x)
		return nil
	}
}

func (r *fieldReader) u64(name string, p *uint64) {
	r.decoders[name] = func(d *msgpack.Decoder) error {
		c, err := d.PeekCode()
		if err != nil {
			return fmt.Errorf("expected an unsigned integer: %w", err)
		}
		if isNegativeIntCode(c) {
			return errors.New("expected an unsigned integer, got a negative one")
		}
		x, err := d.DecodeUint64()
		if err != nil {
			return fmt.Errorf("expected an unsigned integer: %w", err)
		}
		*p = x
		return nil
	}
}

// isNegativeIntCode reports msgpack codes that may carry a negative integer:
// negative fixint and the signed int8..int64 families (whose value the
// decoder would otherwise reinterpret as a huge unsigned one).
func isNegativeIntCode(c byte) bool {
	return c >= 0xe0 || (c >= 0xd0 && c <= 0xd3)
}

func (r *fieldReader) i64(name string, p *int64) {
	r.decoders[name] = func(d *msgpack.Decoder) error {
		x, err := d.DecodeInt64()
		if err != nil {
			return fmt.Errorf("expected an integer: %w", err)
		}
		*p = x
		return nil
	}
}

func (r *fieldReader) hash(name string, p *Hash) {
	r.decoders[name] = func(d *msgpack.Decoder) error {
		b, err := d.DecodeBytes()
		if err != nil {
			return fmt.Errorf("expected %d bytes of bin: %w", len(p), err)
		}
		if len(b) != len(p) {
			return fmt.Errorf("expected %d bytes, got %d", len(p), len(b))
		}
		copy(p[:], b)
		return nil
	}
}

func (r *fieldReader) strMap(name string, p *map[string]string, maxEntries int) {
	r.decoders[name] = func(d *msgpack.Decoder) error {
		n, err := d.DecodeMapLen()
		if err != nil {
			return fmt.Errorf("expected a map of strings: %w", err)
		}
		if n > maxEntries {
			return fmt.Errorf("map of %d entries: %w (at most %d)", n, ErrLimit, maxEntries)
		}
		if n <= 0 {
			*p = nil
			return nil
		}
		m := make(map[string]string, n)
		for range n {
			k, err := d.DecodeString()
			if err != nil {
				return fmt.Errorf("expected a string key: %w", err)
			}
			v, err := d.DecodeString()
			if err != nil {
				return fmt.Errorf("key %q: expected a string value: %w", k, err)
			}
			if _, dup := m[k]; dup {
				return fmt.Errorf("key %q repeated", k)
			}
			m[k] = v
		}
		*p = m
		return nil
	}
}
