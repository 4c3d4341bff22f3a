package officestest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // timezone names are checked without the host's tz database
	"unicode/utf8"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest/specfacts"
)

// kind is the JSON type a field takes.
type kind int

const (
	kString kind = iota
	kBool
	kInt   // int64: a JSON number, or a string of digits
	kHours // a list of "HH:MM"
	kObject
	kArray // a list of obj
)

// field is the rule of one property.
type field struct {
	kind       kind
	enum       []string
	singleLine bool
	maxLen     int   // in characters, when > 0
	min, max   int64 // bounds of a kInt, when max > 0
	obj        *object
	check      func(s string) string // extra check of a string; "" when fine
}

// object is the rule of one schema of the reference.
type object struct {
	schema   string // its name in components.schemas
	fields   map[string]field
	required []string
	// check adds cross-field errors; m holds the decoded fields.
	check func(path string, m map[string]any, errs *[]string)
}

// The rules below come from the facts of Dialpad's reference
// (specfacts), not from officectl's schema, so the simulator stays an
// independent check of it: fields, types, enums, required lists,
// [single-line only] and the bounds the reference states. What the
// reference states only in prose that names no number stays written
// here: the formats of emails, E.164 numbers, DTMF keys, time zones and
// hours, and that DTMF keys are unique in a menu.

// stringChecks are the format checks of string fields, by schema.field.
var stringChecks = map[string]func(string) string{
	"schemas.plan.BillingPointOfContactMessage.email":    checkEmail,
	"schemas.office.CreateOfficeMessage.mainline_number": checkE164,
	"schemas.office.CreateOfficeMessage.timezone":        checkTimezone,
	"schemas.group.DtmfMapping.input":                    checkDigit,
}

// objectChecks are the cross-field checks, by schema.
var objectChecks = map[string]func(rules *rules) func(path string, m map[string]any, errs *[]string){
	"schemas.group.RoutingOptionsInner": func(*rules) func(string, map[string]any, *[]string) { return checkDTMFUnique },
	"schemas.office.CreateOfficeMessage": func(r *rules) func(string, map[string]any, *[]string) {
		return func(path string, m map[string]any, errs *[]string) { checkE911Required(r.e911Countries, path, m, errs) }
	},
}

// rules are the request rules the simulator checks.
type rules struct {
	createOffice, e911Update *object
	// object builds the rule of any schema of the facts (once each).
	object func(name string) (*object, error)
	// e911Countries need an e911_address, sorted.
	e911Countries []string
}

// loadRules builds the rules from the committed facts once.
var loadRules = sync.OnceValues(func() (*rules, error) {
	f, err := specfacts.Load()
	if err != nil {
		return nil, err
	}
	return buildRules(f)
})

func buildRules(f *specfacts.Facts) (*rules, error) {
	r := &rules{}
	create, err := f.Schema("schemas.office.CreateOfficeMessage")
	if err != nil {
		return nil, err
	}
	r.e911Countries = slices.Sorted(slices.Values(create.Properties["e911_address"].RequiredFor))
	if len(r.e911Countries) == 0 {
		return nil, fmt.Errorf("specfacts: CreateOfficeMessage.e911_address names no country that requires it")
	}
	built := map[string]*object{}
	var build func(name string) (*object, error)
	build = func(name string) (*object, error) {
		if o, ok := built[name]; ok {
			return o, nil
		}
		s, err := f.Schema(name)
		if err != nil {
			return nil, err
		}
		o := &object{schema: name, fields: map[string]field{}, required: s.Required}
		built[name] = o
		if c := objectChecks[name]; c != nil {
			o.check = c(r)
		}
		for pname, p := range s.Properties {
			fl := field{enum: p.Enum, singleLine: p.SingleLine, check: stringChecks[name+"."+pname]}
			if p.MaxLength != nil {
				fl.maxLen = *p.MaxLength
			}
			if p.Minimum != nil && p.Maximum != nil {
				fl.min, fl.max = *p.Minimum, *p.Maximum
			}
			switch {
			case p.Ref != "":
				fl.kind = kObject
				if fl.obj, err = build(p.Ref); err != nil {
					return nil, err
				}
			case p.Type == "array" && p.Items != nil && p.Items.Ref != "":
				fl.kind = kArray
				if fl.obj, err = build(p.Items.Ref); err != nil {
					return nil, err
				}
			case p.Type == "array" && strings.HasSuffix(pname, "_hours"):
				fl.kind = kHours
			case p.Type == "boolean":
				fl.kind = kBool
			case p.Type == "integer":
				fl.kind = kInt
			case p.Type == "string":
				fl.kind = kString
			default:
				return nil, fmt.Errorf("specfacts: %s.%s: type %q has no rule in the simulator", name, pname, p.Type)
			}
			o.fields[pname] = fl
		}
		return o, nil
	}
	r.object = build
	if r.createOffice, err = build("schemas.office.CreateOfficeMessage"); err != nil {
		return nil, err
	}
	if r.e911Update, err = build("schemas.office.E911UpdateMessage"); err != nil {
		return nil, err
	}
	return r, nil
}

// validateCreate checks a POST /api/v2/offices body against
// CreateOfficeMessage and decodes it. It returns every problem found, one
// message each, in a stable order.
func validateCreate(b []byte) (offices.Office, []string) {
	var o offices.Office
	r, err := loadRules()
	if err != nil {
		return o, []string{"simulator: " + err.Error()}
	}
	if errs := validateBody(b, r.createOffice); len(errs) > 0 {
		return o, errs
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return o, []string{"Invalid request body: " + err.Error()}
	}
	return o, nil
}

// validateE911Update checks a PUT /api/v2/offices/{id}/e911 body.
func validateE911Update(b []byte) (offices.E911Update, []string) {
	var u offices.E911Update
	r, err := loadRules()
	if err != nil {
		return u, []string{"simulator: " + err.Error()}
	}
	if errs := validateBody(b, r.e911Update); len(errs) > 0 {
		return u, errs
	}
	if err := decodeStrict(b, &u); err != nil {
		return u, []string{"Invalid request body: " + err.Error()}
	}
	return u, nil
}

// validateBody parses b as one JSON object and checks it against obj.
func validateBody(b []byte, obj *object) []string {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []string{"Invalid JSON in request body: " + err.Error()}
	}
	if dec.More() {
		return []string{"Invalid JSON in request body: more than one value"}
	}
	var errs []string
	validateObject("", obj, v, &errs)
	return errs
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func validateObject(path string, obj *object, v any, errs *[]string) {
	m, ok := v.(map[string]any)
	if !ok {
		where := path
		if where == "" {
			where = "request body"
		}
		*errs = append(*errs, fmt.Sprintf("%s: must be an object", where))
		return
	}
	for _, name := range slices.Sorted(maps.Keys(m)) {
		if _, known := obj.fields[name]; !known {
			*errs = append(*errs, fmt.Sprintf("%s: unknown field", join(path, name)))
		}
	}
	for _, name := range obj.required {
		if x, ok := m[name]; !ok || x == nil {
			*errs = append(*errs, fmt.Sprintf("%s: required field missing", join(path, name)))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(obj.fields)) {
		x, ok := m[name]
		if !ok || x == nil {
			continue
		}
		validateField(join(path, name), obj.fields[name], x, slices.Contains(obj.required, name), errs)
	}
	if obj.check != nil {
		obj.check(path, m, errs)
	}
}

func validateField(path string, f field, v any, required bool, errs *[]string) {
	bad := func(format string, args ...any) {
		*errs = append(*errs, path+": "+fmt.Sprintf(format, args...))
	}
	switch f.kind {
	case kBool:
		if _, ok := v.(bool); !ok {
			bad("must be true or false")
		}
	case kInt:
		n, ok := asInt(v)
		if !ok {
			bad("must be an integer (int64)")
			return
		}
		if f.max > 0 && (n < f.min || n > f.max) {
			bad("%d is out of range: choose from %d to %d", n, f.min, f.max)
		}
	case kHours:
		validateHours(path, v, errs)
	case kObject:
		validateObject(path, f.obj, v, errs)
	case kArray:
		list, ok := v.([]any)
		if !ok {
			bad("must be a list")
			return
		}
		for i, x := range list {
			validateObject(fmt.Sprintf("%s[%d]", path, i), f.obj, x, errs)
		}
	case kString:
		s, ok := v.(string)
		if !ok {
			bad("must be a string")
			return
		}
		switch {
		case required && strings.TrimSpace(s) == "":
			bad("must not be empty")
		case f.singleLine && strings.ContainsAny(s, "\r\n"):
			bad("must be a single line")
		case f.maxLen > 0 && utf8.RuneCountInString(s) > f.maxLen:
			bad("is %d characters long; at most %d are allowed", utf8.RuneCountInString(s), f.maxLen)
		case f.enum != nil && !slices.Contains(f.enum, s):
			if len(f.enum) <= 12 {
				bad("%q is not one of %s", s, strings.Join(f.enum, ", "))
			} else {
				bad("%q is not one of the %d allowed values", s, len(f.enum))
			}
		case f.check != nil && s != "":
			if msg := f.check(s); msg != "" {
				bad("%s", msg)
			}
		}
	}
}

// asInt reads an int64 sent as a JSON number or a string of digits.
func asInt(v any) (int64, bool) {
	switch v := v.(type) {
	case json.Number:
		n, err := v.Int64()
		return n, err == nil
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	return 0, false
}

var hhmm = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// validateHours checks a *_hours list: "HH:MM" times, an even number of
// them, strictly ascending (pairs of opening and closing times).
func validateHours(path string, v any, errs *[]string) {
	list, ok := v.([]any)
	if !ok {
		*errs = append(*errs, path+": must be a list of \"HH:MM\" times")
		return
	}
	prev := ""
	for i, x := range list {
		s, ok := x.(string)
		if !ok || !hhmm.MatchString(s) {
			*errs = append(*errs, fmt.Sprintf("%s[%d]: %v is not a time \"HH:MM\" from 00:00 to 23:59", path, i, jsonText(x)))
			return
		}
		if prev != "" && s <= prev {
			*errs = append(*errs, fmt.Sprintf("%s[%d]: %q does not come after %q: times must be strictly ascending", path, i, s, prev))
			return
		}
		prev = s
	}
	if len(list)%2 != 0 {
		*errs = append(*errs, fmt.Sprintf("%s: has %d times; they must come in pairs (open, close)", path, len(list)))
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func checkEmail(s string) string {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return fmt.Sprintf("%q is not an email address", s)
	}
	return ""
}

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)

func checkE164(s string) string {
	if !e164.MatchString(s) {
		return fmt.Sprintf("%q is not a phone number in E.164 form (e.g. +14155551000)", s)
	}
	return ""
}

func checkDigit(s string) string {
	if len(s) != 1 || s[0] < '0' || s[0] > '9' {
		return fmt.Sprintf("%q is not one digit from 0 to 9", s)
	}
	return ""
}

func checkTimezone(s string) string {
	if s == "Local" {
		return `"Local" is not a tz database name`
	}
	if _, err := time.LoadLocation(s); err != nil {
		return fmt.Sprintf("%q is not a tz database name (e.g. Europe/Berlin)", s)
	}
	return ""
}

// checkE911Required: an e911_address is required for some countries.
func checkE911Required(e911Countries []string, path string, m map[string]any, errs *[]string) {
	c, _ := m["country"].(string)
	if slices.Contains(e911Countries, c) && m["e911_address"] == nil {
		*errs = append(*errs, fmt.Sprintf("%s: required for offices in %s (required for %s)",
			join(path, "e911_address"), c, strings.Join(e911Countries, ", ")))
	}
}

// checkDTMFUnique: each DTMF input appears once in its list.
func checkDTMFUnique(path string, m map[string]any, errs *[]string) {
	list, _ := m["dtmf"].([]any)
	seen := map[string]int{}
	for i, x := range list {
		e, _ := x.(map[string]any)
		in, _ := e["input"].(string)
		if in == "" {
			continue
		}
		if j, dup := seen[in]; dup {
			*errs = append(*errs, fmt.Sprintf("%s.dtmf[%d].input: %q is already used by dtmf[%d]", path, i, in, j))
			continue
		}
		seen[in] = i
	}
}
