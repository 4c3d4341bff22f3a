package load

import (
	"encoding/json"
	"slices"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/schema"
)

// DayHours is one day's opening hours of an office.
type DayHours struct {
	Day   string // monday … sunday
	Hours []string
}

// WeekHours returns the seven *_hours of o, Monday first.
func WeekHours(o *offices.Office) []DayHours {
	return []DayHours{
		{"monday", o.MondayHours}, {"tuesday", o.TuesdayHours}, {"wednesday", o.WednesdayHours},
		{"thursday", o.ThursdayHours}, {"friday", o.FridayHours}, {"saturday", o.SaturdayHours},
		{"sunday", o.SundayHours},
	}
}

// DefaultHours returns the hours #Office gives each day left out, by day,
// read from the schema's defaults.
func DefaultHours(sch *schema.Schema) (map[string][]string, error) {
	var o offices.Office
	if err := json.Unmarshal(sch.Defaults(), &o); err != nil {
		return nil, err
	}
	m := map[string][]string{}
	for _, h := range WeekHours(&o) {
		m[h.Day] = h.Hours
	}
	return m, nil
}

// ignoredHours reports whether hours written for day are worth a warning
// while hours_on is false: they are ignored, and they say something other
// than nothing ([]) or the default, which the office has anyway.
func ignoredHours(hours []string, day string, defaults map[string][]string) bool {
	return len(hours) > 0 && !slices.Equal(hours, defaults[day])
}
