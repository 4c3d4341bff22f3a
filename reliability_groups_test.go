package main

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/state"
)

// TestReliabilityGroups is the groups chaos run: departments and call
// centers with two operators each, applied (with their offices) against a
// simulator that fails requests (5xx, 429, commit-then-drop) and answers
// slowly, with the apply process SIGKILLed at random points and started
// again. Afterwards exactly the configured groups and memberships exist,
// none twice, the state names them, and `plan --detailed-exitcode` exits 0.
//
// By default it runs a short variant (CI); OFFICECTL_RELIABILITY=long runs
// the full one: 300 groups, 600 memberships, 100 ms latency, three kills
// (make reliability).
func TestReliabilityGroups(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos apply: not in -short")
	}
	t.Parallel()
	n, kills, latency := 20, 1, 10*time.Millisecond
	if os.Getenv("OFFICECTL_RELIABILITY") == "long" {
		n, kills, latency = 300, 3, 100*time.Millisecond
	}
	faults, err := officestest.ParseFaults("5xx=0.10,429=0.05,drop=0.03")
	if err != nil {
		t.Fatal(err)
	}
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewSource(seed))
	sim := officestest.NewServer(t, officestest.Options{
		Token: "reliability-token", RatePerMinute: 60000, Latency: latency,
		Faults: faults, Seed: uint64(seed),
	})
	bin := buildApplyCLI(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	want := writeGroupsChaosConfig(t, cfg, n)
	t.Logf("seed %d: %d groups, %d memberships, %d kills, %v latency, faults %v", seed, len(want), countMembers(want), kills, latency, faults)
	statePath := filepath.Join(dir, "officectl.state")
	run := chaosRun{bin: bin, cfg: cfg, statePath: statePath, url: sim.URL, maxCreates: n}
	// progress is the groups and memberships on the server.
	total := len(want) + countMembers(want)
	progress := func() int {
		live := liveGroups(sim)
		p := len(live)
		for _, g := range live {
			p += len(sim.Operators(g.id))
		}
		return p
	}

	start := time.Now()
	run.killAt(t, rng, kills, total, progress,
		func(have int) string { return fmt.Sprintf("%d of %d groups and memberships", have, total) })
	// Run to completion: a run that meets an outcome it cannot settle yet
	// may end with failures; the next run resumes.
	run.finish(t, 5)
	st := sim.Stats()
	t.Logf("applied %d groups and %d memberships through %d kills in %v (%d requests, %d injected 5xx, %d injected 429, %d drops)",
		len(want), countMembers(want), kills, time.Since(start).Round(time.Millisecond), st.Requests, st.Injected5xx, st.Injected429, st.Drops)

	saved, err := state.Load(statePath)
	if err != nil {
		t.Fatal(err)
	}
	checkGroupsExactly(t, sim, saved, want)
	plan := exec.Command(bin, "plan", cfg, "--state", statePath, "--detailed-exitcode")
	if out, err := plan.CombinedOutput(); err != nil {
		t.Errorf("plan after apply: %v\n%s", err, tail(string(out), 2000))
	}
}

// chaosGroup is one group the chaos config asks for: its kind, key, name,
// office key and operators as "type id role skill" strings.
type chaosGroup struct {
	kind, key, name, office string
	members                 []string
}

func countMembers(gs []chaosGroup) int {
	n := 0
	for _, g := range gs {
		n += len(g.members)
	}
	return n
}

// writeGroupsChaosConfig writes n groups (half departments, half call
// centers) over one office per 30 groups, each with two operators (users
// by email, rooms by id, roles and skill levels mixed); every tenth
// department routes to a call center. It returns what it wrote.
func writeGroupsChaosConfig(t *testing.T, dir string, n int) []chaosGroup {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	nOffices := (n + 29) / 30
	var b strings.Builder
	b.WriteString("offices:\n")
	for i := 0; i < nOffices; i++ {
		fmt.Fprintf(&b, `  office-%02d:
    name: Office %02d
    country: DE
    currency: EUR
    plan_period: monthly
    invoiced: false
    unified_billing: true
    annual_commit_monthly_billing: false
    billing_address: {address_line_1: "%d Main St", city: Berlin, country: DE, postal_code: "10117", region: Berlin}
`, i, i, i)
	}
	user := func(i int) int { return i%100 + 1 }
	var gs []chaosGroup
	b.WriteString("departments:\n")
	for i := 0; i < n/2; i++ {
		g := chaosGroup{kind: "department", key: fmt.Sprintf("dept-%03d", i), name: fmt.Sprintf("Dept %03d", i), office: fmt.Sprintf("office-%02d", i%nOffices)}
		role := []string{"operator", "admin"}[i%2]
		room := i%10 + 1
		g.members = []string{
			fmt.Sprintf("user %d %s 0", officestest.FirstUserID+int64(user(i)), role),
			fmt.Sprintf("room %d operator 0", officestest.FirstRoomID+int64(room)),
		}
		fmt.Fprintf(&b, "  %s:\n    office: %s\n    name: %s\n    operators: [{user: user%d@example.com, role: %s}, {room: %d}]\n",
			g.key, g.office, g.name, user(i), role, officestest.FirstRoomID+int64(room))
		if i%10 == 0 {
			fmt.Fprintf(&b, `    routing_options:
      open: {action: operator, try_dial_operators: true, operator_routing: simultaneous}
      closed: {action: department, action_target_type: callcenter, action_target_id: {callcenter: cc-%03d}, try_dial_operators: false}
`, i)
		}
		gs = append(gs, g)
	}
	b.WriteString("callcenters:\n")
	for i := 0; i < n-n/2; i++ {
		g := chaosGroup{kind: "callcenter", key: fmt.Sprintf("cc-%03d", i), name: fmt.Sprintf("Center %03d", i), office: fmt.Sprintf("office-%02d", i%nOffices)}
		a, c := user(i+37), user(i+71)
		skill := i%100 + 1
		g.members = []string{
			fmt.Sprintf("user %d supervisor %d", officestest.FirstUserID+int64(a), skill),
			fmt.Sprintf("user %d operator 100", officestest.FirstUserID+int64(c)), // the API's default skill
		}
		fmt.Fprintf(&b, "  %s:\n    office: %s\n    name: %s\n    operators: [{user: user%d@example.com, role: supervisor, skill_level: %d}, {user: %d}]\n",
			g.key, g.office, g.name, a, skill, officestest.FirstUserID+int64(c))
		gs = append(gs, g)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return gs
}

// liveGroup is a department or call center on the simulator.
type liveGroup struct {
	kind, name string
	id, office int64
}

func liveGroups(sim *officestest.TestServer) []liveGroup {
	var out []liveGroup
	for _, kind := range []string{officestest.KindDepartment, officestest.KindCallCenter} {
		for _, g := range sim.Groups(kind) {
			var l liveGroup
			l.kind = kind
			l.name, _ = g["name"].(string)
			id, _ := g["id"].(json.Number).Int64()
			office, _ := g["office_id"].(json.Number).Int64()
			l.id, l.office = id, office
			out = append(out, l)
		}
	}
	return out
}

// checkGroupsExactly checks that the simulator holds exactly the groups of
// want, each once in its office, with exactly its operators, none twice,
// and that the state records each as created with the server's id.
func checkGroupsExactly(t *testing.T, sim *officestest.TestServer, st *state.State, want []chaosGroup) {
	t.Helper()
	live := liveGroups(sim)
	if len(live) != len(want) {
		t.Errorf("%d groups on the server, want %d", len(live), len(want))
	}
	byName := map[string]liveGroup{} // kind/office/name
	for _, l := range live {
		k := fmt.Sprintf("%s/%d/%s", l.kind, l.office, l.name)
		if _, dup := byName[k]; dup {
			t.Errorf("%s %q exists twice in office %d", l.kind, l.name, l.office)
		}
		byName[k] = l
	}
	members := 0
	for _, g := range want {
		officeID := st.Offices[g.office].ID
		l, ok := byName[fmt.Sprintf("%s/%s/%s", g.kind, officeID, g.name)]
		if !ok {
			t.Errorf("%s %s (%q in office %s) is not on the server", g.kind, g.key, g.name, officeID)
			continue
		}
		if e, ok := st.GetOf(state.Kind(g.kind), g.key); !ok {
			t.Errorf("%s %s: not in the state", g.kind, g.key)
		} else if e.Status != state.Created || e.ID != strconv.FormatInt(l.id, 10) {
			t.Errorf("%s %s: state entry %s with id %s, the server has id %d", g.kind, g.key, e.Status, e.ID, l.id)
		}
		var got []string
		for _, o := range sim.Operators(l.id) {
			got = append(got, fmt.Sprintf("%s %d %s %d", o.Type, o.ID, o.Role, o.SkillLevel))
		}
		members += len(got)
		sort.Strings(got)
		exp := append([]string(nil), g.members...)
		sort.Strings(exp)
		if strings.Join(got, ",") != strings.Join(exp, ",") {
			t.Errorf("%s %s: operators on the server %q, want %q", g.kind, g.key, got, exp)
		}
	}
	if members != countMembers(want) {
		t.Errorf("%d memberships on the server, want %d", members, countMembers(want))
	}
}
