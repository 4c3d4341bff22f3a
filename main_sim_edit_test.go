package main

import (
	"sync"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/officectl/officectl/offices/officestest"
)

// simServers holds the simulator each script's `sim` command started
// (*testscript.TestScript → *officestest.TestServer), for sim-edit.
var simServers sync.Map

// scriptSimEdit is the script command `sim-edit NAME PATH=JSON...`: it
// changes the live office named NAME (the first one, by id, that is not
// deleted or cancelled) in the script's simulator, as an admin would in
// Dialpad's web app, with the function behind the simulator's admin
// endpoints (Server.Edit). PATH is an OfficeProto field, dotted into
// objects (monday_hours, ring_seconds, state, e911_address.zip,
// routing_options.open.action); JSON is its new value.
func scriptSimEdit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: sim-edit NAME PATH=JSON...")
	}
	v, ok := simServers.Load(ts)
	if !ok {
		ts.Fatalf("sim-edit: no simulator: run sim first")
	}
	srv := v.(*officestest.TestServer)
	var id int64
	for _, l := range srv.Offices() {
		if l.Name == args[0] && l.State != "deleted" && l.State != "cancelled" {
			id = l.ID
			break
		}
	}
	if id == 0 {
		ts.Fatalf("sim-edit: no live office named %q", args[0])
	}
	var edits []officestest.Edit
	for _, a := range args[1:] {
		e, err := officestest.ParseEdit(a)
		if err != nil {
			ts.Fatalf("sim-edit: %v", err)
		}
		edits = append(edits, e)
	}
	if _, err := srv.Edit(id, edits...); err != nil {
		ts.Fatalf("sim-edit: %v", err)
	}
}
