package apply

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// This file holds the listings of a run: one per (office, kind), shared by
// every job that adopts by name or checks its target there, and listed
// again after a create of unknown outcome; and the claims that keep one
// live object from being recorded under two identities.

// liveObject is one office, department or call center as a listing shows
// it.
type liveObject struct {
	ID, OfficeID int64
	Name, State  string
}

// gone reports whether Dialpad shows o as deleted or cancelled: it is
// neither adopted nor written to.
func (o liveObject) gone() bool { return o.State == "deleted" || o.State == "cancelled" }

// lister lists the live objects of one (office, kind). A job takes a
// ticket when it learns that a create there had an unknown outcome; it
// then needs a listing started after that moment. Jobs that take tickets
// while a listing is in flight share the next one, so a burst of lost
// answers costs one listing, not one per job.
type lister struct {
	sem   chan struct{} // the run's request slots
	fetch func(ctx context.Context) ([]liveObject, error)

	mu      sync.Mutex
	started int      // listings started so far
	cur     *listing // the latest listing
}

// listing is one listing request, to the end of its pages.
type listing struct {
	n    int // its number: 1 for the first
	done chan struct{}
	live []liveObject
	err  error
}

// emptyLister is the lister of an office created in this run: its first
// listing is known to be empty without asking.
func emptyLister(sem chan struct{}, fetch func(context.Context) ([]liveObject, error)) *lister {
	done := make(chan struct{})
	close(done)
	return &lister{sem: sem, fetch: fetch, started: 1, cur: &listing{n: 1, done: done}}
}

// ticket returns the number of the first listing that starts from now on.
func (l *lister) ticket() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.started + 1
}

// list returns the objects of a listing numbered want or later, waiting
// for one in flight or starting one. A listing is new work: once newWork
// has ended it starts none and returns an error wrapping ErrInterrupted.
// The request itself runs under inFlight.
func (l *lister) list(newWork, inFlight context.Context, want int) ([]liveObject, error) {
	for {
		l.mu.Lock()
		c := l.cur
		if c != nil && (c.n >= want || !isDone(c.done)) {
			l.mu.Unlock()
			<-c.done
			if c.n >= want {
				return c.live, c.err
			}
			continue // it started too early: the next one is ours
		}
		if newWork.Err() != nil {
			l.mu.Unlock()
			return nil, errNotStarted
		}
		l.started++
		c = &listing{n: l.started, done: make(chan struct{})}
		l.cur = c
		l.mu.Unlock()

		select {
		case l.sem <- struct{}{}:
			c.live, c.err = l.fetch(offices.WithStartContext(inFlight, newWork))
			<-l.sem
		case <-newWork.Done():
			c.err = newWork.Err()
		}
		if c.err != nil && newWork.Err() != nil {
			c.err = fmt.Errorf("%w: %w", errNotStarted, c.err)
		}
		close(c.done)
		return c.live, c.err
	}
}

func isDone(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// listKey names the listing of one kind in one office (0 for offices).
type listKey struct {
	kind   offices.Kind
	office int64
}

// listers holds the run's listers, made on first use.
type listers struct {
	mu sync.Mutex
	m  map[listKey]*lister
}

// ident is a change's identity: a key may be in two kinds of one plan
// (the delete of the old kind and the create of the new).
type ident struct {
	kind offices.Kind
	key  string
}

func (id ident) String() string { return string(id.kind) + " " + strconv.Quote(id.key) }

// claims maps the Dialpad ids recorded in state to their identities, so
// that a live object is never recorded under two. It is safe for
// concurrent use.
type claims struct {
	mu   sync.Mutex
	keys map[int64]ident
}

func newClaims(st *state.State) *claims {
	c := &claims{keys: map[int64]ident{}}
	for _, k := range state.Kinds {
		for key, e := range st.Map(k) {
			if e == nil || e.ID == "" {
				continue
			}
			if id, err := strconv.ParseInt(e.ID, 10, 64); err == nil {
				c.keys[id] = ident{offices.Kind(k), key}
			}
		}
	}
	return c
}

// claim records id as who's, unless another identity holds it: then it
// returns that one and false.
func (c *claims) claim(id int64, who ident) (ident, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k, ok := c.keys[id]; ok && k != who {
		return k, false
	}
	c.keys[id] = who
	return ident{}, true
}

// release forgets who's claim on id (its object was deleted).
func (c *claims) release(id int64, who ident) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys[id] == who {
		delete(c.keys, id)
	}
}

// nameMatch is the live objects named like the object of an identity:
// free ones, and ones that state records under another identity.
type nameMatch struct {
	// invalid are objects whose id is not a positive int64: none can be
	// recorded, nor may the object be created again beside them.
	invalid []liveObject
	free    []liveObject
	claimed []liveObject
	by      []ident // the identities of claimed, in order
}

// match finds the live objects named exactly name (deleted and cancelled
// ones aside) and sorts them by whether state already records them under
// another identity than who.
func (c *claims) match(live []liveObject, name string, who ident) nameMatch {
	c.mu.Lock()
	defer c.mu.Unlock()
	var m nameMatch
	for _, l := range live {
		if l.Name != name || l.gone() {
			continue
		}
		if l.ID <= 0 {
			m.invalid = append(m.invalid, l)
			continue
		}
		if k, ok := c.keys[l.ID]; ok && k != who {
			m.claimed = append(m.claimed, l)
			m.by = append(m.by, k)
			continue
		}
		m.free = append(m.free, l)
	}
	return m
}

// claimedText says which identities hold the claimed objects.
func (m nameMatch) claimedText(inv plan.Invocation) string {
	parts := make([]string, len(m.claimed))
	for i, l := range m.claimed {
		parts[i] = fmt.Sprintf("id %d is recorded in the state file as %q", l.ID, m.by[i].key)
	}
	return strings.Join(parts, "; ") + "; give one of the two another name, or forget the other with `" + inv.Command("state rm", "KEY") + "`"
}

// invalidErr is the error of an object whose name live objects with
// unusable ids have.
func (m nameMatch) invalidErr() error {
	return fmt.Errorf("%w: the listing holds an object of this name with id %d, not a positive int64; nothing recorded or created: run apply again once the API answers properly", ErrBadAnswer, m.invalid[0].ID)
}

// idList is the ids of objs, comma-separated, ascending.
func idList(objs []liveObject) string {
	ids := make([]int64, len(objs))
	for i, l := range objs {
		ids[i] = l.ID
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ", ")
}

// ambiguous is the error of an object whose name several live objects
// have.
func ambiguous(objs []liveObject) error {
	return fmt.Errorf("%w (ids %s), so apply cannot tell which one its create made: keep one, rename or delete the others in Dialpad, then run apply again (the state entry stays pending)",
		ErrAmbiguousName, idList(objs))
}
