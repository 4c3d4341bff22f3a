//go:build race

package state

// raceEnabled: the race detector slows the exhaustive tests down tenfold,
// so they sample.
const raceEnabled = true
