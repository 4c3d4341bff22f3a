// Package offices owns the typed model of a Dialpad office (the request
// body of POST /api/v2/offices, CreateOfficeMessage in Dialpad's OpenAPI
// spec), the live office the API returns (OfficeProto), and the HTTP client
// that talks to the Dialpad API with a shared rate limiter and retries.
//
// The simulator in offices/officestest serves the same API in memory for
// tests and demos.
package offices
