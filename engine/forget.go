package engine

import (
	"errors"

	"github.com/officectl/officectl/state"
)

// ErrNotInState is the error of Forget for a key the state lacks.
var ErrNotInState = errors.New("no such office, department or call center in the state")

// Forget removes the entry of key, of whichever kind holds it, from the
// state of store, saved at once (`officectl state rm KEY`), and returns
// the entry it had. See ForgetKind.
func Forget(store *state.Store, key string) (*state.Entry, error) {
	_, e, err := ForgetKind(store, key)
	return e, err
}

// ForgetKind removes the entry of key from the state of store, saved at
// once, and returns its kind (office, department or call center: a key
// is unique across kinds) and the entry it had. The object stays in
// Dialpad: officectl only stops managing it. A key the state lacks is
// ErrNotInState, and nothing is saved.
func ForgetKind(store *state.Store, key string) (state.Kind, *state.Entry, error) {
	var (
		kind   state.Kind
		forgot *state.Entry
	)
	err := store.Update(func(st *state.State) error {
		k, ok := st.KindOf(key)
		if !ok {
			return ErrNotInState
		}
		kind, forgot = k, st.Map(k)[key]
		st.DeleteOf(k, key)
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	return kind, forgot, nil
}
