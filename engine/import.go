package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// This file holds import: adopting the offices a company already has into
// the state file, by exact name, without creating any.

// ImportAPI is the part of the Dialpad API that Import uses;
// *offices.Client satisfies it.
type ImportAPI interface {
	ListOffices(ctx context.Context, opts offices.ListOptions) ([]offices.Live, error)
}

var _ ImportAPI = (*offices.Client)(nil)

// Adoption is a config key recorded in state as an existing live office.
type Adoption struct {
	Key  string
	Name string
	ID   int64
}

// ImportConflict is a config key import could not adopt although live
// offices have its name.
type ImportConflict struct {
	Key  string
	Name string
	// IDs are the live offices with the name, ascending.
	IDs []int64
	// Reason says why and what to do.
	Reason string
}

// ImportResult is what import found: a plain value, printed by
// WriteImportReport.
type ImportResult struct {
	// Adopted, by key: config keys with no state entry whose name exactly
	// one live office has.
	Adopted []Adoption
	// ToCreate, by key: config keys with no state entry and no live
	// office of their name; apply creates them.
	ToCreate []Adoption
	// Conflicts, by key: config keys with no state entry that could not
	// be adopted.
	Conflicts []ImportConflict
	// Managed is the number of config keys the state already records.
	Managed int
	// Groups is what import found for departments and call centers; nil
	// when the config has none.
	Groups *GroupImport
	// Unmanaged, by id: live offices (not deleted or cancelled) that
	// neither the state nor an adoption records; no config describes
	// them.
	Unmanaged []ListedOffice
	// UnmanagedLive is the whole live office of each of Unmanaged, in the
	// same order, for GenerateConfigs: set by MatchImport, and by Import
	// with ImportOptions.Generate only.
	UnmanagedLive []offices.Live
	// Pending, by key: live offices whose name is that of a pending state
	// entry (a create whose answer was lost, or that was interrupted):
	// most likely that create, which the next apply adopts by name. They
	// are described by the config, so they are not Unmanaged.
	Pending []Adoption
}

// ListedOffice is what import keeps of a live office it lists: what it
// matches and reports. A listing can hold 100,000 offices
// (offices.MaxListOffices) of a few KiB each as Dialpad sends them; this
// is some 70 bytes (issue 20).
type ListedOffice struct {
	ID   int64
	Name string
	// State is the office's state (active, cancelled, deleted, pending,
	// suspended, or what else the API sent).
	State string
	// Primary is the live office's is_primary_office.
	Primary bool
	// at is the office's position in the listing.
	at int
}

// listedOf is what import keeps of l, the at-th office listed.
func listedOf(l offices.Live, at int) ListedOffice {
	st := l.State
	switch st { // one string for all, not one per office
	case "active":
		st = "active"
	case "deleted":
		st = "deleted"
	case "cancelled":
		st = "cancelled"
	}
	return ListedOffice{ID: l.ID, Name: l.Name, State: st, Primary: l.IsPrimaryOffice, at: at}
}

// MatchImport decides what import does with cfg, st and the live offices,
// without changing anything: each config key with no state entry is
// adopted when exactly one live office, deleted and cancelled ones aside,
// has its name and the state records that office under no other key. A
// nil st is an empty state.
func MatchImport(cfg *load.Config, st *state.State, live []offices.Live) *ImportResult {
	listed := make([]ListedOffice, len(live))
	for i, l := range live {
		listed[i] = listedOf(l, i)
	}
	res := matchImport(cfg, st, listed, plan.Invocation{})
	res.UnmanagedLive = unmanagedLive(res.Unmanaged, live)
	return res
}

// unmanagedLive is the whole live office of each of unmanaged, which
// were listed as live.
func unmanagedLive(unmanaged []ListedOffice, live []offices.Live) []offices.Live {
	out := make([]offices.Live, len(unmanaged))
	for i, u := range unmanaged {
		out[i] = live[u.at]
	}
	return out
}

// matchImport is MatchImport with the invocation its hints name.
func matchImport(cfg *load.Config, st *state.State, live []ListedOffice, inv plan.Invocation) *ImportResult {
	if st == nil {
		st = state.New()
	}
	claimed := map[int64]string{}
	for k, id := range plan.StateIDs(st) {
		claimed[id] = k
	}
	byName := map[string][]ListedOffice{}
	for _, l := range live {
		if isGone(l) {
			continue
		}
		byName[l.Name] = append(byName[l.Name], l)
	}

	res := &ImportResult{}
	for i := range cfg.Offices {
		d := &cfg.Offices[i]
		if _, ok := st.Offices[d.Key]; ok {
			res.Managed++
			continue
		}
		name := d.Office.Name
		var free, taken []ListedOffice
		var takenBy []string
		for _, l := range byName[name] {
			if k, ok := claimed[l.ID]; ok {
				taken = append(taken, l)
				takenBy = append(takenBy, k)
			} else {
				free = append(free, l)
			}
		}
		switch {
		case len(free) == 1 && free[0].ID <= 0:
			res.Conflicts = append(res.Conflicts, ImportConflict{Key: d.Key, Name: name, IDs: liveIDs(free),
				Reason: "the API lists this office with an id that is not a positive int64, so import cannot record it: run import again once the API answers properly"})
		case len(free) == 1:
			res.Adopted = append(res.Adopted, Adoption{Key: d.Key, Name: name, ID: free[0].ID})
			claimed[free[0].ID] = d.Key
		case len(free) > 1:
			res.Conflicts = append(res.Conflicts, ImportConflict{Key: d.Key, Name: name, IDs: liveIDs(free),
				Reason: fmt.Sprintf("%d offices in Dialpad have this name, so import cannot tell which one the config describes: rename or delete the others in Dialpad, then run import again", len(free))})
		case len(taken) > 0:
			res.Conflicts = append(res.Conflicts, ImportConflict{Key: d.Key, Name: name, IDs: liveIDs(taken),
				Reason: fmt.Sprintf("the office with this name is recorded in the state file as %q: give one of the two keys another name, or forget the other with `%s`", takenBy[0], inv.Command("state rm", takenBy[0]))})
		default:
			res.ToCreate = append(res.ToCreate, Adoption{Key: d.Key, Name: name})
		}
	}
	pending := map[string]string{} // name → key of a pending entry
	for _, k := range st.Keys() {
		if e := st.Offices[k]; e != nil && e.Status == state.Pending {
			pending[e.Name] = k
		}
	}
	for _, l := range live {
		if _, ok := claimed[l.ID]; ok || isGone(l) {
			continue
		}
		if k, ok := pending[l.Name]; ok {
			res.Pending = append(res.Pending, Adoption{Key: k, Name: l.Name, ID: l.ID})
			continue
		}
		res.Unmanaged = append(res.Unmanaged, l)
	}
	sort.Slice(res.Unmanaged, func(i, j int) bool { return res.Unmanaged[i].ID < res.Unmanaged[j].ID })
	sort.SliceStable(res.Pending, func(i, j int) bool { return res.Pending[i].Key < res.Pending[j].Key })
	return res
}

// hasOperators reports whether an office of cfg gives operators.
func hasOperators(cfg *load.Config) bool {
	for i := range cfg.Offices {
		if cfg.Offices[i].Operators != nil {
			return true
		}
	}
	return false
}

// isGone reports whether a live office is deleted or cancelled: it cannot
// be adopted, and a new office may take its name.
func isGone(l ListedOffice) bool { return gone(l.State) }

// gone reports whether an office's state is deleted or cancelled.
func gone(state string) bool { return state == "deleted" || state == "cancelled" }

func liveIDs(ls []ListedOffice) []int64 {
	ids := make([]int64, len(ls))
	for i, l := range ls {
		ids[i] = l.ID
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// ImportOptions configure Import.
type ImportOptions struct {
	// Store is the locked state file the adoptions are saved to.
	// Required.
	Store *state.Store
	// API lists the live offices. Required.
	API ImportAPI
	// DryRun finds what import would adopt and changes nothing.
	DryRun bool
	// Generate keeps the unmanaged offices whole
	// (ImportResult.UnmanagedLive), to generate their config files; else
	// import keeps only what it matches and reports of each.
	Generate bool
	// CompanyID is the company of the API key (CheckCompany), recorded in
	// a state that records none yet when import adopts offices.
	CompanyID string
	// Now is the clock of the entries' created_at, default time.Now.
	Now func() time.Time
	// Invocation is the directory and state file the command was given;
	// the commands in the result's hints name them.
	Invocation plan.Invocation
}

// Import lists every live office (all pages) and adopts, in one save of
// the state, each config key with no state entry whose name exactly one
// live office has (see MatchImport): the entry is created with the live
// id and the desired office from cfg as its spec, so that the next plan
// shows a no-op for it and drift (plan --refresh) compares the live
// office with the config. An adopted office (or group) whose config lists
// operators gets its live membership, with the config's emails recorded
// beside the matching ids (one GET per email, cached). Nothing is sent to
// Dialpad but GETs.
func Import(ctx context.Context, cfg *load.Config, opts ImportOptions) (*ImportResult, error) {
	if opts.API == nil || opts.Store == nil {
		return nil, errors.New("import: no API or state store")
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	// The listing keeps what import matches and reports of each office,
	// and the whole office only to generate a config from it.
	var listed []ListedOffice
	live, err := opts.API.ListOffices(ctx, offices.ListOptions{Keep: func(l offices.Live) bool {
		listed = append(listed, listedOf(l, len(listed)))
		return opts.Generate
	}})
	if err != nil {
		return nil, fmt.Errorf("import: listing the offices in Dialpad: %w", err)
	}
	res := matchImport(cfg, opts.Store.State(), listed, opts.Invocation)
	if opts.Generate {
		if len(live) != len(listed) {
			return nil, fmt.Errorf("import: the listing kept %d of %d offices", len(live), len(listed))
		}
		res.UnmanagedLive = unmanagedLive(res.Unmanaged, live)
	}
	var members map[string][]state.Operator
	if len(cfg.Groups) > 0 || hasOperators(cfg) {
		gapi, ok := opts.API.(ImportGroupsAPI)
		if !ok {
			return nil, errors.New("import: the API cannot list departments, call centers and operators")
		}
		users := newEmailCache(gapi)
		if members, err = officeOperators(ctx, gapi, users, cfg, res.Adopted); err != nil {
			return nil, err
		}
		if len(cfg.Groups) > 0 {
			officeIDs := plan.StateIDs(opts.Store.State())
			for _, a := range res.Adopted {
				officeIDs[a.Key] = a.ID
			}
			if res.Groups, err = importGroups(ctx, gapi, cfg, opts.Store.State(), officeIDs, users, opts.Invocation); err != nil {
				return nil, err
			}
		}
	}
	if opts.DryRun || (len(res.Adopted) == 0 && (res.Groups == nil || len(res.Groups.Adopted) == 0)) {
		return res, nil
	}
	desired := make(map[string]*load.Desired, len(cfg.Offices))
	for i := range cfg.Offices {
		desired[cfg.Offices[i].Key] = &cfg.Offices[i]
	}
	at := now().UTC()
	err = opts.Store.Update(func(st *state.State) error {
		if st.CompanyID == "" {
			st.CompanyID = opts.CompanyID
		}
		for _, a := range res.Adopted {
			if _, ok := st.Offices[a.Key]; ok {
				return fmt.Errorf("the state entry of %q appeared during import", a.Key)
			}
			d := desired[a.Key]
			sha := d.SpecSHA256
			if sha == "" {
				sha = d.Office.SpecSHA256()
			}
			created := at
			st.Set(a.Key, &state.Entry{
				Status: state.Created, ID: strconv.FormatInt(a.ID, 10), Name: d.Office.Name,
				Spec: d.Office.Canonical(), SpecSHA256: sha, Operators: members[a.Key], CreatedAt: &created,
			})
		}
		if res.Groups != nil {
			return recordGroups(st, res.Groups.Adopted, at)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import: saving the state: %w", err)
	}
	return res, nil
}
