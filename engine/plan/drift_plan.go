package plan

import (
	"slices"
	"strings"
)

// This file folds drift into a plan (officectl plan --refresh).

// MergeDrift folds r, a drift report of the state p was made against,
// into p, and attaches each office's drift to its change (Change.Drift):
//
//   - an office deleted or cancelled in Dialpad is planned as a create
//     again (unless the config no longer has it: an orphan stays one);
//   - an office whose E911 address changed in Dialpad, and that the plan
//     left alone, becomes update-e911: apply sets the config's address
//     back (also when other fields changed, which it cannot set back);
//   - an office the plan left alone whose other fields changed becomes
//     manual: the API cannot change them back;
//   - a department or call center that changed becomes (or stays) an
//     update: apply PATCHes the drifted fields back to the config's
//     values and adds and removes operators back to its membership
//     (DriftBack).
//
// Creates and resumes have no live office to compare; manual and
// update-e911 changes keep their action, with the drift attached.
func MergeDrift(p *Plan, r *DriftReport) {
	if r == nil {
		return
	}
	for i := range p.Changes {
		c := &p.Changes[i]
		d := r.Find(c.Key)
		if d == nil || c.Action == ActionCreate || c.Action == ActionResume || !driftOf(d, c) {
			continue
		}
		c.Drift = d
		switch {
		case c.Action == ActionOrphan, c.Action == ActionDelete:
			// A group apply deletes stays a delete when it is gone
			// already (apply takes the 404 as deleted).
		case d.Kind == DriftDeleted:
			c.Action = ActionCreate
			c.Fields = nil
		case c.Group != nil && (c.Action == ActionNoOp || c.Action == ActionUpdate):
			fields, members := DriftBack(d.Fields)
			for _, f := range fields {
				if !slices.ContainsFunc(c.Fields, func(x FieldChange) bool { return topField(x.Path) == topField(f.Path) }) {
					c.Fields = append(c.Fields, f)
				}
			}
			if len(c.Members) == 0 && c.Group.Operators != nil {
				c.Members = members
			}
			c.Action = ActionUpdate
		case c.Action != ActionNoOp:
		case c.Office != nil && c.Office.E911Address != nil && hasE911Field(d.Fields):
			c.Action = ActionUpdateE911
		default:
			c.Action = ActionManual
		}
	}
}

// driftOf reports whether d is the drift of c's kind: under a key whose
// kind changes, the old kind's drift is not the new one's.
func driftOf(d *Drift, c *Change) bool {
	if d.Object == "" {
		return c.KindOf() == "office"
	}
	return d.Object == string(c.KindOf())
}

// Recreate reports whether c creates again an office that the state
// records but that was deleted in Dialpad (plan --refresh).
func (c *Change) Recreate() bool {
	return c.Action == ActionCreate && c.Drift != nil && c.Drift.Kind == DriftDeleted
}

// Recreates lists the keys of the changes that create again an office
// deleted in Dialpad. Apply refuses them while the state still records
// the office: `officectl state rm KEY` first.
func (p *Plan) Recreates() []string {
	var keys []string
	for i := range p.Changes {
		if p.Changes[i].Recreate() {
			keys = append(keys, p.Changes[i].Key)
		}
	}
	return keys
}

// hasE911Field reports whether a field is e911_address or inside it.
func hasE911Field(fields []FieldChange) bool {
	for _, f := range fields {
		if f.Path == "e911_address" || hasPrefixPath(f.Path, "e911_address") {
			return true
		}
	}
	return false
}

// DriftBack turns the drift of a group (last applied → live) into what an
// update sets back: the fields to PATCH (Old the live value, New the
// applied one) and, from the operators.TYPE.ID fields, the membership
// changes (an operator added in Dialpad is removed, one removed is added
// again, a changed role or skill level is set back).
func DriftBack(drift []FieldChange) ([]FieldChange, []MemberChange) {
	var fields []FieldChange
	var members []MemberChange
	for _, f := range drift {
		who, isOp := strings.CutPrefix(f.Path, "operators.")
		if !isOp {
			fields = append(fields, FieldChange{Path: f.Path, Old: f.New, New: f.Old})
			continue
		}
		role := func(q string) string { return strings.Trim(q, `"`) }
		if user, ok := strings.CutSuffix(who, ".skill_level"); ok {
			members = append(members, MemberChange{Op: "skill", Operator: strings.Replace(user, ".", " ", 1), Old: f.New, New: f.Old})
			continue
		}
		who = strings.Replace(who, ".", " ", 1)
		switch {
		case f.Old == "":
			members = append(members, MemberChange{Op: "remove", Operator: who, Old: role(f.New)})
		case f.New == "":
			members = append(members, MemberChange{Op: "add", Operator: who, New: role(f.Old)})
		default:
			members = append(members, MemberChange{Op: "role", Operator: who, Old: role(f.New), New: role(f.Old)})
		}
	}
	return fields, members
}

// membershipDrifted reports whether a drift lists changed operators.
func membershipDrifted(d *Drift) bool {
	return d != nil && slices.ContainsFunc(d.Fields, func(f FieldChange) bool { return strings.HasPrefix(f.Path, "operators.") })
}

// MembershipDrifted reports whether c carries a drift of its operators:
// apply then lists the live membership instead of trusting the state's.
func (c *Change) MembershipDrifted() bool { return membershipDrifted(c.Drift) }
