package main

import (
	"context"
	"fmt"
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

// scriptSimOperator is the script command `sim-operator KIND OFFICE NAME
// USER_ID`: it adds user USER_ID as an operator of the department or call
// center (KIND) named NAME in the live office named OFFICE, through the
// API with officectl's client, as an admin would in Dialpad's web app.
func scriptSimOperator(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: sim-operator department|callcenter OFFICE NAME USER_ID")
	}
	v, ok := simServers.Load(ts)
	if !ok {
		ts.Fatalf("sim-operator: no simulator: run sim first")
	}
	srv := v.(*officestest.TestServer)
	user, err := strconv.ParseInt(args[3], 10, 64)
	ts.Check(err)
	var office string
	for _, l := range srv.Offices() {
		if l.Name == args[1] && l.State != "deleted" && l.State != "cancelled" {
			office = strconv.FormatInt(l.ID, 10)
			break
		}
	}
	var id int64
	for _, g := range srv.Groups(args[0]) {
		if fmt.Sprint(g["office_id"]) == office && g["name"] == args[2] {
			id, err = strconv.ParseInt(fmt.Sprint(g["id"]), 10, 64)
			ts.Check(err)
		}
	}
	if office == "" || id == 0 {
		ts.Fatalf("sim-operator: no %s named %q in a live office named %q", args[0], args[2], args[1])
	}
	c, err := offices.NewClient(offices.ClientConfig{BaseURL: srv.URL, APIKey: ts.Getenv("DIALPAD_API_KEY")})
	ts.Check(err)
	ts.Check(c.AddOperator(context.Background(), offices.Kind(args[0]), id, offices.Member{ID: user, Type: "user", Role: "operator"}))
}
