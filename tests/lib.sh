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

# Kill everything we started and remove the scratch folder.
t_cleanup() {
	for p in $T_PIDS; do
		kill "$p" 2>/dev/null
	done
	sleep 0.1
	for p in $T_PIDS; do
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

# Skip the whole test (exit 77) when a program it needs is missing.
t_need() {
	for prog in "$@"; do
		if ! command -v "$prog" >/dev/null 2>&1; then
			echo "SKIP: $prog not installed"
			exit 77
		fi
	done
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

# A TCP port on 127.0.0.1 that nothing listens on right now.
t_free_port() {
	while :; do
		p=$(( (RANDOM << 4 ^ RANDOM) % 30000 + 20000 ))
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

# --- tmux: run the full screen as a person would -----------------------------

# Start CMD in a detached tmux session of COLS x ROWS on a private server.
# The command runs under sh; its exit status and the terminal modes after
# it ends are written to $T_DIR/exit and $T_DIR/stty.
t_tmux_start() {
	cols=$1 rows=$2
	shift 2
	# A fresh server each time: reusing a name races the old one's exit.
	T_TMUX_N=$(( ${T_TMUX_N:-0} + 1 ))
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

# Wait until the screen shows a line matching the extended regex (SECS, 10).
t_wait_screen() {
	re=$1 secs=${2:-10}
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

# --- reading a batch transcript back --------------------------------------------

# The gutter text of every received chunk of a transcript, joined: what the
# peer sent, with each non-printable byte as '.'.
t_recv_gutter() {
	awk '/^< #[0-9]+ recv [1-9]/{on=1; next} /^[<>*!]/{on=0}
	    on && /^  [0-9a-f]/{ s=$0; sub(/^[^|]*\|/, "", s); sub(/\|$/, "", s); printf "%s", s }' "$1"
}
