package apply

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// This file holds the work on one office of an apply run: a create with
// its write-ahead state entry and the finding out of unknown outcomes, or
// an E911 update. It runs in its own goroutine and touches the run only
// through the Store, the API, the lister, the claims and the request
// slots.

// work carries out change i; ids holds the Dialpad ids of the offices it
// refers to. It takes no new step once ctx has ended (the run was
// interrupted or stopped); its requests run under ictx.
func (r *run) work(ctx, ictx context.Context, i int, ids map[string]int64) finished {
	if ctx.Err() != nil {
		return finished{i: i, outcome: OutcomeSkipped, err: r.notStarted()}
	}
	c := &r.plan.Changes[i]
	if c.KindOf() != offices.KindOffice {
		return r.groupWork(ctx, ictx, i, ids)
	}
	if id := r.adopted[i]; id != 0 {
		return r.adoptedMembers(ctx, ictx, i, id)
	}
	var f finished
	switch c.Action {
	case plan.ActionUpdate:
		return r.officeMembers(ctx, ictx, i, r.ids[c.Key])
	case plan.ActionUpdateE911:
		f = r.updateE911(ctx, ictx, i)
	default:
		f = r.create(ctx, ictx, i, ids)
	}
	// A new or adopted office gets its operators whatever the plan's
	// differences (an adopted one's live members are listed first); an
	// updated one when they differ.
	if c.Operators != nil && f.err == nil && (f.outcome == OutcomeCreated || f.outcome == OutcomeAdopted || (f.outcome == OutcomeUpdated && len(c.Members) > 0)) {
		id := f.id
		if id == 0 {
			id = r.ids[c.Key]
		}
		if m := r.officeMembers(ctx, ictx, i, id); m.err != nil {
			m.outcome, m.id = OutcomeFailed, id
			m.err = fmt.Errorf("%s, but %w", f.outcome, m.err)
			return m
		}
	}
	return f
}

// adoptedMembers sets the operators of office i, which the preflight
// listing adopted as id.
func (r *run) adoptedMembers(ctx, ictx context.Context, i int, id int64) finished {
	if m := r.officeMembers(ctx, ictx, i, id); m.err != nil {
		m.outcome, m.id = OutcomeFailed, id
		m.err = fmt.Errorf("%s, but %w", OutcomeAdopted, m.err)
		return m
	}
	return finished{i: i, outcome: OutcomeAdopted, id: id}
}

// acquire takes a request slot, or reports false when ctx ends first:
// then nothing new may start.
func (r *run) acquire(ctx context.Context) bool {
	select {
	case r.sem <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	if ctx.Err() != nil {
		r.release()
		return false
	}
	return true
}

// release gives a request slot back.
func (r *run) release() { <-r.sem }

// halt is called by an office whose request failed with err, before it
// gives its slot back: when err stops the run (a refused key, see
// stopsRun, or any failure with FailFast), no other office may take the
// slot first. A refused key also cancels the requests in flight. The
// scheduler records the rest when the office reports back.
func (r *run) halt(err error) {
	auth := offices.IsAuth(err)
	if !auth && !r.opts.FailFast && !stopsRun(err) {
		return
	}
	r.stopped.Store(true)
	r.stopStarting()
	if auth {
		r.cancelIn()
	}
}

// stopsRun reports whether err means that no other request can succeed
// now: the API is unreachable, or it asked to wait longer than allowed.
func stopsRun(err error) bool {
	return errors.Is(err, offices.ErrUnreachable) || errors.Is(err, offices.ErrRetryTooLong)
}

// create creates office i: write-ahead entry, POST, then the created entry;
// when the outcome is unknown, a listing tells whether to record the
// office found by name or to create it again.
func (r *run) create(ctx, ictx context.Context, i int, ids map[string]int64) finished {
	c := &r.plan.Changes[i]
	o := c.Office
	fail := func(err error, pending bool) finished {
		return finished{i: i, outcome: OutcomeFailed, err: err, pending: pending, fatal: offices.IsAuth(err)}
	}
	body, err := o.Resolve(ids)
	if err != nil {
		return fail(err, r.resume[i])
	}

	// Write-ahead: from here until the answer, the office may exist.
	started := r.opts.Now().UTC()
	spec, sha := o.Canonical(), o.SpecSHA256()
	err = r.opts.Store.Update(func(st *state.State) error {
		st.Set(c.Key, &state.Entry{Status: state.Pending, Name: o.Name, Spec: spec, SpecSHA256: sha, StartedAt: &started})
		return nil
	})
	if err != nil {
		return finished{i: i, outcome: OutcomeFailed, err: fmt.Errorf("saving the state before creating: %w", err), pending: r.resume[i], fatal: true}
	}

	// notSent: interrupted before sending. A first create leaves no
	// trace; otherwise the entry stays pending and the next apply finds
	// out about the earlier creates by name.
	notSent := func(attempt int) finished {
		if attempt == 1 && !r.resume[i] {
			if err := r.forget(c.Key); err == nil {
				return finished{i: i, outcome: OutcomeSkipped, err: r.notStarted()}
			}
		}
		return finished{i: i, outcome: OutcomeSkipped, err: r.notStarted(), pending: true}
	}
	for attempt := 1; ; attempt++ {
		if !r.acquire(ctx) {
			return notSent(attempt)
		}
		// Waits inside the client (rate limiter, Retry-After, backoff)
		// end with ctx; a request on the wire finishes under ictx.
		live, err := r.opts.API.CreateOffice(offices.WithStartContext(ictx, ctx), body)
		if errors.Is(err, offices.ErrNotSent) && ctx.Err() != nil {
			r.release()
			return notSent(attempt)
		}
		if err != nil && !errors.Is(err, offices.ErrOutcomeUnknown) {
			r.halt(err)
		}
		r.release()
		if err == nil {
			return r.created(i, live.ID, OutcomeCreated)
		}
		if !errors.Is(err, offices.ErrOutcomeUnknown) {
			// The API refused it: no office was created by this attempt.
			// After an earlier attempt of unknown outcome, that one may
			// have landed since its listing (a 409 may say just that):
			// the entry stays pending, for the next apply to look up.
			if attempt > 1 {
				return fail(err, true)
			}
			if ferr := r.forget(c.Key); ferr != nil {
				return finished{i: i, outcome: OutcomeFailed, err: fmt.Errorf("%v; then saving the state failed: %w", err, ferr), pending: true, fatal: true}
			}
			return fail(err, false)
		}

		if ctx.Err() != nil || ictx.Err() != nil {
			return fail(fmt.Errorf("%w; apply stopped before finding out (the state entry stays pending: the next apply looks the office up by name)", err), true)
		}
		lv, lerr := r.lister.list(ctx, ictx, r.lister.ticket())
		if lerr != nil {
			return fail(fmt.Errorf("%w; listing the offices to find out failed: %w (the state entry stays pending: run apply again)", err, lerr), true)
		}
		m := r.claims.match(lv, o.Name, c.Key)
		switch {
		case len(m.invalid) > 0:
			return fail(m.invalidErr(), true)
		case len(m.free) == 1:
			return r.created(i, m.free[0].ID, OutcomeCreated)
		case len(m.free) > 1:
			return fail(ambiguous(m.free), true)
		case len(m.claimed) > 0:
			return fail(fmt.Errorf("%w: %s", ErrNameExists, m.claimedText(r.plan.Invocation)), true)
		case attempt >= maxCreateAttempts:
			return fail(fmt.Errorf("gave up after %d creates whose outcome was unknown and which did not happen; last: %w (the state entry stays pending: run apply again)", attempt, err), true)
		}
		// The create did not happen: send it again.
	}
}

// created records office i as created with Dialpad id id.
func (r *run) created(i int, id int64, outcome Outcome) finished {
	c := &r.plan.Changes[i]
	// Checked before the save: a bad id would fail the save of every
	// office whose change is written with it.
	if id <= 0 {
		return finished{i: i, outcome: OutcomeFailed, pending: true,
			err: fmt.Errorf("%w: id %d is not a positive int64; not recorded (the state entry stays pending: the next apply looks the office up by name)", ErrBadAnswer, id)}
	}
	if other, ok := r.claims.claim(id, c.Key); !ok {
		return finished{i: i, outcome: OutcomeFailed, pending: true,
			err: fmt.Errorf("%w: id %d is already recorded in the state file for %q; not recorded (the state entry stays pending: the next apply looks the office up by name)", ErrBadAnswer, id, other)}
	}
	now := r.opts.Now().UTC()
	err := r.opts.Store.Update(func(st *state.State) error {
		e, ok := st.Get(c.Key)
		if !ok {
			e = &state.Entry{}
			st.Set(c.Key, e)
		}
		markCreated(e, c.Office, id, now)
		return nil
	})
	if err != nil {
		// The office exists; the pending entry lets the next apply adopt it.
		return finished{i: i, outcome: OutcomeFailed, id: id, pending: true, fatal: true,
			err: fmt.Errorf("created as id %d, but saving the state failed: %w (the next apply adopts it by name)", id, err)}
	}
	return finished{i: i, outcome: outcome, id: id}
}

// forget removes the write-ahead entry of a create that did not happen.
func (r *run) forget(key string) error {
	return r.opts.Store.Update(func(st *state.State) error {
		if e, ok := st.Get(key); ok && e.Status == state.Pending {
			st.Delete(key)
		}
		return nil
	})
}

// updateE911 sends change i's E911 address, then records its spec.
func (r *run) updateE911(ctx, ictx context.Context, i int) finished {
	c := &r.plan.Changes[i]
	id := r.e911ID[i]
	if !r.acquire(ctx) {
		return finished{i: i, outcome: OutcomeSkipped, err: r.notStarted()}
	}
	wctx := offices.WithStartContext(ictx, ctx)
	// An emergency address must never reach another office: the live
	// office with this id must be the one the state file names.
	live, err := r.opts.API.GetOffice(wctx, id)
	if err == nil {
		err = r.checkE911Target(i, id, live)
	} else {
		r.halt(err)
	}
	if err == nil {
		if _, err = r.opts.API.UpdateE911(wctx, id, offices.E911Update{E911Address: *c.Office.E911Address}); err != nil {
			r.halt(err)
		}
	}
	r.release()
	if errors.Is(err, offices.ErrNotSent) && ctx.Err() != nil {
		return finished{i: i, outcome: OutcomeSkipped, id: id, err: r.notStarted()}
	}
	if err != nil {
		return finished{i: i, outcome: OutcomeFailed, id: id, err: err, fatal: offices.IsAuth(err)}
	}
	now := r.opts.Now().UTC()
	spec, sha := c.Office.Canonical(), c.Office.SpecSHA256()
	err = r.opts.Store.Update(func(st *state.State) error {
		e, ok := st.Get(c.Key)
		if !ok || e.ID != strconv.FormatInt(id, 10) {
			return fmt.Errorf("the state entry changed during apply")
		}
		e.Spec, e.SpecSHA256, e.UpdatedAt = spec, sha, &now
		return nil
	})
	if err != nil {
		return finished{i: i, outcome: OutcomeFailed, id: id, fatal: true,
			err: fmt.Errorf("E911 address updated, but saving the state failed: %w (the next plan shows the update again; it is safe to repeat)", err)}
	}
	return finished{i: i, outcome: OutcomeUpdated, id: id}
}

// checkE911Target checks that live, the answer to GET of office id, is the
// office the state file records for change i: same id, same name.
func (r *run) checkE911Target(i int, id int64, live *offices.Live) error {
	c := &r.plan.Changes[i]
	want := r.e911Name[i]
	switch {
	case live.ID != 0 && live.ID != id:
		return fmt.Errorf("%w: asked for office %d, the API answered with office %d (%q); the E911 address was not sent", ErrWrongOffice, id, live.ID, live.Name)
	case live.Name != want:
		return fmt.Errorf("%w: Dialpad office %d is named %q, but the state file records %q for key %q; the E911 address was not sent. "+
			"Check the state file (a merge of two edits can give two keys one id): `%s`, then `%s`, records the right id",
			ErrWrongOffice, id, live.Name, want, c.Key, r.plan.Invocation.Command("state rm", c.Key), r.plan.Invocation.Command("import"))
	}
	return nil
}
