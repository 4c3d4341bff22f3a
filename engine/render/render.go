package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"strconv"
	"strings"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
)

// This file holds what the three plan renderers share: the wording of the
// summary and of each action's note, and the pretty JSON of office specs.

// ColorEnabled reports whether output to f may use ANSI colour: f is a
// terminal, NO_COLOR is unset or empty (https://no-color.org) and TERM is
// not "dumb". getenv is os.Getenv outside tests.
func ColorEnabled(f *os.File, getenv func(string) string) bool {
	if f == nil || getenv("NO_COLOR") != "" || getenv("TERM") == "dumb" {
		return false
	}
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	return fi.Mode()&os.ModeCharDevice != 0
}

// summaryLine is the one-line summary of s, e.g. "3 to create, 1 e911
// update, 5 unchanged, 1 manual, 0 orphaned" plus ", 1 to resume" when any.
func summaryLine(s plan.Summary) string {
	e911 := "e911 updates"
	if s.UpdateE911 == 1 {
		e911 = "e911 update"
	}
	line := fmt.Sprintf("%d to create, %d %s, %d unchanged, %d manual, %d orphaned",
		s.Create, s.UpdateE911, e911, s.NoOp, s.Manual, s.Orphan)
	if s.Resume > 0 {
		line += fmt.Sprintf(", %d to resume", s.Resume)
	}
	if s.Update > 0 {
		line += fmt.Sprintf(", %d to update", s.Update)
	}
	if s.Delete > 0 {
		line += fmt.Sprintf(", %d to delete", s.Delete)
	}
	if s.Move > 0 {
		line += fmt.Sprintf(", %d moved", s.Move)
	}
	return line
}

// noChanges is said when a plan has nothing but no-ops.
const noChanges = "No changes. Your offices match the configuration."

// hasNotes reports whether some change apply leaves alone carries a note.
func hasNotes(p *plan.Plan) bool {
	for i := range p.Changes {
		if p.Changes[i].Action == plan.ActionNoOp && p.Changes[i].Note != "" {
			return true
		}
	}
	return false
}

// billReminder reminds that creates change the bill; "" when the plan
// creates nothing. A resume may create its office too.
func billReminder(s plan.Summary) string {
	switch {
	case s.Create == 0 && s.Resume == 0:
		return ""
	case s.Resume == 0:
		return fmt.Sprintf("Each office created changes the company's Dialpad bill: this plan creates %s.", plural(s.Create, "office"))
	}
	return fmt.Sprintf("Each office created changes the company's Dialpad bill: this plan creates up to %s (%d to create, %d to resume).",
		plural(s.Create+s.Resume, "office"), s.Create, s.Resume)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// symbol is an action's one-character mark in text and markdown.
func symbol(a plan.Action) string {
	switch a {
	case plan.ActionCreate:
		return "+"
	case plan.ActionUpdateE911:
		return "~"
	case plan.ActionManual:
		return "!"
	case plan.ActionOrphan:
		return "-"
	case plan.ActionResume:
		return "?"
	case plan.ActionUpdate:
		return "~"
	case plan.ActionDelete:
		return "x"
	case plan.ActionMove:
		return ">"
	}
	return " "
}

// actionNote is the short explanation printed after a change's name; the
// text renderer's notes, with commands in backquotes.
func actionNote(c *plan.Change, inv plan.Invocation) string {
	if note := driftNote(c); note != "" {
		return note
	}
	if c.Note != "" {
		return c.Note
	}
	switch c.Action {
	case plan.ActionUpdate:
		return updateNote(c)
	case plan.ActionMove:
		return moveNote(c)
	case plan.ActionDelete:
		return "in the state only; apply deletes it (within --max-deletes)"
	case plan.ActionUpdateE911:
		return "apply updates the E911 address"
	case plan.ActionManual:
		if len(c.Fields) == 0 {
			return "differs from the state (which records no spec to compare with); the API cannot change it"
		}
		return "the API cannot change these fields"
	case plan.ActionOrphan:
		return fmt.Sprintf("in the state only; offices cannot be deleted through the API, `%s` forgets it", inv.Command("state rm", c.Key))
	case plan.ActionResume:
		if k := c.KindOf(); k != offices.KindOffice {
			return "an earlier create was interrupted; apply looks the " + kindNoun(k) + " up by office and exact name before creating it again"
		}
		return "an earlier create was interrupted; apply looks the office up by name before creating it again"
	}
	return ""
}

// kindNoun is a kind for people: "office", "department", "call center".
func kindNoun(k offices.Kind) string {
	if k == offices.KindCallCenter {
		return "call center"
	}
	return string(k)
}

// updateNote says what apply does for an update: the fields it PATCHes,
// whether it changes the operators or stops managing them, and a change
// of protect, which is recorded in the state only.
func updateNote(c *plan.Change) string {
	var parts []string
	if f := plan.PatchFields(c.Fields); len(f) > 0 {
		parts = append(parts, "PATCHes "+strings.Join(f, ", "))
	}
	switch {
	case c.Unmanages():
		parts = append(parts, "stops managing the operators (the state forgets them; Dialpad's stay as they are)")
	case len(c.Members) > 0:
		parts = append(parts, "changes the operators")
	}
	for _, f := range c.Fields {
		if f.Path == "protect" {
			parts = append(parts, "records protect: "+f.New+" (in the state only: nothing is sent for it)")
		}
	}
	if len(parts) == 0 {
		return "apply sends nothing"
	}
	return "apply " + strings.Join(parts, ", ")
}

// moveNote says what apply does for a move: Terraform's "has moved to",
// then what changes with it.
func moveNote(c *plan.Change) string {
	note := "has moved from " + c.MovedFrom + ": apply moves its state entry to this key (nothing is sent for the move)"
	if len(c.Fields) > 0 || len(c.Members) > 0 {
		note += "; then " + updateNote(c)
	}
	return note
}

// kindPrefix is "department " or "callcenter " before a group's key; ""
// for an office.
func kindPrefix(c *plan.Change) string {
	if k := c.KindOf(); k != offices.KindOffice {
		return string(k) + " "
	}
	return ""
}

// memberLine is one membership difference for people.
func memberLine(c *plan.Change, m plan.MemberChange) string {
	switch m.Op {
	case "add":
		if skill := c.SkillOf(m.Operator); skill != nil {
			return fmt.Sprintf("add %s as %s, skill level %d", m.Operator, m.New, *skill)
		}
		return "add " + m.Operator + " as " + m.New
	case "remove":
		return "remove " + m.Operator + " (" + m.Old + ")"
	case "manage":
		count := m.New + " operators"
		if n, err := strconv.Atoi(m.New); err == nil {
			count = plural(n, "operator")
		}
		return "membership managed from now on: exactly " + count + "; apply removes any others"
	case plan.MemberUnmanage:
		count := m.Old + " operators"
		if n, err := strconv.Atoi(m.Old); err == nil {
			count = plural(n, "operator")
		}
		return "membership no longer managed (the config has no operators): the state forgets the " + count + " it records, Dialpad's stay as they are"
	}
	return m.Operator + ": " + m.Op + " " + fieldValue(m.Old) + " → " + m.New
}

// writtenAsNote is said below a membership that adds a user by email and
// removes a user the state records by id only: the plan cannot tell
// whether they are one person written another way (that takes an API
// call); apply can, and then sends nothing for them. "" otherwise.
func writtenAsNote(c *plan.Change) string {
	var adds, removes bool
	for _, m := range c.Members {
		switch {
		case m.Op == "add" && strings.Contains(m.Operator, "@"):
			adds = true
		case m.Op == "remove" && strings.HasPrefix(m.Operator, "user "):
			removes = true
		}
	}
	if !adds || !removes {
		return ""
	}
	return "an email added above may be a user removed above, written another way: apply resolves emails first and sends nothing for such a user"
}

// manualHint says how to resolve a manual change.
func manualHint(key string, inv plan.Invocation) string {
	return fmt.Sprintf("To resolve: revert the config, or change it in Dialpad and accept it: `%s` then `%s`.", inv.Command("state rm", key), inv.Command("import"))
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// acceptHint says how to accept a change made in Dialpad by hand.
func acceptHint(key string, inv plan.Invocation) string {
	return fmt.Sprintf("Then accept it: `%s` then `%s`.", inv.Command("state rm", key), inv.Command("import"))
}

// fieldValue is a FieldChange value for people: "(none)" when absent.
func fieldValue(v string) string {
	if v == "" {
		return "(none)"
	}
	return v
}

// prettySpec is a JSON spec (from state or Canonical) re-indented by
// prettyJSON, its keys sorted whatever order it was written in.
func prettySpec(spec []byte) string {
	v, err := plan.DecodeSpec(spec)
	if err != nil {
		// MakePlan has decoded it already; keep the raw bytes if not.
		return string(spec) + "\n"
	}
	return prettyJSON(v)
}

// prettyJSON is v as 2-space indented JSON without HTML escaping, with a
// trailing newline. An Office's keys come out sorted (its fields are
// declared in key order), as do a map's.
func prettyJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		panic("engine: encode JSON: " + err.Error())
	}
	return string(offices.EscapeJSON(buf.Bytes()))
}

// printable is s, untrusted text (a name, a key, a file name, a message
// from the API), made safe for one line of a terminal or CI log by the
// one sanitiser, offices.Printable.
func printable(s string) string { return offices.Printable(s) }

// mdText is untrusted s (a name, an email, a note) for markdown text and
// HTML blocks alike: printable, then written so that it can only ever be
// text. HTML's special characters and every character markdown gives a
// meaning to inline ([ ] ( ) * _ ` ~ | \ ! and the : of a URL scheme)
// become character references, which markdown shows as the character
// and never reads as syntax: no link, image, emphasis, code span, table
// cell or autolinked URL can start. A "www." is broken the same way. An
// @ is followed by a word joiner (U+2060, invisible), so that GitHub sees
// no @mention and no email address to link: `[pay](https://ev.il)@ex.com`
// renders as that text, `@team` mentions no one.
func mdText(s string) string {
	s = printable(s)
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		switch r {
		case '&', '<', '>', '"', '\'':
			b.WriteString(html.EscapeString(string(r)))
		case '_':
			if i > 0 && i+1 < len(s) && isWordByte(s[i-1]) && isWordByte(s[i+1]) {
				b.WriteByte('_') // inside a word: never emphasis
				continue
			}
			b.WriteString("&#95;")
		case '[', ']', '*', '`', '~', '|', '\\', '!':
			fmt.Fprintf(&b, "&#%d;", r)
		case ':':
			if strings.HasPrefix(s[i:], "://") {
				b.WriteString("&#58;")
				continue
			}
			b.WriteRune(r)
		case '@':
			b.WriteString("@\u2060")
		case '.':
			if i >= 3 && strings.EqualFold(s[i-3:i], "www") {
				b.WriteString("&#46;")
				continue
			}
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
