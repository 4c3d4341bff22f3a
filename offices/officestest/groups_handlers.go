package officestest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// groupInt64Fields are the int64 properties of the groups reference's
// schemas that int64Fields (offices) lacks; answers send them as strings
// unless Options.NumericIDs. A test checks them against the reference.
var groupInt64Fields = map[string]bool{
	"announcement_interval_seconds": true, "call_center_id": true, "cc_service_level": true,
	"cc_service_level_seconds": true, "company_id": true, "group_id": true, "max_hold_count": true,
	"max_hold_seconds": true, "max_wrap_up_seconds": true, "operator_id": true,
	"queue_callback_threshold": true, "skill_level": true, "user_id": true,
}

// groupKinds maps a path segment to its group kind.
var groupKinds = map[string]string{"departments": KindDepartment, "callcenters": KindCallCenter}

// kindTitle names a kind in messages.
var kindTitle = map[string]string{KindOffice: "Office", KindDepartment: "Department", KindCallCenter: "Call center"}

// operatorCollection is OperatorCollection.
type operatorCollection struct {
	Rooms []Room `json:"rooms"`
	Users []User `json:"users"`
}

// skillLevel is OperatorSkillLevelProto.
type skillLevel struct {
	CallCenterID int64 `json:"call_center_id"`
	SkillLevel   int64 `json:"skill_level"`
	UserID       int64 `json:"user_id"`
}

// routeGroups runs the endpoints of the groups reference; ok is false
// when p is not one of its paths.
func (s *Server) routeGroups(r *http.Request, p string) (res result, ok bool) {
	rest, found := strings.CutPrefix(p, "/api/v2/")
	if !found {
		return result{}, false
	}
	parts := strings.Split(rest, "/")
	m := r.Method
	if kind, isGroup := groupKinds[parts[0]]; isGroup {
		if len(parts) == 1 {
			switch m {
			case http.MethodGet:
				return s.listGroups(r, kind, 0, false), true
			case http.MethodPost:
				return s.createGroup(r, kind), true
			}
			return methodNotAllowed(r, "GET, POST"), true
		}
		id, bad := parseID(kind, parts[1])
		if bad != nil {
			return *bad, true
		}
		switch {
		case len(parts) == 2:
			switch m {
			case http.MethodGet:
				return s.getGroup(kind, id), true
			case http.MethodPatch:
				return s.updateGroup(r, kind, id), true
			case http.MethodDelete:
				return s.deleteGroup(kind, id), true
			}
			return methodNotAllowed(r, "GET, PATCH, DELETE"), true
		case len(parts) == 3 && parts[2] == "operators":
			return s.operators(r, kind, id), true
		case len(parts) == 5 && kind == KindCallCenter && parts[2] == "operators" && parts[4] == "skill":
			uid, bad := parseID("user", parts[3])
			if bad != nil {
				return *bad, true
			}
			switch m {
			case http.MethodGet:
				return s.skill(r, id, uid, false), true
			case http.MethodPatch:
				return s.skill(r, id, uid, true), true
			}
			return methodNotAllowed(r, "GET, PATCH"), true
		}
		return errorResult(http.StatusNotFound, "notFound", fmt.Sprintf("No such endpoint: %s %s", m, r.URL.Path)), true
	}
	switch {
	case parts[0] == "offices" && len(parts) == 3 && (parts[2] == "operators" || groupKinds[parts[2]] != ""):
		id, bad := parseID(KindOffice, parts[1])
		if bad != nil {
			return *bad, true
		}
		if parts[2] == "operators" {
			return s.operators(r, KindOffice, id), true
		}
		if m != http.MethodGet {
			return methodNotAllowed(r, "GET"), true
		}
		return s.listGroups(r, groupKinds[parts[2]], id, true), true
	case parts[0] == "users" && len(parts) == 1:
		if m != http.MethodGet {
			return methodNotAllowed(r, "GET"), true
		}
		return s.listUsers(r), true
	case parts[0] == "users" && len(parts) == 2:
		if m != http.MethodGet {
			return methodNotAllowed(r, "GET"), true
		}
		return s.getUser(parts[1]), true
	}
	return result{}, false
}

func parseID(kind, text string) (int64, *result) {
	id, err := strconv.ParseInt(text, 10, 64)
	if err != nil || id <= 0 {
		res := errorResult(http.StatusBadRequest, "badRequest", fmt.Sprintf("Invalid %s id %q: must be a positive int64", kind, text))
		return 0, &res
	}
	return id, nil
}

func groupNotFound(kind string, id int64) result {
	return errorResult(http.StatusNotFound, "notFound", fmt.Sprintf("%s %d not found", kindTitle[kind], id))
}

// listGroups serves GET /api/v2/{departments,callcenters} (office_id and
// name_search, a case-insensitive substring, from the query) and, when
// inOffice, GET /api/v2/offices/{office}/{departments,callcenters}:
// groups by ascending id, a page at a time.
func (s *Server) listGroups(r *http.Request, kind string, office int64, inOffice bool) result {
	q := r.URL.Query()
	if v := q.Get("office_id"); v != "" && !inOffice {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return errorResult(http.StatusBadRequest, "badRequest", fmt.Sprintf("Invalid office_id %q: must be an int64", v))
		}
		office = id
	}
	search := ""
	if !inOffice {
		search = strings.ToLower(q.Get("name_search"))
	}
	after, bad := cursorAfter(q)
	if bad != nil {
		return *bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.offices[office]; inOffice && !ok {
		return notFound(office)
	}
	keep := func(id int64) bool {
		g := s.grp.groups[id].Body
		return (office == 0 || groupOffice(g) == office) &&
			(search == "" || strings.Contains(strings.ToLower(groupName(g)), search))
	}
	return result{http.StatusOK, pageOf(s.sortedGroupIDs(kind), after, s.opts.PageSize, keep, func(id int64) Group {
		return cloneGroup(s.grp.groups[id].Body)
	})}
}

func groupIDOf(g Group) int64 {
	n, _ := asInt(g["id"])
	return n
}

func (s *Server) getGroup(kind string, id int64) result {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.grp.groups[id]
	if !ok || g.Kind != kind {
		return groupNotFound(kind, id)
	}
	return result{http.StatusOK, cloneGroup(g.Body)}
}

func createMessage(kind string) *object {
	if kind == KindDepartment {
		return createDepartmentMessage
	}
	return createCallCenterMessage
}

func updateMessage(kind string) *object {
	if kind == KindDepartment {
		return updateDepartmentMessage
	}
	return updateCallCenterMessage
}

// validGroupBody reads and checks r's body against obj.
func validGroupBody(r *http.Request, obj *object) (map[string]any, *result) {
	b, bad := readBody(r)
	if bad != nil {
		return nil, bad
	}
	if errs := validateBody(b, obj); len(errs) > 0 {
		res := errorResult(http.StatusBadRequest, "badRequest", errs...)
		return nil, &res
	}
	m, err := decodeGroupBody(b)
	if err != nil {
		res := errorResult(http.StatusBadRequest, "badRequest", "Invalid request body: "+err.Error())
		return nil, &res
	}
	return m, nil
}

// createGroup serves POST /api/v2/departments and /api/v2/callcenters.
func (s *Server) createGroup(r *http.Request, kind string) result {
	body, bad := validGroupBody(r, createMessage(kind))
	if bad != nil {
		return *bad
	}
	office, _ := asInt(body["office_id"])
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.offices[office]
	if !ok {
		return errorResult(http.StatusNotFound, "notFound", fmt.Sprintf("office_id: office %d not found", office))
	}
	id := s.nextID
	s.nextID++
	g := groupDefaults(kind)
	merge(g, body, true)
	g["id"], g["office_id"] = json.Number(strconv.FormatInt(id, 10)), json.Number(strconv.FormatInt(office, 10))
	g["country"], g["timezone"] = o.Country, o.Timezone
	if o.Timezone == "" {
		delete(g, "timezone")
	}
	s.grp.groups[id] = &storedGroup{Kind: kind, Body: g}
	s.stats.GroupsCreated++
	s.changed()
	return result{http.StatusOK, cloneGroup(g)}
}

// updateGroup serves PATCH /api/v2/{departments,callcenters}/{id}: the
// fields sent replace the group's (objects other than routing_options
// merge field by field; null leaves a field as it is).
func (s *Server) updateGroup(r *http.Request, kind string, id int64) result {
	body, bad := validGroupBody(r, updateMessage(kind))
	if bad != nil {
		return *bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.grp.groups[id]
	if !ok || g.Kind != kind {
		return groupNotFound(kind, id)
	}
	merge(g.Body, body, true)
	s.changed()
	return result{http.StatusOK, cloneGroup(g.Body)}
}

// deleteGroup serves DELETE /api/v2/{departments,callcenters}/{id}: the
// group and its memberships go; the answer is the group as it was.
func (s *Server) deleteGroup(kind string, id int64) result {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.grp.groups[id]
	if !ok || g.Kind != kind {
		return groupNotFound(kind, id)
	}
	delete(s.grp.groups, id)
	delete(s.grp.members, id)
	s.changed()
	out := cloneGroup(g.Body)
	out["state"] = "deleted"
	return result{http.StatusOK, out}
}

// operators serves GET, POST and DELETE of
// /api/v2/{offices,departments,callcenters}/{id}/operators.
func (s *Server) operators(r *http.Request, kind string, id int64) result {
	var (
		obj  *object
		body map[string]any
		bad  *result
	)
	switch {
	case r.Method == http.MethodGet:
	case r.Method == http.MethodPost && kind == KindCallCenter:
		obj = addCallCenterOperatorMessage
	case r.Method == http.MethodPost:
		obj = addOperatorMessage
	case r.Method == http.MethodDelete && kind == KindCallCenter:
		obj = removeCallCenterOperatorMessage
	case r.Method == http.MethodDelete:
		obj = removeOperatorMessage
	default:
		return methodNotAllowed(r, "GET, POST, DELETE")
	}
	if obj != nil {
		if body, bad = validGroupBody(r, obj); bad != nil {
			return *bad
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.groupType(id) != kind {
		return groupNotFound(kind, id)
	}
	if r.Method == http.MethodGet {
		return result{http.StatusOK, s.operatorList(id)}
	}
	want := member{Type: "user", Role: "operator"}
	if kind == KindCallCenter {
		want.ID, _ = asInt(body["user_id"])
		want.Skill = 100
		if n, ok := asInt(body["skill_level"]); ok {
			want.Skill = n
		}
	} else {
		want.ID, _ = asInt(body["operator_id"])
		want.Type, _ = body["operator_type"].(string)
	}
	if role, ok := body["role"].(string); ok {
		want.Role = role
	}
	ent, ok := s.entity(want.Type, want.ID)
	if !ok {
		return errorResult(http.StatusNotFound, "notFound", fmt.Sprintf("%s %d not found", titleOf(want.Type), want.ID))
	}
	list := s.grp.members[id]
	at := -1
	for i, m := range list {
		if m.Type == want.Type && m.ID == want.ID {
			at = i
		}
	}
	switch {
	case r.Method == http.MethodPost && at >= 0:
		list[at] = want // adding again is no error: role and skill become the ones sent
	case r.Method == http.MethodPost:
		s.grp.members[id] = append(list, want)
	case at < 0:
		return errorResult(http.StatusNotFound, "notFound",
			fmt.Sprintf("%s %d is not an operator of %s %d", titleOf(want.Type), want.ID, strings.ToLower(kindTitle[kind]), id))
	default:
		s.grp.members[id] = append(list[:at:at], list[at+1:]...)
	}
	s.changed()
	return result{http.StatusOK, ent}
}

func titleOf(typ string) string {
	if typ == "room" {
		return "Room"
	}
	return "User"
}

// entity is user or room id as UserOrRoomProto; s.mu is held.
func (s *Server) entity(typ string, id int64) (userOrRoom, bool) {
	if typ == "room" {
		r, ok := s.grp.rooms[id]
		if !ok {
			return userOrRoom{}, false
		}
		return r.entity(), true
	}
	u, ok := s.grp.users[id]
	if !ok {
		return userOrRoom{}, false
	}
	return u.entity(), true
}

// operatorList is OperatorCollection of group id; s.mu is held.
func (s *Server) operatorList(id int64) operatorCollection {
	out := operatorCollection{Rooms: []Room{}, Users: []User{}}
	for _, m := range s.grp.members[id] {
		if m.Type == "room" {
			if r, ok := s.grp.rooms[m.ID]; ok {
				out.Rooms = append(out.Rooms, *r)
			}
		} else if u, ok := s.grp.users[m.ID]; ok {
			out.Users = append(out.Users, s.userView(u))
		}
	}
	return out
}

// skill serves GET and PATCH /api/v2/callcenters/{cc}/operators/{user}/skill.
func (s *Server) skill(r *http.Request, cc, user int64, patch bool) result {
	var body map[string]any
	if patch {
		var bad *result
		if body, bad = validGroupBody(r, updateOperatorSkillLevelMessage); bad != nil {
			return *bad
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.groupType(cc) != KindCallCenter {
		return groupNotFound(KindCallCenter, cc)
	}
	for i, m := range s.grp.members[cc] {
		if m.Type != "user" || m.ID != user {
			continue
		}
		if patch {
			s.grp.members[cc][i].Skill, _ = asInt(body["skill_level"])
			s.changed()
		}
		return result{http.StatusOK, skillLevel{CallCenterID: cc, SkillLevel: s.grp.members[cc][i].Skill, UserID: user}}
	}
	return errorResult(http.StatusNotFound, "notFound", fmt.Sprintf("User %d is not an operator of call center %d", user, cc))
}

// listUsers serves GET /api/v2/users: filtered by email (exact, without
// case), number, state (default: every state) and company_admin, by
// ascending id, a page at a time.
func (s *Server) listUsers(r *http.Request) result {
	q := r.URL.Query()
	email, number, state := q.Get("email"), q.Get("number"), q.Get("state")
	if state != "" && !slices.Contains([]string{"active", "all", "cancelled", "deleted", "pending", "suspended"}, state) {
		return errorResult(http.StatusBadRequest, "badRequest", fmt.Sprintf("Invalid state %q: must be one of active, all, cancelled, deleted, pending, suspended", state))
	}
	var admin *bool
	if v := q.Get("company_admin"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errorResult(http.StatusBadRequest, "badRequest", fmt.Sprintf("Invalid company_admin %q: must be true or false", v))
		}
		admin = &b
	}
	after, bad := cursorAfter(q)
	if bad != nil {
		return *bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	keep := func(id int64) bool {
		u := s.grp.users[id]
		return (email == "" || u.hasEmail(email)) &&
			(number == "" || slices.Contains(u.PhoneNumbers, number)) &&
			(state == "" || state == "all" || u.State == state) &&
			(admin == nil || u.IsSuperAdmin == *admin)
	}
	return result{http.StatusOK, pageOf(sortedInt64Keys(s.grp.users), after, s.opts.PageSize, keep, func(id int64) User {
		return s.userView(s.grp.users[id])
	})}
}

// getUser serves GET /api/v2/users/{id}; "me" needs a user's API key,
// which the simulator does not have.
func (s *Server) getUser(text string) result {
	if text == "me" {
		return errorResult(http.StatusBadRequest, "badRequest", `"me" needs a user-level API key; the simulator's key is a company key`)
	}
	id, bad := parseID("user", text)
	if bad != nil {
		return *bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.grp.users[id]
	if !ok {
		return errorResult(http.StatusNotFound, "notFound", fmt.Sprintf("User %d not found", id))
	}
	return result{http.StatusOK, s.userView(u)}
}
