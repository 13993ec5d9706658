#!/usr/bin/env bash
# End-to-end: reading what a browser sends (issue 9).  Headless Chromium
# and curl against `sockscope listen P` in tmux, answered by a user typing
# /respond; --follow moves focus to the connection that carries the next
# request; /view http shows each request and response under its own
# heading; --json -o writes an http event per head.  Then batch mode's
# --json on standard output, /sendfile, and the refusals.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

t_need tmux curl timeout ss
CHROME=$(command -v chromium || command -v chromium-browser || true)

D=$T_DIR
S="$SOCKSCOPE"
LOG=$D/log.json

# Stop the tmux session's program and wait for it to end.
http_quit() {
	t_keys F10
	t_wait_exit 10 || t_fail "$1: sockscope did not exit"
}

# The http events of the log whose target is $1, without time and conn
# (so one decoded from 1-byte reads compares with one from whole reads).
http_events() {
	grep '"event":"http"' "$LOG" | grep -F "\"target\":\"$1\"" |
	    sed 's/"t":[0-9.]*,//; s/"conn":[0-9]*,//'
}

# Run Chromium on a URL in the background, dumping the DOM to $2.
http_chrome() {
	timeout 60 "$CHROME" --headless=new --no-sandbox --disable-gpu \
		--disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--user-data-dir="$D/profile-$3" \
		--dump-dom "$1" >"$2" 2>"$D/chrome-$3.err" &
	CPID=$!
	t_bg $CPID
}

P=$(t_free_port)
t_tmux_start 160 50 "$S --follow --json -o $LOG listen $P"
t_wait_port "$P" || t_fail "listener did not start"

if [ -n "$CHROME" ]; then
	# --- Chromium, answered with /respond 200 hello (Connection: close)
	http_chrome "http://127.0.0.1:$P/first-page" "$D/dom1" 1
	t_see "chromium: the Connections pane shows GET /first-page" \
		"│    GET /first-page"
	t_type "/view http"
	t_see "view http: the pane is there" "┌ HTTP #[0-9]+ "
	t_see "view http: the request has its heading" \
		"── request 1, received at byte 0 ─"
	t_see "view http: its start line" "│GET /first-page HTTP/1\.1 "
	t_see "view http: headers one a row, names aligned" \
		"│Host: +127\.0\.0\.1:$P +│"
	t_see "view http: User-Agent aligned with Host" \
		"│User-Agent: +Mozilla/5\.0 .*HeadlessChrome"
	t_type "/respond 200 hello"
	t_wait_pid $CPID 60
	t_check "chromium: exited after the answer" [ "$T_STATUS" = 0 ]
	t_check "chromium: the DOM is hello" \
		grep -q '<pre[^>]*>hello</pre></body>' "$D/dom1"
	t_check "json: an http event for Chromium's request" \
		grep -q '"event":"http".*"method":"GET","target":"/first-page".*"User-Agent","Mozilla/5.0' "$LOG"
	t_check "json: our response, counted and closing" \
		grep -q '"direction":"send","kind":"response".*"status":200,"reason":"OK".*\["Content-Length","5"\],\["Connection","close"\]' "$LOG"

	# --- --follow: an open, focused connection does not keep focus from
	# the next request.  A client that asked and waits:
	exec 5<>"/dev/tcp/127.0.0.1/$P"
	printf 'GET /idle HTTP/1.1\r\nHost: x\r\n\r\n' >&5
	t_see "follow: the waiting client took focus" "│GET /idle HTTP/1\.1 "
	# Chromium again; its page needs /favicon.ico before it is loaded.
	printf '<p>hello from a file</p><img src="/favicon.ico">\n' \
		>"$D/page.html"
	# (The first Chromium may have asked for its favicon too.)
	nfav=$(grep -c '"target":"/favicon.ico"' "$LOG")
	http_chrome "http://127.0.0.1:$P/second-page" "$D/dom2" 2
	t_see "follow: Chromium's request took focus without /conn" \
		"│GET /second-page HTTP/1\.1 "
	id=$(grep -F '"target":"/second-page"' "$LOG" |
	    sed -n 's/.*"conn":\([0-9]*\).*/\1/p' | head -1)
	t_see "follow: the prompt names it" "^#$id>( |\$)"
	t_type "/respond -k 200 @$D/page.html"
	end=$(( $(date +%s) + 30 ))
	while [ "$(grep -c '"target":"/favicon.ico"' "$LOG")" -le "$nfav" ] &&
	    [ "$(date +%s)" -lt $end ]; do
		sleep 0.05
	done
	t_check "favicon: requested" \
		[ "$(grep -c '"target":"/favicon.ico"' "$LOG")" -gt "$nfav" ]
	fid=$(grep -F '"target":"/favicon.ico"' "$LOG" |
	    sed -n 's/.*"conn":\([0-9]*\).*/\1/p' | tail -1)
	if [ "$fid" = "$id" ]; then
		# Keep-alive: the same connection, its second request.
		t_see "favicon: on the same connection, under its own heading" \
			"── request 2, received at byte [1-9][0-9]* ─"
	else
		# Chromium chose its preconnected socket: focus followed it.
		echo "# favicon came on #$fid, the page on #$id"
		t_see "favicon: its own connection took focus, its own heading" \
			"── request 1, received at byte 0 ─"
		t_see "favicon: the prompt names its connection" "^#$fid>( |\$)"
	fi
	t_see "favicon: its start line" "│GET /favicon\.ico HTTP/1\.1 "
	t_type "/respond 404"
	t_wait_pid $CPID 60
	t_check "chromium 2: the DOM has the file's page" \
		grep -q 'hello from a file' "$D/dom2"
	# Chromium may ask again for its own icon on another connection,
	# and focus follows that: look back at the one we answered.
	t_type "/conn #$fid"
	t_see "favicon: our 404 under its own heading" \
		"── response [12], sent at byte [0-9]+ ─"
	t_see "favicon: its status line" "│HTTP/1\.1 404 Not Found "
	t_see "favicon: its body and framing" \
		"│body 14 B, Content-Length 14, then close"
	exec 5>&-
else
	echo "# chromium not installed: its checks are skipped"
fi

# --- curl: keep-alive, two URLs in one command ---------------------------
curl -s -m 30 "http://127.0.0.1:$P/one" "http://127.0.0.1:$P/two" \
	>"$D/curl-ka" 2>"$D/curl-ka.err" &
CURL=$!
t_bg $CURL
t_wait_for "$LOG" '"target":"/one"' 10 || t_fail "keep-alive: /one arrived"
t_type "/respond -k 200 first\\n"
t_wait_for "$LOG" '"target":"/two"' 10 || t_fail "keep-alive: /two arrived"
t_type "/respond 200 second\\n"
t_wait_pid $CURL 20
t_check "keep-alive: curl got both answers" \
	[ "$(cat "$D/curl-ka")" = "$(printf 'first\nsecond')" ]
c1=$(grep -F '"target":"/one"' "$LOG" | sed -n 's/.*"conn":\([0-9]*\).*/\1/p')
c2=$(grep -F '"target":"/two"' "$LOG" | sed -n 's/.*"conn":\([0-9]*\).*/\1/p')
t_check "keep-alive: both requests on one connection" [ -n "$c1" ] && [ "$c1" = "$c2" ]
t_check "keep-alive: /two is message 2" \
	grep -q '"kind":"request","msg":2,.*"target":"/two"' "$LOG"
t_see "keep-alive: /view http heads request 2" \
	"── request 2, received at byte 8[0-9] ─"
t_see "keep-alive: our second response closes" \
	"│body 7 B, Content-Length 7, then close"

# --- curl -X POST --data ---------------------------------------------------
curl -s -m 30 -X POST --data 'a=1&b=two' "http://127.0.0.1:$P/post" \
	>"$D/curl-post" 2>&1 &
CURL=$!
t_bg $CURL
t_wait_for "$LOG" '"target":"/post"' 10 || t_fail "POST: arrived"
t_see "POST: body size and framing in the view" \
	"│body 9 B, Content-Length 9, keep-alive"
t_type "/respond 201 made"
t_wait_pid $CURL 20
t_check "POST: curl got the answer" [ "$(cat "$D/curl-post")" = "made" ]
t_check "POST: json method, framing, Content-Length" \
	grep -q '"method":"POST","target":"/post".*"framing":"Content-Length","content_length":9' "$LOG"
t_check "POST: json has the Content-Type header" \
	grep -q '"target":"/post".*\["Content-Type","application/x-www-form-urlencoded"\]' "$LOG"

# --- the same POST read 1 byte per recv() decodes the same -----------------
t_type "/recvsize 1"
curl -s -m 30 -X POST --data 'a=1&b=two' "http://127.0.0.1:$P/post" \
	>"$D/curl-post1" 2>&1 &
CURL=$!
t_bg $CURL
end=$(( $(date +%s) + 10 ))
while [ "$(http_events /post | wc -l)" -lt 2 ] && [ "$(date +%s)" -lt $end ]; do
	sleep 0.05
done
t_see "1-byte: the body, read a byte at a time" \
	"│body 9 B, Content-Length 9, keep-alive"
t_type "/respond 201 made"
t_wait_pid $CURL 20
t_check "1-byte: many chunks" grep -q '"event":"recv","conn":[0-9]*,.*"bytes":1,' "$LOG"
t_check "1-byte: two http events for /post" [ "$(http_events /post | wc -l)" = 2 ]
t_check "1-byte: identical to the one read whole" \
	[ "$(http_events /post | sed -n 1p)" = "$(http_events /post | sed -n 2p)" ]
t_type "/recvsize 4096"

# --- curl -H 'Transfer-Encoding: chunked' ----------------------------------
curl -s -m 30 -H 'Transfer-Encoding: chunked' --data-binary 'hello chunked' \
	"http://127.0.0.1:$P/chunked" >"$D/curl-ch" 2>&1 &
CURL=$!
t_bg $CURL
t_wait_for "$LOG" '"target":"/chunked"' 10 || t_fail "chunked: arrived"
t_see "chunked: body size, framing and chunks in the view" \
	"│body 13 B, chunked \(1 chunk\), keep-alive"
t_type "/respond 200 ok"
t_wait_pid $CURL 20
t_check "chunked: json framing" \
	grep -q '"target":"/chunked".*"framing":"chunked"' "$LOG"

# --- HTTP/1.0 (curl -0) ------------------------------------------------------
curl -s -m 30 -0 "http://127.0.0.1:$P/old" >"$D/curl-10" 2>&1 &
CURL=$!
t_bg $CURL
t_wait_for "$LOG" '"target":"/old"' 10 || t_fail "1.0: arrived"
t_see "1.0: its start line" "│GET /old HTTP/1\.0 "
t_see "1.0: no keep-alive" "│no body, then close"
t_type "/respond 200 old"
t_wait_pid $CURL 20
t_check "1.0: curl got it" [ "$(cat "$D/curl-10")" = "old" ]
t_check "1.0: json version and keep_alive" \
	grep -q '"target":"/old","version":"HTTP/1.0".*"keep_alive":false' "$LOG"

# --- HEAD (curl -I): answered without a body --------------------------------
curl -s -m 30 -I "http://127.0.0.1:$P/head" >"$D/curl-head" 2>&1 &
CURL=$!
t_bg $CURL
t_wait_for "$LOG" '"target":"/head"' 10 || t_fail "HEAD: arrived"
t_see "HEAD: its start line" "│HEAD /head HTTP/1\.1 "
t_type "/respond 200 not sent"
t_wait_pid $CURL 20
t_check "HEAD: curl read the headers" grep -q '^Content-Length: 8' "$D/curl-head"
t_see "HEAD: the response has no body, and decodes clean" \
	"│no body, then close"
t_check "HEAD: no malformed response in the log" \
	sh -c "! grep -q '\"direction\":\"send\".*\"error\"' '$LOG'"
t_check "HEAD: the body was not sent" \
	sh -c "! grep -q '6e6f742073656e74' '$LOG'"

# --- refusals: one line each, nothing sent ---------------------------------
mkdir "$D/dir"
head -c 17000000 /dev/zero >"$D/huge"
t_type "/respond 200 @$D/nosuch.html"
t_see "refused: a missing file" "/respond: cannot open '.*nosuch\.html': No such file or directory \(ENOENT\)"
t_type "/sendfile $D/dir"
t_see "refused: a directory" "/sendfile: '.*/dir' is a directory"
t_type "/sendfile $D/huge"
t_see "refused: a huge file" "/sendfile: '.*/huge' is 17000000 bytes; at most 16777216"
t_type "/respond 204 body"
t_see "refused: a body on 204" "/respond: a 204 response has no body"
http_quit "screen"

# --- batch: --json on standard output, /sendfile, /respond @FILE -----------
printf '<h1>from a file</h1>\n' >"$D/page.html"
printf 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nRAW' \
	>"$D/raw.http"
P=$(t_free_port)
mkfifo "$D/in"
timeout 60 "$S" -n --json --follow listen "$P" <"$D/in" >"$D/out" 2>"$D/err" &
t_bg $!
exec 3>"$D/in"
t_wait_for "$D/out" '"event":"listening"' 10 || t_fail "batch: listening"
curl -s -m 30 "http://127.0.0.1:$P/raw" >"$D/b-raw" 2>&1 &
CURL=$!
t_bg $CURL
t_wait_for "$D/out" '"event":"http".*"target":"/raw"' 10 ||
	t_fail "batch: an http event on standard output" "$D/out"
echo "/sendfile $D/raw.http" >&3
t_wait_pid $CURL 20
t_check "batch: /sendfile's bytes reached curl" [ "$(cat "$D/b-raw")" = "RAW" ]
curl -s -m 30 -D "$D/b-head" "http://127.0.0.1:$P/file" >"$D/b-body" 2>&1 &
CURL=$!
t_bg $CURL
t_wait_for "$D/out" '"event":"http".*"target":"/file"' 10 ||
	t_fail "batch: the second request" "$D/out"
echo "/respond 200 @$D/page.html" >&3
t_wait_pid $CURL 20
exec 3>&-
t_check "batch: the file's Content-Type" \
	grep -qi '^Content-Type: text/html; charset=utf-8' "$D/b-head"
t_check "batch: the file's Content-Length" \
	grep -qi '^Content-Length: 21' "$D/b-head"
t_check "batch: the file's body" grep -q '<h1>from a file</h1>' "$D/b-body"
t_check "batch: a response head as an http event" \
	grep -q '"event":"http","conn":[0-9]*,"direction":"send","kind":"response".*"status":200' "$D/out"
t_check "batch: the http event follows its recv" \
	sh -c "grep -E '\"event\":\"(recv|http)\"' '$D/out' | head -1 | grep -q recv"
t_check "batch: nothing on stderr" [ ! -s "$D/err" ]

# --- nothing to answer: one line each, nothing else happens ----------------
printf '/respond 200 x\n/sendfile %s\n' "$D/page.html" |
	timeout 10 "$S" -n >"$D/none.out" 2>"$D/none.err"
t_check "no connection: /respond and /sendfile refuse, one line each" \
	[ "$(grep -c 'no connection yet' "$D/none.err")" = 2 ]
t_check "no connection: nothing in the transcript" [ ! -s "$D/none.out" ]
t_done
