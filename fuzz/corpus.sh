#!/bin/sh
# fuzz/corpus.sh: the fuzz targets as a regression test in make check.
# Runs every target in $FUZZ_TARGETS (fuzz/cmd-fuzzer ...) once over each
# file of its corpus, $top_srcdir/fuzz/corpus/<target>/: the seeds and
# every input fuzzing found worth keeping.  A failed check in a target
# aborts it, and this test fails with the target's output.
#
# $FUZZ_ENGINE says how the targets were built: "driver" (fuzz/driver.c,
# given the folder) or "libfuzzer" (--enable-fuzzing; given the files, so
# that it runs each once instead of fuzzing).  Makefile.am sets all four
# variables; nothing is written to the source tree (make distcheck has it
# read-only).

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${FUZZ_ENGINE:=driver}"

if [ -z "${FUZZ_TARGETS:-}" ]; then
	echo "FUZZ_TARGETS is not set: run this through make check"
	exit 99
fi

out=$(mktemp "${TMPDIR:-/tmp}/sockscope-corpus.XXXXXX") || exit 99
trap 'rm -f "$out"' EXIT
trap 'exit 1' INT TERM

failed=0
for target in $FUZZ_TARGETS; do
	name=$(basename "$target")
	bin=$top_builddir/$target
	corpus=$top_srcdir/fuzz/corpus/$name
	set -- "$corpus"/*
	if [ ! -x "$bin" ] || [ ! -f "$1" ]; then
		echo "not ok - $name: no program $bin or no inputs in $corpus"
		failed=$((failed + 1))
		continue
	fi
	n=$#
	if [ "$FUZZ_ENGINE" = libfuzzer ]; then
		"$bin" "$@" >"$out" 2>&1
	else
		"$bin" "$corpus" >"$out" 2>&1
	fi
	st=$?
	if [ "$st" -eq 0 ]; then
		echo "ok - $name: $n inputs"
	else
		echo "not ok - $name: exit $st"
		sed 's/^/#   /' "$out" | tail -80
		failed=$((failed + 1))
	fi
done
echo "corpus: $failed target(s) failed"
[ "$failed" -eq 0 ]
