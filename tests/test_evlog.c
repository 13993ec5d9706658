/*
 * test_evlog.c: cmocka tests for evlog.c: errno and getaddrinfo names, the
 * error text, the Events pane wording of every event kind and the ring of
 * kept lines.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockscope/evlog.h"
#include "sockscope/util.h"

/* The error text of e as a malloc'd string. */
static char *
test_error_text(const struct ev *e)
{
	struct sbuf	b = { 0 };

	evlog_error_text(&b, e);
	return b.p != NULL ? b.p : xstrdup("");
}

/* The Events pane wording of e as a malloc'd string. */
static char *
test_api_text(const struct ev *e)
{
	struct sbuf	b = { 0 };

	evlog_api_text(&b, e);
	return b.p != NULL ? b.p : xstrdup("");
}

/* Check that the error text of e is want. */
static void
test_check_error(const struct ev *e, const char *want)
{
	char	*got = test_error_text(e);

	assert_string_equal(got, want);
	free(got);
}

/* Check that the Events pane wording of e is want. */
static void
test_check_api(const struct ev *e, const char *want)
{
	char	*got = test_api_text(e);

	assert_string_equal(got, want);
	free(got);
}

/* Every errno a socket program meets has its symbolic name. */
static void
test_errname_known(void **state)
{
	static const struct {
		int		 err;
		const char	*name;
	} names[] = {
#define T(e) { e, #e }
		T(EACCES), T(EADDRINUSE), T(EADDRNOTAVAIL), T(EAFNOSUPPORT),
		T(EAGAIN), T(EALREADY), T(EBADF), T(ECONNABORTED),
		T(ECONNREFUSED), T(ECONNRESET), T(EHOSTDOWN), T(EHOSTUNREACH),
		T(EINPROGRESS), T(EINTR), T(EINVAL), T(EISCONN), T(EMFILE),
		T(ENFILE), T(ENETDOWN), T(ENETRESET), T(ENETUNREACH),
		T(ENOBUFS), T(ENOMEM), T(ENOTCONN), T(ENOTSOCK), T(EPERM),
		T(EPIPE), T(EPROTO), T(ETIMEDOUT), T(ENOENT), T(EEXIST),
		T(ENOSPC), T(EIO), T(EMSGSIZE), T(EOPNOTSUPP),
		T(EPROTONOSUPPORT), T(ESOCKTNOSUPPORT), T(ENOPROTOOPT),
		T(EDESTADDRREQ), T(EPROTOTYPE), T(ESHUTDOWN), T(EFAULT),
		T(ENAMETOOLONG), T(ENOSYS), T(ERANGE)
#undef T
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		assert_string_equal(evlog_errname(names[i].err), names[i].name);
	/* Where two names share a value, the usual one is shown. */
	assert_string_equal(evlog_errname(EWOULDBLOCK), "EAGAIN");
#if defined(ENOTSUP) && ENOTSUP == EOPNOTSUPP
	assert_string_equal(evlog_errname(ENOTSUP), "EOPNOTSUPP");
#endif
}

/* An errno not in the table is shown as E<number>, and a few such names
 * can be used at once. */
static void
test_errname_unknown(void **state)
{
	const char	*a, *b, *c;

	(void)state;
	a = evlog_errname(99999);
	b = evlog_errname(-7);
	c = evlog_errname(0);
	assert_string_equal(a, "E99999");
	assert_string_equal(b, "E-7");
	assert_string_equal(c, "E0");
	assert_string_equal(a, "E99999");
}

/* getaddrinfo() errors have their names too. */
static void
test_gainame(void **state)
{
	(void)state;
	assert_string_equal(evlog_gainame(EAI_NONAME), "EAI_NONAME");
	assert_string_equal(evlog_gainame(EAI_AGAIN), "EAI_AGAIN");
	assert_string_equal(evlog_gainame(EAI_SERVICE), "EAI_SERVICE");
	assert_string_equal(evlog_gainame(EAI_SYSTEM), "EAI_SYSTEM");
	assert_string_equal(evlog_gainame(12345), "EAI_12345");
}

/* The usual error text: call, address, message and errno name. */
static void
test_error_text_connect(void **state)
{
	struct ev	e = { .kind = EV_ERROR, .conn = 2, .call = "connect",
			    .addr = "127.0.0.1:1", .err = ECONNREFUSED };
	char		want[256];

	(void)state;
	snprintf(want, sizeof want, "connect 127.0.0.1:1: %s (ECONNREFUSED)",
	    strerror(ECONNREFUSED));
	test_check_error(&e, want);

	/* The message given wins over strerror(). */
	e.message = "no route";
	test_check_error(&e, "connect 127.0.0.1:1: no route (ECONNREFUSED)");

	/* No address. */
	e.message = NULL;
	e.addr = NULL;
	e.call = "recv";
	e.err = ECONNABORTED;
	snprintf(want, sizeof want, "recv: %s (ECONNABORTED)",
	    strerror(ECONNABORTED));
	test_check_error(&e, want);

	/* An empty address counts as none. */
	e.addr = "";
	test_check_error(&e, want);

	/* No errno: just the message. */
	e.err = 0;
	e.call = "connect";
	e.addr = "10.0.0.1:80";
	e.message = "timed out after 10 seconds";
	test_check_error(&e, "connect 10.0.0.1:80: timed out after 10 seconds");

	/* A message that names its errno already (a TLS cause) does not get
	 * it twice; one naming another errno, or part of it, still does. */
	e.call = "SSL_connect";
	e.addr = NULL;
	e.err = ECONNRESET;
	e.message = "Connection reset by peer (ECONNRESET)";
	test_check_error(&e, "SSL_connect: Connection reset by peer "
	    "(ECONNRESET)");
	e.message = "reset (EPIPE)";
	test_check_error(&e, "SSL_connect: reset (EPIPE) (ECONNRESET)");
	e.message = "reset (CONNRESET)";
	test_check_error(&e, "SSL_connect: reset (CONNRESET) (ECONNRESET)");
}

/* bind() gets plain words for the two errors everyone meets. */
static void
test_error_text_bind(void **state)
{
	struct ev	e = { .kind = EV_ERROR, .listener = 1, .call = "bind",
			    .addr = "127.0.0.1:19999", .err = EADDRINUSE };

	(void)state;
	test_check_error(&e, "127.0.0.1:19999 is already in use");
	e.addr = "0.0.0.0:80";
	e.err = EACCES;
	test_check_error(&e, "0.0.0.0:80: permission denied (EACCES): "
	    "ports below 1024 need root");
	/* The same errno from another call is not about ports. */
	e.call = "connect";
	e.err = EADDRINUSE;
	e.message = "Address already in use";
	test_check_error(&e, "connect 0.0.0.0:80: Address already in use "
	    "(EADDRINUSE)");
}

/* A name that does not resolve. */
static void
test_error_text_gai(void **state)
{
	struct ev	e = { .kind = EV_ERROR, .call = "getaddrinfo",
			    .addr = "nosuch.invalid", .gai = EAI_NONAME,
			    .message = "Name or service not known" };
	char		want[256];

	(void)state;
	test_check_error(&e, "cannot resolve 'nosuch.invalid': Name or "
	    "service not known");

	/* Without a message, gai_strerror()'s. */
	e.message = NULL;
	snprintf(want, sizeof want, "cannot resolve 'nosuch.invalid': %s",
	    gai_strerror(EAI_NONAME));
	test_check_error(&e, want);

	/* EAI_SYSTEM: the errno's message. */
	e.gai = EAI_SYSTEM;
	e.err = EMFILE;
	snprintf(want, sizeof want, "cannot resolve 'nosuch.invalid': %s",
	    strerror(EMFILE));
	test_check_error(&e, want);
}

/* Bytes from outside never reach the text unescaped. */
static void
test_error_text_hostile(void **state)
{
	struct ev	e = { .kind = EV_ERROR, .call = "connect",
			    .addr = "evil\033[2J\xff:1",
			    .message = "bad\r\n\033]0;pwned\007 caf\xc3\xa9",
			    .err = ECONNREFUSED };
	char		*got;

	(void)state;
	test_check_error(&e, "connect evil\\x1b[2J\\xff:1: bad\\r\\n"
	    "\\x1b]0;pwned\\x07 caf\xc3\xa9 (ECONNREFUSED)");

	e.gai = EAI_NONAME;
	e.err = 0;
	e.addr = "a\\b\x9b";
	e.message = "x";
	test_check_error(&e, "cannot resolve 'a\\\\b\\x9b': x");

	e.gai = 0;
	e.call = "bind";
	e.err = EADDRINUSE;
	got = test_error_text(&e);
	assert_string_equal(got, "a\\\\b\\x9b is already in use");
	free(got);
}

/* The Events pane wording of each state change. */
static void
test_api_states(void **state)
{
	struct ev	e = { .kind = EV_LISTENING, .listener = 1,
			    .addr = "127.0.0.1:19999" };

	(void)state;
	test_check_api(&e, "listen(127.0.0.1:19999) = 0");
	e.addr = "0.0.0.0:19999";
	e.all_interfaces = 1;
	test_check_api(&e, "listen(0.0.0.0:19999) = 0  all interfaces!");

	memset(&e, 0, sizeof e);
	e.kind = EV_ACCEPTED;
	e.conn = 2;
	e.listener = 1;
	e.addr = "127.0.0.1:19999";
	e.local = "127.0.0.1:19999";
	e.peer = "127.0.0.1:50412";
	test_check_api(&e, "accept() = #2 from 127.0.0.1:50412");

	memset(&e, 0, sizeof e);
	e.kind = EV_CONNECTING;
	e.conn = 1;
	e.addr = "127.0.0.1:5151";
	e.local = "";
	test_check_api(&e, "connect(127.0.0.1:5151) = EINPROGRESS");
	e.kind = EV_CONNECTED;
	e.local = "127.0.0.1:41822";
	e.peer = "127.0.0.1:5151";
	test_check_api(&e, "connect(127.0.0.1:5151) = 0");
	e.addr = NULL;
	test_check_api(&e, "connect(127.0.0.1:5151) = 0");

	memset(&e, 0, sizeof e);
	e.kind = EV_SHUTDOWN;
	e.conn = 1;
	test_check_api(&e, "shutdown(SHUT_WR) = 0");

	e.kind = EV_CLOSED;
	e.in_bytes = 78;
	test_check_api(&e, "close() = 0");
	memset(&e, 0, sizeof e);
	e.kind = EV_CLOSED;
	e.listener = 1;
	test_check_api(&e, "close() = 0");
}

/* The Events pane wording of data, EOF, reset and waiting. */
static void
test_api_data(void **state)
{
	static const unsigned char	 hello[] = "hello\n";
	struct ev			 e = { .kind = EV_RECV, .conn = 1,
					    .asked = 4096, .len = 6,
					    .data = hello, .chunk = 1 };

	(void)state;
	test_check_api(&e, "recv(4096) = 6");

	e.kind = EV_SEND;
	e.asked = 6;
	test_check_api(&e, "send(6) = 6");
	e.asked = 10485760;
	e.len = 2621440;
	e.data = NULL;
	test_check_api(&e, "send(10485760) = 2621440");
	e.asked = 0;
	e.len = 3;
	test_check_api(&e, "send(3) = 3");

	memset(&e, 0, sizeof e);
	e.kind = EV_EOF;
	e.conn = 1;
	e.asked = 4096;
	test_check_api(&e, "recv(4096) = 0   EOF: the peer finished sending");

	memset(&e, 0, sizeof e);
	e.kind = EV_RESET;
	e.conn = 1;
	e.by_peer = 1;
	e.call = "recv";
	e.asked = 4096;
	e.err = ECONNRESET;
	test_check_api(&e, "recv(4096) = ECONNRESET   the peer reset the "
	    "connection");
	e.call = "send";
	e.asked = 100;
	e.err = EPIPE;
	test_check_api(&e, "send(100) = EPIPE   the peer reset the connection");
	e.call = NULL;
	e.asked = 0;
	e.err = 0;
	test_check_api(&e, "recv() = ECONNRESET   the peer reset the "
	    "connection");
	e.by_peer = 0;
	test_check_api(&e, "SO_LINGER 0 + close() = 0   RST sent");

	memset(&e, 0, sizeof e);
	e.kind = EV_WAIT;
	e.conn = 1;
	e.call = "recv";
	e.asked = 4096;
	e.err = EAGAIN;
	test_check_api(&e, "recv(4096) = EAGAIN   nothing waiting");
	e.call = "send";
	e.asked = 65536;
	e.len = 1048576;
	test_check_api(&e, "send(65536) = EAGAIN   1048576 bytes queued");
	e.asked = 0;
	e.len = 1;
	test_check_api(&e, "send(1) = EAGAIN   1 byte queued");
}

/* The Events pane wording of errors. */
static void
test_api_error(void **state)
{
	struct ev	e = { .kind = EV_ERROR, .conn = 2, .call = "connect",
			    .addr = "127.0.0.1:1", .err = ECONNREFUSED,
			    .message = "Connection refused" };
	char		want[256];

	(void)state;
	test_check_api(&e, "connect(127.0.0.1:1) = ECONNREFUSED   "
	    "Connection refused");
	e.message = NULL;
	e.call = "recv";
	e.addr = NULL;
	e.err = ENOTCONN;
	snprintf(want, sizeof want, "recv() = ENOTCONN   %s",
	    strerror(ENOTCONN));
	test_check_api(&e, want);

	e.call = "bind";
	e.addr = "127.0.0.1:19999";
	e.err = EADDRINUSE;
	e.message = "Address already in use";
	test_check_api(&e, "bind(127.0.0.1:19999) = EADDRINUSE   "
	    "Address already in use");

	memset(&e, 0, sizeof e);
	e.kind = EV_ERROR;
	e.call = "getaddrinfo";
	e.addr = "nosuch.invalid";
	e.gai = EAI_NONAME;
	e.message = "Name or service not known";
	test_check_api(&e, "getaddrinfo(nosuch.invalid) = EAI_NONAME   "
	    "Name or service not known");

	memset(&e, 0, sizeof e);
	e.kind = EV_ERROR;
	e.call = "connect";
	e.addr = "10.0.0.1:80";
	e.message = "timed out";
	test_check_api(&e, "connect(10.0.0.1:80) = -1   timed out");

	/* Outside bytes are escaped here too. */
	e.addr = "\033[31mred";
	e.message = "\xfe\n";
	test_check_api(&e, "connect(\\x1b[31mred) = -1   \\xfe\\n");
}

/* Lines are prefixed with the socket and keep the event's fields. */
static void
test_ring_add(void **state)
{
	struct evlog			 l;
	const struct evlog_line		*line;
	struct ev			 e = { .kind = EV_LISTENING, .t = 0.25,
					    .listener = 1,
					    .addr = "127.0.0.1:19999" };

	(void)state;
	evlog_init(&l, 16);
	assert_null(evlog_get(&l, 0));
	evlog_add(&l, &e);

	memset(&e, 0, sizeof e);
	e.kind = EV_ACCEPTED;
	e.conn = 2;
	e.listener = 1;
	e.peer = "127.0.0.1:50412";
	evlog_add(&l, &e);

	memset(&e, 0, sizeof e);
	e.kind = EV_RECV;
	e.t = 1.5;
	e.conn = 2;
	e.listener = 1;
	e.asked = 4096;
	e.len = 6;
	evlog_add(&l, &e);

	memset(&e, 0, sizeof e);
	e.kind = EV_ERROR;
	e.conn = 3;
	e.call = "connect";
	e.addr = "127.0.0.1:1";
	e.err = ECONNREFUSED;
	e.message = "Connection refused";
	evlog_add(&l, &e);

	memset(&e, 0, sizeof e);
	e.kind = EV_ERROR;
	e.call = "getaddrinfo";
	e.addr = "x.invalid";
	e.gai = EAI_NONAME;
	e.message = "unknown";
	evlog_add(&l, &e);

	evlog_add_text(&l, 2.0, 0, "focus is #2");
	evlog_add_text(&l, 2.5, 1, "unknown command /foo");

	assert_int_equal(l.count, 7);
	assert_int_equal(l.total, 7);

	line = evlog_get(&l, 0);
	assert_string_equal(line->text, "L1 listen(127.0.0.1:19999) = 0");
	assert_true(line->t == 0.25);
	assert_int_equal(line->listener, 1);
	assert_int_equal(line->conn, 0);
	assert_int_equal(line->kind, EV_LISTENING);
	assert_int_equal(line->error, 0);

	line = evlog_get(&l, 1);
	assert_string_equal(line->text,
	    "L1 accept() = #2 from 127.0.0.1:50412");
	assert_int_equal(line->conn, 2);
	assert_int_equal(line->listener, 1);

	line = evlog_get(&l, 2);
	assert_string_equal(line->text, "#2 recv(4096) = 6");
	assert_true(line->t == 1.5);
	assert_int_equal(line->kind, EV_RECV);

	line = evlog_get(&l, 3);
	assert_string_equal(line->text, "#3 connect(127.0.0.1:1) = "
	    "ECONNREFUSED   Connection refused");
	assert_int_not_equal(line->error, 0);

	line = evlog_get(&l, 4);
	assert_string_equal(line->text, "getaddrinfo(x.invalid) = EAI_NONAME"
	    "   unknown");
	assert_int_not_equal(line->error, 0);

	line = evlog_get(&l, 5);
	assert_string_equal(line->text, "focus is #2");
	assert_int_equal(line->kind, EVLOG_TEXT);
	assert_int_equal(line->error, 0);
	assert_int_equal(line->conn, 0);

	line = evlog_get(&l, 6);
	assert_string_equal(line->text, "unknown command /foo");
	assert_int_not_equal(line->error, 0);
	assert_true(line->t == 2.5);

	assert_null(evlog_get(&l, 7));
	evlog_free(&l);
}

/* Waiting recv()s are kept; a send that would block with nothing queued
 * is not. */
static void
test_ring_wait(void **state)
{
	struct evlog	l;
	struct ev	e = { .kind = EV_WAIT, .conn = 1, .call = "recv",
			    .asked = 4096, .err = EAGAIN };

	(void)state;
	evlog_init(&l, 4);
	evlog_add(&l, &e);
	e.call = "send";
	e.asked = 10;
	evlog_add(&l, &e);
	e.len = 10;
	evlog_add(&l, &e);
	assert_int_equal(l.count, 2);
	assert_string_equal(evlog_get(&l, 0)->text,
	    "#1 recv(4096) = EAGAIN   nothing waiting");
	assert_string_equal(evlog_get(&l, 1)->text,
	    "#1 send(10) = EAGAIN   10 bytes queued");
	evlog_free(&l);
}

/* When full, the oldest line goes (and its text is freed: valgrind). */
static void
test_ring_wrap(void **state)
{
	struct evlog	 l;
	struct ev	 e = { .kind = EV_RECV, .conn = 1, .asked = 4096 };
	char		 want[64];
	size_t		 i;

	(void)state;
	evlog_init(&l, 3);
	for (i = 1; i <= 10; i++) {
		e.len = i;
		e.t = (double)i;
		evlog_add(&l, &e);
		assert_int_equal(l.count, i < 3 ? i : 3);
		assert_int_equal(l.total, i);
		/* The newest is always last. */
		snprintf(want, sizeof want, "#1 recv(4096) = %zu", i);
		assert_string_equal(evlog_get(&l, l.count - 1)->text, want);
	}
	for (i = 0; i < 3; i++) {
		snprintf(want, sizeof want, "#1 recv(4096) = %zu", i + 8);
		assert_string_equal(evlog_get(&l, i)->text, want);
		assert_true(evlog_get(&l, i)->t == (double)(i + 8));
	}
	assert_null(evlog_get(&l, 3));
	evlog_add_text(&l, 11.0, 0, "text");
	assert_string_equal(evlog_get(&l, 0)->text, "#1 recv(4096) = 9");
	assert_string_equal(evlog_get(&l, 2)->text, "text");
	evlog_free(&l);
	assert_int_equal(l.count, 0);
	assert_null(evlog_get(&l, 0));

	/* A freed ring can be set up again; cap 1 keeps only the newest. */
	evlog_init(&l, 1);
	evlog_add_text(&l, 0, 0, "a");
	evlog_add_text(&l, 0, 0, "b");
	assert_int_equal(l.count, 1);
	assert_string_equal(evlog_get(&l, 0)->text, "b");
	evlog_free(&l);

	/* cap 0 keeps nothing but still counts. */
	evlog_init(&l, 0);
	evlog_add_text(&l, 0, 0, "a");
	evlog_add(&l, &e);
	assert_int_equal(l.count, 0);
	assert_int_equal(l.total, 2);
	assert_null(evlog_get(&l, 0));
	evlog_free(&l);
}

/* Thousands of identical lines in a row fold into one with a count; a
 * different line (or the same text on another socket) starts a new one. */
static void
test_ring_fold(void **state)
{
	struct evlog			 l;
	const struct evlog_line		*line;
	struct ev			 e = { .kind = EV_RECV, .conn = 1,
					    .asked = 4096, .len = 4096 };
	char				 buf[32];
	int				 i;

	(void)state;
	evlog_init(&l, 8);
	for (i = 0; i < 2731; i++) {
		e.t = i * 0.001;
		evlog_add(&l, &e);
	}
	assert_int_equal(l.count, 1);
	assert_int_equal(l.total, 2731);
	assert_int_equal(l.distinct, 1);
	line = evlog_get(&l, 0);
	assert_string_equal(line->text, "#1 recv(4096) = 4096");
	assert_int_equal(line->repeat, 2731);
	/* The time of the last one. */
	assert_true(line->t == 2730 * 0.001);

	e.len = 100;
	evlog_add(&l, &e);
	e.len = 4096;
	evlog_add(&l, &e);
	e.conn = 2;
	evlog_add(&l, &e);
	e.kind = EV_WAIT;
	e.call = "recv";
	evlog_add(&l, &e);
	evlog_add(&l, &e);
	/* Each send and each message is something the user did: kept. */
	e.kind = EV_SEND;
	e.call = NULL;
	e.asked = 4;
	e.len = 4;
	evlog_add(&l, &e);
	evlog_add(&l, &e);
	evlog_add_text(&l, 3.0, 1, "x");
	evlog_add_text(&l, 3.0, 1, "x");
	assert_int_equal(l.count, 8);
	assert_int_equal(l.distinct, 9);
	assert_int_equal(evlog_get(&l, 0)->repeat, 1);	/* the newer ones */
	assert_int_equal(evlog_get(&l, 1)->repeat, 1);
	assert_int_equal(evlog_get(&l, 2)->repeat, 1);
	assert_string_equal(evlog_get(&l, 3)->text,
	    "#2 recv(4096) = EAGAIN   nothing waiting");
	assert_int_equal(evlog_get(&l, 3)->repeat, 2);
	assert_string_equal(evlog_get(&l, 4)->text, "#2 send(4) = 4");
	assert_int_equal(evlog_get(&l, 4)->repeat, 1);
	assert_int_equal(evlog_get(&l, 5)->repeat, 1);
	assert_int_equal(evlog_get(&l, 7)->repeat, 1);
	evlog_free(&l);

	evlog_thousands(buf, sizeof buf, 2731);
	assert_string_equal(buf, "2,731");
	evlog_thousands(buf, sizeof buf, 0);
	assert_string_equal(buf, "0");
	evlog_thousands(buf, sizeof buf, 999);
	assert_string_equal(buf, "999");
	evlog_thousands(buf, sizeof buf, 1000000);
	assert_string_equal(buf, "1,000,000");
	evlog_thousands(buf, sizeof buf, UINT64_MAX);
	assert_string_equal(buf, "18,446,744,073,709,551,615");
}

/* A recv record on #1 (fd 5, role accepted) of data, n bytes. */
static struct sysrec
test_rec_recv(double t, const char *data, long long n)
{
	struct sysrec	r;

	memset(&r, 0, sizeof r);
	r.call = SR_RECV;
	r.t = t;
	r.conn = 1;
	r.listener = 1;
	r.role = SR_ROLE_ACCEPTED;
	r.fd = 5;
	r.len = 4096;
	r.ret = n;
	r.data = (const unsigned char *)data;
	r.data_len = n > 0 ? (size_t)n : 0;
	return r;
}

/* Record lines: narrated with the socket's name, folded when the same
 * call repeats, narrated again on a change of notation, hidden where
 * the notation shows nothing, text lines kept as they are. */
static void
test_rec_lines(void **state)
{
	struct evlog		 l;
	struct sysrec		 r;
	const struct evlog_line	*ln;
	int			 i;

	(void)state;
	evlog_init(&l, 16);
	memset(&r, 0, sizeof r);
	r.call = SR_ACCEPT4;
	r.conn = 1;
	r.listener = 1;
	r.role = SR_ROLE_ACCEPTED;
	r.fd = 4;
	r.ret = 5;
	r.addr.family = AF_INET;
	r.addr.host = "127.0.0.1";
	r.addr.port = 50412;
	evlog_add_rec(&l, &r);
	/* accept4() that found nobody belongs to no connection. */
	r.ret = -1;
	r.err = EAGAIN;
	r.conn = 2;
	evlog_add_rec(&l, &r);
	for (i = 0; i < 3; i++) {
		/* A run folds only while the bytes shown are the same
		 * (test_sysrec test_same: other bytes are another line). */
		r = test_rec_recv(1.0 + i, "abcd", 4);
		evlog_add_rec(&l, &r);
	}
	r = test_rec_recv(5.0, NULL, 0);
	evlog_add_rec(&l, &r);
	evlog_add_text(&l, 6.0, 0, "a message");

	assert_int_equal(l.count, 5);
	ln = evlog_get(&l, 0);
	assert_string_equal(ln->text, "L1 accept4(4) = 5  peer "
	    "127.0.0.1:50412");
	assert_int_equal(ln->conn, 1);
	assert_int_equal(ln->kind, EV_ACCEPTED);
	ln = evlog_get(&l, 1);
	assert_int_equal(ln->conn, 0);
	assert_int_equal(ln->kind, EV_WAIT);
	assert_false(ln->error);
	assert_false(ln->hidden);
	ln = evlog_get(&l, 2);
	/* The run narrates its first record; t is the last one's. */
	assert_string_equal(ln->text, "#1 recv(5, 4096) = 4  \"abcd\"");
	assert_int_equal(ln->repeat, 3);
	assert_true(ln->t == 3.0);
	assert_int_equal(ln->kind, EV_RECV);
	ln = evlog_get(&l, 3);
	assert_string_equal(ln->text, "#1 recv(5, 4096) = 0  EOF");
	assert_int_equal(ln->kind, EV_EOF);
	assert_string_equal(evlog_get(&l, 4)->text, "a message");
	assert_int_equal(l.total, 7);
	assert_int_equal(l.distinct, 5);

	evlog_set_notation(&l, SYSREC_PYTHON);
	assert_string_equal(evlog_get(&l, 0)->text, "L1 conn, addr = "
	    "s.accept()  → ('127.0.0.1', 50412)");
	assert_true(evlog_get(&l, 1)->hidden);
	assert_string_equal(evlog_get(&l, 2)->text,
	    "#1 conn.recv(4096) → b'abcd'");
	assert_int_equal(evlog_get(&l, 2)->repeat, 3);
	assert_string_equal(evlog_get(&l, 3)->text,
	    "#1 conn.recv(4096) → b''   the peer finished sending");
	assert_string_equal(evlog_get(&l, 4)->text, "a message");

	/* Back to C: the hidden line shows again. */
	evlog_set_notation(&l, SYSREC_C);
	assert_false(evlog_get(&l, 1)->hidden);
	assert_string_equal(evlog_get(&l, 1)->text,
	    "L1 accept4(4) = -1 EAGAIN");
	evlog_free(&l);
}

/* Sends never fold; a record in a full ring replaces the oldest line
 * (its record freed: ASan/valgrind would say otherwise); a ring of 0
 * keeps nothing. */
static void
test_rec_sends_wrap(void **state)
{
	struct evlog		 l;
	struct sysrec		 r;
	int			 i;

	(void)state;
	evlog_init(&l, 3);
	memset(&r, 0, sizeof r);
	r.call = SR_SEND;
	r.conn = 2;
	r.role = SR_ROLE_CLIENT;
	r.fd = 6;
	r.len = 4;
	r.ret = 4;
	for (i = 0; i < 5; i++) {
		r.t = i;
		r.data = (const unsigned char *)(i % 2 ? "one\n" : "two\n");
		r.data_len = 4;
		evlog_add_rec(&l, &r);
	}
	assert_int_equal(l.count, 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(evlog_get(&l, (size_t)i)->repeat, 1);
	assert_string_equal(evlog_get(&l, 0)->text,
	    "#2 send(6, 4) = 4  \"two\\n\"");
	assert_true(evlog_get(&l, 2)->t == 4.0);
	evlog_set_notation(&l, SYSREC_PYTHON);
	assert_string_equal(evlog_get(&l, 1)->text,
	    "#2 s2.sendall(b'one\\n')");
	evlog_free(&l);

	evlog_init(&l, 0);
	evlog_add_rec(&l, &r);
	assert_int_equal(l.count, 0);
	assert_int_equal(l.total, 1);
	evlog_free(&l);
}

/* A recv record on #1 of n bytes that differ from call to call (a flood
 * of random bytes: no two lines fold). */
static struct sysrec
test_rec_noise(double t, unsigned char *buf, size_t n, unsigned int seed)
{
	size_t	i;

	for (i = 0; i < n; i++)
		buf[i] = (unsigned char)((seed * 2654435761u) >> (i % 24));
	buf[0] = (unsigned char)seed;
	buf[1] = (unsigned char)(seed >> 8);
	return test_rec_recv(t, (const char *)buf, (long long)n);
}

/* Record lines are narrated when read, not when added: a line nobody
 * reads has no text; reading one narrates it alone; a change of notation
 * narrates nothing until a line is read again, then that line in the new
 * notation (hidden too); text lines are there at once. */
static void
test_rec_lazy(void **state)
{
	struct evlog		 l;
	struct sysrec		 r;
	const struct evlog_line	*ln;
	unsigned char		 buf[64];
	size_t			 i;

	(void)state;
	evlog_init(&l, 8);
	for (i = 0; i < 4; i++) {
		r = test_rec_noise((double)i, buf, 10, (unsigned int)i + 1);
		evlog_add_rec(&l, &r);
	}
	r = test_rec_recv(4.0, NULL, -1);
	r.err = EAGAIN;
	evlog_add_rec(&l, &r);
	evlog_add_text(&l, 5.0, 0, "a note");
	assert_int_equal(l.count, 6);
	for (i = 0; i < 5; i++) {
		ln = evlog_peek(&l, i);
		assert_null(ln->text);
		assert_non_null(ln->rec);
		/* What the screen needs besides the words is there. */
		assert_int_equal(ln->conn, 1);
		assert_int_equal(ln->kind, i < 4 ? EV_RECV : EV_WAIT);
	}
	assert_string_equal(evlog_peek(&l, 5)->text, "a note");
	assert_null(evlog_peek(&l, 6));

	/* Reading line 2 narrates it, and it alone. */
	ln = evlog_get(&l, 2);
	assert_non_null(ln->text);
	assert_true(strncmp(ln->text, "#1 recv(5, 4096) = 10  \"", 24) == 0);
	assert_false(ln->hidden);
	assert_null(evlog_peek(&l, 1)->text);
	assert_null(evlog_peek(&l, 3)->text);
	/* A second read is the same line, not narrated again. */
	assert_ptr_equal(evlog_get(&l, 2)->text, ln->text);

	/* Python: nothing happens until a line is read... */
	assert_false(evlog_hidden(&l, 4));
	evlog_set_notation(&l, SYSREC_PYTHON);
	assert_true(strncmp(evlog_peek(&l, 2)->text, "#1 recv(", 8) == 0);
	assert_null(evlog_peek(&l, 4)->text);
	/* ...though whether a line shows is known without narrating it. */
	assert_true(evlog_hidden(&l, 4));
	assert_null(evlog_peek(&l, 4)->text);
	assert_false(evlog_hidden(&l, 3));
	assert_false(evlog_hidden(&l, 5));
	assert_false(evlog_hidden(&l, 6));
	/* ...then it speaks Python, and the EAGAIN line is hidden. */
	assert_true(strncmp(evlog_get(&l, 2)->text, "#1 conn.recv(4096) → b'",
	    25) == 0);
	assert_true(evlog_get(&l, 4)->hidden);
	assert_string_equal(evlog_get(&l, 5)->text, "a note");

	/* Back to C: the hidden line shows again. */
	evlog_set_notation(&l, SYSREC_C);
	ln = evlog_get(&l, 4);
	assert_false(ln->hidden);
	assert_string_equal(ln->text,
	    "#1 recv(5, 4096) = -1 EAGAIN");
	evlog_free(&l);
}

/* Folding is decided on the records, narrated or not: a run of the same
 * recv is one line whether or not anything read it in between, and a
 * line read before it folded more shows the new count. */
static void
test_rec_lazy_fold(void **state)
{
	struct evlog		 l;
	struct sysrec		 r;
	const struct evlog_line	*ln;
	int			 i;

	(void)state;
	evlog_init(&l, 4);
	for (i = 0; i < 1000; i++) {
		r = test_rec_recv(i * 0.001, "zzzz", 4);
		evlog_add_rec(&l, &r);
		if (i == 10)
			assert_string_equal(evlog_get(&l, 0)->text,
			    "#1 recv(5, 4096) = 4  \"zzzz\"");
	}
	assert_int_equal(l.count, 1);
	assert_int_equal(l.total, 1000);
	assert_int_equal(l.distinct, 1);
	ln = evlog_get(&l, 0);
	assert_int_equal(ln->repeat, 1000);
	assert_true(ln->t == 999 * 0.001);
	assert_string_equal(ln->text, "#1 recv(5, 4096) = 4  \"zzzz\"");
	/* Other bytes: another line. */
	r = test_rec_recv(2.0, "zzzy", 4);
	evlog_add_rec(&l, &r);
	assert_int_equal(l.count, 2);
	assert_string_equal(evlog_get(&l, 1)->text,
	    "#1 recv(5, 4096) = 4  \"zzzy\"");
	evlog_free(&l);
}

/* A flood of records that do not fold, through a small ring: each new
 * line takes the dropped line's record (no malloc per line once the ring
 * is full), lines are narrated right whatever their slot held before, and
 * text lines and record lines take each other's slots cleanly (ASan and
 * valgrind check the memory). */
static void
test_rec_lazy_reuse(void **state)
{
	struct evlog		 l;
	struct sysrec		 r;
	struct sysrec		*recs[4];
	unsigned char		 buf[100];
	char			 want[64];
	size_t			 i, j;
	int			 found;

	(void)state;
	evlog_init(&l, 4);
	for (i = 0; i < 4; i++) {
		r = test_rec_noise((double)i, buf, 100, (unsigned int)i);
		evlog_add_rec(&l, &r);
	}
	for (i = 0; i < 4; i++)
		recs[i] = evlog_peek(&l, i)->rec;
	for (i = 4; i < 10000; i++) {
		r = test_rec_noise((double)i, buf, 100, (unsigned int)i);
		evlog_add_rec(&l, &r);
		/* The screen reads the newest now and then. */
		if (i % 7 == 0)
			(void)evlog_get(&l, l.count - 1);
	}
	assert_int_equal(l.count, 4);
	assert_int_equal(l.total, 10000);
	assert_int_equal(l.distinct, 10000);
	/* The same four records, made over and over. */
	for (i = 0; i < 4; i++) {
		found = 0;
		for (j = 0; j < 4; j++)
			found |= evlog_peek(&l, i)->rec == recs[j];
		assert_true(found);
		/* Each narrates its own call, not its slot's old one. */
		r = test_rec_noise((double)(9996 + i), buf, 100,
		    (unsigned int)(9996 + i));
		assert_true(sysrec_same(&r, evlog_peek(&l, i)->rec));
		assert_true(evlog_get(&l, i)->t == (double)(9996 + i));
		assert_true(strncmp(evlog_get(&l, i)->text,
		    "#1 recv(5, 4096) = 100  \"", 25) == 0);
	}

	/* Text lines drop records, records drop text lines. */
	for (i = 0; i < 6; i++) {
		snprintf(want, sizeof want, "note %zu", i);
		evlog_add_text(&l, 1.0, 0, want);
		r = test_rec_recv(2.0, i % 2 ? "odd" : "even", i % 2 ? 3 : 4);
		r.fd = (int)i;
		evlog_add_rec(&l, &r);
	}
	assert_int_equal(l.count, 4);
	assert_string_equal(evlog_get(&l, 0)->text, "note 4");
	assert_null(evlog_get(&l, 0)->rec);
	assert_string_equal(evlog_get(&l, 1)->text,
	    "#1 recv(4, 4096) = 4  \"even\"");
	assert_string_equal(evlog_get(&l, 2)->text, "note 5");
	assert_string_equal(evlog_get(&l, 3)->text,
	    "#1 recv(5, 4096) = 3  \"odd\"");
	evlog_free(&l);
}

/* Which events repeat what their records say. */
static void
test_ev_is_call(void **state)
{
	struct ev	e;

	(void)state;
	memset(&e, 0, sizeof e);
	e.kind = EV_RECV;
	assert_true(evlog_ev_is_call(&e));
	e.kind = EV_CLOSED;
	assert_true(evlog_ev_is_call(&e));
	e.kind = EV_ERROR;
	e.err = ECONNREFUSED;
	assert_true(evlog_ev_is_call(&e));
	e.err = 0;
	e.gai = EAI_NONAME;
	assert_true(evlog_ev_is_call(&e));
	/* A connect timeout and a message of no call keep their lines. */
	e.gai = 0;
	e.err = ETIMEDOUT;
	assert_false(evlog_ev_is_call(&e));
	e.err = 0;
	assert_false(evlog_ev_is_call(&e));
}

/* Run the evlog tests. */
int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_errname_known),
		cmocka_unit_test(test_errname_unknown),
		cmocka_unit_test(test_gainame),
		cmocka_unit_test(test_error_text_connect),
		cmocka_unit_test(test_error_text_bind),
		cmocka_unit_test(test_error_text_gai),
		cmocka_unit_test(test_error_text_hostile),
		cmocka_unit_test(test_api_states),
		cmocka_unit_test(test_api_data),
		cmocka_unit_test(test_api_error),
		cmocka_unit_test(test_ring_add),
		cmocka_unit_test(test_ring_wait),
		cmocka_unit_test(test_ring_wrap),
		cmocka_unit_test(test_ring_fold),
		cmocka_unit_test(test_rec_lines),
		cmocka_unit_test(test_rec_sends_wrap),
		cmocka_unit_test(test_rec_lazy),
		cmocka_unit_test(test_rec_lazy_fold),
		cmocka_unit_test(test_rec_lazy_reuse),
		cmocka_unit_test(test_ev_is_call),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
