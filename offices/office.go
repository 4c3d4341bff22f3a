package offices

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
)

// Office is the desired state of one secondary office: exactly the fields
// of CreateOfficeMessage. After the schema has filled defaults, the hours
// fields, HoursOn and AutoCallRecording are always set.
//
// Optional fields are pointers or omitempty so that an office marshals to
// the body a user wrote plus the schema's defaults, nothing more.
type Office struct {
	AnnualCommitMonthlyBilling bool               `json:"annual_commit_monthly_billing"`
	AutoCallRecording          bool               `json:"auto_call_recording"`
	BillingAddress             BillingAddress     `json:"billing_address"`
	BillingContact             *BillingContact    `json:"billing_contact,omitempty"`
	Country                    string             `json:"country"`
	Currency                   string             `json:"currency"`
	E911Address                *E911Address       `json:"e911_address,omitempty"`
	FirstAction                string             `json:"first_action,omitempty"`
	FridayHours                []string           `json:"friday_hours"`
	GroupDescription           string             `json:"group_description,omitempty"`
	HoursOn                    bool               `json:"hours_on"`
	InternationalEnabled       *bool              `json:"international_enabled,omitempty"`
	Invoiced                   bool               `json:"invoiced"`
	MainlineNumber             string             `json:"mainline_number,omitempty"`
	MondayHours                []string           `json:"monday_hours"`
	Name                       string             `json:"name"`
	NoOperatorsAction          string             `json:"no_operators_action,omitempty"`
	PlanPeriod                 string             `json:"plan_period"`
	RingSeconds                *int64             `json:"ring_seconds,omitempty"`
	RoutingOptions             *RoutingOptions    `json:"routing_options,omitempty"`
	SaturdayHours              []string           `json:"saturday_hours"`
	SundayHours                []string           `json:"sunday_hours"`
	ThursdayHours              []string           `json:"thursday_hours"`
	Timezone                   string             `json:"timezone,omitempty"`
	TuesdayHours               []string           `json:"tuesday_hours"`
	UnifiedBilling             bool               `json:"unified_billing"`
	UseSameAddress             *bool              `json:"use_same_address,omitempty"`
	VoiceIntelligence          *VoiceIntelligence `json:"voice_intelligence,omitempty"`
	WednesdayHours             []string           `json:"wednesday_hours"`
}

// BillingAddress is BillingContactMessage: the billing address of an office.
type BillingAddress struct {
	AddressLine1 string `json:"address_line_1"`
	AddressLine2 string `json:"address_line_2,omitempty"`
	City         string `json:"city"`
	Country      string `json:"country"`
	PostalCode   string `json:"postal_code"`
	Region       string `json:"region"`
}

// BillingContact is BillingPointOfContactMessage.
type BillingContact struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	Phone string `json:"phone,omitempty"`
}

// E911Address is E911Message: required for offices in US, CA, AU, FR, GB, NZ.
type E911Address struct {
	Address  string `json:"address"`
	Address2 string `json:"address2,omitempty"`
	City     string `json:"city"`
	Country  string `json:"country"`
	State    string `json:"state"`
	Zip      string `json:"zip"`
}

// RoutingOptions says where calls go while the office is open and closed.
type RoutingOptions struct {
	Closed RoutingInner `json:"closed"`
	Open   RoutingInner `json:"open"`
}

// RoutingInner is RoutingOptionsInner.
type RoutingInner struct {
	Action           string        `json:"action"`
	ActionTargetID   *Target       `json:"action_target_id,omitempty"`
	ActionTargetType string        `json:"action_target_type,omitempty"`
	DTMF             []DTMFMapping `json:"dtmf,omitempty"`
	OperatorRouting  string        `json:"operator_routing,omitempty"`
	TryDialOperators bool          `json:"try_dial_operators"`
}

// DTMFMapping is one menu entry: a digit 0-9 and what pressing it does.
type DTMFMapping struct {
	Input   string      `json:"input"`
	Options *DTMFOption `json:"options,omitempty"`
}

// DTMFOption is DtmfOptions.
type DTMFOption struct {
	Action           string  `json:"action,omitempty"`
	ActionTargetID   *Target `json:"action_target_id,omitempty"`
	ActionTargetType string  `json:"action_target_type,omitempty"`
}

// VoiceIntelligence configures Vi for the office.
type VoiceIntelligence struct {
	AllowPause *bool `json:"allow_pause,omitempty"`
	AutoStart  *bool `json:"auto_start,omitempty"`
}

// Target is an action_target_id: either a Dialpad id, or a reference to
// another office, department or call center of the config by its key
// ({office: KEY}, {department: KEY}, {callcenter: KEY}; keys are unique
// across kinds), which apply replaces by its id once it exists. At most
// one of Office, Department and CallCenter is set.
type Target struct {
	ID     int64  // the Dialpad id, when no key is set
	Office string // the key of the office referred to, or ""
	// Department and CallCenter are the key of the department or call
	// center referred to, or "".
	Department, CallCenter string
}

// IsRef reports whether t refers to an office, department or call center
// of the config.
func (t Target) IsRef() bool { return t.Office != "" || t.Department != "" || t.CallCenter != "" }

// Key is the key t refers to, or "" for an id.
func (t Target) Key() string { _, k := t.Ref(); return k }

// RefKind is the kind of what t refers to, as action_target_type names
// it ("office", "department", "callcenter"), or "" for an id.
func (t Target) RefKind() string { k, _ := t.Ref(); return string(k) }

// Ref returns the kind and key t refers to, or ("", "") for an id.
func (t Target) Ref() (Kind, string) {
	switch {
	case t.Office != "":
		return KindOffice, t.Office
	case t.Department != "":
		return KindDepartment, t.Department
	case t.CallCenter != "":
		return KindCallCenter, t.CallCenter
	}
	return "", ""
}

// targetRef is a reference as JSON spells it.
type targetRef struct {
	CallCenter string `json:"callcenter,omitempty"`
	Department string `json:"department,omitempty"`
	Office     string `json:"office,omitempty"`
}

// MarshalJSON writes an id as a JSON number and a reference as
// {"office":KEY}, {"department":KEY} or {"callcenter":KEY}.
func (t Target) MarshalJSON() ([]byte, error) {
	if t.IsRef() {
		return json.Marshal(targetRef{CallCenter: t.CallCenter, Department: t.Department, Office: t.Office})
	}
	return strconv.AppendInt(nil, t.ID, 10), nil
}

// UnmarshalJSON accepts a number, a string of digits (as the API sends
// int64 ids), or one of {"office":KEY}, {"department":KEY} and
// {"callcenter":KEY}.
func (t *Target) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var ref targetRef
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ref); err != nil {
			return fmt.Errorf("action_target_id: %w", err)
		}
		r := Target{Office: ref.Office, Department: ref.Department, CallCenter: ref.CallCenter}
		n := 0
		for _, k := range []string{ref.Office, ref.Department, ref.CallCenter} {
			if k != "" {
				n++
			}
		}
		switch {
		case n == 0:
			return fmt.Errorf("action_target_id: reference needs a non-empty office key (or department, or callcenter)")
		case n > 1:
			return fmt.Errorf("action_target_id: a reference names one key: office, department or callcenter, not two")
		}
		*t = r
		return nil
	}
	id, err := ParseID(b)
	if err != nil {
		return fmt.Errorf("action_target_id: %w", err)
	}
	*t = Target{ID: id}
	return nil
}

// ParseID reads an int64 id sent as a JSON number or a JSON string.
func ParseID(b []byte) (int64, error) {
	s := string(bytes.TrimSpace(b))
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("id %s is not an int64", string(b))
	}
	return id, nil
}

// targets calls f on every action_target_id of o.
func (o *Office) targets(f func(t *Target)) {
	if o.RoutingOptions == nil {
		return
	}
	for _, in := range []*RoutingInner{&o.RoutingOptions.Open, &o.RoutingOptions.Closed} {
		if in.ActionTargetID != nil {
			f(in.ActionTargetID)
		}
		for i := range in.DTMF {
			if opt := in.DTMF[i].Options; opt != nil && opt.ActionTargetID != nil {
				f(opt.ActionTargetID)
			}
		}
	}
}

// References returns the sorted, distinct keys of the offices,
// departments and call centers o refers to.
func (o Office) References() []string {
	seen := map[string]bool{}
	var keys []string
	o.targets(func(t *Target) {
		if _, key := t.Ref(); key != "" && !seen[key] {
			seen[key] = true
			keys = append(keys, key)
		}
	})
	sort.Strings(keys)
	return keys
}

// Resolve returns a deep copy of o with every reference ({office: KEY},
// {department: KEY}, {callcenter: KEY}) replaced by ids[KEY]. It fails,
// naming the key, when an id is missing.
func (o Office) Resolve(ids map[string]int64) (Office, error) {
	c, err := o.Clone()
	if err != nil {
		return Office{}, err
	}
	var missing error
	c.targets(func(t *Target) {
		kind, key := t.Ref()
		if key == "" {
			return
		}
		id, ok := ids[key]
		if !ok {
			if missing == nil {
				missing = fmt.Errorf("%s %q referred to has no Dialpad id yet", kind, key)
			}
			return
		}
		*t = Target{ID: id}
	})
	return c, missing
}

// Clone returns a deep copy of o.
func (o Office) Clone() (Office, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return Office{}, err
	}
	var c Office
	err = json.Unmarshal(b, &c)
	return c, err
}

// Canonical returns the canonical JSON of o: compact, keys sorted (the
// struct fields are declared in key order), references unresolved. Two
// offices are the same desired state exactly when their canonical forms are
// equal.
func (o Office) Canonical() []byte {
	b, err := json.Marshal(o)
	if err != nil {
		// Office holds only strings, bools, ints and slices of them:
		// Marshal cannot fail on it.
		panic("offices: marshal Office: " + err.Error())
	}
	return b
}

// SpecSHA256 is the hex SHA-256 of o's canonical JSON, as kept in state.
func (o Office) SpecSHA256() string {
	sum := sha256.Sum256(o.Canonical())
	return hex.EncodeToString(sum[:])
}
