package load

import (
	"fmt"
	"strings"

	"cuelang.org/go/cue"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/schema"
)

// partial runs officectl's own checks on the offices of a file that has
// schema errors, wherever the data allows: an office without an error is
// checked as in a valid file; of an office with errors, the fields the
// schema did not reject (its name, time zone and references) are read as
// written, for the time zone check and the checks that span files. It
// returns the offices for those checks and diags with the new problems.
func (v *validator) partial(name string, offs, u cue.Value, diags []schema.Diagnostic) ([]found, []schema.Diagnostic) {
	it, err := offs.Fields()
	if err != nil {
		return nil, diags
	}
	var out []found
	for it.Next() {
		key := it.Selector().Unquoted()
		src := officeSource{file: name, data: it.Value()}
		bad := errorPaths(diags, "offices."+key)
		if len(bad) == 0 {
			f, ds := v.office(key, src, u.LookupPath(cue.MakePath(cue.Str("offices"), cue.Str(key))))
			diags = append(diags, ds...)
			out = append(out, f)
			continue
		}
		f, ds := partialOffice(key, src, bad)
		diags = append(diags, ds...)
		out = append(out, f)
	}
	schema.SortDiagnostics(diags)
	return out, diags
}

// errorPaths lists the paths, below the office at prefix, of the errors
// in diags: "" for an error at the office itself.
func errorPaths(diags []schema.Diagnostic, prefix string) []string {
	var out []string
	for _, d := range diags {
		if d.Severity != schema.Error {
			continue
		}
		switch {
		case d.Path == prefix:
			out = append(out, "")
		case strings.HasPrefix(d.Path, prefix+"."):
			out = append(out, strings.TrimPrefix(d.Path, prefix+"."))
		}
	}
	return out
}

// partialOffice reads what it can of an office the schema rejected: its
// name, time zone and references, each only where no error lies on or
// under it, and checks the time zone.
func partialOffice(key string, src officeSource, bad []string) (found, []schema.Diagnostic) {
	pos, _ := src.pos("")
	f := found{Desired: Desired{Key: key, Pos: pos}}
	// clean reports whether the field at path is written as a string
	// that no error covers, and returns it.
	clean := func(path string) (string, bool) {
		for _, b := range bad {
			if b == "" || b == path || strings.HasPrefix(b, path+".") || strings.HasPrefix(b, path+"[") ||
				strings.HasPrefix(path, b+".") || strings.HasPrefix(path, b+"[") {
				return "", false
			}
		}
		s, err := src.data.LookupPath(cue.ParsePath(path)).String()
		return s, err == nil
	}
	if name, ok := clean("name"); ok {
		f.Office.Name = name
		f.namePos, _ = src.pos("name")
	}
	var diags []schema.Diagnostic
	if tz, ok := clean("timezone"); ok {
		if msg := timezoneProblem(tz); msg != "" {
			p, _ := src.pos("timezone")
			diags = append(diags, schema.Diagnostic{File: p.File, Line: p.Line, Column: p.Column, Severity: schema.Error,
				Path: "offices." + key + ".timezone", Message: msg})
		}
	}
	var ro offices.RoutingOptions
	for _, side := range []struct {
		name string
		in   *offices.RoutingInner
	}{{"open", &ro.Open}, {"closed", &ro.Closed}} {
		base := "routing_options." + side.name
		if k, ok := clean(base + ".action_target_id.office"); ok {
			side.in.ActionTargetID = &offices.Target{Office: k}
		}
		list, err := src.data.LookupPath(cue.ParsePath(base + ".dtmf")).List()
		if err != nil {
			continue
		}
		for i := 0; list.Next(); i++ {
			m := offices.DTMFMapping{}
			if k, ok := clean(fmt.Sprintf("%s.dtmf[%d].options.action_target_id.office", base, i)); ok {
				m.Options = &offices.DTMFOption{ActionTargetID: &offices.Target{Office: k}}
			}
			side.in.DTMF = append(side.in.DTMF, m)
		}
	}
	f.Office.RoutingOptions = &ro
	f.refs = refsOf(key, src, f.Office)
	for i := range f.refs {
		f.refs[i].typeSet = false // read on its own: its type may be in error
	}
	return f, diags
}

// partialGroups lists the departments and call centers of a file that
// has schema errors for the checks that span files: a group without an
// error as in a valid file; of a group with errors, its key, kind and
// place (a reference from another file to it is not "unknown", and a key
// used twice is still found) and, where no error lies on or under them,
// its name, office and references, so that every group's references are
// checked whatever else fails in its file.
func (v *validator) partialGroups(name string, data, u cue.Value, diags []schema.Diagnostic) ([]foundGroup, []schema.Diagnostic) {
	var out []foundGroup
	var more []schema.Diagnostic
	for _, t := range groupTops {
		it, err := data.LookupPath(cue.MakePath(cue.Str(t.top))).Fields()
		if err != nil {
			continue
		}
		for it.Next() {
			key := it.Selector().Unquoted()
			src := officeSource{file: name, data: it.Value()}
			bad := errorPaths(diags, t.top+"."+key)
			if len(bad) == 0 {
				g, ds := v.group(t.top, t.kind, key, src, u.LookupPath(cue.MakePath(cue.Str(t.top), cue.Str(key))))
				more = append(more, ds...)
				out = append(out, g)
				continue
			}
			out = append(out, partialGroup(t.top, t.kind, key, src, bad))
		}
	}
	return out, more
}

// partialGroup reads what it can of a group the schema rejected: its
// name, office and references, each only where no error lies on or
// under it.
func partialGroup(top, kind, key string, src officeSource, bad []string) foundGroup {
	pos, _ := src.pos("")
	g := foundGroup{DesiredGroup: DesiredGroup{Key: key, Kind: kind, Pos: pos}}
	for _, b := range bad {
		if b == "" {
			return g // the group itself is in error (not a mapping, a bad key)
		}
	}
	clean := func(path string) bool {
		for _, b := range bad {
			if b == path || strings.HasPrefix(b, path+".") || strings.HasPrefix(b, path+"[") ||
				strings.HasPrefix(path, b+".") || strings.HasPrefix(path, b+"[") {
				return false
			}
		}
		return true
	}
	x, ok := plainValue(valueSource(src.data))
	m, isMap := x.(map[string]any)
	if !ok || !isMap {
		return g
	}
	if clean("name") {
		g.Name, _ = m["name"].(string)
		g.namePos, _ = src.pos("name")
	}
	if clean("office") && clean("office_id") {
		g.Office, _ = m["office"].(string)
		g.officePos, _ = src.pos("office")
	}
	for _, r := range refsIn(top+"."+key, src, m) {
		rel := strings.TrimPrefix(r.path, top+"."+key+".")
		typ := strings.TrimSuffix(rel, "action_target_id") + "action_target_type"
		if !clean(rel) {
			continue
		}
		if !clean(typ) {
			r.typeSet = false
		}
		g.refs = append(g.refs, r)
	}
	return g
}
