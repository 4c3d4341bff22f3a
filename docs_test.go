package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// The manual: README.md, the entrance, and docs/. These tests keep it
// true: its links lead somewhere, its snippets parse and name commands and
// flags that exist, and the README's tutorial and adoption sections run
// as written against the simulator.

// manualPages is README.md and every page under docs/.
func manualPages(t *testing.T) []string {
	t.Helper()
	pages := []string{"README.md"}
	err := filepath.WalkDir("docs", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			pages = append(pages, filepath.ToSlash(p))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return pages
}

// fence is a fenced code block of a page: its info string, its text,
// the line it starts at and the heading it sits under.
type fence struct {
	lang, text, heading string
	line                int
}

// mdParts splits a page into its prose (code blocks blanked, so that
// links and headings inside them are not taken for the page's) and its
// code blocks.
func mdParts(src string) (prose []string, fences []fence) {
	var cur *fence
	heading := ""
	for i, line := range strings.Split(src, "\n") {
		if strings.HasPrefix(line, "```") {
			if cur == nil {
				cur = &fence{lang: strings.TrimSpace(line[3:]), line: i + 1, heading: heading}
			} else {
				fences = append(fences, *cur)
				cur = nil
			}
			prose = append(prose, "")
			continue
		}
		if cur != nil {
			cur.text += line + "\n"
			prose = append(prose, "")
			continue
		}
		if strings.HasPrefix(line, "#") {
			heading = line
		}
		prose = append(prose, line)
	}
	return prose, fences
}

// anchors are the ids GitHub gives the headings of a page: lower case,
// punctuation other than - and _ dropped, spaces as -, a repeated one
// numbered -1, -2, ...
func anchors(src string) map[string]bool {
	prose, _ := mdParts(src)
	ids := map[string]bool{}
	seen := map[string]int{}
	drop := regexp.MustCompile(`[^\p{L}\p{N} _-]`)
	for _, line := range prose {
		m := regexp.MustCompile(`^#{1,6} (.*)$`).FindStringSubmatch(line)
		if m == nil {
			continue
		}
		id := strings.ReplaceAll(drop.ReplaceAllString(strings.ToLower(strings.TrimSpace(m[1])), ""), " ", "-")
		if n := seen[id]; n > 0 {
			ids[fmt.Sprintf("%s-%d", id, n)] = true
		} else {
			ids[id] = true
		}
		seen[id]++
	}
	return ids
}

var mdLink = regexp.MustCompile(`\[[^\]]*\]\(([^)\s]+)\)`)

// TestDocLinks: every relative link of the manual leads to a file that
// exists, and every #anchor to a heading of its page.
func TestDocLinks(t *testing.T) {
	checked := 0
	for _, page := range manualPages(t) {
		src, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		prose, _ := mdParts(string(src))
		for n, line := range prose {
			line = regexp.MustCompile("`[^`]*`").ReplaceAllString(line, "")
			for _, m := range mdLink.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				checked++
				file, anchor, _ := strings.Cut(target, "#")
				path := page
				if file != "" {
					path = filepath.ToSlash(filepath.Clean(filepath.Join(filepath.Dir(page), file)))
				}
				text, err := os.ReadFile(path)
				if err != nil {
					t.Errorf("%s:%d: link %s: %v", page, n+1, target, err)
					continue
				}
				if anchor != "" && !anchors(string(text))[anchor] {
					t.Errorf("%s:%d: link %s: %s has no heading #%s", page, n+1, target, path, anchor)
				}
			}
		}
	}
	if checked < 30 {
		t.Errorf("checked %d links, want at least 30: is the link pattern still right?", checked)
	}
}

// TestDocAnchors checks the anchor rule of TestDocLinks against headings
// whose GitHub ids are known.
func TestDocAnchors(t *testing.T) {
	got := anchors("# Adopting an existing Dialpad company\n## Plans\n## Plans\n### `plan --refresh`: drift!\n```\n# not a heading\n```\n")
	for _, want := range []string{"adopting-an-existing-dialpad-company", "plans", "plans-1", "plan---refresh-drift"} {
		if !got[want] {
			t.Errorf("no anchor %q in %v", want, got)
		}
	}
	if got["not-a-heading"] {
		t.Error("a line in a code block was taken for a heading")
	}
}

// TestDocSnippets: every snippet of the manual parses as what it says it
// is (sh, json, yaml), and every officectl command line in a sh snippet
// names a command, subcommand and flags that exist.
func TestDocSnippets(t *testing.T) {
	commandsChecked := 0
	for _, page := range manualPages(t) {
		if strings.HasPrefix(page, commandDocsDir+"/") {
			continue // generated from the help, checked by TestCommandDocs
		}
		src, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		_, fences := mdParts(string(src))
		for _, f := range fences {
			where := fmt.Sprintf("%s:%d", page, f.line)
			switch f.lang {
			case "sh":
				for _, args := range officectlLines(f.text) {
					checkCommandLine(t, where, args)
					commandsChecked++
				}
			case "json":
				text := strings.TrimSpace(f.text)
				if strings.HasPrefix(text, `"`) {
					text = "{" + text + "}" // a fragment: one field of a state or plan
				}
				dec := json.NewDecoder(strings.NewReader(text))
				for dec.More() {
					var v any
					if err := dec.Decode(&v); err != nil {
						t.Errorf("%s: json snippet does not parse: %v", where, err)
						break
					}
				}
			case "yaml":
				var v any
				if err := yaml.Unmarshal([]byte(f.text), &v); err != nil {
					t.Errorf("%s: yaml snippet does not parse: %v", where, err)
				}
			}
		}
	}
	if commandsChecked < 40 {
		t.Errorf("checked %d officectl command lines, want at least 40", commandsChecked)
	}
}

// officectlLines returns the arguments of every officectl command line of
// a shell snippet (officectl or ./officectl first on a line, or after
// "$(" or "&&"), without redirections, pipes and comments.
func officectlLines(text string) [][]string {
	var out [][]string
	start := regexp.MustCompile(`(?:^|\$\(|&& |\|\| )\s*(?:\./)?officectl (.*)$`)
	for _, line := range strings.Split(text, "\n") {
		m := start.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		cmd := m[1]
		if i := strings.Index(cmd, " #"); i >= 0 {
			cmd = cmd[:i]
		}
		if i := strings.IndexAny(cmd, "|>&;)"); i >= 0 {
			cmd = cmd[:i]
		}
		args := shellFields(strings.TrimSpace(cmd))
		if len(args) > 0 {
			out = append(out, args)
		}
	}
	return out
}

// TestNewcomerPath follows the README as a newcomer would: the tutorial
// and "Adopting an existing company", every sh block in order, run by
// bash exactly as written (officectl is this test binary on PATH; the
// simulator's port 8089 becomes a free one, and $EDITOR fills in the
// TODOs of the generated files as the newcomer would). The last command,
// plan --detailed-exitcode, must exit 0.
func TestNewcomerPath(t *testing.T) {
	if testing.Short() {
		t.Skip("runs officectl some thirty times against a simulator: not in -short")
	}
	t.Parallel()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skipf("no bash: %v", err)
	}
	if _, err := exec.LookPath("officectl"); err != nil {
		t.Fatalf("officectl is not on PATH (TestMain puts this test binary there): %v", err)
	}
	src, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var script strings.Builder
	blocks := 0
	_, fences := mdParts(string(src))
	for _, f := range fences {
		if f.lang == "sh" && (strings.HasPrefix(f.heading, "## Tutorial") || f.heading == "## Adopting an existing company") {
			script.WriteString(f.text)
			blocks++
		}
	}
	if blocks < 6 {
		t.Fatalf("found %d sh blocks in the tutorial and adoption sections, want at least 6", blocks)
	}
	if !strings.Contains(script.String(), "127.0.0.1:8089") {
		t.Fatal("the tutorial no longer starts the simulator on 127.0.0.1:8089")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	tmp := t.TempDir()
	editor := filepath.Join(tmp, "fill-todos")
	if err := os.WriteFile(editor, []byte(fillTODOs), 0o755); err != nil {
		t.Fatal(err)
	}
	body := strings.ReplaceAll(script.String(), "127.0.0.1:8089", addr)
	full := "set -eu\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\nset -x\n" + body
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bash, "-c", full)
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "EDITOR="+editor, "NO_COLOR=1")
	cmd.Env = slices.DeleteFunc(cmd.Env, func(kv string) bool {
		return strings.HasPrefix(kv, "DIALPAD_API_URL=") || strings.HasPrefix(kv, "DIALPAD_API_KEY=")
	})
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the README's tutorial and adoption, as written: %v\n%s", err, out)
	}
	if testing.Verbose() {
		t.Logf("%s", out)
	}
	if !strings.Contains(string(out), "officectl plan offices --detailed-exitcode") {
		t.Errorf("the run did not end with plan --detailed-exitcode:\n%s", out)
	}
}

// fillTODOs is the newcomer's editor in TestNewcomerPath: it fills in the
// commented create-only fields of files written by import --generate.
const fillTODOs = `#!/bin/sh
for f in "$@"; do
  sed -i \
    -e 's/^\( *\)# billing_address:.*/\1billing_address:/' \
    -e 's/^\( *\)#   address_line_1:.*/\1  address_line_1: Main Street 1/' \
    -e 's/^\( *\)#   city:.*/\1  city: Springfield/' \
    -e 's/^\( *\)#   country: \([A-Za-z]*\).*/\1  country: \2/' \
    -e 's/^\( *\)#   postal_code:.*/\1  postal_code: "10117"/' \
    -e 's/^\( *\)#   region:.*/\1  region: Region/' \
    -e 's/^\( *\)# currency:.*/\1currency: USD/' \
    -e 's/^\( *\)# plan_period:.*/\1plan_period: monthly/' \
    -e 's/^\( *\)# invoiced:.*/\1invoiced: false/' \
    -e 's/^\( *\)# unified_billing:.*/\1unified_billing: true/' \
    -e 's/^\( *\)# annual_commit_monthly_billing:.*/\1annual_commit_monthly_billing: false/' \
    "$f"
done
`
