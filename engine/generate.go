package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/officectl/officectl/offices"
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

// GenerateConfigs writes a config file for each live office that is not
// the company's primary office (officectl manages secondary offices) nor
// deleted or cancelled: its key is a slug of its name, distinct from each
// other and from every key of cfg and st. A routing target that st
// records is written as a reference {office: KEY}, any other as its id.
// A nil cfg or st is empty.
func GenerateConfigs(live []offices.Live, cfg *Config, st *state.State) []GeneratedOffice {
	if cfg == nil {
		cfg = &Config{}
	}
	if st == nil {
		st = state.New()
	}
	used := make(map[string]bool, len(cfg.Offices)+len(st.Offices)+len(live))
	for _, d := range cfg.Offices {
		used[d.Key] = true
	}
	for k := range st.Offices {
		used[k] = true
	}
	refs := map[int64]string{}
	for k, id := range stateIDs(st) {
		refs[id] = k
	}
	sorted := append([]offices.Live(nil), live...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	var out []GeneratedOffice
	for _, l := range sorted {
		if l.IsPrimaryOffice || isGone(l) {
			continue
		}
		key := uniqueKey(slugKey(l.Name, l.ID), used)
		used[key] = true
		out = append(out, GeneratedOffice{Key: key, Name: l.Name, ID: l.ID, File: key + ".yaml", YAML: officeYAML(key, l, refs)})
	}
	return out
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

// officeYAML is the config file of live office l under key.
func officeYAML(key string, l offices.Live, refs map[int64]string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Generated by `officectl import --generate` from the live office %s\n", yamlString(l.Name))
	fmt.Fprintf(&b, "# (Dialpad id %d), with every field GET /api/v2/offices returns.\n", l.ID)
	b.WriteString("# Fill in the TODOs at the end, check the file with `officectl validate`,\n")
	b.WriteString("# move it into the config, then run `officectl import` to adopt the office.\n")
	b.WriteString("offices:\n")
	fmt.Fprintf(&b, "  %s:\n", key)
	const in = "    "
	field := func(k string, v any) { fmt.Fprintf(&b, "%s%s: %s\n", in, k, yamlScalar(v)) }
	field("name", l.Name)
	country := strings.ToUpper(l.Country)
	field("country", country)
	if l.Timezone != "" {
		field("timezone", l.Timezone)
	}
	if l.FirstAction != "" {
		field("first_action", l.FirstAction)
	}
	if l.NoOperatorsAction != "" {
		field("no_operators_action", l.NoOperatorsAction)
	}
	if l.RingSeconds != nil {
		field("ring_seconds", *l.RingSeconds)
	}
	for _, h := range []struct {
		name  string
		hours []string
	}{
		{"monday_hours", l.MondayHours}, {"tuesday_hours", l.TuesdayHours},
		{"wednesday_hours", l.WednesdayHours}, {"thursday_hours", l.ThursdayHours},
		{"friday_hours", l.FridayHours}, {"saturday_hours", l.SaturdayHours},
		{"sunday_hours", l.SundayHours},
	} {
		field(h.name, yamlFlowList(h.hours))
	}
	b.WriteString(in + "# hours_on and auto_call_recording: GET does not return them (default false);\n")
	b.WriteString(in + "# set hours_on: true if the office keeps the hours above.\n")
	if len(l.PhoneNumbers) > 0 {
		fmt.Fprintf(&b, "%s# Phone numbers in Dialpad: %s (mainline_number is create-only: leave it out).\n", in, strings.Join(l.PhoneNumbers, ", "))
	}
	if e := l.E911Address; e != nil && *e != (offices.LiveE911{}) {
		b.WriteString(in + "e911_address:\n")
		obj := map[string]any{"address": e.Address, "city": e.City, "country": strings.ToUpper(e.Country), "state": e.State, "zip": e.Zip}
		if e.Address2 != "" {
			obj["address2"] = e.Address2
		}
		writeYAMLObject(&b, in+"  ", obj)
	}
	if l.RoutingOptions != nil {
		b.WriteString(in + "routing_options:\n")
		writeYAMLObject(&b, in+"  ", routingTree(*l.RoutingOptions, refs))
	}
	b.WriteString("\n")
	b.WriteString(in + "# TODO: the create-only fields below are required, but GET /api/v2/offices\n")
	b.WriteString(in + "# does not return them. Uncomment each line and fill in what the office was\n")
	b.WriteString(in + "# created with (import adopts the office; these are never sent for it).\n")
	b.WriteString(in + "# billing_address:\n")
	b.WriteString(in + "#   address_line_1:          # TODO street and number\n")
	b.WriteString(in + "#   city:                    # TODO\n")
	fmt.Fprintf(&b, "%s#   country: %-15s # TODO check: the billing country\n", in, yamlScalar(country))
	b.WriteString(in + "#   postal_code:             # TODO, quoted: \"10117\"\n")
	b.WriteString(in + "#   region:                  # TODO state or region\n")
	b.WriteString(in + "# currency:                  # TODO AUD, CAD, EUR, GBP, JPY, NZD or USD\n")
	b.WriteString(in + "# plan_period:               # TODO monthly or yearly\n")
	b.WriteString(in + "# invoiced:                  # TODO true or false\n")
	b.WriteString(in + "# unified_billing:           # TODO true or false\n")
	b.WriteString(in + "# annual_commit_monthly_billing: # TODO true or false\n")
	return b.Bytes()
}

// routingTree is ro as a decoded JSON object, with each action_target_id
// that refs knows written as {office: KEY}.
func routingTree(ro offices.RoutingOptions, refs map[int64]string) map[string]any {
	ref := func(t *offices.Target) {
		if t != nil && !t.IsRef() {
			if k, ok := refs[t.ID]; ok {
				*t = offices.Target{Office: k}
			}
		}
	}
	for _, in := range []*offices.RoutingInner{&ro.Open, &ro.Closed} {
		if in.ActionTargetID != nil {
			t := *in.ActionTargetID
			ref(&t)
			in.ActionTargetID = &t
		}
		dtmf := make([]offices.DTMFMapping, len(in.DTMF))
		for i, m := range in.DTMF {
			if m.Options != nil {
				o := *m.Options
				if o.ActionTargetID != nil {
					t := *o.ActionTargetID
					ref(&t)
					o.ActionTargetID = &t
				}
				m.Options = &o
			}
			dtmf[i] = m
		}
		in.DTMF = dtmf
	}
	return jsonTree(ro).(map[string]any)
}

// writeYAMLObject writes a decoded JSON object in YAML block style, keys
// sorted, lists of objects as block sequences and other lists in flow
// style.
func writeYAMLObject(b *bytes.Buffer, indent string, obj map[string]any) {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch v := obj[k].(type) {
		case map[string]any:
			if isRef(v) {
				fmt.Fprintf(b, "%s%s: {office: %s}\n", indent, k, yamlScalar(v["office"]))
				continue
			}
			fmt.Fprintf(b, "%s%s:\n", indent, k)
			writeYAMLObject(b, indent+"  ", v)
		case []any:
			if len(v) > 0 && holdsObjects(v, nil) {
				fmt.Fprintf(b, "%s%s:\n", indent, k)
				for _, e := range v {
					var item bytes.Buffer
					if m, ok := e.(map[string]any); ok {
						writeYAMLObject(&item, indent+"    ", m)
					}
					// "- " takes the place of the first line's indent.
					fmt.Fprintf(b, "%s  - %s", indent, strings.TrimPrefix(item.String(), indent+"    "))
				}
				continue
			}
			fmt.Fprintf(b, "%s%s: %s\n", indent, k, yamlScalar(yamlFlowList(v)))
		default:
			fmt.Fprintf(b, "%s%s: %s\n", indent, k, yamlScalar(v))
		}
	}
}

// isRef reports whether a decoded object is a reference {office: KEY}.
func isRef(m map[string]any) bool {
	_, ok := m["office"]
	return ok && len(m) == 1
}

// flowList is a list written in YAML flow style.
type flowList []any

// yamlFlowList makes a flow list of strings or decoded JSON values.
func yamlFlowList[T any](l []T) flowList {
	out := make(flowList, len(l))
	for i, v := range l {
		out[i] = v
	}
	return out
}

// yamlScalar writes v for YAML: strings double-quoted (JSON quoting, which
// YAML reads the same), numbers and booleans plain, flow lists in
// brackets.
func yamlScalar(v any) string {
	switch v := v.(type) {
	case string:
		return yamlString(v)
	case json.Number:
		return v.String()
	case int64:
		return strconv.FormatInt(v, 10)
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return "null"
	case flowList:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = yamlScalar(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	panic(fmt.Sprintf("engine: no YAML form for %T", v))
}

// yamlString is s double-quoted with JSON's escapes, which YAML's
// double-quoted style reads the same; no HTML escaping.
func yamlString(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		panic("engine: encode string: " + err.Error())
	}
	return strings.TrimSuffix(buf.String(), "\n")
}
