package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// This file plans departments, call centers and the operators of every
// kind: create, update (PATCH of the changed top-level fields and the
// membership differences), delete, resume and no-op.

// NoteProtected is the note of a protected group that left the config: it
// is never deleted.
const NoteProtected = "protected: not deleted"

// MemberChange is one difference between the operators the state records
// and the config's, named as written (an email, "user ID" or "room ID").
type MemberChange struct {
	// Op is "add", "remove", "role" (remove then add), "skill" (PATCH of
	// the call-center skill level), "manage": a membership officectl
	// never managed (nil in the state) becomes exactly the config's list
	// (New is its length); apply lists the live members and removes any
	// other; or MemberUnmanage ("unmanage"): the config no longer has
	// operators, so officectl no longer manages the membership: apply
	// sends no membership request and makes the state forget the
	// operators it recorded (Old is how many). It is then the change's
	// only member change.
	Op string `json:"op"`
	// Operator names the user or room as the config (or, for a remove,
	// the state) writes it.
	Operator string `json:"operator"`
	// Old and New are the role or skill level before and after; for an
	// add New is the role, for a remove Old is.
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
}

// MemberUnmanage is the Op of the member change of a membership officectl
// no longer manages (the config removed `operators:`).
const MemberUnmanage = "unmanage"

// Unmanages reports whether c stops managing its membership: the config
// no longer has operators, the state records some; apply sends no
// membership request and forgets them (Entry.Operators = nil).
func (c *Change) Unmanages() bool {
	return len(c.Members) == 1 && c.Members[0].Op == MemberUnmanage
}

// removesAll is the Warning of c: a change of a live group or office
// that removes every operator the state records for it, naming them; ""
// otherwise.
func removesAll(c *Change) string {
	if c.Entry == nil || len(c.Entry.Operators) == 0 || (c.Action != ActionUpdate && c.Action != ActionMove) {
		return ""
	}
	var removed []string
	for _, m := range c.Members {
		if m.Op == "remove" {
			removed = append(removed, m.Operator)
		}
	}
	if len(removed) < len(c.Entry.Operators) {
		return ""
	}
	return "removes every operator it has: " + strings.Join(removed, ", ")
}

// KindOf returns the change's kind, offices.KindOffice when Kind is "".
func (c *Change) KindOf() offices.Kind {
	if c.Kind == "" {
		return offices.KindOffice
	}
	return c.Kind
}

// GroupSHA256 is the digest the state records for a group's body.
func GroupSHA256(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// groupRefKeys returns the keys g refers to (its office and its targets),
// sorted, each once.
func groupRefKeys(g *load.DesiredGroup) []string {
	var keys []string
	for _, r := range g.Refs {
		if !slices.Contains(keys, r.Key) {
			keys = append(keys, r.Key)
		}
	}
	slices.Sort(keys)
	return keys
}

// diffGroup compares one desired group with its state entry (nil when the
// key is not in state). officeIDs holds the ids the state records for
// offices, to tell a group that moved to another office; ids the ids
// references resolve to now, to tell a reference whose target was
// created again (its routing is PATCHed with the new id).
func diffGroup(g *load.DesiredGroup, refs []string, e *state.Entry, officeIDs map[string]string, ids refIDs) (Change, error) {
	c := Change{Key: g.Key, Kind: offices.Kind(g.Kind), Name: g.Name, DependsOn: refs, Group: g, Entry: e}
	switch {
	case e == nil:
		c.Action = ActionCreate
		c.Members = diffMembers(g.Operators, nil)
		return c, nil
	case e.Status == state.Pending:
		c.Action = ActionResume
		c.Members = diffMembers(g.Operators, nil)
		return c, nil
	case e.Status != state.Created:
		return Change{}, fmt.Errorf("plan: state entry %q has unknown status %q (want %q or %q)", g.Key, e.Status, state.Created, state.Pending)
	}
	c.Members = manageMembers(g.Operators, e.Operators)
	officeID := officeIDs[g.Office]
	if g.Office == "" {
		officeID = strconv.FormatInt(g.OfficeID, 10)
	}
	if officeID != "" && e.OfficeID != "" && officeID != e.OfficeID {
		c.Action = ActionManual
		c.Fields = []FieldChange{{Path: "office_id", Old: e.OfficeID, New: officeID}}
		c.Note = "a group cannot move to another office through the API: delete it in Dialpad and `officectl state rm " + g.Key + "`, or put it back"
		return c, nil
	}
	var fields []FieldChange
	if e.SpecSHA256 != GroupSHA256(g.Body) {
		var err error
		if fields, err = diffSpecs(e.Spec, g.Body); err != nil {
			return Change{}, fmt.Errorf("plan: state entry %q: %w", g.Key, err)
		}
	}
	fields = append(fields, refChanges(g.Body, e.Refs, ids, fields)...)
	if e.Protect != g.Protect {
		fields = append(fields, FieldChange{Path: "protect", Old: strconv.FormatBool(e.Protect), New: strconv.FormatBool(g.Protect)})
	}
	c.Fields = fields
	if cleared := clearedFields(fields); len(cleared) > 0 {
		c.Action = ActionManual
		c.Note = clearedNote(cleared)
		return c, nil
	}
	if len(fields) == 0 && len(c.Members) == 0 {
		c.Action = ActionNoOp
		return c, nil
	}
	c.Action = ActionUpdate
	return c, nil
}

// PatchFields returns the top-level fields an update PATCHes: those of
// fields, sorted, each once, without officectl's own protect.
func PatchFields(fields []FieldChange) []string {
	var out []string
	for _, f := range fields {
		top := topField(f.Path)
		if top == "protect" || slices.Contains(out, top) {
			continue
		}
		out = append(out, top)
	}
	slices.Sort(out)
	return out
}

func topField(path string) string {
	if i := strings.IndexAny(path, ".["); i >= 0 {
		return path[:i]
	}
	return path
}

// clearedFields lists the fields the config no longer has but the state
// does, where a PATCH cannot express clearing them: a top-level field (a
// PATCH leaves out what it does not change), and a field inside an object
// Dialpad merges field by field (hold_queue.max_hold_count: leaving it
// out of the hold_queue sent keeps the live value; see
// offices.PatchReplaces). A field inside routing_options, which a PATCH
// replaces whole, or inside a list, which is sent whole, is cleared by
// sending the rest.
func clearedFields(fields []FieldChange) []string {
	var out []string
	for _, f := range fields {
		if f.Path == "protect" || f.New != "" || strings.Contains(f.Path, "[") || slices.Contains(out, f.Path) {
			continue
		}
		if top := topField(f.Path); top != f.Path && offices.PatchReplaces(top) {
			continue
		}
		out = append(out, f.Path)
	}
	return out
}

// clearedNote is the note of a group whose config removes fields a PATCH
// cannot clear.
func clearedNote(cleared []string) string {
	note := "a PATCH cannot clear " + strings.Join(cleared, ", ")
	var merged []string
	for _, f := range cleared {
		if top := topField(f); top != f && !slices.Contains(merged, top) {
			merged = append(merged, top)
		}
	}
	if len(merged) > 0 {
		note += " (Dialpad merges " + strings.Join(merged, ", ") + " field by field: a field left out keeps its live value)"
	}
	return note + ": give the field its default value in the config instead of removing it"
}

// manageMembers is diffMembers for an entry that exists in Dialpad: when
// the state records no membership (nil: never managed) and the config
// gives a list, even [], the changes start with a "manage" one, since
// apply makes the live membership exactly the list.
//
// When the config no longer has operators (nil) but the state records a
// membership, the one change is "unmanage": officectl stops managing it,
// leaves Dialpad's operators as they are, and apply makes the state forget
// them (Old is how many it recorded).
func manageMembers(want []load.Operator, have []state.Operator) []MemberChange {
	if want == nil && have != nil {
		return []MemberChange{{Op: MemberUnmanage, Old: strconv.Itoa(len(have))}}
	}
	out := diffMembers(want, have)
	if want != nil && have == nil {
		out = append([]MemberChange{{Op: "manage", New: strconv.Itoa(len(want))}}, out...)
	}
	return out
}

// diffMembers compares the desired operators (nil: leave alone) with the
// ones the state records, matching them as written: an email with the
// recorded email, an id with the recorded id of its type; then a user
// written by id that is left with a user the state records by email and
// that id, the same user written another way (apply sends nothing for
// it). A user written by email whom the state records by id only is
// known to be the same only once apply resolves the email: the plan shows
// an add and a remove, and the renderers say so.
func diffMembers(want []load.Operator, have []state.Operator) []MemberChange {
	if want == nil {
		return nil
	}
	var out []MemberChange
	used := make([]bool, len(have))
	match := make([]int, len(want))
	for i, w := range want {
		match[i] = -1
		if j := slices.IndexFunc(have, func(h state.Operator) bool { return sameOperator(w, h) }); j >= 0 && !used[j] {
			match[i], used[j] = j, true
		}
	}
	for i, w := range want {
		if match[i] >= 0 || w.UserID == 0 {
			continue
		}
		id := strconv.FormatInt(w.UserID, 10)
		for j, h := range have {
			if !used[j] && h.Type == state.OperatorUser && h.ID == id {
				match[i], used[j] = j, true
				break
			}
		}
	}
	for i, w := range want {
		j := match[i]
		if j < 0 {
			out = append(out, MemberChange{Op: "add", Operator: operatorName(w), New: roleOf(w.Role)})
			continue
		}
		h := have[j]
		if roleOf(w.Role) != roleOf(h.Role) {
			out = append(out, MemberChange{Op: "role", Operator: operatorName(w), Old: roleOf(h.Role), New: roleOf(w.Role)})
		}
		if w.SkillLevel != nil && int(*w.SkillLevel) != h.SkillLevel {
			old := ""
			if h.SkillLevel != 0 {
				old = strconv.Itoa(h.SkillLevel)
			}
			out = append(out, MemberChange{Op: "skill", Operator: operatorName(w), Old: old, New: strconv.FormatInt(*w.SkillLevel, 10)})
		}
	}
	for j, h := range have {
		if !used[j] {
			name := h.Email
			if name == "" {
				name = h.Type + " " + h.ID
			}
			out = append(out, MemberChange{Op: "remove", Operator: offices.Printable(name), Old: roleOf(h.Role)})
		}
	}
	return out
}

func sameOperator(w load.Operator, h state.Operator) bool {
	switch {
	case w.Email != "":
		return h.Type == state.OperatorUser && h.Email == w.Email
	case w.UserID != 0:
		return h.Type == state.OperatorUser && h.Email == "" && h.ID == strconv.FormatInt(w.UserID, 10)
	}
	return h.Type == state.OperatorRoom && h.ID == strconv.FormatInt(w.RoomID, 10)
}

func operatorName(o load.Operator) string {
	switch {
	case o.Email != "":
		return offices.Printable(o.Email)
	case o.UserID != 0:
		return "user " + strconv.FormatInt(o.UserID, 10)
	}
	return "room " + strconv.FormatInt(o.RoomID, 10)
}

// SkillOf is the skill level the config gives the operator that a
// MemberChange names (a call-center operator's), nil when none.
func (c *Change) SkillOf(operator string) *int64 {
	ops := c.Operators
	if c.Group != nil {
		ops = c.Group.Operators
	}
	for _, o := range ops {
		if operatorName(o) == operator {
			return o.SkillLevel
		}
	}
	return nil
}

func roleOf(r string) string {
	if r == "" {
		return offices.RoleOperator
	}
	return r
}

// StateGroupRefs returns the keys a group's recorded spec refers to (its
// routing targets): a deleted group is deleted before the deleted groups
// it refers to.
func StateGroupRefs(e *state.Entry) []string {
	if e == nil || len(e.Spec) == 0 {
		return nil
	}
	var d struct {
		RoutingOptions *offices.RoutingOptions `json:"routing_options"`
	}
	if json.Unmarshal(e.Spec, &d) != nil {
		return nil
	}
	return offices.Office{RoutingOptions: d.RoutingOptions}.References()
}

// groupRemovals returns the changes of the groups in st that the config
// no longer has: a delete each, or a no-op with NoteProtected for a
// protected one, in reverse dependency order (a group before the groups
// it refers to), ties broken by key. inConfig holds the kind of each
// group of the config; moved the keys renamed groups move from, which
// are not removed. A group whose key the config gives to another kind
// is removed too, but returned apart, by key (see withKindChanges).
func groupRemovals(st *state.State, inConfig map[string]offices.Kind, moved map[string]bool) ([]Change, map[string]Change) {
	refs := map[string][]string{}
	kinds := map[string]state.Kind{}
	kindChanges := map[string]Change{}
	for _, k := range []state.Kind{state.KindDepartment, state.KindCallCenter} {
		for key, e := range st.Map(k) {
			if now, ok := inConfig[key]; ok {
				if now != offices.Kind(k) {
					c := removal(key, offices.Kind(k), e)
					if c.Action == ActionDelete {
						c.Note = kindChangeNote(now)
					}
					kindChanges[key] = c
				}
				continue
			}
			if moved[key] {
				continue
			}
			kinds[key] = k
			var rs []string
			for _, r := range StateGroupRefs(e) {
				if _, gone := st.Map(k)[r]; gone && inConfig[r] == "" && !moved[r] {
					rs = append(rs, r)
				}
			}
			refs[key] = rs
		}
	}
	// Only references among the removed groups order them, reversed: a
	// group comes after every removed group that refers to it. A cycle
	// (not possible from a valid config) falls back to key order.
	after := map[string][]string{}
	for k, rs := range refs {
		if after[k] == nil {
			after[k] = []string{}
		}
		for _, r := range rs {
			if _, ok := refs[r]; ok && r != k {
				after[r] = append(after[r], k)
			}
		}
	}
	order, err := planOrderAll(after, func(string) bool { return true }, func(string) string { return "group" })
	var keys []string
	if err == nil {
		for _, o := range order {
			keys = append(keys, o.key)
		}
	} else {
		for k := range refs {
			keys = append(keys, k)
		}
		slices.Sort(keys)
	}
	out := make([]Change, 0, len(keys))
	for _, key := range keys {
		out = append(out, removal(key, offices.Kind(kinds[key]), st.Map(kinds[key])[key]))
	}
	return out, kindChanges
}

// removal is the change of a group of kind k that leaves the config: a
// delete, or a no-op with NoteProtected when it is protected.
func removal(key string, k offices.Kind, e *state.Entry) Change {
	c := Change{Key: key, Kind: k, Action: ActionDelete, Entry: e}
	if e != nil {
		c.Name = e.Name
		if e.Protect {
			c.Action, c.Note = ActionNoOp, NoteProtected
		}
	}
	return c
}

// withKindChanges puts the removal of each group whose key changes kind
// right before the change of its key's new group: apply deletes the old
// one first (a key names one entry of the state), and the new one's
// create waits for that delete. When the old one is protected, it is
// never deleted, so the new one is manual (protectedKindChange).
func withKindChanges(changes []Change, kindChanges map[string]Change) []Change {
	if len(kindChanges) == 0 {
		return changes
	}
	out := make([]Change, 0, len(changes)+len(kindChanges))
	for _, c := range changes {
		if old, ok := kindChanges[c.Key]; ok && c.KindOf() != offices.KindOffice {
			out = append(out, old)
			if old.Action != ActionDelete {
				protectedKindChange(&c, old.Kind)
			} else if c.Note == "" {
				c.Note = "replaces the " + noun(old.Kind) + " of this key, which apply deletes once this create succeeded"
			}
		}
		out = append(out, c)
	}
	return out
}

// Operator is an operator as the config writes it; apply reads the plan's
// operators through this name.
type Operator = load.Operator

// DesiredGroup is a department or call center of the config, as a change
// carries it.
type DesiredGroup = load.DesiredGroup

// OfficeSummary counts the changes of offices only: creates and resumes
// of offices are what changes the company's bill (--max-creates).
func (p *Plan) OfficeSummary() Summary {
	q := Plan{Changes: make([]Change, 0, len(p.Changes))}
	for _, c := range p.Changes {
		if c.KindOf() == offices.KindOffice {
			q.Changes = append(q.Changes, c)
		}
	}
	return q.Summary()
}
