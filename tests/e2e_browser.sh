#!/usr/bin/env bash
# End-to-end: a real browser (headless Chromium) against a batch-mode
# listener.  The request line and headers must appear in the transcript,
# and the answer typed on the input line must reach the browser.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

CHROME=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROME" ] || t_need chromium	# a skip, or an error when CI is set
t_need timeout ss

D=$T_DIR
P=$(t_free_port)
mkfifo "$D/in"
# -k: Chromium may open more than one connection (preconnect, favicon).
timeout --foreground 90 "$SOCKSCOPE" -n -k listen "$P" <"$D/in" >"$D/out" 2>"$D/err" &
t_bg $!
exec 3>"$D/in"		# keep the input open; we type into it below
t_wait_for "$D/out" "listening on 127.0.0.1:$P" 10 || t_fail "listener did not start" "$D/err"

timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic \
	--no-first-run --disable-background-networking \
	--disable-component-update --disable-sync \
	--user-data-dir="$D/profile" \
	--dump-dom "http://127.0.0.1:$P/from-the-browser" >"$D/dom" 2>"$D/chrome.err" &
cpid=$!
t_bg $cpid

# Answer the connection that carries the GET, as a user would.
if t_wait_for "$D/out" '\|GET /from-the-br\|' 30; then
	n=$(awk '/^< #[0-9]+ recv/{c=$2} /\|GET \/from-the-br\|/{print c; exit}' "$D/out")
	body='<html><body><p id="x">answered-by-sockscope</p></body></html>'
	printf '/conn %s\n/send HTTP/1.1 200 OK\\r\\nContent-Type: text/html\\r\\nContent-Length: %d\\r\\nConnection: close\\r\\n\\r\\n%s\n' \
		"$n" "${#body}" "$body" >&3
	t_pass "browser: request seen on $n"
else
	t_fail "browser: no GET arrived" "$D/chrome.err"
fi
t_wait_pid $cpid 60
exec 3>&-

t_check "browser: got our answer" grep -q 'answered-by-sockscope' "$D/dom"
t_check "browser: request line" grep -qF '|GET /from-the-br|' "$D/out"
t_recv_gutter "$D/out" >"$D/req"
t_check "browser: Host header with its CRLF" grep -qF "Host: 127.0.0.1:$P.." "$D/req"
t_check "browser: User-Agent names headless Chrome" grep -qF 'HeadlessChrome' "$D/req"
t_check "browser: headers end with CRLF CRLF" grep -qE '\.\.\.\.' "$D/req"
t_check "browser: no errors from sockscope" [ ! -s "$D/err" ]
t_done
