package offices

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Live is an office as the Dialpad API returns it (OfficeProto). Each
// field is the OfficeProto property named by its json tag.
//
// The API sends int64 fields (id, office_id, ring_seconds) as JSON strings
// ("124") in its examples and as numbers elsewhere; Live accepts both and
// writes numbers. Country codes come back lower-case ("us").
type Live struct {
	// AvailabilityStatus is closed, holiday_closed, holiday_open or open.
	AvailabilityStatus string `json:"availability_status,omitempty"`
	// Country is the office's country code, lower-case ("us").
	Country     string    `json:"country,omitempty"`
	E911Address *LiveE911 `json:"e911_address,omitempty"`
	FirstAction string    `json:"first_action,omitempty"`
	FridayHours []string  `json:"friday_hours,omitempty"`
	// ID is the office's Dialpad id; OfficeID repeats it.
	ID                int64           `json:"id,omitempty"`
	IsPrimaryOffice   bool            `json:"is_primary_office,omitempty"`
	MondayHours       []string        `json:"monday_hours,omitempty"`
	Name              string          `json:"name,omitempty"`
	NoOperatorsAction string          `json:"no_operators_action,omitempty"`
	OfficeID          int64           `json:"office_id,omitempty"`
	OfficeSettings    *OfficeSettings `json:"office_settings,omitempty"`
	PhoneNumbers      []string        `json:"phone_numbers,omitempty"`
	// RingSeconds is how long the main line rings before
	// no_operators_action; nil when the API does not say.
	RingSeconds    *int64          `json:"ring_seconds,omitempty"`
	RoutingOptions *RoutingOptions `json:"routing_options,omitempty"`
	SaturdayHours  []string        `json:"saturday_hours,omitempty"`
	// State is active, cancelled, deleted, pending or suspended.
	State          string   `json:"state,omitempty"`
	SundayHours    []string `json:"sunday_hours,omitempty"`
	ThursdayHours  []string `json:"thursday_hours,omitempty"`
	Timezone       string   `json:"timezone,omitempty"`
	TuesdayHours   []string `json:"tuesday_hours,omitempty"`
	WednesdayHours []string `json:"wednesday_hours,omitempty"`
}

// UnmarshalJSON decodes an OfficeProto, accepting its int64 fields as
// numbers or strings of digits.
func (l *Live) UnmarshalJSON(b []byte) error {
	type plain Live
	return decodeInts(b, (*plain)(l), "id", "office_id", "ring_seconds")
}

// LiveE911 is an office's emergency address as the API returns it
// (E911GetProto); its country comes back lower-case. Each field is the
// property named by its json tag.
type LiveE911 struct {
	Address  string `json:"address,omitempty"`
	Address2 string `json:"address2,omitempty"`
	City     string `json:"city,omitempty"`
	Country  string `json:"country,omitempty"`
	State    string `json:"state,omitempty"`
	Zip      string `json:"zip,omitempty"`
}

// OfficeSettings is OfficeSettings: office-specific switches, each the
// property named by its json tag.
type OfficeSettings struct {
	AllowDeviceGuestLogin         bool `json:"allow_device_guest_login"`
	BlockCallerIDDisabled         bool `json:"block_caller_id_disabled"`
	BridgedTargetRecordingAllowed bool `json:"bridged_target_recording_allowed"`
	DisableDeskPhoneSelfProvision bool `json:"disable_desk_phone_self_provision"`
	DisableIVRVoicemail           bool `json:"disable_ivr_voicemail"`
	NoRecordingMessageOnUserCalls bool `json:"no_recording_message_on_user_calls"`
	SetCallerIDDisabled           bool `json:"set_caller_id_disabled"`
}

// E911Update is the body of PUT /api/v2/offices/{id}/e911
// (E911UpdateMessage): the new address and two options.
type E911Update struct {
	E911Address
	// UpdateAll updates the E911 address of every user of the office too.
	UpdateAll *bool `json:"update_all,omitempty"`
	// UseValidatedOption uses the address as validated by Dialpad's
	// address service.
	UseValidatedOption *bool `json:"use_validated_option,omitempty"`
}

// Company is the company the API key belongs to (CompanyProto). Each
// field is the property named by its json tag; the API sends ID and
// OfficeCount as strings or numbers.
type Company struct {
	// AccountType is enterprise, free, pro or standard.
	AccountType string `json:"account_type,omitempty"`
	AdminEmail  string `json:"admin_email,omitempty"`
	Country     string `json:"country,omitempty"`
	Domain      string `json:"domain,omitempty"`
	ID          int64  `json:"id,omitempty"`
	Name        string `json:"name,omitempty"`
	OfficeCount int64  `json:"office_count,omitempty"`
	// State is active, cancelled, deleted, pending or suspended.
	State string `json:"state,omitempty"`
}

// UnmarshalJSON decodes a CompanyProto, accepting its int64 fields as
// numbers or strings of digits.
func (c *Company) UnmarshalJSON(b []byte) error {
	type plain Company
	return decodeInts(b, (*plain)(c), "id", "office_count")
}

// Plan is the billing plan of an office (PlanProto), returned with a new
// office. Each field is the property named by its json tag: line counts,
// the balance in USD as a decimal string, the next billing date in Unix
// seconds, and the place-of-primary-use address.
type Plan struct {
	AdditionalNumberLines         int64           `json:"additional_number_lines,omitempty"`
	Balance                       string          `json:"balance,omitempty"`
	ContactCenterLines            int64           `json:"contact_center_lines,omitempty"`
	FaxLines                      int64           `json:"fax_lines,omitempty"`
	NextBillingDate               int64           `json:"next_billing_date,omitempty"`
	PPUAddress                    *BillingAddress `json:"ppu_address,omitempty"`
	RoomLines                     int64           `json:"room_lines,omitempty"`
	SellLines                     int64           `json:"sell_lines,omitempty"`
	TalkLines                     int64           `json:"talk_lines,omitempty"`
	TollfreeAdditionalNumberLines int64           `json:"tollfree_additional_number_lines,omitempty"`
	TollfreeRoomLines             int64           `json:"tollfree_room_lines,omitempty"`
	TollfreeUberconferenceLines   int64           `json:"tollfree_uberconference_lines,omitempty"`
	UberconferenceLines           int64           `json:"uberconference_lines,omitempty"`
}

// UnmarshalJSON decodes a PlanProto, accepting its int64 fields as numbers
// or strings of digits.
func (p *Plan) UnmarshalJSON(b []byte) error {
	type plain Plan
	return decodeInts(b, (*plain)(p), "additional_number_lines", "contact_center_lines",
		"fax_lines", "next_billing_date", "room_lines", "sell_lines", "talk_lines",
		"tollfree_additional_number_lines", "tollfree_room_lines",
		"tollfree_uberconference_lines", "uberconference_lines")
}

// OfficeUpdateResponse is the answer to POST /api/v2/offices: the new
// office (Office) and its billing plan (Plan).
type OfficeUpdateResponse struct {
	Office *Live `json:"office,omitempty"`
	Plan   *Plan `json:"plan,omitempty"`
}

// OfficePage is one page of GET /api/v2/offices (OfficeCollection): the
// offices (Items) and the token of the next page (Cursor), empty on the
// last page.
type OfficePage struct {
	Cursor string `json:"cursor,omitempty"`
	Items  []Live `json:"items"`
}

// decodeInts decodes the JSON object b into dst after turning the top-level
// keys given, when they hold a string of digits, into JSON numbers. dst must
// not have an UnmarshalJSON method of its own that calls decodeInts.
func decodeInts(b []byte, dst any, keys ...string) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	changed := false
	for _, k := range keys {
		raw, ok := obj[k]
		if !ok {
			continue
		}
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 || raw[0] != '"' {
			continue
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("%s: %q is not an int64", k, s)
		}
		obj[k] = strconv.AppendInt(nil, n, 10)
		changed = true
	}
	if changed {
		var err error
		if b, err = json.Marshal(obj); err != nil {
			return err
		}
	}
	return json.Unmarshal(b, dst)
}
