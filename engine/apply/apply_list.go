package apply

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// This file holds how apply finds out whether a create happened: listings
// of the live offices shared by every office waiting for one, and the
// matching of live offices to office keys by exact name.

// lister lists the live offices for the offices of a run whose create had
// an unknown outcome. An office takes a ticket when it learns that its
// outcome is unknown; it then needs a listing started after that moment.
// Offices that take tickets while a listing is in flight share the next
// one, so a burst of lost answers costs one listing, not one per office.
type lister struct {
	api API
	sem chan struct{} // the run's request slots
	// names are the office names the run looks for: a listing keeps only
	// the live offices of these names, whatever the company's size.
	names map[string]bool

	mu      sync.Mutex
	started int      // listings started so far
	cur     *listing // the latest listing
}

// listing is one ListOffices call.
type listing struct {
	n    int // its number: 1 for the first
	done chan struct{}
	live []offices.Live
	err  error
}

// ticket returns the number of the first listing that starts from now on.
func (l *lister) ticket() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.started + 1
}

// list returns the offices of a listing numbered want or later, waiting for
// one in flight or starting one. A listing is new work: when ctx has ended
// it starts none and returns an error wrapping ErrInterrupted. The request
// runs under ictx.
func (l *lister) list(ctx, ictx context.Context, want int) ([]offices.Live, error) {
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
		if ctx.Err() != nil {
			l.mu.Unlock()
			return nil, errNotStarted
		}
		l.started++
		c = &listing{n: l.started, done: make(chan struct{})}
		l.cur = c
		l.mu.Unlock()

		select {
		case l.sem <- struct{}{}:
			keep := func(o offices.Live) bool { return l.names[o.Name] }
			c.live, c.err = l.api.ListOffices(offices.WithStartContext(ictx, ctx), offices.ListOptions{Keep: keep})
			<-l.sem
		case <-ctx.Done():
			c.err = ctx.Err()
		}
		if c.err != nil && ctx.Err() != nil {
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

// claims maps the Dialpad ids recorded in state to their keys, so that a
// live office is never recorded under two keys. It is safe for concurrent
// use.
type claims struct {
	mu   sync.Mutex
	keys map[int64]string
}

func newClaims(st *state.State) *claims {
	c := &claims{keys: map[int64]string{}}
	for k, e := range st.Offices {
		if e == nil || e.ID == "" {
			continue
		}
		if id, err := strconv.ParseInt(e.ID, 10, 64); err == nil {
			c.keys[id] = k
		}
	}
	return c
}

// claim records id as key's, unless another key holds it: then it
// returns that key and false.
func (c *claims) claim(id int64, key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k, ok := c.keys[id]; ok && k != key {
		return k, false
	}
	c.keys[id] = key
	return "", true
}

// nameMatch is the live offices named like the office of a key: free ones,
// and ones that state records under another key.
type nameMatch struct {
	// invalid are offices whose id is not a positive int64: none can be
	// recorded, nor may the office be created again beside them.
	invalid []offices.Live
	free    []offices.Live
	claimed []offices.Live
	by      []string // the keys of claimed, in order
}

// match finds the live offices named exactly name (deleted and cancelled
// ones aside) and sorts them by whether state already records them under
// another key than key.
func (c *claims) match(live []offices.Live, name, key string) nameMatch {
	c.mu.Lock()
	defer c.mu.Unlock()
	var m nameMatch
	for _, l := range live {
		if l.Name != name || l.State == "deleted" || l.State == "cancelled" {
			continue
		}
		if l.ID <= 0 {
			m.invalid = append(m.invalid, l)
			continue
		}
		if k, ok := c.keys[l.ID]; ok && k != key {
			m.claimed = append(m.claimed, l)
			m.by = append(m.by, k)
			continue
		}
		m.free = append(m.free, l)
	}
	return m
}

// claimedText says which keys hold the claimed offices.
func (m nameMatch) claimedText(inv plan.Invocation) string {
	parts := make([]string, len(m.claimed))
	for i, l := range m.claimed {
		parts[i] = fmt.Sprintf("id %d is recorded in the state file as %q", l.ID, m.by[i])
	}
	return strings.Join(parts, "; ") + "; give one of the two offices another name, or forget the other with `" + inv.Command("state rm", "KEY") + "`"
}

// invalidErr is the error of an office whose name live offices with
// unusable ids have.
func (m nameMatch) invalidErr() error {
	return fmt.Errorf("%w: the listing holds an office of this name with id %d, not a positive int64; nothing recorded or created: run apply again once the API answers properly", ErrBadAnswer, m.invalid[0].ID)
}

// idList is the ids of offs, comma-separated, ascending.
func idList(offs []offices.Live) string {
	ids := make([]int64, len(offs))
	for i, l := range offs {
		ids[i] = l.ID
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ", ")
}

// ambiguous is the error of an office whose name several live offices
// have.
func ambiguous(offs []offices.Live) error {
	return fmt.Errorf("%w (ids %s), so apply cannot tell which one its create made: keep one, rename or delete the others in Dialpad, then run apply again (the state entry stays pending)",
		ErrAmbiguousName, idList(offs))
}

// markCreated turns e into the created entry of office o with Dialpad id
// id. A pending entry keeps the spec it recorded: that is the body whose
// create took effect; the next plan shows any difference with o.
func markCreated(e *state.Entry, o *offices.Office, id int64, now time.Time) {
	if e.Name == "" {
		e.Name = o.Name
	}
	if len(e.Spec) == 0 {
		e.Spec = o.Canonical()
		e.SpecSHA256 = o.SpecSHA256()
	}
	e.Status = state.Created
	e.ID = strconv.FormatInt(id, 10)
	e.CreatedAt = &now
	e.StartedAt = nil
}
