package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/state"
)

// hostile is text an attacker controls: escape sequences (colour, clear
// screen, window title), CR, LF followed by a GitHub workflow command, NUL,
// a bidirectional override, a C1 CSI and DEL. PWNED marks it, so that the
// test can tell it reached the output (sanitised).
const hostile = "Evil\x1b[31m\x1b]0;TITLE\x07\x1b[2J\r\n::error file=a.yaml::PWNED\u202eBIDI\x00NUL\u009b31m\x7f"

// hostileLine is hostile without line breaks or NUL: what a config file
// may hold in an office name.
const hostileLine = "Evil\x1b[31m\x1b]0;TITLE\x07\x1b[2J\u202ePWNED\u009b31m\x7f"

// hostileFile is a file name with an escape sequence, CR, LF followed by
// a workflow command, and a bidirectional override.
const hostileFile = "x\x1b[31m\r\n::error file=a.yaml::PWNED\u202e.yaml"

// TestHostileTextEveryCommand feeds hostile text through every command and
// every format: a config file name, an office name in the config, names
// in the state file (edited in Git), names from the API, and API error
// messages. Text, markdown and github output hold no raw control
// character, escape sequence or bidirectional override and no line that
// GitHub Actions would run as a workflow command (github output: only
// officectl's own); JSON output holds none raw either, and decodes back to
// exactly the hostile text.
func TestHostileTextEveryCommand(t *testing.T) {
	t.Parallel()
	const key = "hostile-test-key"
	root := t.TempDir()
	write := func(path, data string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	office := func(key, name string) string {
		// A YAML double-quoted string takes Go's ASCII escapes.
		b := strconv.QuoteToASCII(name)
		return fmt.Sprintf(`  %s:
    name: %s
    country: DE
    currency: EUR
    plan_period: monthly
    invoiced: false
    unified_billing: true
    annual_commit_monthly_billing: false
    billing_address: {address_line_1: Main St 1, city: Berlin, country: DE, postal_code: "10117", region: Berlin}
`, key, b)
	}
	// A directory with a hostile file name holding an invalid office.
	bad := filepath.Join(root, "bad")
	write(filepath.Join(bad, hostileFile), "offices:\n"+office("x", "X")+"    ring_seconds: 9\n")
	// A valid directory: one office with a hostile name.
	good := filepath.Join(root, "good")
	write(filepath.Join(good, "offices.yaml"), "offices:\n"+office("berlin", "Berlin")+office("evil", hostileLine))
	statePath := filepath.Join(root, "officectl.state")

	sim := officestest.NewServer(nil, officestest.Options{Token: key, RatePerMinute: -1})
	t.Cleanup(sim.Close)
	ids := sim.Seed(offices.Live{Name: hostile, Country: "de", State: "active"}, offices.Live{Name: "Ghost", Country: "de", State: "active"})
	// broken answers every request with an error that carries hostile
	// text: every other one a 503 (so that --debug logs a retry with it),
	// the rest 400.
	var requests atomic.Int64
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status := http.StatusBadRequest
		if requests.Add(1)%2 == 1 {
			status = http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": status, "message": hostile,
			"errors": []map[string]string{{"reason": "badRequest", "message": hostile}}}})
	}))
	t.Cleanup(broken.Close)

	env := map[string]string{"DIALPAD_API_KEY": key, "DIALPAD_API_URL": sim.URL, "NO_COLOR": "1"}
	type output struct {
		label, format string
		out, err      string
	}
	var outputs []output
	officectl := func(format string, args ...string) int {
		var out, errb bytes.Buffer
		code := run(args, stdio{in: strings.NewReader(""), out: &out, err: &errb, getenv: func(k string) string { return env[k] }})
		outputs = append(outputs, output{strings.Join(args, " "), format, out.String(), errb.String()})
		return code
	}

	// Diagnostics at a hostile file name, in every format and where plan
	// and apply print them.
	for _, f := range []string{"text", "json", "github"} {
		officectl(f, "validate", bad, "--format", f)
	}
	officectl("text", "plan", bad, "--state", statePath)
	officectl("text", "apply", bad, "--state", statePath, "--auto-approve")

	// Create both offices, then change them in Dialpad and give the state
	// an entry with a hostile name, as an edit in Git would.
	if code := officectl("text", "apply", good, "--state", statePath, "--auto-approve"); code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, outputs[len(outputs)-1].err)
	}
	for _, l := range sim.Offices() {
		if l.Name == "Berlin" {
			sim.Mutate(l.ID, func(l *offices.Live) { l.Name = hostile })
		}
	}
	store, err := state.Open(statePath, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = store.Update(func(st *state.State) error {
		st.Offices["ghost"] = &state.Entry{Status: state.Created, ID: fmt.Sprint(ids[1]), Name: hostile}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	store.Close()

	for _, f := range []string{"text", "markdown", "json"} {
		officectl(f, "plan", good, "--state", statePath, "--format", f)
		officectl(f, "plan", good, "--state", statePath, "--format", f, "--refresh")
		officectl(f, "drift", good, "--state", statePath, "--format", f)
	}
	officectl("json", "export", good)
	officectl("text", "import", good, "--state", statePath, "--dry-run")
	officectl("text", "state", "list", "--state", statePath)
	officectl("json", "state", "show", "ghost", "--state", statePath)

	// Every command that talks to the API, against one that answers with
	// hostile error messages.
	env["DIALPAD_API_URL"] = broken.URL
	officectl("text", "plan", good, "--state", statePath, "--refresh")
	officectl("text", "drift", good, "--state", statePath)
	officectl("text", "import", good, "--state", statePath)
	fresh := filepath.Join(root, "fresh.state")
	officectl("text", "apply", good, "--state", fresh, "--auto-approve", "--debug")
	officectl("json", "apply", good, "--state", filepath.Join(root, "fresh2.state"), "--auto-approve", "--format", "json")

	for _, o := range outputs {
		if !strings.Contains(o.out+o.err, "PWNED") {
			t.Errorf("officectl %s: the hostile text did not reach the output, so this proves nothing:\n%s%s", o.label, o.out, o.err)
		}
		for _, stream := range []struct{ name, text, format string }{{"stdout", o.out, o.format}, {"stderr", o.err, "text"}} {
			if bad := hostileLeak(stream.text, stream.format); bad != "" {
				t.Errorf("officectl %s: %s (%s) shows %s raw:\n%q", o.label, stream.name, stream.format, bad, stream.text)
			}
		}
		if o.format == "json" && strings.Contains(o.out, "PWNED") && !jsonHolds(t, o.out, hostile) && !jsonHolds(t, o.out, hostileLine) && !jsonHolds(t, o.out, hostileFile) {
			t.Errorf("officectl %s: JSON does not hold the hostile text exactly:\n%s", o.label, o.out)
		}
	}
	if testing.Verbose() {
		for _, o := range outputs {
			t.Logf("officectl %s\n%s%s", o.label, o.out, o.err)
		}
	}
}

// hostileLeak says what of text would act on a terminal or a CI log: a
// control character other than LF and TAB, a C1 control, a bidirectional
// override, invalid UTF-8, or a line that starts a workflow command
// (github format: one that is not officectl's own annotation).
func hostileLeak(text, format string) string {
	if !utf8.ValidString(text) {
		return "invalid UTF-8"
	}
	for _, r := range text {
		switch {
		case r == '\n', r == '\t':
		case r < 0x20, r >= 0x7f && r < 0xa0, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x2028, r == 0x2029:
			return fmt.Sprintf("%U", r)
		}
	}
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if !strings.HasPrefix(t, "::") && !strings.HasPrefix(t, "##[") {
			continue
		}
		if format == "github" && (strings.HasPrefix(line, "::error file=") || strings.HasPrefix(line, "::warning file=")) &&
			strings.Count(line, "::") == 2 {
			continue
		}
		return "a workflow command: " + line
	}
	return ""
}

// jsonHolds reports whether text is JSON (a value, or one per line) in
// which want appears as a whole string, or inside one.
func jsonHolds(t *testing.T, text, want string) bool {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(text))
	found := false
	for dec.More() {
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Errorf("not JSON: %v\n%s", err, text)
			return false
		}
		found = found || holds(v, want)
	}
	return found
}

func holds(v any, want string) bool {
	switch x := v.(type) {
	case string:
		return strings.Contains(x, want)
	case []any:
		for _, e := range x {
			if holds(e, want) {
				return true
			}
		}
	case map[string]any:
		for k, e := range x {
			if strings.Contains(k, want) || holds(e, want) {
				return true
			}
		}
	}
	return false
}
