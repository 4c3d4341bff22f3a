package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
)

// MarkdownMarker is the hidden first line of a markdown plan, so that a
// workflow can find its earlier comment and update it instead of adding one.
const MarkdownMarker = "<!-- officectl-plan -->"

// MarkdownLimit bounds the size of a markdown plan in bytes (hence in
// characters), below GitHub's 65,536-character comment limit.
const MarkdownLimit = 65000

// RenderMarkdown writes p as a pull-request comment: MarkdownMarker, a
// heading, a table of counts per action, the bill reminder, a compact list
// of every office that changes (its key, by action, in plan order), then
// one collapsible <details> per office that changes, holding the request
// body (create, resume), a diff of state against config (update-e911,
// manual) or how to forget the office (orphan).
//
// The output stays under MarkdownLimit bytes: the heading, table and
// reminder are always whole; the list comes next, every key of it while
// it fits (thousands of keys do), and then as many details as fit, in
// plan order, with a last line saying how many are not shown.
func RenderMarkdown(w io.Writer, p *plan.Plan) error {
	sum := p.Summary()
	var head strings.Builder
	head.WriteString(MarkdownMarker + "\n## officectl plan\n\n")
	head.WriteString("| action | count |\n|---|---:|\n")
	for _, a := range plan.Actions() {
		if a == plan.ActionMove && sum.Move == 0 {
			continue // a row of its own only when the plan moves keys
		}
		fmt.Fprintf(&head, "| %s | %d |\n", a, sum.Count(a))
	}
	if r := billReminder(p.OfficeSummary()); r != "" {
		head.WriteString("\n> [!NOTE]\n> " + r + "\n")
	}
	if sum.Changed() == 0 {
		head.WriteString("\n" + noChanges + "\n")
		head.WriteString(notesMarkdown(p, MarkdownLimit-head.Len()))
		_, err := io.WriteString(w, head.String())
		return err
	}

	var out strings.Builder
	out.WriteString(head.String())
	changed := sum.Changed()
	out.WriteString(changeList(p, MarkdownLimit-out.Len()-len(notShown(changed))))
	out.WriteString(notesMarkdown(p, (MarkdownLimit-out.Len()-len(notShown(changed)))/4))
	shown := 0
	for i := range p.Changes {
		c := &p.Changes[i]
		if c.Action == plan.ActionNoOp {
			continue
		}
		d := markdownDetails(c, p.Invocation)
		// Keep room for the line that would say how many are left out.
		if rest := changed - shown - 1; out.Len()+len(d)+len(notShown(rest)) >= MarkdownLimit {
			break
		}
		out.WriteString(d)
		shown++
	}
	out.WriteString(notShown(changed - shown))
	_, err := io.WriteString(w, out.String())
	return err
}

// notesMarkdown lists the changes apply leaves alone that carry a note
// (a protected group that left the config: "protected: not deleted"), at
// most budget bytes, saying how many it leaves out; "" when none has.
func notesMarkdown(p *plan.Plan, budget int) string {
	var lines []string
	for i := range p.Changes {
		if c := &p.Changes[i]; c.Action == plan.ActionNoOp && c.Note != "" {
			line := "- " + mdText(kindPrefix(c)) + markdownKey(c.Key)
			if c.Name != "" {
				line += " (" + mdText(c.Name) + ")"
			}
			lines = append(lines, line+": "+mdText(c.Note)+"\n")
		}
	}
	if len(lines) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n### Notes\n\n")
	for i, l := range lines {
		if rest := len(lines) - i; b.Len()+len(l)+64 > budget && rest > 0 {
			fmt.Fprintf(&b, "- … %d more not listed (see `officectl plan` output)\n", rest)
			break
		}
		b.WriteString(l)
	}
	return b.String()
}

// notShown is the last line of a trimmed markdown plan; "" when n is 0.
func notShown(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return "\n… the details of 1 more change are not shown (see `officectl plan` output)\n"
	}
	return fmt.Sprintf("\n… the details of %d more changes are not shown (see `officectl plan` output)\n", n)
}

// changeList is the compact list of a markdown plan: one line per action
// that has changes, naming their keys in plan order, at most budget
// bytes. When every key does not fit, it names as many as fit and says
// how many it leaves out.
func changeList(p *plan.Plan, budget int) string {
	var b strings.Builder
	b.WriteString("\n### Changes\n\n")
	var lines []string
	for _, a := range plan.Actions() {
		if a == plan.ActionNoOp {
			continue
		}
		var keys []string
		for i := range p.Changes {
			if c := &p.Changes[i]; c.Action == a {
				k := markdownKey(c.Key)
				if c.Recreate() {
					k += " (RE-CREATE)"
				}
				keys = append(keys, k)
			}
		}
		if len(keys) > 0 {
			lines = append(lines, fmt.Sprintf("- **%s** (%d): ", a, len(keys))+strings.Join(keys, ", "))
		}
	}
	total := 0
	for _, l := range lines {
		total += len(l) + 1
	}
	if b.Len()+total <= budget {
		for _, l := range lines {
			b.WriteString(l + "\n")
		}
		return b.String()
	}
	// Trim: keep whole keys while they fit, with room for the last line.
	listed, all := 0, p.Summary().Changed()
	room := budget - b.Len() - len(notListed(all))
	for _, l := range lines {
		head, keys, _ := strings.Cut(l, ": ")
		if len(head)+4 > room {
			break
		}
		b.WriteString(head + ": ")
		room -= len(head) + 2
		for i, k := range strings.Split(keys, ", ") {
			sep := ""
			if i > 0 {
				sep = ", "
			}
			if len(sep)+len(k)+1 > room {
				break
			}
			b.WriteString(sep + k)
			room -= len(sep) + len(k)
			listed++
		}
		b.WriteString("\n")
		room--
	}
	b.WriteString(notListed(all - listed))
	return b.String()
}

// notListed says that the compact list leaves n changes out.
func notListed(n int) string {
	return fmt.Sprintf("\n… %d more changes not listed (see `officectl plan` output)\n", n)
}

// markdownKey is an office key in a markdown line: in backquotes when it
// is a valid key (letters, digits, - and _ only), else escaped in <code>.
func markdownKey(k string) string {
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return "<code>" + mdText(k) + "</code>"
		}
	}
	return "`" + k + "`"
}

// moreNotShown says that n more items (one, many) were left out of a
// markdown text, and which command shows them all; "" when n is 0.
func moreNotShown(n int, one, many, cmd string) string {
	switch n {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("\n… 1 more %s not shown (see `%s` output)\n", one, cmd)
	}
	return fmt.Sprintf("\n… %d more %s not shown (see `%s` output)\n", n, many, cmd)
}

// markdownDetails is the <details> block of one change.
func markdownDetails(c *plan.Change, inv plan.Invocation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n<details><summary>%s %s %s<code>%s</code>", symbol(c.Action), c.Action, kindPrefix(c), mdText(c.Key))
	if c.Name != "" {
		b.WriteString(" (" + mdText(c.Name) + ")")
	}
	if len(c.DependsOn) > 0 {
		b.WriteString(", after " + mdText(strings.Join(c.DependsOn, ", ")))
	}
	b.WriteString("</summary>\n\n")
	if c.Warning != "" {
		b.WriteString("> [!WARNING]\n> This change " + mdText(c.Warning) + "\n\n")
	}
	if c.Drift != nil {
		return b.String() + driftDetails(c, inv)
	}

	if c.KindOf() != offices.KindOffice {
		b.WriteString(groupDetails(c))
		b.WriteString("\n</details>\n")
		return b.String()
	}
	switch c.Action {
	case plan.ActionCreate, plan.ActionResume:
		if c.Action == plan.ActionResume {
			b.WriteString("An earlier create was interrupted; apply looks the office up by name before creating it again with this body.\n\n")
		}
		if c.Office != nil {
			b.WriteString(fenced("json", prettyJSON(c.Office)))
		}
	case plan.ActionUpdateE911, plan.ActionManual:
		if c.Action == plan.ActionUpdateE911 {
			b.WriteString("Apply updates the E911 address.\n\n")
		} else if c.Note != "" {
			b.WriteString(mdText(c.Note) + ". " + acceptHint(c.Key, inv) + "\n\n")
		} else {
			b.WriteString("The API cannot change these fields. " + manualHint(c.Key, inv) + "\n\n")
		}
		if c.Entry != nil && len(c.Entry.Spec) > 0 && c.Office != nil && !onlyRefs(c.Fields) {
			b.WriteString(fenced("diff", lineDiff(prettySpec(c.Entry.Spec), prettySpec(c.Office.Canonical()))))
		} else {
			for _, f := range c.Fields {
				fmt.Fprintf(&b, "- %s: %s → %s\n", tableCode(f.Path), tableValue(f.Old), tableValue(f.New))
			}
			if len(c.Fields) == 0 {
				b.WriteString("The state records no spec for this office to compare with.\n")
			}
		}
	case plan.ActionUpdate:
		b.WriteString(mdText(capitalize(updateNote(c))) + ".\n")
	case plan.ActionOrphan:
		fmt.Fprintf(&b, "This office is in the state but not in the config. Offices cannot be deleted through the API; run `%s` to forget it.\n", inv.Command("state rm", c.Key))
	}
	b.WriteString(membersMarkdown(c))
	b.WriteString("\n</details>\n")
	return b.String()
}

// groupDetails is the inside of a department's or call center's
// <details>: its body, the diff of an update, what a delete does.
func groupDetails(c *plan.Change) string {
	var b strings.Builder
	if c.Note != "" {
		b.WriteString(mdText(c.Note) + "\n\n")
	}
	switch c.Action {
	case plan.ActionCreate, plan.ActionResume:
		if c.Action == plan.ActionResume {
			b.WriteString("An earlier create was interrupted; apply looks the group up by office and exact name before creating it again with this body.\n\n")
		}
		if c.Group != nil {
			b.WriteString(fenced("json", prettySpec(c.Group.Body)))
		}
	case plan.ActionUpdate, plan.ActionManual, plan.ActionMove:
		switch c.Action {
		case plan.ActionUpdate:
			b.WriteString(mdText(capitalize(updateNote(c))) + ".\n\n")
		case plan.ActionMove:
			b.WriteString(mdText(capitalize(moveNote(c))) + ".\n\n")
		}
		if c.Entry != nil && len(c.Entry.Spec) > 0 && c.Group != nil && prettySpec(c.Entry.Spec) != prettySpec(c.Group.Body) {
			b.WriteString(fenced("diff", lineDiff(prettySpec(c.Entry.Spec), prettySpec(c.Group.Body))))
		}
		for _, f := range c.Fields {
			if f.Path == "protect" || f.Ref {
				fmt.Fprintf(&b, "- %s: %s → %s\n", tableCode(f.Path), tableValue(f.Old), tableValue(f.New))
			}
		}
	case plan.ActionDelete:
		if c.Note != "" {
			break // a kind change: the note says it all
		}
		b.WriteString("In the state but not in the config: apply deletes it (only within `--max-deletes`; mark it `protect: true` in the config to keep it).\n")
	}
	b.WriteString(membersMarkdown(c))
	return b.String()
}

// membersMarkdown lists a change's membership differences.
func membersMarkdown(c *plan.Change) string {
	if len(c.Members) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\nOperators:\n\n")
	for _, m := range c.Members {
		b.WriteString("- " + mdText(memberLine(c, m)) + "\n")
	}
	if note := writtenAsNote(c); note != "" {
		b.WriteString("\n" + mdText(note) + "\n")
	}
	return b.String()
}

// fenced wraps text (ending in a newline) in a code fence longer than any
// run of backquotes inside it, so that no office field can end the block.
func fenced(lang, text string) string {
	longest, run := 0, 0
	for i := 0; i < len(text); i++ {
		if text[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	return fence + lang + "\n" + text + fence + "\n"
}

// lineDiff is a line diff of a and b (each ending in a newline) in the
// unified style, every line of both kept: "-" for a only, "+" for b only,
// " " for both.
func lineDiff(a, b string) string {
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // a timeout would make the output depend on speed
	ca, cb, lines := dmp.DiffLinesToChars(a, b)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(ca, cb, false), lines)
	var out strings.Builder
	for _, d := range diffs {
		prefix := " "
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			prefix = "-"
		case diffmatchpatch.DiffInsert:
			prefix = "+"
		}
		for _, line := range strings.SplitAfter(d.Text, "\n") {
			if line != "" {
				out.WriteString(prefix + line)
			}
		}
	}
	return out.String()
}

// onlyRefs reports whether every field is a reference whose target's id
// changed: the specs are equal, a diff of them would show nothing.
func onlyRefs(fields []plan.FieldChange) bool {
	for _, f := range fields {
		if !f.Ref {
			return false
		}
	}
	return len(fields) > 0
}
