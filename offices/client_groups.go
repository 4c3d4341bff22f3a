package offices

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// The client of the groups reference: departments, call centers, their
// operators and the users operators name. Every method goes through Client.do,
// so the rate limiter, retries, WithStartContext, MaxRetryWait and
// unreachable detection are the office methods' own. Every answer is
// checked (ids positive, names on one line and bounded) before it is
// returned.

// ErrUnknownUser is wrapped by the error of UserByEmail when no user has
// the email, and by Operator.Resolve's when an email was not resolved.
var ErrUnknownUser = errors.New("no Dialpad user has this email")

// ErrInvalidAnswer is wrapped by the error of a groups request whose 2xx
// answer is unusable: an id that is not a positive int64, a name over
// several lines or too long, too many operators.
var ErrInvalidAnswer = errors.New("the API answered with unusable data")

// UnknownUserError is the error of an email no user has: it names the
// email and wraps ErrUnknownUser.
type UnknownUserError struct {
	Email string
}

// Error names the email and says what to do.
func (e *UnknownUserError) Error() string {
	return fmt.Sprintf("%v: %q (check the operator's email, or name the user by id)", ErrUnknownUser, Printable(e.Email))
}

// Unwrap returns ErrUnknownUser.
func (e *UnknownUserError) Unwrap() error { return ErrUnknownUser }

// IsNotFound reports whether err is a 404 answer. A DeleteDepartment,
// DeleteCallCenter or RemoveOperator whose earlier attempt may have taken
// effect (the client retries them) can end in 404: the thing is gone
// either way.
func IsNotFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound
}

// Bounds of the groups answers.
const (
	// MaxGroupName bounds a name in an answer, in bytes (the reference
	// allows 100 characters).
	MaxGroupName = 400
	// MaxOperators bounds the operators of one group in an answer.
	MaxOperators = 10_000
	// maxEmail bounds an email sent in a query.
	maxEmail = 320
)

// LiveGroup is what DepartmentProto and CallCenterProto add to the
// desired fields: the ids and what Dialpad decides.
type LiveGroup struct {
	// AvailabilityStatus is closed, holiday_closed, holiday_open or open.
	AvailabilityStatus string   `json:"availability_status,omitempty"`
	Country            string   `json:"country,omitempty"`
	FirstAction        string   `json:"first_action,omitempty"`
	ID                 int64    `json:"id,omitempty"`
	NoOperatorsAction  string   `json:"no_operators_action,omitempty"`
	OfficeID           int64    `json:"office_id,omitempty"`
	PhoneNumbers       []string `json:"phone_numbers,omitempty"`
	// State is active, cancelled, deleted, pending or suspended.
	State    string `json:"state,omitempty"`
	Timezone string `json:"timezone,omitempty"`
}

// LiveDepartment is a department as the API returns it (DepartmentProto).
type LiveDepartment struct {
	LiveGroup
	Department
}

// UnmarshalJSON decodes a DepartmentProto, accepting its int64 fields
// (nested ones too) as numbers or strings of digits.
func (l *LiveDepartment) UnmarshalJSON(b []byte) error {
	type plain LiveDepartment
	return decodeGroupInts(b, (*plain)(l))
}

// LiveCallCenter is a call center as the API returns it (CallCenterProto).
type LiveCallCenter struct {
	LiveGroup
	CallCenter
}

// UnmarshalJSON decodes a CallCenterProto, accepting its int64 fields
// (nested ones too) as numbers or strings of digits.
func (l *LiveCallCenter) UnmarshalJSON(b []byte) error {
	type plain LiveCallCenter
	return decodeGroupInts(b, (*plain)(l))
}

// GroupSummary is a group as ListGroups and FindGroupByName list it.
type GroupSummary struct {
	Kind     Kind
	ID       int64
	OfficeID int64
	Name     string
	State    string
}

// User is a user as GET /api/v2/users returns it (UserProto), the fields
// officectl reads.
type User struct {
	DisplayName  string        `json:"display_name,omitempty"`
	Emails       []string      `json:"emails,omitempty"`
	GroupDetails []GroupDetail `json:"group_details,omitempty"`
	ID           int64         `json:"id,omitempty"`
	OfficeID     int64         `json:"office_id,omitempty"`
	State        string        `json:"state,omitempty"`
}

// UnmarshalJSON decodes a UserProto, accepting int64 fields as numbers or
// strings of digits.
func (u *User) UnmarshalJSON(b []byte) error {
	type plain User
	return decodeGroupInts(b, (*plain)(u))
}

// GroupDetail is GroupDetailsProto: a user's role in one group.
type GroupDetail struct {
	GroupID   int64  `json:"group_id,omitempty"`
	GroupType string `json:"group_type,omitempty"`
	Role      string `json:"role,omitempty"`
}

// groupInt64Keys are the int64 properties of the groups reference's
// schemas (a test checks them against the reference): the API may send
// them as strings.
var groupInt64Keys = map[string]bool{
	"action_target_id": true, "admin_office_ids": true, "announcement_interval_seconds": true,
	"call_center_id": true, "cc_service_level": true, "cc_service_level_seconds": true,
	"company_id": true, "group_id": true, "id": true, "max_hold_count": true,
	"max_hold_seconds": true, "max_wrap_up_seconds": true, "office_id": true,
	"operator_id": true, "queue_callback_threshold": true, "ring_seconds": true,
	"skill_level": true, "user_id": true,
}

// decodeGroupInts decodes b into dst after turning every string of digits
// under a groupInt64Keys key, at any depth, into a JSON number.
func decodeGroupInts(b []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	if err := numberStrings(v, false); err != nil {
		return err
	}
	nb, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(nb, dst)
}

func numberStrings(v any, intKey bool) error {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && groupInt64Keys[k] {
				n, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					return fmt.Errorf("%s: %q is not an int64", k, oneLine(s, 40))
				}
				v[k] = json.Number(strconv.FormatInt(n, 10))
				continue
			}
			if err := numberStrings(x, groupInt64Keys[k]); err != nil {
				return err
			}
		}
	case []any:
		for i, x := range v {
			if s, ok := x.(string); ok && intKey {
				n, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					return fmt.Errorf("%q is not an int64", oneLine(s, 40))
				}
				v[i] = json.Number(strconv.FormatInt(n, 10))
				continue
			}
			if err := numberStrings(x, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// groupPath is /api/v2/{departments|callcenters|offices}/ID.
func groupPath(kind Kind, id int64) string {
	return "/api/v2/" + kind.collection() + "/" + strconv.FormatInt(id, 10)
}

// invalid is the error of an unusable answer to method path.
func invalid(method, path, format string, args ...any) error {
	return fmt.Errorf("dialpad: %s %s: %w: %s", method, path, ErrInvalidAnswer, fmt.Sprintf(format, args...))
}

// checkName checks a name from an answer: bounded, and with printable
// true one line of printable text. Only the answer to a write (the name
// officectl sent) must be printable: a name read from a listing or a GET
// is only reported, through Printable, and one admin's odd name must not
// stop the reading of every other group.
func checkName(name string, printable bool) error {
	switch {
	case len(name) > MaxGroupName:
		return fmt.Errorf("name of %d bytes (at most %d accepted)", len(name), MaxGroupName)
	case printable && !safe(name):
		return fmt.Errorf("name %q is not a single line of printable text", Printable(oneLine(name, 100)))
	}
	return nil
}

// checkGroup checks a group answered to method path: positive ids, a
// bounded name, printable in the answer to a write (not to a GET).
func checkGroup(method, path string, g LiveGroup, name string) error {
	if g.ID <= 0 {
		return invalid(method, path, "group id %d is not a positive int64", g.ID)
	}
	if g.OfficeID <= 0 {
		return invalid(method, path, "office_id %d of group %d is not a positive int64", g.OfficeID, g.ID)
	}
	if err := checkName(name, method != http.MethodGet); err != nil {
		return invalid(method, path, "group %d: %v", g.ID, err)
	}
	return nil
}

// created checks the answer to a create: an unusable id leaves the outcome
// unknown (the group may exist: find it by name before creating again).
func created(path string, g LiveGroup, name string) error {
	if err := checkGroup(http.MethodPost, path, g, name); err != nil {
		return fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
	}
	return nil
}

// createBody is the body of a create: the group's fields and office_id.
func createBody[T Department | CallCenter](officeID int64, g T) ([]byte, error) {
	b, err := marshalNoEscape(g)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	m["office_id"] = strconv.AppendInt(nil, officeID, 10)
	return marshalNoEscape(m)
}

// checkCreate refuses a create that must not be sent.
func checkCreate(kind Kind, officeID int64, name string, refs []string) error {
	if officeID <= 0 {
		return fmt.Errorf("create %s %q: office id %d is not a positive int64", kind, Printable(name), officeID)
	}
	if len(refs) > 0 {
		return fmt.Errorf("create %s %q: %w: %s (resolve them with the ids of the offices, departments and call centers referred to first)", kind, Printable(name), ErrUnresolved, strings.Join(refs, ", "))
	}
	return nil
}

// CreateDepartment creates department d in office officeID (POST
// /api/v2/departments) and returns it. d must have no {office: KEY}
// references left (ErrUnresolved, nothing sent). As for CreateOffice, an
// unknown outcome (ErrOutcomeUnknown) is not retried: find the department
// by name (FindGroupByName) before creating it again.
func (c *Client) CreateDepartment(ctx context.Context, officeID int64, d Department) (*LiveDepartment, error) {
	if err := checkCreate(KindDepartment, officeID, d.Name, d.References()); err != nil {
		return nil, err
	}
	b, err := createBody(officeID, d)
	if err != nil {
		return nil, err
	}
	const path = "/api/v2/departments"
	var l LiveDepartment
	if err := c.do(ctx, request{method: http.MethodPost, path: path, body: b}, &l); err != nil {
		return nil, err
	}
	if err := created(path, l.LiveGroup, l.Name); err != nil {
		return nil, c.redact.error(err)
	}
	return &l, nil
}

// CreateCallCenter creates call center cc in office officeID (POST
// /api/v2/callcenters); see CreateDepartment.
func (c *Client) CreateCallCenter(ctx context.Context, officeID int64, cc CallCenter) (*LiveCallCenter, error) {
	if err := checkCreate(KindCallCenter, officeID, cc.Name, cc.References()); err != nil {
		return nil, err
	}
	b, err := createBody(officeID, cc)
	if err != nil {
		return nil, err
	}
	const path = "/api/v2/callcenters"
	var l LiveCallCenter
	if err := c.do(ctx, request{method: http.MethodPost, path: path, body: b}, &l); err != nil {
		return nil, err
	}
	if err := created(path, l.LiveGroup, l.Name); err != nil {
		return nil, c.redact.error(err)
	}
	return &l, nil
}

// GetDepartment fetches one department (GET /api/v2/departments/{id}).
func (c *Client) GetDepartment(ctx context.Context, id int64) (*LiveDepartment, error) {
	path := groupPath(KindDepartment, id)
	var l LiveDepartment
	if err := c.do(ctx, request{method: http.MethodGet, path: path}, &l); err != nil {
		return nil, err
	}
	if err := checkGroup(http.MethodGet, path, l.LiveGroup, l.Name); err != nil {
		return nil, c.redact.error(err)
	}
	return &l, nil
}

// GetCallCenter fetches one call center (GET /api/v2/callcenters/{id}).
func (c *Client) GetCallCenter(ctx context.Context, id int64) (*LiveCallCenter, error) {
	path := groupPath(KindCallCenter, id)
	var l LiveCallCenter
	if err := c.do(ctx, request{method: http.MethodGet, path: path}, &l); err != nil {
		return nil, err
	}
	if err := checkGroup(http.MethodGet, path, l.LiveGroup, l.Name); err != nil {
		return nil, c.redact.error(err)
	}
	return &l, nil
}

// patchBody is the body of a PATCH: exactly the given top-level fields of
// g (json keys), sorted. A field that is not one of g's, or that g leaves
// out (an omitempty field with no value: a PATCH cannot express clearing
// it; send its default value instead), fails naming it. No field fails
// too: there is nothing to send.
func patchBody[T Department | CallCenter](kind Kind, name string, g T, fields []string) ([]byte, error) {
	if len(fields) == 0 {
		return nil, fmt.Errorf("update %s %q: no field to change", kind, Printable(name))
	}
	b, err := marshalNoEscape(g)
	if err != nil {
		return nil, err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, err
	}
	known := jsonKeys(reflect.TypeOf(g))
	out := map[string]json.RawMessage{}
	for _, f := range fields {
		v, ok := all[f]
		switch {
		case !known[f]:
			return nil, fmt.Errorf("update %s %q: %q is not a field of its update message", kind, Printable(name), Printable(f))
		case !ok:
			return nil, fmt.Errorf("update %s %q: field %q has no value to send (a PATCH cannot clear a field: give it its default value)", kind, Printable(name), f)
		}
		out[f] = v
	}
	return marshalNoEscape(out)
}

// jsonKeys returns the json keys of struct type t's fields.
func jsonKeys(t reflect.Type) map[string]bool {
	keys := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		k, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if k != "" && k != "-" {
			keys[k] = true
		}
	}
	return keys
}

// ChangedFields returns the sorted json keys of the top-level fields whose
// values differ between old and new (compared as canonical JSON; a field
// present in only one of them differs): what an update PATCHes.
func ChangedFields[T Department | CallCenter](old, new T) []string {
	var a, b map[string]json.RawMessage
	if err := json.Unmarshal(canonical(old), &a); err != nil {
		panic("offices: " + err.Error())
	}
	if err := json.Unmarshal(canonical(new), &b); err != nil {
		panic("offices: " + err.Error())
	}
	var out []string
	for k := range jsonKeys(reflect.TypeOf(old)) {
		if !bytes.Equal(a[k], b[k]) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// UpdateDepartment PATCHes department id (PATCH /api/v2/departments/{id})
// with exactly the given fields of d (json keys, e.g. "name",
// "hold_queue"; see ChangedFields) and returns the department as it now
// is. office_id is never sent (it is no field of Department). The PATCH
// sets values, so it is retried like a GET. d must have no {office: KEY}
// references left.
func (c *Client) UpdateDepartment(ctx context.Context, id int64, d Department, fields []string) (*LiveDepartment, error) {
	if refs := d.References(); len(refs) > 0 {
		return nil, fmt.Errorf("update department %q: %w: %s", Printable(d.Name), ErrUnresolved, strings.Join(refs, ", "))
	}
	b, err := patchBody(KindDepartment, d.Name, d, fields)
	if err != nil {
		return nil, err
	}
	path := groupPath(KindDepartment, id)
	var l LiveDepartment
	if err := c.do(ctx, request{method: http.MethodPatch, path: path, body: b, idempotent: true}, &l); err != nil {
		return nil, err
	}
	if err := checkGroup(http.MethodPatch, path, l.LiveGroup, l.Name); err != nil {
		return nil, c.redact.error(err)
	}
	return &l, nil
}

// UpdateCallCenter PATCHes call center id (PATCH /api/v2/callcenters/{id});
// see UpdateDepartment.
func (c *Client) UpdateCallCenter(ctx context.Context, id int64, cc CallCenter, fields []string) (*LiveCallCenter, error) {
	if refs := cc.References(); len(refs) > 0 {
		return nil, fmt.Errorf("update call center %q: %w: %s", Printable(cc.Name), ErrUnresolved, strings.Join(refs, ", "))
	}
	b, err := patchBody(KindCallCenter, cc.Name, cc, fields)
	if err != nil {
		return nil, err
	}
	path := groupPath(KindCallCenter, id)
	var l LiveCallCenter
	if err := c.do(ctx, request{method: http.MethodPatch, path: path, body: b, idempotent: true}, &l); err != nil {
		return nil, err
	}
	if err := checkGroup(http.MethodPatch, path, l.LiveGroup, l.Name); err != nil {
		return nil, c.redact.error(err)
	}
	return &l, nil
}

// DeleteDepartment deletes department id (DELETE /api/v2/departments/{id}).
// It is retried like a GET: a retry of a delete that took effect ends in
// 404 (IsNotFound), which means the department is gone.
func (c *Client) DeleteDepartment(ctx context.Context, id int64) error {
	return c.deleteGroup(ctx, KindDepartment, id)
}

// DeleteCallCenter deletes call center id (DELETE
// /api/v2/callcenters/{id}); see DeleteDepartment.
func (c *Client) DeleteCallCenter(ctx context.Context, id int64) error {
	return c.deleteGroup(ctx, KindCallCenter, id)
}

func (c *Client) deleteGroup(ctx context.Context, kind Kind, id int64) error {
	var ignored json.RawMessage
	return c.do(ctx, request{method: http.MethodDelete, path: groupPath(kind, id), idempotent: true}, &ignored)
}

// groupPage is DepartmentCollection or CallCenterCollection.
type groupPage[T any] struct {
	Cursor string `json:"cursor,omitempty"`
	Items  []T    `json:"items"`
}

// listGroups lists path with query q, following the cursor to the end
// (bounded as ListOffices), and checks every group.
func listGroups[T any](ctx context.Context, c *Client, path string, q url.Values, what string, live func(*T) (LiveGroup, string)) ([]T, error) {
	var all []T
	err := followCursor("GET "+path, what, "", func(cursor string) (int, string, error) {
		qq := url.Values{}
		for k, v := range q {
			qq[k] = v
		}
		if cursor != "" {
			qq.Set("cursor", cursor)
		}
		var page groupPage[T]
		if err := c.do(ctx, request{method: http.MethodGet, path: path, query: qq}, &page); err != nil {
			return 0, "", err
		}
		for i := range page.Items {
			g, name := live(&page.Items[i])
			if err := checkGroup(http.MethodGet, path, g, name); err != nil {
				return 0, "", c.redact.error(err)
			}
		}
		all = append(all, page.Items...)
		return len(page.Items), page.Cursor, nil
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

func liveDepartment(l *LiveDepartment) (LiveGroup, string) { return l.LiveGroup, l.Name }
func liveCallCenter(l *LiveCallCenter) (LiveGroup, string) { return l.LiveGroup, l.Name }

// ListDepartments lists every department of office officeID (GET
// /api/v2/offices/{office_id}/departments), following the cursor to the
// end, bounded as ListOffices (ErrListTooLong, no partial list).
func (c *Client) ListDepartments(ctx context.Context, officeID int64) ([]LiveDepartment, error) {
	return listGroups(ctx, c, officePath(officeID)+"/departments", nil, "departments", liveDepartment)
}

// ListCallCenters lists every call center of office officeID (GET
// /api/v2/offices/{office_id}/callcenters); see ListDepartments.
func (c *Client) ListCallCenters(ctx context.Context, officeID int64) ([]LiveCallCenter, error) {
	return listGroups(ctx, c, officePath(officeID)+"/callcenters", nil, "call centers", liveCallCenter)
}

// ListGroups returns the departments or call centers (kind) of office
// officeID (GET /api/v2/{departments|callcenters}?office_id=, to the end,
// bounded as ListOffices): their ids, office, exact names and states.
func (c *Client) ListGroups(ctx context.Context, kind Kind, officeID int64) ([]GroupSummary, error) {
	return c.groupSummaries(ctx, kind, officeID, "")
}

// FindGroupByName returns the departments or call centers (kind) of office
// officeID named exactly name. It lists GET /api/v2/{departments|
// callcenters}?office_id=&name_search=NAME to the end: name_search matches
// substrings, without case, so "Team 1" also lists "Team 10", which is not
// returned. More than one result means Dialpad holds two groups of one
// name: the caller must not pick one.
func (c *Client) FindGroupByName(ctx context.Context, kind Kind, officeID int64, name string) ([]GroupSummary, error) {
	all, err := c.groupSummaries(ctx, kind, officeID, name)
	var out []GroupSummary
	for _, g := range all {
		if g.Name == name {
			out = append(out, g)
		}
	}
	return out, err
}

// groupSummaries lists the groups of kind in office officeID whose name
// contains search (without case; "" for all), keeping those of the office.
func (c *Client) groupSummaries(ctx context.Context, kind Kind, officeID int64, search string) ([]GroupSummary, error) {
	if kind != KindDepartment && kind != KindCallCenter {
		return nil, fmt.Errorf("list groups of office %d: kind %q is not department or callcenter", officeID, Printable(string(kind)))
	}
	q := url.Values{"office_id": {strconv.FormatInt(officeID, 10)}}
	if search != "" {
		q.Set("name_search", search)
	}
	path := "/api/v2/" + kind.collection()
	var out []GroupSummary
	keep := func(g LiveGroup, n string) {
		if g.OfficeID == officeID {
			out = append(out, GroupSummary{Kind: kind, ID: g.ID, OfficeID: g.OfficeID, Name: n, State: g.State})
		}
	}
	var err error
	if kind == KindDepartment {
		err = summarize(ctx, c, path, q, "departments", liveDepartment, keep)
	} else {
		err = summarize(ctx, c, path, q, "call centers", liveCallCenter, keep)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// summarize lists path and hands each group to keep.
func summarize[T any](ctx context.Context, c *Client, path string, q url.Values, what string, live func(*T) (LiveGroup, string), keep func(LiveGroup, string)) error {
	all, err := listGroups(ctx, c, path, q, what, live)
	for i := range all {
		keep(live(&all[i]))
	}
	return err
}
