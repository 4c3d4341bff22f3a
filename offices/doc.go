// Package offices owns the typed model of a Dialpad office (the request
// body of POST /api/v2/offices, CreateOfficeMessage in Dialpad's OpenAPI
// spec), the live office the API returns (OfficeProto), and the HTTP client
// that talks to the Dialpad API with a shared rate limiter and retries.
//
// It also owns the model of the parts of an office that change (the groups
// reference, dialpad-groups-openapi.json): Kind, Department and CallCenter
// (the create and update messages without office_id), Operator (as written
// in the config) and Member (resolved to Dialpad ids), with the client
// methods for departments, call centers, operators, skill levels and users
// by email (client_groups.go, client_operators.go), which go through the
// same request machinery as the office methods.
//
// The simulator in offices/officestest serves the same API in memory for
// tests and demos.
package offices
