package offices_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/officectl/officectl/offices"
)

// TestHostileGroupAnswers: answers with unusable ids, names or sizes are
// refused before they reach the caller, naming what is wrong.
func TestHostileGroupAnswers(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, body string
		call       func(c *offices.Client) error
		want       string
	}{
		{"zero id", `{"id":"0","office_id":"5","name":"Sales"}`, func(c *offices.Client) error {
			_, err := c.GetDepartment(ctx, 1)
			return err
		}, "group id 0"},
		{"negative office", `{"id":"7","office_id":"-5","name":"Sales"}`, func(c *offices.Client) error {
			_, err := c.GetCallCenter(ctx, 7)
			return err
		}, "office_id -5"},
		{"id not int64", `{"id":"12x","office_id":"5","name":"Sales"}`, func(c *offices.Client) error {
			_, err := c.GetDepartment(ctx, 1)
			return err
		}, "not an int64"},
		{"name over two lines", `{"items":[{"id":"7","office_id":"5","name":"Sales\n::error::x"}]}`, func(c *offices.Client) error {
			_, err := c.ListDepartments(ctx, 5)
			return err
		}, "not a single line"},
		{"huge name", fmt.Sprintf(`{"id":"7","office_id":"5","name":%q}`, strings.Repeat("x", 1000)), func(c *offices.Client) error {
			_, err := c.GetDepartment(ctx, 7)
			return err
		}, "name of 1000 bytes"},
		{"room id 0", `{"users":[],"rooms":[{"id":"0"}]}`, func(c *offices.Client) error {
			_, err := c.ListOperators(ctx, offices.KindOffice, 5)
			return err
		}, "room id 0"},
		{"user twice", `{"users":[{"id":"3"},{"id":3}],"rooms":[]}`, func(c *offices.Client) error {
			_, err := c.ListOperators(ctx, offices.KindOffice, 5)
			return err
		}, "listed twice"},
		{"add answers another", `{"id":"99"}`, func(c *offices.Client) error {
			return c.AddOperator(ctx, offices.KindDepartment, 5, offices.Member{ID: 3, Type: "user"})
		}, "names 99"},
		{"skill out of range", `{"call_center_id":"5","user_id":"3","skill_level":"500"}`, func(c *offices.Client) error {
			_, err := c.UpdateSkill(ctx, 5, 3, 50)
			return err
		}, "skill level 500"},
		{"two users, one email", `{"items":[{"id":"3","emails":["a@x.io"]},{"id":"4","emails":["A@x.io"]}]}`, func(c *offices.Client) error {
			_, err := c.UserByEmail(ctx, "a@x.io")
			return err
		}, "both have email"},
		{"substring email", `{"items":[{"id":"3","emails":["ba@x.io"]}]}`, func(c *offices.Client) error {
			_, err := c.UserByEmail(ctx, "a@x.io")
			if errors.Is(err, offices.ErrUnknownUser) {
				return errors.New("unknown user, as it should be: " + err.Error())
			}
			return err
		}, "as it should be"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := hostile(t, func(w http.ResponseWriter, r *http.Request, n int64) {
				fmt.Fprint(w, tc.body)
			})
			err := tc.call(newClient(t, fastConfig(srv.URL)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one saying %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error over several lines: %q", err)
			}
		})
	}
}

// TestHostileGroupCreateBadID: a create answered with an unusable id has
// an unknown outcome (the group may exist), so the caller looks it up by
// name before creating again.
func TestHostileGroupCreateBadID(t *testing.T) {
	srv, n := hostile(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		fmt.Fprint(w, `{"id":"-1","office_id":"5","name":"Sales"}`)
	})
	c := newClient(t, fastConfig(srv.URL))
	_, err := c.CreateDepartment(context.Background(), 5, sales("Sales"))
	if !errors.Is(err, offices.ErrOutcomeUnknown) || !errors.Is(err, offices.ErrInvalidAnswer) || n.Load() != 1 {
		t.Fatalf("err = %v after %d requests; want ErrOutcomeUnknown and ErrInvalidAnswer after 1", err, n.Load())
	}
}

// TestHostileGroupEndlessCursor: every groups listing stops after
// MaxListPages pages of a cursor that never ends, with ErrListTooLong and
// nothing returned; a repeated cursor stops it at once.
func TestHostileGroupEndlessCursor(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		list func(c *offices.Client) (int, error)
	}{
		{"departments", func(c *offices.Client) (int, error) { l, err := c.ListDepartments(ctx, 5); return len(l), err }},
		{"call centers", func(c *offices.Client) (int, error) { l, err := c.ListCallCenters(ctx, 5); return len(l), err }},
		{"find", func(c *offices.Client) (int, error) {
			l, err := c.FindGroupByName(ctx, offices.KindDepartment, 5, "Team 1")
			return len(l), err
		}},
		{"users", func(c *offices.Client) (int, error) { _, err := c.UserByEmail(ctx, "a@x.io"); return 0, err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, n := hostile(t, func(w http.ResponseWriter, r *http.Request, n int64) {
				fmt.Fprintf(w, `{"cursor":"c%d","items":[{"id":"%d","office_id":"5","name":"Team 1","emails":["b@x.io"]}]}`, n, n)
			})
			got, err := tc.list(newClient(t, fastConfig(srv.URL)))
			if !errors.Is(err, offices.ErrListTooLong) || got != 0 {
				t.Fatalf("= %d, %v; want nothing and ErrListTooLong", got, err)
			}
			if n.Load() != offices.MaxListPages {
				t.Errorf("%d pages fetched, want %d", n.Load(), offices.MaxListPages)
			}
			rep, _ := hostile(t, func(w http.ResponseWriter, r *http.Request, n int64) {
				fmt.Fprint(w, `{"cursor":"same","items":[]}`)
			})
			if _, err := tc.list(newClient(t, fastConfig(rep.URL))); err == nil || !strings.Contains(err.Error(), "twice") {
				t.Errorf("repeated cursor: %v", err)
			}
		})
	}
}

// TestHostileTooManyOperators: an operator list past MaxOperators is
// refused.
func TestHostileTooManyOperators(t *testing.T) {
	srv, _ := hostile(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		var b strings.Builder
		b.WriteString(`{"rooms":[],"users":[`)
		for i := range offices.MaxOperators + 1 {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"id":%d}`, i+1)
		}
		b.WriteString("]}")
		fmt.Fprint(w, b.String())
	})
	_, err := newClient(t, fastConfig(srv.URL)).ListOperators(context.Background(), offices.KindCallCenter, 5)
	if !errors.Is(err, offices.ErrInvalidAnswer) || !strings.Contains(err.Error(), "10001 operators") {
		t.Fatalf("err = %v", err)
	}
}

// TestHostileGroupNameEchoesKey: a name refused for its shape that holds
// the API key does not carry the key into the error.
func TestHostileGroupNameEchoesKey(t *testing.T) {
	srv, _ := hostile(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		fmt.Fprintf(w, `{"id":"7","office_id":"5","name":"%s\n%s"}`, testKey, testKey)
	})
	_, err := newClient(t, fastConfig(srv.URL)).GetDepartment(context.Background(), 7)
	if err == nil || strings.Contains(err.Error(), testKey) || !strings.Contains(err.Error(), "[REDACTED]") {
		t.Fatalf("err = %v; want the name refused with the key redacted", err)
	}
}
