#!/usr/bin/env bash
# Every test of the module, run by `make test` inside scripts/devdb.sh (which provides
# DATABASE_URL). Exits non-zero when any package fails.
#
# On a 2-core machine the suite is bound by CPU, and the browser package is its longest part
# (Chromium takes about three quarters of the CPU while it runs). So the browser package goes
# first: its test binary, which imports nearly every package of the module, is built before
# anything else, it runs at normal priority, and the other packages run beside it at a lower
# priority (nice), in the time Chromium leaves. Run together at one priority, the browser
# package waited for the CPU behind compilers, linters and the handlers' tests, and the whole
# suite took the browser's time plus most of theirs.
set -uo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The browser package and everything it imports, compiled into the build cache.
$GO test -c -o "$tmp/browser.test" ./browser/ || exit 1

others=$($GO list ./... | grep -v '^mitidportal/browser$') || exit 1

$GO test -count=1 -timeout 20m ./browser/ >"$tmp/browser.out" 2>&1 &
browser=$!
# shellcheck disable=SC2086 # one argument per package
nice -n 10 $GO test -count=1 -p 2 -timeout 20m $others >"$tmp/others.out" 2>&1 &
others_pid=$!

# Print each part's output when it ends, the first to end first.
# Each wait names only the part still running (bash reports an ended one as "no such job").
rc=0
pending=("$browser" "$others_pid")
for _ in 1 2; do
  wait -n -p done "${pending[@]}" || rc=1
  if [ "$done" = "$browser" ]; then
    cat "$tmp/browser.out"
    pending=("$others_pid")
  else
    cat "$tmp/others.out"
    pending=("$browser")
  fi
done
exit "$rc"
