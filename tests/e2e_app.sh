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

t_done
