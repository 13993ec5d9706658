#!/bin/sh
# tests/stress.sh [N]: run the whole of make check N times (default 5) in a
# row while busy loops keep every CPU busy, to prove that the suite does
# not flake on a loaded machine.  Not part of make check.
#
# Run it from the build folder (where make check works; by default the
# folder above this script).  It stops at the first run that fails and
# prints which tests failed, with their logs; exit 0 only if every run
# passed.  The busy loops run at normal priority, one per CPU (at least
# two), and are killed however the script ends.

n=${1:-5}
case $n in
''|*[!0-9]*|0)
	echo "usage: tests/stress.sh [N]  (N runs of make check, default 5)" >&2
	exit 2 ;;
esac

if [ ! -f Makefile ]; then
	cd "$(dirname "$0")/.." || exit 2
fi
if [ ! -f Makefile ]; then
	echo "tests/stress.sh: no Makefile here: run ./configure first" >&2
	exit 2
fi

cpus=$(nproc 2>/dev/null || echo 2)
[ "$cpus" -ge 2 ] || cpus=2

HOGS=""
# Kill the busy loops (each by its pid).
stress_stop() {
	for p in $HOGS; do
		kill "$p" 2>/dev/null
	done
	HOGS=""
}
trap stress_stop EXIT
trap 'exit 1' INT TERM HUP

i=0
while [ "$i" -lt "$cpus" ]; do
	sh -c 'while :; do :; done' &
	HOGS="$HOGS $!"
	i=$((i + 1))
done
echo "stress: $cpus busy loops (pids$HOGS); $n runs of make check"

# The tests of the last run that did not pass, from the harness's .trs files.
stress_failed() {
	grep -lE '^:test-result: (FAIL|ERROR|XPASS)' tests/*.trs fuzz/*.trs 2>/dev/null |
		sed 's/\.trs$//'
}

run=1
while [ "$run" -le "$n" ]; do
	start=$(date +%s)
	make check >"stress-run.log" 2>&1
	st=$?
	secs=$(( $(date +%s) - start ))
	load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
	if [ "$st" -ne 0 ]; then
		echo "stress: run $run of $n FAILED after ${secs}s (load $load)"
		failed=$(stress_failed)
		if [ -z "$failed" ]; then
			echo "stress: make check failed before any test failed:"
			tail -40 stress-run.log
		fi
		for t in $failed; do
			echo "==== $t failed; its log ($t.log): ===="
			cat "$t.log"
		done
		exit 1
	fi
	summary=$(grep -E '^# (PASS|SKIP|FAIL|ERROR):' stress-run.log | tr '\n' ' ')
	echo "stress: run $run of $n passed in ${secs}s (load $load) $summary"
	run=$((run + 1))
done
rm -f stress-run.log
echo "stress: all $n runs passed"
