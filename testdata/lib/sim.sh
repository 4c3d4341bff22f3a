# Shell helpers for scripts that run `officectl sim` (make demo, make bench).
# Source it from the repository root.

# sim_url LOG PID: prints the URL the simulator (process PID, stderr to
# LOG) listens on, once it has printed it; fails after 10 s, or at once
# if the process has ended.
sim_url() {
	local url
	for _ in $(seq 100); do
		url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$1" | head -n 1 || true)
		if [ -n "$url" ]; then
			echo "$url"
			return 0
		fi
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
