package engine

import (
	"errors"

	"github.com/officectl/officectl/state"
)

// ErrNotInState is the error of Forget for a key the state lacks.
var ErrNotInState = errors.New("no such office in the state")

// Forget removes the entry of key from the state of store, saved at once
// (`officectl state rm KEY`), and returns the entry it had. The office
// stays in Dialpad: officectl only stops managing it. A key the state
// lacks is ErrNotInState, and nothing is saved.
func Forget(store *state.Store, key string) (*state.Entry, error) {
	var forgot *state.Entry
	err := store.Update(func(st *state.State) error {
		e, ok := st.Offices[key]
		if !ok {
			return ErrNotInState
		}
		forgot = e
		delete(st.Offices, key)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return forgot, nil
}
