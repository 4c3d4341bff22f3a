package load

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"cuelang.org/go/cue/ast"
	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/officectl/officectl/schema"
)

// sameAsFull validates one file both ways and reports whether the fast
// path took it; where it did, its result must be the full path's:
// offices, places and diagnostics alike.
func sameAsFull(t *testing.T, v *validator, name string, src []byte) bool {
	t.Helper()
	n, d := parse(name, src)
	if d != nil {
		return false
	}
	got, ok := v.fast(name, n)
	if !ok {
		return false
	}
	data, d := compileData(v.ctx, name, n)
	if d != nil {
		t.Errorf("%s: the fast path took a file the full path cannot compile: %s", name, d.Message)
		return true
	}
	want := v.check(name, data, v.pol)
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(fileResult{}, found{}, foundGroup{}, ref{})); diff != "" {
		t.Errorf("%s: fast path differs from the full path (-full +fast):\n%s\n%s", name, diff, src)
	}
	return true
}

// cornerCases are plain-looking data the two paths could read
// differently: each is an office file with one field replaced.
var cornerCases = []string{
	"ring_seconds: 0x1E", "ring_seconds: 030", "ring_seconds: 1_0", "ring_seconds: 20.0", "ring_seconds: +20",
	"ring_seconds: -20", "ring_seconds: 1e1", "ring_seconds: \"20\"", "ring_seconds: null", "ring_seconds: ~",
	"name: 007", "name: yes", "name: true", "name: 2001-12-14", "name: !!binary aGVsbG8=", "name: !!str 12",
	"name: 'single'", "name: \"tab\\there\"", "name: |\n      block", "name: >-\n      folded", "name: .inf",
	"hours_on: \"true\"", "hours_on: yes", "hours_on: on", "invoiced: False", "invoiced: FALSE",
	"mainline_number: +14155550100", "mainline_number: \"+14155550100\"",
	"routing_options: {open: {action: department, action_target_id: -5, try_dial_operators: false}, closed: {action: voicemail, try_dial_operators: false}}",
	"routing_options: {open: {action: department, action_target_id: 9223372036854775807, try_dial_operators: false}, closed: {action: voicemail, try_dial_operators: false}}",
	"routing_options: {open: {action: department, action_target_id: 9223372036854775808, try_dial_operators: false}, closed: {action: voicemail, try_dial_operators: false}}",
	"routing_options: {open: {action: department, action_target_id: -9223372036854775809, try_dial_operators: false}, closed: {action: voicemail, try_dial_operators: false}}",
	"monday_hours: [\"09:00\", \"17:00\"]", "monday_hours: [\"17:00\", \"09:00\"]", "monday_hours: [09:00, 17:00]",
	"hours_on: true\n    saturday_hours: [\"10:00\", \"12:00\"]", "timezone: Mars/Olympus", "timezone: Local",
	"<<: {hours_on: true}", "? complex\n    : key",
}

const cornerOffice = `offices:
  corner:
    name: Corner
    country: DE
    currency: EUR
    plan_period: monthly
    invoiced: false
    unified_billing: true
    annual_commit_monthly_billing: false
    billing_address: {address_line_1: Main Street 1, city: Berlin, country: DE, postal_code: "10117", region: Berlin}
`

// cornerFile is cornerOffice with the field c writes (c's first key)
// replaced by c.
func cornerFile(c string) string {
	key, _, _ := strings.Cut(c, ":")
	var b strings.Builder
	for _, line := range strings.SplitAfter(cornerOffice, "\n") {
		if !strings.HasPrefix(line, "    "+key+":") {
			b.WriteString(line)
		}
	}
	return b.String() + "    " + c + "\n"
}

// corpus returns YAML and JSON files to compare the paths on: the
// example, the decoder's corner cases, YAML merge keys and anchors, the
// invalid fixtures, the FuzzLoadConfig seeds and cornerCases.
func corpus(t testing.TB) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	var names []string
	for _, g := range []string{"../../testdata/example/*", "testdata/decode/*", "testdata/plain/*"} {
		m, _ := filepath.Glob(g)
		names = append(names, m...)
	}
	for _, name := range names {
		if ext := filepath.Ext(name); ext == ".yaml" || ext == ".json" {
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			files[name] = src
		}
	}
	fixtures, _ := filepath.Glob("../../testdata/invalid/*.txtar")
	for _, p := range fixtures {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			if ext := filepath.Ext(f.Name); ext == ".yaml" || ext == ".yml" || ext == ".json" {
				files[filepath.Base(p)+"/"+f.Name] = f.Data
			}
		}
	}
	seeds, _ := filepath.Glob("testdata/fuzz/FuzzLoadConfig/*")
	for _, p := range seeds {
		kind, src := readSeed(t, p)
		if ext := fuzzExts[kind%3]; ext != ".cue" {
			files[p+ext] = src
		}
	}
	for i, c := range cornerCases {
		files["corner"+strconv.Itoa(i)+".yaml"] = []byte(cornerFile(c))
	}
	return files
}

// readSeed reads a FuzzLoadConfig seed file (go test fuzz v1: a byte and
// a []byte).
func readSeed(t testing.TB, path string) (byte, []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) != 3 || lines[0] != "go test fuzz v1" {
		t.Fatalf("%s: not a seed of a byte and a []byte", path)
	}
	k, err1 := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "byte("), ")"))
	s, err2 := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[2], "[]byte("), ")"))
	if err1 != nil || err2 != nil || len(k) != 1 {
		t.Fatalf("%s: cannot read the seed: %v %v", path, err1, err2)
	}
	return k[0], []byte(s)
}

// TestFastPathSameAsFull checks that wherever the fast path takes a file
// its result is the full path's, that it takes the plain valid files, and
// that it takes none when the directory has CUE policy.
func TestFastPathSameAsFull(t *testing.T) {
	files := corpus(t)
	v := newValidator(nil)
	fast := map[string]bool{}
	for name, src := range files {
		fast[name] = sameAsFull(t, v, name, src)
	}
	// The plain valid files must take it, else it saves nothing.
	for _, name := range []string{"../../testdata/example/europe.yaml", "../../testdata/example/americas.json",
		"testdata/plain/merge.yaml", "testdata/plain/merge_flow.yaml", "testdata/plain/groups.yaml", "testdata/plain/groups.json",
		"corner11.yaml", "corner16.yaml", "corner28.yaml", "corner32.yaml"} {
		if !fast[name] {
			t.Errorf("%s took the full path", name)
		}
	}
	// And what is not plain data must not (hex, float, null, bytes, an
	// int beyond int64).
	for _, i := range []int{0, 3, 8, 14, 30} {
		if name := "corner" + strconv.Itoa(i) + ".yaml"; fast[name] {
			t.Errorf("%s (%q) took the fast path", name, cornerCases[i])
		}
	}

	pols, _ := filepath.Glob("../../testdata/example/*.cue")
	example, diags, err := readPolicy(nil, pols)
	if err != nil || len(diags) > 0 {
		t.Fatal(err, diags)
	}
	v = newValidator(example)
	for name, src := range files {
		if sameAsFull(t, v, name, src) {
			t.Errorf("%s took the fast path with CUE policy", name)
		}
	}
}

// TestPolicySeesFieldOrder is why files take the full path when there is
// CUE policy: a policy may read the order of a struct's fields, which
// Context.Encode sorts by name.
func TestPolicySeesFieldOrder(t *testing.T) {
	dir := t.TempDir()
	offices := strings.Replace(cornerOffice, "corner", "zeta", 1) + strings.NewReplacer("offices:\n  corner", "  alpha", "Corner", "Alpha").Replace(cornerOffice)
	policy := "import \"strings\"\n\noffices: [string]: group_description: strings.Join([for k, _ in offices {k}], \",\")\n"
	for name, src := range map[string]string{"offices.yaml": offices, "policy.cue": policy} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, diags, err := Load(dir, LoadOptions{})
	if err != nil || cfg == nil {
		t.Fatalf("Load: %v %v", err, diags)
	}
	for _, o := range cfg.Offices {
		if o.Office.GroupDescription != "zeta,alpha" {
			t.Errorf("%s: group_description %q, want the keys in the order written, \"zeta,alpha\"", o.Key, o.Office.GroupDescription)
		}
	}
}

// FuzzFastPath checks the fast path against the full path on arbitrary
// YAML (even kind) and JSON (odd kind), seeded with the corpus of
// TestFastPathSameAsFull.
func FuzzFastPath(f *testing.F) {
	for name, src := range corpus(f) {
		kind := fuzzKind(name)
		f.Add(kind, src)
	}
	var v *validator
	n := 0
	f.Fuzz(func(t *testing.T, kind byte, src []byte) {
		if v == nil || n%200 == 0 {
			v = newValidator(nil)
		}
		n++
		name := fuzzName(kind)
		sameAsFull(t, v, name, src)
	})
}

// TestBatchesSameAsOneByOne checks that validating files in batches
// (validator.files, Schema.AcceptsAll) changes nothing: the corpus in
// one directory, loaded in batches of up to 8 and of 1 file, gives the
// same diagnostics (the cross-file checks among them see the offices).
func TestBatchesSameAsOneByOne(t *testing.T) {
	dir := t.TempDir()
	i := 0
	for name, src := range corpus(t) {
		i++
		flat := strconv.Itoa(i) + "_" + strings.NewReplacer("/", "_", ".txtar", "").Replace(name)
		if err := os.WriteFile(filepath.Join(dir, flat), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The examples again, under other keys: valid files to share batches.
	for j := range 40 {
		src := strings.ReplaceAll(cornerOffice, "corner", "valid-"+strconv.Itoa(j))
		if err := os.WriteFile(filepath.Join(dir, "valid"+strconv.Itoa(j)+".yaml"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	load := func(batch int) []schema.Diagnostic {
		cfg, diags, err := Load(dir, LoadOptions{Workers: 2, batch: batch})
		if err != nil || cfg != nil {
			t.Fatalf("Load in batches of %d: %v, config %v: want diagnostics", batch, err, cfg != nil)
		}
		return diags
	}
	one, eight := load(1), load(8)
	if len(one) < 100 {
		t.Fatalf("%d diagnostics: the corpus should have more", len(one))
	}
	if diff := cmp.Diff(one, eight); diff != "" {
		t.Errorf("diagnostics in batches of 8 (-one by one +batches):\n%s", diff)
	}
}

// FuzzBatches checks that judging files together (Schema.AcceptsAll)
// gives each file the verdict it gets alone, on pairs of arbitrary YAML
// (even kind) or JSON (odd kind) files beside a valid one, seeded with
// the corpus of TestFastPathSameAsFull.
func FuzzBatches(f *testing.F) {
	files := corpus(f)
	var prev []byte
	for name, src := range files {
		kind := fuzzKind(name)
		if prev != nil {
			f.Add(kind, prev, src)
		}
		prev = src
	}
	valid, _, ok := newValidator(nil).plainTop(mustParse(f, "valid.yaml", []byte(cornerOffice)))
	if !ok {
		f.Fatal("cornerOffice is not plain data")
	}
	var v *validator
	n := 0
	f.Fuzz(func(t *testing.T, kind byte, a, b []byte) {
		if v == nil || n%100 == 0 {
			v = newValidator(nil)
		}
		n++
		name := fuzzName(kind)
		batch := []map[string]any{valid}
		for _, src := range [][]byte{a, b} {
			if tree, d := parse(name, src); d == nil {
				if top, _, ok := v.plainTop(tree); ok {
					batch = append(batch, top)
				}
			}
		}
		got := v.schema.AcceptsAll(batch)
		for i, top := range batch {
			if alone := v.schema.Accepts(top); got[i] != alone {
				t.Errorf("item %d of %d: %v in the batch, %v alone", i, len(batch), got[i], alone)
			}
		}
	})
}

// mustParse is parse that fails the test on a syntax error.
func mustParse(t testing.TB, name string, src []byte) ast.Node {
	t.Helper()
	n, d := parse(name, src)
	if d != nil {
		t.Fatalf("%s: %s", name, d.Message)
	}
	return n
}

// fuzzKind is the kind the fuzz targets give a corpus file: odd for JSON,
// even for YAML; fuzzName the file name they validate a kind's input as.
func fuzzKind(name string) byte {
	if strings.HasSuffix(name, ".json") {
		return 1
	}
	return 0
}

func fuzzName(kind byte) string {
	if kind%2 == 1 {
		return "office.json"
	}
	return "office.yaml"
}
