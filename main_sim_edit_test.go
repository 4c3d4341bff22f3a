package main

import (
	"encoding/json"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
)

// simServers holds the simulator each script's `sim` command started
// (*testscript.TestScript → *officestest.TestServer), for sim-edit.
var simServers sync.Map

// scriptSimEdit is the script command `sim-edit NAME PATH=JSON...`: it
// changes the live office named NAME (the first one, by id, that is not
// deleted or cancelled) in the script's simulator, as an admin would in
// Dialpad's web app. PATH is an OfficeProto field, dotted into objects
// (monday_hours, ring_seconds, state, e911_address.zip,
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
	err := srv.Mutate(id, func(l *offices.Live) {
		b, err := json.Marshal(l)
		ts.Check(err)
		var obj map[string]any
		ts.Check(json.Unmarshal(b, &obj))
		for _, a := range args[1:] {
			path, value, ok := strings.Cut(a, "=")
			if !ok {
				ts.Fatalf("sim-edit: %q is not PATH=JSON", a)
			}
			var x any
			if err := json.Unmarshal([]byte(value), &x); err != nil {
				ts.Fatalf("sim-edit: %s: %v", path, err)
			}
			setPath(ts, obj, strings.Split(path, "."), x)
		}
		b, err = json.Marshal(obj)
		ts.Check(err)
		var edited offices.Live
		ts.Check(json.Unmarshal(b, &edited))
		*l = edited
	})
	ts.Check(err)
}

func setPath(ts *testscript.TestScript, obj map[string]any, path []string, v any) {
	if len(path) == 1 {
		obj[path[0]] = v
		return
	}
	inner, ok := obj[path[0]].(map[string]any)
	if !ok {
		ts.Fatalf("sim-edit: %s is not an object", path[0])
	}
	setPath(ts, inner, path[1:], v)
}
