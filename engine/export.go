package engine

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/offices"
)

// Export writes the effective config of cfg (defaults filled, references
// unresolved) as a config file: a JSON object with offices, each by key,
// keys sorted, and, when the config has them, departments and callcenters
// the same way; operators and protect as written (a user without role is
// an operator). Saved as a .json file it validates again to the same
// config.
func Export(w io.Writer, cfg *load.Config) error {
	var buf bytes.Buffer
	buf.WriteString("{\n  \"offices\": {")
	for i, d := range cfg.Offices {
		body := d.Office.Canonical()
		if d.Operators != nil {
			var err error
			if body, err = withFields(body, map[string]any{"operators": exportOperators(d.Operators)}); err != nil {
				return err
			}
		}
		if err := exportEntry(&buf, i, d.Key, body); err != nil {
			return err
		}
	}
	if len(cfg.Offices) > 0 {
		buf.WriteString("\n  ")
	}
	buf.WriteString("}")
	for _, kind := range []struct{ top, kind string }{{"departments", load.KindDepartment}, {"callcenters", load.KindCallCenter}} {
		n := 0
		for _, g := range cfg.Groups {
			if g.Kind != kind.kind {
				continue
			}
			if n == 0 {
				buf.WriteString(",\n  \"" + kind.top + "\": {")
			}
			own := map[string]any{}
			if g.Office != "" {
				own["office"] = g.Office
			} else {
				own["office_id"] = g.OfficeID
			}
			if g.Operators != nil {
				own["operators"] = exportOperators(g.Operators)
			}
			if g.Protect {
				own["protect"] = true
			}
			body, err := withFields(g.Body, own)
			if err != nil {
				return err
			}
			if err := exportEntry(&buf, n, g.Key, body); err != nil {
				return err
			}
			n++
		}
		if n > 0 {
			buf.WriteString("\n  }")
		}
	}
	buf.WriteString("\n}\n")
	_, err := w.Write(offices.EscapeJSON(buf.Bytes()))
	return err
}

// exportEntry writes one "KEY": {...} of a map, the i-th.
func exportEntry(buf *bytes.Buffer, i int, key string, body []byte) error {
	if i > 0 {
		buf.WriteString(",")
	}
	k, _ := json.Marshal(key)
	buf.WriteString("\n    ")
	buf.Write(k)
	buf.WriteString(": ")
	var b bytes.Buffer
	if err := json.Indent(&b, body, "    ", "  "); err != nil {
		return err
	}
	buf.Write(b.Bytes())
	return nil
}

// withFields is the JSON object body with fields added, keys sorted,
// without HTML escaping.
func withFields(body []byte, fields map[string]any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // ids beyond 2^53 stay exact
	m := map[string]any{}
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	for k, v := range fields {
		m[k] = v
	}
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// exportOperator is an operator as a config file writes it.
type exportOperator struct {
	User       any    `json:"user,omitempty"`
	Room       int64  `json:"room,omitempty"`
	Role       string `json:"role"`
	SkillLevel *int64 `json:"skill_level,omitempty"`
}

func exportOperators(ops []load.Operator) []exportOperator {
	out := make([]exportOperator, 0, len(ops))
	for _, o := range ops {
		e := exportOperator{Room: o.RoomID, Role: o.Role, SkillLevel: o.SkillLevel}
		switch {
		case o.Email != "":
			e.User = o.Email
		case o.UserID != 0:
			e.User = o.UserID
		}
		out = append(out, e)
	}
	return out
}
