package plan

import (
	"fmt"
	"slices"
	"sort"

	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// PlanFormatVersion is the newest version of the plan's JSON form (the
// json rendering and saved plan files) that this build writes and reads.
// A plan is written with the oldest version that can hold it (see
// neededVersion): version 1 unless it moves a key (action "move",
// "moved_from") or changes a key's kind (a delete and a create under one
// key), which need version 2. This build reads both; an older build
// refuses a version 2 file with a clear message instead of misreading it.
const PlanFormatVersion = 2

// MinPlanFormatVersion is the oldest plan format this build reads.
const MinPlanFormatVersion = 1

// Action is what a plan does with one office. The values are the words the
// JSON form uses.
type Action string

// The actions, in the order the design lists them.
const (
	// ActionCreate: the key is not in state; apply creates the office.
	ActionCreate Action = "create"
	// ActionUpdateE911: only e911_address differs from state; apply
	// updates the office's E911 address.
	ActionUpdateE911 Action = "update-e911"
	// ActionNoOp: the desired office is the one in state.
	ActionNoOp Action = "no-op"
	// ActionManual: fields the API cannot change differ from state; apply
	// does nothing and the plan says how to resolve it.
	ActionManual Action = "manual"
	// ActionOrphan: the key is in state only; offices cannot be deleted
	// through the API, `officectl state rm KEY` forgets it.
	ActionOrphan Action = "orphan"
	// ActionResume: the state holds a pending create of unknown outcome;
	// apply looks the office up by name before creating it again.
	ActionResume Action = "resume"
	// ActionUpdate: a department's or call center's fields, or the
	// operators of any kind, differ from state; apply PATCHes the changed
	// top-level fields and sends the membership differences.
	ActionUpdate Action = "update"
	// ActionDelete: a department or call center is in state only and not
	// protected; apply deletes it, within --max-deletes.
	ActionDelete Action = "delete"
	// ActionMove: a department or call center whose key was renamed: the
	// state records it under Change.MovedFrom with the same office, kind
	// and exact name. Apply checks the live object and moves the state
	// entry to the new key, sending nothing that writes (Terraform's
	// `moved`). (Contract of issue 18; the plan detects it.)
	ActionMove Action = "move"
)

// allActions lists every action in the order summaries show them.
var allActions = [...]Action{ActionCreate, ActionUpdateE911, ActionNoOp, ActionManual, ActionOrphan, ActionResume, ActionUpdate, ActionDelete, ActionMove}

// Actions returns every action in the order summaries show them.
func Actions() []Action { return slices.Clone(allActions[:]) }

// Valid reports whether a is one of the nine actions.
func (a Action) Valid() bool {
	for _, b := range allActions {
		if a == b {
			return true
		}
	}
	return false
}

// Change is the plan for one office.
type Change struct {
	// Key is the office key, its identity in config and state.
	Key string
	// Action is what apply does with the office.
	Action Action
	// Name is the office's name: the desired one, or the state's for an
	// orphan.
	Name string
	// DependsOn lists, sorted, the keys of the offices this one refers to
	// ({office: KEY}); apply starts it only once they exist. Empty for an
	// orphan.
	DependsOn []string
	// Office is the desired office (references unresolved); nil for an
	// orphan. A plan read from a plan file carries it only for create,
	// resume and update-e911.
	Office *offices.Office
	// Entry is the office's state entry; nil for a create and in a plan
	// read from a plan file.
	Entry *state.Entry
	// Fields lists what differs between state and config, for manual and
	// update-e911, in path order. It is empty for a manual change whose
	// state entry records no spec to compare with.
	Fields []FieldChange
	// Drift is how the live office differs from the state's spec, when
	// the plan was refreshed (MergeDrift); nil otherwise.
	Drift *Drift
	// Kind is what the change is about: "" or offices.KindOffice for an
	// office, offices.KindDepartment or offices.KindCallCenter for a group
	// (see KindOf).
	Kind offices.Kind
	// Group is the desired department or call center (references
	// unresolved); nil for offices and deletes.
	Group *load.DesiredGroup
	// Members lists the membership differences between the operators the
	// state records and the config's, as written (emails and ids, no API
	// call); nil when there are none or the config leaves the membership
	// alone.
	Members []MemberChange
	// Operators is the desired membership of an office (as written); nil
	// when the config leaves it alone. A group's is Group.Operators.
	Operators []load.Operator
	// MovedFrom is the key the state records the object under, for a
	// move; "" otherwise.
	MovedFrom string
	// Note explains a change apply leaves alone, e.g. "protected: not
	// deleted"; "" for none.
	Note string
	// Warning is what a reviewer must not miss, e.g. "removes every
	// operator it has: a@example.com, room 5200000000000001"; "" for
	// none.
	Warning string
}

// FieldChange is one field that differs between the state's spec and the
// desired office.
type FieldChange struct {
	// Path is the field's JSON path, e.g. "ring_seconds",
	// "routing_options.open.action" or "routing_options.open.dtmf[0].input".
	Path string `json:"path"`
	// Old and New are the compact JSON of the value in state and in the
	// config; "" when the field is absent on that side.
	Old string `json:"old"`
	New string `json:"new"`
	// Ref marks a reference whose target's id is not the one sent (Old,
	// from Entry.Refs): New is the id apply sends now, or the reference
	// ({"callcenter":"KEY"}) while its target is yet to be created. The
	// spec itself is unchanged there.
	Ref bool `json:"ref,omitempty"`
}

// StateRef identifies the state a plan was made against. A plan made
// against an empty, never saved state records Lineage "" and Serial 0.
type StateRef struct {
	// Path is where the state file is, relative to the plan file's folder
	// (or absolute); set in saved plan files only (SetPaths).
	Path    string `json:"path,omitempty"`
	Lineage string `json:"lineage"`
	Serial  int64  `json:"serial"`
	// SHA256 is the digest of the whole state (StateSHA256), "no state
	// yet" included: a plan applies only to the state it was made against.
	SHA256 string `json:"sha256,omitempty"`
}

// Plan is the diff of a config against a state: one Change per office key,
// in apply order. It is a plain value: renderers print it and apply
// executes it.
type Plan struct {
	// FormatVersion is PlanFormatVersion.
	FormatVersion int
	// ConfigSHA256 is the digest of the config the plan was made from
	// (Config.SHA256).
	ConfigSHA256 string
	// ConfigDir is the config directory the plan was made from, relative
	// to the plan file's folder (or absolute); set in saved plan files
	// only (SetPaths).
	ConfigDir string
	// State is the state the plan was made against.
	State StateRef
	// Changes in apply order: every office after the offices it refers to,
	// ties broken by key; orphans last, by key.
	Changes []Change
	// Invocation is the directory and state file the command was given;
	// the commands in the plan's hints name them. Not saved.
	Invocation Invocation
}

// Summary counts a plan's changes per action.
type Summary struct {
	Create     int `json:"create"`
	UpdateE911 int `json:"update-e911"`
	NoOp       int `json:"no-op"`
	Manual     int `json:"manual"`
	Orphan     int `json:"orphan"`
	Resume     int `json:"resume"`
	Update     int `json:"update"`
	Delete     int `json:"delete"`
	// Move counts renamed keys (format version 2; written when not 0).
	Move int `json:"move,omitempty"`
}

// Count returns the number of changes with action a.
func (s Summary) Count(a Action) int {
	switch a {
	case ActionCreate:
		return s.Create
	case ActionUpdateE911:
		return s.UpdateE911
	case ActionNoOp:
		return s.NoOp
	case ActionManual:
		return s.Manual
	case ActionOrphan:
		return s.Orphan
	case ActionResume:
		return s.Resume
	case ActionUpdate:
		return s.Update
	case ActionDelete:
		return s.Delete
	case ActionMove:
		return s.Move
	}
	return 0
}

// Changed is the number of changes that are not no-ops.
func (s Summary) Changed() int {
	return s.Create + s.UpdateE911 + s.Manual + s.Orphan + s.Resume + s.Update + s.Delete + s.Move
}

// Summary counts p's changes per action.
func (p *Plan) Summary() Summary {
	var s Summary
	for i := range p.Changes {
		switch p.Changes[i].Action {
		case ActionCreate:
			s.Create++
		case ActionUpdateE911:
			s.UpdateE911++
		case ActionNoOp:
			s.NoOp++
		case ActionManual:
			s.Manual++
		case ActionOrphan:
			s.Orphan++
		case ActionResume:
			s.Resume++
		case ActionUpdate:
			s.Update++
		case ActionDelete:
			s.Delete++
		case ActionMove:
			s.Move++
		}
	}
	return s
}

// MakePlan diffs cfg against st: a key not in state is a create, a pending
// entry a resume, an equal spec hash a no-op, a spec that differs only in
// e911_address an update-e911, any other difference a manual change, and a
// key in state only an orphan. The changes come in apply order (see Plan).
//
// A reference to a key that is neither in cfg nor in st, and a reference
// cycle, are errors naming the keys. A nil st is an empty state. The same
// inputs always give the same plan. The plan's offices and entries point
// into cfg and st; they are not copied.
func MakePlan(cfg *load.Config, st *state.State) (*Plan, error) {
	if cfg == nil {
		cfg = &load.Config{}
	}
	if st == nil {
		st = state.New()
	}
	p := &Plan{
		FormatVersion: PlanFormatVersion,
		ConfigSHA256:  cfg.SHA256,
		State:         StateRef{Lineage: st.Lineage, Serial: st.Serial, SHA256: StateSHA256(st)},
	}

	desired := make(map[string]*offices.Office, len(cfg.Offices))
	shas := make(map[string]string, len(cfg.Offices))
	ops := make(map[string][]load.Operator, len(cfg.Offices))
	for i := range cfg.Offices {
		d := &cfg.Offices[i]
		if _, dup := desired[d.Key]; dup {
			return nil, fmt.Errorf("plan: office key %q appears twice in the config", d.Key)
		}
		desired[d.Key] = &d.Office
		shas[d.Key] = d.SpecSHA256
		ops[d.Key] = d.Operators
	}
	groups := make(map[string]*load.DesiredGroup, len(cfg.Groups))
	for i := range cfg.Groups {
		g := &cfg.Groups[i]
		if _, dup := desired[g.Key]; dup {
			return nil, fmt.Errorf("plan: key %q appears twice in the config", g.Key)
		}
		if _, dup := groups[g.Key]; dup {
			return nil, fmt.Errorf("plan: key %q appears twice in the config", g.Key)
		}
		groups[g.Key] = g
	}

	var order []ordered
	var err error
	if len(groups) == 0 {
		order, err = planOrder(desired, st.Offices)
	} else {
		refs := make(map[string][]string, len(desired)+len(groups))
		for k, o := range desired {
			refs[k] = o.References()
		}
		for k, g := range groups {
			refs[k] = groupRefKeys(g)
		}
		known := func(key string) bool { _, ok := st.KindOf(key); return ok }
		kindOf := func(key string) string {
			if g, ok := groups[key]; ok {
				return g.Kind
			}
			if k, ok := st.KindOf(key); ok {
				return string(k)
			}
			return "office"
		}
		order, err = planOrderAll(refs, known, kindOf)
	}
	if err != nil {
		return nil, err
	}
	officeIDs := make(map[string]string, len(st.Offices))
	for k, e := range st.Offices {
		if e != nil && e.Status == state.Created {
			officeIDs[k] = e.ID
		}
	}
	inConfig := func(key string) bool {
		_, office := desired[key]
		_, group := groups[key]
		return office || group
	}
	moves := findMoves(groups, inConfig, st, officeIDs)
	ids := stateRefIDs(st)

	changes := make([]Change, len(order), len(order)+len(st.Offices))
	errs := make([]error, len(order))
	parallelFor(len(order), func(i int) {
		k := order[i].key
		if g, ok := groups[k]; ok {
			if from, moved := moves[k]; moved {
				e, _ := st.GetOf(state.Kind(g.Kind), from)
				changes[i], errs[i] = diffGroup(g, order[i].refs, e, officeIDs, ids)
				asMove(&changes[i], from)
				return
			}
			e, _ := st.GetOf(state.Kind(g.Kind), k)
			changes[i], errs[i] = diffGroup(g, order[i].refs, e, officeIDs, ids)
			return
		}
		changes[i], errs[i] = diffOffice(k, desired[k], shas[k], order[i].refs, st.Offices[k], ids)
		if errs[i] == nil && (ops[k] != nil || changes[i].Entry != nil && changes[i].Entry.Operators != nil) {
			withMembers(&changes[i], ops[k])
		}
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}

	var orphans []string
	for key := range st.Offices {
		if _, ok := desired[key]; !ok {
			orphans = append(orphans, key)
		}
	}
	sort.Strings(orphans)
	for _, key := range orphans {
		e := st.Offices[key]
		c := Change{Key: key, Action: ActionOrphan, Entry: e}
		if e != nil {
			c.Name = e.Name
		}
		changes = append(changes, c)
	}
	kinds := make(map[string]offices.Kind, len(groups))
	for k, g := range groups {
		kinds[k] = offices.Kind(g.Kind)
	}
	movedFrom := make(map[string]bool, len(moves))
	for _, from := range moves {
		movedFrom[from] = true
	}
	removals, kindChanges := groupRemovals(st, kinds, movedFrom)
	changes = withKindChanges(changes, kindChanges)
	changes = append(changes, removals...)
	for i := range changes {
		changes[i].Warning = removesAll(&changes[i])
	}
	p.Changes = changes
	p.FormatVersion = p.neededVersion()
	return p, nil
}

// neededVersion is the oldest plan format that can hold p: 2 when it moves
// a key or plans two changes under one key (a kind change: the two are
// next to each other), else 1.
func (p *Plan) neededVersion() int {
	for i := range p.Changes {
		c := &p.Changes[i]
		if c.Action == ActionMove || c.MovedFrom != "" || i > 0 && p.Changes[i-1].Key == c.Key {
			return 2
		}
	}
	return 1
}

// withMembers adds an office's membership differences to its change: an
// office otherwise unchanged becomes an update.
func withMembers(c *Change, ops []load.Operator) {
	c.Operators = ops
	if c.Entry != nil && c.Action != ActionResume {
		c.Members = manageMembers(ops, c.Entry.Operators)
	} else if ops == nil {
		c.Members = nil
	} else {
		c.Members = diffMembers(ops, nil)
	}
	if c.Action == ActionNoOp && len(c.Members) > 0 {
		c.Action = ActionUpdate
	}
}

// diffOffice compares one desired office, which refers to refs and whose
// spec hash is sha ("" to compute it), with its state entry (nil when the
// key is not in state).
//
// ids holds the ids references resolve to now: a reference whose target's
// id is not the one the entry records as sent (Entry.Refs) makes the
// office manual (the API cannot change its routing), with a note saying
// which id to set.
func diffOffice(key string, o *offices.Office, sha string, refs []string, e *state.Entry, ids refIDs) (Change, error) {
	c := Change{Key: key, Name: o.Name, DependsOn: refs, Office: o, Entry: e}
	switch {
	case e == nil:
		c.Action = ActionCreate
		return c, nil
	case e.Status == state.Pending:
		c.Action = ActionResume
		return c, nil
	case e.Status != state.Created:
		return Change{}, fmt.Errorf("plan: state entry %q has unknown status %q (want %q or %q)", key, e.Status, state.Created, state.Pending)
	}
	if sha == "" {
		sha = o.SpecSHA256()
	}
	if e.SpecSHA256 == sha {
		c.Action = ActionNoOp
		if len(e.Refs) > 0 {
			if moved := refChanges(o.Canonical(), e.Refs, ids, nil); len(moved) > 0 {
				c.Action, c.Fields, c.Note = ActionManual, moved, refNote(o.Name, moved)
			}
		}
		return c, nil
	}
	if len(e.Spec) == 0 {
		// Nothing to compare with: the fields cannot be named.
		c.Action = ActionManual
		return c, nil
	}
	fields, err := diffSpecs(e.Spec, o.Canonical())
	if err != nil {
		return Change{}, fmt.Errorf("plan: state entry %q: %w", key, err)
	}
	var moved []FieldChange
	if len(e.Refs) > 0 {
		moved = refChanges(o.Canonical(), e.Refs, ids, fields)
	}
	c.Fields = append(fields, moved...)
	switch {
	case len(moved) > 0:
		c.Action, c.Note = ActionManual, refNote(o.Name, moved)
	case len(fields) == 0:
		// The specs are equal; only the recorded hash differs.
		c.Action = ActionNoOp
	case o.E911Address != nil && onlyE911(fields):
		c.Action = ActionUpdateE911
	default:
		c.Action = ActionManual
	}
	return c, nil
}

// onlyE911 reports whether every field is e911_address or inside it.
func onlyE911(fields []FieldChange) bool {
	for _, f := range fields {
		if f.Path != "e911_address" && !hasPrefixPath(f.Path, "e911_address") {
			return false
		}
	}
	return true
}

func hasPrefixPath(path, prefix string) bool {
	return len(path) > len(prefix) && path[:len(prefix)] == prefix && path[len(prefix)] == '.'
}
