package apply

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// This file holds the lifecycle of one job, the same for every kind:
// create with its write-ahead entry and adoption by (office, kind, exact
// name), update, delete and move, each write to an existing object after
// its target check, every answer checked before it reaches the state and
// every step recorded as it succeeds. A job runs in its own goroutine and
// touches the run only through the Store, the API, the listers, the
// claims and the request slots.

// work carries out job j; ids holds the Dialpad ids of what it refers to.
// It takes no new step once newWork has ended (the run was interrupted or
// stopped); its requests run under inFlight.
func (r *run) work(newWork, inFlight context.Context, j *job, ids map[string]int64) finished {
	if newWork.Err() != nil {
		return finished{j: j, outcome: OutcomeSkipped, err: r.notStarted(), pending: j.resume}
	}
	switch j.c.Action {
	case plan.ActionCreate, plan.ActionResume:
		return r.create(newWork, inFlight, j, ids)
	case plan.ActionDelete:
		return r.delete(newWork, inFlight, j)
	case plan.ActionMove:
		return r.move(newWork, inFlight, j, ids)
	}
	return r.update(newWork, inFlight, j, ids)
}

// failed is a failed job: fatal when the key was refused.
func failed(j *job, err error, pending bool) finished {
	return finished{j: j, outcome: OutcomeFailed, err: err, pending: pending, fatal: offices.IsAuth(err)}
}

// acquire takes a request slot, or reports false when newWork ends first:
// then nothing new may start.
func (r *run) acquire(newWork context.Context) bool {
	select {
	case r.sem <- struct{}{}:
	case <-newWork.Done():
		return false
	}
	if newWork.Err() != nil {
		<-r.sem
		return false
	}
	return true
}

// call runs one request in a request slot; false when newWork ended
// first. A failure that stops the run stops it before the slot is given
// back, so that no other job takes it first.
func (r *run) call(newWork, inFlight context.Context, f func(ctx context.Context) error) (error, bool) {
	if !r.acquire(newWork) {
		return nil, false
	}
	defer func() { <-r.sem }()
	// Waits inside the client (rate limiter, Retry-After, backoff) end
	// with newWork; a request on the wire finishes under inFlight.
	err := f(offices.WithStartContext(inFlight, newWork))
	if err != nil && !errors.Is(err, offices.ErrOutcomeUnknown) {
		r.halt(err)
	}
	return err, true
}

// step is call for a step whose "not started" is an error.
func (r *run) step(newWork, inFlight context.Context, f func(ctx context.Context) error) error {
	err, ok := r.call(newWork, inFlight, f)
	if !ok || (errors.Is(err, offices.ErrNotSent) && newWork.Err() != nil) {
		return r.notStarted()
	}
	return err
}

// halt is called by a job whose request failed with err, before it gives
// its slot back: when err stops the run (a refused key, see stopsRun, or
// any failure with FailFast), no other job may take the slot first. A
// refused key also cancels the requests in flight. The scheduler records
// the rest when the job reports back.
func (r *run) halt(err error) {
	auth := offices.IsAuth(err)
	if !auth && !r.opts.FailFast && !stopsRun(err) {
		return
	}
	r.stopped.Store(true)
	r.stopNewWork()
	if auth {
		r.cancelInFlight()
	}
}

// stopsRun reports whether err means that no other request can succeed
// now: the API is unreachable, or it asked to wait longer than allowed.
func stopsRun(err error) bool {
	return errors.Is(err, offices.ErrUnreachable) || errors.Is(err, offices.ErrRetryTooLong)
}

// interrupted reports whether err says only that the step was not
// started.
func interrupted(err error) bool {
	return errors.Is(err, ErrInterrupted) || errors.Is(err, ErrStopped)
}

// officeOf returns the Dialpad id of the office job j's object is in: 0
// for an office, else the group's, resolved with ids.
func officeOf(j *job, ids map[string]int64) (int64, error) {
	g := j.c.Group
	if j.who.kind == offices.KindOffice {
		return 0, nil
	}
	id := g.OfficeID
	if g.Office != "" {
		id = ids[g.Office]
	}
	if id == 0 {
		return 0, fmt.Errorf("its office %q has no Dialpad id", g.Office)
	}
	return id, nil
}

// create creates job j's object (or adopts the live one of its exact name
// in its office and kind: a pending create that landed, or with
// AdoptExisting any), records it, then sets its operators.
func (r *run) create(newWork, inFlight context.Context, j *job, ids map[string]int64) finished {
	officeID, err := officeOf(j, ids)
	if err != nil {
		return failed(j, err, j.resume)
	}
	body, err := j.kc.body(j.c, ids)
	if err != nil {
		return failed(j, err, j.resume)
	}
	refs := refsOf(j.c, ids)
	j.officeID = officeID
	l := r.listerOf(j.who.kind, officeID)
	live, err := l.list(newWork, inFlight, 1)
	if interrupted(err) {
		return finished{j: j, outcome: OutcomeSkipped, err: r.notStarted(), pending: j.resume}
	}
	if err != nil {
		r.halt(err)
		return failed(j, fmt.Errorf("listing the %ss in Dialpad before creating any: %w", j.who.kind, err), j.resume)
	}
	if id, f, done := r.adopt(j, live); done {
		return f
	} else if id != 0 {
		return r.recorded(newWork, inFlight, j, id, OutcomeAdopted, refs, false)
	}

	// Write-ahead: from here until the answer, the object may exist.
	name, spec, sha := j.kc.desired(j.c)
	started := r.opts.Now().UTC()
	pending := &state.Entry{Status: state.Pending, Name: name, Spec: spec, SpecSHA256: sha, StartedAt: &started, Refs: refs}
	if j.who.kind != offices.KindOffice {
		pending.OfficeID, pending.Protect = strconv.FormatInt(officeID, 10), j.c.Group.Protect
	}
	if err := r.opts.Store.Update(func(st *state.State) error {
		st.SetOf(state.Kind(j.who.kind), j.who.key, pending)
		return nil
	}); err != nil {
		return finished{j: j, outcome: OutcomeFailed, err: fmt.Errorf("saving the state before creating: %w", err), pending: j.resume, fatal: true}
	}

	// notSent: not sent before the run stopped. A first create leaves no
	// trace; otherwise the entry stays pending and the next apply finds
	// out about the earlier creates by name.
	notSent := func(attempt int) finished {
		if attempt == 1 && !j.resume && r.forgetPending(j.who) == nil {
			return finished{j: j, outcome: OutcomeSkipped, err: r.notStarted()}
		}
		return finished{j: j, outcome: OutcomeSkipped, err: r.notStarted(), pending: true}
	}
	for attempt := 1; ; attempt++ {
		var id int64
		err, ok := r.call(newWork, inFlight, func(ctx context.Context) error {
			var err error
			id, err = j.kc.create(ctx, officeID, body)
			return err
		})
		switch {
		case !ok || (errors.Is(err, offices.ErrNotSent) && newWork.Err() != nil):
			return notSent(attempt)
		case err == nil:
			return r.recorded(newWork, inFlight, j, id, OutcomeCreated, refs, true)
		case !errors.Is(err, offices.ErrOutcomeUnknown):
			// The API refused it: no object was created by this attempt.
			// After an earlier attempt of unknown outcome, that one may
			// have landed since its listing (a 409 may say just that):
			// the entry stays pending, for the next apply to look up.
			if attempt > 1 || j.resume {
				return failed(j, err, true)
			}
			if ferr := r.forgetPending(j.who); ferr != nil {
				return finished{j: j, outcome: OutcomeFailed, err: fmt.Errorf("%v; then saving the state failed: %w", err, ferr), pending: true, fatal: true}
			}
			return failed(j, err, false)
		case newWork.Err() != nil || inFlight.Err() != nil:
			return failed(j, fmt.Errorf("%w; apply stopped before finding out (the state entry stays pending: the next apply looks it up by name)", err), true)
		}
		lv, lerr := l.list(newWork, inFlight, l.ticket())
		if lerr != nil {
			return failed(j, fmt.Errorf("%w; listing to find out failed: %w (the state entry stays pending: run apply again)", err, lerr), true)
		}
		m := r.claims.match(lv, name, j.who)
		switch {
		case len(m.invalid) > 0:
			return failed(j, m.invalidErr(), true)
		case len(m.free) == 1:
			return r.recorded(newWork, inFlight, j, m.free[0].ID, OutcomeCreated, refs, true)
		case len(m.free) > 1:
			return failed(j, ambiguous(m.free), true)
		case len(m.claimed) > 0:
			return failed(j, fmt.Errorf("%w: %s", ErrNameExists, m.claimedText(r.plan.Invocation)), true)
		case attempt >= maxCreateAttempts:
			return failed(j, fmt.Errorf("gave up after %d creates whose outcome was unknown and which did not happen; last: %w (the state entry stays pending: run apply again)", attempt, err), true)
		}
		// The create did not happen: send it again.
	}
}

// adopt looks in live, the listing of j's office and kind, for the object
// j is to create: a create whose name is live fails (it belongs to
// `officectl import`) unless AdoptExisting adopts it when its name is
// live once; a resume whose name is live once adopts that object. It
// returns the id to adopt, or the job's end (done), or neither: create it.
func (r *run) adopt(j *job, live []liveObject) (int64, finished, bool) {
	name, _, _ := j.kc.desired(j.c)
	m := r.claims.match(live, name, j.who)
	resume := j.resume
	if resume && j.sentName != name {
		// The pending create sent another name: look for that one, and
		// create under the new name only if it is free.
		if sent := r.claims.match(live, j.sentName, j.who); len(sent.free)+len(sent.claimed) > 0 || len(m.free)+len(m.claimed) == 0 {
			m = sent
		} else {
			resume = false // nothing to adopt; the new name is taken
		}
	}
	fail := func(err error, pending bool) (int64, finished, bool) { return 0, failed(j, err, pending), true }
	switch {
	case len(m.invalid) > 0:
		return fail(m.invalidErr(), j.resume)
	case !resume && !r.opts.AdoptExisting && len(m.free) > 0:
		return fail(fmt.Errorf("%w (id %s) but not in the state file: run `%s` to adopt it instead of creating a second one", ErrNameExists, idList(m.free), r.plan.Invocation.Command("import")), false)
	case len(m.free) == 0 && len(m.claimed) > 0:
		return fail(fmt.Errorf("%w: %s", ErrNameExists, m.claimedText(r.plan.Invocation)), j.resume)
	case len(m.free) > 1 && !resume:
		return fail(fmt.Errorf("%w (ids %s), so --adopt-existing cannot tell which one to adopt: keep one, rename or delete the others in Dialpad, then run apply again", ErrAmbiguousName, idList(m.free)), false)
	case len(m.free) > 1:
		return fail(ambiguous(m.free), true)
	case len(m.free) == 1:
		return m.free[0].ID, finished{}, false
	}
	return 0, finished{}, false
}

// recorded checks id, the answer of a create or the object adopted, and
// records j's object as created with it, then sets its operators. fresh
// says that this run created it.
func (r *run) recorded(newWork, inFlight context.Context, j *job, id int64, outcome Outcome, refs map[string]string, fresh bool) finished {
	// Checked before the save: a bad id would fail the save of every
	// job whose change is written with it.
	if id <= 0 {
		return failed(j, fmt.Errorf("%w: id %d is not a positive int64; not recorded (the state entry stays pending: the next apply looks it up by name)", ErrBadAnswer, id), true)
	}
	if other, ok := r.claims.claim(id, j.who); !ok {
		return failed(j, fmt.Errorf("%w: id %d is already recorded in the state file for %s; not recorded (the state entry stays pending: the next apply looks it up by name)", ErrBadAnswer, id, other), true)
	}
	name, spec, sha := j.kc.desired(j.c)
	now := r.opts.Now().UTC()
	err := r.opts.Store.Update(func(st *state.State) error {
		e, ok := st.GetOf(state.Kind(j.who.kind), j.who.key)
		if !ok {
			e = &state.Entry{}
			st.SetOf(state.Kind(j.who.kind), j.who.key, e)
		}
		// A pending entry keeps the name and spec it recorded: that is
		// the body whose create took effect; the next plan shows any
		// difference with the config.
		if e.Name == "" {
			e.Name = name
		}
		if len(e.Spec) == 0 {
			e.Spec, e.SpecSHA256 = spec, sha
		}
		if j.who.kind != offices.KindOffice {
			e.OfficeID, e.Protect = strconv.FormatInt(j.officeID, 10), j.c.Group.Protect
		}
		if e.Refs == nil {
			e.Refs = refs
		}
		e.Status, e.ID, e.CreatedAt, e.StartedAt = state.Created, strconv.FormatInt(id, 10), &now, nil
		return nil
	})
	if err != nil {
		// The object exists; the pending entry lets the next apply adopt it.
		return finished{j: j, outcome: OutcomeFailed, id: id, pending: true, fatal: true,
			err: fmt.Errorf("%s as id %d, but saving the state failed: %w (the next apply adopts it by name)", outcome, id, err)}
	}
	f := finished{j: j, outcome: outcome, id: id, fresh: fresh && outcome == OutcomeCreated}
	if j.members == nil {
		return f
	}
	// A new group has no operators; an adopted one's are listed, and so
	// are a new office's (Dialpad may give it some).
	var have []offices.Member
	if f.fresh && j.who.kind != offices.KindOffice {
		have = []offices.Member{}
	}
	note, err := r.syncMembers(newWork, inFlight, j, id, have, nil)
	if err != nil {
		return finished{j: j, outcome: OutcomeFailed, id: id, err: fmt.Errorf("%s, but its operators: %w", outcome, err), fatal: isSaveErr(err), fresh: f.fresh}
	}
	f.note = note
	return f
}

// refsOf is what the state records of the references of c's spec: each
// key it depends on and the id it was resolved to.
func refsOf(c *plan.Change, ids map[string]int64) map[string]string {
	if len(c.DependsOn) == 0 {
		return nil
	}
	refs := make(map[string]string, len(c.DependsOn))
	for _, k := range c.DependsOn {
		if id := ids[k]; id > 0 {
			refs[k] = strconv.FormatInt(id, 10)
		}
	}
	return refs
}

// forgetPending removes the write-ahead entry of a create that did not
// happen.
func (r *run) forgetPending(who ident) error {
	return r.opts.Store.Update(func(st *state.State) error {
		if e, ok := st.GetOf(state.Kind(who.kind), who.key); ok && e.Status == state.Pending {
			st.DeleteOf(state.Kind(who.kind), who.key)
		}
		return nil
	})
}

// update checks the target of job j, sends its update (a PATCH of the
// changed fields, an E911 address), records it, then sets its operators.
func (r *run) update(newWork, inFlight context.Context, j *job, ids map[string]int64) finished {
	if !j.kc.sends(j.c) && (j.members == nil || len(j.c.Members) == 0) {
		// protect or a membership no longer managed: the state alone,
		// recorded before any request (recordStateOnly).
		return finished{j: j, outcome: OutcomeUpdated, id: j.id}
	}
	if err := r.verify(newWork, inFlight, j); err != nil {
		if interrupted(err) {
			return finished{j: j, outcome: OutcomeSkipped, id: j.id, err: r.notStarted()}
		}
		return finished{j: j, outcome: OutcomeFailed, id: j.id, err: err, fatal: offices.IsAuth(err)}
	}
	return r.send(newWork, inFlight, j, ids, OutcomeUpdated)
}

// send sends job j's update to its checked target (the changed fields,
// an E911 address) and records it, then sets its operators; outcome is
// what success is.
func (r *run) send(newWork, inFlight context.Context, j *job, ids map[string]int64, outcome Outcome) finished {
	id := j.id
	if j.kc.sends(j.c) {
		body, err := j.kc.body(j.c, ids)
		if err != nil {
			return failed(j, err, false)
		}
		var patched bool
		err = r.step(newWork, inFlight, func(ctx context.Context) error {
			var err error
			patched, err = j.kc.update(ctx, j.c, id, body)
			return err
		})
		if interrupted(err) {
			return finished{j: j, outcome: OutcomeSkipped, id: id, err: err}
		}
		if err != nil {
			return finished{j: j, outcome: OutcomeFailed, id: id, err: err, fatal: offices.IsAuth(err)}
		}
		// Recorded at once: a later membership step may fail.
		name, spec, sha := j.kc.desired(j.c)
		now := r.opts.Now().UTC()
		if err := r.opts.Store.Update(func(st *state.State) error {
			e, ok := st.GetOf(state.Kind(j.who.kind), j.who.key)
			if !ok || e.ID != strconv.FormatInt(id, 10) {
				return fmt.Errorf("the state entry changed during apply")
			}
			e.Name, e.Spec, e.SpecSHA256, e.UpdatedAt = name, spec, sha, &now
			if patched {
				e.Refs = refsOf(j.c, ids)
			}
			return nil
		}); err != nil {
			return finished{j: j, outcome: OutcomeFailed, id: id, fatal: true,
				err: fmt.Errorf("updated, but saving the state failed: %w (the next plan shows the update again; it is safe to repeat)", err)}
		}
	}
	var note string
	if j.members != nil && len(j.c.Members) > 0 {
		var have []offices.Member
		cur := j.entry.Operators
		if !j.c.MembershipDrifted() {
			have = stateMembers(cur) // nil when never managed: listed
		}
		var err error
		if note, err = r.syncMembers(newWork, inFlight, j, id, have, cur); err != nil {
			return finished{j: j, outcome: OutcomeFailed, id: id, err: fmt.Errorf("operators: %w", err), fatal: isSaveErr(err)}
		}
	}
	return finished{j: j, outcome: outcome, id: id, note: note}
}

// delete deletes job j's object once its target check passed; an object
// already gone counts as deleted. Its entry leaves the state after the
// answer.
func (r *run) delete(newWork, inFlight context.Context, j *job) finished {
	id := j.id
	err := r.verify(newWork, inFlight, j)
	switch {
	case errors.Is(err, errGone):
	case interrupted(err):
		return finished{j: j, outcome: OutcomeSkipped, id: id, err: r.notStarted()}
	case err != nil:
		return finished{j: j, outcome: OutcomeFailed, id: id, err: err, fatal: offices.IsAuth(err)}
	default:
		err := r.step(newWork, inFlight, func(ctx context.Context) error { return j.kc.remove(ctx, id) })
		switch {
		case interrupted(err):
			return finished{j: j, outcome: OutcomeSkipped, id: id, err: err}
		case err != nil && !offices.IsNotFound(err):
			return finished{j: j, outcome: OutcomeFailed, id: id, err: err, fatal: offices.IsAuth(err)}
		}
	}
	if err := r.opts.Store.Update(func(st *state.State) error {
		st.DeleteOf(state.Kind(j.who.kind), j.who.key)
		return nil
	}); err != nil {
		return finished{j: j, outcome: OutcomeFailed, id: id, err: fmt.Errorf("deleted, but saving the state failed: %w", err), fatal: true}
	}
	r.claims.release(id, j.who)
	return finished{j: j, outcome: OutcomeDeleted, id: id}
}

// move checks the live object of job j's entry (under its old key) and
// moves the entry to the new key in one save, sending nothing that
// writes; when the plan changes its fields or operators too, it then
// sends that update as under the old key.
func (r *run) move(newWork, inFlight context.Context, j *job, ids map[string]int64) finished {
	id := j.id
	if err := r.verify(newWork, inFlight, j); err != nil {
		if interrupted(err) {
			return finished{j: j, outcome: OutcomeSkipped, id: id, err: r.notStarted()}
		}
		return finished{j: j, outcome: OutcomeFailed, id: id, err: err, fatal: offices.IsAuth(err)}
	}
	kind, from := state.Kind(j.who.kind), j.c.MovedFrom
	err := r.opts.Store.Update(func(st *state.State) error {
		e, ok := st.GetOf(kind, from)
		if !ok || e.ID != strconv.FormatInt(id, 10) {
			return fmt.Errorf("the state entry %q changed during apply", from)
		}
		for _, k := range state.Kinds {
			if _, taken := st.GetOf(k, j.who.key); taken {
				return fmt.Errorf("the state file already has %q as a %s", j.who.key, k)
			}
		}
		moved := *e
		moved.Refs = maps.Clone(e.Refs)
		st.DeleteOf(kind, from)
		st.SetOf(kind, j.who.key, &moved)
		return nil
	})
	if err != nil {
		return finished{j: j, outcome: OutcomeFailed, id: id, err: fmt.Errorf("moving the state entry from %q: %w", from, err)}
	}
	r.claims.release(id, ident{j.who.kind, from})
	r.claims.claim(id, j.who)
	f := r.send(newWork, inFlight, j, ids, OutcomeMoved)
	if f.outcome != OutcomeMoved && f.err != nil {
		f.err = fmt.Errorf("moved from %q, but %w", from, f.err)
	}
	return f
}

// listerOf returns the lister of kind in office officeID (0 for offices).
func (r *run) listerOf(kind offices.Kind, officeID int64) *lister {
	r.listers.mu.Lock()
	defer r.listers.mu.Unlock()
	k := listKey{kind, officeID}
	if l := r.listers.m[k]; l != nil {
		return l
	}
	kc := r.kindClient(kind)
	l := &lister{sem: r.sem, fetch: func(ctx context.Context) ([]liveObject, error) { return kc.list(ctx, officeID) }}
	r.listers.m[k] = l
	return l
}

// freshOffice notes that office id was created by this run: its first
// listings of departments and call centers are empty without asking.
func (r *run) freshOffice(id int64) {
	if r.groups == nil {
		return
	}
	r.listers.mu.Lock()
	defer r.listers.mu.Unlock()
	for _, kind := range []offices.Kind{offices.KindDepartment, offices.KindCallCenter} {
		k := listKey{kind, id}
		if r.listers.m[k] == nil {
			kc := groupKind{api: r.groups, kind: kind}
			r.listers.m[k] = emptyLister(r.sem, func(ctx context.Context) ([]liveObject, error) { return kc.list(ctx, id) })
		}
	}
}

func (r *run) kindClient(kind offices.Kind) kindClient {
	if kind == offices.KindOffice {
		return r.office
	}
	return groupKind{api: r.groups, kind: kind}
}

// errGone: the target check found no live object with the recorded id.
var errGone = fmt.Errorf("%w: no live object has the recorded id", ErrWrongTarget)

// verify is the target check before a write to job j's existing object:
// the listing of its kind in the office the state records (one per run,
// shared by every job there) must show the recorded id with the recorded
// office and name. A mismatch names both; an id the listing lacks wraps
// errGone.
func (r *run) verify(newWork, inFlight context.Context, j *job) error {
	e, id := j.entry, j.id
	officeID := int64(0)
	where := ""
	if j.who.kind != offices.KindOffice {
		officeID = parseID(e.OfficeID)
		where = fmt.Sprintf(" in office %d", officeID)
	}
	live, err := r.listerOf(j.who.kind, officeID).list(newWork, inFlight, 1)
	if err != nil {
		if !interrupted(err) {
			r.halt(err)
			err = fmt.Errorf("listing the %ss%s to check the target: %w", j.who.kind, where, err)
		}
		return err
	}
	key := j.who.key
	if j.c.Action == plan.ActionMove {
		key = j.c.MovedFrom
	}
	fix := fmt.Sprintf("check the state file (a merge of two edits can give two keys one id): `%s`, then `%s`, records the right id",
		r.plan.Invocation.Command("state rm", key), r.plan.Invocation.Command("import"))
	for _, o := range live {
		if o.ID != id || o.gone() {
			continue
		}
		switch {
		case j.who.kind != offices.KindOffice && o.OfficeID != officeID:
			return fmt.Errorf("%w: Dialpad %s %d (%q) is in office %d, but the state file records office %d for key %q; nothing was sent to it. %s",
				ErrWrongTarget, j.who.kind, id, offices.Printable(o.Name), o.OfficeID, officeID, key, fix)
		case o.Name != e.Name:
			return fmt.Errorf("%w: Dialpad %s %d is named %q, but the state file records %q for key %q; nothing was sent to it. %s",
				ErrWrongTarget, j.who.kind, id, offices.Printable(o.Name), offices.Printable(e.Name), key, fix)
		}
		return nil
	}
	return fmt.Errorf("%w: Dialpad has no %s %d%s (the state file records it as %q for key %q): it was deleted in Dialpad, or the id is wrong; nothing was sent to it. %s",
		errGone, j.who.kind, id, where, offices.Printable(e.Name), key, fix)
}
