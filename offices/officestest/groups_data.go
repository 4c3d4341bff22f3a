package officestest

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// The groups and memberships in the simulator's data file. Users and
// rooms are not kept: they are seeded again from the Options at start,
// with the same ids.

// dataGroup is one department or call center in a data file.
type dataGroup struct {
	Kind string `json:"kind"`
	Body Group  `json:"body"`
}

// dataMembers is the operators of one office or group in a data file.
type dataMembers struct {
	GroupID   int64    `json:"group_id"`
	Operators []member `json:"operators"`
}

// groupsData returns the groups and memberships by ascending id; s.mu is
// held.
func (s *Server) groupsData() ([]dataGroup, []dataMembers) {
	var gs []dataGroup
	for _, id := range sortedInt64Keys(s.grp.groups) {
		g := s.grp.groups[id]
		gs = append(gs, dataGroup{Kind: g.Kind, Body: cloneGroup(g.Body)})
	}
	var ms []dataMembers
	for _, id := range sortedInt64Keys(s.grp.members) {
		if list := s.grp.members[id]; len(list) > 0 {
			ms = append(ms, dataMembers{GroupID: id, Operators: append([]member(nil), list...)})
		}
	}
	return gs, ms
}

// loadGroupsData checks the groups and memberships of a data file: known
// kinds, positive ids below nextID that no office or other group has,
// memberships of a known office or group with valid types and roles. It
// returns them as a store without users and rooms.
func loadGroupsData(gs []dataGroup, ms []dataMembers, officeIDs map[int64]bool, nextID int64) (groupStore, error) {
	st := newGroupStore()
	for i, g := range gs {
		id := groupIDOf(g.Body)
		name := groupName(g.Body)
		switch {
		case g.Kind != KindDepartment && g.Kind != KindCallCenter:
			return st, fmt.Errorf("groups[%d] (%q): kind %q is not %s or %s", i, name, g.Kind, KindDepartment, KindCallCenter)
		case id <= 0:
			return st, fmt.Errorf("groups[%d] (%q): id %v is not a positive int64", i, name, g.Body["id"])
		case officeIDs[id] || st.groups[id] != nil:
			return st, fmt.Errorf("groups[%d] (%q): id %d appears twice", i, name, id)
		case id >= nextID:
			return st, fmt.Errorf("groups[%d] (%q): id %d is not below next_id %d", i, name, id, nextID)
		case groupOffice(g.Body) <= 0:
			return st, fmt.Errorf("groups[%d] (%q): office_id %v is not a positive int64", i, name, g.Body["office_id"])
		}
		body := cloneGroup(g.Body)
		st.groups[id] = &storedGroup{Kind: g.Kind, Body: body}
	}
	for i, m := range ms {
		if !officeIDs[m.GroupID] && st.groups[m.GroupID] == nil {
			return st, fmt.Errorf("operators[%d]: group_id %d is no office or group of the file", i, m.GroupID)
		}
		for j, op := range m.Operators {
			if (op.Type != "user" && op.Type != "room") || op.ID <= 0 || op.Role == "" {
				return st, fmt.Errorf("operators[%d].operators[%d]: want a type user or room, a positive id and a role", i, j)
			}
		}
		st.members[m.GroupID] = append([]member(nil), m.Operators...)
	}
	return st, nil
}

// decodeData decodes a data file strictly (unknown fields refused), with
// the numbers in group bodies kept exact.
func decodeData(b []byte, d *data) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	return dec.Decode(d)
}
