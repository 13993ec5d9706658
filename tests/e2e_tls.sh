#!/usr/bin/env bash
# End-to-end: src/tls.c over real sockets, driven through tests/tls-peer
# against real peers on 127.0.0.1.  As a client against openssl s_server
# with certificates from a CA made here: a good one (verify ok), an expired
# one and one for another name (each verify result in words, enforced or
# not), no CA (unknown issuer), ALPN, plaintext chunks (one line per
# tls_read, with plaintext left inside OpenSSL read without waiting),
# close_notify vs truncation (s_server killed, socat closing the TCP
# connection raw) vs a reset (python3 with SO_LINGER 0).  As a server with
# its in-memory certificate for openssl s_client (SAN, self-signed, data,
# close_notify, s_client killed) and curl --insecure.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

t_need openssl socat curl python3 timeout ss
PEER=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/tls-peer
[ -x "$PEER" ] || { echo "ERROR: $PEER not built (make check builds it)"; exit 99; }
D=$T_DIR

# --- certificates: a CA, and from it a good, an expired, a wrong-name one ---
ossl() {	# ossl ARGS...: run openssl, show its output only on failure
	openssl "$@" >"$D/ossl.log" 2>&1 || { cat "$D/ossl.log"; echo "ERROR: openssl $1 failed"; exit 99; }
}
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$D/ca.key" -out "$D/ca.pem" -days 30 -subj "/CN=sockscope test CA"
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
leaf good localhost good "$(date -u -d "@$((now - 3600))" +%Y%m%d%H%M%SZ)" \
	"$(date -u -d "@$((now + 86400 * 30))" +%Y%m%d%H%M%SZ)"
leaf expired localhost good 20200101000000Z 20200201000000Z
leaf wrong wrong.example wrong "$(date -u -d "@$((now - 3600))" +%Y%m%d%H%M%SZ)" \
	"$(date -u -d "@$((now + 86400 * 30))" +%Y%m%d%H%M%SZ)"

# --- helpers ----------------------------------------------------------------

# srv_start NAME CERT [ARGS...]: openssl s_server for one connection on a
# fresh port (SPORT, pid SPID); its standard input is the FIFO $D/NAME.sin,
# held open on fd 7 (write to it with >&7).
srv_start() {
	name=$1 cert=$2
	shift 2
	SPORT=$(t_free_port)
	mkfifo "$D/$name.sin"
	exec 7<>"$D/$name.sin"
	openssl s_server -accept "127.0.0.1:$SPORT" -cert "$D/$cert.pem" \
		-key "$D/$cert.key" -naccept 1 "$@" \
		<"$D/$name.sin" >"$D/$name.srv" 2>&1 7>&- 8>&- &
	SPID=$!
	t_bg $SPID
	t_wait_port "$SPORT" || t_fail "$name: s_server did not start" "$D/$name.srv"
}

# peer_start NAME ARGS...: tls-peer in the background (pid PPID_), its
# standard input the FIFO $D/NAME.pin held open on fd 8, output $D/NAME.out.
peer_start() {
	name=$1
	shift
	mkfifo "$D/$name.pin"
	exec 8<>"$D/$name.pin"
	timeout 20 "$PEER" "$@" <"$D/$name.pin" >"$D/$name.out" 2>&1 7>&- 8>&- &
	PPID_=$!
	t_bg $PPID_
}

# has NAME REGEX: the tls-peer output of NAME has a line matching REGEX.
has() {
	grep -Eq -- "$2" "$D/$1.out"
}

# expect NAME REGEX [DESCRIPTION]: wait (10 s at most) for a line of NAME's
# tls-peer output, then pass or fail.
expect() {
	if t_wait_for "$D/$1.out" "$2" 10; then
		t_pass "$1: ${3:-$2}"
	else
		t_fail "$1: ${3:-$2}" "$D/$1.out"
	fi
}

# run_client NAME EXPECTED-STATUS ARGS...: tls-peer connect with no input
# (close_notify right after the handshake), waited for.
run_client() {
	name=$1 want=$2
	shift 2
	timeout 20 "$PEER" connect "$@" </dev/null >"$D/$name.out" 2>&1 7>&- 8>&-
	st=$?
	if [ "$st" -eq "$want" ]; then
		t_pass "$name: exit $st"
	else
		t_fail "$name: exit $st, not $want" "$D/$name.out"
	fi
}

# --- client, good certificate: verify ok, chunks, close_notify both ways ----
srv_start good good
# -b 5: the 12-byte record from s_server comes as 5 + 5 + 2, the last two
# reads from plaintext OpenSSL already holds (poll() does not see it).
peer_start good connect 127.0.0.1 "$SPORT" --verify --ca "$D/ca.pem" -b 5
expect good '^HANDSHAKE ok$'
expect good '^version TLSv1\.3$'
expect good '^verify ok$'
expect good '^sni -$' "an address is checked, not sent as SNI"
expect good '^subject CN=localhost$'
expect good '^issuer CN=sockscope test CA$'
expect good '^san DNS:localhost, IP:127\.0\.0\.1$'
expect good '^not_after [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} UTC$'
expect good '^summary TLSv1\.3 TLS_[A-Z0-9_]+, peer CN=localhost, verify: ok$'
printf 'hello from the client\n' >&8
if t_wait_for "$D/good.srv" '^hello from the client$' 10; then
	t_pass "good: plaintext reached s_server"
else
	t_fail "good: plaintext reached s_server" "$D/good.srv"
fi
printf 'from server\n' >&7
expect good '^read 2 "r\\n"$' "one record read as 5 + 5 + 2 bytes"
t_check "good: the chunks in order" [ "$(grep '^read' "$D/good.out" | tr '\n' '|')" = \
	'read 5 "from "|read 5 "serve"|read 2 "r\n"|' ]
exec 8>&-	# end of input: tls-peer sends close_notify, s_server answers
expect good '^EOF clean$' "s_server's close_notify is a clean EOF"
t_check "good: no truncation" sh -c "! grep -q truncated '$D/good.out'"
t_wait_pid "$PPID_" 10
t_check "good: tls-peer exit 0" [ "$T_STATUS" -eq 0 ]
t_check "good: s_server saw our close_notify first" grep -q '^DONE$' "$D/good.srv"
exec 7>&-

# --- by name, ALPN ----------------------------------------------------------
srv_start alpn good -alpn http/1.1
run_client alpn 0 localhost "$SPORT" --verify --ca "$D/ca.pem" --alpn h2,http/1.1
expect alpn '^verify ok$' "a name checked against DNS:localhost: verify ok"
expect alpn '^sni localhost$'
expect alpn '^alpn http/1\.1$' "ALPN agreed"
expect alpn ', ALPN http/1\.1, peer CN=localhost, verify: ok$' "summary names ALPN"
expect alpn '^EOF clean$'
exec 7>&-

# --- expired: enforced, then not --------------------------------------------
srv_start expired expired
run_client expired 1 127.0.0.1 "$SPORT" --verify --ca "$D/ca.pem"
expect expired '^HANDSHAKE failed: certificate verify failed: certificate has expired$'
expect expired '^verify certificate has expired$'
expect expired '^summary TLSv1\.3 TLS_[A-Z0-9_]+, peer CN=localhost, verify: certificate has expired$' "enforced: no '(not enforced)'"
expect expired '^not_after 2020-02-01 00:00:00 UTC$'
exec 7>&-
srv_start expired2 expired
run_client expired2 0 127.0.0.1 "$SPORT" --ca "$D/ca.pem"
expect expired2 '^HANDSHAKE ok$' "verification off: the handshake goes on"
expect expired2 'verify: certificate has expired \(not enforced\)$'
exec 7>&-

# --- wrong name, no CA ------------------------------------------------------
srv_start wrong wrong
run_client wrong 1 localhost "$SPORT" --verify --ca "$D/ca.pem"
expect wrong '^HANDSHAKE failed: certificate verify failed: hostname mismatch$'
expect wrong '^verify hostname mismatch$'
expect wrong '^subject CN=wrong\.example$'
exec 7>&-
srv_start wrongip wrong
run_client wrongip 1 127.0.0.1 "$SPORT" --verify --ca "$D/ca.pem"
expect wrongip '^verify IP address mismatch$'
exec 7>&-
srv_start noca good
run_client noca 1 127.0.0.1 "$SPORT" --verify
expect noca '^HANDSHAKE failed: certificate verify failed: unable to get local issuer certificate$'
exec 7>&-

# --- truncation: s_server killed after a chunk ------------------------------
srv_start killed good
peer_start killed connect 127.0.0.1 "$SPORT" --keep-open
expect killed '^HANDSHAKE ok$'
printf 'last words\n' >&7
expect killed '^read 11 "last words\\n"$'
{ kill -9 "$SPID"; wait "$SPID"; } 2>/dev/null
expect killed '^EOF truncated$' "s_server killed: EOF truncated"
t_check "killed: not called clean" sh -c "! grep -q 'EOF clean' '$D/killed.out'"
exec 7>&- 8>&-

# --- truncation: socat between us closes the TCP connection raw -------------
srv_start raw good
RPORT=$(t_free_port)
socat "TCP-LISTEN:$RPORT,bind=127.0.0.1,reuseaddr" "TCP:127.0.0.1:$SPORT" 7>&- 8>&- &
RPID=$!
t_bg $RPID
t_wait_port "$RPORT" || t_fail "raw: socat did not start"
peer_start raw connect 127.0.0.1 "$RPORT" --keep-open
expect raw '^HANDSHAKE ok$'
printf 'through socat\n' >&7
expect raw '^read 14 "through socat\\n"$'
kill "$RPID"
expect raw '^EOF truncated$' "socat closed the TCP connection: EOF truncated"
exec 7>&- 8>&-

# --- reset: a python3 TLS server that resets the connection -----------------
RSPORT=$(t_free_port)
python3 - "$RSPORT" "$D/good.pem" "$D/good.key" >"$D/reset.py.out" 2>&1 7>&- 8>&- <<'EOF' &
import socket, ssl, struct, sys
port, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(1)
c, _ = s.accept()
t = ctx.wrap_socket(c, server_side=True)
t.recv(100)                     # wait for the client's line
t.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
t.close()                       # RST, no close_notify
EOF
t_bg $!
t_wait_port "$RSPORT" || t_fail "reset: python3 server did not start" "$D/reset.py.out"
peer_start reset connect 127.0.0.1 "$RSPORT" --keep-open
expect reset '^HANDSHAKE ok$'
printf 'x\n' >&8
expect reset '^ERROR Connection reset by peer \(ECONNRESET\)$' "a reset is an error, not an EOF"
t_check "reset: neither clean nor truncated" sh -c "! grep -q '^EOF' '$D/reset.out'"
exec 8>&-

# --- server for openssl s_client: in-memory certificate, data, close_notify --
peer_start sclient listen 0 --keep-open
expect sclient '^cert san DNS:localhost, IP:127\.0\.0\.1$'
expect sclient '^LISTENING 127\.0\.0\.1:[0-9]+$'
LPORT=$(sed -n 's/^LISTENING 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$D/sclient.out")
printf 'hello tls\n' | timeout 10 openssl s_client -connect "127.0.0.1:$LPORT" \
	-servername localhost -showcerts >"$D/sclient.sc" 2>&1 7>&- 8>&-
t_check "s_client: exit 0" [ $? -eq 0 ]
t_check "s_client: self-signed certificate" grep -q 'Verify return code: 18 (self-signed certificate)' "$D/sclient.sc"
sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p' "$D/sclient.sc" >"$D/sclient.pem"
openssl x509 -in "$D/sclient.pem" -noout -ext subjectAltName -dates >"$D/sclient.x509" 2>&1
t_check "s_client: SAN DNS:localhost, IP:127.0.0.1" grep -q 'DNS:localhost, IP Address:127.0.0.1' "$D/sclient.x509"
nb=$(date -u -d "$(sed -n 's/^notBefore=//p' "$D/sclient.x509")" +%s)
na=$(date -u -d "$(sed -n 's/^notAfter=//p' "$D/sclient.x509")" +%s)
age=$((nb - now + 3600)) span=$((na - nb - 30 * 86400 - 3600))
t_check "s_client: valid from an hour ago for 30 days" \
	[ "$age" -ge -2 -a "$age" -le 60 -a "$span" -ge -2 -a "$span" -le 2 ]
expect sclient '^ACCEPT 127\.0\.0\.1:[0-9]+$'
expect sclient '^sni localhost$'
expect sclient '^read 10 "hello tls\\n"$'
expect sclient '^EOF clean$' "s_client's close_notify is a clean EOF"
exec 8>&-

# --- server: s_client killed is a truncation --------------------------------
peer_start sckill listen 0 --keep-open
expect sckill '^LISTENING 127\.0\.0\.1:[0-9]+$'
LPORT=$(sed -n 's/^LISTENING 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$D/sckill.out")
mkfifo "$D/sckill.scin"
exec 9<>"$D/sckill.scin"
openssl s_client -connect "127.0.0.1:$LPORT" <"$D/sckill.scin" >"$D/sckill.sc" 2>&1 7>&- 8>&- 9>&- &
SCPID=$!
t_bg $SCPID
printf 'then killed\n' >&9
expect sckill '^read 12 "then killed\\n"$'
{ kill -9 "$SCPID"; wait "$SCPID"; } 2>/dev/null
expect sckill '^EOF truncated$' "s_client killed: EOF truncated"
exec 8>&- 9>&-

# --- server for curl --insecure: request in, response out, ALPN -------------
peer_start curl listen 0 --alpn http/1.1
expect curl '^LISTENING 127\.0\.0\.1:[0-9]+$'
LPORT=$(sed -n 's/^LISTENING 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$D/curl.out")
printf 'HTTP/1.1 200 OK\r\nContent-Length: 12\r\nConnection: close\r\n\r\nhello curl\r\n' >&8
exec 8>&-
timeout 10 curl -sS --insecure "https://127.0.0.1:$LPORT/tls-path" -o "$D/curl.body" 7>&- 2>"$D/curl.err"
t_check "curl: exit 0" [ $? -eq 0 ]
t_check "curl: got the body" grep -q '^hello curl' "$D/curl.body"
expect curl '^alpn http/1\.1$'
expect curl '^read [0-9]+ "GET /tls-path HTTP/1\.1\\r\\nHost: 127\.0\.0\.1:[0-9]+\\r\\n' "the request as plaintext"
expect curl '^DONE$'

# --- bulk: 15 MiB from our server to our client, partial writes and all ---
seq 1 2000000 >"$D/bulk.in"
timeout 30 "$PEER" listen 0 <"$D/bulk.in" >"$D/bulk.out" 2>&1 7>&- 8>&- &
t_bg $!
expect bulk '^LISTENING 127\.0\.0\.1:[0-9]+$'
LPORT=$(sed -n 's/^LISTENING 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$D/bulk.out")
timeout 30 "$PEER" connect 127.0.0.1 "$LPORT" --keep-open </dev/null >"$D/bulkc.out" 2>&1 7>&- 8>&-
t_check "bulk: client exit 0" [ $? -eq 0 ]
expect bulkc '^EOF clean$'
sed -n 's/^read [0-9]* "\(.*\)"$/\1/p' "$D/bulkc.out" | tr -d '\n' | sed 's/\\n/\n/g' >"$D/bulk.got"
t_check "bulk: every byte arrived, in order" cmp -s "$D/bulk.in" "$D/bulk.got"
t_check "bulk: the byte counts add up" [ "$(awk '/^read /{n+=$2} END{print n}' "$D/bulkc.out")" -eq "$(wc -c <"$D/bulk.in")" ]

# --- server with --cert/--key: our client verifies it; a mismatched pair ----
peer_start files listen 0 --cert "$D/good.pem" --key "$D/good.key"
expect files '^LISTENING 127\.0\.0\.1:[0-9]+$'
LPORT=$(sed -n 's/^LISTENING 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$D/files.out")
exec 8>&-
run_client filesc 0 localhost "$LPORT" --verify --ca "$D/ca.pem"
expect filesc '^summary TLSv1\.3 TLS_[A-Z0-9_]+, peer CN=localhost, verify: ok$' "tls-peer to tls-peer, verified"
expect filesc '^EOF clean$'
expect files '^sni localhost$'
timeout 10 "$PEER" listen 0 --cert "$D/good.pem" --key "$D/wrong.key" </dev/null >"$D/mismatch.out" 2>&1
t_check "mismatch: exit 1" [ $? -eq 1 ]
t_check "mismatch: one clear line" grep -qx "ERROR key $D/wrong.key does not match certificate $D/good.pem" "$D/mismatch.out"

t_done
