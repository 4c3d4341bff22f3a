package load

import "flag"

// update rewrites the golden files under testdata instead of comparing:
// go test ./engine/load -update, then read the diff before committing.
var update = flag.Bool("update", false, "rewrite golden files")
