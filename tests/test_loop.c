/*
 * test_loop.c: the loop library (loop.c) with real pipes and files:
 * descriptors and their callbacks, timers that exist only while due,
 * a stale event for a descriptor deleted earlier in the same turn, files
 * epoll cannot watch, the move from poll() to epoll past poll_max, work
 * deferred to a quiet moment, and a signal handed to the front end.  tests/test_loop_epoll.sh runs it all
 * again with epoll from the start.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockscope/loop.h"

static struct {
	int	turns;
	int	stop_after;	/* turns; 0 = never by count */
	int	quit;
	int	signal;
	int	fired[8];
	int	nfired;
	int	calls_a, calls_b, calls_c;
	int	fd_b;
	int	pipe_c[2];
	int	want;		/* test_many: reads to stop after */
	int	held;		/* test_deferred: work waiting */
	int	blocked;	/* before_block() calls */
	int	reads_at_block;	/* calls_a when before_block() ran */
	int	blocked_at_read[4];
} t;

/* No standard input here. */
static int
tl_want_input(void *arg)
{
	(void)arg;
	return 0;
}

/* Never called: input is not wanted. */
static void
tl_on_input(short revents, void *arg)
{
	(void)revents;
	(void)arg;
	fail();
}

/* Remember the signal and stop. */
static void
tl_on_signal(int sig, void *arg)
{
	(void)arg;
	t.signal = sig;
	t.quit = 1;
}

/* Count turns. */
static void
tl_before_sleep(int *timeout_ms, void *arg)
{
	(void)timeout_ms;
	(void)arg;
	t.turns++;
}

/* Done on quit, or after stop_after turns. */
static int
tl_done(void *arg)
{
	(void)arg;
	return t.quit || (t.stop_after > 0 && t.turns >= t.stop_after);
}

static const struct loop_frontend tl_fe = {
	.want_input = tl_want_input,
	.on_input = tl_on_input,
	.on_signal = tl_on_signal,
	.before_sleep = tl_before_sleep,
	.done = tl_done,
};

/* Record which timer fired; the last one stops the loop. */
static void
tl_timer(long long id, void *arg)
{
	(void)id;
	t.fired[t.nfired++] = (int)(long)arg;
	if ((int)(long)arg == 3)
		t.quit = 1;
}

/* Set up once. */
static int
tl_setup(void **state)
{
	(void)state;
	loop_init();
	return 0;
}

/* Reset the counters. */
static int
tl_reset(void **state)
{
	(void)state;
	memset(&t, 0, sizeof t);
	return 0;
}

/* Timers fire in time order, once; none remains after, none canceled
 * fires. */
static void
test_timers(void **state)
{
	long long	cancel;

	(void)state;
	assert_int_equal(loop_timers(), 0);
	loop_add_timer(30, tl_timer, (void *)3);
	loop_add_timer(10, tl_timer, (void *)1);
	cancel = loop_add_timer(5, tl_timer, (void *)9);
	loop_add_timer(20, tl_timer, (void *)2);
	assert_int_equal(loop_timers(), 4);
	loop_del_timer(cancel);
	loop_del_timer(cancel);		/* twice: ignored */
	assert_int_equal(loop_timers(), 3);
	loop_run(&tl_fe);
	assert_int_equal(t.nfired, 3);
	assert_int_equal(t.fired[0], 1);
	assert_int_equal(t.fired[1], 2);
	assert_int_equal(t.fired[2], 3);
	/* A timer exists only while something is due. */
	assert_int_equal(loop_timers(), 0);
}

/* A: reads its pipe and stops after two calls. */
static void
tl_fd_a(int fd, int revents, void *arg)
{
	char	buf[16];

	(void)arg;
	assert_true(revents & LOOP_READ);
	assert_true(read(fd, buf, sizeof buf) > 0);
	if (++t.calls_a == 2)
		t.quit = 1;
}

/* Descriptors are reported while ready; mod 0 stops it, del forgets it. */
static void
test_fd(void **state)
{
	int	p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(loop_add_fd(p[0], LOOP_READ, tl_fd_a, NULL), 0);
	assert_int_equal(loop_add_fd(p[0], LOOP_READ, tl_fd_a, NULL), -1);
	assert_int_equal(write(p[1], "x", 1), 1);
	t.stop_after = 2;
	loop_run(&tl_fe);
	assert_int_equal(t.calls_a, 1);

	/* Not watched: written, but not reported. */
	assert_int_equal(loop_mod_fd(p[0], 0), 0);
	assert_int_equal(write(p[1], "y", 1), 1);
	t.turns = 0;
	/* The timer ends the wait; then stop by count. */
	loop_add_timer(20, tl_timer, (void *)7);
	t.stop_after = 2;
	loop_run(&tl_fe);
	assert_int_equal(t.calls_a, 1);

	/* Watched again: the byte is there. */
	assert_int_equal(loop_mod_fd(p[0], LOOP_READ), 0);
	t.stop_after = 0;
	t.turns = 0;
	loop_run(&tl_fe);
	assert_int_equal(t.calls_a, 2);
	loop_del_fd(p[0]);
	loop_del_fd(p[0]);		/* unknown: ignored */
	assert_int_equal(loop_mod_fd(p[0], LOOP_READ), -1);
	close(p[0]);
	close(p[1]);
}

/* C: the new owner of a reused descriptor number. */
static void
tl_fd_c(int fd, int revents, void *arg)
{
	(void)fd;
	(void)revents;
	(void)arg;
	t.calls_c++;
}

/* B: whichever of the two runs first deletes the other's descriptor and
 * puts a new, quiet pipe in its place (the same number). */
static void
tl_fd_b(int fd, int revents, void *arg)
{
	int	other = (int)(long)arg, victim;

	(void)revents;
	t.calls_b++;
	t.quit = 1;
	if (t.calls_b > 1)
		return;
	victim = fd == t.fd_b ? other : t.fd_b;
	loop_del_fd(victim);
	close(victim);
	/* The same number, now a quiet pipe with another owner. */
	assert_int_equal(pipe(t.pipe_c), 0);
	if (t.pipe_c[0] != victim) {
		assert_int_equal(dup2(t.pipe_c[0], victim), victim);
		close(t.pipe_c[0]);
		t.pipe_c[0] = victim;
	}
	assert_int_equal(loop_add_fd(victim, LOOP_READ, tl_fd_c, NULL), 0);
	loop_del_fd(fd);
}

/* An event taken in the same turn for a descriptor that was deleted
 * meanwhile (and its number reused) is not delivered to anyone. */
static void
test_stale_event(void **state)
{
	int	p1[2], p2[2];

	(void)state;
	assert_int_equal(pipe(p1), 0);
	assert_int_equal(pipe(p2), 0);
	t.fd_b = p1[0];
	assert_int_equal(loop_add_fd(p1[0], LOOP_READ, tl_fd_b,
	    (void *)(long)p2[0]), 0);
	assert_int_equal(loop_add_fd(p2[0], LOOP_READ, tl_fd_b,
	    (void *)(long)p2[0]), 0);
	assert_int_equal(write(p1[1], "a", 1), 1);
	assert_int_equal(write(p2[1], "b", 1), 1);
	loop_run(&tl_fe);
	/* Exactly one of the two ran; the new pipe (quiet) was not told. */
	assert_int_equal(t.calls_b, 1);
	assert_int_equal(t.calls_c, 0);
	loop_del_fd(t.pipe_c[0]);
	close(t.pipe_c[0]);
	close(t.pipe_c[1]);
	close(p1[1]);
	close(p2[1]);
	/* The one not replaced is still open. */
	close(t.pipe_c[0] == p1[0] ? p2[0] : p1[0]);
}

/* A regular file (which epoll refuses) is reported ready every turn. */
static void
test_regular_file(void **state)
{
	char	path[] = "/tmp/test_loop.XXXXXX";
	int	fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(loop_add_fd(fd, LOOP_READ, tl_fd_c, NULL), 0);
	t.stop_after = 3;
	loop_run(&tl_fe);
	assert_true(t.calls_c >= 2);
	loop_del_fd(fd);
	close(fd);
}

/* Read one byte per call, so the pipe stays ready for several turns;
 * note whether the deferred work was done before. */
static void
tl_fd_one(int fd, int revents, void *arg)
{
	char	c;

	(void)arg;
	if ((revents & LOOP_READ) && read(fd, &c, 1) == 1 && t.calls_a < 4)
		t.blocked_at_read[t.calls_a++] = t.blocked;
}

/* test_deferred: work is held while t.held says so. */
static int
tl_deferred(void *arg)
{
	(void)arg;
	return t.held;
}

/* The loop found nothing ready: do the held work. */
static void
tl_before_block(void *arg)
{
	(void)arg;
	t.blocked++;
	t.reads_at_block = t.calls_a;
	t.held = 0;
}

/* Deferred work waits while descriptors are ready, and is done once,
 * before the loop sleeps; with none held, before_block is not called. */
static void
test_deferred(void **state)
{
	static const struct loop_frontend fe = {
		.want_input = tl_want_input,
		.on_input = tl_on_input,
		.on_signal = tl_on_signal,
		.before_sleep = tl_before_sleep,
		.done = tl_done,
		.deferred = tl_deferred,
		.before_block = tl_before_block,
	};
	int	p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "abc", 3), 3);
	assert_int_equal(loop_add_fd(p[0], LOOP_READ, tl_fd_one, NULL), 0);
	t.held = 1;
	/* Ends the sleep that follows the before_block() call. */
	loop_add_timer(20, tl_timer, (void *)3);
	loop_run(&fe);
	assert_int_equal(t.calls_a, 3);
	assert_int_equal(t.blocked_at_read[0], 0);
	assert_int_equal(t.blocked_at_read[1], 0);
	assert_int_equal(t.blocked_at_read[2], 0);
	assert_int_equal(t.blocked, 1);
	assert_int_equal(t.reads_at_block, 3);
	assert_int_equal(t.nfired, 1);

	/* Nothing held: the loop sleeps without calling it. */
	t.quit = 0;
	t.nfired = 0;
	loop_add_timer(5, tl_timer, (void *)3);
	assert_int_equal(write(p[1], "d", 1), 1);
	loop_run(&fe);
	assert_int_equal(t.calls_a, 4);
	assert_int_equal(t.blocked, 1);
	loop_del_fd(p[0]);
	close(p[0]);
	close(p[1]);
}

/* Count a readable pipe's reports and drain it. */
static void
tl_fd_many(int fd, int revents, void *arg)
{
	char	buf[16];

	(void)arg;
	if (revents & LOOP_READ) {
		if (read(fd, buf, sizeof buf) > 0)
			t.calls_a++;
	}
	if (t.calls_a == t.want)
		t.quit = 1;
}

/* Past poll_max watched descriptors the loop moves to epoll, and every
 * descriptor watched before (a pipe, a regular file that epoll refuses)
 * goes on being reported. */
static void
test_many(void **state)
{
	char	path[] = "/tmp/test_loop.XXXXXX";
	int	p[8][2], i, file = mkstemp(path);

	(void)state;
	assert_true(file >= 0);
	unlink(path);
	/* SOCKSCOPE_POLL_MAX=0 (the second run) is epoll from the start. */
	if (getenv("SOCKSCOPE_POLL_MAX") == NULL)
		assert_string_equal(loop_backend(), "poll");
	loop_set_poll_max(6);
	assert_int_equal(loop_add_fd(file, LOOP_READ, tl_fd_c, NULL), 0);
	for (i = 0; i < 8; i++) {
		assert_int_equal(pipe(p[i]), 0);
		assert_int_equal(loop_add_fd(p[i][0], LOOP_READ, tl_fd_many,
		    NULL), 0);
		assert_int_equal(write(p[i][1], "x", 1), 1);
	}
	/* The signal pipe, the file and 8 pipes: more than 6. */
	assert_string_equal(loop_backend(), "epoll");
	t.want = 8;
	loop_run(&tl_fe);
	assert_int_equal(t.calls_a, 8);
	assert_true(t.calls_c >= 1);
	/* Quiet now; one more byte on the last pipe is reported alone. */
	t.quit = 0;
	t.want = 9;
	assert_int_equal(write(p[7][1], "y", 1), 1);
	loop_run(&tl_fe);
	assert_int_equal(t.calls_a, 9);
	for (i = 0; i < 8; i++) {
		loop_del_fd(p[i][0]);
		close(p[i][0]);
		close(p[i][1]);
	}
	loop_del_fd(file);
	close(file);
}

/* A signal reaches the front end through the self-pipe. */
static void
test_signal(void **state)
{
	(void)state;
	raise(SIGUSR1);
	loop_run(&tl_fe);
	assert_int_equal(t.signal, SIGUSR1);
}

/* Run every case; the loop is set up once. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_timers, tl_reset),
		cmocka_unit_test_setup(test_fd, tl_reset),
		cmocka_unit_test_setup(test_stale_event, tl_reset),
		cmocka_unit_test_setup(test_regular_file, tl_reset),
		cmocka_unit_test_setup(test_deferred, tl_reset),
		/* Last but one: it leaves the loop on epoll for good. */
		cmocka_unit_test_setup(test_many, tl_reset),
		cmocka_unit_test_setup(test_signal, tl_reset),
	};

	return cmocka_run_group_tests(tests, tl_setup, NULL);
}
