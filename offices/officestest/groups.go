package officestest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// Departments and call centers ("groups"), and the operators of offices,
// departments and call centers. Groups take their ids from the same
// counter as offices, so an id names one office or group, and no id is
// ever given twice, deleted groups' included.

// Group kinds, as GroupDetailsProto.group_type names them.
const (
	KindOffice     = "office"
	KindDepartment = "department"
	KindCallCenter = "callcenter"
)

// Group is a department or call center as the API shows it
// (DepartmentProto or CallCenterProto): int64 fields are json.Number.
type Group map[string]any

// groupStore is the groups, memberships, users and rooms of a Server.
type groupStore struct {
	groups  map[int64]*storedGroup
	members map[int64][]member // by office, department or call center id
	users   map[int64]*User
	rooms   map[int64]*Room
}

type storedGroup struct {
	Kind string `json:"kind"`
	Body Group  `json:"body"`
}

// member is one operator of a group.
type member struct {
	// Type is "user" or "room".
	Type string `json:"type"`
	ID   int64  `json:"id"`
	// Role is admin or operator (and supervisor in call centers).
	Role string `json:"role"`
	// Skill is the skill level in a call center (1..100), else 0.
	Skill int64 `json:"skill_level,omitempty"`
}

func newGroupStore() groupStore {
	return groupStore{groups: map[int64]*storedGroup{}, members: map[int64][]member{},
		users: map[int64]*User{}, rooms: map[int64]*Room{}}
}

// groupDefaults is what a group holds for each field its create message
// leaves out, from the reference's "Default is" descriptions.
func groupDefaults(kind string) Group {
	g := Group{
		"availability_status": "open", "first_action": "operators",
		"friday_hours": []any{"08:00", "18:00"}, "monday_hours": []any{"08:00", "18:00"},
		"thursday_hours": []any{"08:00", "18:00"}, "tuesday_hours": []any{"08:00", "18:00"},
		"wednesday_hours": []any{"08:00", "18:00"}, "saturday_hours": []any{}, "sunday_hours": []any{},
		"hours_on": false, "no_operators_action": "voicemail", "phone_numbers": []any{},
		"ring_seconds": json.Number("30"), "state": "active",
		"voice_intelligence": map[string]any{"allow_pause": true, "auto_start": true},
	}
	switch kind {
	case KindDepartment:
		g["auto_call_recording"] = false
		g["hold_queue"] = map[string]any{"allow_queuing": false, "max_hold_count": json.Number("50"), "max_hold_seconds": json.Number("900")}
	case KindCallCenter:
		g["advanced_settings"] = map[string]any{
			"auto_call_recording": map[string]any{"allow_pause_recording": false, "call_recording_inbound": false, "call_recording_outbound": false},
			"max_wrap_up_seconds": json.Number("0"),
		}
		g["alerts"] = map[string]any{"cc_service_level": json.Number("95"), "cc_service_level_seconds": json.Number("60")}
		g["hold_queue"] = map[string]any{
			"allow_queue_callback": false, "announce_position": true, "announcement_interval_seconds": json.Number("120"),
			"max_hold_count": json.Number("50"), "max_hold_seconds": json.Number("900"), "queue_callback_dtmf": "9",
			"queue_callback_threshold": json.Number("5"), "queue_escape_dtmf": "*",
			"stay_in_queue_after_closing": false, "unattended_queue": false,
		}
	}
	return g
}

// replacedWhole are the fields a PATCH replaces as a whole; the other
// objects (hold_queue, advanced_settings, alerts, voice_intelligence) are
// merged field by field.
var replacedWhole = map[string]bool{"routing_options": true}

// merge writes src over dst: objects merge field by field (except
// replacedWhole at the top), everything else (lists included) replaces;
// null leaves the field as it was.
func merge(dst, src map[string]any, top bool) {
	for k, v := range src {
		if v == nil {
			continue
		}
		sv, srcObj := v.(map[string]any)
		dv, dstObj := dst[k].(map[string]any)
		if srcObj && dstObj && !(top && replacedWhole[k]) {
			merge(dv, sv, false)
			continue
		}
		dst[k] = v
	}
}

// decodeGroupBody decodes a validated body with int64 fields as
// json.Number, whether they came as numbers or strings.
func decodeGroupBody(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	numberInts(m)
	return m, nil
}

// numberInts turns the strings under int64 keys into json.Number.
func numberInts(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && (int64Fields[k] || groupInt64Fields[k]) {
				v[k] = json.Number(s)
				continue
			}
			numberInts(x)
		}
	case []any:
		for _, x := range v {
			numberInts(x)
		}
	}
}

// cloneGroup deep-copies g.
func cloneGroup(g Group) Group {
	b, err := json.Marshal(g)
	if err != nil {
		panic("officestest: marshal group: " + err.Error())
	}
	m, err := decodeGroupBody(b)
	if err != nil {
		panic("officestest: unmarshal group: " + err.Error())
	}
	return m
}

// groupType names the kind of id (office, department or callcenter), or
// "unknown"; s.mu is held.
func (s *Server) groupType(id int64) string {
	if _, ok := s.offices[id]; ok {
		return KindOffice
	}
	if g, ok := s.grp.groups[id]; ok {
		return g.Kind
	}
	return "unknown"
}

// Groups returns a copy of every group of kind (KindDepartment or
// KindCallCenter), by ascending id.
func (s *Server) Groups(kind string) []Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Group
	for _, id := range sortedInt64Keys(s.grp.groups) {
		if g := s.grp.groups[id]; g.Kind == kind {
			out = append(out, cloneGroup(g.Body))
		}
	}
	return out
}

// GroupByID returns a copy of group id of kind.
func (s *Server) GroupByID(kind string, id int64) (Group, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.grp.groups[id]
	if !ok || g.Kind != kind {
		return nil, false
	}
	return cloneGroup(g.Body), true
}

// CountGroupsByName counts the groups of kind in office officeID by name:
// a count above 1 means a client created a duplicate.
func (s *Server) CountGroupsByName(kind string, officeID int64) map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := map[string]int{}
	for _, g := range s.grp.groups {
		if g.Kind == kind && groupOffice(g.Body) == officeID {
			name, _ := g.Body["name"].(string)
			n[name]++
		}
	}
	return n
}

// MutateGroup changes group id in place, as an admin would in Dialpad's
// web app (drift); its id, office_id and kind stay.
func (s *Server) MutateGroup(kind string, id int64, f func(Group)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.grp.groups[id]
	if !ok || g.Kind != kind {
		return fmt.Errorf("%s %d: %w", kind, id, ErrNoGroup)
	}
	office := g.Body["office_id"]
	f(g.Body)
	g.Body["id"], g.Body["office_id"] = json.Number(fmt.Sprint(id)), office
	numberInts(map[string]any(g.Body))
	s.changed()
	return nil
}

// DeleteGroup deletes group id of kind and its memberships, as an admin
// would in Dialpad's web app.
func (s *Server) DeleteGroup(kind string, id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.grp.groups[id]
	if !ok || g.Kind != kind {
		return fmt.Errorf("%s %d: %w", kind, id, ErrNoGroup)
	}
	delete(s.grp.groups, id)
	delete(s.grp.members, id)
	s.changed()
	return nil
}

// Operator is one operator of a group, for tests.
type Operator struct {
	// Type is "user" or "room".
	Type string
	ID   int64
	Role string
	// SkillLevel is set in call centers only.
	SkillLevel int64
}

// Operators returns the operators of office, department or call center
// id, in the order they were added.
func (s *Server) Operators(id int64) []Operator {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Operator
	for _, m := range s.grp.members[id] {
		out = append(out, Operator{Type: m.Type, ID: m.ID, Role: m.Role, SkillLevel: m.Skill})
	}
	return out
}

// groupOffice is g's office_id.
func groupOffice(g Group) int64 {
	n, _ := asInt(g["office_id"])
	return n
}

func groupName(g Group) string {
	s, _ := g["name"].(string)
	return s
}

// sortedGroupIDs returns the ids of the groups of kind, ascending; s.mu
// is held.
func (s *Server) sortedGroupIDs(kind string) []int64 {
	var ids []int64
	for id, g := range s.grp.groups {
		if g.Kind == kind {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}
