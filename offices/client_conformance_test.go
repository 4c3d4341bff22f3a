package offices_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/offices/officestest/specfacts"
)

// loadReference returns the facts of the API reference, committed under
// officestest/specfacts so the conformance runs on a fresh clone.
func loadReference(t *testing.T) *specfacts.Facts {
	t.Helper()
	f, err := specfacts.Load()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// example returns the JSON example of the 200 answer of method path in
// the reference, as a fresh tree.
func example(t *testing.T, spec *specfacts.Facts, path, method string) map[string]any {
	t.Helper()
	ex := spec.Paths[path][method].Example
	if len(ex) == 0 {
		t.Fatalf("reference: no example for %s %s", method, path)
	}
	var out map[string]any
	if err := json.Unmarshal(ex, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// referenceServer is a plain server written from the reference alone,
// independent of the simulator: its answers are the reference's examples
// (int64s as strings), with ids and names filled in. It pages the list
// example over three pages with a cursor, checks the bearer key, and
// answers Dialpad-style errors for a missing key, an unknown office and a
// create without a name. It does no other validation.
func referenceServer(t *testing.T) (url string, existingID int64, listTotal int) {
	spec := loadReference(t)
	office := example(t, spec, "/api/v2/offices/{id}", "get")
	listItem := example(t, spec, "/api/v2/offices", "get")["items"].([]any)[0].(map[string]any)
	e911 := example(t, spec, "/api/v2/offices/{id}/e911", "get")
	company := example(t, spec, "/api/v2/company", "get")

	withID := func(m map[string]any, id int64) map[string]any {
		c := map[string]any{}
		for k, v := range m {
			c[k] = v
		}
		c["id"], c["office_id"] = strconv.FormatInt(id, 10), strconv.FormatInt(id, 10)
		return c
	}
	var mu sync.Mutex
	known := map[int64]map[string]any{124: withID(office, 124), 125: withID(listItem, 125), 126: withID(listItem, 126)}
	pages := map[string]struct {
		id   int64
		next string
	}{"": {124, "c2"}, "c2": {125, "c3"}, "c3": {126, ""}}

	fail := func(w http.ResponseWriter, code int, reason, msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"error":{"code":%d,"message":%q,"errors":[{"domain":"global","reason":%q,"message":%q}]}}`, code, msg, reason, msg)
	}
	reply := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v2/company", func(w http.ResponseWriter, r *http.Request) { reply(w, company) })
	mux.HandleFunc("GET /api/v2/offices", func(w http.ResponseWriter, r *http.Request) {
		p, ok := pages[r.URL.Query().Get("cursor")]
		if !ok {
			fail(w, 400, "badRequest", "invalid cursor")
			return
		}
		mu.Lock()
		page := map[string]any{"items": []any{known[p.id]}}
		mu.Unlock()
		if p.next != "" {
			page["cursor"] = p.next
		}
		reply(w, page)
	})
	mux.HandleFunc("POST /api/v2/offices", func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		name, _ := body["name"].(string)
		if name == "" {
			fail(w, 400, "badRequest", "name: required field missing")
			return
		}
		mu.Lock()
		id := int64(900 + len(known))
		o := withID(office, id)
		o["name"], o["country"] = name, strings.ToLower(fmt.Sprint(body["country"]))
		known[id] = o
		mu.Unlock()
		reply(w, map[string]any{"office": o, "plan": map[string]any{"balance": "0.00", "talk_lines": "1"}})
	})
	mux.HandleFunc("GET /api/v2/offices/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		mu.Lock()
		o, ok := known[id]
		mu.Unlock()
		if !ok {
			fail(w, 404, "notFound", "office not found")
			return
		}
		reply(w, o)
	})
	mux.HandleFunc("GET /api/v2/offices/{id}/e911", func(w http.ResponseWriter, r *http.Request) { reply(w, e911) })
	mux.HandleFunc("PUT /api/v2/offices/{id}/e911", func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		out := map[string]any{}
		for _, k := range []string{"address", "address2", "city", "country", "state", "zip"} {
			if v, ok := body[k].(string); ok {
				out[k] = v
			}
		}
		out["country"] = strings.ToLower(fmt.Sprint(out["country"]))
		reply(w, out)
	})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testKey {
			fail(w, 401, "authError", "invalid API key")
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts.URL, 124, 3
}

// simServer is the simulator set up like referenceServer: the reference's
// office example seeded as the existing office, three offices over three
// pages.
func simServer(t *testing.T) (url string, existingID int64, listTotal int) {
	spec := loadReference(t)
	var ex offices.Live
	b, _ := json.Marshal(example(t, spec, "/api/v2/offices/{id}", "get"))
	if err := json.Unmarshal(b, &ex); err != nil {
		t.Fatal(err)
	}
	ex.ID = 0
	sim := newSim(t, officestest.Options{PageSize: 1})
	ids := sim.Seed(ex, offices.Live{Name: "two"}, offices.Live{Name: "three"})
	return sim.URL, ids[0], 3
}

// referenceOffice is the reference's office example, decoded.
func referenceOffice(t *testing.T) offices.Live {
	var l offices.Live
	b, _ := json.Marshal(example(t, loadReference(t), "/api/v2/offices/{id}", "get"))
	if err := json.Unmarshal(b, &l); err != nil {
		t.Fatal(err)
	}
	return l
}

// TestConformance runs the same client scenarios against the simulator and
// against a server written from the reference's examples alone, so that
// the simulator cannot hide a misreading of the API.
func TestConformance(t *testing.T) {
	servers := map[string]func(*testing.T) (string, int64, int){
		"reference": referenceServer,
		"simulator": simServer,
	}
	type env struct {
		c          *offices.Client
		url        string
		existingID int64
		listTotal  int
	}
	ctx := context.Background()
	scenarios := []struct {
		name string
		run  func(t *testing.T, e env)
	}{
		{"company", func(t *testing.T, e env) {
			co, err := e.c.GetCompany(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if co.ID == 0 || co.Name == "" || co.OfficeCount == 0 {
				t.Errorf("company = %+v", co)
			}
		}},
		{"create then get", func(t *testing.T, e env) {
			l, err := e.c.CreateOffice(ctx, sanFrancisco("Conformance HQ"))
			if err != nil {
				t.Fatal(err)
			}
			if l.ID == 0 || l.OfficeID != l.ID || l.Name != "Conformance HQ" || l.Country != "us" {
				t.Errorf("created %+v", l)
			}
			got, err := e.c.GetOffice(ctx, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != l.ID || got.Name != l.Name {
				t.Errorf("got %+v, want id %d name %q", got, l.ID, l.Name)
			}
		}},
		{"list follows the cursor", func(t *testing.T, e env) {
			first, err := e.c.ListOfficesPage(ctx, offices.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if first.Cursor == "" || len(first.Items) == 0 {
				t.Fatalf("first page = %+v, want items and a cursor", first)
			}
			all, err := e.c.ListOffices(ctx, offices.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			ids := map[int64]bool{}
			for _, l := range all {
				ids[l.ID] = true
			}
			if len(all) != e.listTotal || len(ids) != e.listTotal || !ids[e.existingID] {
				t.Errorf("listed %d offices with %d distinct ids, want %d including %d", len(all), len(ids), e.listTotal, e.existingID)
			}
		}},
		{"get decodes the reference example", func(t *testing.T, e env) {
			got, err := e.c.GetOffice(ctx, e.existingID)
			if err != nil {
				t.Fatal(err)
			}
			want := referenceOffice(t)
			if want.ID != 124 || want.RingSeconds == nil || *want.RingSeconds != 30 || want.RoutingOptions.Open.ActionTargetID.ID != 130 {
				t.Fatalf("the reference example decoded to %+v", want)
			}
			if diff := cmp.Diff(want, *got, cmpopts.IgnoreFields(offices.Live{}, "ID", "OfficeID")); diff != "" {
				t.Errorf("GetOffice(%d) differs from the reference example (-want +got):\n%s", e.existingID, diff)
			}
		}},
		{"e911 get and update", func(t *testing.T, e env) {
			if _, err := e.c.GetE911(ctx, e.existingID); err != nil {
				t.Fatal(err)
			}
			a := offices.E911Address{Address: "3001 Bishop Dr", Address2: "ste 120", City: "San Ramon", Country: "US", State: "CA", Zip: "94583"}
			got, err := e.c.UpdateE911(ctx, e.existingID, offices.E911Update{E911Address: a})
			if err != nil {
				t.Fatal(err)
			}
			want := offices.LiveE911(a)
			want.Country = "us"
			if *got != want {
				t.Errorf("UpdateE911 = %+v, want %+v", *got, want)
			}
		}},
		{"unknown office is permanent", func(t *testing.T, e env) {
			_, err := e.c.GetOffice(ctx, 7)
			if !offices.IsPermanent(err) || !strings.Contains(err.Error(), "404 Not Found") {
				t.Errorf("err = %v", err)
			}
		}},
		{"create without a name is a readable 400", func(t *testing.T, e env) {
			o := berlin("")
			_, err := e.c.CreateOffice(ctx, o)
			if !offices.IsPermanent(err) || !strings.Contains(err.Error(), "name") || !strings.Contains(err.Error(), "400 Bad Request") {
				t.Errorf("err = %v", err)
			}
		}},
		{"wrong key stops everything", func(t *testing.T, e env) {
			cfg := fastConfig(e.url)
			cfg.APIKey = "not-the-key"
			_, err := newClient(t, cfg).ListOffices(ctx, offices.ListOptions{})
			if !offices.IsAuth(err) {
				t.Errorf("err = %v, want IsAuth", err)
			}
		}},
	}
	for name, start := range servers {
		t.Run(name, func(t *testing.T) {
			for _, sc := range scenarios {
				t.Run(sc.name, func(t *testing.T) {
					url, id, total := start(t)
					sc.run(t, env{c: newClient(t, fastConfig(url)), url: url, existingID: id, listTotal: total})
				})
			}
		})
	}
}
