// Command tool is the bench harness of `make bench`: it generates office
// files, measures a command's wall time and peak RSS, and decodes files
// into CUE without a schema (cue's decoders and compile alone: what cue
// vet pays before any checking; officectl's fast path pays less, see
// engine/load/plain.go).
//
//	go run ./testdata/bench/tool gen -n 10000 -invalid 0.05 -out DIR
//	go run ./testdata/bench/tool measure -- officectl validate DIR
//	go run ./testdata/bench/tool floor DIR
//	go run ./testdata/bench/tool state DIR STATEFILE   (every office of DIR created)
//	go run ./testdata/bench/tool planstep DIR STATEFILE (load and plan, timed apart)
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
	"github.com/officectl/officectl/state"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: tool gen|measure|floor ...")
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
	case "state":
		err = genState(os.Args[2:])
	case "planstep":
		err = planStep(os.Args[2:])
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

// genState writes a state in which every office of DIR exists: the state a
// company has after applying that config.
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
