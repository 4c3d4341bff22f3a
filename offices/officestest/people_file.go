package officestest

import "fmt"

// The people file (Options.PeopleFile): users and rooms to seed besides
// the numbered ones, as JSON
//
//	{"users": [{"id": 7, "emails": ["anna@example.com"], "first_name": "Anna", "office_id": 5100000000000000}],
//	 "rooms": [{"id": 8, "name": "Lobby"}]}
//
// with the fields of User and Room (ids as numbers).

// maxPeopleFile bounds a people file.
const maxPeopleFile = 16 << 20

type peopleFile struct {
	Users []User `json:"users"`
	Rooms []Room `json:"rooms"`
}

// LoadPeople checks a people file and seeds its users and rooms. Nothing
// is seeded when an id is not positive or appears twice, an email is not
// an address or two users share one.
func (s *Server) LoadPeople(b []byte) error {
	var p peopleFile
	if err := decodeStrict(b, &p); err != nil {
		return fmt.Errorf("not a people file: %v", err)
	}
	ids := map[int64]bool{}
	emails := map[string]bool{}
	for i, u := range p.Users {
		if u.ID <= 0 || ids[u.ID] {
			return fmt.Errorf("users[%d]: id %d is not positive or appears twice", i, u.ID)
		}
		ids[u.ID] = true
		for _, e := range u.Emails {
			if msg := checkEmail(e); msg != "" {
				return fmt.Errorf("users[%d]: %s", i, msg)
			}
			if emails[e] {
				return fmt.Errorf("users[%d]: email %q belongs to another user too", i, e)
			}
			emails[e] = true
		}
	}
	for i, r := range p.Rooms {
		if r.ID <= 0 || ids[r.ID] {
			return fmt.Errorf("rooms[%d]: id %d is not positive or appears twice", i, r.ID)
		}
		ids[r.ID] = true
	}
	s.SeedUsers(p.Users...)
	s.SeedRooms(p.Rooms...)
	return nil
}

// loadPeopleFile loads path into s: a regular file (see readFile) of at
// most maxPeopleFile.
func loadPeopleFile(s *Server, path string) error {
	b, err := readFile(path, maxPeopleFile)
	if err != nil {
		return fmt.Errorf("simulator people %s: %w", path, err)
	}
	if err := s.LoadPeople(b); err != nil {
		return fmt.Errorf("simulator people %s: %w", path, err)
	}
	return nil
}
