#!/usr/bin/env bash
# End-to-end: the demo servers of SPEC 11 (sockscope serve KIND, /serve,
# --respond) against real clients: a Python client making the course's
# calls (connect, send, recv(4096), close), socat, ncat, curl and headless
# Chromium.  What each client receives is checked byte for byte.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

t_need timeout ss python3 socat ncat curl tmux

D=$T_DIR
S=$SOCKSCOPE

# The course's client: connect, send each argument's bytes (Python
# escapes), then recv(4096) until b'' or until as many bytes as sent came
# back (WANT=all) or WANT bytes; prints every recv() result's repr, one a
# line, and the exception's name if one ends it.
cat >"$D/client.py" <<'PY'
import socket, sys
port, want = int(sys.argv[1]), sys.argv[2]
data = b"".join(a.encode().decode("unicode_escape").encode("latin-1")
                for a in sys.argv[3:])
s = socket.socket()
s.settimeout(10)
s.connect(("127.0.0.1", port))
if data:
    s.send(data)
got = 0
n = len(data) if want == "all" else int(want) if want != "eof" else -1
try:
    while True:
        b = s.recv(4096)
        print(repr(b))
        got += len(b)
        if not b or (n >= 0 and got >= n):
            break
except Exception as e:
    print(type(e).__name__)
s.close()
PY

# Start "sockscope serve KIND PORT" in batch; its port in $P, pid in $SP.
serve_start() {
	P=$(t_free_port)
	timeout 120 "$S" -n serve "$@" 127.0.0.1 "$P" </dev/null \
		>"$D/serve-$1.out" 2>"$D/serve-$1.err" &
	SP=$!
	t_bg $SP
	t_wait_port "$P" 10 || t_fail "serve $1: no listener" "$D/serve-$1.err"
}
serve_stop() {
	kill "$SP" 2>/dev/null
	t_wait_pid "$SP" 10
}
# The concatenated bytes of the client's recv() results, as a repr.
joined() {
	python3 -c 'import ast,sys
print(repr(b"".join(ast.literal_eval(l) for l in open(sys.argv[1]) if l.startswith("b"))))' "$1"
}

# --- line kinds: byte for byte, Python client -------------------------------
for kv in "echo:b'Hello, World\\\\r\\\\n\\\\xc3\\\\xa9\\\\n'" \
	  "upper:b'HELLO, WORLD\\\\r\\\\n\\\\xc3\\\\xa9\\\\n'" \
	  "reverse:b'dlroW ,olleH\\\\r\\\\n\\\\xc3\\\\xa9\\\\n'" \
	  "rot13:b'Uryyb, Jbeyq\\\\r\\\\n\\\\xc3\\\\xa9\\\\n'"; do
	k=${kv%%:*} want=${kv#*:}
	serve_start "$k"
	python3 "$D/client.py" "$P" all 'Hello, World\r\n\xc3\xa9\n' >"$D/c-$k" 2>&1
	t_check "serve $k: the client reads $(cat "$D/c-$k" | tr '\n' ' ')" \
		[ "$(joined "$D/c-$k")" = "$(printf '%b' "$want")" ]
	serve_stop
done

# reverse keeps the \r before \n where it was (SPEC 11: split on \n,
# keep \r); é (two bytes) stays one character.

# --- drip and chunky: recv(4096) returns pieces -------------------------------
serve_start drip
python3 "$D/client.py" "$P" all 'hello drip\n' >"$D/c-drip" 2>&1
t_check "drip: same bytes back" [ "$(joined "$D/c-drip")" = "b'hello drip\\n'" ]
t_check "drip: recv(4096) returned $(grep -c '^b' "$D/c-drip") pieces (>= 4)" \
	[ "$(grep -c '^b' "$D/c-drip")" -ge 4 ]
serve_stop

line=$(python3 -c 'print("0123456789abcdef" * 100, end="")')
serve_start chunky
python3 "$D/client.py" "$P" all "$line"'\n' >"$D/c-chunky" 2>&1
t_check "chunky: same 1601 bytes back" \
	[ "$(joined "$D/c-chunky")" = "$(python3 -c 'print(repr(b"0123456789abcdef" * 100 + b"\n"))')" ]
t_check "chunky: recv(4096) returned $(grep -c '^b' "$D/c-chunky") pieces (>= 3)" \
	[ "$(grep -c '^b' "$D/c-chunky")" -ge 3 ]
serve_stop

# --- oneshot: b'' after the answer; reset: ConnectionResetError ------------
serve_start oneshot
python3 "$D/client.py" "$P" eof 'one\ntwo\n' >"$D/c-oneshot" 2>&1
t_check "oneshot: one line, then b''" \
	[ "$(tr '\n' ' ' <"$D/c-oneshot")" = "b'one\\n' b'' " ]
serve_stop

serve_start reset
python3 "$D/client.py" "$P" eof 'bye\n' >"$D/c-reset" 2>&1
t_check "reset: one line, then ConnectionResetError ($(tr '\n' ' ' <"$D/c-reset"))" \
	[ "$(tr '\n' ' ' <"$D/c-reset")" = "b'bye\\n' ConnectionResetError " ]
serve_stop

# --- slow: the sender's queue grows ------------------------------------------
serve_start slow
python3 - "$P" >"$D/c-slow" 2>&1 <<'PY'
import socket, struct, fcntl, sys, time
SIOCOUTQ = 0x5411
s = socket.socket()
s.connect(("127.0.0.1", int(sys.argv[1])))
s.setblocking(False)
sent = 0
try:
    while sent < 8 << 20:
        sent += s.send(b"x" * 65536)
except BlockingIOError:
    pass
q = struct.unpack("i", fcntl.ioctl(s, SIOCOUTQ, b"\0\0\0\0"))[0]
print(sent, q)
PY
read -r sent outq <"$D/c-slow"
t_check "slow: the client's send() blocked after $sent bytes, $outq unsent in its kernel" \
	[ "${sent:-0}" -lt $((8 << 20)) ] && [ "${outq:-0}" -gt 65536 ]
# It reads 1 byte per 100 ms: far fewer than were sent.
t_wait_for "$D/serve-slow.out" "recv 1 byte" 5
n=$(grep -c "^< #1 recv 1 byte" "$D/serve-slow.out")
t_check "slow: sockscope read only $n bytes of $sent" [ "$n" -ge 1 ] && [ "$n" -lt 100 ]
serve_stop

# --- echo to a peer that never reads: memory stays bounded -----------------
serve_start echo
python3 - "$P" "$SP" >"$D/c-flood" 2>&1 <<'PY'
import socket, sys, time
s = socket.socket()
s.connect(("127.0.0.1", int(sys.argv[1])))
s.setblocking(False)
sent, line, t = 0, b"y" * 1023 + b"\n", time.time()
while time.time() - t < 3:
    try:
        sent += s.send(line * 64)
    except BlockingIOError:
        time.sleep(0.01)
pid = open("/proc/%s/task/%s/children" % (sys.argv[2], sys.argv[2])).read().split()
pid = pid[0] if pid else sys.argv[2]
rss = [int(l.split()[1]) for l in open("/proc/%s/status" % pid) if l.startswith("VmRSS")][0]
print(sent, rss)
PY
read -r sent rss <"$D/c-flood"
t_check "echo, peer never reads: $sent bytes sent, sockscope holds ${rss} kB (< 40000)" \
	[ "${sent:-0}" -gt 0 ] && [ "${rss:-999999}" -lt 40000 ]
serve_stop

# --- socat and ncat ---------------------------------------------------------
serve_start upper
printf 'from socat\n' | timeout 10 socat -t 2 - "TCP:127.0.0.1:$P" >"$D/socat" 2>&1
t_check "upper with socat" [ "$(cat "$D/socat")" = "FROM SOCAT" ]
serve_stop
serve_start rot13
printf 'from ncat\n' | timeout 10 ncat -i 2 127.0.0.1 "$P" >"$D/ncat" 2>/dev/null
t_check "rot13 with ncat" [ "$(cat "$D/ncat")" = "sebz apng" ]
serve_stop

# --- discard, chargen, daytime: RFC 863, 864, 867 -----------------------------
serve_start discard
python3 - "$P" >"$D/c-discard" 2>&1 <<'PY'
import socket, sys
s = socket.socket()
s.settimeout(10)
s.connect(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"throw this away\n" * 100)
s.shutdown(socket.SHUT_WR)
print(repr(s.recv(4096)))
PY
t_check "discard: nothing back, then b''" [ "$(cat "$D/c-discard")" = "b''" ]
serve_stop

serve_start chargen
timeout 10 python3 - "$P" >"$D/c-chargen" 2>&1 <<'PY'
import socket, sys
s = socket.socket()
s.settimeout(10)
s.connect(("127.0.0.1", int(sys.argv[1])))
buf = b""
while len(buf) < 74 * 3:
    buf += s.recv(4096)
lines = buf.split(b"\r\n")[:3]
chars = bytes(range(32, 127))
ok = all(l == (chars * 2)[i:i + 72] for i, l in enumerate(lines))
print("ok" if ok else repr(lines))
PY
t_check "chargen: 72-character lines rotating through ASCII (RFC 864)" \
	[ "$(cat "$D/c-chargen")" = "ok" ]
serve_stop

serve_start daytime
python3 "$D/client.py" "$P" eof >"$D/c-daytime" 2>&1
t_check "daytime: one line with the year and CRLF, then b'' ($(head -1 "$D/c-daytime"))" \
	sh -c "head -1 '$D/c-daytime' | grep -Eq \"^b'[A-Z][a-z]+day, .*$(date -u +%Y).*\\\\\\\\r\\\\\\\\n'\$\" && sed -n 2p '$D/c-daytime' | grep -qx \"b''\""
serve_stop

# --- http: curl keep-alive, HEAD, POST; a browser ---------------------------
serve_start http
curl -sv --max-time 10 "http://127.0.0.1:$P/first" "http://127.0.0.1:$P/second" \
	>"$D/curl-body" 2>"$D/curl-err"
t_check "http: keep-alive, two URLs on one connection" grep -q 'Re-using existing connection' "$D/curl-err"
t_check "http: the page shows each request line" \
	sh -c "grep -q 'GET /first HTTP/1.1' '$D/curl-body' && grep -q 'GET /second HTTP/1.1' '$D/curl-body'"
# Content-Length is right: curl read exactly the body it announced.
python3 - "$P" >"$D/c-http" 2>&1 <<'PY'
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
c.request("POST", "/form", body=b"a=1&b=2")
r = c.getresponse(); body = r.read()
ok = r.status == 200 and int(r.getheader("Content-Length")) == len(body)
ok = ok and b"POST /form HTTP/1.1" in body and b"7 bytes" in body
c.request("HEAD", "/h")
r = c.getresponse(); hb = r.read()
ok = ok and r.status == 200 and hb == b"" and int(r.getheader("Content-Length")) > 0
print("ok" if ok else "bad %r" % body[:300])
PY
t_check "http: POST body counted, Content-Length exact, HEAD has no body" \
	[ "$(cat "$D/c-http")" = ok ]
curl -s --max-time 10 -I "http://127.0.0.1:$P/head" >"$D/curl-head"
t_check "http: curl -I gets 200" grep -q '^HTTP/1.1 200' "$D/curl-head"
python3 - "$P" >"$D/c-http400" 2>&1 <<'PY'
import socket, sys
s = socket.socket()
s.settimeout(10)
s.connect(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"NOT HTTP <b>\r\n\r\n")
buf = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    buf += b
print(buf.split(b"\r\n")[0].decode(), b"<b>" not in buf.split(b"\r\n\r\n", 1)[1])
PY
t_check "http: a malformed request gets 400, escaped, then EOF ($(cat "$D/c-http400"))" \
	grep -q '^HTTP/1.1 400 .* True$' "$D/c-http400"
serve_stop

# Chromium against --respond http with listen, as issue 9 asks.
P=$(t_free_port)
timeout 120 "$S" -n -k --respond http listen "$P" </dev/null \
	>"$D/serve-chromium.out" 2>"$D/serve-chromium.err" &
SP=$!; t_bg $SP
t_wait_port "$P" 10
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$CHROME" ]; then
	timeout 60 "$CHROME" --headless=new --no-sandbox --disable-gpu \
		--disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--user-data-dir="$D/profile" \
		--dump-dom "http://127.0.0.1:$P/from-chromium" >"$D/dom" 2>"$D/chrome.err"
	t_check "http: Chromium's DOM shows its request line" grep -q 'GET /from-chromium HTTP/1.1' "$D/dom"
	t_check "http: Chromium's DOM shows its own User-Agent line" \
		grep -Eq 'User-Agent: Mozilla/5.0 .*Chrome/' "$D/dom"
	t_check "http: Chromium's connections are in the transcript" \
		grep -q 'accepted from 127.0.0.1' "$D/serve-chromium.out"
else
	t_need chromium
fi
serve_stop

# --- --respond with listen; /serve from batch input ---------------------------
P=$(t_free_port)
timeout 60 "$S" -n --respond reverse listen "$P" </dev/null >"$D/respond.out" 2>&1 &
SP=$!; t_bg $SP
t_wait_port "$P" 10
python3 "$D/client.py" "$P" all 'abc\n' >"$D/c-respond" 2>&1
t_check "--respond reverse: b'cba\\n'" [ "$(joined "$D/c-respond")" = "b'cba\\n'" ]
serve_stop

P=$(t_free_port)
mkfifo "$D/in"
timeout 60 "$S" -n <"$D/in" >"$D/slash.out" 2>&1 &
SP=$!; t_bg $SP
exec 3>"$D/in"
# A bad kind is one clear line and changes nothing.
echo "/serve frob $P" >&3
t_wait_for "$D/slash.out" "KIND must be" 5
t_check "/serve frob: one clear line" grep -q "/serve: KIND must be echo.*got 'frob'" "$D/slash.out"
echo "/serve upper $P" >&3
t_wait_port "$P" 10
python3 "$D/client.py" "$P" all 'x\n' >"$D/c-slash" 2>&1
t_check "/serve upper in batch: b'X\\n'" [ "$(joined "$D/c-slash")" = "b'X\\n'" ]
exec 3>&-
kill "$SP" 2>/dev/null; t_wait_pid "$SP" 10

"$S" serve frob 5151 >/dev/null 2>"$D/bad-kind"
t_check "serve frob: exit 2 and one line" \
	sh -c "[ $? -eq 2 ] && grep -q \"'frob' is not a responder\" '$D/bad-kind'"
"$S" --help >"$D/help"
t_check "--help lists serve and the kinds" \
	sh -c "grep -q 'serve KIND' '$D/help' && grep -q 'chargen' '$D/help'"

# --- full screen: /serve echo P, /connect 127.0.0.1 P in one window ---------
P=$(t_free_port)
t_tmux_start 160 40 "$S"
t_type "/serve echo $P"
t_see "tmux: the listener is tagged" "L1 127\.0\.0\.1:$P LISTENING"
t_see "tmux: its responder is named" "\[echo\] answers each"
t_type "/connect 127.0.0.1 $P"
t_see "tmux: the served end is tagged echo" "#2 ESTABLISHED \[echo\]"
t_type "ping-from-the-lecturer"
t_wait_screen "ping-from-the-lecturer" 10
t_see "tmux: both ends listed" "#1 ESTABLISHED"
pid=$(t_app_pid)
# The echo came back to #1 (focused): its Socket pane counts 23 bytes.
t_see "tmux: #1 received the echo (23 B)" "received +23 B"
# Idle with a served connection open: no wake-ups.
if [ -n "$pid" ]; then
	ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
	a=$(ticks)
	sleep 10
	b=$(ticks)
	t_check "idle: $((b - a)) CPU ticks over 10 s serving echo" [ $((b - a)) -le 1 ]
else
	t_fail "idle: no sockscope process found"
fi
t_keys F10
tmux -L "$T_TMUX" kill-server 2>/dev/null

t_done
