#!/usr/bin/env bash
# End-to-end test of the README's "Teaching with sockscope" section (issue 8
# item 5): each lesson's commands, exactly as the README gives them, typed
# in tmux at 80x24 (a projector), against python3 clients that use the
# course's own calls (connect, send, recv(4096), close), checking what the
# README says the screen shows.  Every command typed is first looked up in
# the README, word for word, so the section cannot drift from the program:
# only the ports differ (19999, 5150-5152 there; free ones here).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

t_need tmux python3 ss
S=$SOCKSCOPE
D=$T_DIR
README=$top_srcdir/README
MAN=$top_srcdir/man/sockscope.1

P0=$(t_free_port)
P1=$(t_free_port)
P2=$(t_free_port)
P3=$(t_free_port)

# Check that the README teaches a lesson command word for word (in this
# shell, not in a $(...) subshell, so that a failure counts).
t_readme() {
	grep -qF -- "$1" "$README" || t_fail "README teaches: $1"
}

# A lesson command as this run types it: the course's ports mapped to
# this run's, sockscope the program under test.
lc() {
	printf '%s\n' "$1" | sed -e 's/19999/@0@/g' -e 's/5150/@1@/g' \
		-e 's/5151/@2@/g' -e 's/5152/@3@/g' -e "s/@0@/$P0/g" \
		-e "s/@1@/$P1/g" -e "s/@2@/$P2/g" -e "s/@3@/$P3/g" -e "s|^sockscope|$S|"
}

# Type a lesson's command line as the README spells it.
t_lesson() {
	t_readme "$1"
	t_type "$(lc "$1")"
}

# Start a lesson's window (80x24) with the command the README gives.
t_start_lesson() {
	t_readme "$1"
	t_tmux_start 80 24 "$(lc "$1")"
}

# A course client: python3 with the course's calls, its output in FILE.
# py FILE CODE: CODE sees P (the port) and s (a connected socket).
py() {
	out=$1
	shift
	python3 -c "
import socket, sys, time
P = int(sys.argv[1])
s = socket.socket()
s.connect(('127.0.0.1', P))
$1
" "$2" >"$out" 2>&1 &
	t_bg $!
}

t_check "the README has the teaching section" \
	grep -q '^Teaching with sockscope' "$README"
t_check "the man page has the teaching section" \
	grep -q '^\.SH TEACHING WITH SOCKSCOPE' "$MAN"

# === Lesson 1: the 19999 server, a client that sends a request ==============
t_start_lesson "sockscope --notation python listen 19999"
t_must "lesson 1: listening" "s\.listen\(\)"
t_wait_port "$P0"
py "$D/l1" "s.send(b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
while True:
    data = s.recv(4096)
    print(data)
    if data == b'':
        break
s.close()" "$P0"
t_see "lesson 1: accept narrated as Python" \
	"conn, addr = s\.accept\(\) +→ \('127\.0\.0\.1', [0-9]+\)"
t_see "lesson 1: the request as conn.recv(4096) shows it" \
	"conn\.recv\(4096\) → b'GET / HTTP/1\.1\\\\r\\\\nHost: x"
t_lesson "/respond 200 hello"
t_see "lesson 1: the answer is in the Text pane" "^│hello +│$"
t_see "lesson 1: b'' once the client closes" \
	"conn\.recv\(4096\) → b'' +the peer finished sending"
t_lesson "/view lab"
t_view "lesson 1: /view lab shows the whole lesson's narration" \
	-y "^\+[0-9.]+ L1 conn, addr = s\.accept\(\)  → \('127\.0\.0\.1', [0-9]+\)$" \
	-y "^\+[0-9.]+ conn\.sendall\(b'HTTP/1\.1 200 OK\\\\r\\\\n'… \(103 bytes\)\)$" \
	-y "^\+[0-9.]+ conn\.shutdown\(socket\.SHUT_WR\)$" \
	-y "^\+[0-9.]+ conn\.recv\(4096\) → b'' +the peer finished sending$" \
	-y "^\+[0-9.]+ conn\.close\(\)$"
t_check "lesson 1: the client read the answer and then b''" \
	t_wait_for "$D/l1" "^b''$" 5
t_check "lesson 1: the client's answer says hello" \
	grep -q "200 OK.*hello" "$D/l1"

t_type "/quit"
t_exit0 "the lesson's window quits"
rm -f "$D/exit" "$D/stty"

# === Lessons 2-4: echo, upper, drip, pair, half-close, in one window ========
t_start_lesson "sockscope --notation python"
t_must "lesson 2: the prompt" "^>"
t_lesson "/serve echo 5150"
t_wait_port "$P1"
t_lesson "/connect 127.0.0.1 5150"
t_must "lesson 2: connected" "ESTABLISHED"
t_type "hello"
t_see "lesson 2: the client's recv(4096) returns the echo" \
	"#1 s\.recv\(4096\) → b'hello\\\\n'"
t_see "lesson 2: the served end's recv in the same window" \
	"#2 conn2\.recv\(4096\) → b'hello\\\\n'"
t_lesson "/view pair"
t_view "lesson 2: /view pair shows both ends" \
	-y "Text #1 ESTABLISHED +127\.0\.0\.1:[0-9]+ → 127\.0\.0\.1:$P1" \
	-y "Text #2 ESTABLISHED +127\.0\.0\.1:$P1 → 127\.0\.0\.1:[0-9]+"

t_lesson "/view lab"
t_lesson "/serve upper 5151"
t_wait_port "$P2"
t_lesson "/connect 127.0.0.1 5151"
t_must "lesson 3: the upper connection" "^─ Events #3 "
t_type "hello"
t_see "lesson 3: upper answers in capitals" "s3\.recv\(4096\) → b'HELLO\\\\n'"

t_lesson "/serve drip 5152"
t_wait_port "$P3"
t_lesson "/connect 127.0.0.1 5152"
t_must "lesson 4: the drip connection" "^─ Events #5 "
t_type "abc"
t_see "lesson 4: drip: recv(4096) returns b'a'" "s5\.recv\(4096\) → b'a'$"
t_see "lesson 4: drip: then b'b'" "s5\.recv\(4096\) → b'b'$"
t_see "lesson 4: drip: then b'c'" "s5\.recv\(4096\) → b'c'$"
t_see "lesson 4: the kernel line of the lab view" \
	"^ +rx 0 B · tx 0 B · ESTABLISHED · #5$"
# The course's own client against the same drip server: recv(4096) twice
# gives less than one line.
py "$D/l4" "s.send(b'hello\n')
print(s.recv(4096))
print(s.recv(4096))
s.close()" "$P3"
t_check "lesson 4: a Python client's recv(4096) returns pieces" \
	t_wait_count "$D/l4" "^b'[a-z]'$" 2 5
t_lesson "/shutdown"
t_see "lesson 5: half-close narrated" "s5\.shutdown\(socket\.SHUT_WR\)"
t_see "lesson 5: the server closes too: b''" \
	"s5\.recv\(4096\) → b'' +the peer finished sending"
t_see "lesson 5: then the client closes" "s5\.close\(\)"

t_type "/quit"
t_exit0 "the lesson's window quits"
rm -f "$D/exit" "$D/stty"

# === Lesson 6: partial recv with -b 5 ========================================
# A fresh port per lesson: the last one may still be closing.
P1=$(t_free_port)
t_start_lesson "sockscope --notation python --lab -b 5"
t_must "lesson 6: the prompt" "^>"
t_lesson "/serve echo 5150"
t_wait_port "$P1"
t_lesson "/connect 127.0.0.1 5150"
t_must "lesson 6: connected" "ESTABLISHED"
t_type "hello world"
t_view "lesson 6: three chunks of at most 5 bytes" \
	-y "^── recv 1 · 5 B ──" -y "^hello$" -y "^── recv 2 · 5 B ──" \
	-y "^ worl$" -y "^── recv 3 · 2 B ──" -y "^d\\\\n$"
# Each read on its own line: a fold of b'hello' and b' worl' into
# "b'hello' ×2" would teach the wrong bytes.
t_view "lesson 6: each recv(5) narrated with its own bytes" \
	-y "s\.recv\(5\) → b'hello'$" -y "s\.recv\(5\) → b' worl'$" \
	-y "s\.recv\(5\) → b'd\\\\n'$" -n "×"

t_type "/quit"
t_exit0 "the lesson's window quits"
rm -f "$D/exit" "$D/stty"

# === Lesson 7: data waiting in the kernel, then a reset ======================
P0=$(t_free_port)
t_start_lesson "sockscope --notation python --lab -m listen 19999"
t_must "lesson 7: listening" "s\.listen\(\)"
t_wait_port "$P0"
py "$D/l7" "s.send(b'hello from python\n')
try:
    print(s.recv(4096))
except ConnectionResetError as e:
    print('ConnectionResetError', e)
s.close()" "$P0"
t_see "lesson 7: 18 bytes wait for recv()" \
	"^ +rx 18 B waiting for recv\(\) · tx 0 B · ESTABLISHED · #1$"
t_see "lesson 7: the Text pane says so" \
	"^18 B waiting in the kernel: /recv to read$"
t_lesson "/recv 5"
t_see "lesson 7: /recv 5" "conn\.recv\(5\) → b'hello'$"
t_see "lesson 7: 13 bytes still wait" "^ +rx 13 B waiting for recv\(\)"
t_lesson "/recv"
t_see "lesson 7: /recv takes the rest" "conn\.recv\(4096\) → b' from python\\\\n'$"
t_see "lesson 7: nothing waits any more" "^ +rx 0 B · tx 0 B · ESTABLISHED"
t_lesson "/reset"
t_see "lesson 7: the reset narrated" \
	"conn\.setsockopt\(SOL_SOCKET, SO_LINGER, struct\.pack\('ii', 1, 0\)\)"
t_see "lesson 7: the Text pane names the RST" "RST sent: connection reset"
t_check "lesson 7: the Python client gets ConnectionResetError" \
	t_wait_for "$D/l7" "^ConnectionResetError" 5

t_type "/quit"
t_exit0 "the lesson's window quits"
rm -f "$D/exit" "$D/stty"

# The same lesson in one window: the client is sockscope's own #1.
P0=$(t_free_port)
t_start_lesson "sockscope --notation python --lab -m listen 19999"
t_must "lesson 7, one window: listening" "s\.listen\(\)"
t_lesson "/connect 127.0.0.1 19999"
t_must "lesson 7, one window: the client connected" "s\.connect\(\('127\.0\.0\.1', $P0\)\)"
t_type "hello from python"
t_must "lesson 7, one window: the client sent" "s\.sendall\(b'hello from python\\\\n'\)"
t_lesson "/conn #2"
t_see "lesson 7, one window: 18 bytes wait on #2" \
	"^ +rx 18 B waiting for recv\(\) · tx 0 B · ESTABLISHED · #2$"
t_lesson "/reset"
t_lesson "/conn #1"
t_lesson "/recv"
t_see "lesson 7, one window: the client's ConnectionResetError" \
	"ConnectionResetError: \[Errno 104\] Connection reset by peer"
t_type "/quit"
t_exit0 "the lesson's window quits"
rm -f "$D/exit" "$D/stty"

# === Lesson 8: the backlog with --manual-accept ==============================
# Written against the documented interface (--manual-accept, /accept, the
# backlog in the Socket pane); runs once the program has the option.
if "$S" --help 2>&1 | grep -q -- '--manual-accept'; then
	P0=$(t_free_port)
	t_start_lesson "sockscope --notation python --manual-accept listen 19999"
	t_must "lesson 8: listening" "s\.listen\(\)"
	t_wait_port "$P0"
	for i in 1 2 3; do
		py "$D/l8-$i" "s.send(b'client $i\n')
time.sleep(5)
s.close()" "$P0"
	done
	t_see "lesson 8: a backlog of 3" "backlog[: ]+3"
	t_lesson "/accept"
	t_see "lesson 8: accept narrated" "conn, addr = s\.accept\(\)"
	t_see "lesson 8: a backlog of 2" "backlog[: ]+2"
	t_type "/quit"
	t_exit0 "the lesson's window quits"
else
	echo "# skipped lesson 8: this sockscope has no --manual-accept yet"
fi

t_done
