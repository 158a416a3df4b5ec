package extract

import "flag"

// update is the package's one -update flag: `go test ./extract -update` rewrites every golden
// file of every extractor's tests. Define it nowhere else (flag.Bool panics on a second one).
var update = flag.Bool("update", false, "rewrite testdata/**/*.golden.json")
