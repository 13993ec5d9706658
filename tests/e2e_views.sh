#!/usr/bin/env bash
# End-to-end tests of the lab and pair views (SPEC 12, issue 8 item 4),
# driven as a lecturer would in tmux at 120x40 and 80x24 (a projector with
# a big font), against real peers on 127.0.0.1: socat echoes, a python3
# server sends 18 bytes, and sockscope holds both ends of a loopback
# connection itself.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

t_need tmux socat python3 ss
S=$SOCKSCOPE
D=$T_DIR

# Check that the screen shows no line matching the regex (after a wait for
# REQ, a line that must be there first).
# (t_wait_screen sets name and re: ours are nsa_*.)
t_not_see_after() {
	nsa_name=$1 nsa_req=$2 nsa_re=$3
	if ! t_wait_screen "$nsa_req" 10; then
		t_screen_fail "$nsa_name"
		return
	fi
	t_screen >"$D/last-screen"
	if grep -Eq -- "$nsa_re" "$D/last-screen"; then
		t_screen_fail "$nsa_name"
	else
		t_pass "$nsa_name"
	fi
}

# Wait until the first line matching RE1 is above the first matching RE2
# (both shown), at most 5 s.
t_above() {
	ab_name=$1 ab_1=$2 ab_2=$3
	end=$(( $(date +%s%N) / 1000000 + 5000 ))
	while [ "$(( $(date +%s%N) / 1000000 ))" -lt "$end" ]; do
		r1=$(t_row_of "$ab_1") r2=$(t_row_of "$ab_2")
		if [ "$r1" -ge 0 ] && [ "$r2" -ge 0 ] && [ "$r1" -lt "$r2" ]; then
			t_pass "$ab_name"
			return
		fi
		sleep 0.1
	done
	t_screen >"$D/last-screen"
	t_screen_fail "$ab_name"
}

# The row (0 = top) of the first screen line matching the regex, or -1.
t_row_of() {
	t_screen | grep -En -- "$1" | head -1 | cut -d: -f1 |
		awk '{ print $1 - 1 } END { if (NR == 0) print -1 }'
}

# === 1. --lab at 120x40 against an echo peer ===================================
P=$(t_free_port)
socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr,fork" PIPE >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P"

t_tmux_start 120 40 "$S --lab 127.0.0.1 $P"
t_see "lab 120x40: established" "ESTABLISHED"
t_type "hello lab"
t_see "lab 120x40: the narration heading names #1" "^─ Events #1 ─"
t_see "lab 120x40: narration of the send, without #1" \
	"^\+[0-9]+\.[0-9]{3} send\([0-9]+, 10, [A-Z_|]+\) = 10"
t_see "lab 120x40: narration of the recv, without #1" \
	"^\+[0-9]+\.[0-9]{3} recv\([0-9]+, 4096\) = 10"
t_see "lab 120x40: the data heading" "^─ Text #1 ─"
t_see "lab 120x40: the data at full width" "^hello lab\\\\n"
t_see "lab 120x40: the kernel line" \
	"^ +rx 0 B · tx 0 B · ESTABLISHED( |$)"
t_check "lab 120x40: the kernel line is just above the input line" \
	[ "$(t_row_of 'rx 0 B · tx 0 B')" = 38 ]
t_above "lab 120x40: the narration is above the data" '^─ Events #1' \
	'^─ Text #1'
t_not_see_after "lab 120x40: no borders, no other panes" "^─ Text #1 ─" \
	"┌|└|│|Connections|Socket #1|Hex #1"

# /view lab from another view, and back to split: a second connection's
# lines stay out of #1's narration.
t_type "/view split"
t_see "split: the boxes are back" "┌ Hex #1 "
t_type "/connect 127.0.0.1 $P"
t_see "split: #2 connected" "^#2>"
t_type "from two"
t_see "split: #2's recv in the Events pane" "#2 recv\([0-9]+, 4096\) = 9"
t_type "/conn #1"
t_type "/view lab"
t_see "/view lab: #1's narration" "^\+[0-9.]+ recv\([0-9]+, 4096\) = 10"
t_not_see_after "/view lab: #2's lines are not in #1's narration" \
	"^─ Events #1 ─" "recv\([0-9]+, 4096\) = 9|#2 "
t_type "/view lab #1"
t_see "/view lab #1: one clear line" "only pair takes #IDs, got '#1'"
t_type "/quit"
t_wait_exit 10 && t_check "lab: /quit exits 0" [ "$(cat "$D/exit")" = 0 ]

# === 2. manual mode at 80x24: bytes waiting in the kernel =======================
rm -f "$D/exit" "$D/stty"
P=$(t_free_port)
cat >"$D/send18.py" <<'EOF'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', int(sys.argv[1])))
s.listen()
conn, addr = s.accept()
conn.sendall(b'eighteen bytes ok\n')
conn.recv(4096)
EOF
python3 "$D/send18.py" "$P" >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P"

t_tmux_start 80 24 "$S --lab -m 127.0.0.1 $P"
t_see "lab 80x24 manual: the kernel line says 18 B wait for recv()" \
	"^ +rx 18 B waiting for recv\(\) · tx 0 B · ESTABLISHED"
t_see "lab 80x24 manual: the data pane says so too" \
	"18 B waiting in the kernel: /recv to read"
t_see "lab 80x24 manual: narration of the connect" \
	"^\+[0-9.]+ connect\([0-9]+, 127\.0\.0\.1:$P\) = -1 EINPROGRESS"
t_see "lab 80x24 manual: the data heading" "^─ Text #1 ─"
t_check "lab 80x24 manual: the kernel line is just above the input line" \
	[ "$(t_row_of 'rx 18 B waiting')" = 22 ]
t_resize 40 12
t_see "lab 40x12 manual: the bytes waiting stay, in fewer words" \
	"^ +rx 18 B waiting · tx 0 B · ESTABLISHED"
t_resize 80 24
t_see "lab 80x24 again: the long wording is back" \
	"^ +rx 18 B waiting for recv\(\) · tx 0 B · ESTABLISHED"
t_type "/recv"
t_see "lab 80x24 manual: recv() narrated" "^\+[0-9.]+ recv\([0-9]+, 4096\) = 18"
t_see "lab 80x24 manual: the bytes in the data" "^eighteen bytes ok\\\\n"
t_see "lab 80x24 manual: nothing waits any more" \
	"^ +rx 0 B · tx 0 B · ESTABLISHED"
t_resize 60 12
t_see "lab 60x12: the kernel line stays" "^ +rx 0 B · tx 0 B · ESTABLISHED"
t_see "lab 60x12: the data stays" "^eighteen bytes ok\\\\n"
t_resize 80 24
t_keys F10
t_wait_exit 10 && t_check "manual: F10 exits 0" [ "$(cat "$D/exit")" = 0 ]

# === 2b. the lab narration, scrolled back, stays still =======================
# Lines of another connection (which the narration does not show) must
# not move a narration the user scrolled back in.
rm -f "$D/exit" "$D/stty"
P=$(t_free_port)
socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr,fork" PIPE >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P"
P2=$(t_free_port)
cat >"$D/three.py" <<'EOF'
import socket, sys, time
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
with open(sys.argv[2]) as go:
    go.read()
for line in (b'a\n', b'bb\n', b'ccc\n'):
    s.sendall(line)
    time.sleep(0.1)     # three chunks, most likely: three Events lines
s.recv(1)
EOF
t_tmux_start 80 24 "$S --lab -o $D/scroll.log -e '/listen $P2' 127.0.0.1 $P"
t_see "scroll: established" "ESTABLISHED"
t_wait_port "$P2"
mkfifo "$D/go"
python3 "$D/three.py" "$P2" "$D/go" >/dev/null 2>&1 &
t_bg $!
t_wait_for "$D/scroll.log" "accepted" 10
for i in 1 2 3 4 5 6; do
	t_type "line $i"
	t_wait_for "$D/scroll.log" "#1 recv 7 bytes \[chunk $i\]" 5
done
# Tab: Text, Tab: the narration; Up three times.
t_keys Tab
t_keys Tab
t_keys Up
t_keys Up
t_keys Up
first_line() { t_screen | sed -n 3p; }
# Settled: the same first line twice in a row, 0.2 s apart.
before=$(first_line)
end=$(( $(date +%s%N) / 1000000 + 3000 ))
while [ "$(( $(date +%s%N) / 1000000 ))" -lt "$end" ]; do
	sleep 0.2
	now=$(first_line)
	[ "$now" = "$before" ] && break
	before=$now
done
echo "# narration's first line, scrolled back: $before"
t_check "scroll: the narration was scrolled back" \
	sh -c "! echo '$before' | grep -q 'connect([0-9]*, 127'"
echo go >"$D/go"
t_wait_for "$D/scroll.log" "ccc\\.\\|" 10
# The log is flushed just before the frame is drawn: watch the first
# line for a second; it must not move.
moved=0
end=$(( $(date +%s%N) / 1000000 + 1000 ))
while [ "$(( $(date +%s%N) / 1000000 ))" -lt "$end" ]; do
	[ "$(first_line)" = "$before" ] || { moved=1; break; }
	sleep 0.1
done
t_screen >"$D/last-screen"
if [ $moved = 0 ]; then
	t_pass "scroll: #2's lines do not move #1's narration"
else
	echo "#   first line was: $before"
	t_screen_fail "scroll: #2's lines do not move #1's narration"
fi
t_keys F10
t_wait_exit 10 && t_check "scroll: F10 exits 0" [ "$(cat "$D/exit")" = 0 ]

# === 3. /view pair: both ends of one loopback connection ========================
rm -f "$D/exit" "$D/stty"
P=$(t_free_port)
t_tmux_start 120 40 "$S"
t_see "pair: started" "no connection"
t_type "/view pair"
t_see "pair before any connection: says so" "Text: no other connection yet"
t_type "/listen $P"
t_see "pair: listening" "L1 bind\([0-9]+, 127\.0\.0\.1:$P\) = 0"
t_type "/connect 127.0.0.1 $P"
t_see "pair: accepted as #2" "#2 ESTABLISHED"
t_type "/conn #2"
t_see "pair 120x40: the two ends side by side" \
	"Text #1 ESTABLISHED +127\.0\.0\.1:[0-9]+ → 127\.0\.0\.1:$P .*>Text #2 ESTABLISHED +127\.0\.0\.1:$P → "
t_type "typed on two"
t_see "pair 120x40: sent by #2 (right), received by #1 (left)" \
	"── recv 1 · 13 B ──.*── send · 13 B ──"
t_see "pair 120x40: each side shows the bytes" \
	"typed on two\\\\n .*typed on two\\\\n"
t_see "pair 120x40: each side's Hex" \
	"00000000  74 79 70 65 64 20 6f 6e .*00000000  74 79 70 65 64 20 6f 6e"
t_type "/conn #1"
t_type "back from one"
t_see "pair 120x40: #1's send on the left, #2's recv on the right" \
	"── send · 14 B ──.*── recv 1 · 14 B ──"

# 80x24: one over the other, each with its own bytes.
t_resize 80 24
t_see "pair 80x24: #1's heading" "^┌ >Text #1 ESTABLISHED"
t_see "pair 80x24: #2's heading" "^┌ Text #2 ESTABLISHED"
t_above "pair 80x24: #1 above #2" '^┌ >Text #1' '^┌ Text #2'
t_see "pair 80x24: #2 shows its recv of #1's line" "^│── recv 1 · 14 B ──"
t_see "pair 80x24: #1 shows its send" "^│── send · 14 B ──"
B=$(t_row_of '^┌ Text #2')
t_check "pair 80x24: #1's send is in the top half" \
	[ "$(t_row_of '── send · 14 B')" -lt "$B" ]
t_check "pair 80x24: #2's recv is in the bottom half" \
	[ "$(t_row_of '── recv 1 · 14 B')" -gt "$B" ]

# Given ids: their order is kept; bad ones get one clear line.
t_type "/view pair #2 #1"
t_above "/view pair #2 #1: #2 above #1" '^┌ Text #2' '^┌ >Text #1'
t_type "/view pair #1 #7"
t_see "/view pair #1 #7: one clear line" "/view pair: no connection #7"
t_check "/view pair #1 #7: the view is unchanged" \
	[ "$(t_row_of '^┌ Text #2')" -lt "$(t_row_of '^┌ >Text #1')" ]
t_type "/quit"
t_wait_exit 10 && t_check "pair: /quit exits 0" [ "$(cat "$D/exit")" = 0 ]

t_done
