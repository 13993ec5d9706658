#!/usr/bin/env bash
# bench/run.sh: how fast batch mode turns received bytes into a transcript,
# compared in the same run with the tools people use instead.
#
#   sockscope -n listen PORT >/dev/null      (hexdump -C transcript)
#   nc -l PORT | xxd >/dev/null              (the classic pipeline)
#   nc -l PORT >/dev/null                    (no formatting at all)
#
# A socat sender pushes the same SIZE bytes of random data to each over
# 127.0.0.1.  Reports wall times (best of RUNS) and ratios, then callgrind
# instructions per byte for our formatter, for the whole of sockscope, and
# for xxd: instruction counts do not depend on how busy the machine is.
#
# Usage: bench/run.sh [SIZE_MIB] [RUNS]     (defaults 256 and 3)
# Environment: SOCKSCOPE=path/to/sockscope (default src/sockscope).
set -eu
cd "$(dirname "$0")/.."
MIB=${1:-256}
RUNS=${2:-3}
S=${SOCKSCOPE:-src/sockscope}
for p in socat nc xxd valgrind callgrind_annotate cc bc ss; do
	command -v $p >/dev/null || { echo "bench: needs $p" >&2; exit 1; }
done
[ -x "$S" ] || { echo "bench: build first ($S missing)" >&2; exit 1; }

T=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$T"; true' EXIT
head -c $((MIB * 1048576)) /dev/urandom >"$T/data"

port() {
	while :; do
		p=$(( (RANDOM << 4 ^ RANDOM) % 30000 + 20000 ))
		ss -Htan "sport = :$p" | grep -q . || { echo $p; return; }
	done
}

# time_receiver "COMMAND with PORT": seconds from start to receiver exit.
time_receiver() {
	local best=""
	for _ in $(seq "$RUNS"); do
		P=$(port)
		local cmd=${1//PORT/$P}
		local t0 t1
		t0=$(date +%s.%N)
		bash -c "$cmd" &
		local rpid=$!
		while ! ss -Hltn "sport = :$P" | grep -q .; do sleep 0.01; done
		socat -u "FILE:$T/data" "TCP:127.0.0.1:$P"
		wait $rpid
		t1=$(date +%s.%N)
		local d
		d=$(echo "$t1 - $t0" | bc -l)
		if [ -z "$best" ] || [ "$(echo "$d < $best" | bc -l)" = 1 ]; then
			best=$d
		fi
	done
	echo "$best"
}

echo "== $MIB MiB over 127.0.0.1, best of $RUNS runs"
t_ss=$(time_receiver "$S -n listen PORT </dev/null >/dev/null")
t_ss64=$(time_receiver "$S -n -b 65536 listen PORT </dev/null >/dev/null")
t_xxd=$(time_receiver "nc -d -l 127.0.0.1 PORT | xxd >/dev/null")
t_nc=$(time_receiver "nc -d -l 127.0.0.1 PORT >/dev/null")
printf '%-34s %8.3f s  %8.1f MiB/s\n' "sockscope -n (transcript)" "$t_ss" "$(echo "$MIB / $t_ss" | bc -l)"
printf '%-34s %8.3f s  %8.1f MiB/s\n' "sockscope -n -b 65536" "$t_ss64" "$(echo "$MIB / $t_ss64" | bc -l)"
printf '%-34s %8.3f s  %8.1f MiB/s\n' "nc -l | xxd" "$t_xxd" "$(echo "$MIB / $t_xxd" | bc -l)"
printf '%-34s %8.3f s  %8.1f MiB/s\n' "nc -l (no formatting)" "$t_nc" "$(echo "$MIB / $t_nc" | bc -l)"
printf 'sockscope is %.1fx as fast as nc | xxd\n' "$(echo "$t_xxd / $t_ss" | bc -l)"
printf 'sockscope -b 65536 is %.1fx as fast as nc | xxd\n' "$(echo "$t_xxd / $t_ss64" | bc -l)"
printf 'sockscope takes %.1fx the time of plain nc\n' "$(echo "$t_ss / $t_nc" | bc -l)"

echo "== callgrind, 16 MiB (instructions per byte)"
head -c 16777216 "$T/data" >"$T/d16"
touch "$T/config.h"	# the formatter needs nothing configure finds
cc -O2 -Iinclude -I"$T" -o "$T/hb" bench/hexdump_bench.c src/hexdump.c src/util.c
ir() {	# total instructions of a callgrind run: ir OUTFILE
	grep -E '^(summary|totals):' "$1" | head -1 | awk '{print $2}'
}
valgrind --tool=callgrind --callgrind-out-file="$T/cg.hb" "$T/hb" 16 4096 >/dev/null 2>&1
fn=$(callgrind_annotate --inclusive=yes "$T/cg.hb" 2>/dev/null | grep -m1 'hexdump_chunk' | awk '{gsub(",","",$1); print $1}')
printf '%-34s %8.1f\n' "hexdump_chunk (formatter)" "$(echo "$fn / 16777216" | bc -l)"

P=$(port)
valgrind --tool=callgrind --callgrind-out-file="$T/cg.ss" "$S" -n listen "$P" </dev/null >/dev/null 2>&1 &
vpid=$!
while ! ss -Hltn "sport = :$P" | grep -q .; do sleep 0.05; done
socat -u "FILE:$T/d16" "TCP:127.0.0.1:$P"
wait $vpid || true
printf '%-34s %8.1f\n' "sockscope -n, whole program" "$(echo "$(ir "$T/cg.ss") / 16777216" | bc -l)"
valgrind --tool=callgrind --callgrind-out-file="$T/cg.xxd" xxd "$T/d16" >/dev/null 2>&1
printf '%-34s %8.1f\n' "xxd, whole program" "$(echo "$(ir "$T/cg.xxd") / 16777216" | bc -l)"
