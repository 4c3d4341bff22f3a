#!/usr/bin/env bash
# install.sh VERSION DIR: installs the officectl release VERSION (vX.Y.Z)
# for this machine into DIR/officectl. It downloads the release archive
# and the release's checksums file, and installs the binary only when the
# archive's SHA-256 is the one the checksums file lists. The officectl
# action (action.yml) runs it; the archive names are those of
# .goreleaser.yaml. OFFICECTL_RELEASE_URL changes where releases are
# downloaded from (default https://github.com/officectl/officectl/releases/download).
set -euo pipefail
shopt -s inherit_errexit

die() { printf '::error title=officectl install::%s\n' "$*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: install.sh VERSION DIR"
version=$1 dir=$2
[[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]] ||
	die "version \"$version\" is not a release tag like v1.2.3: pin a release (or install with: go install github.com/officectl/officectl@v1.2.3)"
base=${OFFICECTL_RELEASE_URL:-https://github.com/officectl/officectl/releases/download}

case ${RUNNER_OS:-$(uname -s)} in
Linux) os=linux ;;
macOS | Darwin) os=darwin ;;
Windows | MINGW* | MSYS* | CYGWIN*) os=windows ;;
*) die "no officectl release for the OS ${RUNNER_OS:-$(uname -s)}: install with go install github.com/officectl/officectl@$version" ;;
esac
case ${RUNNER_ARCH:-$(uname -m)} in
X64 | x86_64 | amd64) arch=amd64 ;;
ARM64 | aarch64 | arm64) arch=arm64 ;;
*) die "no officectl release for the architecture ${RUNNER_ARCH:-$(uname -m)}: install with go install github.com/officectl/officectl@$version" ;;
esac
ext=tar.gz exe=officectl
if [ "$os" = windows ]; then ext=zip exe=officectl.exe; fi
archive="officectl_${version#v}_${os}_${arch}.$ext"
sums="officectl_${version#v}_checksums.txt"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
get() {
	curl --fail --silent --show-error --location --proto '=https,http' --retry 3 --connect-timeout 10 --max-time 300 \
		--max-filesize 209715200 -o "$tmp/$1" "$base/$version/$1" ||
		die "could not download $base/$version/$1"
}
get "$sums"
get "$archive"

want=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1; exit }' "$tmp/$sums")
[[ $want =~ ^[0-9a-f]{64}$ ]] || die "$sums of $version lists no SHA-256 for $archive"
if command -v sha256sum >/dev/null; then
	got=$(sha256sum "$tmp/$archive" | awk '{print $1}')
else
	got=$(shasum -a 256 "$tmp/$archive" | awk '{print $1}')
fi
[ "$got" = "$want" ] || die "checksum mismatch for $archive: got $got, $sums lists $want; nothing was installed"

mkdir -p "$tmp/x" "$dir"
if [ "$ext" = zip ]; then
	unzip -q "$tmp/$archive" "$exe" -d "$tmp/x"
else
	tar -xzf "$tmp/$archive" -C "$tmp/x" "$exe"
fi
[ -f "$tmp/x/$exe" ] || die "$archive holds no $exe"
chmod 755 "$tmp/x/$exe"
mv -f "$tmp/x/$exe" "$dir/$exe"
printf 'officectl %s (%s/%s, sha256 %s) installed in %s\n' "$version" "$os" "$arch" "$got" "$dir" >&2
