package apply

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// API is the part of the Dialpad API that Apply uses for offices;
// *offices.Client satisfies it. CreateOffice must return an error wrapping
// offices.ErrOutcomeUnknown when the office may have been created, and
// must never send a create again by itself.
type API interface {
	CreateOffice(ctx context.Context, body offices.Office) (*offices.Live, error)
	// ListOffices is asked once per run (and again after a create of
	// unknown outcome): it finds offices to adopt by name and checks the
	// target of every write to an existing office.
	ListOffices(ctx context.Context, opts offices.ListOptions) ([]offices.Live, error)
	UpdateE911(ctx context.Context, id int64, u offices.E911Update) (*offices.LiveE911, error)
}

var _ API = (*offices.Client)(nil)

// GroupAPI is the part of the Dialpad API that Apply uses for departments,
// call centers and operators; *offices.Client satisfies it. ApplyOptions.API
// must implement it when the plan has work on groups or operators.
type GroupAPI interface {
	CreateDepartment(ctx context.Context, officeID int64, d offices.Department) (*offices.LiveDepartment, error)
	CreateCallCenter(ctx context.Context, officeID int64, cc offices.CallCenter) (*offices.LiveCallCenter, error)
	UpdateDepartment(ctx context.Context, id int64, d offices.Department, fields []string) (*offices.LiveDepartment, error)
	UpdateCallCenter(ctx context.Context, id int64, cc offices.CallCenter, fields []string) (*offices.LiveCallCenter, error)
	DeleteDepartment(ctx context.Context, id int64) error
	DeleteCallCenter(ctx context.Context, id int64) error
	// ListGroups is asked once per office and kind in a run (and again
	// after a create of unknown outcome there): it finds groups to adopt
	// by exact name and checks the target of every write to a group.
	ListGroups(ctx context.Context, kind offices.Kind, officeID int64) ([]offices.GroupSummary, error)
	ListOperators(ctx context.Context, kind offices.Kind, id int64) ([]offices.Member, error)
	AddOperator(ctx context.Context, kind offices.Kind, id int64, m offices.Member) error
	RemoveOperator(ctx context.Context, kind offices.Kind, id int64, m offices.Member) error
	UpdateSkill(ctx context.Context, cc, user, level int64) (int64, error)
	UserByEmail(ctx context.Context, email string) (*offices.User, error)
}

var _ GroupAPI = (*offices.Client)(nil)

// maxCreateAttempts bounds the creates of one office in one run whose
// outcome stays unknown and which the listing then shows did not happen.
const maxCreateAttempts = 10

// ApplyOptions configure Apply.
type ApplyOptions struct {
	// Store is the locked state file: every change is saved through it,
	// write-ahead. Required.
	Store *state.Store
	// API sends the requests. Required.
	API API
	// Parallelism is the most requests in flight at once, default
	// DefaultParallelism. The API's own rate limiter paces them.
	Parallelism int
	// FailFast stops starting offices after the first failure; by
	// default only the offices that refer to a failed one are skipped.
	FailFast bool
	// AdoptExisting adopts, as Import does, an office to create whose
	// exact name exactly one live office has and that the state does not
	// record under another key, instead of failing with ErrNameExists: a
	// state that missed an earlier apply's creates heals.
	AdoptExisting bool
	// Events, when set, receives every Event of the run, one call at a
	// time.
	Events func(Event)
	// Now is the clock of state timestamps and events, default time.Now.
	Now func() time.Time
}

// Outcome is what Apply did with one office of the plan.
type Outcome string

// The outcomes.
const (
	// OutcomeCreated: the office was created in this run.
	OutcomeCreated Outcome = "created"
	// OutcomeAdopted: a pending create of an earlier run had taken
	// effect, or (AdoptExisting) the office was live under its exact
	// name; the office was recorded in state.
	OutcomeAdopted Outcome = "adopted"
	// OutcomeUpdated: the office's E911 address was updated.
	OutcomeUpdated Outcome = "updated"
	// OutcomeDeleted: the department or call center was deleted (or was
	// gone already).
	OutcomeDeleted Outcome = "deleted"
	// OutcomeMoved: the state entry of a renamed key was moved to the new
	// key; nothing was sent but the listing that checked it.
	OutcomeMoved Outcome = "moved"
	// OutcomeFailed: the office could not be created or updated.
	OutcomeFailed Outcome = "failed"
	// OutcomeSkipped: the office was not tried (an office it refers to
	// failed, or the run stopped first).
	OutcomeSkipped Outcome = "skipped"
	// OutcomeUnchanged: the plan had nothing for apply to do (no-op,
	// manual, orphan).
	OutcomeUnchanged Outcome = "unchanged"
)

// Errors of offices, for callers to branch on with errors.Is.
var (
	// ErrInterrupted: the run's context ended (SIGINT, SIGTERM) before it
	// finished; it is ApplyResult.Err when nothing failed.
	ErrInterrupted = errors.New("apply interrupted")
	// ErrStopped: the run stopped after an error (the API key refused, the
	// state not saved, or --fail-fast) before the office started.
	ErrStopped = errors.New("not started: apply stopped after an error")
	// ErrDependencyFailed: an office this one refers to was not created.
	ErrDependencyFailed = errors.New("an office it refers to was not created")
	// ErrNameExists: an office with the same name exists in Dialpad but
	// not in the state file; creating another would duplicate it.
	ErrNameExists = errors.New("one of this kind and name already exists in Dialpad")
	// ErrAmbiguousName: several live offices have the name of an office
	// whose create had an unknown outcome, so Apply cannot tell which one
	// is its own.
	ErrAmbiguousName = errors.New("several of this kind in Dialpad have this name")
	// ErrWrongTarget: the live object with the id the state file records
	// for a key is not the one the state names (another office, kind or
	// name, or no such object in the listing), so nothing was written to
	// it: the id may belong to another object.
	ErrWrongTarget = errors.New("the Dialpad object with this id is not the one the state file names")
	// ErrWrongOffice is ErrWrongTarget, by its older name: an E911
	// address is never sent to another office.
	ErrWrongOffice = ErrWrongTarget
	// ErrBadOperators: the operators of a change cannot be sent as
	// written (an unknown email, a room in a call center, one person
	// twice); nothing of the change was sent.
	ErrBadOperators = errors.New("operators that cannot be applied")
	// ErrReplacementFailed: the delete of an object whose key now names an
	// object of another kind was not sent, since the create of that
	// replacement did not succeed in this run.
	ErrReplacementFailed = errors.New("not deleted: the create that replaces it under the same key did not succeed")
	// ErrBadAnswer: the API answered a create with an id that is not a
	// positive int64, or that the state file holds for another key; the
	// office was not recorded and its entry stays pending.
	ErrBadAnswer = errors.New("the API answered with an unusable id")
)

// errNotStarted is why an office never started in an interrupted run.
var errNotStarted = fmt.Errorf("not started: %w", ErrInterrupted)

// OfficeResult is the outcome of one office of the plan.
type OfficeResult struct {
	Key    string
	Name   string
	Action plan.Action
	// Outcome is what happened.
	Outcome Outcome
	// ID is the office's Dialpad id when known, else 0.
	ID int64
	// Err says why the office failed or was skipped; nil otherwise.
	Err error
	// Pending is set when the office's state entry stays pending: its
	// create may have happened; the next apply finds out by name.
	Pending bool
	// Kind is the change's kind: offices.KindOffice, KindDepartment or
	// KindCallCenter.
	Kind offices.Kind
	// Note says what a successful change did that a reader should know,
	// e.g. that it removed every operator of a group (naming them); "".
	Note string
}

// ApplyCounts counts the offices of a run per outcome, plus the manual
// changes and orphans among the unchanged ones.
type ApplyCounts struct {
	Created   int `json:"created"`
	Adopted   int `json:"adopted"`
	Updated   int `json:"updated"`
	Deleted   int `json:"deleted,omitempty"`
	Moved     int `json:"moved,omitempty"`
	Failed    int `json:"failed"`
	Skipped   int `json:"skipped"`
	Unchanged int `json:"unchanged"`
	// Manual and Orphan are the unchanged offices whose plan was manual
	// or orphan: differences apply cannot resolve.
	Manual int `json:"manual"`
	Orphan int `json:"orphan"`
	// Pending is the offices (failed or skipped) whose state entry stays
	// pending.
	Pending int `json:"pending"`
}

// ApplyResult is what an apply run did.
type ApplyResult struct {
	// Offices has one result per change of the plan, in plan order.
	Offices []OfficeResult
	// Counts counts Offices per outcome.
	Counts ApplyCounts
	// Err is the first error of the run (an *OfficeError, or the error
	// that stopped it), or ErrInterrupted when the run was interrupted
	// without any; nil when everything planned succeeded.
	Err error
	// Interrupted is set when the context ended before the run finished.
	Interrupted bool
	// Elapsed is how long the run took.
	Elapsed time.Duration
	// Invocation is the plan's: the commands in hints name it.
	Invocation plan.Invocation
}

// OfficeError is the failure of one office.
type OfficeError struct {
	Key, Name string
	Err       error
}

// Error reads "KEY (NAME): reason".
func (e *OfficeError) Error() string {
	return fmt.Sprintf("%s (%s): %v", e.Key, e.Name, e.Err)
}

// Unwrap returns e.Err.
func (e *OfficeError) Unwrap() error { return e.Err }

// Apply carries out p through opts.API, one job per change, recording
// every step in opts.Store: it creates offices, departments and call
// centers (create, resume), updates them (E911 address, PATCH of the
// changed fields), sets their operators, deletes groups, and moves the
// state entries of renamed keys. Other changes need nothing.
//
// A job starts only once every object it refers to exists; its
// references are sent as those objects' ids, and recorded (Entry.Refs).
// Deletes run last, and the delete of an object whose key now names one of
// another kind only after that one's create succeeded. Up to
// opts.Parallelism requests are in flight at once.
//
// Before anything is sent, protect and memberships no longer managed are
// saved, and every operator of the plan is resolved and checked. No
// object is created twice: a create first looks in the listing of its
// office and kind (one per run) for its exact name: a live one fails it
// (`officectl import` adopts it; with opts.AdoptExisting it is adopted
// when its name is live exactly once), and a resume adopts it. Before each
// create the state entry is saved pending, and after it created with its
// checked id. When a create's outcome is unknown, Apply lists again (one
// listing shared by every job waiting for one there) and records the
// object found by name, or creates it again. Before every write to an
// existing object, the same listing must show it with the recorded id,
// office and name (ErrWrongTarget).
//
// A 401 or 403 stops everything at once, cancelling requests in flight
// (their entries stay pending). A 400, 404, 409 or 422 fails that change
// with the API's message; the changes that refer to it are skipped, and
// the others go on unless opts.FailFast. When ctx ends, nothing new
// starts, the requests in flight finish and are saved, and the result is
// Interrupted.
//
// The state file is written even when nothing changed, if it did not
// exist yet. The result is returned even when err is not nil; err is
// result.Err.
// Apply fails without a result only when opts lack the Store or the API.
func Apply(ctx context.Context, p *plan.Plan, opts ApplyOptions) (*ApplyResult, error) {
	if opts.Store == nil || opts.API == nil {
		return nil, errors.New("apply: ApplyOptions needs a Store and an API")
	}
	if opts.Parallelism <= 0 {
		opts.Parallelism = plan.DefaultParallelism
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Events == nil {
		opts.Events = func(Event) {}
	}
	r := newRun(p, opts)
	r.execute(ctx)
	res := r.result()
	// The state file exists after every apply, even one that changed
	// nothing, so that a CI job can always commit it.
	if err := opts.Store.EnsureSaved(); err != nil && res.Err == nil {
		res.Err = fmt.Errorf("writing the state file: %w", err)
	}
	return res, res.Err
}
