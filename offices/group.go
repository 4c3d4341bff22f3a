package offices

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// This file is the model of departments, call centers and their operators
// (the groups reference, dialpad-groups-openapi.json), as Office is the
// model of CreateOfficeMessage.

// Kind names what a config entry, a state entry or a plan change is about:
// an office, a department or a call center. Its values are the API's own
// group_type / action_target_type words.
type Kind string

// The kinds officectl manages.
const (
	KindOffice     Kind = "office"
	KindDepartment Kind = "department"
	KindCallCenter Kind = "callcenter"
)

// Valid reports whether k is one of KindOffice, KindDepartment and
// KindCallCenter.
func (k Kind) Valid() bool {
	return k == KindOffice || k == KindDepartment || k == KindCallCenter
}

// collection is the path segment of k's API: "offices", "departments" or
// "callcenters".
func (k Kind) collection() string {
	switch k {
	case KindOffice:
		return "offices"
	case KindDepartment:
		return "departments"
	case KindCallCenter:
		return "callcenters"
	}
	return ""
}

// Department is the desired state of one department: exactly the fields of
// CreateDepartmentMessage except office_id, which the client adds from the
// office the department belongs to (CreateDepartment). The same fields
// make UpdateDepartmentMessage (which has no office_id), so a Department
// is also what an update sends a subset of (UpdateDepartment).
//
// As for Office, the hours fields, HoursOn and AutoCallRecording are
// always sent (the schema fills their defaults); the other optional fields
// are pointers or omitempty, so a department marshals to the body a user
// wrote plus the schema's defaults. Fields are declared in key order, so
// the JSON has sorted keys.
type Department struct {
	// AutoCallRecording records every call of the department.
	AutoCallRecording bool     `json:"auto_call_recording"`
	FridayHours       []string `json:"friday_hours"`
	// GroupDescription is at most 256 characters.
	GroupDescription string               `json:"group_description,omitempty"`
	HoldQueue        *HoldQueueDepartment `json:"hold_queue,omitempty"`
	HoursOn          bool                 `json:"hours_on"`
	MondayHours      []string             `json:"monday_hours"`
	// Name is single-line, at most 100 characters; with the office it is
	// the department's identity (see FindGroupByName).
	Name string `json:"name"`
	// RingSeconds is 10..45.
	RingSeconds       *int64             `json:"ring_seconds,omitempty"`
	RoutingOptions    *RoutingOptions    `json:"routing_options,omitempty"`
	SaturdayHours     []string           `json:"saturday_hours"`
	SundayHours       []string           `json:"sunday_hours"`
	ThursdayHours     []string           `json:"thursday_hours"`
	TuesdayHours      []string           `json:"tuesday_hours"`
	VoiceIntelligence *VoiceIntelligence `json:"voice_intelligence,omitempty"`
	WednesdayHours    []string           `json:"wednesday_hours"`
}

// CallCenter is the desired state of one call center: exactly the fields
// of CreateCallCenterMessage except office_id (see Department), which are
// also the fields of UpdateCallCenterMessage. Fields are declared in key
// order.
//
// Department and CallCenter share most of their fields but stay two flat
// structs, as the API's two messages are: no code reads a field of one
// kind and not the other (bodies are compared as JSON), and
// TestGroupModelMatchesReference checks each against its own message, so
// they cannot drift apart unnoticed. (A shared generic struct embedded in
// both, GroupSettings[HoldQueue], would keep the JSON bytes identical,
// since each kind's own keys sort first, but every literal would have to
// name it.)
type CallCenter struct {
	AdvancedSettings *AdvancedSettings `json:"advanced_settings,omitempty"`
	Alerts           *Alerts           `json:"alerts,omitempty"`
	FridayHours      []string          `json:"friday_hours"`
	// GroupDescription is at most 256 characters.
	GroupDescription string               `json:"group_description,omitempty"`
	HoldQueue        *HoldQueueCallCenter `json:"hold_queue,omitempty"`
	HoursOn          bool                 `json:"hours_on"`
	MondayHours      []string             `json:"monday_hours"`
	// Name is single-line, at most 100 characters.
	Name string `json:"name"`
	// RingSeconds is 10..45.
	RingSeconds       *int64             `json:"ring_seconds,omitempty"`
	RoutingOptions    *RoutingOptions    `json:"routing_options,omitempty"`
	SaturdayHours     []string           `json:"saturday_hours"`
	SundayHours       []string           `json:"sunday_hours"`
	ThursdayHours     []string           `json:"thursday_hours"`
	TuesdayHours      []string           `json:"tuesday_hours"`
	VoiceIntelligence *VoiceIntelligence `json:"voice_intelligence,omitempty"`
	WednesdayHours    []string           `json:"wednesday_hours"`
}

// HoldQueueDepartment is HoldQueueDepartment: where callers wait when
// every operator is busy.
type HoldQueueDepartment struct {
	AllowQueuing *bool `json:"allow_queuing,omitempty"`
	// MaxHoldCount is the queue size, 1..1000 (default 50).
	MaxHoldCount *int64 `json:"max_hold_count,omitempty"`
	// MaxHoldSeconds is the longest wait, 30..18000 (default 900).
	MaxHoldSeconds *int64 `json:"max_hold_seconds,omitempty"`
}

// HoldQueueCallCenter is HoldQueueCallCenter: a call center's queue.
type HoldQueueCallCenter struct {
	AllowQueueCallback          *bool  `json:"allow_queue_callback,omitempty"`
	AnnouncePosition            *bool  `json:"announce_position,omitempty"`
	AnnouncementIntervalSeconds *int64 `json:"announcement_interval_seconds,omitempty"`
	// MaxHoldCount is the queue size, 1..1000 (default 50).
	MaxHoldCount *int64 `json:"max_hold_count,omitempty"`
	// MaxHoldSeconds is the longest wait, 30..18000 (default 900).
	MaxHoldSeconds *int64 `json:"max_hold_seconds,omitempty"`
	// QueueCallbackDTMF is one of 0-9, * and #.
	QueueCallbackDTMF      string `json:"queue_callback_dtmf,omitempty"`
	QueueCallbackThreshold *int64 `json:"queue_callback_threshold,omitempty"`
	// QueueEscapeDTMF is one of 0-9, * and #.
	QueueEscapeDTMF         string `json:"queue_escape_dtmf,omitempty"`
	StayInQueueAfterClosing *bool  `json:"stay_in_queue_after_closing,omitempty"`
	UnattendedQueue         *bool  `json:"unattended_queue,omitempty"`
}

// AdvancedSettings is AdvancedSettings of a call center.
type AdvancedSettings struct {
	AutoCallRecording *AutoCallRecording `json:"auto_call_recording,omitempty"`
	// MaxWrapUpSeconds is the wrap-up time after a call (default 0).
	MaxWrapUpSeconds *int64 `json:"max_wrap_up_seconds,omitempty"`
}

// AutoCallRecording is AutoCallRecording: which calls of a call center
// are recorded.
type AutoCallRecording struct {
	AllowPauseRecording   *bool `json:"allow_pause_recording,omitempty"`
	CallRecordingInbound  *bool `json:"call_recording_inbound,omitempty"`
	CallRecordingOutbound *bool `json:"call_recording_outbound,omitempty"`
}

// Alerts is Alerts: when a call center's supervisors are alerted.
type Alerts struct {
	// CCServiceLevel is a percentage (default 95).
	CCServiceLevel *int64 `json:"cc_service_level,omitempty"`
	// CCServiceLevelSeconds is the answer time aimed at (default 60).
	CCServiceLevelSeconds *int64 `json:"cc_service_level_seconds,omitempty"`
}

// Operator is one operator as written in the config: a user by email
// ({user: anna@example.com}), a user by id ({user: 5300000000000001}) or
// a room by id ({room: 5200000000000001}), with a role and, in call
// centers, a skill level.
//
// Exactly one of Email, UserID and RoomID is set. In JSON "user" is a
// string for an email and a number for an id; a string of digits is read
// as an id (the API sends ids as strings, and no email is only digits).
type Operator struct {
	// Email names a user by one of their emails; apply resolves it with
	// UserByEmail (GET /api/v2/users?email=).
	Email string
	// UserID names a user by Dialpad id.
	UserID int64
	// RoomID names a room by Dialpad id (not in call centers: their
	// add-operator message has users only).
	RoomID int64
	// Role is admin or operator (and supervisor in call centers); ""
	// means operator.
	Role string
	// SkillLevel is a call-center operator's skill, 1..100; 0 means not
	// given (the API's default is 100).
	SkillLevel int64
}

type operatorJSON struct {
	Room       json.RawMessage `json:"room,omitempty"`
	Role       string          `json:"role,omitempty"`
	SkillLevel json.RawMessage `json:"skill_level,omitempty"`
	User       json.RawMessage `json:"user,omitempty"`
}

// MarshalJSON writes o as the config spells it, keys sorted.
func (o Operator) MarshalJSON() ([]byte, error) {
	var j operatorJSON
	switch {
	case o.Email != "":
		b, err := marshalNoEscape(o.Email)
		if err != nil {
			return nil, err
		}
		j.User = b
	case o.UserID != 0:
		j.User = strconv.AppendInt(nil, o.UserID, 10)
	default:
		j.Room = strconv.AppendInt(nil, o.RoomID, 10)
	}
	j.Role = o.Role
	if o.SkillLevel != 0 {
		j.SkillLevel = strconv.AppendInt(nil, o.SkillLevel, 10)
	}
	return marshalNoEscape(j)
}

// UnmarshalJSON reads {user: EMAIL|ID} or {room: ID}, with role and
// skill_level, and refuses anything else.
func (o *Operator) UnmarshalJSON(b []byte) error {
	var j operatorJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return fmt.Errorf("operator: %w", err)
	}
	var op Operator
	switch {
	case len(j.User) > 0 && len(j.Room) > 0:
		return fmt.Errorf("operator: give user or room, not both")
	case len(j.User) > 0:
		var email string
		if bytes.HasPrefix(bytes.TrimSpace(j.User), []byte(`"`)) {
			if err := json.Unmarshal(j.User, &email); err != nil {
				return fmt.Errorf("operator: user: %w", err)
			}
		}
		if email != "" && !isDigits(email) {
			if strings.ContainsFunc(email, unsafeRune) || !strings.Contains(email, "@") {
				return fmt.Errorf("operator: user %q is neither an email nor a user id", Printable(email))
			}
			op.Email = email
			break
		}
		id, err := ParseID(j.User)
		if err != nil || id <= 0 {
			return fmt.Errorf("operator: user %s is neither an email nor a positive user id", Printable(string(j.User)))
		}
		op.UserID = id
	case len(j.Room) > 0:
		id, err := ParseID(j.Room)
		if err != nil || id <= 0 {
			return fmt.Errorf("operator: room %s is not a positive room id", Printable(string(j.Room)))
		}
		op.RoomID = id
	default:
		return fmt.Errorf("operator: give user (an email or id) or room (an id)")
	}
	op.Role = j.Role
	if len(j.SkillLevel) > 0 {
		n, err := ParseID(j.SkillLevel)
		if err != nil {
			return fmt.Errorf("operator: skill_level: %w", err)
		}
		op.SkillLevel = n
	}
	*o = op
	return nil
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// String names o as written: the email, "user ID" or "room ID".
func (o Operator) String() string {
	switch {
	case o.Email != "":
		return Printable(o.Email)
	case o.UserID != 0:
		return "user " + strconv.FormatInt(o.UserID, 10)
	}
	return "room " + strconv.FormatInt(o.RoomID, 10)
}

// Resolve returns o's resolved form, taking a user's id from userIDs
// (email → id, as UserByEmail found them) when o names the user by email.
// An email missing from userIDs fails with an error wrapping
// ErrUnknownUser that names it.
func (o Operator) Resolve(userIDs map[string]int64) (Member, error) {
	m := Member{Type: OperatorUser, ID: o.UserID, Role: o.Role, SkillLevel: o.SkillLevel}
	switch {
	case o.Email != "":
		id, ok := userIDs[o.Email]
		if !ok {
			return Member{}, &UnknownUserError{Email: o.Email}
		}
		m.ID = id
	case o.RoomID != 0:
		m.Type, m.ID = OperatorRoom, o.RoomID
	}
	if m.Role == "" {
		m.Role = RoleOperator
	}
	return m, nil
}

// Operator types (operator_type) and the default role.
const (
	OperatorUser = "user"
	OperatorRoom = "room"
	RoleOperator = "operator"
)

// Member is an operator resolved to Dialpad ids, as apply sends it and the
// state records it: AddOperatorMessage's operator_id and operator_type
// (a call center's user_id is ID with Type "user"), the role (never
// empty: a user without a role is an operator) and, in call centers, the
// skill level (0: not set, the API's default 100 applies). Fields are
// declared in key order.
type Member struct {
	ID         int64  `json:"operator_id"`
	Type       string `json:"operator_type"`
	Role       string `json:"role"`
	SkillLevel int64  `json:"skill_level,omitempty"`
}

// Same reports whether m and n name the same user or room, whatever their
// roles and skills.
func (m Member) Same(n Member) bool { return m.ID == n.ID && m.Type == n.Type }

// Canonical returns the canonical JSON of d: compact, keys sorted, no
// HTML escaping, references unresolved. Two departments are the same
// desired state exactly when their canonical forms are equal.
func (d Department) Canonical() []byte { return canonical(d) }

// SpecSHA256 is the hex SHA-256 of d's canonical JSON, as kept in state.
func (d Department) SpecSHA256() string { return sha256Hex(d.Canonical()) }

// Canonical returns the canonical JSON of c (see Department.Canonical).
func (c CallCenter) Canonical() []byte { return canonical(c) }

// SpecSHA256 is the hex SHA-256 of c's canonical JSON, as kept in state.
func (c CallCenter) SpecSHA256() string { return sha256Hex(c.Canonical()) }

// References returns the sorted, distinct office keys d's routing refers
// to ({office: KEY}).
func (d Department) References() []string { return routingRefs(d.RoutingOptions) }

// References returns the sorted, distinct office keys c's routing refers
// to ({office: KEY}).
func (c CallCenter) References() []string { return routingRefs(c.RoutingOptions) }

func routingRefs(r *RoutingOptions) []string {
	return Office{RoutingOptions: r}.References()
}

func canonical(v any) []byte {
	b, err := marshalNoEscape(v)
	if err != nil {
		// Groups hold only strings, bools, ints and slices of them.
		panic("offices: marshal group: " + err.Error())
	}
	return b
}

// marshalNoEscape is json.Marshal without HTML escaping ("<" stays "<").
func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
