package writeback

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
)

// val is a JSON value that keeps the order of an object's keys: the new
// values of edits (so that a new object's fields are written in the
// order given) and the old values read from a file.
type val struct {
	kind  valKind
	keys  []string // object: its keys in order
	vals  []*val   // object: the value of each key
	items []*val   // array
	text  string   // string: the string; number: its literal; bool: true or false
}

type valKind byte

const (
	kNull valKind = iota
	kBool
	kNumber
	kString
	kObject
	kArray
)

// maxDepth bounds the nesting of a value given or read.
const maxDepth = 64

// parseVal decodes one JSON value.
func parseVal(raw []byte) (*val, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	v, err := decodeVal(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("more than one JSON value")
	}
	return v, nil
}

func decodeVal(dec *json.Decoder, depth int) (*val, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nested deeper than %d levels", maxDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			v := &val{kind: kObject}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k := kt.(string)
				if v.get(k) != nil {
					return nil, fmt.Errorf("key %q given twice", k)
				}
				e, err := decodeVal(dec, depth+1)
				if err != nil {
					return nil, err
				}
				v.keys = append(v.keys, k)
				v.vals = append(v.vals, e)
			}
			_, err := dec.Token()
			return v, err
		case '[':
			v := &val{kind: kArray}
			for dec.More() {
				e, err := decodeVal(dec, depth+1)
				if err != nil {
					return nil, err
				}
				v.items = append(v.items, e)
			}
			_, err := dec.Token()
			return v, err
		}
	case string:
		return &val{kind: kString, text: t}, nil
	case json.Number:
		return &val{kind: kNumber, text: t.String()}, nil
	case bool:
		return &val{kind: kBool, text: strconv.FormatBool(t)}, nil
	case nil:
		return &val{kind: kNull}, nil
	}
	return nil, fmt.Errorf("unexpected %v", tok)
}

// get is the value of key k of an object, or nil.
func (v *val) get(k string) *val {
	if v == nil {
		return nil
	}
	for i, key := range v.keys {
		if key == k {
			return v.vals[i]
		}
	}
	return nil
}

func (v *val) scalar() bool { return v.kind != kObject && v.kind != kArray }

// equal reports whether a and b are the same value: objects whatever the
// order of their keys, numbers by value. A nil value (one that could not
// be read, such as a CUE expression) equals nothing.
func equal(a, b *val) bool {
	if a == nil || b == nil || a.kind != b.kind {
		return false
	}
	switch a.kind {
	case kObject:
		if len(a.keys) != len(b.keys) {
			return false
		}
		for i, k := range a.keys {
			if !equal(a.vals[i], b.get(k)) {
				return false
			}
		}
		return true
	case kArray:
		if len(a.items) != len(b.items) {
			return false
		}
		for i := range a.items {
			if !equal(a.items[i], b.items[i]) {
				return false
			}
		}
		return true
	case kNumber:
		x, ok1 := new(big.Float).SetString(a.text)
		y, ok2 := new(big.Float).SetString(b.text)
		if ok1 && ok2 {
			return x.Cmp(y) == 0
		}
	}
	return a.text == b.text
}

// json is v in compact JSON with sep after each colon and comma (", "
// and ": " give {"a": 1, "b": 2}).
func (v *val) json(sep string) string {
	var b strings.Builder
	v.writeJSON(&b, sep)
	return b.String()
}

func (v *val) writeJSON(b *strings.Builder, sep string) {
	switch v.kind {
	case kObject:
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteString("," + sep)
			}
			b.WriteString(jsonString(k) + ":" + sep)
			v.vals[i].writeJSON(b, sep)
		}
		b.WriteByte('}')
	case kArray:
		b.WriteByte('[')
		for i, e := range v.items {
			if i > 0 {
				b.WriteString("," + sep)
			}
			e.writeJSON(b, sep)
		}
		b.WriteByte(']')
	case kString:
		b.WriteString(jsonString(v.text))
	case kNull:
		b.WriteString("null")
	default:
		b.WriteString(v.text)
	}
}

// jsonString is s as a JSON string, without HTML escaping.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// reference reports whether v is a reference to another object of the
// config, {office|department|callcenter: KEY}.
func (v *val) reference() bool {
	if v.kind != kObject || len(v.keys) != 1 || v.vals[0].kind != kString {
		return false
	}
	switch v.keys[0] {
	case "office", "department", "callcenter":
		return true
	}
	return false
}

// inline reports whether v is written on one line where it is new: a
// reference, a list of scalars, an operator ({user|room: …, role: …}),
// a list of those, and an empty object or list.
func (v *val) inline() bool {
	switch v.kind {
	case kArray:
		for _, e := range v.items {
			if !e.scalar() && !e.operator() {
				return false
			}
		}
		return true
	case kObject:
		return len(v.keys) == 0 || v.reference() || v.operator()
	}
	return true
}

// operator reports whether v is an operator: an object with user or room
// and only scalars.
func (v *val) operator() bool {
	if v.kind != kObject || (v.get("user") == nil && v.get("room") == nil) {
		return false
	}
	for _, e := range v.vals {
		if !e.scalar() {
			return false
		}
	}
	return true
}

// nest is v under the keys path: {path[0]: {path[1]: … v}}.
func nest(path []string, v *val) *val {
	for i := len(path) - 1; i >= 0; i-- {
		v = &val{kind: kObject, keys: []string{path[i]}, vals: []*val{v}}
	}
	return v
}
