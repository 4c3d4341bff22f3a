package officestest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/officectl/officectl/offices"
)

// Cleaner is the part of testing.TB that NewServer uses.
type Cleaner interface {
	Cleanup(func())
}

// TestServer is a Server listening on a loopback port.
type TestServer struct {
	*Server
	// URL is the base URL to give the client, e.g. http://127.0.0.1:PORT.
	URL string
	srv *http.Server
}

// Close stops the server; requests in flight are cut off.
func (t *TestServer) Close() { t.srv.Close() }

// NewServer starts a Server on a loopback port. When tb is not nil the
// server is closed at the end of the test. It is a plain http.Server, not
// net/http/httptest's, so that the officectl binary, which links this
// package for officectl sim, does not link httptest and its flag.
func NewServer(tb Cleaner, opts Options) *TestServer {
	s := New(opts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		if ln, err = net.Listen("tcp6", "[::1]:0"); err != nil {
			panic(fmt.Sprintf("officestest: cannot listen on a loopback port: %v", err))
		}
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t := &TestServer{Server: s, URL: "http://" + ln.Addr().String(), srv: srv}
	if tb != nil {
		tb.Cleanup(t.Close)
	}
	return t
}

// Run serves a new Server on addr until ctx ends, then shuts it down,
// letting requests in flight finish for up to five seconds. It writes the
// URL it listens on, then one line per request, to logw. It refuses an
// address that is not loopback (127.0.0.0/8, ::1, localhost) unless
// opts.AllowNonLoopback: the simulator has no real security.
func Run(ctx context.Context, addr string, opts Options, logw io.Writer) error {
	if logw == nil {
		logw = io.Discard
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("simulator address %q: %w (want HOST:PORT, e.g. 127.0.0.1:8089)", addr, err)
	}
	if !opts.AllowNonLoopback && !offices.IsLoopbackHost(host) {
		return fmt.Errorf("simulator address %q is not loopback: use 127.0.0.1:PORT, or allow other addresses on purpose (officectl sim --allow-non-loopback; the simulator has no real security)", addr)
	}
	if opts.Log == nil {
		opts.Log = logw
	}
	sim := New(opts)
	if opts.PeopleFile != "" {
		if err := loadPeopleFile(sim, opts.PeopleFile); err != nil {
			return err
		}
	}
	if opts.DataFile != "" {
		if err := loadDataFile(sim, opts.DataFile); err != nil {
			return err
		}
		if err := saveDataFile(sim, opts.DataFile); err != nil {
			return err
		}
		sim.notify = make(chan struct{}, 1)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("simulator: %w", err)
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(logw, "Dialpad simulator listening on %s (rate limit %d per %s", listenURL(host, ln.Addr()), rateOf(opts), windowOf(opts))
	if opts.Faults != (Faults{}) {
		fmt.Fprintf(logw, ", faults %s", opts.Faults)
	}
	fmt.Fprintf(logw, "%s)\n", dataFileNote(opts.DataFile))
	if opts.AllowNonLoopback && !offices.IsLoopbackHost(host) {
		fmt.Fprintf(logw, "warning: listening beyond loopback (%s): anyone who can reach this address and knows the key can use the simulator and its admin endpoints. "+
			"Other machines reach it at this host's address with a client that allows plain http; officectl allows plain http to loopback hosts only, so run it on this host\n", ln.Addr())
	}
	stopSaver := make(chan struct{})
	saverDone := make(chan struct{})
	go func() {
		defer close(saverDone)
		if sim.notify == nil {
			return
		}
		for {
			select {
			case <-stopSaver:
				return
			case <-sim.notify:
				if err := saveDataFile(sim, opts.DataFile); err != nil {
					fmt.Fprintf(logw, "simulator: saving %s: %v\n", opts.DataFile, err)
				}
			}
		}
	}()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err = <-errc:
		err = fmt.Errorf("simulator: %w", err)
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = srv.Shutdown(sctx)
		if serveErr := <-errc; !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
			err = serveErr
		}
	}
	close(stopSaver)
	<-saverDone
	if opts.DataFile != "" {
		if serr := saveDataFile(sim, opts.DataFile); serr != nil && err == nil {
			err = serr
		}
	}
	return err
}

func rateOf(o Options) int {
	if o.RatePerMinute == 0 {
		return 1200
	}
	return o.RatePerMinute
}

func windowOf(o Options) time.Duration {
	if o.Window <= 0 {
		return time.Minute
	}
	return o.Window
}
