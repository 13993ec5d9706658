#!/usr/bin/env bash
# End-to-end: a peer that sends 1 GiB as fast as it can.  Memory stays
# under --scrollback plus a constant, the counters are exact, the screen
# keeps echoing keys, /close works mid-flood.  Also: every byte survives
# into the transcript (random data parsed back from the hex rows).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

t_need socat tmux ss timeout sha256sum xxd pgrep
S=$SOCKSCOPE
D=$T_DIR
GIB=1073741824
MIB=1048576

# Peak resident memory of a process, in KiB.
peak_kib() {
	awk '/^VmHWM:/{print $2}' "/proc/$1/status"
}

# Push N bytes of zeros to 127.0.0.1:PORT.
flood() {
	socat -u "OPEN:/dev/zero,readbytes=$2" "TCP:127.0.0.1:$1" 2>/dev/null
}

# --- batch: 1 GiB into a listener, transcript to /dev/null -----------------
P=$(t_free_port)
timeout --foreground 120 "$S" -n -k -o /dev/null listen "$P" </dev/null \
	| grep --line-buffered -v '^  ' >"$D/b.out" &
t_bg $!
t_wait_for "$D/b.out" "listening on" 20 || t_fail "batch flood: listener did not start"
spid=$(pgrep -f -- "^$S -n -k -o /dev/null listen $P\$" | head -1)
flood "$P" "$GIB"
t_wait_for "$D/b.out" '^\* #1 closed' 60
t_check "batch flood: exact total" grep -q "^\\* #1 closed (in $GIB bytes in [0-9]* chunks, out 0 bytes)\$" "$D/b.out"
if [ -n "$spid" ]; then
	kib=$(peak_kib "$spid")
	echo "# batch: peak RSS $kib KiB after 1 GiB"
	# Batch keeps nothing for viewing: a few MiB of buffers at most.
	if [ "${SOCKSCOPE_SANITIZED:-no}" = yes ]; then
		echo "# memory bound not checked: ASan's shadow memory"
	else
		t_check "batch flood: peak RSS $((kib / 1024)) MiB stays small" [ "$kib" -lt $((32 * 1024)) ]
	fi
	kill "$spid" 2>/dev/null
else
	t_fail "batch flood: no sockscope process to measure"
fi

# --- full screen: 1 GiB with --scrollback=16M ---------------------------------
P=$(t_free_port)
t_tmux_start 160 45 "$S --scrollback=16M listen $P"
t_see "screen flood: listening" "L1 127\\.0\\.0\\.1:$P"
spid=$(t_app_pid)
[ -n "$spid" ] || t_fail "screen flood: no sockscope process to measure"
base=$(peak_kib "$spid")
flood "$P" "$GIB" &
fpid=$!
t_bg $fpid
t_wait_screen "#1 (ESTABLISHED|EOF-RECEIVED)" 10
# Keys still echo while the flood runs.
t_keys -l "typing-under-flood"
if t_wait_screen "^#1> typing-under-flood" 10; then
	t_pass "screen flood: keystrokes echo"
else
	t_fail "screen flood: keystrokes echo"
fi
t_keys C-u
t_wait_pid $fpid 120
t_check "screen flood: the sender finished" [ "$T_STATUS" -eq 0 ]
if t_wait_screen "received +$GIB B" 60; then
	t_pass "screen flood: exact byte count $GIB"
else
	t_fail "screen flood: exact byte count" "$D/last-screen"
fi
kib=$(peak_kib "$spid")
echo "# screen: RSS at start $base KiB, peak $kib KiB with --scrollback=16M"
# The bound covers the chunks; the constant is curses, readline, buffers.
if [ "${SOCKSCOPE_SANITIZED:-no}" != yes ]; then
	t_check "screen flood: peak RSS $((kib / 1024)) MiB < scrollback 16 MiB + 32 MiB" \
		[ "$kib" -lt $(((16 + 32) * 1024)) ]
fi
# /close in the middle of a flood.
P2=$(t_free_port)
t_type "/listen $P2"
t_wait_screen "L2 127\\.0\\.0\\.1:$P2" 10
flood "$P2" "$GIB" &
fpid=$!
t_bg $fpid
t_wait_screen "#2 ESTABLISHED" 10
t_type "/conn #2"
t_type "/close"
if t_wait_screen "#2 CLOSED" 20; then
	t_pass "screen flood: /close works mid-flood"
else
	t_fail "screen flood: /close works mid-flood" "$D/last-screen"
fi
t_wait_pid $fpid 20
t_check "screen flood: the sender was cut off" [ "$T_STATUS" -ne 0 ]
t_keys F10
t_wait_exit 10
t_check "screen flood: exit 0" [ "$(cat "$D/exit" 2>/dev/null)" = 0 ]

# --- nothing lost: random bytes parsed back from the transcript --------------
P=$(t_free_port)
head -c $((6 * MIB)) /dev/urandom >"$D/rand.bin"
timeout --foreground 60 "$S" -n -o "$D/rand.log" listen "$P" </dev/null >"$D/rand.out" 2>&1 &
spid=$!
t_bg $spid
t_wait_port "$P"
socat -u "FILE:$D/rand.bin" "TCP:127.0.0.1:$P"
t_wait_pid $spid 60
# Rebuild the received stream from the hex rows of every recv chunk.
unhex() {
	awk '/^< #1 recv [1-9]/{on=1; next} /^[<>*!]/{on=0}
	    on && /^  [0-9a-f]/{ line=substr($0, 13, 49); gsub(/ /, "", line); printf "%s", line }' "$1" |
		xxd -r -p
}
want=$(sha256sum <"$D/rand.bin" | cut -d' ' -f1)
t_check "nothing lost: stdout transcript digest" [ "$(unhex "$D/rand.out" | sha256sum | cut -d' ' -f1)" = "$want" ]
t_check "nothing lost: -o log digest" [ "$(unhex "$D/rand.log" | sha256sum | cut -d' ' -f1)" = "$want" ]

t_done
