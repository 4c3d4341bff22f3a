package engine

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
)

// ImportReport is what `officectl import` prints: the result, and the
// files --generate wrote.
type ImportReport struct {
	Result *ImportResult
	// DryRun: nothing was saved.
	DryRun bool
	// GenerateDir and Generated are the folder and files of --generate;
	// "" and nil without it.
	GenerateDir string
	Generated   []GeneratedOffice
	// NotGenerated are the live offices --generate wrote no file for.
	NotGenerated []GenerateSkip
	// Invocation is the directory and state file the command was given;
	// the commands in the report's hints name them.
	Invocation plan.Invocation
}

// WriteImportReport writes r for a person: the offices adopted (or that
// would be, in a dry run), those that stay to be created, those that
// could not be adopted and why, the live offices no config describes, and
// the files generated for them.
func WriteImportReport(w io.Writer, r ImportReport) error {
	bw := bufio.NewWriter(w)
	res := r.Result
	switch {
	case len(res.Adopted) == 0:
		bw.WriteString("Adopted no office.\n")
	case r.DryRun:
		fmt.Fprintf(bw, "Would adopt %s (dry run: the state is unchanged):\n", plural(len(res.Adopted), "office"))
	default:
		fmt.Fprintf(bw, "Adopted %s: recorded in the state with their Dialpad ids; nothing was created.\n", plural(len(res.Adopted), "office"))
	}
	for _, a := range res.Adopted {
		fmt.Fprintf(bw, "  = %s (%s): id %d\n", offices.Printable(a.Key), offices.Printable(a.Name), a.ID)
	}
	if len(res.ToCreate) > 0 {
		fmt.Fprintf(bw, "\nTo create: %s with no live office of that name; `%s` creates them.\n", plural(len(res.ToCreate), "office"), r.Invocation.Command("apply"))
		for _, a := range res.ToCreate {
			fmt.Fprintf(bw, "  + %s (%s)\n", offices.Printable(a.Key), offices.Printable(a.Name))
		}
	}
	if len(res.Conflicts) > 0 {
		fmt.Fprintf(bw, "\nNot adopted: %s.\n", plural(len(res.Conflicts), "office"))
		for _, c := range res.Conflicts {
			ids := make([]string, len(c.IDs))
			for i, id := range c.IDs {
				ids[i] = strconv.FormatInt(id, 10)
			}
			fmt.Fprintf(bw, "  ! %s (%s): ids %s: %s\n", offices.Printable(c.Key), offices.Printable(c.Name), strings.Join(ids, ", "), offices.Printable(c.Reason))
		}
	}
	if res.Managed > 0 {
		fmt.Fprintf(bw, "\nAlready in the state: %s.\n", plural(res.Managed, "office"))
	}
	if len(res.Pending) > 0 {
		fmt.Fprintf(bw, "\nPending in the state: %s whose create was interrupted or lost its answer; `%s` adopts each by name.\n",
			plural(len(res.Pending), "office"), r.Invocation.Command("apply"))
		for _, a := range res.Pending {
			fmt.Fprintf(bw, "  ~ %s (%s): id %d in Dialpad\n", offices.Printable(a.Key), offices.Printable(a.Name), a.ID)
		}
	}
	if res.Groups != nil {
		writeGroupImport(bw, res.Groups, r.DryRun, r.Invocation)
	}
	if len(res.Unmanaged) > 0 {
		fmt.Fprintf(bw, "\nIn Dialpad but in no config: %s.\n", plural(len(res.Unmanaged), "office"))
		for _, l := range res.Unmanaged {
			primary := ""
			if l.Primary {
				primary = " [primary office: officectl manages secondary offices]"
			}
			fmt.Fprintf(bw, "  ? %d %s%s\n", l.ID, offices.Printable(l.Name), primary)
		}
		if r.GenerateDir == "" {
			fmt.Fprintf(bw, "Write a config file for each with `%s`.\n", r.Invocation.Command("import --generate", "GENDIR"))
		}
	}
	switch {
	case r.GenerateDir == "":
	case r.DryRun:
		fmt.Fprintf(bw, "\nWould write %s in %s (dry run: nothing written).\n", plural(len(r.Generated), "file"), offices.Printable(r.GenerateDir))
	default:
		dir := r.Invocation.Dir
		if dir == "" {
			dir = "."
		}
		fmt.Fprintf(bw, "\nWrote %s in %s: fill in their TODOs, check them with `%s`, move them into the config, then run `%s` again.\n",
			plural(len(r.Generated), "file"), offices.Printable(r.GenerateDir), plan.Invocation{}.Command("validate", dir, r.GenerateDir), r.Invocation.Command("import"))
	}
	if r.GenerateDir != "" {
		for _, g := range r.Generated {
			fmt.Fprintf(bw, "  %s (%s, id %d)\n", offices.Printable(filepath.Join(r.GenerateDir, g.File)), offices.Printable(g.Name), g.ID)
		}
	}
	if len(r.NotGenerated) > 0 {
		fmt.Fprintf(bw, "\nNo file for %s:\n", plural(len(r.NotGenerated), "office"))
		for _, s := range r.NotGenerated {
			fmt.Fprintf(bw, "  ! %d %s: %s\n", s.ID, offices.Printable(s.Name), offices.Printable(s.Reason))
		}
	}
	return bw.Flush()
}

// writeGroupImport writes what import found for departments and call
// centers, after the offices.
func writeGroupImport(bw *bufio.Writer, g *GroupImport, dryRun bool, inv plan.Invocation) {
	switch {
	case len(g.Adopted) == 0:
		bw.WriteString("\nAdopted no department or call center.\n")
	case dryRun:
		fmt.Fprintf(bw, "\nWould adopt %s (departments and call centers; dry run: the state is unchanged):\n", plural(len(g.Adopted), "group"))
	default:
		fmt.Fprintf(bw, "\nAdopted %s (departments and call centers) with their operators where the config lists them: recorded in the state with their Dialpad ids; nothing was created.\n", plural(len(g.Adopted), "group"))
	}
	for _, a := range g.Adopted {
		fmt.Fprintf(bw, "  = %s %s (%s): id %d in office %d\n", kindWord(a.Kind), offices.Printable(a.Key), offices.Printable(a.Name), a.ID, a.OfficeID)
	}
	if len(g.ToCreate) > 0 {
		fmt.Fprintf(bw, "\nTo create: %s with no live group of that name in its office; `%s` creates them.\n", plural(len(g.ToCreate), "group"), inv.Command("apply"))
		for _, a := range g.ToCreate {
			fmt.Fprintf(bw, "  + %s %s (%s)\n", kindWord(a.Kind), offices.Printable(a.Key), offices.Printable(a.Name))
		}
	}
	if len(g.Conflicts) > 0 {
		fmt.Fprintf(bw, "\nNot adopted: %s.\n", plural(len(g.Conflicts), "group"))
		for _, c := range g.Conflicts {
			ids := make([]string, len(c.IDs))
			for i, id := range c.IDs {
				ids[i] = strconv.FormatInt(id, 10)
			}
			fmt.Fprintf(bw, "  ! %s (%s): ids %s: %s\n", offices.Printable(c.Key), offices.Printable(c.Name), strings.Join(ids, ", "), offices.Printable(c.Reason))
		}
	}
	if g.Managed > 0 {
		fmt.Fprintf(bw, "\nAlready in the state: %s.\n", plural(g.Managed, "group"))
	}
}
