package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
)

// simAdmin runs `officectl sim edit [KIND] ID PATH=JSON...` and
// `officectl sim delete [KIND] ID`: it changes a running simulator's
// office, department or call center (KIND office, the default,
// department or callcenter) as an admin would in Dialpad's web app,
// through the simulator's admin endpoints, and prints the object as it is
// now (edit).
//
// It talks only to a simulator on this machine (a loopback URL) unless
// allowNonLoopback, and sends DIALPAD_API_KEY only there: a simulator
// elsewhere gets the key given with --token, never the one of the
// environment, which is most likely the real Dialpad key.
func simAdmin(std stdio, args []string, url, token string, allowNonLoopback bool) int {
	const usage = "use: officectl sim edit [office|department|callcenter] ID PATH=JSON... | officectl sim delete [office|department|callcenter] ID " +
		"(e.g. sim edit 5100000000000000 ring_seconds=45 'name=\"Berlin HQ\"', sim delete department 5400000000000000)"
	verb := args[0]
	if verb != "edit" && verb != "delete" {
		return fail(std, "sim", fmt.Errorf("unexpected arguments: %s; %s", strings.Join(args, " "), usage))
	}
	kind, rest := "office", args[1:]
	if len(rest) > 0 && (rest[0] == "office" || rest[0] == officestest.KindDepartment || rest[0] == officestest.KindCallCenter) {
		kind, rest = rest[0], rest[1:]
	}
	if (verb == "edit" && len(rest) < 2) || (verb == "delete" && len(rest) != 1) {
		return fail(std, "sim "+verb, fmt.Errorf("wrong number of arguments; %s", usage))
	}
	id, err := strconv.ParseInt(rest[0], 10, 64)
	if err != nil || id <= 0 {
		return fail(std, "sim "+verb, fmt.Errorf("%s id %q: want the Dialpad id of a%s %s (officectl state show KEY prints it)", kind, offices.Printable(rest[0]), article(kind), kind))
	}
	var edits []officestest.Edit
	for _, a := range rest[1:] {
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
	c := &officestest.AdminClient{URL: url, AllowNonLoopback: allowNonLoopback}
	base, err := c.CheckURL()
	if err != nil {
		return fail(std, "sim "+verb, err)
	}
	if token == "" && !offices.IsLoopbackHost(base.Hostname()) {
		return fail(std, "sim "+verb, fmt.Errorf("%s is not on this machine: give the simulator's key with --token (DIALPAD_API_KEY is sent only to a loopback simulator)", offices.Printable(url)))
	}
	if token == "" {
		token = std.getenv("DIALPAD_API_KEY")
	}
	if token == "" {
		token = simDemoToken
	}
	c.Key = token
	ctx, stop := signalContext()
	defer stop()
	if verb == "delete" {
		if kind == "office" {
			err = c.Delete(ctx, id)
		} else {
			err = c.DeleteGroup(ctx, kind, id)
		}
		if err != nil {
			return fail(std, "sim delete", err)
		}
		fmt.Fprintf(std.out, "deleted %s %d\n", kind, id)
		return exitOK
	}
	var now any
	if kind == "office" {
		now, err = c.Edit(ctx, id, edits...)
	} else {
		now, err = c.EditGroup(ctx, kind, id, edits...)
	}
	if err != nil {
		return fail(std, "sim edit", err)
	}
	b, err := json.MarshalIndent(now, "", "  ")
	if err != nil {
		return fail(std, "sim edit", err)
	}
	fmt.Fprintf(std.out, "%s\n", offices.EscapeJSON(b))
	return exitOK
}

// article is "n" before a kind that starts with a vowel.
func article(kind string) string {
	if strings.HasPrefix(kind, "o") {
		return "n"
	}
	return ""
}
