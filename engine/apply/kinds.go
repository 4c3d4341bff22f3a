package apply

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
)

// This file holds what differs between kinds: a small interface per kind
// (litestream's ReplicaClient is the model), which the lifecycle in
// lifecycle.go drives the same way for offices, departments and call
// centers.

// kindClient is the Dialpad side of one kind of object.
type kindClient interface {
	// desired is what the state records of c's desired object: its name,
	// spec and the spec's digest.
	desired(c *plan.Change) (name string, spec json.RawMessage, sha string)
	// body is the request body of c, references resolved with ids.
	body(c *plan.Change, ids map[string]int64) (any, error)
	// create creates body in office officeID (0 for an office) and
	// returns the id the API answered.
	create(ctx context.Context, officeID int64, body any) (int64, error)
	// sends reports whether c's update sends anything but operators.
	sends(c *plan.Change) bool
	// update sends c's update of object id; patched reports whether the
	// sent fields hold references (then the refs are recorded).
	update(ctx context.Context, c *plan.Change, id int64, body any) (patched bool, err error)
	// remove deletes object id.
	remove(ctx context.Context, id int64) error
	// list lists the live objects of the kind in office officeID.
	list(ctx context.Context, officeID int64) ([]liveObject, error)
}

var (
	_ kindClient = officeKind{}
	_ kindClient = groupKind{}
)

// officeKind is offices: created, their E911 address updated, never
// deleted.
type officeKind struct {
	api API
	// keep selects what a listing keeps: the names the run looks for and
	// the ids it writes to, whatever the company's size.
	keep func(offices.Live) bool
}

func (k officeKind) desired(c *plan.Change) (string, json.RawMessage, string) {
	return c.Office.Name, c.Office.Canonical(), c.Office.SpecSHA256()
}

func (k officeKind) body(c *plan.Change, ids map[string]int64) (any, error) {
	if c.Action == plan.ActionUpdate {
		return nil, nil // operators only
	}
	if c.Office == nil {
		return nil, fmt.Errorf("the plan has no office body to send")
	}
	if c.Action == plan.ActionUpdateE911 {
		if c.Office.E911Address == nil {
			return nil, fmt.Errorf("the plan has no e911_address to send")
		}
		return offices.E911Update{E911Address: *c.Office.E911Address}, nil
	}
	return c.Office.Resolve(ids)
}

func (k officeKind) create(ctx context.Context, _ int64, body any) (int64, error) {
	l, err := k.api.CreateOffice(ctx, body.(offices.Office))
	if err != nil {
		return 0, err
	}
	return l.ID, nil
}

func (k officeKind) sends(c *plan.Change) bool { return c.Action == plan.ActionUpdateE911 }

func (k officeKind) update(ctx context.Context, c *plan.Change, id int64, body any) (bool, error) {
	if !k.sends(c) {
		return false, nil
	}
	_, err := k.api.UpdateE911(ctx, id, body.(offices.E911Update))
	return false, err
}

func (k officeKind) remove(context.Context, int64) error {
	return fmt.Errorf("offices cannot be deleted through the API")
}

func (k officeKind) list(ctx context.Context, _ int64) ([]liveObject, error) {
	live, err := k.api.ListOffices(ctx, offices.ListOptions{Keep: k.keep})
	out := make([]liveObject, len(live))
	for i, l := range live {
		out[i] = liveObject{ID: l.ID, Name: l.Name, State: l.State}
	}
	return out, err
}

// groupKind is departments or call centers: created, PATCHed, deleted.
type groupKind struct {
	api  GroupAPI
	kind offices.Kind
}

func (k groupKind) desired(c *plan.Change) (string, json.RawMessage, string) {
	return c.Group.Name, c.Group.Body, plan.GroupSHA256(c.Group.Body)
}

// body decodes the group's body and resolves its references: an
// offices.Department or offices.CallCenter.
func (k groupKind) body(c *plan.Change, ids map[string]int64) (any, error) {
	g := c.Group
	if g == nil {
		return nil, fmt.Errorf("the plan has no body for it")
	}
	var d offices.Department
	var cc offices.CallCenter
	routing, dst := &d.RoutingOptions, any(&d)
	if k.kind == offices.KindCallCenter {
		routing, dst = &cc.RoutingOptions, &cc
	}
	if err := json.Unmarshal(g.Body, dst); err != nil {
		return nil, fmt.Errorf("the plan's body of %s %q: %w", g.Kind, g.Key, err)
	}
	if *routing != nil {
		o, err := offices.Office{RoutingOptions: *routing}.Resolve(ids)
		if err != nil {
			return nil, err
		}
		*routing = o.RoutingOptions
	}
	if k.kind == offices.KindCallCenter {
		return cc, nil
	}
	return d, nil
}

func (k groupKind) create(ctx context.Context, officeID int64, body any) (int64, error) {
	if k.kind == offices.KindCallCenter {
		l, err := k.api.CreateCallCenter(ctx, officeID, body.(offices.CallCenter))
		if err != nil {
			return 0, err
		}
		return l.ID, nil
	}
	l, err := k.api.CreateDepartment(ctx, officeID, body.(offices.Department))
	if err != nil {
		return 0, err
	}
	return l.ID, nil
}

func (k groupKind) sends(c *plan.Change) bool { return len(plan.PatchFields(c.Fields)) > 0 }

func (k groupKind) update(ctx context.Context, c *plan.Change, id int64, body any) (bool, error) {
	fields := plan.PatchFields(c.Fields)
	if len(fields) == 0 {
		return false, nil
	}
	var err error
	if k.kind == offices.KindCallCenter {
		_, err = k.api.UpdateCallCenter(ctx, id, body.(offices.CallCenter), fields)
	} else {
		_, err = k.api.UpdateDepartment(ctx, id, body.(offices.Department), fields)
	}
	return slices.Contains(fields, "routing_options"), err
}

func (k groupKind) remove(ctx context.Context, id int64) error {
	if k.kind == offices.KindCallCenter {
		return k.api.DeleteCallCenter(ctx, id)
	}
	return k.api.DeleteDepartment(ctx, id)
}

func (k groupKind) list(ctx context.Context, officeID int64) ([]liveObject, error) {
	live, err := k.api.ListGroups(ctx, k.kind, officeID)
	out := make([]liveObject, len(live))
	for i, l := range live {
		out[i] = liveObject{ID: l.ID, OfficeID: l.OfficeID, Name: l.Name, State: l.State}
	}
	return out, err
}

// parseID reads a decimal Dialpad id of the state; 0 when it is none.
func parseID(s string) int64 {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}
