#!/usr/bin/env bash
# End-to-end tests of the engine's transports (UDP, Unix stream and
# datagram), its call record against strace, and the engine's share of
# issue 10, with real peers (socat, python3) on 127.0.0.1 and in the
# scratch folder.  The transports are driven through tests/net_driver (the
# engine alone, commands on standard input) until the command line has -u
# and -U; the record and the fault cases also run the real program.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

t_need socat timeout ss python3

S=$SOCKSCOPE
D=$T_DIR
# A program that died must fail its checks, not end this script: writing
# to its input FIFO then fails instead of killing us.
trap '' PIPE
DRV=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/net_driver
[ -x "$DRV" ] || { echo "SKIP: $DRV not built"; exit 77; }

# Start the driver NAME with ARGS, its input a FIFO held open on fd 3.
drv_start() {
	name=$1
	shift
	rm -f "$D/$name.in"
	mkfifo "$D/$name.in"
	"$DRV" "$@" <"$D/$name.in" >"$D/$name.out" 2>&1 &
	DRV_PID=$!
	t_bg "$DRV_PID"
	exec 3>"$D/$name.in"
}

# One line to the running driver.
drv_say() {
	printf '%s\n' "$1" >&3
}

# End the driver: /quit, close its input, wait for it.
drv_end() {
	drv_say /quit
	exec 3>&-
	t_wait_pid "$DRV_PID" 10
}

# Wait until something is bound to UDP 127.0.0.1:PORT.
wait_udp() {
	end=$(( $(date +%s%N) / 1000000 + 10000 ))
	while [ "$(( $(date +%s%N) / 1000000 ))" -lt "$end" ]; do
		ss -Hlun "sport = :$1" 2>/dev/null | grep -q . && return 0
		sleep 0.05
	done
	return 1
}

# Wait until the Unix socket file PATH exists.
wait_sock() {
	end=$(( $(date +%s%N) / 1000000 + 10000 ))
	while [ "$(( $(date +%s%N) / 1000000 ))" -lt "$end" ]; do
		[ -S "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# --- UDP client: each datagram is one chunk, with its size ------------------
P=$(t_free_port)
socat "UDP-RECVFROM:$P,bind=127.0.0.1,fork" PIPE >/dev/null 2>&1 &
t_bg $!
wait_udp "$P" || t_fail "udp: socat echo did not start"
drv_start udp connect udp 127.0.0.1 "$P"
t_wait_for "$D/udp.out" '^\* #1 connected' 5
drv_say hello
t_wait_for "$D/udp.out" 'recv 6 bytes \[chunk 1\]' 5
drv_say 'second datagram'
t_wait_for "$D/udp.out" 'recv 16 bytes \[chunk 2\]' 5
drv_end
t_check "udp: connected to the echo" grep -q "^\* #1 connected to 127.0.0.1:$P from 127.0.0.1:" "$D/udp.out"
t_check "udp: first datagram, one chunk of 6" grep -q '^< #1 recv 6 bytes \[chunk 1\]$' "$D/udp.out"
t_check "udp: second datagram, one chunk of 16" grep -q '^< #1 recv 16 bytes \[chunk 2\]$' "$D/udp.out"

# --- UDP listener: two peers, two connections, replies to the right one -----
drv_start ul -b 8 listen udp 127.0.0.1 0
t_wait_for "$D/ul.out" 'listening on' 5
P=$(t_listen_port "$D/ul.out")
mkfifo "$D/c1.in" "$D/c2.in"
socat -T 20 - "UDP:127.0.0.1:$P" <"$D/c1.in" >"$D/c1.out" 2>&1 &
t_bg $!
exec 5>"$D/c1.in"
socat -T 20 - "UDP:127.0.0.1:$P" <"$D/c2.in" >"$D/c2.out" 2>&1 &
t_bg $!
exec 6>"$D/c2.in"
printf 'one\n' >&5
t_wait_for "$D/ul.out" '^\* #1 accepted' 5
printf 'two\n' >&6
t_wait_for "$D/ul.out" '^\* #2 accepted' 5
drv_say '#2 to-two'
drv_say '#1 to-one'
t_wait_for "$D/c2.out" 'to-two' 5
t_wait_for "$D/c1.out" 'to-one' 5
# 17 bytes against a recv size of 8: shown cut, with the true length.
printf '0123456789abcdef\n' >&6
t_wait_for "$D/ul.out" 'datagram of 17 bytes' 5
drv_say /stats
t_wait_for "$D/ul.out" '^open ' 5
drv_end
exec 5>&- 6>&-
t_check "udp listen: first peer is #1" grep -Eq '^\* #1 accepted from 127\.0\.0\.1:[0-9]+ on L1 over udp$' "$D/ul.out"
t_check "udp listen: second peer is #2" grep -Eq '^\* #2 accepted from 127\.0\.0\.1:[0-9]+ on L1 over udp$' "$D/ul.out"
t_check "udp listen: #1 got its datagram" grep -q '^< #1 recv 4 bytes \[chunk 1\]$' "$D/ul.out"
t_check "udp listen: the reply to #2 reached the second peer only" sh -c "grep -q to-two '$D/c2.out' && ! grep -q to-two '$D/c1.out'"
t_check "udp listen: the reply to #1 reached the first peer only" sh -c "grep -q to-one '$D/c1.out' && ! grep -q to-one '$D/c2.out'"
t_check "udp listen: oversize datagram cut to 8" grep -q '^< #2 recv 8 bytes \[chunk 2\]$' "$D/ul.out"
t_check "udp listen: its true length said (MSG_TRUNC)" grep -q 'datagram of 17 bytes: only the first 8 kept (MSG_TRUNC)' "$D/ul.out"
t_check "udp listen: two connections, still open" grep -q '^open 2 listeners 1 ' "$D/ul.out"

# --- UDP to a closed port: ICMP unreachable comes back as ECONNREFUSED ----
P=$(t_free_port)
while ss -Hlun "sport = :$P" | grep -q .; do P=$(t_free_port); done
drv_start refused connect udp 127.0.0.1 "$P"
t_wait_for "$D/refused.out" '^\* #1 connected' 5
drv_say first
t_wait_for "$D/refused.out" 'send 6 bytes' 5
drv_say second
t_wait_for "$D/refused.out" 'ECONNREFUSED' 5
drv_say /stats
t_wait_for "$D/refused.out" '^open ' 5
drv_end
t_check "udp refused: ECONNREFUSED is shown" grep -Eq '^! #1 (recv|send).*Connection refused \(ECONNREFUSED\)$' "$D/refused.out"
t_check "udp refused: the socket stays open" grep -q '^open 1 ' "$D/refused.out"

# --- Unix stream client against socat UNIX-LISTEN ---------------------------
U=$D/stream.sock
socat "UNIX-LISTEN:$U,fork" PIPE >/dev/null 2>&1 &
t_bg $!
wait_sock "$U" || t_fail "unix: socat did not start"
drv_start us connect unix "$U"
t_wait_for "$D/us.out" '^\* #1 connected' 5
drv_say over-unix
t_wait_for "$D/us.out" 'recv 10 bytes' 5
drv_say /shutdown
t_wait_for "$D/us.out" 'closed' 5
drv_end
t_check "unix: the path is shown as given" grep -q "^\* #1 connected to $U from " "$D/us.out"
t_check "unix: echo received" grep -q '^< #1 recv 10 bytes \[chunk 1\]$' "$D/us.out"
t_check "unix: EOF after our shutdown" grep -q '^< #1 recv 0 bytes: EOF' "$D/us.out"

# --- Unix datagram client against socat UNIX-RECVFROM -----------------------
U=$D/dgram.sock
socat "UNIX-RECVFROM:$U,fork" PIPE >/dev/null 2>&1 &
t_bg $!
wait_sock "$U" || t_fail "unixgram: socat did not start"
drv_start ud connect unixgram "$U"
t_wait_for "$D/ud.out" '^\* #1 connected' 5
drv_say dgram-one
t_wait_for "$D/ud.out" 'recv 10 bytes' 5
drv_end
t_check "unixgram: the answer came back as one chunk" grep -q '^< #1 recv 10 bytes \[chunk 1\]$' "$D/ud.out"

# --- Unix listener: a client, a live path refused, the file removed ---------
U=$D/listen.sock
drv_start ulis listen unix "$U"
t_wait_for "$D/ulis.out" 'listening on' 5
printf 'from-client\n' | socat -t 5 - "UNIX-CONNECT:$U" >"$D/ucli.out" 2>&1
t_wait_for "$D/ulis.out" 'recv 12 bytes' 5
"$DRV" listen unix "$U" </dev/null >"$D/live.out" 2>&1
st=$?
drv_end
t_check "unix listen: listening on the path as given" grep -q "^\* L1 listening on $U over unix\$" "$D/ulis.out"
t_check "unix listen: the client's bytes" grep -q '^< #1 recv 12 bytes \[chunk 1\]$' "$D/ulis.out"
t_check "unix listen: a live socket file is refused" [ "$st" -ne 0 ]
t_check "unix listen: ... with one clear line" grep -q "^! $U is already in use\$" "$D/live.out"
t_check "unix listen: the file is removed on exit" [ ! -e "$U" ]

# A stale socket file (its owner killed) is reused.
U=$D/stale.sock
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$U"
t_check "stale: the file is there before" [ -S "$U" ]
drv_start stale listen unix "$U"
t_wait_for "$D/stale.out" 'listening on|!' 5
drv_end
t_check "stale: a stale socket file is reused" grep -q "^\* L1 listening on $U over unix\$" "$D/stale.out"
# A file that is not a socket is never removed.
U=$D/plain.file
echo keep >"$U"
"$DRV" listen unix "$U" </dev/null >"$D/plain.out" 2>&1
t_check "not a socket: refused" [ $? -ne 0 ]
t_check "not a socket: left alone" grep -qx keep "$U"

# Unix datagram listener: a peer that has a name gets the reply.
U=$D/dlisten.sock
drv_start udl listen unixgram "$U"
t_wait_for "$D/udl.out" 'listening on' 5
mkfifo "$D/uc.in"
socat -T 20 - "UNIX-SENDTO:$U,bind=$D/client.sock" <"$D/uc.in" >"$D/uc.out" 2>&1 &
t_bg $!
exec 5>"$D/uc.in"
printf 'hi-from-dgram\n' >&5
t_wait_for "$D/udl.out" '^\* #1 accepted' 5
drv_say 'back-to-you'
t_wait_for "$D/uc.out" 'back-to-you' 5
drv_end
exec 5>&-
t_check "unixgram listen: the peer is #1 by its path" grep -q "^\* #1 accepted from $D/client.sock on L1 over unixgram\$" "$D/udl.out"
t_check "unixgram listen: the reply reached it" grep -q 'back-to-you' "$D/uc.out"
t_check "unixgram listen: the file is removed on exit" [ ! -e "$U" ]

# --- timers exist only while due; closed connections are freed --------------
P=$(t_free_port)
socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr,fork" PIPE >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P"
drv_start timers connect tcp 127.0.0.1 "$P"
t_wait_for "$D/timers.out" '^\* #1 connected' 5
drv_say /stats
t_wait_for "$D/timers.out" '^open ' 5
drv_say /close
drv_say "/connect tcp 127.0.0.1 $P"
t_wait_for "$D/timers.out" '^\* #2 connected' 5
drv_say '#1 too late'
drv_say /close
drv_say /stats
t_wait_for "$D/timers.out" '^open 0' 5
drv_end
t_check "timers: none once connected" grep -q '^open 1 listeners 0 timers 0 ids 1$' "$D/timers.out"
t_check "freed: a closed id says so" grep -q '^refused: #1 is already CLOSED$' "$D/timers.out"
t_check "freed: ids never repeat" grep -q '^open 0 listeners 0 timers 0 ids 2$' "$D/timers.out"
t_check "freed: a closed connection still says its transport" grep -q '^#2 tcp$' "$D/timers.out"
t_check "udp: the transport is named" grep -q '^#2 udp$' "$D/ul.out"

# --- the records, narrated (sysrec.c) as the engine makes them ----------------
P=$(t_free_port)
socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr" PIPE >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P"
drv_start narr -R connect tcp 127.0.0.1 "$P"
t_wait_for "$D/narr.out" '^\* #1 connected' 5
drv_say hi
t_wait_for "$D/narr.out" '^rec recv' 5
drv_say /close
t_wait_for "$D/narr.out" '^rec close' 5
drv_end
t_check "narrated: socket()" grep -Eq '^rec socket\(AF_INET, SOCK_STREAM\|SOCK_NONBLOCK\|SOCK_CLOEXEC, IPPROTO_TCP\) = [0-9]+$' "$D/narr.out"
t_check "narrated: connect() in progress" grep -Eq '^rec connect\([0-9]+, 127\.0\.0\.1:'"$P"'\) = -1 EINPROGRESS' "$D/narr.out"
t_check "narrated: getsockopt(SO_ERROR) completes it" grep -Eq '^rec getsockopt\([0-9]+, SOL_SOCKET, SO_ERROR, \[0\]\) = 0  connected to 127\.0\.0\.1:'"$P"'$' "$D/narr.out"
t_check "narrated: recv() with its bytes" grep -Eq '^rec recv\([0-9]+, 4096\) = 3  "hi\\n"$' "$D/narr.out"
t_check "narrated: close()" grep -Eq '^rec close\([0-9]+\) = 0$' "$D/narr.out"

# --- the call record matches what strace sees -------------------------------
CMP=${top_srcdir}/tests/strace-compare.py
# LeakSanitizer cannot run under ptrace: no leak check in the traced runs.
ST_ASAN="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
if command -v strace >/dev/null && strace -qq -o /dev/null true 2>/dev/null; then
	# listen, accept, recv, EOF, close.
	P=$(t_free_port)
	ASAN_OPTIONS=$ST_ASAN SOCKSCOPE_RECORD_FILE=$D/rl.rec timeout --foreground 30 strace -f -qq \
	    -e trace=network,close -o "$D/rl.strace" "$S" -n -l 127.0.0.1 "$P" \
	    </dev/null >"$D/rl.out" 2>&1 &
	t_bg $!
	RL=$!
	t_wait_port "$P" 20
	printf 'hello\n' | socat -t 5 - "TCP:127.0.0.1:$P" >/dev/null 2>&1
	t_wait_pid "$RL" 20
	t_check "record: the listen session ran" grep -q '^< #1 recv 0 bytes: EOF' "$D/rl.out"
	if python3 "$CMP" "$D/rl.rec" "$D/rl.strace" >"$D/rl.cmp"; then
		t_pass "record: listen/accept/recv/EOF/close match strace"
	else
		t_fail "record: listen/accept/recv/EOF/close match strace" "$D/rl.cmp"
	fi
	t_check "record: accept4 and the EOF recv are in it" sh -c "grep -q '^accept4 ' '$D/rl.rec' && grep -q '^recv [0-9]* 0 0\$' '$D/rl.rec'"

	# connect (EINPROGRESS, then getsockopt(SO_ERROR)), send, recv.
	P=$(t_free_port)
	socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr" PIPE >/dev/null 2>&1 &
	t_bg $!
	t_wait_port "$P"
	printf 'hello\n' | ASAN_OPTIONS=$ST_ASAN SOCKSCOPE_RECORD_FILE=$D/rc.rec timeout --foreground 30 \
	    strace -f -qq -e trace=network,close -o "$D/rc.strace" \
	    "$S" -n 127.0.0.1 "$P" >"$D/rc.out" 2>&1
	if python3 "$CMP" "$D/rc.rec" "$D/rc.strace" >"$D/rc.cmp"; then
		t_pass "record: connect/send/recv/close match strace"
	else
		t_fail "record: connect/send/recv/close match strace" "$D/rc.cmp"
	fi
	t_check "record: the connect completes with getsockopt(SO_ERROR)" grep -q '^getsockopt ' "$D/rc.rec"

	# A refused connect.
	P=$(t_free_port)
	ASAN_OPTIONS=$ST_ASAN SOCKSCOPE_RECORD_FILE=$D/rr.rec timeout --foreground 30 strace -f -qq \
	    -e trace=network,close -o "$D/rr.strace" "$S" -n 127.0.0.1 "$P" \
	    </dev/null >"$D/rr.out" 2>&1
	if python3 "$CMP" "$D/rr.rec" "$D/rr.strace" >"$D/rr.cmp"; then
		t_pass "record: a refused connect matches strace"
	else
		t_fail "record: a refused connect matches strace" "$D/rr.cmp"
	fi
	# The comparison itself can fail: one call left out is caught.
	sed '2d' "$D/rc.rec" >"$D/bad.rec"
	t_check "record: a missing call is caught" sh -c "! python3 '$CMP' '$D/bad.rec' '$D/rc.strace' >/dev/null"
else
	echo "# strace cannot trace here: record comparison skipped"
fi

# Name lookups are off the loop for /listen too: the commands after it run
# before its result arrives (both lines reach the engine in one read).
drv_start lk listen tcp 127.0.0.1 0
t_wait_for "$D/lk.out" 'listening on' 5
# (bash writes each line of its printf on its own: one write, by env printf)
env printf '/listen tcp localhost 0\n/stats\n' >&3
t_wait_for "$D/lk.out" '^\* L2 listening' 10
# /close while the name is looked up: cancelled, said, and nothing after.
env printf '/connect tcp localhost 1\n/close 1\n' >&3
t_wait_for "$D/lk.out" 'cancelled' 10
drv_say '/connect tcp 127.0.0.1 1'
t_wait_for "$D/lk.out" '#2 connect' 10
drv_end
t_check "/listen NAME: resolved off the loop (stats came first)" sh -c "grep -n -e '^open ' -e '^\* L2 listening' '$D/lk.out' | head -1 | grep -q ':open 0 listeners 2 '"
t_check "/listen NAME: then it listens" grep -Eq '^\* L2 listening on (127\.0\.0\.1|\[::1\]):[0-9]+$' "$D/lk.out"
t_check "/close during a lookup: said" grep -q '^! #1 getaddrinfo: the name lookup for #1 was cancelled' "$D/lk.out"
t_check "/close during a lookup: no connect follows" sh -c "! grep -q '^\* #1 connecting' '$D/lk.out'"

# --- TLS over TCP: client against openssl s_server, server for s_client --------
if command -v openssl >/dev/null; then
	ossl() {	# ossl ARGS...: openssl, its output shown only on failure
		openssl "$@" >"$D/ossl.log" 2>&1 || { cat "$D/ossl.log"; t_fail "openssl $1"; }
	}
	ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$D/ca.key" -out "$D/ca.pem" -days 30 -subj "/CN=engine test CA"
	for leaf in good:DNS:localhost,IP:127.0.0.1 wrong:DNS:wrong.example; do
		n=${leaf%%:*}
		printf 'subjectAltName = %s\n' "${leaf#*:}" >"$D/$n.ext"
		ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout "$D/$n.key" -out "$D/$n.csr" -subj "/CN=$n"
		ossl x509 -req -in "$D/$n.csr" -CA "$D/ca.pem" -CAkey "$D/ca.key" \
			-CAcreateserial -days 30 -extfile "$D/$n.ext" -out "$D/$n.pem"
	done
	# srv NAME CERT: openssl s_server for one client, input on fd 6.
	srv() {
		SPORT=$(t_free_port)
		rm -f "$D/$1.sin"
		mkfifo "$D/$1.sin"
		openssl s_server -accept "127.0.0.1:$SPORT" -cert "$D/$2.pem" \
			-key "$D/$2.key" -naccept 1 -quiet <"$D/$1.sin" >"$D/$1.srv" 2>&1 3>&- &
		SPID=$!
		t_bg $SPID
		exec 6>"$D/$1.sin"
		t_wait_port "$SPORT" || t_fail "$1: s_server did not start"
	}

	# Client, a certificate from our CA for localhost: verified, chunks
	# both ways, then the server gone without close_notify.
	srv tgood good
	SOCKSCOPE_RECORD_FILE=$D/tgood.rec drv_start tgood -V -A "$D/ca.pem" connect tls localhost "$SPORT"
	t_wait_for "$D/tgood.out" '^\* #1 connected' 10
	drv_say ping
	t_wait_for "$D/tgood.srv" '^ping' 10
	printf 'pong!\n' >&6
	t_wait_for "$D/tgood.out" 'recv 6 bytes' 10
	drv_say /tls
	t_wait_for "$D/tgood.out" '^tls ' 10
	exec 6>&-
	kill "$SPID" 2>/dev/null
	t_wait_for "$D/tgood.out" 'closed|truncated' 10
	drv_end
	t_check "tls client: the plaintext reached s_server" grep -qx ping "$D/tgood.srv"
	t_check "tls client: s_server's reply is a plaintext chunk" grep -q '^< #1 recv 6 bytes \[chunk 1\]$' "$D/tgood.out"
	t_check "tls client: the handshake in words, verified" grep -Eq '^tls TLSv1\.[23] .*peer CN=good, verify: ok$' "$D/tgood.out"
	t_check "tls client: no close_notify is called a truncation" grep -q 'the peer closed without close_notify: truncated' "$D/tgood.out"
	t_check "tls client: the record has the handshake" grep -q '^SSL_connect ' "$D/tgood.rec"
	t_check "tls client: ... and the plaintext reads" grep -q '^SSL_read [0-9]* 6 ' "$D/tgood.rec"

	# A certificate for another name: refused, in words, and closed.
	srv twrong wrong
	drv_start twrong -V -A "$D/ca.pem" connect tls localhost "$SPORT"
	t_wait_for "$D/twrong.out" 'SSL_connect|closed' 10
	t_wait_for "$D/twrong.out" 'closed' 10
	drv_end
	exec 6>&-
	t_check "tls client: a wrong name is refused in words" grep -Eq '^! #1 SSL_connect: .*(hostname mismatch|verify failed)' "$D/twrong.out"
	t_check "tls client: ... and the connection closed" grep -q '^\* #1 closed' "$D/twrong.out"

	# Server, its throw-away certificate, for openssl s_client.
	drv_start tsrv listen tls 127.0.0.1 0
	t_wait_for "$D/tsrv.out" 'listening on' 5
	P=$(t_listen_port "$D/tsrv.out")
	mkfifo "$D/tcl.in"
	openssl s_client -connect "127.0.0.1:$P" -quiet -no_ign_eof <"$D/tcl.in" >"$D/tcl.out" 2>&1 &
	TCL=$!
	t_bg $TCL
	exec 5>"$D/tcl.in"
	printf 'hello server\n' >&5
	t_wait_for "$D/tsrv.out" 'recv 13 bytes' 10
	drv_say 'hello client'
	t_wait_for "$D/tcl.out" 'hello client' 10
	exec 5>&-	# s_client ends with close_notify
	t_wait_for "$D/tsrv.out" 'recv 0 bytes: EOF' 10
	# A second client killed: no close_notify.
	mkfifo "$D/tcl2.in"
	openssl s_client -connect "127.0.0.1:$P" -quiet <"$D/tcl2.in" >/dev/null 2>&1 &
	TCL2=$!
	t_bg $TCL2
	exec 5>"$D/tcl2.in"
	printf 'bye\n' >&5
	t_wait_for "$D/tsrv.out" '^< #2 recv 4 bytes' 10
	{ kill -9 "$TCL2"; wait "$TCL2"; } 2>/dev/null
	t_wait_for "$D/tsrv.out" '#2 .*truncated' 10
	exec 5>&-
	if command -v curl >/dev/null; then
		curl -sk -m 10 "https://127.0.0.1:$P/engine" >/dev/null 2>&1 &
		t_bg $!
		t_wait_for "$D/tsrv.out" '^< #3 recv' 10
		drv_say '/close 3'
	fi
	drv_end
	t_check "tls server: s_client's plaintext arrived" grep -q '^< #1 recv 13 bytes \[chunk 1\]$' "$D/tsrv.out"
	t_check "tls server: our reply reached s_client" grep -q 'hello client' "$D/tcl.out"
	t_check "tls server: close_notify is a clean EOF" sh -c "grep -q '^< #1 recv 0 bytes: EOF' '$D/tsrv.out' && ! grep -q '#1 .*truncated' '$D/tsrv.out'"
	t_check "tls server: a killed client is a truncation" grep -q '^! #2 SSL_read: the peer closed without close_notify: truncated' "$D/tsrv.out"
	if command -v curl >/dev/null; then
		t_check "tls server: curl --insecure's request, in plaintext" grep -q '|GET /engine HTTP|' "$D/tsrv.out"
	fi
fi

# A reset after the peer's FIN: recv() says EOF again, SO_ERROR says RST.
P=$(t_free_port)
mkfifo "$D/finrst.in"
timeout --foreground 30 "$S" -n listen "$P" <"$D/finrst.in" >"$D/finrst.out" 2>&1 &
FR=$!
t_bg $FR
exec 7>"$D/finrst.in"
t_wait_port "$P"
mkfifo "$D/finrst.go"
# The client: FIN at once; RST (SO_LINGER 0) when told to.
python3 -c '
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.shutdown(socket.SHUT_WR)
open(sys.argv[2]).readline()
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
' "$P" "$D/finrst.go" >/dev/null 2>&1 &
t_bg $!
exec 8>"$D/finrst.go"
t_wait_for "$D/finrst.out" '^< #1 recv 0 bytes: EOF' 10
echo go >&8
exec 8>&-
t_wait_for "$D/finrst.out" '^[*!] #1 (reset by peer|closed)' 10
# Checked while our input is still open (its end would shut down, and
# find the reset that way).
t_check "FIN then RST: the reset is reported" grep -Eq '^[*!] #1 reset by peer$' "$D/finrst.out"
exec 7>&-
t_wait_pid "$FR" 10

# --- issue 10: honest closes, no loss after EPIPE, limits, signals ----------

# /close with unread bytes in the kernel: Linux sends RST; say so, and how
# many bytes were discarded.
drv_start_rec() {
	name=$1
	shift
	rm -f "$D/$name.in"
	mkfifo "$D/$name.in"
	SOCKSCOPE_RECORD_FILE=$D/$name.rec "$DRV" "$@" <"$D/$name.in" \
	    >"$D/$name.out" 2>&1 &
	DRV_PID=$!
	t_bg "$DRV_PID"
	exec 3>"$D/$name.in"
}
# Wait until the kernel holds bytes unread on the accepted side of PORT.
wait_recvq() {
	end=$(( $(date +%s%N) / 1000000 + 10000 ))
	while [ "$(( $(date +%s%N) / 1000000 ))" -lt "$end" ]; do
		ss -Htn state established "sport = :$1" 2>/dev/null |
		    awk '$1 > 0 { f = 1 } END { exit !f }' && return 0
		sleep 0.05
	done
	return 1
}
drv_start_rec unread -m listen tcp 127.0.0.1 0
t_wait_for "$D/unread.out" 'listening on' 5
P=$(t_listen_port "$D/unread.out")
# The client waits in recv() for what our close does to it.
python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"thirteen-byte")
try:
    print("recv", s.recv(100))
except ConnectionResetError:
    print("reset by peer")
' "$P" >"$D/rc1.out" 2>&1 &
RC1=$!
t_bg $RC1
wait_recvq "$P" || t_fail "unread: the bytes never arrived"
drv_say /close
t_wait_for "$D/unread.out" 'closed' 5
t_wait_pid "$RC1" 10
drv_end
t_check "unread /close: the RST is said" grep -q '^\* #1 reset: RST sent$' "$D/unread.out"
t_check "unread /close: the record says 13 bytes were discarded" grep -Eq '^close [0-9]+ 0 0 discarded=13$' "$D/unread.rec"
t_check "unread /close: FIONREAD was asked just before" sh -c "grep -B1 '^close .*discarded=13' '$D/unread.rec' | head -1 | grep -q '^ioctl '"
t_check "unread /close: the peer saw a reset" grep -qx 'reset by peer' "$D/rc1.out"

# /reset: SO_LINGER 0, then one close().
P=$(t_free_port)
socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr" PIPE >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P"
drv_start_rec rst connect tcp 127.0.0.1 "$P"
t_wait_for "$D/rst.out" '^\* #1 connected' 5
drv_say /reset
t_wait_for "$D/rst.out" 'closed' 5
drv_end
fd=$(awk '$1 == "socket" { print $2; exit }' "$D/rst.rec")
t_check "/reset: one close() of the socket" [ "$(grep -c "^close $fd " "$D/rst.rec")" = 1 ]
t_check "/reset: SO_LINGER set just before it" sh -c "grep -B1 '^close $fd ' '$D/rst.rec' | head -1 | grep -q '^setsockopt $fd 0 0\$'"

# Manual mode: a send that hits EPIPE keeps the bytes the peer sent.
P=$(t_free_port)
socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr" SYSTEM:"printf hello" >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P"
drv_start epipe -m connect tcp 127.0.0.1 "$P"
t_wait_for "$D/epipe.out" '^\* #1 connected' 5
i=0
while [ $i -lt 40 ] && ! grep -q 'EPIPE\|reset' "$D/epipe.out"; do
	drv_say "poke $i"
	t_wait_for "$D/epipe.out" "EPIPE|reset|poke $i" 2
	i=$((i + 1))
done
drv_say /recv
t_wait_for "$D/epipe.out" 'recv 5 bytes|refused' 5
drv_say 'more'
drv_say /recv
t_wait_for "$D/epipe.out" 'closed' 5
drv_end
t_check "EPIPE manual: the failed send is said" grep -Eq 'the peer is gone; what it sent still waits for /recv \((EPIPE|ECONNRESET)\)' "$D/epipe.out"
t_check "EPIPE manual: /recv still gets what the peer sent" grep -q '^< #1 recv 5 bytes \[chunk 1\]$' "$D/epipe.out"
t_check "EPIPE manual: sending after it is refused" grep -q '^refused: #1: the peer is gone (a send failed): cannot send' "$D/epipe.out"
t_check "EPIPE manual: EOF, then closed" grep -q '^\* #1 closed' "$D/epipe.out"

# Lowering the descriptor limit under a running program (poll() would
# fail with EINVAL once it watches more descriptors than the limit).
if command -v prlimit >/dev/null; then
	P=$(t_free_port)
	socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr,fork" PIPE >/dev/null 2>&1 &
	t_bg $!
	t_wait_port "$P"
	mkfifo "$D/lim.in"
	"$S" -n 127.0.0.1 "$P" <"$D/lim.in" >"$D/lim.out" 2>&1 &
	LP=$!
	t_bg $LP
	exec 7>"$D/lim.in"
	t_wait_for "$D/lim.out" '^\* #1 connected' 10
	prlimit --pid "$LP" --nofile=2:
	printf 'after\n' >&7
	t_wait_for "$D/lim.out" '^< #1 recv 6 bytes' 10
	t_check "fd limit lowered: still running" kill -0 "$LP"
	# Out of descriptors, a name lookup cannot get its pipe: an error
	# event, not the end of the program.
	printf '/connect localhost %s\n' "$P" >&7
	t_wait_for "$D/lim.out" '^! #2' 10
	t_check "fd limit: a lookup without a pipe is one error line" grep -Eq '^! #2 pipe.*EMFILE' "$D/lim.out"
	t_check "fd limit: still running after it" kill -0 "$LP"
	prlimit --pid "$LP" --nofile=1024:
	printf 'again\n' >&7
	t_wait_for "$D/lim.out" '^< #1 recv 6 bytes \[chunk 2\]' 10
	printf '/quit\n' >&7
	exec 7>&-
	t_wait_pid "$LP" 10
	t_check "fd limit: exits 0" [ "$T_STATUS" = 0 ]
	t_check "fd limit: no poll error" sh -c "! grep -q 'Invalid argument' '$D/lim.out'"
fi

# Every signal whose default ends the process restores the terminal.
if command -v tmux >/dev/null; then
	for sig in USR1 XFSZ ALRM; do
		rm -f "$D/exit" "$D/stty"
		P=$(t_free_port)
		t_tmux_start 120 30 "$S listen $P"
		t_see "SIG$sig: listening" "L1 127\.0\.0\.1:$P"
		pid=$(pgrep -f -- "^$S listen $P\$" | head -1)
		[ -n "$pid" ] && kill -s "$sig" "$pid"
		if t_wait_exit 10; then
			t_check "SIG$sig: terminal restored (not raw)" sh -c "! grep -q -- '-icanon' '$D/stty'"
			t_check "SIG$sig: echo back on" grep -Eq '(^| )echo( |$)' "$D/stty"
			t_check "SIG$sig: exit status 128+signal" [ "$(cat "$D/exit")" = $((128 + $(kill -l "$sig"))) ]
			t_check "SIG$sig: the full screen is gone" sh -c "! tmux -L '$T_TMUX' capture-pane -p -t t | grep -q 'Connections'"
		else
			t_fail "SIG$sig: did not exit"
		fi
		tmux -L "$T_TMUX" kill-server 2>/dev/null
	done
fi

t_done
