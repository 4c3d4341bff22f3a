package state

import (
	"fmt"
	"strconv"
	"time"
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
// "offices.KEY.FIELD: problem": a version other than Version, a negative
// serial, a company id or office id that is not decimal digits, a bad
// office key, an entry that is nil or has no name, a status other than
// created or pending, a created entry without an id, a spec that is not a
// JSON object, a spec_sha256 that is not 64 lowercase hex digits, a time
// that JSON cannot hold, two entries with one Dialpad id. Save refuses to
// write a state that fails it.
func (s *State) Validate() error {
	if err := s.validateHeader(); err != nil {
		return err
	}
	var c canon
	keys := s.Keys()
	for _, key := range keys {
		e := s.Offices[key]
		if err := validateEntry(key, e); err != nil {
			return err
		}
		if err := validateSpec(&c, key, e.Spec); err != nil {
			return err
		}
	}
	return checkIDs(s, keys, nil)
}

// checkIDs reports the first entry, in the order of keys, whose Dialpad
// id an entry before it has too. keyOfID is a map to reuse, or nil.
func checkIDs(s *State, keys []string, keyOfID map[string]string) error {
	if keyOfID == nil {
		keyOfID = make(map[string]string, len(keys))
	}
	for _, key := range keys {
		e := s.Offices[key]
		if e == nil || e.ID == "" {
			continue
		}
		if other, dup := keyOfID[e.ID]; dup {
			return fmt.Errorf("offices.%s.id: Dialpad id %s is also the id of offices.%s: %w", key, e.ID, other, ErrDuplicateID)
		}
		keyOfID[e.ID] = key
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

// validateEntry checks everything of an entry but its spec's syntax.
func validateEntry(key string, e *Entry) error {
	if !ValidKey(key) {
		return fmt.Errorf("offices: key %q does not match ^[a-z0-9][a-z0-9_-]{0,62}$", key)
	}
	p := "offices." + key
	if e == nil {
		return fmt.Errorf("%s: entry is null", p)
	}
	switch e.Status {
	case Created:
		if e.ID == "" {
			return fmt.Errorf("%s.id: a created office needs its Dialpad id", p)
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

// validateSpec checks that spec is empty or a JSON object with unique keys.
func validateSpec(c *canon, key string, spec []byte) error {
	if len(spec) == 0 {
		return nil
	}
	if !isObject(spec) {
		return fmt.Errorf("offices.%s.spec: not a JSON object", key)
	}
	out, err := c.appendCanonical(c.scratch[:0], spec, 0, false)
	if err != nil {
		return fmt.Errorf("offices.%s.spec: %v", key, err)
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
