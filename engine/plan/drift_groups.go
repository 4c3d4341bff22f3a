package plan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// This file holds drift of departments and call centers: CheckDrift lists
// the groups of each office the state's groups hang off (one listing per
// office and kind, every page) and compares each group with the spec, and
// its operators with the membership, the state records for it.

// DriftGroupsAPI is the part of the Dialpad API that drift of groups
// uses; *offices.Client satisfies it. CheckDrift needs it only when the
// state records departments or call centers.
type DriftGroupsAPI interface {
	ListDepartments(ctx context.Context, officeID int64) ([]offices.LiveDepartment, error)
	ListCallCenters(ctx context.Context, officeID int64) ([]offices.LiveCallCenter, error)
	ListOperators(ctx context.Context, kind offices.Kind, id int64) ([]offices.Member, error)
}

var _ DriftGroupsAPI = (*offices.Client)(nil)

// DriftSkillAPI reads a call-center operator's skill level, which the
// operators listing does not return; *offices.Client satisfies it.
// CheckDrift needs it only when the state records a skill level.
type DriftSkillAPI interface {
	GetSkill(ctx context.Context, cc, user int64) (int64, error)
}

var _ DriftSkillAPI = (*offices.Client)(nil)

// LiveOfficeNotFound is the LiveState of a group whose office's listing
// answered 404: the office is deleted in Dialpad, and the group with it.
const LiveOfficeNotFound = "office not found"

// groupJob is one group to check: what the state records, then what the
// listings found.
type groupJob struct {
	kind     state.Kind
	key      string
	e        *state.Entry
	id       int64
	office   int64
	spec     any
	live     any // the listed group's create fields as a JSON tree; nil when not listed
	state    string
	liveOps  []offices.Member
	listedOp bool
	// skills are the live skill levels of the call-center users whose
	// skill level the state records, by user id.
	skills map[int64]int64
	// officeGone: the group's office answered its listing with a 404 (it
	// is deleted in Dialpad), so the group is gone with it.
	officeGone bool
}

// checkGroupDrift appends to rep the drift of every department and call
// center st records: deleted (not in its office's listing, or deleted or
// cancelled there), changed fields (only the fields the spec has;
// references resolved with the state's ids) and changed membership
// (where the state records one: added or removed operators, changed
// roles, changed skill levels of call-center users: one GET each, since
// the listing lacks them). Up to par operator listings run at once.
func checkGroupDrift(ctx context.Context, api DriftAPI, st *state.State, rep *DriftReport, par int) error {
	var jobs []*groupJob
	for _, kind := range []state.Kind{state.KindDepartment, state.KindCallCenter} {
		for _, k := range st.KeysOf(kind) {
			e := st.Map(kind)[k]
			if e == nil {
				continue
			}
			id, err := strconv.ParseInt(e.ID, 10, 64)
			office, oerr := strconv.ParseInt(e.OfficeID, 10, 64)
			if e.Status != state.Created || err != nil || id <= 0 || oerr != nil || office <= 0 {
				rep.Skipped = append(rep.Skipped, SkippedOffice{Key: k, Name: e.Name, Reason: rep.pendingReason()})
				continue
			}
			if len(e.Spec) == 0 {
				rep.Skipped = append(rep.Skipped, SkippedOffice{Key: k, Name: e.Name, Reason: rep.noSpecReason(k)})
				continue
			}
			spec, err := DecodeSpec(e.Spec)
			if err != nil {
				rep.Skipped = append(rep.Skipped, SkippedOffice{Key: k, Name: e.Name, Reason: fmt.Sprintf("the spec in the state does not decode: %v", err)})
				continue
			}
			jobs = append(jobs, &groupJob{kind: kind, key: k, e: e, id: id, office: office, spec: spec})
		}
	}
	if len(jobs) == 0 {
		return nil
	}
	gapi, ok := api.(DriftGroupsAPI)
	if !ok {
		return errors.New("drift: the API cannot list departments and call centers")
	}
	if err := listGroupJobs(ctx, gapi, jobs); err != nil {
		return err
	}
	if err := listJobOperators(ctx, gapi, jobs, par); err != nil {
		return err
	}
	if err := getJobSkills(ctx, api, jobs, par); err != nil {
		return err
	}
	ids := groupRefIDs(st)
	rep.Checked += len(jobs)
	if rep.CheckedGroups == nil {
		rep.CheckedGroups = map[string]int{}
	}
	for _, j := range jobs {
		rep.CheckedGroups[string(j.kind)]++
	}
	for _, j := range jobs {
		if d := j.drift(ids); d != nil {
			rep.Drifts = append(rep.Drifts, *d)
		}
	}
	sort.Slice(rep.Drifts, func(a, b int) bool { return rep.Drifts[a].Key < rep.Drifts[b].Key })
	sort.Slice(rep.Skipped, func(a, b int) bool { return rep.Skipped[a].Key < rep.Skipped[b].Key })
	return nil
}

// listGroupJobs lists, once per office and kind, the groups the jobs hang
// off, and gives each job its listed group.
func listGroupJobs(ctx context.Context, api DriftGroupsAPI, jobs []*groupJob) error {
	type listKey struct {
		kind   state.Kind
		office int64
	}
	type listed struct {
		body  any
		state string
	}
	lists := map[listKey]map[int64]listed{}
	for _, j := range jobs {
		lk := listKey{j.kind, j.office}
		byID, ok := lists[lk]
		if !ok {
			byID = map[int64]listed{}
			if j.kind == state.KindCallCenter {
				ls, err := api.ListCallCenters(ctx, j.office)
				if err != nil && !offices.IsNotFound(err) {
					return fmt.Errorf("drift: listing the call centers of office %d: %w", j.office, err)
				}
				if err != nil {
					byID = nil // the office is deleted: its groups with it
				}
				for _, l := range ls {
					byID[l.ID] = listed{JSONTree(l.CallCenter), l.State}
				}
			} else {
				ls, err := api.ListDepartments(ctx, j.office)
				if err != nil && !offices.IsNotFound(err) {
					return fmt.Errorf("drift: listing the departments of office %d: %w", j.office, err)
				}
				if err != nil {
					byID = nil // the office is deleted: its groups with it
				}
				for _, l := range ls {
					byID[l.ID] = listed{JSONTree(l.Department), l.State}
				}
			}
			lists[lk] = byID
		}
		if byID == nil {
			j.officeGone = true
		} else if l, ok := byID[j.id]; ok {
			j.live, j.state = l.body, l.state
		}
	}
	return nil
}

// listJobOperators lists the operators of each live group whose state
// entry records a membership, up to par at once.
func listJobOperators(ctx context.Context, api DriftGroupsAPI, jobs []*groupJob, par int) error {
	var todo []int
	for i, j := range jobs {
		if j.live != nil && !deletedState(j.state) && j.e.Operators != nil {
			todo = append(todo, i)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, len(jobs))
	forEach(ctx, todo, par, func(i int) {
		j := jobs[i]
		ms, err := api.ListOperators(ctx, offices.Kind(j.kind), j.id)
		if err != nil {
			errs[i] = fmt.Errorf("drift: operators of %s %q (id %d): %w", j.kind, j.key, j.id, err)
			cancel()
			return
		}
		j.liveOps, j.listedOp = ms, true
	})
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

// skillCheck is one skill level to read: of user in the call center of
// job j.
type skillCheck struct {
	j    *groupJob
	user int64
}

// getJobSkills reads, one GET each and up to par at once, the live skill
// level of every call-center user operator whose state entry records one
// and who is still an operator there; the others are not compared.
func getJobSkills(ctx context.Context, api DriftAPI, jobs []*groupJob, par int) error {
	var checks []skillCheck
	for _, j := range jobs {
		if j.kind != state.KindCallCenter || !j.listedOp {
			continue
		}
		for _, o := range j.e.Operators {
			id, err := strconv.ParseInt(o.ID, 10, 64)
			if o.Type != state.OperatorUser || o.SkillLevel == 0 || err != nil {
				continue
			}
			if slices.ContainsFunc(j.liveOps, func(m offices.Member) bool { return m.Type == offices.OperatorUser && m.ID == id }) {
				checks = append(checks, skillCheck{j, id})
			}
		}
	}
	if len(checks) == 0 {
		return nil
	}
	sapi, ok := api.(DriftSkillAPI)
	if !ok {
		return errors.New("drift: the API cannot read call-center skill levels")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	levels := make([]int64, len(checks))
	errs := make([]error, len(checks))
	idx := make([]int, len(checks))
	for i := range idx {
		idx[i] = i
	}
	forEach(ctx, idx, par, func(i int) {
		c := checks[i]
		level, err := sapi.GetSkill(ctx, c.j.id, c.user)
		switch {
		case offices.IsNotFound(err):
			// Removed since the listing: the membership drift shows it.
			return
		case err != nil:
			errs[i] = fmt.Errorf("drift: skill level of user %d in call center %q (id %d): %w", c.user, c.j.key, c.j.id, err)
			cancel()
			return
		}
		levels[i] = level
	})
	var first error
	for _, err := range errs {
		if err != nil && (first == nil || errors.Is(first, context.Canceled)) {
			first = err
		}
	}
	if first != nil {
		return first
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for i, c := range checks {
		if levels[i] == 0 {
			continue
		}
		if c.j.skills == nil {
			c.j.skills = map[int64]int64{}
		}
		c.j.skills[c.user] = levels[i]
	}
	return nil
}

// skillDrift lists the recorded skill levels that differ from the live
// ones, as operators.user.ID.skill_level.
func skillDrift(applied []state.Operator, live map[int64]int64) []FieldChange {
	var out []FieldChange
	for _, o := range applied {
		id, err := strconv.ParseInt(o.ID, 10, 64)
		if err != nil || o.Type != state.OperatorUser || o.SkillLevel == 0 {
			continue
		}
		if level, ok := live[id]; ok && level != int64(o.SkillLevel) {
			out = append(out, FieldChange{Path: "operators.user." + o.ID + ".skill_level", Old: strconv.Itoa(o.SkillLevel), New: strconv.FormatInt(level, 10)})
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Path < out[b].Path })
	return out
}

// groupRefIDs maps "kind/key" of every created entry to its Dialpad id,
// to resolve the references a group's spec holds.
func groupRefIDs(st *state.State) map[string]int64 {
	ids := map[string]int64{}
	for _, kind := range state.Kinds {
		for k, e := range st.Map(kind) {
			if id, err := strconv.ParseInt(e.ID, 10, 64); err == nil && id > 0 && e.Status == state.Created {
				ids[string(kind)+"/"+k] = id
			}
		}
	}
	return ids
}

// resolveRefs replaces, in a spec tree, each reference {office|department|
// callcenter: KEY} whose id is known (idOf) by its id.
func resolveRefs(v any, idOf func(kind, key string) (int64, bool)) any {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 1 {
			for k, x := range t {
				if key, ok := x.(string); ok {
					if id, ok := idOf(k, key); ok {
						return JSONTree(id)
					}
				}
			}
		}
		for k, x := range t {
			t[k] = resolveRefs(x, idOf)
		}
	case []any:
		for i := range t {
			t[i] = resolveRefs(t[i], idOf)
		}
	}
	return v
}

// drift compares the job's live group with its spec and membership; nil
// when it has not drifted.
func (j *groupJob) drift(ids map[string]int64) *Drift {
	d := &Drift{Key: j.key, Name: j.e.Name, ID: j.id, Object: string(j.kind)}
	switch {
	case j.officeGone:
		d.Kind, d.LiveState, d.Fields = DriftDeleted, LiveOfficeNotFound, []FieldChange{}
		return d
	case j.live == nil:
		d.Kind, d.LiveState, d.Fields = DriftDeleted, "not found", []FieldChange{}
		return d
	case deletedState(j.state):
		d.Kind, d.LiveState, d.Fields = DriftDeleted, j.state, []FieldChange{}
		return d
	}
	spec := resolveRefs(j.spec, sentGroupID(j.e, ids)) // "last applied" is what was sent
	diffValues("", spec, keepKeysOf(spec, j.live), &d.Fields)
	if j.listedOp {
		d.Fields = append(d.Fields, operatorDrift(j.e.Operators, j.liveOps)...)
		d.Fields = append(d.Fields, skillDrift(j.e.Operators, j.skills)...)
	}
	if len(d.Fields) == 0 {
		return nil
	}
	d.Kind = DriftChanged
	return d
}

// operatorDrift lists the membership changes from the applied operators
// to the live ones: one field per user or room added, removed or with
// another role, as operators.TYPE.ID with its role.
func operatorDrift(applied []state.Operator, live []offices.Member) []FieldChange {
	type who struct {
		typ string
		id  int64
	}
	old := map[who]string{}
	for _, o := range applied {
		id, _ := strconv.ParseInt(o.ID, 10, 64)
		old[who{o.Type, id}] = o.Role
	}
	now := map[who]string{}
	for _, m := range live {
		role := m.Role
		if role == "" {
			role = offices.RoleOperator
		}
		now[who{m.Type, m.ID}] = role
	}
	var keys []who
	for w := range old {
		keys = append(keys, w)
	}
	for w := range now {
		if _, ok := old[w]; !ok {
			keys = append(keys, w)
		}
	}
	sort.Slice(keys, func(a, b int) bool {
		if keys[a].typ != keys[b].typ {
			return keys[a].typ < keys[b].typ
		}
		return keys[a].id < keys[b].id
	})
	var out []FieldChange
	for _, w := range keys {
		o, inOld := old[w]
		n, inNow := now[w]
		if inOld && inNow && o == n {
			continue
		}
		fc := FieldChange{Path: "operators." + w.typ + "." + strconv.FormatInt(w.id, 10)}
		if inOld {
			fc.Old = strconv.Quote(o)
		}
		if inNow {
			fc.New = strconv.Quote(n)
		}
		out = append(out, fc)
	}
	return out
}
