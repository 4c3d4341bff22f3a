package offices

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Operators of offices, departments and call centers, call-center skill
// levels, and the users operators name by email.

// operatorCollection is OperatorCollection: the users and rooms of a
// group. Users carry their roles in group_details; rooms carry no role.
type operatorCollection struct {
	Rooms []idOnly `json:"rooms"`
	Users []User   `json:"users"`
}

// idOnly is an answer of which officectl reads the id (RoomProto,
// UserOrRoomProto, OperatorSkillLevelProto's user).
type idOnly struct {
	ID int64 `json:"id"`
}

func (o *idOnly) UnmarshalJSON(b []byte) error {
	type plain idOnly
	return decodeGroupInts(b, (*plain)(o))
}

// operatorsPath is /api/v2/{offices|departments|callcenters}/ID/operators.
func operatorsPath(kind Kind, id int64) (string, error) {
	if !kind.Valid() {
		return "", fmt.Errorf("operators of %q %d: not an office, department or call center", Printable(string(kind)), id)
	}
	return groupPath(kind, id) + "/operators", nil
}

// ListOperators lists the operators of office, department or call center
// id (GET .../{id}/operators) as Members: users with their role in this
// group (from their group_details; "operator" when the API does not say)
// and rooms (Role "": the API does not report a room's role). Skill
// levels are not listed (GetSkill reads one). Ids must be positive and a
// group holds at most MaxOperators.
func (c *Client) ListOperators(ctx context.Context, kind Kind, id int64) ([]Member, error) {
	path, err := operatorsPath(kind, id)
	if err != nil {
		return nil, err
	}
	var oc operatorCollection
	if err := c.do(ctx, request{method: http.MethodGet, path: path}, &oc); err != nil {
		return nil, err
	}
	if n := len(oc.Users) + len(oc.Rooms); n > MaxOperators {
		return nil, invalid(http.MethodGet, path, "%d operators (at most %d accepted)", n, MaxOperators)
	}
	out := make([]Member, 0, len(oc.Users)+len(oc.Rooms))
	seen := map[Member]bool{}
	add := func(m Member) error {
		if m.ID <= 0 {
			return invalid(http.MethodGet, path, "%s id %d is not a positive int64", m.Type, m.ID)
		}
		key := Member{ID: m.ID, Type: m.Type}
		if seen[key] {
			return invalid(http.MethodGet, path, "%s %d is listed twice", m.Type, m.ID)
		}
		seen[key] = true
		out = append(out, m)
		return nil
	}
	for _, u := range oc.Users {
		m := Member{ID: u.ID, Type: OperatorUser, Role: RoleOperator}
		for _, g := range u.GroupDetails {
			if g.GroupID == id && g.Role != "" {
				m.Role = g.Role
			}
		}
		if !safe(m.Role) || len(m.Role) > 32 {
			return nil, c.redact.error(invalid(http.MethodGet, path, "user %d has role %q", u.ID, Printable(oneLine(m.Role, 40))))
		}
		if err := add(m); err != nil {
			return nil, err
		}
	}
	for _, r := range oc.Rooms {
		if err := add(Member{ID: r.ID, Type: OperatorRoom}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// operatorBody is the body of adding or removing m in a group of kind:
// AddCallCenterOperatorMessage / RemoveCallCenterOperatorMessage (user_id,
// users only) in call centers, AddOperatorMessage / RemoveOperatorMessage
// (operator_id, operator_type) elsewhere. Skill levels exist in call
// centers only.
func operatorBody(kind Kind, m Member, add bool) ([]byte, error) {
	if m.ID <= 0 || (m.Type != OperatorUser && m.Type != OperatorRoom) {
		return nil, fmt.Errorf("operator %s %d: want a user or room with a positive id", Printable(m.Type), m.ID)
	}
	body := map[string]any{}
	if kind == KindCallCenter {
		if m.Type != OperatorUser {
			return nil, fmt.Errorf("room %d: call-center operators are users only", m.ID)
		}
		body["user_id"] = m.ID
		if add && m.SkillLevel != 0 {
			body["skill_level"] = m.SkillLevel
		}
	} else {
		if m.SkillLevel != 0 {
			return nil, fmt.Errorf("%s %d: skill levels exist only in call centers", m.Type, m.ID)
		}
		body["operator_id"] = m.ID
		body["operator_type"] = m.Type
	}
	if add && m.Role != "" {
		body["role"] = m.Role
	}
	return marshalNoEscape(body)
}

// AddOperator adds m to office, department or call center id (POST
// .../{id}/operators) with its role and, in a call center, its skill
// level. Adding an operator who is one already sets the role and skill
// sent, so the POST is retried like a GET.
func (c *Client) AddOperator(ctx context.Context, kind Kind, id int64, m Member) error {
	return c.changeOperator(ctx, kind, id, m, true)
}

// RemoveOperator removes m from office, department or call center id
// (DELETE .../{id}/operators, with a body). It is retried like a GET: a
// retry of a removal that took effect ends in 404 (IsNotFound), which
// means m is no operator there.
func (c *Client) RemoveOperator(ctx context.Context, kind Kind, id int64, m Member) error {
	return c.changeOperator(ctx, kind, id, m, false)
}

func (c *Client) changeOperator(ctx context.Context, kind Kind, id int64, m Member, add bool) error {
	path, err := operatorsPath(kind, id)
	if err != nil {
		return err
	}
	b, err := operatorBody(kind, m, add)
	if err != nil {
		return fmt.Errorf("%s %d: %w", kind, id, err)
	}
	method := http.MethodDelete
	if add {
		method = http.MethodPost
	}
	var ans idOnly
	if err := c.do(ctx, request{method: method, path: path, body: b, idempotent: true}, &ans); err != nil {
		return err
	}
	if ans.ID != m.ID {
		return invalid(method, path, "the answer names %d, not %s %d", ans.ID, m.Type, m.ID)
	}
	return nil
}

// skillLevel is OperatorSkillLevelProto.
type skillLevel struct {
	CallCenterID int64 `json:"call_center_id"`
	SkillLevel   int64 `json:"skill_level"`
	UserID       int64 `json:"user_id"`
}

func (s *skillLevel) UnmarshalJSON(b []byte) error {
	type plain skillLevel
	return decodeGroupInts(b, (*plain)(s))
}

func skillPath(cc, user int64) string {
	return groupPath(KindCallCenter, cc) + "/operators/" + strconv.FormatInt(user, 10) + "/skill"
}

// GetSkill reads the skill level of user in call center cc (GET
// /api/v2/callcenters/{cc}/operators/{user}/skill).
func (c *Client) GetSkill(ctx context.Context, cc, user int64) (int64, error) {
	return c.skill(ctx, http.MethodGet, cc, user, nil)
}

// UpdateSkill sets the skill level (1..100) of user in call center cc
// (PATCH /api/v2/callcenters/{cc}/operators/{user}/skill) and returns the
// level now set. The PATCH is retried like a GET.
func (c *Client) UpdateSkill(ctx context.Context, cc, user, level int64) (int64, error) {
	b, err := marshalNoEscape(map[string]int64{"skill_level": level})
	if err != nil {
		return 0, err
	}
	return c.skill(ctx, http.MethodPatch, cc, user, b)
}

func (c *Client) skill(ctx context.Context, method string, cc, user int64, body []byte) (int64, error) {
	path := skillPath(cc, user)
	var s skillLevel
	if err := c.do(ctx, request{method: method, path: path, body: body, idempotent: true}, &s); err != nil {
		return 0, err
	}
	if s.SkillLevel < 1 || s.SkillLevel > 100 || s.UserID != user || s.CallCenterID != cc {
		return 0, invalid(method, path, "skill level %d of user %d in call center %d (want 1..100 for user %d in %d)", s.SkillLevel, s.UserID, s.CallCenterID, user, cc)
	}
	return s.SkillLevel, nil
}

// userPage is UserCollection.
type userPage struct {
	Cursor string `json:"cursor,omitempty"`
	Items  []User `json:"items"`
}

// UserByEmail finds the user with email (GET /api/v2/users?email=,
// following the cursor to the end): one of the user's emails must equal
// email, ignoring case. No such user fails with an *UnknownUserError
// (errors.Is ErrUnknownUser) naming the email; two users fail too.
func (c *Client) UserByEmail(ctx context.Context, email string) (*User, error) {
	if email == "" || len(email) > maxEmail || !safe(email) {
		return nil, fmt.Errorf("user email %q: not a single-line email of at most %d bytes", Printable(oneLine(email, 80)), maxEmail)
	}
	const path = "/api/v2/users"
	var found []User
	err := followCursor("GET "+path, "users", "", func(cursor string) (int, string, error) {
		q := url.Values{"email": {email}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page userPage
		if err := c.do(ctx, request{method: http.MethodGet, path: path, query: q}, &page); err != nil {
			return 0, "", err
		}
		for _, u := range page.Items {
			for _, e := range u.Emails {
				if strings.EqualFold(e, email) {
					found = append(found, u)
					break
				}
			}
		}
		return len(page.Items), page.Cursor, nil
	})
	if err != nil {
		return nil, err
	}
	switch {
	case len(found) == 0:
		return nil, &UnknownUserError{Email: email}
	case len(found) > 1 && found[0].ID != found[1].ID:
		return nil, invalid(http.MethodGet, path, "users %d and %d both have email %q", found[0].ID, found[1].ID, Printable(email))
	case found[0].ID <= 0:
		return nil, invalid(http.MethodGet, path, "user id %d of %q is not a positive int64", found[0].ID, Printable(email))
	}
	u := found[0]
	return &u, nil
}
