#!/usr/bin/env bash
# End-to-end tests of the kernel view (SPEC section 12): what TCP_INFO,
# FIONREAD and SIOCOUTQ say, in tmux against real peers on 127.0.0.1.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

t_need tmux socat ss timeout pgrep python3
S=$SOCKSCOPE
D=$T_DIR

# --- the Socket pane: TCP state word, rtt, buffers --------------------------
P=$(t_free_port)
socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr,fork" PIPE >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P"
t_tmux_start 160 50 "$S 127.0.0.1 $P"
t_see "socket: the kernel's TCP state word" "tcp state +ESTABLISHED"
t_see "socket: rtt in ms" "rtt +[0-9]+\.[0-9]{3} ms"
t_see "socket: cwnd in segments" "cwnd +[0-9]+ segments"
t_see "socket: unacked segments" "unacked +[0-9]+"
t_see "socket: receive buffer size (SO_RCVBUF)" "rcvbuf +[0-9.]+ [KM]?i?B"
t_see "socket: send buffer size (SO_SNDBUF)" "sndbuf +[0-9.]+ [KM]?i?B"

# --- idle with the kernel view visible: zero wake-ups ----------------------
t_settle 5 || true
pid=$(t_app_pid)
if [ -n "$pid" ]; then
	csw() { awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$pid/status"; }
	ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
	a=$(csw) ta=$(ticks)
	sleep 10	# measuring that nothing happens takes the time it takes
	b=$(csw) tb=$(ticks)
	t_check "idle: $((b - a)) wake-ups in 10 s with the Socket pane shown" [ $((b - a)) -eq 0 ]
	t_check "idle: $((tb - ta)) CPU ticks in 10 s" [ $((tb - ta)) -le 1 ]
else
	t_fail "idle: no sockscope process found"
fi
t_keys F10
t_wait_exit 10

# --- the peer half-closes: the kernel says CLOSE_WAIT ----------------------
P=$(t_free_port)
python3 - "$P" >"$D/hc.out" 2>&1 <<'PY' &
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', int(sys.argv[1])))
s.listen()
conn, addr = s.accept()
conn.shutdown(socket.SHUT_WR)
conn.settimeout(30)
try:
    conn.recv(1)
except OSError:
    pass
PY
t_bg $!
t_wait_port "$P"
t_tmux_start 160 50 "$S 127.0.0.1 $P"
t_see "half-close: the kernel's word is CLOSE_WAIT" "tcp state +CLOSE_WAIT"
t_keys F10
t_wait_exit 10

# --- manual mode at 80x24: bytes waiting in the kernel ---------------------
P=$(t_free_port)
python3 - "$P" >"$D/m.out" 2>&1 <<'PY' &
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', int(sys.argv[1])))
s.listen()
for _ in range(2):
    conn, addr = s.accept()
    conn.sendall(b'x' * 18)
    conn.settimeout(30)
    try:
        conn.recv(1)
    except OSError:
        pass
    conn.close()
PY
t_bg $!
t_wait_port "$P"
t_tmux_start 80 24 "$S --manual 127.0.0.1 $P"
t_see "manual 80x24: 18 B waiting in the kernel" "18 B waiting in the kernel: /recv to read"
t_keys F10
t_wait_exit 10
t_tmux_start 80 24 "$S --manual --lab 127.0.0.1 $P"
t_see "lab 80x24: the kernel line, with the kernel's state word" "rx 18 B waiting for recv\(\) · tx 0 B · ESTABLISHED"
t_keys F10
t_wait_exit 10

# --- --manual-accept: the backlog waits for /accept ------------------------
P=$(t_free_port)
t_tmux_start 160 30 "$S --manual-accept listen 127.0.0.1 $P"
t_see "manual accept: listening, backlog 0" "│ +backlog 0/[0-9]+ waiting"
python3 - "$P" >"$D/clients.out" 2>&1 <<'PY' &
import socket, sys, time
socks = []
for i in range(3):
    s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=5)
    socks.append(s)
print('connected', len(socks), flush=True)
time.sleep(30)
PY
t_bg $!
t_wait_for "$D/clients.out" "connected 3" 10
t_see "manual accept: 3 clients wait in the backlog" "│ +backlog 3/[0-9]+ waiting"
t_never "manual accept: nothing accepted by itself" "#1 ESTABLISHED"
t_type "/accept"
t_see "manual accept: /accept takes one, 2 wait" "│ +backlog 2/[0-9]+ waiting"
t_see "manual accept: the accepted one is #1" "#1 ESTABLISHED"
t_type "/accept L1"
t_see "manual accept: /accept L1 takes the next" "│ +backlog 1/[0-9]+ waiting"
t_type "/accept L7"
t_see "manual accept: a wrong listener is one clear line" "no open listener L7"
t_type "/accept"
t_see "manual accept: the last one" "│ +backlog 0/[0-9]+ waiting"
t_type "/accept"
t_see "manual accept: an empty backlog is said" "no connection waits in L1's backlog"
t_keys F10
t_wait_exit 10

# --- slow: what waits in the kernel grows ----------------------------------
# sockscope sends 1 MiB to a slow demo server: its send queue fills.
head -c 1048576 /dev/zero >"$D/1mb"
P=$(t_free_port)
timeout 120 "$S" -n serve slow 127.0.0.1 "$P" </dev/null >"$D/slow.out" 2>&1 &
t_bg $!
t_wait_port "$P" 10
t_tmux_start 160 50 "$S 127.0.0.1 $P"
t_see "slow: connected" "tcp state +ESTABLISHED"
t_type "/sendfile $D/1mb"
t_see "slow: kernel tx grows to KiB while the server reads slowly" "kernel tx +[0-9.]+ (KiB|MiB)"
t_keys F10
t_wait_exit 10

# A Python client sends 1 MB to a slow served connection: what it sent
# waits in sockscope's receive queue, and the Socket pane says so.
P=$(t_free_port)
t_tmux_start 160 50 "$S serve slow 127.0.0.1 $P"
t_wait_port "$P" 10
python3 - "$P" >"$D/py-slow.out" 2>&1 <<'PY' &
import socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=30)
s.settimeout(30)
try:
    s.sendall(b'x' * 1000000)
except OSError:
    pass
PY
t_bg $!
t_see "slow: the served connection's kernel rx grows (Python sent 1 MB)" "kernel rx +[0-9.]+ (KiB|MiB)"
t_keys F10
t_wait_exit 10

# --- --manual-accept in batch: /accept on standard input -------------------
P=$(t_free_port)
mkfifo "$D/in"
timeout 60 "$S" -n --manual-accept listen 127.0.0.1 "$P" <"$D/in" \
	>"$D/ma.out" 2>"$D/ma.err" &
t_bg $!
exec 7>"$D/in"
t_wait_port "$P" 10
python3 - "$P" >"$D/ma-clients.out" 2>&1 <<'PY' &
import socket, sys, time
socks = [socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=5)
         for i in range(2)]
print('connected', len(socks), flush=True)
time.sleep(30)
PY
t_bg $!
t_wait_for "$D/ma-clients.out" "connected 2" 10
t_check "batch manual accept: nothing accepted by itself" sh -c "! grep -q accepted '$D/ma.out'"
echo "/accept" >&7
t_wait_for "$D/ma.out" "#1 accepted from 127\.0\.0\.1" 10
t_check "batch manual accept: /accept accepts #1" grep -q "#1 accepted" "$D/ma.out"
t_check "batch manual accept: only one" sh -c "! grep -q '#2 accepted' '$D/ma.out'"
echo "/accept L1" >&7
t_wait_for "$D/ma.out" "#2 accepted from" 10
t_check "batch manual accept: /accept L1 accepts #2" grep -q "#2 accepted" "$D/ma.out"
exec 7>&-

t_done
