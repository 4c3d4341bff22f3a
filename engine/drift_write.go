package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/engine/writeback"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/schema"
	"github.com/officectl/officectl/state"
)

// This file holds drift --write: it turns a drift report into edits of
// the config files that define the drifted objects (engine/writeback
// makes them in place), checks the edited config as validate does, and
// says how to bring the state to what is live for the objects written, so
// that the next plan is empty.

// WriteBackOptions configure PlanWriteBack.
type WriteBackOptions struct {
	// Dir is the config directory, Config the config loaded from it.
	Dir    string
	Config *load.Config
	// Skip is the files the load leaves out (the state file).
	Skip []string
	// Invocation is the directory and state file the command was given;
	// the hints name them.
	Invocation plan.Invocation
	// New are the live groups no config key and no state entry describes
	// (UnmanagedGroups): each is written into its new file.
	New []NewGroup
}

// WriteBack is what drift --write does: the files to write, and the
// changes to the state that record what is live for the objects written.
type WriteBack struct {
	// Files are the edited config files by path (only those that
	// change), in the order of their names in Paths.
	Files map[string][]byte
	Paths []string
	// Written lists, by kind and key, the objects whose drift the files
	// now say.
	Written []WrittenObject
	// Manual are the values the edits could not write (CUE that does not
	// say them as plain values, a policy): someone edits them by hand.
	Manual []writeback.Manual
	// Refused are the edits left out because the config with them is not
	// valid (a value officectl refuses).
	Refused []RefusedEdit
	// Skipped are drifted objects no config file defines (a protected
	// group removed from the config): nothing is written for them.
	Skipped []SkippedWrite

	// records are the state changes, applied by Record.
	records []record
	// created are the files of Files that are new.
	created map[string]bool
}

// WrittenObject is one object whose drift is written into its file.
type WrittenObject struct {
	Kind   string   `json:"kind"` // office, department or callcenter
	Key    string   `json:"key"`
	File   string   `json:"file"`
	Fields []string `json:"fields,omitempty"` // the config fields written, in order; empty when Deleted
	// Deleted: the object is deleted in Dialpad and removed from its file.
	Deleted bool `json:"deleted,omitempty"`
	// New: the object was created in Dialpad and is written into File, a
	// new file, as import --generate writes it.
	New bool `json:"new,omitempty"`
}

// RefusedEdit is an edit drift --write did not write.
type RefusedEdit struct {
	Kind, Key string
	// Path is the config path of the value (offices.KEY.FIELD).
	Path string
	// Value is the live value (compact JSON), "" for a delete.
	Value string
	// Diagnostic is the first error validate gives with the edit.
	Diagnostic schema.Diagnostic
	// Hint says what to do.
	Hint string
	// New: the object was created in Dialpad, and its new file is not
	// written.
	New bool
}

// SkippedWrite is a drifted object drift --write leaves alone.
type SkippedWrite struct {
	Kind   string `json:"kind"`
	Key    string `json:"key"`
	Reason string `json:"reason"`
}

// record is the change to the state of one object: its entry replaced
// (entry), removed (deleted) or added (create).
type record struct {
	kind    state.Kind
	key     string
	deleted bool
	id      string
	entry   func(e *state.Entry) error
	create  *state.Entry
}

// objectEdit is the drift of one object turned into edits of its file.
type objectEdit struct {
	kind  state.Kind
	key   string
	file  string
	top   string
	edits []fieldEdit
	// deleted: the object is gone in Dialpad.
	deleted bool
	entry   *state.Entry
	id      string
}

// fieldEdit is one edit of an object and what it does to the spec the
// state records.
type fieldEdit struct {
	edit writeback.Edit
	// field is the config path below the object (ring_seconds,
	// routing_options.open.action), for the report.
	field string
	// spec sets the value in the recorded spec tree (nil: operators).
	path  []string
	value any // nil: delete
	// ops is the new recorded membership (operators edits only).
	ops []state.Operator
	// refs are the references the value holds, by key, with the ids they
	// resolve to live.
	refs map[string]string
	// dropped: refused (the config is invalid with it) or manual (the
	// file does not say it plainly); neither is recorded in the state.
	// A manual edit is still given to writeback.Apply, which reports it.
	dropped, manual bool
}

// PlanWriteBack turns rep (CheckDrift of st) into edits of the files of
// opts.Config, made in place (engine/writeback), and checks the edited
// config with writeback.Validate: an edit the config is invalid with is
// left out (Refused) and the rest made again, until the config is valid.
// It writes nothing: see WriteFiles and Record.
func PlanWriteBack(st *state.State, rep *plan.DriftReport, opts WriteBackOptions) (*WriteBack, error) {
	if st == nil || rep == nil || opts.Config == nil {
		return nil, errors.New("drift --write: no state, report or config")
	}
	wb := &WriteBack{}
	defs := definitions(opts.Config)
	ids := idIndex(st)
	var objs []*objectEdit
	for _, d := range rep.Drifts {
		kind := state.KindOffice
		if d.Object != "" {
			kind = state.Kind(d.Object)
		}
		def, ok := defs[defKey{kind, d.Key}]
		if !ok {
			wb.Skipped = append(wb.Skipped, SkippedWrite{Kind: string(kind), Key: d.Key,
				Reason: "no config file defines it (a protected group left the config, or the config changed since apply): nothing to write"})
			continue
		}
		e, ok := st.GetOf(kind, d.Key)
		if !ok {
			continue
		}
		o := &objectEdit{kind: kind, key: d.Key, file: def.file, top: kind.Field(), entry: e, id: e.ID}
		if d.Kind == plan.DriftDeleted {
			o.deleted = true
			objs = append(objs, o)
			continue
		}
		if err := o.fieldEdits(d, def, ids, opts.Config); err != nil {
			return nil, fmt.Errorf("drift --write: %s %q: %w", kind, d.Key, err)
		}
		if len(o.edits) > 0 {
			objs = append(objs, o)
		}
	}
	keepReferred(objs, opts.Config, wb)
	policy, err := policyFiles(opts.Dir, opts.Skip)
	if err != nil {
		return nil, err
	}
	news := make([]*newGroupEdit, len(opts.New))
	for i := range opts.New {
		news[i] = &newGroupEdit{NewGroup: opts.New[i]}
	}
	// Make the edits, validate, leave out the edits (and new files) the
	// diagnostics name, and make the rest again: each round leaves out at
	// least one edit, so it ends.
	var loaded *load.Config
	for round := 0; ; round++ {
		files, manual, err := applyEdits(objs, policy)
		if err != nil {
			return nil, err
		}
		for _, n := range news {
			if !n.dropped {
				files[n.File] = n.YAML
			}
		}
		cfg, diags, err := writeback.LoadEdited(opts.Dir, files, opts.Skip)
		if err != nil {
			return nil, fmt.Errorf("drift --write: validating the edited config: %w", err)
		}
		if !schema.HasErrors(diags) && cfg != nil {
			wb.Files, wb.Manual, loaded = changedFiles(files), manual, cfg
			break
		}
		diags, droppedNew := refuseNewGroups(news, diags, wb)
		if droppedNew {
			continue
		}
		if !dropNamed(objs, diags, wb) {
			// No edit is named: the new files go before giving up
			// (a name the config has in another file).
			if refuseAllNew(news, diags, wb) {
				continue
			}
			var msgs []string
			for _, d := range diags {
				if d.Severity == schema.Error {
					msgs = append(msgs, d.String())
				}
			}
			return nil, fmt.Errorf("drift --write: the config is not valid with the edits, and no edit is to blame alone (nothing written):\n%s", strings.Join(msgs, "\n"))
		}
		if round > 10000 {
			return nil, errors.New("drift --write: internal error: validation does not end")
		}
	}
	wb.finish(objs)
	if err := wb.finishNew(news, loaded); err != nil {
		return nil, err
	}
	return wb, nil
}

// keepReferred leaves out the delete of every object that an object the
// config keeps refers to (its office, a routing target): the config
// would not be valid without it. Someone removes the reference first.
func keepReferred(objs []*objectEdit, cfg *load.Config, wb *WriteBack) {
	deleted := map[string]*objectEdit{} // keys are unique across kinds
	for _, o := range objs {
		if o.deleted {
			deleted[o.key] = o
		}
	}
	type referrer struct {
		kind state.Kind
		key  string
		refs []string
	}
	var all []referrer
	for _, d := range cfg.Offices {
		all = append(all, referrer{kind: state.KindOffice, key: d.Key, refs: d.Office.References()})
	}
	for _, g := range cfg.Groups {
		r := referrer{kind: state.Kind(g.Kind), key: g.Key}
		for _, ref := range g.Refs {
			r.refs = append(r.refs, ref.Key)
		}
		all = append(all, r)
	}
	for changed := true; changed; {
		changed = false
		for _, r := range all {
			if deleted[r.key] != nil {
				continue // goes too
			}
			for _, ref := range r.refs {
				o := deleted[ref]
				if o == nil {
					continue
				}
				delete(deleted, ref)
				o.deleted = false
				wb.Refused = append(wb.Refused, RefusedEdit{Kind: string(o.kind), Key: o.key, Path: o.top + "." + o.key,
					Diagnostic: schema.Diagnostic{File: o.file, Severity: schema.Error, Path: o.top + "." + o.key,
						Message: fmt.Sprintf("deleted in Dialpad, but %s %q refers to it", r.kind, r.key)},
					Hint: fmt.Sprintf("remove what refers to %s %q (or point it elsewhere), then run drift --write again", o.kind, o.key)})
				changed = true
			}
		}
	}
}

// defKey names an object of the config.
type defKey struct {
	kind state.Kind
	key  string
}

// definition is where the config defines an object, and what it says of
// its operators.
type definition struct {
	file      string
	operators []load.Operator
}

func definitions(cfg *load.Config) map[defKey]definition {
	out := map[defKey]definition{}
	for _, d := range cfg.Offices {
		out[defKey{state.KindOffice, d.Key}] = definition{file: d.Pos.File, operators: d.Operators}
	}
	for _, g := range cfg.Groups {
		out[defKey{state.Kind(g.Kind), g.Key}] = definition{file: g.Pos.File, operators: g.Operators}
	}
	return out
}

// idIndex maps the Dialpad id of every created entry to its kind and key:
// a live id that one of them has is written as a reference to it.
func idIndex(st *state.State) map[string]defKey {
	out := map[string]defKey{}
	for _, kind := range state.Kinds {
		for k, e := range st.Map(kind) {
			if e != nil && e.Status == state.Created && e.ID != "" {
				out[e.ID] = defKey{kind, k}
			}
		}
	}
	return out
}

// fieldEdits makes the edits of a changed object from its drift: one per
// changed field (the live value, ids that the state knows written as
// references), and one for its operators.
func (o *objectEdit) fieldEdits(d plan.Drift, def definition, ids map[string]defKey, cfg *load.Config) error {
	spec, err := plan.DecodeSpec(o.entry.Spec)
	if err != nil {
		return fmt.Errorf("the spec in the state does not decode: %v", err)
	}
	inConfig := map[defKey]bool{}
	for _, x := range cfg.Offices {
		inConfig[defKey{state.KindOffice, x.Key}] = true
	}
	for _, g := range cfg.Groups {
		inConfig[defKey{state.Kind(g.Kind), g.Key}] = true
	}
	var opChanges []plan.FieldChange
	for _, f := range d.Fields {
		if strings.HasPrefix(f.Path, "operators.") {
			opChanges = append(opChanges, f)
			continue
		}
		path, err := splitPath(f.Path)
		if err != nil {
			return err
		}
		fe := fieldEdit{field: f.Path, path: path, refs: map[string]string{}}
		full := append([]string{o.top, o.key}, path...)
		if f.New == "" {
			fe.edit = writeback.Edit{Path: full, Delete: true}
		} else {
			v, err := plan.DecodeSpec([]byte(f.New))
			if err != nil {
				return fmt.Errorf("the live value of %s does not decode: %v", f.Path, err)
			}
			v = unresolve(v, lookup(spec, path), path, ids, inConfig, fe.refs)
			b, err := canonical(v)
			if err != nil {
				return err
			}
			fe.value = v
			fe.edit = writeback.Edit{Path: full, Value: b}
		}
		o.edits = append(o.edits, fe)
	}
	if len(opChanges) > 0 && def.operators != nil && o.entry.Operators != nil {
		ops, err := driftedOperators(o.entry.Operators, opChanges)
		if err != nil {
			return err
		}
		list := configOperators(def.operators, ops, o.kind)
		b, err := canonical(list)
		if err != nil {
			return err
		}
		o.edits = append(o.edits, fieldEdit{field: "operators", ops: ops,
			edit: writeback.Edit{Path: []string{o.top, o.key, "operators"}, Value: b}})
	}
	return nil
}

// splitPath splits a drift path (routing_options.open.dtmf[0].input)
// into the keys and list indexes of an edit's path.
func splitPath(p string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(p, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name == "" {
			return nil, fmt.Errorf("cannot read the drift path %q", p)
		}
		out = append(out, name)
		for rest != "" {
			idx, after, ok := strings.Cut(rest, "]")
			if _, err := strconv.Atoi(idx); !ok || err != nil {
				return nil, fmt.Errorf("cannot read the drift path %q", p)
			}
			out = append(out, idx)
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return out, nil
}

// lookup is the value at path in a decoded spec, or nil.
func lookup(v any, path []string) any {
	for _, k := range path {
		switch t := v.(type) {
		case map[string]any:
			v = t[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(t) {
				return nil
			}
			v = t[i]
		default:
			return nil
		}
	}
	return v
}

// refKinds are the kinds a reference names, as a config writes them.
var refKinds = []string{"office", "department", "callcenter"}

// isRef reports whether v is a reference {office|department|callcenter:
// KEY}.
func isRef(v any) (kind, key string, ok bool) {
	m, isMap := v.(map[string]any)
	if !isMap || len(m) != 1 {
		return "", "", false
	}
	for k, x := range m {
		if s, isStr := x.(string); isStr && slices.Contains(refKinds, k) {
			return k, s, true
		}
	}
	return "", "", false
}

// unresolve writes the live value v (at path, where the recorded spec
// has old) as the config would: an id where the spec has a reference, or
// an action_target_id, that is the id of an object the state records and
// the config defines, becomes a reference to it (recorded in refs).
// Elsewhere v is left as it is.
func unresolve(v, old any, path []string, ids map[string]defKey, inConfig map[defKey]bool, refs map[string]string) any {
	switch t := v.(type) {
	case map[string]any:
		om, _ := old.(map[string]any)
		for k, x := range t {
			var ox any
			if om != nil {
				ox = om[k]
			}
			t[k] = unresolve(x, ox, append(path[:len(path):len(path)], k), ids, inConfig, refs)
		}
		return t
	case []any:
		ol, _ := old.([]any)
		for i, x := range t {
			var ox any
			if i < len(ol) {
				ox = ol[i]
			}
			t[i] = unresolve(x, ox, append(path[:len(path):len(path)], strconv.Itoa(i)), ids, inConfig, refs)
		}
		return t
	case json.Number:
		_, _, wasRef := isRef(old)
		if !wasRef && (len(path) == 0 || path[len(path)-1] != "action_target_id") {
			return v
		}
		target, ok := ids[t.String()]
		if !ok || !inConfig[target] {
			return v
		}
		refs[target.key] = t.String()
		return map[string]any{string(target.kind): target.key}
	}
	return v
}

// driftedOperators is the membership the state records with the drift
// of its operators made (operators.TYPE.ID: added, removed, another role;
// operators.user.ID.skill_level), sorted as the state keeps it.
func driftedOperators(applied []state.Operator, changes []plan.FieldChange) ([]state.Operator, error) {
	ops := slices.Clone(applied)
	for _, f := range changes {
		parts := strings.Split(f.Path, ".")
		if len(parts) < 3 || (parts[1] != state.OperatorUser && parts[1] != state.OperatorRoom) {
			return nil, fmt.Errorf("cannot read the drift path %q", f.Path)
		}
		typ, id := parts[1], parts[2]
		at := slices.IndexFunc(ops, func(o state.Operator) bool { return o.Type == typ && o.ID == id })
		switch {
		case len(parts) == 4 && parts[3] == "skill_level":
			level, err := strconv.Atoi(f.New)
			if err != nil || at < 0 {
				return nil, fmt.Errorf("cannot read the skill level drift %q = %q", f.Path, f.New)
			}
			ops[at].SkillLevel = level
		case len(parts) != 3:
			return nil, fmt.Errorf("cannot read the drift path %q", f.Path)
		case f.New == "":
			if at >= 0 {
				ops = slices.Delete(ops, at, at+1)
			}
		default:
			role, err := strconv.Unquote(f.New)
			if err != nil {
				return nil, fmt.Errorf("cannot read the role %s of %s", f.New, f.Path)
			}
			if at >= 0 {
				ops[at].Role = role
			} else {
				ops = append(ops, state.Operator{Type: typ, ID: id, Role: role})
			}
		}
	}
	state.SortOperators(ops)
	return ops, nil
}

// configOperators writes the live membership ops as the config writes
// operators: the config's operators that are still members, in their
// order and as written (a user by email where the state's id for that
// email is a member), with their live role and skill level; then the new
// members, users and rooms by id.
func configOperators(written []load.Operator, ops []state.Operator, kind state.Kind) []any {
	used := make([]bool, len(ops))
	find := func(w load.Operator) int {
		for i, o := range ops {
			if used[i] {
				continue
			}
			switch {
			case w.Email != "" && o.Type == state.OperatorUser && strings.EqualFold(o.Email, w.Email):
				return i
			case w.UserID != 0 && o.Type == state.OperatorUser && o.ID == strconv.FormatInt(w.UserID, 10):
				return i
			case w.RoomID != 0 && o.Type == state.OperatorRoom && o.ID == strconv.FormatInt(w.RoomID, 10):
				return i
			}
		}
		return -1
	}
	var out []any
	add := func(who string, id any, o state.Operator) {
		// Written as the config writes an operator: who first, then
		// role and skill level.
		b, _ := json.Marshal(id)
		m := fmt.Sprintf("{%q:%s", who, b)
		if o.Role != "" && o.Role != offices.RoleOperator {
			m += fmt.Sprintf(",\"role\":%q", o.Role)
		}
		if o.SkillLevel != 0 {
			m += fmt.Sprintf(",\"skill_level\":%d", o.SkillLevel)
		}
		out = append(out, json.RawMessage(m+"}"))
	}
	for _, w := range written {
		i := find(w)
		if i < 0 {
			continue // removed in Dialpad
		}
		used[i] = true
		switch {
		case w.Email != "":
			add("user", w.Email, ops[i])
		case w.UserID != 0:
			add("user", json.Number(ops[i].ID), ops[i])
		default:
			add("room", json.Number(ops[i].ID), ops[i])
		}
	}
	for i, o := range ops {
		if !used[i] {
			add(o.Type, json.Number(o.ID), o)
		}
	}
	if out == nil {
		out = []any{}
	}
	return out
}

// canonical is v as compact JSON, keys sorted, without HTML escaping.
func canonical(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// policyFiles reads every CUE file of the config directory: a field a
// policy sets for every object is not written but reported Manual.
func policyFiles(dir string, skip []string) ([]writeback.File, error) {
	files, _, err := load.FindFiles(dir, skip)
	if err != nil {
		return nil, err
	}
	var out []writeback.File
	for _, f := range files {
		if format, _ := writeback.FormatOf(f); format != writeback.CUE {
			continue
		}
		src, err := load.ReadRegularFile(f, load.DefaultMaxFileSize)
		if err != nil {
			return nil, err
		}
		out = append(out, writeback.File{Name: f, Format: writeback.CUE, Src: src})
	}
	return out, nil
}

// applyEdits makes the edits not dropped of every object, file by file,
// and returns each file's new content (every file with an edit) and the
// values left manual (their edits marked dropped).
func applyEdits(objs []*objectEdit, policy []writeback.File) (map[string][]byte, []writeback.Manual, error) {
	byFile := map[string][]writeback.Edit{}
	var order []string
	owner := map[string]*fieldEdit{} // edit path → its field edit
	for _, o := range objs {
		if _, ok := byFile[o.file]; !ok {
			order = append(order, o.file)
			byFile[o.file] = nil
		}
		if o.deleted {
			byFile[o.file] = append(byFile[o.file], writeback.Edit{Path: []string{o.top, o.key}, Delete: true})
			continue
		}
		for i := range o.edits {
			fe := &o.edits[i]
			if fe.dropped && !fe.manual {
				continue
			}
			byFile[o.file] = append(byFile[o.file], fe.edit)
			owner[strings.Join(fe.edit.Path, "\x00")] = fe
		}
	}
	files := map[string][]byte{}
	var manual []writeback.Manual
	for _, name := range order {
		format, ok := writeback.FormatOf(name)
		if !ok {
			return nil, nil, fmt.Errorf("drift --write: %s: not a config file name", name)
		}
		src, err := load.ReadRegularFile(name, load.DefaultMaxFileSize)
		if err != nil {
			return nil, nil, fmt.Errorf("drift --write: %w", err)
		}
		out, ms, err := writeback.Apply(writeback.File{Name: name, Format: format, Src: src}, byFile[name], writeback.Options{Policy: policy})
		if err != nil {
			return nil, nil, fmt.Errorf("drift --write: %w", err)
		}
		files[name] = out
		for _, m := range ms {
			if fe := owner[strings.Join(m.Path, "\x00")]; fe != nil {
				fe.dropped, fe.manual = true, true
			}
		}
		manual = append(manual, ms...)
	}
	return files, manual, nil
}

// changedFiles keeps the files whose content changes.
func changedFiles(files map[string][]byte) map[string][]byte {
	out := map[string][]byte{}
	for name, b := range files {
		old, err := load.ReadRegularFile(name, load.DefaultMaxFileSize)
		if err != nil || !bytes.Equal(old, b) {
			out[name] = b
		}
	}
	return out
}

// dropNamed leaves out the edits that the error diagnostics name (an
// edit whose path is the diagnostic's, or within or around it), records
// them in wb.Refused, and reports whether it left out any. When no edit's
// path is related to a diagnostic, every edit of the object the
// diagnostic names goes; when no object is named either, the deletes go
// (another object still refers to the deleted one).
func dropNamed(objs []*objectEdit, diags []schema.Diagnostic, wb *WriteBack) bool {
	dropped := false
	refuse := func(o *objectEdit, fe *fieldEdit, d schema.Diagnostic) {
		r := RefusedEdit{Kind: string(o.kind), Key: o.key, Diagnostic: d}
		if fe != nil {
			fe.dropped = true
			r.Path = strings.Join(fe.edit.Path, ".")
			if !fe.edit.Delete {
				r.Value = string(fe.edit.Value)
			}
			r.Hint = "officectl would refuse the live value: change it in Dialpad to one the schema accepts (the message says which), then run drift --write again"
		} else {
			o.deleted = false
			r.Path = o.top + "." + o.key
			r.Hint = fmt.Sprintf("it is deleted in Dialpad but the config still needs it: remove what refers to %s %q, then run drift --write again", o.kind, o.key)
		}
		wb.Refused = append(wb.Refused, r)
		dropped = true
	}
	for _, d := range diags {
		if d.Severity != schema.Error {
			continue
		}
		matched := false
		for _, o := range objs {
			prefix := o.top + "." + o.key
			if d.Path != prefix && !strings.HasPrefix(d.Path, prefix+".") && !strings.HasPrefix(d.Path, prefix+"[") {
				continue
			}
			for i := range o.edits {
				fe := &o.edits[i]
				p := strings.Join(fe.edit.Path, ".")
				if fe.dropped || (d.Path != p && !strings.HasPrefix(d.Path, p+".") && !strings.HasPrefix(d.Path, p+"[") && !strings.HasPrefix(p, d.Path+".")) {
					continue
				}
				refuse(o, fe, d)
				matched = true
			}
			if !matched {
				for i := range o.edits {
					if !o.edits[i].dropped {
						refuse(o, &o.edits[i], d)
						matched = true
					}
				}
			}
		}
		if !matched {
			for _, o := range objs {
				if o.deleted {
					refuse(o, nil, d)
					matched = true
				}
			}
		}
	}
	return dropped
}

// finish lists what is written and the state changes that record it.
func (wb *WriteBack) finish(objs []*objectEdit) {
	for name := range wb.Files {
		wb.Paths = append(wb.Paths, name)
	}
	sort.Strings(wb.Paths)
	for _, o := range objs {
		if o.deleted {
			wb.Written = append(wb.Written, WrittenObject{Kind: string(o.kind), Key: o.key, File: o.file, Deleted: true})
			wb.records = append(wb.records, record{kind: o.kind, key: o.key, deleted: true, id: o.id})
			continue
		}
		var fields []string
		var kept []fieldEdit
		for _, fe := range o.edits {
			if !fe.dropped {
				fields = append(fields, fe.field)
				kept = append(kept, fe)
			}
		}
		if len(kept) == 0 {
			continue
		}
		wb.Written = append(wb.Written, WrittenObject{Kind: string(o.kind), Key: o.key, File: o.file, Fields: fields})
		kind := o.kind
		wb.records = append(wb.records, record{kind: kind, key: o.key, id: o.id, entry: func(e *state.Entry) error {
			return recordLive(kind, e, kept)
		}})
	}
	sort.Slice(wb.Written, func(i, j int) bool { return wb.Written[i].Key < wb.Written[j].Key })
}

// recordLive makes e's spec, name, references and membership what the
// written edits say is live: the spec it records is the one it recorded
// with the edits made, so the config (which had that spec) and the state
// agree again, as they did before the console's change.
func recordLive(kind state.Kind, e *state.Entry, edits []fieldEdit) error {
	spec, err := plan.DecodeSpec(e.Spec)
	if err != nil {
		return fmt.Errorf("the spec in the state does not decode: %v", err)
	}
	for _, fe := range edits {
		if fe.path == nil {
			e.Operators = fe.ops
			if e.Operators == nil {
				e.Operators = []state.Operator{}
			}
			continue
		}
		if spec, err = setPath(spec, fe.path, fe.value); err != nil {
			return err
		}
		for k, id := range fe.refs {
			if e.Refs == nil {
				e.Refs = map[string]string{}
			}
			e.Refs[k] = id
		}
	}
	b, err := canonical(spec)
	if err != nil {
		return err
	}
	if kind == state.KindOffice {
		var o offices.Office
		if err := json.Unmarshal(b, &o); err != nil {
			return fmt.Errorf("the live office does not decode as a spec: %v", err)
		}
		e.Spec, e.SpecSHA256, e.Name = o.Canonical(), o.SpecSHA256(), o.Name
		return nil
	}
	e.Spec, e.SpecSHA256 = b, plan.GroupSHA256(b)
	if m, ok := spec.(map[string]any); ok {
		if name, ok := m["name"].(string); ok && name != "" {
			e.Name = name
		}
	}
	return nil
}

// setPath sets (v non-nil) or deletes the value at path in a decoded
// spec, adding the objects the path names that it lacks.
func setPath(tree any, path []string, v any) (any, error) {
	if len(path) == 0 {
		return v, nil
	}
	switch t := tree.(type) {
	case map[string]any:
		if v == nil && len(path) == 1 {
			delete(t, path[0])
			return t, nil
		}
		nv, err := setPath(t[path[0]], path[1:], v)
		if err != nil {
			return nil, err
		}
		t[path[0]] = nv
		return t, nil
	case []any:
		i, err := strconv.Atoi(path[0])
		if err != nil || i < 0 || i >= len(t) {
			return nil, fmt.Errorf("the recorded spec has no element %s", path[0])
		}
		if v == nil && len(path) == 1 {
			return slices.Delete(t, i, i+1), nil
		}
		if t[i], err = setPath(t[i], path[1:], v); err != nil {
			return nil, err
		}
		return t, nil
	case nil:
		if v == nil {
			return nil, nil
		}
		return setPath(map[string]any{}, path, v)
	}
	return nil, fmt.Errorf("the recorded spec has no object at %s", path[0])
}

// WriteFiles writes wb's files, each atomically: a temporary file in its
// folder, then renamed over it (a symlink is refused, never written
// through). The mode of each file is kept.
func (wb *WriteBack) WriteFiles() error {
	for _, name := range wb.Paths {
		write := writeAtomic
		if wb.created[name] {
			write = writeNew
		}
		if err := write(name, wb.Files[name]); err != nil {
			return fmt.Errorf("drift --write: %w", err)
		}
	}
	return nil
}

func writeAtomic(name string, data []byte) error {
	info, err := os.Lstat(name)
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file (a symlink?): not written", offices.Printable(name))
	}
	tmp, err := writeTemp(name, data, info.Mode().Perm())
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	return os.Rename(tmp, name)
}

// writeTemp writes data to a new temporary file beside name, with mode
// perm, synced to disk, and returns its path: the caller renames or links
// it into place, and removes it.
func writeTemp(name string, data []byte, perm fs.FileMode) (string, error) {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return "", err
	}
	err = func() error {
		if _, err := tmp.Write(data); err != nil {
			return err
		}
		if err := tmp.Chmod(perm); err != nil {
			return err
		}
		return tmp.Sync()
	}()
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return tmp.Name(), nil
}

// Record brings the entries of the objects written to what is live: a
// deleted object's entry is removed, a changed one's spec, name,
// references and membership set to the live ones. An entry that changed
// since the drift was checked (another id) is an error, and nothing is
// recorded.
func (wb *WriteBack) Record(st *state.State, now time.Time) error {
	for _, r := range wb.records {
		e, ok := st.GetOf(r.kind, r.key)
		if r.create == nil && (!ok || e.ID != r.id) {
			return fmt.Errorf("the state entry of %s %q changed since drift was checked: run drift --write again", r.kind, r.key)
		}
		if r.deleted {
			st.DeleteOf(r.kind, r.key)
			continue
		}
		if r.create != nil {
			if _, ok := st.KindOf(r.key); ok {
				return fmt.Errorf("the state entry of %q appeared since drift was checked: run drift --write again", r.key)
			}
			e := *r.create
			e.Spec, e.Operators = slices.Clone(e.Spec), slices.Clone(e.Operators)
			created := now
			e.CreatedAt = &created
			st.SetOf(r.kind, r.key, &e)
			continue
		}
		if err := r.entry(e); err != nil {
			return fmt.Errorf("%s %q: %w", r.kind, r.key, err)
		}
		at := now
		e.UpdatedAt = &at
	}
	return nil
}
