/*
 * test_conn.c: unit tests for conn.c: every state transition, every
 * refusal of can_send and can_recv in every state, the output queue
 * (offsets, compaction, the size cap, memory given back) and the counters.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sockscope/conn.h"
#include "sockscope/util.h"

/* The states that test_conn_state() can build, in enum order. */
static const enum conn_state test_states[] = {
	CONN_LISTENING, CONN_CONNECTING, CONN_ESTABLISHED, CONN_EOF_RECEIVED,
	CONN_EOF_SENT, CONN_CLOSED, CONN_RESET, CONN_FAILED
};
#define TEST_NSTATES (sizeof test_states / sizeof test_states[0])

/* Bring a fresh #1 into state s through the transitions net.c would use. */
static void
test_conn_state(struct conn *c, enum conn_state s)
{
	switch (s) {
	case CONN_LISTENING:
	case CONN_CONNECTING:
	case CONN_ESTABLISHED:
		conn_init(c, 1, 0, s);
		break;
	case CONN_EOF_RECEIVED:
		conn_init(c, 1, 0, CONN_ESTABLISHED);
		conn_on_eof(c);
		break;
	case CONN_EOF_SENT:
		conn_init(c, 1, 0, CONN_ESTABLISHED);
		conn_on_shutdown(c);
		break;
	case CONN_CLOSED:
		conn_init(c, 1, 0, CONN_ESTABLISHED);
		conn_on_close(c);
		break;
	case CONN_RESET:
		conn_init(c, 1, 0, CONN_ESTABLISHED);
		conn_on_reset_by_peer(c);
		break;
	case CONN_FAILED:
		conn_init(c, 1, 0, CONN_CONNECTING);
		conn_on_connect_failed(c);
		break;
	}
	assert_int_equal(c->state, s);
}

/* Fill buf with a byte pattern that depends on the stream offset. */
static void
test_pattern(unsigned char *buf, uint64_t offset, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		buf[i] = (unsigned char)((offset + i) * 131 + ((offset + i) >> 8));
}

/* Check that p holds the pattern from offset for n bytes. */
static void
test_check_pattern(const unsigned char *p, uint64_t offset, size_t n)
{
	unsigned char	*want = xmalloc(n);

	test_pattern(want, offset, n);
	assert_memory_equal(p, want, n);
	free(want);
}

/* Every state has exactly the word of SPEC section 4. */
static void
test_state_names(void **state)
{
	static const char	*words[] = {
		"LISTENING", "CONNECTING", "ESTABLISHED", "EOF-RECEIVED",
		"EOF-SENT", "CLOSED", "RESET", "FAILED"
	};
	size_t			 i;

	(void)state;
	for (i = 0; i < TEST_NSTATES; i++)
		assert_string_equal(conn_state_name(test_states[i]), words[i]);
	assert_string_equal(conn_state_name((enum conn_state)99), "UNKNOWN");
}

/* conn_init sets the ids and state and zeroes everything else. */
static void
test_init(void **state)
{
	struct conn	c;

	(void)state;
	memset(&c, 0xa5, sizeof c);
	conn_init(&c, 7, 3, CONN_ESTABLISHED);
	assert_int_equal(c.id, 7);
	assert_int_equal(c.listener, 3);
	assert_int_equal(c.state, CONN_ESTABLISHED);
	assert_int_equal(c.eof_in, 0);
	assert_int_equal(c.eof_out, 0);
	assert_int_equal(c.shutdown_pending, 0);
	assert_true(c.in_bytes == 0 && c.in_chunks == 0);
	assert_true(c.out_bytes == 0 && c.out_chunks == 0);
	assert_string_equal(c.local, "");
	assert_string_equal(c.peer, "");
	assert_null(c.q);
	assert_true(c.qhead == 0 && c.qlen == 0 && c.qcap == 0);
	assert_false(conn_wants_close(&c));
	conn_free(&c);
}

/* Only CLOSED, RESET and FAILED are not open. */
static void
test_is_open(void **state)
{
	struct conn	c;
	size_t		i;
	int		open;

	(void)state;
	for (i = 0; i < TEST_NSTATES; i++) {
		test_conn_state(&c, test_states[i]);
		open = test_states[i] != CONN_CLOSED &&
		    test_states[i] != CONN_RESET &&
		    test_states[i] != CONN_FAILED;
		assert_int_equal(!!conn_is_open(&c), open);
		conn_free(&c);
	}
}

/* CONNECTING becomes ESTABLISHED or FAILED. */
static void
test_connect(void **state)
{
	struct conn	c;

	(void)state;
	conn_init(&c, 1, 0, CONN_CONNECTING);
	conn_on_connected(&c);
	assert_int_equal(c.state, CONN_ESTABLISHED);
	conn_free(&c);

	conn_init(&c, 2, 0, CONN_CONNECTING);
	conn_on_connect_failed(&c);
	assert_int_equal(c.state, CONN_FAILED);
	assert_false(conn_is_open(&c));
	/* Closing the failed socket keeps the story. */
	conn_on_close(&c);
	assert_int_equal(c.state, CONN_FAILED);
	conn_free(&c);
}

/* Data queued while connecting stays queued once connected. */
static void
test_queue_while_connecting(void **state)
{
	struct conn		 c;
	const unsigned char	*p;
	size_t			 n;
	char			*cause = NULL;

	(void)state;
	conn_init(&c, 1, 0, CONN_CONNECTING);
	assert_int_equal(conn_queue(&c, "hello\n", 6, &cause), 0);
	assert_null(cause);
	conn_on_connected(&c);
	p = conn_queue_peek(&c, &n);
	assert_int_equal(n, 6);
	assert_memory_equal(p, "hello\n", 6);
	conn_free(&c);

	/* A failed connect drops what can never be sent. */
	conn_init(&c, 1, 0, CONN_CONNECTING);
	assert_int_equal(conn_queue(&c, "x", 1, NULL), 0);
	conn_on_connect_failed(&c);
	p = conn_queue_peek(&c, &n);
	assert_int_equal(n, 0);
	assert_null(p);
	assert_null(c.q);
	conn_free(&c);
}

/* EOF received first, then our shutdown: EOF-SENT and ready to close. */
static void
test_eof_then_shutdown(void **state)
{
	struct conn	c;

	(void)state;
	conn_init(&c, 1, 0, CONN_ESTABLISHED);
	conn_on_eof(&c);
	assert_int_equal(c.state, CONN_EOF_RECEIVED);
	assert_int_equal(c.eof_in, 1);
	assert_int_equal(c.eof_out, 0);
	assert_false(conn_wants_close(&c));

	/* recv() returns 0 again: nothing changes. */
	conn_on_eof(&c);
	assert_int_equal(c.state, CONN_EOF_RECEIVED);
	assert_false(conn_wants_close(&c));

	conn_on_shutdown(&c);
	assert_int_equal(c.state, CONN_EOF_SENT);
	assert_int_equal(c.eof_in, 1);
	assert_int_equal(c.eof_out, 1);
	assert_true(conn_wants_close(&c));
	assert_true(conn_is_open(&c));

	conn_on_close(&c);
	assert_int_equal(c.state, CONN_CLOSED);
	assert_false(conn_wants_close(&c));
	conn_free(&c);
}

/* Our shutdown first, then the peer's EOF: stays EOF-SENT, ready to close. */
static void
test_shutdown_then_eof(void **state)
{
	struct conn	c;

	(void)state;
	conn_init(&c, 1, 0, CONN_ESTABLISHED);
	conn_on_shutdown(&c);
	assert_int_equal(c.state, CONN_EOF_SENT);
	assert_int_equal(c.eof_out, 1);
	assert_int_equal(c.eof_in, 0);
	assert_false(conn_wants_close(&c));

	/* Bytes still queued at a shutdown can never be sent. */
	conn_init(&c, 1, 0, CONN_ESTABLISHED);
	assert_int_equal(conn_queue(&c, "abc", 3, NULL), 0);
	conn_on_shutdown(&c);
	assert_int_equal(c.state, CONN_EOF_SENT);
	assert_int_equal(c.qlen, 0);
	assert_null(c.q);

	/* A second shutdown is a caller bug and changes nothing. */
	conn_on_shutdown(&c);
	assert_int_equal(c.state, CONN_EOF_SENT);

	conn_on_eof(&c);
	assert_int_equal(c.state, CONN_EOF_SENT);
	assert_int_equal(c.eof_in, 1);
	assert_true(conn_wants_close(&c));

	conn_on_close(&c);
	assert_int_equal(c.state, CONN_CLOSED);
	assert_false(conn_wants_close(&c));
	conn_free(&c);
}

/* The peer can reset every open connection; RESET survives the close. */
static void
test_reset(void **state)
{
	static const enum conn_state	 from[] = {
		CONN_CONNECTING, CONN_ESTABLISHED, CONN_EOF_RECEIVED,
		CONN_EOF_SENT
	};
	struct conn			 c;
	size_t				 i;

	(void)state;
	for (i = 0; i < sizeof from / sizeof from[0]; i++) {
		test_conn_state(&c, from[i]);
		if (conn_can_send(&c, NULL))
			assert_int_equal(conn_queue(&c, "abc", 3, NULL), 0);
		conn_on_reset_by_peer(&c);
		assert_int_equal(c.state, CONN_RESET);
		assert_false(conn_is_open(&c));
		assert_false(conn_wants_close(&c));
		assert_int_equal(c.qlen, 0);
		assert_null(c.q);
		conn_on_close(&c);
		assert_int_equal(c.state, CONN_RESET);
		conn_free(&c);
	}
}

/* We close from every open state: CLOSED. */
static void
test_close(void **state)
{
	static const enum conn_state	 from[] = {
		CONN_LISTENING, CONN_CONNECTING, CONN_ESTABLISHED,
		CONN_EOF_RECEIVED, CONN_EOF_SENT, CONN_CLOSED
	};
	struct conn			 c;
	size_t				 i;

	(void)state;
	for (i = 0; i < sizeof from / sizeof from[0]; i++) {
		test_conn_state(&c, from[i]);
		if (conn_can_send(&c, NULL))
			assert_int_equal(conn_queue(&c, "abc", 3, NULL), 0);
		conn_on_close(&c);
		assert_int_equal(c.state, CONN_CLOSED);
		assert_int_equal(c.qlen, 0);
		assert_null(c.q);
		conn_free(&c);
	}
}

/* Transitions that do not apply leave the whole struct unchanged. */
static void
test_invalid_transitions(void **state)
{
	struct conn	c, before;
	size_t		i;
	int		t;

	(void)state;
	for (i = 0; i < TEST_NSTATES; i++) {
		for (t = 0; t < 5; t++) {
			test_conn_state(&c, test_states[i]);
			memcpy(&before, &c, sizeof before);
			switch (t) {
			case 0:
				if (c.state == CONN_CONNECTING)
					continue;
				conn_on_connected(&c);
				break;
			case 1:
				if (c.state == CONN_CONNECTING)
					continue;
				conn_on_connect_failed(&c);
				break;
			case 2:
				if (c.state == CONN_ESTABLISHED ||
				    c.state == CONN_EOF_SENT)
					continue;
				/* EOF-RECEIVED: a repeated EOF. */
				conn_on_eof(&c);
				break;
			case 3:
				if (c.state == CONN_ESTABLISHED ||
				    c.state == CONN_EOF_RECEIVED)
					continue;
				conn_on_shutdown(&c);
				break;
			case 4:
				if (c.state != CONN_LISTENING &&
				    conn_is_open(&c))
					continue;
				conn_on_reset_by_peer(&c);
				break;
			}
			assert_memory_equal(&c, &before, sizeof c);
			conn_free(&c);
		}
	}
}

/* Expect conn_can_send() in c to refuse with exactly want. */
static void
test_send_refused(struct conn *c, const char *want)
{
	char	*cause = NULL;

	assert_int_equal(conn_can_send(c, &cause), 0);
	assert_non_null(cause);
	assert_string_equal(cause, want);
	free(cause);

	/* conn_queue() refuses the same way and queues nothing. */
	cause = NULL;
	assert_int_equal(conn_queue(c, "abc", 3, &cause), -1);
	assert_non_null(cause);
	assert_string_equal(cause, want);
	free(cause);
	assert_int_equal(c->qlen, 0);

	/* A NULL cause is allowed. */
	assert_int_equal(conn_can_send(c, NULL), 0);
}

/* Sending in every state: allowed or refused with a clear cause. */
static void
test_can_send(void **state)
{
	static const char	*want[] = {
		"#1 is LISTENING",
		NULL,
		NULL,
		NULL,
		"#1 is EOF-SENT: cannot send after /shutdown",
		"#1 is CLOSED",
		"#1 was reset by the peer",
		"#1 failed to connect"
	};
	struct conn		 c;
	size_t			 i;
	char			*cause;

	(void)state;
	for (i = 0; i < TEST_NSTATES; i++) {
		test_conn_state(&c, test_states[i]);
		if (want[i] == NULL) {
			cause = NULL;
			assert_int_not_equal(conn_can_send(&c, &cause), 0);
			assert_null(cause);
			assert_int_equal(conn_queue(&c, "abc", 3, &cause), 0);
			assert_null(cause);
			assert_int_equal(c.qlen, 3);
		} else
			test_send_refused(&c, want[i]);
		conn_free(&c);
	}

	/* A pending /shutdown refuses more data. */
	conn_init(&c, 1, 0, CONN_ESTABLISHED);
	assert_int_equal(conn_queue(&c, "abc", 3, NULL), 0);
	assert_int_equal(conn_request_shutdown(&c, NULL), 0);
	assert_int_equal(c.shutdown_pending, 1);
	cause = NULL;
	assert_int_equal(conn_can_send(&c, &cause), 0);
	assert_string_equal(cause,
	    "#1 is shutting down: cannot send after /shutdown");
	free(cause);
	cause = NULL;
	assert_int_equal(conn_queue(&c, "def", 3, &cause), -1);
	assert_string_equal(cause,
	    "#1 is shutting down: cannot send after /shutdown");
	free(cause);
	assert_int_equal(c.qlen, 3);
	conn_free(&c);

	/* The id in the message is the connection's. */
	conn_init(&c, 42, 1, CONN_ESTABLISHED);
	conn_on_close(&c);
	cause = NULL;
	assert_int_equal(conn_can_send(&c, &cause), 0);
	assert_string_equal(cause, "#42 is CLOSED");
	free(cause);
	conn_free(&c);
}

/* Receiving in every state: allowed or refused with a clear cause. */
static void
test_can_recv(void **state)
{
	static const char	*want[] = {
		"#1 is LISTENING",
		"#1 is still connecting",
		NULL,
		NULL,			/* recv() returns 0 again: allowed */
		NULL,
		"#1 is CLOSED",
		"#1 was reset by the peer",
		"#1 failed to connect"
	};
	struct conn		 c;
	size_t			 i;
	char			*cause;

	(void)state;
	for (i = 0; i < TEST_NSTATES; i++) {
		test_conn_state(&c, test_states[i]);
		cause = NULL;
		if (want[i] == NULL) {
			assert_int_not_equal(conn_can_recv(&c, &cause), 0);
			assert_null(cause);
		} else {
			assert_int_equal(conn_can_recv(&c, &cause), 0);
			assert_non_null(cause);
			assert_string_equal(cause, want[i]);
			free(cause);
			assert_int_equal(conn_can_recv(&c, NULL), 0);
		}
		conn_free(&c);
	}

	/* Both directions done, not yet closed: recv() still allowed. */
	test_conn_state(&c, CONN_EOF_SENT);
	conn_on_eof(&c);
	assert_int_not_equal(conn_can_recv(&c, NULL), 0);
	assert_int_equal(conn_can_send(&c, NULL), 0);
	conn_free(&c);
}

/* /shutdown waits for the queue and the connect, then is done once. */
static void
test_request_shutdown(void **state)
{
	struct conn	 c;
	char		*cause;
	size_t		 i;

	(void)state;
	/* Empty queue, established: at once. */
	conn_init(&c, 1, 0, CONN_ESTABLISHED);
	assert_false(conn_wants_shutdown(&c));
	assert_int_equal(conn_request_shutdown(&c, NULL), 0);
	assert_true(conn_wants_shutdown(&c));
	cause = NULL;
	assert_int_equal(conn_request_shutdown(&c, &cause), -1);
	assert_string_equal(cause, "#1 is already shutting down");
	free(cause);
	conn_on_shutdown(&c);
	assert_int_equal(c.shutdown_pending, 0);
	assert_false(conn_wants_shutdown(&c));
	assert_int_equal(c.state, CONN_EOF_SENT);
	cause = NULL;
	assert_int_equal(conn_request_shutdown(&c, &cause), -1);
	assert_string_equal(cause, "#1 is EOF-SENT: already shut down");
	free(cause);
	conn_free(&c);

	/* Queued bytes go first. */
	conn_init(&c, 1, 0, CONN_ESTABLISHED);
	assert_int_equal(conn_queue(&c, "abcdef", 6, NULL), 0);
	assert_int_equal(conn_request_shutdown(&c, NULL), 0);
	assert_false(conn_wants_shutdown(&c));
	conn_on_sent(&c, 4);
	assert_false(conn_wants_shutdown(&c));
	conn_on_sent(&c, 2);
	assert_true(conn_wants_shutdown(&c));
	conn_free(&c);

	/* While connecting: after the connect. */
	conn_init(&c, 1, 0, CONN_CONNECTING);
	assert_int_equal(conn_request_shutdown(&c, NULL), 0);
	assert_false(conn_wants_shutdown(&c));
	conn_on_connected(&c);
	assert_true(conn_wants_shutdown(&c));
	conn_free(&c);

	/* After the peer's EOF we may still half-close. */
	test_conn_state(&c, CONN_EOF_RECEIVED);
	assert_int_equal(conn_request_shutdown(&c, NULL), 0);
	assert_true(conn_wants_shutdown(&c));
	conn_on_shutdown(&c);
	assert_true(conn_wants_close(&c));
	conn_free(&c);

	/* A close or reset cancels a pending shutdown. */
	conn_init(&c, 1, 0, CONN_ESTABLISHED);
	assert_int_equal(conn_queue(&c, "abc", 3, NULL), 0);
	assert_int_equal(conn_request_shutdown(&c, NULL), 0);
	conn_on_reset_by_peer(&c);
	assert_int_equal(c.shutdown_pending, 0);
	assert_false(conn_wants_shutdown(&c));
	conn_free(&c);

	/* Closed states refuse with the can_send cause. */
	for (i = 5; i < TEST_NSTATES; i++) {
		test_conn_state(&c, test_states[i]);
		cause = NULL;
		assert_int_equal(conn_request_shutdown(&c, &cause), -1);
		assert_non_null(cause);
		free(cause);
		assert_int_equal(c.shutdown_pending, 0);
		conn_free(&c);
	}
}

/* recv() results count chunks and give continuing offsets. */
static void
test_recv_counters(void **state)
{
	struct conn	c;

	(void)state;
	conn_init(&c, 1, 0, CONN_ESTABLISHED);
	assert_int_equal(conn_on_recv(&c, 73), 0);
	assert_int_equal(conn_on_recv(&c, 5), 73);
	assert_int_equal(conn_on_recv(&c, 4096), 78);
	assert_int_equal(c.in_bytes, 73 + 5 + 4096);
	assert_int_equal(c.in_chunks, 3);
	/* Zero is EOF, not a chunk. */
	assert_int_equal(conn_on_recv(&c, 0), 73 + 5 + 4096);
	assert_int_equal(c.in_chunks, 3);
	/* Nothing else moves. */
	assert_int_equal(c.out_bytes, 0);
	assert_int_equal(c.out_chunks, 0);
	assert_int_equal(c.state, CONN_ESTABLISHED);
	/* Totals survive EOF and close. */
	conn_on_eof(&c);
	conn_on_close(&c);
	assert_int_equal(c.in_bytes, 73 + 5 + 4096);
	assert_int_equal(c.in_chunks, 3);
	conn_free(&c);
}

/* Appends, partial sends, offsets and counters. */
static void
test_queue_partial(void **state)
{
	struct conn		 c;
	const unsigned char	*p;
	size_t			 n;

	(void)state;
	conn_init(&c, 1, 0, CONN_ESTABLISHED);
	p = conn_queue_peek(&c, &n);
	assert_null(p);
	assert_int_equal(n, 0);

	assert_int_equal(conn_queue(&c, "hello ", 6, NULL), 0);
	assert_int_equal(conn_queue(&c, "world\n", 6, NULL), 0);
	assert_int_equal(conn_queue(&c, "", 0, NULL), 0);
	p = conn_queue_peek(&c, &n);
	assert_int_equal(n, 12);
	assert_memory_equal(p, "hello world\n", 12);

	assert_int_equal(conn_on_sent(&c, 4), 0);
	p = conn_queue_peek(&c, &n);
	assert_int_equal(n, 8);
	assert_memory_equal(p, "o world\n", 8);
	assert_int_equal(c.out_bytes, 4);
	assert_int_equal(c.out_chunks, 1);

	assert_int_equal(conn_on_sent(&c, 7), 4);
	p = conn_queue_peek(&c, &n);
	assert_int_equal(n, 1);
	assert_memory_equal(p, "\n", 1);

	/* Appending after a partial send keeps the order. */
	assert_int_equal(conn_queue(&c, "bye\n", 4, NULL), 0);
	p = conn_queue_peek(&c, &n);
	assert_int_equal(n, 5);
	assert_memory_equal(p, "\nbye\n", 5);

	assert_int_equal(conn_on_sent(&c, 5), 11);
	assert_int_equal(c.out_bytes, 16);
	assert_int_equal(c.out_chunks, 3);
	p = conn_queue_peek(&c, &n);
	assert_int_equal(n, 0);
	assert_int_equal(c.qhead, 0);

	/* Nothing sent is not a chunk; more than queued is clamped. */
	assert_int_equal(conn_on_sent(&c, 0), 16);
	assert_int_equal(c.out_chunks, 3);
	assert_int_equal(conn_queue(&c, "xy", 2, NULL), 0);
	assert_int_equal(conn_on_sent(&c, 100), 16);
	assert_int_equal(c.out_bytes, 18);
	assert_int_equal(c.out_chunks, 4);
	assert_int_equal(c.qlen, 0);
	assert_int_equal(c.in_bytes, 0);
	conn_free(&c);
	assert_null(c.q);
}

/* A large sent head makes room by moving the tail, not by growing. */
static void
test_queue_compact(void **state)
{
	struct conn		 c;
	unsigned char		*buf;
	const unsigned char	*p;
	size_t			 n, cap;

	(void)state;
	buf = xmalloc(65536);
	conn_init(&c, 1, 0, CONN_ESTABLISHED);
	test_pattern(buf, 0, 3000);
	assert_int_equal(conn_queue(&c, buf, 3000, NULL), 0);
	cap = c.qcap;
	assert_true(cap >= 3000 + 1500);

	/* Fill the buffer to its end, then send all but 1000 bytes. */
	test_pattern(buf, 3000, cap - 3000);
	assert_int_equal(conn_queue(&c, buf, cap - 3000, NULL), 0);
	assert_int_equal(c.qcap, cap);
	assert_int_equal(conn_on_sent(&c, cap - 1000), 0);
	assert_int_equal(c.qhead, cap - 1000);

	/* 1000 left + 1000 more fit once moved to the front. */
	test_pattern(buf, cap, 1000);
	assert_int_equal(conn_queue(&c, buf, 1000, NULL), 0);
	assert_int_equal(c.qcap, cap);
	assert_int_equal(c.qhead, 0);
	p = conn_queue_peek(&c, &n);
	assert_int_equal(n, 2000);
	test_check_pattern(p, cap - 1000, 2000);

	/* While it fits behind the tail, nothing moves. */
	assert_int_equal(conn_on_sent(&c, 10), cap - 1000);
	test_pattern(buf, cap + 1000, 100);
	assert_int_equal(conn_queue(&c, buf, 100, NULL), 0);
	assert_int_equal(c.qhead, 10);
	assert_int_equal(c.qcap, cap);

	/* Too much to fit even when moved: moved and grown. */
	test_pattern(buf, cap + 1100, cap);
	assert_int_equal(conn_queue(&c, buf, cap, NULL), 0);
	assert_true(c.qcap > cap);
	assert_int_equal(c.qhead, 0);
	p = conn_queue_peek(&c, &n);
	assert_int_equal(n, 2090 + cap);
	test_check_pattern(p, cap - 990, n);
	free(buf);
	conn_free(&c);
}

/* Growth is geometric: a million 1-byte appends take few reallocs. */
static void
test_queue_growth(void **state)
{
	struct conn	c;
	size_t		i, changes = 0, cap = 0;
	unsigned char	b;

	(void)state;
	conn_init(&c, 1, 0, CONN_ESTABLISHED);
	for (i = 0; i < 1000000; i++) {
		b = (unsigned char)i;
		assert_int_equal(conn_queue(&c, &b, 1, NULL), 0);
		if (c.qcap != cap) {
			changes++;
			cap = c.qcap;
		}
	}
	assert_true(changes <= 20);
	assert_true(c.qcap < 3 * 1000000);
	assert_int_equal(c.qlen, 1000000);
	conn_free(&c);
}

/* Past CONN_QUEUE_MAX a send is refused whole, with the sizes in words. */
static void
test_queue_cap(void **state)
{
	struct conn	 c;
	unsigned char	*big, small[2048];
	char		*cause;
	size_t		 i, block = 1024 * 1024;

	(void)state;
	conn_init(&c, 1, 0, CONN_ESTABLISHED);

	/* One send larger than the cap: the check happens before reading. */
	cause = NULL;
	assert_int_equal(conn_queue(&c, small, 300 * block, &cause), -1);
	assert_string_equal(cause,
	    "#1 cannot queue 300 MiB: the send queue holds at most 256 MiB");
	free(cause);
	cause = NULL;
	assert_int_equal(conn_queue(&c, small, (size_t)CONN_QUEUE_MAX + 1,
	    &cause), -1);
	assert_string_equal(cause, "#1 cannot queue 256.0 MiB: "
	    "the send queue holds at most 256 MiB");
	free(cause);
	assert_int_equal(c.qlen, 0);
	assert_null(c.q);

	/* 1.5 KiB waiting, and a send that would pass the cap. */
	memset(small, 'a', sizeof small);
	assert_int_equal(conn_queue(&c, small, 1536, NULL), 0);
	cause = NULL;
	assert_int_equal(conn_queue(&c, small,
	    (size_t)CONN_QUEUE_MAX - 1535, &cause), -1);
	assert_string_equal(cause,
	    "#1 send queue full: 1.5 KiB waiting, the peer is not reading");
	free(cause);
	assert_int_equal(c.qlen, 1536);
	conn_on_sent(&c, 1036);
	cause = NULL;
	assert_int_equal(conn_queue(&c, small,
	    (size_t)CONN_QUEUE_MAX - 499, &cause), -1);
	assert_string_equal(cause,
	    "#1 send queue full: 500 B waiting, the peer is not reading");
	free(cause);
	conn_on_sent(&c, 500);

	/* Fill exactly to the cap: allowed; one byte more is not. */
	big = xmalloc(block);
	memset(big, 'b', block);
	for (i = 0; i < CONN_QUEUE_MAX / block; i++)
		assert_int_equal(conn_queue(&c, big, block, NULL), 0);
	assert_int_equal(c.qlen, CONN_QUEUE_MAX);
	assert_int_equal(c.qcap, CONN_QUEUE_MAX);
	cause = NULL;
	assert_int_equal(conn_queue(&c, "x", 1, &cause), -1);
	assert_string_equal(cause,
	    "#1 send queue full: 256 MiB waiting, the peer is not reading");
	free(cause);
	assert_int_equal(c.qlen, CONN_QUEUE_MAX);
	assert_int_equal(conn_queue(&c, "x", 0, NULL), 0);

	/* Sending one byte makes room for one byte. */
	conn_on_sent(&c, 1);
	assert_int_equal(conn_queue(&c, "x", 1, NULL), 0);
	assert_int_equal(c.qlen, CONN_QUEUE_MAX);
	assert_int_equal(c.qcap, CONN_QUEUE_MAX);
	free(big);

	/* Draining it gives the memory back. */
	while (c.qlen > 0)
		conn_on_sent(&c, 64 * block);
	assert_null(c.q);
	assert_int_equal(c.qcap, 0);
	assert_int_equal(c.out_bytes, 1536 + CONN_QUEUE_MAX + 1);
	conn_free(&c);
}

/* A 10 MiB burst does not stay allocated once sent. */
static void
test_queue_burst_freed(void **state)
{
	struct conn		 c;
	unsigned char		*buf;
	const unsigned char	*p;
	size_t			 n, sent = 0, burst = 10 * 1024 * 1024;
	uint64_t		 off;

	(void)state;
	conn_init(&c, 1, 0, CONN_ESTABLISHED);
	buf = xmalloc(burst);
	test_pattern(buf, 0, burst);
	assert_int_equal(conn_queue(&c, buf, burst, NULL), 0);
	assert_true(c.qcap >= burst);

	/* The kernel takes odd amounts; data and offsets follow. */
	while (c.qlen > 0) {
		p = conn_queue_peek(&c, &n);
		assert_int_equal(n, burst - sent);
		test_check_pattern(p, sent, n < 777 ? n : 777);
		off = conn_on_sent(&c, n < 65521 ? n : 65521);
		assert_int_equal(off, sent);
		sent += n < 65521 ? n : 65521;
	}
	assert_int_equal(c.out_bytes, burst);
	assert_int_equal(c.out_chunks, (burst + 65520) / 65521);
	assert_null(c.q);
	assert_int_equal(c.qcap, 0);
	assert_int_equal(c.qhead, 0);

	/* A small queue keeps its buffer for the next line. */
	assert_int_equal(conn_queue(&c, "hi\n", 3, NULL), 0);
	conn_on_sent(&c, 3);
	assert_non_null(c.q);
	assert_true(c.qcap <= 4096);

	/* A burst mostly drained then topped up shrinks to fit. */
	assert_int_equal(conn_queue(&c, buf, burst, NULL), 0);
	conn_on_sent(&c, burst - 100);
	assert_int_equal(conn_queue(&c, "tail", 4, NULL), 0);
	assert_true(c.qcap <= 1024 * 1024);
	p = conn_queue_peek(&c, &n);
	assert_int_equal(n, 104);
	test_check_pattern(p, burst - 100, 100);
	assert_memory_equal(p + 100, "tail", 4);
	free(buf);
	conn_free(&c);
}

/* Random queue and send calls against a model of the byte stream. */
static void
test_queue_random(void **state)
{
	struct conn		 c;
	unsigned char		*buf;
	const unsigned char	*p;
	size_t			 n, want, peak = 0, i;
	uint64_t		 queued = 0, sent = 0;
	unsigned int		 seed = 12345;

	(void)state;
	buf = xmalloc(1 << 20);
	conn_init(&c, 1, 0, CONN_ESTABLISHED);
	for (i = 0; i < 20000; i++) {
		seed = seed * 1103515245 + 12345;
		if ((seed >> 16) % 2 == 0) {
			/* Mostly small lines, sometimes a big paste. */
			want = (seed >> 8) % 100 == 0 ?
			    (seed >> 4) % (1 << 20) : (seed >> 4) % 200;
			test_pattern(buf, queued, want);
			assert_int_equal(conn_queue(&c, buf, want, NULL), 0);
			queued += want;
		} else {
			/* Sometimes the peer catches up with everything. */
			want = (seed >> 8) % 40 == 0 ? c.qlen :
			    (seed >> 4) % 3000;
			if (want > c.qlen)
				want = c.qlen;
			assert_int_equal(conn_on_sent(&c, want), sent);
			sent += want;
		}
		assert_int_equal(c.qlen, queued - sent);
		assert_int_equal(c.out_bytes, sent);
		assert_true(c.qhead + c.qlen <= c.qcap || c.qcap == 0);
		if (c.qlen > peak)
			peak = c.qlen;
		/* Memory follows what is queued, not what was sent. */
		assert_true(c.qcap <= 3 * peak + 4096 ||
		    c.qcap <= 1024 * 1024);
		if (c.qlen == 0)
			peak = 0;
		p = conn_queue_peek(&c, &n);
		assert_int_equal(n, queued - sent);
		if (n > 0)
			test_check_pattern(p, sent, n < 64 ? n : 64);
	}
	p = conn_queue_peek(&c, &n);
	if (n > 0)
		test_check_pattern(p, sent, n);
	free(buf);
	conn_free(&c);
}

/* EPIPE with bytes still unread: no more sending, but the state stays
 * open so recv() can still read what the peer sent. */
static void
test_send_failed(void **state)
{
	struct conn	 c;
	char		*cause = NULL;

	(void)state;
	conn_init(&c, 1, 0, CONN_ESTABLISHED);
	assert_int_equal(conn_queue(&c, "abc", 3, &cause), 0);
	assert_int_equal(conn_send_failed(&c), 0);
	conn_on_send_failed(&c);
	assert_int_equal(conn_send_failed(&c), 1);
	assert_int_equal(c.qlen, 0);
	assert_int_equal(c.state, CONN_ESTABLISHED);
	assert_true(conn_is_open(&c));
	assert_true(conn_can_recv(&c, &cause));
	assert_false(conn_can_send(&c, &cause));
	assert_non_null(cause);
	assert_non_null(strstr(cause, "the peer is gone"));
	free(cause);
	cause = NULL;
	assert_int_equal(conn_queue(&c, "d", 1, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(conn_request_shutdown(&c, &cause), -1);
	free(cause);
	/* The end is learned by recv(): EOF, then the close. */
	conn_on_eof(&c);
	conn_on_close(&c);
	assert_int_equal(c.state, CONN_CLOSED);
	/* A closed connection ignores it. */
	conn_on_send_failed(&c);
	conn_free(&c);
}

/* A connection the view let go (NULL) is not open. */
static void
test_is_open_null(void **state)
{
	(void)state;
	assert_int_equal(conn_is_open(NULL), 0);
}

/* A datagram that cannot be sent is dropped from the queue alone. */
static void
test_drop_queue(void **state)
{
	struct conn	 c;
	char		*cause = NULL;

	(void)state;
	conn_init(&c, 1, 0, CONN_ESTABLISHED);
	assert_int_equal(conn_queue(&c, "abcdef", 6, &cause), 0);
	conn_drop_queue(&c);
	assert_int_equal(c.qlen, 0);
	assert_true(conn_can_send(&c, &cause));
	assert_int_equal(conn_queue(&c, "x", 1, &cause), 0);
	assert_int_equal(c.qlen, 1);
	conn_free(&c);
}

/* Addresses are copied and truncated safely. */
static void
test_set_addrs(void **state)
{
	struct conn	c;
	char		longaddr[400];

	(void)state;
	conn_init(&c, 1, 0, CONN_ESTABLISHED);
	conn_set_addrs(&c, "127.0.0.1:41822", "[::1]:80");
	assert_string_equal(c.local, "127.0.0.1:41822");
	assert_string_equal(c.peer, "[::1]:80");

	memset(longaddr, 'x', sizeof longaddr - 1);
	longaddr[sizeof longaddr - 1] = '\0';
	conn_set_addrs(&c, longaddr, longaddr + 200);
	assert_int_equal(strlen(c.local), sizeof c.local - 1);
	assert_int_equal(strlen(c.peer), sizeof c.peer - 1);
	assert_memory_equal(c.local, longaddr, sizeof c.local - 1);

	/* Exactly fitting. */
	longaddr[sizeof c.local - 1] = '\0';
	conn_set_addrs(&c, "", longaddr);
	assert_string_equal(c.local, "");
	assert_string_equal(c.peer, longaddr);

	/* NULL leaves one unchanged. */
	conn_set_addrs(&c, "1.2.3.4:5", NULL);
	assert_string_equal(c.local, "1.2.3.4:5");
	assert_string_equal(c.peer, longaddr);
	conn_free(&c);
}

/* conn_free releases the queue and the struct can be used again. */
static void
test_free_reinit(void **state)
{
	struct conn	c;

	(void)state;
	conn_init(&c, 1, 0, CONN_ESTABLISHED);
	assert_int_equal(conn_queue(&c, "abc", 3, NULL), 0);
	conn_free(&c);
	assert_null(c.q);
	assert_int_equal(c.qlen, 0);
	conn_free(&c);
	conn_init(&c, 2, 0, CONN_CONNECTING);
	assert_int_equal(c.id, 2);
	assert_null(c.q);
	conn_free(&c);
}

/* Run the conn tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_is_open),
		cmocka_unit_test(test_connect),
		cmocka_unit_test(test_queue_while_connecting),
		cmocka_unit_test(test_eof_then_shutdown),
		cmocka_unit_test(test_shutdown_then_eof),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_close),
		cmocka_unit_test(test_invalid_transitions),
		cmocka_unit_test(test_can_send),
		cmocka_unit_test(test_can_recv),
		cmocka_unit_test(test_request_shutdown),
		cmocka_unit_test(test_recv_counters),
		cmocka_unit_test(test_queue_partial),
		cmocka_unit_test(test_queue_compact),
		cmocka_unit_test(test_queue_growth),
		cmocka_unit_test(test_queue_cap),
		cmocka_unit_test(test_queue_burst_freed),
		cmocka_unit_test(test_queue_random),
		cmocka_unit_test(test_set_addrs),
		cmocka_unit_test(test_send_failed),
		cmocka_unit_test(test_drop_queue),
		cmocka_unit_test(test_is_open_null),
		cmocka_unit_test(test_free_reinit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
