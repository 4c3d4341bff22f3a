package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/officectl/officectl/offices/officestest"
)

// simAdmin runs `officectl sim edit ID PATH=JSON...` and `officectl sim
// delete ID`: it changes a running simulator's office as an admin would in
// Dialpad's web app, through the simulator's admin endpoints, and prints
// the office as it is now (edit).
func simAdmin(std stdio, args []string, url, token string) int {
	const usage = "use: officectl sim edit ID PATH=JSON... | officectl sim delete ID (e.g. sim edit 5100000000000000 ring_seconds=45 'name=\"Berlin HQ\"')"
	verb := args[0]
	if (verb == "edit" && len(args) < 3) || (verb == "delete" && len(args) != 2) {
		return fail(std, "sim "+verb, fmt.Errorf("wrong number of arguments; %s", usage))
	}
	if verb != "edit" && verb != "delete" {
		return fail(std, "sim", fmt.Errorf("unexpected arguments: %s; %s", strings.Join(args, " "), usage))
	}
	id, err := strconv.ParseInt(args[1], 10, 64)
	if err != nil || id <= 0 {
		return fail(std, "sim "+verb, fmt.Errorf("office id %q: want the Dialpad id of an office (officectl state show KEY prints it)", args[1]))
	}
	var edits []officestest.Edit
	for _, a := range args[2:] {
		e, err := officestest.ParseEdit(a)
		if err != nil {
			return fail(std, "sim edit", err)
		}
		edits = append(edits, e)
	}
	if url == "" {
		url = std.getenv("DIALPAD_API_URL")
	}
	if url == "" {
		return fail(std, "sim "+verb, fmt.Errorf("no simulator URL: give --url URL (officectl sim prints it) or set DIALPAD_API_URL"))
	}
	if token == "" {
		token = std.getenv("DIALPAD_API_KEY")
	}
	if token == "" {
		token = simDemoToken
	}
	ctx, stop := signalContext()
	defer stop()
	c := &officestest.AdminClient{URL: url, Key: token}
	if verb == "delete" {
		if err := c.Delete(ctx, id); err != nil {
			return fail(std, "sim delete", err)
		}
		fmt.Fprintf(std.out, "deleted office %d\n", id)
		return exitOK
	}
	l, err := c.Edit(ctx, id, edits...)
	if err != nil {
		return fail(std, "sim edit", err)
	}
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return fail(std, "sim edit", err)
	}
	fmt.Fprintf(std.out, "%s\n", b)
	return exitOK
}
