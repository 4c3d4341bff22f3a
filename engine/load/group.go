package load

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"

	"cuelang.org/go/cue"

	"github.com/officectl/officectl/schema"
)

// Kinds of groups, as action_target_type and references name them.
const (
	KindDepartment = "department"
	KindCallCenter = "callcenter"
)

// groupTops are the config's top-level maps of groups, by kind.
var groupTops = []struct{ top, kind string }{
	{"departments", KindDepartment},
	{"callcenters", KindCallCenter},
}

// DesiredGroup is one department or call center of the config.
type DesiredGroup struct {
	Key  string
	Kind string // KindDepartment or KindCallCenter
	// Office is the key of the group's office in the config, or "" when
	// the group names an office not managed here by OfficeID.
	Office   string
	OfficeID int64
	Name     string
	// Body is the canonical JSON (compact, keys sorted, no HTML escaping)
	// of the create message's fields as written, except office_id, with
	// references ({department: KEY}, ...) unresolved. No officectl field
	// (office, operators, protect) is ever in it.
	Body json.RawMessage
	// Operators is nil when the config has no operators: officectl then
	// leaves the membership alone; non-nil, even empty, it is the exact
	// membership.
	Operators []Operator
	Protect   bool
	// Refs are the offices, departments and call centers the group
	// refers to: its office (by key) and its routing's targets, sorted,
	// each once.
	Refs []Ref
	Pos  Position
}

// Ref is a reference to an office, department or call center of the
// config by its key.
type Ref struct {
	Kind string // "office", KindDepartment or KindCallCenter
	Key  string
}

// Operator is one operator of an office, a department or a call center as
// written: a user by email or id, or a room by id.
type Operator struct {
	Email  string `json:"email,omitempty"`
	UserID int64  `json:"user_id,omitempty"`
	RoomID int64  `json:"room_id,omitempty"`
	// Role is "operator" when the config gives none.
	Role string `json:"role"`
	// SkillLevel is a call-center operator's, nil when not written.
	SkillLevel *int64 `json:"skill_level,omitempty"`
}

// foundGroup is one valid group with the places the cross-file checks
// point at.
type foundGroup struct {
	DesiredGroup
	namePos   Position
	officePos Position
	refs      []ref
}

// ownFields are officectl's fields of a group, never sent to Dialpad.
var ownFields = []string{"office", "office_id", "operators", "protect"}

// group decodes one valid department or call center.
func (v *validator) group(top, kind, key string, src officeSource, eff cue.Value) (foundGroup, []schema.Diagnostic) {
	pos, _ := src.pos("")
	g := foundGroup{DesiredGroup: DesiredGroup{Key: key, Kind: kind, Pos: pos}}
	fail := func(err error) (foundGroup, []schema.Diagnostic) {
		return g, []schema.Diagnostic{{File: pos.File, Line: pos.Line, Column: pos.Column, Severity: schema.Error,
			Path: top + "." + key, Message: fmt.Sprintf("cannot decode %s: %v", kind, err)}}
	}
	m, err := v.dataOf(src, eff)
	if err != nil {
		return fail(err)
	}
	g.Name, _ = m["name"].(string)
	g.Office, _ = m["office"].(string)
	g.OfficeID, _ = m["office_id"].(int64)
	g.Protect, _ = m["protect"].(bool)
	if g.Operators, err = operatorsOf(m); err != nil {
		return fail(err)
	}
	diags := operatorDuplicates(top+"."+key, src, g.Operators)
	body := make(map[string]any, len(m))
	for k, x := range m {
		body[k] = x
	}
	for _, k := range ownFields {
		delete(body, k)
	}
	if g.Body, err = canonicalJSON(body); err != nil {
		return fail(err)
	}
	g.namePos, _ = src.pos("name")
	g.officePos, _ = src.pos("office")
	g.refs = refsIn(top+"."+key, src, m)
	seen := map[Ref]bool{}
	if g.Office != "" {
		seen[Ref{Kind: "office", Key: g.Office}] = true
	}
	for _, r := range g.refs {
		seen[Ref{Kind: r.kind, Key: r.key}] = true
	}
	for r := range seen {
		g.Refs = append(g.Refs, r)
	}
	sort.Slice(g.Refs, func(i, j int) bool {
		if g.Refs[i].Key != g.Refs[j].Key {
			return g.Refs[i].Key < g.Refs[j].Key
		}
		return g.Refs[i].Kind < g.Refs[j].Kind
	})
	return g, diags
}

// dataOf is the effective value of an office or group as Go values
// (mappings, lists, strings, int64, bool): the data as written without
// CUE policy, the unified value with it.
func (v *validator) dataOf(src officeSource, eff cue.Value) (map[string]any, error) {
	var x any
	ok := false
	if !v.pol.Exists() {
		x, ok = src.plain, src.plain != nil
		if !ok && src.data.Exists() {
			x, ok = plainValue(valueSource(src.data))
		}
	}
	if !ok {
		val := eff
		if !val.Exists() {
			val = src.data
		}
		b, err := val.MarshalJSON()
		if err != nil {
			return nil, err
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&x); err != nil {
			return nil, err
		}
		x = withInts(x)
	}
	m, isMap := x.(map[string]any)
	if !isMap {
		return nil, fmt.Errorf("not a mapping")
	}
	return m, nil
}

// withInts turns json.Numbers into int64 (the schema allows integers
// only where numbers go).
func withInts(x any) any {
	switch y := x.(type) {
	case map[string]any:
		for k, e := range y {
			y[k] = withInts(e)
		}
	case []any:
		for i, e := range y {
			y[i] = withInts(e)
		}
	case json.Number:
		if n, err := y.Int64(); err == nil {
			return n
		}
	}
	return x
}

// canonicalJSON is x as compact JSON with sorted keys and no HTML
// escaping.
func canonicalJSON(x any) (json.RawMessage, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		return nil, err
	}
	return json.RawMessage(bytes.TrimSuffix(b.Bytes(), []byte("\n"))), nil
}

// operatorsOf reads m's operators: nil when there are none, non-nil
// (even empty) when the list is written.
func operatorsOf(m map[string]any) ([]Operator, error) {
	raw, ok := m["operators"]
	if !ok {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("operators is not a list")
	}
	ops := make([]Operator, 0, len(list))
	for i, e := range list {
		om, ok := e.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("operators[%d] is not a mapping", i)
		}
		op := Operator{Role: "operator"}
		switch u := om["user"].(type) {
		case string:
			op.Email = u
		case int64:
			op.UserID = u
		}
		op.RoomID, _ = om["room"].(int64)
		if r, ok := om["role"].(string); ok {
			op.Role = r
		}
		if s, ok := om["skill_level"].(int64); ok {
			op.SkillLevel = &s
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// refsIn lists the references of an office's or group's routing m with
// the places src wrote them; base is its path (departments.KEY).
func refsIn(base string, src officeSource, m map[string]any) []ref {
	ro, _ := m["routing_options"].(map[string]any)
	var refs []ref
	add := func(path string, holder map[string]any) {
		t, ok := holder["action_target_id"].(map[string]any)
		if !ok || len(t) != 1 {
			return
		}
		for kind, key := range t {
			k, _ := key.(string)
			typ, _ := holder["action_target_type"].(string)
			p, _ := src.pos(path + ".action_target_id")
			refs = append(refs, ref{path: base + "." + path + ".action_target_id", key: k, kind: kind, pos: p,
				targetType: typ, typeSet: true})
		}
	}
	for _, side := range []string{"open", "closed"} {
		in, _ := ro[side].(map[string]any)
		if in == nil {
			continue
		}
		path := "routing_options." + side
		add(path, in)
		dtmf, _ := in["dtmf"].([]any)
		for i, d := range dtmf {
			dm, _ := d.(map[string]any)
			if opts, ok := dm["options"].(map[string]any); ok {
				add(fmt.Sprintf("%s.dtmf[%d].options", path, i), opts)
			}
		}
	}
	return refs
}

// groupsOf decodes the departments and call centers of a valid file.
func (v *validator) groupsOf(name string, data, u cue.Value) ([]foundGroup, []schema.Diagnostic) {
	var out []foundGroup
	var diags []schema.Diagnostic
	for _, t := range groupTops {
		it, err := data.LookupPath(cue.MakePath(cue.Str(t.top))).Fields()
		if err != nil {
			continue
		}
		for it.Next() {
			key := it.Selector().Unquoted()
			g, ds := v.group(t.top, t.kind, key, officeSource{file: name, data: it.Value()}, u.LookupPath(cue.MakePath(cue.Str(t.top), cue.Str(key))))
			diags = append(diags, ds...)
			out = append(out, g) // the cross checks see it even when in error
		}
	}
	return out, diags
}

// kindWords is how messages name a kind.
func kindWords(kind string) string {
	if kind == KindCallCenter {
		return "call center"
	}
	return kind
}

// topOf is the config's top-level map of a kind.
func topOf(kind string) string {
	switch kind {
	case KindDepartment:
		return "departments"
	case KindCallCenter:
		return "callcenters"
	}
	return "offices"
}

// officeWords is how messages name a group's office: "office lisbon" or
// "office_id 1".
func (g *foundGroup) officeWords() string {
	if g.Office != "" {
		return "office " + g.Office
	}
	return fmt.Sprintf("office_id %d", g.OfficeID)
}
