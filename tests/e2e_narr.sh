#!/usr/bin/env bash
# End-to-end tests of the narration of socket calls (SPEC 10; issue 7 item
# 4, issue 8 item 1): the Events pane in Python and C notation, in tmux,
# for the course's server (bind, listen, accept, recv until b'', close)
# and client (connect, send, recv(4096), close against socat's cat); a
# flood folded into one line; a refused connect; /notation narrating the
# kept calls again; the lab view; batch --notation and --json records.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

t_need tmux socat python3 ss
S=$SOCKSCOPE
D=$T_DIR

# The Events pane's lines as text: no border, no time, no socket name
# ("L1 ", "#1 "), no trailing blanks; only the lines of calls whose socket
# name matches the extended regex WHO (default: any).
t_events() {
	t_screen | sed -n '/┌ Events/,/└/p' | sed -e '1d' -e '$d' |
		sed -e 's/^│//' -e 's/│.*$//' -e 's/ *$//' |
		grep -E "^\+[0-9.]+ (${1:-L[0-9]+|#[0-9]+}) " |
		sed -E 's/^\+[0-9.]+ (L[0-9]+|#[0-9]+) //'
}

# Check that the Events pane's call lines (t_events WHO) are exactly the
# lines of file WANT, in order: t_events_are NAME WHO WANT.
t_events_are() {
	t_events "$2" >"$D/got"
	if [ ! -s "$3" ]; then
		t_fail "$1 (nothing to compare with)"
	elif diff "$3" "$D/got" >"$D/diff"; then
		t_pass "$1"
	else
		t_fail "$1" "$D/diff"
	fi
}

# === 1. the course's server, Python notation ===================================
P=$(t_free_port)
t_tmux_start 200 50 "$S --notation python listen $P"
t_wait_port "$P" || t_fail "server: sockscope listens on $P"

# The course's client, whose local port is the peer the server sees.
cat >"$D/client.py" <<'EOF'
import socket, sys
s = socket.socket()
s.connect(('127.0.0.1', int(sys.argv[1])))
print(s.getsockname()[1], flush=True)
s.sendall(b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
s.close()
EOF
CP=$(timeout 10 python3 "$D/client.py" "$P")
t_must "server: the EOF is narrated as b''" "conn\.recv\(4096\) → b''"
t_type "/close"
t_must "server: conn.close()" "#1 conn\.close\(\)"

# What the course's server code prints, with Python's own repr().
python3 - "$P" "$CP" >"$D/want-py" <<'EOF'
import sys
p, cp = int(sys.argv[1]), int(sys.argv[2])
data = b'GET / HTTP/1.1\r\nHost: x\r\n\r\n'
print("s = socket.socket()")
print("s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)")
print("s.bind(%r)" % (('127.0.0.1', p),))
print("s.listen()")
print("conn, addr = s.accept()  → %r" % (('127.0.0.1', cp),))
print("conn.recv(4096) → %r" % data)
print("conn.recv(4096) → %r   the peer finished sending" % b'')
print("conn.close()")
EOF
t_events_are "server, Python: the course's calls, line for line" \
	"L1|#1" "$D/want-py"

# The same calls again, in C: nothing is lost by switching.
t_type "/notation c"
t_must "server, C: /notation c narrates again" "#1 close\([0-9]+\) = 0"
t_events "L1|#1" >"$D/c"
LFD=$(sed -n 's/^bind(\([0-9]*\), .*/\1/p' "$D/c" | head -1)
CFD=$(sed -n 's/^accept4([0-9]*, [^)]*) = \([0-9]*\)  peer .*/\1/p' "$D/c" | head -1)
t_check "server, C: socket() = the fd bound" \
	grep -qx "socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC, IPPROTO_TCP) = ${LFD:-X}" "$D/c"
t_check "server, C: bind(N, 127.0.0.1:P) = 0" grep -qx "bind($LFD, 127.0.0.1:$P) = 0" "$D/c"
t_check "server, C: listen(N, 128) = 0" grep -qx "listen($LFD, 128) = 0" "$D/c"
t_check "server, C: accept4 = M and the peer" \
	grep -qx "accept4($LFD, SOCK_NONBLOCK|SOCK_CLOEXEC) = ${CFD:-X}  peer 127.0.0.1:$CP" "$D/c"
t_check "server, C: recv(M, 4096) = 27 and its bytes" \
	grep -qxF "recv($CFD, 4096) = 27  \"GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n\"" "$D/c"
t_check "server, C: recv(M, 4096) = 0  EOF" grep -qx "recv($CFD, 4096) = 0  EOF" "$D/c"
t_check "server, C: close(M) = 0" grep -qx "close($CFD) = 0" "$D/c"
t_check "server, C: no Python line left" [ "$(grep -c 'conn\|s\.' "$D/c")" -eq 0 ]

# The lab view narrates the focused connection's calls alone.
t_type "/notation python"
t_type "/view lab"
t_see "lab: the connection's narration, in Python" \
	"^\+[0-9.]+ conn\.recv\(4096\) → b'GET / HTTP/1\.1\\\\r\\\\nHost: x\\\\r\\\\n\\\\r\\\\n'"
t_see "lab: accept names the listener" \
	"^\+[0-9.]+ L1 conn, addr = s\.accept\(\)  → \('127\.0\.0\.1', $CP\)"
t_screen >"$D/lab"
t_check "lab: not the listener's own calls" [ "$(grep -c 's\.bind' "$D/lab")" -eq 0 ]
t_type "/notation c"
t_see "lab: /notation c there too" "^\+[0-9.]+ close\($CFD\) = 0"
t_type "/notation py"
t_see "/notation py: refused in one line" "expected c or python, got 'py'"
t_type "/quit"
t_exit0 "server: /quit"

# === 2. the course's client against an echo, then a refused connect ============
Q=$(t_free_port)
timeout 60 socat TCP-LISTEN:"$Q",bind=127.0.0.1,reuseaddr EXEC:cat >/dev/null 2>&1 &
t_bg $!
t_wait_port "$Q"
CLOSED=$(t_free_port)
rm -f "$D/exit" "$D/stty"
t_tmux_start 200 50 "$S --notation python 127.0.0.1 $Q"
t_must "client: connected" "#1 s\.connect\(\('127\.0\.0\.1', $Q\)\)"
t_type "hello"
t_must "client: the echo" "#1 s\.recv\(4096\) → b'hello\\\\n'"
t_type "/close"
t_must "client: s.close()" "#1 s\.close\(\)"
python3 - "$Q" >"$D/want-cl" <<'EOF'
import sys
print("s = socket.socket()")
print("s.connect(%r)" % (('127.0.0.1', int(sys.argv[1])),))
print("s.sendall(%r)" % b'hello\n')
print("s.recv(4096) → %r" % b'hello\n')
print("s.close()")
EOF
t_events_are "client, Python: the course's calls, line for line" "#1" "$D/want-cl"
t_type "/connect 127.0.0.1 $CLOSED"
t_see "client, Python: a refused connect is the exception" \
	"#2 ConnectionRefusedError: \[Errno 111\] Connection refused"
t_screen >"$D/refused"
t_check "client, Python: no EINPROGRESS noise" \
	[ "$(grep -c 'EINPROGRESS\|EAGAIN' "$D/refused")" -eq 0 ]
t_type "/notation c"
t_see "client, C: connect shows EINPROGRESS" \
	"#2 connect\([0-9]+, 127\.0\.0\.1:$CLOSED\) = -1 EINPROGRESS"
t_see "client, C: SO_ERROR says ECONNREFUSED" \
	"#2 getsockopt\([0-9]+, SOL_SOCKET, SO_ERROR, \[ECONNREFUSED\]\) = 0"
t_events "#1" >"$D/c1"
FD1=$(sed -n 's/^socket(.*) = \([0-9]*\)$/\1/p' "$D/c1" | head -1)
t_check "client, C: connect(N, 127.0.0.1:Q)" \
	grep -qx "connect(${FD1:-X}, 127.0.0.1:$Q) = -1 EINPROGRESS" "$D/c1"
t_check "client, C: send(N, 6, ...) = 6" \
	grep -qx "send($FD1, 6, MSG_DONTWAIT|MSG_NOSIGNAL) = 6  \"hello\\\\n\"" "$D/c1"
t_check "client, C: recv(N, 4096) = 6" \
	grep -qx "recv($FD1, 4096) = 6  \"hello\\\\n\"" "$D/c1"
t_check "client, C: close(N) = 0" grep -qx "close($FD1) = 0" "$D/c1"
t_type "/quit"
t_exit0 "client: /quit"

# === 3. a flood folds into one line ===========================================
P=$(t_free_port)
rm -f "$D/exit" "$D/stty"
t_tmux_start 200 50 "$S --notation python listen $P"
t_wait_port "$P" || t_fail "flood: sockscope listens on $P"
timeout 20 python3 -c '
import socket, sys
s = socket.socket()
s.connect(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"x" * (8 << 20))
s.close()' "$P"
t_must "flood: the EOF arrives" "#1 conn\.recv\(4096\) → b''"
t_see "flood, Python: recv(4096) of 4096 bytes folded with ×" \
	"#1 conn\.recv\(4096\) → b'x{32}'… \(4096 bytes\) ×[0-9,]+"
t_screen >"$D/flood"
n=$(grep -c "conn\.recv(4096) → b'x" "$D/flood")
sum=$(grep -o "(4096 bytes) ×[0-9,]*" "$D/flood" | sed 's/.*×//; s/,//g' |
	awk '{ s += $1 } END { print s + 0 }')
t_check "flood, Python: 8 MiB in a few lines ($n lines, $sum folded)" \
	[ "$n" -ge 1 ] && [ "$n" -le 40 ] && [ "$sum" -ge 100 ]
t_type "/notation c"
t_see "flood, C: recv(M, 4096) = 4096 folded with ×" \
	"#1 recv\([0-9]+, 4096\) = 4096  \"x{32}\"… ×[0-9,]+"
t_type "/quit"
t_exit0 "flood: /quit"

# === 4. batch: --notation, the default transcript, --json records ==============
E=$(t_free_port)
timeout 60 socat TCP-LISTEN:"$E",bind=127.0.0.1,reuseaddr,fork EXEC:cat >/dev/null 2>&1 &
t_bg $!
t_wait_port "$E"

printf 'hello\n' | timeout 20 "$S" -n --notation python 127.0.0.1 "$E" \
	>"$D/b-py" 2>"$D/b-py.err"
t_check "batch --notation python: exit 0" [ $? -eq 0 ]
python3 - "$E" >"$D/want-b-py" <<'EOF'
import sys
row = "  00000000  68 65 6c 6c 6f 0a" + " " * 33 + "|hello.|"
print("#1 s = socket.socket()")
print("#1 s.connect(%r)" % (('127.0.0.1', int(sys.argv[1])),))
print("#1 s.sendall(%r)" % b'hello\n')
print(row)
print("#1 s.shutdown(socket.SHUT_WR)")
print("#1 s.recv(4096) → %r" % b'hello\n')
print(row)
print("#1 s.recv(4096) → %r   the peer finished sending" % b'')
print("#1 s.close()")
EOF
if diff "$D/want-b-py" "$D/b-py" >"$D/diff"; then
	t_pass "batch --notation python: the calls, data rows kept"
else
	t_fail "batch --notation python: the calls, data rows kept" "$D/diff"
fi

printf 'hello\n' | timeout 20 "$S" -n --notation c 127.0.0.1 "$E" \
	>"$D/b-c" 2>/dev/null
t_check "batch --notation c: connect, EINPROGRESS" \
	grep -Eqx "#1 connect\([0-9]+, 127\.0\.0\.1:$E\) = -1 EINPROGRESS" "$D/b-c"
t_check "batch --notation c: recv = 6 then the hexdump row" \
	grep -A1 -Ex '#1 recv\([0-9]+, 4096\) = 6  "hello\\n"' "$D/b-c" -q
t_check "batch --notation c: no header line left" \
	[ "$(grep -c '^[*<>!] ' "$D/b-c")" -eq 0 ]

printf 'hello\n' | timeout 20 "$S" -n 127.0.0.1 "$E" >"$D/b-def" 2>/dev/null
printf '%s\n' "* #1 connecting to 127.0.0.1:$E" \
	"* #1 connected to 127.0.0.1:$E from 127.0.0.1:PORT" \
	"> #1 send 6 bytes" \
	"  00000000  68 65 6c 6c 6f 0a                                 |hello.|" \
	"> #1 shutdown: EOF sent" \
	"< #1 recv 6 bytes [chunk 1]" \
	"  00000000  68 65 6c 6c 6f 0a                                 |hello.|" \
	"< #1 recv 0 bytes: EOF (peer finished sending)" \
	"* #1 closed (in 6 bytes in 1 chunk, out 6 bytes)" >"$D/want-def"
sed -E 's/from 127\.0\.0\.1:[0-9]+$/from 127.0.0.1:PORT/' "$D/b-def" >"$D/b-def2"
if diff "$D/want-def" "$D/b-def2" >"$D/diff"; then
	t_pass "batch without --notation: the transcript as before"
else
	t_fail "batch without --notation: the transcript as before" "$D/diff"
fi

printf 'hello\n' | timeout 20 "$S" -n --json -o "$D/j.log" 127.0.0.1 "$E" \
	>"$D/j.out" 2>/dev/null
t_check "batch --json: exit 0" [ $? -eq 0 ]
t_check "batch --json: every line parses, calls carry their record" python3 -c '
import json, sys
calls = []
for l in open(sys.argv[1]):
    o = json.loads(l)
    assert "t" in o and "event" in o, l
    if o["event"] == "call":
        for k in ("call", "fd", "args", "ret", "errno"):
            assert k in o, (k, l)
        assert o["conn"] == 1, l
        calls.append(o)
names = [c["call"] for c in calls]
for want in ("socket", "connect", "getsockopt", "send", "shutdown", "recv", "close"):
    assert want in names, (want, names)
c = [c for c in calls if c["call"] == "connect"][0]
assert c["ret"] == -1 and c["errno"] == "EINPROGRESS", c
assert c["args"]["addr"] == {"family": "AF_INET", "host": "127.0.0.1", "port": int(sys.argv[2])}, c
r = [c for c in calls if c["call"] == "recv"]
assert r[0]["ret"] == 6 and r[0]["errno"] is None and r[0]["args"]["len"] == 4096, r
assert r[-1]["ret"] == 0, r
s = [c for c in calls if c["call"] == "socket"][0]
assert s["args"]["domain"] == "AF_INET" and s["ret"] >= 0, s
fd = s["ret"]
assert all(c["fd"] == fd for c in calls if c["call"] not in ("socket", "getaddrinfo")), calls
' "$D/j.out" "$E"
t_check "batch --json: the call line comes before its event" python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
i = [k for k, o in enumerate(ev) if o["event"] == "recv"][0]
assert ev[i - 1]["event"] == "call" and ev[i - 1]["call"] == "recv", ev[i - 1]
' "$D/j.out"
t_check "batch --json -o: the log has the same lines" \
	[ "$(grep -c '"event":"call"' "$D/j.log")" -eq "$(grep -c '"event":"call"' "$D/j.out")" ]

printf 'x\n' | timeout 20 "$S" -n --notation java 127.0.0.1 "$E" \
	>/dev/null 2>"$D/bad.err"
t_check "--notation java: usage error (exit 2)" [ $? -eq 2 ]
t_check "--notation java: one clear line" \
	grep -q "^sockscope: --notation must be c or python, got 'java'" "$D/bad.err"

t_done
