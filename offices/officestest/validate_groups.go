package officestest

import (
	"fmt"
	"strings"
)

// The rules of the groups reference (dialpad-groups-openapi.json): the
// messages of departments, call centers and their operators. Bounds come
// from the descriptions ("Choose from 1-50", "Max 100 characters"); a
// test walks them side by side with the reference.

var (
	operatorTypes       = []string{"room", "user"}
	groupRoles          = []string{"admin", "operator"}
	callCenterRoles     = []string{"admin", "operator", "supervisor"}
	callCenterLicenses  = []string{"agents", "lite_support_agents"}
	queueKeys           = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#"}
	minAnnouncePosition = int64(120) // announce_position needs a queue wait of 2 minutes or more
)

var (
	holdQueueDepartment = &object{
		schema: "schemas.group.HoldQueueDepartment",
		fields: map[string]field{
			"allow_queuing":    {kind: kBool},
			"max_hold_count":   {kind: kInt, min: 1, max: 50},
			"max_hold_seconds": {kind: kInt, min: 30, max: 18000},
		},
	}
	holdQueueCallCenter = &object{
		schema: "schemas.group.HoldQueueCallCenter",
		fields: map[string]field{
			"allow_queue_callback":          {kind: kBool},
			"announce_position":             {kind: kBool},
			"announcement_interval_seconds": {kind: kInt},
			"max_hold_count":                {kind: kInt, min: 1, max: 1000},
			"max_hold_seconds":              {kind: kInt, min: 30, max: 18000},
			"queue_callback_dtmf":           {check: checkQueueKey},
			"queue_callback_threshold":      {kind: kInt},
			"queue_escape_dtmf":             {check: checkQueueKey},
			"stay_in_queue_after_closing":   {kind: kBool},
			"unattended_queue":              {kind: kBool},
		},
		check: checkAnnouncePosition,
	}
	autoCallRecording = &object{
		schema: "schemas.group.AutoCallRecording",
		fields: map[string]field{
			"allow_pause_recording": {kind: kBool}, "call_recording_inbound": {kind: kBool},
			"call_recording_outbound": {kind: kBool},
		},
	}
	advancedSettings = &object{
		schema: "schemas.group.AdvancedSettings",
		fields: map[string]field{
			"auto_call_recording": {kind: kObject, obj: autoCallRecording},
			"max_wrap_up_seconds": {kind: kInt},
		},
	}
	alerts = &object{
		schema: "schemas.group.Alerts",
		fields: map[string]field{
			"cc_service_level":         {kind: kInt, min: 0, max: 100}, // a percentage
			"cc_service_level_seconds": {kind: kInt},
		},
	}

	createDepartmentMessage = groupMessage("schemas.group.CreateDepartmentMessage", true, map[string]field{
		"auto_call_recording": {kind: kBool},
		"hold_queue":          {kind: kObject, obj: holdQueueDepartment},
	})
	updateDepartmentMessage = groupMessage("schemas.group.UpdateDepartmentMessage", false, map[string]field{
		"auto_call_recording": {kind: kBool},
		"hold_queue":          {kind: kObject, obj: holdQueueDepartment},
	})
	createCallCenterMessage = groupMessage("schemas.group.CreateCallCenterMessage", true, map[string]field{
		"advanced_settings": {kind: kObject, obj: advancedSettings},
		"alerts":            {kind: kObject, obj: alerts},
		"hold_queue":        {kind: kObject, obj: holdQueueCallCenter},
	})
	updateCallCenterMessage = groupMessage("schemas.group.UpdateCallCenterMessage", false, map[string]field{
		"advanced_settings": {kind: kObject, obj: advancedSettings},
		"alerts":            {kind: kObject, obj: alerts},
		"hold_queue":        {kind: kObject, obj: holdQueueCallCenter},
	})

	addOperatorMessage = &object{
		schema: "schemas.group.AddOperatorMessage",
		fields: map[string]field{
			"operator_id": {kind: kInt}, "operator_type": {enum: operatorTypes}, "role": {enum: groupRoles},
		},
		required: []string{"operator_id", "operator_type"},
	}
	removeOperatorMessage = &object{
		schema:   "schemas.group.RemoveOperatorMessage",
		fields:   map[string]field{"operator_id": {kind: kInt}, "operator_type": {enum: operatorTypes}},
		required: []string{"operator_id", "operator_type"},
	}
	addCallCenterOperatorMessage = &object{
		schema: "schemas.group.AddCallCenterOperatorMessage",
		fields: map[string]field{
			"keep_paid_numbers": {kind: kBool}, "license_type": {enum: callCenterLicenses},
			"role": {enum: callCenterRoles}, "skill_level": {kind: kInt, min: 1, max: 100},
			"user_id": {kind: kInt},
		},
		required: []string{"user_id"},
	}
	removeCallCenterOperatorMessage = &object{
		schema:   "schemas.group.RemoveCallCenterOperatorMessage",
		fields:   map[string]field{"user_id": {kind: kInt}},
		required: []string{"user_id"},
	}
	updateOperatorSkillLevelMessage = &object{
		schema:   "schemas.group.UpdateOperatorSkillLevelMessage",
		fields:   map[string]field{"skill_level": {kind: kInt, min: 0, max: 100}}, // "between 0 and 100"
		required: []string{"skill_level"},
	}
)

// groupMessage is a create (office_id and name required) or update
// message of a department or call center: the fields every group shares
// plus extra.
func groupMessage(schema string, create bool, extra map[string]field) *object {
	fields := map[string]field{
		"friday_hours": {kind: kHours}, "group_description": {maxLen: 256},
		"hours_on": {kind: kBool}, "monday_hours": {kind: kHours},
		"name":            {singleLine: true, maxLen: 100},
		"ring_seconds":    {kind: kInt, min: 10, max: 45},
		"routing_options": {kind: kObject, obj: routingOptions}, "saturday_hours": {kind: kHours},
		"sunday_hours": {kind: kHours}, "thursday_hours": {kind: kHours}, "tuesday_hours": {kind: kHours},
		"voice_intelligence": {kind: kObject, obj: voiceIntelligence}, "wednesday_hours": {kind: kHours},
	}
	for k, f := range extra {
		fields[k] = f
	}
	obj := &object{schema: schema, fields: fields}
	if create {
		fields["office_id"] = field{kind: kInt}
		obj.required = []string{"name", "office_id"}
	} else {
		obj.check = checkNameNotBlank
	}
	return obj
}

func checkQueueKey(s string) string {
	for _, k := range queueKeys {
		if s == k {
			return ""
		}
	}
	return fmt.Sprintf("%q is not one of %s", s, strings.Join(queueKeys, ", "))
}

// checkAnnouncePosition: "This option is not available when a maximum
// queue wait time of less than 2 minutes is selected."
func checkAnnouncePosition(path string, m map[string]any, errs *[]string) {
	on, _ := m["announce_position"].(bool)
	secs, ok := asInt(m["max_hold_seconds"])
	if on && ok && secs < minAnnouncePosition {
		*errs = append(*errs, fmt.Sprintf("%s: is not available when max_hold_seconds (%d) is under %d",
			join(path, "announce_position"), secs, minAnnouncePosition))
	}
}

// checkNameNotBlank: an update may leave the name out, but not blank it.
func checkNameNotBlank(path string, m map[string]any, errs *[]string) {
	if s, ok := m["name"].(string); ok && strings.TrimSpace(s) == "" {
		*errs = append(*errs, join(path, "name")+": must not be empty")
	}
}
