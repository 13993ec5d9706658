#!/usr/bin/env bash
# End-to-end tests of the transports as the user reaches them (SPEC 9,
# issue 7 item 3): the real program with -u, -U, -c, https:// and the TLS
# options, in batch mode against real peers (socat, openssl s_server and
# s_client, curl) on 127.0.0.1 and in the scratch folder, and one tmux
# check of the Socket pane's TLS rows.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

t_need socat timeout ss openssl curl python3

S=$SOCKSCOPE
D=$T_DIR
# A program that died must fail its checks, not end this script.
trap '' PIPE

# --- helpers ----------------------------------------------------------------

# run_start NAME ARGS...: sockscope -n ARGS in the background (pid RPID),
# its standard input the FIFO $D/NAME.in held open on fd 4, its output
# $D/NAME.out and $D/NAME.err.
run_start() {
	name=$1
	shift
	rm -f "$D/$name.in"
	mkfifo "$D/$name.in"
	exec 4<>"$D/$name.in"
	timeout 30 "$S" -n "$@" <"$D/$name.in" >"$D/$name.out" \
		2>"$D/$name.err" 4>&- &
	RPID=$!
	t_bg "$RPID"
}

# run_say LINE: one input line to the running sockscope.
run_say() {
	printf '%s\n' "$1" >&4
}

# run_end [LINE]: LINE (default /quit), end of input, wait; status in
# T_STATUS.
run_end() {
	run_say "${1:-/quit}"
	exec 4>&-
	t_wait_pid "$RPID" 10
}

# expect NAME REGEX [DESCRIPTION]: wait (10 s at most) for a line of NAME's
# transcript, then pass or fail.
expect() {
	if t_wait_for "$D/$1.out" "$2" 10; then
		t_pass "$1: ${3:-$2}"
	else
		t_fail "$1: ${3:-$2}" "$D/$1.out"
		sed 's/^/#   err: /' "$D/$1.err" 2>/dev/null | head -5
	fi
}

# A line that must not be there: expect_no NAME REGEX DESCRIPTION.
expect_no() {
	if grep -Eq -- "$2" "$D/$1.out"; then
		t_fail "$1: $3" "$D/$1.out"
	else
		t_pass "$1: $3"
	fi
}

# --- UDP: an echo peer; datagrams are chunks with their sizes ---------------
P=$(t_free_port)
socat "UDP-LISTEN:$P,bind=127.0.0.1" EXEC:cat >"$D/uecho.log" 2>&1 &
t_bg $!
t_wait_udp_port "$P" || t_fail "udp: socat did not bind" "$D/uecho.log"
run_start udp -u 127.0.0.1 "$P"
expect udp "^\* #1 connected to 127\.0\.0\.1:$P from 127\.0\.0\.1:[0-9]+ over udp$" "connected line names udp"
run_say hello
expect udp '^< #1 recv 6 bytes \[chunk 1\]$' "the echo of one datagram is one 6-byte chunk"
run_say "second datagram"
expect udp '^< #1 recv 16 bytes \[chunk 2\]$' "the next datagram is chunk 2, 16 bytes"
run_end
t_check "udp: /quit ends it, exit 0" [ "$T_STATUS" -eq 0 ]

# --- UDP: a closed port is ECONNREFUSED on the connected socket -------------
P=$(t_free_port)
while t_udp_bound "$P"; do P=$(t_free_port); done
run_start udprefused -u 127.0.0.1 "$P"
run_say "anyone there?"
expect udprefused '^! #1 recv: Connection refused \(ECONNREFUSED\)$' "ICMP port unreachable: recv() = ECONNREFUSED"
run_end

# --- UDP listener: two socat clients are two connections --------------------
run_start udplisten -u listen 127.0.0.1 "$(t_free_port)"
if t_wait_for "$D/udplisten.out" "listening on 127\.0\.0\.1:[0-9]+ over udp$" 10; then
	t_pass "udplisten: listening line names udp"
else
	t_fail "udplisten: listening line names udp" "$D/udplisten.out"
fi
LP=$(t_listen_port "$D/udplisten.out")
for c in 1 2; do
	{ printf 'from client %s\n' "$c"; sh "$T_HOLD" "$D/udp.done" 15; } |
		socat - "UDP:127.0.0.1:${LP:-1}" >"$D/uc$c.out" 2>&1 &
	t_bg $!
	expect udplisten "^\* #$c accepted from 127\.0\.0\.1:[0-9]+ on L1 over udp$" "client $c is #$c"
done
expect udplisten '^< #2 recv 14 bytes' "client 2's datagram is #2's chunk"
run_say "/conn #1"
run_say "reply one"
run_say "/conn #2"
run_say "reply two"
t_check "udplisten: client 1 got its reply" t_wait_for "$D/uc1.out" '^reply one$' 10
t_check "udplisten: client 2 got its reply" t_wait_for "$D/uc2.out" '^reply two$' 10
t_check "udplisten: no reply went to the wrong client" \
	sh -c "! grep -q 'reply two' '$D/uc1.out' && ! grep -q 'reply one' '$D/uc2.out'"
touch "$D/udp.done"
run_end

# --- Unix stream: connect to socat, listen for socat ------------------------
U=$D/echo.sock
socat "UNIX-LISTEN:$U" EXEC:cat >"$D/uxecho.log" 2>&1 &
t_bg $!
t_until 10 test -S "$U" || t_fail "unix: socat did not listen" "$D/uxecho.log"
run_start unix -U "$U"
expect unix "^\* #1 connected to $U( from .*)? over unix$" "connected line shows the path and unix"
run_say "over a path"
expect unix '^< #1 recv 12 bytes' "the echo came back"
run_end "/shutdown"
t_check "unix: the peer's EOF ends it, exit 0" [ "$T_STATUS" -eq 0 ]

L=$D/listen.sock
run_start unixl -U -l "$L"
expect unixl "^\* L1 listening on $L over unix$" "listening on the path"
{ printf 'ping\n'; sh "$T_HOLD" "$D/unixl.done" 15; } |
	socat - "UNIX-CONNECT:$L" >"$D/unixl.peer" 2>&1 &
t_bg $!
expect unixl '^\* #1 accepted from .* on L1 over unix$' "accepted line names unix"
expect unixl '^< #1 recv 5 bytes' "the client's line arrived"
run_say pong
t_check "unixl: the reply reached socat" t_wait_for "$D/unixl.peer" '^pong$' 10
touch "$D/unixl.done"
run_end
t_check "unixl: the socket file is removed on exit" [ ! -e "$L" ]

# A stale socket file (nobody answers) is reused.
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$L"
t_check "stale: the file is there before" [ -S "$L" ]
run_start stale -U -l "$L"
expect stale "^\* L1 listening on $L over unix$" "a stale socket file is reused"
run_end
# A live one is refused, in one line, and left alone.
L=$D/live.sock
# (fork: our probe of the file must not end socat, which would remove it)
socat "UNIX-LISTEN:$L,fork" EXEC:cat >"$D/live.log" 2>&1 &
t_bg $!
t_until 10 test -S "$L"
timeout 10 "$S" -n -U -l "$L" </dev/null >"$D/live.out" 2>"$D/live.err"
st=$?
t_check "live: exit 1" [ "$st" -eq 1 ]
if [ "$(wc -l <"$D/live.err")" -eq 1 ] && grep -q "$L" "$D/live.err"; then
	t_pass "live: one clear line: $(cat "$D/live.err")"
else
	t_fail "live: one clear line naming the path" "$D/live.err"
fi
t_check "live: the other program's socket is left" [ -S "$L" ]

# --- Unix datagram: to socat UNIX-RECVFROM ----------------------------------
G=$D/dgram.sock
socat -u "UNIX-RECVFROM:$G" "OPEN:$D/dgram.got,creat" >"$D/dg.log" 2>&1 &
t_bg $!
t_until 10 test -S "$G" || t_fail "unixgram: socat did not bind" "$D/dg.log"
run_start unixgram -u -U "$G"
expect unixgram "^\* #1 connected to $G( from .*)? over unixgram$" "connected line names unixgram"
run_say "one datagram"
expect unixgram '^> #1 send 13 bytes$' "one datagram sent"
t_check "unixgram: socat got it" t_wait_for "$D/dgram.got" '^one datagram$' 10
run_end

# --- TLS: a CA made here; good, expired and wrong-name servers --------------
ossl() {	# ossl ARGS...: run openssl, show its output only on failure
	openssl "$@" >"$D/ossl.log" 2>&1 || { cat "$D/ossl.log"; echo "ERROR: openssl $1 failed"; exit 99; }
}
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$D/ca.key" -out "$D/ca.pem" -days 30 -subj "/CN=wire test CA"
mkdir "$D/cadb"
: >"$D/cadb/index.txt"
echo 01 >"$D/cadb/serial"
cat >"$D/ca.cnf" <<EOF
[ca]
default_ca = test
[test]
database = $D/cadb/index.txt
new_certs_dir = $D/cadb
serial = $D/cadb/serial
default_md = sha256
policy = any
unique_subject = no
[any]
commonName = supplied
[good]
subjectAltName = DNS:localhost,IP:127.0.0.1
[wrong]
subjectAltName = DNS:wrong.example
EOF
leaf() {	# leaf NAME CN EXTENSIONS START END
	ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$D/$1.key" -out "$D/$1.csr" -subj "/CN=$2"
	ossl ca -batch -config "$D/ca.cnf" -cert "$D/ca.pem" -keyfile "$D/ca.key" \
		-in "$D/$1.csr" -out "$D/$1.pem" -notext -extensions "$3" \
		-startdate "$4" -enddate "$5"
}
now=$(date -u +%s)
from=$(date -u -d "@$((now - 3600))" +%Y%m%d%H%M%SZ)
until=$(date -u -d "@$((now + 86400 * 30))" +%Y%m%d%H%M%SZ)
leaf good localhost good "$from" "$until"
leaf expired localhost good 20200101000000Z 20200201000000Z
leaf wrong wrong.example wrong "$from" "$until"
# The test CA is the "system" trust store of the programs below.
export SSL_CERT_FILE=$D/ca.pem

# srv_start NAME CERT: openssl s_server for one connection on a fresh port
# (SPORT), its input the FIFO $D/NAME.sin held open on fd 7.
srv_start() {
	SPORT=$(t_free_port)
	mkfifo "$D/$1.sin"
	exec 7<>"$D/$1.sin"
	openssl s_server -accept "127.0.0.1:$SPORT" -cert "$D/$2.pem" \
		-key "$D/$2.key" -naccept 1 <"$D/$1.sin" >"$D/$1.srv" 2>&1 \
		4>&- 7>&- &
	t_bg $!
	t_wait_port "$SPORT" || t_fail "$1: s_server did not start" "$D/$1.srv"
}

# Good: verified by name, and the summary line and JSON event.
srv_start good good
run_start good -c localhost "$SPORT"
expect good "^\* #1 connected to 127\.0\.0\.1:$SPORT from .* over tls$" "connected line names tls"
expect good '^\* #1 TLS: TLSv1\.[23] [A-Z0-9_-]+, peer CN=localhost, verify: ok$' "the handshake: version, cipher, peer, verify ok"
run_say "hello tls"
t_check "good: s_server got the plaintext" t_wait_for "$D/good.srv" '^hello tls$' 10
printf 'from server\n' >&7
expect good '^< #1 recv 12 bytes \[chunk 1\]$' "the server's plaintext is one chunk"
run_end
exec 7>&-

srv_start goodj good
run_start goodj --json -c "https://localhost:$SPORT/"
expect goodj '"event":"tls".*"version":"TLSv1\.[23]".*"subject":"CN=localhost","issuer":"CN=wire test CA".*"verify":"ok","verify_enforced":true' "https:// is TLS; JSON tls event with the fields"
expect goodj '"event":"connected".*"transport":"tls"' "JSON connected names tls"
run_end
exec 7>&-

# /connect https:// in a plain session: TLS all the same (the client
# contexts are made at that first use).
srv_start late good
run_start late
run_say "/connect https://localhost:$SPORT/"
expect late '^\* #1 TLS: TLSv1\.[23] [A-Z0-9_-]+, peer CN=localhost, verify: ok$' "/connect https:// in a TCP session is TLS, verified"
run_end
exec 7>&-

# Expired and wrong name: refused by default for a name, in words.
for bad in expired:'certificate has expired' wrong:'hostname mismatch'; do
	n=${bad%%:*} words=${bad#*:}
	srv_start "$n" "$n"
	run_start "$n" -c localhost "$SPORT"
	t_wait_pid "$RPID" 10
	t_check "$n: a name is verified: exit 1" [ "$T_STATUS" -eq 1 ]
	expect "$n" "^! #1 SSL_connect: certificate verify failed: $words" "refused: $words"
	exec 4>&- 7>&-
	# --insecure lets it through and says what is wrong.
	srv_start "${n}i" "$n"
	run_start "${n}i" --insecure -c localhost "$SPORT"
	expect "${n}i" "^\* #1 TLS: .*verify: $words \(not enforced\)$" "--insecure: through, saying '$words'"
	run_end
	exec 7>&-
done
# An address is not verified by default (said all the same).
srv_start addr wrong
run_start addr -c 127.0.0.1 "$SPORT"
expect addr '^\* #1 TLS: .*verify: .* \(not enforced\)$' "an address: not enforced by default"
run_end
exec 7>&-
srv_start addrv wrong
run_start addrv --tls-verify -c 127.0.0.1 "$SPORT"
t_wait_pid "$RPID" 10
t_check "addrv: --tls-verify enforces it for an address: exit 1" [ "$T_STATUS" -eq 1 ]
exec 4>&- 7>&-

# --- TLS server: s_client and curl ------------------------------------------
run_start tlss -c listen 127.0.0.1 "$(t_free_port)"
expect tlss 'listening on 127\.0\.0\.1:[0-9]+ over tls$' "listening line names tls"
LP=$(t_listen_port "$D/tlss.out")
mkfifo "$D/sc.in"
exec 7<>"$D/sc.in"
openssl s_client -connect "127.0.0.1:${LP:-1}" -servername localhost -quiet \
	<"$D/sc.in" >"$D/sc.out" 2>&1 4>&- 7>&- &
SCPID=$!
t_bg $SCPID
expect tlss '^\* #1 TLS: TLSv1\.[23] [A-Z0-9_-]+, SNI localhost, no client certificate$' "server side: the handshake line, the SNI got"
printf 'plain text\n' >&7
expect tlss '^< #1 recv 11 bytes \[chunk 1\]$' "s_client's line is one plaintext chunk"
run_say "to the client"
t_check "tlss: s_client got our plaintext" t_wait_for "$D/sc.out" '^to the client$' 10
# s_client ends without close_notify when killed: a truncation, said.
kill -9 "$SCPID"
wait "$SCPID" 2>/dev/null
expect tlss '^! #1 SSL_read: the peer closed without close_notify: truncated' "no close_notify: '!' truncated"
exec 7>&-
run_end

run_start tlsc -c listen 127.0.0.1 "$(t_free_port)"
t_wait_for "$D/tlsc.out" 'listening on' 10
LP=$(t_listen_port "$D/tlsc.out")
curl -sS --insecure --max-time 10 "https://localhost:${LP:-1}/x" >"$D/curl.out" 2>"$D/curl.err" &
CPID=$!
t_bg $CPID
expect tlsc '^< #1 recv [0-9]+ bytes \[chunk 1\]$' "curl's request arrives as plaintext"
t_check "tlsc: the request is readable text" t_wait_for "$D/tlsc.out" '\|GET /x HTTP/1\.1' 10
run_say "/send HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"
run_say "/shutdown"
t_wait_pid "$CPID" 10
t_check "tlsc: curl got the answer" grep -qx ok "$D/curl.out"
expect_no tlsc 'truncated' "curl ended with close_notify: no truncation"
run_end

# --- the Socket pane shows the handshake (tmux) -----------------------------
if t_have tmux; then
	srv_start pane good
	t_tmux_start 120 40 "SSL_CERT_FILE=$D/ca.pem $S -c localhost $SPORT"
	t_see "pane: the Socket pane shows the TLS version" 'tls +TLSv1\.[23] '
	t_see "pane: ... the subject" 'subject +CN=localhost'
	t_see "pane: ... the issuer" 'issuer +CN=wire test CA'
	t_see "pane: ... the verify result" 'verify +ok'
	t_see "pane: the Events line of the handshake" 'SSL_connect\([0-9]+\) = 1 +TLSv1\.[23] TLS_'
	t_keys F10
	exec 7>&-
fi

t_done
