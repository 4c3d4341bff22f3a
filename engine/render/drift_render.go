package render

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
)

// This file holds how drift reads in a refreshed plan: the note after a
// change's name and the drifted fields under it, in text and markdown.
// The plan renderers call these for changes with a Drift.

// driftNote is the note of a change that drifted, or "" to keep its
// action's own note.
func driftNote(c *plan.Change) string {
	d := c.Drift
	if d == nil {
		return ""
	}
	switch {
	case c.Recreate():
		return fmt.Sprintf("RE-CREATE: %s in Dialpad (id %d)", d.LiveState, d.ID)
	case c.Action == plan.ActionUpdateE911 && d.Kind == plan.DriftE911 && len(c.Fields) == 0:
		return "the E911 address was changed in Dialpad; apply sets it back"
	case c.Action == plan.ActionUpdateE911 && d.Kind == plan.DriftChanged && len(c.Fields) == 0:
		return "changed in Dialpad; apply sets the E911 address back, the API cannot change the other fields back"
	case c.Action == plan.ActionManual && len(c.Fields) == 0:
		return "changed in Dialpad since the last apply; the API cannot change these fields back"
	case c.Action == plan.ActionUpdate && c.KindOf() != offices.KindOffice && d.Kind == plan.DriftChanged:
		return "changed in Dialpad since the last apply; apply sets it back"
	}
	return ""
}

// driftHint says how to resolve a drift that apply does not undo; "" when
// apply undoes it.
func driftHint(c *plan.Change, inv plan.Invocation) string {
	d := c.Drift
	switch {
	case d.Kind == plan.DriftDeleted && c.Action == plan.ActionOrphan:
		return fmt.Sprintf("It is %s in Dialpad too: `%s` forgets it.", d.LiveState, inv.Command("state rm", c.Key))
	case d.Kind == plan.DriftDeleted:
		rm := inv.Command("state rm", c.Key)
		return fmt.Sprintf("To create it again: `%s`, then `%s`. To let it go: remove it from the config, then `%s`.", rm, inv.Command("apply"), rm)
	case d.Kind == plan.DriftE911 && c.Action == plan.ActionUpdateE911:
		return ""
	case c.Action == plan.ActionUpdate && c.KindOf() != offices.KindOffice:
		return ""
	}
	return fmt.Sprintf("To resolve: change them back in Dialpad, or accept them: make the config match, then `%s` and `%s`.", inv.Command("state rm", c.Key), inv.Command("import"))
}

// writeDriftText writes the drift of c under its line in a text plan: the
// fields changed in Dialpad, then how to resolve what apply does not.
func writeDriftText(w *bufio.Writer, c *plan.Change, inv plan.Invocation, paint func(color, s string) string) {
	d := c.Drift
	if len(c.Fields) > 0 && c.Action == plan.ActionManual {
		w.WriteString("    " + printable(manualHint(c.Key, inv)) + "\n")
	}
	if len(d.Fields) > 0 {
		w.WriteString("    changed in Dialpad (last applied → live):\n")
		writeDriftFields(w, d.Fields, "      ", paint)
	}
	if hint := driftHint(c, inv); hint != "" {
		w.WriteString("    " + printable(hint) + "\n")
	}
}

func writeDriftFields(w *bufio.Writer, fields []plan.FieldChange, indent string, paint func(color, s string) string) {
	for _, f := range fields {
		w.WriteString(indent + printable(f.Path) + ": " + paint(ansiRed, printable(fieldValue(f.Old))) +
			" → " + paint(ansiYellow, printable(fieldValue(f.New))) + "\n")
	}
}

// driftDetails is the body of the <details> block of a change that
// drifted, closing tag included: the body to send (create, update-e911),
// the config's own difference with the state, and the fields changed in
// Dialpad.
func driftDetails(c *plan.Change, inv plan.Invocation) string {
	var b strings.Builder
	d := c.Drift
	if note := driftNote(c); note != "" {
		b.WriteString(capitalize(note) + ".\n\n")
	}
	var parts []string
	if c.Recreate() && c.Office != nil {
		parts = append(parts, fenced("json", prettyJSON(c.Office)))
	}
	if len(c.Fields) > 0 && c.Entry != nil && len(c.Entry.Spec) > 0 && c.Office != nil {
		parts = append(parts, "The config against the state:\n\n"+
			fenced("diff", lineDiff(prettySpec(c.Entry.Spec), prettySpec(c.Office.Canonical()))))
	}
	if len(d.Fields) > 0 {
		parts = append(parts, "Fields that differ in Dialpad:\n\n"+driftTable(d.Fields))
	}
	if hint := driftHint(c, inv); hint != "" {
		parts = append(parts, hint+"\n")
	}
	b.WriteString(strings.Join(parts, "\n"))
	b.WriteString("\n</details>\n")
	return b.String()
}

// driftTable is a markdown table of fields: path, last applied, live.
func driftTable(fields []plan.FieldChange) string {
	var b strings.Builder
	b.WriteString("| field | last applied | live |\n|---|---|---|\n")
	for _, f := range fields {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", tableCode(f.Path), tableValue(f.Old), tableValue(f.New))
	}
	return b.String()
}

// tableValue is a field value in a table cell: code, or "(none)".
func tableValue(v string) string {
	if v == "" {
		return "(none)"
	}
	return tableCode(v)
}

// tableCode is s as a code span that is safe in a table cell: fenced by
// more backquotes than any run inside it, pipes escaped.
func tableCode(s string) string {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if longest > 0 {
		s = " " + s + " "
	}
	return fence + strings.ReplaceAll(printable(s), "|", `\|`) + fence
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// RenderDriftText writes r for a terminal: a summary line, one line per
// office that drifted with its kind's symbol (! changed, - deleted, ~
// e911), key, name and id, the fields that differ (last applied → live)
// and what to do; then the offices skipped and the fields never compared.
func RenderDriftText(w io.Writer, r *plan.DriftReport, opts TextOptions) error {
	bw := bufio.NewWriter(w)
	paint := func(color, s string) string {
		if !opts.Color {
			return s
		}
		return color + s + ansiReset
	}
	sum := r.Summary()
	bw.WriteString(paint(ansiBold, driftSummaryLine(r)) + "\n")
	if sum.Total() == 0 {
		bw.WriteString("\n" + noDrift(r) + "\n")
	}
	for _, d := range r.Drifts {
		bw.WriteString("\n")
		line := fmt.Sprintf("%s %s (%s, id %d): %s", driftSymbol(d.Kind), printable(d.Key), printable(d.Name), d.ID, driftWhat(&d))
		bw.WriteString(paint(driftColor(d.Kind), line) + "\n")
		writeDriftFields(bw, d.Fields, "    ", paint)
		bw.WriteString("    " + printable(driftReportHint(&d, r.Invocation)) + "\n")
	}
	if len(r.Skipped) > 0 {
		bw.WriteString("\nNot checked:\n")
		for _, s := range r.Skipped {
			bw.WriteString("  " + printable(s.Key) + " (" + printable(s.Name) + "): " + printable(s.Reason) + "\n")
		}
	}
	bw.WriteString("\n" + uncheckedNote() + "\n")
	return bw.Flush()
}

// driftSummaryLine is e.g. "Drift: 3 of 9 offices, 1 of 3 departments,
// 0 of 2 call centers: 1 changed, 2 deleted, 1 e911"; a kind the state
// records none of is left out, offices excepted.
func driftSummaryLine(r *plan.DriftReport) string {
	s := r.Summary()
	var counts []string
	for _, k := range driftKinds(r) {
		counts = append(counts, fmt.Sprintf("%d of %s", k.drifted, plural(k.checked, k.noun)))
	}
	return fmt.Sprintf("Drift: %s: %d changed, %d deleted, %d e911",
		strings.Join(counts, ", "), s.Changed, s.Deleted, s.E911)
}

// driftKind counts, for one kind of object, those compared and those
// that drifted.
type driftKind struct {
	noun             string
	checked, drifted int
}

// driftKinds counts r per kind: offices, then departments and call
// centers where the state records some.
func driftKinds(r *plan.DriftReport) []driftKind {
	kinds := []driftKind{{noun: "office"}}
	for _, g := range []struct{ object, noun string }{{string(offices.KindDepartment), "department"}, {string(offices.KindCallCenter), "call center"}} {
		if n := r.CheckedGroups[g.object]; n > 0 {
			kinds = append(kinds, driftKind{noun: g.noun, checked: n})
		}
	}
	kinds[0].checked = r.Checked
	for _, k := range kinds[1:] {
		kinds[0].checked -= k.checked
	}
	for _, d := range r.Drifts {
		i := slices.IndexFunc(kinds, func(k driftKind) bool { return k.noun == objectNoun(d.Object) })
		if i >= 0 {
			kinds[i].drifted++
		}
	}
	return kinds
}

// objectNoun names a Drift.Object for a person: "office" for "".
func objectNoun(object string) string {
	switch object {
	case "":
		return "office"
	case string(offices.KindCallCenter):
		return "call center"
	}
	return object
}

// checkedNouns is e.g. "3 offices, 1 department and 2 call centers".
func checkedNouns(r *plan.DriftReport) string {
	var parts []string
	for _, k := range driftKinds(r) {
		parts = append(parts, plural(k.checked, k.noun))
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// DriftChecked says what r compared, e.g. "3 offices, 1 department and
// 2 call centers".
func DriftChecked(r *plan.DriftReport) string { return checkedNouns(r) }

func noDrift(r *plan.DriftReport) string {
	return fmt.Sprintf("No drift. The %s in Dialpad match their last applied specs.", checkedNouns(r))
}

// uncheckedNote names the fields drift cannot compare.
func uncheckedNote() string {
	return "Not compared (GET /api/v2/offices/{id} does not return them): " + strings.Join(plan.UncheckedFields, ", ") + "."
}

// driftWhat says what happened to an office, department or call center,
// after its name.
func driftWhat(d *plan.Drift) string {
	if d.Object != "" {
		noun := objectNoun(d.Object)
		switch {
		case d.Kind == plan.DriftDeleted && d.LiveState == "not found":
			return noun + " not found in the " + noun + "s of its office"
		case d.Kind == plan.DriftDeleted && d.LiveState == plan.LiveOfficeNotFound:
			return noun + " gone with its office (the office's " + noun + "s answer 404)"
		case d.Kind == plan.DriftDeleted:
			return noun + " " + d.LiveState + " in Dialpad"
		}
		return noun + " changed in Dialpad since the last apply"
	}
	switch d.Kind {
	case plan.DriftDeleted:
		if d.LiveState == "not found" {
			return "not found in Dialpad (GET answers 404)"
		}
		return d.LiveState + " in Dialpad"
	case plan.DriftE911:
		return "E911 address changed in Dialpad"
	}
	return "changed in Dialpad since the last apply"
}

// driftReportHint says what to do about d in a drift report.
func driftReportHint(d *plan.Drift, inv plan.Invocation) string {
	switch d.Kind {
	case plan.DriftDeleted:
		rm := inv.Command("state rm", d.Key)
		return fmt.Sprintf("`%s` plans it as a create again. To create it again: `%s`, then `%s`; to let it go: remove it from the config, then `%s`.", inv.Command("plan --refresh"), rm, inv.Command("apply"), rm)
	case plan.DriftE911:
		return fmt.Sprintf("To set it back: `%s`, then `officectl apply plan.json`.", inv.Command("plan --refresh --out plan.json"))
	}
	if d.Object != "" {
		return fmt.Sprintf("To set it back: `%s`, then `officectl apply plan.json`. To accept it: make the config match, then `%s`.",
			inv.Command("plan --refresh --out plan.json"), inv.Command("apply"))
	}
	return fmt.Sprintf("The API cannot change these fields back: change them back in Dialpad, or accept them: make the config match, then `%s` and `%s`.", inv.Command("state rm", d.Key), inv.Command("import"))
}

func driftSymbol(k plan.DriftKind) string {
	switch k {
	case plan.DriftDeleted:
		return "-"
	case plan.DriftE911:
		return "~"
	}
	return "!"
}

func driftColor(k plan.DriftKind) string {
	switch k {
	case plan.DriftDeleted:
		return ansiBold + ansiRed
	case plan.DriftE911:
		return ansiYellow
	}
	return ansiRed
}

// DriftMarkdownMarker is the hidden first line of a markdown drift
// report, so that a workflow can find its earlier issue or comment.
const DriftMarkdownMarker = "<!-- officectl-drift -->"

// RenderDriftMarkdown writes r for an issue or pull-request comment:
// DriftMarkdownMarker, a heading, a table of counts per kind, then one
// collapsible <details> per office that drifted with a table of its fields
// (last applied, live) and what to do, then the offices skipped and the
// fields never compared. It stays under MarkdownLimit bytes by dropping
// details from the end and saying how many.
func RenderDriftMarkdown(w io.Writer, r *plan.DriftReport) error {
	sum := r.Summary()
	var out strings.Builder
	out.WriteString(DriftMarkdownMarker + "\n## officectl drift\n\n")
	out.WriteString("| drift | count |\n|---|---:|\n")
	fmt.Fprintf(&out, "| changed | %d |\n| deleted | %d |\n| e911 | %d |\n", sum.Changed, sum.Deleted, sum.E911)
	fmt.Fprintf(&out, "\n%s compared with their last applied specs.\n", capitalize(checkedNouns(r)))
	if sum.Total() == 0 {
		out.WriteString("\n" + noDrift(r) + "\n")
	}
	var tail strings.Builder
	if len(r.Skipped) > 0 {
		tail.WriteString("\nNot checked:\n\n")
		for _, s := range r.Skipped {
			fmt.Fprintf(&tail, "- `%s` (%s): %s\n", s.Key, mdText(s.Name), mdText(s.Reason))
		}
	}
	tail.WriteString("\n" + uncheckedNote() + "\n")

	shown := 0
	for i := range r.Drifts {
		d := driftReportDetails(&r.Drifts[i], r.Invocation)
		rest := len(r.Drifts) - shown - 1
		if out.Len()+len(d)+len(driftNotShown(rest))+tail.Len() >= MarkdownLimit {
			break
		}
		out.WriteString(d)
		shown++
	}
	out.WriteString(driftNotShown(len(r.Drifts) - shown))
	if out.Len()+tail.Len() < MarkdownLimit {
		out.WriteString(tail.String())
	}
	_, err := io.WriteString(w, out.String())
	return err
}

func driftNotShown(n int) string { return moreNotShown(n, "office", "offices", "officectl drift") }

// driftReportDetails is the <details> block of one drift.
func driftReportDetails(d *plan.Drift, inv plan.Invocation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n<details><summary>%s %s <code>%s</code> (%s), id %d</summary>\n\n",
		driftSymbol(d.Kind), d.Kind, mdText(d.Key), mdText(d.Name), d.ID)
	b.WriteString(capitalize(driftWhat(d)) + ".\n\n")
	if len(d.Fields) > 0 {
		b.WriteString(driftTable(d.Fields) + "\n")
	}
	b.WriteString(driftReportHint(d, inv) + "\n\n</details>\n")
	return b.String()
}
