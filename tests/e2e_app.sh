#!/usr/bin/env bash
# End-to-end tests of the command line, the command table and batch mode's
# honesty (exit status, lost bytes, failed writes): sockscope against real
# peers (socat, ncat) on 127.0.0.1, every wait bounded, nothing slept for.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

t_need socat ncat timeout ss python3

S=$SOCKSCOPE
D=$T_DIR
# A write to a FIFO whose reader died fails a check; it must not end the test.
trap '' PIPE

# --- the command table: /help, --help and the man page list the same -------
printf '/help\n' | timeout 10 "$S" -n >"$D/help.out" 2>"$D/help.err"
"$S" --help >"$D/usage.out" 2>&1
t_check "/help lists commands" grep -q '^/connect HOST PORT  ' "$D/help.err"
ok=1
while IFS= read -r line; do
	# Every line of /help appears in --help as it is, indented by two.
	grep -qxF "  $line" "$D/usage.out" || { ok=0; echo "# --help lacks: $line"; }
	name=${line%% *}
	grep -q "^\.B[IR]* $name\( \|\$\)" "$top_srcdir/man/sockscope.1" ||
		{ ok=0; echo "# man page lacks: $name"; }
done <"$D/help.err"
t_check "--help and the man page list every command of /help" [ "$ok" -eq 1 ]
t_check "--help fits 80 columns" [ "$(awk 'length > 79' "$D/usage.out" | wc -l)" -eq 0 ]
printf '/? quit\n/exit\n' | timeout 10 "$S" -n >/dev/null 2>"$D/alias.err"
t_check "aliases: /? explains /quit, /exit quits" grep -q '^/quit$' "$D/alias.err"

# --- one owner per state: only app.c assigns to struct app --------------------
bad=$(grep -nE '(^|[^_a-z])app\.[a-z_]+(\.[a-z_]+)? *([-+*/|&]?=[^=]|\+\+|--)' \
	"$top_srcdir"/src/*.c | grep -v '^[^:]*/app\.c:')
if [ -z "$bad" ]; then t_pass "only app.c writes struct app"; else
	echo "$bad" | sed 's/^/#   /'; t_fail "only app.c writes struct app"; fi

# --- -o follows --json: the log is the same JSON Lines as standard output ----
P=$(t_free_port)
socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr,fork" PIPE >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P" || t_fail "socat echo peer did not start"
printf 'hi\n' | timeout 20 "$S" -n --json -o "$D/j.log" 127.0.0.1 "$P" >"$D/j.out" 2>"$D/j.err"
t_check "--json -o: exit 0" [ $? -eq 0 ]
t_check "--json -o: the log is JSON" grep -q '^{"t":.*"event":"recv".*"hex":"68690a"' "$D/j.log"
t_check "--json -o: no text line in the log" [ "$(grep -vc '^{' "$D/j.log")" -eq 0 ]
t_check "--json -o: as many log lines as stdout lines" [ "$(wc -l <"$D/j.log")" -eq "$(wc -l <"$D/j.out")" ]
printf 'hi\n' | timeout 20 "$S" -n -o "$D/t.log" 127.0.0.1 "$P" >/dev/null 2>&1
t_check "-o alone: a text log" grep -q '^< #1 recv 3 bytes' "$D/t.log"

# --- address forms (SPEC 9) against the echo peer ---------------------------
for form in "127.0.0.1:$P" "http://127.0.0.1:$P/index.html" "connect 127.0.0.1:$P"; do
	printf 'hi\n' | timeout 20 "$S" -n $form >"$D/f.out" 2>"$D/f.err"
	st=$?
	if [ "$st" -eq 0 ] && grep -q "^\* #1 connected to 127\.0\.0\.1:$P " "$D/f.out" &&
	    grep -q '^< #1 recv 3 bytes' "$D/f.out"; then
		t_pass "address form $form: connects and echoes"
	else
		t_fail "address form $form (exit $st)" "$D/f.err"
	fi
done
printf '/connect 127.0.0.1:%s\nhi\n' "$P" | timeout 20 "$S" -n >"$D/c.out" 2>"$D/c.err"
t_check "/connect HOST:PORT connects" grep -q "^\* #1 connected to 127\.0\.0\.1:$P " "$D/c.out"
t_check "/connect HOST:PORT: the line is echoed" grep -q '^< #1 recv 3 bytes' "$D/c.out"
if ss -Hltn 2>/dev/null | grep -q . && python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	P6=$(t_free_port)
	socat "TCP6-LISTEN:$P6,bind=[::1],reuseaddr,fork" PIPE >/dev/null 2>&1 &
	t_bg $!
	t_wait_port "$P6"
	printf 'hi\n' | timeout 20 "$S" -n "[::1]:$P6" >"$D/v6.out" 2>&1
	t_check "[::1]:PORT connects over IPv6" grep -q "^\* #1 connected to \[::1\]:$P6 " "$D/v6.out"
fi

# --- usage errors: one clear line each, exit 2, nothing looked up ----------
# usage_case REGEX ARGS...: exit 2, one line on stderr matching, no stdout.
usage_case() {
	want=$1
	shift
	timeout 10 "$S" -n "$@" </dev/null >"$D/u.out" 2>"$D/u.err"
	st=$?
	if [ "$st" -eq 2 ] && [ "$(wc -l <"$D/u.err")" -eq 1 ] &&
	    grep -Eq -- "$want" "$D/u.err" && [ ! -s "$D/u.out" ] &&
	    ! LC_ALL=C grep -q '[[:cntrl:]]' "$D/u.err"; then
		t_pass "usage: $* -> $(cat "$D/u.err")"
	else
		t_fail "usage: $* (exit $st)" "$D/u.err"
	fi
}
usage_case "^sockscope: 'lisen' is not a mode: did you mean 'listen'\?" lisen 30998
usage_case "did you mean 'listen'\?" lisen 127.0.0.1 30998
usage_case "did you mean 'connect'\?" conect 127.0.0.1 30998
# The transports of SPEC 9 work (tests/e2e_wire.sh); what makes no sense
# together is a usage error.
usage_case "^sockscope: TLS \(https://\) works over TCP only" -u "https://127.0.0.1:$P/"
usage_case "^sockscope: TLS \(--tls\) works over TCP only" -c -U /tmp/x.sock
usage_case "^sockscope: --unix needs one socket PATH" -U /tmp/x.sock 1
usage_case "^sockscope: --tls-cert needs --tls-key" --tls-cert=c.pem -c listen 1
usage_case "^sockscope: --tls-key needs --tls-cert" --tls-key k.pem -c listen 1
usage_case "^sockscope: '127.0.0.1' needs a PORT too \(HOST PORT or HOST:PORT\)$" 127.0.0.1
usage_case "^sockscope: '::1' needs a PORT too" ::1
usage_case "^sockscope: unknown scheme 'ftp'" ftp://127.0.0.1/
usage_case "^sockscope: option '--json' takes no value" --json=1
usage_case "^sockscope: option '--batch' takes no value" --batch=1
usage_case "^sockscope: option '--json' takes no value" --js=1
usage_case "^sockscope: option '--no-color' takes no value" --no-color=yes
usage_case "^sockscope: bad host 'ho\\\\x01st'" "$(printf 'ho\001st')" 80
usage_case "^sockscope: bad host 'ho\\\\x01st'" "$(printf 'ho\001st'):80"
# The same host check for /connect: the same words.
printf '/connect ho\001st 80\n' | timeout 10 "$S" -n >/dev/null 2>"$D/h.err"
t_check "/connect: the same host check" grep -qx "sockscope: /connect: bad host 'ho\\\\x01st'" "$D/h.err"
printf '/lisen 1\n' | timeout 10 "$S" -n >"$D/h.out" 2>"$D/h.err"
t_check "/lisen: did you mean /listen?" grep -q "unknown command '/lisen' (did you mean /listen?)" "$D/h.err"
t_check "/lisen: nothing opened" [ ! -s "$D/h.out" ]

# --- a peer reset is a failure: '!' and exit 1 (issue 10) --------------------
# A peer for the cases below: "reset" accepts one client and resets it
# (SO_LINGER 0); "sink" accepts clients and never reads, with a receive
# buffer so small that our queue fills.
cat >"$D/peer.py" <<'EOPY'
import os, socket, struct, sys, time
mode, port = sys.argv[1], int(sys.argv[2])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if mode in ("sink", "closeon"):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.bind(("127.0.0.1", port))
s.listen(8)
keep = []
while True:
    c, _ = s.accept()
    if mode == "close":
        c.recv(1)   # data arrived: close with most of it unread (RST)
        c.close()
        break
    if mode == "closeon":
        # Close (unread data: RST) once the test says all its input was
        # read by sockscope, so that some of it is still in its queue.
        while not os.path.exists(sys.argv[3]):
            time.sleep(0.02)
        c.close()
        break
    if mode == "reset":
        c.recv(1)   # connected, and the client has sent: now reset
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()
        break
    keep.append(c)
EOPY
PR=$(t_free_port)
python3 "$D/peer.py" reset "$PR" &
t_bg $!
t_wait_port "$PR"
mkfifo "$D/rin"
"$S" -n 127.0.0.1 "$PR" <"$D/rin" >"$D/r.out" 2>"$D/r.err" &
rpid=$!
t_bg $rpid
exec 3>"$D/rin"		# input stays open: the peer's reset ends the run
t_wait_for "$D/r.out" '^\* #1 connected' 10
printf 'x\n' >&3
t_wait_pid "$rpid" 20
exec 3>&-
t_check "peer reset: exit 1" [ "$T_STATUS" -eq 1 ]
t_check "peer reset: printed with '!'" grep -q '^! #1 reset by peer$' "$D/r.out"
# send() took both bytes before the reset: nothing was dropped, and no
# line may say otherwise.
t_check "peer reset: no bytes claimed dropped" sh -c "! grep -q 'never sent' '$D/r.err'"
grep -q '^! #1 reset by peer$' "$D/r.out" || { echo "# status $T_STATUS"; sed "s/^/#   /" "$D/r.out" "$D/r.err"; }

# --- a failed write to the transcript or the -o log: one line, exit 1 ------
printf 'hi\n' | timeout 20 "$S" -n -o /dev/full 127.0.0.1 "$P" >/dev/null 2>"$D/full.err"
t_check "-o /dev/full: exit 1" [ $? -eq 1 ]
t_check "-o /dev/full: one line names the log and the error" \
	grep -qx "sockscope: cannot write to log '/dev/full': No space left on device (ENOSPC); the log is incomplete" "$D/full.err"
t_check "-o /dev/full: said once" [ "$(wc -l <"$D/full.err")" -eq 1 ]
printf 'hi\n' | timeout 20 "$S" -n 127.0.0.1 "$P" >/dev/full 2>"$D/sfull.err"
t_check "stdout /dev/full: exit 1" [ $? -eq 1 ]
t_check "stdout /dev/full: one clear line" \
	grep -qx "sockscope: cannot write the transcript to standard output: No space left on device (ENOSPC)" "$D/sfull.err"
# A FIFO whose reader left: the next write gets EPIPE.
mkfifo "$D/logfifo" "$D/fin"
head -c 1 "$D/logfifo" >/dev/null &
hpid=$!
t_bg $hpid
"$S" -n -o "$D/logfifo" 127.0.0.1 "$P" <"$D/fin" >"$D/fifo.out" 2>"$D/fifo.err" &
fpid=$!
t_bg $fpid
exec 4>"$D/fin"
t_wait_for "$D/fifo.out" '^\* #1 connected' 10
t_wait_pid "$hpid" 10		# the reader read a byte and left
printf 'one\n' >&4
t_wait_for "$D/fifo.out" '^< #1 recv 4 bytes' 10
printf 'two\n' >&4
exec 4>&-
t_wait_pid "$fpid" 20
t_check "-o FIFO, reader gone: exit 1" [ "$T_STATUS" -eq 1 ]
t_check "-o FIFO, reader gone: one line says so" \
	grep -q "^sockscope: cannot write to log '.*logfifo': Broken pipe (EPIPE)" "$D/fifo.err"
t_check "-o FIFO, reader gone: the session itself went on" grep -q '^< #1 recv 4 bytes' "$D/fifo.out"
# The -o path is escaped in messages: no ESC reaches the terminal.
timeout 10 "$S" -n -o "$(printf '%s/no-dir/\033[31mred' "$D")" 127.0.0.1 "$P" </dev/null >/dev/null 2>"$D/esc.err"
t_check "-o bad path: exit 1" [ $? -eq 1 ]
t_check "-o bad path: escaped" grep -qF "no-dir/\\x1b[31mred': No such file or directory" "$D/esc.err"
t_check "-o bad path: no control byte" sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$D/esc.err'"

# --- leaving with bytes queued says how many, on stderr and in the log -----
PQ=$(t_free_port)
python3 "$D/peer.py" sink "$PQ" &
t_bg $!
t_wait_port "$PQ"
# /quit right after 5 MB of lines: the kernel takes 1-4 MB of them, and
# the rest is still queued (below batch mode's 4 MB, so /quit is read).
{ head -c 5000000 /dev/zero | tr '\0' 'q' | fold -w 1000; echo; } >"$D/q.data"
{ cat "$D/q.data"; printf '/quit\n'; } |
	timeout 30 "$S" -n -o "$D/q.log" 127.0.0.1 "$PQ" >"$D/q.out" 2>"$D/q.err"
t_check "/quit with a queue: exit 0" [ $? -eq 0 ]
n=$(sed -n 's/^sockscope: #1: \([0-9]*\) queued bytes were never sent.*/\1/p' "$D/q.err")
[ -n "$n" ] || sed "s/^/#   /" "$D/q.err" "$D/q.out" | grep -v "^#     0"
sent=$(sed -n 's/^\* #1 closed (in .*, out \([0-9]*\) bytes)$/\1/p' "$D/q.out")
total=$(wc -c <"$D/q.data")
t_check "/quit with a queue: stderr says how many bytes #1 dropped" [ -n "$n" ]
t_check "/quit with a queue: dropped + sent = every byte ($n + $sent = $total)" [ "$((${n:-0} + ${sent:-0}))" -eq "$total" ]
t_check "/quit with a queue: the log says it too" grep -qx "! #1 dropped $n queued bytes never sent" "$D/q.log"
# The peer closes with our data unread: RST, and the bytes still queued
# are dropped by the engine; said all the same (lines after that are
# refused, each with its own message).
# Through a FIFO: the writer stops once sockscope has read 8 MB or has
# stopped reading (its queue reached batch mode's 4 MiB).  The kernel
# holds at most its 4 MB send buffer, so bytes are then still queued in
# sockscope; only then does the peer close without reading (RST).
cat >"$D/feed.py" <<'EOPY'
import os, select, sys
fifo, go, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
buf = (b"q" * 1000 + b"\n") * 64
fd = os.open(fifo, os.O_WRONLY)
os.set_blocking(fd, False)
sent = 0
while sent < total:
    if not select.select([], [fd], [], 3.0)[1]:
        break       # sockscope stopped reading input: its queue is full
    try:
        sent += os.write(fd, buf[:min(len(buf), total - sent)])
    except BlockingIOError:
        pass
print(sent)
open(go, "w").close()
os.close(fd)
EOPY
PC=$(t_free_port)
python3 "$D/peer.py" closeon "$PC" "$D/e.go" &
t_bg $!
t_wait_port "$PC"
mkfifo "$D/e.in"
timeout 60 "$S" -n 127.0.0.1 "$PC" <"$D/e.in" >"$D/e.out" 2>"$D/e.err" &
epid=$!
t_bg $epid
written=$(python3 "$D/feed.py" "$D/e.in" "$D/e.go" 8008000)
t_wait_pid "$epid" 60
t_check "end of input, peer closes unread: exit 1" [ "$T_STATUS" -eq 1 ]
t_check "end of input, peer closes unread: reset shown" grep -q '^! #1 reset by peer$' "$D/e.out"
n=$(sed -n 's/^sockscope: #1: \([0-9]*\) queued bytes were never sent (the peer reset the connection)$/\1/p' "$D/e.err")
sent=$(sed -n 's/^\* #1 closed (in .*, out \([0-9]*\) bytes)$/\1/p' "$D/e.out")
t_check "end of input, peer closes unread: the dropped bytes are said ($n)" [ "${n:-0}" -gt 0 ]
t_check "end of input, peer closes unread: no more than were not sent" [ "$((${n:-0} + ${sent:-0}))" -le "$((${written:-0} + 1))" ]
# SIGTERM while the queue is full.
mkfifo "$D/tin"
"$S" -n --json -o "$D/t.log" 127.0.0.1 "$PQ" <"$D/tin" >"$D/t.out" 2>"$D/t.err" &
tpid=$!
t_bg $tpid
exec 5>"$D/tin"
# More than the kernel and batch mode's 4 MB queue take: the writer waits.
head -c 10000000 /dev/zero | tr '\0' 't' | fold -w 1000 2>/dev/null >&5 &
t_bg $!
t_wait_for "$D/t.out" '"event":"wait".*"queued"' 20
kill -TERM "$tpid"
t_wait_pid "$tpid" 20
exec 5>&-
t_check "SIGTERM with a queue: exit 143" [ "$T_STATUS" -eq 143 ]
t_check "SIGTERM with a queue: stderr says what #1 dropped" grep -Eq '^sockscope: #1: [0-9]+ queued bytes were never sent' "$D/t.err"
t_check "SIGTERM with a queue: the JSON log says it too" grep -Eq '^\{"t":[0-9.]+,"event":"dropped","conn":1,"bytes":[1-9][0-9]*\}$' "$D/t.log"
t_check "SIGTERM with a queue: the close is in the transcript" grep -q '"event":"closed","conn":1' "$D/t.out"

# --- F10 with bytes queued: said after the screen has gone ------------------
if command -v tmux >/dev/null; then
	# A listener whose accept queue is full: our connect stays pending,
	# so what -e sends stays queued, exactly.
	cat >"$D/full.py" <<'EOPY'
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(0)
port = s.getsockname()[1]
fill = []
while True:
    c = socket.socket()
    c.settimeout(0.3)
    try:
        c.connect(("127.0.0.1", port))
        fill.append(c)
    except OSError:
        break
open(sys.argv[1] + ".tmp", "w").write(str(port))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(120)
EOPY
	python3 "$D/full.py" "$D/full.port" &
	t_bg $!
	t_wait_for "$D/full.port" . 20
	PF=$(cat "$D/full.port")
	Z=$(head -c 1000 /dev/zero | tr '\0' 'z')
	rm -f "$D/exit" "$D/stty"
	t_tmux_start 100 30 "$S -o $D/f10.log -e '/send $Z' 127.0.0.1 $PF 2>$D/f10.err"
	t_see "F10: connecting, 1000 bytes queued" "CONNECTING"
	t_keys F10
	if t_wait_exit 15; then
		t_check "F10 with a queue: exit 0" [ "$(cat "$D/exit")" = 0 ]
		t_check "F10 with a queue: stderr says #1 dropped 1000 bytes" \
			grep -qx 'sockscope: #1: 1000 queued bytes were never sent (the peer was not reading)' "$D/f10.err"
		t_check "F10 with a queue: the log says it too" grep -qx '! #1 dropped 1000 queued bytes never sent' "$D/f10.log"
	else
		t_screen_fail "F10 with a queue: the program did not end"
	fi
	tmux -L "$T_TMUX" kill-server 2>/dev/null
	# /quit closes while the screen is up: the note is repeated after.
	rm -f "$D/exit" "$D/stty"
	t_tmux_start 100 30 "$S -e '/send $Z' 127.0.0.1 $PF 2>$D/quit.err"
	t_see "/quit: connecting, 1000 bytes queued" "CONNECTING"
	t_type "/quit"
	if t_wait_exit 15; then
		t_check "/quit with a queue: exit 0 (screen)" [ "$(cat "$D/exit")" = 0 ]
		t_check "/quit with a queue: stderr says #1 dropped 1000 bytes, once" \
			[ "$(grep -cx 'sockscope: #1: 1000 queued bytes were never sent (the peer was not reading)' "$D/quit.err")" -eq 1 ]
	else
		t_screen_fail "/quit with a queue: the program did not end"
	fi
	tmux -L "$T_TMUX" kill-server 2>/dev/null
fi

# --- focus: a new client takes focus from an ended connection (SPEC 14) ---
if command -v tmux >/dev/null; then
	P=$(t_free_port)
	t_tmux_start 120 30 "$S listen $P"
	t_see "focus: listening" "L1 127\.0\.0\.1:$P"
	printf 'one\n' | timeout 10 ncat --send-only 127.0.0.1 "$P" >/dev/null 2>&1
	t_see "focus: #1 got EOF" "#1 (CLOSED|EOF-RECEIVED)"
	t_type "/close"
	t_see "focus: #1 closed" "#1 CLOSED"
	t_see "focus: prompt still #1" "^#1>( |$)"
	timeout 30 ncat --recv-only 127.0.0.1 "$P" </dev/null >/dev/null 2>&1 &
	t_bg $!
	t_see "focus: #2 accepted" "#2 ESTABLISHED"
	t_see "focus: the new client took focus from the closed #1" "^#2>( |$)"
	timeout 30 ncat --recv-only 127.0.0.1 "$P" </dev/null >/dev/null 2>&1 &
	t_bg $!
	t_see "focus: #3 accepted" "#3 ESTABLISHED"
	t_see "focus: an open #2 keeps focus" "^#2>( |$)"
	t_keys F10
	tmux -L "$T_TMUX" kill-server 2>/dev/null
fi

t_done
