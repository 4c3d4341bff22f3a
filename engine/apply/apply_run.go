package apply

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// This file holds the scheduler of an apply run: which offices may start,
// what their outcomes release or skip, and when the run stops. It runs in
// one goroutine; the offices' own work (apply_office.go) runs in others
// and reports back a finished value.

// run is one Apply call.
type run struct {
	plan *plan.Plan
	opts ApplyOptions

	res     []OfficeResult
	decided []bool
	total   int // offices with work: create, resume, update-e911
	done    int

	// resume marks the creates whose state entry was pending when the run
	// began: a live office of the name that entry records (sentName) is
	// theirs to adopt.
	resume   []bool
	sentName []string
	// adopted holds the Dialpad id of each office the preflight listing
	// adopted whose operators are still to be set (work does it).
	adopted []int64
	// e911ID is the Dialpad id of each update-e911 office, e911Name the
	// name the state file records for it (the live office must have it).
	e911ID   []int64
	e911Name []string

	ids        map[string]int64 // Dialpad ids by key: from state, then this run
	waits      []int            // offices referred to that do not exist yet
	dependants map[string][]int // plan indices of the offices referring to a key
	queued     []bool
	ready      []int // plan indices, ascending: plan order breaks ties

	claims *claims
	lister *lister
	users  users
	// deferred are the deletes: they start once nothing else is left.
	deferred []int
	// deleteRefs are the keys each delete's group refers to (from its
	// state entry): a group a deleted group refers to is deleted after it.
	deleteRefs map[int][]string
	sem        chan struct{} // one token per request in flight

	firstErr    error
	stopErr     error // set once the run stops starting offices
	interrupted bool
	cancelIn    context.CancelFunc // cancels the requests in flight
	// stopStarting ends the context offices check before each new step;
	// stopped tells them why.
	stopStarting context.CancelFunc
	stopped      atomic.Bool
	elapsed      time.Duration
}

// finished is what the work on one office reports to the scheduler.
type finished struct {
	i       int
	outcome Outcome
	id      int64
	err     error
	pending bool // the state entry stays pending
	fatal   bool // stop everything: the key was refused or the state not saved
}

func newRun(p *plan.Plan, opts ApplyOptions) *run {
	n := len(p.Changes)
	r := &run{
		plan:       p,
		opts:       opts,
		res:        make([]OfficeResult, n),
		decided:    make([]bool, n),
		resume:     make([]bool, n),
		sentName:   make([]string, n),
		adopted:    make([]int64, n),
		deleteRefs: map[int][]string{},
		e911ID:     make([]int64, n),
		e911Name:   make([]string, n),
		ids:        map[string]int64{},
		waits:      make([]int, n),
		dependants: map[string][]int{},
		queued:     make([]bool, n),
		sem:        make(chan struct{}, opts.Parallelism),
	}
	r.lister = &lister{api: opts.API, sem: r.sem, names: map[string]bool{}}
	r.users.byEm = map[string]*userLookup{}
	return r
}

// execute runs the whole apply.
func (r *run) execute(ctx context.Context) {
	start := r.opts.Now()
	// Requests in flight are not torn down when ctx ends: they finish and
	// their outcome is saved. Only a refused key cancels them.
	ictx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	r.cancelIn = cancel
	// Offices check sctx before each new step: it ends when ctx does, and
	// when the run stops after an error.
	sctx, stopStarting := context.WithCancel(ctx)
	defer stopStarting()
	r.stopStarting = stopStarting

	st := r.opts.Store.State()
	r.claims = newClaims(st)
	failures := r.prepare(st)
	r.emit(Event{Type: EventStart})
	for _, f := range failures {
		r.finish(f)
	}

	switch {
	case ctx.Err() != nil:
		r.interrupted = true
	case r.needsListing():
		r.preflight(sctx, ictx, st)
	}
	r.dispatch(ctx, sctx, ictx)
	r.skipRest()

	r.elapsed = r.opts.Now().Sub(start)
	res := r.result()
	ev := Event{Type: EventSummary, Counts: &res.Counts, Interrupted: res.Interrupted, ElapsedSeconds: res.Elapsed.Seconds()}
	if res.Err != nil {
		ev.Error = res.Err.Error()
	}
	r.emit(ev)
}

// prepare sorts the changes: the ones apply leaves alone are decided at
// once; offices whose plan cannot be carried out with this state are
// returned as failures; the others wait for the offices they refer to, or
// are ready.
func (r *run) prepare(st *state.State) []finished {
	for _, kind := range state.Kinds {
		for k, e := range st.Map(kind) {
			if e != nil && e.Status == state.Created {
				if id, err := strconv.ParseInt(e.ID, 10, 64); err == nil {
					r.ids[k] = id
				}
			}
		}
	}
	creating := map[string]bool{}
	for _, c := range r.plan.Changes {
		if c.Action == plan.ActionCreate || c.Action == plan.ActionResume {
			creating[c.Key] = true
		}
	}
	_, hasGroupAPI := r.opts.API.(GroupAPI)

	var failures []finished
	bad := func(i int, format string, args ...any) {
		failures = append(failures, finished{i: i, outcome: OutcomeFailed, err: fmt.Errorf(format, args...)})
	}
	for i := range r.plan.Changes {
		c := &r.plan.Changes[i]
		r.res[i] = OfficeResult{Key: c.Key, Name: c.Name, Action: c.Action, ID: r.ids[c.Key]}
		e, inState := st.GetOf(state.Kind(c.KindOf()), c.Key)
		if needsGroupAPI(c) && !hasGroupAPI {
			r.total++
			bad(i, "%v", ErrNoGroupAPI)
			continue
		}
		if c.KindOf() != offices.KindOffice {
			r.prepareGroup(i, e, inState, creating, bad)
			continue
		}
		switch c.Action {
		case plan.ActionUpdate:
			r.total++
			if !inState || e.Status != state.Created || r.ids[c.Key] == 0 {
				bad(i, "the state file has no Dialpad id for it: the plan is stale, plan again")
				continue
			}
			r.push(i)
			continue
		case plan.ActionNoOp, plan.ActionManual, plan.ActionOrphan:
			r.res[i].Outcome = OutcomeUnchanged
			r.decided[i] = true
			continue
		case plan.ActionUpdateE911:
			r.total++
			switch {
			case c.Office == nil || c.Office.E911Address == nil:
				bad(i, "the plan has no e911_address to send")
			case !inState || e.Status != state.Created || r.ids[c.Key] == 0:
				bad(i, "the state file has no Dialpad id for it: the plan is stale, plan again")
			default:
				r.e911ID[i], r.e911Name[i] = r.ids[c.Key], e.Name
				r.push(i)
			}
			continue
		case plan.ActionCreate, plan.ActionResume:
			r.total++
		default:
			r.total++
			bad(i, "unknown plan action %q", c.Action)
			continue
		}
		switch {
		case c.Office == nil:
			bad(i, "the plan has no office body to send")
			continue
		case inState && e.Status == state.Created:
			bad(i, "already created (Dialpad id %s) according to the state file: the plan is stale, plan again", e.ID)
			continue
		}
		r.resume[i] = inState && e.Status == state.Pending
		if r.resume[i] {
			r.sentName[i] = e.Name
			r.lister.names[e.Name] = true
		}
		r.lister.names[c.Office.Name] = true
		r.schedule(i, c.DependsOn, creating, bad)
	}
	return failures
}

// schedule makes change i wait for the changes of this run that create
// what it depends on, and queues it when it waits for none; a dependency
// with no id that this run does not create fails it.
func (r *run) schedule(i int, deps []string, creating map[string]bool, bad func(int, string, ...any)) {
	var missing []string
	for _, d := range deps {
		switch {
		case r.ids[d] != 0:
		case creating[d]:
			r.waits[i]++
			r.dependants[d] = append(r.dependants[d], i)
		default:
			missing = append(missing, d)
		}
	}
	switch {
	case len(missing) > 0:
		bad(i, "refers to %q, which neither exists in the state file nor is created by this plan", missing)
	case r.waits[i] == 0:
		r.push(i)
	}
}

// needsGroupAPI reports whether change c sends requests of GroupAPI.
func needsGroupAPI(c *plan.Change) bool {
	switch c.Action {
	case plan.ActionNoOp, plan.ActionManual, plan.ActionOrphan:
		return false
	}
	return c.KindOf() != offices.KindOffice || c.Operators != nil
}

// prepareGroup sorts the change i of a department or call center, whose
// state entry is e: creates and updates wait for the offices and groups
// they refer to, deletes for everything else.
func (r *run) prepareGroup(i int, e *state.Entry, inState bool, creating map[string]bool, bad func(int, string, ...any)) {
	c := &r.plan.Changes[i]
	switch c.Action {
	case plan.ActionNoOp, plan.ActionManual:
		r.res[i].Outcome = OutcomeUnchanged
		r.decided[i] = true
		return
	case plan.ActionDelete:
		r.total++
		switch {
		case e != nil && e.Protect:
			bad(i, "protected: never deleted")
		case !inState || e.Status != state.Created || r.ids[c.Key] == 0:
			bad(i, "the state file has no Dialpad id for it (a create of unknown outcome?): put it back in the config to resume it, or run `%s`", r.plan.Invocation.Command("state rm", c.Key))
		default:
			r.deferred = append(r.deferred, i)
			r.deleteRefs[i] = plan.StateGroupRefs(e)
		}
		return
	case plan.ActionCreate, plan.ActionResume, plan.ActionUpdate:
		r.total++
	default:
		r.total++
		bad(i, "unknown plan action %q for a %s", c.Action, c.KindOf())
		return
	}
	switch {
	case c.Group == nil:
		bad(i, "the plan has no body for it")
		return
	case c.Action == plan.ActionUpdate && (!inState || e.Status != state.Created || r.ids[c.Key] == 0):
		bad(i, "the state file has no Dialpad id for it: the plan is stale, plan again")
		return
	case c.Action != plan.ActionUpdate && inState && e.Status == state.Created:
		bad(i, "already created (Dialpad id %s) according to the state file: the plan is stale, plan again", e.ID)
		return
	}
	r.resume[i] = c.Action == plan.ActionResume && inState && e.Status == state.Pending
	if r.resume[i] {
		r.sentName[i] = e.Name
	}
	r.schedule(i, c.DependsOn, creating, bad)
}

// needsListing reports whether some office may still be created.
func (r *run) needsListing() bool {
	for i, c := range r.plan.Changes {
		if !r.decided[i] && c.KindOf() == offices.KindOffice && (c.Action == plan.ActionCreate || c.Action == plan.ActionResume) {
			return true
		}
	}
	return false
}

// preflight lists the live offices once before the first create: a create
// whose name is live fails (it belongs to `officectl import`), unless
// AdoptExisting, which adopts it as a resume is when its name is live
// once; a resume whose name is live once adopts that office.
func (r *run) preflight(ctx, ictx context.Context, st *state.State) {
	live, err := r.lister.list(ctx, ictx, 1)
	if errors.Is(err, ErrInterrupted) {
		return // dispatch notes why
	}
	if err != nil {
		r.stop(fmt.Errorf("listing the offices in Dialpad before creating any: %w", err), offices.IsAuth(err))
		return
	}
	type adoption struct {
		i  int
		id int64
	}
	var adopt []adoption
	for i := range r.plan.Changes {
		c := &r.plan.Changes[i]
		if r.decided[i] || c.KindOf() != offices.KindOffice || (c.Action != plan.ActionCreate && c.Action != plan.ActionResume) {
			continue
		}
		m := r.claims.match(live, c.Office.Name, c.Key)
		if r.resume[i] && r.sentName[i] != c.Office.Name {
			// The pending create sent another name: look for that one,
			// and create under the new name only if it is free.
			if sent := r.claims.match(live, r.sentName[i], c.Key); len(sent.free)+len(sent.claimed) > 0 || len(m.free)+len(m.claimed) == 0 {
				m = sent
			} else {
				r.resume[i] = false // nothing to adopt; the new name is taken
			}
		}
		adoptLive := r.resume[i] || r.opts.AdoptExisting
		switch {
		case len(m.invalid) > 0:
			r.finish(finished{i: i, outcome: OutcomeFailed, pending: r.resume[i], err: m.invalidErr()})
		case !adoptLive && len(m.free) > 0:
			r.finish(finished{i: i, outcome: OutcomeFailed, err: fmt.Errorf("%w (id %s) but not in the state file: run `%s` to adopt it instead of creating a second one", ErrNameExists, idList(m.free), r.plan.Invocation.Command("import"))})
		case len(m.free) == 0 && len(m.claimed) > 0:
			r.finish(finished{i: i, outcome: OutcomeFailed, pending: r.resume[i], err: fmt.Errorf("%w: %s", ErrNameExists, m.claimedText(r.plan.Invocation))})
		case len(m.free) > 1 && !r.resume[i]:
			r.finish(finished{i: i, outcome: OutcomeFailed, err: fmt.Errorf("%w (ids %s), so --adopt-existing cannot tell which one to adopt: keep one, rename or delete the others in Dialpad, then run apply again", ErrAmbiguousName, idList(m.free))})
		case len(m.free) > 1:
			r.finish(finished{i: i, outcome: OutcomeFailed, pending: true, err: ambiguous(m.free)})
		case len(m.free) == 1:
			// A hostile listing may give two names one id.
			if other, ok := r.claims.claim(m.free[0].ID, c.Key); !ok {
				r.finish(finished{i: i, outcome: OutcomeFailed, pending: r.resume[i],
					err: fmt.Errorf("%w: the listing gives id %d to this office and to %q; nothing recorded", ErrBadAnswer, m.free[0].ID, other)})
				continue
			}
			adopt = append(adopt, adoption{i, m.free[0].ID})
		}
	}
	if len(adopt) == 0 {
		return
	}
	now := r.opts.Now().UTC()
	err = r.opts.Store.Update(func(st *state.State) error {
		for _, a := range adopt {
			c := &r.plan.Changes[a.i]
			e, ok := st.Get(c.Key)
			if !ok {
				e = &state.Entry{}
				st.Set(c.Key, e)
			}
			markCreated(e, c.Office, a.id, now)
		}
		return nil
	})
	for _, a := range adopt {
		if err != nil {
			r.finish(finished{i: a.i, outcome: OutcomeFailed, pending: true, fatal: true, err: err})
			continue
		}
		if r.plan.Changes[a.i].Operators != nil {
			// Its operators are set in this run too: it is in the state
			// now and waits for nothing.
			r.adopted[a.i], r.waits[a.i] = a.id, 0
			r.push(a.i)
			continue
		}
		r.finish(finished{i: a.i, outcome: OutcomeAdopted, id: a.id})
	}
}

// dispatch starts ready offices, up to twice Parallelism at once (their
// requests take turns on Parallelism slots, so that saving state overlaps
// with requests), until none is left, ctx ends or the run stops. The
// offices' own steps watch sctx.
func (r *run) dispatch(ctx, sctx, ictx context.Context) {
	results := make(chan finished)
	active := 0
	done := ctx.Done()
	for {
		// Asked each time round, not only in the select below: with a
		// result ready too, the select may never pick done, and ctx.Err
		// is set before sctx, its child, ends.
		if ctx.Err() != nil {
			r.interrupted = true
		}
		for r.stopErr == nil && !r.interrupted && active < 2*r.opts.Parallelism {
			i, ok := r.pop()
			if !ok {
				break
			}
			active++
			ids := r.refIDs(i)
			go func() { results <- r.work(sctx, ictx, i, ids) }()
		}
		if active == 0 && len(r.ready) == 0 && len(r.deferred) > 0 && r.stopErr == nil && !r.interrupted {
			// Deletes last: nothing left refers to what they delete.
			r.releaseDeletes()
			continue
		}
		if active == 0 {
			return
		}
		select {
		case f := <-results:
			active--
			r.finish(f)
		case <-done:
			done = nil
			r.interrupted = true
		}
	}
}

// finish records the outcome of office f.i, and releases or skips the
// offices that refer to it.
func (r *run) finish(f finished) {
	if r.decided[f.i] {
		return
	}
	c := &r.plan.Changes[f.i]
	r.decided[f.i] = true
	r.done++
	res := &r.res[f.i]
	res.Outcome, res.Err, res.Pending = f.outcome, f.err, f.pending
	if f.id != 0 {
		res.ID = f.id
	}
	ev := Event{Key: c.Key, Name: c.Name, Action: c.Action, Pending: f.pending}
	if k := c.KindOf(); k != offices.KindOffice {
		ev.Kind = string(k)
	}
	if res.ID != 0 {
		ev.ID = strconv.FormatInt(res.ID, 10)
	}
	if f.err != nil {
		ev.Error = f.err.Error()
	}
	switch f.outcome {
	case OutcomeCreated:
		ev.Type = EventCreated
	case OutcomeAdopted:
		ev.Type = EventAdopted
	case OutcomeUpdated:
		ev.Type = EventUpdated
	case OutcomeDeleted:
		ev.Type = EventDeleted
	case OutcomeSkipped:
		ev.Type = EventSkipped
	default:
		ev.Type = EventFailed
	}
	r.emit(ev)

	switch f.outcome {
	case OutcomeCreated, OutcomeAdopted:
		r.ids[c.Key] = res.ID
		r.releaseDependants(c.Key)
	case OutcomeDeleted:
		r.releaseDependants(c.Key) // the deletes of the groups it referred to
	case OutcomeFailed:
		if r.firstErr == nil {
			r.firstErr = &OfficeError{Key: c.Key, Name: c.Name, Err: f.err}
		}
		if f.fatal || stopsRun(f.err) {
			r.stop(nil, offices.IsAuth(f.err))
		} else if r.opts.FailFast {
			r.stop(nil, false)
		}
		r.skipDependants(c.Key)
	case OutcomeSkipped:
		r.skipDependants(c.Key)
	}
}

// releaseDependants makes ready the changes that waited for key only.
func (r *run) releaseDependants(key string) {
	for _, j := range r.dependants[key] {
		if r.waits[j]--; r.waits[j] == 0 {
			r.push(j)
		}
	}
}

// releaseDeletes makes the deletes ready once nothing else is left, each
// after the deletes of the groups that refer to it: while a referrer
// exists, its target is still in use. Only edges forward in plan order
// count (the plan puts a referrer first), so a cycle in an edited state
// cannot stall them. A target whose referrer's delete fails is skipped.
func (r *run) releaseDeletes() {
	index := make(map[string]int, len(r.deferred))
	for _, i := range r.deferred {
		index[r.plan.Changes[i].Key] = i
	}
	for _, i := range r.deferred {
		key := r.plan.Changes[i].Key
		for _, t := range r.deleteRefs[i] {
			if j, ok := index[t]; ok && j > i {
				r.waits[j]++
				r.dependants[key] = append(r.dependants[key], j)
			}
		}
	}
	for _, i := range r.deferred {
		if r.waits[i] == 0 {
			r.push(i)
		}
	}
	r.deferred = nil
}

// skipDependants skips every office that refers to key, directly or not.
func (r *run) skipDependants(key string) {
	for _, j := range r.dependants[key] {
		if !r.decided[j] {
			r.finish(finished{i: j, outcome: OutcomeSkipped, err: fmt.Errorf("%w: %s", ErrDependencyFailed, key)})
		}
	}
}

// stop makes the run start nothing new; err, when not nil, is the first
// error of the run if there is none yet. cancel also tears down the
// requests in flight (the API key was refused: nothing else can work).
func (r *run) stop(err error, cancel bool) {
	if err != nil && r.firstErr == nil {
		r.firstErr = err
	}
	if r.stopErr == nil {
		r.stopErr = ErrStopped
		r.stopped.Store(true)
		r.stopStarting()
	}
	if cancel {
		r.cancelIn()
	}
}

// skipRest skips the offices never started.
func (r *run) skipRest() {
	reason := r.stopErr
	if reason == nil {
		reason = errNotStarted
	}
	for i := range r.plan.Changes {
		if !r.decided[i] {
			r.finish(finished{i: i, outcome: OutcomeSkipped, err: reason})
		}
	}
}

// push makes office i ready, once.
func (r *run) push(i int) {
	if r.decided[i] || r.queued[i] {
		return
	}
	r.queued[i] = true
	k := sort.SearchInts(r.ready, i)
	r.ready = append(r.ready, 0)
	copy(r.ready[k+1:], r.ready[k:])
	r.ready[k] = i
}

// pop returns the first ready office in plan order.
func (r *run) pop() (int, bool) {
	for len(r.ready) > 0 {
		i := r.ready[0]
		r.ready = r.ready[1:]
		if !r.decided[i] {
			return i, true
		}
	}
	return 0, false
}

// refIDs returns the ids of the offices change i refers to.
func (r *run) refIDs(i int) map[string]int64 {
	deps := r.plan.Changes[i].DependsOn
	ids := make(map[string]int64, len(deps))
	for _, d := range deps {
		if id, ok := r.ids[d]; ok {
			ids[d] = id
		}
	}
	return ids
}

func (r *run) emit(e Event) {
	e.Time = r.opts.Now().UTC()
	e.Done, e.Total = r.done, r.total
	r.opts.Events(e)
}

// result sums the run up.
func (r *run) result() *ApplyResult {
	res := &ApplyResult{Offices: r.res, Interrupted: r.interrupted, Err: r.firstErr, Elapsed: r.elapsed, Invocation: r.plan.Invocation}
	for i := range r.res {
		o := &r.res[i]
		if o.Pending {
			res.Counts.Pending++
		}
		switch o.Outcome {
		case OutcomeCreated:
			res.Counts.Created++
		case OutcomeAdopted:
			res.Counts.Adopted++
		case OutcomeUpdated:
			res.Counts.Updated++
		case OutcomeDeleted:
			res.Counts.Deleted++
		case OutcomeFailed:
			res.Counts.Failed++
		case OutcomeSkipped:
			res.Counts.Skipped++
		case OutcomeUnchanged:
			res.Counts.Unchanged++
			switch o.Action {
			case plan.ActionManual:
				res.Counts.Manual++
			case plan.ActionOrphan:
				res.Counts.Orphan++
			}
		}
	}
	if res.Err == nil && r.interrupted {
		res.Err = ErrInterrupted
	}
	return res
}

// notStarted is why an office did not take its next step: the run
// stopped after an error, or was interrupted.
func (r *run) notStarted() error {
	if r.stopped.Load() {
		return ErrStopped
	}
	return errNotStarted
}
