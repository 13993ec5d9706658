#!/usr/bin/env bash
# End-to-end tests of the full screen, driven as a person would: tmux runs
# sockscope, send-keys types, capture-pane reads what a user sees.  Real
# peers (socat, ncat) on 127.0.0.1.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

t_need tmux socat ncat ss timeout pgrep stty
S=$SOCKSCOPE
D=$T_DIR

# --- against an echo peer: a line out, its echo back -----------------------
P=$(t_free_port)
socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr,fork" PIPE >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P"

t_tmux_start 160 45 "$S 127.0.0.1 $P"
t_see "echo: title shows ESTABLISHED" "sockscope .*#1 127\.0\.0\.1:[0-9]+ .* 127\.0\.0\.1:$P +ESTABLISHED"
t_see "echo: prompt names the connection" "^#1>( |$)"
t_type "hello"
t_see "echo: the hex row of the echo" "00000000  68 65 6c 6c 6f 0a .*\|hello\.\|"
t_see "echo: the text pane shows hello\\n" "hello\\\\n"
t_see "echo: the recv event" "#1 recv\([0-9]+, 4096\) = 6"
t_see "echo: the send event" "#1 send\([0-9]+, 6, [A-Z_|]+\) = 6"
t_see "echo: a recv separator" "recv 1 · 6 B"
t_see "echo: Connections pane lists #1" ">#1 ESTABLISHED"
t_see "echo: Socket pane shows the peer" "peer +127\.0\.0\.1:$P"
t_see "echo: title counts bytes in" "in 6 B/1"

# --- resize through the tiers and back -------------------------------------
for size in 200x60 80x24 40x10 30x8 120x30 160x45; do
	t_resized "${size%x*}" "${size#*x}"
	case $size in
	30x8)	t_see "resize $size: says too small" "terminal too small \(30x8\)" ;;
	40x10)	t_see "resize $size: data and input" "^#1>( |$)" ;;
	*)	t_see "resize $size: panes and prompt" "Hex #1"
		t_see "resize $size: still shows the data" "hello" ;;
	esac
done
t_see "resize: events pane back" "Events"

# --- Ctrl-D half-closes; the peer's EOF follows as recv() = 0 --------------
t_keys C-d
t_see "Ctrl-D: shutdown event" "#1 shutdown\([0-9]+, SHUT_WR\) = 0"
t_see "Ctrl-D: peer EOF as recv() = 0" "#1 recv\([0-9]+, 4096\) = 0 +EOF"
# The peer's EOF after ours: both ways done, so CLOSED (not EOF-SENT).
t_see "Ctrl-D: connection closed" "#1 CLOSED"

# --- /quit exits 0 and restores the terminal --------------------------------
t_type "/quit"
t_exit0 "/quit: exit status 0"
t_check "/quit: terminal back in canonical mode" grep -Eq '(^| )icanon( |;|$)' "$D/stty"
t_check "/quit: echo back on" grep -Eq '(^| )echo( |;|$)' "$D/stty"
t_check "/quit: not raw" sh -c "! grep -Eq -- '(^| )-(icanon|echo|isig)( |;|$)' '$D/stty'"
tmux -L "$T_TMUX" kill-server 2>/dev/null

# --- history survives a restart ---------------------------------------------
t_check "history: saved to XDG_STATE_HOME" grep -q '^/quit$' "$D/state/sockscope/history"
rm -f "$D/exit" "$D/stty"
t_tmux_start 120 30 "$S"
t_see "history: fresh start" "no connection"
t_keys Up
t_see "history: Up recalls /quit" "^> /quit"
t_keys C-u
t_keys F10
t_exit0 "F10: exit 0"
tmux -L "$T_TMUX" kill-server 2>/dev/null

# --- a listener with three clients ------------------------------------------
rm -f "$D/exit" "$D/stty"
P=$(t_free_port)
t_tmux_start 160 45 "$S listen $P"
t_see "listen: L1 listening" "L1 127\.0\.0\.1:$P"
# Each client's input is a FIFO this shell holds open (fds 4-6), so the
# clients stay connected until the test ends, however slow the machine.
for i in 1 2 3; do
	mkfifo "$D/client$i"
	ncat 127.0.0.1 "$P" <"$D/client$i" >/dev/null 2>&1 &
	t_bg $!
	eval "exec $((3 + i))>\"\$D/client$i\""
	printf 'client-%d-says-hi\n' "$i" >&$((3 + i))
	t_see "listen: client $i accepted" "#$i ESTABLISHED"
done
t_see "listen: three connections listed" "#3 ESTABLISHED"
t_see "listen: the first client stays focused" "^#1>( |$)"
t_type "/conn #2"
t_see "/conn #2: prompt follows" "^#2>( |$)"
t_see "/conn #2: Hex pane of #2" "Hex #2"
t_see "/conn #2: the second client's bytes" "client-2-says-hi"
# (The Events pane narrates every connection's recv() with its bytes.)
if t_screen | grep -v "recv(" | grep -q "client-1-says\|client-3-says"; then
	t_screen >"$D/last-screen"
	t_screen_fail "/conn #2: only #2's bytes"
else
	t_pass "/conn #2: only #2's bytes"
fi
t_type "/frob"
t_see "bad command: one clear error" "unknown command '/frob' \(try /help\)"
t_see "bad command: nothing closed" "#2 ESTABLISHED"
t_keys F10
t_exit0 "listen: F10 exit 0"
exec 4>&- 5>&- 6>&-

tmux -L "$T_TMUX" kill-server 2>/dev/null

# --- idle costs nothing; SIGTERM restores the terminal -----------------------
rm -f "$D/exit" "$D/stty"
P=$(t_free_port)
t_tmux_start 120 30 "$S listen $P"
t_see "idle: listening" "L1 127\.0\.0\.1:$P"
pid=$(t_app_pid)
if [ -n "$pid" ]; then
	ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
	a=$(ticks)
	sleep 10
	b=$(ticks)
	# Like nc: no timer wakes an idle program (a tick or so of slack).
	t_check "idle: $((b - a)) CPU ticks over 10 s while listening" [ $((b - a)) -le 1 ]
	kill -TERM "$pid"
	if t_wait_exit 10; then
		t_check "SIGTERM: terminal restored (not raw)" sh -c "! grep -q -- '-icanon' '$D/stty'"
		t_check "SIGTERM: echo back on" grep -Eq '(^| )echo( |;|$)' "$D/stty"
	else
		t_screen >"$D/last-screen"
		t_screen_fail "SIGTERM: did not exit"
	fi
else
	t_fail "idle: no sockscope process found"
fi

# --- listening on every interface is said on screen --------------------------
tmux -L "$T_TMUX" kill-server 2>/dev/null
rm -f "$D/exit" "$D/stty"
P=$(t_free_port)
t_tmux_start 120 30 "$S listen 0.0.0.0 $P"
t_see "0.0.0.0: the title bar warns" "sockscope +ALL INTERFACES"
t_see "0.0.0.0: the Connections pane too" "L1 0\.0\.0\.0:$P ALL IF"
t_keys F10
t_exit0 "0.0.0.0: F10 exit 0"

# --- colors, and none with NO_COLOR or --no-color ---------------------------
# Foreground/background color escapes on the screen (capture-pane -e).
colors() {
	tmux -L "$T_TMUX" capture-pane -e -p -t t |
		grep -o $'\e\[[0-9;]*m' | grep -cE '\[(3[0-7]|4[0-7]|38;|48;)'
}
for how in color NO_COLOR --no-color; do
	tmux -L "$T_TMUX" kill-server 2>/dev/null
	rm -f "$D/exit" "$D/stty"
	case $how in
	color)		t_tmux_start 120 30 "$S" ;;
	NO_COLOR)	t_tmux_start 120 30 "env NO_COLOR=1 $S" ;;
	--no-color)	t_tmux_start 120 30 "$S --no-color" ;;
	esac
	t_wait_screen "no connection" 10 || t_screen_fail "colors ($how): no screen"
	t_settle
	n=$(colors)
	if [ "$how" = color ]; then
		t_check "colors: used by default ($n escapes)" [ "$n" -gt 0 ]
	else
		t_check "colors: none with $how" [ "$n" -eq 0 ]
	fi
	t_keys F10
	t_exit0 "colors ($how): F10 exit 0"
done

t_done
