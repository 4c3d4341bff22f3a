package load

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"syscall"
)

// errPlanFile is configReader.read's error for a config file over the
// size limit that begins as an officectl plan file: the loader skips it
// with planFileNote, whatever its size.
var errPlanFile = errors.New("an officectl plan file")

// planHeadSize bounds what SniffPlanFile reads. A plan file's
// format_version, config digest, paths, state and summary come before its
// changes, in well under this.
const planHeadSize = 64 << 10

// SniffPlanFile reports whether the file name begins as an officectl plan
// file (see IsPlanFile): a JSON object whose top-level keys include
// format_version and then changes, within its first planHeadSize bytes.
// It reads a regular file only, at most planHeadSize bytes; any error
// reads as false.
func SniffPlanFile(name string) bool {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return false
	}
	dec := json.NewDecoder(io.LimitReader(f, planHeadSize))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	version := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch tok {
		case "format_version":
			version = true
		case "changes":
			return version
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return false
		}
	}
	return false
}
