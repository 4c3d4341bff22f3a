// Package specfacts holds the facts of Dialpad's OpenAPI reference
// (../shared/reference/*.json, outside the repository) that officectl's
// tests and the simulator check against: paths, methods, parameters,
// request and answer schemas, fields, types, enums, required lists and
// bounds. It never holds a description's text: a bound a description
// states ("Max 256 characters.", "Choose from 10 seconds to 45 seconds.")
// is kept as the number it names.
//
// The facts live in testdata/facts.json, committed so every check runs on
// a fresh clone. Generate rewrites them from the reference
// (`go generate ./offices/officestest/specfacts` or `make facts`), and a
// test says when the committed file no longer matches the reference.
package specfacts

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"
)

//go:generate go run ../../../testdata/factsgen -o testdata/facts.json

//go:embed testdata/facts.json
var fixture []byte

// Facts are the facts of both reference files.
type Facts struct {
	// Paths maps each path, then each lower-case method, to its operation.
	Paths map[string]map[string]Operation `json:"paths"`
	// Schemas maps each components.schemas name to its object. A name
	// that both files define must mean the same object in both.
	Schemas map[string]Schema `json:"schemas"`
}

// Operation is one method of one path.
type Operation struct {
	Spec       string      `json:"spec"` // "offices" or "groups": the file it comes from
	Parameters []Parameter `json:"parameters,omitempty"`
	Request    string      `json:"request,omitempty"`  // the request body's schema
	Response   string      `json:"response,omitempty"` // the 200 answer's schema
	// Example is the 200 answer's JSON example, when the reference has one.
	Example json.RawMessage `json:"example,omitempty"`
}

// Parameter is a path or query parameter.
type Parameter struct {
	Name     string `json:"name"`
	In       string `json:"in"`
	Required bool   `json:"required,omitempty"`
	Type     string `json:"type,omitempty"`
	Format   string `json:"format,omitempty"`
}

// Schema is one object of components.schemas.
type Schema struct {
	Properties map[string]Property `json:"properties"`
	Required   []string            `json:"required,omitempty"`
}

// Property is one field of a Schema.
type Property struct {
	Type     string    `json:"type,omitempty"`
	Format   string    `json:"format,omitempty"`
	Ref      string    `json:"ref,omitempty"` // a schema name, for an object
	Items    *Property `json:"items,omitempty"`
	Enum     []string  `json:"enum,omitempty"`
	Nullable bool      `json:"nullable,omitempty"`
	Default  any       `json:"default,omitempty"`
	// Bounds: from the schema keywords, or else the numbers a description
	// states ("Max 256 characters." is MaxLength 256).
	Minimum   *int64 `json:"minimum,omitempty"`
	Maximum   *int64 `json:"maximum,omitempty"`
	MinLength *int   `json:"minLength,omitempty"`
	MaxLength *int   `json:"maxLength,omitempty"`
	// SingleLine is a description's "[single-line only]".
	SingleLine bool `json:"singleLine,omitempty"`
	// RequiredFor is a description's "Required for country codes of US,
	// CA, ...": the field is required when country is one of them.
	RequiredFor []string `json:"requiredForCountries,omitempty"`
}

// Load returns the committed facts. The caller must not modify them.
var Load = sync.OnceValues(func() (*Facts, error) {
	var f Facts
	if err := json.Unmarshal(fixture, &f); err != nil {
		return nil, fmt.Errorf("specfacts: testdata/facts.json: %w", err)
	}
	return &f, nil
})

// Fixture returns the committed facts file's bytes.
func Fixture() []byte { return append([]byte(nil), fixture...) }

// Schema returns the named schema, or an error that names it.
func (f *Facts) Schema(name string) (Schema, error) {
	s, ok := f.Schemas[name]
	if !ok {
		return Schema{}, fmt.Errorf("specfacts: no schema %s", name)
	}
	return s, nil
}
