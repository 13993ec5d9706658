#!/usr/bin/env bash
# End-to-end: faults and bad input.  Each gets one clear line, the program
# keeps working, other connections are untouched.  Network faults are made
# on loopback only: a fresh network namespace (unshare -n) for ENETUNREACH
# and connect time-outs, an unprivileged user for EACCES.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

t_need socat timeout ss xxd pgrep python3
S=$SOCKSCOPE
D=$T_DIR
root=0
[ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null && unshare -n true 2>/dev/null && root=1

# --- command-line mistakes: exit 2, one line, nothing opened ----------------
usage_case() {	# usage_case EXPECTED-REGEX ARGS...
	want=$1
	shift
	timeout --foreground 5 "$S" -n "$@" </dev/null >"$D/u.out" 2>"$D/u.err"
	st=$?
	if [ "$st" -eq 2 ] && [ "$(wc -l <"$D/u.err")" -eq 1 ] &&
	    grep -Eq -- "$want" "$D/u.err" && [ ! -s "$D/u.out" ]; then
		t_pass "usage: $* -> $(cat "$D/u.err")"
	else
		t_fail "usage: $* (exit $st)" "$D/u.err"
	fi
}
for port in 0 65536 -1 1e3 " 80" 80x ""; do
	usage_case "^sockscope: (port must be 1-65535, got '.*'|.*)" 127.0.0.1 "$port"
done
usage_case "port must be 1-65535, got '0'" 127.0.0.1 0
usage_case "port must be 1-65535, got '80x'" listen 80x
usage_case "host must not be empty" "" 80
usage_case "bad host 'a b': it contains white space" "a b" 80
usage_case "^sockscope: unknown option '--bogus' \(see sockscope --help\)$" --bogus
usage_case "--recv-size must be 1-1048576, got '0'" -b 0 127.0.0.1 80
usage_case "--eol must be lf, crlf, cr or none, got 'x'" --eol=x 127.0.0.1 80
usage_case "--scrollback" --scrollback=lots 127.0.0.1 80
usage_case "too many arguments" 127.0.0.1 80 90
usage_case "needs a PORT too" 127.0.0.1

# --- bad input lines: one error each, the connection carries on -------------
P=$(t_free_port)
socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr" PIPE >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P"
{
	printf '/send cut\\x4\n/send trailing\\\n/hex 4g\n/hex 0d0\n/recv 0\n/recv 1048577\n'
	printf '/auto maybe\n/eol dos\n/conn #9\n/conn x\n/close L7\n/shutdown #5\n'
	printf '/connect onlyhost\n/listen 1 2 3\n/quit now\n/help nosuch\n/\n/frob\n'
	printf 'bad utf-8: \xff\xfe \xc3\x28\n'
	head -c 1048576 /dev/zero | tr '\0' 'A'
	printf '\n'
	# Input ends (EOF sent) only once the whole echo is back.
	t_wait_recv "$D/bad.out" 1 1048594 20
} | timeout --foreground 30 "$S" -n 127.0.0.1 "$P" >"$D/bad.out" 2>"$D/bad.err"
t_check "bad lines: exit 0" [ $? -eq 0 ]
t_check "bad lines: one error line each (18)" [ "$(wc -l <"$D/bad.err")" -eq 18 ]
t_check "bad lines: every error names its problem" sh -c "! grep -v '^sockscope: ' '$D/bad.err'"
t_check "bad lines: no raw control byte in any message" sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$D/bad.err'"
t_check "bad lines: invalid UTF-8 sent as typed" grep -qF '62 61 64 20 75 74 66 2d  38 3a 20 ff fe 20 c3 28' "$D/bad.out"
# 17 bytes of bad UTF-8 line, then the 1 MiB line and its newline.
t_check "bad lines: the 1 MiB line went out and came back whole" grep -q "^\\* #1 closed (in 1048594 bytes in [0-9]* chunks, out 1048594 bytes)\$" "$D/bad.out"

# --- refused, reset mid-stream, EPIPE while sending ------------------------
P=$(t_free_port)
socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr" SYSTEM:"head -c 10 >/dev/null" >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P"
head -c 8388608 /dev/zero | tr '\0' 'z' | fold -w 4096 |
	timeout --foreground 30 "$S" -n 127.0.0.1 "$P" 2>"$D/pipe.err" | grep -v '^  ' >"$D/pipe.out"
t_check "EPIPE: exit 1 for the reset, no SIGPIPE death" [ "${PIPESTATUS[3]}" -eq 1 ]
t_check "EPIPE: the reset is one clear line" grep -Eq '^! #1 reset by peer$' "$D/pipe.out"
t_check "EPIPE: then closed" grep -q '^\* #1 closed' "$D/pipe.out"

# --- privileged port as an unprivileged user: EACCES ------------------------
if [ "$root" -eq 1 ] && command -v setpriv >/dev/null &&
    [ "$(sysctl -n net.ipv4.ip_unprivileged_port_start 2>/dev/null || echo 1024)" -gt 80 ]; then
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		timeout --foreground 5 "$S" -n listen 80 </dev/null >/dev/null 2>"$D/acc.err"
	t_check "EACCES: exit 1" [ $? -eq 1 ]
	t_check "EACCES: one clear line" grep -qx 'sockscope: 127.0.0.1:80: permission denied (EACCES): ports below 1024 need root' "$D/acc.err"
else
	echo "# EACCES check skipped: needs root to drop to nobody"
fi

# --- no route (a namespace without a loopback up): ENETUNREACH -------------
if [ "$root" -eq 1 ]; then
	unshare -n timeout --foreground 5 "$S" -n 127.0.0.1 80 </dev/null >/dev/null 2>"$D/unr.err"
	t_check "ENETUNREACH: exit 1" [ $? -eq 1 ]
	t_check "ENETUNREACH: one clear line" grep -qx 'sockscope: connect 127.0.0.1:80: Network is unreachable (ENETUNREACH)' "$D/unr.err"

	# A listener whose backlog is full drops SYNs: the connect times out.
	# Backlog 0 with one connection established in it is full; the
	# listener writes to.ready once that connection is up.
	cat >"$D/timeout.sh" <<EOF
ip link set lo up
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 4444)); s.listen(0)
c = socket.create_connection(("127.0.0.1", 4444))
open(sys.argv[1], "w").close()
time.sleep(60)' "$D/to.ready" &
t_until 20 test -e "$D/to.ready" || echo "# the python listener never got ready" >"$D/to.note"
timeout --foreground 10 "$S" -n -w 1 127.0.0.1 4444 </dev/null >/dev/null 2>"$D/to.err"
echo \$? >"$D/to.rc"
kill \$! 2>/dev/null
EOF
	if t_have python3 ip; then
		timeout 40 unshare -n bash "$D/timeout.sh" >/dev/null 2>&1
		cat "$D/to.note" 2>/dev/null
		t_check "connect timeout: exit 1" [ "$(cat "$D/to.rc" 2>/dev/null)" = 1 ]
		t_check "connect timeout: one clear line" grep -qx 'sockscope: connect 127.0.0.1:4444: Connection timed out (ETIMEDOUT)' "$D/to.err"
	fi

	# A DNS server that never answers must not stop the loop: while the
	# lookup hangs, a client on the listener is accepted and served.  The
	# silent server writes each query it gets to dns.query: once that is
	# there, the lookup is hanging (for 5 s, the resolver's time-out).
	cat >"$D/dns.sh" <<EOS
ip link set lo up
printf 'nameserver 127.0.0.1\noptions timeout:5 attempts:1\n' >"$D/resolv.conf"
mount --bind "$D/resolv.conf" /etc/resolv.conf || { touch "$D/dns.nomount"; exit 0; }
socat -u UDP-RECV:53,bind=127.0.0.1 OPEN:"$D/dns.query",creat >/dev/null 2>&1 &
t_until 10 sh -c 'ss -Hlun "sport = :53" | grep -q .'
timeout --foreground 20 "$S" -n -e '/connect slow.sockscope.test 80' listen 4455 </dev/null >"$D/dns.out" 2>&1 &
spid=\$!
t_until 10 test -s "$D/dns.query"
t_until 10 sh -c 'ss -Hltn "sport = :4455" | grep -q .'
# The client stays until its bytes are in the transcript.
(exec 3<>/dev/tcp/127.0.0.1/4455; echo hi >&3; t_until 10 grep -q '#2 recv 3 bytes' "$D/dns.out") 2>/dev/null
wait \$spid
kill %1 2>/dev/null
EOS
	timeout 40 unshare -n -m bash "$D/dns.sh" >/dev/null 2>&1
	if [ -e "$D/dns.nomount" ]; then
		echo "# slow DNS check skipped: no mount namespace"
	else
		# The client's bytes come before the lookup's failure.
		first=$(grep -E '#2 recv 3 bytes|cannot resolve' "$D/dns.out" 2>/dev/null | head -1)
		t_check "slow DNS: a client is served while the lookup hangs" \
			grep -q '#2 recv 3 bytes' <<<"$first"
		t_check "slow DNS: then the lookup fails in one line" grep -q "^! #1 cannot resolve 'slow.sockscope.test': " "$D/dns.out"
	fi
else
	echo "# namespace checks skipped: needs root and unshare"
fi

# --- signals while busy: EINTR everywhere, nothing lost ----------------------
P=$(t_free_port)
head -c 4194304 /dev/urandom >"$D/sig.bin"
timeout --foreground 60 "$S" -n listen "$P" </dev/null >"$D/sig.out" 2>&1 &
spid=$!
t_bg $spid
t_wait_port "$P"
( for i in $(seq 1 200); do kill -WINCH $spid 2>/dev/null; kill -CONT $spid 2>/dev/null; sleep 0.005; done ) &
kpid=$!
socat -u "FILE:$D/sig.bin" "TCP:127.0.0.1:$P"
wait $kpid
t_wait_pid $spid 30
t_check "signals: exit 0" [ "$T_STATUS" -eq 0 ]
t_check "signals: every byte counted" grep -q '^\* #1 closed (in 4194304 bytes' "$D/sig.out"

# --- one connection's fault leaves the others alone ---------------------------
# #1 resets (closed with SO_LINGER 0, no FIN before the RST) once #2 is
# connected too.
P=$(t_free_port)
mkfifo "$D/in"
timeout --foreground 60 "$S" -n -k listen "$P" <"$D/in" >"$D/two.out" 2>&1 &
t_bg $!
exec 3>"$D/in"
t_wait_port "$P"
python3 -c 'import os, socket, struct, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
end = time.time() + 30
while not os.path.exists(sys.argv[2]) and time.time() < end:
    time.sleep(0.05)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()' "$P" "$D/two.go" &
t_bg $!
t_wait_for "$D/two.out" '#1 accepted' 20
socat "TCP:127.0.0.1:$P" SYSTEM:"cat >$D/two-peer.txt" >/dev/null 2>&1 &
t_bg $!
t_wait_for "$D/two.out" '#2 accepted' 20
touch "$D/two.go"
# Before our input ends (that would end #1 too).
if t_wait_for "$D/two.out" '^! #1 reset by peer' 20; then
	t_pass "isolation: #1 ended (reset by its peer)"
else
	t_fail "isolation: #1 ended (reset by its peer)" "$D/two.out"
fi
printf '/conn #2\nstill here\n/close\n' >&3
t_check "isolation: /close ends #2" t_wait_for "$D/two.out" '^\* #2 closed' 20
exec 3>&-
t_check "isolation: #2 still got our line" t_wait_for "$D/two-peer.txt" '^still here$' 20

# --- review regressions ---------------------------------------------------------
# Listen mode: a client that half-closes and reads slowly still gets every
# queued byte after our input ends (they used to be dropped).
P=$(t_free_port)
head -c 6291456 /dev/urandom | xxd -p -c 4096 >"$D/big.txt"
timeout --foreground 60 "$S" -n listen "$P" <"$D/big.txt" 2>"$D/hc.err" \
	> >(grep --line-buffered -v '^  ' >"$D/hc.out") &
spid=$!
t_bg $spid
t_wait_port "$P"
# A reader that starts once our sends have stalled, and then is slow (bash
# reads a byte at a time): the queue is full when the input ends.
printf 'request\n' | socat -t 30 - "TCP:127.0.0.1:$P" |
	{ t_wait_for "$D/hc.out" '^> #1 send: peer not reading' 30
	  while IFS= read -r l; do printf '%s\n' "$l"; done >"$D/hc.got"; }
t_wait_pid $spid 30
t_check "half-closed client: every queued byte arrives" cmp -s "$D/big.txt" "$D/hc.got"
t_check "half-closed client: exit 0" [ "$T_STATUS" -eq 0 ]

# Manual mode: received bytes waiting for /recv do not hold up sending.
P=$(t_free_port)
# The peer reads nothing until our sends have stalled.
socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr" SYSTEM:"printf hi; sh $T_HOLD $D/man.go; cat >$D/man.got" >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P"
timeout --foreground 60 "$S" -n -m 127.0.0.1 "$P" <"$D/big.txt" >"$D/man.out" 2>&1 &
spid=$!
t_bg $spid
t_check "manual mode: the stall is reported" t_wait_for "$D/man.out" '^> #1 send: peer not reading' 30
touch "$D/man.go"
t_wait_pid $spid 60
t_check "manual mode: sends finish while bytes wait (exit 0)" [ "$T_STATUS" -eq 0 ]
t_check "manual mode: every byte sent" cmp -s "$D/big.txt" "$D/man.got"

# Input without newlines goes out as it is, without growing or waiting.
P=$(t_free_port)
socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr" SYSTEM:"wc -c >$D/nl.count" >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P"
head -c 5000000 /dev/zero | timeout --foreground 30 "$S" -n 127.0.0.1 "$P" >/dev/null 2>&1
t_check "no newlines: exit 0" [ $? -eq 0 ]
t_check "no newlines: every byte sent (plus the final end-of-line)" [ "$(tr -d ' ' <"$D/nl.count")" = 5000001 ]

# Out of descriptors: say so, stop watching the listener, do not spin.
P=$(t_free_port)
( ulimit -n 16; exec timeout --foreground 20 "$S" -n -k listen "$P" </dev/null >"$D/mf.out" 2>&1 ) &
spid=$!
t_bg $spid
t_wait_port "$P"
# 20 clients that hold on until mf.go exists.
for i in $(seq 1 20); do
	(exec 3<>"/dev/tcp/127.0.0.1/$P"; sh "$T_HOLD" "$D/mf.go") 2>/dev/null &
	t_bg $!
done
t_wait_for "$D/mf.out" 'Too many open files' 20
# Time passing is the point here: room for a busy loop to show itself.
sleep 0.5
n=$(grep -c 'Too many open files (EMFILE)' "$D/mf.out")
t_check "EMFILE: reported ($n lines), not a busy loop" [ "$n" -ge 1 -a "$n" -le 20 ]
# The clients leave: descriptors free up, and the waiting ones are accepted.
touch "$D/mf.go"
accepted_after_emfile() {
	awk '/Too many open files/ { e = 1 } e && / accepted from / { f = 1 } END { exit !f }' "$D/mf.out"
}
t_check "EMFILE: accepting resumes when descriptors free up" t_until 20 accepted_after_emfile
kill $spid 2>/dev/null

t_done
