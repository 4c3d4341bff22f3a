package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"cuelang.org/go/cue"
)

// JSONSchema returns a JSON Schema (draft 2020-12) of #Config, for YAML and
// JSON editors: structure, types, enums, patterns, ranges and defaults,
// read from the CUE schema itself, and e911_address required in the
// countries of #E911Countries (if/then). Rules only CUE and officectl
// check (hours in pairs and in order, references, unique DTMF inputs,
// time zones, duplicate names) are left to `officectl validate`.
func JSONSchema() ([]byte, error) {
	ctx := newContext()
	v := ctx.CompileBytes(source, cue.Filename(SourceName))
	if err := v.Err(); err != nil {
		return nil, err
	}
	office, err := jsonType(v, v.LookupPath(cue.ParsePath("#Office")))
	if err != nil {
		return nil, fmt.Errorf("generate JSON Schema: %w", err)
	}
	var e911 []string
	if err := v.LookupPath(cue.ParsePath("#E911Countries")).Decode(&e911); err != nil {
		return nil, fmt.Errorf("generate JSON Schema: #E911Countries: %w", err)
	}
	office["allOf"] = []any{map[string]any{
		"if": map[string]any{
			"required":   []string{"country"},
			"properties": map[string]any{"country": map[string]any{"enum": e911}},
		},
		"then": map[string]any{"required": []string{"e911_address"}},
	}}
	groups := map[string]any{}
	for _, k := range kinds[1:] {
		t, err := jsonType(v, v.LookupPath(cue.ParsePath(k.def)))
		if err != nil {
			return nil, fmt.Errorf("generate JSON Schema: %s: %w", k.def, err)
		}
		groupRules(t)
		groups[k.top] = map[string]any{
			"type":                 "object",
			"additionalProperties": false,
			"patternProperties":    map[string]any{keyPattern: t},
		}
	}
	officeOperators(office)
	doc := map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"title":                "officectl offices, departments and call centers",
		"description":          "Dialpad offices, departments and call centers managed by officectl. Run `officectl validate` for the rules a JSON Schema cannot express.",
		"type":                 "object",
		"additionalProperties": false,
		"properties": map[string]any{
			"$schema": map[string]any{
				"type":        "string",
				"description": "The JSON Schema of this file, for editors (officectl schema --format jsonschema prints it); officectl ignores it.",
			},
			"offices": map[string]any{
				"type":                 "object",
				"additionalProperties": false,
				"patternProperties": map[string]any{
					keyPattern: office,
				},
			},
			"departments": groups["departments"],
			"callcenters": groups["callcenters"],
		},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(escapeInvisible(b), '\n'), nil
}

// jsonType translates one CUE value of the schema; root is the schema,
// where references to definitions are looked up.
func jsonType(root, v cue.Value) (map[string]any, error) {
	out := map[string]any{}
	if doc := docOf(v); doc != "" {
		out["description"] = doc
	}
	if d, ok := v.Default(); ok && isMarkedDefault(v) {
		var def any
		if err := d.Decode(&def); err == nil {
			out["default"] = def
		}
	}
	op, args := v.Expr()
	if _, path := v.ReferencePath(); len(path.Selectors()) > 0 && (op == cue.NoOp || op == cue.SelectorOp) {
		if e, ok := enumTable[path.String()]; ok {
			// A regular expression in CUE, for speed; an enum for editors.
			vals, err := enumValues(root.LookupPath(cue.ParsePath(e.list)))
			if err != nil {
				return nil, err
			}
			out["type"], out["enum"] = "string", vals
			return out, nil
		}
		t, err := jsonType(root, root.LookupPath(path))
		if err != nil {
			return nil, err
		}
		for k, x := range out {
			t[k] = x
		}
		return t, nil
	}
	if op == cue.OrOp {
		if vals, err := enumValues(v); err == nil {
			out["type"] = "string"
			out["enum"] = vals
			return out, nil
		}
		if _, ok := v.Default(); ok && len(args) == 2 {
			// "#Hours | *[...]": the type, with its default.
			t, err := jsonType(root, args[0])
			if err != nil {
				return nil, err
			}
			for k, x := range out {
				t[k] = x
			}
			return t, nil
		}
	}
	if op == cue.AndOp && v.IncompleteKind() == cue.IntKind|cue.StringKind {
		// A user required when there is no room: the disjunction, twice.
		for _, a := range args {
			if aop, _ := a.Expr(); aop == cue.OrOp {
				return jsonType(root, a)
			}
		}
	}
	if op == cue.OrOp {
		// A disjunction of types: a user by email or id, an
		// action_target_id by id or reference.
		var one []any
		for _, a := range args {
			t, err := jsonType(root, a)
			if err != nil {
				return nil, err
			}
			one = append(one, t)
		}
		out["oneOf"] = one
		return out, nil
	}
	k := v.IncompleteKind()
	if k == cue.BottomKind {
		// #Office is incomplete on its own: its e911 rule waits for a
		// concrete country. Its fields are still there to read.
		if _, err := v.Fields(); err == nil {
			k = cue.StructKind
		}
	}
	switch {
	case k == cue.StructKind:
		props := map[string]any{}
		var required []string
		it, err := v.Fields(cue.Optional(true))
		if err != nil {
			return nil, err
		}
		for it.Next() {
			name := it.Selector().Unquoted()
			t, err := jsonType(root, it.Value())
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			props[name] = t
			if it.Selector().ConstraintType() == 0 {
				if _, hasDefault := it.Value().Default(); !hasDefault {
					required = append(required, name)
				}
			}
		}
		out["type"] = "object"
		out["properties"] = props
		out["additionalProperties"] = false
		if len(required) > 0 {
			out["required"] = required
		}
	case k == cue.ListKind:
		out["type"] = "array"
		elem := v.LookupPath(cue.MakePath(cue.AnyIndex))
		if elem.Exists() {
			t, err := jsonType(root, elem)
			if err != nil {
				return nil, err
			}
			out["items"] = t
		}
	case k == cue.StringKind:
		out["type"] = "string"
		constraints(root, v, out)
	case k == cue.IntKind:
		out["type"] = "integer"
		constraints(root, v, out)
	case k == cue.BoolKind:
		out["type"] = "boolean"
	default:
		return nil, fmt.Errorf("no JSON Schema for CUE kind %v (%v)", k, v)
	}
	return out, nil
}

// reCodePoint is a code point written as RE2 writes it, \x{200b}.
var reCodePoint = regexp.MustCompile(`\\x\{([0-9a-fA-F]{1,6})\}`)

// ecmaPattern is an RE2 pattern of the schema as JSON Schema's regular
// expressions (ECMA-262) read it: \x{200b} becomes the character itself,
// which both read alike (the JSON text escapes it: see escapeInvisible).
func ecmaPattern(re string) string {
	return reCodePoint.ReplaceAllStringFunc(re, func(m string) string {
		n, err := strconv.ParseUint(reCodePoint.FindStringSubmatch(m)[1], 16, 32)
		if err != nil {
			return m
		}
		return string(rune(n))
	})
}

// escapeInvisible writes the control and invisible characters of JSON
// text b as \uXXXX escapes, so that the file shows them.
func escapeInvisible(b []byte) []byte {
	var out bytes.Buffer
	for _, r := range string(b) {
		if r > 0x7e && (unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)) {
			fmt.Fprintf(&out, `\u%04x`, r)
			continue
		}
		out.WriteRune(r)
	}
	return out.Bytes()
}

// constraints copies bounds and patterns of a string or integer.
func constraints(root, v cue.Value, out map[string]any) {
	var patterns []string
	var walk func(v cue.Value)
	walk = func(v cue.Value) {
		op, args := v.Expr()
		if _, path := v.ReferencePath(); len(path.Selectors()) > 0 && (op == cue.NoOp || op == cue.SelectorOp) {
			walk(root.LookupPath(path))
			return
		}
		switch op {
		case cue.AndOp:
			for _, a := range args {
				walk(a)
			}
		case cue.RegexMatchOp:
			if s, err := args[0].String(); err == nil && !slices.Contains(patterns, ecmaPattern(s)) {
				patterns = append(patterns, ecmaPattern(s))
			}
		case cue.GreaterThanEqualOp:
			if n, err := args[0].Int64(); err == nil && n > -1<<62 {
				out["minimum"] = n
			}
		case cue.LessThanEqualOp:
			if n, err := args[0].Int64(); err == nil && n < 1<<62 {
				out["maximum"] = n
			}
		case cue.NotEqualOp:
			if s, err := args[0].String(); err == nil && s == "" {
				out["minLength"] = 1
			}
		case cue.CallOp:
			if fn := fmt.Sprint(args[0]); strings.Contains(fn, "MaxRunes") && len(args) > 1 {
				if n, err := args[1].Int64(); err == nil {
					out["maxLength"] = n
				}
			}
		}
	}
	walk(v)
	switch len(patterns) {
	case 0:
	case 1:
		out["pattern"] = patterns[0]
	default:
		var all []any
		for _, p := range patterns {
			all = append(all, map[string]any{"pattern": p})
		}
		out["allOf"] = all
	}
}

// docOf is the comment on a definition, without its leading name.
func docOf(v cue.Value) string {
	for _, d := range v.Doc() {
		if s := strings.TrimSpace(d.Text()); s != "" {
			return s
		}
	}
	return ""
}

// keyPattern is #Key's pattern, the keys of the config's maps.
const keyPattern = "^[a-z0-9][a-z0-9_-]{0,62}$"

// groupRules adds to a department's or call center's JSON Schema the rules
// of #Group and #CallCenterHoldQueue JSON Schema can say: office or
// office_id, exactly one; announce_position only with max_hold_seconds of
// 120 or more; and of its operators.
func groupRules(t map[string]any) {
	t["oneOf"] = []any{
		map[string]any{"required": []string{"office"}},
		map[string]any{"required": []string{"office_id"}},
	}
	props, _ := t["properties"].(map[string]any)
	if hq, ok := props["hold_queue"].(map[string]any); ok {
		if hqProps, _ := hq["properties"].(map[string]any); hqProps["announce_position"] != nil {
			hq["if"] = map[string]any{
				"required": []string{"announce_position", "max_hold_seconds"},
				"properties": map[string]any{
					"announce_position": map[string]any{"const": true},
					"max_hold_seconds":  map[string]any{"maximum": 119},
				},
			}
			hq["then"] = false
		}
	}
	operatorRules(props)
}

// officeOperators adds the rules of #Operator to an office's JSON Schema.
func officeOperators(office map[string]any) {
	props, _ := office["properties"].(map[string]any)
	operatorRules(props)
}

// operatorRules: an office's or department's operator is a user or a
// room, exactly one (a call center's has user required already).
func operatorRules(props map[string]any) {
	ops, _ := props["operators"].(map[string]any)
	item, _ := ops["items"].(map[string]any)
	if itemProps, _ := item["properties"].(map[string]any); itemProps["room"] != nil {
		item["oneOf"] = []any{
			map[string]any{"required": []string{"user"}},
			map[string]any{"required": []string{"room"}},
		}
	}
}

// isMarkedDefault reports whether v's default is one the schema marks
// (*["08:00", "18:00"]), not the [] CUE gives every open list: an
// optional list of a department (its hours, operators) has no default.
func isMarkedDefault(v cue.Value) bool {
	if v.IncompleteKind() != cue.ListKind {
		return true
	}
	op, args := v.Expr()
	if op == cue.OrOp {
		return true
	}
	if op == cue.AndOp {
		for _, a := range args {
			if isMarkedDefault(a) {
				return true
			}
		}
	}
	return false
}
