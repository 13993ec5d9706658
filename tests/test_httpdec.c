/*
 * test_httpdec.c: cmocka tests for httpdec.c, the incremental HTTP/1.x
 * decoder: requests as curl and browsers send them, responses with and
 * without bodies, every body framing, pipelining, folding, the limits and
 * malformed input, each fed whole, one byte at a time and split at every
 * position, which must all give the same events; lines long enough to
 * grow the decoder's buffers, and the buffers given back when it is lost
 * or ends.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockscope/httpdec.h"
#include "sockscope/util.h"

/* Events collected as described lines; BODY_BYTES pieces are merged. */
struct test_events {
	struct sbuf		out;
	int			in_body;	/* the last event was BODY_BYTES */
	struct httpdec_event	body;		/* the merged piece so far */
	struct sbuf		bytes;		/* every body byte, in order */
};

/* Describe the merged BODY_BYTES event, if one is open. */
static void
test_body_flush(struct test_events *t)
{
	if (!t->in_body)
		return;
	httpdec_event_describe(&t->out, &t->body);
	sbuf_addc(&t->out, '\n');
	t->in_body = 0;
}

/* The event callback: append one line per event. */
static void
test_event(const struct httpdec_event *ev, void *arg)
{
	struct test_events	*t = arg;

	if (ev->kind == HTTPDEC_BODY_BYTES) {
		sbuf_add(&t->bytes, ev->data, ev->len);
		if (t->in_body) {
			assert_int_equal(ev->offset, t->body.end);
			t->body.len += ev->len;
			t->body.end = ev->end;
		} else {
			t->body = *ev;
			t->body.data = NULL;
			t->in_body = 1;
		}
		return;
	}
	test_body_flush(t);
	/* Strings are NUL-terminated where their length says. */
	if (ev->kind == HTTPDEC_HEADER) {
		assert_int_equal(strlen(ev->name), ev->name_len);
		assert_int_equal(strlen(ev->value), ev->value_len);
	}
	if (ev->kind == HTTPDEC_START_LINE && ev->request == 1) {
		assert_int_equal(strlen(ev->method), ev->method_len);
		assert_int_equal(strlen(ev->target), ev->target_len);
	}
	httpdec_event_describe(&t->out, ev);
	sbuf_addc(&t->out, '\n');
}

/*
 * Decode n bytes fed in pieces of step bytes (0: whole), pushing the
 * methods in push (comma-separated) first, and ending with EOF when eof
 * is set.  Returns the malloc'd event lines.
 */
static char *
test_decode_step(enum httpdec_dir dir, const char *push, const void *p,
    size_t n, size_t step, int eof, char **body)
{
	struct test_events	 t;
	struct httpdec		*d;
	const unsigned char	*s = p;
	size_t			 i, k;
	char			*copy, *m, *save = NULL;

	memset(&t, 0, sizeof t);
	d = httpdec_new(dir, test_event, &t);
	if (push != NULL) {
		copy = xstrdup(push);
		for (m = strtok_r(copy, ",", &save); m != NULL;
		    m = strtok_r(NULL, ",", &save))
			assert_int_equal(httpdec_push_method(d, m), 0);
		free(copy);
	}
	if (step == 0)
		step = n == 0 ? 1 : n;
	for (i = 0; i < n; i += k) {
		k = n - i < step ? n - i : step;
		httpdec_feed(d, s + i, k);
	}
	if (eof)
		httpdec_eof(d);
	test_body_flush(&t);
	httpdec_free(d);
	if (body != NULL)
		*body = t.bytes.p != NULL ? t.bytes.p : xstrdup("");
	else
		sbuf_free(&t.bytes);
	return t.out.p != NULL ? t.out.p : xstrdup("");
}

/*
 * Decode s whole, then check that one byte at a time and every split into
 * two pieces give the same events and body bytes.  Returns the events.
 */
static char *
test_decode_dir(enum httpdec_dir dir, const char *push, const char *s,
    size_t n, int eof)
{
	char	*whole, *other, *wbody, *obody;
	size_t	 cut;

	whole = test_decode_step(dir, push, s, n, 0, eof, &wbody);
	other = test_decode_step(dir, push, s, n, 1, eof, &obody);
	assert_string_equal(other, whole);
	assert_string_equal(obody, wbody);
	free(other);
	free(obody);
	for (cut = 1; cut < n; cut++) {
		struct test_events	 t;
		struct httpdec		*d;
		char			*copy, *m, *save = NULL;

		memset(&t, 0, sizeof t);
		d = httpdec_new(dir, test_event, &t);
		if (push != NULL) {
			copy = xstrdup(push);
			for (m = strtok_r(copy, ",", &save); m != NULL;
			    m = strtok_r(NULL, ",", &save))
				httpdec_push_method(d, m);
			free(copy);
		}
		httpdec_feed(d, s, cut);
		httpdec_feed(d, s + cut, n - cut);
		if (eof)
			httpdec_eof(d);
		test_body_flush(&t);
		httpdec_free(d);
		assert_non_null(t.out.p);
		assert_string_equal(t.out.p, whole);
		assert_memory_equal(t.bytes.p != NULL ? t.bytes.p : "", wbody,
		    t.bytes.len);
		sbuf_free(&t.out);
		sbuf_free(&t.bytes);
	}
	free(wbody);
	return whole;
}

/* Decode a request string and compare the events with want. */
static void
test_request(const char *in, const char *want)
{
	char	*got = test_decode_dir(HTTPDEC_REQUEST, NULL, in, strlen(in),
	    0);

	assert_string_equal(got, want);
	free(got);
}

/* A request as curl 7.88 sends it: 78 bytes, no body. */
static void
test_curl_get(void **state)
{
	(void)state;
	test_request("GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
	    "User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n",
	    "@0 START_LINE request GET / HTTP/1.1\n"
	    "@16 HEADER Host: 127.0.0.1:8080\n"
	    "@38 HEADER User-Agent: curl/7.88.1\n"
	    "@63 HEADER Accept: */*\n"
	    "@76 HEADERS_END no body keep-alive\n"
	    "@0-78 MESSAGE_END body 0 no body keep-alive\n");
}

/* curl -X POST --data: a Content-Length body. */
static void
test_post_length(void **state)
{
	char	*got, *body;
	const char *in = "POST /submit HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 11\r\n\r\na=1&b=hello";

	(void)state;
	test_request(in,
	    "@0 START_LINE request POST /submit HTTP/1.1\n"
	    "@23 HEADER Host: x\n"
	    "@32 HEADER Content-Length: 11\n"
	    "@52 HEADERS_END Content-Length 11 keep-alive\n"
	    "@54 BODY_BYTES 11\n"
	    "@0-65 MESSAGE_END body 11 Content-Length keep-alive\n");
	got = test_decode_step(HTTPDEC_REQUEST, NULL, in, strlen(in), 0, 0,
	    &body);
	assert_string_equal(body, "a=1&b=hello");
	free(got);
	free(body);
}

/* curl -H 'Transfer-Encoding: chunked': sizes, an extension, a trailer. */
static void
test_chunked_request(void **state)
{
	char		*got, *body;
	const char	*in = "POST /up HTTP/1.1\r\nHost: x\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"
	    "5;name=v\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";

	(void)state;
	test_request(in,
	    "@0 START_LINE request POST /up HTTP/1.1\n"
	    "@19 HEADER Host: x\n"
	    "@28 HEADER Transfer-Encoding: chunked\n"
	    "@56 HEADERS_END chunked keep-alive\n"
	    "@58 CHUNK 5 ;name=v\n"
	    "@68 BODY_BYTES 5\n"
	    "@75 CHUNK 6\n"
	    "@78 BODY_BYTES 6\n"
	    "@86 CHUNK 0\n"
	    "@89 HEADER (trailer) X-Trailer: t\n"
	    "@0-105 MESSAGE_END body 11 chunked 2 chunks keep-alive\n");
	got = test_decode_step(HTTPDEC_REQUEST, NULL, in, strlen(in), 0, 0,
	    &body);
	assert_string_equal(body, "hello world");
	free(got);
	free(body);
}

/* HTTP/1.0 closes unless it asks for keep-alive. */
static void
test_http10(void **state)
{
	(void)state;
	test_request("GET /old HTTP/1.0\r\n\r\n",
	    "@0 START_LINE request GET /old HTTP/1.0\n"
	    "@19 HEADERS_END no body close\n"
	    "@0-21 MESSAGE_END body 0 no body close\n");
	test_request("GET /old HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
	    "@0 START_LINE request GET /old HTTP/1.0\n"
	    "@19 HEADER Connection: Keep-Alive\n"
	    "@43 HEADERS_END no body keep-alive\n"
	    "@0-45 MESSAGE_END body 0 no body keep-alive\n");
}

/* Two requests in one segment, the second asking to close. */
static void
test_pipelined(void **state)
{
	(void)state;
	test_request("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
	    "GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
	    "@0 START_LINE request GET /a HTTP/1.1\n"
	    "@17 HEADER Host: x\n"
	    "@26 HEADERS_END no body keep-alive\n"
	    "@0-28 MESSAGE_END body 0 no body keep-alive\n"
	    "@28 START_LINE request GET /b HTTP/1.1\n"
	    "@45 HEADER Host: x\n"
	    "@54 HEADER Connection: close\n"
	    "@73 HEADERS_END no body close\n"
	    "@28-75 MESSAGE_END body 0 no body close\n");
}

/* Responses to HEAD, and 204 and 304, have no body whatever they say. */
static void
test_response_no_body(void **state)
{
	const char	*in = "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"
	    "HTTP/1.1 204 No Content\r\n\r\n"
	    "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n";
	char		*got;

	(void)state;
	got = test_decode_dir(HTTPDEC_RESPONSE, "HEAD,GET,GET", in,
	    strlen(in), 1);
	assert_string_equal(got,
	    "@0 START_LINE response HTTP/1.1 200 OK\n"
	    "@17 HEADER Content-Length: 1234\n"
	    "@39 HEADERS_END no body keep-alive\n"
	    "@0-41 MESSAGE_END body 0 no body keep-alive\n"
	    "@41 START_LINE response HTTP/1.1 204 No Content\n"
	    "@66 HEADERS_END no body keep-alive\n"
	    "@41-68 MESSAGE_END body 0 no body keep-alive\n"
	    "@68 START_LINE response HTTP/1.1 304 Not Modified\n"
	    "@95 HEADER Content-Length: 9\n"
	    "@114 HEADERS_END no body keep-alive\n"
	    "@68-116 MESSAGE_END body 0 no body keep-alive\n");
	free(got);

	/* The same first response to a GET has a 1234-byte body. */
	got = test_decode_dir(HTTPDEC_RESPONSE, NULL, in, 41, 1);
	assert_string_equal(got,
	    "@0 START_LINE response HTTP/1.1 200 OK\n"
	    "@17 HEADER Content-Length: 1234\n"
	    "@39 HEADERS_END Content-Length 1234 keep-alive\n"
	    "@41 ERROR stream ended after 0 of 1234 body bytes\n");
	free(got);
}

/* A response without a length runs until close; 100 Continue is interim. */
static void
test_response_until_close(void **state)
{
	const char	*in = "HTTP/1.1 100 Continue\r\n\r\n"
	    "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nabc\r\ndef";
	char		*got, *body;

	(void)state;
	got = test_decode_dir(HTTPDEC_AUTO, NULL, in, strlen(in), 1);
	assert_string_equal(got,
	    "@0 START_LINE response HTTP/1.1 100 Continue\n"
	    "@23 HEADERS_END no body keep-alive\n"
	    "@0-25 MESSAGE_END body 0 no body keep-alive\n"
	    "@25 START_LINE response HTTP/1.0 200 OK\n"
	    "@42 HEADER Server: x\n"
	    "@53 HEADERS_END until close close\n"
	    "@55 BODY_BYTES 8\n"
	    "@25-63 MESSAGE_END body 8 until close close\n");
	free(got);
	got = test_decode_step(HTTPDEC_AUTO, NULL, in, strlen(in), 3, 1,
	    &body);
	assert_string_equal(body, "abc\r\ndef");
	free(got);
	free(body);
}

/* A chunked response, decided by AUTO. */
static void
test_chunked_response(void **state)
{
	const char	*in = "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: gzip, chunked\r\n\r\n"
	    "A\r\n0123456789\r\n0\r\n\r\n";
	char		*got;

	(void)state;
	got = test_decode_dir(HTTPDEC_AUTO, NULL, in, strlen(in), 1);
	assert_string_equal(got,
	    "@0 START_LINE response HTTP/1.1 200 OK\n"
	    "@17 HEADER Transfer-Encoding: gzip, chunked\n"
	    "@51 HEADERS_END chunked keep-alive\n"
	    "@53 CHUNK 10\n"
	    "@56 BODY_BYTES 10\n"
	    "@68 CHUNK 0\n"
	    "@0-73 MESSAGE_END body 10 chunked 1 chunk keep-alive\n");
	free(got);
}

/* obs-fold lines join the header before them and are called out. */
static void
test_folding(void **state)
{
	(void)state;
	test_request("GET / HTTP/1.1\r\nX-Long: a\r\n  b\r\n\tc \r\n"
	    "Host: x\r\n\r\n",
	    "@0 START_LINE request GET / HTTP/1.1\n"
	    "@16 HEADER X-Long: a b c (folded over 2 more lines)\n"
	    "@37 HEADER Host: x\n"
	    "@46 HEADERS_END no body keep-alive\n"
	    "@0-48 MESSAGE_END body 0 no body keep-alive\n");
	/* A fold with nothing to continue. */
	test_request("GET / HTTP/1.1\r\n folded\r\n",
	    "@0 START_LINE request GET / HTTP/1.1\n"
	    "@16 ERROR line starts with a space but there is no header "
	    "before it to continue\n");
}

/* Empty lines before a request, bare LF line ends, Expect: 100-continue. */
static void
test_lenient(void **state)
{
	(void)state;
	test_request("\r\n\nGET / HTTP/1.1\nExpect: 100-continue\n"
	    "Content-Length: 2\n\nhi",
	    "@3 START_LINE request GET / HTTP/1.1\n"
	    "@18 HEADER Expect: 100-continue\n"
	    "@39 HEADER Content-Length: 2\n"
	    "@57 HEADERS_END Content-Length 2 keep-alive expect-100\n"
	    "@58 BODY_BYTES 2\n"
	    "@3-60 MESSAGE_END body 2 Content-Length keep-alive\n");
}

/* Malformed requests: where and why, then nothing more. */
static void
test_malformed(void **state)
{
	(void)state;
	test_request("G@T / HTTP/1.1\r\nHost: x\r\n\r\n",
	    "@1 ERROR bad character '@' in method\n");
	test_request("\x16\x03\x01\x02\x00",
	    "@0 ERROR control character 0x16 in a line\n");
	test_request("GET / HTTP/1.1\r\nHostx\r\n\r\n",
	    "@0 START_LINE request GET / HTTP/1.1\n"
	    "@21 ERROR header line has no colon\n");
	test_request("GET / HTTP/1.1\r\nHost : x\r\n\r\n",
	    "@0 START_LINE request GET / HTTP/1.1\n"
	    "@20 ERROR space in a header name (or before its colon)\n");
	test_request("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "zz\r\n",
	    "@0 START_LINE request GET / HTTP/1.1\n"
	    "@16 HEADER Transfer-Encoding: chunked\n"
	    "@44 HEADERS_END chunked keep-alive\n"
	    "@46 ERROR bad character 'z' in chunk size\n");
	test_request("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "3\r\nabcd\r\n",
	    "@0 START_LINE request GET / HTTP/1.1\n"
	    "@16 HEADER Transfer-Encoding: chunked\n"
	    "@44 HEADERS_END chunked keep-alive\n"
	    "@46 CHUNK 3\n"
	    "@49 BODY_BYTES 3\n"
	    "@52 ERROR chunk data longer than its size (no CR LF after it)\n");
	test_request("POST / HTTP/1.1\r\nContent-Length: 3\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
	    "@0 START_LINE request POST / HTTP/1.1\n"
	    "@17 HEADER Content-Length: 3\n"
	    "@36 HEADER Transfer-Encoding: chunked\n"
	    "@64 ERROR both Content-Length and Transfer-Encoding (request "
	    "smuggling risk)\n");
	test_request("POST / HTTP/1.1\r\nContent-Length: 3\r\n"
	    "Content-Length: 4\r\n\r\n",
	    "@0 START_LINE request POST / HTTP/1.1\n"
	    "@17 HEADER Content-Length: 3\n"
	    "@36 HEADER Content-Length: 4\n"
	    "@36 ERROR two different Content-Length values\n");
	test_request("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
	    "@0 START_LINE request POST / HTTP/1.1\n"
	    "@17 HEADER Content-Length: -1\n"
	    "@17 ERROR Content-Length is not a number\n");
	test_request("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
	    "@0 START_LINE request POST / HTTP/1.1\n"
	    "@17 HEADER Transfer-Encoding: gzip\n"
	    "@42 ERROR request Transfer-Encoding does not end in chunked\n");
	test_request("GET / HTTP/2.0\r\n\r\n",
	    "@6 ERROR HTTP/2.0 is not HTTP/1.x\n");
	test_request("GET / HTTX/1.1\r\n\r\n",
	    "@6 ERROR bad HTTP version (want HTTP/1.0 or HTTP/1.1)\n");
	test_request("GET /\r\n\r\n",
	    "@5 ERROR request line has no HTTP version after the target\n");
	test_request("GET  / HTTP/1.1\r\n",
	    "@4 ERROR empty request target (two spaces after the method)\n");
	test_request("GET / HTTP/1.1\rX",
	    "@14 ERROR CR not followed by LF\n");
	test_request("GET / HTTP/1.1\r\nA: \x01\r\n",
	    "@0 START_LINE request GET / HTTP/1.1\n"
	    "@19 ERROR control character 0x01 in a line\n");
	test_request(" GET / HTTP/1.1\r\n",
	    "@0 ERROR start line starts with a space\n");
	test_request("GET / HTTP/1.1\r\n: x\r\n",
	    "@0 START_LINE request GET / HTTP/1.1\n"
	    "@16 ERROR header line starts with a colon (empty name)\n");
}

/* A line past the limit is an error at the first byte too many. */
static void
test_oversize(void **state)
{
	struct sbuf	 b = { 0 };
	char		*got;
	size_t		 i, k;

	(void)state;
	sbuf_adds(&b, "GET /");
	for (i = 0; i < HTTPDEC_LINE_MAX; i++)
		sbuf_addc(&b, 'a');
	got = test_decode_step(HTTPDEC_REQUEST, NULL, b.p, b.len, 0, 0, NULL);
	assert_string_equal(got, "@8192 ERROR line longer than 8192 bytes\n");
	free(got);
	got = test_decode_step(HTTPDEC_REQUEST, NULL, b.p, b.len, 7, 0, NULL);
	assert_string_equal(got, "@8192 ERROR line longer than 8192 bytes\n");
	free(got);

	/* Exactly the limit is fine. */
	sbuf_reset(&b);
	sbuf_adds(&b, "GET /");
	for (i = 0; i < HTTPDEC_LINE_MAX - 14; i++)
		sbuf_addc(&b, 'a');
	sbuf_adds(&b, " HTTP/1.1\r\n\r\n");
	got = test_decode_step(HTTPDEC_REQUEST, NULL, b.p, b.len, 0, 0, NULL);
	assert_non_null(strstr(got, "MESSAGE_END"));
	free(got);

	/* A header whose folded lines make it too long. */
	sbuf_reset(&b);
	sbuf_adds(&b, "GET / HTTP/1.1\r\nX: ");
	for (i = 0; i < 3; i++) {
		sbuf_adds(&b, "\r\n ");
		for (k = 0; k < HTTPDEC_LINE_MAX / 3; k++)
			sbuf_addc(&b, 'v');
	}
	sbuf_adds(&b, "\r\n ww\r\n\r\n");
	got = test_decode_step(HTTPDEC_REQUEST, NULL, b.p, b.len, 0, 0, NULL);
	assert_non_null(strstr(got, "ERROR header longer than 8192 bytes with "
	    "its folded lines\n"));
	assert_null(strstr(got, "HEADERS_END"));
	free(got);

	/* Too many headers. */
	sbuf_reset(&b);
	sbuf_adds(&b, "GET / HTTP/1.1\r\n");
	for (i = 0; i <= HTTPDEC_HEADERS_MAX; i++)
		sbuf_adds(&b, "A: b\r\n");
	got = test_decode_step(HTTPDEC_REQUEST, NULL, b.p, b.len, 0, 0, NULL);
	assert_non_null(strstr(got, "ERROR more than 100 headers\n"));
	assert_null(strstr(got, "HEADERS_END"));
	free(got);
	sbuf_free(&b);
}

/* After an error the decoder says it is lost and ignores everything. */
static void
test_lost(void **state)
{
	struct test_events	 t;
	struct httpdec		*d;

	(void)state;
	memset(&t, 0, sizeof t);
	d = httpdec_new(HTTPDEC_REQUEST, test_event, &t);
	assert_int_equal(httpdec_idle(d), 1);
	assert_int_equal(httpdec_feed(d, "GET / HTTP/1.1\r\n", 16), 0);
	assert_int_equal(httpdec_idle(d), 0);
	assert_int_equal(httpdec_lost(d), 0);
	assert_int_equal(httpdec_feed(d, "\x7f", 1), -1);
	assert_int_equal(httpdec_lost(d), 1);
	assert_int_equal(httpdec_feed(d, "Host: x\r\n\r\n", 11), -1);
	httpdec_eof(d);
	assert_int_equal(httpdec_offset(d), 17);
	assert_string_equal(t.out.p,
	    "@0 START_LINE request GET / HTTP/1.1\n"
	    "@16 ERROR control character 0x7f in a line\n");
	httpdec_free(d);
	sbuf_free(&t.out);
	sbuf_free(&t.bytes);
}

/* EOF between messages is clean; inside one it is called out. */
static void
test_eof(void **state)
{
	char	*got;

	(void)state;
	got = test_decode_dir(HTTPDEC_REQUEST, NULL, "GET / HTTP/1.1\r\n\r\n",
	    18, 1);
	assert_null(strstr(got, "ERROR"));
	free(got);
	got = test_decode_dir(HTTPDEC_REQUEST, NULL, "GET / HTTP/1.1\r\nA: b",
	    20, 1);
	assert_string_equal(got, "@0 START_LINE request GET / HTTP/1.1\n"
	    "@20 ERROR stream ended in the headers\n");
	free(got);
	got = test_decode_dir(HTTPDEC_REQUEST, NULL, "GET / HT", 8, 1);
	assert_string_equal(got, "@8 ERROR stream ended in the start line\n");
	free(got);
}

/* AUTO decides by the first start line; responses keep strange reasons. */
static void
test_auto(void **state)
{
	struct httpdec	*d;
	char		*got;

	(void)state;
	d = httpdec_new(HTTPDEC_AUTO, NULL, NULL);
	assert_int_equal(httpdec_direction(d), HTTPDEC_AUTO);
	httpdec_feed(d, "OPTIONS * HTTP/1.1\r\n", 20);
	assert_int_equal(httpdec_direction(d), HTTPDEC_REQUEST);
	httpdec_free(d);

	got = test_decode_dir(HTTPDEC_AUTO, NULL,
	    "HTTP/1.1 404 \xc3\xa9t\xe9\r\n\r\n", 21, 1);
	assert_string_equal(got,
	    "@0 START_LINE response HTTP/1.1 404 \xc3\xa9t\\xe9\n"
	    "@19 HEADERS_END until close close\n"
	    "@0-21 MESSAGE_END body 0 until close close\n");
	free(got);
	got = test_decode_dir(HTTPDEC_AUTO, NULL, "HTTP/1.1 2x0 OK\r\n", 17, 1);
	assert_string_equal(got,
	    "@10 ERROR bad status code (want three digits)\n");
	free(got);
	got = test_decode_dir(HTTPDEC_AUTO, NULL, "\x80", 1, 1);
	assert_string_equal(got,
	    "@0 ERROR bad character 0x80 in method or HTTP version\n");
	free(got);
}

/* A 2xx to CONNECT and a 101 make the rest of the stream opaque. */
static void
test_tunnel(void **state)
{
	const char	*in = "HTTP/1.1 200 Connection established\r\n\r\n"
	    "\x16\x03\x01";
	char		*got;

	(void)state;
	got = test_decode_dir(HTTPDEC_RESPONSE, "CONNECT", in, strlen(in), 1);
	assert_string_equal(got,
	    "@0 START_LINE response HTTP/1.1 200 Connection established\n"
	    "@37 HEADERS_END until close close\n"
	    "@39 BODY_BYTES 3\n"
	    "@0-42 MESSAGE_END body 3 until close close\n");
	free(got);
}

/* Chromium 156's request for a page, as it came (headless, Debian). */
static void
test_chromium(void **state)
{
	const char	*in = "GET /page HTTP/1.1\r\n"
	    "Host: 127.0.0.1:23871\r\n"
	    "Connection: keep-alive\r\n"
	    "sec-ch-ua: \"Not:A-Brand\";v=\"8\", \"Chromium\";v=\"156\"\r\n"
	    "sec-ch-ua-mobile: ?0\r\n"
	    "sec-ch-ua-platform: \"Linux\"\r\n"
	    "Upgrade-Insecure-Requests: 1\r\n"
	    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
	    "(KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36\r\n"
	    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,"
	    "image/jxl,image/avif,image/webp,image/apng,*/*;q=0.8,"
	    "application/signed-exchange;v=b3;q=0.7\r\n"
	    "Sec-Fetch-Site: none\r\n"
	    "Sec-Fetch-Mode: navigate\r\n"
	    "Sec-Fetch-User: ?1\r\n"
	    "Sec-Fetch-Dest: document\r\n"
	    "Accept-Encoding: gzip, deflate, br, zstd\r\n"
	    "Accept-Language: en-US,en;q=0.9\r\n\r\n";
	char		*got;

	(void)state;
	got = test_decode_dir(HTTPDEC_REQUEST, NULL, in, strlen(in), 1);
	assert_non_null(strstr(got, "@0 START_LINE request GET /page HTTP/1.1\n"));
	assert_non_null(strstr(got, " HEADER User-Agent: Mozilla/5.0 (X11; "
	    "Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
	    "HeadlessChrome/156.0.0.0 Safari/537.36\n"));
	assert_non_null(strstr(got, " HEADER sec-ch-ua: \"Not:A-Brand\";"
	    "v=\"8\", \"Chromium\";v=\"156\"\n"));
	assert_non_null(strstr(got, " HEADERS_END no body keep-alive\n"));
	assert_non_null(strstr(got, "MESSAGE_END body 0 no body keep-alive\n"));
	assert_null(strstr(got, "ERROR"));
	free(got);
}

/* Decode s fed whole, a byte at a time and in pieces of 7 and 255 bytes;
 * all must agree.  Returns the events. */
static char *
test_decode_some(const char *s, size_t n, int eof)
{
	static const size_t	 steps[] = { 1, 7, 255 };
	char			*whole, *other;
	size_t			 i;

	whole = test_decode_step(HTTPDEC_REQUEST, NULL, s, n, 0, eof, NULL);
	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		other = test_decode_step(HTTPDEC_REQUEST, NULL, s, n,
		    steps[i], eof, NULL);
		assert_string_equal(other, whole);
		free(other);
	}
	return whole;
}

/* Append n copies of c. */
static void
test_fill(struct sbuf *b, char c, size_t n)
{
	while (n-- > 0)
		sbuf_addc(b, c);
}

/*
 * Lines longer than the buffers' first size, up to the limit and past it,
 * decode exactly as short ones: start lines, header lines, folded headers.
 */
static void
test_long_lines(void **state)
{
	static const size_t	 lens[] = { 100, 254, 255, 256, 257, 258, 511,
	    512, 513, 1024, 4095, 4096, 4097, HTTPDEC_LINE_MAX - 1,
	    HTTPDEC_LINE_MAX, HTTPDEC_LINE_MAX + 1 };
	struct sbuf		 in = { 0 }, want = { 0 };
	size_t			 i, L, a, b;
	char			*got;

	(void)state;
	for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		L = lens[i];

		/* A header line of L bytes, "X-L: vvv...". */
		sbuf_reset(&in);
		sbuf_reset(&want);
		sbuf_adds(&in, "GET / HTTP/1.1\r\nX-L: ");
		test_fill(&in, 'v', L - 5);
		sbuf_adds(&in, "\r\n\r\n");
		sbuf_adds(&want, "@0 START_LINE request GET / HTTP/1.1\n");
		if (L <= HTTPDEC_LINE_MAX) {
			sbuf_adds(&want, "@16 HEADER X-L: ");
			test_fill(&want, 'v', L - 5);
			sbuf_printf(&want, "\n@%zu HEADERS_END no body "
			    "keep-alive\n@0-%zu MESSAGE_END body 0 no body "
			    "keep-alive\n", 16 + L + 2, 16 + L + 4);
		} else
			sbuf_printf(&want, "@%zu ERROR line longer than %d "
			    "bytes\n", 16 + (size_t)HTTPDEC_LINE_MAX,
			    HTTPDEC_LINE_MAX);
		got = test_decode_some(in.p, in.len, 1);
		assert_string_equal(got, want.p);
		free(got);

		/* A request line of L bytes (its parts are copied too),
		 * then a short header. */
		sbuf_reset(&in);
		sbuf_reset(&want);
		sbuf_adds(&in, "GET /");
		test_fill(&in, 't', L - 14);
		sbuf_adds(&in, " HTTP/1.1\r\nHost: h\r\n\r\n");
		if (L <= HTTPDEC_LINE_MAX) {
			sbuf_adds(&want, "@0 START_LINE request GET /");
			test_fill(&want, 't', L - 14);
			sbuf_printf(&want, " HTTP/1.1\n@%zu HEADER Host: h\n"
			    "@%zu HEADERS_END no body keep-alive\n"
			    "@0-%zu MESSAGE_END body 0 no body keep-alive\n",
			    L + 2, L + 11, L + 13);
		} else
			sbuf_printf(&want, "@%d ERROR line longer than %d "
			    "bytes\n", HTTPDEC_LINE_MAX, HTTPDEC_LINE_MAX);
		got = test_decode_some(in.p, in.len, 1);
		assert_string_equal(got, want.p);
		free(got);

		/* A chunk-size line of L bytes, most of it the extension. */
		sbuf_reset(&in);
		sbuf_adds(&in, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked"
		    "\r\n\r\n1;");
		test_fill(&in, 'e', L - 2);
		sbuf_adds(&in, "\r\nx\r\n0\r\n\r\n");
		got = test_decode_some(in.p, in.len, 1);
		if (L <= HTTPDEC_LINE_MAX) {
			sbuf_reset(&want);
			sbuf_adds(&want, "@47 CHUNK 1 ;");
			test_fill(&want, 'e', L - 2);
			sbuf_addc(&want, '\n');
			assert_non_null(strstr(got, want.p));
			assert_non_null(strstr(got, "MESSAGE_END body 1 "
			    "chunked 1 chunk keep-alive\n"));
		} else
			assert_non_null(strstr(got, "@8239 ERROR line longer "
			    "than 8192 bytes\n"));
		free(got);
	}

	/*
	 * A header folded over two lines to exactly the limit (name and
	 * value together), and one byte past it.
	 */
	for (i = 0; i < 2; i++) {
		a = 5000;
		b = HTTPDEC_LINE_MAX - a - 2 + i;
		sbuf_reset(&in);
		sbuf_adds(&in, "GET / HTTP/1.1\r\nX: ");
		test_fill(&in, 'a', a);
		sbuf_adds(&in, "\r\n ");
		test_fill(&in, 'b', b);
		sbuf_adds(&in, "\r\n\r\n");
		sbuf_reset(&want);
		sbuf_adds(&want, "@0 START_LINE request GET / HTTP/1.1\n");
		if (i == 0) {
			sbuf_adds(&want, "@16 HEADER X: ");
			test_fill(&want, 'a', a);
			sbuf_addc(&want, ' ');
			test_fill(&want, 'b', b);
			sbuf_printf(&want, " (folded over 1 more line)\n"
			    "@%zu HEADERS_END no body keep-alive\n"
			    "@0-%zu MESSAGE_END body 0 no body keep-alive\n",
			    in.len - 2, in.len);
		} else
			sbuf_printf(&want, "@%zu ERROR header longer than %d "
			    "bytes with its folded lines\n", 16 + 3 + a + 2,
			    HTTPDEC_LINE_MAX);
		got = test_decode_some(in.p, in.len, 1);
		assert_string_equal(got, want.p);
		free(got);
	}

	/* An empty value folded up to the limit with one long line. */
	sbuf_reset(&in);
	sbuf_adds(&in, "GET / HTTP/1.1\r\nX:\r\n ");
	test_fill(&in, 'c', HTTPDEC_LINE_MAX - 2);
	sbuf_adds(&in, "\r\n\r\n");
	got = test_decode_some(in.p, in.len, 1);
	assert_non_null(strstr(got, "(folded over 1 more line)\n"));
	assert_non_null(strstr(got, "MESSAGE_END"));
	free(got);

	/* Long messages one after another, then a short one. */
	sbuf_reset(&in);
	for (i = 0; i < 3; i++) {
		sbuf_adds(&in, "GET /");
		test_fill(&in, 'p', 2500 * (i + 1));
		sbuf_adds(&in, " HTTP/1.1\r\nA: ");
		test_fill(&in, 'q', 2000 * (i + 1));
		sbuf_adds(&in, "\r\n\r\n");
	}
	sbuf_adds(&in, "GET /s HTTP/1.1\r\n\r\n");
	got = test_decode_some(in.p, in.len, 1);
	assert_non_null(strstr(got, "START_LINE request GET /s HTTP/1.1\n"));
	assert_null(strstr(got, "ERROR"));
	free(got);
	sbuf_free(&in);
	sbuf_free(&want);
}

/* How many decoders test_heap_per() makes, to average allocator noise. */
#define TEST_NDEC	200

/* Bytes in use on the heap; 0 where that cannot be known. */
static size_t
test_heap(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
	return mallinfo2().uordblks;
#else
	return 0;
#endif
}

/*
 * Heap bytes that each of TEST_NDEC decoders holds once fed the n bytes at
 * s (then EOF if eof is set); they are freed after.  Freed chunks may stay
 * counted for a while (glibc's tcache), so one decoder alone tells little.
 */
static size_t
test_heap_per(const char *s, size_t n, int eof)
{
	struct httpdec	*d[TEST_NDEC];
	size_t		 h, i, grew;

	h = test_heap();
	for (i = 0; i < TEST_NDEC; i++) {
		d[i] = httpdec_new(HTTPDEC_AUTO, NULL, NULL);
		httpdec_feed(d[i], s, n);
		if (eof)
			httpdec_eof(d[i]);
	}
	grew = test_heap() > h ? test_heap() - h : 0;
	for (i = 0; i < TEST_NDEC; i++)
		httpdec_free(d[i]);
	return grew / TEST_NDEC;
}

/*
 * A decoder's buffers are made for its first line and given back: all of
 * them once it is lost (a stream that is not HTTP) or has ended, and
 * those a long line grew once its message is complete.  Seen on the heap
 * where glibc can count it (not under a sanitizer or valgrind).
 */
static void
test_release(void **state)
{
	struct sbuf	 big = { 0 };
	size_t		 h, bare, open, lost;
	void		*probe;

	(void)state;
	h = test_heap();
	probe = malloc(65536);
	assert_non_null(probe);
	memset(probe, 0, 65536);
	if (test_heap() < h + 65536) {
		free(probe);
		skip();
	}
	free(probe);

	sbuf_adds(&big, "GET /");
	test_fill(&big, 'a', 6000);
	sbuf_adds(&big, " HTTP/1.1\r\nB: ");
	test_fill(&big, 'b', 7000);
	sbuf_adds(&big, "\r\n\r\n");

	bare = test_heap_per("", 0, 0);
	/* In its first line: a small buffer, not 16 KiB. */
	open = test_heap_per("h000001", 7, 0);
	assert_true(open > bare + 200);
	assert_true(open < bare + 512);
	/* Lost: the buffer is given back. */
	lost = test_heap_per("h000001\n", 8, 0);
	assert_true(lost < bare + 64);
	/* A long message grew them; complete, they shrink back. */
	assert_true(test_heap_per(big.p, big.len, 0) < bare + 1024);
	/* Ended: nothing is kept. */
	assert_true(test_heap_per(big.p, big.len, 1) < bare + 64);
	assert_true(test_heap_per("GET / HTTP/1.1\r\n", 16, 1) < bare + 64);
	sbuf_free(&big);
}

/* Lost or ended, a decoder whose buffers went behaves as before. */
static void
test_after_release(void **state)
{
	struct test_events	 t;
	struct httpdec		*d;

	(void)state;
	memset(&t, 0, sizeof t);
	d = httpdec_new(HTTPDEC_AUTO, test_event, &t);
	assert_int_equal(httpdec_feed(d, "h000001", 7), 0);
	assert_int_equal(httpdec_feed(d, "\nGET / HTTP/1.1\r\n\r\n", 19), -1);
	assert_true(httpdec_lost(d));
	assert_int_equal(httpdec_feed(d, "GET / HTTP/1.1\r\n\r\n", 18), -1);
	httpdec_eof(d);
	assert_int_equal(httpdec_offset(d), 8);
	assert_string_equal(t.out.p, "@0 ERROR request line has no spaces "
	    "(method target version)\n");
	httpdec_free(d);
	sbuf_reset(&t.out);

	/* Ended between messages: feeding says -1 and decodes nothing. */
	d = httpdec_new(HTTPDEC_REQUEST, test_event, &t);
	assert_int_equal(httpdec_feed(d, "\r\n\nGET / HTTP/1.1\r\n\r\n", 21),
	    0);
	assert_true(httpdec_idle(d));
	httpdec_eof(d);
	assert_true(httpdec_idle(d));
	assert_false(httpdec_lost(d));
	assert_int_equal(httpdec_feed(d, "GET / HTTP/1.1\r\n\r\n", 18), -1);
	httpdec_eof(d);
	assert_string_equal(t.out.p, "@3 START_LINE request GET / HTTP/1.1\n"
	    "@19 HEADERS_END no body keep-alive\n"
	    "@3-21 MESSAGE_END body 0 no body keep-alive\n");
	httpdec_free(d);
	httpdec_free(NULL);
	sbuf_free(&t.out);
	sbuf_free(&t.bytes);
}

/* Run the tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_curl_get),
		cmocka_unit_test(test_chromium),
		cmocka_unit_test(test_post_length),
		cmocka_unit_test(test_chunked_request),
		cmocka_unit_test(test_http10),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_response_no_body),
		cmocka_unit_test(test_response_until_close),
		cmocka_unit_test(test_chunked_response),
		cmocka_unit_test(test_folding),
		cmocka_unit_test(test_lenient),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_oversize),
		cmocka_unit_test(test_lost),
		cmocka_unit_test(test_eof),
		cmocka_unit_test(test_auto),
		cmocka_unit_test(test_tunnel),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_after_release),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
