package specfacts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Generate derives the facts from the reference files' bytes, keyed by
// the name Operation.Spec gives them ("offices", "groups"). The output is
// indented JSON with sorted keys and a trailing newline.
func Generate(specs map[string][]byte) ([]byte, error) {
	f := Facts{Paths: map[string]map[string]Operation{}, Schemas: map[string]Schema{}}
	for _, name := range slices.Sorted(mapKeys(specs)) {
		if err := f.add(name, specs[name]); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

type rawSpec struct {
	Paths map[string]map[string]struct {
		Parameters []struct {
			Name     string  `json:"name"`
			In       string  `json:"in"`
			Required bool    `json:"required"`
			Schema   rawProp `json:"schema"`
		} `json:"parameters"`
		RequestBody struct {
			Content map[string]struct {
				Schema rawProp `json:"schema"`
			} `json:"content"`
		} `json:"requestBody"`
		Responses map[string]struct {
			Content map[string]struct {
				Schema   rawProp `json:"schema"`
				Examples map[string]struct {
					Value json.RawMessage `json:"value"`
				} `json:"examples"`
			} `json:"content"`
		} `json:"responses"`
	} `json:"paths"`
	Components struct {
		Schemas map[string]struct {
			Properties map[string]rawProp `json:"properties"`
			Required   []string           `json:"required"`
		} `json:"schemas"`
	} `json:"components"`
}

type rawProp struct {
	Ref         string   `json:"$ref"`
	Type        string   `json:"type"`
	Format      string   `json:"format"`
	Enum        []string `json:"enum"`
	Nullable    bool     `json:"nullable"`
	Default     any      `json:"default"`
	Description string   `json:"description"`
	Items       *rawProp `json:"items"`
	Minimum     *int64   `json:"minimum"`
	Maximum     *int64   `json:"maximum"`
	MinLength   *int     `json:"minLength"`
	MaxLength   *int     `json:"maxLength"`
}

func (f *Facts) add(spec string, b []byte) error {
	var raw rawSpec
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	for path, methods := range raw.Paths {
		for method, op := range methods {
			o := Operation{Spec: spec}
			for _, p := range op.Parameters {
				o.Parameters = append(o.Parameters, Parameter{Name: p.Name, In: p.In, Required: p.Required, Type: p.Schema.Type, Format: p.Schema.Format})
			}
			if c, ok := op.RequestBody.Content["application/json"]; ok {
				o.Request = refName(c.Schema.Ref)
			}
			if c, ok := op.Responses["200"].Content["application/json"]; ok {
				o.Response = refName(c.Schema.Ref)
				if ex, ok := c.Examples["json_example"]; ok && len(ex.Value) > 0 {
					var buf bytes.Buffer
					if err := json.Compact(&buf, ex.Value); err != nil {
						return fmt.Errorf("%s %s example: %w", method, path, err)
					}
					o.Example = buf.Bytes()
				}
			}
			if f.Paths[path] == nil {
				f.Paths[path] = map[string]Operation{}
			}
			if _, dup := f.Paths[path][method]; dup {
				return fmt.Errorf("%s %s is in two reference files", method, path)
			}
			f.Paths[path][method] = o
		}
	}
	for name, s := range raw.Components.Schemas {
		out := Schema{Properties: map[string]Property{}, Required: slices.Sorted(slices.Values(s.Required))}
		for pname, p := range s.Properties {
			out.Properties[pname] = property(p)
		}
		if old, dup := f.Schemas[name]; dup && !reflect.DeepEqual(old, out) {
			return fmt.Errorf("schema %s differs from the other reference file's", name)
		}
		f.Schemas[name] = out
	}
	return nil
}

func refName(ref string) string { return strings.TrimPrefix(ref, "#/components/schemas/") }

var (
	maxChars    = regexp.MustCompile(`\bMax (\d+) characters\b`)
	chooseRange = regexp.MustCompile(`\bChoose from (\d+)(?:s| seconds)? ?(?:-|to) ?(\d+)`)
	inRange     = regexp.MustCompile(`\b(?:in range|between) (\d+) ?(?:-|and) ?(\d+)\b`)
	e911For     = regexp.MustCompile(`Required for country codes of ((?:[A-Z]{2}, )*[A-Z]{2})\.`)
)

// property keeps a property's facts: the schema keywords, and the bounds
// and flags its description states, never the description itself.
func property(p rawProp) Property {
	out := Property{
		Type: p.Type, Format: p.Format, Ref: refName(p.Ref), Enum: p.Enum, Nullable: p.Nullable, Default: p.Default,
		Minimum: p.Minimum, Maximum: p.Maximum, MinLength: p.MinLength, MaxLength: p.MaxLength,
		SingleLine: strings.Contains(p.Description, "[single-line only]"),
	}
	if p.Items != nil {
		items := property(*p.Items)
		out.Items = &items
	}
	d := p.Description
	if m := maxChars.FindStringSubmatch(d); m != nil && out.MaxLength == nil && p.Type == "string" {
		n, _ := strconv.Atoi(m[1])
		out.MaxLength = &n
	}
	if p.Type == "integer" && out.Minimum == nil && out.Maximum == nil {
		m := chooseRange.FindStringSubmatch(d)
		if m == nil {
			m = inRange.FindStringSubmatch(d)
		}
		if m != nil {
			lo, _ := strconv.ParseInt(m[1], 10, 64)
			hi, _ := strconv.ParseInt(m[2], 10, 64)
			out.Minimum, out.Maximum = &lo, &hi
		}
	}
	if m := e911For.FindStringSubmatch(d); m != nil {
		out.RequiredFor = strings.Split(m[1], ", ")
	}
	return out
}
