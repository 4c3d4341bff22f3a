package schema

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"
)

// diagnose turns CUE errors about file into diagnostics, one per problem,
// in the order of the file.
func (s *Schema) diagnose(file string, src []byte, data cue.Value, errs []cueerrors.Error) []Diagnostic {
	byPath := map[string][]cueerrors.Error{}
	var paths []string
	for _, e := range errs {
		k := strings.Join(e.Path(), "\x00")
		if _, ok := byPath[k]; !ok {
			paths = append(paths, k)
		}
		byPath[k] = append(byPath[k], e)
	}
	var out []Diagnostic
	seen := map[string]bool{}
	for _, k := range paths {
		for _, d := range s.describe(file, src, data, byPath[k]) {
			d.Message = OneLine(d.Message)
			key := d.Path + "\x00" + d.Message
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, d)
		}
	}
	out = dropUnderNonMappings(out)
	SortDiagnostics(out)
	return out
}

// dropUnderNonMappings leaves out the problems inside a value that is not
// a mapping at all (routing_options.open: 1 has no missing "action"; it is
// the wrong kind of value, and that one diagnostic says so).
func dropUnderNonMappings(ds []Diagnostic) []Diagnostic {
	var bad []string
	for _, d := range ds {
		if strings.HasPrefix(d.Message, "must be "+article("struct")) {
			bad = append(bad, d.Path+".")
		}
	}
	if len(bad) == 0 {
		return ds
	}
	out := ds[:0]
	for _, d := range ds {
		inside := false
		for _, p := range bad {
			if strings.HasPrefix(d.Path, p) {
				inside = true
				break
			}
		}
		if !inside {
			out = append(out, d)
		}
	}
	return out
}

// SortDiagnostics orders diagnostics by file, line, column, path, message.
func SortDiagnostics(ds []Diagnostic) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Message < b.Message
	})
}

// describe explains the errors CUE reported at one path.
func (s *Schema) describe(file string, src []byte, data cue.Value, errs []cueerrors.Error) []Diagnostic {
	path, hidden := userPath(errs[0].Path())
	field := ""
	if len(path) > 0 {
		field = path[len(path)-1]
	}
	d := Diagnostic{File: file, Severity: Error, Path: displayPath(path)}
	d.File, d.Line, d.Column = s.place(file, data, path, errs)

	// Checks that live in hidden fields.
	if hidden != "" {
		d.Message = s.hiddenMessage(hidden, data, path, errs)
		if d.Message == "" {
			return nil
		}
		return []Diagnostic{d}
	}

	// An email with characters #Email refuses: name them.
	if field == "user" || field == "email" {
		if msg := s.emailChars(data, path); msg != "" {
			d.Message = msg
			return []Diagnostic{d}
		}
	}

	// action_target_id is an id or a reference, an operator's user an
	// email or an id: one message for both.
	if want := eitherForm[field]; want != "" {
		for _, e := range errs {
			if f, _ := e.Msg(); strings.HasPrefix(f, "conflicting values") || strings.Contains(f, "empty disjunction") {
				d.Message = want + ", got " + dataText(data, path)
				return []Diagnostic{d}
			}
		}
	}

	// Enum failures: one "conflicting values" error per allowed value of
	// a disjunction, or one regular expression (countries).
	if enum, ok := lookup(s.enums, top(path), field); ok {
		n := len(enum.values)
		got, isEnum := conflictValue(errs)
		isEnum = isEnum && len(errs) > 1
		if f, args := errs[0].Msg(); !isEnum && strings.HasPrefix(f, "invalid value") && len(args) > 0 {
			got, isEnum = toString(args[0]), true
		}
		if isEnum {
			d.Message = fmt.Sprintf("%s is not one of the %d %s Dialpad accepts", got, n, enum.noun)
			vals := enum.values
			if g, err := strconv.Unquote(got); err == nil {
				if m := closestValue(g, vals); m != "" {
					d.Message += fmt.Sprintf(" (did you mean %q?)", m)
				}
			}
			if n <= 12 {
				d.Message += ": " + strings.Join(vals, ", ")
			}
			return []Diagnostic{d}
		}
	}

	var out []Diagnostic
	skipped := 0
	for _, e := range errs {
		format, args := e.Msg()
		if strings.HasSuffix(format, "errors in empty disjunction:") && len(errs) > 1 || noise(path, format, args) {
			skipped++
			continue
		}
		dd := d
		dd.Message = s.message(field, path, format, args, d.File, src, data, e)
		if dd.Message == "" {
			skipped++
			continue
		}
		out = append(out, dd)
	}
	if len(out) == 0 && skipped < len(errs) {
		format, args := errs[0].Msg()
		d.Message = fmt.Sprintf(format, args...)
		out = append(out, d)
	}
	return out
}

// emailChars explains an email address (a string with "@") that has
// characters #Email refuses: each character is tried alone in an address
// the pattern accepts. It is "" for any other value.
func (s *Schema) emailChars(data cue.Value, path []string) string {
	got, err := data.LookupPath(cuePath(path)).String()
	if err != nil || !strings.Contains(got, "@") || s.email == nil {
		return ""
	}
	var bad []string
	seen := map[rune]bool{}
	for _, r := range got {
		if r == '@' || seen[r] {
			continue
		}
		seen[r] = true
		if !s.email.MatchString("a" + string(r) + "a@example.com") {
			bad = append(bad, strconv.QuoteRuneToASCII(r))
		}
	}
	if len(bad) == 0 {
		return ""
	}
	return fmt.Sprintf("email address %s has %s: an email address cannot hold control or invisible characters, spaces, or characters that format markdown or HTML (they could forge links or text in a plan shown on a pull request); write the address as it is in Dialpad",
		strconv.QuoteToASCII(got), strings.Join(bad, ", "))
}

// eitherForm words what a field of two forms (a disjunction) accepts.
var eitherForm = map[string]string{
	"action_target_id": "must be a Dialpad id (an integer) or a reference {office|department|callcenter: KEY}",
	"user":             "must be a user's email address or Dialpad id (a positive integer)",
}

// top is the config's top-level map a path is in ("offices"), or "".
func top(path []string) string {
	if len(path) == 0 {
		return ""
	}
	return path[0]
}

// kindOf is the kind of thing a config's top-level map holds: "office",
// "department", "call center".
func kindOf(top string) string {
	switch top {
	case "departments":
		return "department"
	case "callcenters":
		return "call center"
	}
	return "office"
}

// message words one CUE error for a person.
func (s *Schema) message(field string, path []string, format string, args []any, file string, src []byte, data cue.Value, e cueerrors.Error) string {
	inData := data.LookupPath(cuePath(path)).Exists()
	switch {
	case format == "field not allowed":
		return s.notAllowed(path)
	case format == "field is required but not present" || strings.HasPrefix(format, "incomplete value") && !inData:
		if len(path) > 3 && !data.LookupPath(cuePath(path[:len(path)-1])).Exists() {
			return "" // its parent is missing: that is the one to report
		}
		msg := fmt.Sprintf("missing required field %q", field)
		switch {
		case field == "e911_address":
			msg += " (required for offices in " + s.e911 + ")"
		case field == "office" && len(path) == 3:
			msg = fmt.Sprintf("missing office: give office: KEY (an office of this config) or office_id: ID (an office not managed here) of this %s", kindOf(path[0]))
		case field == "user" && isIndexOf(path, "operators") && top(path) == "callcenters":
			msg = "a call center's operator needs user: EMAIL or ID"
		case field == "user" && isIndexOf(path, "operators"):
			msg = "an operator needs user: EMAIL or ID, or room: ID"
		}
		return msg
	case strings.HasPrefix(format, "conflicting values") && len(args) >= 4:
		return mismatch(field, file, src, data.LookupPath(cuePath(path)), args)
	case strings.HasPrefix(format, "conflicting values") && len(args) >= 2:
		return conflict(args, e, file)
	case strings.HasSuffix(format, "errors in empty disjunction:"):
		if want := eitherForm[field]; want != "" {
			return want
		}
		return fmt.Sprintf("%s: value matches none of the allowed forms", field)
	case strings.HasPrefix(format, "invalid value") && len(args) >= 1:
		if p := e.Position(); isPolicyFile(p.Filename()) {
			return policyRule(format, args, p)
		}
		return s.outOfBound(field, path, format, args)
	}
	return fmt.Sprintf(format, args...)
}

func (s *Schema) notAllowed(path []string) string {
	field := path[len(path)-1]
	switch len(path) {
	case 1:
		msg := fmt.Sprintf("unknown top-level field %q: a config file has the top-level fields offices, departments and callcenters", field)
		if hint := Closest(field, []string{"offices", "departments", "callcenters"}); hint != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", hint)
		}
		return msg
	case 2:
		return fmt.Sprintf("%s key %q is not valid: use 1 to 63 lower-case letters, digits, '-' and '_', starting with a letter or digit", kindOf(path[0]), field)
	}
	if isIndexOf(path, "operators") && len(path) == 5 {
		switch {
		case field == "room" && path[0] == "callcenters":
			return "a call center's operators are users only (Dialpad adds no rooms to a call center): use user: EMAIL or ID"
		case field == "skill_level":
			a := "a"
			if top(path) == "offices" {
				a = "an"
			}
			return fmt.Sprintf("skill_level is for call-center operators only, not %s %s's", a, kindOf(path[0]))
		}
	}
	msg := fmt.Sprintf("unknown field %q", field)
	if hint := s.suggest(field, path); hint != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", hint)
	}
	return msg
}

// noise reports errors that only echo another: the alternatives of a
// disjunction with a default, and the unresolved country of an office
// whose country is missing.
func noise(path []string, format string, args []any) bool {
	switch {
	case strings.HasPrefix(format, "unresolved disjunction"),
		strings.HasPrefix(fmt.Sprintf(format, args...), "error in call to list.Contains"): // e911 rule on a missing country
		return true
	case isHours(path):
		// Hours are "#Hours | *default": a bad time also fails against
		// the default, which would be reported as a conflict.
		return strings.HasPrefix(format, "incompatible list lengths") ||
			strings.HasSuffix(format, "errors in empty disjunction:") ||
			strings.HasPrefix(format, "conflicting values") && len(args) == 2
	}
	return false
}

// mismatch words "conflicting values A and B (mismatched types X and Y)":
// the user wrote a value of the wrong type. A hint quotes the value as
// src wrote it: YAML reads 0154 as the octal 108 and 1.10 as 1.1, and
// quoting what it read would change the data.
func mismatch(field, file string, src []byte, got cue.Value, args []any) string {
	gotKind := kindName(got.IncompleteKind())
	want := toString(args[2])
	if want == gotKind {
		want = toString(args[3])
	}
	val := dataTextOf(got)
	shown := val
	if raw := rawScalar(src, got); raw != "" && raw != val && gotKind != "string" {
		shown = fmt.Sprintf("%s (read as %s)", raw, val)
		val = raw
	}
	if gotKind == "null" {
		// `operators:` or `operators: ~` is no value at all.
		msg := fmt.Sprintf("must be %s, got no value (null)", article(want))
		if field == "operators" {
			msg += ": write operators: [] for a list with no operators (officectl then removes every operator), or leave the field out to leave the operators alone"
		} else {
			msg += ": give a value, or leave the field out"
		}
		return msg
	}
	gotWhat := article(gotKind)
	if gotKind == "bool" {
		gotWhat = "the boolean"
	}
	msg := fmt.Sprintf("must be %s, got %s %s", article(want), gotWhat, shown)
	quote := "; quote it: "
	if !strings.HasSuffix(file, ".json") && !strings.HasSuffix(file, ".cue") {
		quote = "; in YAML quote it: "
	}
	switch {
	case want != "string":
	case field == "mainline_number" && (gotKind == "int" || gotKind == "float") && !strings.HasPrefix(val, "+"):
		msg += strings.TrimSuffix(quote, ": ") + ", with its +: " + strconv.Quote("+"+strings.TrimLeft(val, "0"))
	case gotKind == "int" || gotKind == "float" || gotKind == "bool":
		msg += quote + strconv.Quote(val)
	}
	s, _ := got.String()
	s = strings.TrimSpace(s)
	// A string written without quotes (YAML reads 08 and no as strings)
	// needs no quotes taken away.
	plain := rawScalar(src, got) != ""
	switch {
	case gotKind != "string":
	case (want == "int" || want == "float") && plain:
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			msg += fmt.Sprintf("; YAML reads %s as a string, not a number: write %d", s, n)
		}
	case want == "int" || want == "float":
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			msg += "; write the number without quotes"
		}
	case want == "bool" && plain:
		switch strings.ToLower(s) {
		case "yes", "y", "on":
			msg += fmt.Sprintf("; YAML reads %s as a string: write true", s)
		case "no", "n", "off":
			msg += fmt.Sprintf("; YAML reads %s as a string: write false", s)
		default:
			msg += "; write true or false"
		}
	case want == "bool":
		if b, err := strconv.ParseBool(s); err == nil && strings.EqualFold(s, strconv.FormatBool(b)) {
			msg += "; write " + strconv.FormatBool(b) + " without quotes"
		} else {
			msg += "; write true or false without quotes"
		}
	}
	return msg
}

// rawScalar is the scalar at v's place in src as it is written there
// (0154, 0x1F, 1.10, True), or "" when src is nil or the place does not
// hold a plain scalar.
func rawScalar(src []byte, v cue.Value) string {
	if src == nil {
		return ""
	}
	p := v.Pos() // the field's label; its value is further on
	switch n := v.Source().(type) {
	case *ast.Field:
		p = n.Value.Pos()
	case ast.Expr:
		p = n.Pos()
	}
	if !p.IsValid() || p.Line() < 1 || p.Column() < 1 {
		return ""
	}
	line := 1
	start := 0
	for line < p.Line() {
		i := bytes.IndexByte(src[start:], '\n')
		if i < 0 {
			return ""
		}
		start += i + 1
		line++
	}
	rest := src[start:]
	if i := bytes.IndexByte(rest, '\n'); i >= 0 {
		rest = rest[:i]
	}
	// YAML columns count characters, not bytes.
	for col := 1; col < p.Column(); col++ {
		_, n := utf8.DecodeRune(rest)
		if n == 0 {
			return ""
		}
		rest = rest[n:]
	}
	end := bytes.IndexAny(rest, " \t\r,]}#")
	if end >= 0 {
		rest = rest[:end]
	}
	raw := string(rest)
	if raw == "" || strings.ContainsAny(raw, "\"'[{:&*!|>") {
		return ""
	}
	return raw
}

func kindName(k cue.Kind) string {
	switch k {
	case cue.IntKind:
		return "int"
	case cue.FloatKind, cue.NumberKind:
		return "float"
	case cue.StringKind:
		return "string"
	case cue.BoolKind:
		return "bool"
	case cue.ListKind:
		return "list"
	case cue.StructKind:
		return "struct"
	case cue.NullKind:
		return "null"
	}
	return k.String()
}

// dataText is the user's value at path, as CUE writes it.
func dataText(data cue.Value, path []string) string {
	return dataTextOf(data.LookupPath(cuePath(path)))
}

func dataTextOf(v cue.Value) string {
	switch v.Kind() {
	case cue.StringKind:
		// Quoted on one line: CUE writes a string with a line break as a
		// multi-line """ literal.
		if s, err := v.String(); err == nil {
			return strconv.Quote(s)
		}
	case cue.BytesKind:
		if b, err := v.Bytes(); err == nil {
			return strconv.Quote(string(b))
		}
	case cue.StructKind:
		b, err := v.MarshalJSON()
		if err == nil {
			return string(b)
		}
	case cue.ListKind:
		b, err := v.MarshalJSON()
		if err == nil {
			return string(b)
		}
	}
	return fmt.Sprint(v)
}

// conflict words "conflicting values A and B" of two values of one type:
// the user's value against one the schema or a policy pins. file is where
// the diagnostic points, the user's value: the value that conflicts with
// it was set in another file.
func conflict(args []any, e cueerrors.Error, file string) string {
	a, b := toString(args[0]), toString(args[1])
	where := ""
	for _, p := range cueerrors.Positions(e) {
		if p.Filename() != SourceName && p.Filename() != file && p.Line() > 0 && strings.HasSuffix(p.Filename(), ".cue") {
			where = fmt.Sprintf(" (set by %s:%d:%d)", p.Filename(), p.Line(), p.Column())
			break
		}
	}
	return fmt.Sprintf("%s conflicts with %s%s", b, a, where)
}

func article(t string) string {
	switch t {
	case "int":
		return "an integer"
	case "float":
		return "a decimal number"
	case "null":
		return "null"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "list":
		return "a list"
	case "struct":
		return "a mapping of fields"
	}
	return t
}

// outOfBound words "invalid value V (out of bound B)" and its relatives.
func (s *Schema) outOfBound(field string, path []string, format string, args []any) string {
	val := toString(args[0])
	where := top(path)
	bound, _ := lookup(s.bounds, where, field)
	// Which rule failed: a range ("<=45"), a length (strings.MaxRunes) or
	// another (a pattern), whose words come below.
	rule := fmt.Sprintf(format, args...)
	isRange := strings.Contains(rule, "out of bound <") || strings.Contains(rule, "out of bound >")
	min, hasMin := bound["minimum"]
	max, hasMax := bound["maximum"]
	maxLen, hasMaxLen := bound["maxLength"]
	hasMaxLen = hasMaxLen && strings.Contains(rule, "MaxRunes")
	switch {
	case isRange && hasMin && hasMax:
		unit := ""
		if strings.HasSuffix(field, "_seconds") {
			unit = " seconds"
		}
		return fmt.Sprintf("must be between %v and %v%s, got %s", min, max, unit, val)
	case hasMaxLen:
		n := val
		if s, err := strconv.Unquote(val); err == nil {
			n = strconv.Itoa(utf8.RuneCountInString(s))
		}
		return fmt.Sprintf("must be at most %v characters, got %s", maxLen, n)
	case isRange && hasMin && (field == "office_id" || field == "room" || field == "user"):
		return fmt.Sprintf("must be a Dialpad id (a positive integer), got %s", val)
	case field == "mainline_number":
		return fmt.Sprintf("must be an E.164 number such as +14155550100, got %s", val)
	case field == "email":
		return fmt.Sprintf("must be an email address such as billing@example.com, got %s", val)
	case field == "queue_callback_dtmf" || field == "queue_escape_dtmf":
		return fmt.Sprintf("must be one key from \"0\" to \"9\", \"*\" or \"#\", got %s", val)
	case field == "input":
		return fmt.Sprintf("must be one digit from \"0\" to \"9\", got %s", val)
	case isHours(path):
		return fmt.Sprintf("must be a time \"HH:MM\" from 00:00 to 23:59, got %s", val)
	case len(path) == 2:
		return fmt.Sprintf("%s key %s is not valid: use 1 to 63 lower-case letters, digits, '-' and '_'", kindOf(path[0]), val)
	}
	if s, err := strconv.Unquote(val); err == nil {
		if strings.ContainsAny(s, "\r\n") {
			return "must be a single line: remove the line break"
		}
		if strings.TrimSpace(s) == "" {
			return "must not be empty"
		}
	}
	return fmt.Sprintf(format, args...)
}

// isPolicyFile reports whether a position's file is a user's CUE file (a
// company policy), not the schema or a data file.
func isPolicyFile(name string) bool {
	return name != SourceName && strings.HasSuffix(name, ".cue")
}

// policyRule words "invalid value V (out of bound B)" for a bound a
// user's CUE file sets, with the place of the rule: the schema's words for
// the field would state the schema's rule, not the one that failed.
func policyRule(format string, args []any, p token.Pos) string {
	val := toString(args[0])
	where := fmt.Sprintf(" (%s:%d)", p.Filename(), p.Line())
	if !strings.Contains(format, "out of bound") || len(args) < 2 {
		return fmt.Sprintf(format, args...) + where
	}
	bound := toString(args[1])
	for _, op := range []struct{ prefix, words string }{
		{"<=", "must be at most %s"},
		{">=", "must be at least %s"},
		{"<", "must be less than %s"},
		{">", "must be greater than %s"},
		{"!=", "must not be %s"},
		{"=~", "must match the regular expression %s"},
		{"!~", "must not match the regular expression %s"},
	} {
		if rest, ok := strings.CutPrefix(bound, op.prefix); ok {
			return fmt.Sprintf(op.words, rest) + where + ", got " + val
		}
	}
	return fmt.Sprintf("must satisfy %s%s, got %s", bound, where, val)
}

func isHours(path []string) bool {
	for _, p := range path {
		if strings.HasSuffix(p, "_hours") {
			return true
		}
	}
	return false
}

// hiddenMessage words a failed check of a hidden field: a DTMF menu's
// duplicate inputs, computed from the user's data, or the message
// #OpeningHours gives with error(), unless the hours are not a list of
// times at all (their own errors say so) or the check is one that
// another reports better.
func (s *Schema) hiddenMessage(hidden string, data cue.Value, path []string, errs []cueerrors.Error) string {
	if _, ok := checkField[hidden]; ok {
		format, args := errs[0].Msg()
		return fmt.Sprintf(format, args...)
	}
	if hidden == "_dtmf_unique" {
		seen := map[string]bool{}
		var dup []string
		if it, err := data.LookupPath(cuePath(path)).List(); err == nil {
			for it.Next() {
				in, _ := it.Value().LookupPath(cue.ParsePath("input")).String()
				if seen[in] {
					dup = append(dup, strconv.Quote(in))
				}
				seen[in] = true
			}
		}
		if len(dup) == 0 {
			return "" // not a list of mappings: the type error says so
		}
		return fmt.Sprintf("DTMF input %s is used more than once: each digit may appear once per menu", strings.Join(dup, ", "))
	}
	var times []string
	hours := data.LookupPath(cuePath(path))
	if !hours.Exists() {
		return "" // a default: only a policy could break it, and says so
	}
	if hours.Kind() != cue.ListKind {
		return "" // not a list: the type error says so
	}
	if it, err := hours.List(); err == nil {
		for it.Next() {
			t, _ := it.Value().String()
			times = append(times, t)
		}
	}
	for _, t := range times {
		if !s.time.MatchString(t) {
			return "" // the element's own error says what is wrong
		}
	}
	for _, e := range errs {
		p := e.Path()
		check := p[len(p)-1]
		if check == "ascending" && len(times)%2 != 0 {
			return "" // an odd number of times: the pairs check says so
		}
		if format, args := e.Msg(); check == "pairs" || check == "ascending" {
			return fmt.Sprintf(format, args...)
		}
	}
	return ""
}

// unquotePath turns CUE's quoted labels ("new-york") into plain keys.
func unquotePath(raw []string) []string {
	out := make([]string, len(raw))
	for i, p := range raw {
		if u, err := strconv.Unquote(p); err == nil && strings.HasPrefix(p, `"`) {
			p = u
		}
		out[i] = p
	}
	return out
}

// userPath maps a CUE error path (labels quoted where CUE quotes them) to
// the user's field path. When the path runs through a hidden check field,
// it names the field checked and the check. A user's key that starts with
// an underscore is a quoted string label, never a hidden field.
func userPath(quoted []string) (path []string, hidden string) {
	raw := unquotePath(quoted)
	for i, p := range quoted {
		if strings.HasPrefix(p, "_") {
			name := p
			if j := strings.Index(name, "("); j > 0 { // hidden labels may carry a package suffix
				name = name[:j]
			}
			if name == "_dtmf_unique" {
				return append(append([]string(nil), raw[:i]...), "dtmf"), name
			}
			if field, ok := checkField[name]; ok {
				return append(append([]string(nil), raw[:i]...), field), name
			}
			return append(append([]string(nil), raw[:i]...), strings.TrimPrefix(name, "_")), name
		}
	}
	return raw, ""
}

// checkField is the field a rule between fields (a hidden _check_ field
// of the schema, whose message error() gives) is reported at: the one
// written second, as a rule is read.
var checkField = map[string]string{
	"_check_office":   "office_id",
	"_check_announce": "announce_position",
	"_check_dtmf":     "queue_escape_dtmf",
	"_check_who":      "room",
}

// displayPath writes a path as offices.KEY.FIELD, with list indexes in
// brackets. A label that is empty, has a dot or a character that does not
// print (a line break, say) is quoted, so the path stays one line that
// reads back.
func displayPath(path []string) string {
	var b strings.Builder
	for i, p := range path {
		if i > 0 && isListIndex(path, i) {
			b.WriteString("[" + p + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		if p == "" || strings.Contains(p, ".") || strings.ContainsFunc(p, func(r rune) bool { return !unicode.IsPrint(r) }) {
			p = strconv.Quote(p)
		}
		b.WriteString(p)
	}
	return b.String()
}

func isListIndex(path []string, i int) bool {
	if _, err := strconv.Atoi(path[i]); err != nil {
		return false
	}
	prev := path[i-1]
	return prev == "dtmf" || prev == "operators" || strings.HasSuffix(prev, "_hours")
}

// isIndexOf reports whether path goes through an element of the list
// named list (…, list, INDEX, …).
func isIndexOf(path []string, list string) bool {
	for i := 1; i < len(path); i++ {
		if path[i-1] == list && isListIndex(path, i) {
			return true
		}
	}
	return false
}

// cuePath turns an error path into a cue.Path for lookups in data.
func cuePath(path []string) cue.Path {
	sels := make([]cue.Selector, len(path))
	for i, p := range path {
		if i > 0 && isListIndex(path, i) {
			n, _ := strconv.Atoi(p)
			sels[i] = cue.Index(n)
			continue
		}
		sels[i] = cue.Str(p)
	}
	return cue.MakePath(sels...)
}

// place finds where in the user's file a problem at path is: the first
// position CUE gives in a user file, or else the nearest part of the path
// the user wrote (the office key, for a missing field).
func (s *Schema) place(file string, data cue.Value, path []string, errs []cueerrors.Error) (string, int, int) {
	// The file checked first, then any user file: the value a rule
	// rejects was written there, and the rule (a policy's bound, whose
	// place the message gives) is a place of last resort.
	for pass, in := range []func(string) bool{
		func(name string) bool { return name == file },
		func(name string) bool { return name != SourceName && name != "" },
		func(name string) bool { return name != SourceName && name != "" },
	} {
		for _, e := range errs {
			bound := token.NoPos
			if f, _ := e.Msg(); strings.HasPrefix(f, "invalid value") && pass < 2 {
				bound = e.Position()
			}
			for _, p := range cueerrors.Positions(e) {
				if in(p.Filename()) && p.Line() > 0 && p != bound {
					return p.Filename(), p.Line(), p.Column()
				}
			}
		}
	}
	for n := len(path); n > 0; n-- {
		v := data.LookupPath(cuePath(path[:n]))
		if !v.Exists() {
			continue
		}
		if p := v.Pos(); p.Line() > 0 {
			name := p.Filename()
			if name == "" {
				name = file
			}
			return name, p.Line(), p.Column()
		}
	}
	return file, 0, 0
}

// conflictValue returns the user's value from enum "conflicting values"
// errors (the argument that is the same in all of them).
func conflictValue(errs []cueerrors.Error) (string, bool) {
	counts := map[string]int{}
	n := 0
	for _, e := range errs {
		format, args := e.Msg()
		if !strings.HasPrefix(format, "conflicting values") || len(args) < 2 {
			continue
		}
		n++
		counts[toString(args[0])]++
		counts[toString(args[1])]++
	}
	for v, c := range counts {
		if c == n && n > 1 {
			return v, true
		}
	}
	return "", false
}

func toString(a any) string {
	switch v := a.(type) {
	case string:
		return v
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprint(a)
}

// suggest returns the allowed field closest to a misspelt one, or "".
func (s *Schema) suggest(field string, path []string) string {
	parent := strings.ReplaceAll(kindOf(top(path)), " ", "")
	if len(path) > 3 {
		parent = path[len(path)-2]
		if isListIndex(path, len(path)-2) {
			parent = path[len(path)-3]
		}
	}
	if isIndexOf(path, "operators") {
		parent = "operators"
	}
	fields, _ := lookup(s.fieldsAt, top(path), parent)
	return Closest(field, fields)
}

// Closest returns the candidate nearest to word, at an edit distance under
// a third of its length (at least 2), for "did you mean" hints; "" when none is that near.
func Closest(word string, candidates []string) string {
	best, bestD := "", max(3, len(word)/3+1)
	for _, c := range candidates {
		if d := distance(word, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// closestValue is the enum value a user most likely meant by got: the one
// that differs only in case, else the one nearest by edit distance
// (ignoring case), at most a third of got's length away: a two-letter
// country code is one letter from dozens of others, so it gets a
// suggestion only by case.
func closestValue(got string, vals []string) string {
	for _, v := range vals {
		if strings.EqualFold(got, v) {
			return v
		}
	}
	best, bestD := "", utf8.RuneCountInString(got)/3+1
	for _, v := range vals {
		d := distance(strings.ToLower(got), strings.ToLower(v))
		switch {
		case d < bestD:
			best, bestD = v, d
		case d == bestD:
			best = "" // two as near: no guess
		}
	}
	return best
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
