package plan

// This file binds a state to one Dialpad company: the state records the
// company of the API key that first applied or imported into it, and every
// command that talks to the API refuses another company's key.

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// CompanyAPI is the part of the Dialpad API that CheckCompany uses;
// *offices.Client satisfies it.
type CompanyAPI interface {
	GetCompany(ctx context.Context) (*offices.Company, error)
}

var _ CompanyAPI = (*offices.Client)(nil)

// ErrCompanyMismatch is the sentinel of CompanyMismatchError.
var ErrCompanyMismatch = errors.New("company mismatch")

// CompanyMismatchError says that the API key belongs to another company
// than the one the state records. It unwraps to ErrCompanyMismatch.
type CompanyMismatchError struct {
	// State is the company id the state records, Key the one of the API
	// key.
	State, Key string
}

func (e *CompanyMismatchError) Error() string {
	return fmt.Sprintf("company mismatch: the state records company %s, but the API key belongs to company %s; nothing was sent but that check. Use the API key of company %s with this state, or the state file of company %s (--state)",
		e.State, e.Key, e.State, e.Key)
}

// Unwrap returns ErrCompanyMismatch.
func (e *CompanyMismatchError) Unwrap() error { return ErrCompanyMismatch }

// CheckCompany asks the API whose key it is (GET /api/v2/company) and
// returns that company's id; it fails with a *CompanyMismatchError when st
// records another company. Commands call it before any other request.
// An answer whose id is not a positive int64 is an error too.
func CheckCompany(ctx context.Context, api CompanyAPI, st *state.State) (string, error) {
	co, err := api.GetCompany(ctx)
	if err != nil {
		return "", fmt.Errorf("asking Dialpad which company the API key belongs to: %w", err)
	}
	if co == nil || co.ID <= 0 {
		var id int64
		if co != nil {
			id = co.ID
		}
		return "", fmt.Errorf("asking Dialpad which company the API key belongs to: the answer's company id %d is not a Dialpad id", id)
	}
	id := strconv.FormatInt(co.ID, 10)
	if st != nil && st.CompanyID != "" && st.CompanyID != id {
		return "", &CompanyMismatchError{State: st.CompanyID, Key: id}
	}
	return id, nil
}

// RecordCompany saves id as the company of the state in store when the
// state exists (it has been saved before) and records no company yet: the
// first apply or import. A state never saved is not created for this
// alone: call RecordCompany again once a run has saved it. A state that
// records a company is left alone.
func RecordCompany(store *state.Store, id string) error {
	if id == "" {
		return nil
	}
	if s := store.State(); s.Lineage == "" || s.CompanyID != "" {
		return nil
	}
	return store.Update(func(st *state.State) error {
		if st.CompanyID == "" {
			st.CompanyID = id
		}
		return nil
	})
}

var _ error = (*CompanyMismatchError)(nil)
