package apply

import (
	"encoding/json"
	"io"
	"time"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
)

// EventType says what an apply Event reports. The values are the words of
// `officectl apply --format json`.
type EventType string

// The event types, in the order a run sends them.
const (
	// EventStart opens a run: Total is the number of offices to create,
	// resume or update.
	EventStart EventType = "start"
	// EventCreated: an office was created (or found created after an
	// answer that was lost); ID is its Dialpad id.
	EventCreated EventType = "created"
	// EventAdopted: a pending create from an earlier run had taken effect;
	// the office found by name was recorded in state.
	EventAdopted EventType = "adopted"
	// EventUpdated: an office's E911 address was updated.
	EventUpdated EventType = "updated"
	// EventDeleted: a department or call center was deleted.
	EventDeleted EventType = "deleted"
	// EventMoved: the state entry of a renamed key was moved to the new
	// key, after a listing checked the live object; nothing was sent.
	EventMoved EventType = "moved"
	// EventFailed: an office could not be created or updated; Error says
	// why, and Pending that its state entry stays pending.
	EventFailed EventType = "failed"
	// EventSkipped: an office was not tried, because an office it refers
	// to failed or the run stopped; Error says which.
	EventSkipped EventType = "skipped"
	// EventSummary closes a run: Counts, Interrupted, Error (the first
	// error) and ElapsedSeconds.
	EventSummary EventType = "summary"
)

// Event is one step of an apply run, for progress lines and for
// `officectl apply --format json`, which writes one per line. Apply calls
// ApplyOptions.Events from one goroutine at a time, in order.
type Event struct {
	Type EventType `json:"type"`
	// Time is when it happened (ApplyOptions.Now), in UTC.
	Time time.Time `json:"time"`
	// Key, Name and Action identify the office of a per-office event.
	Key    string      `json:"key,omitempty"`
	Name   string      `json:"name,omitempty"`
	Action plan.Action `json:"action,omitempty"`
	// Kind is department or callcenter for a group's event; empty for an
	// office.
	Kind string `json:"kind,omitempty"`
	// ID is the office's Dialpad id, as the state file writes it.
	ID string `json:"id,omitempty"`
	// Error says why an office failed or was skipped; in a summary, the
	// first error of the run. It never holds the API key.
	Error string `json:"error,omitempty"`
	// Note says what a successful change did that a reader should know,
	// e.g. "removed every operator it had: a@example.com, room 5".
	Note string `json:"note,omitempty"`
	// Pending is set on a failed event whose state entry stays pending:
	// the create may have happened, and the next apply finds out.
	Pending bool `json:"pending,omitempty"`
	// Done is how many of the Total offices are finished (whatever
	// their outcome) once this event has happened.
	Done  int `json:"done"`
	Total int `json:"total"`
	// Counts, Interrupted and ElapsedSeconds are set on the summary.
	Counts         *ApplyCounts `json:"counts,omitempty"`
	Interrupted    bool         `json:"interrupted,omitempty"`
	ElapsedSeconds float64      `json:"elapsed_seconds,omitempty"`
	// Requests and Throttled (429 answers) are the API client's counters,
	// set on the summary by a caller that owns the client (Apply sees
	// only the API interface); zero otherwise.
	Requests  int64 `json:"requests,omitempty"`
	Throttled int64 `json:"throttled,omitempty"`
}

// JSONEvents returns an Events function that writes each event to w as one
// line of JSON.
func JSONEvents(w io.Writer) func(Event) {
	enc := json.NewEncoder(offices.JSONWriter(w))
	enc.SetEscapeHTML(false)
	return func(e Event) { enc.Encode(e) }
}
