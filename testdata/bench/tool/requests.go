package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/state"
)

// minimum prints, as JSON, the requests an apply of the plan of DIR
// against STATEFILE cannot do without, by what they are for:
//
//   - writes: one request per create (or resume), PATCH of changed
//     fields, E911 update and delete;
//   - members: one per operator added, removed, whose role changes (one
//     POST sets role and skill) or whose skill alone changes;
//   - listings: one per office and kind (offices, departments, call
//     centers) that the plan adopts in or checks targets in, each at one
//     page (the bench's offices hold fewer groups than a page); none in
//     an office the plan creates (nothing there to adopt or check);
//   - lookups: one per distinct email added, or the pages of one users
//     listing (-users of them, 100 a page) when that is fewer;
//   - company: the one company check of a plan that acts.
func minimum(args []string) error {
	fs := flag.NewFlagSet("minimum", flag.ExitOnError)
	users := fs.Int("users", 100, "users of the company, for the pages of a users listing")
	fs.Parse(args)
	if fs.NArg() != 2 {
		return fmt.Errorf("minimum [-users N] DIR STATEFILE")
	}
	cfg, _, err := load.Load(fs.Arg(0), load.LoadOptions{})
	if err != nil || cfg == nil {
		return fmt.Errorf("load: %v", err)
	}
	st, err := state.Load(fs.Arg(1))
	if err != nil {
		return err
	}
	p, err := plan.MakePlan(cfg, st)
	if err != nil {
		return err
	}
	created := map[string]bool{}
	for _, c := range p.Changes {
		if c.KindOf() == offices.KindOffice && (c.Action == plan.ActionCreate || c.Action == plan.ActionResume) {
			created[c.Key] = true
		}
	}
	var writes, members int
	listings := map[string]bool{}
	emails := map[string]bool{}
	acts := false
	for _, c := range p.Changes {
		switch c.Action {
		case plan.ActionNoOp, plan.ActionManual, plan.ActionOrphan:
			continue
		}
		acts = true
		switch c.Action {
		case plan.ActionCreate, plan.ActionResume, plan.ActionDelete, plan.ActionUpdateE911:
			writes++
		case plan.ActionUpdate:
			if len(plan.PatchFields(c.Fields)) > 0 {
				writes++
			}
		}
		office := ""
		switch {
		case c.KindOf() == offices.KindOffice:
			if c.Action == plan.ActionCreate || c.Action == plan.ActionResume {
				listings["offices"] = true
			}
		case c.Group != nil && c.Group.Office != "":
			office = c.Group.Office
		case c.Group != nil:
			office = strconv.FormatInt(c.Group.OfficeID, 10)
		case c.Entry != nil:
			office = "id " + c.Entry.OfficeID
		}
		if office != "" && !created[office] {
			listings[string(c.KindOf())+" in "+office] = true
		}
		ms := sameUsers(c.Members)
		posted := map[string]bool{} // a POST sets the role and the skill
		for _, m := range ms {
			if m.Op == "add" || m.Op == "role" {
				posted[m.Operator] = true
			}
		}
		for _, m := range ms {
			switch m.Op {
			case "add":
				members++
				if strings.Contains(m.Operator, "@") {
					emails[m.Operator] = true
				}
			case "remove", "role":
				members++
			case "skill":
				if !posted[m.Operator] {
					members++
				}
			}
		}
	}
	lookups := min(len(emails), (*users+99)/100)
	company := 0
	if acts {
		company = 1
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]int{
		"writes": writes, "members": members, "listings": len(listings), "lookups": lookups, "company": company,
		"total": writes + members + len(listings) + lookups + company,
	})
}

// sameUsers drops from ms the add of a user written by email and the
// remove of the same user recorded by id (the simulator's seeded userN is
// id FirstUserID+N), with the same role: the plan cannot tell them apart
// without asking Dialpad, apply sends nothing for them. With another role
// they are one role change.
func sameUsers(ms []plan.MemberChange) []plan.MemberChange {
	removes := map[string]int{}
	for i, m := range ms {
		if m.Op == "remove" {
			removes[m.Operator] = i
		}
	}
	drop := map[int]bool{}
	for i, m := range ms {
		var n int64
		if m.Op != "add" || !strings.HasSuffix(m.Operator, "@example.com") {
			continue
		}
		if _, err := fmt.Sscanf(m.Operator, "user%d@", &n); err != nil {
			continue
		}
		j, ok := removes[fmt.Sprintf("user %d", officestest.FirstUserID+n)]
		if !ok {
			continue
		}
		drop[j] = true
		if ms[j].Old == m.New {
			drop[i] = true
		} else {
			ms[i].Op, ms[i].Old = "role", ms[j].Old
		}
	}
	var out []plan.MemberChange
	for i, m := range ms {
		if !drop[i] {
			out = append(out, m)
		}
	}
	return out
}

// requests reads a simulator's log from line SKIP+1 on and prints, as
// JSON, how many requests it answered (429s included) and how many of
// each method and path, ids written {id}.
func requests(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("requests SIMLOG SKIP")
	}
	skip, err := strconv.Atoi(args[1])
	if err != nil {
		return err
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	by := map[string]int{}
	total, throttled, line := 0, 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line++; line <= skip {
			continue
		}
		fields := strings.Fields(sc.Text())
		if len(fields) != 4 || !strings.HasPrefix(fields[1], "/api/") {
			continue
		}
		total++
		if fields[2] == "429" {
			throttled++
		}
		parts := strings.Split(fields[1], "/")
		for i, part := range parts {
			if part != "" && strings.Trim(part, "0123456789") == "" {
				parts[i] = "{id}"
			}
		}
		by[fields[0]+" "+strings.Join(parts, "/")]++
	}
	if err := sc.Err(); err != nil {
		return err
	}
	keys := make([]string, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%d", k, by[k]))
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{"requests": total, "throttled": throttled, "by": strings.Join(parts, ", ")})
}
