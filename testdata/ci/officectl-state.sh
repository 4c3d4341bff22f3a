#!/usr/bin/env bash
# officectl-state: keeps officectl's state file on a Git branch of its own
# (default officectl-state), beside the config on main. Main can stay
# protected: the workflow pushes only to the state branch, and a state commit
# never conflicts with a config change. The officectl action puts this script
# on PATH as `officectl-state`; testdata/ci/two_merges_test runs these bytes.
#
#   officectl-state pull STATE
#       Fetches the state branch and writes its state file to STATE. Without
#       a state branch yet, STATE is left as it is (a state committed on main
#       by an older workflow is carried over by the first push).
#   officectl-state push STATE -- COMMAND...
#       Commits STATE onto the state fetched by `pull` and pushes it. When
#       another run pushed first, its state replaces STATE and COMMAND (an
#       `officectl apply ... --adopt-existing`, which adopts by name what this
#       run created) runs again on top of it; then the push is retried. When
#       the state cannot be pushed, it is copied to $OFFICECTL_STATE_SAVE for
#       the workflow to upload, and the script fails saying how to restore it.
#   officectl-state push STATE
#       Without a command: pushes STATE as it is, e.g. a state made locally
#       with `officectl import` (the bootstrap: the first push creates the
#       state branch). It replaces only the state `pull` fetched: when the
#       branch holds another state (it exists but was not pulled here, or
#       another run pushed since), nothing is pushed and the script fails
#       saying so; pull it into another file to look at it, then push again.
#
# Environment: OFFICECTL_STATE_BRANCH (officectl-state), OFFICECTL_STATE_REMOTE
# (origin), OFFICECTL_STATE_ATTEMPTS (5), OFFICECTL_STATE_SAVE
# ($RUNNER_TEMP/officectl-state). Exit status: 0 pushed (or nothing to push),
# 1 not pushed, or COMMAND failed on a retry (what it saved was pushed).
set -euo pipefail
shopt -s inherit_errexit

branch=${OFFICECTL_STATE_BRANCH:-officectl-state}
remote=${OFFICECTL_STATE_REMOTE:-origin}
attempts=${OFFICECTL_STATE_ATTEMPTS:-5}
save=${OFFICECTL_STATE_SAVE:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/officectl-state}
file=officectl.state                 # the state file's path on the branch
ref=refs/officectl/state             # the state branch as last fetched
export GIT_AUTHOR_NAME=${GIT_AUTHOR_NAME:-officectl} GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL:-officectl@users.noreply.github.com}
# A stalled fetch or push over HTTPS ends (below 1 KB/s for a minute).
export GIT_HTTP_LOW_SPEED_LIMIT=${GIT_HTTP_LOW_SPEED_LIMIT:-1000} GIT_HTTP_LOW_SPEED_TIME=${GIT_HTTP_LOW_SPEED_TIME:-60}
export GIT_COMMITTER_NAME=${GIT_COMMITTER_NAME:-$GIT_AUTHOR_NAME} GIT_COMMITTER_EMAIL=${GIT_COMMITTER_EMAIL:-$GIT_AUTHOR_EMAIL}

say() { printf 'officectl-state: %s\n' "$*" >&2; }
# quoted prints git's output indented, so that no line of it can be taken
# for a workflow command.
quoted() { sed 's/^/    | /' >&2; }
die() { printf '::error title=officectl state::%s\n' "$*" >&2; exit 1; }

# has_branch reports whether the remote has the state branch; it fails the
# script when the remote cannot be asked.
has_branch() {
	local rc=0 out
	out=$(git ls-remote --exit-code --heads "$remote" "refs/heads/$branch" 2>&1) || rc=$?
	case $rc in
	0) return 0 ;;
	2) return 1 ;;
	esac
	printf '%s\n' "$out" | quoted
	die "cannot list the branches of $remote (git ls-remote exited $rc); the state was not read or written"
}

# fetch updates $ref to the remote's state branch, or deletes it when there
# is none; it prints the commit, or nothing.
fetch() {
	if has_branch; then
		git fetch --quiet --no-tags "$remote" "+refs/heads/$branch:$ref" 2>&1 | quoted
		git rev-parse --verify --quiet "$ref^{commit}"
	else
		git update-ref -d "$ref" 2>/dev/null || true
	fi
}

# checkout writes the state file of commit $1 to path $2, atomically.
checkout() {
	git cat-file -e "$1:$file" 2>/dev/null || die "branch $branch (commit $1) has no $file: fix or delete the branch"
	mkdir -p "$(dirname "$2")"
	git show "$1:$file" >"$2.officectl-state.tmp"
	chmod 600 "$2.officectl-state.tmp"
	mv -f "$2.officectl-state.tmp" "$2"
}

# keep copies the state file to $save for the workflow to upload, and fails.
keep() {
	mkdir -p "$save"
	cp -f "$state" "$save/officectl.state"
	die "$1. This run's state is saved as the workflow artifact officectl-state-*. To restore it, push it onto the state branch from a clone: officectl-state pull officectl.state (fetches the branch), copy the artifact's officectl.state over it, then officectl-state push officectl.state. Or re-run this workflow: apply --adopt-existing records by name the offices this run created."
}

cmd_pull() {
	[ $# -eq 1 ] || die "usage: officectl-state pull STATE"
	local commit
	commit=$(fetch)
	if [ -n "$commit" ]; then
		checkout "$commit" "$1"
		say "$1 is the state of branch $branch at ${commit:0:12}"
	elif [ -f "$1" ]; then
		say "no branch $branch on $remote yet: using $1 from the checkout; the first push moves it there"
	else
		say "no branch $branch on $remote yet and no $1: starting without a state (apply --adopt-existing adopts live offices by name)"
	fi
}

# refused fails a push without a command that the remote refused: it
# names the state the branch holds now, and leaves $ref as it was.
refused() {
	local tip
	tip=$(git ls-remote --heads "$remote" "refs/heads/$branch" 2>/dev/null | awk 'NR == 1 { print $1 }') || true
	if [ -n "$tip" ] && [ "$tip" != "$1" ]; then
		die "branch $branch holds a state this push would replace (commit ${tip:0:12}${1:+, not ${1:0:12} as last pulled here}); nothing was pushed. Look at it with: officectl-state pull other.state; redo your change on top of it (or, to replace it with $state, keep that pull), then push again"
	fi
	die "the push to branch $branch was refused (is the branch protected, or are you without push rights?); nothing was pushed, $state is as it was"
}

cmd_push() {
	[ $# -ge 1 ] || die "usage: officectl-state push STATE [-- COMMAND...]"
	state=$1
	shift
	if [ "${1:-}" = "--" ]; then
		shift
		[ $# -ge 1 ] || die "usage: officectl-state push STATE [-- COMMAND...]: no COMMAND after -- (COMMAND applies again after another run pushed first; without --, STATE is pushed as it is)"
	fi
	[ -f "$state" ] || die "no state file $state: nothing to push (apply and import write it)"
	local status=0 attempt parent blob tree commit msg rc out newtip
	msg="officectl: state after applying ${GITHUB_SHA:-$(git rev-parse HEAD 2>/dev/null || echo "a local run")}"
	if [ $# -eq 0 ]; then
		msg="officectl: state pushed as it is (officectl-state push) from ${GITHUB_SHA:-$(git rev-parse HEAD 2>/dev/null || echo "a local run")}"
	fi
	for ((attempt = 1; attempt <= attempts; attempt++)); do
		parent=$(git rev-parse --verify --quiet "$ref^{commit}" || true)
		blob=$(git hash-object -w -- "$state")
		if [ -n "$parent" ] && [ "$blob" = "$(git rev-parse --verify --quiet "$parent:$file" || true)" ]; then
			say "the state is unchanged: nothing to push"
			return $status
		fi
		tree=$(printf '100644 blob %s\t%s\n' "$blob" "$file" | git mktree)
		commit=$(git commit-tree "$tree" ${parent:+-p "$parent"} -m "$msg")
		rc=0
		out=$(git push --porcelain "$remote" "$commit:refs/heads/$branch" 2>&1) || rc=$?
		if [ $rc -eq 0 ]; then
			git update-ref "$ref" "$commit"
			say "pushed the state to $branch (${commit:0:12})"
			return $status
		fi
		printf '%s\n' "$out" | quoted
		if [ $# -eq 0 ]; then
			refused "$parent"
		fi
		newtip=$(fetch) || keep "the push to branch $branch failed and $remote could not be read again"
		if [ "$newtip" = "$parent" ]; then
			keep "the push to branch $branch was refused and no other run had pushed (is the branch protected, or the token without contents: write?)"
		fi
		say "another run pushed the state first (${newtip:0:12}); applying again on top of it (attempt $((attempt + 1)) of $attempts)"
		mkdir -p "$save"
		cp -f "$state" "$save/officectl.state.before-retry-$attempt"
		if [ -z "$newtip" ]; then
			keep "branch $branch was deleted while this run pushed"
		fi
		checkout "$newtip" "$state"
		rc=0
		"$@" || rc=$?
		case $rc in
		0 | 2) ;; # 2: applied, but the config is not what Dialpad has (the apply step already said so)
		*)
			say "the command exited $rc on the retry; pushing what it saved"
			status=1
			;;
		esac
	done
	keep "gave up pushing the state after $attempts attempts: other runs kept pushing first"
}

[ $# -ge 1 ] || die "usage: officectl-state pull STATE | push STATE [-- COMMAND...]"
sub=$1
shift
case $sub in
pull) cmd_pull "$@" ;;
push) cmd_push "$@" ;;
*) die "unknown subcommand $sub: use pull or push" ;;
esac
