package state

import (
	"cmp"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"
)

// Version is the state format this build reads and writes. A state file of
// a newer version is refused and never rewritten.
// Version 2 added departments, call centers and operators; a version 1
// state is read and written as version 2 on its next save.
const Version = 2

// Status says what is known of an office's create.
type Status string

const (
	// Created: the office exists in Dialpad with the entry's ID.
	Created Status = "created"
	// Pending: the write-ahead record of a create whose outcome is not yet
	// known; the next apply lists offices by name before creating again.
	Pending Status = "pending"
)

// State is the whole state file. Field order is key order, so the file's
// keys come out sorted.
type State struct {
	// CallCenters by key, like Offices (version 2); written only when not
	// empty.
	CallCenters map[string]*Entry `json:"callcenters,omitempty"`
	// CompanyID is the Dialpad company the offices belong to, once known:
	// empty or decimal digits.
	CompanyID string `json:"company_id,omitempty"`
	// Departments by key, like Offices (version 2); written only when not
	// empty. A key is unique across Offices, Departments and CallCenters,
	// but for a department and a call center while apply changes a
	// group's kind under its key.
	Departments map[string]*Entry `json:"departments,omitempty"`
	// Lineage identifies one state's history; chosen at its first save.
	Lineage string `json:"lineage"`
	// Offices by office key; every key matches ^[a-z0-9][a-z0-9_-]{0,62}$.
	Offices map[string]*Entry `json:"offices"`
	// Serial grows by one at every save.
	Serial int64 `json:"serial"`
	// Version is the format version (Version).
	Version int `json:"version"`
}

// Entry is what the state remembers of one office, department or call
// center.
type Entry struct {
	// CreatedAt is when the office was created (or adopted), once known.
	CreatedAt *time.Time `json:"created_at,omitempty"`
	// ID is the Dialpad office id (int64 written as a string), set when
	// Status is Created: decimal digits.
	ID string `json:"id,omitempty"`
	// Name is the office's name in Dialpad; never empty.
	Name string `json:"name"`
	// OfficeID is the Dialpad id of the office a department or call
	// center hangs off: decimal digits, required for groups, empty for
	// offices.
	OfficeID string `json:"office_id,omitempty"`
	// Operators is the membership officectl applied, sorted (see
	// SortOperators); nil when officectl leaves the membership alone,
	// empty when it manages an empty one.
	Operators []Operator `json:"operators,omitempty"`
	// Protect records a group's protect: a protected group removed from
	// the config is never deleted. Always false for offices.
	Protect bool `json:"protect,omitempty"`
	// Refs maps each config key the spec refers to ({office|department|
	// callcenter: KEY}) to the Dialpad id it was resolved to when the spec
	// was last sent (decimal digits), so the plan compares the ids that
	// would be sent, not only the keys: a re-created target changes them.
	// nil when the spec refers to nothing or was recorded before refs were.
	// (Contract of issue 18: apply records it, the plan compares it, the
	// codec reads and writes it.)
	Refs map[string]string `json:"refs,omitempty"`
	// Spec is the desired office (offices.Office, references unresolved),
	// or a group's create body without its office_id,
	// last sent or adopted: a JSON object, or empty. It is written with
	// its keys sorted and its strings re-escaped (no HTML escaping), so
	// what Load returns is that canonical form, compact, not necessarily
	// the bytes that were set: compare specs by SpecSHA256.
	Spec json.RawMessage `json:"spec,omitempty"`
	// SpecSHA256 is the hex SHA-256 of the spec's canonical JSON
	// (offices.Office.SpecSHA256), which the plan compares: empty or 64
	// lowercase hex digits.
	SpecSHA256 string `json:"spec_sha256"`
	// StartedAt is when the create that Pending records was started.
	StartedAt *time.Time `json:"started_at,omitempty"`
	// Status is Created or Pending.
	Status Status `json:"status"`
	// UpdatedAt is when the office was last changed through the API
	// (an e911 update), if ever.
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// Operator is one member of an office's, a department's or a call
// center's operators, as applied: a resolved id.
type Operator struct {
	// Email is the user's email as written in the config, when the user
	// was given by email; empty for rooms.
	Email string `json:"email,omitempty"`
	// ID is the Dialpad user or room id: decimal digits.
	ID string `json:"id"`
	// Role is admin, operator or supervisor (call centers only).
	Role string `json:"role"`
	// SkillLevel is a call-center operator's skill, 1..100; 0 is none.
	SkillLevel int `json:"skill_level,omitempty"`
	// Type is OperatorUser or OperatorRoom (offices and departments only).
	Type string `json:"type"`
}

// Operator types.
const (
	OperatorUser = "user"
	OperatorRoom = "room"
)

// SortOperators sorts ops into the state's order: by type, then by id
// as a number.
func SortOperators(ops []Operator) {
	slices.SortFunc(ops, compareOperators)
}

func compareOperators(a, b Operator) int {
	if c := strings.Compare(a.Type, b.Type); c != 0 {
		return c
	}
	// Decimal ids: the shorter (without leading zeros) is the smaller.
	x, y := strings.TrimLeft(a.ID, "0"), strings.TrimLeft(b.ID, "0")
	if c := cmp.Compare(len(x), len(y)); c != 0 {
		return c
	}
	if c := strings.Compare(x, y); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// Kind is the kind of an entry, named as in plans.
type Kind string

// The kinds, each with its map in the state.
const (
	KindOffice     Kind = "office"
	KindDepartment Kind = "department"
	KindCallCenter Kind = "callcenter"
)

// Kinds lists every kind, in the order of their maps' keys in the file.
var Kinds = []Kind{KindCallCenter, KindDepartment, KindOffice}

// Field returns the name of the kind's map in the file: offices,
// departments or callcenters.
func (k Kind) Field() string {
	switch k {
	case KindDepartment:
		return "departments"
	case KindCallCenter:
		return "callcenters"
	}
	return "offices"
}

// Map returns the state's map of kind k (nil while it has no entries).
func (s *State) Map(k Kind) map[string]*Entry {
	switch k {
	case KindDepartment:
		return s.Departments
	case KindCallCenter:
		return s.CallCenters
	}
	return s.Offices
}

// mapPtr returns where the state keeps the map of kind k.
func (s *State) mapPtr(k Kind) *map[string]*Entry {
	switch k {
	case KindDepartment:
		return &s.Departments
	case KindCallCenter:
		return &s.CallCenters
	}
	return &s.Offices
}

// KeysOf returns the keys of kind k in sorted order.
func (s *State) KeysOf(k Kind) []string {
	return slices.Sorted(maps.Keys(s.Map(k)))
}

// GetOf returns the entry of kind k and key, or nil and false. The entry
// is the state's own: changing it changes the state.
func (s *State) GetOf(k Kind, key string) (*Entry, bool) {
	e, ok := s.Map(k)[key]
	return e, ok && e != nil
}

// SetOf makes e the entry of kind k and key, replacing any entry it had.
// The key (unique across kinds) and entry are checked when the state is
// saved (see Validate).
func (s *State) SetOf(k Kind, key string, e *Entry) {
	m := s.mapPtr(k)
	if *m == nil {
		*m = map[string]*Entry{}
	}
	(*m)[key] = e
}

// DeleteOf forgets the entry of kind k and key, if any.
func (s *State) DeleteOf(k Kind, key string) {
	delete(s.Map(k), key)
}

// KindOf returns the kind whose map holds key, if any.
func (s *State) KindOf(key string) (Kind, bool) {
	for _, k := range Kinds {
		if _, ok := s.Map(k)[key]; ok {
			return k, true
		}
	}
	return "", false
}

// New returns an empty state of the current version with no lineage yet.
func New() *State {
	return &State{Version: Version, Offices: map[string]*Entry{}}
}

// Keys returns the office keys in sorted order.
func (s *State) Keys() []string {
	return slices.Sorted(maps.Keys(s.Offices))
}

// Get returns the entry of key, or nil and false when there is none. The
// entry is the state's own: changing it changes the state.
func (s *State) Get(key string) (*Entry, bool) {
	e, ok := s.Offices[key]
	return e, ok && e != nil
}

// Set makes e the entry of key, replacing any entry it had. The key and
// entry are checked when the state is saved (see Validate).
func (s *State) Set(key string, e *Entry) {
	if s.Offices == nil {
		s.Offices = map[string]*Entry{}
	}
	s.Offices[key] = e
}

// Delete forgets the entry of key, if any.
func (s *State) Delete(key string) {
	delete(s.Offices, key)
}

// Clone returns a deep copy of s: changing one never changes the other.
func (s *State) Clone() *State {
	c := *s
	c.Offices = cloneMap(s.Offices)
	if s.Departments != nil {
		c.Departments = cloneMap(s.Departments)
	}
	if s.CallCenters != nil {
		c.CallCenters = cloneMap(s.CallCenters)
	}
	return &c
}

func cloneMap(m map[string]*Entry) map[string]*Entry {
	c := make(map[string]*Entry, len(m))
	for k, e := range m {
		c[k] = e.Clone()
	}
	return c
}

// Clone returns a deep copy of e (nil for nil).
func (e *Entry) Clone() *Entry {
	if e == nil {
		return nil
	}
	c := *e
	c.CreatedAt = cloneTime(e.CreatedAt)
	c.StartedAt = cloneTime(e.StartedAt)
	c.UpdatedAt = cloneTime(e.UpdatedAt)
	if e.Spec != nil {
		c.Spec = slices.Clone(e.Spec)
	}
	if e.Operators != nil {
		c.Operators = slices.Clone(e.Operators)
	}
	return &c
}

func cloneTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}
