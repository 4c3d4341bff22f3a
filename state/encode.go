package state

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Encode returns the state file's bytes for s: JSON indented by two spaces
// with every object's keys sorted (inside each spec too) and a trailing
// newline, so the same state always gives the same bytes and a change
// reads well in a diff. Strings are written as UTF-8, without HTML
// escaping.
//
// Encode writes what it is given; Save checks it first (see Validate). A
// spec that is not valid JSON, which Save refuses, is written as a JSON
// string so that the output stays valid JSON.
func Encode(s *State) []byte {
	var enc encoder
	b, _ := enc.encode(nil, s, false)
	return b
}

// encoder writes states. With a cache, an entry equal to the one it
// encoded last time under the same key is copied from that encoding
// instead of being encoded again, which keeps the many saves of an apply
// cheap.
type encoder struct {
	c     canon
	keys  []string
	cache map[string]*cachedEntry // by office key; nil: no caching
	ids   map[string]string       // reused by checkIDs
}

// cachedEntry is an entry as last encoded: a deep copy and its bytes (a
// member of the offices object, from its newline to its closing brace).
type cachedEntry struct {
	e   Entry
	enc []byte
}

func newCachingEncoder() *encoder {
	return &encoder{cache: map[string]*cachedEntry{}}
}

// encode appends the encoding of s to dst. With check, it refuses a state
// that Validate would refuse (entries served from the cache were checked
// when they were first encoded).
func (enc *encoder) encode(dst []byte, s *State, check bool) ([]byte, error) {
	if check {
		if err := s.validateHeader(); err != nil {
			return nil, err
		}
	}
	if dst == nil {
		n := 256
		for _, e := range s.Offices {
			n += 320
			if e != nil {
				n += 2 * len(e.Spec)
			}
		}
		dst = make([]byte, 0, n)
	}
	dst = append(dst, '{')
	if s.CompanyID != "" {
		dst = append(dst, "\n  \"company_id\": "...)
		dst = appendString(dst, s.CompanyID)
		dst = append(dst, ',')
	}
	dst = append(dst, "\n  \"lineage\": "...)
	dst = appendString(dst, s.Lineage)
	dst = append(dst, ",\n  \"offices\": "...)
	if len(s.Offices) == 0 {
		dst = append(dst, "{}"...)
	} else {
		dst = append(dst, '{')
		keys := enc.sortedKeys(s)
		for i, key := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = enc.entry(dst, key, s.Offices[key], check); err != nil {
				return nil, err
			}
		}
		if check {
			// Every entry, cached or not: a change to one can clash with another.
			if enc.ids == nil {
				enc.ids = make(map[string]string, len(keys))
			}
			clear(enc.ids)
			if err := checkIDs(s, keys, enc.ids); err != nil {
				return nil, err
			}
		}
		dst = append(dst, "\n  }"...)
	}
	dst = append(dst, ",\n  \"serial\": "...)
	dst = strconv.AppendInt(dst, s.Serial, 10)
	dst = append(dst, ",\n  \"version\": "...)
	dst = strconv.AppendInt(dst, int64(s.Version), 10)
	dst = append(dst, "\n}\n"...)
	return dst, nil
}

// sortedKeys returns the office keys of s in order, reusing last time's
// order when the set of keys is the same.
func (enc *encoder) sortedKeys(s *State) []string {
	if enc.cache != nil && len(enc.keys) == len(s.Offices) {
		same := true
		for _, k := range enc.keys {
			if _, ok := s.Offices[k]; !ok {
				same = false
				break
			}
		}
		if same {
			return enc.keys
		}
	}
	enc.keys = enc.keys[:0]
	for k := range s.Offices {
		enc.keys = append(enc.keys, k)
	}
	slices.Sort(enc.keys)
	if enc.cache != nil && len(enc.cache) > len(s.Offices) {
		for k := range enc.cache {
			if _, ok := s.Offices[k]; !ok {
				delete(enc.cache, k)
			}
		}
	}
	return enc.keys
}

// entry appends the member "key": {…} of the offices object.
func (enc *encoder) entry(dst []byte, key string, e *Entry, check bool) ([]byte, error) {
	var ce *cachedEntry
	if enc.cache != nil && e != nil {
		ce = enc.cache[key]
		if ce != nil && ce.matches(e) {
			return append(dst, ce.enc...), nil
		}
	}
	if check {
		if err := validateEntry(key, e); err != nil {
			return nil, err
		}
	}
	start := len(dst)
	dst = append(dst, "\n    "...)
	dst = appendString(dst, key)
	dst = append(dst, ": "...)
	if e == nil {
		return append(dst, "null"...), nil
	}
	dst = append(dst, '{')
	if e.CreatedAt != nil {
		dst = appendTime(dst, "\n      \"created_at\": ", e.CreatedAt)
		dst = append(dst, ',')
	}
	if e.ID != "" {
		dst = append(dst, "\n      \"id\": "...)
		dst = appendString(dst, e.ID)
		dst = append(dst, ',')
	}
	dst = append(dst, "\n      \"name\": "...)
	dst = appendString(dst, e.Name)
	dst = append(dst, ',')
	if len(e.Spec) > 0 {
		dst = append(dst, "\n      \"spec\": "...)
		out, err := enc.c.appendCanonical(dst, e.Spec, 3, true)
		switch {
		case err == nil && (!check || isObject(e.Spec)):
			dst = out
		case check && err == nil:
			return nil, fmt.Errorf("offices.%s.spec: not a JSON object", key)
		case check:
			return nil, fmt.Errorf("offices.%s.spec: %v", key, err)
		default:
			dst = appendString(dst, string(e.Spec))
		}
		dst = append(dst, ',')
	}
	dst = append(dst, "\n      \"spec_sha256\": "...)
	dst = appendString(dst, e.SpecSHA256)
	dst = append(dst, ',')
	if e.StartedAt != nil {
		dst = appendTime(dst, "\n      \"started_at\": ", e.StartedAt)
		dst = append(dst, ',')
	}
	dst = append(dst, "\n      \"status\": "...)
	dst = appendString(dst, string(e.Status))
	if e.UpdatedAt != nil {
		dst = append(dst, ',')
		dst = appendTime(dst, "\n      \"updated_at\": ", e.UpdatedAt)
	}
	dst = append(dst, "\n    }"...)
	if enc.cache != nil {
		if ce == nil {
			ce = &cachedEntry{}
			enc.cache[key] = ce
		}
		ce.set(e, dst[start:])
	}
	return dst, nil
}

// appendTime appends the member prefix+t, t as encoding/json writes it.
func appendTime(dst []byte, prefix string, t *time.Time) []byte {
	dst = append(dst, prefix...)
	dst = append(dst, '"')
	dst = t.AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"')
}

func (ce *cachedEntry) set(e *Entry, enc []byte) {
	spec := ce.e.Spec
	ce.e = *e
	ce.e.Spec = append(spec[:0], e.Spec...)
	ce.e.CreatedAt = cloneTime(e.CreatedAt)
	ce.e.StartedAt = cloneTime(e.StartedAt)
	ce.e.UpdatedAt = cloneTime(e.UpdatedAt)
	ce.enc = append(ce.enc[:0], enc...)
}

// matches reports whether e encodes exactly as the cached entry.
func (ce *cachedEntry) matches(e *Entry) bool {
	c := &ce.e
	return e.ID == c.ID && e.Name == c.Name && e.SpecSHA256 == c.SpecSHA256 &&
		e.Status == c.Status && sameTime(e.CreatedAt, c.CreatedAt) &&
		sameTime(e.StartedAt, c.StartedAt) && sameTime(e.UpdatedAt, c.UpdatedAt) &&
		bytes.Equal(e.Spec, c.Spec)
}

// sameTime reports whether a and b are both nil or encode the same.
func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b) && a.Location() == b.Location()
}
