#!/bin/sh
# The loop's unit tests again with epoll from the start (SOCKSCOPE_POLL_MAX=0),
# so both ways of waiting are tested whatever the default.
SOCKSCOPE_POLL_MAX=0
export SOCKSCOPE_POLL_MAX
exec ./tests/test_loop
