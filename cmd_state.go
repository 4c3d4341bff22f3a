package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/officectl/officectl/engine"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

func cmdState(fs *pflag.FlagSet, std stdio) func([]string) int {
	statePathFlag := fs.String("state", "", "state file (default DIR/officectl.state)")
	lockTimeout := fs.Duration("lock-timeout", 0, "how long rm waits for another officectl holding the state lock")
	lockID := fs.String("lock-id", "", "unlock: clear the lock with this id (shown by unlock) without asking; required when stdin is not a terminal")
	return func(args []string) int {
		// list, show and rm read a state in which two offices share one id,
		// so that the wrong one can be found and forgotten; saves still refuse it.
		repair := state.Options{LockTimeout: *lockTimeout, AllowDuplicateIDs: true}
		if len(args) == 0 {
			return fail(std, "state", fmt.Errorf("missing subcommand: list [DIR], show KEY [DIR], rm KEY [DIR] or unlock [DIR]"))
		}
		sub, rest := args[0], args[1:]
		statePath, inv, err := stateArgs(sub, rest, *statePathFlag)
		if err != nil {
			return fail(std, "state "+sub, err)
		}
		switch sub {
		case "list":
			st, err := state.LoadWith(statePath, repair)
			if err != nil {
				return fail(std, "state list", err)
			}
			if err := st.Validate(); err != nil {
				fmt.Fprintf(std.err, "officectl state list: warning: %s; forget the wrong one with `%s`\n", offices.Printable(err.Error()), inv.Command("state rm", "KEY"))
			}
			listState(std, st)
			return exitOK
		case "show":
			key := rest[0] // stateArgs checked it is there
			st, err := state.LoadWith(statePath, repair)
			if err != nil {
				return fail(std, "state show", err)
			}
			kind, ok := st.KindOf(key)
			if !ok {
				return fail(std, "state show", keyNotFound("show", key, statePath, inv))
			}
			e := st.Map(kind)[key]
			b, err := showEntry(e)
			if err != nil {
				return fail(std, "state show", err)
			}
			fmt.Fprintf(std.out, "%s\n", offices.EscapeJSON(b))
			return exitOK
		case "rm":
			key := rest[0] // stateArgs checked it is there
			store, err := state.Open(statePath, repair)
			if err != nil {
				return fail(std, "state rm", err)
			}
			defer store.Close()
			kind, forgot, err := engine.ForgetKind(store, key)
			if errors.Is(err, engine.ErrNotInState) {
				err = keyNotFound("rm", key, statePath, inv)
			}
			if err != nil {
				return fail(std, "state rm", err)
			}
			id := forgot.ID
			if id == "" {
				id = "no id: its create was pending"
			}
			what := ""
			if kind != state.KindOffice {
				what = string(kind) + " "
			}
			fmt.Fprintf(std.out, "Forgot %s%s (%q, Dialpad id %s). If it still exists in Dialpad, officectl no longer manages it.\n", what, offices.Printable(key), forgot.Name, offices.Printable(id))
			return exitOK
		case "unlock":
			return stateUnlock(std, statePath, inv, *lockID)
		}
		return fail(std, "state", fmt.Errorf("unknown subcommand %q: use list [DIR], show KEY [DIR], rm KEY [DIR] or unlock [DIR]", sub))
	}
}

// stateUnlock clears a lock that no running process of this host holds
// (state.InspectLock decides which): it shows the holder, then needs
// "yes" typed on a terminal or the lock's id (--lock-id).
func stateUnlock(std stdio, statePath string, inv plan.Invocation, id string) int {
	lf, err := state.InspectLock(statePath)
	if err != nil {
		return fail(std, "state unlock", err)
	}
	if lf == nil {
		fmt.Fprintf(std.out, "%s is not locked: nothing to do.\n", statePath)
		return exitOK
	}
	defer lf.Close()
	fmt.Fprintf(std.err, "The lock of %s is held by %s (lock id %s).\n", statePath, lf.Describe(), lf.ID)
	if id == "" {
		if !isTerminal(std.in) {
			return fail(std, "state unlock", fmt.Errorf("stdin is not a terminal, so unlock cannot ask: make sure that process is no longer running, then run `%s`", inv.Command("state unlock", "--lock-id", lf.ID)))
		}
		fmt.Fprint(std.err, "If that process still runs, two officectl writing one state can create offices twice.\nClear the lock? Only 'yes' is accepted: ")
		answer, _ := bufio.NewReader(std.in).ReadString('\n')
		if strings.TrimSpace(answer) != "yes" {
			fmt.Fprintln(std.err, "Unlock cancelled: the lock is still there.")
			return exitError
		}
		id = lf.ID
	}
	if err := lf.Remove(id); err != nil {
		return fail(std, "state unlock", err)
	}
	fmt.Fprintf(std.out, "Cleared the lock of %s (lock id %s).\n", statePath, id)
	return exitOK
}

// listState prints one line per entry: KEY, status, Dialpad id (- while
// pending) and name, tab-separated; offices first, as they always were,
// then departments and call centers, whose lines end with their kind.
func listState(std stdio, st *state.State) {
	for _, kind := range []state.Kind{state.KindOffice, state.KindDepartment, state.KindCallCenter} {
		m := st.Map(kind)
		for _, k := range st.KeysOf(kind) {
			e := m[k]
			id := e.ID
			if id == "" {
				id = "-"
			}
			fmt.Fprintf(std.out, "%s\t%s\t%s\t%s", offices.Printable(k), offices.Printable(string(e.Status)), offices.Printable(id), offices.Printable(e.Name))
			if kind != state.KindOffice {
				fmt.Fprintf(std.out, "\t%s", kind)
			}
			fmt.Fprintln(std.out)
		}
	}
}

// showEntry is e as state show prints it: indented JSON in which a
// managed empty membership shows as "operators": [], as the state file
// records it, not as nothing like a membership left alone.
func showEntry(e *state.Entry) ([]byte, error) {
	if e.Operators == nil || len(e.Operators) > 0 {
		return json.MarshalIndent(e, "", "  ")
	}
	type plain state.Entry
	return json.MarshalIndent(struct {
		*plain
		Operators []state.Operator `json:"operators"`
	}{(*plain)(e), []state.Operator{}}, "", "  ")
}

// keyNotFound is the error of state show and rm for a key the state does
// not have; a key that is a directory is most likely the config
// directory given without the KEY before it.
func keyNotFound(sub, key, statePath string, inv plan.Invocation) error {
	if isDir(key) {
		dirInv := plan.Invocation{Dir: key, State: inv.State}
		return fmt.Errorf("no office, department or call center %q in %s, and %s is a directory: give the KEY before the config directory, e.g. `%s` (`%s` lists the keys)",
			key, statePath, key, dirInv.Command("state "+sub, "KEY"), dirInv.Command("state list"))
	}
	return fmt.Errorf("no office, department or call center %q in %s; `%s` lists them", key, statePath, inv.Command("state list"))
}
