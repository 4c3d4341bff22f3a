package schema

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"cuelang.org/go/cue"
	cuejson "cuelang.org/go/encoding/json"
	cueyaml "cuelang.org/go/encoding/yaml"
	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata")

const jsonSchemaGolden = "testdata/jsonschema.golden.json"

// TestJSONSchemaGolden compares `officectl schema --format jsonschema`
// with its golden file: go test ./schema -update rewrites it.
func TestJSONSchemaGolden(t *testing.T) {
	got, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(jsonSchemaGolden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(jsonSchemaGolden)
	if err != nil {
		t.Fatalf("%v (go test ./schema -update writes it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", jsonSchemaGolden, diff)
	}
}

// compileJSONSchema compiles the JSON Schema with a real validator.
func compileJSONSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	b, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("officectl.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("officectl.schema.json")
	if err != nil {
		t.Fatalf("the JSON Schema does not compile: %v", err)
	}
	return sch
}

// dataFile is one config file as officectl reads it: its CUE value, and
// the JSON an editor's validator sees.
type dataFile struct {
	name string
	v    cue.Value
	json any
}

// readData decodes a YAML, JSON or CUE file the way officectl does; ok is
// false for a file that does not parse (a syntax error, which an
// editor's parser reports, not its JSON Schema).
func readData(t *testing.T, ctx *cue.Context, name string, src []byte) (dataFile, bool) {
	t.Helper()
	var v cue.Value
	switch filepath.Ext(name) {
	case ".json":
		expr, err := cuejson.Extract(name, src)
		if err != nil {
			return dataFile{}, false
		}
		v = ctx.BuildExpr(expr)
	case ".yaml", ".yml":
		f, err := cueyaml.Extract(name, src)
		if err != nil {
			return dataFile{}, false
		}
		v = ctx.BuildFile(f)
	case ".cue":
		v = ctx.CompileBytes(src, cue.Filename(name))
	default:
		return dataFile{}, false
	}
	if v.Err() != nil {
		return dataFile{}, false
	}
	b, err := v.MarshalJSON()
	if err != nil {
		return dataFile{}, false
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return dataFile{name, v, doc}, true
}

// TestJSONSchemaAcceptsValidFiles validates the example and every valid
// fixture against the JSON Schema: what officectl accepts, an editor must
// not mark as wrong. The example's CUE files are checked as the data they
// evaluate to.
func TestJSONSchemaAcceptsValidFiles(t *testing.T) {
	sch := compileJSONSchema(t)
	var names []string
	for _, g := range []string{"../testdata/example/*", "../engine/load/testdata/decode/*", "../engine/load/testdata/plain/*"} {
		m, _ := filepath.Glob(g)
		names = append(names, m...)
	}
	ctx := NewContext()
	s, err := Compile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, name := range names {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, ok := readData(t, ctx, name, src)
		if !ok {
			t.Errorf("%s does not parse", name)
			continue
		}
		if _, diags := s.Validate(name, f.v, cue.Value{}); HasErrors(diags) {
			t.Errorf("%s is not valid: %v", name, diags)
			continue
		}
		if err := sch.Validate(f.json); err != nil {
			t.Errorf("%s: valid for officectl, rejected by the JSON Schema: %v", name, err)
		}
		checked++
	}
	if checked < 6 {
		t.Fatalf("checked %d files, want the example and the fixtures", checked)
	}
}

// notInJSONSchema lists the invalid fixtures whose only problem is a rule
// JSON Schema cannot express, and why: the JSON Schema must accept them
// (so that the list stays true), and officectl validate rejects them.
var notInJSONSchema = map[string]string{
	"dtmf_duplicate.txtar":         "DTMF inputs unique within a menu: uniqueItems compares whole items, not one property of each",
	"hours_equal.txtar":            "hours strictly ascending: JSON Schema cannot compare one item with the next",
	"hours_not_ascending.txtar":    "hours strictly ascending: JSON Schema cannot compare one item with the next",
	"hours_repeated_in_four.txtar": "hours strictly ascending: JSON Schema cannot compare one item with the next",
	"hours_odd.txtar":              "hours in open/close pairs: JSON Schema cannot require an even number of items",
	"dept_hours_odd.txtar":         "hours in open/close pairs: JSON Schema cannot require an even number of items",
	"cc_queue_dtmf_same_key.txtar": "two properties with the same value: JSON Schema cannot compare one property with another",
}

// TestJSONSchemaRejectsInvalidFixtures validates every YAML and JSON file
// of the invalid corpus that the CUE schema rejects on its own (without
// CUE policy, cross-file checks or officectl's own checks) against the
// JSON Schema: each must fail it, except those notInJSONSchema lists.
func TestJSONSchemaRejectsInvalidFixtures(t *testing.T) {
	sch := compileJSONSchema(t)
	paths, _ := filepath.Glob("../testdata/invalid/*.txtar")
	ctx := NewContext()
	s, err := Compile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var rejected, skipped []string
	for _, p := range paths {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(p)
		if c := string(ar.Comment); strings.Contains(c, `"invalid YAML`) || strings.Contains(c, `"invalid JSON`) {
			// A syntax error, which an editor's parser reports; some
			// (a YAML alias inside its own anchor) overflow the stack
			// of cue's decoder, which officectl checks for first.
			skipped = append(skipped, base+" (syntax)")
			continue
		}
		for _, file := range ar.Files {
			name := base + "/" + file.Name
			if ext := filepath.Ext(file.Name); ext != ".yaml" && ext != ".yml" && ext != ".json" {
				continue // CUE files are policy or CUE data: cue vet's job
			}
			f, ok := readData(t, ctx, file.Name, file.Data)
			if !ok {
				skipped = append(skipped, name+" (syntax)")
				continue
			}
			if _, diags := s.Validate(file.Name, f.v, cue.Value{}); !HasErrors(diags) {
				skipped = append(skipped, name+" (valid for the schema alone)")
				continue
			}
			err := sch.Validate(f.json)
			why, inexpressible := notInJSONSchema[base]
			switch {
			case inexpressible && err != nil:
				t.Errorf("%s: listed as inexpressible (%s), but the JSON Schema rejects it: %v", name, why, err)
			case !inexpressible && err == nil:
				t.Errorf("%s: officectl rejects it, the JSON Schema accepts it", name)
			case err != nil:
				rejected = append(rejected, name)
			}
		}
	}
	sort.Strings(skipped)
	t.Logf("rejected by the JSON Schema: %d files; not its job: %s", len(rejected), strings.Join(skipped, ", "))
	if len(rejected) < 60 {
		t.Errorf("only %d invalid fixtures rejected", len(rejected))
	}
}

// TestJSONSchemaE911 checks the if/then rule: an office in a country of
// #E911Countries needs e911_address; elsewhere it does not.
func TestJSONSchemaE911(t *testing.T) {
	sch := compileJSONSchema(t)
	office := func(country string, e911 bool) any {
		o := map[string]any{
			"name": "X", "country": country, "currency": "USD", "plan_period": "monthly",
			"invoiced": false, "unified_billing": true, "annual_commit_monthly_billing": false,
			"billing_address": map[string]any{"address_line_1": "1 Main St", "city": "C", "country": country, "postal_code": "1", "region": "R"},
		}
		if e911 {
			o["e911_address"] = map[string]any{"address": "1 Main St", "city": "C", "country": country, "state": "S", "zip": "1"}
		}
		b, _ := json.Marshal(map[string]any{"offices": map[string]any{"x": o}})
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	for _, c := range []string{"US", "CA", "AU", "FR", "GB", "NZ"} {
		if err := sch.Validate(office(c, false)); err == nil {
			t.Errorf("%s without e911_address passes the JSON Schema", c)
		}
		if err := sch.Validate(office(c, true)); err != nil {
			t.Errorf("%s with e911_address: %v", c, err)
		}
	}
	if err := sch.Validate(office("DE", false)); err != nil {
		t.Errorf("DE without e911_address: %v", err)
	}
}
