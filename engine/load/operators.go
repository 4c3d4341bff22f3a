package load

import (
	"fmt"
	"strings"

	"github.com/officectl/officectl/schema"
)

// operatorDuplicates reports an operator listed twice in one list: the
// same email (emails compare without case, as Dialpad matches them), the
// same user id or the same room, at the second with the place of the
// first. Dialpad holds one membership per user, so a second entry (say
// with another role) would change Dialpad and then fail every later run.
// An email and the same user's id can only be told apart where emails
// resolve: apply does it.
//
// It is Go, not CUE: the schema could refuse a duplicate, but not say
// where the first one is.
func operatorDuplicates(base string, src officeSource, ops []Operator) []schema.Diagnostic {
	var diags []schema.Diagnostic
	first := map[string]int{}
	for i, op := range ops {
		id, what := operatorIdentity(op)
		if id == "" {
			continue
		}
		j, dup := first[id]
		if !dup {
			first[id] = i
			continue
		}
		field := "user"
		if op.RoomID != 0 {
			field = "room"
		}
		at := operatorPos(src, i, field)
		was := operatorPos(src, j, field)
		msg := fmt.Sprintf("%s is listed twice: also operators[%d] at %s:%d:%d", what, j, was.File, was.Line, was.Column)
		if op.Email != "" && op.Email != ops[j].Email {
			msg += fmt.Sprintf(" as %q (emails compare without case)", ops[j].Email)
		}
		msg += ": list each operator once, with one role"
		diags = append(diags, schema.Diagnostic{File: at.File, Line: at.Line, Column: at.Column, Severity: schema.Error,
			Path: fmt.Sprintf("%s.operators[%d].%s", base, i, field), Message: msg})
	}
	return diags
}

// operatorIdentity is who an operator is, for finding duplicates, and how
// a message names them; "" when the operator names no one.
func operatorIdentity(op Operator) (id, what string) {
	switch {
	case op.Email != "":
		return "email " + strings.ToLower(op.Email), fmt.Sprintf("user %q", op.Email)
	case op.UserID != 0:
		return fmt.Sprintf("user %d", op.UserID), fmt.Sprintf("user %d", op.UserID)
	case op.RoomID != 0:
		return fmt.Sprintf("room %d", op.RoomID), fmt.Sprintf("room %d", op.RoomID)
	}
	return "", ""
}

// operatorPos is where operators[i].field was written, else the list.
func operatorPos(src officeSource, i int, field string) Position {
	if p, ok := src.pos(fmt.Sprintf("operators[%d].%s", i, field)); ok && p.Line > 0 {
		return p
	}
	p, _ := src.pos("operators")
	return p
}
