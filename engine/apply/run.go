package apply

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// This file holds the scheduler of an apply run: one job per change of
// the plan, which jobs may start, what their outcomes release or skip,
// and when the run stops. It runs in one goroutine; the jobs' own steps
// (lifecycle.go) run in others and report back a finished value.

// job is one change of the plan and everything the run knows of it.
type job struct {
	i   int // its position in the plan: results keep plan order
	c   *plan.Change
	who ident
	kc  kindClient
	res OfficeResult

	decided, queued bool
	waits           int // jobs it waits for that have not finished

	// entry is the state entry at the start of the run (for a move, the
	// one under MovedFrom); nil when there is none.
	entry *state.Entry
	// id is the object's Dialpad id: the state's, or once created;
	// officeID a created group's office.
	id, officeID int64
	// resume: the entry was pending when the run began; a live object of
	// the name it records (sentName) is this job's to adopt.
	resume   bool
	sentName string
	// deleteRefs are the keys a deleted group's recorded spec refers to:
	// it is deleted before the deleted groups it refers to.
	deleteRefs []string
	// replacement is, for the delete of an object whose key now names an
	// object of another kind, the create of that one: the delete runs
	// only when it succeeded.
	replacement *job
	// members are the resolved operators to set; nil when the change
	// leaves the membership alone.
	members *memberPlan
}

// run is one Apply call.
type run struct {
	plan *plan.Plan
	opts ApplyOptions
	jobs []*job

	total, done int
	ids         map[string]int64 // Dialpad ids by config key, for references
	waitingFor  map[string][]*job
	ready       []*job // ascending plan position: plan order breaks ties
	deferred    []*job // the deletes: they start once nothing else is left

	claims  *claims
	listers listers
	office  officeKind
	groups  GroupAPI // nil when the API cannot manage groups
	sem     chan struct{}
	// officeNames and officeIDs select what an office listing keeps.
	officeNames map[string]bool
	officeIDs   map[int64]bool

	firstErr    error
	stopErr     error // set once the run stops starting jobs
	interrupted bool
	// cancelInFlight tears down the requests in flight (only a refused
	// key does); stopNewWork ends the context jobs check before each new
	// step, and stopped tells them why.
	cancelInFlight context.CancelFunc
	stopNewWork    context.CancelFunc
	stopped        atomic.Bool
	elapsed        time.Duration
}

// finished is what the work on one job reports to the scheduler.
type finished struct {
	j       *job
	outcome Outcome
	id      int64
	err     error
	note    string
	pending bool // the state entry stays pending
	fatal   bool // stop everything: the key was refused or the state not saved
	fresh   bool // the object was created by this run: its office has no groups yet
}

func newRun(p *plan.Plan, opts ApplyOptions) *run {
	r := &run{
		plan:        p,
		opts:        opts,
		ids:         map[string]int64{},
		waitingFor:  map[string][]*job{},
		sem:         make(chan struct{}, opts.Parallelism),
		officeNames: map[string]bool{},
		officeIDs:   map[int64]bool{},
	}
	r.listers.m = map[listKey]*lister{}
	r.groups, _ = opts.API.(GroupAPI)
	r.office = officeKind{api: opts.API, keep: func(o offices.Live) bool { return r.officeNames[o.Name] || r.officeIDs[o.ID] }}
	return r
}

// execute runs the whole apply.
func (r *run) execute(ctx context.Context) {
	start := r.opts.Now()
	// Requests in flight are not torn down when ctx ends: they finish and
	// their outcome is saved. Only a refused key cancels them.
	inFlight, cancelInFlight := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelInFlight()
	r.cancelInFlight = cancelInFlight
	// Jobs check newWork before each new step: it ends when ctx does, and
	// when the run stops after an error.
	newWork, stopNewWork := context.WithCancel(ctx)
	defer stopNewWork()
	r.stopNewWork = stopNewWork

	st := r.opts.Store.State()
	r.claims = newClaims(st)
	failures := r.prepare(st)
	r.emit(Event{Type: EventStart})
	for _, f := range failures {
		r.finish(f)
	}
	if ctx.Err() != nil {
		r.interrupted = true
	} else {
		r.recordStateOnly()
		r.resolveOperators(newWork, inFlight)
	}
	r.dispatch(ctx, newWork, inFlight)
	r.skipRest()

	r.elapsed = r.opts.Now().Sub(start)
	res := r.result()
	ev := Event{Type: EventSummary, Counts: &res.Counts, Interrupted: res.Interrupted, ElapsedSeconds: res.Elapsed.Seconds()}
	if res.Err != nil {
		ev.Error = res.Err.Error()
	}
	r.emit(ev)
}

// prepare makes a job of every change: the ones apply leaves alone are
// decided at once; those whose plan cannot be carried out with this state
// are returned as failures; the others wait for the jobs that create what
// they refer to, or are ready. Deletes wait for everything else.
func (r *run) prepare(st *state.State) []finished {
	for _, kind := range state.Kinds {
		for k, e := range st.Map(kind) {
			if e != nil && e.Status == state.Created {
				if id := parseID(e.ID); id != 0 {
					r.ids[k] = id
				}
			}
		}
	}
	// What this run creates (or moves to a new key) is referred to by the
	// id it gets in the run, never by one the state holds for the key
	// under another kind.
	creating := map[string]bool{}
	for i := range r.plan.Changes {
		c := &r.plan.Changes[i]
		switch c.Action {
		case plan.ActionCreate, plan.ActionResume, plan.ActionMove:
			creating[c.Key] = true
			delete(r.ids, c.Key)
		}
	}

	var failures []finished
	byIdent := map[ident]*job{}
	for i := range r.plan.Changes {
		c := &r.plan.Changes[i]
		j := &job{i: i, c: c, who: ident{c.KindOf(), c.Key}}
		j.res = OfficeResult{Key: c.Key, Name: c.Name, Action: c.Action, Kind: j.who.kind}
		r.jobs = append(r.jobs, j)
		byIdent[j.who] = j
		stateKey := c.Key
		if c.Action == plan.ActionMove {
			stateKey = c.MovedFrom
		}
		if e, ok := st.GetOf(state.Kind(j.who.kind), stateKey); ok {
			j.entry = e
			if e.Status == state.Created {
				j.id = parseID(e.ID)
			}
		}
		j.res.ID = j.id
		if err := r.prepareJob(j, creating); err != nil {
			r.total++
			failures = append(failures, finished{j: j, outcome: OutcomeFailed, err: err})
		}
	}
	// A kind change under one key: the delete of the old kind waits for
	// the create of the new one and runs only if it succeeded.
	for _, j := range r.deferred {
		for _, k := range []offices.Kind{offices.KindOffice, offices.KindDepartment, offices.KindCallCenter} {
			if c := byIdent[ident{k, j.c.Key}]; c != nil && k != j.who.kind && (c.c.Action == plan.ActionCreate || c.c.Action == plan.ActionResume) {
				j.replacement = c
			}
		}
	}
	return failures
}

// prepareJob sorts job j: decided at once, deferred (a delete), waiting
// or ready; an error fails it before anything is sent.
func (r *run) prepareJob(j *job, creating map[string]bool) error {
	c := j.c
	switch c.Action {
	case plan.ActionNoOp, plan.ActionManual, plan.ActionOrphan:
		j.res.Outcome, j.decided = OutcomeUnchanged, true
		return nil
	}
	r.total++
	if j.who.kind == offices.KindOffice {
		j.kc = r.office
	} else if r.groups != nil {
		j.kc = groupKind{api: r.groups, kind: j.who.kind}
	}
	if _, managed := operatorsOf(j); (j.kc == nil || managed) && r.groups == nil {
		return ErrNoGroupAPI
	}
	var err error
	switch c.Action {
	case plan.ActionDelete:
		return r.prepareDelete(j)
	case plan.ActionMove:
		err = r.prepareMove(j)
	case plan.ActionUpdate, plan.ActionUpdateE911:
		err = r.prepareUpdate(j)
	case plan.ActionCreate, plan.ActionResume:
		err = r.prepareCreate(j)
	default:
		err = fmt.Errorf("unknown plan action %q for a %s", c.Action, j.who.kind)
	}
	if err != nil {
		return err
	}
	return r.schedule(j, creating)
}

// created reports whether job j's state entry records a created object.
func (j *job) created() bool {
	return j.entry != nil && j.entry.Status == state.Created && j.id != 0
}

// hasBody reports whether the plan carries what job j sends.
func (j *job) hasBody() bool {
	switch {
	case j.who.kind != offices.KindOffice:
		return j.c.Group != nil
	case j.c.Action == plan.ActionUpdate:
		return true // operators only
	}
	return j.c.Office != nil
}

// prepareDelete defers the delete of job j: deletes run last.
func (r *run) prepareDelete(j *job) error {
	switch {
	case j.who.kind == offices.KindOffice:
		return fmt.Errorf("offices cannot be deleted through the API")
	case j.entry != nil && j.entry.Protect:
		return fmt.Errorf("protected: never deleted")
	case !j.created():
		return fmt.Errorf("the state file has no Dialpad id for it (a create of unknown outcome?): put it back in the config to resume it, or run `%s`", r.plan.Invocation.Command("state rm", j.c.Key))
	}
	j.deleteRefs = plan.StateGroupRefs(j.entry)
	r.deferred = append(r.deferred, j)
	r.watchTarget(j)
	return nil
}

// prepareMove checks the move of job j against the state; with an
// update it waits, like one, for what that update refers to.
func (r *run) prepareMove(j *job) error {
	c := j.c
	switch {
	case c.MovedFrom == "" || j.who.kind == offices.KindOffice:
		return fmt.Errorf("the plan moves it from %q, which apply cannot move: plan again", c.MovedFrom)
	case !j.created():
		return fmt.Errorf("the state file has no Dialpad id under %q: the plan is stale, plan again", c.MovedFrom)
	case c.Group == nil:
		return fmt.Errorf("the plan has no body for it")
	case j.entry.Name != c.Group.Name:
		return fmt.Errorf("the state file records %q under %q, not %q: a move keeps the name; plan again", j.entry.Name, c.MovedFrom, c.Group.Name)
	}
	return nil
}

// prepareUpdate checks the update of job j against the state.
func (r *run) prepareUpdate(j *job) error {
	switch {
	case !j.created():
		return fmt.Errorf("the state file has no Dialpad id for it: the plan is stale, plan again")
	case !j.hasBody():
		return fmt.Errorf("the plan has no body to send")
	}
	r.watchTarget(j)
	return nil
}

// prepareCreate checks the create of job j against the state, and notes
// a pending create of an earlier run: its object may be live under the
// name that entry records.
func (r *run) prepareCreate(j *job) error {
	e := j.entry
	switch {
	case !j.hasBody():
		return fmt.Errorf("the plan has no body to send")
	case j.created():
		return fmt.Errorf("already created (Dialpad id %s) according to the state file: the plan is stale, plan again", e.ID)
	}
	j.resume = e != nil && e.Status == state.Pending
	if j.resume {
		j.sentName = e.Name
	}
	if j.who.kind == offices.KindOffice {
		name, _, _ := j.kc.desired(j.c)
		r.officeNames[name] = true
		if j.resume {
			r.officeNames[e.Name] = true
		}
	}
	return nil
}

// watchTarget makes the office listing keep the office j writes to.
func (r *run) watchTarget(j *job) {
	if j.who.kind == offices.KindOffice {
		r.officeIDs[j.id] = true
	}
}

// schedule makes job j wait for the jobs of this run that create what it
// depends on, and queues it when it waits for none; a dependency with no
// id that this run does not create fails it.
func (r *run) schedule(j *job, creating map[string]bool) error {
	var missing []string
	for _, d := range j.c.DependsOn {
		switch {
		case r.ids[d] != 0:
		case creating[d]:
			j.waits++
			r.waitingFor[d] = append(r.waitingFor[d], j)
		default:
			missing = append(missing, d)
		}
	}
	switch {
	case len(missing) > 0:
		return fmt.Errorf("refers to %q, which neither exists in the state file nor is created by this plan", missing)
	case j.waits == 0:
		r.push(j)
	}
	return nil
}

// dispatch starts ready jobs, up to twice Parallelism at once (their
// requests take turns on Parallelism slots, so that saving state overlaps
// with requests), until none is left, ctx ends or the run stops.
func (r *run) dispatch(ctx, newWork, inFlight context.Context) {
	results := make(chan finished)
	active := 0
	done := ctx.Done()
	for {
		// Asked each time round, not only in the select below: with a
		// result ready too, the select may never pick done, and ctx.Err
		// is set before newWork, its child, ends.
		if ctx.Err() != nil {
			r.interrupted = true
		}
		for r.stopErr == nil && !r.interrupted && active < 2*r.opts.Parallelism {
			j, ok := r.pop()
			if !ok {
				break
			}
			active++
			ids := r.refIDs(j)
			go func() { results <- r.work(newWork, inFlight, j, ids) }()
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

// finish records the outcome of job f.j, and releases or skips the jobs
// that wait for it.
func (r *run) finish(f finished) {
	j := f.j
	if j.decided {
		return
	}
	c := j.c
	j.decided = true
	r.done++
	res := &j.res
	res.Outcome, res.Err, res.Pending, res.Note = f.outcome, f.err, f.pending, f.note
	if f.id != 0 {
		res.ID = f.id
	}
	ev := Event{Key: c.Key, Name: c.Name, Action: c.Action, Pending: f.pending, Note: f.note}
	if j.who.kind != offices.KindOffice {
		ev.Kind = string(j.who.kind)
	}
	if res.ID != 0 {
		ev.ID = strconv.FormatInt(res.ID, 10)
	}
	if f.err != nil {
		ev.Error = f.err.Error()
	}
	ev.Type = eventOf(f.outcome)
	r.emit(ev)

	switch f.outcome {
	case OutcomeCreated, OutcomeAdopted, OutcomeMoved:
		j.id = res.ID
		r.ids[c.Key] = res.ID
		if f.fresh && j.who.kind == offices.KindOffice {
			r.freshOffice(res.ID)
		}
		r.release(c.Key)
	case OutcomeDeleted:
		r.release(c.Key) // the deletes of the groups it referred to
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

func eventOf(o Outcome) EventType {
	switch o {
	case OutcomeCreated:
		return EventCreated
	case OutcomeAdopted:
		return EventAdopted
	case OutcomeUpdated:
		return EventUpdated
	case OutcomeDeleted:
		return EventDeleted
	case OutcomeMoved:
		return EventMoved
	case OutcomeSkipped:
		return EventSkipped
	}
	return EventFailed
}

// release makes ready the jobs that waited for key only.
func (r *run) release(key string) {
	for _, j := range r.waitingFor[key] {
		if j.waits--; j.waits == 0 {
			r.push(j)
		}
	}
}

// releaseDeletes makes the deletes ready once nothing else is left, each
// after the deletes of the groups that refer to it: while a referrer
// exists, its target is still in use. Only edges forward in plan order
// count (the plan puts a referrer first), so a cycle in an edited state
// cannot stall them. A target whose referrer's delete fails is skipped,
// and so is a delete whose replacement create did not succeed.
func (r *run) releaseDeletes() {
	deferred := r.deferred
	r.deferred = nil
	index := make(map[string]*job, len(deferred))
	for _, j := range deferred {
		index[j.c.Key] = j
	}
	for _, j := range deferred {
		for _, t := range j.deleteRefs {
			if d, ok := index[t]; ok && d.i > j.i {
				d.waits++
				r.waitingFor[j.c.Key] = append(r.waitingFor[j.c.Key], d)
			}
		}
	}
	for _, j := range deferred {
		if rp := j.replacement; rp != nil && rp.res.Outcome != OutcomeCreated && rp.res.Outcome != OutcomeAdopted {
			r.finish(finished{j: j, outcome: OutcomeSkipped, err: fmt.Errorf("%w (%s %s)", ErrReplacementFailed, rp.who.kind, rp.res.Outcome)})
			continue
		}
		if j.waits == 0 {
			r.push(j)
		}
	}
}

// skipDependants skips every job that refers to key, directly or not.
func (r *run) skipDependants(key string) {
	for _, j := range r.waitingFor[key] {
		if !j.decided {
			r.finish(finished{j: j, outcome: OutcomeSkipped, err: fmt.Errorf("%w: %s", ErrDependencyFailed, key)})
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
		r.stopNewWork()
	}
	if cancel {
		r.cancelInFlight()
	}
}

// skipRest skips the jobs never started.
func (r *run) skipRest() {
	reason := r.stopErr
	if reason == nil {
		reason = errNotStarted
	}
	for _, j := range r.jobs {
		if !j.decided {
			r.finish(finished{j: j, outcome: OutcomeSkipped, err: reason})
		}
	}
}

// push makes job j ready, once.
func (r *run) push(j *job) {
	if j.decided || j.queued {
		return
	}
	j.queued = true
	k := sort.Search(len(r.ready), func(k int) bool { return r.ready[k].i >= j.i })
	r.ready = append(r.ready, nil)
	copy(r.ready[k+1:], r.ready[k:])
	r.ready[k] = j
}

// pop returns the first ready job in plan order.
func (r *run) pop() (*job, bool) {
	for len(r.ready) > 0 {
		j := r.ready[0]
		r.ready = r.ready[1:]
		if !j.decided {
			return j, true
		}
	}
	return nil, false
}

// refIDs returns the ids of what job j refers to.
func (r *run) refIDs(j *job) map[string]int64 {
	deps := j.c.DependsOn
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
	res := &ApplyResult{Offices: make([]OfficeResult, len(r.jobs)), Interrupted: r.interrupted, Err: r.firstErr, Elapsed: r.elapsed, Invocation: r.plan.Invocation}
	for i, j := range r.jobs {
		res.Offices[i] = j.res
		o := &j.res
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
		case OutcomeMoved:
			res.Counts.Moved++
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

// notStarted is why a job did not take its next step: the run stopped
// after an error, or was interrupted.
func (r *run) notStarted() error {
	if r.stopped.Load() {
		return ErrStopped
	}
	return errNotStarted
}
