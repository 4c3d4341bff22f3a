package offices_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
)

// TestOperators: users by email and id and rooms join and leave offices,
// departments and call centers with their roles and skills.
func TestOperators(t *testing.T) {
	sim := newSim(t, officestest.Options{Users: 5, Rooms: 2, PageSize: 1})
	c, rec := groupClient(t, sim.URL)
	ctx := context.Background()
	office := newOffice(t, c, "Berlin")
	dep, err := c.CreateDepartment(ctx, office, sales("Sales"))
	if err != nil {
		t.Fatal(err)
	}
	cc, err := c.CreateCallCenter(ctx, office, support("Support"))
	if err != nil {
		t.Fatal(err)
	}

	u, err := c.UserByEmail(ctx, "USER2@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != officestest.FirstUserID+2 {
		t.Fatalf("UserByEmail = %+v", u)
	}
	_, err = c.UserByEmail(ctx, "nobody@example.com")
	var unknown *offices.UnknownUserError
	if !errors.Is(err, offices.ErrUnknownUser) || !errors.As(err, &unknown) || !strings.Contains(err.Error(), "nobody@example.com") {
		t.Fatalf("unknown email: %v", err)
	}
	if _, err := c.UserByEmail(ctx, "a\nb@example.com"); err == nil {
		t.Fatal("an email over two lines was looked up")
	}

	room := offices.Member{ID: officestest.FirstRoomID + 1, Type: offices.OperatorRoom, Role: "operator"}
	admin := offices.Member{ID: u.ID, Type: offices.OperatorUser, Role: "admin"}
	for _, k := range []struct {
		kind offices.Kind
		id   int64
	}{{offices.KindOffice, office}, {offices.KindDepartment, dep.ID}} {
		for _, m := range []offices.Member{admin, room} {
			if err := c.AddOperator(ctx, k.kind, k.id, m); err != nil {
				t.Fatal(err)
			}
		}
		got, err := c.ListOperators(ctx, k.kind, k.id)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0] != admin || !got[1].Same(room) || got[1].Role != "" {
			t.Fatalf("%s operators = %+v", k.kind, got)
		}
		if err := c.RemoveOperator(ctx, k.kind, k.id, room); err != nil {
			t.Fatal(err)
		}
		if err := c.RemoveOperator(ctx, k.kind, k.id, room); !offices.IsNotFound(err) {
			t.Fatalf("removing twice: %v, want 404", err)
		}
		if ops := sim.Operators(k.id); len(ops) != 1 || ops[0].ID != u.ID || ops[0].Role != "admin" {
			t.Fatalf("%s members in the simulator: %+v", k.kind, ops)
		}
	}

	agent := offices.Member{ID: officestest.FirstUserID + 3, Type: offices.OperatorUser, Role: "supervisor", SkillLevel: 80}
	if err := c.AddOperator(ctx, offices.KindCallCenter, cc.ID, agent); err != nil {
		t.Fatal(err)
	}
	if n, err := c.GetSkill(ctx, cc.ID, agent.ID); err != nil || n != 80 {
		t.Fatalf("GetSkill = %d, %v", n, err)
	}
	rec.take()
	if n, err := c.UpdateSkill(ctx, cc.ID, agent.ID, 55); err != nil || n != 55 {
		t.Fatalf("UpdateSkill = %d, %v", n, err)
	}
	if calls := rec.take(); len(calls) != 1 || calls[0].method != "PATCH" || string(calls[0].body) != `{"skill_level":55}` {
		t.Fatalf("UpdateSkill sent %+v", calls)
	}
	got, err := c.ListOperators(ctx, offices.KindCallCenter, cc.ID)
	if err != nil || len(got) != 1 || got[0].Role != "supervisor" || got[0].ID != agent.ID {
		t.Fatalf("call-center operators = %+v, %v", got, err)
	}
	if err := c.RemoveOperator(ctx, offices.KindCallCenter, cc.ID, agent); err != nil {
		t.Fatal(err)
	}
	if ops := sim.Operators(cc.ID); len(ops) != 0 {
		t.Fatalf("left in the call center: %+v", ops)
	}
}
