package main

import (
	"context"
	"strconv"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
)

// scriptSimGroup is the script command `sim-group KIND OFFICE NAME`: it
// creates a department or call center (KIND) named NAME in the script
// simulator's live office named OFFICE, through the API with officectl's
// client, and sets $GROUP_ID to its id.
func scriptSimGroup(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: sim-group department|callcenter OFFICE NAME")
	}
	v, ok := simServers.Load(ts)
	if !ok {
		ts.Fatalf("sim-group: no simulator: run sim first")
	}
	srv := v.(*officestest.TestServer)
	var office int64
	for _, l := range srv.Offices() {
		if l.Name == args[1] && l.State != "deleted" && l.State != "cancelled" {
			office = l.ID
			break
		}
	}
	if office == 0 {
		ts.Fatalf("sim-group: no live office named %q", args[1])
	}
	c, err := offices.NewClient(offices.ClientConfig{BaseURL: srv.URL, APIKey: ts.Getenv("DIALPAD_API_KEY")})
	ts.Check(err)
	week := []string{"08:00", "18:00"}
	var id int64
	switch args[0] {
	case officestest.KindDepartment:
		d, err := c.CreateDepartment(context.Background(), office, offices.Department{Name: args[2],
			MondayHours: week, TuesdayHours: week, WednesdayHours: week, ThursdayHours: week, FridayHours: week})
		ts.Check(err)
		id = d.ID
	case officestest.KindCallCenter:
		cc, err := c.CreateCallCenter(context.Background(), office, offices.CallCenter{Name: args[2],
			MondayHours: week, TuesdayHours: week, WednesdayHours: week, ThursdayHours: week, FridayHours: week})
		ts.Check(err)
		id = cc.ID
	default:
		ts.Fatalf("sim-group: kind %q: want department or callcenter", args[0])
	}
	ts.Setenv("GROUP_ID", strconv.FormatInt(id, 10))
}
