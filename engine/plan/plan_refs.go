package plan

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// This file compares references as the ids they resolve to: a spec holds
// {office|department|callcenter: KEY}, apply sends the id KEY's entry
// holds then, and the state records that id (Entry.Refs). When KEY's
// entry holds another id now (its object was deleted and created again),
// the same spec would send another id: the referrer changes although its
// spec does not.

// refAt is one reference in a spec: where it is and what it names.
type refAt struct {
	path string // e.g. "routing_options.closed.action_target_id"
	kind string // office, department or callcenter
	key  string
}

// specRefs lists the references in a spec (a JSON object), in path order.
func specRefs(spec []byte) []refAt {
	v, err := DecodeSpec(spec)
	if err != nil {
		return nil
	}
	var out []refAt
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch t := v.(type) {
		case map[string]any:
			if len(t) == 1 {
				for k, x := range t {
					if key, ok := x.(string); ok && (k == "office" || k == "department" || k == "callcenter") {
						out = append(out, refAt{path: path, kind: k, key: key})
						return
					}
				}
			}
			keys := make([]string, 0, len(t))
			for k := range t {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(joinPath(path, k), t[k])
			}
		case []any:
			for i, x := range t {
				walk(path+"["+strconv.Itoa(i)+"]", x)
			}
		}
	}
	walk("", v)
	return out
}

// refIDs holds the id of every created entry of a state, by kind and key:
// the id a reference to it resolves to now.
type refIDs map[refKey]string

type refKey struct{ kind, key string }

// stateRefIDs returns the refIDs of st; nil when no entry of st records
// refs (Entry.Refs), since then no comparison needs them.
func stateRefIDs(st *state.State) refIDs {
	if !hasRefs(st) {
		return nil
	}
	ids := refIDs{}
	for _, kind := range state.Kinds {
		for k, e := range st.Map(kind) {
			if e != nil && e.Status == state.Created && e.ID != "" {
				ids[refKey{string(kind), k}] = e.ID
			}
		}
	}
	return ids
}

func hasRefs(st *state.State) bool {
	for _, kind := range state.Kinds {
		for _, e := range st.Map(kind) {
			if e != nil && len(e.Refs) > 0 {
				return true
			}
		}
	}
	return false
}

// refChanges lists the references of spec whose recorded id (refs, the
// state's Entry.Refs) is not the one they resolve to now: Old is the id
// sent, New the id apply would send, or the reference itself when its
// target has no id yet (it is created in this plan). A reference the
// entry records no id for is left out: the entry was recorded before
// refs were (Refs nil), or the reference is new, and then the spec
// differs anyway. Paths already in have (the spec changed there) are
// left out too.
func refChanges(spec []byte, refs map[string]string, ids refIDs, have []FieldChange) []FieldChange {
	if len(refs) == 0 {
		return nil
	}
	var out []FieldChange
	for _, r := range specRefs(spec) {
		sent, ok := refs[r.key]
		if !ok {
			continue
		}
		now, created := ids[refKey{r.kind, r.key}]
		if created && now == sent {
			continue
		}
		if slices.ContainsFunc(have, func(f FieldChange) bool { return f.Path == r.path }) {
			continue
		}
		fc := FieldChange{Path: r.path, Old: sent, New: now, Ref: true}
		if !created {
			fc.New = fmt.Sprintf(`{%q:%q}`, r.kind, r.key)
		}
		out = append(out, fc)
	}
	return out
}

// refNote is the note of an office named name whose references resolve
// to other ids than the ones its create sent: the API cannot change an
// office's routing, so it says, per field, which id to set in Dialpad.
// (The renderers add how to accept the change once made.)
func refNote(name string, fields []FieldChange) string {
	var parts []string
	for _, f := range fields {
		var ref map[string]string
		if json.Unmarshal([]byte(f.New), &ref) == nil {
			for kind, key := range ref {
				parts = append(parts, fmt.Sprintf("set %s to the id of %s %s once apply has created it (`officectl state show %s` shows it; it was sent as %s)", f.Path, kind, key, key, f.Old))
			}
			continue
		}
		parts = append(parts, fmt.Sprintf("set %s to %s (it was sent as %s, the id of a target created again since)", f.Path, f.New, f.Old))
	}
	return fmt.Sprintf("a reference resolves to another id now, and the API cannot change an office's routing: in Dialpad, in office %q, %s", name, strings.Join(parts, "; "))
}

// sentIDs is what the references of an office's spec resolved to when it
// was sent: the ids e records (Entry.Refs), and for a reference it records
// none (an entry recorded before refs were), the id in ids (the state's
// now). Drift compares the live office with that, so its "last applied"
// is what was sent. Only the spec's references are in the map.
func sentIDs(spec offices.Office, e *state.Entry, ids map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for _, key := range spec.References() {
		if id, err := strconv.ParseInt(e.Refs[key], 10, 64); err == nil && id > 0 {
			out[key] = id
		} else if id, ok := ids[key]; ok {
			out[key] = id
		}
	}
	return out
}

// sentGroupID is sentIDs for a group's references, which resolveRefs looks
// up by kind and key ("callcenter/KEY").
func sentGroupID(e *state.Entry, ids map[string]int64) func(kind, key string) (int64, bool) {
	return func(kind, key string) (int64, bool) {
		if id, err := strconv.ParseInt(e.Refs[key], 10, 64); err == nil && id > 0 {
			return id, true
		}
		id, ok := ids[kind+"/"+key]
		return id, ok
	}
}
