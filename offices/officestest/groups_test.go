package officestest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/officectl/officectl/offices"
)

// hc is a client of a TestServer over real HTTP on loopback.
type hc struct {
	t  *testing.T
	ts *TestServer
}

// do sends method path with body (JSON) and returns the status and the
// decoded answer; err is the transport error, if any.
func (c hc) do(method, path string, body any) (int, map[string]any, error) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.ts.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		c.t.Fatalf("%s %s: answer is not a JSON object: %v", method, path, err)
	}
	return resp.StatusCode, m, nil
}

// ok sends a request that must answer 200.
func (c hc) ok(method, path string, body any) map[string]any {
	c.t.Helper()
	code, m, err := c.do(method, path, body)
	if err != nil || code != http.StatusOK {
		c.t.Fatalf("%s %s: %d %v %v", method, path, code, m, err)
	}
	return m
}

// fails sends a request that must answer code with a message containing
// want.
func (c hc) fails(method, path string, body any, code int, want string) {
	c.t.Helper()
	got, m, err := c.do(method, path, body)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	b, _ := json.Marshal(m)
	if got != code || !strings.Contains(string(b), want) {
		c.t.Errorf("%s %s %v: %d %s, want %d with %q", method, path, body, got, b, code, want)
	}
}

func newGroupsServer(t *testing.T, opts Options) (hc, int64) {
	opts.Token = token
	ts := NewServer(t, opts)
	office := ts.Seed(offices.Live{Name: "Berlin", Country: "de", Timezone: "Europe/Berlin"})[0]
	return hc{t, ts}, office
}

func str(id int64) string { return fmt.Sprint(id) }

func TestDepartmentLifecycle(t *testing.T) {
	c, office := newGroupsServer(t, Options{})
	// ids may come as strings, as in the reference's examples
	d := c.ok("POST", "/api/v2/departments", map[string]any{
		"office_id": str(office), "name": "Sales", "ring_seconds": "20",
		"hold_queue": map[string]any{"allow_queuing": true, "max_hold_count": 10},
	})
	id := d["id"].(string)
	if d["office_id"] != str(office) || d["ring_seconds"] != "20" || d["state"] != "active" || d["country"] != "de" ||
		d["timezone"] != "Europe/Berlin" {
		t.Errorf("created %v", d)
	}
	hq := d["hold_queue"].(map[string]any)
	if hq["allow_queuing"] != true || hq["max_hold_count"] != "10" || hq["max_hold_seconds"] != "900" {
		t.Errorf("hold_queue %v: want the fields sent over the defaults", hq)
	}
	if got := c.ok("GET", "/api/v2/departments/"+id, nil); got["name"] != "Sales" {
		t.Errorf("get %v", got)
	}
	c.ok("POST", "/api/v2/departments", map[string]any{"office_id": office, "name": "Sales Team"})

	// PATCH: the fields sent change, the others stay; objects merge
	p := c.ok("PATCH", "/api/v2/departments/"+id, map[string]any{
		"group_description": "Happy", "hold_queue": map[string]any{"max_hold_seconds": 300},
	})
	hq = p["hold_queue"].(map[string]any)
	if p["group_description"] != "Happy" || p["ring_seconds"] != "20" || hq["max_hold_count"] != "10" || hq["max_hold_seconds"] != "300" {
		t.Errorf("patched %v", p)
	}

	// operators: a user found by email, a room by id
	users := c.ok("GET", "/api/v2/users?email="+url.QueryEscape("USER3@example.com"), nil)["items"].([]any)
	if len(users) != 1 {
		t.Fatalf("users by email: %v", users)
	}
	uid := users[0].(map[string]any)["id"].(string)
	if uid != str(FirstUserID+3) {
		t.Errorf("user3 is %s", uid)
	}
	added := c.ok("POST", "/api/v2/departments/"+id+"/operators", map[string]any{"operator_id": uid, "operator_type": "user", "role": "admin"})
	if added["id"] != uid || added["name"] != "User 3" {
		t.Errorf("added %v", added)
	}
	c.ok("POST", "/api/v2/departments/"+id+"/operators", map[string]any{"operator_id": FirstRoomID + 1, "operator_type": "room"})
	ops := c.ok("GET", "/api/v2/departments/"+id+"/operators", nil)
	us, rs := ops["users"].([]any), ops["rooms"].([]any)
	if len(us) != 1 || len(rs) != 1 || rs[0].(map[string]any)["name"] != "Room 1" {
		t.Fatalf("operators %v", ops)
	}
	gd := us[0].(map[string]any)["group_details"].([]any)[0].(map[string]any)
	if gd["group_id"] != id || gd["group_type"] != "department" || gd["role"] != "admin" {
		t.Errorf("group_details %v", gd)
	}
	c.fails("POST", "/api/v2/departments/"+id+"/operators", map[string]any{"operator_id": FirstUserID + 999, "operator_type": "user"}, 404, "User 5300000000000999 not found")
	c.ok("DELETE", "/api/v2/departments/"+id+"/operators", map[string]any{"operator_id": uid, "operator_type": "user"})
	c.fails("DELETE", "/api/v2/departments/"+id+"/operators", map[string]any{"operator_id": uid, "operator_type": "user"}, 404, "is not an operator of department")
	if got := c.ts.Operators(mustInt(t, id)); len(got) != 1 || got[0].Type != "room" {
		t.Errorf("operators left %+v", got)
	}

	// listings: by office, by substring of the name, per office
	list := c.ok("GET", "/api/v2/departments?office_id="+str(office)+"&name_search=sales", nil)["items"].([]any)
	if len(list) != 2 {
		t.Errorf("name_search=sales: %d items, want 2 (a substring, without case)", len(list))
	}
	if n := len(c.ok("GET", "/api/v2/offices/"+str(office)+"/departments", nil)["items"].([]any)); n != 2 {
		t.Errorf("office listing: %d", n)
	}
	if n := len(c.ok("GET", "/api/v2/offices/"+str(office)+"/callcenters", nil)["items"].([]any)); n != 0 {
		t.Errorf("office call centers: %d", n)
	}
	c.fails("GET", "/api/v2/offices/1/departments", nil, 404, "Office 1 not found")

	// delete: gone from every listing, its id never given again
	if del := c.ok("DELETE", "/api/v2/departments/"+id, nil); del["name"] != "Sales" {
		t.Errorf("deleted %v", del)
	}
	c.fails("GET", "/api/v2/departments/"+id, nil, 404, "Department "+id+" not found")
	c.fails("DELETE", "/api/v2/departments/"+id, nil, 404, "not found")
	if n := len(c.ok("GET", "/api/v2/offices/"+str(office)+"/departments", nil)["items"].([]any)); n != 1 {
		t.Errorf("office listing after delete: %d", n)
	}
	if got := c.ts.Operators(mustInt(t, id)); len(got) != 0 {
		t.Errorf("memberships of a deleted department: %+v", got)
	}
	again := c.ok("POST", "/api/v2/departments", map[string]any{"office_id": office, "name": "Sales"})
	if mustInt(t, again["id"].(string)) <= mustInt(t, id) {
		t.Errorf("new id %v after deleted %s: ids must not be reused", again["id"], id)
	}
	// a call center with a department's id is not found
	c.fails("GET", "/api/v2/callcenters/"+again["id"].(string), nil, 404, "Call center")
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	n, ok := asInt(s)
	if !ok {
		t.Fatalf("%q is not an int64", s)
	}
	return n
}

func TestCallCenterOperatorsAndSkill(t *testing.T) {
	c, office := newGroupsServer(t, Options{NumericIDs: true})
	cc := c.ok("POST", "/api/v2/callcenters", map[string]any{"office_id": office, "name": "Support",
		"advanced_settings": map[string]any{"max_wrap_up_seconds": 30}})
	id := int64(cc["id"].(float64)) // NumericIDs: numbers
	if cc["advanced_settings"].(map[string]any)["max_wrap_up_seconds"] != 30.0 || cc["hold_queue"].(map[string]any)["max_hold_count"] != 50.0 {
		t.Errorf("created %v", cc)
	}
	base := "/api/v2/callcenters/" + str(id)
	uid := FirstUserID + 7
	c.ok("POST", base+"/operators", map[string]any{"user_id": uid, "role": "supervisor", "skill_level": 80})
	if got := c.ok("GET", base+"/operators/"+str(uid)+"/skill", nil); got["skill_level"] != 80.0 || got["call_center_id"] != float64(id) {
		t.Errorf("skill %v", got)
	}
	if got := c.ok("PATCH", base+"/operators/"+str(uid)+"/skill", map[string]any{"skill_level": 0}); got["skill_level"] != 0.0 {
		t.Errorf("patched skill %v", got)
	}
	// adding again changes role and skill, once
	c.ok("POST", base+"/operators", map[string]any{"user_id": uid})
	if ops := c.ts.Operators(id); len(ops) != 1 || ops[0].Role != "operator" || ops[0].SkillLevel != 100 {
		t.Errorf("operators %+v", ops)
	}
	c.fails("POST", base+"/operators", map[string]any{"user_id": uid, "skill_level": 0}, 400, "skill_level: 0 is out of range: choose from 1 to 100")
	c.fails("POST", base+"/operators", map[string]any{"operator_id": FirstRoomID + 1, "operator_type": "room"}, 400, "operator_id: unknown field")
	c.fails("PATCH", base+"/operators/"+str(uid)+"/skill", map[string]any{"skill_level": 101}, 400, "skill_level: 101 is out of range")
	c.fails("GET", base+"/operators/"+str(FirstUserID+8)+"/skill", nil, 404, "is not an operator of call center")
	c.ok("DELETE", base+"/operators", map[string]any{"user_id": uid})
	if ops := c.ts.Operators(id); len(ops) != 0 {
		t.Errorf("operators after delete %+v", ops)
	}
	// office mainline operators
	c.ok("POST", "/api/v2/offices/"+str(office)+"/operators", map[string]any{"operator_id": uid, "operator_type": "user"})
	if ops := c.ok("GET", "/api/v2/offices/"+str(office)+"/operators", nil); len(ops["users"].([]any)) != 1 {
		t.Errorf("office operators %v", ops)
	}
	c.fails("POST", "/api/v2/offices/1/operators", map[string]any{"operator_id": uid, "operator_type": "user"}, 404, "Office 1 not found")
}

func TestGroupValidation(t *testing.T) {
	c, office := newGroupsServer(t, Options{})
	dep := func(extra map[string]any) map[string]any {
		m := map[string]any{"office_id": office, "name": "Sales"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		path string
		body map[string]any
		want string
	}{
		{"/api/v2/departments", map[string]any{"name": "Sales"}, "office_id: required field missing"},
		{"/api/v2/departments", dep(map[string]any{"name": strings.Repeat("n", 101)}), "name: is 101 characters long; at most 100"},
		{"/api/v2/departments", dep(map[string]any{"name": "a\nb"}), "name: must be a single line"},
		{"/api/v2/departments", dep(map[string]any{"name": " "}), "name: must not be empty"},
		{"/api/v2/departments", dep(map[string]any{"group_description": strings.Repeat("d", 257)}), "group_description: is 257 characters long"},
		{"/api/v2/departments", dep(map[string]any{"ring_seconds": 46}), "ring_seconds: 46 is out of range: choose from 10 to 45"},
		{"/api/v2/departments", dep(map[string]any{"hold_queue": map[string]any{"max_hold_count": 51}}), "hold_queue.max_hold_count: 51 is out of range: choose from 1 to 50"},
		{"/api/v2/departments", dep(map[string]any{"hold_queue": map[string]any{"max_hold_seconds": 29}}), "hold_queue.max_hold_seconds: 29 is out of range"},
		{"/api/v2/departments", dep(map[string]any{"advanced_settings": map[string]any{}}), "advanced_settings: unknown field"},
		{"/api/v2/departments", dep(map[string]any{"monday_hours": []any{"09:00"}}), "monday_hours: has 1 times"},
		{"/api/v2/departments", dep(map[string]any{"routing_options": map[string]any{"open": map[string]any{"action": "menu", "try_dial_operators": false}}}), "routing_options.closed: required field missing"},
		{"/api/v2/callcenters", dep(map[string]any{"hold_queue": map[string]any{"max_hold_count": 1001}}), "hold_queue.max_hold_count: 1001 is out of range: choose from 1 to 1000"},
		{"/api/v2/callcenters", dep(map[string]any{"hold_queue": map[string]any{"announce_position": true, "max_hold_seconds": 60}}), "hold_queue.announce_position: is not available when max_hold_seconds (60) is under 120"},
		{"/api/v2/callcenters", dep(map[string]any{"hold_queue": map[string]any{"queue_escape_dtmf": "a"}}), `hold_queue.queue_escape_dtmf: \"a\" is not one of 0, 1`},
		{"/api/v2/callcenters", dep(map[string]any{"alerts": map[string]any{"cc_service_level": 101}}), "alerts.cc_service_level: 101 is out of range"},
		{"/api/v2/callcenters", dep(map[string]any{"auto_call_recording": true}), "auto_call_recording: unknown field"},
	} {
		c.fails("POST", tc.path, tc.body, 400, tc.want)
	}
	c.fails("POST", "/api/v2/departments", map[string]any{"office_id": 1, "name": "Sales"}, 404, "office_id: office 1 not found")
	if n := len(c.ts.Groups(KindDepartment)) + len(c.ts.Groups(KindCallCenter)); n != 0 {
		t.Errorf("%d groups created by refused requests", n)
	}
	id := str(groupIDOf(c.ok("POST", "/api/v2/departments", dep(nil))))
	c.fails("PATCH", "/api/v2/departments/"+id, map[string]any{"name": ""}, 400, "name: must not be empty")
	c.fails("PATCH", "/api/v2/departments/"+id, map[string]any{"office_id": office}, 400, "office_id: unknown field")
	c.fails("POST", "/api/v2/departments/"+id+"/operators", map[string]any{"operator_id": FirstUserID + 1, "operator_type": "bot"}, 400, `operator_type: \"bot\" is not one of room, user`)
	c.fails("POST", "/api/v2/departments/"+id+"/operators", map[string]any{"operator_id": FirstUserID + 1, "operator_type": "user", "role": "supervisor"}, 400, "role: \\\"supervisor\\\" is not one of admin, operator")
	c.fails("GET", "/api/v2/departments/abc", nil, 400, `Invalid department id \"abc\"`)
	c.fails("PUT", "/api/v2/departments/"+id, nil, 405, "allowed: GET, PATCH, DELETE")
	c.fails("GET", "/api/v2/departments/"+id+"/members", nil, 404, "No such endpoint")
	c.fails("GET", "/api/v2/users?state=gone", nil, 400, "Invalid state")
	c.fails("GET", "/api/v2/users/me", nil, 400, "user-level API key")
	c.fails("GET", "/api/v2/users/1", nil, 404, "User 1 not found")
}

func TestGroupListingsFollowCursor(t *testing.T) {
	c, office := newGroupsServer(t, Options{PageSize: 2, Users: 5})
	other := c.ts.Seed(offices.Live{Name: "Munich", Country: "de"})[0]
	for _, name := range []string{"Team 1", "Team 10", "Team 2", "Other"} {
		c.ok("POST", "/api/v2/departments", map[string]any{"office_id": office, "name": name})
	}
	c.ok("POST", "/api/v2/departments", map[string]any{"office_id": other, "name": "Team 1"})
	collect := func(path string) []string {
		var names []string
		cursor := ""
		for pages := 0; pages < 10; pages++ {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			p := path
			if cursor != "" {
				p += sep + "cursor=" + url.QueryEscape(cursor)
			}
			m := c.ok("GET", p, nil)
			for _, it := range m["items"].([]any) {
				m := it.(map[string]any)
				name, _ := m["name"].(string) // users have display_name
				if name == "" {
					name, _ = m["display_name"].(string)
				}
				names = append(names, name)
			}
			cursor, _ = m["cursor"].(string)
			if cursor == "" {
				return names
			}
		}
		t.Fatalf("%s: more than 10 pages", path)
		return nil
	}
	if got := strings.Join(collect("/api/v2/departments?office_id="+str(office)+"&name_search=Team%201"), ","); got != "Team 1,Team 10" {
		t.Errorf("name_search=Team 1 in office: %s (a substring: clients must compare names exactly)", got)
	}
	if got := strings.Join(collect("/api/v2/offices/"+str(office)+"/departments"), ","); got != "Team 1,Team 10,Team 2,Other" {
		t.Errorf("office listing: %s", got)
	}
	if got := len(collect("/api/v2/departments")); got != 5 {
		t.Errorf("company listing: %d", got)
	}
	if got := len(collect("/api/v2/users")); got != 5 {
		t.Errorf("users: %d, want the 5 seeded", got)
	}
	c.fails("GET", "/api/v2/departments?cursor=zzz", nil, 400, "Invalid cursor")
}

func TestGroupFaultsAuthAndSharedRateLimit(t *testing.T) {
	c, office := newGroupsServer(t, Options{})
	body := map[string]any{"office_id": office, "name": "Sales"}
	c.ts.SetFaults(Faults{Reset: 1})
	if _, _, err := c.do("POST", "/api/v2/departments", body); err == nil {
		t.Error("reset: the POST got an answer")
	}
	if n := c.ts.CountGroupsByName(KindDepartment, office)["Sales"]; n != 0 {
		t.Errorf("reset: %d departments, want 0", n)
	}
	c.ts.SetFaults(Faults{Drop: 1})
	if _, _, err := c.do("POST", "/api/v2/departments", body); err == nil {
		t.Error("drop: the POST got an answer")
	}
	if n := c.ts.CountGroupsByName(KindDepartment, office)["Sales"]; n != 1 {
		t.Errorf("drop: %d departments, want 1 (created, then the answer dropped)", n)
	}
	id := groupIDOf(c.ts.Groups(KindDepartment)[0])
	if _, _, err := c.do("POST", "/api/v2/departments/"+str(id)+"/operators", map[string]any{"operator_id": FirstUserID + 1, "operator_type": "user"}); err == nil {
		t.Error("drop: the operator POST got an answer")
	}
	if ops := c.ts.Operators(id); len(ops) != 1 {
		t.Errorf("drop: operators %+v, want the one added", ops)
	}
	c.ts.SetFaults(Faults{ServerError: 1})
	c.fails("PATCH", "/api/v2/departments/"+str(id), map[string]any{"name": "Renamed"}, 500, "injected fault")
	c.ts.SetFaults(Faults{TooManyRequests: 1})
	c.fails("GET", "/api/v2/users?email=user1@example.com", nil, 429, "injected fault")
	c.ts.SetFaults(Faults{})
	if g, _ := c.ts.GroupByID(KindDepartment, id); g["name"] != "Sales" {
		t.Errorf("after a 5xx the PATCH took effect: %v", g)
	}

	// auth: the same bearer key as the offices endpoints
	req, _ := http.NewRequest("GET", c.ts.URL+"/api/v2/departments", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no key: %d, want 401", resp.StatusCode)
	}

	// one sliding window across every endpoint
	lc, office2 := newGroupsServer(t, Options{RatePerMinute: 3})
	lc.ok("GET", "/api/v2/offices/"+str(office2), nil)
	lc.ok("GET", "/api/v2/users?email=user1@example.com", nil)
	lc.ok("POST", "/api/v2/callcenters", map[string]any{"office_id": office2, "name": "Support"})
	lc.fails("GET", "/api/v2/departments", nil, 429, "Rate limit exceeded: at most 3 requests")
}

func TestMutateAndDeleteGroup(t *testing.T) {
	c, office := newGroupsServer(t, Options{})
	id := groupIDOf(c.ok("POST", "/api/v2/callcenters", map[string]any{"office_id": office, "name": "Support"}))
	if err := c.ts.MutateGroup(KindCallCenter, id, func(g Group) { g["ring_seconds"] = "40"; g["id"] = "1" }); err != nil {
		t.Fatal(err)
	}
	if got := c.ok("GET", "/api/v2/callcenters/"+str(id), nil); got["ring_seconds"] != "40" || got["id"] != str(id) {
		t.Errorf("after MutateGroup: %v", got)
	}
	if err := c.ts.MutateGroup(KindDepartment, id, func(Group) {}); err == nil {
		t.Error("MutateGroup of a call center as a department: no error")
	}
	if err := c.ts.DeleteGroup(KindCallCenter, id); err != nil {
		t.Fatal(err)
	}
	c.fails("GET", "/api/v2/callcenters/"+str(id), nil, 404, "not found")
}

// TestPatchReplacesRoutingWhole: routing_options is replaced as a whole
// (a DTMF menu left out is gone), other objects merge, null changes
// nothing.
func TestPatchReplacesRoutingWhole(t *testing.T) {
	c, office := newGroupsServer(t, Options{})
	menu := map[string]any{"action": "menu", "try_dial_operators": false,
		"dtmf": []any{map[string]any{"input": "1", "options": map[string]any{"action": "voicemail"}}}}
	closed := map[string]any{"action": "voicemail", "try_dial_operators": false}
	id := str(groupIDOf(c.ok("POST", "/api/v2/departments", map[string]any{"office_id": office, "name": "Sales",
		"group_description": "Kept", "routing_options": map[string]any{"open": menu, "closed": closed}})))
	p := c.ok("PATCH", "/api/v2/departments/"+id, map[string]any{"group_description": nil,
		"routing_options": map[string]any{"open": map[string]any{"action": "operator", "try_dial_operators": true}, "closed": closed}})
	open := p["routing_options"].(map[string]any)["open"].(map[string]any)
	if _, has := open["dtmf"]; has || open["action"] != "operator" {
		t.Errorf("routing_options.open after PATCH: %v, want the one sent, without the old dtmf", open)
	}
	if p["group_description"] != "Kept" {
		t.Errorf("group_description after a PATCH with null: %v", p["group_description"])
	}
}
