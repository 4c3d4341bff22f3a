package render

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/state"
)

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestColorEnabled(t *testing.T) {
	regular, err := os.Create(filepath.Join(t.TempDir(), "out.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer regular.Close()
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	// /dev/null is a character device, as a terminal is: it stands in for
	// one here.
	for _, tc := range []struct {
		name string
		f    *os.File
		env  map[string]string
		want bool
	}{
		{"char device", devNull, nil, true},
		{"NO_COLOR", devNull, map[string]string{"NO_COLOR": "1"}, false},
		{"NO_COLOR empty", devNull, map[string]string{"NO_COLOR": ""}, true},
		{"TERM=dumb", devNull, map[string]string{"TERM": "dumb"}, false},
		{"regular file", regular, nil, false},
		{"nil file", nil, nil, false},
	} {
		if got := ColorEnabled(tc.f, env(tc.env)); got != tc.want {
			t.Errorf("%s: ColorEnabled = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestRenderTextNoColorEnv(t *testing.T) {
	ds, st := enginetest.AllActions()
	p := enginetest.MustPlan(t, ds, st)
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	for _, noColor := range []string{"", "1"} {
		var b bytes.Buffer
		opts := TextOptions{Color: ColorEnabled(devNull, env(map[string]string{"NO_COLOR": noColor}))}
		if err := RenderText(&b, p, opts); err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Contains(b.String(), "\x1b["), noColor == ""; got != want {
			t.Errorf("NO_COLOR=%q: escape sequences in output = %v, want %v", noColor, got, want)
		}
	}
}

// TestRenderMarkdownLimit plans 3,000 new offices: the comment must stay
// under the limit with its table whole, list every key, then show as many
// details as fit and say how many it left out.
func TestRenderMarkdownLimit(t *testing.T) {
	var ds []load.Desired
	for i := 0; i < 3000; i++ {
		o := enginetest.Office(fmt.Sprintf("Office %d", i), "US")
		if i > 0 {
			enginetest.RouteTo(&o, fmt.Sprintf("office-%04d", i-1))
		}
		ds = append(ds, load.Desired{Key: fmt.Sprintf("office-%04d", i), Office: o})
	}
	p := enginetest.MustPlan(t, ds, state.New())
	var b bytes.Buffer
	if err := RenderMarkdown(&b, p); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if len(out) >= MarkdownLimit {
		t.Errorf("markdown is %d bytes, want under %d", len(out), MarkdownLimit)
	}
	if !strings.HasPrefix(out, MarkdownMarker+"\n") {
		t.Errorf("markdown does not start with %s", MarkdownMarker)
	}
	for _, row := range []string{"| create | 3000 |", "| update-e911 | 0 |", "| no-op | 0 |", "| manual | 0 |", "| orphan | 0 |", "| resume | 0 |", "creates 3000 offices"} {
		if !strings.Contains(out, row) {
			t.Errorf("markdown lacks %q", row)
		}
	}
	shown := strings.Count(out, "<details>")
	if shown != strings.Count(out, "</details>") || shown == 0 {
		t.Fatalf("%d <details> and %d </details>", shown, strings.Count(out, "</details>"))
	}
	// Every change is listed, compactly, before the details.
	list, _, _ := strings.Cut(out, "<details>")
	for i := 0; i < 3000; i++ {
		if !strings.Contains(list, fmt.Sprintf("`office-%04d`", i)) {
			t.Fatalf("the list before the details lacks office-%04d", i)
		}
	}
	if !strings.Contains(list, "\n- **create** (3000): `office-0000`, `office-0001`, ") {
		t.Errorf("the list does not start with the creates in plan order:\n%s", list[:min(len(list), 800)])
	}
	m := regexp.MustCompile("\n… the details of (\\d+) more changes are not shown \\(see `officectl plan` output\\)\n$").FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("markdown does not end with the not-shown line:\n…%s", out[len(out)-300:])
	}
	if n, _ := strconv.Atoi(m[1]); n != 3000-shown {
		t.Errorf("says %d more changes not shown; %d of 3000 shown", n, shown)
	}
	// Shown in plan order: office-0000, office-0001, …
	if want := fmt.Sprintf("<code>office-%04d</code>", shown-1); !strings.Contains(out, want) {
		t.Errorf("last detail shown is not %s", want)
	}
	// One more detail would not have fitted.
	if next := markdownDetails(&p.Changes[shown], plan.Invocation{}); len(out)-len(notShown(3000-shown))+len(next)+len(notShown(3000-shown-1)) < MarkdownLimit {
		t.Errorf("trimmed %d details although the next one fits", 3000-shown)
	}
}

func TestFenced(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"x\n", "```json\nx\n```\n"},
		{"a ``` b\n", "````json\na ``` b\n````\n"},
		{"`````\n", "``````json\n`````\n``````\n"},
	} {
		if got := fenced("json", tc.text); got != tc.want {
			t.Errorf("fenced(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestLineDiff(t *testing.T) {
	got := lineDiff("a\nb\nc\n", "a\nB\nc\nd\n")
	want := " a\n-b\n+B\n c\n+d\n"
	if got != want {
		t.Errorf("lineDiff = %q, want %q", got, want)
	}
}

func TestRenderTextPrintable(t *testing.T) {
	p := &plan.Plan{FormatVersion: 1, Changes: []plan.Change{{Key: "k", Action: plan.ActionOrphan, Name: "evil\x1b[2Jname"}}}
	var b bytes.Buffer
	if err := RenderText(&b, p, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "\x1b") || !strings.Contains(b.String(), "evil\uFFFD[2Jname") {
		t.Errorf("control character not replaced:\n%q", b.String())
	}
}

// TestRenderMarkdownManyGolden: the pull-request comment of 2,000 new
// offices lists every key, then as many bodies as fit.
func TestRenderMarkdownManyGolden(t *testing.T) {
	var ds []load.Desired
	for i := 0; i < 2000; i++ {
		ds = append(ds, load.Desired{Key: fmt.Sprintf("office-%04d", i), Office: enginetest.Office(fmt.Sprintf("Office %d", i), "DE")})
	}
	var b bytes.Buffer
	if err := RenderMarkdown(&b, enginetest.MustPlan(t, ds, state.New())); err != nil {
		t.Fatal(err)
	}
	if b.Len() >= MarkdownLimit {
		t.Errorf("markdown is %d bytes", b.Len())
	}
	golden(t, filepath.Join("testdata", "plan", "many_creates.md"), b.String())
}

// TestRenderMarkdownListTrimmed: when even the list of keys does not fit
// (3,000 keys of 63 characters), it names as many as fit and says how
// many it leaves out; the comment stays under the limit.
func TestRenderMarkdownListTrimmed(t *testing.T) {
	var ds []load.Desired
	for i := 0; i < 3000; i++ {
		ds = append(ds, load.Desired{Key: fmt.Sprintf("%04d-%s", i, strings.Repeat("x", 58)), Office: enginetest.Office(fmt.Sprintf("Office %d", i), "DE")})
	}
	var b bytes.Buffer
	if err := RenderMarkdown(&b, enginetest.MustPlan(t, ds, state.New())); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if len(out) >= MarkdownLimit || len(out) < MarkdownLimit-200 {
		t.Errorf("markdown is %d bytes, want just under %d", len(out), MarkdownLimit)
	}
	m := regexp.MustCompile("\n… (\\d+) more changes not listed \\(see `officectl plan` output\\)\n").FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no not-listed line:\n…%s", out[len(out)-300:])
	}
	listed := strings.Count(out, strings.Repeat("x", 58)+"`")
	if n, _ := strconv.Atoi(m[1]); n+listed != 3000 || listed < 500 {
		t.Errorf("%d listed, %d said left out, want 3000 in all", listed, n)
	}
	if strings.Contains(out, "<details>") {
		t.Errorf("details shown although the list did not fit")
	}
}
