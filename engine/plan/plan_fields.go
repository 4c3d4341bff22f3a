package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
)

// diffSpecs lists the fields that differ between two office specs (JSON
// objects): objects are compared key by key, in key order; lists of the
// same length that hold objects element by element; anything else as a
// whole value.
func diffSpecs(old, desired []byte) ([]FieldChange, error) {
	a, err := DecodeSpec(old)
	if err != nil {
		return nil, fmt.Errorf("spec in state: %w", err)
	}
	b, err := DecodeSpec(desired)
	if err != nil {
		return nil, fmt.Errorf("desired spec: %w", err)
	}
	var out []FieldChange
	diffValues("", a, b, &out)
	return out, nil
}

// DecodeSpec decodes JSON keeping numbers exact (int64 ids).
func DecodeSpec(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("unexpected data after the JSON value")
	}
	return v, nil
}

// absent marks a field that one side does not have.
type absent struct{}

func diffValues(path string, a, b any, out *[]FieldChange) {
	switch av := a.(type) {
	case map[string]any:
		if bv, ok := b.(map[string]any); ok {
			keys := make([]string, 0, len(av)+len(bv))
			for k := range av {
				keys = append(keys, k)
			}
			for k := range bv {
				if _, ok := av[k]; !ok {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			for _, k := range keys {
				x, ok := av[k]
				if !ok {
					x = absent{}
				}
				y, ok := bv[k]
				if !ok {
					y = absent{}
				}
				diffValues(joinPath(path, k), x, y, out)
			}
			return
		}
	case []any:
		if bv, ok := b.([]any); ok && len(av) == len(bv) && holdsObjects(av, bv) {
			for i := range av {
				diffValues(path+"["+strconv.Itoa(i)+"]", av[i], bv[i], out)
			}
			return
		}
	}
	if !jsonEqual(a, b) {
		*out = append(*out, FieldChange{Path: path, Old: fieldJSON(a), New: fieldJSON(b)})
	}
}

// jsonEqual reports whether two decoded JSON values (or absent) are equal;
// numbers compare by their text.
func jsonEqual(a, b any) bool {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok || len(av) != len(bv) {
			return false
		}
		for k, x := range av {
			y, ok := bv[k]
			if !ok || !jsonEqual(x, y) {
				return false
			}
		}
		return true
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			return false
		}
		for i := range av {
			if !jsonEqual(av[i], bv[i]) {
				return false
			}
		}
		return true
	case string, json.Number, bool, nil, absent:
		return a == b
	}
	return false
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// holdsObjects reports whether any element of a or b is a JSON object.
func holdsObjects(a, b []any) bool {
	for _, l := range [][]any{a, b} {
		for _, v := range l {
			if _, ok := v.(map[string]any); ok {
				return true
			}
		}
	}
	return false
}

// fieldJSON is v as compact JSON with sorted keys and no HTML escaping, or
// "" for an absent field.
func fieldJSON(v any) string {
	if _, ok := v.(absent); ok {
		return ""
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// v came from json.Decode: it holds only JSON values.
		panic("engine: encode decoded JSON: " + err.Error())
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}))
}
