#!/usr/bin/env bash
# End-to-end tests of the full screen's keys, driven as a person would: tmux
# runs sockscope, send-keys types (and pastes), capture-pane reads what a
# user sees.  Help, views, scrolling and pane focus, completion, pasting,
# UTF-8 typing, hostile peer bytes, /clear, a tiny terminal and Ctrl-C.
# Real peers (socat) on 127.0.0.1.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

t_need tmux socat ss timeout seq
S=$SOCKSCOPE
D=$T_DIR



# t_must, t_exit0, t_wait_gone, t_not_see, t_never, t_view, t_cursor_x,
# t_cursor_at and t_resized are in tests/lib.sh.

# === 1. against an echo peer ================================================
P=$(t_free_port)
socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr,fork" PIPE >/dev/null 2>&1 &
t_bg $!
t_wait_port "$P"

t_tmux_start 120 30 "$S 127.0.0.1 $P"
t_must "echo: established" "sockscope .*127\.0\.0\.1:$P +ESTABLISHED"
t_see "echo: prompt names the connection" "^#1>( |$)"

# --- F1: the help overlay; any key closes it --------------------------------
t_keys F1
t_see "F1: help overlay shown" "Help: any key closes"
t_see "F1: help lists the F2 key" "F2 .*view"
t_see "F1: help lists /connect" "/connect"
t_see "F1: help lists F10" "F10"
t_see "F1: help lists the last command, /quit" "/quit"
t_resized 80 24
t_see "F1 at 80x24: the help stays open" "Help: any key closes"
t_see "F1 at 80x24: help still lists /connect" "/connect"
t_see "F1 at 80x24: help reaches /quit (every command listed)" "/quit"
t_resized 120 30
t_keys x
t_not_see "F1: a key closes the help" "Help: any key closes"
t_see "F1: the panes are back" "Hex #1 .*Text #1 "
t_keys C-u

# --- F2 and /view cycle the views --------------------------------------------
HEX='[┌├] Hex #1 ' TXT='[┌├] Text #1 '
t_view "views: split shows Hex and Text" -y "$HEX" -y "$TXT"
t_keys F2
t_view "F2: hex view (no Text pane)" -y "$HEX" -n "$TXT"
t_keys F2
t_view "F2: text view (no Hex pane)" -y "$TXT" -n "$HEX"
t_keys F2
t_view "F2: lab view (bare Text, kernel row)" -y '^─ Text #1 ─' \
	-y 'rx 0 B · tx 0 B · ESTABLISHED' -n "$HEX"
t_keys F2
t_view "F2: pair view (#1 and no other yet)" -y '┌ >Text #1 ESTABLISHED' \
	-y 'Text: no other connection yet'
t_keys F2
t_view "F2: back to split" -y "$HEX" -y "$TXT"
t_type "/view hex"
t_view "/view hex: no Text pane" -y "$HEX" -n "$TXT"
t_type "/view text"
t_view "/view text: no Hex pane" -y "$TXT" -n "$HEX"
t_type "/view split"
t_view "/view split: Hex and Text" -y "$HEX" -y "$TXT"

# --- completion --------------------------------------------------------------
t_keys -l "/shu"
t_see "completion: typed /shu" "^#1> /shu$"
t_keys Tab
t_see "completion: /shu Tab gives /shutdown" "^#1> /shutdown *$"
t_cursor_at "completion: a blank after /shutdown (cursor_x 14)" 14
t_see "completion: Tab does not run the command" \
	"127\.0\.0\.1:$P +ESTABLISHED"
t_keys C-u
t_see "completion: line cleared" "^#1> *$"
t_keys -l "/auto o"
t_keys Tab
t_keys Tab
t_see "completion: /auto o Tab Tab lists on and off" "(^|[^a-z])(on +off|off +on)([^a-z]|$)"
t_see "completion: the line still reads /auto o" "^#1> /auto o$"
t_keys C-u
t_see "completion: line cleared again" "^#1> *$"

# --- UTF-8 typing ------------------------------------------------------------
t_keys -l "héllo 日本"
t_see "UTF-8: the input line shows héllo 日本" "^#1> héllo 日本$"
# "#1> " 4 columns, "héllo " 6, "日本" 4.
t_cursor_at "UTF-8: the cursor is after 日本 (cursor_x 14)" 14
t_keys Left
t_cursor_at "UTF-8: Left moves over one wide character (cursor_x 12)" 12
t_keys End
t_keys BSpace
t_see "UTF-8: Backspace deletes one whole character" "^#1> héllo 日$"
t_cursor_at "UTF-8: the cursor after 日 (cursor_x 12)" 12
t_keys -l "本"
t_cursor_at "UTF-8: 本 typed again (cursor_x 14)" 14
t_keys Enter
t_see "UTF-8: sent 14 bytes" "#1 send\([0-9]+, 14, [A-Z_|]+\) = 14"
t_see "UTF-8: the Text pane shows the echo héllo 日本\\n" "│héllo 日本\\\\n"
t_see "UTF-8: the Hex pane shows its bytes" "00000000  68 c3 a9 6c 6c 6f 20 e6 "
t_see "UTF-8: the Hex pane shows its bytes (2)" "00000008  97 a5 e6 9c ac 0a "

# --- pasting three lines at once -----------------------------------------------
tmux -L "$T_TMUX" set-buffer -b three $'one\ntwo\nthree\n'
tmux -L "$T_TMUX" paste-buffer -p -b three -t t
t_see "paste: send of one" "#1 send\([0-9]+, 4, [A-Z_|]+\) = 4"
t_see "paste: send of three" "#1 send\([0-9]+, 6, [A-Z_|]+\) = 6"
n=$(t_screen | grep -Ec '#1 send\([0-9]+, (4|6), [A-Z_|]+\) = (4|6)')
t_check "paste: three send() calls in the Events pane ($n)" [ "$n" -ge 3 ]
t_see "paste: Text pane shows one\\n" "│one\\\\n"
t_see "paste: Text pane shows two\\n" "│two\\\\n"
t_see "paste: Text pane shows three\\n" "│three\\\\n"
t_see "paste: the input line is empty afterwards" "^#1> *$"

# --- pasting a hundred lines at once --------------------------------------------
# Bytes out, from the title bar (under 1 KiB here).
outb() {
	t_screen | sed -n '1s/.* out \([0-9]*\) B .*/\1/p'
}
before=$(outb)
tmux -L "$T_TMUX" set-buffer -b hundred "$(seq -f 'line-%03g' 1 100)
"
tmux -L "$T_TMUX" paste-buffer -p -b hundred -t t
t_see "paste 100: the last line was sent and echoed" "│line-100\\\\n"
t_see "paste 100: the title counts 900 more bytes out" " out $((before + 900)) B "
t_see "paste 100: Socket pane counts 104 sends" "(sends +104|in 104 se)"
t_see "paste 100: the input line is empty afterwards" "^#1> *$"

# --- new data while scrolled up keeps the view still -------------------------------
hexrow() {
	t_screen | sed -n 3p | awk -F'│' '{print $2}'
}
t_keys PPage
t_see "scrolled: PgUp shows the more-indicator" "↓ [0-9]+ more"
top=$(hexrow)
more=$(t_screen | grep -Eo '↓ [0-9]+ more' | head -1)
t_type "scrolled-still"
t_see "scrolled: the new line was echoed" "#1 recv\([0-9]+, 4096\) = 15"
t_settle
t_check "scrolled: the Hex pane's top row did not move ($top)" \
	[ "$(hexrow)" = "$top" ]
now=$(t_screen | grep -Eo '↓ [0-9]+ more' | head -1)
t_check "scrolled: the more-count grew ($more -> $now)" \
	[ "${now//[^0-9]/}" -gt "${more//[^0-9]/}" ]
t_keys Tab
t_keys End
t_view "scrolled: Tab, End follows the tail again" -y '\|-still\.\|' -n "↓ [0-9]+ more"
t_keys BTab

# --- Ctrl-C on a non-empty line clears it --------------------------------------
t_keys -l "not sent"
t_see "Ctrl-C: typed a line" "^#1> not sent$"
t_keys C-c
t_see "Ctrl-C: a non-empty line is cleared" "^#1> *$"
t_settle
t_check "Ctrl-C: a non-empty line does not quit" [ ! -f "$D/exit" ]
t_never "Ctrl-C: the cleared line was not sent" "not sent"

# --- a 40x10 terminal --------------------------------------------------------------
t_resized 40 10
t_see "40x10: the input line" "^#1>( |$)"
# The only place left that names the state: it must be whole.
t_see "40x10: the title bar shows the state word whole" "^ sockscope .*ESTABLISHED"
t_see "40x10: the Hex pane still shows data" "│0000[0-9a-f]{4}  [0-9a-f]{2} "
t_see "40x10: the Text pane still shows data" "│scrolled-still\\\\n"
t_type "tiny"
t_see "40x10: the tiny line left the input" "^#1> *$"
long=$(printf 'abcdefghij%.0s' 1 2 3 4 5 6)
t_keys -l "$long"
t_see "40x10: a 60-character line shows its end" "hij$"
x=$(t_cursor_x)
t_check "40x10: the cursor stays on screen (cursor_x $x)" [ "$x" -ge 4 -a "$x" -le 39 ]
t_keys Enter
t_see "40x10: the line left the input" "^#1> *$"
t_resized 120 30
t_see "40x10: back at 120x30, the typed line was sent" "#1 send\([0-9]+, 5, [A-Z_|]+\) = 5"
t_see "40x10: the 60-character line was sent whole" "#1 send\([0-9]+, 61, [A-Z_|]+\) = 61"
t_see "40x10: and echoed (Text pane tiny\\n)" "│tiny\\\\n"

# --- /clear --------------------------------------------------------------------------
t_see "clear: title counts bytes in and out" "in [0-9]+ B/[0-9]+ +out [0-9]+ B"
before=$(t_screen | grep -Eo 'in [0-9]+ B/[0-9]+ +out [0-9]+ B' | head -1)
t_type "/clear"
t_view "/clear: Hex and Text panes empty" \
	-y "│nothing received or sent yet.*│nothing received or sent yet" \
	-n "│(one|two|three|tiny|héllo)"
t_see "/clear: the title bar counters stay ($before)" "${before:-in [0-9]+ B}"
t_see "/clear: still established" "127\.0\.0\.1:$P +ESTABLISHED"
t_type "after"
t_see "/clear: new data shows again" "│after\\\\n"

# --- any key closes the help, Tab too --------------------------------------------
t_keys F1
t_see "F1 again: help shown" "Help: any key closes"
t_keys Tab
t_not_see "F1: Tab closes the help too" "Help: any key closes"
t_keys x
t_keys C-u
t_not_see "F1: closed" "Help: any key closes"

# --- Ctrl-C on an empty line quits ---------------------------------------------
t_see "Ctrl-C: empty line" "^#1> *$"
t_keys C-c
if t_wait_exit 10; then
	t_check "Ctrl-C: exit status 0" [ "$(cat "$D/exit")" = 0 ]
	t_check "Ctrl-C: terminal back in canonical mode" \
		grep -Eq '(^| )icanon( |;|$)' "$D/stty"
	t_check "Ctrl-C: echo back on" grep -Eq '(^| )echo( |;|$)' "$D/stty"
	t_check "Ctrl-C: not raw" sh -c "! grep -Eq -- '(^| )-(icanon|echo|isig|opost)( |$)' '$D/stty'"
else
	t_screen >"$D/last-screen"
	t_screen_fail "Ctrl-C: an empty line quits"
fi
tmux -L "$T_TMUX" kill-server 2>/dev/null

# === 2. scrolling against a peer that sends 300 lines =========================
rm -f "$D/exit" "$D/stty"
P=$(t_free_port)
socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr" SYSTEM:'seq 1 300; timeout 30 cat >/dev/null' \
	>/dev/null 2>&1 &
t_bg $!
t_wait_port "$P"

t_tmux_start 120 30 "$S 127.0.0.1 $P"
# 1092 bytes: the last Hex row is at offset 0x440 and holds "300\n".
TAILHEX='00000440  33 30 30 0a .*\|300\.\|'
MORE='↓ [0-9]+ more'
t_must "scroll: all 1092 bytes arrived" "in 1\.1 KiB|in 1092 B"
t_see "scroll: the Hex pane shows the tail" "$TAILHEX"
t_see "scroll: the Text pane shows the last line" "│300\\\\n"
t_never "scroll: no more-indicator at the tail" "$MORE"

t_keys PPage
t_view "PgUp: Hex shows older rows and '↓ N more'" -y "$MORE" -n "$TAILHEX" \
	-y "│00000[0-3][0-9a-f]0  "
t_see "PgUp: the Text pane stays at its tail" "│300\\\\n"
t_keys NPage
t_view "PgDn: back to the tail" -y "$TAILHEX" -n "$MORE"

t_keys PPage
t_view "PgUp again: scrolled" -y "$MORE" -n "$TAILHEX"
t_keys Tab
t_keys End
t_view "Tab, End: Hex follows the tail again" -y "$TAILHEX" -n "$MORE"
t_keys Up
t_view "focus on Hex: Up scrolls one row" -y "↓ 1 more" -n "$TAILHEX"
t_keys Up
t_view "focus on Hex: Up again, two rows" -y "↓ 2 more"
t_keys Down
t_view "focus on Hex: Down scrolls back" -y "↓ 1 more"
t_keys Down
t_view "focus on Hex: Down to the tail" -y "$TAILHEX" -n "$MORE"
t_keys Home
t_view "focus on Hex: Home shows the first row" -y "│00000000  31 0a 32 0a" -y "$MORE"
t_keys End
t_view "focus on Hex: End follows the tail" -y "$TAILHEX" -n "$MORE"

# Tab again: the Text pane; PgUp there scrolls Text, not Hex.
t_keys Tab
t_keys PPage
t_view "focus on Text: PgUp scrolls the Text pane" -y "$MORE" -y "$TAILHEX" \
	-n "│300\\\\n"
t_keys End
t_view "focus on Text: End returns to 300\\n" -y "│300\\\\n" -n "$MORE"

# Shift-Tab back to Hex, then to the input line: Up is history there.
t_keys BTab
t_keys Up
t_view "Shift-Tab: focus back on Hex (Up scrolls it)" -y "↓ 1 more" -n "$TAILHEX"
t_keys End
t_view "Shift-Tab: End on Hex" -y "$TAILHEX" -n "$MORE"
t_keys BTab
t_type "/eol crlf"
t_see "Shift-Tab: the input line runs commands" "eol CRLF"
t_keys Up
t_see "Shift-Tab: on the input line Up recalls history" "^#1> /eol crlf$"
t_never "Shift-Tab: on the input line Up does not scroll" "$MORE"
t_keys C-u
t_keys -l "abc"
t_see "Tab on a plain line: typed abc" "^#1> abc$"
t_keys Tab
t_keys Up
t_view "Tab on a plain line: moves focus to Hex (Up scrolls)" -y "↓ 1 more" \
	-y "^#1> abc$"
t_keys End
t_keys BTab
t_keys C-u
t_keys F10
t_exit0 "scroll: F10 exits 0"
tmux -L "$T_TMUX" kill-server 2>/dev/null

# === 3. a hostile peer ==============================================================
rm -f "$D/exit" "$D/stty"
P=$(t_free_port)
cat >"$D/hostile.sh" <<'EOS'
printf '\033]0;PWNED\007\033[2J\033[31mred\233\302\233\342\200\256evil\000\007'
# Stay until sockscope closes (then cat reads EOF), at most 30 s.
exec timeout 30 cat >/dev/null
EOS
socat "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr" "SYSTEM:sh $D/hostile.sh" \
	>/dev/null 2>&1 &
t_bg $!
t_wait_port "$P"

t_tmux_start 160 40 "$S 127.0.0.1 $P"
t_must "hostile: 34 bytes arrived" "in 34 B/1"
t_see "hostile: the Text pane shows ESC ] 0;PWNED escaped" '\\x1b\]0;PWNED\\x07'
t_see "hostile: ESC [2J and ESC [31m shown escaped" '\\x1b\[2J\\x1b\[31mred'
t_see "hostile: C1 CSI bytes shown escaped" 'red\\x9b\\xc2\\x9b'
t_see "hostile: the RTL override shown escaped" '\\xe2\\x80\\xaeevil'
t_see "hostile: NUL and BEL shown escaped" 'evil\\x00\\x07'
t_see "hostile: the Hex pane shows the bytes" '00000000  1b 5d 30 3b 50 57 4e 45 .*\|\.\]0;PWNE'
title=$(tmux -L "$T_TMUX" display-message -p -t t '#{pane_title}')
t_check "hostile: the window title is not changed ($title)" \
	[ "${title#*PWNED}" = "$title" ]
t_see "hostile: the screen is not cleared (title bar)" "^ sockscope "
t_see "hostile: the screen is not cleared (panes)" "Events"
t_see "hostile: the screen is not cleared (input line)" "^#1>( |$)"
t_keys F10
t_exit0 "hostile: F10 exits 0"
tmux -L "$T_TMUX" kill-server 2>/dev/null

t_done
