package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// maxPlanFileSize bounds what ReadPlanFile reads: far above any real plan
// (10,000 offices make about 20 MB), low enough not to exhaust memory.
const maxPlanFileSize = 256 << 20

// WritePlanFile writes p in the plan file format: the JSON rendering
// (RenderJSON), which holds everything apply needs — the format version,
// the config digest, the state's lineage and serial, and for each change
// its action, depends_on and, for create, resume and update-e911, the full
// desired office.
func WritePlanFile(w io.Writer, p *Plan) error {
	return RenderJSON(w, p)
}

// SavePlanFile writes p to path atomically (a temporary file in the same
// folder, renamed over path), with mode 0600: a plan holds billing
// contacts and addresses. It first checks path with CheckOutPath, against
// the config directory and state file p records (Plan.SetPaths).
func SavePlanFile(path string, p *Plan) (err error) {
	dir, statePath := p.Paths(path)
	if err := CheckOutPath(path, dir, statePath); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := WritePlanFile(&buf, p); err != nil {
		return fmt.Errorf("save plan file %s: %w", path, err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("save plan file: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("save plan file %s: %w", path, err)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// ErrNotPlanFile is wrapped by the errors of ReadPlan for data that is not
// an officectl plan at all (not a JSON object with a format_version), as
// opposed to a plan file that is damaged or of another version.
var ErrNotPlanFile = errors.New("not an officectl plan file")

// ReadPlanFile reads a plan saved by SavePlanFile. Its errors name the file
// and say what is wrong with it; see ReadPlan.
func ReadPlanFile(path string) (*Plan, error) {
	data, err := load.ReadRegularFile(path, maxPlanFileSize)
	if err != nil {
		return nil, fmt.Errorf("read plan file: %w", err)
	}
	p, err := ReadPlan(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("plan file %s: %w", path, err)
	}
	return p, nil
}

// ReadPlan decodes a plan in the plan file format. It reads format_version
// first and refuses any version but PlanFormatVersion; then it checks what
// apply relies on: known actions, distinct keys, a body for create, resume
// and update-e911 whose references are exactly depends_on, and every
// dependency on an office of the plan listed before it. The plan read has
// no state entries, and Office only where the file has a body.
func ReadPlan(r io.Reader) (*Plan, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxPlanFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxPlanFileSize {
		return nil, fmt.Errorf("larger than %d MB: not an officectl plan file", maxPlanFileSize>>20)
	}

	if !json.Valid(data) {
		var v any
		err := json.Unmarshal(data, &v) // says where
		return nil, fmt.Errorf("%w (invalid JSON: %w)", ErrNotPlanFile, err)
	}
	if t := bytes.TrimLeft(data, " \t\r\n"); t[0] != '{' {
		return nil, fmt.Errorf("%w (a JSON object is expected)", ErrNotPlanFile)
	}
	var head struct {
		FormatVersion *json.RawMessage `json:"format_version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotPlanFile, err)
	}
	if head.FormatVersion == nil {
		return nil, fmt.Errorf("%w (no format_version); make one with officectl plan --out FILE", ErrNotPlanFile)
	}
	var version int
	if err := json.Unmarshal(*head.FormatVersion, &version); err != nil {
		return nil, fmt.Errorf("format_version %s is not a whole number", *head.FormatVersion)
	}
	if version < MinPlanFormatVersion || version > PlanFormatVersion {
		return nil, fmt.Errorf("plan format_version %d is not supported (this officectl reads versions %d to %d); run officectl plan again with this officectl", version, MinPlanFormatVersion, PlanFormatVersion)
	}

	var jp jsonPlan
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&jp); err != nil {
		return nil, fmt.Errorf("corrupt plan: %w", err)
	}
	if err := checkPlanHeader(&jp); err != nil {
		return nil, fmt.Errorf("corrupt plan: %w", err)
	}

	p := &Plan{
		FormatVersion: jp.FormatVersion,
		ConfigSHA256:  jp.ConfigSHA256,
		ConfigDir:     jp.ConfigDir,
		State:         jp.State,
		Changes:       make([]Change, len(jp.Changes)),
	}
	index := make(map[string]int, len(jp.Changes))
	for i, jc := range jp.Changes {
		if err := checkPlanChange(jc, index, jp.Changes[:i]); err != nil {
			return nil, fmt.Errorf("corrupt plan: changes[%d]: %w", i, err)
		}
		if version < 2 && (jc.Action == ActionMove || jc.MovedFrom != "") {
			return nil, fmt.Errorf("corrupt plan: changes[%d]: %q: a move needs format_version 2", i, jc.Key)
		}
		if _, twice := index[jc.Key]; twice && version < 2 {
			return nil, fmt.Errorf("corrupt plan: changes[%d]: %s %q appears twice", i, kindWord(jc.Kind), jc.Key)
		}
		index[jc.Key] = i
		p.Changes[i] = Change{Key: jc.Key, Action: jc.Action, Name: jc.Name, DependsOn: normDeps(jc.DependsOn), Office: jc.Body, Drift: jc.Drift,
			Members: jc.Members, Note: jc.Note, MovedFrom: jc.MovedFrom, Warning: jc.Warning}
		if jc.Kind != offices.KindOffice {
			p.Changes[i].Kind = jc.Kind
		}
		if g := jc.Group; g != nil {
			p.Changes[i].Group = &load.DesiredGroup{Key: jc.Key, Kind: string(jc.Kind), Office: g.Office, OfficeID: g.OfficeID,
				Name: jc.Name, Body: g.Body, Operators: g.Operators, Protect: g.Protect}
		}
		if jc.Fields != nil && len(*jc.Fields) > 0 {
			p.Changes[i].Fields = *jc.Fields
		}
	}
	// Apply order: an office after every office of the plan it depends
	// on, orphans aside (they exist already and come last).
	for i, c := range p.Changes {
		for _, d := range c.DependsOn {
			if j, ok := index[d]; ok && j > i && p.Changes[j].Action != ActionOrphan {
				return nil, fmt.Errorf("corrupt plan: changes[%d]: %s %q comes before %s %q, which it depends on", i, kindWord(c.Kind), c.Key, kindWord(p.Changes[j].Kind), d)
			}
		}
	}
	// The summary is derived data, but a mismatch means the file was
	// edited or damaged.
	if got := p.Summary(); got != jp.Summary {
		return nil, fmt.Errorf("corrupt plan: summary %+v does not match the changes (%+v)", jp.Summary, got)
	}
	return p, nil
}

// checkPlanChange checks one change of a plan file on its own; seen holds
// the keys of the changes before it, which are before. A key may appear
// twice only as a kind change: the delete (or protected no-op) of a group
// of one kind right before the change of a group of another kind.
func checkPlanChange(jc jsonChange, seen map[string]int, before []jsonChange) error {
	j, dup := seen[jc.Key]
	if dup {
		prev := before[j]
		kindChange := j == len(before)-1 && prev.Kind != jc.Kind && isGroupKind(prev.Kind) && isGroupKind(jc.Kind) &&
			(prev.Action == ActionDelete || prev.Action == ActionNoOp)
		if !kindChange {
			return fmt.Errorf("%s %q appears twice (a key appears twice only when its kind changes: a delete of the old kind right before the new one)", kindWord(jc.Kind), jc.Key)
		}
	}
	switch {
	case jc.Key == "":
		return errors.New("empty key")
	case !jc.Action.Valid():
		return fmt.Errorf("%s %q: unknown action %q", kindWord(jc.Kind), jc.Key, jc.Action)
	case jc.Kind != "" && !jc.Kind.Valid():
		return fmt.Errorf("%q: unknown kind %q", jc.Key, jc.Kind)
	case jc.Kind != "" && jc.Kind != offices.KindOffice:
		return checkGroupChange(jc)
	case jc.Action == ActionMove || jc.MovedFrom != "":
		return fmt.Errorf("office %q: offices are never moved (only departments and call centers)", jc.Key)
	case jc.Action == ActionUpdate && jc.Body == nil:
	case jc.Action == ActionDelete:
		return fmt.Errorf("office %q: offices are never deleted", jc.Key)
	case hasBody(jc.Action) != (jc.Body != nil):
		if jc.Body == nil {
			return fmt.Errorf("office %q: action %s needs a body", jc.Key, jc.Action)
		}
		return fmt.Errorf("office %q: action %s has no body", jc.Key, jc.Action)
	case !hasFields(jc.Action) && jc.Fields != nil:
		return fmt.Errorf("office %q: action %s has no fields", jc.Key, jc.Action)
	case jc.Action == ActionOrphan && len(jc.DependsOn) > 0:
		return fmt.Errorf("office %q: an orphan depends on nothing", jc.Key)
	}
	if jc.Body != nil && !slices.Equal(jc.Body.References(), normDeps(jc.DependsOn)) {
		return fmt.Errorf("office %q: depends_on %q does not match the body's references %q", jc.Key, jc.DependsOn, jc.Body.References())
	}
	if !slices.IsSorted(jc.DependsOn) {
		return fmt.Errorf("office %q: depends_on is not sorted", jc.Key)
	}
	if slices.Contains(jc.DependsOn, jc.Key) {
		return fmt.Errorf("office %q depends on itself", jc.Key)
	}
	return nil
}

// kindWord names kind k in messages: "office" for "" too.
func kindWord(k offices.Kind) string {
	if k == "" {
		return string(offices.KindOffice)
	}
	return string(k)
}

// isGroupKind reports whether k is a department's or call center's.
func isGroupKind(k offices.Kind) bool {
	return k == offices.KindDepartment || k == offices.KindCallCenter
}

// checkGroupChange checks one department or call center change of a plan
// file: a group for create, resume, update and move, none for a delete,
// and never an office body; a move names the key it moves from, and
// nothing else does.
func checkGroupChange(jc jsonChange) error {
	wantGroup := jc.Action == ActionCreate || jc.Action == ActionResume || jc.Action == ActionUpdate || jc.Action == ActionMove
	switch {
	case (jc.Action == ActionMove) != (jc.MovedFrom != "") && jc.Action != ActionManual:
		return fmt.Errorf("%s %q: moved_from is for a move, and a move needs one", jc.Kind, jc.Key)
	case jc.MovedFrom == jc.Key && jc.MovedFrom != "":
		return fmt.Errorf("%s %q moves from itself", jc.Kind, jc.Key)
	case jc.Body != nil:
		return fmt.Errorf("%s %q: has an office body", jc.Kind, jc.Key)
	case jc.Action == ActionUpdateE911 || jc.Action == ActionOrphan:
		return fmt.Errorf("%s %q: action %s is for offices only", jc.Kind, jc.Key, jc.Action)
	case wantGroup && jc.Group == nil:
		return fmt.Errorf("%s %q: action %s needs a group", jc.Kind, jc.Key, jc.Action)
	case jc.Action == ActionDelete && (jc.Group != nil || len(jc.DependsOn) > 0):
		return fmt.Errorf("%s %q: a delete has no group and depends on nothing", jc.Kind, jc.Key)
	case !slices.IsSorted(jc.DependsOn):
		return fmt.Errorf("%s %q: depends_on is not sorted", jc.Kind, jc.Key)
	case slices.Contains(jc.DependsOn, jc.Key):
		return fmt.Errorf("%s %q depends on itself", jc.Kind, jc.Key)
	}
	if jc.Group != nil && !json.Valid(jc.Group.Body) {
		return fmt.Errorf("%s %q: group body is not JSON", jc.Kind, jc.Key)
	}
	return nil
}

// normDeps maps an empty depends_on to nil, as References returns.
func normDeps(d []string) []string {
	if len(d) == 0 {
		return nil
	}
	return d
}

// ErrStalePlan is the sentinel of StalePlanError: errors.Is(err,
// ErrStalePlan) reports that a saved plan no longer matches the state or
// config it was made from.
var ErrStalePlan = errors.New("plan is stale")

// StalePlanError says why a saved plan is stale. It unwraps to ErrStalePlan.
type StalePlanError struct {
	// What changed: "lineage", "serial", "state" (its content, same
	// lineage and serial) or "config".
	What string
	// Plan is the value the plan recorded, Now the current one.
	Plan, Now string
}

func (e *StalePlanError) Error() string {
	var what string
	switch e.What {
	case "lineage":
		what = fmt.Sprintf("the state was replaced since (lineage %s → %s)", orNone(e.Plan), orNone(e.Now))
	case "serial":
		what = fmt.Sprintf("state changed since (serial %s → %s)", e.Plan, e.Now)
	case "state":
		what = fmt.Sprintf("the state file's content is not the one the plan was made against (sha256 %s → %s), although its lineage and serial are", short(e.Plan), short(e.Now))
	default:
		what = fmt.Sprintf("config changed since (sha256 %s → %s)", short(e.Plan), short(e.Now))
	}
	return "plan is stale: " + what + "; run officectl plan again"
}

// Unwrap returns ErrStalePlan.
func (e *StalePlanError) Unwrap() error { return ErrStalePlan }

func orNone(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return orNone(sha)
}

// CheckFresh returns a *StalePlanError when st is not the state p was made
// against (lineage or serial differ: a plan made against an empty state
// records lineage "" and serial 0, so any saved state since makes it
// stale; or the state's digest differs from the one p records, when it
// records one), or when cfgSHA, the digest of the config at hand, differs
// from the plan's. cfgSHA "" skips the config check (applying a plan file
// without its config). A nil st is an empty state.
func CheckFresh(p *Plan, cfgSHA string, st *state.State) error {
	if st == nil {
		st = state.New()
	}
	return checkFresh(p, cfgSHA, StateRef{Lineage: st.Lineage, Serial: st.Serial, SHA256: StateSHA256(st)})
}

// checkFresh is CheckFresh against the state now identifies.
func checkFresh(p *Plan, cfgSHA string, now StateRef) error {
	if p.State.Lineage == "" && now.Lineage != "" && now.Serial != p.State.Serial {
		// Made against an empty state that has been saved since.
		return &StalePlanError{What: "serial", Plan: fmt.Sprint(p.State.Serial), Now: fmt.Sprint(now.Serial)}
	}
	if now.Lineage != p.State.Lineage {
		return &StalePlanError{What: "lineage", Plan: p.State.Lineage, Now: now.Lineage}
	}
	if now.Serial != p.State.Serial {
		return &StalePlanError{What: "serial", Plan: fmt.Sprint(p.State.Serial), Now: fmt.Sprint(now.Serial)}
	}
	if p.State.SHA256 != "" && now.SHA256 != p.State.SHA256 {
		return &StalePlanError{What: "state", Plan: p.State.SHA256, Now: now.SHA256}
	}
	if cfgSHA != "" && cfgSHA != p.ConfigSHA256 {
		return &StalePlanError{What: "config", Plan: p.ConfigSHA256, Now: cfgSHA}
	}
	return nil
}

var _ error = (*StalePlanError)(nil)
