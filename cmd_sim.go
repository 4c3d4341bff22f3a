package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/officectl/officectl/offices/officestest"
)

// simDemoToken is the key `officectl sim` accepts when DIALPAD_API_KEY is
// not set: the simulator guards nothing, so a fixed token is fine.
const simDemoToken = "officectl-demo-token"

func cmdSim(fs *pflag.FlagSet, std stdio) func([]string) int {
	addr := fs.String("addr", "127.0.0.1:8089", "loopback HOST:PORT to listen on (port 0 picks a free one; the URL is printed)")
	rate := fs.Int("rate", 1200, "requests admitted per sliding minute before answering 429 (negative: no limit)")
	latency := fs.Duration("latency", 0, "delay added to every request, e.g. 100ms")
	faults := fs.String("faults", "", "faults to inject, e.g. 5xx=0.1,429=0.05,reset=0.03,drop=0.05 (drop: created, then the connection closes)")
	seed := fs.Uint64("seed", 1, "seed of the random faults")
	tokenFlag := fs.String("token", "", "the API key the simulator accepts (default $DIALPAD_API_KEY, else "+simDemoToken+")")
	data := fs.String("data", "", "keep the offices in this file across restarts (ids are never given twice); written atomically after every change")
	allowNonLoopback := fs.Bool("allow-non-loopback", false, "listen on an --addr that is not loopback (edit, delete: talk to a --url that is not, with its --token), on purpose: the simulator has no real security")
	simURL := fs.String("url", "", "edit, delete: the simulator's URL (default $DIALPAD_API_URL)")
	people := addSimPeopleFlags(fs)
	return func(args []string) int {
		if len(args) > 0 {
			return simAdmin(std, args, *simURL, *tokenFlag, *allowNonLoopback)
		}
		var f officestest.Faults
		if strings.TrimSpace(*faults) != "" {
			var err error
			if f, err = officestest.ParseFaults(*faults); err != nil {
				return fail(std, "sim", err)
			}
		}
		token := *tokenFlag
		if token == "" {
			token = std.getenv("DIALPAD_API_KEY")
		}
		if token == "" {
			token = simDemoToken
			fmt.Fprintf(std.err, "DIALPAD_API_KEY is not set: the simulator accepts the key %q\n", simDemoToken)
		}
		ctx, stop := signalContext()
		defer stop()
		opts := officestest.Options{Token: token, RatePerMinute: *rate, Latency: *latency, Faults: f, Seed: *seed,
			DataFile: *data, AllowNonLoopback: *allowNonLoopback}
		people.apply(&opts)
		if err := officestest.Run(ctx, *addr, opts, std.err); err != nil {
			return fail(std, "sim", err)
		}
		return exitOK
	}
}

// simPeopleFlags are the flags of the simulated company's users: the
// operators that offices, departments and call centers can have.
type simPeopleFlags struct {
	users  *int
	people *string
}

func addSimPeopleFlags(fs *pflag.FlagSet) simPeopleFlags {
	return simPeopleFlags{
		users:  fs.Int("users", 100, "numbered users to seed (userN@example.com, id 5300000000000000+N), to be operators; 0 for none"),
		people: fs.String("people", "", `JSON file of more users and rooms to seed, e.g. {"users": [{"id": 7, "emails": ["anna@example.com"]}], "rooms": [{"id": 8, "name": "Lobby"}]}`),
	}
}

// apply sets the options the flags give.
func (f simPeopleFlags) apply(opts *officestest.Options) {
	opts.Users = *f.users
	if opts.Users <= 0 {
		opts.Users = -1 // none: the simulator's zero is its default
	}
	opts.PeopleFile = *f.people
}
