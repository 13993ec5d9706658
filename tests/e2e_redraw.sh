#!/usr/bin/env bash
# End-to-end tests of what a frame redraws (issue 11): the full screen
# draws again only the panes whose contents changed, and narrates an
# Events line only when it is shown.  So with no key pressed in between,
# bytes arriving on one connection must update every pane that shows them
# (Hex, Text, Events, Connections, Socket, the title) and leave the others
# showing what they showed; a key updates the input line; /notation
# narrates the visible lines again; the Events pane scrolls through lines
# never narrated before and stays still while new ones arrive.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

t_need tmux ncat ss timeout
S=$SOCKSCOPE
D=$T_DIR

# The Events pane's rows as text (no border, trailing blanks dropped).
t_events_rows() {
	t_screen | sed -n '/┌ Events/,/└/p' | sed -e '1d' -e '$d' |
		sed -e 's/^│//' -e 's/│.*$//' -e 's/ *$//'
}

# The bytes #2's recv() lines in the Events pane say it got, folded runs
# ("×3") counted whole.
t_events_got2() {
	t_events_rows | awk '$2 == "#2" && $3 ~ /^recv\(/ && $5 == "=" && $6 ~ /^[0-9]+$/ {
		k = 1
		if (match($0, /×[0-9,]+$/)) {
			r = substr($0, RSTART); gsub(/[^0-9]/, "", r); k = r
		}
		n += $6 * k
	} END { print n + 0 }'
}

# True when the Events pane shows #2 got BYTES.
t_events_got2_is() {
	[ "$(t_events_got2)" = "$1" ]
}

P=$(t_free_port)
t_tmux_start 200 50 "$S listen $P"
t_must "listen: L1 listening" "L1 127\.0\.0\.1:$P"
# Each client's input is a FIFO this shell holds open (fds 4 and 5).
for i in 1 2; do
	mkfifo "$D/client$i"
	ncat 127.0.0.1 "$P" <"$D/client$i" >/dev/null 2>&1 &
	t_bg $!
	eval "exec $((3 + i))>\"\$D/client$i\""
	t_must "client $i: accepted" "#$i ESTABLISHED"
done
t_must "the first connection has the focus" "Hex #1"

# --- bytes on the focused connection: every pane that shows them -------------
printf 'one-A\n' >&4
t_see "#1 data: Hex row" "│00000000  6f 6e 65 2d 41 0a .*\|one-A\.\|"
t_see "#1 data: Text row" "│one-A\\\\n"
t_see "#1 data: Events line" "#1 recv\([0-9]+, 4096\) = 6  \"one-A\\\\n\""
t_see "#1 data: Connections count" ">#1 ESTABLISHED 127\.0\.0\.1:[0-9]+ +6 B"
t_see "#1 data: Socket count" "received +6 B "
t_see "#1 data: title count" "in 6 B/1 "

# --- bytes on another: its lines, and the focus's panes as they were --------
printf 'two-B\n' >&5
t_see "#2 data: Events line" "#2 recv\([0-9]+, 4096\) = 6  \"two-B\\\\n\""
t_see "#2 data: Connections count" " #2 ESTABLISHED 127\.0\.0\.1:[0-9]+ +6 B"
t_view "#2 data: the focus's panes still show #1's bytes" \
	-y "│00000000  6f 6e 65 2d 41 0a " -y "│one-A\\\\n" \
	-y "received +6 B " -y "in 6 B/1 " -n "74 77 6f 2d 42" -n "│two-B"

# --- more on the focus: the panes that stood still move again ----------------
printf 'one-C\n' >&4
t_see "#1 more: Hex row at offset 6" "│00000006  6f 6e 65 2d 43 0a "
t_see "#1 more: Text row" "│one-C\\\\n"
t_see "#1 more: Socket count" "received +12 B "
t_see "#1 more: title count" "in 12 B/2 "
t_see "#1 more: Connections count" ">#1 ESTABLISHED 127\.0\.0\.1:[0-9]+ +12 B"

# --- a key: the input line ----------------------------------------------------
t_keys -l "typed"
t_see "a key: the input line shows it" "^#1> typed"
t_keys C-u
t_not_see "a key: the line cleared" "^#1> typed"

# --- /notation: the lines shown narrated again --------------------------------
t_type "/notation python"
t_see "python: #1's line" "#1 conn\.recv\(4096\) → b'one-A\\\\n'"
t_see "python: #2's line" "#2 conn2\.recv\(4096\) → b'two-B\\\\n'"
t_never "python: no C line left" "#[12] recv\([0-9]+, 4096\)"
t_type "/notation c"
t_see "C again: #1's line" "#1 recv\([0-9]+, 4096\) = 6  \"one-C\\\\n\""
t_never "C again: no Python line left" "conn2?\.recv\(4096\)"

# --- a flood on the other connection ------------------------------------------
seq 1 3000 >&5
n=$(( $(seq 1 3000 | wc -c) + 6 ))
if t_until 10 t_events_got2_is "$n"; then
	t_pass "#2 flood: its recv() lines in the Events pane ($n B)"
else
	t_screen >"$D/last-screen"
	t_screen_fail "#2 flood: its recv() lines in the Events pane ($(t_events_got2) of $n B)"
fi
t_view "#2 flood: the focus's panes as they were" \
	-y "│00000006  6f 6e 65 2d 43 0a " -y "│one-C\\\\n" \
	-y "received +12 B " -n "│00000000  31 0a 32 0a"

# --- the lab view: #1's narration alone ---------------------------------------
t_type "/view lab"
t_see "lab: #1's recv without its name" "^\+[0-9.]+ recv\([0-9]+, 4096\) = 6  \"one-A\\\\n\""
t_never "lab: no line of #2" "two-B"
t_type "/view split"
t_must "split again" "┌ Connections"

# --- the Events pane scrolls through lines never shown ------------------------
# Tab: the Hex pane, the Text pane, then Events.
t_keys Tab Tab Tab
t_keys Home
t_see "Events: Home shows the first line" "^│\+[0-9.]+ getaddrinfo\(\"127\.0\.0\.1\", \"$P\"\) = 0"
t_keys End
t_not_see "Events: End leaves it" "getaddrinfo\("
t_keys PPage
t_settle
top=$(t_events_rows | head -1)
t_check "Events: PgUp shows a line ($top)" [ -n "$top" ]
# New lines below (their bytes show in the Socket pane): the lines in
# view stay where they are.
printf 'one-D\n' >&4
t_see "#1 more: Socket count" "received +18 B "
t_settle
t_check "Events: scrolled up, the view stays still" [ "$(t_events_rows | head -1)" = "$top" ]
t_keys End
t_see "Events: End shows the newest" "#1 recv\([0-9]+, 4096\) = 6  \"one-D\\\\n\""

t_type "/quit"
t_exit0 "/quit: exit 0"
t_done
