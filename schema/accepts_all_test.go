package schema

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"cuelang.org/go/cue"
)

// acceptsCases are files for Accepts: the bench office and variants the
// schema refuses in different places (a field, closedness, a key, a
// reference, the hours and dtmf checks made in Go), and groups.
func acceptsCases(t testing.TB) []map[string]any {
	t.Helper()
	edits := []func(o, top map[string]any){
		nil,
		func(o, _ map[string]any) { o["name"] = "Another office" },
		func(o, _ map[string]any) { o["country"] = "XX" },
		func(o, _ map[string]any) { o["bogus"] = int64(1) },
		func(o, _ map[string]any) { delete(o, "name") },
		func(o, _ map[string]any) { o["ring_seconds"] = int64(5) },
		func(o, _ map[string]any) { o["country"] = "DE"; delete(o, "e911_address") },
		func(o, _ map[string]any) { o["country"] = "US"; delete(o, "e911_address") },
		func(o, _ map[string]any) { o["monday_hours"] = []any{"18:00", "08:00"} },
		func(o, _ map[string]any) { o["billing_contact"].(map[string]any)["email"] = "not an email" },
		func(o, _ map[string]any) {
			o["routing_options"].(map[string]any)["closed"].(map[string]any)["action_target_id"] = map[string]any{"office": "Bad Key"}
		},
		func(o, _ map[string]any) {
			o["routing_options"].(map[string]any)["closed"].(map[string]any)["action_target_id"] = map[string]any{"office": "k", "department": "d"}
		},
		func(o, _ map[string]any) {
			o["routing_options"].(map[string]any)["closed"].(map[string]any)["action_target_id"] = map[string]any{"department": "sales"}
		},
		func(o, _ map[string]any) {
			open := o["routing_options"].(map[string]any)["open"].(map[string]any)
			open["dtmf"] = append(open["dtmf"].([]any), map[string]any{"input": "1"})
		},
		func(_, top map[string]any) {
			offs := top["offices"].(map[string]any)
			offs["Bad Key"] = offs["office-00001"]
			delete(offs, "office-00001")
		},
		func(_, top map[string]any) { top["bogus"] = map[string]any{} },
		func(_, top map[string]any) {
			top["departments"] = map[string]any{"sales": map[string]any{"name": "Sales", "office": "office-00001"}}
		},
		func(_, top map[string]any) {
			top["departments"] = map[string]any{"sales": map[string]any{"name": "Sales"}}
		},
		func(o, top map[string]any) { // more offices than MaxTogether
			for i := range MaxTogether + 3 {
				top["offices"].(map[string]any)[fmt.Sprint("copy-", i)] = o
			}
		},
		func(o, top map[string]any) { // and one of them refused
			for i := range MaxTogether + 3 {
				top["offices"].(map[string]any)[fmt.Sprint("copy-", i)] = o
			}
			top["offices"].(map[string]any)["copy-5"] = map[string]any{"name": "Alone"}
		},
		func(_, top map[string]any) {
			top["callcenters"] = map[string]any{"cc": map[string]any{"name": "CC", "office_id": int64(7), "operators": []any{map[string]any{"room": int64(1)}}}}
		},
	}
	var files []map[string]any
	for _, edit := range edits {
		var x any
		if err := json.Unmarshal([]byte(benchOffice), &x); err != nil {
			t.Fatal(err)
		}
		top := ints(x).(map[string]any)
		if edit != nil {
			edit(top["offices"].(map[string]any)["office-00001"].(map[string]any), top)
		}
		files = append(files, top)
	}
	return files
}

// TestAcceptsAllAsOneByOne checks that judging files together changes no
// verdict: in batches of every size, in random orders, each file's verdict
// is the full schema's on that file alone.
func TestAcceptsAllAsOneByOne(t *testing.T) {
	files := acceptsCases(t)
	s, err := Compile(NewContext())
	if err != nil {
		t.Fatal(err)
	}
	want := make([]bool, len(files))
	accepted := 0
	for i, f := range files {
		_, _, want[i] = s.check(s.ctx.Encode(f), cue.Value{})
		if want[i] {
			accepted++
		}
	}
	if accepted < 3 || accepted > len(files)-10 {
		t.Fatalf("the schema accepts %d of %d cases: the test tells nothing", accepted, len(files))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 40 {
		order := rng.Perm(len(files))
		for len(order) > 0 {
			n := min(len(order), 1+rng.IntN(12))
			batch := make([]map[string]any, n)
			for j, i := range order[:n] {
				batch[j] = files[i]
			}
			got := s.AcceptsAll(batch)
			for j, i := range order[:n] {
				if got[j] != want[i] {
					t.Errorf("round %d, case %d in a batch of %d: AcceptsAll %v, the schema %v", round, i, n, got[j], want[i])
				}
			}
			order = order[n:]
		}
	}
}

// BenchmarkAcceptsAll is BenchmarkAccepts with files judged together:
// ns/op is per file.
func BenchmarkAcceptsAll(b *testing.B) {
	for _, n := range []int{1, 4, 8, 16} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			files := make([]map[string]any, n)
			for i := range files {
				var x any
				if err := json.Unmarshal([]byte(benchOffice), &x); err != nil {
					b.Fatal(err)
				}
				files[i] = ints(x).(map[string]any)
				files[i]["offices"].(map[string]any)["office-00001"].(map[string]any)["name"] = fmt.Sprint("Office ", i)
			}
			b.ReportAllocs()
			var s *Schema
			for i := 0; i < b.N; i += n {
				if i%250 < n {
					var err error
					if s, err = Compile(NewContext()); err != nil {
						b.Fatal(err)
					}
				}
				for _, ok := range s.AcceptsAll(files) {
					if !ok {
						b.Fatal("not accepted")
					}
				}
			}
		})
	}
}
