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
	"time"
	_ "time/tzdata" // timezone names are checked without the host's tz database
	"unicode/utf8"

	"github.com/officectl/officectl/offices"
)

// The enums of the API reference. A test checks them against the spec.
var (
	countries = []string{
		"AR", "AT", "AU", "BD", "BE", "BG", "BH", "BR", "CA", "CH", "CI", "CL", "CN", "CO",
		"CR", "CY", "CZ", "DE", "DK", "DO", "DP", "EC", "EE", "EG", "ES", "FI", "FR", "GB",
		"GH", "GR", "GT", "HK", "HR", "HU", "ID", "IE", "IL", "IN", "IS", "IT", "JP", "KE",
		"KH", "KR", "KZ", "LK", "LT", "LU", "LV", "MA", "MD", "MM", "MT", "MX", "MY", "NG",
		"NL", "NO", "NZ", "PA", "PE", "PH", "PK", "PL", "PR", "PT", "PY", "RO", "RU", "SA",
		"SE", "SG", "SI", "SK", "SV", "TH", "TR", "TW", "UA", "US", "UY", "VE", "VN", "ZA",
	}
	currencies   = []string{"AUD", "CAD", "EUR", "GBP", "JPY", "NZD", "USD"}
	planPeriods  = []string{"monthly", "yearly"}
	firstActions = []string{"menu", "operators"}
	// routingActions is the enum of no_operators_action and of every
	// routing and DTMF action.
	routingActions = []string{
		"bridge_target", "company_directory", "department", "directory", "disabled", "extension",
		"menu", "message", "operator", "person", "scripted_ivr", "voicemail",
	}
	targetTypes = []string{
		"callcenter", "callrouter", "channel", "coachinggroup", "contact", "contactgroup",
		"department", "office", "room", "staffgroup", "unknown", "user",
	}
	operatorRoutings = []string{"fixedorder", "longestidle", "mostskilled", "random", "roundrobin", "simultaneous"}

	// e911Countries need an e911_address.
	e911Countries = []string{"AU", "CA", "FR", "GB", "NZ", "US"}
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

var (
	e911Message = &object{
		schema: "schemas.office.E911Message",
		fields: map[string]field{
			"address": {singleLine: true}, "address2": {singleLine: true},
			"city": {singleLine: true}, "country": {}, "state": {singleLine: true},
			"zip": {singleLine: true},
		},
		required: []string{"address", "city", "country", "state", "zip"},
	}
	e911UpdateMessage = &object{
		schema: "schemas.office.E911UpdateMessage",
		fields: map[string]field{
			"address": {singleLine: true}, "address2": {singleLine: true},
			"city": {singleLine: true}, "country": {}, "state": {singleLine: true},
			"zip": {singleLine: true}, "update_all": {kind: kBool},
			"use_validated_option": {kind: kBool},
		},
		required: []string{"address", "city", "country", "state", "zip"},
	}
	billingContactMessage = &object{
		schema: "schemas.plan.BillingContactMessage",
		fields: map[string]field{
			"address_line_1": {singleLine: true}, "address_line_2": {singleLine: true},
			"city": {singleLine: true}, "country": {}, "postal_code": {singleLine: true},
			"region": {singleLine: true},
		},
		required: []string{"address_line_1", "city", "country", "postal_code", "region"},
	}
	billingPointOfContact = &object{
		schema: "schemas.plan.BillingPointOfContactMessage",
		fields: map[string]field{
			"email": {check: checkEmail}, "name": {singleLine: true}, "phone": {},
		},
		required: []string{"email", "name"},
	}
	dtmfOptions = &object{
		schema: "schemas.group.DtmfOptions",
		fields: map[string]field{
			"action": {enum: routingActions}, "action_target_id": {kind: kInt},
			"action_target_type": {enum: targetTypes},
		},
	}
	dtmfMapping = &object{
		schema: "schemas.group.DtmfMapping",
		fields: map[string]field{
			"input":   {check: checkDigit},
			"options": {kind: kObject, obj: dtmfOptions},
		},
	}
	routingOptionsInner = &object{
		schema: "schemas.group.RoutingOptionsInner",
		fields: map[string]field{
			"action": {enum: routingActions}, "action_target_id": {kind: kInt},
			"action_target_type": {enum: targetTypes},
			"dtmf":               {kind: kArray, obj: dtmfMapping},
			"operator_routing":   {enum: operatorRoutings},
			"try_dial_operators": {kind: kBool},
		},
		required: []string{"action", "try_dial_operators"},
		check:    checkDTMFUnique,
	}
	routingOptions = &object{
		schema: "schemas.group.RoutingOptions",
		fields: map[string]field{
			"closed": {kind: kObject, obj: routingOptionsInner},
			"open":   {kind: kObject, obj: routingOptionsInner},
		},
		required: []string{"closed", "open"},
	}
	voiceIntelligence = &object{
		schema: "schemas.group.VoiceIntelligence",
		fields: map[string]field{"allow_pause": {kind: kBool}, "auto_start": {kind: kBool}},
	}
	createOfficeMessage = &object{
		schema: "schemas.office.CreateOfficeMessage",
		fields: map[string]field{
			"annual_commit_monthly_billing": {kind: kBool},
			"auto_call_recording":           {kind: kBool},
			"billing_address":               {kind: kObject, obj: billingContactMessage},
			"billing_contact":               {kind: kObject, obj: billingPointOfContact},
			"country":                       {enum: countries},
			"currency":                      {enum: currencies},
			"e911_address":                  {kind: kObject, obj: e911Message},
			"first_action":                  {enum: firstActions},
			"friday_hours":                  {kind: kHours},
			"group_description":             {maxLen: 256},
			"hours_on":                      {kind: kBool},
			"international_enabled":         {kind: kBool},
			"invoiced":                      {kind: kBool},
			"mainline_number":               {check: checkE164},
			"monday_hours":                  {kind: kHours},
			"name":                          {singleLine: true},
			"no_operators_action":           {enum: routingActions},
			"plan_period":                   {enum: planPeriods},
			"ring_seconds":                  {kind: kInt, min: 10, max: 45},
			"routing_options":               {kind: kObject, obj: routingOptions},
			"saturday_hours":                {kind: kHours},
			"sunday_hours":                  {kind: kHours},
			"thursday_hours":                {kind: kHours},
			"timezone":                      {check: checkTimezone},
			"tuesday_hours":                 {kind: kHours},
			"unified_billing":               {kind: kBool},
			"use_same_address":              {kind: kBool},
			"voice_intelligence":            {kind: kObject, obj: voiceIntelligence},
			"wednesday_hours":               {kind: kHours},
		},
		required: []string{
			"annual_commit_monthly_billing", "billing_address", "country", "currency",
			"invoiced", "name", "plan_period", "unified_billing",
		},
		check: checkE911Required,
	}
)

// validateCreate checks a POST /api/v2/offices body against
// CreateOfficeMessage and decodes it. It returns every problem found, one
// message each, in a stable order.
func validateCreate(b []byte) (offices.Office, []string) {
	var o offices.Office
	if errs := validateBody(b, createOfficeMessage); len(errs) > 0 {
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
	if errs := validateBody(b, e911UpdateMessage); len(errs) > 0 {
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
func checkE911Required(path string, m map[string]any, errs *[]string) {
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
