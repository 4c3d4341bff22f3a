package schema

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/parser"

	"github.com/google/go-cmp/cmp"
)

func TestDefaults(t *testing.T) {
	s, err := Compile(NewContext())
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(s.Defaults(), &got); err != nil {
		t.Fatal(err)
	}
	weekday := []any{"08:00", "18:00"}
	want := map[string]any{
		"auto_call_recording": false, "hours_on": false,
		"monday_hours": weekday, "tuesday_hours": weekday, "wednesday_hours": weekday,
		"thursday_hours": weekday, "friday_hours": weekday,
		"saturday_hours": []any{}, "sunday_hours": []any{},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

// TestWithoutDefaults checks the premise of Accepts: the schema without
// defaults is the schema's text but for the fields with a default, each
// optional there and without it, and each default satisfies its field's
// rule without the default.
func TestWithoutDefaults(t *testing.T) {
	bare, err := bareSource()
	if err != nil {
		t.Fatal(err)
	}
	fullFields, bareFields := officeFields(t, source), officeFields(t, bare)
	// The seven hours checks are out of the schema without defaults
	// (Accepts makes them in Go: TestOpeningHoursAsSchema).
	var checks []string
	fullFields = slices.DeleteFunc(fullFields, func(d string) bool {
		day, ok := strings.CutPrefix(d, "if ")
		day, _, _ = strings.Cut(day, " ")
		if ok && strings.HasSuffix(d, "{_"+day+": #OpeningHours & {#times: "+day+"}}") {
			checks = append(checks, day)
			return true
		}
		return false
	})
	if !slices.Equal(checks, hoursDays) || len(checks) != 7 {
		t.Errorf("hours checks taken out: %q; in #Office: %q", hoursDays, checks)
	}
	if len(fullFields) != len(bareFields) || len(fullFields) < 29+1 {
		t.Fatalf("#Office: %d declarations with defaults, %d without", len(fullFields), len(bareFields))
	}
	ctx := NewContext()
	defaulted := 0
	for i, full := range fullFields {
		name, _, _ := strings.Cut(full, ":")
		if full == bareFields[i] {
			continue
		}
		defaulted++
		typ, def, ok := strings.Cut(strings.TrimPrefix(full, name+":"), "| *")
		if want := name + "?:" + strings.TrimRight(typ, " "); !ok || bareFields[i] != want {
			t.Errorf("without defaults: %q, want %q", bareFields[i], want)
			continue
		}
		v := ctx.CompileString(strings.Join([]string{string(bare), "x: #Office & {" + name + ": " + def + "}"}, "\n"), cue.Filename(SourceName))
		if err := v.LookupPath(cue.MakePath(cue.Str("x"), cue.Str(name))).Validate(cue.Concrete(true)); err != nil {
			t.Errorf("%s: the default %s does not satisfy the field: %v", name, def, err)
		}
	}
	if defaulted != 9 {
		t.Errorf("%d fields with a default, want 9", defaulted)
	}
}

// officeFields returns #Office's declarations in src, one line each.
func officeFields(t *testing.T, src []byte) []string {
	t.Helper()
	f, err := parser.ParseFile(SourceName, src)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range f.Decls {
		if def, ok := d.(*ast.Field); ok {
			if l, _, _ := ast.LabelName(def.Label); l == "#Office" {
				var out []string
				for _, e := range def.Value.(*ast.StructLit).Elts {
					if _, ok := e.(*ast.CommentGroup); ok {
						continue
					}
					b := src[e.Pos().Offset():e.End().Offset()]
					out = append(out, strings.Join(strings.Fields(string(b)), " "))
				}
				return out
			}
		}
	}
	t.Fatal("no #Office")
	return nil
}

// TestOpeningHoursAsSchema checks that openingHours, which Accepts uses
// in place of #Office's hours checks, gives #OpeningHours's verdict on
// every list of up to five times drawn from a few (equal, ascending and
// descending neighbours among them), and refuses what is not a list of
// strings.
func TestOpeningHoursAsSchema(t *testing.T) {
	ctx := NewContext()
	opening := ctx.CompileBytes(source, cue.Filename(SourceName)).LookupPath(cue.ParsePath("#OpeningHours"))
	pool := []string{"00:00", "08:00", "08:01", "12:00", "18:00", "23:59"}
	var lists [][]string
	var grow func(l []string)
	grow = func(l []string) {
		lists = append(lists, l)
		if len(l) < 5 {
			for _, p := range pool {
				grow(append(slices.Clip(l), p))
			}
		}
	}
	grow(nil)
	accepted := 0
	for _, l := range lists {
		h := make([]any, len(l))
		for i, s := range l {
			h[i] = s
		}
		want := opening.FillPath(cue.ParsePath("#times"), l).Validate(cue.Concrete(true)) == nil
		if got := openingHours(h); got != want {
			t.Errorf("%q: openingHours %v, #OpeningHours %v", l, got, want)
		}
		if want {
			accepted++
		}
	}
	if accepted < 20 || accepted == len(lists) {
		t.Fatalf("%d of %d lists accepted: the test tells nothing", accepted, len(lists))
	}
	for _, h := range []any{"08:00", []any{int64(8), int64(18)}, []any{"08:00", int64(18)}, nil} {
		if openingHours(h) {
			t.Errorf("openingHours(%#v) accepts", h)
		}
	}
}

// TestUniqueKeysAsSchema checks that uniqueKeys, which Accepts uses in
// place of #RoutingInner's unique check, gives #RoutingInner's verdict on
// every dtmf list of up to four mappings with inputs drawn from a few
// (repeats among them), and refuses what is not a list of mappings with
// a string key.
func TestUniqueKeysAsSchema(t *testing.T) {
	if _, err := bareSource(); err != nil {
		t.Fatal(err)
	}
	if uniqueList.field != "dtmf" || uniqueList.key != "input" {
		t.Fatalf("unique check taken out of #RoutingInner: %+v, want dtmf and input", uniqueList)
	}
	ctx := NewContext()
	inner := ctx.CompileBytes(source, cue.Filename(SourceName)).LookupPath(cue.ParsePath("#RoutingInner"))
	var lists [][]string
	var grow func(l []string)
	grow = func(l []string) {
		lists = append(lists, l)
		if len(l) < 4 {
			for _, p := range []string{"1", "2", "3"} {
				grow(append(slices.Clip(l), p))
			}
		}
	}
	grow(nil)
	accepted := 0
	for _, l := range lists {
		items := make([]any, len(l))
		for i, in := range l {
			items[i] = map[string]any{"input": in}
		}
		data := map[string]any{"action": "menu", "try_dial_operators": true, "dtmf": items}
		want := inner.Unify(ctx.Encode(data)).Validate(cue.Concrete(true)) == nil
		if got := uniqueKeys(map[string]any{"offices": map[string]any{"x": map[string]any{"routing_options": map[string]any{"open": data}}}}); got != want {
			t.Errorf("%q: uniqueKeys %v, #RoutingInner %v", l, got, want)
		}
		if want {
			accepted++
		}
	}
	if accepted < 10 || accepted == len(lists) {
		t.Fatalf("%d of %d lists accepted: the test tells nothing", accepted, len(lists))
	}
	for _, dtmf := range []any{"1", []any{"1"}, []any{map[string]any{"input": int64(1)}}, []any{map[string]any{}}} {
		if uniqueKeys(map[string]any{"dtmf": dtmf}) {
			t.Errorf("uniqueKeys(dtmf: %#v) accepts", dtmf)
		}
	}
}
