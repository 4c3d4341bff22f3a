package state

import (
	"encoding/json"
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
	// CompanyID is the Dialpad company the offices belong to, once known.
	CompanyID string `json:"company_id,omitempty"`
	// Lineage identifies one state's history; chosen at its first save.
	Lineage string `json:"lineage"`
	// Offices by office key.
	Offices map[string]*Entry `json:"offices"`
	// Serial grows by one at every save.
	Serial int64 `json:"serial"`
	// Version is the format version (Version).
	Version int `json:"version"`
}

// Entry is what the state remembers of one office.
type Entry struct {
	CreatedAt *time.Time `json:"created_at,omitempty"`
	// ID is the Dialpad office id (int64 written as a string), set when
	// Status is Created.
	ID   string `json:"id,omitempty"`
	Name string `json:"name"`
	// Spec is the desired office (offices.Office, references unresolved)
	// last sent or adopted; SpecSHA256 is the hash of its canonical JSON.
	Spec       json.RawMessage `json:"spec,omitempty"`
	SpecSHA256 string          `json:"spec_sha256"`
	StartedAt  *time.Time      `json:"started_at,omitempty"`
	Status     Status          `json:"status"`
	UpdatedAt  *time.Time      `json:"updated_at,omitempty"`
}

// New returns an empty state of the current version with no lineage yet.
func New() *State {
	return &State{Version: Version, Offices: map[string]*Entry{}}
}
