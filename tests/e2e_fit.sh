#!/usr/bin/env bash
# End-to-end tests of the screen at every size (SPEC 14), driven in tmux as
# a person would: whole numbers in the title bar at 80 columns, bytes
# waiting in the kernel, the Connections pane, wrapped help and marked
# cuts, completion lists above the input line, messages that last until
# the next key, errors and EOF/shutdown/reset in the data panes, folded
# events, code points the terminal does not know, and a bounded history
# that keeps no secrets.  Peers are socat and small python3 servers on
# 127.0.0.1; every wait is bounded and waits for what it needs.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

t_need tmux socat python3 ss timeout
S=$SOCKSCOPE
D=$T_DIR
HIST=$D/state/sockscope/history

# Start a python3 peer on PORT doing MODE; it writes $D/ready.PORT once it
# listens (the test waits for that file, never for time).
#   send18  send 18 bytes and wait
#   eof     send "bye\n", half-close, wait
#   flood   send 2 MiB at once (many full 4096-byte recv()s), wait
#   odd     send U+0378 and U+1FAE8 between letters, wait
fit_peer() {
	python3 - "$1" "$2" "$D/ready.$1" <<'EOF' >/dev/null 2>&1 &
import socket, sys
port, mode, ready = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(4)
open(ready, "w").write("listening\n")
c, _ = s.accept()
if mode == "send18":
    c.sendall(b"0123456789abcdef\r\n")
elif mode == "eof":
    c.sendall(b"bye\n")
    c.shutdown(socket.SHUT_WR)
elif mode == "flood":
    c.sendall(b"z" * (2 * 1024 * 1024))
elif mode == "odd":
    c.sendall("a\u0378b\U0001fae8c\n".encode())
c.settimeout(60)
try:
    while c.recv(65536):
        pass
except OSError:
    pass
EOF
	t_bg $!
	t_wait_for "$D/ready.$1" listening 10
}

# Wait until the screen no longer shows a line matching RE (SECS, 10).
fit_gone() {
	re=$1 secs=${2:-10}
	end=$(( $(date +%s%N) / 1000000 + secs * 1000 ))
	while [ "$(( $(date +%s%N) / 1000000 ))" -lt "$end" ]; do
		if ! t_screen | grep -Eq -- "$re"; then
			return 0
		fi
		sleep 0.1
	done
	t_screen >"$D/last-screen"
	return 1
}

# Check that the screen stops showing RE.
fit_unsee() {
	if fit_gone "$2" "${3:-10}"; then
		t_pass "$1"
	else
		t_screen_fail "$1"
	fi
}

# Check a condition on one line of the screen (the first matching RE1)
# now: it must also match RE2.
fit_line() {
	name=$1 re1=$2 re2=$3
	t_screen >"$D/last-screen"
	if grep -E -- "$re1" "$D/last-screen" | head -1 | grep -Eq -- "$re2"; then
		t_pass "$name"
	else
		t_screen_fail "$name"
	fi
}

# Check that no number in the title bar is cut: a count must end in its
# unit, a call in its parenthesis, at the end of the bar as anywhere.
fit_title_whole() {
	t_screen >"$D/last-screen"
	row=$(sed -n 1p "$D/last-screen" | sed 's/ *$//')
	if printf '%s\n' "$row" | grep -Eq '(^| )(in|out)( [0-9.]*)?$|(in|out) [0-9.]+ ?[KMG]?i?$|recv\([0-9]*$|(in [0-9.]+ [KMG]?i?B/)$'; then
		t_screen_fail "$1"
	else
		t_pass "$1"
	fi
}

# Leave the program under tmux and wait for it.
fit_quit() {
	t_keys C-u
	t_type "/quit"
	t_wait_exit 10 || t_fail "$1: /quit did not end the program"
	tmux -L "$T_TMUX" kill-server 2>/dev/null
	rm -f "$D/exit" "$D/stty"
}

# --- 80x24: the title bar never cuts a number ------------------------------
P=$(t_free_port)
socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr,fork" PIPE >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P"
L=$(t_free_port)
t_tmux_start 80 24 "$S listen 0.0.0.0 $L"
t_see "80x24: listening on every interface" "ALL INTERFACES"
t_type "/connect 127.0.0.1 $P"
t_see "80x24: connected" "ESTABLISHED"
t_type "$(printf '%060d' 0)"
t_see "80x24: 61 bytes came back" "in 61 B/1"
fit_line "80x24: title keeps 'out 61 B' whole" "sockscope|ESTABLISHED" "out 61 B( |$)"
fit_title_whole "80x24: no number cut in the title"
fit_line "80x24: title shows the recv size" "ESTABLISHED" "recv\(4096\)"
fit_line "80x24: title shows auto" "ESTABLISHED" "(^| )auto( |$)"
fit_line "80x24: ALL INTERFACES and the state both whole" "ESTABLISHED" "ALL INTERFACES .*ESTABLISHED"
t_resize 90 24
t_see "90x24: title shows eol too" "ESTABLISHED.*recv\(4096\) auto  eol LF"
t_resize 80 24
t_see "80x24 again" "ESTABLISHED"

# /manual mode is kept in the bar before the recv size.
t_type "/auto off"
t_see "80x24: title says manual" "ESTABLISHED.* manual( |$)"

# --- a message lasts until the next key -------------------------------------
t_type "/frob"
t_see "message: shown in the title bar" "^ .*unknown command '/frob'"
t_keys -l "x"
fit_unsee "message: gone at the next key" "^ .*unknown command '/frob'"
t_keys BSpace

# --- Tab completion lists show above the input line, not as events ---------
t_keys -l "/re"
t_keys Tab Tab
t_see "completion: the list above the input line" "^ /recv +/recvsize +/reset"
t_screen >"$D/last-screen"
if grep -q "│.*/recv  /recvsize  /reset" "$D/last-screen"; then
	t_screen_fail "completion: not written into the Events pane"
else
	t_pass "completion: not written into the Events pane"
fi
t_keys -l "c"
fit_unsee "completion: the list goes at the next key" "^ /recv +/recvsize +/reset"
t_keys C-u

# --- 40x10: the state word, whole ------------------------------------------
t_resize 40 10
t_see "40x10: the state word" "ESTABLISHED"
fit_title_whole "40x10: no number cut in the title"
t_keys F1
t_see "40x10: F1 help cuts are marked" "Enter  send the line.*…"
t_keys q
t_resize 80 24
t_see "back at 80x24" "Events"
fit_quit "80x24"

# --- manual mode: bytes waiting in the kernel are said ---------------------
P=$(t_free_port)
fit_peer "$P" send18
t_tmux_start 80 24 "$S -m 127.0.0.1 $P"
t_see "manual 80x24: bytes waiting in the kernel" "18 B waiting in the kernel: /recv to read"
t_type "/recv"
t_see "manual: /recv reads them" "recv\([0-9]+, 4096\) = 18"
fit_unsee "manual: nothing waits after /recv" "waiting in the kernel"
fit_quit "manual"

# --- the Connections pane shows "#id state peer:port" whole ----------------
P=$(t_free_port)
socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr,fork" PIPE >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P"
t_tmux_start 120 40 "$S 127.0.0.1 $P"
t_see "120x40: the peer's port whole" ">#1 ESTABLISHED 127\.0\.0\.1:$P( |│)"
L=$(t_free_port)
t_type "/listen :: $L"
t_see "120x40: listening on ::" "L1 \[::\]:$L"
t_type "/connect ::ffff:127.0.0.1 $L"
t_see "120x40: a long IPv6 peer: host cut and marked, port whole" "#[12] ESTABLISHED \[::ffff:[0-9.]*…:[0-9]{4,5}│"
fit_quit "conns"

# --- /help wraps at 80 columns ----------------------------------------------
# Tall enough that the Events pane (a quarter of it) holds every command.
t_tmux_start 80 160 "$S"
t_see "help: started" "no connection"
t_type "/help"
t_see "help: the /send line" "/send TEXT +send TEXT with C escapes decoded"
t_see "help: its end wraps onto the next row, whole" "^│\+[0-9.]+ +(no )?end-of-line +│"
fit_quit "help"

# --- a failed connect says why in the data panes ----------------------------
P=$(t_free_port)
t_tmux_start 80 24 "$S"
t_see "refused: started" "no connection"
t_type "/connect 127.0.0.1 $P"
t_see "refused: the reason in the Hex pane" "^│── connect 127\.0\.0\.1:$P: Connection refused"
t_see "refused: title FAILED" "#1 .*FAILED"
t_resize 120 40
t_see "refused 120x40: the address that was tried" "#1 +127\.0\.0\.1:$P +FAILED"
t_screen >"$D/last-screen"
if grep -Eq '\? → |→ \?' "$D/last-screen"; then
	t_screen_fail "refused 120x40: no '?' for an address in the title"
else
	t_pass "refused 120x40: no '?' for an address in the title"
fi
fit_quit "refused"

# --- EOF, shutdown and reset are marked in the streams ----------------------
P=$(t_free_port)
fit_peer "$P" eof
t_tmux_start 120 40 "$S 127.0.0.1 $P"
t_see "marks: the peer's bytes" "bye\\\\n"
t_see "marks: EOF in the Hex stream" "^│── EOF: the peer finished sending · \+[0-9.]+ ──"
t_see "marks: EOF in the Text stream" "││── EOF: the peer finished sending ──"
t_keys C-d
t_see "marks: shutdown in the stream" "^│── shutdown: EOF sent"
fit_quit "marks"

P=$(t_free_port)
fit_peer "$P" send18
t_tmux_start 120 40 "$S 127.0.0.1 $P"
t_see "reset: connected" "ESTABLISHED"
t_type "/reset"
t_see "reset: RST marked in the stream" "^│── RST sent"
fit_quit "reset"

# --- thousands of identical recv() lines fold into one ----------------------
P=$(t_free_port)
fit_peer "$P" flood
t_tmux_start 120 40 "$S 127.0.0.1 $P"
t_see "fold: 2 MiB arrived" "in 2\.0 MiB/"
t_see "fold: one line with a count" "#1 recv\([0-9]+, 4096\) = 4096 .*×[0-9]{1,3}(,[0-9]{3})*"
# Partial reads may come between runs of full ones; unfolded, each line
# is one recv().  Folded, the lines on screen stand for more calls.
t_screen >"$D/last-screen"
n=$(grep -Ec "#1 recv\([0-9]+, 4096\) = 4096" "$D/last-screen")
sum=$(grep -Eo "#1 recv\([0-9]+, 4096\) = 4096 .*×[0-9,]*" "$D/last-screen" |
	sed 's/.*×//; s/,//g' | awk '{ s += $1 } END { print s + 0 }')
t_check "fold: $n line(s) on screen stand for $sum recv()s" [ "$sum" -gt "$n" ]
fit_quit "fold"

# --- code points this C library does not know are escaped -------------------
P=$(t_free_port)
fit_peer "$P" odd
t_tmux_start 120 40 "$S 127.0.0.1 $P"
unknown=$(LC_ALL=C.UTF-8 python3 -c '
import ctypes, ctypes.util, locale
locale.setlocale(locale.LC_ALL, "")
libc = ctypes.CDLL(ctypes.util.find_library("c"))
print(" ".join("%x" % c for c in (0x378, 0x1fae8) if libc.wcwidth(c) < 0))')
t_see "odd: the bytes arrived" "recv\([0-9]+, 4096\) = 10"
for cp in $unknown; do
	t_see "odd: U+$cp drawn as \\u{$cp}" "\\\\u\\{$cp\\}"
done
[ -n "$unknown" ] || echo "# this C library knows U+0378 and U+1FAE8: no escape to check"
fit_quit "odd"

# --- history: bounded, no FIFO hang, no secrets ------------------------------
mkdir -p "$D/state/sockscope"
rm -f "$HIST"
mkfifo "$HIST"
t_tmux_start 80 24 "$S"
t_see "history FIFO: starts without hanging" "no connection"
t_see "history FIFO: says it is not used" "regular file: not used"
fit_quit "fifo"
t_check "history FIFO: left as it was" test -p "$HIST"
rm -f "$HIST"

# A big old history: 5000 lines of 300 bytes.
python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    for i in range(5000):
        f.write("/help %d %s\n" % (i, "y" * 290))' "$HIST"
P=$(t_free_port)
socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr,fork" PIPE >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P"
t_tmux_start 80 24 "$S 127.0.0.1 $P"
t_see "history: connected" "ESTABLISHED"
t_type "AUTH hunter2"
t_see "history: the secret was sent" "send\([0-9]+, 13, [A-Z_|]+\) = 13"
t_type "/send pass\\x20word"
t_type "/eol crlf"
t_see "history: a command ran" "eol CRLF"
fit_quit "history"
t_check "history: a command is saved" grep -qx "/eol crlf" "$HIST"
t_check "history: a line sent to the peer is not" sh -c "! grep -q hunter2 '$HIST'"
t_check "history: nor /send" sh -c "! grep -q 'pass' '$HIST'"
t_check "history: at most 1000 lines ($(wc -l <"$HIST"))" [ "$(wc -l <"$HIST")" -le 1000 ]
t_check "history: at most 256 KiB ($(wc -c <"$HIST") bytes)" [ "$(wc -c <"$HIST")" -le 262144 ]
t_check "history: the newest old lines kept" grep -q "^/help 4999 " "$HIST"

t_tmux_start 80 24 "$S --history=all 127.0.0.1 $P"
t_see "history=all: connected" "ESTABLISHED"
t_type "AUTH hunter3"
t_see "history=all: sent" "send\([0-9]+, 13, [A-Z_|]+\) = 13"
fit_quit "history=all"
t_check "history=all: the sent line is saved" grep -qx "AUTH hunter3" "$HIST"

t_done
