/*
 * test_httpresp.c: cmocka tests for httpresp.c: reason phrases, media
 * types from file names, and the bytes of /respond's responses, checked
 * by decoding them back with httpdec.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "sockscope/httpdec.h"
#include "sockscope/httpresp.h"
#include "sockscope/util.h"

/* Reason phrases, known and not. */
static void
test_reason(void **state)
{
	(void)state;
	assert_string_equal(httpresp_reason(200), "OK");
	assert_string_equal(httpresp_reason(404), "Not Found");
	assert_string_equal(httpresp_reason(418), "I'm a teapot");
	assert_string_equal(httpresp_reason(299), "");
	assert_true(httpresp_bodyless(204));
	assert_true(httpresp_bodyless(304));
	assert_true(httpresp_bodyless(101));
	assert_false(httpresp_bodyless(200));
	assert_false(httpresp_bodyless(404));
}

/* Media types from names. */
static void
test_type(void **state)
{
	(void)state;
	assert_string_equal(httpresp_type("index.html"),
	    "text/html; charset=utf-8");
	assert_string_equal(httpresp_type("/tmp/A.PNG"), "image/png");
	assert_string_equal(httpresp_type("x.tar.gz"),
	    "application/octet-stream");
	assert_string_equal(httpresp_type("dir.d/Makefile"),
	    "application/octet-stream");
	assert_string_equal(httpresp_type("noext"), "application/octet-stream");
	assert_string_equal(httpresp_type("a.json"), "application/json");
}

/* Decoded back: what the response's head says. */
struct test_dec {
	int		status;
	uint64_t	length;
	int		keep_alive;
	int		framing;
	uint64_t	body;
	int		ended, errors;
};

/* Record what matters of each event. */
static void
test_event(const struct httpdec_event *ev, void *arg)
{
	struct test_dec	*t = arg;

	if (ev->kind == HTTPDEC_START_LINE)
		t->status = ev->status;
	else if (ev->kind == HTTPDEC_HEADERS_END) {
		t->length = ev->content_length;
		t->keep_alive = ev->keep_alive;
		t->framing = (int)ev->framing;
	} else if (ev->kind == HTTPDEC_MESSAGE_END) {
		t->body = ev->body_size;
		t->ended++;
	} else if (ev->kind == HTTPDEC_ERROR)
		t->errors++;
}

/* The exact bytes, and a decoder agrees with them. */
static void
test_build(void **state)
{
	struct sbuf	 b = { 0 };
	struct test_dec	 t;
	struct httpdec	*d;

	(void)state;
	httpresp_build(&b, 200, HTTPRESP_TEXT_TYPE, "hello", 5, 0, 0);
	assert_string_equal(b.p, "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: 5\r\nConnection: close\r\n\r\nhello");
	memset(&t, 0, sizeof t);
	d = httpdec_new(HTTPDEC_RESPONSE, test_event, &t);
	httpdec_feed(d, b.p, b.len);
	assert_int_equal(t.status, 200);
	assert_int_equal(t.length, 5);
	assert_int_equal(t.body, 5);
	assert_false(t.keep_alive);
	assert_int_equal(t.ended, 1);
	assert_int_equal(t.errors, 0);
	httpdec_free(d);

	/* Keep-alive, a body with a NUL, an unknown status. */
	sbuf_reset(&b);
	httpresp_build(&b, 299, "image/png", "a\0b", 3, 1, 0);
	assert_int_equal(b.len, strlen("HTTP/1.1 299 \r\nContent-Type: "
	    "image/png\r\nContent-Length: 3\r\nConnection: keep-alive\r\n"
	    "\r\n") + 3);
	assert_memory_equal(b.p + b.len - 3, "a\0b", 3);
	memset(&t, 0, sizeof t);
	d = httpdec_new(HTTPDEC_RESPONSE, test_event, &t);
	httpdec_feed(d, b.p, b.len);
	assert_int_equal(t.status, 299);
	assert_true(t.keep_alive);
	assert_int_equal(t.body, 3);
	assert_int_equal(t.errors, 0);
	httpdec_free(d);

	/* 204 and 304: no body and no Content-Length, whatever is given. */
	sbuf_reset(&b);
	httpresp_build(&b, 204, HTTPRESP_TEXT_TYPE, "x", 1, 0, 0);
	assert_string_equal(b.p, "HTTP/1.1 204 No Content\r\n"
	    "Connection: close\r\n\r\n");
	/* An empty body still says Content-Length: 0. */
	sbuf_reset(&b);
	httpresp_build(&b, 404, HTTPRESP_TEXT_TYPE, "", 0, 1, 0);
	assert_non_null(strstr(b.p, "Content-Length: 0\r\n"));
	/* HEAD: the same headers, no body. */
	sbuf_reset(&b);
	httpresp_build(&b, 200, HTTPRESP_TEXT_TYPE, "hello", 5, 0, 1);
	assert_string_equal(b.p, "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: 5\r\nConnection: close\r\n\r\n");
	sbuf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reason),
		cmocka_unit_test(test_type),
		cmocka_unit_test(test_build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
