/*
 * test_httpview.c: cmocka tests for httpview.c, HTTP per connection from
 * socket events: keep-alive requests and their responses in order, the
 * first request line, HEAD answered without a body, chunked bodies, the
 * rows of the view (aligned names, escaping, errors), 1-byte chunks
 * giving the same view, the memory bound, the JSON head events, and
 * decoders made only when bytes go their way.
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

#include "sockscope/httpview.h"
#include "sockscope/util.h"

/* Collect rendered rows, one per line, with a letter for the kind. */
static void
test_row(enum httpview_row kind, enum httpview_dir dir, const char *text,
    void *arg)
{
	static const char	 kinds[] = "HSBBEN";
	struct sbuf		*b = arg;

	sbuf_printf(b, "%c%c %s\n", kinds[kind == HTTPVIEW_ROW_HEADER ? 2 :
	    kind], dir == HTTPVIEW_IN ? '<' : '>', text);
}

/* Collect JSON head events. */
static void
test_head(double t, int conn, const struct httpview_msg *m, void *arg)
{
	httpview_json(arg, t, conn, m);
}

/* Feed a string one way, in pieces of at most step bytes. */
static void
test_feed(struct httpview *v, int conn, enum httpview_dir d, const char *s,
    size_t step)
{
	size_t	n = strlen(s), off = 0, k;

	while (off < n) {
		k = n - off < step ? n - off : step;
		httpview_feed(v, conn, d, s + off, k, 1.5);
		off += k;
	}
}

/* Append to b a request head of n headers, each line padded so that
 * the head grows to a multiple of each bytes per header. */
static void
test_big_head(struct sbuf *b, int n, size_t each)
{
	int	i;

	sbuf_adds(b, "GET /big HTTP/1.1\r\n");
	for (i = 0; i < n; i++) {
		sbuf_printf(b, "X-%d: ", i);
		while (b->len % each != 0)
			sbuf_addc(b, 'v');
		sbuf_adds(b, "\r\n");
	}
	sbuf_adds(b, "\r\n");
}

/* Render connection conn into b. */
static void
test_render(const struct httpview *v, int conn, struct sbuf *b)
{
	sbuf_reset(b);
	sbuf_adds(b, "");
	httpview_render(httpview_conn(v, conn), test_row, b);
}

static const char test_req1[] =
    "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
    "User-Agent: curl/8.0\r\nAccept: */*\r\n\r\n";
static const char test_req2[] =
    "GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";
static const char test_resp[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
    "Content-Length: 5\r\n\r\nhello";

/* A keep-alive connection: two requests, two responses, in order. */
static void
test_keepalive(void **state)
{
	struct httpview	v;
	struct sbuf	b = { 0 };
	const struct httpview_conn *c;

	(void)state;
	httpview_init(&v, NULL, NULL);
	assert_null(httpview_first_line(&v, 1));
	test_feed(&v, 1, HTTPVIEW_IN, test_req1, 4096);
	test_feed(&v, 1, HTTPVIEW_OUT, test_resp, 4096);
	test_feed(&v, 1, HTTPVIEW_IN, test_req2, 4096);
	test_feed(&v, 1, HTTPVIEW_OUT, test_resp, 4096);
	c = httpview_conn(&v, 1);
	assert_non_null(c);
	assert_int_equal(c->nmsgs, 4);
	assert_string_equal(httpview_first_line(&v, 1), "GET /");
	assert_string_equal(c->msgs[2].target, "/favicon.ico");
	assert_int_equal(c->msgs[3].status, 200);
	assert_int_equal(c->msgs[3].body_size, 5);
	assert_true(c->msgs[3].done);
	test_render(&v, 1, &b);
	assert_string_equal(b.p,
	    "H< request 1, received at byte 0\n"
	    "S< GET / HTTP/1.1\n"
	    "B< Host:       127.0.0.1:8080\n"
	    "B< User-Agent: curl/8.0\n"
	    "B< Accept:     */*\n"
	    "B< no body, keep-alive\n"
	    "H> response 1, sent at byte 0\n"
	    "S> HTTP/1.1 200 OK\n"
	    "B> Content-Type:   text/plain\n"
	    "B> Content-Length: 5\n"
	    "B> body 5 B, Content-Length 5, keep-alive\n"
	    "H< request 2, received at byte 75\n"
	    "S< GET /favicon.ico HTTP/1.1\n"
	    "B< Host: 127.0.0.1:8080\n"
	    "B< no body, keep-alive\n"
	    "H> response 2, sent at byte 69\n"
	    "S> HTTP/1.1 200 OK\n"
	    "B> Content-Type:   text/plain\n"
	    "B> Content-Length: 5\n"
	    "B> body 5 B, Content-Length 5, keep-alive\n");
	sbuf_free(&b);
	httpview_free(&v);
}

/* Which request the next response answers (HEAD gets no body). */
static void
test_next_method(void **state)
{
	struct httpview	v;

	(void)state;
	httpview_init(&v, NULL, NULL);
	assert_null(httpview_next_method(&v, 1));
	test_feed(&v, 1, HTTPVIEW_IN, test_req1, 4096);
	assert_string_equal(httpview_next_method(&v, 1), "GET");
	test_feed(&v, 1, HTTPVIEW_OUT, test_resp, 4096);
	assert_null(httpview_next_method(&v, 1));
	/* Pipelined: HEAD then GET, answered in order. */
	test_feed(&v, 1, HTTPVIEW_IN, "HEAD /x HTTP/1.1\r\n\r\n", 4096);
	test_feed(&v, 1, HTTPVIEW_IN, test_req2, 4096);
	assert_string_equal(httpview_next_method(&v, 1), "HEAD");
	test_feed(&v, 1, HTTPVIEW_OUT, "HTTP/1.1 200 OK\r\nContent-Length: "
	    "9\r\n\r\n", 4096);
	assert_string_equal(httpview_next_method(&v, 1), "GET");
	/* The HEAD response had no body: the next response decodes. */
	test_feed(&v, 1, HTTPVIEW_OUT, test_resp, 4096);
	assert_int_equal(httpview_conn(&v, 1)->nmsgs, 6);
	assert_null(httpview_conn(&v, 1)->msgs[5].error);
	assert_null(httpview_next_method(&v, 1));
	httpview_free(&v);
}

/* The same bytes in 1-byte chunks give the same view. */
static void
test_one_byte(void **state)
{
	struct httpview	v1, v2;
	struct sbuf	a = { 0 }, b = { 0 };
	static const char post[] =
	    "POST /form HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
	    "\r\n5;ext=1\r\nhello\r\n3\r\nabc\r\n0\r\nX-Sum: 9\r\n\r\n"
	    "GET /next HTTP/1.0\r\n\r\n";

	(void)state;
	httpview_init(&v1, NULL, NULL);
	httpview_init(&v2, NULL, NULL);
	test_feed(&v1, 3, HTTPVIEW_IN, post, 4096);
	test_feed(&v2, 3, HTTPVIEW_IN, post, 1);
	test_render(&v1, 3, &a);
	test_render(&v2, 3, &b);
	assert_string_equal(a.p, b.p);
	assert_non_null(strstr(a.p, "B< body 8 B, chunked (2 chunks), "
	    "keep-alive\n"));
	assert_non_null(strstr(a.p, "X-Sum:             9   [trailer]\n"));
	assert_non_null(strstr(a.p, "S< GET /next HTTP/1.0\n"));
	/* HTTP/1.0 without keep-alive closes after the message. */
	assert_non_null(strstr(a.p, "no body, then close\n"));
	sbuf_free(&a);
	sbuf_free(&b);
	httpview_free(&v1);
	httpview_free(&v2);
}

/* A response to HEAD has no body although it says Content-Length. */
static void
test_head_response(void **state)
{
	struct httpview	v;
	const struct httpview_conn *c;

	(void)state;
	httpview_init(&v, NULL, NULL);
	test_feed(&v, 1, HTTPVIEW_OUT, "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n",
	    4096);
	test_feed(&v, 1, HTTPVIEW_IN, "HTTP/1.1 200 OK\r\nContent-Length: "
	    "1234\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
	    4096);
	c = httpview_conn(&v, 1);
	assert_int_equal(c->nmsgs, 3);
	assert_int_equal(c->msgs[1].framing, HTTPDEC_NO_BODY);
	/* A client: nothing received is a request to answer. */
	assert_null(httpview_next_method(&v, 1));
	assert_true(c->msgs[1].done);
	assert_int_equal(c->msgs[2].status, 404);
	/* A client connection: its first request line is what it sent. */
	assert_string_equal(httpview_first_line(&v, 1), "HEAD /");
	httpview_free(&v);
}

/* Malformed input is called out where it breaks, and bytes are escaped. */
static void
test_malformed(void **state)
{
	struct httpview	v;
	struct sbuf	b = { 0 };

	(void)state;
	httpview_init(&v, NULL, NULL);
	test_feed(&v, 2, HTTPVIEW_IN, "GET /caf\xc3\xa9 HTTP/1.1\r\n"
	    "Host: a\xff\r\nAccept: x\r\nBad Header\r\n\r\n", 4096);
	test_render(&v, 2, &b);
	assert_null(strchr(b.p, '\xff'));
	assert_non_null(strstr(b.p, "B< Host: a\\xff\n"));
	assert_non_null(strstr(b.p, "E< malformed at byte 45: "));
	assert_string_equal(httpview_first_line(&v, 2), "GET /caf\xc3\xa9");
	/* A control byte breaks the start line: no line, the error says. */
	test_feed(&v, 3, HTTPVIEW_IN, "GET /\x1b[2J HTTP/1.1\r\n", 4096);
	test_render(&v, 3, &b);
	assert_null(strchr(b.p, '\x1b'));
	assert_string_equal(b.p, "H< message 1, received at byte 5\n"
	    "E< malformed at byte 5: control character 0x1b in a line; the "
	    "rest of this direction is not decoded\n");
	/* Garbage with no start line at all is one message with an error. */
	test_feed(&v, 4, HTTPVIEW_IN, "\x16\x03\x01\x02\x00", 4096);
	test_render(&v, 4, &b);
	assert_non_null(strstr(b.p, "E< malformed at byte 0: "));
	sbuf_free(&b);
	httpview_free(&v);
}

/* Obsolete line folding is called out on its header's row. */
static void
test_folding(void **state)
{
	struct httpview	v;
	struct sbuf	b = { 0 };

	(void)state;
	httpview_init(&v, NULL, NULL);
	test_feed(&v, 1, HTTPVIEW_IN, "GET / HTTP/1.1\r\nX-Long: a\r\n b\r\n"
	    "\r\n", 4096);
	test_render(&v, 1, &b);
	assert_non_null(strstr(b.p, "E< X-Long: a b   [obs-fold: 1 "
	    "continuation line joined]\n"));
	sbuf_free(&b);
	httpview_free(&v);
}

/* Memory stays bounded: old messages go, and are counted. */
static void
test_bound(void **state)
{
	struct httpview	v;
	struct sbuf	b = { 0 }, big = { 0 };
	const struct httpview_conn *c;
	int		i;

	(void)state;
	httpview_init(&v, NULL, NULL);
	for (i = 0; i < 200; i++)
		test_feed(&v, 1, HTTPVIEW_IN, test_req2, 4096);
	c = httpview_conn(&v, 1);
	assert_int_equal(c->nmsgs, HTTPVIEW_MSGS_MAX);
	assert_int_equal(c->dropped, 200 - HTTPVIEW_MSGS_MAX);
	assert_int_equal(c->msgs[HTTPVIEW_MSGS_MAX - 1].seq, 200);
	test_render(&v, 1, &b);
	assert_non_null(strstr(b.p, "136 earlier messages not kept"));

	/* One head of 100 headers of 8000 bytes: far past the byte bound. */
	test_big_head(&big, 100, 8000);
	test_feed(&v, 2, HTTPVIEW_IN, big.p, 65536);
	c = httpview_conn(&v, 2);
	assert_true(c->bytes <= HTTPVIEW_HEAD_BYTES);
	assert_int_equal(c->nmsgs, 1);
	assert_true(c->msgs[0].headers_dropped > 0);
	assert_int_equal(c->msgs[0].nheaders + c->msgs[0].headers_dropped,
	    100);
	assert_true(c->msgs[0].head_done);
	/* More requests push the big one out. */
	test_feed(&v, 2, HTTPVIEW_IN, test_req2, 4096);
	assert_true(c->bytes <= HTTPVIEW_HEAD_BYTES);
	assert_int_equal(c->msgs[c->nmsgs - 1].seq, 2);
	sbuf_free(&b);
	sbuf_free(&big);
	httpview_free(&v);
}

/* All connections together stay within the total bound: closed ones are
 * forgotten, oldest first; open ones stay. */
static void
test_total_bound(void **state)
{
	struct httpview	v;
	struct sbuf	big = { 0 };
	struct ev	e;
	int		id;

	(void)state;
	httpview_init(&v, NULL, NULL);
	/* A request of about 60 KiB of headers. */
	test_big_head(&big, 60, 1000);
	memset(&e, 0, sizeof e);
	/* #1 stays open throughout. */
	test_feed(&v, 1, HTTPVIEW_IN, test_req1, 4096);
	for (id = 2; id < 400; id++) {
		test_feed(&v, id, HTTPVIEW_IN, big.p, 65536);
		e.kind = EV_CLOSED;
		e.conn = id;
		httpview_event(&v, &e);
		assert_true(v.total <= HTTPVIEW_TOTAL_BYTES);
	}
	assert_non_null(httpview_conn(&v, 1));
	assert_string_equal(httpview_first_line(&v, 1), "GET /");
	/* The oldest closed ones went; the newest stay. */
	assert_null(httpview_conn(&v, 2));
	assert_null(httpview_first_line(&v, 2));
	assert_non_null(httpview_conn(&v, 399));
	assert_string_equal(httpview_first_line(&v, 399), "GET /big");
	sbuf_free(&big);
	httpview_free(&v);
}

/* Socket events drive it; the JSON head events say what was decoded. */
static void
test_events_json(void **state)
{
	struct httpview	v;
	struct sbuf	j = { 0 };
	struct ev	e;
	static const char body[] = "POST /p HTTP/1.1\r\nContent-Length: 3"
	    "\r\n\r\nabc";

	(void)state;
	httpview_init(&v, test_head, &j);
	memset(&e, 0, sizeof e);
	e.kind = EV_RECV;
	e.conn = 7;
	e.t = 2.25;
	e.data = (const unsigned char *)body;
	e.len = strlen(body);
	httpview_event(&v, &e);
	assert_string_equal(j.p, "{\"t\":2.250000,\"event\":\"http\","
	    "\"conn\":7,\"direction\":\"recv\",\"kind\":\"request\","
	    "\"msg\":1,\"offset\":0,\"method\":\"POST\",\"target\":\"/p\","
	    "\"version\":\"HTTP/1.1\",\"headers\":[[\"Content-Length\","
	    "\"3\"]],\"framing\":\"Content-Length\",\"content_length\":3,"
	    "\"keep_alive\":true}\n");
	sbuf_reset(&j);
	e.kind = EV_SEND;
	e.data = (const unsigned char *)"HTTP/1.0 200 OK\r\n\r\nabc";
	e.len = strlen((const char *)e.data);
	httpview_event(&v, &e);
	assert_non_null(strstr(j.p, "\"status\":200,\"reason\":\"OK\","
	    "\"version\":\"HTTP/1.0\",\"headers\":[],\"framing\":"
	    "\"until close\""));
	/* Until close: the close ends the body; the decoders are freed. */
	e.kind = EV_CLOSED;
	e.data = NULL;
	e.len = 0;
	httpview_event(&v, &e);
	assert_null(httpview_conn(&v, 7)->dec[0]);
	assert_true(httpview_conn(&v, 7)->msgs[1].done);
	assert_int_equal(httpview_conn(&v, 7)->msgs[1].body_size, 3);
	/* A broken head is a JSON event with its error. */
	sbuf_reset(&j);
	e.kind = EV_RECV;
	e.conn = 8;
	e.data = (const unsigned char *)"GE@T / HTTP/1.1\r\n";
	e.len = strlen((const char *)e.data);
	httpview_event(&v, &e);
	assert_non_null(strstr(j.p, "\"error\":"));
	assert_non_null(strstr(j.p, "\"error_offset\":2"));
	sbuf_free(&j);
	httpview_free(&v);
}

/*
 * A direction's decoder is made when bytes first go that way, or when a
 * request arrives (its response's decoder keeps the method); an idle or
 * one-way connection has fewer, and is still open until it closes.
 */
static void
test_lazy(void **state)
{
	struct httpview	 v;
	struct sbuf	 big = { 0 }, b = { 0 };
	struct ev	 e;
	const struct httpview_conn *c;
	int		 id;

	(void)state;
	httpview_init(&v, NULL, NULL);
	memset(&e, 0, sizeof e);

	/* Not HTTP, one way: the decoder made for it is freed once lost,
	 * and none is made for the other way. */
	test_feed(&v, 1, HTTPVIEW_IN, "h000001", 4096);
	c = httpview_conn(&v, 1);
	assert_non_null(c);
	assert_non_null(c->dec[HTTPVIEW_IN]);
	assert_null(c->dec[HTTPVIEW_OUT]);
	test_feed(&v, 1, HTTPVIEW_IN, "\n", 4096);
	assert_null(c->dec[HTTPVIEW_IN]);
	assert_null(c->dec[HTTPVIEW_OUT]);
	assert_false(c->closed);
	/* What follows is not decoded (as a lost decoder ignored it). */
	test_feed(&v, 1, HTTPVIEW_IN, "GET / HTTP/1.1\r\n\r\n", 4096);
	assert_null(c->dec[HTTPVIEW_IN]);
	assert_null(c->dec[HTTPVIEW_OUT]);
	assert_int_equal(c->nmsgs, 1);
	assert_string_equal(c->msgs[0].error,
	    "request line has no spaces (method target version)");
	test_render(&v, 1, &b);
	assert_string_equal(b.p, "H< request 1, received at byte 0\n"
	    "E< malformed at byte 0: request line has no spaces (method "
	    "target version); the rest of this direction is not decoded\n");

	/* Seen with no bytes yet: no decoder at all. */
	httpview_feed(&v, 2, HTTPVIEW_IN, "", 0, 1.0);
	c = httpview_conn(&v, 2);
	assert_non_null(c);
	assert_null(c->dec[HTTPVIEW_IN]);
	assert_null(c->dec[HTTPVIEW_OUT]);

	/* A HEAD request makes its response's decoder, nothing sent yet. */
	test_feed(&v, 3, HTTPVIEW_IN, "HEAD /h HTTP/1.1\r\n\r\n", 4096);
	c = httpview_conn(&v, 3);
	assert_non_null(c->dec[HTTPVIEW_OUT]);
	assert_int_equal(httpdec_offset(c->dec[HTTPVIEW_OUT]), 0);
	test_feed(&v, 3, HTTPVIEW_OUT, "HTTP/1.1 200 OK\r\nContent-Length: "
	    "7\r\n\r\n", 5);
	assert_int_equal(c->nmsgs, 2);
	assert_int_equal(c->msgs[1].framing, HTTPDEC_NO_BODY);
	assert_true(c->msgs[1].done);
	/* EOF received: that way's decoder goes, the other stays. */
	e.kind = EV_EOF;
	e.conn = 3;
	httpview_event(&v, &e);
	assert_null(c->dec[HTTPVIEW_IN]);
	assert_non_null(c->dec[HTTPVIEW_OUT]);
	assert_false(c->closed);
	/* A body read until close still ends with the close. */
	test_feed(&v, 3, HTTPVIEW_OUT, "HTTP/1.0 200 OK\r\n\r\nab", 4096);
	e.kind = EV_CLOSED;
	httpview_event(&v, &e);
	assert_null(c->dec[HTTPVIEW_OUT]);
	assert_true(c->closed);
	assert_int_equal(c->nmsgs, 3);
	assert_true(c->msgs[2].done);
	assert_int_equal(c->msgs[2].body_size, 2);

	/* The sending side shut first: a request makes no decoder for it. */
	test_feed(&v, 4, HTTPVIEW_IN, "x", 4096);
	e.kind = EV_SHUTDOWN;
	e.conn = 4;
	httpview_event(&v, &e);
	test_feed(&v, 4, HTTPVIEW_IN, "GET / HTTP/1.1\r\n\r\n", 4096);
	c = httpview_conn(&v, 4);
	assert_null(c->dec[HTTPVIEW_OUT]);
	assert_int_equal(c->nmsgs, 1);
	assert_string_equal(c->msgs[0].method, "xGET");
	/* Nor do bytes after the shutdown (there are none, but still). */
	test_feed(&v, 4, HTTPVIEW_OUT, "GET / HTTP/1.1\r\n\r\n", 4096);
	assert_null(c->dec[HTTPVIEW_OUT]);
	assert_int_equal(c->nmsgs, 1);

	/* Closed: no decoders, and bytes after make none. */
	e.kind = EV_CLOSED;
	e.conn = 1;
	httpview_event(&v, &e);
	c = httpview_conn(&v, 1);
	assert_null(c->dec[HTTPVIEW_IN]);
	assert_null(c->dec[HTTPVIEW_OUT]);
	test_feed(&v, 1, HTTPVIEW_OUT, "GET / HTTP/1.1\r\n\r\n", 4096);
	assert_null(c->dec[HTTPVIEW_OUT]);
	assert_int_equal(c->nmsgs, 1);

	/* Past the total bound: the closed #1 and #3 go, the open #2 (no
	 * decoder) and #4 (no decoder for what it sends) stay. */
	test_big_head(&big, 60, 1000);
	for (id = 10; id < 400; id++) {
		test_feed(&v, id, HTTPVIEW_IN, big.p, 65536);
		e.kind = EV_CLOSED;
		e.conn = id;
		httpview_event(&v, &e);
		assert_true(v.total <= HTTPVIEW_TOTAL_BYTES);
	}
	assert_null(httpview_conn(&v, 1));
	assert_null(httpview_conn(&v, 3));
	assert_null(httpview_conn(&v, 10));
	for (id = 2; id <= 4; id += 2) {
		c = httpview_conn(&v, id);
		assert_non_null(c);
		assert_false(c->closed);
		assert_null(c->dec[HTTPVIEW_OUT]);
	}
	assert_null(httpview_conn(&v, 2)->dec[HTTPVIEW_IN]);
	sbuf_free(&big);
	sbuf_free(&b);
	httpview_free(&v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keepalive),
		cmocka_unit_test(test_next_method),
		cmocka_unit_test(test_one_byte),
		cmocka_unit_test(test_head_response),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_folding),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_total_bound),
		cmocka_unit_test(test_events_json),
		cmocka_unit_test(test_lazy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
