package engine

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// This file holds import --generate of departments and call centers: a
// generated office's file also describes the groups its live office has,
// with their operators.

// liveGroupOf is one listed department or call center to write.
type liveGroupOf struct {
	kind string
	id   int64
	name string
	body any // the create fields as a JSON tree
	key  string
}

// GenerateGroups appends to each generated office file the departments
// and call centers of its live office (one listing per office and kind,
// every page; deleted and cancelled groups left out) under `departments:`
// and `callcenters:`, each with `office: KEY` (the generated office), the
// fields the listing returns, and `operators:` as listed (users and
// rooms by id, with their roles; skill levels are not listed). A group's
// key is a slug of its office's key and its name, distinct from every key
// of cfg, st and gens. A routing target that is a group of the same file
// is written as a reference by key; others stay ids, so that each file
// validates alone as well as with the config.
func GenerateGroups(ctx context.Context, api ImportGroupsAPI, gens []GeneratedOffice, cfg *load.Config, st *state.State) error {
	if st == nil {
		st = state.New()
	}
	used := map[string]bool{}
	if cfg != nil {
		for _, d := range cfg.Offices {
			used[d.Key] = true
		}
		for _, g := range cfg.Groups {
			used[g.Key] = true
		}
	}
	for _, k := range state.Kinds {
		for key := range st.Map(k) {
			used[key] = true
		}
	}
	for _, g := range gens {
		used[g.Key] = true
	}
	for i := range gens {
		g := &gens[i]
		groups, err := listLiveGroups(ctx, api, g.ID)
		if err != nil {
			return fmt.Errorf("generate: %w", err)
		}
		if len(groups) == 0 {
			continue
		}
		inFile := map[int64]*liveGroupOf{}
		for j := range groups {
			gr := &groups[j]
			gr.key = uniqueKey(slugKey(g.Key+" "+gr.name, gr.id), used)
			used[gr.key] = true
			inFile[gr.id] = gr
		}
		b, err := groupsYAML(ctx, api, g.Key, groups, inFile)
		if err != nil {
			return err
		}
		g.YAML = append(g.YAML, "\n# The departments and call centers of the office in Dialpad, as listed\n"+
			"# (import adopts them by office and name with the office).\n"...)
		g.YAML = append(g.YAML, b...)
	}
	return nil
}

// listLiveGroups lists the departments and call centers of office (one
// listing per kind, every page), leaving out deleted and cancelled ones,
// sorted by id.
func listLiveGroups(ctx context.Context, api ImportGroupsAPI, office int64) ([]liveGroupOf, error) {
	var groups []liveGroupOf
	ds, err := api.ListDepartments(ctx, office)
	if err != nil {
		return nil, fmt.Errorf("listing the departments of office %d: %w", office, err)
	}
	for _, d := range ds {
		if !isGoneState(d.State) {
			groups = append(groups, liveGroupOf{kind: load.KindDepartment, id: d.ID, name: d.Name, body: plan.JSONTree(d.Department)})
		}
	}
	ccs, err := api.ListCallCenters(ctx, office)
	if err != nil {
		return nil, fmt.Errorf("listing the call centers of office %d: %w", office, err)
	}
	for _, c := range ccs {
		if !isGoneState(c.State) {
			groups = append(groups, liveGroupOf{kind: load.KindCallCenter, id: c.ID, name: c.Name, body: plan.JSONTree(c.CallCenter)})
		}
	}
	sort.Slice(groups, func(a, b int) bool { return groups[a].id < groups[b].id })
	return groups, nil
}

func isGoneState(s string) bool { return s == "deleted" || s == "cancelled" }

// groupsYAML is the departments: and callcenters: maps of groups, all of
// office key.
func groupsYAML(ctx context.Context, api ImportGroupsAPI, office string, groups []liveGroupOf, inFile map[int64]*liveGroupOf) ([]byte, error) {
	maps := map[string]*yaml.Node{}
	for i := range groups {
		gr := &groups[i]
		n := &yaml.Node{Kind: yaml.MappingNode}
		n.Content = append(n.Content, yamlKey("office"), yamlStr(office))
		body, _ := gr.body.(map[string]any)
		keys := make([]string, 0, len(body))
		for k, v := range body {
			if l, ok := v.([]any); v == nil || (ok && len(l) == 0) {
				continue // absent or empty: the defaults
			}
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			n.Content = append(n.Content, yamlKey(k), yamlTree(refsByKey(body[k], inFile), nil))
		}
		ops, err := api.ListOperators(ctx, offices.Kind(gr.kind), gr.id)
		if err != nil {
			return nil, fmt.Errorf("generate: listing the operators of %s %d: %w", kindWord(gr.kind), gr.id, err)
		}
		list := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, m := range ops {
			op := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
			op.Content = append(op.Content, yamlKey(m.Type), yamlTree(plan.JSONTree(m.ID), nil))
			if m.Role != "" && m.Type == offices.OperatorUser {
				op.Content = append(op.Content, yamlKey("role"), yamlStr(m.Role))
			}
			list.Content = append(list.Content, op)
		}
		n.Content = append(n.Content, yamlKey("operators"), list)
		top := "departments"
		if gr.kind == load.KindCallCenter {
			top = "callcenters"
		}
		if maps[top] == nil {
			maps[top] = &yaml.Node{Kind: yaml.MappingNode}
		}
		maps[top].Content = append(maps[top].Content, yamlKey(gr.key), n)
	}
	doc := &yaml.Node{Kind: yaml.MappingNode}
	for _, top := range []string{"departments", "callcenters"} {
		if maps[top] != nil {
			doc.Content = append(doc.Content, yamlKey(top), maps[top])
		}
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// refsByKey returns v with each action_target_id that is a group of the
// file as a reference {department|callcenter: KEY}.
func refsByKey(v any, inFile map[int64]*liveGroupOf) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if k == "action_target_id" {
				if n, ok := x.(interface{ String() string }); ok {
					if id, err := strconv.ParseInt(n.String(), 10, 64); err == nil {
						if gr, ok := inFile[id]; ok {
							t[k] = map[string]any{gr.kind: gr.key}
							continue
						}
					}
				}
			}
			t[k] = refsByKey(x, inFile)
		}
	case []any:
		for i := range t {
			t[i] = refsByKey(t[i], inFile)
		}
	}
	return v
}
