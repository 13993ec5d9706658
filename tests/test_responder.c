/*
 * test_responder.c: cmocka tests for responder.c: each kind byte for byte,
 * the same answer whether input comes whole or one byte at a time, the
 * timers' sequence of drip, chunky, slow, reset and chargen, the http
 * responder's pages, and the bound on what a responder holds.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockscope/responder.h"
#include "sockscope/textesc.h"
#include "sockscope/util.h"

/* 2025-12-02 09:04:05 UTC. */
#define TEST_NOW	1764666245000ULL

/* Append the responder's actions to t, one line each. */
static void
test_take(struct responder *r, struct sbuf *t)
{
	struct responder_action	a;

	while (responder_next(r, &a)) {
		sbuf_adds(t, responder_action_name(a.kind));
		switch (a.kind) {
		case RESPONDER_A_SEND:
			sbuf_addc(t, ' ');
			textesc_quote(t, a.data, a.len, 1);
			break;
		case RESPONDER_A_WAIT:
			sbuf_printf(t, " %llu", (unsigned long long)a.ms);
			break;
		case RESPONDER_A_READ_LIMIT:
			sbuf_printf(t, " %zu", a.limit);
			break;
		default:
			break;
		}
		sbuf_addc(t, '\n');
	}
}

/* The actions as a malloc'd string ("" for none). */
static char *
test_str(struct sbuf *t)
{
	char	*s = t->p != NULL ? xstrdup(t->p) : xstrdup("");

	sbuf_reset(t);
	return s;
}

/* Check the actions taken now against want. */
static void
test_expect(struct responder *r, const char *want)
{
	struct sbuf	 t = { 0 };
	char		*got;

	test_take(r, &t);
	got = test_str(&t);
	assert_string_equal(got, want);
	free(got);
	sbuf_free(&t);
}

/*
 * A shell as the engine will be: feed input in pieces of at most step
 * bytes within READ_LIMIT, then EOF, firing the timer and reporting the
 * queue drained whenever there is nothing to read; stop when the
 * responder is done or stuck, or after max bytes sent.  With a max (not
 * SIZE_MAX) the peer never finishes sending.
 */
struct test_shell {
	struct sbuf	sent;		/* every SEND, joined */
	struct sbuf	pieces;		/* SEND sizes, "3 1 4 " */
	int		timer;
	uint64_t	wait;
	uint64_t	now;
	size_t		budget;
	int		shut, closed, reset;
	int		drained;	/* a SEND not yet reported written */
	size_t		held_max;	/* most bytes held between calls */
	size_t		limits;		/* READ_LIMIT actions */
};

/* Apply the responder's actions. */
static void
test_shell_take(struct test_shell *s, struct responder *r)
{
	struct responder_action	a;
	size_t			held;

	while (responder_next(r, &a)) {
		assert_false(s->closed || s->reset);
		switch (a.kind) {
		case RESPONDER_A_SEND:
			assert_true(a.len > 0);
			sbuf_add(&s->sent, a.data, a.len);
			sbuf_printf(&s->pieces, "%zu ", a.len);
			s->drained = 1;
			break;
		case RESPONDER_A_WAIT:
			s->timer = 1;
			s->wait = a.ms;
			break;
		case RESPONDER_A_READ_LIMIT:
			s->budget = a.limit;
			s->limits++;
			break;
		case RESPONDER_A_SHUTDOWN:
			s->shut = 1;
			break;
		case RESPONDER_A_CLOSE:
			s->closed = 1;
			break;
		case RESPONDER_A_RESET:
			s->reset = 1;
			break;
		}
	}
	held = responder_held(r);
	if (held > s->held_max)
		s->held_max = held;
	assert_true(held <= RESPONDER_HOLD_MAX);
}

/* Run kind over n bytes of input as a shell would; see struct test_shell. */
static void
test_shell_run(struct test_shell *s, enum responder_kind kind,
    uint32_t seed, const void *in, size_t n, size_t step, size_t max)
{
	struct responder	*r;
	const unsigned char	*p = in;
	size_t			 i = 0, k, took;
	int			 eof = 0, turns;

	memset(s, 0, sizeof *s);
	s->budget = RESPONDER_UNLIMITED;
	s->now = TEST_NOW;
	r = responder_new(kind, seed, s->now);
	test_shell_take(s, r);
	for (turns = 0; turns < 1000000; turns++) {
		if (s->closed || s->reset || s->sent.len >= max)
			break;
		if (s->budget > 0 && i < n) {
			k = n - i < step ? n - i : step;
			if (k > s->budget)
				k = s->budget;
			took = responder_on_data(r, p + i, k, s->now);
			assert_int_equal(took, k);
			i += took;
			if (s->budget != RESPONDER_UNLIMITED)
				s->budget -= took;
		} else if (s->budget > 0 && !eof && max == SIZE_MAX) {
			eof = 1;
			responder_on_eof(r, s->now);
		} else if (s->drained) {
			s->drained = 0;
			responder_on_drained(r, s->now);
		} else if (s->timer) {
			s->timer = 0;
			s->now += s->wait;
			responder_on_timer(r, s->now);
		} else
			break;
		test_shell_take(s, r);
	}
	responder_free(r);
}

/* Free a shell's buffers. */
static void
test_shell_free(struct test_shell *s)
{
	sbuf_free(&s->sent);
	sbuf_free(&s->pieces);
}

/*
 * Run kind over in whole, one byte at a time and in pieces of 7: the
 * same bytes must come back and the same end.  Checks want when given.
 */
static void
test_same(enum responder_kind kind, const char *in, size_t n,
    const char *want, size_t wantlen, int closed, int reset)
{
	struct test_shell	s;
	size_t			steps[] = { SIZE_MAX, 1, 7 }, i;

	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		test_shell_run(&s, kind, 1, in, n, steps[i], SIZE_MAX);
		assert_int_equal(s.sent.len, wantlen);
		if (wantlen > 0)
			assert_memory_equal(s.sent.p, want, wantlen);
		assert_int_equal(s.closed, closed);
		assert_int_equal(s.reset, reset);
		test_shell_free(&s);
	}
}

/* The names list matches the kinds. */
static void
test_names(void **state)
{
	enum responder_kind	k;
	int			i;

	(void)state;
	for (i = 0; responder_names[i] != NULL; i++) {
		assert_int_equal(responder_kind_from_name(responder_names[i],
		    &k), 0);
		assert_int_equal(k, i);
		assert_string_equal(responder_kind_name(k), responder_names[i]);
		assert_true(strlen(responder_kind_help(k)) > 10);
	}
	assert_int_equal(i, RESPONDER_NKINDS);
	assert_int_equal(responder_kind_from_name("Echo", &k), -1);
	assert_int_equal(responder_kind_from_name("", &k), -1);
	assert_int_equal(responder_kind_from_name("chargen", &k), 0);
	assert_int_equal(k, RESPONDER_CHARGEN);
}

/* echo: each line back as it ends, the last unfinished one at EOF. */
static void
test_echo(void **state)
{
	struct responder	*r;
	const char		*in = "hello\r\nworld\ntail";

	(void)state;
	r = responder_new(RESPONDER_ECHO, 0, TEST_NOW);
	test_expect(r, "");
	assert_int_equal(responder_read_limit(r), RESPONDER_UNLIMITED);
	assert_int_equal(responder_on_data(r, "hel", 3, TEST_NOW), 3);
	test_expect(r, "");
	assert_int_equal(responder_held(r), 3);
	responder_on_data(r, "lo\r\nworld\nta", 12, TEST_NOW);
	test_expect(r, "SEND hello\\r\\nworld\\n\n");
	responder_on_data(r, "il", 2, TEST_NOW);
	responder_on_eof(r, TEST_NOW);
	test_expect(r, "SEND tail\nCLOSE\n");
	assert_int_equal(responder_done(r), 1);

	/* Done: everything is ignored. */
	assert_int_equal(responder_on_data(r, "x\n", 2, TEST_NOW), 2);
	responder_on_timer(r, TEST_NOW);
	responder_on_eof(r, TEST_NOW);
	test_expect(r, "");
	responder_free(r);

	test_same(RESPONDER_ECHO, in, strlen(in), in, strlen(in), 1, 0);
}

/* upper, rot13, reverse: byte for byte. */
static void
test_transforms(void **state)
{
	const char	*in;

	(void)state;
	in = "Hello, w\xc3\xb6rld\r\nabc xyz\n";
	test_same(RESPONDER_UPPER, in, strlen(in),
	    "HELLO, W\xc3\xb6RLD\r\nABC XYZ\n", strlen(in), 1, 0);
	in = "Hello, World!\nNOPQ nopq\n";
	test_same(RESPONDER_ROT13, in, strlen(in),
	    "Uryyb, Jbeyq!\nABCD abcd\n", strlen(in), 1, 0);
	/* Reverse keeps the line end last and UTF-8 characters whole. */
	in = "abc\r\nh\xc3\xa9llo\n\xff\xfe" "ab\n\nx";
	test_same(RESPONDER_REVERSE, in, strlen(in),
	    "cba\r\noll\xc3\xa9h\nba\xfe\xff\n\nx", strlen(in), 1, 0);
}

/* A line that never ends is answered in pieces of RESPONDER_LINE_MAX. */
static void
test_long_line(void **state)
{
	struct sbuf	in = { 0 }, want = { 0 };
	size_t		i;

	(void)state;
	for (i = 0; i < RESPONDER_LINE_MAX - 1; i++)
		sbuf_addc(&in, 'x');
	sbuf_adds(&in, "yz\n");
	/* The first piece is x...xy, reversed; then "z\n". */
	sbuf_addc(&want, 'y');
	for (i = 0; i < RESPONDER_LINE_MAX - 1; i++)
		sbuf_addc(&want, 'x');
	sbuf_adds(&want, "z\n");
	test_same(RESPONDER_REVERSE, in.p, in.len, want.p, want.len, 1, 0);
	test_same(RESPONDER_ECHO, in.p, in.len, in.p, in.len, 1, 0);
	sbuf_free(&in);
	sbuf_free(&want);
}

/* drip: one byte per SEND, 100 ms apart, closing after the last. */
static void
test_drip(void **state)
{
	struct responder	*r;
	struct test_shell	 s;
	const char		*in = "hi\nthere\n";

	(void)state;
	r = responder_new(RESPONDER_DRIP, 0, TEST_NOW);
	test_expect(r, "READ_LIMIT 65536\n");
	responder_on_data(r, "hi\n", 3, TEST_NOW);
	test_expect(r, "SEND h\nWAIT 100\n");
	responder_on_timer(r, TEST_NOW + 100);
	test_expect(r, "SEND i\nWAIT 100\n");
	/* More input while the timer runs waits its turn. */
	responder_on_data(r, "!", 1, TEST_NOW + 150);
	test_expect(r, "");
	responder_on_timer(r, TEST_NOW + 200);
	test_expect(r, "SEND \\n\nWAIT 100\n");
	responder_on_eof(r, TEST_NOW + 250);
	test_expect(r, "");
	responder_on_timer(r, TEST_NOW + 300);
	test_expect(r, "SEND !\nCLOSE\n");
	responder_free(r);

	/* Idle once the queue is empty: the timer's end arms nothing. */
	r = responder_new(RESPONDER_DRIP, 0, TEST_NOW);
	test_expect(r, "READ_LIMIT 65536\n");
	responder_on_data(r, "a", 1, TEST_NOW);
	test_expect(r, "SEND a\nWAIT 100\n");
	responder_on_timer(r, TEST_NOW + 100);
	test_expect(r, "");
	responder_on_data(r, "b", 1, TEST_NOW + 5000);
	test_expect(r, "SEND b\nWAIT 100\n");
	responder_on_eof(r, TEST_NOW + 5001);
	test_expect(r, "CLOSE\n");
	responder_free(r);

	test_same(RESPONDER_DRIP, in, strlen(in), in, strlen(in), 1, 0);
	test_shell_run(&s, RESPONDER_DRIP, 0, in, strlen(in), SIZE_MAX,
	    SIZE_MAX);
	assert_string_equal(s.pieces.p, "1 1 1 1 1 1 1 1 1 ");
	test_shell_free(&s);
}

/* drip keeps to its bound: READ_LIMIT stops the reader, then resumes. */
static void
test_drip_bound(void **state)
{
	struct responder	*r;
	struct test_shell	 s;
	unsigned char		*big;
	size_t			 n = 3 * RESPONDER_HOLD_MAX, took;

	(void)state;
	big = xmalloc(n);
	memset(big, 'a', n);

	/* Given more than allowed, it takes only what fits. */
	r = responder_new(RESPONDER_DRIP, 0, TEST_NOW);
	test_expect(r, "READ_LIMIT 65536\n");
	took = responder_on_data(r, big, n, TEST_NOW);
	assert_int_equal(took, RESPONDER_HOLD_MAX);
	/* The shell's budget is spent, and one byte has left: room for one. */
	test_expect(r, "SEND a\nWAIT 100\nREAD_LIMIT 1\n");
	assert_int_equal(responder_held(r), RESPONDER_HOLD_MAX - 1);
	assert_int_equal(responder_read_limit(r), 1);
	assert_int_equal(responder_on_data(r, big, 10, TEST_NOW), 1);
	test_expect(r, "");
	assert_int_equal(responder_read_limit(r), 0);
	responder_on_timer(r, TEST_NOW + 100);
	test_expect(r, "SEND a\nWAIT 100\nREAD_LIMIT 1\n");
	responder_free(r);

	/* A shell that keeps to the limits echoes it all, bounded. */
	test_shell_run(&s, RESPONDER_CHUNKY, 7, big, n, 65536, SIZE_MAX);
	assert_int_equal(s.sent.len, n);
	assert_true(s.closed);
	assert_int_equal(s.held_max, RESPONDER_HOLD_MAX);
	assert_true(s.limits > 2);
	test_shell_free(&s);
	free(big);
}

/* chunky: pieces of random size, the same for the same seed. */
static void
test_chunky(void **state)
{
	struct test_shell	 a, b, c;
	struct responder	*r;
	char			 in[200];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof in; i++)
		in[i] = (char)('a' + i % 26);
	test_shell_run(&a, RESPONDER_CHUNKY, 42, in, sizeof in, SIZE_MAX,
	    SIZE_MAX);
	test_shell_run(&b, RESPONDER_CHUNKY, 42, in, sizeof in, SIZE_MAX,
	    SIZE_MAX);
	test_shell_run(&c, RESPONDER_CHUNKY, 43, in, sizeof in, SIZE_MAX,
	    SIZE_MAX);
	assert_int_equal(a.sent.len, sizeof in);
	assert_memory_equal(a.sent.p, in, sizeof in);
	assert_memory_equal(c.sent.p, in, sizeof in);
	assert_string_equal(a.pieces.p, b.pieces.p);
	assert_string_not_equal(a.pieces.p, c.pieces.p);
	/* Several pieces, none longer than max(16, queued / 8) = 25. */
	assert_true(strlen(a.pieces.p) > 10);
	assert_true(a.closed);
	test_shell_free(&a);
	test_shell_free(&b);
	test_shell_free(&c);

	/* The timer's sequence: a piece, 50 ms, a piece... */
	r = responder_new(RESPONDER_CHUNKY, 42, TEST_NOW);
	test_expect(r, "READ_LIMIT 65536\n");
	responder_on_data(r, "0123456789abcdefghij", 20, TEST_NOW);
	{
		struct responder_action	act;
		size_t			total = 0;
		int			rounds;

		for (rounds = 0; rounds < 40 && total < 20; rounds++) {
			assert_int_equal(responder_next(r, &act), 1);
			assert_int_equal(act.kind, RESPONDER_A_SEND);
			assert_true(act.len >= 1 && act.len <= 16);
			total += act.len;
			assert_int_equal(responder_next(r, &act), 1);
			assert_int_equal(act.kind, RESPONDER_A_WAIT);
			assert_int_equal(act.ms, RESPONDER_CHUNKY_MS);
			assert_int_equal(responder_next(r, &act), 0);
			responder_on_timer(r, TEST_NOW);
		}
		assert_int_equal(total, 20);
		assert_true(rounds > 1);
	}
	test_expect(r, "");
	responder_free(r);

	test_same(RESPONDER_CHUNKY, in, sizeof in, in, sizeof in, 1, 0);
}

/* slow: one byte per 100 ms, lines echoed. */
static void
test_slow(void **state)
{
	struct responder	*r;
	struct test_shell	 s;

	(void)state;
	r = responder_new(RESPONDER_SLOW, 0, TEST_NOW);
	test_expect(r, "READ_LIMIT 1\n");
	assert_int_equal(responder_on_data(r, "ab\n", 3, TEST_NOW), 1);
	test_expect(r, "WAIT 100\n");
	assert_int_equal(responder_read_limit(r), 0);
	assert_int_equal(responder_on_data(r, "b\n", 2, TEST_NOW), 0);
	test_expect(r, "");
	responder_on_timer(r, TEST_NOW + 100);
	test_expect(r, "READ_LIMIT 1\n");
	assert_int_equal(responder_on_data(r, "b\n", 2, TEST_NOW + 100), 1);
	test_expect(r, "WAIT 100\n");
	responder_on_timer(r, TEST_NOW + 200);
	test_expect(r, "READ_LIMIT 1\n");
	assert_int_equal(responder_on_data(r, "\n", 1, TEST_NOW + 200), 1);
	test_expect(r, "SEND ab\\n\nWAIT 100\n");
	responder_on_timer(r, TEST_NOW + 300);
	test_expect(r, "READ_LIMIT 1\n");
	responder_on_eof(r, TEST_NOW + 300);
	test_expect(r, "CLOSE\n");
	responder_free(r);

	/* 30 bytes take 30 reads, 100 ms apart. */
	test_shell_run(&s, RESPONDER_SLOW, 0, "0123456789\n0123456789\n01234567",
	    30, SIZE_MAX, SIZE_MAX);
	assert_int_equal(s.sent.len, 30);
	assert_true(s.closed);
	assert_int_equal(s.now - TEST_NOW, 30 * RESPONDER_SLOW_MS);
	assert_int_equal(s.limits, 31);
	test_shell_free(&s);
}

/* oneshot: one line, a half-close, then close at the client's EOF. */
static void
test_oneshot(void **state)
{
	struct responder	*r;

	(void)state;
	r = responder_new(RESPONDER_ONESHOT, 0, TEST_NOW);
	test_expect(r, "");
	responder_on_data(r, "first\nsecond\n", 13, TEST_NOW);
	test_expect(r, "SEND first\\n\nSHUTDOWN\nWAIT 2000\n");
	/* What still comes is read and dropped, so no RST; EOF closes. */
	assert_int_equal(responder_read_limit(r), RESPONDER_UNLIMITED);
	responder_on_data(r, "third\n", 6, TEST_NOW);
	test_expect(r, "");
	assert_int_equal(responder_held(r), 0);
	assert_int_equal(responder_done(r), 0);
	responder_on_eof(r, TEST_NOW);
	test_expect(r, "CLOSE\n");
	responder_on_timer(r, TEST_NOW + 2000);
	test_expect(r, "");
	responder_free(r);

	/* A client that never closes is closed after the linger time. */
	r = responder_new(RESPONDER_ONESHOT, 0, TEST_NOW);
	responder_on_data(r, "x\n", 2, TEST_NOW);
	test_expect(r, "SEND x\\n\nSHUTDOWN\nWAIT 2000\n");
	responder_on_timer(r, TEST_NOW + 2000);
	test_expect(r, "CLOSE\n");
	responder_free(r);

	/* EOF in the middle of the only line: answer, half-close, close. */
	r = responder_new(RESPONDER_ONESHOT, 0, TEST_NOW);
	responder_on_data(r, "ab", 2, TEST_NOW);
	responder_on_eof(r, TEST_NOW);
	test_expect(r, "SEND ab\nSHUTDOWN\nCLOSE\n");
	responder_free(r);
	test_same(RESPONDER_ONESHOT, "a\r\nb\n", 5, "a\r\n", 3, 1, 0);
	test_same(RESPONDER_ONESHOT, "abc", 3, "abc", 3, 1, 0);
}

/* reset: one line, then RST a moment later. */
static void
test_reset(void **state)
{
	struct responder	*r;

	(void)state;
	r = responder_new(RESPONDER_RESET, 0, TEST_NOW);
	test_expect(r, "");
	responder_on_data(r, "one\ntwo\n", 8, TEST_NOW);
	test_expect(r, "SEND one\\n\nWAIT 100\n");
	responder_on_eof(r, TEST_NOW);
	test_expect(r, "");
	responder_on_timer(r, TEST_NOW + 100);
	test_expect(r, "RESET\n");
	assert_int_equal(responder_done(r), 1);
	responder_free(r);

	r = responder_new(RESPONDER_RESET, 0, TEST_NOW);
	responder_on_eof(r, TEST_NOW);
	test_expect(r, "RESET\n");
	responder_free(r);
	test_same(RESPONDER_RESET, "par", 3, "par", 3, 0, 1);
}

/* discard: nothing back, close at EOF. */
static void
test_discard(void **state)
{
	(void)state;
	test_same(RESPONDER_DISCARD, "lots\nof\ndata", 12, "", 0, 1, 0);
}

/* chargen: RFC 864's rotating lines, a burst each time the last drained. */
static void
test_chargen(void **state)
{
	struct responder	*r;
	struct responder_action	 a;
	struct test_shell	 s;
	char			 line[75];
	size_t			 i, k;

	(void)state;
	r = responder_new(RESPONDER_CHARGEN, 0, TEST_NOW);
	assert_int_equal(responder_next(r, &a), 1);
	assert_int_equal(a.kind, RESPONDER_A_SEND);
	assert_int_equal(a.len, 74 * RESPONDER_CHARGEN_LINES);
	assert_memory_equal(a.data, " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEF"
	    "GHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg\r\n!\"#", 77);
	assert_int_equal(responder_next(r, &a), 0);
	/* Input is thrown away; nothing more until the burst is written. */
	responder_on_data(r, "x\n", 2, TEST_NOW);
	test_expect(r, "");
	responder_on_timer(r, TEST_NOW);
	test_expect(r, "");
	responder_on_drained(r, TEST_NOW);
	test_expect(r, "WAIT 100\n");
	responder_on_drained(r, TEST_NOW);
	test_expect(r, "");
	responder_on_timer(r, TEST_NOW + 100);
	assert_int_equal(responder_next(r, &a), 1);
	assert_int_equal(a.kind, RESPONDER_A_SEND);
	assert_int_equal(a.data[0], ' ' + RESPONDER_CHARGEN_LINES);
	assert_int_equal(responder_next(r, &a), 0);
	responder_on_eof(r, TEST_NOW);
	test_expect(r, "CLOSE\n");
	responder_free(r);

	/* 200 lines: line i starts at character i mod 95. */
	test_shell_run(&s, RESPONDER_CHARGEN, 0, "", 0, 1, 74 * 200);
	assert_true(s.sent.len >= 74 * 200);
	for (i = 0; i < 200; i++) {
		for (k = 0; k < 72; k++)
			line[k] = (char)(' ' + (i + k) % 95);
		line[72] = '\r';
		line[73] = '\n';
		assert_memory_equal(s.sent.p + 74 * i, line, 74);
	}
	test_shell_free(&s);
}

/* daytime: the time it is given, then close. */
static void
test_daytime(void **state)
{
	struct responder	*r;

	(void)state;
	r = responder_new(RESPONDER_DAYTIME, 0, TEST_NOW);
	test_expect(r, "SEND Tuesday, December 2, 2025 09:04:05-UTC\\r\\n\n"
	    "SHUTDOWN\nWAIT 2000\n");
	responder_on_data(r, "x", 1, TEST_NOW);
	test_expect(r, "");
	responder_on_eof(r, TEST_NOW);
	test_expect(r, "CLOSE\n");
	responder_free(r);
}

/* The Content-Length a response says, and where its body starts. */
static size_t
test_http_body(const char *resp, size_t len, const char **body)
{
	const char	*cl, *end;

	cl = strstr(resp, "Content-Length: ");
	assert_non_null(cl);
	end = strstr(resp, "\r\n\r\n");
	assert_non_null(end);
	*body = end + 4;
	assert_true((size_t)(end + 4 - resp) <= len);
	return (size_t)strtoul(cl + 16, NULL, 10);
}

/*
 * Check that each response in out has exactly the body its Content-Length
 * says (HEAD responses, when head is set, none).
 */
static void
test_http_lengths(const char *out, int head)
{
	const char	*p = out, *end, *cl;
	size_t		 n;

	while (*p != '\0') {
		assert_int_equal(strncmp(p, "HTTP/1.1 ", 9), 0);
		end = strstr(p, "\r\n\r\n");
		assert_non_null(end);
		if (strncmp(p, "HTTP/1.1 100 ", 13) == 0) {
			p = end + 4;
			continue;
		}
		cl = strstr(p, "\r\nContent-Length: ");
		assert_true(cl != NULL && cl < end);
		n = head ? 0 : (size_t)strtoul(cl + 18, NULL, 10);
		assert_true(strlen(end + 4) >= n);
		p = end + 4 + n;
	}
}

/* Run the http responder whole and byte by byte; the same answer. */
static char *
test_http(const char *in, int *closed)
{
	struct test_shell	s1, s2;
	char			*out;

	test_shell_run(&s1, RESPONDER_HTTP, 0, in, strlen(in), SIZE_MAX,
	    SIZE_MAX);
	test_shell_run(&s2, RESPONDER_HTTP, 0, in, strlen(in), 1, SIZE_MAX);
	assert_int_equal(s1.sent.len, s2.sent.len);
	assert_memory_equal(s1.sent.p, s2.sent.p, s1.sent.len);
	assert_int_equal(s1.closed, s2.closed);
	*closed = s1.closed;
	out = xstrdup(s1.sent.p != NULL ? s1.sent.p : "");
	test_http_lengths(out, strncmp(in, "HEAD ", 5) == 0);
	test_shell_free(&s1);
	test_shell_free(&s2);
	return out;
}

/* http: 200 with the request shown, a correct length, keep-alive. */
static void
test_http_get(void **state)
{
	struct responder	*r;
	struct sbuf		 t = { 0 };
	const char		*get = "GET /<x>?a=1&b=2 HTTP/1.1\r\n"
	    "Host: 127.0.0.1:19999\r\nUser-Agent: curl/7.88.1\r\n"
	    "Accept: */*\r\n\r\n";
	const char		*body, *req;
	char			*out;
	size_t			 cl;
	struct responder_action	 a;

	(void)state;
	r = responder_new(RESPONDER_HTTP, 0, TEST_NOW);
	test_expect(r, "");
	responder_on_data(r, get, strlen(get), TEST_NOW);
	assert_int_equal(responder_next(r, &a), 1);
	assert_int_equal(a.kind, RESPONDER_A_SEND);
	sbuf_add(&t, a.data, a.len);
	assert_int_equal(responder_next(r, &a), 0);
	assert_int_equal(responder_done(r), 0);
	assert_int_equal(responder_held(r), 0);

	cl = test_http_body(t.p, t.len, &body);
	assert_int_equal(cl, strlen(body));
	assert_int_equal(strncmp(t.p, "HTTP/1.1 200 OK\r\n"
	    "Date: Tue, 02 Dec 2025 09:04:05 GMT\r\n"
	    "Server: sockscope\r\n"
	    "Content-Type: text/html; charset=utf-8\r\n", 97), 0);
	assert_non_null(strstr(t.p, "\r\nConnection: keep-alive\r\n\r\n"));
	assert_non_null(strstr(body,
	    "<pre>GET /&lt;x&gt;?a=1&amp;b=2 HTTP/1.1\\r\\n\n"
	    "Host: 127.0.0.1:19999\\r\\n\n"
	    "User-Agent: curl/7.88.1\\r\\n\n"
	    "Accept: */*\\r\\n\n"
	    "\\r\\n\n</pre>\n"));
	assert_non_null(strstr(body, "<p>Body: none.</p>"));
	assert_non_null(strstr(body, "<h1>Request 1 on this connection"));
	sbuf_reset(&t);

	/* The second request on the connection asks to close. */
	req = "GET /favicon.ico HTTP/1.1\r\nConnection: close\r\n\r\n";
	responder_on_data(r, req, strlen(req), TEST_NOW);
	test_take(r, &t);
	assert_non_null(strstr(t.p, "Connection: close\\r\\n"));
	assert_non_null(strstr(t.p, "Request 2 on this connection"));
	assert_non_null(strstr(t.p, "GET /favicon.ico HTTP/1.1\\\\r\\\\n"));
	assert_non_null(strstr(t.p, "\nSHUTDOWN\nWAIT 2000\n"));
	assert_int_equal(responder_done(r), 0);
	sbuf_reset(&t);
	/* Anything after it is dropped; the client's EOF closes. */
	responder_on_data(r, get, strlen(get), TEST_NOW);
	responder_on_eof(r, TEST_NOW);
	test_expect(r, "CLOSE\n");
	assert_int_equal(responder_done(r), 1);
	sbuf_free(&t);
	responder_free(r);

	/* Whole and byte by byte give the same. */
	{
		int	closed;

		out = test_http(get, &closed);
		assert_int_equal(closed, 1);	/* EOF after the request */
		assert_int_equal(strncmp(out, "HTTP/1.1 200 OK\r\n", 17), 0);
		free(out);
	}
}

/* HEAD: the same head as GET, no body. */
static void
test_http_head(void **state)
{
	const char	*get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	const char	*head = "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n";
	const char	*body;
	char		*g, *h;
	int		 closed;
	size_t		 gl, hl;

	(void)state;
	g = test_http(get, &closed);
	h = test_http(head, &closed);
	gl = test_http_body(g, strlen(g), &body);
	hl = test_http_body(h, strlen(h), &body);
	assert_string_equal(body, "");
	/* The page shows HEAD instead of GET: one byte longer. */
	assert_int_equal(hl, gl + 1);
	free(g);
	free(h);
}

/* Bodies are counted and framing named; 1.0 closes; Expect gets 100. */
static void
test_http_bodies(void **state)
{
	char	*out;
	int	 closed;

	(void)state;
	out = test_http("POST /f HTTP/1.1\r\nContent-Length: 11\r\n\r\n"
	    "a=1&b=hello", &closed);
	assert_non_null(strstr(out, "<p>Body: 11 bytes (Content-Length).</p>"));
	free(out);
	out = test_http("POST /f HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", &closed);
	assert_non_null(strstr(out, "<p>Body: 11 bytes (chunked, 2 chunks).</p>"));
	free(out);
	out = test_http("GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\n\r\n", &closed);
	assert_non_null(strstr(out, "Connection: close\r\n"));
	/* The second request is never answered: the first one closed. */
	assert_null(strstr(out, "Request 2"));
	assert_int_equal(closed, 1);
	free(out);
	out = test_http("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
	    "GET /2 HTTP/1.1\r\n\r\n", &closed);
	assert_non_null(strstr(out, "Connection: keep-alive\r\n"));
	assert_non_null(strstr(out, "Request 2"));
	free(out);
	out = test_http("PUT /u HTTP/1.1\r\nExpect: 100-continue\r\n"
	    "Content-Length: 3\r\n\r\nabc", &closed);
	assert_int_equal(strncmp(out, "HTTP/1.1 100 Continue\r\n\r\n"
	    "HTTP/1.1 200 OK\r\n", 42), 0);
	free(out);
}

/* A malformed request gets 400 naming what broke, then a close. */
static void
test_http_bad(void **state)
{
	struct responder	*r;
	struct sbuf		 big = { 0 };
	const char		*body;
	char			*out;
	int			 closed;
	size_t			 cl, i;

	(void)state;
	out = test_http("G@T / HTTP/1.1\r\n\r\n", &closed);
	assert_int_equal(strncmp(out, "HTTP/1.1 400 Bad Request\r\n", 26), 0);
	assert_non_null(strstr(out, "Connection: close\r\n"));
	assert_non_null(strstr(out, "bad character &#39;@&#39; in method "
	    "(at byte 1 of the request)"));
	assert_non_null(strstr(out, "<pre>G@</pre>"));
	cl = test_http_body(out, strlen(out), &body);
	assert_int_equal(cl, strlen(body));
	assert_int_equal(closed, 1);
	free(out);

	/* A good request, then a broken one: 200, then 400. */
	out = test_http("GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nHost x\r\n",
	    &closed);
	assert_int_equal(strncmp(out, "HTTP/1.1 200 OK\r\n", 17), 0);
	assert_non_null(strstr(out, "HTTP/1.1 400 Bad Request\r\n"));
	assert_non_null(strstr(out, "could not read request 2: space in a "
	    "header name"));
	free(out);

	/* The client stops in the middle of a request. */
	r = responder_new(RESPONDER_HTTP, 0, TEST_NOW);
	responder_on_data(r, "GET / HTTP/1.1\r\nHost:", 21, TEST_NOW);
	test_expect(r, "");
	responder_on_eof(r, TEST_NOW);
	{
		struct sbuf	t = { 0 };

		test_take(r, &t);
		assert_non_null(strstr(t.p, "400 Bad Request"));
		assert_non_null(strstr(t.p, "stream ended in the headers"));
		assert_non_null(strstr(t.p, "\nSHUTDOWN\nCLOSE\n"));
		sbuf_free(&t);
	}
	responder_free(r);

	/* A head longer than RESPONDER_HTTP_HEAD_MAX: 431. */
	sbuf_adds(&big, "GET / HTTP/1.1\r\n");
	for (i = 0; big.len < RESPONDER_HTTP_HEAD_MAX + 100; i++)
		sbuf_printf(&big, "X-%zu: %01000zu\r\n", i, i);
	sbuf_adds(&big, "\r\n");
	out = test_http(big.p, &closed);
	assert_int_equal(strncmp(out, "HTTP/1.1 431 ", 13), 0);
	assert_int_equal(closed, 1);
	free(out);
	sbuf_free(&big);
}

/* Line kinds hold at most a line, whatever arrives. */
static void
test_line_bound(void **state)
{
	struct test_shell	 s;
	unsigned char		*big;
	size_t			 n = 1 << 20;
	enum responder_kind	 kinds[] = { RESPONDER_ECHO, RESPONDER_UPPER,
	    RESPONDER_REVERSE, RESPONDER_ROT13, RESPONDER_HTTP,
	    RESPONDER_DISCARD };
	size_t			 i;

	(void)state;
	big = xmalloc(n);
	for (i = 0; i < n; i++)
		big[i] = (unsigned char)('a' + i % 26);
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		test_shell_run(&s, kinds[i], 0, big, n, 65536, SIZE_MAX);
		assert_true(s.held_max <= RESPONDER_HTTP_HEAD_MAX);
		assert_true(s.closed);
		test_shell_free(&s);
	}
	free(big);
}

/* Run the tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_echo),
		cmocka_unit_test(test_transforms),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_drip),
		cmocka_unit_test(test_drip_bound),
		cmocka_unit_test(test_chunky),
		cmocka_unit_test(test_slow),
		cmocka_unit_test(test_oneshot),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_discard),
		cmocka_unit_test(test_chargen),
		cmocka_unit_test(test_daytime),
		cmocka_unit_test(test_http_get),
		cmocka_unit_test(test_http_head),
		cmocka_unit_test(test_http_bodies),
		cmocka_unit_test(test_http_bad),
		cmocka_unit_test(test_line_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
