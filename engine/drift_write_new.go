package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/schema"
	"github.com/officectl/officectl/state"
)

// This file holds what drift --write does with the departments and call
// centers created in Dialpad's console in an office the config manages:
// each is written into a new file named for it, as import --generate
// writes groups, and recorded in the state as import records them.

// NewGroup is a live department or call center that no config key and no
// state entry describes, in an office the config and the state manage.
type NewGroup struct {
	Kind     string // load.KindDepartment or load.KindCallCenter
	Key      string // the key chosen for it, as import --generate chooses
	Name     string
	ID       int64
	OfficeID int64
	Office   string // the office's key
	// File is the new file (in the config directory) that describes it,
	// YAML its content.
	File string
	YAML []byte
}

// maxNewFileTries bounds the names tried for a new group's file.
const maxNewFileTries = 100

// UnmanagedGroups lists the departments and call centers of each office
// that the state records as created and the config describes (one
// listing per office and kind, every page; deleted and cancelled groups
// left out), and returns those no state entry records (by id) and no
// config group without a state entry names (import would adopt it by
// office and name). Each is written as import --generate writes groups
// (generate_groups.go), alone in a file KEY.yaml of dir; when a file of
// that name exists, KEY-2.yaml and so on. A group for which no free name
// is found is returned in skipped.
func UnmanagedGroups(ctx context.Context, api ImportGroupsAPI, st *state.State, cfg *load.Config, dir string) (news []NewGroup, skipped []SkippedWrite, err error) {
	if st == nil || cfg == nil {
		return nil, nil, errors.New("drift --write: no state or config")
	}
	used := map[string]bool{}
	inConfig := map[string]bool{}
	for _, d := range cfg.Offices {
		used[d.Key] = true
		inConfig[d.Key] = true
	}
	for _, g := range cfg.Groups {
		used[g.Key] = true
	}
	claimed := map[int64]bool{}
	for _, k := range state.Kinds {
		for key, e := range st.Map(k) {
			used[key] = true
			if e == nil || k == state.KindOffice {
				continue
			}
			if id, err := strconv.ParseInt(e.ID, 10, 64); err == nil && id > 0 {
				claimed[id] = true
			}
		}
	}
	officeIDs := plan.StateIDs(st)
	type pendingName struct {
		office     int64
		kind, name string
	}
	pending := map[pendingName]bool{}
	for _, g := range cfg.Groups {
		if _, ok := st.GetOf(state.Kind(g.Kind), g.Key); ok {
			continue
		}
		office := g.OfficeID
		if g.Office != "" {
			office = officeIDs[g.Office]
		}
		pending[pendingName{office, g.Kind, g.Name}] = true
	}
	files := map[string]bool{} // the names taken by news
	for _, officeKey := range st.KeysOf(state.KindOffice) {
		e := st.Offices[officeKey]
		if e == nil || e.Status != state.Created || !inConfig[officeKey] {
			continue
		}
		office, err := strconv.ParseInt(e.ID, 10, 64)
		if err != nil || office <= 0 {
			continue
		}
		groups, err := listLiveGroups(ctx, api, office)
		if err != nil {
			return nil, nil, fmt.Errorf("drift --write: %w", err)
		}
		for i := range groups {
			gr := &groups[i]
			if claimed[gr.id] || pending[pendingName{office, gr.kind, gr.name}] {
				continue
			}
			gr.key = uniqueKey(slugKey(officeKey+" "+gr.name, gr.id), used)
			used[gr.key] = true
			file, ok := freeFile(dir, gr.key, files)
			if !ok {
				skipped = append(skipped, SkippedWrite{Kind: gr.kind, Key: gr.key,
					Reason: fmt.Sprintf("new in Dialpad (%s %d, %q), but %s and the next %d names like it exist in the config directory: run import --generate into another folder and move its file in",
						kindWord(gr.kind), gr.id, offices.Printable(gr.name), gr.key+".yaml", maxNewFileTries-1)})
				continue
			}
			files[file] = true
			b, err := groupsYAML(ctx, api, officeKey, []liveGroupOf{*gr}, map[int64]*liveGroupOf{gr.id: gr})
			if err != nil {
				return nil, nil, fmt.Errorf("drift --write: %w", err)
			}
			header := fmt.Sprintf("# The %s %q, created in Dialpad's console: drift --write wrote it\n# as import --generate writes groups, and recorded it in the state.\n", kindWord(gr.kind), offices.Printable(gr.name))
			news = append(news, NewGroup{Kind: gr.kind, Key: gr.key, Name: gr.name, ID: gr.id, OfficeID: office, Office: officeKey,
				File: filepath.Join(dir, file), YAML: append([]byte(header), b...)})
		}
	}
	return news, skipped, nil
}

// freeFile is the first of KEY.yaml, KEY-2.yaml, ... that neither dir
// nor taken has.
func freeFile(dir, key string, taken map[string]bool) (string, bool) {
	for n := 1; n <= maxNewFileTries; n++ {
		name := key + ".yaml"
		if n > 1 {
			name = key + "-" + strconv.Itoa(n) + ".yaml"
		}
		if taken[name] {
			continue
		}
		if _, err := os.Lstat(filepath.Join(dir, name)); errors.Is(err, fs.ErrNotExist) {
			return name, true
		}
	}
	return "", false
}

// newGroupEdit is a NewGroup in PlanWriteBack: dropped when the config is
// not valid with its file.
type newGroupEdit struct {
	NewGroup
	dropped bool
}

// refuseNewGroups drops each new group whose file an error diagnostic
// names, records it in wb.Refused, and returns the diagnostics that name
// no new file, and whether it dropped any.
func refuseNewGroups(news []*newGroupEdit, diags []schema.Diagnostic, wb *WriteBack) ([]schema.Diagnostic, bool) {
	var rest []schema.Diagnostic
	dropped := false
	for _, d := range diags {
		if d.Severity != schema.Error {
			continue
		}
		matched := false
		for _, n := range news {
			if n.dropped || filepath.Clean(d.File) != filepath.Clean(n.File) {
				continue
			}
			n.refuse(d, wb)
			matched, dropped = true, true
		}
		if !matched {
			rest = append(rest, d)
		}
	}
	return rest, dropped
}

func (n *newGroupEdit) refuse(d schema.Diagnostic, wb *WriteBack) {
	n.dropped = true
	top := state.Kind(n.Kind).Field()
	wb.Refused = append(wb.Refused, RefusedEdit{Kind: n.Kind, Key: n.Key, Path: top + "." + n.Key, Diagnostic: d, New: true,
		Hint: fmt.Sprintf("new in Dialpad (%s %d), but the config would not be valid with its generated file: change it in Dialpad as the message says and run drift --write again, or describe it in the config by hand and run import", kindWord(n.Kind), n.ID)})
}

// recordNew is the state entry import records for n, from the group the
// edited config loads for it.
func recordNew(n *newGroupEdit, cfg *load.Config) (record, error) {
	for _, g := range cfg.Groups {
		if g.Key != n.Key || g.Kind != n.Kind {
			continue
		}
		ops := []state.Operator{}
		for _, o := range g.Operators {
			switch {
			case o.UserID != 0:
				ops = append(ops, state.Operator{Type: state.OperatorUser, ID: strconv.FormatInt(o.UserID, 10), Role: o.Role})
			case o.RoomID != 0:
				ops = append(ops, state.Operator{Type: state.OperatorRoom, ID: strconv.FormatInt(o.RoomID, 10), Role: o.Role})
			}
		}
		state.SortOperators(ops)
		e := &state.Entry{Status: state.Created, ID: strconv.FormatInt(n.ID, 10), Name: g.Name,
			OfficeID: strconv.FormatInt(n.OfficeID, 10), Spec: append([]byte(nil), g.Body...), SpecSHA256: plan.GroupSHA256(g.Body),
			Operators: ops, Protect: g.Protect}
		return record{kind: state.Kind(n.Kind), key: n.Key, id: e.ID, create: e}, nil
	}
	return record{}, fmt.Errorf("drift --write: the written file of %s %q does not load it", kindWord(n.Kind), n.Key)
}

// refuseAllNew drops every new group left with the first error
// diagnostic (which names no edit), and reports whether it dropped any.
func refuseAllNew(news []*newGroupEdit, diags []schema.Diagnostic, wb *WriteBack) bool {
	var first *schema.Diagnostic
	for i := range diags {
		if diags[i].Severity == schema.Error {
			first = &diags[i]
			break
		}
	}
	dropped := false
	for _, n := range news {
		if !n.dropped && first != nil {
			n.refuse(*first, wb)
			dropped = true
		}
	}
	return dropped
}

// finishNew lists the new groups written and the state entries that
// record them, from cfg, the edited config loaded.
func (wb *WriteBack) finishNew(news []*newGroupEdit, cfg *load.Config) error {
	for _, n := range news {
		if n.dropped {
			continue
		}
		r, err := recordNew(n, cfg)
		if err != nil {
			return err
		}
		if wb.created == nil {
			wb.created = map[string]bool{}
		}
		wb.created[n.File] = true
		wb.records = append(wb.records, r)
		wb.Written = append(wb.Written, WrittenObject{Kind: n.Kind, Key: n.Key, File: n.File, New: true})
	}
	sort.Slice(wb.Written, func(i, j int) bool { return wb.Written[i].Key < wb.Written[j].Key })
	return nil
}

// writeNew writes a new file: a temporary file in its folder, then
// linked to name, which fails when name exists (never overwritten).
func writeNew(name string, data []byte) error {
	tmp, err := writeTemp(name, data, 0o644)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	err = os.Link(tmp, name)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		// A file system without hard links: created exclusively instead.
		var f *os.File
		if f, err = os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644); err == nil {
			_, err = f.Write(data)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
	}
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s appeared since drift --write chose its name: not overwritten; run drift --write again", offices.Printable(name))
	}
	return err
}
