package main

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/pflag"

	"github.com/officectl/officectl/engine"
	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/schema"
)

func cmdValidate(fs *pflag.FlagSet, std stdio) func([]string) int {
	format := fs.String("format", "text", "output format: text, json or github (pull-request annotations)")
	statePath := fs.String("state", "", "state file to leave out of the config (default DIR/officectl.state)")
	return func(args []string) int {
		if len(args) == 0 {
			args = []string{"."}
		}
		if err := checkFormat(*format, "text", "json", "github"); err != nil {
			return fail(std, "validate", err)
		}
		opts, err := loadOptions(std, args, *statePath)
		if err != nil {
			return fail(std, "validate", err)
		}
		cfg, diags, err := load.LoadPaths(args, opts)
		if err != nil {
			return fail(std, "validate", err)
		}
		if err := load.WriteDiagnostics(std.out, diags, *format); err != nil {
			return fail(std, "validate", err)
		}
		if cfg == nil {
			if *format == "text" {
				fmt.Fprintf(std.err, "%s\n", countProblems(diags))
			}
			return exitError
		}
		if *format == "text" {
			fmt.Fprintf(std.err, "%s valid\n", configCount(cfg))
		}
		return exitOK
	}
}

func cmdExport(fs *pflag.FlagSet, std stdio) func([]string) int {
	statePath := fs.String("state", "", "state file to leave out of the config (default DIR/officectl.state)")
	return func(args []string) int {
		dir, err := dirArg(args)
		if err != nil {
			return fail(std, "export", err)
		}
		cfg, err := loadConfig(std, dir, *statePath)
		if err != nil {
			return fail(std, "export", err)
		}
		if err := engine.Export(std.out, cfg); err != nil {
			return fail(std, "export", err)
		}
		return exitOK
	}
}

func cmdSchema(fs *pflag.FlagSet, std stdio) func([]string) int {
	format := fs.String("format", "cue", "cue, or jsonschema for YAML and JSON editors")
	return func(args []string) int {
		if len(args) > 0 {
			return fail(std, "schema", fmt.Errorf("unexpected arguments: %s", strings.Join(args, " ")))
		}
		switch *format {
		case "cue":
			std.out.Write(schema.Source())
		case "jsonschema":
			b, err := schema.JSONSchema()
			if err != nil {
				return fail(std, "schema", err)
			}
			std.out.Write(b)
		default:
			return fail(std, "schema", checkFormat(*format, "cue", "jsonschema"))
		}
		return exitOK
	}
}

func cmdVersion(fs *pflag.FlagSet, std stdio) func([]string) int {
	return func(args []string) int {
		bi, ok := debug.ReadBuildInfo()
		if !ok {
			bi = nil
		}
		fmt.Fprintf(std.out, "officectl %s\n", versionString(version, bi))
		return exitOK
	}
}

// configCount counts what a valid config holds: "2 offices", and its
// departments and call centers when it has any.
func configCount(cfg *load.Config) string {
	n := map[string]int{}
	for _, g := range cfg.Groups {
		n[g.Kind]++
	}
	out := plural(len(cfg.Offices), "office")
	if d := n[load.KindDepartment]; d > 0 {
		out += ", " + plural(d, "department")
	}
	if c := n[load.KindCallCenter]; c > 0 {
		out += ", " + plural(c, "call center")
	}
	return out
}
