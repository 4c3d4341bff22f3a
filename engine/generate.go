package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/schema"
	"github.com/officectl/officectl/state"
)

// This file holds import --generate: a config file written from a live
// office, with every field GET returns and TODO placeholders for the
// create-only fields it does not.

// GeneratedOffice is the config file of one live office.
type GeneratedOffice struct {
	// Key is the office key chosen for it, from its name.
	Key string
	// Name and ID are the live office's.
	Name string
	ID   int64
	// File is the file name, KEY.yaml.
	File string
	// YAML is the file's content. It does not validate until its TODOs
	// are filled in.
	YAML []byte
}

// CreateOnlyFields are the required CreateOfficeMessage fields that GET
// does not return; a generated file leaves them as TODO placeholders.
var CreateOnlyFields = []string{
	"billing_address", "currency", "plan_period", "invoiced",
	"unified_billing", "annual_commit_monthly_billing",
}

// GenerateSkip is a live office import --generate writes no file for,
// and why.
type GenerateSkip struct {
	Name   string
	ID     int64
	Reason string
}

// GenerateConfigs writes a config file for each live office that is not
// the company's primary office (officectl manages secondary offices) nor
// deleted or cancelled: its key is a slug of its name, distinct from each
// other and from every key of cfg and st. An office whose name cfg or st
// already has, or that another of live has, gets no file but a
// GenerateSkip: its file would break the config with a duplicate name, and
// import adopts offices by their unique name. A routing target is written
// as its id (a target that st records says its key in a comment), so that
// the files validate alone as well as with the config. A nil cfg or st is
// empty.
func GenerateConfigs(live []offices.Live, cfg *load.Config, st *state.State) ([]GeneratedOffice, []GenerateSkip, error) {
	if cfg == nil {
		cfg = &load.Config{}
	}
	if st == nil {
		st = state.New()
	}
	sch, err := schema.Compile(schema.NewContext())
	if err != nil {
		return nil, nil, err
	}
	defaults, err := load.DefaultHours(sch)
	if err != nil {
		return nil, nil, fmt.Errorf("generate: the schema's default hours: %w", err)
	}
	used := make(map[string]bool, len(cfg.Offices)+len(st.Offices)+len(live))
	managedNames := map[string]string{} // name → key
	for _, d := range cfg.Offices {
		used[d.Key] = true
		managedNames[d.Office.Name] = d.Key
	}
	for k, e := range st.Offices {
		used[k] = true
		if e != nil {
			if _, ok := managedNames[e.Name]; !ok {
				managedNames[e.Name] = k
			}
		}
	}
	refs := map[int64]string{}
	for k, id := range plan.StateIDs(st) {
		refs[id] = k
	}
	sorted := append([]offices.Live(nil), live...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	sameName := map[string]int{}
	for _, l := range sorted {
		if !l.IsPrimaryOffice && !gone(l.State) {
			sameName[l.Name]++
		}
	}
	var out []GeneratedOffice
	var skipped []GenerateSkip
	for _, l := range sorted {
		if l.IsPrimaryOffice || gone(l.State) {
			continue
		}
		if k, ok := managedNames[l.Name]; ok {
			skipped = append(skipped, GenerateSkip{Name: l.Name, ID: l.ID,
				Reason: fmt.Sprintf("the config already manages an office of this name (%s); a second one would be a duplicate name: rename one of them in Dialpad to manage both", k)})
			continue
		}
		if n := sameName[l.Name]; n > 1 {
			skipped = append(skipped, GenerateSkip{Name: l.Name, ID: l.ID,
				Reason: fmt.Sprintf("%d live offices have this name, and import adopts an office by its unique name: rename all but one in Dialpad, then generate again", n)})
			continue
		}
		key := uniqueKey(slugKey(l.Name, l.ID), used)
		used[key] = true
		b, err := officeYAML(key, l, refs, defaults)
		if err != nil {
			return nil, nil, fmt.Errorf("generate: office %d: %w", l.ID, err)
		}
		out = append(out, GeneratedOffice{Key: key, Name: l.Name, ID: l.ID, File: key + ".yaml", YAML: b})
	}
	return out, skipped, nil
}

// WriteGenerated writes each file into dir, creating dir when needed. It
// never overwrites: when a file exists it writes none and names it.
func WriteGenerated(dir string, gens []GeneratedOffice) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	for _, g := range gens {
		// Check them all first, so that a refusal writes nothing.
		if _, err := os.Lstat(filepath.Join(dir, g.File)); err == nil {
			return fmt.Errorf("generate: %s exists already: move it away or choose another --generate folder", filepath.Join(dir, g.File))
		}
	}
	for _, g := range gens {
		path := filepath.Join(dir, g.File)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("generate: %s exists already: move it away or choose another --generate folder", path)
		}
		if err != nil {
			return fmt.Errorf("generate: %w", err)
		}
		_, err = f.Write(g.YAML)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("generate: %s: %w", path, err)
		}
	}
	return nil
}

// maxKeyLen is the longest office key: ^[a-z0-9][a-z0-9_-]{0,62}$.
const maxKeyLen = 63

// slugKey is an office key made from name: lower-case letters and digits,
// other runs of characters as one "-", common accented Latin letters
// without their accents; "office-ID" when nothing is left.
func slugKey(name string, id int64) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if s, ok := foldLatin[r]; ok {
			b.WriteString(s)
			dash = false
			continue
		}
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
			continue
		}
		if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > maxKeyLen {
		s = strings.TrimRight(s[:maxKeyLen], "-")
	}
	if s == "" {
		return "office-" + strconv.FormatInt(id, 10)
	}
	return s
}

// foldLatin spells common accented Latin letters (lower-case) in ASCII.
var foldLatin = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'æ': "ae",
	'ç': "c", 'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ì': "i", 'í': "i",
	'î': "i", 'ï': "i", 'ñ': "n", 'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o",
	'ö': "o", 'ø': "o", 'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ý': "y",
	'ÿ': "y", 'ß': "ss", 'œ': "oe", 'ł': "l", 'ś': "s", 'ź': "z", 'ż': "z",
	'č': "c", 'š': "s", 'ž': "z", 'ř': "r", 'ě': "e", 'ő': "o", 'ű': "u",
}

// uniqueKey is key, or key-2, key-3… (shortened to stay a valid key), the
// first not in used.
func uniqueKey(key string, used map[string]bool) string {
	if !used[key] {
		return key
	}
	for n := 2; ; n++ {
		suffix := "-" + strconv.Itoa(n)
		base := key
		if len(base)+len(suffix) > maxKeyLen {
			base = strings.TrimRight(base[:maxKeyLen-len(suffix)], "-")
		}
		if k := base + suffix; !used[k] {
			return k
		}
	}
}

// officeYAML is the config file of live office l under key. Every value
// the API gave goes through the YAML encoder, quoted and escaped, and no
// comment holds text from the API but phone numbers in E.164 form: a line
// break in a name or number cannot become config.
func officeYAML(key string, l offices.Live, refs map[int64]string, defaults map[string][]string) ([]byte, error) {
	office := &yaml.Node{Kind: yaml.MappingNode}
	field := func(k string, v *yaml.Node) { office.Content = append(office.Content, yamlKey(k), v) }
	field("name", yamlStr(l.Name))
	country := strings.ToUpper(l.Country)
	field("country", yamlStr(country))
	if l.Timezone != "" {
		field("timezone", yamlStr(l.Timezone))
	}
	if l.FirstAction != "" {
		field("first_action", yamlStr(l.FirstAction))
	}
	if l.NoOperatorsAction != "" {
		field("no_operators_action", yamlStr(l.NoOperatorsAction))
	}
	if l.RingSeconds != nil {
		field("ring_seconds", yamlTree(json.Number(strconv.FormatInt(*l.RingSeconds, 10)), nil))
	}
	// GET returns the hours but not hours_on. Hours that are the defaults
	// are left out (the office has them anyway); others only mean
	// something with hours_on: true, which a file saying them needs, or
	// validate warns that they are ignored.
	var hours []load.DayHours
	for _, h := range load.WeekHours(liveHours(l)) {
		if !slices.Equal(h.Hours, defaults[h.Day]) {
			hours = append(hours, h)
		}
	}
	if len(hours) > 0 {
		on := yamlTree(true, nil)
		on.LineComment = "GET does not return hours_on; true since the hours below are not the defaults: check"
		field("hours_on", on)
	}
	for _, h := range hours {
		list := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, t := range h.Hours {
			list.Content = append(list.Content, yamlStr(t))
		}
		field(h.Day+"_hours", list)
	}
	if e := l.E911Address; e != nil && *e != (offices.LiveE911{}) {
		obj := map[string]any{"address": e.Address, "city": e.City, "country": strings.ToUpper(e.Country), "state": e.State, "zip": e.Zip}
		if e.Address2 != "" {
			obj["address2"] = e.Address2
		}
		field("e911_address", yamlTree(obj, nil))
	}
	if l.RoutingOptions != nil {
		field("routing_options", yamlTree(plan.JSONTree(*l.RoutingOptions), refs))
	}
	doc := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		yamlKey("offices"), {Kind: yaml.MappingNode, Content: []*yaml.Node{yamlKey(key), office}},
	}}
	var body bytes.Buffer
	enc := yaml.NewEncoder(&body)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}

	var b bytes.Buffer
	fmt.Fprintf(&b, "# Generated by `officectl import --generate` from the live office with\n")
	fmt.Fprintf(&b, "# Dialpad id %d, with every field GET /api/v2/offices returns.\n", l.ID)
	b.WriteString("# Fill in the TODOs at the end, check the file with `officectl validate`,\n")
	b.WriteString("# move it into the config, then run `officectl import` to adopt the office.\n")
	b.Write(body.Bytes())
	const in = "    "
	if len(hours) == 0 {
		b.WriteString(in + "# The office has the default hours, left out. GET does not return hours_on\n")
		b.WriteString(in + "# and auto_call_recording (default false): set them if they are not false.\n")
	} else {
		b.WriteString(in + "# GET does not return auto_call_recording (default false): set it if it is not.\n")
	}
	if nums, left := e164Numbers(l.PhoneNumbers); len(nums) > 0 || left > 0 {
		fmt.Fprintf(&b, "%s# Phone numbers in Dialpad: %s", in, strings.Join(nums, ", "))
		if left > 0 {
			fmt.Fprintf(&b, " (%s not in E.164 form left out)", plural(left, "number"))
		}
		b.WriteString(";\n" + in + "# mainline_number is create-only: leave it out.\n")
	}
	b.WriteString("\n")
	b.WriteString(in + "# TODO: the create-only fields below are required, but GET /api/v2/offices\n")
	b.WriteString(in + "# does not return them. Uncomment each line and fill in what the office was\n")
	b.WriteString(in + "# created with (import adopts the office; these are never sent for it).\n")
	b.WriteString(in + "# billing_address:\n")
	b.WriteString(in + "#   address_line_1:          # TODO street and number\n")
	b.WriteString(in + "#   city:                    # TODO\n")
	if !countryCode.MatchString(country) {
		country = ""
	}
	fmt.Fprintf(&b, "%s#   country: %-15s # TODO check: the billing country\n", in, country)
	b.WriteString(in + "#   postal_code:             # TODO, quoted: \"10117\"\n")
	b.WriteString(in + "#   region:                  # TODO state or region\n")
	b.WriteString(in + "# currency:                  # TODO AUD, CAD, EUR, GBP, JPY, NZD or USD\n")
	b.WriteString(in + "# plan_period:               # TODO monthly or yearly\n")
	b.WriteString(in + "# invoiced:                  # TODO true or false\n")
	b.WriteString(in + "# unified_billing:           # TODO true or false\n")
	b.WriteString(in + "# annual_commit_monthly_billing: # TODO true or false\n")
	return b.Bytes(), nil
}

// countryCode is a country code that may appear in a comment: two
// upper-case ASCII letters.
var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// e164 is a phone number in E.164 form, the only text from the API a
// generated file shows in a comment.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)

// e164Numbers returns the numbers in E.164 form, and how many others it
// left out.
func e164Numbers(numbers []string) (ok []string, left int) {
	for _, n := range numbers {
		if e164.MatchString(n) {
			ok = append(ok, n)
		} else {
			left++
		}
	}
	return ok, left
}

// liveHours is an office holding l's hours, an absent list empty (as
// drift reads it).
func liveHours(l offices.Live) *offices.Office {
	nonNil := func(h []string) []string {
		if h == nil {
			return []string{}
		}
		return h
	}
	return &offices.Office{
		MondayHours: nonNil(l.MondayHours), TuesdayHours: nonNil(l.TuesdayHours), WednesdayHours: nonNil(l.WednesdayHours),
		ThursdayHours: nonNil(l.ThursdayHours), FridayHours: nonNil(l.FridayHours), SaturdayHours: nonNil(l.SaturdayHours),
		SundayHours: nonNil(l.SundayHours),
	}
}

// yamlKey is a mapping key of ours.
func yamlKey(k string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k} }

// yamlStr is a string value, double-quoted: the encoder escapes every
// line break and control character in it.
func yamlStr(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}
}

// yamlTree is a decoded JSON value as YAML nodes: objects in block style
// with their keys sorted, lists of objects as block sequences, other
// lists in flow style. An action_target_id that refs records gets a
// comment naming its office key.
func yamlTree(v any, refs map[int64]string) *yaml.Node {
	switch v := v.(type) {
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			val := yamlTree(v[k], refs)
			if id, err := strconv.ParseInt(val.Value, 10, 64); k == "action_target_id" && err == nil && val.Kind == yaml.ScalarNode {
				if key, ok := refs[id]; ok {
					val.LineComment = "office " + key + ", managed by officectl"
				}
			}
			n.Content = append(n.Content, yamlKey(k), val)
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, e := range v {
			c := yamlTree(e, refs)
			if c.Kind == yaml.MappingNode {
				n.Style = 0
			}
			n.Content = append(n.Content, c)
		}
		return n
	case string:
		return yamlStr(v)
	case json.Number:
		if _, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: string(v)}
		}
		return yamlStr(string(v)) // not an id or a count: as written, quoted
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v)}
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	}
	return yamlStr(fmt.Sprint(v))
}
