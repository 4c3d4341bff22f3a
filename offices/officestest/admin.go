package officestest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/officectl/officectl/offices"
)

// This file holds the simulator's admin surface: what an admin would do
// in Dialpad's web app (change any field of an office, delete it), so that
// drift can be tried by hand and in tests. The API has no such endpoints;
// the simulator serves them under AdminPrefix, a path the real API does
// not have, and only with the AdminHeader set, so that no API client can
// call them by mistake.

// AdminPrefix is the path under which the simulator serves its admin
// endpoints:
//
//	PATCH  /officectl-sim/admin/offices/{id}  body {"set": {"PATH": VALUE, ...}}
//	DELETE /officectl-sim/admin/offices/{id}
//
// Both need the API key, as the API does, and AdminHeader: yes. They are
// neither rate limited, delayed nor faulted, and do not count in Stats or
// Records: they stand for the web app, not for the API.
const AdminPrefix = "/officectl-sim/admin/"

// AdminHeader must be "yes" on every admin request.
const AdminHeader = "X-Officectl-Sim-Admin"

// ErrNoOffice is returned by Edit and Delete for an id the simulator does
// not hold.
var ErrNoOffice = errors.New("no such office")

// Edit is one change of an office field: Path is an OfficeProto field,
// dotted into objects (ring_seconds, state, e911_address.zip,
// routing_options.open.action); Value is its new JSON value (null removes
// the field).
type Edit struct {
	Path  string
	Value json.RawMessage
}

// ParseEdit reads PATH=JSON, as `officectl sim edit` takes it.
func ParseEdit(s string) (Edit, error) {
	path, value, ok := strings.Cut(s, "=")
	if !ok || path == "" {
		return Edit{}, fmt.Errorf("%q is not PATH=JSON (e.g. ring_seconds=45, name='\"Berlin HQ\"')", s)
	}
	if !json.Valid([]byte(value)) {
		return Edit{}, fmt.Errorf("%s: %q is not a JSON value (quote strings: %s='\"%s\"')", path, value, path, value)
	}
	return Edit{Path: path, Value: json.RawMessage(value)}, nil
}

// Edit changes fields of office id in place, as an admin would in
// Dialpad's web app. The edits apply in order to the office's JSON
// (OfficeProto); the result must still decode as an OfficeProto with no
// unknown field, or nothing changes. id and office_id cannot change.
func (s *Server) Edit(id int64, edits ...Edit) (offices.Live, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.offices[id]
	if !ok {
		return offices.Live{}, fmt.Errorf("office %d: %w", id, ErrNoOffice)
	}
	edited, err := applyEdits(*l, edits)
	if err != nil {
		return offices.Live{}, fmt.Errorf("office %d: %w", id, err)
	}
	*l = edited
	s.changed()
	return cloneLive(edited), nil
}

// Delete removes office id, as an admin deleting it in the web app: GET
// answers 404 for it from now on, and its id is never given again.
func (s *Server) Delete(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.offices[id]; !ok {
		return fmt.Errorf("office %d: %w", id, ErrNoOffice)
	}
	delete(s.offices, id)
	s.changed()
	return nil
}

// applyEdits returns l with edits applied.
func applyEdits(l offices.Live, edits []Edit) (offices.Live, error) {
	b, err := json.Marshal(l)
	if err != nil {
		return l, err
	}
	var obj map[string]any
	if err := json.Unmarshal(b, &obj); err != nil {
		return l, err
	}
	for _, e := range edits {
		path := strings.Split(e.Path, ".")
		if path[0] == "id" || path[0] == "office_id" {
			return l, fmt.Errorf("%s cannot change", e.Path)
		}
		if !knownPath(path) {
			return l, fmt.Errorf("%s: OfficeProto has no such field (GET /api/v2/offices/{id} shows its fields)", e.Path)
		}
		var v any
		if err := json.Unmarshal(e.Value, &v); err != nil {
			return l, fmt.Errorf("%s: %q is not a JSON value", e.Path, e.Value)
		}
		if err := setPath(obj, path, v); err != nil {
			return l, fmt.Errorf("%s: %w", e.Path, err)
		}
	}
	if b, err = json.Marshal(obj); err != nil {
		return l, err
	}
	var edited offices.Live
	if err := json.Unmarshal(b, &edited); err != nil {
		return l, fmt.Errorf("the edited office is not an OfficeProto: %v", err)
	}
	edited.ID, edited.OfficeID = l.ID, l.ID
	return edited, nil
}

// knownPath reports whether path names a field of OfficeProto (Live),
// through its objects: the decoder would drop any other silently.
func knownPath(path []string) bool {
	t := reflect.TypeFor[offices.Live]()
	for _, k := range path {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return false
		}
		found := false
		for i := range t.NumField() {
			f := t.Field(i)
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name == k && f.IsExported() {
				t, found = f.Type, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// adminRequest is the body of PATCH AdminPrefix+"offices/{id}".
type adminRequest struct {
	// Set maps a dotted OfficeProto path to its new value; paths apply
	// in sorted order, so a parent is set before its children.
	Set map[string]json.RawMessage `json:"set"`
}

// serveAdmin answers a request under AdminPrefix.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) int {
	if !s.authorized(r) {
		return s.write(w, errorResult(http.StatusUnauthorized, "authError", "Unauthorized: the API key is missing or invalid"))
	}
	if r.Header.Get(AdminHeader) != "yes" {
		return s.write(w, errorResult(http.StatusForbidden, "forbidden",
			fmt.Sprintf("The simulator's admin endpoints need the header %s: yes (officectl sim edit|delete sends it)", AdminHeader)))
	}
	if res, ok := s.serveGroupAdmin(r); ok {
		return s.write(w, res)
	}
	rest, ok := strings.CutPrefix(strings.TrimSuffix(r.URL.Path, "/"), AdminPrefix+"offices/")
	id, err := strconv.ParseInt(rest, 10, 64)
	if !ok || err != nil {
		return s.write(w, errorResult(http.StatusNotFound, "notFound", fmt.Sprintf("No such admin endpoint: %s %s", r.Method, r.URL.Path)))
	}
	switch r.Method {
	case http.MethodPatch:
		b, bad := readBody(r)
		if bad != nil {
			return s.write(w, *bad)
		}
		var req adminRequest
		if err := decodeStrict(b, &req); err != nil || len(req.Set) == 0 {
			return s.write(w, errorResult(http.StatusBadRequest, "badRequest", `The body must be {"set": {"PATH": VALUE, ...}} with at least one path`))
		}
		edits := make([]Edit, 0, len(req.Set))
		for _, p := range sortedKeys(req.Set) {
			edits = append(edits, Edit{Path: p, Value: req.Set[p]})
		}
		l, err := s.Edit(id, edits...)
		return s.write(w, adminResult(l, err))
	case http.MethodDelete:
		err := s.Delete(id)
		return s.write(w, adminResult(map[string]string{"deleted": strconv.FormatInt(id, 10)}, err))
	}
	return s.write(w, methodNotAllowed(r, "PATCH, DELETE"))
}

func adminResult(body any, err error) result {
	switch {
	case errors.Is(err, ErrNoOffice):
		return errorResult(http.StatusNotFound, "notFound", err.Error())
	case err != nil:
		return errorResult(http.StatusBadRequest, "badRequest", err.Error())
	}
	return result{http.StatusOK, body}
}

// setPath sets obj's field at path to v, making the objects on the way.
func setPath(obj map[string]any, path []string, v any) error {
	for i, k := range path {
		if k == "" {
			return errors.New("empty field name in the path")
		}
		if i == len(path)-1 {
			if v == nil {
				delete(obj, k)
			} else {
				obj[k] = v
			}
			return nil
		}
		next, ok := obj[k].(map[string]any)
		if !ok {
			if obj[k] != nil {
				return fmt.Errorf("%s is not an object", strings.Join(path[:i+1], "."))
			}
			next = map[string]any{}
			obj[k] = next
		}
		obj = next
	}
	return nil
}
