package plan

import (
	"strconv"

	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// This file plans what happens to a key rather than to an object: a key
// renamed in the config (a move of the state entry, Terraform's `moved`)
// and a key whose kind changes (a delete of the old kind, then a create
// of the new one).

// groupIdentity is what identifies a group in Dialpad: its office, kind
// and exact name.
type groupIdentity struct {
	officeID string
	kind     string
	name     string
}

// desiredOfficeID is the Dialpad id of g's office as the state knows it
// now; "" when its office has no id yet (it is created in this plan).
func desiredOfficeID(g *load.DesiredGroup, officeIDs map[string]string) string {
	if g.Office == "" {
		return strconv.FormatInt(g.OfficeID, 10)
	}
	return officeIDs[g.Office]
}

// findMoves returns, by new key, the key each renamed group moves from: a
// group of the config whose key the state does not hold, and a created
// entry of the same kind whose key the config does not hold, with the
// same office and exact name. When two entries or two groups share an
// identity, none of them moves (the plan creates and deletes, as without
// a rename).
func findMoves(groups map[string]*load.DesiredGroup, inConfig func(string) bool, st *state.State, officeIDs map[string]string) map[string]string {
	old := map[groupIdentity][]string{}
	for _, kind := range []state.Kind{state.KindDepartment, state.KindCallCenter} {
		for key, e := range st.Map(kind) {
			if e == nil || e.Status != state.Created || inConfig(key) {
				continue
			}
			id := groupIdentity{e.OfficeID, string(kind), e.Name}
			old[id] = append(old[id], key)
		}
	}
	if len(old) == 0 {
		return nil
	}
	claims := map[groupIdentity][]string{}
	for key, g := range groups {
		if _, inState := st.KindOf(key); inState {
			continue
		}
		office := desiredOfficeID(g, officeIDs)
		if office == "" {
			continue
		}
		id := groupIdentity{office, g.Kind, g.Name}
		if len(old[id]) == 1 {
			claims[id] = append(claims[id], key)
		}
	}
	moves := map[string]string{}
	for id, keys := range claims {
		if len(keys) == 1 {
			moves[keys[0]] = old[id][0]
		}
	}
	return moves
}

// asMove turns c, the diff of a renamed group against the entry it moves
// from, into the move: nothing else changes (move), or its fields or
// operators change too (move, then the update apply would make under the
// old key: Fields and Members say what), or what cannot be updated stays
// manual, naming the move.
func asMove(c *Change, from string) {
	c.MovedFrom = from
	switch c.Action {
	case ActionNoOp, ActionUpdate:
		c.Action = ActionMove
	case ActionManual:
		c.Note = "renamed from " + from + ", but " + c.Note
	}
}

// kindChangeNote is the note of the delete of a group whose key the
// config now gives to a group of another kind.
func kindChangeNote(now offices.Kind) string {
	return "the config makes this key a " + noun(now) + ": apply creates the " + noun(now) + " first, then deletes this one (within --max-deletes; not when the create fails)"
}

// noun is a kind for people: "office", "department", "call center".
func noun(k offices.Kind) string {
	if k == offices.KindCallCenter {
		return "call center"
	}
	return string(k)
}

// protectedKindChange marks c, the create of a group whose key the state
// records for a protected group of another kind, as manual: one key names
// one object, and the protected one is never deleted.
func protectedKindChange(c *Change, was offices.Kind) {
	c.Action = ActionManual
	c.Members = nil
	c.Note = "the state records this key for a protected " + noun(was) + ", which is never deleted, so a " + noun(c.KindOf()) +
		" cannot take its key: give the " + noun(c.KindOf()) + " another key, or put the " + noun(was) + " back with protect: false and apply before changing its kind"
}
