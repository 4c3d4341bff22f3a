package state

import (
	"encoding/json"
	"maps"
	"slices"
	"time"
)

// Version is the state format this build reads and writes. A state file of
// a newer version is refused and never rewritten.
const Version = 1

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
	// CompanyID is the Dialpad company the offices belong to, once known:
	// empty or decimal digits.
	CompanyID string `json:"company_id,omitempty"`
	// Lineage identifies one state's history; chosen at its first save.
	Lineage string `json:"lineage"`
	// Offices by office key; every key matches ^[a-z0-9][a-z0-9_-]{0,62}$.
	Offices map[string]*Entry `json:"offices"`
	// Serial grows by one at every save.
	Serial int64 `json:"serial"`
	// Version is the format version (Version).
	Version int `json:"version"`
}

// Entry is what the state remembers of one office.
type Entry struct {
	// CreatedAt is when the office was created (or adopted), once known.
	CreatedAt *time.Time `json:"created_at,omitempty"`
	// ID is the Dialpad office id (int64 written as a string), set when
	// Status is Created: decimal digits.
	ID string `json:"id,omitempty"`
	// Name is the office's name in Dialpad; never empty.
	Name string `json:"name"`
	// Spec is the desired office (offices.Office, references unresolved)
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
	c.Offices = make(map[string]*Entry, len(s.Offices))
	for k, e := range s.Offices {
		c.Offices[k] = e.Clone()
	}
	return &c
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
	return &c
}

func cloneTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}
