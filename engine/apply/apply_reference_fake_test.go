package apply_test

import (
	"encoding/json"
	"fmt"
	"github.com/officectl/officectl/engine/apply/applytest"
	"github.com/officectl/officectl/engine/enginetest"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/offices/officestest/specfacts"
	"github.com/officectl/officectl/state"
)

// refFake is a second, independent fake of the groups endpoints apply
// uses (departments, call centers, operators of every kind, skills, users
// by email), written from the reference facts alone (specfacts), not from
// the simulator's code: every request must be a path and method of the
// reference, its body may hold only the fields of the reference's request
// schema and must hold its required ones; answers have the reference's
// shapes, with ids as JSON strings as in the reference's examples, and
// group listings are paged two items at a time with a cursor. The offices
// endpoints are passed on to the simulator. It has no faults.
type refFake struct {
	t     *testing.T
	facts *specfacts.Facts
	next  *httputil.ReverseProxy

	mu      sync.Mutex
	nextID  int64
	groups  map[string]map[int64]map[string]any // kind collection → id → stored group
	members map[int64]map[string]refMember      // group or office id → "type id" → member
	users   map[int64]string                    // id → email
	rooms   map[int64]bool
	served  map[string]int // "METHOD template" → requests answered
}

type refMember struct {
	Type  string
	ID    int64
	Role  string
	Skill int64
}

// refRoutes are the path templates the fake serves, as the reference
// writes them, with the pattern that matches them.
var refRoutes = []struct {
	template string
	re       *regexp.Regexp
}{
	{"/api/v2/users", regexp.MustCompile(`^/api/v2/users$`)},
	{"/api/v2/departments", regexp.MustCompile(`^/api/v2/(departments)$`)},
	{"/api/v2/callcenters", regexp.MustCompile(`^/api/v2/(callcenters)$`)},
	{"/api/v2/departments/{id}", regexp.MustCompile(`^/api/v2/(departments)/(\d+)$`)},
	{"/api/v2/callcenters/{id}", regexp.MustCompile(`^/api/v2/(callcenters)/(\d+)$`)},
	{"/api/v2/offices/{id}/operators", regexp.MustCompile(`^/api/v2/(offices)/(\d+)/operators$`)},
	{"/api/v2/departments/{id}/operators", regexp.MustCompile(`^/api/v2/(departments)/(\d+)/operators$`)},
	{"/api/v2/callcenters/{id}/operators", regexp.MustCompile(`^/api/v2/(callcenters)/(\d+)/operators$`)},
	{"/api/v2/callcenters/{call_center_id}/operators/{user_id}/skill", regexp.MustCompile(`^/api/v2/(callcenters)/(\d+)/operators/(\d+)/skill$`)},
}

func newRefFake(t *testing.T, sim *officestest.TestServer, users, rooms int) (*refFake, *httptest.Server) {
	facts, err := specfacts.Load()
	if err != nil {
		t.Fatal(err)
	}
	simURL, err := url.Parse(sim.URL)
	if err != nil {
		t.Fatal(err)
	}
	f := &refFake{t: t, facts: facts, next: httputil.NewSingleHostReverseProxy(simURL), nextID: 7100000000000000,
		groups: map[string]map[int64]map[string]any{"departments": {}, "callcenters": {}}, members: map[int64]map[string]refMember{},
		users: map[int64]string{}, rooms: map[int64]bool{}, served: map[string]int{}}
	for i := 1; i <= users; i++ {
		f.users[officestest.FirstUserID+int64(i)] = fmt.Sprintf("user%d@example.com", i)
	}
	for i := 1; i <= rooms; i++ {
		f.rooms[officestest.FirstRoomID+int64(i)] = true
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

// fail answers a Dialpad-style error.
func (f *refFake) fail(w http.ResponseWriter, code int, format string, args ...any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": fmt.Sprintf(format, args...)}})
}

func (f *refFake) answer(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (f *refFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var template string
	var m []string
	for _, rt := range refRoutes {
		if m = rt.re.FindStringSubmatch(r.URL.Path); m != nil {
			template = rt.template
			break
		}
	}
	if template == "" {
		f.next.ServeHTTP(w, r) // the offices endpoints: the simulator's
		return
	}
	op, ok := f.facts.Paths[template][strings.ToLower(r.Method)]
	if !ok {
		f.t.Errorf("%s %s: not a method of %s in the reference", r.Method, r.URL.Path, template)
		f.fail(w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+enginetest.TestKey {
		f.fail(w, http.StatusUnauthorized, "unauthorized")
		return
	}
	for _, p := range op.Parameters {
		if p.In == "query" && p.Required && r.URL.Query().Get(p.Name) == "" {
			f.fail(w, http.StatusBadRequest, "missing query parameter %s", p.Name)
			return
		}
	}
	for name := range r.URL.Query() {
		if !slices.ContainsFunc(op.Parameters, func(p specfacts.Parameter) bool { return p.In == "query" && p.Name == name }) {
			f.t.Errorf("%s %s: query parameter %q is not in the reference", r.Method, template, name)
		}
	}
	var body map[string]any
	if op.Request != "" {
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			f.fail(w, http.StatusBadRequest, "body: %v", err)
			return
		}
		s, err := f.facts.Schema(op.Request)
		if err != nil {
			f.t.Error(err)
			f.fail(w, http.StatusInternalServerError, "%v", err)
			return
		}
		for k := range body {
			if _, ok := s.Properties[k]; !ok {
				f.fail(w, http.StatusBadRequest, "unknown field %s of %s", k, op.Request)
				return
			}
		}
		for _, k := range s.Required {
			if _, ok := body[k]; !ok {
				f.fail(w, http.StatusBadRequest, "missing required field %s of %s", k, op.Request)
				return
			}
		}
	}
	var id, user int64
	if len(m) > 2 {
		id, _ = strconv.ParseInt(m[2], 10, 64)
	}
	if len(m) > 3 {
		user, _ = strconv.ParseInt(m[3], 10, 64)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.served[r.Method+" "+template]++
	switch {
	case template == "/api/v2/users":
		f.usersByEmail(w, r.URL.Query().Get("email"))
	case strings.HasSuffix(template, "/skill"):
		f.skill(w, id, user, body)
	case strings.HasSuffix(template, "/operators"):
		f.operators(w, r.Method, m[1], id, body)
	case strings.HasSuffix(template, "/{id}"):
		f.group(w, r.Method, m[1], id, body)
	default:
		f.collection(w, r, m[1], body)
	}
}

func (f *refFake) usersByEmail(w http.ResponseWriter, email string) {
	items := []any{}
	for id, e := range f.users {
		if email == "" || strings.EqualFold(e, email) {
			items = append(items, map[string]any{"id": strconv.FormatInt(id, 10), "emails": []string{e}, "state": "active"})
		}
	}
	f.answer(w, map[string]any{"items": items})
}

// collection lists (office_id, name_search as a case-blind substring,
// two per page) or creates groups.
func (f *refFake) collection(w http.ResponseWriter, r *http.Request, kind string, body map[string]any) {
	if r.Method == http.MethodPost {
		officeID, err := refInt(body["office_id"])
		if err != nil {
			f.fail(w, http.StatusBadRequest, "office_id: %v", err)
			return
		}
		f.nextID++
		g := map[string]any{}
		for k, v := range body {
			g[k] = v
		}
		g["id"], g["office_id"], g["state"] = strconv.FormatInt(f.nextID, 10), strconv.FormatInt(officeID, 10), "active"
		f.groups[kind][f.nextID] = g
		f.answer(w, g)
		return
	}
	q := r.URL.Query()
	var ids []int64
	for id, g := range f.groups[kind] {
		name, _ := g["name"].(string)
		if (q.Get("office_id") == "" || g["office_id"] == q.Get("office_id")) &&
			strings.Contains(strings.ToLower(name), strings.ToLower(q.Get("name_search"))) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	start, _ := strconv.Atoi(q.Get("cursor"))
	page := map[string]any{"items": []any{}}
	for i := start; i < len(ids) && i < start+2; i++ {
		page["items"] = append(page["items"].([]any), f.groups[kind][ids[i]])
	}
	if start+2 < len(ids) {
		page["cursor"] = strconv.Itoa(start + 2)
	}
	f.answer(w, page)
}

// group reads, PATCHes (only the fields sent) or deletes one group.
func (f *refFake) group(w http.ResponseWriter, method, kind string, id int64, body map[string]any) {
	g, ok := f.groups[kind][id]
	if !ok {
		f.fail(w, http.StatusNotFound, "no %s %d", kind, id)
		return
	}
	switch method {
	case http.MethodPatch:
		for k, v := range body {
			g[k] = v
		}
	case http.MethodDelete:
		delete(f.groups[kind], id)
		delete(f.members, id)
	}
	f.answer(w, g)
}

// operators lists, adds or removes the members of an office, department
// or call center (call centers: users by user_id, with role and skill).
func (f *refFake) operators(w http.ResponseWriter, method, kind string, id int64, body map[string]any) {
	if _, ok := f.groups[kind][id]; kind != "offices" && !ok {
		f.fail(w, http.StatusNotFound, "no %s %d", kind, id)
		return
	}
	if f.members[id] == nil {
		f.members[id] = map[string]refMember{}
	}
	if method == http.MethodGet {
		out := map[string]any{"users": []any{}, "rooms": []any{}}
		for _, mb := range f.members[id] {
			if mb.Type == "room" {
				out["rooms"] = append(out["rooms"].([]any), map[string]any{"id": strconv.FormatInt(mb.ID, 10)})
				continue
			}
			out["users"] = append(out["users"].([]any), map[string]any{"id": strconv.FormatInt(mb.ID, 10), "emails": []string{f.users[mb.ID]},
				"group_details": []any{map[string]any{"group_id": strconv.FormatInt(id, 10), "group_type": strings.TrimSuffix(kind, "s"), "role": mb.Role}}})
		}
		f.answer(w, out)
		return
	}
	mb := refMember{Type: "user", Role: "operator"}
	var err error
	if kind == "callcenters" {
		mb.ID, err = refInt(body["user_id"])
	} else {
		mb.ID, err = refInt(body["operator_id"])
		mb.Type, _ = body["operator_type"].(string)
	}
	if role, ok := body["role"].(string); ok {
		mb.Role = role
	}
	if s, ok := body["skill_level"]; ok {
		mb.Skill, _ = refInt(s)
	}
	switch {
	case err != nil:
		f.fail(w, http.StatusBadRequest, "operator id: %v", err)
		return
	case mb.Type == "user" && f.users[mb.ID] == "", mb.Type == "room" && !f.rooms[mb.ID]:
		f.fail(w, http.StatusNotFound, "no %s %d", mb.Type, mb.ID)
		return
	case mb.Type != "user" && mb.Type != "room":
		f.fail(w, http.StatusBadRequest, "operator_type %q", mb.Type)
		return
	}
	key := fmt.Sprint(mb.Type, " ", mb.ID)
	if method == http.MethodDelete {
		if _, ok := f.members[id][key]; !ok {
			f.fail(w, http.StatusNotFound, "%s is not an operator of %d", key, id)
			return
		}
		delete(f.members[id], key)
	} else {
		f.members[id][key] = mb
	}
	f.answer(w, map[string]any{"id": strconv.FormatInt(mb.ID, 10), "state": "active"})
}

// skill sets the skill level of a call center's operator.
func (f *refFake) skill(w http.ResponseWriter, cc, user int64, body map[string]any) {
	key := fmt.Sprint("user ", user)
	mb, ok := f.members[cc][key]
	if !ok {
		f.fail(w, http.StatusNotFound, "user %d is not an operator of call center %d", user, cc)
		return
	}
	if body != nil {
		mb.Skill, _ = refInt(body["skill_level"])
		f.members[cc][key] = mb
	}
	f.answer(w, map[string]any{"call_center_id": strconv.FormatInt(cc, 10), "user_id": strconv.FormatInt(user, 10), "skill_level": strconv.FormatInt(mb.Skill, 10)})
}

// refInt reads an int64 sent as a JSON number or string.
func refInt(v any) (int64, error) {
	switch x := v.(type) {
	case float64:
		return int64(x), nil
	case string:
		return strconv.ParseInt(x, 10, 64)
	}
	return 0, fmt.Errorf("%v is not an int64", v)
}

// TestApplyGroupsReferenceFake: offices, departments, call centers and
// operators applied against the independent fake, then an update (a field,
// a role, a skill, an added operator) and a guarded delete; after each,
// the plan has no changes and the fake holds exactly the config.
func TestApplyGroupsReferenceFake(t *testing.T) {
	t.Parallel()
	sim := officestest.NewServer(t, officestest.Options{Token: enginetest.TestKey, RatePerMinute: -1})
	fake, srv := newRefFake(t, sim, 6, 2)
	env := enginetest.NewEnvAt(t, sim, srv.URL, nil)
	edited := strings.NewReplacer(
		"    ring_seconds: 30\n", "    ring_seconds: 40\n",
		"{user: user3@example.com, role: supervisor, skill_level: 80}, {user: USER4}", "{user: user3@example.com, role: supervisor, skill_level: 60}, {user: USER4, role: admin}, {user: user5@example.com}",
		"  team-1:\n    office: hq\n    name: Team 1\n    operators: []\n", "",
	).Replace(enginetest.GroupsYAML)
	// A third step removes a call center's operator.
	removed := strings.Replace(edited, ", {user: USER4, role: admin}", "", 1)
	for step, src := range []string{enginetest.GroupsYAML, edited, removed} {
		cfg := enginetest.GroupsConfig(t, src)
		_, res := applytest.ApplyGroups(t, env, cfg, 1)
		if res == nil || res.Err != nil {
			t.Fatalf("apply %d: %+v", step, res)
		}
		st := env.Store.State()
		p, err := plan.MakePlan(cfg, st)
		if err != nil {
			t.Fatal(err)
		}
		if s := p.Summary(); s.Changed() != 0 {
			t.Errorf("plan after apply %d: %+v", step, s)
		}
		fake.mu.Lock()
		for _, g := range cfg.Groups {
			e, _ := st.GetOf(state.Kind(g.Kind), g.Key)
			id, _ := strconv.ParseInt(e.ID, 10, 64)
			coll := map[string]string{"department": "departments", "callcenter": "callcenters"}[g.Kind]
			if live, ok := fake.groups[coll][id]; !ok || live["name"] != g.Name {
				t.Errorf("apply %d: %s: %v in the fake", step, g.Key, live)
			}
			var got []string
			for _, mb := range fake.members[id] {
				got = append(got, fmt.Sprintf("%s %d %s %d", mb.Type, mb.ID, mb.Role, mb.Skill))
			}
			var want []string
			for _, o := range e.Operators {
				want = append(want, fmt.Sprintf("%s %s %s %d", o.Type, o.ID, o.Role, o.SkillLevel))
			}
			slices.Sort(got)
			slices.Sort(want)
			if g.Operators != nil && !slices.Equal(got, want) {
				t.Errorf("apply %d: %s: operators in the fake %q, in the state %q", step, g.Key, got, want)
			}
		}
		if n := len(fake.groups["departments"]) + len(fake.groups["callcenters"]); n != len(cfg.Groups) {
			t.Errorf("apply %d: %d groups in the fake, want %d", step, n, len(cfg.Groups))
		}
		fake.mu.Unlock()
	}
	// Every kind of request apply sends went to the fake.
	for _, want := range []string{
		"GET /api/v2/users", "GET /api/v2/departments", "GET /api/v2/callcenters", "POST /api/v2/departments", "POST /api/v2/callcenters",
		"PATCH /api/v2/callcenters/{id}", "DELETE /api/v2/departments/{id}",
		"GET /api/v2/offices/{id}/operators", "POST /api/v2/offices/{id}/operators", "POST /api/v2/departments/{id}/operators",
		"POST /api/v2/callcenters/{id}/operators", "DELETE /api/v2/callcenters/{id}/operators",
		"PATCH /api/v2/callcenters/{call_center_id}/operators/{user_id}/skill",
	} {
		if fake.served[want] == 0 {
			t.Errorf("no %s reached the fake (served: %v)", want, fake.served)
		}
	}
}
