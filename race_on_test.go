//go:build race

package main

// raceEnabled: officectl runs as this test binary in the workflow tests, and
// a race-enabled binary starts several times slower, so they sample.
const raceEnabled = true
