package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// This file holds import of departments and call centers: adopting the
// groups an office already has by (office, kind, exact name), with their
// operators, from the per-office listings.

// ImportGroupsAPI is the part of the Dialpad API that import of groups
// uses; *offices.Client satisfies it. Import needs it only when the
// config has departments or call centers.
type ImportGroupsAPI interface {
	ListDepartments(ctx context.Context, officeID int64) ([]offices.LiveDepartment, error)
	ListCallCenters(ctx context.Context, officeID int64) ([]offices.LiveCallCenter, error)
	ListOperators(ctx context.Context, kind offices.Kind, id int64) ([]offices.Member, error)
}

var _ ImportGroupsAPI = (*offices.Client)(nil)

// GroupAdoption is a department or call center of the config recorded in
// the state as an existing live group.
type GroupAdoption struct {
	Kind     string // load.KindDepartment or load.KindCallCenter
	Key      string
	Name     string
	ID       int64 // 0 in ToCreate
	OfficeID int64 // 0 in ToCreate when its office is not created yet
	// Spec is the config's create body (what plan compares against, as
	// import records an office's desired spec), Operators the group's
	// live membership when the config manages it (else nil), Protect the
	// config's.
	Spec, SpecSHA256 string
	Operators        []state.Operator
	Protect          bool
}

// GroupImport is what import found for groups.
type GroupImport struct {
	Adopted, ToCreate []GroupAdoption
	Conflicts         []ImportConflict // Key names the group; Reason says its kind
	Managed           int
}

// liveGroup is one listed department or call center, reduced to what
// adoption needs.
type liveGroup struct {
	id, office int64
	name       string
	state      string
}

// importGroups lists the groups of every office the config's unmanaged
// groups hang off (one listing per office and kind, followed to its end)
// and matches them by exact name; offices is the office ids by key after
// the offices' adoptions. It lists the operators of each adopted group
// whose config manages them.
func importGroups(ctx context.Context, api ImportGroupsAPI, cfg *load.Config, st *state.State, officeIDs map[string]int64, users *emailCache, inv plan.Invocation) (*GroupImport, error) {
	res := &GroupImport{}
	claimed := map[int64]string{}
	for _, k := range []state.Kind{state.KindDepartment, state.KindCallCenter} {
		for key, e := range st.Map(k) {
			if id, err := strconv.ParseInt(e.ID, 10, 64); err == nil && id > 0 {
				claimed[id] = key
			}
		}
	}
	type listKey struct {
		kind   string
		office int64
	}
	listed := map[listKey][]liveGroup{}
	for i := range cfg.Groups {
		g := &cfg.Groups[i]
		if _, ok := st.GetOf(state.Kind(g.Kind), g.Key); ok {
			res.Managed++
			continue
		}
		office := g.OfficeID
		if g.Office != "" {
			office = officeIDs[g.Office]
		}
		if office <= 0 {
			res.ToCreate = append(res.ToCreate, GroupAdoption{Kind: g.Kind, Key: g.Key, Name: g.Name})
			continue
		}
		lk := listKey{g.Kind, office}
		live, ok := listed[lk]
		if !ok {
			var err error
			if live, err = listGroupsOf(ctx, api, g.Kind, office); err != nil {
				return nil, err
			}
			listed[lk] = live
		}
		var free []liveGroup
		var takenBy string
		for _, l := range live {
			if l.name != g.Name || l.state == "deleted" || l.state == "cancelled" {
				continue
			}
			if k, ok := claimed[l.id]; ok {
				takenBy = k
				continue
			}
			free = append(free, l)
		}
		what := kindWord(g.Kind)
		switch {
		case len(free) == 1:
			a := GroupAdoption{Kind: g.Kind, Key: g.Key, Name: g.Name, ID: free[0].id, OfficeID: office,
				Spec: string(g.Body), SpecSHA256: plan.GroupSHA256(g.Body), Protect: g.Protect}
			if g.Operators != nil {
				ops, err := liveOperators(ctx, api, g.Kind, free[0].id)
				if err == nil {
					err = users.recordEmails(ctx, g.Operators, ops)
				}
				if err == nil && g.Kind == load.KindCallCenter {
					err = liveSkills(ctx, api, users, free[0].id, g.Operators, ops)
				}
				if err != nil {
					return nil, err
				}
				a.Operators = ops
			}
			res.Adopted = append(res.Adopted, a)
			claimed[free[0].id] = g.Key
		case len(free) > 1:
			ids := make([]int64, len(free))
			for i, l := range free {
				ids[i] = l.id
			}
			sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
			res.Conflicts = append(res.Conflicts, ImportConflict{Key: g.Key, Name: g.Name, IDs: ids,
				Reason: fmt.Sprintf("%d %ss of office %d in Dialpad have this name, so import cannot tell which one the config describes: rename or delete the others in Dialpad, then run import again", len(free), what, office)})
		case takenBy != "":
			res.Conflicts = append(res.Conflicts, ImportConflict{Key: g.Key, Name: g.Name,
				Reason: fmt.Sprintf("the %s with this name is recorded in the state file as %q: give one of the two keys another name, or forget the other with `%s`", what, takenBy, inv.Command("state rm", takenBy))})
		default:
			res.ToCreate = append(res.ToCreate, GroupAdoption{Kind: g.Kind, Key: g.Key, Name: g.Name, OfficeID: office})
		}
	}
	return res, nil
}

// kindWord names a group kind for a person.
func kindWord(kind string) string {
	if kind == load.KindCallCenter {
		return "call center"
	}
	return "department"
}

// listGroupsOf lists the groups of kind of office (one listing, all pages).
func listGroupsOf(ctx context.Context, api ImportGroupsAPI, kind string, office int64) ([]liveGroup, error) {
	var out []liveGroup
	if kind == load.KindCallCenter {
		ls, err := api.ListCallCenters(ctx, office)
		if err != nil {
			return nil, fmt.Errorf("import: listing the call centers of office %d: %w", office, err)
		}
		for _, l := range ls {
			out = append(out, liveGroup{id: l.ID, office: office, name: l.Name, state: l.State})
		}
		return out, nil
	}
	ls, err := api.ListDepartments(ctx, office)
	if err != nil {
		return nil, fmt.Errorf("import: listing the departments of office %d: %w", office, err)
	}
	for _, l := range ls {
		out = append(out, liveGroup{id: l.ID, office: office, name: l.Name, state: l.State})
	}
	return out, nil
}

// liveOperators lists the operators of group id as the state records
// them: ids, types and roles, sorted (skill levels are not listed).
func liveOperators(ctx context.Context, api ImportGroupsAPI, kind string, id int64) ([]state.Operator, error) {
	ms, err := api.ListOperators(ctx, offices.Kind(kind), id)
	if err != nil {
		return nil, fmt.Errorf("import: listing the operators of %s %d: %w", kindWord(kind), id, err)
	}
	ops := make([]state.Operator, 0, len(ms))
	for _, m := range ms {
		role := m.Role
		if role == "" {
			role = offices.RoleOperator
		}
		ops = append(ops, state.Operator{ID: strconv.FormatInt(m.ID, 10), Type: m.Type, Role: role, SkillLevel: int(m.SkillLevel)})
	}
	state.SortOperators(ops)
	return ops, nil
}

// ImportSkillAPI reads what import records of a call center's skill
// levels, which its operators listing lacks; *offices.Client satisfies it.
type ImportSkillAPI interface {
	GetSkill(ctx context.Context, cc, user int64) (int64, error)
	UserByEmail(ctx context.Context, email string) (*offices.User, error)
}

var _ ImportSkillAPI = (*offices.Client)(nil)

// liveSkills records in ops, the live operators of call center cc, the
// live skill level of each user the config gives one (skill_level): one
// GET per such operator (emails resolved through users), so that drift
// compares them. Users the config gives no skill level keep none.
func liveSkills(ctx context.Context, api ImportGroupsAPI, users *emailCache, cc int64, want []load.Operator, ops []state.Operator) error {
	sapi, ok := api.(ImportSkillAPI)
	for _, w := range want {
		if w.SkillLevel == nil || (w.Email == "" && w.UserID == 0) {
			continue
		}
		if !ok {
			return errors.New("import: the API cannot read call-center skill levels")
		}
		user := w.UserID
		if w.Email != "" {
			var err error
			if user, err = users.id(ctx, w.Email); err != nil {
				return fmt.Errorf("import: call center %d: %w", cc, err)
			}
		}
		i := slices.IndexFunc(ops, func(o state.Operator) bool {
			return o.Type == state.OperatorUser && o.ID == strconv.FormatInt(user, 10)
		})
		if i < 0 {
			continue // not an operator there: the plan adds it
		}
		level, err := sapi.GetSkill(ctx, cc, user)
		if err != nil {
			return fmt.Errorf("import: skill level of user %d in call center %d: %w", user, cc, err)
		}
		ops[i].SkillLevel = int(level)
	}
	return nil
}

// emailCache resolves the config's operator emails to user ids for one
// import: one GET per email, cached.
type emailCache struct {
	api ImportGroupsAPI
	ids map[string]int64
}

func newEmailCache(api ImportGroupsAPI) *emailCache {
	return &emailCache{api: api, ids: map[string]int64{}}
}

// id returns the id of the user with email.
func (c *emailCache) id(ctx context.Context, email string) (int64, error) {
	if id, ok := c.ids[email]; ok {
		return id, nil
	}
	sapi, ok := c.api.(ImportSkillAPI)
	if !ok {
		return 0, errors.New("import: the API cannot look users up by email")
	}
	u, err := sapi.UserByEmail(ctx, email)
	if err != nil {
		return 0, err
	}
	c.ids[email] = u.ID
	return u.ID, nil
}

// recordEmails writes into ops, a live membership, the email of each
// user the config gives by email, as the config writes it, so that plan
// (which matches an email with the recorded email) finds them unchanged.
// A user the config names but Dialpad does not list there keeps no entry:
// the plan adds it.
func (c *emailCache) recordEmails(ctx context.Context, want []load.Operator, ops []state.Operator) error {
	for _, w := range want {
		if w.Email == "" {
			continue
		}
		id, err := c.id(ctx, w.Email)
		if errors.Is(err, offices.ErrUnknownUser) {
			continue // no such user: the plan adds it, and apply names the email
		}
		if err != nil {
			return fmt.Errorf("import: operator %s: %w", offices.Printable(w.Email), err)
		}
		i := slices.IndexFunc(ops, func(o state.Operator) bool {
			return o.Type == state.OperatorUser && o.Email == "" && o.ID == strconv.FormatInt(id, 10)
		})
		if i >= 0 {
			ops[i].Email = w.Email
		}
	}
	return nil
}

// officeOperators lists the live operators of each adopted office whose
// config gives operators (one GET each), with the config's emails
// recorded beside their ids, by key.
func officeOperators(ctx context.Context, api ImportGroupsAPI, users *emailCache, cfg *load.Config, adopted []Adoption) (map[string][]state.Operator, error) {
	want := map[string][]load.Operator{}
	for i := range cfg.Offices {
		if cfg.Offices[i].Operators != nil {
			want[cfg.Offices[i].Key] = cfg.Offices[i].Operators
		}
	}
	out := map[string][]state.Operator{}
	for _, a := range adopted {
		w, ok := want[a.Key]
		if !ok {
			continue
		}
		ops, err := liveOperators(ctx, api, string(offices.KindOffice), a.ID)
		if err == nil {
			err = users.recordEmails(ctx, w, ops)
		}
		if err != nil {
			return nil, err
		}
		out[a.Key] = ops
	}
	return out, nil
}

// recordGroups writes the adopted groups into st.
func recordGroups(st *state.State, gs []GroupAdoption, at time.Time) error {
	for _, a := range gs {
		k := state.Kind(a.Kind)
		if _, ok := st.KindOf(a.Key); ok {
			return fmt.Errorf("the state entry of %q appeared during import", a.Key)
		}
		created := at
		st.SetOf(k, a.Key, &state.Entry{
			Status: state.Created, ID: strconv.FormatInt(a.ID, 10), Name: a.Name,
			OfficeID: strconv.FormatInt(a.OfficeID, 10), Spec: []byte(a.Spec), SpecSHA256: a.SpecSHA256,
			Operators: a.Operators, Protect: a.Protect, CreatedAt: &created,
		})
	}
	return nil
}
