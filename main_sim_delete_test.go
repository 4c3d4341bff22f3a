package main

import (
	"github.com/officectl/officectl/offices/officestest"
	"github.com/rogpeppe/go-internal/testscript"
)

// scriptSimDelete is the script command `sim-delete NAME`: it deletes the
// live office named NAME in the script's simulator, as an admin would in
// Dialpad's web app, whatever id it was given.
func scriptSimDelete(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sim-delete NAME")
	}
	v, ok := simServers.Load(ts)
	if !ok {
		ts.Fatalf("sim-delete: no simulator: run sim first")
	}
	srv := v.(*officestest.TestServer)
	for _, l := range srv.Offices() {
		if l.Name == args[0] && l.State != "deleted" && l.State != "cancelled" {
			ts.Check(srv.Delete(l.ID))
			return
		}
	}
	ts.Fatalf("sim-delete: no live office named %q", args[0])
}
