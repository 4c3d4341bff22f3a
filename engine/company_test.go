package engine

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/state"
)

// TestCheckCompany: the company of the key is read from the API; a state
// of another company is refused with both ids, after that one request.
func TestCheckCompany(t *testing.T) {
	env := enginetest.NewEnv(t, officestest.Options{Company: offices.Company{ID: 4200000000000002, Name: "Other"}}, nil)
	ctx := context.Background()

	id, err := plan.CheckCompany(ctx, env.Client, state.New())
	if err != nil || id != "4200000000000002" {
		t.Fatalf("CheckCompany of a new state = %q, %v", id, err)
	}
	same := state.New()
	same.CompanyID = "4200000000000002"
	if id, err := plan.CheckCompany(ctx, env.Client, same); err != nil || id != "4200000000000002" {
		t.Fatalf("CheckCompany of the same company = %q, %v", id, err)
	}

	other := state.New()
	other.CompanyID = "4200000000000001"
	_, err = plan.CheckCompany(ctx, env.Client, other)
	var mm *plan.CompanyMismatchError
	if !errors.Is(err, plan.ErrCompanyMismatch) || !errors.As(err, &mm) {
		t.Fatalf("CheckCompany of another company's state = %v, want a CompanyMismatchError", err)
	}
	for _, want := range []string{"company", "4200000000000001", "4200000000000002"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	for _, r := range env.Sim.Records() {
		if r.Method != "GET" || r.Path != "/api/v2/company" {
			t.Errorf("request %s %s; CheckCompany sends only GET /api/v2/company", r.Method, r.Path)
		}
	}
}

// TestCheckCompanyBadAnswer: an answer without a positive company id is an
// error, never recorded.
func TestCheckCompanyBadAnswer(t *testing.T) {
	env := enginetest.NewEnv(t, officestest.Options{Company: offices.Company{ID: -9007199254740991, Name: "Mock"}}, nil)
	if id, err := plan.CheckCompany(context.Background(), env.Client, state.New()); err == nil || !strings.Contains(err.Error(), "is not a Dialpad id") {
		t.Fatalf("CheckCompany = %q, %v; want an error", id, err)
	}
}

// TestRecordCompany: the company goes into a state that has been saved and
// records none; a state never saved is not created for it, and a recorded
// company is never replaced.
func TestRecordCompany(t *testing.T) {
	store := enginetest.TempStore(t)
	if err := plan.RecordCompany(store, "4200000000000001"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(store.Path()); !os.IsNotExist(err) {
		t.Fatalf("RecordCompany created the state file of a state never saved (stat: %v)", err)
	}
	if err := store.Update(func(st *state.State) error {
		st.Set("berlin", enginetest.Created("5100000000000001", enginetest.Office("Berlin", "DE")))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := plan.RecordCompany(store, "4200000000000001"); err != nil {
		t.Fatal(err)
	}
	if got := store.State().CompanyID; got != "4200000000000001" {
		t.Fatalf("company_id = %q after RecordCompany", got)
	}
	loaded, err := state.Load(store.Path())
	if err != nil || loaded.CompanyID != "4200000000000001" {
		t.Fatalf("saved company_id = %q, %v", loaded.CompanyID, err)
	}
	if err := plan.RecordCompany(store, "4200000000000009"); err != nil {
		t.Fatal(err)
	}
	if got := store.State().CompanyID; got != "4200000000000001" {
		t.Errorf("company_id = %q, a recorded company was replaced", got)
	}
}

// TestImportRecordsCompany: import saves the company with its adoptions.
func TestImportRecordsCompany(t *testing.T) {
	env := enginetest.NewEnv(t, officestest.Options{}, nil)
	env.Sim.Seed(liveOf("Berlin", "de"))
	id, err := plan.CheckCompany(context.Background(), env.Client, env.Store.State())
	if err != nil {
		t.Fatal(err)
	}
	berlin := enginetest.Office("Berlin", "DE")
	cfg := load.NewConfig([]load.Desired{{Key: "berlin", Office: berlin}})
	if _, err := Import(context.Background(), cfg, ImportOptions{Store: env.Store, API: env.Client, CompanyID: id}); err != nil {
		t.Fatal(err)
	}
	st, err := state.Load(env.StatePath)
	if err != nil {
		t.Fatal(err)
	}
	if st.CompanyID != "4200000000000001" || len(st.Offices) != 1 {
		t.Errorf("state after import: company %q, %d offices", st.CompanyID, len(st.Offices))
	}
}
