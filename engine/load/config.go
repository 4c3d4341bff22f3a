package load

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"

	"github.com/officectl/officectl/offices"
)

// Desired is one office of the config: its key, the office with the
// schema's defaults filled and references unresolved, and where its key
// was written.
type Desired struct {
	Key    string
	Office offices.Office
	Pos    Position
	// SpecSHA256 is Office.SpecSHA256(), set by NewConfig so that a plan
	// does not marshal every office a second time; "" means not computed.
	SpecSHA256 string
	// Operators is nil when the office has no operators field (officectl
	// leaves its membership alone); non-nil, even empty, it is the exact
	// membership. Never part of Office, the create body.
	Operators []Operator
}

// Position is a place in a config file. Line and Column are 1-based; zero
// when unknown.
type Position struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// Config is a loaded, valid config directory.
type Config struct {
	// Offices sorted by key.
	Offices []Desired
	// Groups are the departments and call centers, sorted by key.
	Groups []DesiredGroup
	// SHA256 is the digest of the effective config (every office's
	// canonical JSON in key order); a saved plan records it.
	SHA256 string
}

// NewConfig returns the Config of offices (sorted by key here) with its
// digest: the SHA-256 over each key and canonical office, in key order.
func NewConfig(offs []Desired) *Config {
	sorted := append([]Desired(nil), offs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Key < sorted[j].Key })
	h := sha256.New()
	for i := range sorted {
		d := &sorted[i]
		canon := d.Office.Canonical()
		sum := sha256.Sum256(canon)
		d.SpecSHA256 = hex.EncodeToString(sum[:])
		h.Write([]byte(d.Key))
		h.Write([]byte{0})
		h.Write(canon)
		h.Write([]byte{'\n'})
	}
	return &Config{Offices: sorted, SHA256: hex.EncodeToString(h.Sum(nil))}
}

// NewConfigGroups is NewConfig of offices and groups (sorted by key
// here). The digest goes on over each group's kind, key, office, body,
// operators and protect, in key order; without groups it is NewConfig's.
func NewConfigGroups(offs []Desired, groups []DesiredGroup) *Config {
	c := NewConfig(offs)
	if len(groups) == 0 {
		return c
	}
	c.Groups = append([]DesiredGroup(nil), groups...)
	sort.Slice(c.Groups, func(i, j int) bool { return c.Groups[i].Key < c.Groups[j].Key })
	h := sha256.New()
	h.Write([]byte(c.SHA256))
	for _, g := range c.Groups {
		own, _ := json.Marshal(struct {
			Kind, Office string
			OfficeID     int64
			Operators    []Operator
			Protect      bool
		}{g.Kind, g.Office, g.OfficeID, g.Operators, g.Protect})
		h.Write([]byte(g.Key))
		h.Write([]byte{0})
		h.Write(own)
		h.Write([]byte{0})
		h.Write(g.Body)
		h.Write([]byte{'\n'})
	}
	c.SHA256 = hex.EncodeToString(h.Sum(nil))
	return c
}
