#!/usr/bin/env bash
# make demo: officectl on the example config, end to end, against the
# simulator on a free loopback port. Nothing leaves this machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=./officectl
example=testdata/example

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step officectl validate $example
$bin validate $example
