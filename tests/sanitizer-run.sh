#!/bin/sh
# tests/sanitizer-run.sh: how make check runs each test (LOG_COMPILER in
# Makefile.am): tests/sanitizer-run.sh TEST [ARGS...].
#
# With --enable-sanitizers every program is built with ASan and UBSan.  A
# report on stderr would be lost when sockscope runs under tmux, and a
# test that checks only the screen would still pass, so the reports of every
# process the test starts go to files in a fresh folder instead
# (log_path=...).  After the test, once the last of those processes has
# exited, any report is copied into the test's log and the test fails,
# whatever it returned.  In a build without sanitizers nothing is written
# and the test's own status stands.

SAN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sockscope-san.XXXXXX") || exit 99
trap 'rm -rf "$SAN_DIR"' EXIT
trap 'exit 1' INT TERM

# Each process writes its own file, asan.PID or ubsan.PID.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$SAN_DIR/asan"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$SAN_DIR/ubsan"
export ASAN_OPTIONS UBSAN_OPTIONS

"$@"
status=$?

# A process the test killed on its way out (sockscope under a tmux server
# the test just stopped) may still be running its leak check.  Wait, up to
# 10 s, until no process has our folder in its environment.  This shell's
# own /proc environ is the one it started with, so it never matches; the
# children below are started without the variables.
#
# One still there then is stuck or was left behind, and would outlive
# make check.  The known case: LeakSanitizer's exit-time check stops the
# process with ptrace, and a SIGCONT arriving meanwhile (timeout(1) sends
# one to its process group after passing on a TERM) leaves it spinning
# forever.  Kill each by pid and name it in the log.
unset ASAN_OPTIONS UBSAN_OPTIONS
san_pids() {
	grep -laF "log_path=$SAN_DIR/" /proc/[0-9]*/environ 2>/dev/null |
	    sed 's|^/proc/\([0-9]*\)/environ$|\1|'
}
tries=0
while [ -n "$(san_pids)" ]; do
	tries=$((tries + 1))
	if [ "$tries" -ge 100 ]; then
		echo "# sanitizer-run: still running 10 s after the test, killed:"
		for pid in $(san_pids); do
			printf '#   %s %s\n' "$pid" \
			    "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
			kill -9 "$pid" 2>/dev/null
		done
		break
	fi
	sleep 0.1
done

found=0
for f in "$SAN_DIR"/*; do
	[ -f "$f" ] || continue
	found=1
	echo "# ---- sanitizer report ($(basename "$f")) ----"
	cat "$f"
done
if [ "$found" -eq 1 ]; then
	echo "FAIL: sanitizer report(s) above (the test itself exited $status)"
	# 99 is a hard error for the harness: keep it; anything else fails.
	[ "$status" -eq 99 ] && exit 99
	exit 1
fi
exit "$status"
