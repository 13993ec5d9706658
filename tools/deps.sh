#!/bin/sh
# tools/deps.sh build|test: install what sockscope needs on Debian or Ubuntu.
# The one list of packages: the README's two commands and .ci/run call it,
# so they cannot drift apart.
#
#   build  the compiler, autotools and the libraries (enough to build and
#          run src/sockscope)
#   test   that plus every program the tests use, so that no end-to-end
#          test is skipped for want of one (make check, make distcheck with
#          sanitizers and with libFuzzer)
#
# Runs apt-get update first; as root, or through sudo otherwise.
set -eu

BUILD_PKGS="build-essential autoconf automake pkg-config
	libncurses-dev libreadline-dev libcmocka-dev libssl-dev"

# The peers and tools of tests/e2e_*.sh (socat, ncat, nc, curl, tmux,
# xxd, column/hexdump, python3, openssl, strace, ss/ip, pgrep), the
# sanitizer and fuzzing builds (clang, its runtime, llvm), valgrind, the
# browser test (chromium) and a UTF-8 locale.
TEST_PKGS="socat ncat netcat-openbsd curl tmux xxd bsdextrautils python3
	openssl strace valgrind clang libclang-rt-14-dev llvm chromium
	ca-certificates locales procps iproute2"

# Print the usage line on standard error and exit 2.
deps_usage() {
	echo "usage: tools/deps.sh build|test" >&2
	exit 2
}

[ $# -eq 1 ] || deps_usage
case $1 in
build)	pkgs=$BUILD_PKGS ;;
test)	pkgs="$BUILD_PKGS $TEST_PKGS" ;;
*)	deps_usage ;;
esac

if [ "$(id -u)" -eq 0 ]; then
	SUDO=
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "tools/deps.sh: run it as root, or install sudo" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # the lists are split on purpose
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $pkgs
