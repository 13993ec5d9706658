#!/usr/bin/env bash
# End-to-end tests of the command line, the command table and batch mode's
# honesty (exit status, lost bytes, failed writes): sockscope against real
# peers (socat, ncat) on 127.0.0.1, every wait bounded, nothing slept for.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

t_need socat ncat timeout ss

S=$SOCKSCOPE
D=$T_DIR

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
usage_case "^sockscope: https://: TLS is not available yet" "https://127.0.0.1:$P/"
usage_case "^sockscope: --tls: TLS is not available yet" -c 127.0.0.1 "$P"
usage_case "^sockscope: --udp: UDP is not available yet" -u 127.0.0.1 "$P"
usage_case "^sockscope: --unix: Unix socket support is not available yet" -U /tmp/x.sock 1
usage_case "^sockscope: --tls-verify: TLS is not available yet" --tls-verify 127.0.0.1 "$P"
usage_case "^sockscope: --insecure: TLS is not available yet" --insecure 127.0.0.1 "$P"
usage_case "^sockscope: --tls-cert: TLS is not available yet" --tls-cert=c.pem listen 1
usage_case "^sockscope: --tls-key: TLS is not available yet" --tls-key k.pem listen 1
usage_case "^sockscope: '127.0.0.1' needs a PORT too \(HOST PORT or HOST:PORT\)$" 127.0.0.1
usage_case "^sockscope: '::1' needs a PORT too" ::1
usage_case "^sockscope: unknown scheme 'ftp'" ftp://127.0.0.1/
usage_case "^sockscope: option '--json' takes no value" --json=1
usage_case "^sockscope: option '--batch' takes no value" --batch=1
usage_case "^sockscope: option '--no-color' takes no value" --no-color=yes
usage_case "^sockscope: bad host 'ho\\\\x01st'" "$(printf 'ho\001st')" 80
usage_case "^sockscope: bad host 'ho\\\\x01st'" "$(printf 'ho\001st'):80"
# The same host check for /connect: the same words.
printf '/connect ho\001st 80\n' | timeout 10 "$S" -n >/dev/null 2>"$D/h.err"
t_check "/connect: the same host check" grep -qx "sockscope: /connect: bad host 'ho\\\\x01st'" "$D/h.err"
printf '/lisen 1\n/connect https://127.0.0.1:%s/\n' "$P" | timeout 10 "$S" -n >"$D/h.out" 2>"$D/h.err"
t_check "/lisen: did you mean /listen?" grep -q "unknown command '/lisen' (did you mean /listen?)" "$D/h.err"
t_check "/connect https://: TLS is not available yet" grep -q "^sockscope: /connect: TLS is not available yet" "$D/h.err"
t_check "/connect https://: nothing opened" [ ! -s "$D/h.out" ]

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
