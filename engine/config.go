package engine

import "github.com/officectl/officectl/offices"

// Desired is one office of the config: its key, the office with the
// schema's defaults filled and references unresolved, and where its key
// was written.
type Desired struct {
	Key    string
	Office offices.Office
	Pos    Position
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
	// SHA256 is the digest of the effective config (every office's
	// canonical JSON in key order); a saved plan records it.
	SHA256 string
}
