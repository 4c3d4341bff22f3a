package state

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ValidKey reports whether key can name an office:
// ^[a-z0-9][a-z0-9_-]{0,62}$.
func ValidKey(key string) bool {
	if len(key) == 0 || len(key) > 63 {
		return false
	}
	for i := 0; i < len(key); i++ {
		b := key[i]
		switch {
		case 'a' <= b && b <= 'z', '0' <= b && b <= '9':
		case (b == '_' || b == '-') && i > 0:
		default:
			return false
		}
	}
	return true
}

// Validate reports the first way s breaks the format's rules, as
// "offices.KEY.FIELD: problem" (departments.KEY…, callcenters.KEY… for
// groups): a version other than Version, a negative serial, a company id
// or office id that is not decimal digits, a bad key or one in two maps,
// an entry that is nil or has no name, a status other than created or
// pending, a created entry without an id, a spec that is not a JSON
// object, a spec_sha256 that is not 64 lowercase hex digits, a time that
// JSON cannot hold, a group without its office_id, operators that are
// malformed, unsorted or listed twice, two entries with one Dialpad id.
// Save refuses to write a state that fails it.
func (s *State) Validate() error {
	if err := s.validateHeader(); err != nil {
		return err
	}
	var c canon
	var keys [3][]string
	for i, k := range Kinds {
		keys[i] = s.KeysOf(k)
		for _, key := range keys[i] {
			e := s.Map(k)[key]
			if err := validateEntry(k, key, e); err != nil {
				return err
			}
			if err := validateSpec(&c, k, key, e.Spec); err != nil {
				return err
			}
		}
	}
	if err := checkKeys(s); err != nil {
		return err
	}
	return checkIDs(s, &keys, nil)
}

// kindChange reports whether one key may name entries of kinds a and b:
// a department and a call center, while apply changes a group's kind
// under its key (it creates the new one before it deletes the old).
func kindChange(a, b Kind) bool {
	return a != b && a != KindOffice && b != KindOffice
}

// checkKeys reports a group key that is also the key of an office.
func checkKeys(s *State) error {
	for _, k := range []Kind{KindDepartment, KindCallCenter} {
		for key := range s.Map(k) {
			for _, o := range Kinds {
				if _, dup := s.Map(o)[key]; dup && o != k && !kindChange(k, o) {
					return fmt.Errorf("%s: key %q is also a key of %s: a key names one entry across offices, departments and callcenters", k.Field(), key, o.Field())
				}
			}
		}
	}
	return nil
}

// idOwner names the entry that has a Dialpad id.
type idOwner struct {
	kind Kind
	key  string
}

func (o idOwner) String() string { return o.kind.Field() + "." + o.key }

// checkIDs reports the first entry, in the order of keys (sorted keys of
// each kind of Kinds), whose Dialpad id an entry before it has too.
// keyOfID is a map to reuse, or nil.
func checkIDs(s *State, keys *[3][]string, keyOfID map[string]idOwner) error {
	if keyOfID == nil {
		keyOfID = make(map[string]idOwner, len(keys[0])+len(keys[1])+len(keys[2]))
	}
	for i, k := range Kinds {
		m := s.Map(k)
		for _, key := range keys[i] {
			e := m[key]
			if e == nil || e.ID == "" {
				continue
			}
			if other, dup := keyOfID[e.ID]; dup {
				return fmt.Errorf("%s.%s.id: Dialpad id %s is also the id of %s: %w", k.Field(), key, e.ID, other, duplicateIDError(k, other.kind))
			}
			keyOfID[e.ID] = idOwner{k, key}
		}
	}
	return nil
}

func (s *State) validateHeader() error {
	if s.Version != Version {
		return fmt.Errorf("version: %d is not %d, the version this officectl writes", s.Version, Version)
	}
	if s.Serial < 0 {
		return fmt.Errorf("serial: %d is negative", s.Serial)
	}
	if s.CompanyID != "" && !isID(s.CompanyID) {
		return fmt.Errorf("company_id: %q is not a Dialpad id (decimal digits)", s.CompanyID)
	}
	return nil
}

// validateEntry checks everything of an entry of kind k but its spec's
// syntax.
func validateEntry(k Kind, key string, e *Entry) error {
	if !ValidKey(key) {
		return fmt.Errorf("%s: key %q does not match ^[a-z0-9][a-z0-9_-]{0,62}$", k.Field(), key)
	}
	p := k.Field() + "." + key
	if e == nil {
		return fmt.Errorf("%s: entry is null", p)
	}
	switch e.Status {
	case Created:
		if e.ID == "" {
			return fmt.Errorf("%s.id: a created %s needs its Dialpad id", p, k)
		}
	case Pending:
	case "":
		return fmt.Errorf("%s.status: missing (want created or pending)", p)
	default:
		return fmt.Errorf("%s.status: %q is not created or pending", p, e.Status)
	}
	if e.ID != "" && !isID(e.ID) {
		return fmt.Errorf("%s.id: %q is not a Dialpad id (decimal digits)", p, e.ID)
	}
	if e.Name == "" {
		return fmt.Errorf("%s.name: missing", p)
	}
	if k == KindOffice {
		if e.OfficeID != "" {
			return fmt.Errorf("%s.office_id: an office has none (only departments and callcenters do)", p)
		}
		if e.Protect {
			return fmt.Errorf("%s.protect: an office has none (only departments and callcenters do)", p)
		}
	} else if !isID(e.OfficeID) {
		if e.OfficeID == "" {
			return fmt.Errorf("%s.office_id: missing (the Dialpad id of the %s's office)", p, k)
		}
		return fmt.Errorf("%s.office_id: %q is not a Dialpad id (decimal digits)", p, e.OfficeID)
	}
	for i := range e.Operators {
		if err := validateOperator(k, e.Operators[i]); err != nil {
			return fmt.Errorf("%s.operators[%d]: %v", p, i, err)
		}
		if i > 0 {
			switch c := compareOperators(e.Operators[i-1], e.Operators[i]); {
			case c == 0:
				return fmt.Errorf("%s.operators[%d]: %s %s is listed twice", p, i, e.Operators[i].Type, e.Operators[i].ID)
			case c > 0:
				return fmt.Errorf("%s.operators[%d]: not sorted (by type, then id as a number)", p, i)
			}
		}
	}
	for _, ref := range slices.Sorted(maps.Keys(e.Refs)) {
		if !ValidKey(ref) {
			return fmt.Errorf("%s.refs: key %q does not match ^[a-z0-9][a-z0-9_-]{0,62}$", p, ref)
		}
		if !isID(e.Refs[ref]) {
			return fmt.Errorf("%s.refs.%s: %q is not a Dialpad id (decimal digits)", p, ref, e.Refs[ref])
		}
	}
	if e.SpecSHA256 != "" && !isSHA256(e.SpecSHA256) {
		return fmt.Errorf("%s.spec_sha256: %q is not 64 lowercase hex digits", p, e.SpecSHA256)
	}
	for _, t := range []struct {
		name string
		t    *time.Time
	}{{"created_at", e.CreatedAt}, {"started_at", e.StartedAt}, {"updated_at", e.UpdatedAt}} {
		if t.t == nil {
			continue
		}
		if _, err := t.t.MarshalJSON(); err != nil {
			return fmt.Errorf("%s.%s: %v", p, t.name, err)
		}
	}
	return nil
}

// validateOperator checks one operator of an entry of kind k.
func validateOperator(k Kind, o Operator) error {
	switch o.Type {
	case OperatorUser:
	case OperatorRoom:
		if k == KindCallCenter {
			return fmt.Errorf("type: a call center's operators are users, not rooms")
		}
		if o.Email != "" {
			return fmt.Errorf("email: a room has none")
		}
	case "":
		return fmt.Errorf("type: missing (want user or room)")
	default:
		return fmt.Errorf("type: %q is not user or room", o.Type)
	}
	if !isID(o.ID) {
		return fmt.Errorf("id: %q is not a Dialpad id (decimal digits)", o.ID)
	}
	switch o.Role {
	case "admin", "operator":
	case "supervisor":
		if k != KindCallCenter {
			return fmt.Errorf("role: supervisor is a call-center role (want admin or operator)")
		}
	case "":
		return fmt.Errorf("role: missing")
	default:
		return fmt.Errorf("role: %q is not admin, operator or supervisor", o.Role)
	}
	if o.SkillLevel != 0 {
		if k != KindCallCenter {
			return fmt.Errorf("skill_level: only call-center operators have one")
		}
		if o.SkillLevel < 1 || o.SkillLevel > 100 {
			return fmt.Errorf("skill_level: %d is not in 1..100", o.SkillLevel)
		}
	}
	if o.Email != "" && !validEmail(o.Email) {
		return fmt.Errorf("email: %q is not an email address (name@domain, at most 254 bytes, no spaces or control characters)", o.Email)
	}
	return nil
}

// validEmail reports whether s looks like an email as written in a config:
// one @ with text either side, at most 254 bytes, valid UTF-8, no space
// or control character.
func validEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if len(s) > 254 || at <= 0 || at == len(s)-1 || strings.Count(s, "@") != 1 || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// validateSpec checks that spec is empty or a JSON object with unique keys.
func validateSpec(c *canon, k Kind, key string, spec []byte) error {
	if len(spec) == 0 {
		return nil
	}
	if !isObject(spec) {
		return fmt.Errorf("%s.%s.spec: not a JSON object", k.Field(), key)
	}
	out, err := c.appendCanonical(c.scratch[:0], spec, 0, false)
	if err != nil {
		return fmt.Errorf("%s.%s.spec: %v", k.Field(), key, err)
	}
	c.scratch = out
	return nil
}

// isObject reports whether the JSON text b starts an object.
func isObject(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '{':
			return true
		default:
			return false
		}
	}
	return false
}

// isID reports whether s is an int64 Dialpad id: decimal digits.
func isID(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !('0' <= s[i] && s[i] <= '9' || 'a' <= s[i] && s[i] <= 'f') {
			return false
		}
	}
	return true
}
