package plan

// This file binds a saved plan to what it was made from: the config
// directory and state file it records, the state's digest, and the check
// that a plan file is exactly the plan made now (what was reviewed is what
// is applied).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"time"
	"unicode"

	"github.com/officectl/officectl/state"
)

// StateSHA256 is the hex SHA-256 of everything st holds: the version,
// company id, lineage and serial, and each entry by key (status, id, name,
// spec digest, spec bytes, times), every item length-prefixed. A nil st
// is the empty state, which has a digest of its own, so that a plan made
// before any state existed applies to no other state. It hashes the
// fields as they are, without encoding the state (a tenth of the time on
// 10,000 entries); Load returns the same bytes for the same file.
func StateSHA256(st *state.State) string {
	if st == nil {
		st = state.New()
	}
	h := sha256.New()
	var buf []byte
	item := func(b []byte) {
		buf = binary.AppendUvarint(buf[:0], uint64(len(b)))
		h.Write(buf)
		h.Write(b)
	}
	str := func(s string) { item([]byte(s)) }
	operators := func(ops []state.Operator) {
		str(strconv.Itoa(len(ops)))
		for _, o := range ops {
			str(o.Type)
			str(o.ID)
			str(o.Email)
			str(o.Role)
			str(strconv.Itoa(o.SkillLevel))
		}
	}
	// refs adds an entry's Refs, sorted by key, when it has any: the
	// digest of a state recorded before refs were stays what it was.
	refs := func(m map[string]string) {
		if len(m) == 0 {
			return
		}
		str("refs " + strconv.Itoa(len(m)))
		for _, k := range slices.Sorted(maps.Keys(m)) {
			str(k)
			str(m[k])
		}
	}
	tm := func(t *time.Time) {
		if t == nil {
			str("-")
			return
		}
		str(t.Format(time.RFC3339Nano))
	}
	str(fmt.Sprintf("state v%d serial %d", st.Version, st.Serial))
	str(st.CompanyID)
	str(st.Lineage)
	for _, k := range st.Keys() {
		e := st.Offices[k]
		str(k)
		if e == nil {
			str("null")
			continue
		}
		str(string(e.Status))
		str(e.ID)
		str(e.Name)
		str(e.SpecSHA256)
		item(e.Spec)
		tm(e.CreatedAt)
		tm(e.StartedAt)
		tm(e.UpdatedAt)
		if e.Operators != nil {
			str("operators")
			operators(e.Operators)
		}
		refs(e.Refs)
	}
	// Version 2's groups, and the operators above, add items only when
	// the state has them: the digest of a state of offices alone stays
	// what it was.
	for _, kind := range []state.Kind{state.KindDepartment, state.KindCallCenter} {
		if len(st.Map(kind)) == 0 {
			continue
		}
		str("kind " + string(kind))
		for _, k := range st.KeysOf(kind) {
			e := st.Map(kind)[k]
			str(k)
			if e == nil {
				str("null")
				continue
			}
			str(string(e.Status))
			str(e.ID)
			str(e.Name)
			str(e.OfficeID)
			str(strconv.FormatBool(e.Protect))
			str(e.SpecSHA256)
			item(e.Spec)
			tm(e.CreatedAt)
			tm(e.StartedAt)
			tm(e.UpdatedAt)
			str(strconv.FormatBool(e.Operators != nil))
			operators(e.Operators)
			refs(e.Refs)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// maxPlanPath bounds the paths a plan file records.
const maxPlanPath = 4096

// SetPaths records in p the config directory and state file it was made
// from, relative to the folder of planPath, the plan file it is saved to
// (absolute when no relative path leads there), so that `officectl apply
// PLANFILE` finds them wherever it runs from.
func (p *Plan) SetPaths(planPath, configDir, statePath string) error {
	base, err := filepath.Abs(filepath.Dir(planPath))
	if err != nil {
		return err
	}
	rel := func(path string) (string, error) {
		abs, err := filepath.Abs(path)
		if err != nil {
			return "", err
		}
		if r, err := filepath.Rel(base, abs); err == nil {
			return filepath.ToSlash(r), nil
		}
		return filepath.ToSlash(abs), nil
	}
	if p.ConfigDir, err = rel(configDir); err != nil {
		return err
	}
	p.State.Path, err = rel(statePath)
	return err
}

// Paths returns the config directory and state file p records, resolved
// against the folder of planPath, the plan file p was read from; "" for a
// path p does not record.
func (p *Plan) Paths(planPath string) (configDir, statePath string) {
	resolve := func(path string) string {
		if path == "" {
			return ""
		}
		path = filepath.FromSlash(path)
		if filepath.IsAbs(path) {
			return path
		}
		return filepath.Join(filepath.Dir(planPath), path)
	}
	return resolve(p.ConfigDir), resolve(p.State.Path)
}

// checkPlanHeader checks the paths and the state digest a plan file
// records: paths of at most maxPlanPath bytes without control characters
// (they are printed and opened), a digest of 64 lowercase hex digits.
func checkPlanHeader(jp *jsonPlan) error {
	for _, f := range []struct{ name, path string }{{"config_dir", jp.ConfigDir}, {"state.path", jp.State.Path}} {
		if len(f.path) > maxPlanPath {
			return fmt.Errorf("%s is longer than %d bytes", f.name, maxPlanPath)
		}
		for _, r := range f.path {
			if unicode.IsControl(r) || r == unicode.ReplacementChar {
				return fmt.Errorf("%s %q holds a control character or invalid UTF-8", f.name, f.path)
			}
		}
	}
	if s := jp.State.SHA256; s != "" && !isHexSHA256(s) {
		return fmt.Errorf("state.sha256 %q is not 64 lowercase hex digits", s)
	}
	return nil
}

func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// ErrPlanMismatch is the sentinel of a saved plan whose changes are not
// the ones planning its config against its state gives now: the file was
// edited after it was made (see MatchPlan).
var ErrPlanMismatch = errors.New("plan file differs from the plan made now")

// MatchPlan checks that saved, a plan read from a plan file, is exactly
// fresh, the plan made now from the same config against the same state
// (and, for a refreshed plan, with the live drift folded in again): the
// same config digest, state and changes, every body, field and drift
// byte for byte in the plan file format. The recorded paths are not
// compared. The error names the first office that differs and wraps
// ErrPlanMismatch; a plan recording no state digest (made by an older
// officectl) is refused too.
func MatchPlan(saved, fresh *Plan) error {
	if saved.State.SHA256 == "" {
		return fmt.Errorf("%w: it records no state digest (state.sha256), so it cannot be bound to a state; make it again with officectl plan --out", ErrPlanMismatch)
	}
	if saved.ConfigSHA256 != fresh.ConfigSHA256 || saved.State.SHA256 != fresh.State.SHA256 ||
		saved.State.Lineage != fresh.State.Lineage || saved.State.Serial != fresh.State.Serial {
		if err := checkFresh(saved, fresh.ConfigSHA256, fresh.State); err != nil {
			return err
		}
		return fmt.Errorf("%w: its config or state digest is not the one of its config and state now: run officectl plan again and review it", ErrPlanMismatch)
	}
	if len(saved.Changes) != len(fresh.Changes) {
		return fmt.Errorf("%w: it has %s, planning its config against its state gives %s now; it was edited after it was made: run officectl plan again and review it",
			ErrPlanMismatch, plural(len(saved.Changes), "change"), plural(len(fresh.Changes), "change"))
	}
	for i := range saved.Changes {
		a, errA := planChangeJSON(&saved.Changes[i])
		b, errB := planChangeJSON(&fresh.Changes[i])
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			c := &saved.Changes[i]
			return fmt.Errorf("%w: changes[%d] (%s %q) is not what planning its config against its state gives now; it was edited after it was made (or, for plan --refresh, the office changed in Dialpad since): run officectl plan again and review it",
				ErrPlanMismatch, i, c.Action, c.Key)
		}
	}
	return nil
}

// planChangeJSON is c in the plan file format.
func planChangeJSON(c *Change) ([]byte, error) {
	var b bytes.Buffer
	err := RenderJSON(&b, &Plan{Changes: []Change{*c}})
	return b.Bytes(), err
}

// Refreshed reports whether p was made with plan --refresh and saw drift:
// some change carries the live office's drift.
func (p *Plan) Refreshed() bool {
	for i := range p.Changes {
		if p.Changes[i].Drift != nil {
			return true
		}
	}
	return false
}

// BindAPI is what BindPlan asks Dialpad: the company of the key, and the
// live offices of a refreshed plan.
type BindAPI interface {
	CompanyAPI
	DriftAPI
}

// BindPlan checks that saved, a plan read from a plan file, may be
// applied: fresh is the plan made now (MakePlan) from the config at hand,
// whose digest is cfgSHA, against st, the locked state. It refuses a stale
// plan (CheckFresh: state or config changed since) and one whose changes
// differ from fresh (MatchPlan: edited after review). For a refreshed
// plan it first checks the company (CheckCompany) and folds the live drift
// into fresh again (CheckDrift, MergeDrift), so fresh is then what apply
// carries out; it returns the company id when it asked for it, else "".
func BindPlan(ctx context.Context, saved, fresh *Plan, st *state.State, api BindAPI, parallelism int) (company string, err error) {
	if err := CheckFresh(saved, fresh.ConfigSHA256, st); err != nil {
		return "", err
	}
	if saved.Refreshed() {
		if company, err = CheckCompany(ctx, api, st); err != nil {
			return "", err
		}
		rep, err := CheckDrift(ctx, st, DriftOptions{API: api, Parallelism: parallelism, Invocation: fresh.Invocation})
		if err != nil {
			return "", err
		}
		MergeDrift(fresh, rep)
	}
	return company, MatchPlan(saved, fresh)
}

// plural writes n and the noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
