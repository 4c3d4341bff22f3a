package apply

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// This file holds memberships, the same for every kind: every operator of
// the plan resolved and checked before the first membership request, the
// unknown emails of the whole plan found at once, adds before removes,
// and each step recorded in the state as it succeeds.

// ErrNoGroupAPI: the plan has work on groups or operators, and the API
// given to Apply cannot do it.
var ErrNoGroupAPI = errors.New("the API client given to apply cannot manage departments, call centers or operators")

// memberPlan is the operators a job sets: want[i] is sent, rec[i] records
// it in the state.
type memberPlan struct {
	want []offices.Member
	rec  []state.Operator
}

// operatorsOf returns the operators job j manages, and whether it
// manages them (nil: it leaves the membership alone).
func operatorsOf(j *job) ([]plan.Operator, bool) {
	if j.c.Group != nil {
		return j.c.Group.Operators, j.c.Group.Operators != nil
	}
	return j.c.Operators, j.c.Operators != nil
}

// recordStateOnly saves, before any request of the run, what the state
// alone holds: every group's protect, and the forgetting of memberships
// the config no longer manages (nothing is sent for those). When the save
// fails, the run stops.
func (r *run) recordStateOnly() {
	type change struct {
		j       *job
		protect *bool
		forget  bool
	}
	var todo []change
	for _, j := range r.jobs {
		e := j.entry
		if e == nil || e.Status != state.Created {
			continue
		}
		var ch change
		if g := j.c.Group; g != nil && e.Protect != g.Protect {
			ch.protect = &g.Protect
		}
		if ops, managed := operatorsOf(j); !managed && ops == nil && e.Operators != nil && (j.c.Group != nil || j.c.Office != nil) && j.c.Action != plan.ActionDelete {
			ch.forget = true
		}
		if ch.protect != nil || ch.forget {
			ch.j = j
			todo = append(todo, ch)
		}
	}
	if len(todo) == 0 {
		return
	}
	err := r.opts.Store.Update(func(st *state.State) error {
		for _, ch := range todo {
			key := ch.j.who.key
			if ch.j.c.Action == plan.ActionMove {
				key = ch.j.c.MovedFrom
			}
			e, ok := st.GetOf(state.Kind(ch.j.who.kind), key)
			if !ok {
				continue
			}
			if ch.protect != nil {
				e.Protect = *ch.protect
			}
			if ch.forget {
				e.Operators = nil
			}
		}
		return nil
	})
	if err != nil {
		r.stop(fmt.Errorf("saving protect and unmanaged memberships in the state before any request: %w", err), false)
	}
}

// resolveOperators resolves every email of the plan's memberships (one
// request per email, whatever the number of groups naming it) and checks
// every job's operators before any membership request: a job with
// operators that cannot be applied fails with all of them named, before
// anything of it is sent; the others go on.
func (r *run) resolveOperators(newWork, inFlight context.Context) {
	var emails []string
	seen := map[string]bool{}
	for _, j := range r.jobs {
		ops, managed := operatorsOf(j)
		if j.decided || !managed || j.c.Action == plan.ActionDelete {
			continue
		}
		for _, o := range ops {
			if o.Email != "" && !seen[o.Email] {
				seen[o.Email] = true
				emails = append(emails, o.Email)
			}
		}
	}
	ids, errs := r.lookUp(newWork, inFlight, emails)
	if newWork.Err() != nil {
		return // the jobs are skipped
	}
	for _, j := range r.jobs {
		ops, managed := operatorsOf(j)
		if j.decided || !managed || j.c.Action == plan.ActionDelete {
			continue
		}
		mp, problems, err := checkOperators(j.who.kind, ops, ids, errs)
		switch {
		case err != nil:
			r.finish(failed(j, err, j.resume))
		case len(problems) > 0:
			r.finish(finished{j: j, outcome: OutcomeFailed, pending: j.resume,
				err: fmt.Errorf("%w, nothing of it was sent: %s", ErrBadOperators, strings.Join(problems, "; "))})
		default:
			j.members = mp
		}
	}
}

// lookUp resolves emails, Parallelism at a time: ids of those found,
// errors of the others.
func (r *run) lookUp(newWork, inFlight context.Context, emails []string) (map[string]int64, map[string]error) {
	ids, errs := map[string]int64{}, map[string]error{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, email := range emails {
		wg.Go(func() {
			var id int64
			err := r.step(newWork, inFlight, func(ctx context.Context) error {
				u, err := r.groups.UserByEmail(ctx, email)
				if err == nil {
					id = u.ID
				}
				return err
			})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs[email] = err
				if offices.IsAuth(err) || stopsRun(err) {
					r.stopped.Store(true) // halt stopped new work; stop() runs below
				}
				return
			}
			ids[email] = id
		})
	}
	wg.Wait()
	for _, err := range errs {
		if offices.IsAuth(err) || stopsRun(err) {
			r.stop(err, offices.IsAuth(err))
			break
		}
	}
	return ids, errs
}

// checkOperators resolves ops for a group of kind: the members to send,
// or every problem (an unknown email, a room in a call center, a skill
// level outside call centers, one person twice), or the error of a look
// up that failed otherwise.
func checkOperators(kind offices.Kind, ops []plan.Operator, ids map[string]int64, errs map[string]error) (*memberPlan, []string, error) {
	mp := &memberPlan{}
	var problems []string
	byEmail := map[string]string{}
	byMember := map[offices.Member]string{}
	for _, o := range ops {
		name := offices.Operator{Email: o.Email, UserID: o.UserID, RoomID: o.RoomID}.String()
		m := offices.Member{Type: offices.OperatorUser, ID: o.UserID, Role: o.Role}
		switch {
		case o.Email != "":
			low := strings.ToLower(o.Email)
			if first, dup := byEmail[low]; dup {
				problems = append(problems, fmt.Sprintf("%s and %s are one user (emails differ only in case): list it once", first, name))
				continue
			}
			byEmail[low] = name
			if err := errs[o.Email]; err != nil {
				if !errors.Is(err, offices.ErrUnknownUser) {
					return nil, nil, fmt.Errorf("looking up %s: %w", name, err)
				}
				problems = append(problems, fmt.Sprintf("no Dialpad user has the email %s", name))
				continue
			}
			m.ID = ids[o.Email]
		case o.RoomID != 0:
			m.Type, m.ID = offices.OperatorRoom, o.RoomID
			if kind == offices.KindCallCenter {
				problems = append(problems, fmt.Sprintf("%s: call centers take users only", name))
				continue
			}
		}
		if m.Role == "" {
			m.Role = offices.RoleOperator
		}
		if o.SkillLevel != nil {
			if kind != offices.KindCallCenter {
				problems = append(problems, fmt.Sprintf("%s: skill levels exist only in call centers", name))
				continue
			}
			m.SkillLevel = *o.SkillLevel
		}
		same := offices.Member{Type: m.Type, ID: m.ID}
		if first, dup := byMember[same]; dup {
			problems = append(problems, fmt.Sprintf("%s and %s are the same %s (id %d): list it once", first, name, m.Type, m.ID))
			continue
		}
		byMember[same] = name
		mp.want = append(mp.want, m)
		mp.rec = append(mp.rec, state.Operator{Email: o.Email, ID: strconv.FormatInt(m.ID, 10), Role: m.Role, SkillLevel: int(m.SkillLevel), Type: m.Type})
	}
	return mp, problems, nil
}

// stateMembers turns recorded operators into members; nil stays nil.
func stateMembers(ops []state.Operator) []offices.Member {
	if ops == nil {
		return nil
	}
	out := make([]offices.Member, 0, len(ops))
	for _, o := range ops {
		if id := parseID(o.ID); id != 0 {
			out = append(out, offices.Member{ID: id, Type: o.Type, Role: o.Role, SkillLevel: int64(o.SkillLevel)})
		}
	}
	return out
}

// syncMembers makes the operators of job j's object id its members,
// sending only the differences from have (nil: the live list, asked
// once), whose state records are cur: adds first (an add of a member
// sets its role and skill), with the PATCHes of skills, then removes (a
// removal of a non-member, 404, is done). Each step that succeeds is
// recorded in the state at once. The note names the operators removed
// when none of those it had is left.
func (r *run) syncMembers(newWork, inFlight context.Context, j *job, id int64, have []offices.Member, cur []state.Operator) (string, error) {
	if have == nil {
		if err := r.step(newWork, inFlight, func(ctx context.Context) error {
			var err error
			have, err = r.groups.ListOperators(ctx, j.who.kind, id)
			return err
		}); err != nil {
			return "", fmt.Errorf("listing the operators: %w", err)
		}
		cur = liveRecords(have, cur)
	}
	ms := &membership{r: r, j: j, id: id, cur: slices.Clone(cur)}
	if ms.cur == nil {
		ms.cur = []state.Operator{}
	}
	send := func(f func(ctx context.Context) error) error { return r.step(newWork, inFlight, f) }
	changed, err := ms.add(have, send)
	if err != nil {
		return "", err
	}
	removed, kept, err := ms.remove(have, send)
	if err != nil {
		return "", err
	}
	if !changed && len(removed) == 0 && len(have) == 0 {
		if err := ms.save(); err != nil { // an empty membership, now managed
			return "", err
		}
	}
	if len(removed) > 0 && kept == 0 {
		return fmt.Sprintf("removed every operator it had: %s", strings.Join(removed, ", ")), nil
	}
	return "", nil
}

// membership is the operators of one object while syncMembers changes
// them: cur is what the state records, saved after every step.
type membership struct {
	r   *run
	j   *job
	id  int64
	cur []state.Operator
}

// save records cur in the state.
func (m *membership) save() error {
	ops := slices.Clone(m.cur)
	state.SortOperators(ops)
	if err := m.r.opts.Store.Update(func(st *state.State) error {
		if e, ok := st.GetOf(state.Kind(m.j.who.kind), m.j.who.key); ok {
			e.Operators = ops
		}
		return nil
	}); err != nil {
		return &saveError{err}
	}
	return nil
}

// index returns the position in cur of the record of (typ, id), or -1.
func (m *membership) index(typ, id string) int {
	return slices.IndexFunc(m.cur, func(o state.Operator) bool { return o.Type == typ && o.ID == id })
}

// add sends the members missing from have or with another role (POST),
// and the skill levels that differ (PATCH), recording each; it reports
// whether it recorded anything.
func (m *membership) add(have []offices.Member, send func(func(context.Context) error) error) (bool, error) {
	api, kind, changed := m.r.groups, m.j.who.kind, false
	for i, w := range m.j.members.want {
		rec := m.j.members.rec[i]
		k := slices.IndexFunc(have, w.Same)
		switch {
		case k < 0 || have[k].Role != w.Role:
			if err := send(func(ctx context.Context) error { return api.AddOperator(ctx, kind, m.id, w) }); err != nil {
				return changed, fmt.Errorf("adding operator %s %d: %w", w.Type, w.ID, err)
			}
		case kind == offices.KindCallCenter && w.SkillLevel != 0 && w.SkillLevel != have[k].SkillLevel:
			if err := send(func(ctx context.Context) error { _, err := api.UpdateSkill(ctx, m.id, w.ID, w.SkillLevel); return err }); err != nil {
				return changed, fmt.Errorf("setting the skill of user %d: %w", w.ID, err)
			}
		default:
			if p := m.index(rec.Type, rec.ID); p >= 0 && m.cur[p] == rec {
				continue // nothing to send or record
			}
		}
		if p := m.index(rec.Type, rec.ID); p >= 0 {
			m.cur[p] = rec
		} else {
			m.cur = append(m.cur, rec)
		}
		changed = true
		if err := m.save(); err != nil {
			return changed, err
		}
	}
	return changed, nil
}

// remove sends the removal of the members of have that are not wanted,
// recording each; it returns their names and how many of have stay.
func (m *membership) remove(have []offices.Member, send func(func(context.Context) error) error) (removed []string, kept int, err error) {
	api, kind := m.r.groups, m.j.who.kind
	for _, h := range have {
		if slices.ContainsFunc(m.j.members.want, h.Same) {
			kept++
			continue
		}
		err := send(func(ctx context.Context) error { return api.RemoveOperator(ctx, kind, m.id, h) })
		if err != nil && !offices.IsNotFound(err) {
			return removed, kept, fmt.Errorf("removing operator %s %d: %w", h.Type, h.ID, err)
		}
		name := fmt.Sprintf("%s %d", h.Type, h.ID)
		if p := m.index(h.Type, strconv.FormatInt(h.ID, 10)); p >= 0 {
			if m.cur[p].Email != "" {
				name = offices.Printable(m.cur[p].Email)
			}
			m.cur = slices.Delete(m.cur, p, p+1)
		}
		removed = append(removed, name)
		if err := m.save(); err != nil {
			return removed, kept, err
		}
	}
	return removed, kept, nil
}

// liveRecords records have, the live members, reusing the records of
// cur (which name users by email) for the same user or room.
func liveRecords(have []offices.Member, cur []state.Operator) []state.Operator {
	out := make([]state.Operator, 0, len(have))
	for _, h := range have {
		rec := state.Operator{ID: strconv.FormatInt(h.ID, 10), Role: h.Role, SkillLevel: int(h.SkillLevel), Type: h.Type}
		if rec.Role == "" {
			rec.Role = offices.RoleOperator
		}
		if i := slices.IndexFunc(cur, func(o state.Operator) bool { return o.Type == rec.Type && o.ID == rec.ID }); i >= 0 {
			rec.Email = cur[i].Email
		}
		out = append(out, rec)
	}
	return out
}

// saveError is a failed save of the state during a membership: it stops
// the run.
type saveError struct{ err error }

func (e *saveError) Error() string { return "saving the state failed: " + e.err.Error() }
func (e *saveError) Unwrap() error { return e.err }

func isSaveErr(err error) bool {
	var s *saveError
	return errors.As(err, &s)
}
