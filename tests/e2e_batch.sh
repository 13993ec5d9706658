#!/usr/bin/env bash
# End-to-end tests of batch mode against real peers (socat, ncat, curl) on
# 127.0.0.1.  Each case is bounded in time; everything started is killed on
# exit.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

t_need socat ncat curl timeout ss xxd pgrep python3

S=$SOCKSCOPE
D=$T_DIR

# --- an echo peer (socat), a line each way, EOF both ways -----------------
# socat -t 30: after our EOF, wait for the echo to drain (the default gives
# up after 0.5 s).
P=$(t_free_port)
socat -t 30 "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr,fork" PIPE >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P" || t_fail "socat echo peer did not start"
printf 'hello\n' | timeout --foreground 20 "$S" -n 127.0.0.1 "$P" >"$D/echo.out" 2>"$D/echo.err"
st=$?
t_check "echo: exit 0" [ "$st" -eq 0 ]
t_check "echo: connecting line" grep -q "^\* #1 connecting to 127.0.0.1:$P\$" "$D/echo.out"
t_check "echo: connected line" grep -Eq "^\* #1 connected to 127.0.0.1:$P from 127.0.0.1:[0-9]+\$" "$D/echo.out"
t_check "echo: send header" grep -q '^> #1 send 6 bytes$' "$D/echo.out"
t_check "echo: send hex row" grep -qF '  00000000  68 65 6c 6c 6f 0a                                 |hello.|' "$D/echo.out"
t_check "echo: recv header" grep -q '^< #1 recv 6 bytes \[chunk 1\]$' "$D/echo.out"
t_check "echo: shutdown" grep -q '^> #1 shutdown: EOF sent$' "$D/echo.out"
t_check "echo: EOF" grep -q '^< #1 recv 0 bytes: EOF (peer finished sending)$' "$D/echo.out"
t_check "echo: closed totals" grep -q '^\* #1 closed (in 6 bytes in 1 chunk, out 6 bytes)$' "$D/echo.out"
t_check "echo: nothing on stderr" [ ! -s "$D/echo.err" ]

# --- ncat as the echo peer, JSON output, -t timestamps ---------------------
P2=$(t_free_port)
ncat -l 127.0.0.1 "$P2" --keep-open --exec /bin/cat >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P2" || t_fail "ncat echo peer did not start"
printf 'abc\n' | timeout --foreground 20 "$S" -n --json "$P2" 2>"$D/j.err" >/dev/null
t_check "json: HOST defaults are rejected (needs HOST PORT)" [ $? -eq 2 ]
# ncat --exec drops the echo if our EOF overtakes it: end input once the
# echo is back.
{ printf 'abc\n'; t_wait_for "$D/j.out" '"event":"recv"' 20; } |
	timeout --foreground 20 "$S" -n --json 127.0.0.1 "$P2" >"$D/j.out" 2>"$D/j.err"
t_check "json: exit 0" [ $? -eq 0 ]
t_check "json: recv event with hex" grep -q '"event":"recv".*"conn":1.*"hex":"6162630a"' "$D/j.out"
t_check "json: send event" grep -q '"event":"send".*"bytes":4' "$D/j.out"
t_check "json: eof event" grep -q '"event":"eof"' "$D/j.out"
if t_have python3; then
	t_check "json: every line parses" python3 -c '
import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l); assert "t" in o and "event" in o' "$D/j.out"
fi
{ printf 'abc\n'; t_wait_for "$D/t.out" ' recv 4 bytes' 20; } |
	timeout --foreground 20 "$S" -n -t 127.0.0.1 "$P2" >"$D/t.out" 2>&1
t_check "timestamps: header lines start with +S.SSSSSS" grep -Eq '^\+[0-9]+\.[0-9]{6} < #1 recv 4 bytes' "$D/t.out"
t_check "timestamps: hex rows are not stamped" grep -q '^  00000000  61 62 63 0a' "$D/t.out"

# --- 12 bytes at once read with -b 5: chunks 5, 5, 2, then EOF ------------
P=$(t_free_port)
socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr" SYSTEM:"printf hello-world!" >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P"
timeout --foreground 20 "$S" -n -b 5 127.0.0.1 "$P" </dev/null >"$D/b5.out" 2>&1
t_check "-b 5: exit 0" [ $? -eq 0 ]
grep -E '^< #1 recv' "$D/b5.out" >"$D/b5.hdr"
printf '%s\n' '< #1 recv 5 bytes [chunk 1]' '< #1 recv 5 bytes [chunk 2]' \
    '< #1 recv 2 bytes [chunk 3]' '< #1 recv 0 bytes: EOF (peer finished sending)' >"$D/b5.want"
t_check "-b 5: chunks 5, 5, 2, EOF" cmp -s "$D/b5.hdr" "$D/b5.want"
t_check "-b 5: offsets continue across chunks" grep -q '^  0000000a  64 21  ' "$D/b5.out"
t_check "-b 5: gutter of chunk 2" grep -qF '|-worl|' "$D/b5.out"

# --- curl against the listener: request line and headers ------------------
P=$(t_free_port)
printf '%s\n' '/send HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nhi\n' >"$D/resp.in"
timeout --foreground 20 "$S" -n listen "$P" <"$D/resp.in" >"$D/http.out" 2>"$D/http.err" &
spid=$!
t_bg $spid
t_wait_for "$D/http.out" "listening on 127.0.0.1:$P" 20 || t_fail "listener did not start" "$D/http.err"
body=$(curl -s --max-time 10 "http://127.0.0.1:$P/inspect?x=1" -H 'X-Test: yes')
t_check "curl: got the typed response body" [ "$body" = "hi" ]
t_wait_pid $spid 10
t_check "listen: exits 0 after the client is done" [ "$T_STATUS" -eq 0 ]
t_check "curl: accepted line" grep -Eq "^\* #1 accepted from 127.0.0.1:[0-9]+ on L1\$" "$D/http.out"
t_check "curl: request line in the gutter" grep -qF '|GET /inspect?x=1|' "$D/http.out"
t_check "curl: the hex of the request" grep -qF '47 45 54 20 2f 69 6e 73  70 65 63 74' "$D/http.out"
# The received gutter text, to find every header.
t_recv_gutter "$D/http.out" >"$D/http.req"
t_check "curl: Host header" grep -qF "Host: 127.0.0.1:$P.." "$D/http.req"
t_check "curl: custom header" grep -qF 'X-Test: yes..' "$D/http.req"
t_check "curl: request ends with CRLF CRLF" grep -qF 'X-Test: yes....' "$D/http.req"

# --- a peer that resets the connection -------------------------------------
# It reads our line, then closes with SO_LINGER 0: an RST and no FIN.  Our
# input stays open until the reset is reported.
P=$(t_free_port)
python3 -c 'import socket, struct, sys
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", int(sys.argv[1]))); l.listen(1); l.settimeout(30)
c, _ = l.accept(); c.settimeout(30); c.recv(100)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
c.close()' "$P" >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P"
{ printf 'late\n'; t_wait_for "$D/rst.out" '#1 reset by peer' 20; } |
	timeout --foreground 20 "$S" -n 127.0.0.1 "$P" >"$D/rst.out" 2>&1
t_check "reset: reported as a failure" grep -q '^! #1 reset by peer$' "$D/rst.out"
t_check "reset: closed afterwards" grep -q '^\* #1 closed' "$D/rst.out"

# --- errors: refused, in use, unknown host, usage --------------------------
P=$(t_free_port)
timeout --foreground 20 "$S" -n 127.0.0.1 "$P" </dev/null >"$D/ref.out" 2>"$D/ref.err"
t_check "refused: exit 1" [ $? -eq 1 ]
t_check "refused: one clear line" grep -qx "sockscope: connect 127.0.0.1:$P: Connection refused (ECONNREFUSED)" "$D/ref.err"
t_check "refused: transcript error line" grep -q "^! #1 connect 127.0.0.1:$P: Connection refused (ECONNREFUSED)\$" "$D/ref.out"

P=$(t_free_port)
socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr,fork" PIPE >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P"
timeout --foreground 20 "$S" -n listen "$P" </dev/null >"$D/inuse.out" 2>"$D/inuse.err"
t_check "in use: exit 1" [ $? -eq 1 ]
t_check "in use: one clear line" grep -qx "sockscope: 127.0.0.1:$P is already in use" "$D/inuse.err"

timeout --foreground 60 "$S" -n nosuch.invalid 80 </dev/null >/dev/null 2>"$D/dns.err"
t_check "unknown host: exit 1" [ $? -eq 1 ]
t_check "unknown host: clear line" grep -q "^sockscope: cannot resolve 'nosuch.invalid': " "$D/dns.err"

timeout --foreground 5 "$S" -n 127.0.0.1 70000 </dev/null 2>"$D/u1.err"
t_check "port 70000: exit 2" [ $? -eq 2 ]
t_check "port 70000: message" grep -qx "sockscope: port must be 1-65535, got '70000'" "$D/u1.err"
timeout --foreground 5 "$S" -n --recv-size=0 127.0.0.1 1 </dev/null 2>/dev/null
t_check "recv size 0: exit 2" [ $? -eq 2 ]
timeout --foreground 5 "$S" -n --bogus </dev/null 2>/dev/null
t_check "unknown option: exit 2" [ $? -eq 2 ]

# A service name is looked up in /etc/services.
timeout --foreground 20 "$S" -n -4 127.0.0.1 http </dev/null >/dev/null 2>"$D/svc.err"
t_check "service name: resolved to port 80" grep -q "connect 127.0.0.1:80: " "$D/svc.err"

# --- a bad command changes nothing ----------------------------------------
P=$(t_free_port)
socat -t 30 "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr" PIPE >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P"
printf '/frob\n/recvsize 0\n/send bad\\x4\none\n' | timeout --foreground 20 "$S" -n 127.0.0.1 "$P" >"$D/bad.out" 2>"$D/bad.err"
t_check "bad command: exit 0" [ $? -eq 0 ]
t_check "bad command: unknown named" grep -q "^sockscope: unknown command '/frob' (try /help)\$" "$D/bad.err"
t_check "bad command: three errors, one line each" [ "$(wc -l <"$D/bad.err")" -eq 3 ]
t_check "bad command: the next line still went out" grep -q '^> #1 send 4 bytes$' "$D/bad.out"
t_check "bad command: and came back" grep -q '^< #1 recv 4 bytes' "$D/bad.out"

# --- a peer that never reads while we send 10 MiB --------------------------
# The peer reads nothing until the stall is reported and 2 MiB more wait in
# our queue (input read, less bytes sent).
P=$(t_free_port)
socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr" SYSTEM:"sh $T_HOLD $D/slow.go; cat >$D/slow.bin" >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P"
head -c 5242880 /dev/urandom | xxd -p -c 2048 >"$D/big.in"    # 10 MiB of lines
timeout --foreground 60 "$S" -n 127.0.0.1 "$P" <"$D/big.in" >"$D/slow.out" 2>"$D/slow.err" &
spid=$!
t_bg $spid
sspid=$(t_child $spid)
slow_queued() {
	local pos sent
	pos=$(t_input_pos "$sspid")
	sent=$(awk '/^> #1 send [0-9]+ bytes/ { n += $4 } END { print n + 0 }' "$D/slow.out")
	[ -n "$pos" ] && [ $((pos - sent)) -ge 2097152 ]
}
t_wait_for "$D/slow.out" '^> #1 send: peer not reading' 30 && t_until 30 slow_queued
touch "$D/slow.go"
t_wait_pid $spid 60
t_check "slow peer: exit 0" [ "$T_STATUS" -eq 0 ]
size=$(stat -c %s "$D/big.in")
t_check "slow peer: the stall is reported" grep -Eq '^> #1 send: peer not reading, [0-9]+ bytes queued$' "$D/slow.out"
# While it stalled we kept reading input into the queue (MiB-sized sends after).
t_check "slow peer: we queued while it did not read" grep -q '^> #1 send 1048576 bytes (of [0-9]* asked)$\|^> #1 send 1048576 bytes$' "$D/slow.out"
t_check "slow peer: every byte arrived" cmp -s "$D/big.in" "$D/slow.bin"
t_check "slow peer: out total exact" grep -q "^\* #1 closed (in 0 bytes in 0 chunks, out $size bytes)\$" "$D/slow.out"

# --- IPv6, and every address of a name tried in order ----------------------
if [ -e /proc/net/if_inet6 ]; then
	P=$(t_free_port)
	socat -t 30 "TCP6-LISTEN:$P,bind=[::1],reuseaddr,fork" PIPE >/dev/null 2>&1 &
	t_bg $!
	if t_wait_port "$P" 10; then
		{ printf 'six\n'; t_wait_for "$D/v6.out" ' recv 4 bytes' 20; } |
			timeout --foreground 20 "$S" -n '[::1]' "$P" >"$D/v6.out" 2>&1
		t_check "IPv6: [::1] connects" grep -q "^\* #1 connected to \[::1\]:$P from \[::1\]:" "$D/v6.out"
		t_check "IPv6: echo came back" grep -q '^< #1 recv 4 bytes' "$D/v6.out"
	else
		t_fail "IPv6: socat did not listen on [::1]"
	fi
else
	echo "# IPv6 checks skipped: no IPv6 loopback"
fi
# localhost is ::1 and 127.0.0.1 here: with only 127.0.0.1 listening, the
# refused ::1 attempt is shown before the one that works (or just the
# working one when localhost is IPv4 only).
P=$(t_free_port)
socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr" PIPE >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P"
timeout --foreground 20 "$S" -n localhost "$P" </dev/null >"$D/lh.out" 2>&1
t_check "localhost: exit 0" [ $? -eq 0 ]
if getent ahosts localhost | grep -q '^::1'; then
	t_check "localhost: the ::1 attempt is shown" grep -q "^! #1 connect \[::1\]:$P: Connection refused (ECONNREFUSED)\$" "$D/lh.out"
fi
t_check "localhost: then 127.0.0.1 connects" grep -q "^\* #1 connected to 127.0.0.1:$P" "$D/lh.out"

# --- -e lines, -o log, manual /recv, /reset ---------------------------------
P=$(t_free_port)
# The peer stays until our third /recv found nothing; the commands are
# typed once its 11 bytes wait in our kernel receive queue.
socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr" SYSTEM:"printf hello-world; sh $T_HOLD $D/man.go" >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P"
man_waiting() {
	ss -Htn state established "dport = :$P" | awk '$1 >= 11 { f = 1 } END { exit !f }'
}
{
	t_until 20 man_waiting
	printf '/recv 3\n/recv\n/recv\n'
	t_wait_for "$D/man.out" 'nothing waiting' 20
	touch "$D/man.go"
} | timeout --foreground 20 "$S" -n -m -o "$D/log.txt" \
	-e '/eol crlf' 127.0.0.1 "$P" >"$D/man.out" 2>&1
t_check "manual: /recv 3 returns 3" grep -q '^< #1 recv 3 bytes \[chunk 1\]$' "$D/man.out"
t_check "manual: the rest on the next /recv" grep -q '^< #1 recv 8 bytes \[chunk 2\]$' "$D/man.out"
t_check "manual: an empty kernel queue says so" grep -q '^< #1 recv: nothing waiting (EAGAIN)$' "$D/man.out"
t_check "manual: ends after input with the EOF" grep -q '^< #1 recv 0 bytes: EOF' "$D/man.out"
t_check "-o: the log holds the same transcript" cmp -s "$D/man.out" "$D/log.txt"

P=$(t_free_port)
socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr" SYSTEM:"cat >$D/rst-peer.txt; echo rc=\$? >>$D/rst-peer.txt" >"$D/rst-socat.err" 2>&1 &
t_bg $!
t_wait_port "$P"
printf 'x\n/reset\n' | timeout --foreground 20 "$S" -n 127.0.0.1 "$P" >"$D/reset.out" 2>&1
st=$?
t_check "/reset: RST sent" grep -q '^\* #1 reset: RST sent$' "$D/reset.out"
t_check "/reset: exits 0" [ "$st" -eq 0 ]

# --- listening on every interface is said so --------------------------------
P=$(t_free_port)
timeout --foreground 10 "$S" -n -e /quit listen 0.0.0.0 "$P" </dev/null >"$D/all.out" 2>&1
t_check "0.0.0.0: transcript says all interfaces" grep -q "^\* L1 listening on 0.0.0.0:$P (all interfaces)\$" "$D/all.out"
timeout --foreground 10 "$S" -n -e /quit listen "$P" </dev/null >"$D/lo.out" 2>&1
t_check "default: 127.0.0.1 only" grep -q "^\* L1 listening on 127.0.0.1:$P\$" "$D/lo.out"

# --- 100 clients on one listener -------------------------------------------
P=$(t_free_port)
timeout --foreground 120 "$S" -n -k listen "$P" </dev/null >"$D/many.out" 2>&1 &
spid=$!
t_bg $spid
t_wait_for "$D/many.out" "listening on" 20
cpids=
for i in $(seq 1 100); do
	printf 'client %d\n' "$i" | timeout 60 ncat --send-only 127.0.0.1 "$P" 2>/dev/null &
	cpids="$cpids $!"
done
nfail=0
for p in $cpids; do
	wait "$p" || nfail=$((nfail + 1))
done
t_check "100 clients: every client sent its line ($nfail failed)" [ "$nfail" -eq 0 ]
# The last to close is not always #100: wait for 100 of them.
t_wait_count "$D/many.out" '^\* #[0-9]+ closed' 100 60
t_check "100 clients: all accepted" [ "$(grep -c ' accepted from ' "$D/many.out")" -eq 100 ]
t_check "100 clients: all closed" [ "$(grep -Ec '^\* #[0-9]+ closed' "$D/many.out")" -eq 100 ]
t_check "100 clients: each one's bytes" [ "$(grep -Ec 'recv (9|10|11) bytes \[chunk 1\]' "$D/many.out")" -eq 100 ]
t_check "100 clients: -k keeps listening" kill -0 $spid
kill $spid 2>/dev/null

t_done
