package main

import (
	"regexp"
	"slices"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// hintCommand matches a command that officectl prints as a hint, in
// backquotes: `officectl ...`.
var hintCommand = regexp.MustCompile("`(officectl [^`]+)`")

// scriptHint is the script command `hint [NAME=VALUE...] FILE PREFIX
// [-- ARGS...]`: it runs, exactly as printed, the first `officectl
// PREFIX...` hint in FILE (stdout or stderr: the last command's), with
// each placeholder NAME (KEY, say) replaced by VALUE, and ARGS after it
// (--auto-approve: a person at a terminal types yes instead); the hint's
// own output and exit code are then checked as exec's are (! hint: it
// must fail).
func scriptHint(ts *testscript.TestScript, neg bool, args []string) {
	var subst, extra []string
	if i := slices.Index(args, "--"); i >= 0 {
		args, extra = args[:i], args[i+1:]
	}
	for len(args) > 0 && strings.Contains(args[0], "=") {
		name, value, _ := strings.Cut(args[0], "=")
		subst = append(subst, name, value)
		args = args[1:]
	}
	if len(args) != 2 {
		ts.Fatalf("usage: hint [NAME=VALUE...] stdout|stderr|FILE PREFIX")
	}
	text := ts.ReadFile(args[0])
	var line string
	for _, m := range hintCommand.FindAllStringSubmatch(text, -1) {
		if strings.HasPrefix(m[1], "officectl "+args[1]) {
			line = m[1]
			break
		}
	}
	if line == "" {
		ts.Fatalf("no hint `officectl %s...` in %s", args[1], args[0])
	}
	words := shellFields(line)
	for i, w := range words {
		for j := 0; j < len(subst); j += 2 {
			if w == subst[j] {
				words[i] = subst[j+1]
			}
		}
	}
	words = append(words, extra...)
	ts.Logf("hint: %s", strings.Join(words, " "))
	err := ts.Exec(words[0], words[1:]...)
	if err != nil && !neg {
		ts.Fatalf("hint %s: %v", line, err)
	}
	if err == nil && neg {
		ts.Fatalf("hint %s: unexpected success", line)
	}
}
