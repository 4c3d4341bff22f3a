package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/officectl/officectl/engine"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// driftWrite is `drift --write`: the drift report, then the config edited
// in place to say what is live (engine.PlanWriteBack), the files written
// and the state brought to the live objects, so that the next plan is
// empty. It exits 0 when every drift is written, 2 when some is left to
// do by hand (manual, refused, skipped), 1 on an error.
func driftWrite(std stdio, dir, statePath, format string, parallelism int, lockTimeout time.Duration, api *apiFlags) int {
	inv := plan.Invocation{Dir: dir, State: statePath}
	cfg, err := loadConfig(std, dir, statePath)
	if err != nil {
		return fail(std, "drift", err)
	}
	opts, err := loadOptions(std, []string{dir}, statePath)
	if err != nil {
		return fail(std, "drift", err)
	}
	client, err := api.client(std)
	if err != nil {
		return fail(std, "drift", err)
	}
	store, err := state.Open(statePathFor(dir, statePath), state.Options{LockTimeout: lockTimeout})
	if err != nil {
		return fail(std, "drift", err)
	}
	defer store.Close()
	ctx, stop := signalContext()
	defer stop()
	st := store.State()
	if err := plan.CheckRecordedCompany(ctx, client, st); err != nil {
		return fail(std, "drift", err)
	}
	rep, err := plan.CheckDrift(ctx, st, plan.DriftOptions{API: client, Parallelism: parallelism, Invocation: inv})
	if err != nil {
		return fail(std, "drift", err)
	}
	news, skipped, err := engine.UnmanagedGroups(ctx, client, st, cfg, dir)
	if err != nil {
		return fail(std, "drift", err)
	}
	wb := &engine.WriteBack{}
	if rep.Summary().Total() > 0 || len(news) > 0 {
		if wb, err = engine.PlanWriteBack(st, rep, engine.WriteBackOptions{Dir: dir, Config: cfg, Skip: opts.Skip, Invocation: inv, New: news}); err != nil {
			return fail(std, "drift", err)
		}
		// The state change is tried on a copy first: a failure then
		// writes no file.
		now := time.Now().UTC()
		if err := wb.Record(st.Clone(), now); err != nil {
			return fail(std, "drift", err)
		}
		if err := wb.WriteFiles(); err != nil {
			return fail(std, "drift", err)
		}
		if err := store.Update(func(s *state.State) error { return wb.Record(s, now) }); err != nil {
			return fail(std, "drift", fmt.Errorf("the config files are written, but saving the state failed: %w (the next plan shows the written objects as updates; run drift --write again once the state saves)", err))
		}
		if err := store.Close(); err != nil {
			return fail(std, "drift", err)
		}
	}
	wb.Skipped = append(wb.Skipped, skipped...)
	switch format {
	case "markdown":
		err = renderDriftReport(std, format, rep)
		if err == nil {
			err = writeBackMarkdown(std.out, dir, wb)
		}
	case "json":
		var b bytes.Buffer
		if err = plan.RenderDriftJSON(&b, rep); err == nil {
			err = writeBackJSON(std.out, b.Bytes(), dir, wb)
		}
	default:
		err = renderDriftReport(std, format, rep)
		if err == nil {
			err = writeBackText(std.out, dir, wb)
		}
	}
	if err != nil {
		return fail(std, "drift", err)
	}
	if len(wb.Manual)+len(wb.Refused)+len(wb.Skipped) > 0 {
		return exitChanges
	}
	return exitOK
}

// rel is name relative to dir when it is under it, for the report.
func rel(dir, name string) string {
	if r, err := filepath.Rel(dir, name); err == nil && !strings.HasPrefix(r, "..") {
		return offices.Printable(filepath.Join(filepath.Base(filepath.Clean(dir)), r))
	}
	return offices.Printable(name)
}

// kindWord names a kind for people.
func kindName(kind string) string {
	if kind == "callcenter" {
		return "call center"
	}
	return kind
}

// writeBackText writes what drift --write wrote and left, as text.
func writeBackText(w io.Writer, dir string, wb *engine.WriteBack) error {
	var b strings.Builder
	if len(wb.Written) == 0 && len(wb.Manual)+len(wb.Refused)+len(wb.Skipped) == 0 {
		return nil
	}
	b.WriteString("\n")
	if len(wb.Written) == 0 {
		b.WriteString("Nothing written to the config.\n")
	} else {
		fmt.Fprintf(&b, "Written to the config (%s), and recorded in the state as live:\n", plural(len(wb.Paths), "file"))
		for _, o := range wb.Written {
			what := strings.Join(o.Fields, ", ")
			if o.Deleted {
				what = "deleted in Dialpad: removed"
			}
			if o.New {
				what = "created in Dialpad: written as import --generate would, in a new file"
			}
			fmt.Fprintf(&b, "  %s: %s %s: %s\n", rel(dir, o.File), kindName(o.Kind), offices.Printable(o.Key), offices.Printable(what))
		}
	}
	if len(wb.Manual) > 0 {
		fmt.Fprintf(&b, "\nTo change by hand (%d): the file does not say these as plain values:\n", len(wb.Manual))
		for _, m := range wb.Manual {
			fmt.Fprintf(&b, "  %s\n", offices.Printable(m.String()))
		}
	}
	if len(wb.Refused) > 0 {
		fmt.Fprintf(&b, "\nNot written (%d): the config would not be valid with them:\n", len(wb.Refused))
		for _, r := range wb.Refused {
			fmt.Fprintf(&b, "  %s%s: %s\n    %s\n", offices.Printable(r.Path), valueNote(r), offices.Printable(r.Diagnostic.Message), offices.Printable(r.Hint))
		}
	}
	if len(wb.Skipped) > 0 {
		fmt.Fprintf(&b, "\nLeft alone (%d):\n", len(wb.Skipped))
		for _, s := range wb.Skipped {
			fmt.Fprintf(&b, "  %s %s: %s\n", kindName(s.Kind), offices.Printable(s.Key), offices.Printable(s.Reason))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// valueNote is " = VALUE" for a refused value, shortened.
func valueNote(r engine.RefusedEdit) string {
	v := r.Value
	if r.New {
		return " (new in Dialpad)"
	}
	if v == "" {
		return " (delete)"
	}
	if len(v) > 60 {
		v = v[:57] + "..."
	}
	return " = " + offices.Printable(v)
}

// writeBackMarkdown writes what drift --write wrote and left, as a
// markdown section (the body of the drift pull request).
func writeBackMarkdown(w io.Writer, dir string, wb *engine.WriteBack) error {
	if len(wb.Written)+len(wb.Manual)+len(wb.Refused)+len(wb.Skipped) == 0 {
		return nil
	}
	md := func(s string) string {
		s = offices.Printable(s)
		return strings.NewReplacer("`", "'", "|", "\\|", "<", "&lt;", ">", "&gt;").Replace(s)
	}
	var b strings.Builder
	b.WriteString("\n## Written to the config\n\n")
	if len(wb.Written) == 0 {
		b.WriteString("Nothing.\n")
	}
	for _, o := range wb.Written {
		what := strings.Join(o.Fields, ", ")
		if o.Deleted {
			what = "deleted in Dialpad: removed from the file"
		}
		if o.New {
			what = "created in Dialpad: written as import --generate would, in a new file"
		}
		fmt.Fprintf(&b, "- `%s`: %s `%s`: %s\n", md(rel(dir, o.File)), kindName(o.Kind), md(o.Key), md(what))
	}
	if len(wb.Written) > 0 {
		b.WriteString("\nMerging this accepts the changes made in Dialpad (the apply after merge sends nothing); closing it and running apply sets them back.\n")
	}
	if len(wb.Manual) > 0 {
		b.WriteString("\n### To change by hand\n\n")
		for _, m := range wb.Manual {
			fmt.Fprintf(&b, "- `%s`\n", md(m.String()))
		}
	}
	if len(wb.Refused) > 0 {
		b.WriteString("\n### Not written\n\n")
		for _, r := range wb.Refused {
			fmt.Fprintf(&b, "- `%s`%s: %s. %s\n", md(r.Path), md(valueNote(r)), md(r.Diagnostic.Message), md(r.Hint))
		}
	}
	if len(wb.Skipped) > 0 {
		b.WriteString("\n### Left alone\n\n")
		for _, s := range wb.Skipped {
			fmt.Fprintf(&b, "- %s `%s`: %s\n", kindName(s.Kind), md(s.Key), md(s.Reason))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// jsonWrite is the "write" member drift --write --format json adds to
// the drift report.
type jsonWrite struct {
	Files   []string               `json:"files"`
	Written []engine.WrittenObject `json:"written"`
	Manual  []jsonManual           `json:"manual"`
	Refused []jsonRefused          `json:"refused"`
	Skipped []engine.SkippedWrite  `json:"skipped"`
}

type jsonManual struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

type jsonRefused struct {
	Path    string `json:"path"`
	Value   string `json:"value"`
	Message string `json:"message"`
	Hint    string `json:"hint"`
	New     bool   `json:"new,omitempty"`
}

// writeBackJSON writes the drift report (report, as RenderDriftJSON wrote
// it) with a "write" member last.
func writeBackJSON(w io.Writer, report []byte, dir string, wb *engine.WriteBack) error {
	jw := jsonWrite{Files: []string{}, Written: wb.Written, Manual: []jsonManual{}, Refused: []jsonRefused{}, Skipped: wb.Skipped}
	jw.Files = append(jw.Files, wb.Paths...)
	if jw.Written == nil {
		jw.Written = []engine.WrittenObject{}
	}
	if jw.Skipped == nil {
		jw.Skipped = []engine.SkippedWrite{}
	}
	for _, m := range wb.Manual {
		jw.Manual = append(jw.Manual, jsonManual{File: m.File, Line: m.Line, Column: m.Column, Path: strings.Join(m.Path, "."), Reason: m.Reason})
	}
	for _, r := range wb.Refused {
		jw.Refused = append(jw.Refused, jsonRefused{Path: r.Path, Value: r.Value, Message: r.Diagnostic.Message, Hint: r.Hint, New: r.New})
	}
	b, err := json.MarshalIndent(jw, "  ", "  ")
	if err != nil {
		return err
	}
	body := bytes.TrimRight(report, "\n")
	if !bytes.HasSuffix(body, []byte("}")) {
		return fmt.Errorf("internal error: the drift report is not a JSON object")
	}
	var out bytes.Buffer
	out.Write(bytes.TrimRight(body[:len(body)-1], " \n"))
	out.WriteString(",\n  \"write\": ")
	out.Write(b)
	out.WriteString("\n}\n")
	_, err = offices.JSONWriter(w).Write(out.Bytes())
	return err
}
