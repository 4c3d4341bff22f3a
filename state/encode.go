package state

import (
	"bytes"
	"fmt"
	"maps"
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
	c       canon
	caching bool
	kinds   [3]kindCache       // by index in Kinds
	ids     map[string]idOwner // reused by checkIDs
}

// kindCache is what the encoder keeps of one kind's map between saves.
type kindCache struct {
	keys  []string
	cache map[string]*cachedEntry // by key; nil: no caching
}

// cachedEntry is an entry as last encoded: a deep copy and its bytes (a
// member of the offices object, from its newline to its closing brace).
type cachedEntry struct {
	e   Entry
	enc []byte
}

func newCachingEncoder() *encoder {
	enc := &encoder{caching: true}
	for i := range enc.kinds {
		enc.kinds[i].cache = map[string]*cachedEntry{}
	}
	return enc
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
		for _, k := range Kinds {
			for _, e := range s.Map(k) {
				n += 320
				if e != nil {
					n += 2*len(e.Spec) + 160*len(e.Operators)
				}
			}
		}
		dst = make([]byte, 0, n)
	}
	var keys [3][]string
	var err error
	dst = append(dst, '{')
	// callcenters, company_id, departments, lineage, offices: key order.
	if dst, keys[0], err = enc.entries(dst, s, 0, check); err != nil {
		return nil, err
	}
	if s.CompanyID != "" {
		dst = append(dst, "\n  \"company_id\": "...)
		dst = appendString(dst, s.CompanyID)
		dst = append(dst, ',')
	}
	if dst, keys[1], err = enc.entries(dst, s, 1, check); err != nil {
		return nil, err
	}
	dst = append(dst, "\n  \"lineage\": "...)
	dst = appendString(dst, s.Lineage)
	dst = append(dst, ',')
	if dst, keys[2], err = enc.entries(dst, s, 2, check); err != nil {
		return nil, err
	}
	if check {
		if len(s.Departments)+len(s.CallCenters) > 0 {
			if err := checkKeys(s); err != nil {
				return nil, err
			}
		}
		// Every entry, cached or not: a change to one can clash with another.
		if enc.ids == nil {
			enc.ids = make(map[string]idOwner, len(keys[0])+len(keys[1])+len(keys[2]))
		}
		clear(enc.ids)
		if err := checkIDs(s, &keys, enc.ids); err != nil {
			return nil, err
		}
	}
	dst = append(dst, "\n  \"serial\": "...)
	dst = strconv.AppendInt(dst, s.Serial, 10)
	dst = append(dst, ",\n  \"version\": "...)
	dst = strconv.AppendInt(dst, int64(s.Version), 10)
	dst = append(dst, "\n}\n"...)
	return dst, nil
}

// entries appends the member "offices": {…}, (or departments or
// callcenters, by index i in Kinds) and a comma, and returns the keys in
// the order written. The offices map is always written, as {} when
// empty; an empty group map is left out.
func (enc *encoder) entries(dst []byte, s *State, i int, check bool) ([]byte, []string, error) {
	k := Kinds[i]
	m := s.Map(k)
	if len(m) == 0 {
		if k == KindOffice {
			dst = append(dst, "\n  \"offices\": {},"...)
		}
		return dst, nil, nil
	}
	dst = append(dst, "\n  \""...)
	dst = append(dst, k.Field()...)
	dst = append(dst, "\": {"...)
	kc := &enc.kinds[i]
	keys := kc.sortedKeys(m, enc.caching)
	for j, key := range keys {
		if j > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = enc.entry(dst, kc.cache, k, key, m[key], check); err != nil {
			return nil, nil, err
		}
	}
	dst = append(dst, "\n  },"...)
	return dst, keys, nil
}

// sortedKeys returns the keys of m in order, reusing last time's order
// when the set of keys is the same.
func (kc *kindCache) sortedKeys(m map[string]*Entry, caching bool) []string {
	if caching && len(kc.keys) == len(m) {
		same := true
		for _, k := range kc.keys {
			if _, ok := m[k]; !ok {
				same = false
				break
			}
		}
		if same {
			return kc.keys
		}
	}
	kc.keys = kc.keys[:0]
	for k := range m {
		kc.keys = append(kc.keys, k)
	}
	slices.Sort(kc.keys)
	if kc.cache != nil && len(kc.cache) > len(m) {
		for k := range kc.cache {
			if _, ok := m[k]; !ok {
				delete(kc.cache, k)
			}
		}
	}
	return kc.keys
}

// entry appends the member "key": {…} of the map of kind k; cache is that
// map's cache, or nil.
func (enc *encoder) entry(dst []byte, cache map[string]*cachedEntry, k Kind, key string, e *Entry, check bool) ([]byte, error) {
	var ce *cachedEntry
	if cache != nil && e != nil {
		ce = cache[key]
		if ce != nil && ce.matches(e) {
			return append(dst, ce.enc...), nil
		}
	}
	if check {
		if err := validateEntry(k, key, e); err != nil {
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
	if e.OfficeID != "" {
		dst = append(dst, "\n      \"office_id\": "...)
		dst = appendString(dst, e.OfficeID)
		dst = append(dst, ',')
	}
	if e.Operators != nil {
		dst = appendOperators(dst, e.Operators)
	}
	if e.Protect {
		dst = append(dst, "\n      \"protect\": true,"...)
	}
	if e.Refs != nil {
		dst = appendRefs(dst, e.Refs)
	}
	if len(e.Spec) > 0 {
		dst = append(dst, "\n      \"spec\": "...)
		out, err := enc.c.appendCanonical(dst, e.Spec, 3, true)
		switch {
		case err == nil && (!check || isObject(e.Spec)):
			dst = out
		case check && err == nil:
			return nil, fmt.Errorf("%s.%s.spec: not a JSON object", k.Field(), key)
		case check:
			return nil, fmt.Errorf("%s.%s.spec: %v", k.Field(), key, err)
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
	if cache != nil {
		if ce == nil {
			ce = &cachedEntry{}
			cache[key] = ce
		}
		ce.set(e, dst[start:])
	}
	return dst, nil
}

// appendOperators appends the member "operators": [...], of an entry.
func appendOperators(dst []byte, ops []Operator) []byte {
	dst = append(dst, "\n      \"operators\": ["...)
	for i, o := range ops {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, "\n        {"...)
		if o.Email != "" {
			dst = append(dst, "\n          \"email\": "...)
			dst = appendString(dst, o.Email)
			dst = append(dst, ',')
		}
		dst = append(dst, "\n          \"id\": "...)
		dst = appendString(dst, o.ID)
		dst = append(dst, ",\n          \"role\": "...)
		dst = appendString(dst, o.Role)
		dst = append(dst, ',')
		if o.SkillLevel != 0 {
			dst = append(dst, "\n          \"skill_level\": "...)
			dst = strconv.AppendInt(dst, int64(o.SkillLevel), 10)
			dst = append(dst, ',')
		}
		dst = append(dst, "\n          \"type\": "...)
		dst = appendString(dst, o.Type)
		dst = append(dst, "\n        }"...)
	}
	if len(ops) > 0 {
		dst = append(dst, "\n      "...)
	}
	return append(dst, "],"...)
}

// appendRefs appends the member "refs": {...}, of an entry, keys sorted.
func appendRefs(dst []byte, refs map[string]string) []byte {
	dst = append(dst, "\n      \"refs\": {"...)
	for i, k := range slices.Sorted(maps.Keys(refs)) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, "\n        "...)
		dst = appendString(dst, k)
		dst = append(dst, ": "...)
		dst = appendString(dst, refs[k])
	}
	if len(refs) > 0 {
		dst = append(dst, "\n      "...)
	}
	return append(dst, "},"...)
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
	ce.e.Operators = slices.Clone(e.Operators)
	ce.e.Refs = maps.Clone(e.Refs)
	ce.e.CreatedAt = cloneTime(e.CreatedAt)
	ce.e.StartedAt = cloneTime(e.StartedAt)
	ce.e.UpdatedAt = cloneTime(e.UpdatedAt)
	ce.enc = append(ce.enc[:0], enc...)
}

// matches reports whether e encodes exactly as the cached entry.
func (ce *cachedEntry) matches(e *Entry) bool {
	c := &ce.e
	return e.ID == c.ID && e.Name == c.Name && e.SpecSHA256 == c.SpecSHA256 &&
		e.Status == c.Status && e.OfficeID == c.OfficeID && e.Protect == c.Protect &&
		slices.Equal(e.Operators, c.Operators) && (e.Operators == nil) == (c.Operators == nil) &&
		maps.Equal(e.Refs, c.Refs) && (e.Refs == nil) == (c.Refs == nil) && sameTime(e.CreatedAt, c.CreatedAt) &&
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
