package writeback

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func apply(t *testing.T, name, src string, edits []Edit, opts Options) (string, []Manual) {
	t.Helper()
	format, ok := FormatOf(name)
	if !ok {
		t.Fatalf("no format for %s", name)
	}
	out, manual, err := Apply(File{Name: name, Format: format, Src: []byte(src)}, edits, opts)
	if err != nil {
		t.Fatal(err)
	}
	return string(out), manual
}

// TestGivenNode: a node tree given with an edit (as import --generate's
// encoder builds one) is written as it is, its comments with it.
func TestGivenNode(t *testing.T) {
	src := "# Groups.\ndepartments:\n  a:\n    office: berlin\n    name: A\n"
	id := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: "5100000000000001", LineComment: "office berlin, managed by officectl"}
	node := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Value: "office"}, {Kind: yaml.ScalarNode, Tag: "!!str", Value: "berlin", Style: yaml.DoubleQuotedStyle},
		{Kind: yaml.ScalarNode, Value: "name"}, {Kind: yaml.ScalarNode, Tag: "!!str", Value: "B", Style: yaml.DoubleQuotedStyle},
		{Kind: yaml.ScalarNode, Value: "action_target_id"}, id,
	}}
	out, _ := apply(t, "g.yaml", src, []Edit{{Path: []string{"departments", "b"}, Node: node}}, Options{})
	want := src + "  b:\n    office: \"berlin\"\n    name: \"B\"\n    action_target_id: 5100000000000001 # office berlin, managed by officectl\n"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	// In place of an object the file has: edited member by member,
	// what is new written as given.
	out, _ = apply(t, "g.yaml", src, []Edit{{Path: []string{"departments", "a"}, Node: node}}, Options{})
	want = "# Groups.\ndepartments:\n  a:\n    office: berlin\n    name: B\n    action_target_id: 5100000000000001 # office berlin, managed by officectl\n"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

// TestYAMLAnchorManual: a value shared through an anchor is not written
// (the other places would change with it); the rest is.
func TestYAMLAnchorManual(t *testing.T) {
	src := "x-hours: &h [\"08:00\", \"18:00\"]\ndepartments:\n  a:\n    monday_hours: *h\n    ring_seconds: 20\n"
	out, manual := apply(t, "a.yaml", src, []Edit{
		{Path: []string{"departments", "a", "monday_hours"}, Value: []byte(`["09:00", "18:00"]`)},
		{Path: []string{"departments", "a", "ring_seconds"}, Value: []byte(`25`)},
	}, Options{})
	if want := strings.Replace(src, "20", "25", 1); out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	if len(manual) != 1 || manual[0].Line != 4 || manual[0].Column != 19 || !strings.Contains(manual[0].Reason, "anchor or alias") {
		t.Errorf("manual = %v, want one at 4:19 naming the alias", manual)
	}
}

// TestPolicyCoversEveryFormat: a field a CUE policy sets for every
// office is reported at the policy in YAML and JSON files too, and
// nothing is written.
func TestPolicyCoversEveryFormat(t *testing.T) {
	pol := Options{Policy: []File{{Name: "policy.cue", Format: CUE, Src: []byte("offices: [string]: auto_call_recording: true\n")}}}
	edit := []Edit{{Path: []string{"offices", "berlin", "auto_call_recording"}, Value: []byte(`false`)}}
	for name, src := range map[string]string{
		"o.yaml": "offices:\n  berlin:\n    name: Berlin\n",
		"o.json": "{\n  \"offices\": {\n    \"berlin\": {\n      \"name\": \"Berlin\"\n    }\n  }\n}\n",
		"o.cue":  "offices: berlin: {\n\tname: \"Berlin\"\n}\n",
	} {
		out, manual := apply(t, name, src, edit, pol)
		if out != src {
			t.Errorf("%s: written:\n%s", name, out)
		}
		if len(manual) != 1 || manual[0].String() != "policy.cue:1:20: manual: offices.berlin.auto_call_recording: "+manual[0].Reason {
			t.Errorf("%s: manual = %v, want one at policy.cue:1:20", name, manual)
		}
	}
	// A whole office is the policy's to complete, not a conflict.
	_, manual := apply(t, "o.yaml", "offices:\n  berlin:\n    name: Berlin\n",
		[]Edit{{Path: []string{"offices", "paris"}, Value: []byte(`{"name": "Paris"}`)}}, pol)
	if len(manual) != 0 {
		t.Errorf("adding an office: manual = %v", manual)
	}
}

// TestLineEndings: a file with CRLF line endings gets CRLF in what is
// added.
func TestLineEndings(t *testing.T) {
	src := "offices:\r\n  berlin:\r\n    name: Berlin\r\n"
	out, _ := apply(t, "o.yaml", src, []Edit{
		{Path: []string{"offices", "berlin", "timezone"}, Value: []byte(`"Europe/Berlin"`)},
		{Path: []string{"offices", "berlin", "name"}, Value: []byte(`"Berlin Mitte"`)},
	}, Options{})
	if want := "offices:\r\n  berlin:\r\n    name: Berlin Mitte\r\n    timezone: Europe/Berlin\r\n"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

// TestEmptyFile: an edit to an empty file (or one of comments) writes
// the value below the comments.
func TestEmptyFile(t *testing.T) {
	out, _ := apply(t, "e.yaml", "# nothing yet\n", []Edit{{Path: []string{"departments", "a", "name"}, Value: []byte(`"A"`)}}, Options{})
	if want := "# nothing yet\ndepartments:\n  a:\n    name: \"A\"\n"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
	out, _ = apply(t, "e.json", "{}\n", []Edit{{Path: []string{"departments", "a", "name"}, Value: []byte(`"A"`)}}, Options{})
	if want := "{\n  \"departments\": {\n    \"a\": {\n      \"name\": \"A\"\n    }\n  }\n}\n"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

// TestErrors: what Apply refuses, each naming the file and what is
// wrong, with nothing written.
func TestErrors(t *testing.T) {
	yamlSrc := "offices:\n  berlin:\n    name: Berlin\n    monday_hours: [\"08:00\", \"18:00\"]\n"
	for _, c := range []struct {
		name, src string
		edit      Edit
		want      string
		is        error
	}{
		{"o.yaml", yamlSrc, Edit{Path: []string{"offices", "berlin", "name", "x"}, Value: []byte(`1`)}, "o.yaml: offices.berlin.name.x:", ErrPath},
		{"o.yaml", yamlSrc, Edit{Path: []string{"offices", "berlin", "monday_hours", "5"}, Value: []byte(`"x"`)}, "not an element of a list of 2", ErrPath},
		{"o.yaml", yamlSrc, Edit{Path: []string{"offices"}, Value: []byte(`{"a": `)}, "o.yaml: the new value of offices:", nil},
		{"o.yaml", yamlSrc, Edit{Path: []string{"offices"}, Value: []byte(`{"a": 1, "a": 2}`)}, `key "a" given twice`, nil},
		{"o.yaml", yamlSrc, Edit{}, "an edit without a path", nil},
		{"o.yaml", "a: [\n", Edit{Path: []string{"a"}, Value: []byte(`1`)}, "o.yaml: yaml:", nil},
		{"o.yaml", "a: 1\n---\nb: 2\n", Edit{Path: []string{"a"}, Value: []byte(`1`)}, "more than one YAML document", nil},
		{"o.json", "{\"a\": [1,}", Edit{Path: []string{"a"}, Value: []byte(`1`)}, "o.json: at byte", nil},
		{"o.json", "[1]", Edit{Path: []string{"a"}, Value: []byte(`1`)}, "not a JSON object", nil},
		{"o.cue", "a: {", Edit{Path: []string{"a"}, Value: []byte(`1`)}, "o.cue:", nil},
	} {
		format, _ := FormatOf(c.name)
		out, _, err := Apply(File{Name: c.name, Format: format, Src: []byte(c.src)}, []Edit{c.edit}, Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) || out != nil {
			t.Errorf("%s %v: err = %v, want one containing %q and no output", c.name, c.edit.Path, err, c.want)
		}
		if c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("%s %v: err = %v, want errors.Is %v", c.name, c.edit.Path, err, c.is)
		}
	}
}

// TestDeleteLastField: removing every field of an object leaves an
// empty object, written on its line.
func TestDeleteLastField(t *testing.T) {
	src := "departments:\n  a:\n    hold_queue:\n      max_hold_count: 5\n    name: A\n"
	out, _ := apply(t, "d.yaml", src, []Edit{{Path: []string{"departments", "a", "hold_queue"}, Value: []byte(`{}`)}}, Options{})
	if want := "departments:\n  a:\n    hold_queue: {}\n    name: A\n"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

// TestLongListWrittenWhole: lists too long to align element by element
// (the table would pass maxAlign) are written whole, still correct.
func TestLongListWrittenWhole(t *testing.T) {
	var b, want strings.Builder
	b.WriteString("departments:\n  a:\n    operators:\n")
	want.WriteString("departments:\n  a:\n    operators:\n")
	var ops []string
	for i := range 1100 {
		fmt.Fprintf(&b, "      - {room: %d}\n", i)
		if i != 5 {
			fmt.Fprintf(&want, "      - {room: %d}\n", i)
			ops = append(ops, fmt.Sprintf(`{"room": %d}`, i))
		}
	}
	out, _ := apply(t, "l.yaml", b.String(), []Edit{{Path: []string{"departments", "a", "operators"}, Value: []byte("[" + strings.Join(ops, ",") + "]")}}, Options{})
	if out != want.String() {
		t.Errorf("got %d bytes, want %d", len(out), want.Len())
	}
}
