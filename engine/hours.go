package engine

import (
	"encoding/json"
	"slices"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/schema"
)

// dayHours is one day's opening hours of an office.
type dayHours struct {
	Day   string // monday … sunday
	Hours []string
}

// weekHours returns the seven *_hours of o, Monday first.
func weekHours(o *offices.Office) []dayHours {
	return []dayHours{
		{"monday", o.MondayHours}, {"tuesday", o.TuesdayHours}, {"wednesday", o.WednesdayHours},
		{"thursday", o.ThursdayHours}, {"friday", o.FridayHours}, {"saturday", o.SaturdayHours},
		{"sunday", o.SundayHours},
	}
}

// defaultHours returns the hours #Office gives each day left out, by day,
// read from the schema's defaults.
func defaultHours(sch *schema.Schema) (map[string][]string, error) {
	var o offices.Office
	if err := json.Unmarshal(sch.Defaults(), &o); err != nil {
		return nil, err
	}
	m := map[string][]string{}
	for _, h := range weekHours(&o) {
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
