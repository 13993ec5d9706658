#!/usr/bin/env bash
# bench/run.sh: every ratio of issue 11 in one run.  sockscope and the
# tool people use instead run back to back on 127.0.0.1, alternating who
# goes first, PAIRS times; each ratio is the median of the per-pair ratios.
#
#   ingest   sockscope -n listen (hex transcript, recv(4096)) vs
#            nc -l | xxd (aim >= 12x as fast) and nc -l >/dev/null
#            (aim: sockscope takes <= 1.3x nc's time); random bytes
#   screen   the full screen in tmux 200x50 flooded with FLOOD bytes of
#            zeros (--random: random bytes, no two Events lines alike)
#            vs nc -l >/dev/null (aim >= 0.8x nc's speed); the peak
#            RSS (VmHWM) of that run and of one with --scrollback=16M
#   accept   CONNS sequential connections (bench/accept_bench.c: connect,
#            send 8 bytes, half-close, wait for the server's EOF) to
#            sockscope -n -k listen vs ncat -l -k and nc -lk (aim >= 1.0x
#            ncat); the last block of 1000 vs the first (aim <= 1.2x);
#            then sockscope vs ncat with both processes pinned (taskset)
#            to one CPU, and to two, since unpinned runs mix the two
#   keys     keystroke echo latency in the full screen (tmux send-keys a
#            marker, time until capture-pane shows it) under a flood vs
#            idle, each the median of KEYS markers
#   idle     context switches (every thread's voluntary + involuntary
#            switches in /proc) over IDLE seconds, each program listening
#            with one quiet connection: sockscope full screen and batch
#            next to nc -l, in the same window (aim 0)
#   cg       callgrind instructions per input byte: the formatter
#            (bench/hexdump_bench, aim <= 4), the whole batch program at
#            recv(4096) (aim <= 6), xxd for scale
#   strace   strace -c -f of the same ingest, sockscope vs nc: poll and
#            epoll calls, recv/read calls, write calls, bytes written per
#            byte received
#
# The table goes to standard output and, unless --no-record, is appended
# to bench/RESULTS.md under a heading with the machine, the load average
# and the date.  Every wait is bounded; every process and tmux server it
# starts is ended on exit; ports are picked free at run time.
#
# Environment: SOCKSCOPE=path/to/sockscope (default src/sockscope).
set -eu
export LC_ALL=C
cd "$(dirname "$0")/.."

PAIRS=5
INGEST_MIB=256
FLOOD_MIB=1024
CONNS=10000
IDLE_SECS=10
KEYS=5
RECORD=yes
RANDOM_FLOOD=no
ONLY="ingest screen accept keys idle cg strace"
NOTE=""
ARGS="$*"

# Print the usage text.
bench_usage() {
	cat <<'EOF'
usage: bench/run.sh [OPTIONS]
  -n, --pairs=N      paired runs per comparison (default 5)
  --ingest=MIB       batch ingest size (default 256)
  --flood=MIB        full-screen flood size (default 1024)
  --random           flood the full screen with random bytes, not zeros
  --conns=N          sequential connections (default 10000)
  --idle=SECS        idle window (default 10)
  --keys=N           markers typed per latency measurement (default 5)
  --quick            1 pair, 16 MiB, 64 MiB flood, 1000 connections, 2 s idle
  --only=LIST        comma-separated: ingest,screen,accept,keys,idle,cg,strace
  --note=TEXT        a line added under the RESULTS.md heading
  --no-record        print the table only; leave bench/RESULTS.md alone
  -h, --help         this text
EOF
}

# Print one line on standard error and exit 1.
bench_die() {
	echo "bench: $*" >&2
	exit 1
}

# Check that a value is a positive integer, or die naming the option.
bench_int() {
	case $2 in
	'' | *[!0-9]* | 0*) bench_die "$1 wants a positive integer, not '$2'" ;;
	esac
}

while [ $# -gt 0 ]; do
	case $1 in
	-n) [ $# -ge 2 ] || bench_die "-n wants a number"; PAIRS=$2; shift ;;
	--pairs=*) PAIRS=${1#*=} ;;
	--ingest=*) INGEST_MIB=${1#*=} ;;
	--flood=*) FLOOD_MIB=${1#*=} ;;
	--random) RANDOM_FLOOD=yes ;;
	--conns=*) CONNS=${1#*=} ;;
	--idle=*) IDLE_SECS=${1#*=} ;;
	--keys=*) KEYS=${1#*=} ;;
	--quick) PAIRS=1 INGEST_MIB=16 FLOOD_MIB=64 CONNS=1000 IDLE_SECS=2 KEYS=3 ;;
	--only=*) ONLY=${1#*=}; ONLY=${ONLY//,/ } ;;
	--note=*) NOTE=${1#*=}; ARGS=${ARGS/"$1"/--note=…} ;;
	--no-record) RECORD=no ;;
	-h | --help) bench_usage; exit 0 ;;
	*) bench_usage >&2; exit 2 ;;
	esac
	shift
done
bench_int --pairs "$PAIRS"
bench_int --ingest "$INGEST_MIB"
bench_int --flood "$FLOOD_MIB"
bench_int --conns "$CONNS"
bench_int --idle "$IDLE_SECS"
bench_int --keys "$KEYS"
for o in $ONLY; do
	case $o in
	ingest | screen | accept | keys | idle | cg | strace) ;;
	*) bench_die "--only: unknown part '$o'" ;;
	esac
done

S=${SOCKSCOPE:-src/sockscope}
case $S in /*) ;; *) S=$PWD/$S ;; esac
[ -x "$S" ] || bench_die "build first ($S missing)"
for p in socat nc ncat xxd tmux ss cc awk timeout valgrind callgrind_annotate strace; do
	command -v "$p" >/dev/null || bench_die "needs $p"
done

T=$(mktemp -d "${TMPDIR:-/tmp}/sockscope-bench.XXXXXX")
mkdir "$T/res" "$T/home"
: >"$T/pids"
: >"$T/tmux"

# End every process and tmux server this run started, remove the scratch.
bench_cleanup() {
	local p t
	while read -r p; do
		kill "$p" 2>/dev/null || true
	done <"$T/pids"
	while read -r t; do
		tmux -S "$t" kill-server 2>/dev/null || true
	done <"$T/tmux"
	rm -rf "$T"
}
trap bench_cleanup EXIT
trap 'exit 1' INT TERM HUP

# Remember a background process so that cleanup ends it.
bench_bg() {
	echo "$1" >>"$T/pids"
}

# Evaluate an awk expression and print it with six decimals.
bench_calc() {
	awk "BEGIN { printf \"%.6f\", $1 }"
}

# Append one value to the named result series.
bench_rec() {
	echo "$2" >>"$T/res/$1"
}

# The median of a result series (the mean of the middle two if even).
bench_med() {
	[ -s "$T/res/$1" ] || { echo nan; return; }
	sort -g "$T/res/$1" | awk '{ v[NR] = $1 }
	    END { if (NR % 2) printf "%.6f", v[(NR + 1) / 2];
	          else printf "%.6f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# All values of a result series on one line, for the raw record: numbers
# rounded to what the measurement can tell, words as they are.
bench_all() {
	[ -s "$T/res/$1" ] || return 0
	awk 'function f(v) {
		if (v !~ /^[0-9.]+$/ || v ~ /^[0-9]+$/) return v
		if (v >= 100) return sprintf("%.0f", v)
		if (v >= 1) return sprintf("%.3f", v)
		return sprintf("%.4f", v)
	}
	{ for (i = 1; i <= NF; i++) s = s (s == "" ? "" : (i == 1 ? " " : "/")) f($i) }
	END { printf "%s", s }' "$T/res/$1"
}

# A TCP port on 127.0.0.1 that nothing uses right now.
bench_port() {
	local p
	while :; do
		p=$(( (RANDOM << 4 ^ RANDOM) % 30000 + 20000 ))
		if ! ss -Htan "sport = :$p" | grep -q .; then
			echo "$p"
			return
		fi
	done
}

# Wait until something listens on 127.0.0.1:PORT (at most 10 s), asking
# the kernel so that a one-connection peer is not used up by the check.
bench_wait_listen() {
	local end=$((SECONDS + 10))
	while ! ss -Hltn "sport = :$1" | grep -q .; do
		[ $SECONDS -lt $end ] || bench_die "nothing listens on port $1 after 10 s"
		sleep 0.01
	done
}

# Wait for background PID, started under timeout(1) so that the wait is
# bounded, and return the moment it exits (no polling: the time of its
# exit is what is measured); die naming WHAT if it failed.
bench_wait_ok() {
	local pid=$1 what=$2 st=0
	wait "$pid" || st=$?
	[ "$st" -ne 124 ] || bench_die "$what: still running at its time limit"
	[ "$st" -eq 0 ] || bench_die "$what: exit status $st"
}

# Seconds on the wall clock, microsecond resolution, no fork.
bench_now() {
	echo "$EPOCHREALTIME"
}

# The bytes of a size in MiB.
bench_bytes() {
	echo $(($1 * 1048576))
}

# A bound in seconds for moving MIB mebibytes at 4 MiB/s or more.
bench_bound() {
	echo $(($1 / 4 + 30))
}

# The first two CPUs this process may run on ("0 1"), or nothing.
bench_cpus() {
	local list
	list=$(awk '/^Cpus_allowed_list:/ { print $2 }' /proc/self/status 2>/dev/null)
	[ -n "$list" ] || return 0
	echo "$list" | tr ',' '\n' | awk -F- '
		{ lo = $1; hi = (NF > 1 ? $2 : $1)
		  for (c = lo; c <= hi && n < 2; c++) { printf "%s%d", (n ? " " : ""), c; n++ } }
		END { if (n < 2) exit 1; print "" }' 2>/dev/null || true
}

bench_has() {	# is part $1 selected?
	case " $ONLY " in *" $1 "*) return 0 ;; esac
	return 1
}

# --- tmux: the full screen as a person sees it -------------------------------

# Start sockscope ARGS... in a fresh tmux server 200x50; sets TM (its
# socket, in the scratch folder) and TPID (sockscope's pid: the pane's shell execs it).
bench_screen_start() {
	# Unique even from a subshell: reusing a name races the old server's exit.
	TM=$T/tmux.$BASHPID.$RANDOM
	echo "$TM" >>"$T/tmux"
	tmux -S "$TM" -f /dev/null new-session -d -s b -x 200 -y 50 \
		"exec env TERM=screen-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME=$T/home XDG_STATE_HOME=$T/home $S $*"
	tmux -S "$TM" set-option -t b status off >/dev/null
	TPID=$(tmux -S "$TM" list-panes -t b -F '#{pane_pid}')
}

# The screen as text.
bench_screen() {
	tmux -S "$TM" capture-pane -p -t b
}

# Wait until the screen shows the extended regex (at most SECS, default 10).
bench_screen_wait() {
	local end=$((SECONDS + ${2:-10}))
	until bench_screen | grep -Eq -- "$1"; do
		if [ $SECONDS -ge $end ]; then
			bench_screen >"$T/last-screen" 2>&1 || true
			sed 's/^/bench: | /' "$T/last-screen" >&2
			bench_die "the screen never showed /$1/"
		fi
		sleep 0.01
	done
}

# End the current tmux server (and the sockscope in it).
bench_screen_stop() {
	tmux -S "$TM" kill-server 2>/dev/null || true
}

# Peak resident memory of a process, in KiB.
bench_hwm() {
	awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"
}

# Context switches so far of every thread of a process.
bench_switches() {
	cat /proc/"$1"/task/*/status 2>/dev/null |
		awk '/^(non)?voluntary_ctxt_switches:/ { n += $2 } END { print n + 0 }'
}

# --- the machine -------------------------------------------------------------

CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
[ -n "$CPU" ] || CPU=$(uname -m)
NPROC=$(nproc)
KERNEL=$(uname -sr)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
REV=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- src include 2>/dev/null || REV="$REV+changes"
echo "== bench/run.sh $ARGS: $DATE, $NPROC x $CPU, $KERNEL, load $LOAD0"
BUILT=$(date -u -r "$S" '+%Y-%m-%d %H:%M UTC')
echo "== sockscope $S ($REV, built $BUILT), $PAIRS pair(s) per comparison"

cc -O2 -o "$T/accept_bench" bench/accept_bench.c ||
	bench_die "cannot build bench/accept_bench.c"

# --- ingest: batch transcript vs nc | xxd and nc >/dev/null -------------------

# Time one receiver: "COMMAND with PORT" started, a socat sender pushes
# FILE; prints seconds from the sender's start to the receiver's exit.
bench_time_recv() {
	local p cmd t0 t1 rpid
	p=$(bench_port)
	cmd=${1//PORT/$p}
	timeout "$(bench_bound "$INGEST_MIB")" bash -c "$cmd" &
	rpid=$!
	bench_bg $rpid
	bench_wait_listen "$p"
	t0=$(bench_now)
	socat -u "FILE:$2" "TCP:127.0.0.1:$p" || bench_die "socat into '$1' failed"
	bench_wait_ok $rpid "$1"
	t1=$(bench_now)
	bench_calc "$t1 - $t0"
}

if bench_has ingest || bench_has strace; then
	head -c "$(bench_bytes "$INGEST_MIB")" /dev/urandom >"$T/data"
fi

if bench_has ingest; then
	echo "== ingest: $INGEST_MIB MiB of random bytes, batch transcript at recv(4096)"
	C_SS="$S -n listen PORT </dev/null >/dev/null"
	C_XXD="nc -d -l 127.0.0.1 PORT | xxd >/dev/null"
	C_NC="nc -d -l 127.0.0.1 PORT >/dev/null"
	for i in $(seq "$PAIRS"); do
		if [ $((i % 2)) = 1 ]; then
			ss=$(bench_time_recv "$C_SS" "$T/data")
			xx=$(bench_time_recv "$C_XXD" "$T/data")
			nc=$(bench_time_recv "$C_NC" "$T/data")
		else
			nc=$(bench_time_recv "$C_NC" "$T/data")
			xx=$(bench_time_recv "$C_XXD" "$T/data")
			ss=$(bench_time_recv "$C_SS" "$T/data")
		fi
		bench_rec ingest_ss "$ss"
		bench_rec ingest_xxd "$xx"
		bench_rec ingest_nc "$nc"
		bench_rec ingest_r_xxd "$(bench_calc "$xx / $ss")"
		bench_rec ingest_r_nc "$(bench_calc "$ss / $nc")"
		printf '   pair %d: sockscope %.3f s, nc|xxd %.3f s, nc %.3f s\n' "$i" "$ss" "$xx" "$nc"
	done
fi

# --- screen: the full screen under a flood vs nc ------------------------------

FLOOD=$(bench_bytes "$FLOOD_MIB")
FLOOD_SRC="OPEN:/dev/zero,readbytes=$FLOOD"
FLOOD_WHAT=zeros
FLOOD_LABEL=""
if [ "$RANDOM_FLOOD" = yes ] && bench_has screen; then
	# Made once, then read from the page cache: the same bytes each run.
	head -c "$FLOOD" /dev/urandom >"$T/flood.bin" ||
		bench_die "cannot write $FLOOD random bytes to $T"
	FLOOD_SRC="OPEN:$T/flood.bin"
	FLOOD_WHAT="random bytes"
	FLOOD_LABEL=" of random bytes"
fi

# Flood the full screen (extra sockscope options in $1); prints seconds
# from the sender's start until the screen shows every byte received, then
# records the peak RSS in series $2.
bench_time_screen() {
	local p t0 t1
	p=$(bench_port)
	bench_screen_start "$1" listen "$p"
	bench_wait_listen "$p"
	bench_screen_wait "L1 127\\.0\\.0\\.1:$p"
	t0=$(bench_now)
	socat -u "$FLOOD_SRC" "TCP:127.0.0.1:$p" ||
		bench_die "socat into the full screen failed"
	# Polling only after the sender is done keeps tmux out of the way.
	bench_screen_wait "received +$FLOOD B" "$(bench_bound "$FLOOD_MIB")"
	t1=$(bench_now)
	bench_rec "$2" "$(bench_hwm "$TPID")"
	bench_screen_stop
	bench_calc "$t1 - $t0"
}

# The same flood into nc -l >/dev/null: seconds until nc exits.
bench_time_nc_flood() {
	local p t0 t1 rpid
	p=$(bench_port)
	timeout "$(bench_bound "$FLOOD_MIB")" nc -d -l 127.0.0.1 "$p" >/dev/null &
	rpid=$!
	bench_bg $rpid
	bench_wait_listen "$p"
	t0=$(bench_now)
	socat -u "$FLOOD_SRC" "TCP:127.0.0.1:$p" ||
		bench_die "socat into nc failed"
	bench_wait_ok $rpid "nc -l (flood)"
	t1=$(bench_now)
	bench_calc "$t1 - $t0"
}

if bench_has screen; then
	echo "== screen: $FLOOD_MIB MiB of $FLOOD_WHAT into the full screen (tmux 200x50) vs nc"
	for i in $(seq "$PAIRS"); do
		if [ $((i % 2)) = 1 ]; then
			ss=$(bench_time_screen "" rss_default)
			nc=$(bench_time_nc_flood)
			s16=$(bench_time_screen --scrollback=16M rss_16m)
		else
			s16=$(bench_time_screen --scrollback=16M rss_16m)
			nc=$(bench_time_nc_flood)
			ss=$(bench_time_screen "" rss_default)
		fi
		bench_rec screen_ss "$ss"
		bench_rec screen_16m "$s16"
		bench_rec screen_nc "$nc"
		bench_rec screen_r "$(bench_calc "$nc / $ss")"
		printf '   pair %d: sockscope %.3f s (--scrollback=16M %.3f s), nc %.3f s\n' \
			"$i" "$ss" "$s16" "$nc"
	done
fi

# --- accept: sequential connections vs ncat -k and nc -lk ---------------------

if [ "$CONNS" -ge 10000 ]; then BLOCK=1000; else BLOCK=$(( (CONNS + 9) / 10 )); fi

# Run the client against "COMMAND with PORT" (output to FILE); records
# the rate and the last/first block ratio under NAME; checks that the
# server saw every connection (CHECK: transcript or bytes).
# With PIN_SERVER / PIN_CLIENT set (CPU numbers), each runs on that CPU.
bench_accept() {
	local name=$1 cmd=$2 out=$3 check=$4 p rpid got spin="" cpin=""
	p=$(bench_port)
	cmd=${cmd//PORT/$p}
	[ -z "${PIN_SERVER:-}" ] || spin="taskset -c $PIN_SERVER"
	[ -z "${PIN_CLIENT:-}" ] || cpin="taskset -c $PIN_CLIENT"
	timeout 600 $spin bash -c "exec $cmd" >"$out" 2>&1 &
	rpid=$!
	bench_bg $rpid
	bench_wait_listen "$p"
	timeout 600 $cpin "$T/accept_bench" "$p" "$CONNS" "$BLOCK" >"$T/ab.out" ||
		bench_die "accept_bench against '$2' failed"
	kill "$rpid" 2>/dev/null || true
	wait "$rpid" 2>/dev/null || true
	case $check in
	transcript) got=$(grep -c '^\* #[0-9]* closed' "$out" || true) ;;
	*) got=$(( $(wc -c <"$out") / 8 )) ;;
	esac
	[ "$got" -eq "$CONNS" ] ||
		bench_die "'$2' served $got of $CONNS connections"
	awk -v c="$CONNS" '/^total/ { printf "%.6f\n", c / $3 }' "$T/ab.out" >>"$T/res/${name}_rate"
	awk '/^block/ { if (!f) f = $3; l = $3 } END { printf "%.6f\n", l / f }' \
		"$T/ab.out" >>"$T/res/${name}_lf"
	awk '/^block/ { if (!f) f = $3; l = $3 } END { printf "%.6f %.6f\n", f, l }' \
		"$T/ab.out" >>"$T/res/${name}_blocks"
}

if bench_has accept; then
	echo "== accept: $CONNS sequential connections (blocks of $BLOCK)"
	A_SS="$S -n -k listen PORT </dev/null"
	A_NCAT="ncat -l -k 127.0.0.1 PORT </dev/null"
	A_NC="nc -d -lk 127.0.0.1 PORT </dev/null"
	for i in $(seq "$PAIRS"); do
		if [ $((i % 2)) = 1 ]; then
			bench_accept acc_ss "$A_SS" "$T/acc.out" transcript
			bench_accept acc_ncat "$A_NCAT" "$T/acc.out" bytes
			bench_accept acc_nc "$A_NC" "$T/acc.out" bytes
		else
			bench_accept acc_nc "$A_NC" "$T/acc.out" bytes
			bench_accept acc_ncat "$A_NCAT" "$T/acc.out" bytes
			bench_accept acc_ss "$A_SS" "$T/acc.out" transcript
		fi
		ss=$(tail -1 "$T/res/acc_ss_rate")
		ncat=$(tail -1 "$T/res/acc_ncat_rate")
		nc=$(tail -1 "$T/res/acc_nc_rate")
		bench_rec acc_r_ncat "$(bench_calc "$ss / $ncat")"
		bench_rec acc_r_nc "$(bench_calc "$ss / $nc")"
		printf '   pair %d: sockscope %.0f/s (last/first %.2f), ncat %.0f/s, nc %.0f/s\n' \
			"$i" "$ss" "$(tail -1 "$T/res/acc_ss_lf")" "$ncat" "$nc"
	done
	# Unpinned, the scheduler puts client and server on one CPU or on
	# two, and moves them (see RESULTS.md): each placement on its own.
	CPUS=$(bench_cpus)
	if [ -n "$CPUS" ] && command -v taskset >/dev/null; then
		set -- $CPUS
		for place in one two; do
			if [ $place = one ]; then PIN_CLIENT=$1; else PIN_CLIENT=$2; fi
			PIN_SERVER=$1
			for i in $(seq "$PAIRS"); do
				if [ $((i % 2)) = 1 ]; then
					bench_accept acc_${place}_ss "$A_SS" "$T/acc.out" transcript
					bench_accept acc_${place}_ncat "$A_NCAT" "$T/acc.out" bytes
				else
					bench_accept acc_${place}_ncat "$A_NCAT" "$T/acc.out" bytes
					bench_accept acc_${place}_ss "$A_SS" "$T/acc.out" transcript
				fi
				ss=$(tail -1 "$T/res/acc_${place}_ss_rate")
				ncat=$(tail -1 "$T/res/acc_${place}_ncat_rate")
				bench_rec acc_${place}_r "$(bench_calc "$ss / $ncat")"
				printf '   pinned to %s CPU%s, pair %d: sockscope %.0f/s, ncat %.0f/s\n' \
					"$place" "$([ $place = two ] && echo s)" "$i" "$ss" "$ncat"
			done
		done
		unset PIN_SERVER PIN_CLIENT
		set --
	fi
fi

# --- keys: echo latency under a flood vs idle ---------------------------------

# Type KEYS markers into the current screen; record each latency (from
# send-keys until capture-pane shows it) in series $1, in milliseconds.
bench_type_markers() {
	local k m t0 t1 scr end
	for k in $(seq "$KEYS"); do
		m="mark${k}q${RANDOM}z"
		end=$((SECONDS + 30))
		t0=$(bench_now)
		tmux -S "$TM" send-keys -t b -l "$m"
		while :; do
			scr=$(tmux -S "$TM" capture-pane -p -t b)
			case $scr in *"$m"*) break ;; esac
			[ $SECONDS -lt $end ] || bench_die "marker $m never echoed"
		done
		t1=$(bench_now)
		bench_calc "($t1 - $t0) * 1000" >>"$1"
		echo >>"$1"
		tmux -S "$TM" send-keys -t b C-u
		while :; do
			scr=$(tmux -S "$TM" capture-pane -p -t b)
			case $scr in *"$m"*) ;; *) break ;; esac
			[ $SECONDS -lt $end ] || bench_die "marker $m never erased"
		done
	done
}

# Median echo latency (ms) in a quiet listening full screen.
bench_keys_idle() {
	local p
	p=$(bench_port)
	bench_screen_start listen "$p"
	bench_screen_wait "L1 127\\.0\\.0\\.1:$p"
	: >"$T/lat"
	bench_type_markers "$T/lat"
	bench_screen_stop
	sort -g "$T/lat" | awk '{ v[NR] = $1 } END { printf "%.3f", v[int((NR + 1) / 2)] }'
}

# Median echo latency (ms) while a socat sends zeros as fast as it can.
bench_keys_flood() {
	local p fpid
	p=$(bench_port)
	bench_screen_start listen "$p"
	bench_screen_wait "L1 127\\.0\\.0\\.1:$p"
	socat -u /dev/zero "TCP:127.0.0.1:$p" 2>/dev/null &
	fpid=$!
	bench_bg $fpid
	bench_screen_wait "#1 ESTABLISHED"
	: >"$T/lat"
	bench_type_markers "$T/lat"
	kill -0 $fpid 2>/dev/null || bench_die "the flood ended before the markers did"
	kill $fpid 2>/dev/null || true
	wait $fpid 2>/dev/null || true
	bench_screen_stop
	sort -g "$T/lat" | awk '{ v[NR] = $1 } END { printf "%.3f", v[int((NR + 1) / 2)] }'
}

if bench_has keys; then
	echo "== keys: echo latency in the full screen, $KEYS markers, flood vs idle"
	for i in $(seq "$PAIRS"); do
		if [ $((i % 2)) = 1 ]; then
			fl=$(bench_keys_flood)
			id=$(bench_keys_idle)
		else
			id=$(bench_keys_idle)
			fl=$(bench_keys_flood)
		fi
		bench_rec keys_idle "$id"
		bench_rec keys_flood "$fl"
		bench_rec keys_r "$(bench_calc "$fl / $id")"
		printf '   pair %d: under flood %.1f ms, idle %.1f ms\n' "$i" "$fl" "$id"
	done
fi

# --- idle: wake-ups with a quiet connection -----------------------------------

# Connect a peer that sends nothing and stays; remembered for cleanup.
bench_quiet_peer() {
	socat -u EXEC:'sleep 3600' "TCP:127.0.0.1:$1" 2>/dev/null &
	bench_bg $!
	QUIET=$!
}

if bench_has idle; then
	echo "== idle: context switches over $IDLE_SECS s, one quiet connection each"
	for i in $(seq "$PAIRS"); do
		p1=$(bench_port)
		bench_screen_start listen "$p1"
		bench_wait_listen "$p1"
		p2=$(bench_port)
		"$S" -n -k listen "$p2" </dev/null >/dev/null 2>&1 &
		bpid=$!
		bench_bg $bpid
		p3=$(bench_port)
		nc -d -l 127.0.0.1 "$p3" </dev/null >/dev/null &
		npid=$!
		bench_bg $npid
		bench_wait_listen "$p2"
		bench_wait_listen "$p3"
		bench_quiet_peer "$p1"; q1=$QUIET
		bench_quiet_peer "$p2"; q2=$QUIET
		bench_quiet_peer "$p3"; q3=$QUIET
		bench_screen_wait "#1 ESTABLISHED"
		end=$((SECONDS + 10))
		until [ "$(ss -Htn state established "sport = :$p2" | wc -l)" -ge 1 ] &&
			[ "$(ss -Htn state established "sport = :$p3" | wc -l)" -ge 1 ]; do
			[ $SECONDS -lt $end ] || bench_die "idle peers never connected"
			sleep 0.01
		done
		# Let the screen draw the connection before the window opens.
		bench_screen >/dev/null
		w1=$(bench_switches "$TPID"); w2=$(bench_switches $bpid); w3=$(bench_switches $npid)
		sleep "$IDLE_SECS"	# the measurement window itself
		w1=$(( $(bench_switches "$TPID") - w1 ))
		w2=$(( $(bench_switches $bpid) - w2 ))
		w3=$(( $(bench_switches $npid) - w3 ))
		bench_rec idle_screen "$w1"
		bench_rec idle_batch "$w2"
		bench_rec idle_nc "$w3"
		printf '   window %d: sockscope screen %d, batch %d, nc %d\n' "$i" "$w1" "$w2" "$w3"
		for p in $q1 $q2 $q3 $bpid $npid; do
			kill "$p" 2>/dev/null || true
			wait "$p" 2>/dev/null || true
		done
		bench_screen_stop
	done
fi

# --- cg: instructions per byte -------------------------------------------------

# Total instructions of a callgrind output file.
bench_ir() {
	grep -E '^(summary|totals):' "$1" | head -1 | awk '{ print $2 }'
}

if bench_has cg; then
	echo "== cg: callgrind, 16 MiB in 4096-byte chunks (instructions per byte)"
	CG=16777216
	if [ -f config.h ]; then
		cp config.h "$T/config.h"
	else
		: >"$T/config.h"	# the formatter needs nothing configure finds
	fi
	cc -O2 -Iinclude -I"$T" -o "$T/hb" bench/hexdump_bench.c src/hexdump.c src/util.c ||
		bench_die "cannot build bench/hexdump_bench.c"
	valgrind --tool=callgrind --callgrind-out-file="$T/cg.hb" "$T/hb" 16 4096 >/dev/null 2>"$T/hb.err" ||
		bench_die "hexdump_bench under callgrind failed"
	fn=$(callgrind_annotate --inclusive=yes "$T/cg.hb" 2>/dev/null |
		awk '/hexdump_chunk / || /hexdump_chunk$/ { gsub(",", "", $1); print $1; exit }')
	[ -n "$fn" ] || bench_die "no hexdump_chunk in the callgrind profile"
	bench_rec cg_fmt "$(bench_calc "$fn / $CG")"
	bench_rec cg_engine "$(awk -F': ' '/formatter/ { print $2 }' "$T/hb.err")"

	head -c "$CG" /dev/urandom >"$T/d16"
	p=$(bench_port)
	timeout 600 valgrind --tool=callgrind --callgrind-out-file="$T/cg.ss" \
		"$S" -n listen "$p" </dev/null >/dev/null 2>"$T/cg.err" &
	vpid=$!
	bench_bg $vpid
	end=$((SECONDS + 60))
	while ! ss -Hltn "sport = :$p" | grep -q .; do
		[ $SECONDS -lt $end ] || bench_die "sockscope under callgrind never listened"
		sleep 0.05
	done
	socat -u "FILE:$T/d16" "TCP:127.0.0.1:$p" || bench_die "socat into callgrind failed"
	bench_wait_ok $vpid "sockscope under callgrind"
	bench_rec cg_whole "$(bench_calc "$(bench_ir "$T/cg.ss") / $CG")"

	head -c 1048576 "$T/d16" >"$T/d1"
	valgrind --tool=callgrind --callgrind-out-file="$T/cg.xxd" xxd "$T/d1" >/dev/null 2>&1 ||
		bench_die "xxd under callgrind failed"
	bench_rec cg_xxd "$(bench_calc "$(bench_ir "$T/cg.xxd") / 1048576")"
	printf '   formatter (%s) %.2f, whole program %.2f, xxd %.1f\n' \
		"$(bench_all cg_engine)" "$(bench_med cg_fmt)" "$(bench_med cg_whole)" "$(bench_med cg_xxd)"
fi

# --- strace: system calls of the same ingest ----------------------------------

# Calls of the named system calls in an strace -c summary, added up.
bench_calls() {
	local f=$1
	shift
	awk -v names=" $* " '$1 ~ /^[0-9.]+$/ && index(names, " " $NF " ") { n += $4 }
	    END { print n + 0 }' "$f"
}

# Run "COMMAND with PORT" under strace -c -f, its output counted by wc;
# the summary goes to $2, the byte count to $2.bytes.
bench_strace() {
	local p cmd rpid
	p=$(bench_port)
	cmd=${1//PORT/$p}
	timeout 600 bash -c "strace -c -f -o $2 $cmd </dev/null | wc -c >$2.bytes" &
	rpid=$!
	bench_bg $rpid
	end=$((SECONDS + 30))
	while ! ss -Hltn "sport = :$p" | grep -q .; do
		[ $SECONDS -lt $end ] || bench_die "'$1' under strace never listened"
		sleep 0.02
	done
	socat -u "FILE:$T/data" "TCP:127.0.0.1:$p" || bench_die "socat into strace failed"
	bench_wait_ok $rpid "$1 under strace"
}

if bench_has strace; then
	echo "== strace: system calls for $INGEST_MIB MiB, sockscope -n vs nc -l"
	bench_strace "$S -n listen PORT" "$T/st.ss"
	bench_strace "nc -d -l 127.0.0.1 PORT" "$T/st.nc"
	IN=$(bench_bytes "$INGEST_MIB")
	for w in ss nc; do
		bench_rec "st_poll_$w" "$(bench_calls "$T/st.$w" poll ppoll epoll_wait epoll_pwait epoll_pwait2 select pselect6)"
		bench_rec "st_recv_$w" "$(bench_calls "$T/st.$w" recvfrom recvmsg read readv)"
		bench_rec "st_write_$w" "$(bench_calls "$T/st.$w" write writev sendto sendmsg)"
		bench_rec "st_out_$w" "$(bench_calc "$(cat "$T/st.$w.bytes") / $IN")"
	done
	printf '   sockscope: %d poll, %d recv/read, %d write, %.3f bytes out per byte in\n' \
		"$(bench_all st_poll_ss)" "$(bench_all st_recv_ss)" "$(bench_all st_write_ss)" "$(bench_all st_out_ss)"
	printf '   nc:        %d poll, %d recv/read, %d write, %.3f bytes out per byte in\n' \
		"$(bench_all st_poll_nc)" "$(bench_all st_recv_nc)" "$(bench_all st_write_nc)" "$(bench_all st_out_nc)"
fi

# --- the table ----------------------------------------------------------------

LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

# Print "yes" or "NO" for whether VALUE OP AIM holds.
bench_met() {
	if [ "$(awk "BEGIN { print ($1 $2 $3) ? 1 : 0 }")" = 1 ]; then
		echo yes
	else
		echo NO
	fi
}

bench_row() {	# what | sockscope | peer | ratio | aim | met
	printf '| %s | %s | %s | %s | %s | %s |\n' "$@"
}

bench_table() {
	local r
	echo "| what | sockscope | peer | ratio (median of pairs) | aim | met |"
	echo "|---|---|---|---|---|---|"
	if bench_has ingest; then
		r=$(bench_med ingest_r_xxd)
		bench_row "batch ingest + hex transcript, $INGEST_MIB MiB, recv(4096)" \
			"$(bench_calc "$INGEST_MIB / $(bench_med ingest_ss)" | xargs printf '%.0f') MiB/s" \
			"\`nc -l \\| xxd\` $(bench_calc "$INGEST_MIB / $(bench_med ingest_xxd)" | xargs printf '%.1f') MiB/s" \
			"$(printf '%.2f' "$r")× as fast" "≥ 12×" "$(bench_met "$r" '>=' 12)"
		r=$(bench_med ingest_r_nc)
		bench_row "the same vs no formatting" \
			"$(printf '%.3f' "$(bench_med ingest_ss)") s" \
			"\`nc -l >/dev/null\` $(printf '%.3f' "$(bench_med ingest_nc)") s" \
			"$(printf '%.2f' "$r")× nc's time" "≤ 1.3×" "$(bench_met "$r" '<=' 1.3)"
	fi
	if bench_has screen; then
		r=$(bench_med screen_r)
		bench_row "full screen (tmux 200×50), $FLOOD_MIB MiB flood$FLOOD_LABEL" \
			"$(bench_calc "$FLOOD_MIB / $(bench_med screen_ss)" | xargs printf '%.0f') MiB/s" \
			"\`nc -l >/dev/null\` $(bench_calc "$FLOOD_MIB / $(bench_med screen_nc)" | xargs printf '%.0f') MiB/s" \
			"$(printf '%.2f' "$r")× nc's speed" "≥ 0.8×" "$(bench_met "$r" '>=' 0.8)"
		r=$(bench_med rss_default)
		bench_row "peak RSS after the $FLOOD_MIB MiB flood, default scrollback (64M)" \
			"$(bench_calc "$r / 1024" | xargs printf '%.1f') MiB" "" "" "≤ 64 + 32 MiB" \
			"$(bench_met "$r" '<=' $((96 * 1024)))"
		r=$(bench_med rss_16m)
		bench_row "the same with \`--scrollback=16M\`" \
			"$(bench_calc "$r / 1024" | xargs printf '%.1f') MiB" "" "" "≤ 16 + 32 MiB" \
			"$(bench_met "$r" '<=' $((48 * 1024)))"
	fi
	if bench_has accept; then
		r=$(bench_med acc_r_ncat)
		bench_row "$CONNS sequential connections, \`-n -k listen\`" \
			"$(printf '%.0f' "$(bench_med acc_ss_rate)") conn/s" \
			"\`ncat -l -k\` $(printf '%.0f' "$(bench_med acc_ncat_rate)"), \`nc -lk\` $(printf '%.0f' "$(bench_med acc_nc_rate)")" \
			"$(printf '%.2f' "$r")× ncat, $(printf '%.2f' "$(bench_med acc_r_nc)")× nc" \
			"≥ 1.0× ncat" "$(bench_met "$r" '>=' 1.0)"
		for place in one two; do
			[ -s "$T/res/acc_${place}_r" ] || continue
			r=$(bench_med acc_${place}_r)
			bench_row "the same, client and server pinned to $place CPU$([ $place = two ] && echo s)" \
				"$(printf '%.0f' "$(bench_med acc_${place}_ss_rate)") conn/s" \
				"\`ncat -l -k\` $(printf '%.0f' "$(bench_med acc_${place}_ncat_rate)")" \
				"$(printf '%.2f' "$r")× ncat" "— (see RESULTS.md)" "—"
		done
		r=$(bench_med acc_ss_lf)
		bench_row "the last $BLOCK of those vs the first $BLOCK" \
			"$(printf '%.2f' "$r")× the time" \
			"ncat $(printf '%.2f' "$(bench_med acc_ncat_lf)")×, nc $(printf '%.2f' "$(bench_med acc_nc_lf)")×" \
			"$(printf '%.2f' "$r")×" "≤ 1.2×" "$(bench_met "$r" '<=' 1.2)"
	fi
	if bench_has keys; then
		r=$(bench_med keys_r)
		bench_row "keystroke echo in the full screen, under a flood vs idle" \
			"$(printf '%.1f' "$(bench_med keys_flood)") ms under flood" \
			"$(printf '%.1f' "$(bench_med keys_idle)") ms idle" \
			"$(printf '%.2f' "$r")×" "none set (SPEC 7: responsive)" "—"
	fi
	if bench_has idle; then
		r=$(bench_med idle_screen)
		bench_row "idle wake-ups in $IDLE_SECS s, one quiet connection" \
			"screen $(printf '%.0f' "$r"), batch $(printf '%.0f' "$(bench_med idle_batch)")" \
			"\`nc -l\` $(printf '%.0f' "$(bench_med idle_nc)")" "" "0" \
			"$(bench_met "$r + $(bench_med idle_batch)" '==' 0)"
	fi
	if bench_has cg; then
		r=$(bench_med cg_fmt)
		bench_row "callgrind: formatter, instructions per byte ($(bench_all cg_engine))" \
			"$(printf '%.2f' "$r")" "xxd $(printf '%.1f' "$(bench_med cg_xxd)") (whole program)" "" \
			"≤ 4" "$(bench_met "$r" '<=' 4)"
		r=$(bench_med cg_whole)
		bench_row "callgrind: whole batch program at recv(4096), per byte" \
			"$(printf '%.2f' "$r")" "" "" "≤ 6" "$(bench_met "$r" '<=' 6)"
	fi
	if bench_has strace; then
		bench_row "strace -c -f, $INGEST_MIB MiB ingest: poll/epoll calls" \
			"$(bench_all st_poll_ss)" "nc $(bench_all st_poll_nc)" \
			"$(bench_calc "$(bench_med st_poll_nc) / $(bench_med st_poll_ss)" | xargs printf '%.2f')× fewer" "—" "—"
		bench_row "recv/read calls" "$(bench_all st_recv_ss)" "nc $(bench_all st_recv_nc)" "" "—" "—"
		bench_row "write calls" "$(bench_all st_write_ss)" "nc $(bench_all st_write_nc)" "" "—" "—"
		bench_row "bytes written per byte received" \
			"$(printf '%.3f' "$(bench_med st_out_ss)")" "nc $(printf '%.3f' "$(bench_med st_out_nc)")" "" "—" "—"
	fi
}

# Every per-pair value, so a reader can see the spread behind each median.
bench_raw() {
	local n l
	while read -r n l; do
		[ -s "$T/res/$n" ] || continue
		printf '%-40s %s\n' "$l" "$(bench_all "$n")"
	done <<'EOF'
ingest_ss	ingest, sockscope -n (s)
ingest_xxd	ingest, nc -l | xxd (s)
ingest_nc	ingest, nc -l (s)
ingest_r_xxd	ingest, ratio nc|xxd / sockscope
ingest_r_nc	ingest, ratio sockscope / nc
screen_ss	screen flood, sockscope (s)
screen_16m	screen flood, --scrollback=16M (s)
screen_nc	screen flood, nc -l (s)
screen_r	screen flood, ratio nc / sockscope
rss_default	peak RSS, default scrollback (KiB)
rss_16m	peak RSS, --scrollback=16M (KiB)
acc_ss_rate	accept, sockscope (conn/s)
acc_ncat_rate	accept, ncat -l -k (conn/s)
acc_nc_rate	accept, nc -lk (conn/s)
acc_r_ncat	accept, ratio sockscope / ncat
acc_r_nc	accept, ratio sockscope / nc
acc_ss_blocks	accept, sockscope first/last block (s)
acc_ncat_blocks	accept, ncat first/last block (s)
acc_nc_blocks	accept, nc first/last block (s)
acc_ss_lf	accept, sockscope last / first
acc_one_ss_rate	accept on one CPU, sockscope (conn/s)
acc_one_ncat_rate	accept on one CPU, ncat (conn/s)
acc_one_r	accept on one CPU, ratio sockscope / ncat
acc_two_ss_rate	accept on two CPUs, sockscope (conn/s)
acc_two_ncat_rate	accept on two CPUs, ncat (conn/s)
acc_two_r	accept on two CPUs, ratio sockscope / ncat
keys_idle	echo latency, idle (ms)
keys_flood	echo latency, under flood (ms)
keys_r	echo latency, ratio flood / idle
idle_screen	idle switches, full screen
idle_batch	idle switches, sockscope -n
idle_nc	idle switches, nc -l
cg_engine	callgrind, formatter engine
cg_fmt	callgrind, formatter (Ir/byte)
cg_whole	callgrind, whole program (Ir/byte)
cg_xxd	callgrind, xxd (Ir/byte)
st_poll_ss	strace, sockscope poll calls
st_poll_nc	strace, nc poll calls
st_recv_ss	strace, sockscope recv/read calls
st_recv_nc	strace, nc read calls
st_write_ss	strace, sockscope write calls
st_write_nc	strace, nc write calls
st_out_ss	strace, sockscope bytes out / in
st_out_nc	strace, nc bytes out / in
EOF
}

bench_table >"$T/table"
bench_raw >"$T/raw"
echo
cat "$T/table"
echo
echo "load average at start $LOAD0, at end $LOAD1 ($NPROC cores); took $SECONDS s"

if [ "$RECORD" = yes ]; then
	busy=$(awk -v a="${LOAD0%% *}" -v b="${LOAD1%% *}" -v n="$NPROC" \
		'BEGIN { print (a > n / 2 || b > n / 2) ? "yes" : "no" }')
	{
		echo
		echo "## $DATE: bench/run.sh, every ratio in one run"
		echo
		echo "Machine: $NPROC × $CPU, $KERNEL. Binary: \`$S\` built $BUILT"
		echo "from commit $REV."
		echo "Command: \`bench/run.sh $ARGS\`: $PAIRS pair(s) per comparison, $SECONDS s."
		if [ "$busy" = yes ]; then
			echo "**Shared machine**: load average $LOAD0 at the start and $LOAD1 at"
			echo "the end on $NPROC cores, so other work ran alongside; compare the"
			echo "ratios (each pair ran back to back), not the seconds."
		else
			echo "Load average $LOAD0 at the start and $LOAD1 at the end on $NPROC cores."
		fi
		[ -z "$NOTE" ] || echo "$NOTE"
		echo
		cat "$T/table"
		echo
		echo "Every value behind the medians (per pair, in run order):"
		echo
		echo '```'
		cat "$T/raw"
		echo '```'
	} >>bench/RESULTS.md
	echo "recorded in bench/RESULTS.md"
fi
