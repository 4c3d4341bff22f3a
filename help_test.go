package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

//go:generate go test -count=1 -run ^(TestCommandDocs|TestConfigReference)$ . -args -update

// commandDocsDir holds one page per command, generated from its help.
const commandDocsDir = "docs/commands"

// helpOf is what `officectl help ARGS...` prints on stdout; it fails t
// when anything goes to stderr or the exit code is not 0.
func helpOf(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(append([]string{"help"}, args...), stdio{in: strings.NewReader(""), out: &out, err: &errOut, getenv: func(string) string { return "" }})
	if code != exitOK || errOut.Len() > 0 {
		t.Fatalf("officectl help %s: exit %d, stderr %q", strings.Join(args, " "), code, errOut.String())
	}
	return out.String()
}

// commandDocs is the content of every page of docs/commands, by file
// name: one per command, with its subcommands' help below its own, and
// an index.
func commandDocs(t *testing.T) map[string]string {
	t.Helper()
	const note = "<!-- Generated from `officectl help` by `go generate` (help.go, main.go): do not edit; TestCommandDocs checks it. -->\n"
	pages := map[string]string{}
	var index strings.Builder
	index.WriteString("# Commands\n\n" + note + "\n")
	index.WriteString("Every command prints this help with `officectl help COMMAND` or `officectl COMMAND --help`.\n\n")
	index.WriteString("| command | what it does |\n|---|---|\n")
	for _, c := range commands() {
		fmt.Fprintf(&index, "| [`officectl %s`](%s.md) | %s |\n", c.name, c.name, c.summary)
		var b strings.Builder
		fmt.Fprintf(&b, "# officectl %s\n\n%s\n```text\n%s```\n", c.name, note, helpOf(t, c.name))
		for _, s := range c.subs {
			fmt.Fprintf(&b, "\n## officectl %s %s\n\n```text\n%s```\n", c.name, s.name, helpOf(t, c.name, s.name))
		}
		pages[c.name+".md"] = b.String()
	}
	index.WriteString("\nBack to the [manual](../README.md).\n")
	pages["README.md"] = index.String()
	return pages
}

// TestCommandDocs: docs/commands holds exactly the pages the help gives
// (go generate, or -update, rewrites them).
func TestCommandDocs(t *testing.T) {
	pages := commandDocs(t)
	if *updateScripts {
		if err := os.MkdirAll(commandDocsDir, 0o755); err != nil {
			t.Fatal(err)
		}
		old, _ := filepath.Glob(filepath.Join(commandDocsDir, "*.md"))
		for _, f := range old {
			os.Remove(f)
		}
		for name, text := range pages {
			if err := os.WriteFile(filepath.Join(commandDocsDir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	files, _ := filepath.Glob(filepath.Join(commandDocsDir, "*.md"))
	for _, f := range files {
		if _, ok := pages[filepath.Base(f)]; !ok {
			t.Errorf("%s: no command has this page; run go generate", f)
		}
	}
	for name, want := range pages {
		got, err := os.ReadFile(filepath.Join(commandDocsDir, name))
		if err != nil {
			t.Errorf("%v; run go generate", err)
			continue
		}
		if string(got) != want {
			t.Errorf("%s differs from the help; run go generate (go test -run TestCommandDocs . -args -update)", filepath.Join(commandDocsDir, name))
		}
	}
}

// TestHelpEveryCommand: every command and subcommand has a description
// and examples, and each example names a command and flags that exist.
func TestHelpEveryCommand(t *testing.T) {
	for _, c := range commands() {
		names := []string{c.name}
		for _, s := range c.subs {
			names = append(names, c.name+" "+s.name)
		}
		for _, name := range names {
			h, ok := helps[name]
			if !ok || h.text == "" || len(h.examples) == 0 {
				t.Errorf("%s: no description or no examples in helps", name)
				continue
			}
			for _, e := range h.examples {
				line, _, _ := strings.Cut(e, "  #")
				if i := strings.IndexAny(line, ">|"); i > 0 {
					line = line[:i]
				}
				args := shellFields(line)
				if len(args) < 2 || args[0] != "officectl" {
					t.Errorf("%s: example %q is not an officectl command", name, e)
					continue
				}
				checkCommandLine(t, name, args[1:])
			}
			out := helpOf(t, strings.Fields(name)...)
			if !strings.Contains(out, "Examples:\n  "+h.examples[0]) || !strings.Contains(out, h.text) {
				t.Errorf("officectl help %s does not show its description and examples:\n%s", name, out)
			}
		}
	}
}

// shellFields splits a command line as a shell would, for the quoting
// that examples, hints and snippets use: single and double quotes
// (nothing expanded or escaped inside) and words.
func shellFields(line string) []string {
	var args []string
	var cur strings.Builder
	in := false
	var quote rune
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				args = append(args, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		args = append(args, cur.String())
	}
	return args
}

// TestHelpSubcommandsDiffer: each subcommand's --help is its own (they
// used to print the command's), with only the flags it takes.
func TestHelpSubcommandsDiffer(t *testing.T) {
	seen := map[string]string{}
	for _, c := range commands() {
		for _, s := range c.subs {
			name := c.name + " " + s.name
			var out bytes.Buffer
			if code := run([]string{c.name, s.name, "--help"}, stdio{out: &out, err: &out, getenv: func(string) string { return "" }}); code != exitOK {
				t.Fatalf("officectl %s --help: exit %d", name, code)
			}
			if !strings.HasPrefix(out.String(), "Usage: officectl "+name+" ") {
				t.Errorf("officectl %s --help starts %q", name, strings.SplitN(out.String(), "\n", 2)[0])
			}
			if other, ok := seen[out.String()]; ok {
				t.Errorf("officectl %s --help prints what %s --help does", name, other)
			}
			seen[out.String()] = name
		}
	}
	var out bytes.Buffer
	run([]string{"sim", "edit", "--help"}, stdio{out: &out, err: &out, getenv: func(string) string { return "" }})
	if strings.Contains(out.String(), "  --addr ") || !strings.Contains(out.String(), "--url") {
		t.Errorf("sim edit --help shows the server's flags or not its own:\n%s", out.String())
	}
}
