# tests/lib.sh: shared helpers for the end-to-end tests.  Sourced by each
# tests/e2e_*.sh; every test runs real processes on 127.0.0.1 only, with
# ports picked at run time, bounded in time, and cleans up on exit.

set -u

: "${SOCKSCOPE:=$(cd "$(dirname "$0")/.." && pwd)/src/sockscope}"
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"

T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sockscope-test.XXXXXX")
T_PIDS=""
T_PASSED=0
T_FAILED=0
T_NAME=$(basename "$0" .sh)

# A peer that must hold on until the test says so runs "sh $T_HOLD FILE
# [SECS]": it returns once FILE exists (the test touches it), once FILE's
# folder is gone (the test ended) or after SECS (default 30), so that
# nothing outlives a test that failed.
T_HOLD=$T_DIR/hold.sh
cat >"$T_HOLD" <<'EOS'
i=0
while [ ! -e "$1" ] && [ -d "${1%/*}" ] && [ "$i" -lt "$(( ${2:-30} * 20 ))" ]; do
	sleep 0.05
	i=$((i + 1))
done
EOS

# Milliseconds since the epoch: every wait below has a deadline in these.
t_now_ms() {
	echo $(( $(date +%s%N) / 1000000 ))
}

# Kill everything we started and remove the scratch folder.  Each process
# gets a TERM and up to 2 s to go before the KILL.
t_cleanup() {
	for p in $T_PIDS; do
		kill "$p" 2>/dev/null
	done
	end=$(( $(t_now_ms) + 2000 ))
	for p in $T_PIDS; do
		while kill -0 "$p" 2>/dev/null && [ "$(t_now_ms)" -lt "$end" ]; do
			sleep 0.02
		done
		kill -9 "$p" 2>/dev/null
	done
	for t in ${T_TMUX_ALL:-}; do
		tmux -L "$t" kill-server 2>/dev/null
	done
	rm -rf "$T_DIR"
}
trap t_cleanup EXIT
trap 'exit 1' INT TERM

# Remember a background process for cleanup.
t_bg() {
	T_PIDS="$T_PIDS $1"
}

# Skip the whole test (exit 77) when a program it needs is missing.  In CI
# (CI set, as .ci/run does) tools/deps.sh test has installed every one of
# them, so a missing program is a hard error (exit 99), never a skip.
t_need() {
	for prog in "$@"; do
		if ! command -v "$prog" >/dev/null 2>&1; then
			if [ -n "${CI:-}" ]; then
				echo "ERROR: $prog not installed, and CI is set (run tools/deps.sh test)"
				exit 99
			fi
			echo "SKIP: $prog not installed"
			exit 77
		fi
	done
}

# For a part of a test: true when every program named is installed.  If one
# is missing, say that the part is skipped (a failed check in CI) and
# return 1: t_have python3 ip && { ...checks... }
t_have() {
	for prog in "$@"; do
		if ! command -v "$prog" >/dev/null 2>&1; then
			if [ -n "${CI:-}" ]; then
				t_fail "$prog not installed, and CI is set (run tools/deps.sh test)"
			else
				echo "# skipped: $prog not installed"
			fi
			return 1
		fi
	done
	return 0
}

# Record one check's result: t_check NAME COMMAND...
t_check() {
	name=$1
	shift
	if "$@"; then
		echo "ok - $name"
		T_PASSED=$((T_PASSED + 1))
	else
		echo "not ok - $name"
		T_FAILED=$((T_FAILED + 1))
	fi
}

# Fail one check with a message and show the evidence file.
t_fail() {
	echo "not ok - $1"
	[ $# -ge 2 ] && [ -f "$2" ] && sed 's/^/#   /' "$2" | head -60
	T_FAILED=$((T_FAILED + 1))
}

t_pass() {
	echo "ok - $1"
	T_PASSED=$((T_PASSED + 1))
}

# Finish: print the totals and exit 0 only if nothing failed.
t_done() {
	echo "$T_NAME: $T_PASSED passed, $T_FAILED failed"
	[ "$T_FAILED" -eq 0 ]
	exit $?
}

# A TCP port on 127.0.0.1 that nothing uses right now.  It is picked below
# the kernel's ephemeral range (32768-60999 here), so that no connection
# of another process can take it as its local port before we listen.
t_free_port() {
	local lo
	lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
	[ "${lo:-0}" -gt 12000 ] || lo=50000
	while :; do
		p=$(( (RANDOM << 4 ^ RANDOM) % (lo - 10000) + 10000 ))
		if ! ss -Htan "sport = :$p" 2>/dev/null | grep -q .; then
			echo "$p"
			return
		fi
	done
}

# Wait until FILE contains a line matching the extended regex, at most
# SECS seconds (default 10).  Returns 1 on time-out.
t_wait_for() {
	file=$1 re=$2 secs=${3:-10}
	end=$(( $(date +%s%N) / 1000000 + secs * 1000 ))
	while [ "$(( $(date +%s%N) / 1000000 ))" -lt "$end" ]; do
		if [ -f "$file" ] && grep -Eq -- "$re" "$file"; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# Wait until something listens on 127.0.0.1:PORT (at most SECS seconds).
# Asks the kernel (ss) rather than connecting, so a peer that accepts only
# one connection is not used up by the check.
t_wait_port() {
	port=$1 secs=${2:-10}
	end=$(( $(date +%s%N) / 1000000 + secs * 1000 ))
	while [ "$(( $(date +%s%N) / 1000000 ))" -lt "$end" ]; do
		if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# Wait for background process PID to exit (at most SECS); its status in
# T_STATUS, 124 on time-out (the process is then killed).
t_wait_pid() {
	pid=$1 secs=${2:-10}
	end=$(( $(date +%s%N) / 1000000 + secs * 1000 ))
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$(( $(date +%s%N) / 1000000 ))" -ge "$end" ]; then
			kill -9 "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			T_STATUS=124
			return 1
		fi
		sleep 0.05
	done
	wait "$pid"
	T_STATUS=$?
	return 0
}

# The port a batch-mode sockscope listener reports ("listening on ...:N").
t_listen_port() {
	sed -n 's/.* listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$1" | head -1
}

# Run COMMAND until it succeeds, at most SECS seconds: t_until SECS CMD...
# Returns 1 on time-out.  Exported, so that a script run by bash in a
# namespace (unshare -n bash script) can wait with it too.
t_until() {
	local secs=$1 end
	shift
	end=$(( $(date +%s%N) / 1000000 + secs * 1000 ))
	until "$@"; do
		[ "$(( $(date +%s%N) / 1000000 ))" -lt "$end" ] || return 1
		sleep 0.05
	done
	return 0
}
[ -n "${BASH_VERSION:-}" ] && export -f t_until

# Wait until FILE has at least N lines matching the extended regex (SECS,
# default 10).  Returns 1 on time-out.
t_wait_count() {
	t_until "${4:-10}" t_count_at_least "$1" "$2" "$3"
}

# True when FILE has at least N lines matching the extended regex.
t_count_at_least() {
	[ -f "$1" ] && [ "$(grep -Ec -- "$2" "$1")" -ge "$3" ]
}

# True when something listens on UDP 127.0.0.1:PORT (or any address).
t_udp_bound() {
	ss -Hlun "sport = :$1" 2>/dev/null | grep -q .
}

# Wait until something is bound to UDP PORT (at most SECS, default 10).
t_wait_udp_port() {
	t_until "${2:-10}" t_udp_bound "$1"
}

# The bytes received on connection #CONN so far, from a batch transcript
# (without -t): the sum of its "< #CONN recv N bytes" headers.
t_recv_total() {
	awk -v c="#$2" '$1 == "<" && $2 == c && $3 == "recv" && $5 ~ /^bytes/ { n += $4 }
	    END { print n + 0 }' "$1" 2>/dev/null
}

# True when the transcript FILE shows at least BYTES received on #CONN.
t_recv_at_least() {
	[ "$(t_recv_total "$1" "$2")" -ge "$3" ]
}

# Wait until the transcript FILE shows BYTES received on #CONN (SECS, 10):
# used to keep the input open until an echo is back.
t_wait_recv() {
	t_until "${4:-10}" t_recv_at_least "$1" "$2" "$3"
}

# The pid of the first child of PID (the program under timeout(1)).
t_child() {
	t_until 5 pgrep -P "$1" >/dev/null && pgrep -P "$1" | head -1
}

# How far process PID has read its standard input (a regular file), in
# bytes; empty when it is gone or has closed it.
t_input_pos() {
	awk '$1 == "pos:" { print $2 }' "/proc/$1/fdinfo/0" 2>/dev/null
}

# --- tmux: run the full screen as a person would -----------------------------

# Start CMD in a detached tmux session of COLS x ROWS on a private server.
# The command runs under sh; its exit status and the terminal modes after
# it ends are written to $T_DIR/exit and $T_DIR/stty.  The pane then stays
# open (sleep 30, until the test kills the server) so that its last screen
# can still be read.
t_tmux_start() {
	cols=$1 rows=$2
	shift 2
	# A fresh server each time: reusing a name races the old one's exit.
	T_TMUX_N=$(( ${T_TMUX_N:-0} + 1 ))
	T_MUST_FAILED=0
	T_TMUX=sockscope-test-$$-$T_TMUX_N
	T_TMUX_ALL="${T_TMUX_ALL:-} $T_TMUX"
	cat >"$T_DIR/run.sh" <<EOS
#!/bin/sh
$*
echo \$? >"$T_DIR/exit"
stty -a >"$T_DIR/stty" 2>&1
sleep 30
EOS
	chmod +x "$T_DIR/run.sh"
	tmux -L "$T_TMUX" -f /dev/null new-session -d -s t -x "$cols" -y "$rows" \
		"env TERM=screen-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME=$T_DIR XDG_STATE_HOME=$T_DIR/state $T_DIR/run.sh"
	tmux -L "$T_TMUX" set-option -t t status off >/dev/null
	tmux -L "$T_TMUX" resize-window -t t -x "$cols" -y "$rows" 2>/dev/null
}

# The screen as text.
t_screen() {
	tmux -L "$T_TMUX" capture-pane -p -t t
}

# Type keys (tmux send-keys syntax); -l for literal text.
t_keys() {
	tmux -L "$T_TMUX" send-keys -t t "$@"
}

# Type a line of literal text and press Enter.
t_type() {
	tmux -L "$T_TMUX" send-keys -t t -l "$1"
	tmux -L "$T_TMUX" send-keys -t t Enter
}

# Resize the window.
t_resize() {
	tmux -L "$T_TMUX" resize-window -t t -x "$1" -y "$2"
}

# Wait until the screen shows a line matching the extended regex (SECS, 10;
# at most 1 once a t_must of this tmux session failed).
t_wait_screen() {
	re=$1 secs=${2:-10}
	[ "${T_MUST_FAILED:-0}" = 1 ] && secs=1
	end=$(( $(date +%s%N) / 1000000 + secs * 1000 ))
	while [ "$(( $(date +%s%N) / 1000000 ))" -lt "$end" ]; do
		if t_screen | grep -Eq -- "$re"; then
			return 0
		fi
		sleep 0.1
	done
	t_screen >"$T_DIR/last-screen"
	return 1
}

# Wait until the program under tmux has exited (its status in $T_DIR/exit).
t_wait_exit() {
	t_wait_for "$T_DIR/stty" . "${1:-10}"
}

# Fail a check and show the screen it last saw.
t_screen_fail() {
	echo "#   screen was:"
	sed 's/^/#   |/' "$T_DIR/last-screen" 2>/dev/null | head -70
	t_fail "$1"
}

# Check that the screen shows a line matching the regex (SECS, default 10).
t_see() {
	if t_wait_screen "$2" "${3:-10}"; then
		t_pass "$1"
	else
		t_screen_fail "$1"
	fi
}

# Wait for the program under tmux to exit (SECS, default 10) and check
# that its status is WANT; a program that does not exit fails the check
# too, with the screen it left: t_exit_status NAME WANT [SECS].
t_exit_status() {
	if t_wait_exit "${3:-10}"; then
		t_check "$1 (exit $(cat "$T_DIR/exit"))" [ "$(cat "$T_DIR/exit")" = "$2" ]
	else
		t_screen >"$T_DIR/last-screen"
		t_screen_fail "$1 (did not exit)"
	fi
}

# Wait for the program under tmux to exit; check its status is 0.
t_exit0() {
	t_exit_status "$1" 0 "${2:-10}"
}

# t_see for a check everything after it needs.  A failure is recorded and
# the test goes on (it used to end the test, which hid every later
# result); until the next t_tmux_start the screen checks then wait at most
# 1 s each, so that a broken program costs seconds, not minutes.
t_must() {
	if t_wait_screen "$2" "${3:-10}"; then
		t_pass "$1"
	else
		t_screen_fail "$1"
		T_MUST_FAILED=1
	fi
}

# Wait until no line of the screen matches the regex (SECS, default 10).
t_wait_gone() {
	re=$1 secs=${2:-10}
	[ "${T_MUST_FAILED:-0}" = 1 ] && secs=1
	end=$(( $(date +%s%N) / 1000000 + secs * 1000 ))
	while [ "$(( $(date +%s%N) / 1000000 ))" -lt "$end" ]; do
		if ! t_screen | grep -Eq -- "$re"; then
			return 0
		fi
		sleep 0.1
	done
	t_screen >"$T_DIR/last-screen"
	return 1
}

# Check that the screen stops showing a line matching the regex.
t_not_see() {
	if t_wait_gone "$2" "${3:-10}"; then
		t_pass "$1"
	else
		t_screen_fail "$1"
	fi
}

# Check, right now, that nothing on the screen matches the regex.
t_never() {
	t_screen >"$T_DIR/last-screen"
	if grep -Eq -- "$2" "$T_DIR/last-screen"; then
		t_screen_fail "$1"
	else
		t_pass "$1"
	fi
}

# Wait until the screen matches all of the first regexes given with -y and
# none given with -n (at most 10 s): t_view NAME -y RE -n RE ...
t_view() {
	name=$1
	shift
	end=$(( $(date +%s%N) / 1000000 + 10000 ))
	[ "${T_MUST_FAILED:-0}" = 1 ] && end=$(( $(date +%s%N) / 1000000 + 1000 ))
	while :; do
		t_screen >"$T_DIR/last-screen"
		ok=1
		i=1
		while [ $i -lt $# ]; do
			eval "flag=\${$i}; re=\${$((i + 1))}"
			if [ "$flag" = -y ]; then
				grep -Eq -- "$re" "$T_DIR/last-screen" || ok=0
			else
				! grep -Eq -- "$re" "$T_DIR/last-screen" || ok=0
			fi
			i=$((i + 2))
		done
		if [ $ok = 1 ]; then
			t_pass "$name"
			return
		fi
		if [ "$(( $(date +%s%N) / 1000000 ))" -ge "$end" ]; then
			t_screen_fail "$name"
			return
		fi
		sleep 0.1
	done
}

# Where the terminal's cursor is (column, from 0).
t_cursor_x() {
	tmux -L "$T_TMUX" display-message -p -t t '#{cursor_x}'
}

# Wait until the cursor is in column X (at most 10 s): t_cursor_at NAME X.
t_cursor_at() {
	end=$(( $(date +%s%N) / 1000000 + 10000 ))
	[ "${T_MUST_FAILED:-0}" = 1 ] && end=$(( $(date +%s%N) / 1000000 + 1000 ))
	while [ "$(( $(date +%s%N) / 1000000 ))" -lt "$end" ]; do
		[ "$(t_cursor_x)" = "$2" ] && { t_pass "$1"; return; }
		sleep 0.1
	done
	echo "#   cursor_x is $(t_cursor_x), expected $2"
	t_screen >"$T_DIR/last-screen"
	t_screen_fail "$1"
}

# The pid of the program under tmux (the child of run.sh), or nothing.
t_app_pid() {
	local sh
	sh=$(tmux -L "$T_TMUX" display-message -p -t t '#{pane_pid}' 2>/dev/null) &&
		pgrep -P "$sh" | head -1
}

# True when process PID sleeps with no signal waiting for it.
t_proc_idle() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ "$st" = S ] || return 1
	! grep -Eq '^(SigPnd|ShdPnd):[[:space:]]*0*[1-9a-f]' "/proc/$1/status"
}

# Wait until the program under tmux has done what it was given (SECS,
# default 5): its terminal has the window's size, it sleeps with no signal
# pending, and two screen captures in a row are the same.  Use it where a
# test used to sleep "for the redraw"; returns 1 on time-out.
t_settle() {
	local secs=${1:-5} end pid tty want prev="" cur
	end=$(( $(date +%s%N) / 1000000 + secs * 1000 ))
	pid=$(t_app_pid)
	tty=$(tmux -L "$T_TMUX" display-message -p -t t '#{pane_tty}')
	want=$(tmux -L "$T_TMUX" display-message -p -t t '#{pane_height} #{pane_width}')
	while [ "$(( $(date +%s%N) / 1000000 ))" -lt "$end" ]; do
		cur=$(t_screen)
		if [ "$cur" = "$prev" ] &&
		    [ "$(stty -F "$tty" size 2>/dev/null)" = "$want" ] &&
		    { [ -z "$pid" ] || t_proc_idle "$pid"; }; then
			return 0
		fi
		prev=$cur
		sleep 0.05
	done
	t_screen >"$T_DIR/last-screen"
	return 1
}

# Resize the window and wait until the program has redrawn at that size.
t_resized() {
	t_resize "$1" "$2"
	t_settle 10
}

# --- reading a batch transcript back --------------------------------------------

# The gutter text of every received chunk of a transcript, joined: what the
# peer sent, with each non-printable byte as '.'.
t_recv_gutter() {
	awk '/^< #[0-9]+ recv [1-9]/{on=1; next} /^[<>*!]/{on=0}
	    on && /^  [0-9a-f]/{ s=$0; sub(/^[^|]*\|/, "", s); sub(/\|$/, "", s); printf "%s", s }' "$1"
}
