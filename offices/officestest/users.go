package officestest

import (
	"fmt"
	"sort"
	"strings"
)

// The users and rooms of the simulated company: the operators that
// offices, departments and call centers can have. They are seeded when
// the Server is made (Options.Users, Options.Rooms) or with SeedUsers and
// SeedRooms; the API only reads them.

// First ids of the seeded users and rooms: user N has id FirstUserID+N
// and email userN@example.com; room N has id FirstRoomID+N.
const (
	FirstUserID int64 = 5300000000000000
	FirstRoomID int64 = 5200000000000000
)

// Default numbers of seeded users and rooms.
const (
	defaultUsers = 100
	defaultRooms = 10
)

// User is a Dialpad user, as UserProto carries one (the fields the
// simulator keeps).
type User struct {
	ID           int64          `json:"id"`
	CompanyID    int64          `json:"company_id"`
	Country      string         `json:"country,omitempty"`
	DisplayName  string         `json:"display_name,omitempty"`
	Emails       []string       `json:"emails"`
	FirstName    string         `json:"first_name,omitempty"`
	LastName     string         `json:"last_name,omitempty"`
	GroupDetails []GroupDetails `json:"group_details,omitempty"`
	IsAdmin      bool           `json:"is_admin"`
	IsOnDuty     bool           `json:"is_on_duty"`
	IsSuperAdmin bool           `json:"is_super_admin"`
	License      string         `json:"license,omitempty"`
	OfficeID     int64          `json:"office_id,omitempty"`
	PhoneNumbers []string       `json:"phone_numbers"`
	State        string         `json:"state"`
	Timezone     string         `json:"timezone,omitempty"`
}

// GroupDetails is one group a user is an operator of (GroupDetailsProto).
type GroupDetails struct {
	DoNotDisturb bool   `json:"do_not_disturb"`
	GroupID      int64  `json:"group_id"`
	GroupType    string `json:"group_type"`
	Role         string `json:"role"`
}

// Room is a Dialpad room (RoomProto).
type Room struct {
	ID           int64    `json:"id"`
	CompanyID    int64    `json:"company_id"`
	Country      string   `json:"country,omitempty"`
	IsFree       bool     `json:"is_free"`
	IsOnDuty     bool     `json:"is_on_duty"`
	Name         string   `json:"name"`
	OfficeID     int64    `json:"office_id,omitempty"`
	PhoneNumbers []string `json:"phone_numbers"`
	State        string   `json:"state"`
}

// userOrRoom is UserOrRoomProto: what adding or removing an operator
// answers.
type userOrRoom struct {
	CompanyID    int64    `json:"company_id"`
	Country      string   `json:"country,omitempty"`
	ID           int64    `json:"id"`
	IsOnDuty     bool     `json:"is_on_duty"`
	Name         string   `json:"name"`
	OfficeID     int64    `json:"office_id,omitempty"`
	PhoneNumbers []string `json:"phone_numbers"`
	State        string   `json:"state"`
}

// seedPeople adds n users and m rooms with predictable ids, names and
// emails; s.mu is held or s is not shared yet.
func (s *Server) seedPeople(n, m int) {
	for i := 1; i <= n; i++ {
		s.addUser(User{
			ID: FirstUserID + int64(i), Emails: []string{fmt.Sprintf("user%d@example.com", i)},
			FirstName: "User", LastName: fmt.Sprint(i), DisplayName: fmt.Sprintf("User %d", i),
		})
	}
	for i := 1; i <= m; i++ {
		s.addRoom(Room{ID: FirstRoomID + int64(i), Name: fmt.Sprintf("Room %d", i)})
	}
}

// SeedUsers adds users (replacing any with the same id); empty fields
// take defaults (state active, country us, license talk).
func (s *Server) SeedUsers(users ...User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range users {
		s.addUser(u)
	}
}

// SeedRooms adds rooms (replacing any with the same id).
func (s *Server) SeedRooms(rooms ...Room) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range rooms {
		s.addRoom(r)
	}
}

func (s *Server) addUser(u User) {
	u.CompanyID = s.opts.Company.ID
	u.Emails = append([]string{}, u.Emails...)
	u.PhoneNumbers = append([]string{}, u.PhoneNumbers...)
	u.GroupDetails = nil // computed from the memberships
	if u.State == "" {
		u.State = "active"
	}
	if u.Country == "" {
		u.Country = "us"
	}
	if u.License == "" {
		u.License = "talk"
	}
	s.grp.users[u.ID] = &u
}

func (s *Server) addRoom(r Room) {
	r.CompanyID = s.opts.Company.ID
	r.PhoneNumbers = append([]string{}, r.PhoneNumbers...)
	if r.State == "" {
		r.State = "active"
	}
	if r.Country == "" {
		r.Country = "us"
	}
	s.grp.rooms[r.ID] = &r
}

// userView is user id as the API shows it, with its group details; s.mu
// is held.
func (s *Server) userView(u *User) User {
	c := *u
	c.Emails = append([]string{}, u.Emails...)
	c.PhoneNumbers = append([]string{}, u.PhoneNumbers...)
	c.GroupDetails = nil
	for _, gid := range sortedInt64Keys(s.grp.members) {
		for _, m := range s.grp.members[gid] {
			if m.Type == "user" && m.ID == u.ID {
				c.GroupDetails = append(c.GroupDetails, GroupDetails{GroupID: gid, GroupType: s.groupType(gid), Role: m.Role})
			}
		}
	}
	return c
}

func (u *User) entity() userOrRoom {
	name := u.DisplayName
	if name == "" {
		name = strings.TrimSpace(u.FirstName + " " + u.LastName)
	}
	return userOrRoom{CompanyID: u.CompanyID, Country: u.Country, ID: u.ID, Name: name, OfficeID: u.OfficeID,
		PhoneNumbers: append([]string{}, u.PhoneNumbers...), State: u.State}
}

func (r *Room) entity() userOrRoom {
	return userOrRoom{CompanyID: r.CompanyID, Country: r.Country, ID: r.ID, Name: r.Name, OfficeID: r.OfficeID,
		PhoneNumbers: append([]string{}, r.PhoneNumbers...), State: r.State}
}

// hasEmail reports whether u has email, compared without case.
func (u *User) hasEmail(email string) bool {
	for _, e := range u.Emails {
		if strings.EqualFold(e, email) {
			return true
		}
	}
	return false
}

func sortedInt64Keys[V any](m map[int64]V) []int64 {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// orDefault is n, def when n is 0, and 0 when n is negative.
func orDefault(n, def int) int {
	switch {
	case n == 0:
		return def
	case n < 0:
		return 0
	}
	return n
}
