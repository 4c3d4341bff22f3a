package apply

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// This file holds the work on one department or call center of an apply
// run (create with its write-ahead entry and adoption by name, update,
// delete) and on the operators of any kind. Like apply_office.go it runs
// in its own goroutine and touches the run through the Store, the API,
// the user cache and the request slots.

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
	FindGroupByName(ctx context.Context, kind offices.Kind, officeID int64, name string) ([]offices.GroupSummary, error)
	ListOperators(ctx context.Context, kind offices.Kind, id int64) ([]offices.Member, error)
	AddOperator(ctx context.Context, kind offices.Kind, id int64, m offices.Member) error
	RemoveOperator(ctx context.Context, kind offices.Kind, id int64, m offices.Member) error
	UpdateSkill(ctx context.Context, cc, user, level int64) (int64, error)
	UserByEmail(ctx context.Context, email string) (*offices.User, error)
}

var _ GroupAPI = (*offices.Client)(nil)

// ErrNoGroupAPI: the plan has work on groups or operators, and the API
// given to Apply cannot do it.
var ErrNoGroupAPI = errors.New("the API client given to apply cannot manage departments, call centers or operators")

// users resolves emails to user ids once per run: one GET per email,
// whatever the number of groups naming it.
type users struct {
	mu   sync.Mutex
	byEm map[string]*userLookup
}

type userLookup struct {
	done chan struct{}
	id   int64
	err  error
}

// groupAPI returns the API's group methods, or fails.
func (r *run) groupAPI() (GroupAPI, error) {
	g, ok := r.opts.API.(GroupAPI)
	if !ok {
		return nil, ErrNoGroupAPI
	}
	return g, nil
}

// call runs one request in a request slot; false when ctx ended first.
func (r *run) call(ctx context.Context, f func() error) (error, bool) {
	if !r.acquire(ctx) {
		return nil, false
	}
	defer r.release()
	err := f()
	if err != nil && !errors.Is(err, offices.ErrOutcomeUnknown) {
		r.halt(err)
	}
	return err, true
}

// userID resolves email, asking the API once per run.
func (r *run) userID(ctx, ictx context.Context, api GroupAPI, email string) (int64, error) {
	r.users.mu.Lock()
	l, ok := r.users.byEm[email]
	if !ok {
		l = &userLookup{done: make(chan struct{})}
		r.users.byEm[email] = l
	}
	r.users.mu.Unlock()
	if ok {
		select {
		case <-l.done:
			return l.id, l.err
		case <-ctx.Done():
			return 0, r.notStarted()
		}
	}
	defer close(l.done)
	err, started := r.call(ctx, func() error {
		u, err := api.UserByEmail(offices.WithStartContext(ictx, ctx), email)
		if err == nil {
			l.id = u.ID
		}
		return err
	})
	if !started {
		err = r.notStarted()
	}
	l.err = err
	return l.id, err
}

// resolveMembers resolves the desired operators (emails through the
// cache), naming an unknown email.
func (r *run) resolveMembers(ctx, ictx context.Context, api GroupAPI, ops []plan.Operator) ([]offices.Member, []state.Operator, error) {
	members := make([]offices.Member, 0, len(ops))
	recorded := make([]state.Operator, 0, len(ops))
	for _, o := range ops {
		m := offices.Member{Type: offices.OperatorUser, ID: o.UserID, Role: o.Role}
		switch {
		case o.Email != "":
			id, err := r.userID(ctx, ictx, api, o.Email)
			if err != nil {
				return nil, nil, err
			}
			m.ID = id
		case o.RoomID != 0:
			m.Type, m.ID = offices.OperatorRoom, o.RoomID
		}
		if m.Role == "" {
			m.Role = offices.RoleOperator
		}
		if o.SkillLevel != nil {
			m.SkillLevel = *o.SkillLevel
		}
		members = append(members, m)
		recorded = append(recorded, state.Operator{Email: o.Email, ID: strconv.FormatInt(m.ID, 10), Role: m.Role, SkillLevel: int(m.SkillLevel), Type: m.Type})
	}
	state.SortOperators(recorded)
	return members, recorded, nil
}

// stateMembers turns recorded operators into members; nil stays nil.
func stateMembers(ops []state.Operator) []offices.Member {
	if ops == nil {
		return nil
	}
	out := make([]offices.Member, 0, len(ops))
	for _, o := range ops {
		id, err := strconv.ParseInt(o.ID, 10, 64)
		if err != nil {
			continue
		}
		out = append(out, offices.Member{ID: id, Type: o.Type, Role: o.Role, SkillLevel: int64(o.SkillLevel)})
	}
	return out
}

// syncMembers makes the operators of (kind, id) want, sending only the
// differences from have (nil: the live list, asked once): one DELETE per
// removed and one POST per added operator, a role change as a removal
// then an add, a skill change as a PATCH of the skill. Retries are safe:
// adding a member sets its role, removing a non-member (404) is done.
func (r *run) syncMembers(ctx, ictx context.Context, api GroupAPI, kind offices.Kind, id int64, want, have []offices.Member) error {
	sctx := func() context.Context { return offices.WithStartContext(ictx, ctx) }
	step := func(f func() error) error {
		err, ok := r.call(ctx, f)
		if !ok {
			return r.notStarted()
		}
		return err
	}
	if have == nil {
		if err := step(func() error {
			var err error
			have, err = api.ListOperators(sctx(), kind, id)
			return err
		}); err != nil {
			return fmt.Errorf("listing the operators: %w", err)
		}
	}
	remove := func(m offices.Member) error {
		err := step(func() error { return api.RemoveOperator(sctx(), kind, id, m) })
		if offices.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("removing operator %s %d: %w", m.Type, m.ID, err)
		}
		return nil
	}
	add := func(m offices.Member) error {
		if err := step(func() error { return api.AddOperator(sctx(), kind, id, m) }); err != nil {
			return fmt.Errorf("adding operator %s %d: %w", m.Type, m.ID, err)
		}
		return nil
	}
	for _, h := range have {
		if !containsMember(want, h) {
			if err := remove(h); err != nil {
				return err
			}
		}
	}
	for _, w := range want {
		j := -1
		for k := range have {
			if have[k].Same(w) {
				j = k
				break
			}
		}
		switch {
		case j < 0:
			if err := add(w); err != nil {
				return err
			}
		case have[j].Role != w.Role:
			if err := remove(have[j]); err != nil {
				return err
			}
			if err := add(w); err != nil {
				return err
			}
		case kind == offices.KindCallCenter && w.SkillLevel != 0 && w.SkillLevel != have[j].SkillLevel:
			if err := step(func() error { _, err := api.UpdateSkill(sctx(), id, w.ID, w.SkillLevel); return err }); err != nil {
				return fmt.Errorf("setting the skill of user %d: %w", w.ID, err)
			}
		}
	}
	return nil
}

func containsMember(ms []offices.Member, m offices.Member) bool {
	for _, x := range ms {
		if x.Same(m) {
			return true
		}
	}
	return false
}

// groupBodies decodes a group's body and resolves its references.
func groupBodies(g *plan.DesiredGroup, ids map[string]int64) (offices.Department, offices.CallCenter, error) {
	var d offices.Department
	var cc offices.CallCenter
	var routing **offices.RoutingOptions
	var err error
	if g.Kind == string(offices.KindCallCenter) {
		err = json.Unmarshal(g.Body, &cc)
		routing = &cc.RoutingOptions
	} else {
		err = json.Unmarshal(g.Body, &d)
		routing = &d.RoutingOptions
	}
	if err != nil {
		return d, cc, fmt.Errorf("the plan's body of %s %q: %w", g.Kind, g.Key, err)
	}
	if *routing != nil {
		o, err := offices.Office{RoutingOptions: *routing}.Resolve(ids)
		if err != nil {
			return d, cc, err
		}
		*routing = o.RoutingOptions
	}
	return d, cc, nil
}

// groupWork carries out the change i of a department or call center.
func (r *run) groupWork(ctx, ictx context.Context, i int, ids map[string]int64) finished {
	c := &r.plan.Changes[i]
	api, err := r.groupAPI()
	if err != nil {
		return finished{i: i, outcome: OutcomeFailed, err: err}
	}
	switch c.Action {
	case plan.ActionDelete:
		return r.deleteGroup(ctx, ictx, api, i)
	case plan.ActionUpdate:
		return r.updateGroup(ctx, ictx, api, i, ids)
	}
	return r.createGroup(ctx, ictx, api, i, ids)
}

// fail is a failed group: fatal when the key was refused.
func failed(i int, err error, pending bool) finished {
	return finished{i: i, outcome: OutcomeFailed, err: err, pending: pending, fatal: offices.IsAuth(err)}
}

// createGroup creates (or, after an unknown outcome, adopts by office,
// kind and exact name) group i, then sets its operators.
func (r *run) createGroup(ctx, ictx context.Context, api GroupAPI, i int, ids map[string]int64) finished {
	c := &r.plan.Changes[i]
	g := c.Group
	kind := offices.Kind(g.Kind)
	officeID := g.OfficeID
	if g.Office != "" {
		officeID = ids[g.Office]
	}
	if officeID == 0 {
		return failed(i, fmt.Errorf("its office %q has no Dialpad id", g.Office), r.resume[i])
	}
	var want []offices.Member
	var recorded []state.Operator
	if g.Operators != nil {
		var err error
		if want, recorded, err = r.resolveMembers(ctx, ictx, api, g.Operators); err != nil {
			return failed(i, err, r.resume[i])
		}
	}
	d, cc, err := groupBodies(g, ids)
	if err != nil {
		return failed(i, err, r.resume[i])
	}
	sctx := func() context.Context { return offices.WithStartContext(ictx, ctx) }
	find := func(name string) ([]offices.GroupSummary, error) {
		var found []offices.GroupSummary
		err, ok := r.call(ctx, func() error {
			var err error
			found, err = api.FindGroupByName(sctx(), kind, officeID, name)
			return err
		})
		if !ok {
			return nil, r.notStarted()
		}
		return found, err
	}

	// Adoption: a pending entry's create may have landed; a group of the
	// name not in the state belongs to import (or --adopt-existing).
	var id int64
	adopted := false
	names := []string{g.Name}
	if r.resume[i] && r.sentName[i] != g.Name {
		names = append([]string{r.sentName[i]}, names...)
	}
	for _, name := range names {
		found, err := find(name)
		if err != nil {
			return failed(i, fmt.Errorf("looking up %s %q by name: %w", kind, offices.Printable(name), err), r.resume[i])
		}
		switch {
		case len(found) > 1:
			return failed(i, fmt.Errorf("%w: %d %ss named %q in office %d; keep one, then run apply again", ErrAmbiguousName, len(found), kind, offices.Printable(name), officeID), r.resume[i])
		case len(found) == 1 && !r.resume[i] && !r.opts.AdoptExisting:
			return failed(i, fmt.Errorf("a %s named %q exists in office %d (id %d) but not in the state file: run `%s` to adopt it instead of creating a second one", kind, offices.Printable(name), officeID, found[0].ID, r.plan.Invocation.Command("import")), false)
		case len(found) == 1:
			id, adopted = found[0].ID, true
		}
		if adopted {
			break
		}
	}

	entry := func(st *state.State) *state.Entry {
		e, ok := st.GetOf(state.Kind(kind), c.Key)
		if !ok {
			e = &state.Entry{}
			st.SetOf(state.Kind(kind), c.Key, e)
		}
		return e
	}
	if !adopted {
		started := r.opts.Now().UTC()
		if err := r.opts.Store.Update(func(st *state.State) error {
			st.SetOf(state.Kind(kind), c.Key, &state.Entry{Status: state.Pending, Name: g.Name, OfficeID: strconv.FormatInt(officeID, 10),
				Spec: g.Body, SpecSHA256: plan.GroupSHA256(g.Body), Protect: g.Protect, StartedAt: &started})
			return nil
		}); err != nil {
			return finished{i: i, outcome: OutcomeFailed, err: fmt.Errorf("saving the state before creating: %w", err), pending: r.resume[i], fatal: true}
		}
		for attempt := 1; id == 0; attempt++ {
			var err error
			ok := false
			err, ok = r.call(ctx, func() error {
				if kind == offices.KindCallCenter {
					l, err := api.CreateCallCenter(sctx(), officeID, cc)
					if err == nil {
						id = l.ID
					}
					return err
				}
				l, err := api.CreateDepartment(sctx(), officeID, d)
				if err == nil {
					id = l.ID
				}
				return err
			})
			switch {
			case !ok || (errors.Is(err, offices.ErrNotSent) && ctx.Err() != nil):
				if attempt == 1 && !r.resume[i] {
					if r.forgetOf(state.Kind(kind), c.Key) == nil {
						return finished{i: i, outcome: OutcomeSkipped, err: r.notStarted()}
					}
				}
				return finished{i: i, outcome: OutcomeSkipped, err: r.notStarted(), pending: true}
			case err == nil:
			case !errors.Is(err, offices.ErrOutcomeUnknown):
				if attempt == 1 && !r.resume[i] {
					if ferr := r.forgetOf(state.Kind(kind), c.Key); ferr != nil {
						return finished{i: i, outcome: OutcomeFailed, err: fmt.Errorf("%v; then saving the state failed: %w", err, ferr), pending: true, fatal: true}
					}
					return failed(i, err, false)
				}
				return failed(i, err, true)
			case attempt >= maxCreateAttempts:
				return failed(i, fmt.Errorf("%d creates of unknown outcome: %w", attempt, err), true)
			default:
				found, ferr := find(g.Name)
				if ferr != nil {
					return failed(i, fmt.Errorf("after a create of unknown outcome, looking it up by name: %w", ferr), true)
				}
				if len(found) > 1 {
					return failed(i, fmt.Errorf("%w: %d %ss named %q in office %d", ErrAmbiguousName, len(found), kind, offices.Printable(g.Name), officeID), true)
				}
				if len(found) == 1 {
					id, adopted = found[0].ID, true
				}
			}
		}
	}
	now := r.opts.Now().UTC()
	if err := r.opts.Store.Update(func(st *state.State) error {
		e := entry(st)
		*e = state.Entry{Status: state.Created, ID: strconv.FormatInt(id, 10), Name: g.Name, OfficeID: strconv.FormatInt(officeID, 10),
			Spec: g.Body, SpecSHA256: plan.GroupSHA256(g.Body), Protect: g.Protect, CreatedAt: &now}
		return nil
	}); err != nil {
		return finished{i: i, outcome: OutcomeFailed, id: id, err: err, pending: true, fatal: true}
	}
	outcome := OutcomeCreated
	if adopted {
		outcome = OutcomeAdopted
	}
	if g.Operators != nil {
		var have []offices.Member
		if !adopted {
			have = []offices.Member{} // a new group has no operators
		}
		if err := r.syncMembers(ctx, ictx, api, kind, id, want, have); err != nil {
			f := failed(i, fmt.Errorf("%s, but its operators: %w", outcome, err), false)
			f.id = id
			return f
		}
		if err := r.recordOperators(state.Kind(kind), c.Key, recorded); err != nil {
			return finished{i: i, outcome: OutcomeFailed, id: id, err: err, fatal: true}
		}
	}
	return finished{i: i, outcome: outcome, id: id}
}

// updateGroup PATCHes the changed fields of group i and sets its
// operators.
func (r *run) updateGroup(ctx, ictx context.Context, api GroupAPI, i int, ids map[string]int64) finished {
	c := &r.plan.Changes[i]
	g := c.Group
	kind := offices.Kind(g.Kind)
	id := r.ids[c.Key]
	var want []offices.Member
	var recorded []state.Operator
	if g.Operators != nil {
		var err error
		if want, recorded, err = r.resolveMembers(ctx, ictx, api, g.Operators); err != nil {
			return failed(i, err, false)
		}
	}
	if fields := plan.PatchFields(c.Fields); len(fields) > 0 {
		d, cc, err := groupBodies(g, ids)
		if err != nil {
			return failed(i, err, false)
		}
		err, ok := r.call(ctx, func() error {
			sctx := offices.WithStartContext(ictx, ctx)
			if kind == offices.KindCallCenter {
				_, err := api.UpdateCallCenter(sctx, id, cc, fields)
				return err
			}
			_, err := api.UpdateDepartment(sctx, id, d, fields)
			return err
		})
		if !ok {
			return finished{i: i, outcome: OutcomeSkipped, err: r.notStarted()}
		}
		if err != nil {
			return failed(i, err, false)
		}
	}
	if g.Operators != nil && len(c.Members) > 0 {
		var have []offices.Member
		if c.Entry != nil && !c.MembershipDrifted() {
			have = stateMembers(c.Entry.Operators)
		}
		if err := r.syncMembers(ctx, ictx, api, kind, id, want, have); err != nil {
			return failed(i, fmt.Errorf("operators: %w", err), false)
		}
	}
	now := r.opts.Now().UTC()
	if err := r.opts.Store.Update(func(st *state.State) error {
		e, ok := st.GetOf(state.Kind(kind), c.Key)
		if !ok {
			return fmt.Errorf("%s %q left the state file during apply", kind, c.Key)
		}
		e.Name, e.Spec, e.SpecSHA256, e.Protect, e.UpdatedAt = g.Name, g.Body, plan.GroupSHA256(g.Body), g.Protect, &now
		if g.Operators != nil {
			e.Operators = recorded
		}
		return nil
	}); err != nil {
		return finished{i: i, outcome: OutcomeFailed, err: err, fatal: true}
	}
	return finished{i: i, outcome: OutcomeUpdated, id: id}
}

// deleteGroup deletes group i; a group already gone (404) counts as
// deleted. Its entry leaves the state after the answer.
func (r *run) deleteGroup(ctx, ictx context.Context, api GroupAPI, i int) finished {
	c := &r.plan.Changes[i]
	kind := c.KindOf()
	id := r.ids[c.Key]
	err, ok := r.call(ctx, func() error {
		sctx := offices.WithStartContext(ictx, ctx)
		if kind == offices.KindCallCenter {
			return api.DeleteCallCenter(sctx, id)
		}
		return api.DeleteDepartment(sctx, id)
	})
	switch {
	case !ok:
		return finished{i: i, outcome: OutcomeSkipped, err: r.notStarted()}
	case err != nil && !offices.IsNotFound(err):
		return failed(i, err, false)
	}
	if err := r.forgetOf(state.Kind(kind), c.Key); err != nil {
		return finished{i: i, outcome: OutcomeFailed, err: fmt.Errorf("deleted, but saving the state failed: %w", err), fatal: true}
	}
	return finished{i: i, outcome: OutcomeDeleted, id: id}
}

// officeMembers sets the operators of office i, which exists (id).
func (r *run) officeMembers(ctx, ictx context.Context, i int, id int64) finished {
	c := &r.plan.Changes[i]
	api, err := r.groupAPI()
	if err != nil {
		return failed(i, err, false)
	}
	want, recorded, err := r.resolveMembers(ctx, ictx, api, c.Operators)
	if err != nil {
		return failed(i, err, false)
	}
	var have []offices.Member
	if c.Entry != nil && c.Action != plan.ActionCreate && c.Action != plan.ActionResume {
		have = stateMembers(c.Entry.Operators)
	}
	if err := r.syncMembers(ctx, ictx, api, offices.KindOffice, id, want, have); err != nil {
		return failed(i, fmt.Errorf("operators: %w", err), false)
	}
	if err := r.recordOperators(state.KindOffice, c.Key, recorded); err != nil {
		return finished{i: i, outcome: OutcomeFailed, err: err, fatal: true}
	}
	return finished{i: i, outcome: OutcomeUpdated, id: id}
}

func (r *run) recordOperators(kind state.Kind, key string, ops []state.Operator) error {
	return r.opts.Store.Update(func(st *state.State) error {
		if e, ok := st.GetOf(kind, key); ok {
			e.Operators = ops
		}
		return nil
	})
}

func (r *run) forgetOf(kind state.Kind, key string) error {
	return r.opts.Store.Update(func(st *state.State) error {
		st.DeleteOf(kind, key)
		return nil
	})
}
