package render

import (
	"bufio"
	"io"
	"strings"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
)

// TextOptions tunes RenderText.
type TextOptions struct {
	// Color turns on ANSI colour. The caller decides, normally with
	// ColorEnabled (a terminal, and NO_COLOR unset).
	Color bool
}

// ANSI escape sequences used by the text renderer.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

// RenderText writes p for a terminal: a summary line, then one line per
// office or group that changes (no-ops are left out) with its action's
// symbol (+ create, ~ update-e911 or update, ! manual, - orphan, ? resume,
// x delete, > move), key, name and the keys it comes after, and a
// warning line when it removes every operator; the differing fields of manual and update-e911
// changes, indented, with how to resolve a manual one; and a reminder
// that creates change the bill.
func RenderText(w io.Writer, p *plan.Plan, opts TextOptions) error {
	bw := bufio.NewWriter(w)
	paint := func(color, s string) string {
		if !opts.Color {
			return s
		}
		return color + s + ansiReset
	}

	sum := p.Summary()
	bw.WriteString(paint(ansiBold, summaryLine(sum)) + "\n")
	if sum.Changed() == 0 {
		bw.WriteString("\n" + noChanges + "\n")
		if !hasNotes(p) {
			return bw.Flush()
		}
		// The notes of changes apply leaves alone still show, e.g. a
		// protected group that left the config.
	}

	bw.WriteString("\n")
	for i := range p.Changes {
		c := &p.Changes[i]
		if c.Action == plan.ActionNoOp && c.Note == "" {
			continue
		}
		var line strings.Builder
		line.WriteString(paint(textColor(c.Action), symbol(c.Action)+" "+kindPrefix(c)+printable(c.Key)))
		if c.Name != "" {
			line.WriteString(" (" + printable(c.Name) + ")")
		}
		if len(c.DependsOn) > 0 {
			line.WriteString(" after " + printable(strings.Join(c.DependsOn, ", ")))
		}
		if note := actionNote(c, p.Invocation); note != "" {
			line.WriteString(": " + printable(note))
		}
		bw.WriteString(line.String() + "\n")
		if c.Warning != "" {
			bw.WriteString("    " + paint(ansiBold+ansiRed, "warning: "+printable(c.Warning)) + "\n")
		}
		for _, f := range c.Fields {
			bw.WriteString("    " + printable(f.Path) + ": " + paint(ansiRed, printable(fieldValue(f.Old))) +
				" → " + paint(ansiGreen, printable(fieldValue(f.New))) + "\n")
		}
		for _, m := range c.Members {
			bw.WriteString("    operators: " + printable(memberLine(c, m)) + "\n")
		}
		if note := writtenAsNote(c); note != "" {
			bw.WriteString("    operators: " + note + "\n")
		}
		if c.Drift != nil {
			writeDriftText(bw, c, p.Invocation, paint)
			continue
		}
		switch {
		case c.Action == plan.ActionManual && c.Note == "":
			bw.WriteString("    " + printable(manualHint(c.Key, p.Invocation)) + "\n")
		case c.Action == plan.ActionManual && c.KindOf() == offices.KindOffice:
			bw.WriteString("    " + printable(acceptHint(c.Key, p.Invocation)) + "\n")
		}
	}
	if r := billReminder(p.OfficeSummary()); r != "" {
		bw.WriteString("\n" + paint(ansiYellow, r) + "\n")
	}
	return bw.Flush()
}

// textColor is the colour of an action's symbol and key.
func textColor(a plan.Action) string {
	switch a {
	case plan.ActionCreate:
		return ansiGreen
	case plan.ActionUpdateE911, plan.ActionResume, plan.ActionUpdate, plan.ActionMove:
		return ansiYellow
	case plan.ActionDelete:
		return ansiRed
	case plan.ActionManual:
		return ansiBold + ansiRed
	case plan.ActionOrphan:
		return ansiCyan
	}
	return ""
}
