// Package engine holds what officectl does besides planning and applying:
// import (adopting the offices a company already has into the state, by
// exact name), import --generate (a config file from a live office), init
// (the example config), export (the effective offices as JSON) and state
// rm (Forget).
//
// The rest of the engine is in its subpackages, each importing only those
// below it:
//
//	engine/load    config files → load.Config, diagnostics   (schema, offices)
//	engine/plan    Config + state → Plan; plan files; drift   (load, offices, state)
//	engine/render  Plan, drift report → text, markdown        (plan, offices)
//	engine/apply   Plan → API requests, state saves, events   (plan, offices, state)
//	engine         import, generate, init, export, Forget     (load, plan, offices, schema, state)
//
// engine/enginetest holds what their tests share; only tests import it.
// The tests that combine several of them (drift and its renderings
// against the simulator, apply's runs against the simulator) live here,
// above the packages they combine.
package engine
