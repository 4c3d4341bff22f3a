package load

// PlainOfficeYAML is plainOfficeYAML for the external tests (package
// load_test), which may import engine/plan.
var PlainOfficeYAML = plainOfficeYAML
