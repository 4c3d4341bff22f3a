package offices_test

import (
	"context"
	"encoding/json"
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
		{"written name over two lines", `{"id":"7","office_id":"5","name":"Sales\n::error::x"}`, func(c *offices.Client) error {
			_, err := c.CreateDepartment(ctx, 5, sales("Sales"))
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

// TestGroupListingOddNames: a listing or a GET returns the names Dialpad
// holds, whatever text they are (a tab, U+2028, a line break, an escape
// sequence): officectl only reports them, through Printable, and one
// group's odd name must not hide every other group of its office.
func TestGroupListingOddNames(t *testing.T) {
	ctx := context.Background()
	names := []string{"Other\tTeam", "Hot\u2028line", "Sales\n::error::x", "\u001b[31mred"}
	srv, _ := hostile(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		if strings.HasPrefix(r.URL.Path, "/api/v2/departments/") {
			fmt.Fprintf(w, `{"id":"7","office_id":"5","name":%s}`, jsonString(names[0]))
			return
		}
		var items []string
		for i, n := range names {
			items = append(items, fmt.Sprintf(`{"id":"%d","office_id":"5","name":%s}`, i+1, jsonString(n)))
		}
		fmt.Fprintf(w, `{"items":[%s]}`, strings.Join(items, ","))
	})
	c := newClient(t, fastConfig(srv.URL))
	ds, err := c.ListDepartments(ctx, 5)
	if err != nil || len(ds) != len(names) {
		t.Fatalf("ListDepartments = %d groups, %v; want %d", len(ds), err, len(names))
	}
	if ds[0].Name != "Other\tTeam" || ds[1].Name != "Hot\u2028line" {
		t.Errorf("names %q, %q: want them as Dialpad holds them", ds[0].Name, ds[1].Name)
	}
	if _, err := c.ListCallCenters(ctx, 5); err != nil {
		t.Errorf("ListCallCenters: %v", err)
	}
	if d, err := c.GetDepartment(ctx, 7); err != nil || d.Name != "Other\tTeam" {
		t.Errorf("GetDepartment = %v, %v", d, err)
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
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

// TestHostileGroupNameEchoesKey: a name refused for its shape (in the
// answer to a write) that holds the API key does not carry the key into
// the error.
func TestHostileGroupNameEchoesKey(t *testing.T) {
	srv, _ := hostile(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		fmt.Fprintf(w, `{"id":"7","office_id":"5","name":"%s\n%s"}`, testKey, testKey)
	})
	_, err := newClient(t, fastConfig(srv.URL)).CreateDepartment(context.Background(), 5, sales("Sales"))
	if err == nil || strings.Contains(err.Error(), testKey) || !strings.Contains(err.Error(), "[REDACTED]") {
		t.Fatalf("err = %v; want the name refused with the key redacted", err)
	}
}
