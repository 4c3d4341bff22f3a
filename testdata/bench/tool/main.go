// Command tool is the bench harness of `make bench`: it generates office
// files, measures a command's wall time and peak RSS, and decodes files
// into CUE without a schema (cue's decoders and compile alone: what cue
// vet pays before any checking; officectl's fast path pays less, see
// engine/load/plain.go).
//
//	go run ./testdata/bench/tool gen -n 10000 -invalid 0.05 -out DIR
//	go run ./testdata/bench/tool measure -- officectl validate DIR
//	go run ./testdata/bench/tool floor DIR
//	go run ./testdata/bench/tool groups -offices 2000 -n 10000 -out DIR (departments and call centers of gen's offices)
//	go run ./testdata/bench/tool state DIR STATEFILE   (every office and group of DIR created)
//	go run ./testdata/bench/tool planstep DIR STATEFILE (load and plan, timed apart)
//	go run ./testdata/bench/tool minimum DIR STATEFILE (the requests an apply of that plan needs)
//	go run ./testdata/bench/tool requests SIMLOG SKIP (the simulator's log lines after SKIP, by request)
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"cuelang.org/go/cue/cuecontext"
	cuejson "cuelang.org/go/encoding/json"
	cueyaml "cuelang.org/go/encoding/yaml"

	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/state"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: tool gen|groups|measure|floor|state|planstep|minimum|requests ...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = gen(os.Args[2:])
	case "measure":
		err = measure(os.Args[2:])
	case "floor":
		err = floor(os.Args[2:])
	case "groups":
		err = genGroups(os.Args[2:])
	case "state":
		err = genState(os.Args[2:])
	case "planstep":
		err = planStep(os.Args[2:])
	case "minimum":
		err = minimum(os.Args[2:])
	case "requests":
		err = requests(os.Args[2:])
	default:
		err = fmt.Errorf("unknown subcommand %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tool:", err)
		os.Exit(1)
	}
}

var countries = []struct{ code, cur string }{
	{"DE", "EUR"}, {"FR", "EUR"}, {"GB", "GBP"}, {"US", "USD"}, {"CA", "CAD"}, {"JP", "JPY"},
	{"AU", "AUD"}, {"NZ", "NZD"}, {"BR", "USD"}, {"PT", "EUR"}, {"ES", "EUR"}, {"IN", "USD"},
}

// office returns one realistic office (about 1.3 KB as YAML).
func office(i int, r *rand.Rand) map[string]any {
	c := countries[r.Intn(len(countries))]
	o := map[string]any{
		"name":                          fmt.Sprintf("Office %05d", i),
		"country":                       c.code,
		"currency":                      c.cur,
		"plan_period":                   []string{"monthly", "yearly"}[r.Intn(2)],
		"invoiced":                      r.Intn(2) == 0,
		"unified_billing":               true,
		"annual_commit_monthly_billing": false,
		"timezone":                      "Europe/Berlin",
		"group_description":             fmt.Sprintf("Generated office number %d for the benchmark", i),
		"ring_seconds":                  10 + r.Intn(36),
		"hours_on":                      true,
		"monday_hours":                  []string{"08:00", "12:00", "13:00", "18:00"},
		"friday_hours":                  []string{"08:00", "16:00"},
		"billing_address": map[string]any{
			"address_line_1": fmt.Sprintf("%d Main Street", i), "city": "Springfield",
			"country": c.code, "postal_code": fmt.Sprintf("%05d", i), "region": "Region",
		},
		"billing_contact": map[string]any{"name": "Finance", "email": "finance@example.com"},
		"e911_address": map[string]any{
			"address": fmt.Sprintf("%d Main Street", i), "city": "Springfield",
			"country": c.code, "state": "ST", "zip": fmt.Sprintf("%05d", i),
		},
		"routing_options": map[string]any{
			"open": map[string]any{"action": "menu", "try_dial_operators": true, "operator_routing": "longestidle",
				"dtmf": []any{
					map[string]any{"input": "1", "options": map[string]any{"action": "voicemail"}},
					map[string]any{"input": "2", "options": map[string]any{"action": "department", "action_target_type": "department", "action_target_id": 1000 + i}},
				}},
			"closed": map[string]any{"action": "voicemail", "try_dial_operators": false},
		},
	}
	return o
}

// breakOffice makes an office invalid in one of 13 ways.
func breakOffice(o map[string]any, kind int) {
	switch kind % 13 {
	case 0:
		o["country"] = "XX"
	case 1:
		o["ring_seconds"] = 9
	case 2:
		delete(o, "currency")
	case 3:
		o["bogus"] = true
	case 4:
		o["monday_hours"] = []string{"18:00", "08:00"}
	case 5:
		o["name"] = "two\nlines"
	case 6:
		o["plan_period"] = "weekly"
	case 7:
		o["billing_contact"] = map[string]any{"name": "x", "email": "not-an-email"}
	case 8:
		o["group_description"] = strings.Repeat("x", 257)
	case 9:
		delete(o["billing_address"].(map[string]any), "city")
	case 10:
		o["routing_options"].(map[string]any)["open"].(map[string]any)["action"] = "hangup"
	case 11:
		o["invoiced"] = "yes"
	case 12:
		o["friday_hours"] = []string{"08:00"}
	}
}

func gen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	n := fs.Int("n", 1000, "offices, one file each")
	out := fs.String("out", "", "directory to write")
	invalid := fs.Float64("invalid", 0, "fraction of files made invalid")
	seed := fs.Int64("seed", 1, "random seed")
	fs.Parse(args)
	if *out == "" {
		return fmt.Errorf("gen: -out is required")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	r := rand.New(rand.NewSource(*seed))
	bad := 0
	for i := 0; i < *n; i++ {
		o := office(i, r)
		if r.Float64() < *invalid {
			breakOffice(o, bad)
			bad++
		}
		doc := map[string]any{"offices": map[string]any{fmt.Sprintf("office-%05d", i): o}}
		var b []byte
		var name string
		if i%5 < 3 { // 60% YAML
			b = toYAML(doc, 0)
			name = fmt.Sprintf("office-%05d.yaml", i)
		} else {
			b, _ = json.MarshalIndent(doc, "", "  ")
			name = fmt.Sprintf("office-%05d.json", i)
		}
		if err := os.WriteFile(filepath.Join(*out, name), b, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("%d files, %d invalid\n", *n, bad)
	return nil
}

// toYAML writes the generated maps as block YAML (sorted keys).
func toYAML(v any, indent int) []byte {
	var b strings.Builder
	writeYAML(&b, v, indent)
	return []byte(b.String())
}

func writeYAML(b *strings.Builder, v any, indent int) {
	pad := strings.Repeat("  ", indent)
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			switch val := x[k].(type) {
			case map[string]any, []any:
				fmt.Fprintf(b, "%s%s:\n", pad, k)
				writeYAML(b, val, indent+1)
			default:
				fmt.Fprintf(b, "%s%s: %s\n", pad, k, scalar(val))
			}
		}
	case []any:
		for _, e := range x {
			fmt.Fprintf(b, "%s-\n", pad)
			writeYAML(b, e, indent+1)
		}
	}
}

func scalar(v any) string {
	switch x := v.(type) {
	case []string:
		q := make([]string, len(x))
		for i, s := range x {
			q[i] = fmt.Sprintf("%q", s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	case string:
		return fmt.Sprintf("%q", x)
	}
	return fmt.Sprint(v)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// measure runs a command and prints its wall time, peak RSS and exit code
// as JSON on stdout (the command's own output goes to stderr).
func measure(args []string) error {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		return fmt.Errorf("measure: no command")
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		return err
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"wall_s": wall.Seconds(), "maxrss_kib": ru.Maxrss, "exit": code,
	})
}

// floor decodes every file of a directory into CUE values on one worker
// per core, with no schema: the cost any validator pays.
func floor(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("floor DIR")
	}
	entries, err := os.ReadDir(args[0])
	if err != nil {
		return err
	}
	next := make(chan string)
	var wg sync.WaitGroup
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := cuecontext.New()
			n := 0
			for name := range next {
				if n++; n%250 == 0 {
					ctx = cuecontext.New()
				}
				src, err := os.ReadFile(name)
				if err != nil {
					continue
				}
				if strings.HasSuffix(name, ".json") {
					if e, err := cuejson.Extract(name, src); err == nil {
						ctx.BuildExpr(e).Validate()
					}
				} else if f, err := cueyaml.Extract(name, src); err == nil {
					ctx.BuildFile(f).Validate()
				}
			}
		}()
	}
	for _, e := range entries {
		next <- filepath.Join(args[0], e.Name())
	}
	close(next)
	wg.Wait()
	return nil
}

// genState writes a state in which every office and group of DIR exists,
// with its operators (a userN@example.com resolved as the simulator's
// seeded user N): the state a company has after applying that config.
func genState(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("state DIR STATEFILE")
	}
	cfg, diags, err := load.Load(args[0], load.LoadOptions{})
	if err != nil {
		return err
	}
	if cfg == nil {
		return fmt.Errorf("config invalid (%d diagnostics)", len(diags))
	}
	st := state.New()
	now := time.Now().UTC()
	for i, d := range cfg.Offices {
		st.Offices[d.Key] = &state.Entry{
			Status: state.Created, ID: fmt.Sprint(5100000000000000 + i), Name: d.Office.Name,
			Spec: d.Office.Canonical(), SpecSHA256: d.SpecSHA256, CreatedAt: &now,
		}
	}
	for i, g := range cfg.Groups {
		officeID := fmt.Sprint(g.OfficeID)
		if g.Office != "" {
			officeID = st.Offices[g.Office].ID
		}
		e := &state.Entry{
			Status: state.Created, ID: fmt.Sprint(5500000000000000 + i), Name: g.Name, OfficeID: officeID,
			Spec: g.Body, SpecSHA256: plan.GroupSHA256(g.Body), Protect: g.Protect, CreatedAt: &now,
		}
		if g.Operators != nil {
			e.Operators = []state.Operator{}
		}
		for _, o := range g.Operators {
			so := state.Operator{Email: o.Email, Role: o.Role, Type: state.OperatorUser}
			switch {
			case o.Email != "":
				var n int64
				fmt.Sscanf(o.Email, "user%d@", &n)
				so.ID = fmt.Sprint(officestest.FirstUserID + n)
			case o.UserID != 0:
				so.ID = fmt.Sprint(o.UserID)
			default:
				so.Type, so.ID = state.OperatorRoom, fmt.Sprint(o.RoomID)
			}
			if o.SkillLevel != nil {
				so.SkillLevel = int(*o.SkillLevel)
			}
			e.Operators = append(e.Operators, so)
		}
		state.SortOperators(e.Operators)
		st.SetOf(state.Kind(g.Kind), g.Key, e)
	}
	return state.Save(args[1], st)
}

// planStep times loading a config and a state, and planning, apart.
func planStep(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("planstep DIR STATEFILE")
	}
	t0 := time.Now()
	cfg, _, err := load.Load(args[0], load.LoadOptions{})
	if err != nil || cfg == nil {
		return fmt.Errorf("load: %v", err)
	}
	t1 := time.Now()
	st, err := state.Load(args[1])
	if err != nil {
		return err
	}
	t2 := time.Now()
	p, err := plan.MakePlan(cfg, st)
	if err != nil {
		return err
	}
	t3 := time.Now()
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"validate_s": t1.Sub(t0).Seconds(), "state_load_s": t2.Sub(t1).Seconds(),
		"plan_s": t3.Sub(t2).Seconds(), "changes": len(p.Changes),
	})
}

// genGroups writes n groups over the offices office-00000… that gen
// writes (-offices of them), 100 to a YAML file: departments and call
// centers alternately, each with 1 to 3 operators among the simulator's
// seeded users (by email, by id) and rooms (departments only); every tenth
// department routes, when closed, to the next call center.
func genGroups(args []string) error {
	fs := flag.NewFlagSet("groups", flag.ExitOnError)
	n := fs.Int("n", 1000, "departments and call centers")
	nOffices := fs.Int("offices", 100, "offices of gen's numbering to spread them over")
	out := fs.String("out", "", "directory to write")
	seed := fs.Int64("seed", 1, "random seed")
	fs.Parse(args)
	if *out == "" || *nOffices < 1 {
		return fmt.Errorf("groups: -out and -offices >= 1 are required")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	r := rand.New(rand.NewSource(*seed))
	var deps, ccs strings.Builder
	flush := func(file int) error {
		var b strings.Builder
		if deps.Len() > 0 {
			b.WriteString("departments:\n" + deps.String())
		}
		if ccs.Len() > 0 {
			b.WriteString("callcenters:\n" + ccs.String())
		}
		deps.Reset()
		ccs.Reset()
		return os.WriteFile(filepath.Join(*out, fmt.Sprintf("groups-%04d.yaml", file)), []byte(b.String()), 0o644)
	}
	for i := 0; i < *n; i++ {
		office := fmt.Sprintf("office-%05d", (i/2)%*nOffices)
		users := r.Perm(100)[:1+r.Intn(3)] // distinct users 0..99, seeded as 1..100
		var ops []string
		if i%2 == 0 {
			for j, u := range users {
				switch {
				case j == 2:
					ops = append(ops, fmt.Sprintf("{room: %d}", officestest.FirstRoomID+int64(1+u%10)))
				case u%3 == 0:
					ops = append(ops, fmt.Sprintf("{user: %d, role: admin}", officestest.FirstUserID+int64(u+1)))
				default:
					ops = append(ops, fmt.Sprintf("{user: user%d@example.com}", u+1))
				}
			}
			fmt.Fprintf(&deps, "  dept-%05d:\n    office: %s\n    name: Dept %05d\n    ring_seconds: %d\n    operators: [%s]\n",
				i, office, i, 10+r.Intn(36), strings.Join(ops, ", "))
			if i%20 == 0 && i+1 < *n {
				fmt.Fprintf(&deps, "    routing_options:\n      open: {action: operator, try_dial_operators: true, operator_routing: simultaneous}\n      closed: {action: department, action_target_type: callcenter, action_target_id: {callcenter: cc-%05d}, try_dial_operators: false}\n", i+1)
			}
		} else {
			for j, u := range users {
				if j == 0 {
					ops = append(ops, fmt.Sprintf("{user: user%d@example.com, role: supervisor, skill_level: %d}", u+1, 1+r.Intn(100)))
				} else {
					ops = append(ops, fmt.Sprintf("{user: user%d@example.com}", u+1))
				}
			}
			fmt.Fprintf(&ccs, "  cc-%05d:\n    office: %s\n    name: Center %05d\n    advanced_settings: {max_wrap_up_seconds: %d}\n    operators: [%s]\n",
				i, office, i, r.Intn(60), strings.Join(ops, ", "))
		}
		if i%100 == 99 || i == *n-1 {
			if err := flush(i / 100); err != nil {
				return err
			}
		}
	}
	fmt.Printf("%d groups over %d offices\n", *n, *nOffices)
	return nil
}
