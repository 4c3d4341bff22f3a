package load

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/officectl/officectl/schema"
)

// expectLine is one "expect FILE:LINE PATH "MESSAGE PART"" line of an
// invalid fixture's comment.
var expectLine = regexp.MustCompile(`^expect (\S+):(\d+) (\S+|-) (".*")$`)

// errorsLine is an "errors N" line of an invalid fixture's comment: the
// fixture reports exactly N errors, so that a problem explained once is not
// echoed by others.
var errorsLine = regexp.MustCompile(`^errors (\d+)$`)

// TestInvalidFixtures loads every testdata/invalid/*.txtar config and
// checks that each problem its comment expects is reported as an error at
// that file, line and path, with that message; the whole output of all of
// them is compared with testdata/invalid/all.golden.
func TestInvalidFixtures(t *testing.T) {
	paths, err := filepath.Glob("../../testdata/invalid/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range paths {
		if paths[i], err = filepath.Abs(p); err != nil {
			t.Fatal(err)
		}
	}
	goldenPath, err := filepath.Abs("../../testdata/invalid/all.golden")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 50 {
		t.Fatalf("found %d invalid fixtures, want at least 50", len(paths))
	}
	var all strings.Builder
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), ".txtar")
		ar, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		for _, f := range ar.Files {
			if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Chdir(dir) // file names in messages are then as a user sees them
		cfg, diags, err := Load(".", LoadOptions{})
		if err != nil {
			t.Errorf("%s: Load: %v", name, err)
			continue
		}
		if cfg != nil {
			t.Errorf("%s: config loaded as valid", name)
		}
		for i := range diags {
			diags[i].File = strings.TrimPrefix(diags[i].File, dir+string(filepath.Separator))
		}
		fmt.Fprintf(&all, "# %s\n", name)
		for _, d := range diags {
			fmt.Fprintln(&all, d.String())
		}
		expects := 0
		for _, line := range strings.Split(string(ar.Comment), "\n") {
			if line == "" {
				continue
			}
			if m := errorsLine.FindStringSubmatch(line); m != nil {
				want, _ := strconv.Atoi(m[1])
				if got := countErrors(diags); got != want {
					t.Errorf("%s: %d errors, want %d:\n%s", name, got, want, fmtDiags(diags))
				}
				continue
			}
			m := expectLine.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("%s: bad expect line %q", name, line)
			}
			expects++
			wantLine, _ := strconv.Atoi(m[2])
			wantPath := m[3]
			if wantPath == "-" {
				wantPath = ""
			}
			wantMsg, err := strconv.Unquote(m[4])
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !hasDiag(diags, m[1], wantLine, wantPath, wantMsg) {
				t.Errorf("%s: no error at %s:%d %s containing %q; got:\n%s", name, m[1], wantLine, wantPath, wantMsg, fmtDiags(diags))
			}
		}
		if expects == 0 {
			t.Errorf("%s: fixture expects nothing", name)
		}
	}
	golden(t, goldenPath, all.String())
}

func countErrors(diags []schema.Diagnostic) int {
	n := 0
	for _, d := range diags {
		if d.Severity == schema.Error {
			n++
		}
	}
	return n
}

func hasDiag(diags []schema.Diagnostic, file string, line int, path, msg string) bool {
	for _, d := range diags {
		if d.Severity == schema.Error && d.File == file && d.Line == line && d.Path == path && strings.Contains(d.Message, msg) {
			return true
		}
	}
	return false
}

func fmtDiags(diags []schema.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString("  " + d.String() + "\n")
	}
	return b.String()
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./engine/load -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func TestExampleIsValid(t *testing.T) {
	cfg, diags, err := Load("../../testdata/example", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg == nil {
		t.Fatalf("example invalid:\n%s", fmtDiags(diags))
	}
	if len(diags) != 0 {
		t.Errorf("example has diagnostics:\n%s", fmtDiags(diags))
	}
	countries := map[string]bool{}
	byKey := map[string]Desired{}
	for _, d := range cfg.Offices {
		countries[d.Office.Country] = true
		byKey[d.Key] = d
		if !d.Office.AutoCallRecording {
			t.Errorf("%s: policy.cue's auto_call_recording: true not applied", d.Key)
		}
	}
	if len(cfg.Offices) < 8 || len(countries) < 6 {
		t.Errorf("example has %d offices in %d countries, want at least 8 in 6", len(cfg.Offices), len(countries))
	}
	if got := byKey["munich"].Office.References(); !cmp.Equal(got, []string{"berlin"}) {
		t.Errorf("munich refers to %v, want [berlin]", got)
	}
	if tokyo := byKey["tokyo"].Office; tokyo.BillingContact == nil || tokyo.BillingContact.Email != "finance-apac@example.com" {
		t.Errorf("tokyo from apac.cue: billing contact %+v", tokyo.BillingContact)
	}
	// Defaults filled.
	paris := byKey["paris"].Office
	if !cmp.Equal(paris.MondayHours, []string{"08:00", "18:00"}) || paris.SaturdayHours == nil || len(paris.SaturdayHours) != 0 || paris.HoursOn {
		t.Errorf("paris defaults not filled: %+v", paris)
	}
}

// TestBoundariesValid checks the edges of ranges that must pass.
func TestBoundariesValid(t *testing.T) {
	base := `offices:
  office:
    name: Lisbon
    country: PT
    currency: EUR
    plan_period: monthly
    invoiced: false
    unified_billing: true
    annual_commit_monthly_billing: false
    billing_address: {address_line_1: x, city: Lisbon, country: PT, postal_code: "1100", region: Lisboa}
`
	for name, extra := range map[string]string{
		"ring_seconds_10": "ring_seconds: 10",
		"ring_seconds_45": "ring_seconds: 45",
		"description_256": "group_description: " + strings.Repeat("é", 256),
		"hours_edges":     "hours_on: true\n    monday_hours: [\"00:00\", \"23:59\"]",
		"hours_empty":     "hours_on: true\n    monday_hours: []",
		"dtmf_all_digits": "routing_options:\n      open: {action: menu, try_dial_operators: false, dtmf: [{input: \"0\"}, {input: \"9\"}]}\n      closed: {action: voicemail, try_dial_operators: false}",
		"target_id_max":   "routing_options:\n      open: {action: department, try_dial_operators: false, action_target_id: 9223372036854775807}\n      closed: {action: voicemail, try_dial_operators: false}",
		"target_id_str":   "routing_options:\n      open: {action: department, try_dial_operators: false, action_target_id: 5100000000000000}\n      closed: {action: voicemail, try_dial_operators: false}",
		"e911_not_needed": "e911_address: {address: x, city: Lisbon, country: PT, state: L, zip: \"1100\"}",
		"mainline":        "mainline_number: \"+351211234567\"",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "o.yaml"), []byte(base+"    "+extra+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, diags, err := Load(dir, LoadOptions{})
			if err != nil || cfg == nil {
				t.Fatalf("err %v, diagnostics:\n%s", err, fmtDiags(diags))
			}
		})
	}
}

// TestHoursWithoutHoursOnWarns: hours written while hours_on is false
// are ignored, worth a warning, unless they say nothing the office does
// not have anyway: [] or the day's default (what export writes). With
// CUE policy (the full path) as without.
func TestHoursWithoutHoursOnWarns(t *testing.T) {
	src := `{"offices": {"o": {"name": "O", "country": "PT", "currency": "EUR", "plan_period": "monthly", "invoiced": false,
"unified_billing": true, "annual_commit_monthly_billing": false, "monday_hours": ["09:00", "17:00"],
"tuesday_hours": ["08:00", "18:00"], "saturday_hours": [], "wednesday_hours": [],
"billing_address": {"address_line_1": "x", "city": "L", "country": "PT", "postal_code": "1", "region": "L"}}}}`
	for _, policy := range []string{"", "offices: [string]: auto_call_recording: false\n"} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "o.json"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		if policy != "" {
			if err := os.WriteFile(filepath.Join(dir, "policy.cue"), []byte(policy), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cfg, diags, err := Load(dir, LoadOptions{})
		if err != nil || cfg == nil {
			t.Fatalf("err %v, diagnostics:\n%s", err, fmtDiags(diags))
		}
		if len(diags) != 1 || diags[0].Severity != schema.Warning || diags[0].Path != "offices.o.monday_hours" || diags[0].Line != 2 {
			t.Errorf("policy %q: want one warning at o.json:2 offices.o.monday_hours, got:\n%s", policy, fmtDiags(diags))
		}
	}
}

func TestEmptyDirIsError(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "README.md"), []byte("# offices"), 0o644)
	os.MkdirAll(filepath.Join(dir, ".hidden"), 0o755)
	os.WriteFile(filepath.Join(dir, ".hidden", "x.yaml"), []byte("offices: {}"), 0o644)
	_, _, err := Load(dir, LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "no office files") {
		t.Fatalf("err = %v, want no office files", err)
	}
	if _, _, err := Load(filepath.Join(dir, "missing"), LoadOptions{}); err == nil {
		t.Fatal("missing directory loaded")
	}
}

func TestSkipsStateFile(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	os.WriteFile(state, []byte(`{"version": 1}`), 0o600)
	_, _, err := Load(dir, LoadOptions{Skip: []string{state}})
	if err == nil || !strings.Contains(err.Error(), "no office files") {
		t.Fatalf("err = %v: the state file was read as config", err)
	}
}

// TestYAMLDecoderTraps checks the inputs that crashed cue's YAML decoder
// (FuzzFastPath found both) are one diagnostic each, at the place.
func TestYAMLDecoderTraps(t *testing.T) {
	for _, tc := range []struct {
		src, want string
	}{
		{"\r\r00", "o.yaml:1:1: error: invalid YAML: a carriage return (\\r) without a line feed: save the file with \\n or \\r\\n line endings"},
		{"offices:\n  a: {b: 1}\r  c: 2\n", "o.yaml:2:12: error: invalid YAML: a carriage return (\\r) without a line feed: save the file with \\n or \\r\\n line endings"},
		{"offices:\n  a: &base {<<: *base, name: Same}\n", "o.yaml:2:17: error: invalid YAML: alias *base is inside the value of its own anchor &base"},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "o.yaml"), []byte(tc.src), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Chdir(dir)
		_, diags, err := Load(".", LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(diags) != 1 || diags[0].String() != tc.want {
			t.Errorf("%q: got %v, want %s", tc.src, diags, tc.want)
		}
	}
}

// TestYAMLSyntaxErrorPlace checks a YAML syntax error is reported at the
// line that holds the problem: never past the end of the file (the
// decoder's own line is one too far for some errors, and names where the
// enclosing mapping starts for others), with a hint in the user's terms
// for the common ones (tabs, indentation, a missing ':', an unquoted ": ",
// an unclosed [ or quote).
func TestYAMLSyntaxErrorPlace(t *testing.T) {
	for _, tc := range []struct {
		src, want string
	}{
		{"offices:\n  a:\n    name: x\n    b: @1\n", "o.yaml:4:8: error: invalid YAML: found character that cannot start any token"},
		{"offices:\n  a:\n    name: x\n    b: `x`", "o.yaml:4:8: error: invalid YAML: found character that cannot start any token"},
		{"offices:\n  a:\n    name: x\n\tb: 1\n", "o.yaml:4:1: error: invalid YAML: a tab in the indentation of line 4: YAML indents with spaces only; replace the tab with spaces"},
		{"offices:\n\ta:\n    name: x\n", "o.yaml:2:1: error: invalid YAML: a tab in the indentation of line 2: YAML indents with spaces only; replace the tab with spaces"},
		{"offices:\n  a:\n    name: x\n  \tb: 1\n", "o.yaml:4:3: error: invalid YAML: a tab in the indentation of line 4: YAML indents with spaces only; replace the tab with spaces"},
		{"offices:\n  a:\n    name: x\n    b: c: d\n", `o.yaml:4:5: error: invalid YAML: mapping values are not allowed in this context (a value holding ": " must be quoted: b: "c: d")`},
		{"offices:\n  a:\n    name: x\n      b: 1\n", "o.yaml:4:7: error: invalid YAML: mapping values are not allowed in this context: line 4 is indented by 6 spaces, more than line 3 (name: x), which already has a value: indent it by 4 like line 3, or end line 3 with ':' if it should hold line 4"},
		{"offices:\n  a:\n    name: x\n   b: 1\n    c: 2\n", "o.yaml:4:4: error: invalid YAML: did not find expected key: line 4 is indented by 3 spaces, line 3 by 4: the fields of one mapping (and the items of one list) line up; indent line 4 like the field it belongs with"},
		{"offices:\n  a:\n    name: x\n  - b\n", "o.yaml:4:3: error: invalid YAML: did not find expected key: line 4 is indented by 2 spaces, line 3 by 4: the fields of one mapping (and the items of one list) line up; indent line 4 like the field it belongs with"},
		{"offices:\n  a:\n    name x\n    b: 1\n", "o.yaml:3:5: error: invalid YAML: could not find expected ':': line 3 (name x) has no ':' after its key, so YAML reads line 4 as more of its text: write KEY: VALUE"},
		{"offices:\n  a:\n    b: 1\n    name x\n", "o.yaml:4:5: error: invalid YAML: could not find expected ':': line 4 has no ':' after its key: write KEY: VALUE (or, in a list, - VALUE)"},
		{"offices:\n  a:\n    h: [\"08:00\"\n    b: 1\n", "o.yaml:3:1: error: invalid YAML: did not find expected ',' or ']': a [ or { on line 3 is not closed: close it on that line, or separate its items with commas"},
		{"offices:\n  a:\n    name: \"x\n", "o.yaml:3:1: error: invalid YAML: found unexpected end of stream: a quoted string on line 3 is not closed: add the closing quote"},
		{"@offices: 1\n", "o.yaml:1:1: error: invalid YAML: found character that cannot start any token"},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "o.yaml"), []byte(tc.src), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Chdir(dir)
		_, diags, err := Load(".", LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(diags) != 1 || diags[0].String() != tc.want {
			t.Errorf("%q: got %v, want %s", tc.src, diags, tc.want)
		}
	}
}

// TestTimezoneProblemCached checks that timezoneProblem's remembered
// answers are its first ones, and that made-up names stop being
// remembered at maxZones.
func TestTimezoneProblemCached(t *testing.T) {
	zones.Lock()
	saved := zones.problem
	zones.problem = map[string]string{}
	zones.Unlock()
	t.Cleanup(func() {
		zones.Lock()
		zones.problem = saved
		zones.Unlock()
	})
	for _, tz := range []string{"Europe/Berlin", "America/New_York", "Mars/Olympus", "Local", "UTC", "../../etc/passwd"} {
		first := timezoneProblem(tz)
		if bad := tz == "Mars/Olympus" || tz == "Local" || strings.HasPrefix(tz, ".."); bad != (first != "") {
			t.Errorf("timezoneProblem(%q) = %q", tz, first)
		}
		if again := timezoneProblem(tz); again != first {
			t.Errorf("timezoneProblem(%q): %q, then %q", tz, first, again)
		}
	}
	for i := range maxZones + 10 {
		timezoneProblem("Made/Up" + strconv.Itoa(i))
	}
	zones.Lock()
	n := len(zones.problem)
	zones.Unlock()
	if n > maxZones {
		t.Errorf("%d time zones remembered, at most %d", n, maxZones)
	}
	if timezoneProblem("Made/Up"+strconv.Itoa(maxZones+5)) == "" {
		t.Error("a name not remembered is not checked")
	}
}
