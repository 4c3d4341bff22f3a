// Package officestest is a simulator of the Dialpad offices API: an
// in-memory http.Handler serving the endpoints of the API reference
// (POST and GET /api/v2/offices with cursor paging, GET
// /api/v2/offices/{id}, GET and PUT /api/v2/offices/{id}/e911, GET
// /api/v2/company) with bearer (or ?apikey=) auth, CreateOfficeMessage
// validation with Dialpad-style error bodies, and a sliding-window rate
// limit that answers 429 with Retry-After.
//
// Latency and faults (5xx, injected 429, a connection reset before the
// request takes effect, and commit-then-drop: the office is created but
// the connection closes without an answer) are settable and drawn from a
// seeded random source, so tests can prove that a client never creates an
// office twice. Every request is recorded, so tests can check that a
// client stayed within its rate.
//
// An admin surface stands for Dialpad's web app: Server.Edit changes any
// field of an office and Server.Delete deletes it, from tests or, through
// the endpoints under AdminPrefix (AdminClient), from `officectl sim edit`
// and `officectl sim delete`, so that drift can be tried by hand.
//
// It also serves the groups reference (dialpad-groups-openapi.json):
// departments and call centers (create, get, list by office and name
// substring with cursor paging, PATCH, DELETE), the operators of offices,
// departments and call centers, call-center skill levels, and the users
// (by email or id) and rooms that can be operators, seeded with
// predictable ids and emails (Options.Users, Options.Rooms, SeedUsers,
// SeedRooms). Groups share the offices' id counter, so no id is given
// twice; Server.Groups, Operators, MutateGroup, EditGroup and DeleteGroup
// let tests look and cause drift.
//
// Tests use NewServer (an httptest server on loopback); `officectl sim`
// uses Run, which refuses to listen beyond loopback unless told to, and
// keeps the offices in a data file across restarts when given one.
package officestest
