package officestest

import (
	"net"
	"strconv"
)

// listenURL is the URL to reach a simulator listening on addr from this
// host. A wildcard address (0.0.0.0, ::) is no host a client can dial, so
// it becomes loopback (127.0.0.1, or ::1 for an IPv6 literal given as
// host): a URL that officectl, which allows plain http to loopback only,
// accepts as printed.
func listenURL(host string, addr net.Addr) string {
	ta, ok := addr.(*net.TCPAddr)
	if !ok || !ta.IP.IsUnspecified() {
		return "http://" + addr.String()
	}
	loop := "127.0.0.1"
	if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
		loop = "::1"
	}
	return "http://" + net.JoinHostPort(loop, strconv.Itoa(ta.Port))
}
