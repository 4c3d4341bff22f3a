package plan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"sync"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// This file holds drift: what changed in Dialpad, outside Git, since an
// office was last applied. CheckDrift fetches every office the state
// records and compares it with the spec the state records for it.

// DriftAPI is the part of the Dialpad API that CheckDrift uses;
// *offices.Client satisfies it.
type DriftAPI interface {
	ListOffices(ctx context.Context, opts offices.ListOptions) ([]offices.Live, error)
	GetOffice(ctx context.Context, id int64) (*offices.Live, error)
	GetE911(ctx context.Context, id int64) (*offices.LiveE911, error)
}

var _ DriftAPI = (*offices.Client)(nil)

// DriftKind says how a live office drifted from its last applied spec.
type DriftKind string

// The kinds of drift.
const (
	// DriftChanged: fields the API returns differ from the spec (e911
	// fields may differ too).
	DriftChanged DriftKind = "changed"
	// DriftDeleted: the live office is deleted or cancelled, or the API
	// no longer knows its id.
	DriftDeleted DriftKind = "deleted"
	// DriftE911: only the E911 address differs; apply can set it back.
	DriftE911 DriftKind = "e911"
)

// Drift is how one office managed in state differs in Dialpad from the
// spec last applied (or adopted) for it.
type Drift struct {
	// Key is the office key in state.
	Key string `json:"key"`
	// Name is the name the state records for it.
	Name string `json:"name"`
	// ID is its Dialpad id.
	ID int64 `json:"id,string"`
	// Kind is how it drifted.
	Kind DriftKind `json:"kind"`
	// Object is "department" or "callcenter" for a group's drift, ""
	// (left out of the JSON) for an office's.
	Object string `json:"object,omitempty"`
	// LiveState is the office's live state for DriftDeleted: "deleted",
	// "cancelled", or "not found" when GET answered 404; "" otherwise.
	LiveState string `json:"live_state,omitempty"`
	// Fields lists, in path order, the fields that differ: Old is the
	// spec's value, New the live one (compact JSON, normalised as the
	// spec writes it: ids as numbers, countries upper-case). Empty for
	// DriftDeleted.
	Fields []FieldChange `json:"fields"`
}

// SkippedOffice is a state entry CheckDrift could not compare.
type SkippedOffice struct {
	Key    string `json:"key"`
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// DriftReport is the result of CheckDrift: a plain value that the drift
// renderers print and MergeDrift folds into a plan.
type DriftReport struct {
	// Checked is the number of live offices and groups fetched and
	// compared.
	Checked int
	// CheckedGroups counts, of Checked, the groups per Drift.Object
	// ("department", "callcenter"); the rest are offices.
	CheckedGroups map[string]int
	// Drifts, sorted by key: only the offices that drifted.
	Drifts []Drift
	// Skipped, sorted by key: state entries with no id (a pending create)
	// or no spec to compare with.
	Skipped []SkippedOffice
	// Invocation is the directory and state file the command was given;
	// the commands in the report's hints name them.
	Invocation Invocation
}

// DriftSummary counts a report's drifts per kind.
type DriftSummary struct {
	Changed int `json:"changed"`
	Deleted int `json:"deleted"`
	E911    int `json:"e911"`
}

// Total is the number of offices that drifted.
func (s DriftSummary) Total() int { return s.Changed + s.Deleted + s.E911 }

// Summary counts r's drifts per kind.
func (r *DriftReport) Summary() DriftSummary {
	var s DriftSummary
	for _, d := range r.Drifts {
		switch d.Kind {
		case DriftChanged:
			s.Changed++
		case DriftDeleted:
			s.Deleted++
		case DriftE911:
			s.E911++
		}
	}
	return s
}

// Find returns the drift of key, or nil.
func (r *DriftReport) Find(key string) *Drift {
	i := sort.Search(len(r.Drifts), func(i int) bool { return r.Drifts[i].Key >= key })
	if i < len(r.Drifts) && r.Drifts[i].Key == key {
		return &r.Drifts[i]
	}
	return nil
}

// DriftOptions configure CheckDrift.
type DriftOptions struct {
	// API fetches the live offices. Required. Its own rate limiter paces
	// the requests.
	API DriftAPI
	// Parallelism is the most requests in flight at once, default
	// DefaultParallelism.
	Parallelism int
	// Invocation is the directory and state file the command was given:
	// the report carries it, and the commands its reasons print name it.
	Invocation Invocation
}

// DefaultParallelism is how many requests Apply and CheckDrift keep in flight unless
// told otherwise: enough that the API's latency does not waste the rate
// limit (1200 a minute is 20 a second; 8 in flight cover up to 400 ms).
const DefaultParallelism = 8

// CheckDrift compares every office st records as created with the spec
// st records for it (see UncheckedFields for what cannot be compared).
// It lists the company's offices (GET /api/v2/offices, every cursor page)
// instead of fetching them one by one; the listing carries each office's
// E911 address. Only what the listing lacks is fetched on its own, up to
// Parallelism at once: an office it leaves out (GET office), and an E911
// address that the spec has and the listed office does not (GET e911).
// A live office whose state is deleted or cancelled, or that the API
// answers 404 for, is DriftDeleted.
//
// Any other API error ends the check: CheckDrift returns it, naming the
// office (or the listing), and no report.
func CheckDrift(ctx context.Context, st *state.State, opts DriftOptions) (*DriftReport, error) {
	if opts.API == nil {
		return nil, errors.New("drift: no API")
	}
	par := opts.Parallelism
	if par <= 0 {
		par = DefaultParallelism
	}
	if st == nil {
		st = state.New()
	}
	ids := StateIDs(st)
	rep := &DriftReport{Invocation: opts.Invocation}
	var jobs []driftJob
	for _, k := range st.Keys() {
		e := st.Offices[k]
		if e == nil {
			continue
		}
		id, ok := ids[k]
		if e.Status != state.Created || !ok {
			rep.Skipped = append(rep.Skipped, SkippedOffice{Key: k, Name: e.Name, Reason: rep.pendingReason()})
			continue
		}
		if len(e.Spec) == 0 {
			rep.Skipped = append(rep.Skipped, SkippedOffice{Key: k, Name: e.Name, Reason: rep.noSpecReason(k)})
			continue
		}
		spec, err := decodeEntrySpec(e)
		if err != nil {
			rep.Skipped = append(rep.Skipped, SkippedOffice{Key: k, Name: e.Name, Reason: err.Error()})
			continue
		}
		jobs = append(jobs, driftJob{key: k, e: e, spec: spec, id: id})
	}
	if len(jobs) > 0 {
		if err := fetchLive(ctx, opts.API, jobs, par); err != nil {
			return nil, err
		}
	}
	rep.Checked = len(jobs)
	for i := range jobs {
		if d := jobs[i].drift(ids); d != nil {
			rep.Drifts = append(rep.Drifts, *d)
		}
	}
	if err := checkGroupDrift(ctx, opts.API, st, rep, par); err != nil {
		return nil, err
	}
	return rep, nil
}

// driftJob is one office to check: what the state records, then what
// fetchLive found.
type driftJob struct {
	key  string
	e    *state.Entry
	spec offices.Office
	id   int64

	// live is the office as the API returns it; nil when it answered 404.
	live *offices.Live
	// e911 is its E911 address, when spec has one and the office is not
	// gone: the listing's, or else GET e911's.
	e911 *offices.LiveE911
}

// fetchLive fills each job's live office and E911 address: it lists every
// office (one page at a time: the cursor of a page leads to the next),
// then, up to par at once, fetches what the listing did not give: an
// office it left out (GET office) and an E911 address that the spec has
// and the listed office lacks (GET e911). The first error that is not a
// 404 for an office cancels the rest and is returned, naming its office.
func fetchLive(ctx context.Context, api DriftAPI, jobs []driftJob, par int) error {
	// Hold only the offices the jobs compare: a listing at the client's
	// bound (100,000 offices) held ~5 KiB an office whole.
	want := make(map[int64]bool, len(jobs))
	for i := range jobs {
		want[jobs[i].id] = true
	}
	listed, err := api.ListOffices(ctx, offices.ListOptions{Keep: func(l offices.Live) bool { return want[l.ID] }})
	if err != nil {
		return fmt.Errorf("drift: listing offices: %w", err)
	}
	byID := make(map[int64]*offices.Live, len(listed))
	for i := range listed {
		byID[listed[i].ID] = &listed[i]
	}
	var todo []int
	for i := range jobs {
		j := &jobs[i]
		if j.live = byID[j.id]; j.live == nil || !j.fetched() {
			todo = append(todo, i)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, len(jobs))
	forEach(ctx, todo, par, func(i int) {
		if errs[i] = jobs[i].fetch(ctx, api); errs[i] != nil {
			cancel() // one error ends the check: start nothing new
		}
	})
	// Report the first error in key order that is not the cancellation
	// another error caused.
	var first error
	for _, err := range errs {
		if err != nil && (first == nil || errors.Is(first, context.Canceled)) {
			first = err
		}
	}
	if first != nil {
		return first
	}
	return ctx.Err()
}

// fetched reports whether the job has all it needs from its live office,
// and takes the listed E911 address when the spec has one.
func (j *driftJob) fetched() bool {
	if j.spec.E911Address == nil || deletedState(j.live.State) {
		return true
	}
	j.e911 = j.live.E911Address
	return j.e911 != nil
}

// fetch gets what the listing did not give for the job: the office, and
// its E911 address.
func (j *driftJob) fetch(ctx context.Context, api DriftAPI) error {
	if j.live == nil {
		live, err := api.GetOffice(ctx, j.id)
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("drift: office %q (id %d): %w", j.key, j.id, err)
		}
		if j.live = live; j.fetched() {
			return nil
		}
	}
	e911, err := api.GetE911(ctx, j.id)
	if err != nil {
		return fmt.Errorf("drift: E911 address of office %q (id %d): %w", j.key, j.id, err)
	}
	j.e911 = e911
	return nil
}

// deletedState reports whether an office's live state means it is gone.
func deletedState(s string) bool { return s == "deleted" || s == "cancelled" }

// forEach calls f for each of items with up to n of them at once, and
// starts none once ctx is done.
func forEach(ctx context.Context, items []int, n int, f func(int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(n, len(items)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
feed:
	for _, i := range items {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
}

// drift compares the job's live office with its spec; nil when it has
// not drifted.
func (j *driftJob) drift(ids map[string]int64) *Drift {
	d := &Drift{Key: j.key, Name: j.e.Name, ID: j.id}
	switch {
	case j.live == nil:
		d.Kind, d.LiveState, d.Fields = DriftDeleted, "not found", []FieldChange{}
		return d
	case deletedState(j.live.State):
		d.Kind, d.LiveState, d.Fields = DriftDeleted, j.live.State, []FieldChange{}
		return d
	}
	d.Fields = compareLive(j.spec, sentIDs(j.spec, j.e, ids), j.live, j.e911)
	switch {
	case len(d.Fields) == 0:
		return nil
	case onlyE911(d.Fields):
		d.Kind = DriftE911
	default:
		d.Kind = DriftChanged
	}
	return d
}

func isNotFound(err error) bool {
	var ae *offices.APIError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound
}

// StateIDs maps the keys of created entries to their Dialpad ids.
func StateIDs(st *state.State) map[string]int64 {
	ids := make(map[string]int64, len(st.Offices))
	for k, e := range st.Offices {
		if e == nil || e.Status != state.Created {
			continue
		}
		if id, err := strconv.ParseInt(e.ID, 10, 64); err == nil && id > 0 {
			ids[k] = id
		}
	}
	return ids
}

// decodeEntrySpec decodes the spec a state entry records.
func decodeEntrySpec(e *state.Entry) (offices.Office, error) {
	var o offices.Office
	if len(e.Spec) == 0 {
		return o, errors.New("the state records no spec to compare with")
	}
	if err := json.Unmarshal(e.Spec, &o); err != nil {
		return o, fmt.Errorf("the spec in the state does not decode: %v", err)
	}
	return o, nil
}

// pendingReason is why an entry without a Dialpad id is not compared,
// with the command that resolves it.
func (r *DriftReport) pendingReason() string {
	return fmt.Sprintf("no Dialpad id yet (its create is pending: run `%s`)", r.Invocation.Command("apply"))
}

// noSpecReason is why the entry of key, which records no spec, is not
// compared, with the commands that mend it.
func (r *DriftReport) noSpecReason(key string) string {
	return fmt.Sprintf("the state records no spec to compare with (forget and adopt it again: `%s`, then `%s`)",
		r.Invocation.Command("state rm", key), r.Invocation.Command("import"))
}
