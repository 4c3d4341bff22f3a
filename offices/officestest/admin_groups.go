package officestest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// The admin surface of departments and call centers, beside the offices'
// (admin.go): what an admin would change in Dialpad's web app, so that
// drift of groups can be shown.
//
//	PATCH  /officectl-sim/admin/departments/{id}  body {"set": {"PATH": VALUE, ...}}
//	DELETE /officectl-sim/admin/departments/{id}
//
// and the same under callcenters/.

// ErrNoGroup is returned by EditGroup, MutateGroup and DeleteGroup for an
// id that is not a group of the kind asked.
var ErrNoGroup = errors.New("no such group")

// EditGroup changes fields of group id of kind in place (see Edit: PATH
// is dotted into objects, a null VALUE removes the field) and returns the
// group as it is now. The edits are checked as a PATCH of the group would
// be (its update message: types, bounds, enums, single lines); a field
// only Dialpad sets (state, availability_status, ...) keeps its JSON
// type. id and office_id cannot change. On any error nothing changes.
func (s *Server) EditGroup(kind string, id int64, edits ...Edit) (Group, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.grp.groups[id]
	if !ok || g.Kind != kind {
		return nil, fmt.Errorf("%s %d: %w", kind, id, ErrNoGroup)
	}
	body := cloneGroup(g.Body)
	if err := editGroupBody(body, updateMessage(kind), edits); err != nil {
		return nil, fmt.Errorf("%s %d: %w", kind, id, err)
	}
	numberInts(map[string]any(body))
	if _, err := json.Marshal(body); err != nil { // never store what a listing cannot answer
		return nil, fmt.Errorf("%s %d: the edited group is not JSON: %v", kind, id, err)
	}
	g.Body = body
	s.changed()
	return cloneGroup(body), nil
}

// editGroupBody applies edits to body, checking them first against msg,
// the group's update message, as the PATCH they stand for.
func editGroupBody(body Group, msg *object, edits []Edit) error {
	patch := map[string]any{}
	for _, e := range edits {
		dec := json.NewDecoder(bytes.NewReader(e.Value))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("%s: the value is not JSON: %v", e.Path, err)
		}
		path := strings.Split(e.Path, ".")
		top := path[0]
		if top == "id" || top == "office_id" {
			return fmt.Errorf("%s cannot change", e.Path)
		}
		_, inMessage := msg.fields[top]
		old, inBody := body[top]
		switch {
		case inMessage:
			if err := setPath(patch, path, v); err != nil {
				return fmt.Errorf("%s: %w", e.Path, err)
			}
		case !inBody:
			return fmt.Errorf("%s: the group has no such field (GET shows its fields)", e.Path)
		case len(path) == 1 && v != nil && jsonType(v) != jsonType(old):
			return fmt.Errorf("%s: must be %s, as Dialpad sets it", e.Path, jsonType(old))
		case len(path) > 1:
			return fmt.Errorf("%s: %s is set by Dialpad as a whole", e.Path, top)
		}
		if err := setPath(body, path, v); err != nil {
			return fmt.Errorf("%s: %w", e.Path, err)
		}
	}
	var errs []string
	validateObject("", msg, patch, &errs)
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

// jsonType names the JSON type of a decoded value.
func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "true or false"
	case json.Number, float64:
		return "a number"
	case []any:
		return "a list"
	case map[string]any, Group:
		return "an object"
	}
	return "null"
}

// serveGroupAdmin answers the admin requests of groups; ok is false for
// other paths.
func (s *Server) serveGroupAdmin(r *http.Request) (res result, ok bool) {
	rest, _ := strings.CutPrefix(strings.TrimSuffix(r.URL.Path, "/"), AdminPrefix)
	seg, idText, _ := strings.Cut(rest, "/")
	kind, isGroup := groupKinds[seg]
	if !isGroup {
		return result{}, false
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return errorResult(http.StatusNotFound, "notFound", fmt.Sprintf("No such admin endpoint: %s %s", r.Method, r.URL.Path)), true
	}
	switch r.Method {
	case http.MethodPatch:
		b, bad := readBody(r)
		if bad != nil {
			return *bad, true
		}
		var req adminRequest
		if err := decodeStrict(b, &req); err != nil || len(req.Set) == 0 {
			return errorResult(http.StatusBadRequest, "badRequest", `The body must be {"set": {"PATH": VALUE, ...}} with at least one path`), true
		}
		edits := make([]Edit, 0, len(req.Set))
		for _, p := range sortedKeys(req.Set) {
			edits = append(edits, Edit{Path: p, Value: req.Set[p]})
		}
		g, err := s.EditGroup(kind, id, edits...)
		return groupAdminResult(g, err), true
	case http.MethodDelete:
		err := s.DeleteGroup(kind, id)
		return groupAdminResult(map[string]string{"deleted": strconv.FormatInt(id, 10)}, err), true
	}
	return methodNotAllowed(r, "PATCH, DELETE"), true
}

func groupAdminResult(body any, err error) result {
	if errors.Is(err, ErrNoGroup) {
		return errorResult(http.StatusNotFound, "notFound", err.Error())
	}
	return adminResult(body, err)
}

// kindPaths maps a group kind to its path segment.
var kindPaths = map[string]string{KindDepartment: "departments", KindCallCenter: "callcenters"}

// EditGroup changes fields of group id of kind (KindDepartment or
// KindCallCenter; see Server.EditGroup) and returns it as it is now.
func (c *AdminClient) EditGroup(ctx context.Context, kind string, id int64, edits ...Edit) (Group, error) {
	seg, ok := kindPaths[kind]
	if !ok {
		return nil, fmt.Errorf("simulator admin: kind %q is not %s or %s", kind, KindDepartment, KindCallCenter)
	}
	body, err := editRequest(edits)
	if err != nil {
		return nil, err
	}
	var raw json.RawMessage
	if err := c.doKind(ctx, http.MethodPatch, seg, id, body, &raw); err != nil {
		return nil, err
	}
	return decodeGroupBody(raw)
}

// DeleteGroup deletes group id of kind (see Server.DeleteGroup).
func (c *AdminClient) DeleteGroup(ctx context.Context, kind string, id int64) error {
	seg, ok := kindPaths[kind]
	if !ok {
		return fmt.Errorf("simulator admin: kind %q is not %s or %s", kind, KindDepartment, KindCallCenter)
	}
	return c.doKind(ctx, http.MethodDelete, seg, id, nil, nil)
}
