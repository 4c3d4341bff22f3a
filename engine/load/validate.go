package load

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/build"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/schema"
)

// fileResult is what validating one file (or the CUE instance) found.
type fileResult struct {
	offices []found
	groups  []foundGroup
	diags   []schema.Diagnostic
}

// found is one valid office with the places the cross-file checks point at.
type found struct {
	Desired
	namePos Position
	refs    []ref
}

// ref is one {office|department|callcenter: KEY} reference and where it
// was written.
type ref struct {
	path string // offices.KEY.routing_options.open.action_target_id
	key  string
	pos  Position
	kind string // "office", "department" or "callcenter"
	// targetType is the action_target_type beside the reference, when
	// typeSet (an office with schema errors may not say).
	targetType string
	typeSet    bool
}

// policy is the directory's CUE files: one instance whose constraints
// apply to the offices of every file.
type policy struct {
	files []policyFile
}

type policyFile struct {
	name string
	src  []byte
}

// readPolicy reads and parses the CUE files. It returns nil when there are
// none; syntax errors come back as diagnostics.
func readPolicy(rd *configReader, names []string) (*policy, []schema.Diagnostic, error) {
	if len(names) == 0 {
		return nil, nil, nil
	}
	p := &policy{}
	var diags []schema.Diagnostic
	for _, name := range names {
		src, err := rd.read(name)
		if err != nil {
			diags = append(diags, schema.Diagnostic{File: name, Severity: schema.Error, Message: err.Error()})
			continue
		}
		if _, err := parser.ParseFile(name, src); err != nil {
			diags = append(diags, *syntaxDiag(name, err))
			continue
		}
		p.files = append(p.files, policyFile{name, src})
	}
	return p, diags, nil
}

// validator validates files in one CUE context. It is not safe for
// concurrent use: each worker has its own.
type validator struct {
	// polRules are the problems of offices of the CUE files that break
	// a rule of another CUE file (a policy's bound, say), which keep the
	// instance from building (polErr is then set too): see policyRules.
	polRules []schema.Diagnostic

	ctx    *cue.Context
	schema *schema.Schema
	pol    cue.Value // the CUE instance, or the zero Value
	polErr *schema.Diagnostic
	hours  map[string][]string // the schema's default hours by day; see defaultHours
}

// defaultHours returns the schema's default hours by day, read once.
func (v *validator) defaultHours() map[string][]string {
	if v.hours == nil {
		h, err := DefaultHours(v.schema)
		if err != nil {
			h = map[string][]string{} // cannot happen (the defaults are tested); then any hours warn
		}
		v.hours = h
	}
	return v.hours
}

func newValidator(pol *policy) *validator {
	ctx := schema.NewContext()
	sch, err := schema.Compile(ctx)
	if err != nil {
		// The schema is embedded and tested: failing to compile it is a
		// bug in this build, not in the user's files.
		panic(err)
	}
	v := &validator{ctx: ctx, schema: sch}
	if pol != nil {
		v.pol, v.polErr = pol.build(ctx)
		if v.polErr != nil {
			v.polRules = policyRules(sch, v.pol, pol)
		}
	}
	return v
}

// build compiles the CUE files as one instance in ctx.
func (p *policy) build(ctx *cue.Context) (cue.Value, *schema.Diagnostic) {
	inst := build.NewContext().NewInstance("", nil)
	for _, f := range p.files {
		ast, err := parser.ParseFile(f.name, f.src)
		if err != nil {
			return cue.Value{}, syntaxDiag(f.name, err)
		}
		if err := inst.AddSyntax(ast); err != nil {
			return cue.Value{}, syntaxDiag(f.name, err)
		}
	}
	v := ctx.BuildInstance(inst)
	if err := v.Err(); err != nil {
		name := ""
		if len(p.files) > 0 {
			name = p.files[0].name
		}
		// An instance that does not even build (an undefined reference,
		// say) is reported through the schema's diagnostics when the
		// error has a path, else as one diagnostic.
		return v, syntaxDiag(name, err)
	}
	return v, nil
}

// policyRules explains an instance that does not build because an office
// of a CUE file breaks a rule of another (a policy's bound, say) as the
// schema explains a data file's problems: at the value, with the rule.
// It is nil for any other error (an undefined reference, say), which
// build's one diagnostic reports.
func policyRules(sch *schema.Schema, inst cue.Value, p *policy) []schema.Diagnostic {
	if !ruleBroken(inst.Err()) || len(p.files) == 0 {
		return nil
	}
	if _, ds := sch.Validate(p.files[0].name, inst, cue.Value{}); schema.HasErrors(ds) && placed(ds) {
		return ds
	}
	return nil
}

// ruleBroken reports whether err is only values that break a bound or
// conflict with another value, which the schema's messages explain.
func ruleBroken(err error) bool {
	errs := cueerrors.Errors(err)
	for _, e := range errs {
		f, _ := e.Msg()
		if !strings.HasPrefix(f, "invalid value") && !strings.HasPrefix(f, "conflicting values") {
			return false
		}
	}
	return len(errs) > 0
}

// placed reports whether every diagnostic has a file and a line.
func placed(ds []schema.Diagnostic) bool {
	for _, d := range ds {
		if d.File == "" || d.Line == 0 {
			return false
		}
	}
	return true
}

// files validates YAML and JSON files, one result each. Files that may
// take the fast path are judged by the schema together, as many as hold
// schema.MaxTogether offices and groups in all (Schema.AcceptsAll), which
// costs less than one at a time; a file of more is judged alone, before
// the next is read, so that no more than that is held parsed at once.
func (v *validator) files(rd *configReader, names []string) []fileResult {
	res := make([]fileResult, len(names))
	var waiting []parsedFile // plain files to judge together
	var at []int             // their indexes in names
	objects := 0
	judge := func() {
		tops := make([]map[string]any, len(waiting))
		for j, p := range waiting {
			tops[j] = p.top
		}
		for j, ok := range v.schema.AcceptsAll(tops) {
			if ok {
				res[at[j]] = v.fastResult(waiting[j].name, waiting[j].n, waiting[j].top)
			} else {
				res[at[j]] = v.full(waiting[j])
			}
		}
		waiting, at, objects = waiting[:0], at[:0], 0
	}
	for i, name := range names {
		p, done := v.read(rd, name)
		switch {
		case done != nil:
			res[i] = *done
			continue
		case p.top == nil:
			res[i] = v.full(p)
			continue
		}
		if objects+p.objects > schema.MaxTogether && len(waiting) > 0 {
			judge()
		}
		waiting, at, objects = append(waiting, p), append(at, i), objects+p.objects
		if objects >= schema.MaxTogether {
			judge()
		}
	}
	if len(waiting) > 0 {
		judge()
	}
	return res
}

// parsedFile is a data file read and parsed, to be validated.
type parsedFile struct {
	name string
	src  []byte
	n    ast.Node
	top  map[string]any // its Go value when it may take the fast path (plainTop)
	// objects is the number of offices and groups top defines.
	objects int
}

// read reads and parses one YAML or JSON file. A file that needs no
// validation (a plan file, a JSON Schema) or cannot have it (unreadable,
// a syntax error) comes back done, with its result.
func (v *validator) read(rd *configReader, name string) (parsedFile, *fileResult) {
	src, err := rd.read(name)
	if errors.Is(err, errPlanFile) {
		return parsedFile{}, &fileResult{diags: []schema.Diagnostic{planFileNote(name)}}
	}
	if err != nil {
		return parsedFile{}, &fileResult{diags: []schema.Diagnostic{{File: name, Severity: schema.Error, Message: err.Error()}}}
	}
	if IsPlanFile(src) {
		return parsedFile{}, &fileResult{diags: []schema.Diagnostic{planFileNote(name)}}
	}
	if strings.HasSuffix(name, ".json") && IsJSONSchema(src) {
		return parsedFile{}, &fileResult{diags: []schema.Diagnostic{jsonSchemaNote(name)}}
	}
	n, d := parse(name, src)
	if d != nil {
		return parsedFile{}, &fileResult{diags: []schema.Diagnostic{*d}}
	}
	if v.polErr != nil {
		// The CUE files are broken; instance() reports it once.
		return parsedFile{}, &fileResult{}
	}
	p := parsedFile{name: name, src: src, n: n}
	p.top, p.objects, _ = v.plainTop(n)
	return p, nil
}

// full validates a parsed file the full way: compiled with its positions
// and validated against the schema itself (with the policy).
func (v *validator) full(p parsedFile) fileResult {
	data, d := compileData(v.ctx, p.name, p.n)
	if d != nil {
		return fileResult{diags: []schema.Diagnostic{*d}}
	}
	return v.checkSource(p.name, p.src, data, v.pol)
}

// instance validates the offices and groups the CUE files define. Those
// whose key a data file defines (inData, by "offices.KEY" and the like)
// are not definitions but policy for that one office or group
// (`offices: berlin: plan_period: "yearly"`): the data file's check
// unifies them and reports what conflicts there, so they are left out
// here, where they would read as a second, incomplete definition.
func (v *validator) instance(inData map[string]bool) fileResult {
	if v.polRules != nil {
		return fileResult{diags: v.polRules}
	}
	if v.polErr != nil {
		return fileResult{diags: []schema.Diagnostic{*v.polErr}}
	}
	name := ""
	if p := v.pol.Pos(); p.IsValid() {
		name = p.Filename()
	}
	res := v.check(name, v.pol, cue.Value{})
	if len(inData) == 0 {
		return res
	}
	keep := res.diags[:0]
	for _, d := range res.diags {
		top, rest, _ := strings.Cut(d.Path, ".")
		key, _, _ := strings.Cut(rest, ".")
		if !inData[top+"."+key] {
			keep = append(keep, d)
		}
	}
	res.diags = keep
	res.offices = slices.DeleteFunc(res.offices, func(f found) bool { return inData["offices."+f.Key] })
	res.groups = slices.DeleteFunc(res.groups, func(g foundGroup) bool { return inData[topOf(g.Kind)+"."+g.Key] })
	return res
}

// check validates data (with policy) and extracts its offices.
func (v *validator) check(name string, data, policy cue.Value) fileResult {
	return v.checkSource(name, nil, data, policy)
}

// checkSource is check for data decoded from src, the file's text, which
// hints quote.
func (v *validator) checkSource(name string, src []byte, data, policy cue.Value) fileResult {
	if data.IncompleteKind() != cue.StructKind && data.Exists() {
		return fileResult{diags: []schema.Diagnostic{{File: name, Line: 1, Column: 1, Severity: schema.Error,
			Message: "a config file must be a mapping with the top-level fields offices, departments and callcenters"}}}
	}
	if it, err := data.Fields(); err != nil || !it.Next() {
		if name == "" || strings.HasSuffix(name, ".cue") {
			return fileResult{} // CUE files may hold only policy
		}
		return fileResult{diags: []schema.Diagnostic{{File: name, Line: 1, Column: 1, Severity: schema.Warning,
			Message: "empty file: it defines no office"}}}
	}
	offs := data.LookupPath(cue.ParsePath("offices"))
	u, diags := v.schema.ValidateSource(name, src, data, policy)
	res := fileResult{diags: diags}
	if schema.HasErrors(diags) {
		// officectl's own checks still run wherever the data allows, so
		// that every problem is reported at once.
		res.offices, res.diags = v.partial(name, offs, u, diags)
		var more []schema.Diagnostic
		res.groups, more = v.partialGroups(name, data, u, res.diags)
		res.diags = append(res.diags, more...)
		return res
	}
	res.groups, diags = v.groupsOf(name, data, u)
	res.diags = append(res.diags, diags...)
	if !offs.Exists() {
		return res
	}
	it, err := offs.Fields()
	if err != nil {
		res.diags = append(res.diags, schema.Diagnostic{File: name, Severity: schema.Error, Path: "offices", Message: err.Error()})
		return res
	}
	for it.Next() {
		key := it.Selector().Unquoted()
		f, ds := v.office(key, officeSource{file: name, data: it.Value()}, u.LookupPath(cue.MakePath(cue.Str("offices"), cue.Str(key))))
		res.diags = append(res.diags, ds...)
		res.offices = append(res.offices, f) // the cross checks see it even when in error
	}
	return res
}

// officeSource is one office as its file wrote it: its field in the
// syntax tree (the fast path) or its CUE value (the full path).
type officeSource struct {
	file  string
	field *ast.Field
	plain any // the field's value as plainValue reads it (fast path)
	data  cue.Value
}

// pos is where the field at path (the office itself for "") was written,
// and whether it was.
func (s officeSource) pos(path string) (Position, bool) {
	if s.field == nil {
		v := s.data
		if path != "" {
			v = v.LookupPath(cue.ParsePath(path))
		}
		return posOf(s.file, v), v.Exists()
	}
	f := s.field
	if path != "" {
		f = plainLookup(f.Value, path)
	}
	if f == nil {
		return Position{File: s.file}, false
	}
	p := f.Pos()
	if !p.IsValid() {
		// A field a YAML merge key (<<) brought in on one line has no
		// place of its own; Value.Pos then gives its value's.
		p = f.Value.Pos()
	}
	return tokenPos(s.file, p), true
}

// office decodes one valid office and runs the checks CUE cannot express
// that need no other office: the time zone, and hours that do nothing.
func (v *validator) office(key string, src officeSource, eff cue.Value) (found, []schema.Diagnostic) {
	pos, _ := src.pos("")
	f := found{Desired: Desired{Key: key, Pos: pos}}
	if err := v.decodeOffice(src, eff, &f.Office); err != nil {
		return f, []schema.Diagnostic{{File: f.Pos.File, Line: f.Pos.Line, Column: f.Pos.Column, Severity: schema.Error,
			Path: "offices." + key, Message: fmt.Sprintf("cannot decode office: %v", err)}}
	}
	f.namePos, _ = src.pos("name")
	var diags []schema.Diagnostic
	diag := func(sev, field, msg string) {
		p, _ := src.pos(field)
		if p.Line == 0 {
			p = f.Pos
		}
		diags = append(diags, schema.Diagnostic{File: p.File, Line: p.Line, Column: p.Column, Severity: sev,
			Path: "offices." + key + "." + field, Message: msg})
	}
	if msg := timezoneProblem(f.Office.Timezone); msg != "" {
		diag(schema.Error, "timezone", msg)
	}
	if !f.Office.HoursOn {
		for _, h := range WeekHours(&f.Office) {
			if _, ok := src.pos(h.Day + "_hours"); ok && ignoredHours(h.Hours, h.Day, v.defaultHours()) {
				diag(schema.Warning, h.Day+"_hours", "hours are ignored while hours_on is false (the office takes calls 24/7): set hours_on: true to use them")
			}
		}
	}
	f.refs = refsOf(key, src, f.Office)
	if _, ok := src.pos("operators"); ok {
		m, err := v.dataOf(src, eff)
		if err == nil {
			f.Operators, err = operatorsOf(m)
		}
		if err != nil {
			diag(schema.Error, "operators", fmt.Sprintf("cannot decode operators: %v", err))
		}
		diags = append(diags, operatorDuplicates("offices."+key, src, f.Operators)...)
	}
	return f, diags
}

// timezoneProblem says what is wrong with a time zone name, or "" when it
// is empty or an IANA tz database name.
func timezoneProblem(tz string) string {
	if tz == "" {
		return ""
	}
	zones.Lock()
	msg, ok := zones.problem[tz]
	zones.Unlock()
	if ok {
		return msg
	}
	if _, err := time.LoadLocation(tz); err != nil || tz == "Local" {
		msg = fmt.Sprintf("unknown time zone %q: use an IANA tz database name such as Europe/Berlin or America/New_York", tz)
	}
	zones.Lock()
	if len(zones.problem) < maxZones && len(tz) <= maxZoneName {
		zones.problem[tz] = msg
	}
	zones.Unlock()
	return msg
}

// zones are timezoneProblem's answers by name, shared by the validators:
// time.LoadLocation reads the tz database on every call, which cost 2.5%
// of validating 5,000 offices. There are a few hundred names, none longer
// than 32 bytes; maxZones and maxZoneName bound what a config of made-up
// names can add.
var zones = struct {
	sync.Mutex
	problem map[string]string
}{problem: map[string]string{}}

const (
	maxZones    = 1024
	maxZoneName = 64
)

// decodeOffice fills o with the effective office. Without CUE policy the
// effective office is the user's data with the schema's defaults for what
// it leaves out, and decoding the data alone is about twice as fast as
// exporting the unified value; with policy, the unified value is decoded.
// The data is read from its syntax tree where it can be (plainValue),
// else decoded from its CUE value, which costs less than MarshalJSON then
// json.Unmarshal (measured in the commit that made it), with the same
// offices (TestDecodeOfficeFastPath; export of the
// example and of 2,000 bench files compared byte for byte).
func (v *validator) decodeOffice(src officeSource, eff cue.Value, o *offices.Office) error {
	if v.pol.Exists() {
		return eff.Decode(o)
	}
	if err := json.Unmarshal(v.schema.Defaults(), o); err != nil {
		return err
	}
	x, ok := src.plain, src.plain != nil
	if !ok {
		x, ok = plainValue(valueSource(src.data))
	}
	if ok {
		b, err := json.Marshal(x)
		if err != nil {
			return err
		}
		return json.Unmarshal(b, o)
	}
	if !src.data.Exists() {
		// The fast path takes only plain data, which plainValue reads.
		return fmt.Errorf("cannot read the office as data")
	}
	return src.data.Decode(o)
}

// refsOf lists the office references of o with the places src wrote them.
func refsOf(key string, src officeSource, o offices.Office) []ref {
	if o.RoutingOptions == nil {
		return nil
	}
	var refs []ref
	add := func(path string, t *offices.Target, targetType string) {
		if t == nil || !t.IsRef() {
			return
		}
		p, _ := src.pos(path)
		refs = append(refs, ref{path: "offices." + key + "." + path, key: t.Key(), pos: p, kind: t.RefKind(),
			targetType: targetType, typeSet: true})
	}
	for _, side := range []struct {
		name string
		in   *offices.RoutingInner
	}{{"open", &o.RoutingOptions.Open}, {"closed", &o.RoutingOptions.Closed}} {
		base := "routing_options." + side.name
		add(base+".action_target_id", side.in.ActionTargetID, side.in.ActionTargetType)
		for i, m := range side.in.DTMF {
			if m.Options != nil {
				add(fmt.Sprintf("%s.dtmf[%d].options.action_target_id", base, i), m.Options.ActionTargetID, m.Options.ActionTargetType)
			}
		}
	}
	return refs
}

// posOf is where v was written; file stands in when CUE has no file name.
func posOf(file string, v cue.Value) Position {
	return tokenPos(file, v.Pos())
}

// tokenPos is the Position of p; file stands in when p has no file name.
func tokenPos(file string, p token.Pos) Position {
	if !p.IsValid() || p.Line() == 0 {
		return Position{File: file}
	}
	name := p.Filename()
	if name == "" {
		name = file
	}
	return Position{File: name, Line: p.Line(), Column: p.Column()}
}
