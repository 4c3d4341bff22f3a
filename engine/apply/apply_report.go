package apply

import (
	"fmt"
	"io"
	"strings"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
)

// This file holds what an apply run reports beyond its progress: the
// changes it could not carry out, and the run as markdown for a CI job's
// step summary.

// NotApplied returns the offices of the plan that apply left as they were
// although the config differs from what Dialpad has: manual changes (the
// API cannot make them) and orphans (in the state only; offices cannot be
// deleted through the API). After a run that applied everything else,
// these are why the config is still not what Dialpad has.
func (res *ApplyResult) NotApplied() []OfficeResult {
	var out []OfficeResult
	for _, o := range res.Offices {
		if o.Outcome == OutcomeUnchanged && (o.Action == plan.ActionManual || o.Action == plan.ActionOrphan) {
			out = append(out, o)
		}
	}
	return out
}

// NotAppliedText says in one line which offices apply could not bring in
// line with the config, and what to do; "" when there are none.
func (res *ApplyResult) NotAppliedText() string {
	na := res.NotApplied()
	if len(na) == 0 {
		return ""
	}
	parts := make([]string, 0, min(len(na), maxReportLines))
	for i, o := range na {
		if i == maxReportLines {
			parts = append(parts, fmt.Sprintf("and %d more", len(na)-i))
			break
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", offices.Printable(o.Key), o.Action))
	}
	return fmt.Sprintf("%s not applied, so the config is not what Dialpad has: %s; see the plan for how to resolve each (revert the file, change it in Dialpad and accept it, or `%s`)",
		plural(len(na), "change"), strings.Join(parts, ", "), res.Invocation.Command("state rm", "KEY"))
}

// maxReportLines bounds the offices listed per section of a report; the
// rest are counted.
const maxReportLines = 50

// ApplyMarkdownMarker is the first line of WriteApplyMarkdown's output.
const ApplyMarkdownMarker = "<!-- officectl-apply -->"

// WriteApplyMarkdown writes res as markdown for a GitHub Actions step
// summary: the counts, then the offices that failed and the changes apply
// could not carry out. Names and messages from the config, the state and
// the API are escaped, and each list is bounded.
func WriteApplyMarkdown(w io.Writer, res *ApplyResult) error {
	var b strings.Builder
	head := "Apply complete"
	switch {
	case res.Interrupted:
		head = "Apply interrupted"
	case res.Err != nil:
		head = "Apply finished with errors"
	}
	c := res.Counts
	fmt.Fprintf(&b, "%s\n## officectl apply: %s\n\n", ApplyMarkdownMarker, head)
	b.WriteString("| created | adopted | updated | failed | skipped | unchanged | manual | orphan | pending |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| %d | %d | %d | %d | %d | %d | %d | %d | %d |\n",
		c.Created, c.Adopted, c.Updated, c.Failed, c.Skipped, c.Unchanged, c.Manual, c.Orphan, c.Pending)
	var failed, notApplied []string
	for _, o := range res.Offices {
		if o.Outcome == OutcomeFailed {
			failed = append(failed, fmt.Sprintf("- `%s` (%s): %s", mdCode(o.Key), mdPlain(o.Name), mdPlain(fmt.Sprint(o.Err))))
		}
	}
	for _, o := range res.NotApplied() {
		notApplied = append(notApplied, fmt.Sprintf("- `%s` (%s): %s", mdCode(o.Key), mdPlain(o.Name), o.Action))
	}
	writeList(&b, "Failed", failed)
	writeList(&b, "Not applied: the config is not what Dialpad has (see the plan for how to resolve each)", notApplied)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeList(b *strings.Builder, title string, lines []string) {
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(b, "\n**%s**\n\n", title)
	for i, l := range lines {
		if i == maxReportLines {
			fmt.Fprintf(b, "- … and %d more\n", len(lines)-i)
			break
		}
		b.WriteString(l + "\n")
	}
}

// mdPlain makes s, untrusted text, plain markdown text on one line (mdText
// is for text inside HTML tags): control
// characters replaced, markup characters escaped, at most 500 bytes.
func mdPlain(s string) string {
	s = offices.Printable(s)
	if len(s) > 500 {
		s = strings.ToValidUTF8(s[:500], "") + "…"
	}
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>|#!~&", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdCode makes s fit inside a `code span`: no backticks, no control
// characters.
func mdCode(s string) string {
	return strings.ReplaceAll(offices.Printable(s), "`", "'")
}
