package plan

import (
	"encoding/json"
	"io"

	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/offices"
)

// jsonPlan is the JSON form of a Plan, shared by RenderJSON and plan files.
// Field order is output order.
type jsonPlan struct {
	FormatVersion int          `json:"format_version"`
	ConfigSHA256  string       `json:"config_sha256"`
	ConfigDir     string       `json:"config_dir,omitempty"`
	State         StateRef     `json:"state"`
	Summary       Summary      `json:"summary"`
	Changes       []jsonChange `json:"changes"`
}

// jsonChange is the JSON form of a Change.
type jsonChange struct {
	Key       string          `json:"key"`
	Kind      offices.Kind    `json:"kind"`
	Action    Action          `json:"action"`
	MovedFrom string          `json:"moved_from,omitempty"` // format version 2
	Name      string          `json:"name"`
	DependsOn []string        `json:"depends_on"`
	Body      *offices.Office `json:"body,omitempty"`
	Group     *jsonGroup      `json:"group,omitempty"`
	Fields    *[]FieldChange  `json:"fields,omitempty"` // a pointer, so that none is []
	Members   []MemberChange  `json:"members,omitempty"`
	Note      string          `json:"note,omitempty"`
	Warning   string          `json:"warning,omitempty"`
	Drift     *Drift          `json:"drift,omitempty"` // plan --refresh only
}

// jsonGroup is the desired department or call center of a change:
// officectl's own fields beside the body it sends.
type jsonGroup struct {
	Office    string          `json:"office,omitempty"`
	OfficeID  int64           `json:"office_id,omitempty"`
	Body      json.RawMessage `json:"body"`
	Operators []load.Operator `json:"operators,omitempty"`
	Protect   bool            `json:"protect,omitempty"`
}

// hasBody reports whether the JSON form of a change with action a carries
// the desired office: apply sends it for these.
func hasBody(a Action) bool {
	return a == ActionCreate || a == ActionResume || a == ActionUpdateE911
}

// hasFields reports whether the JSON form of a change with action a lists
// the differing fields.
func hasFields(a Action) bool {
	return a == ActionManual || a == ActionUpdateE911 || a == ActionUpdate || a == ActionMove
}

// RenderJSON writes p as stable, 2-space indented JSON with a trailing
// newline, in this shape (keys in this order):
//
//	{
//	  "format_version": 1,
//	  "config_sha256": "…",
//	  "config_dir": "offices",
//	  "state": {"path": "offices/officectl.state", "lineage": "…", "serial": 7, "sha256": "…"},
//	  "summary": {"create": 0, "update-e911": 0, "no-op": 0, "manual": 0, "orphan": 0, "resume": 0, "update": 0, "delete": 0, "move": 1},
//	  "changes": [
//	    {"key": "berlin", "kind": "office", "action": "create", "name": "Berlin", "depends_on": [],
//	     "body": {…the desired office, references as {"office": KEY}…}},
//	    {"key": "nyc", "kind": "office", "action": "update-e911", "name": "New York", "depends_on": ["berlin"],
//	     "body": {…}, "fields": [{"path": "e911_address.zip", "old": "\"10001\"", "new": "\"10002\""}]},
//	    {"key": "berlin-sales2", "kind": "department", "action": "move", "moved_from": "berlin-sales", "name": "Sales",
//	     "depends_on": ["berlin"], "group": {…}, "fields": []},
//	    …
//	  ]
//	}
//
// Every office and group is listed, no-ops included, in apply order.
// "body" is present for an office's create, resume and update-e911;
// "group" (office, office_id, body, operators, protect) for a group's
// every action but delete; "fields" for manual, update-e911, update and
// move (old and new are compact JSON, "" when the field is absent; no
// fields when the state records no spec to compare with; a reference
// whose target was created again has the id sent as old and the id apply
// sends as new, or the reference itself while its target is to be
// created). "members" lists membership differences (op add, remove,
// role, skill, manage, or unmanage: membership no longer managed);
// "warning" says when a change removes every operator the state records.
//
// Format version 2 adds the action "move" (a renamed key: "moved_from"
// names the key the state records; its fields and members are an update
// made with the move), "summary.move" (written when not 0), and a key
// listed twice: a delete of its old kind right before the change of its
// new kind. A plan that needs none of these is written as version 1.
//
// A refreshed plan (MergeDrift) adds "drift" to the changes of offices
// that drifted in Dialpad: a Drift ({"key","name","id","kind",
// "live_state","fields"}). "config_dir" and the state's "path" are
// written in saved plan files only (SetPaths), relative to the plan
// file's folder; the state's "sha256" is the digest of the whole state
// the plan was made against (StateSHA256). This is also the plan file
// format (WritePlanFile).
func RenderJSON(w io.Writer, p *Plan) error {
	jp := jsonPlan{
		FormatVersion: p.FormatVersion,
		ConfigSHA256:  p.ConfigSHA256,
		ConfigDir:     p.ConfigDir,
		State:         p.State,
		Summary:       p.Summary(),
		Changes:       make([]jsonChange, len(p.Changes)),
	}
	for i := range p.Changes {
		c := &p.Changes[i]
		jc := jsonChange{Key: c.Key, Kind: c.KindOf(), Action: c.Action, MovedFrom: c.MovedFrom, Name: c.Name, DependsOn: c.DependsOn, Drift: c.Drift,
			Members: c.Members, Note: c.Note, Warning: c.Warning}
		if jc.DependsOn == nil {
			jc.DependsOn = []string{}
		}
		switch {
		case jc.Kind != offices.KindOffice:
			if g := c.Group; g != nil && c.Action != ActionDelete {
				jc.Group = &jsonGroup{Office: g.Office, OfficeID: g.OfficeID, Body: g.Body, Operators: g.Operators, Protect: g.Protect}
			}
		case hasBody(c.Action):
			jc.Body = c.Office
		}
		if hasFields(c.Action) {
			fields := c.Fields
			if fields == nil {
				fields = []FieldChange{}
			}
			jc.Fields = &fields
		}
		jp.Changes[i] = jc
	}
	enc := json.NewEncoder(offices.JSONWriter(w))
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(jp)
}
