/*
 * test_transcript.c: cmocka tests for transcript.c: the text transcript of
 * every event kind (with and without timestamps), data rows, JSON Lines
 * for every kind, JSON string escaping, and that nothing hostile gets
 * through either format.  JSON output is checked by a small validator here
 * and, when python3 is installed, by Python's json module as well.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <locale.h>
#include <netdb.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockscope/evlog.h"
#include "sockscope/tls.h"
#include "sockscope/transcript.h"
#include "sockscope/util.h"

static const struct transcript test_text = {
	.format = TRANSCRIPT_TEXT, .timestamps = 0 };
static const struct transcript test_text_t = {
	.format = TRANSCRIPT_TEXT, .timestamps = 1 };
static const struct transcript test_json = {
	.format = TRANSCRIPT_JSON, .timestamps = 0 };

/* The 78-byte request of SPEC section 5. */
static const unsigned char test_get[] = "GET / HTTP/1.1\r\n"
    "Host: 127.0.0.1:19999\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n";

/* Check that tr turns e into exactly want. */
static void
test_check(const struct transcript *tr, const struct ev *e, const char *want)
{
	struct sbuf	b = { 0 };

	assert_int_not_equal(transcript_event(tr, &b, e), 0);
	assert_non_null(b.p);
	assert_string_equal(b.p, want);
	assert_int_equal(b.len, strlen(want));
	sbuf_free(&b);
}

/* Check that transcript_json_string() turns s into want. */
static void
test_check_string(const char *s, const char *want)
{
	struct sbuf	b = { 0 };

	transcript_json_string(&b, s);
	assert_string_equal(b.p, want);
	sbuf_free(&b);
}

/* Length of the valid UTF-8 sequence at p (n bytes left), 0 if invalid. */
static size_t
test_utf8_len(const unsigned char *p, size_t n)
{
	uint32_t	cp;
	size_t		len, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		cp = p[0] & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static int test_json_value(const char **pp, const char *end);

/* Skip JSON white space. */
static void
test_json_ws(const char **pp, const char *end)
{
	while (*pp < end && (**pp == ' ' || **pp == '\t' || **pp == '\n' ||
	    **pp == '\r'))
		(*pp)++;
}

/* Read four hex digits of a \u escape; -1 if they are not there. */
static long
test_json_hex4(const char **pp, const char *end)
{
	long	v = 0;
	int	i;

	if (end - *pp < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		char	c = (*pp)[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	*pp += 4;
	return v;
}

/* Check a JSON string: valid escapes, paired surrogates, no raw control
 * bytes, valid UTF-8.  Returns 0 if good. */
static int
test_json_str(const char **pp, const char *end)
{
	const char	*p = *pp;
	long		 u, lo;
	size_t		 l;

	if (p >= end || *p != '"')
		return -1;
	p++;
	while (p < end && *p != '"') {
		unsigned char	c = (unsigned char)*p;

		if (c < 0x20)
			return -1;
		if (c >= 0x80) {
			l = test_utf8_len((const unsigned char *)p,
			    (size_t)(end - p));
			if (l == 0)
				return -1;
			p += l;
			continue;
		}
		if (c != '\\') {
			p++;
			continue;
		}
		p++;
		if (p >= end)
			return -1;
		if (strchr("\"\\/bfnrt", *p) != NULL && *p != '\0') {
			p++;
			continue;
		}
		if (*p != 'u')
			return -1;
		p++;
		if ((u = test_json_hex4(&p, end)) < 0)
			return -1;
		if (u >= 0xdc00 && u <= 0xdfff)
			return -1;
		if (u >= 0xd800 && u <= 0xdbff) {
			if (end - p < 2 || p[0] != '\\' || p[1] != 'u')
				return -1;
			p += 2;
			lo = test_json_hex4(&p, end);
			if (lo < 0xdc00 || lo > 0xdfff)
				return -1;
		}
	}
	if (p >= end)
		return -1;
	*pp = p + 1;
	return 0;
}

/* Check a JSON number.  Returns 0 if good. */
static int
test_json_num(const char **pp, const char *end)
{
	const char	*p = *pp;

	if (p < end && *p == '-')
		p++;
	if (p >= end || *p < '0' || *p > '9')
		return -1;
	if (*p == '0')
		p++;
	else {
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && *p == '.') {
		p++;
		if (p >= end || *p < '0' || *p > '9')
			return -1;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || *p < '0' || *p > '9')
			return -1;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	*pp = p;
	return 0;
}

/* Check one JSON value of any type.  Returns 0 if good. */
static int
test_json_value(const char **pp, const char *end)
{
	const char	*p;
	size_t		 i;
	static const char *words[] = { "true", "false", "null" };

	test_json_ws(pp, end);
	p = *pp;
	if (p >= end)
		return -1;
	if (*p == '"')
		return test_json_str(pp, end);
	if (*p == '{' || *p == '[') {
		char	close = *p == '{' ? '}' : ']';

		*pp = p + 1;
		test_json_ws(pp, end);
		if (*pp < end && **pp == close) {
			(*pp)++;
			return 0;
		}
		for (;;) {
			if (close == '}') {
				test_json_ws(pp, end);
				if (test_json_str(pp, end) != 0)
					return -1;
				test_json_ws(pp, end);
				if (*pp >= end || **pp != ':')
					return -1;
				(*pp)++;
			}
			if (test_json_value(pp, end) != 0)
				return -1;
			test_json_ws(pp, end);
			if (*pp >= end)
				return -1;
			if (**pp == close) {
				(*pp)++;
				return 0;
			}
			if (**pp != ',')
				return -1;
			(*pp)++;
		}
	}
	for (i = 0; i < 3; i++) {
		size_t	l = strlen(words[i]);

		if ((size_t)(end - p) >= l && memcmp(p, words[i], l) == 0) {
			*pp = p + l;
			return 0;
		}
	}
	return test_json_num(pp, end);
}

/* Check that out is JSON Lines: each line one object, nothing else. */
static void
test_json_lines_valid(const char *out, size_t len)
{
	const char	*p = out, *end = out + len, *nl;

	assert_true(len > 0);
	assert_true(out[len - 1] == '\n');
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		assert_non_null(nl);
		assert_true(*p == '{');
		assert_int_equal(test_json_value(&p, nl), 0);
		assert_true(p == nl);
		p = nl + 1;
	}
}

/* Nonzero if s is one valid JSON value and nothing else. */
static int
test_json_ok(const char *s)
{
	const char	*p = s, *end = s + strlen(s);

	if (test_json_value(&p, end) != 0)
		return 0;
	test_json_ws(&p, end);
	return p == end;
}

/*
 * Run Python's json module over out when python3 is installed: every line
 * must parse as an object, the whole must be strict UTF-8, and every "hex"
 * must be hex.
 */
static void
test_json_python(const char *out, size_t len)
{
	char	 path[] = "/tmp/test_transcript.XXXXXX";
	char	 cmd[512];
	int	 fd, rc;

	if (system("command -v python3 >/dev/null 2>&1") != 0)
		return;
	fd = mkstemp(path);
	assert_true(fd != -1);
	assert_int_equal(write(fd, out, len), (ssize_t)len);
	close(fd);
	snprintf(cmd, sizeof cmd, "python3 -c '"
	    "import json,sys\n"
	    "d=sys.stdin.buffer.read().decode(\"utf-8\")\n"
	    "assert d.endswith(\"\\n\")\n"
	    "for l in d[:-1].split(\"\\n\"):\n"
	    "  o=json.loads(l)\n"
	    "  assert isinstance(o,dict) and \"t\" in o and \"event\" in o\n"
	    "  bytes.fromhex(o.get(\"hex\",\"\"))\n"
	    "' < %s", path);
	rc = system(cmd);
	unlink(path);
	assert_int_equal(rc, 0);
}

/* Nonzero if out holds a byte a terminal would act on (a control other
 * than the newlines ending lines, DEL, or invalid UTF-8). */
static int
test_unsafe(const char *out, size_t len)
{
	const unsigned char	*p = (const unsigned char *)out;
	size_t			 i = 0, l;

	while (i < len) {
		if (p[i] == '\n') {
			i++;
			continue;
		}
		if (p[i] < 0x20 || p[i] == 0x7f)
			return 1;
		l = test_utf8_len(p + i, len - i);
		if (l == 0)
			return 1;
		/* C1 controls encoded as UTF-8 (U+0080-U+009F). */
		if (l == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0)
			return 1;
		i += l;
	}
	return 0;
}

/* The validator used below rejects what it must. */
static void
test_validator(void **state)
{
	(void)state;
	assert_true(test_json_ok("{\"a\":[1,-2.5e3,0,true,false,null,"
	    "\"\\u00e9\\ud83d\\ude00 \xc3\xa9\\n\"],\"b\":{}}"));
	assert_false(test_json_ok("{\"a\":\"\x01\"}"));
	assert_false(test_json_ok("{\"a\":\"\xff\"}"));
	assert_false(test_json_ok("{\"a\":\"\xc0\xaf\"}"));
	assert_false(test_json_ok("{\"a\":\"\\ud800\"}"));
	assert_false(test_json_ok("{\"a\":\"\\udc00\"}"));
	assert_false(test_json_ok("{\"a\":\"\\x41\"}"));
	assert_false(test_json_ok("{\"a\":1,}"));
	assert_false(test_json_ok("{\"a\":0,5}"));
	assert_false(test_json_ok("{\"a\":01}"));
	assert_false(test_json_ok("{\"a\":1.}"));
	assert_false(test_json_ok("{\"a\":tru}"));
	assert_false(test_json_ok("{\"a\":\"x}"));
	assert_false(test_json_ok("{\"a\" 1}"));
	assert_false(test_json_ok("{\"a\":1} x"));
}

/* Every state change in text, as SPEC section 5 and transcript.h show. */
static void
test_text_states(void **state)
{
	struct ev	e;
	char		want[256];

	(void)state;
	memset(&e, 0, sizeof e);
	e.kind = EV_LISTENING;
	e.listener = 1;
	e.addr = "127.0.0.1:19999";
	test_check(&test_text, &e, "* L1 listening on 127.0.0.1:19999\n");
	e.addr = "0.0.0.0:19999";
	e.all_interfaces = 1;
	test_check(&test_text, &e,
	    "* L1 listening on 0.0.0.0:19999 (all interfaces)\n");

	memset(&e, 0, sizeof e);
	e.kind = EV_ACCEPTED;
	e.conn = 1;
	e.listener = 1;
	e.addr = "127.0.0.1:19999";
	e.local = "127.0.0.1:19999";
	e.peer = "127.0.0.1:50412";
	test_check(&test_text, &e,
	    "* #1 accepted from 127.0.0.1:50412 on L1\n");

	memset(&e, 0, sizeof e);
	e.kind = EV_CONNECTING;
	e.conn = 1;
	e.addr = "127.0.0.1:5151";
	e.local = "";
	e.peer = "127.0.0.1:5151";
	test_check(&test_text, &e, "* #1 connecting to 127.0.0.1:5151\n");

	e.kind = EV_CONNECTED;
	e.local = "127.0.0.1:41822";
	test_check(&test_text, &e,
	    "* #1 connected to 127.0.0.1:5151 from 127.0.0.1:41822\n");
	/* [::1] stays as it is. */
	e.peer = "[::1]:5151";
	e.local = "";
	test_check(&test_text, &e, "* #1 connected to [::1]:5151\n");

	memset(&e, 0, sizeof e);
	e.kind = EV_EOF;
	e.conn = 1;
	e.asked = 4096;
	test_check(&test_text, &e,
	    "< #1 recv 0 bytes: EOF (peer finished sending)\n");

	e.kind = EV_SHUTDOWN;
	test_check(&test_text, &e, "> #1 shutdown: EOF sent\n");

	memset(&e, 0, sizeof e);
	e.kind = EV_RESET;
	e.conn = 1;
	e.by_peer = 1;
	e.call = "recv";
	e.err = ECONNRESET;
	test_check(&test_text, &e, "! #1 reset by peer\n");
	memset(&e, 0, sizeof e);
	e.kind = EV_RESET;
	e.conn = 3;
	test_check(&test_text, &e, "* #3 reset: RST sent\n");

	memset(&e, 0, sizeof e);
	e.kind = EV_CLOSED;
	e.conn = 1;
	e.listener = 1;
	e.in_bytes = 78;
	e.in_chunks = 1;
	e.out_bytes = 6;
	test_check(&test_text, &e,
	    "* #1 closed (in 78 bytes in 1 chunk, out 6 bytes)\n");
	e.in_bytes = 1;
	e.in_chunks = 2;
	e.out_bytes = 1;
	test_check(&test_text, &e,
	    "* #1 closed (in 1 byte in 2 chunks, out 1 byte)\n");
	e.in_bytes = 0;
	e.in_chunks = 0;
	e.out_bytes = 0;
	test_check(&test_text, &e,
	    "* #1 closed (in 0 bytes in 0 chunks, out 0 bytes)\n");
	memset(&e, 0, sizeof e);
	e.kind = EV_CLOSED;
	e.listener = 1;
	e.addr = "127.0.0.1:19999";
	test_check(&test_text, &e, "* L1 closed\n");

	memset(&e, 0, sizeof e);
	e.kind = EV_ERROR;
	e.conn = 2;
	e.call = "connect";
	e.addr = "127.0.0.1:1";
	e.err = ECONNREFUSED;
	snprintf(want, sizeof want, "! #2 connect 127.0.0.1:1: %s "
	    "(ECONNREFUSED)\n", strerror(ECONNREFUSED));
	test_check(&test_text, &e, want);
	memset(&e, 0, sizeof e);
	e.kind = EV_ERROR;
	e.listener = 2;
	e.call = "bind";
	e.addr = "127.0.0.1:19999";
	e.err = EADDRINUSE;
	test_check(&test_text, &e, "! L2 127.0.0.1:19999 is already in use\n");
	memset(&e, 0, sizeof e);
	e.kind = EV_ERROR;
	e.call = "getaddrinfo";
	e.addr = "nosuch.invalid";
	e.gai = EAI_NONAME;
	e.message = "Name or service not known";
	test_check(&test_text, &e, "! cannot resolve 'nosuch.invalid': "
	    "Name or service not known\n");
}

/* Data headers, singular and plural, and their hexdump -C rows. */
static void
test_text_data(void **state)
{
	static const unsigned char	 hello[] = "hello\n";
	struct ev			 e;

	(void)state;
	memset(&e, 0, sizeof e);
	e.kind = EV_RECV;
	e.conn = 1;
	e.listener = 1;
	e.asked = 4096;
	e.len = 78;
	e.data = test_get;
	e.chunk = 1;
	test_check(&test_text, &e,
	    "< #1 recv 78 bytes [chunk 1]\n"
	    "  00000000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a  "
	    "|GET / HTTP/1.1..|\n"
	    "  00000010  48 6f 73 74 3a 20 31 32  37 2e 30 2e 30 2e 31 3a  "
	    "|Host: 127.0.0.1:|\n"
	    "  00000020  31 39 39 39 39 0d 0a 55  73 65 72 2d 41 67 65 6e  "
	    "|19999..User-Agen|\n"
	    "  00000030  74 3a 20 63 75 72 6c 2f  38 2e 35 2e 30 0d 0a 41  "
	    "|t: curl/8.5.0..A|\n"
	    "  00000040  63 63 65 70 74 3a 20 2a  2f 2a 0d 0a 0d 0a        "
	    "|ccept: */*....|\n");

	/* The next chunk's rows continue from its stream offset. */
	e.len = 6;
	e.data = hello;
	e.offset = 16;
	e.chunk = 2;
	test_check(&test_text, &e,
	    "< #1 recv 6 bytes [chunk 2]\n"
	    "  00000010  68 65 6c 6c 6f 0a                                 "
	    "|hello.|\n");

	e.len = 1;
	e.data = (const unsigned char *)"\033";
	e.offset = 0x1234;
	e.chunk = 3;
	test_check(&test_text, &e,
	    "< #1 recv 1 byte [chunk 3]\n"
	    "  00001234  1b                                                "
	    "|.|\n");

	memset(&e, 0, sizeof e);
	e.kind = EV_SEND;
	e.conn = 1;
	e.asked = 6;
	e.len = 6;
	e.data = hello;
	e.chunk = 1;
	test_check(&test_text, &e,
	    "> #1 send 6 bytes\n"
	    "  00000000  68 65 6c 6c 6f 0a                                 "
	    "|hello.|\n");
	e.asked = 1;
	e.len = 1;
	e.offset = 6;
	test_check(&test_text, &e,
	    "> #1 send 1 byte\n"
	    "  00000006  68                                                "
	    "|h|\n");
	/* A partial send says how much was asked. */
	e.asked = 6;
	e.len = 2;
	e.offset = 7;
	test_check(&test_text, &e,
	    "> #1 send 2 bytes (of 6 asked)\n"
	    "  00000007  68 65                                             "
	    "|he|\n");
}

/* "+S.SSSSSS " starts header lines only, never hexdump rows. */
static void
test_text_timestamps(void **state)
{
	static const unsigned char	 hello[] = "hello\n";
	struct ev			 e;

	(void)state;
	memset(&e, 0, sizeof e);
	e.kind = EV_RECV;
	e.t = 0.512;
	e.conn = 1;
	e.asked = 4096;
	e.len = 6;
	e.data = hello;
	e.chunk = 1;
	test_check(&test_text_t, &e,
	    "+0.512000 < #1 recv 6 bytes [chunk 1]\n"
	    "  00000000  68 65 6c 6c 6f 0a                                 "
	    "|hello.|\n");

	memset(&e, 0, sizeof e);
	e.kind = EV_LISTENING;
	e.listener = 1;
	e.addr = "127.0.0.1:19999";
	test_check(&test_text_t, &e,
	    "+0.000000 * L1 listening on 127.0.0.1:19999\n");
	e.t = 3.0000004;
	test_check(&test_text_t, &e,
	    "+3.000000 * L1 listening on 127.0.0.1:19999\n");
	e.t = 12.3456786;
	test_check(&test_text_t, &e,
	    "+12.345679 * L1 listening on 127.0.0.1:19999\n");
	e.t = 3599.9999996;
	test_check(&test_text_t, &e,
	    "+3600.000000 * L1 listening on 127.0.0.1:19999\n");
	/* A clock gone backwards does not print "+-". */
	e.t = -1.5;
	test_check(&test_text_t, &e,
	    "+0.000000 * L1 listening on 127.0.0.1:19999\n");

	memset(&e, 0, sizeof e);
	e.kind = EV_ERROR;
	e.t = 1.25;
	e.conn = 2;
	e.call = "connect";
	e.addr = "127.0.0.1:1";
	e.err = ECONNREFUSED;
	e.message = "Connection refused";
	test_check(&test_text_t, &e, "+1.250000 ! #2 connect 127.0.0.1:1: "
	    "Connection refused (ECONNREFUSED)\n");

	memset(&e, 0, sizeof e);
	e.kind = EV_CLOSED;
	e.t = 10;
	e.listener = 1;
	test_check(&test_text_t, &e, "+10.000000 * L1 closed\n");
}

/* EV_WAIT: an explicit recv that found nothing, a send that blocked; a
 * send that blocked with nothing queued produces nothing. */
static void
test_text_wait(void **state)
{
	struct sbuf	b = { 0 };
	struct ev	e;

	(void)state;
	memset(&e, 0, sizeof e);
	e.kind = EV_WAIT;
	e.conn = 1;
	e.call = "recv";
	e.asked = 4096;
	e.err = EAGAIN;
	test_check(&test_text, &e, "< #1 recv: nothing waiting (EAGAIN)\n");
	e.t = 2;
	test_check(&test_text_t, &e,
	    "+2.000000 < #1 recv: nothing waiting (EAGAIN)\n");
	e.call = "send";
	e.asked = 65536;
	e.len = 1048576;
	test_check(&test_text, &e,
	    "> #1 send: peer not reading, 1048576 bytes queued\n");
	e.len = 1;
	test_check(&test_text, &e,
	    "> #1 send: peer not reading, 1 byte queued\n");

	e.len = 0;
	assert_int_equal(transcript_event(&test_text, &b, &e), 0);
	assert_int_equal(transcript_event(&test_json, &b, &e), 0);
	assert_int_equal(b.len, 0);
	sbuf_free(&b);
}

/* JSON objects, exactly, for a few kinds. */
static void
test_json_exact(void **state)
{
	static const unsigned char	 hello[] = "hello\n";
	struct ev			 e;

	(void)state;
	memset(&e, 0, sizeof e);
	e.kind = EV_RECV;
	e.t = 0.512;
	e.conn = 1;
	e.listener = 1;
	e.asked = 4096;
	e.len = 6;
	e.data = hello;
	e.chunk = 1;
	test_check(&test_json, &e, "{\"t\":0.512000,\"event\":\"recv\","
	    "\"conn\":1,\"bytes\":6,\"chunk\":1,\"offset\":0,\"asked\":4096,"
	    "\"hex\":\"68656c6c6f0a\"}\n");

	e.kind = EV_SEND;
	e.t = 0.4;
	e.asked = 6;
	e.offset = 6;
	test_check(&test_json, &e, "{\"t\":0.400000,\"event\":\"send\","
	    "\"conn\":1,\"bytes\":6,\"chunk\":1,\"offset\":6,\"asked\":6,"
	    "\"hex\":\"68656c6c6f0a\"}\n");

	memset(&e, 0, sizeof e);
	e.kind = EV_LISTENING;
	e.listener = 1;
	e.addr = "0.0.0.0:19999";
	e.all_interfaces = 1;
	test_check(&test_json, &e, "{\"t\":0.000000,\"event\":\"listening\","
	    "\"listener\":1,\"addr\":\"0.0.0.0:19999\","
	    "\"all_interfaces\":true}\n");

	memset(&e, 0, sizeof e);
	e.kind = EV_ACCEPTED;
	e.t = 1;
	e.conn = 2;
	e.listener = 1;
	e.addr = "127.0.0.1:19999";
	e.local = "127.0.0.1:19999";
	e.peer = "127.0.0.1:50412";
	test_check(&test_json, &e, "{\"t\":1.000000,\"event\":\"accepted\","
	    "\"conn\":2,\"listener\":1,\"addr\":\"127.0.0.1:19999\","
	    "\"local\":\"127.0.0.1:19999\",\"peer\":\"127.0.0.1:50412\"}\n");

	memset(&e, 0, sizeof e);
	e.kind = EV_ERROR;
	e.t = 0.001;
	e.conn = 2;
	e.call = "connect";
	e.addr = "127.0.0.1:1";
	e.err = ECONNREFUSED;
	e.message = "Connection refused";
	test_check(&test_json, &e, "{\"t\":0.001000,\"event\":\"error\","
	    "\"conn\":2,\"call\":\"connect\",\"addr\":\"127.0.0.1:1\","
	    "\"errno\":\"ECONNREFUSED\",\"message\":\"connect 127.0.0.1:1: "
	    "Connection refused (ECONNREFUSED)\"}\n");

	memset(&e, 0, sizeof e);
	e.kind = EV_ERROR;
	e.call = "getaddrinfo";
	e.addr = "nosuch.invalid";
	e.gai = EAI_NONAME;
	e.message = "Name or service not known";
	test_check(&test_json, &e, "{\"t\":0.000000,\"event\":\"error\","
	    "\"call\":\"getaddrinfo\",\"addr\":\"nosuch.invalid\","
	    "\"errno\":\"EAI_NONAME\",\"gai\":\"EAI_NONAME\","
	    "\"message\":\"cannot resolve 'nosuch.invalid': Name or service "
	    "not known\"}\n");

	memset(&e, 0, sizeof e);
	e.kind = EV_CLOSED;
	e.t = 3.001;
	e.conn = 1;
	e.in_bytes = 78;
	e.in_chunks = 1;
	e.out_bytes = 6;
	test_check(&test_json, &e, "{\"t\":3.001000,\"event\":\"closed\","
	    "\"conn\":1,\"in_bytes\":78,\"in_chunks\":1,\"out_bytes\":6}\n");
	memset(&e, 0, sizeof e);
	e.kind = EV_CLOSED;
	e.listener = 1;
	e.addr = "127.0.0.1:19999";
	test_check(&test_json, &e, "{\"t\":0.000000,\"event\":\"closed\","
	    "\"listener\":1}\n");

	memset(&e, 0, sizeof e);
	e.kind = EV_RESET;
	e.conn = 1;
	e.by_peer = 1;
	e.err = ECONNRESET;
	test_check(&test_json, &e, "{\"t\":0.000000,\"event\":\"reset\","
	    "\"conn\":1,\"by\":\"peer\",\"errno\":\"ECONNRESET\"}\n");
	e.by_peer = 0;
	e.err = 0;
	test_check(&test_json, &e, "{\"t\":0.000000,\"event\":\"reset\","
	    "\"conn\":1,\"by\":\"us\"}\n");

	memset(&e, 0, sizeof e);
	e.kind = EV_EOF;
	e.conn = 1;
	e.asked = 4096;
	test_check(&test_json, &e, "{\"t\":0.000000,\"event\":\"eof\","
	    "\"conn\":1,\"bytes\":0,\"asked\":4096}\n");

	memset(&e, 0, sizeof e);
	e.kind = EV_WAIT;
	e.conn = 1;
	e.call = "send";
	e.asked = 100;
	e.len = 5000;
	test_check(&test_json, &e, "{\"t\":0.000000,\"event\":\"wait\","
	    "\"conn\":1,\"call\":\"send\",\"asked\":100,\"queued\":5000,"
	    "\"errno\":\"EAGAIN\"}\n");
}

/* A stream of every kind, including hostile strings, from a real session:
 * the whole must be valid JSON Lines and contain nothing unsafe. */
static void
test_json_all_valid(void **state)
{
	struct sbuf			 b = { 0 };
	struct ev			 evs[20];
	unsigned char			 data[256];
	size_t				 i, n = 0;
	const char			*hostile;

	(void)state;
	hostile = "h\033[2J\x9b\xff\xc3(\"\\\x7f"
	    "\xe2\x80\xae\xc2\x85\t\r\n\x01";
	for (i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)i;
	memset(evs, 0, sizeof evs);
#define EV(k) (evs[n].kind = (k), evs[n].t = (double)n / 7, &evs[n++])
	EV(EV_LISTENING)->listener = 1;
	evs[n - 1].addr = "127.0.0.1:19999";
	EV(EV_LISTENING)->listener = 2;
	evs[n - 1].addr = hostile;
	evs[n - 1].all_interfaces = 1;
	EV(EV_ACCEPTED)->conn = 1;
	evs[n - 1].listener = 1;
	evs[n - 1].peer = hostile;
	evs[n - 1].local = "127.0.0.1:19999";
	EV(EV_CONNECTING)->conn = 2;
	evs[n - 1].addr = hostile;
	evs[n - 1].local = "";
	EV(EV_CONNECTED)->conn = 2;
	evs[n - 1].addr = "[::1]:5151";
	evs[n - 1].local = "[::1]:41822";
	evs[n - 1].peer = "[::1]:5151";
	EV(EV_RECV)->conn = 1;
	evs[n - 1].len = sizeof data;
	evs[n - 1].data = data;
	evs[n - 1].asked = 4096;
	evs[n - 1].chunk = 1;
	EV(EV_SEND)->conn = 1;
	evs[n - 1].len = 3;
	evs[n - 1].data = data + 250;
	evs[n - 1].asked = 3;
	EV(EV_EOF)->conn = 1;
	EV(EV_SHUTDOWN)->conn = 1;
	EV(EV_RESET)->conn = 1;
	evs[n - 1].by_peer = 1;
	EV(EV_RESET)->conn = 2;
	EV(EV_CLOSED)->conn = 1;
	evs[n - 1].in_bytes = UINT64_MAX;
	EV(EV_CLOSED)->listener = 1;
	EV(EV_ERROR)->conn = 3;
	evs[n - 1].call = "connect";
	evs[n - 1].addr = hostile;
	evs[n - 1].err = ECONNREFUSED;
	evs[n - 1].message = hostile;
	EV(EV_ERROR)->call = "getaddrinfo";
	evs[n - 1].addr = hostile;
	evs[n - 1].gai = EAI_NONAME;
	EV(EV_ERROR)->call = "bind";
	evs[n - 1].addr = hostile;
	evs[n - 1].err = 12345;
	EV(EV_WAIT)->conn = 1;
	evs[n - 1].call = "recv";
	evs[n - 1].asked = 1;
	EV(EV_WAIT)->conn = 1;
	evs[n - 1].call = "send";
	evs[n - 1].len = 7;
	EV(EV_RECV)->conn = 1;
	evs[n - 1].t = 1e300;
	evs[n - 1].len = 1;
	evs[n - 1].data = data + 0x1b;
	evs[n - 1].offset = UINT64_MAX - 1;
#undef EV
	assert_true(n <= sizeof evs / sizeof evs[0]);

	for (i = 0; i < n; i++)
		assert_int_not_equal(transcript_event(&test_json, &b, &evs[i]),
		    0);
	test_json_lines_valid(b.p, b.len);
	assert_false(test_unsafe(b.p, b.len));
	test_json_python(b.p, b.len);
	/* Every kind has its name. */
	assert_non_null(strstr(b.p, "\"event\":\"listening\""));
	assert_non_null(strstr(b.p, "\"event\":\"accepted\""));
	assert_non_null(strstr(b.p, "\"event\":\"connecting\""));
	assert_non_null(strstr(b.p, "\"event\":\"connected\""));
	assert_non_null(strstr(b.p, "\"event\":\"recv\""));
	assert_non_null(strstr(b.p, "\"event\":\"send\""));
	assert_non_null(strstr(b.p, "\"event\":\"eof\""));
	assert_non_null(strstr(b.p, "\"event\":\"shutdown\""));
	assert_non_null(strstr(b.p, "\"event\":\"reset\""));
	assert_non_null(strstr(b.p, "\"event\":\"closed\""));
	assert_non_null(strstr(b.p, "\"event\":\"error\""));
	assert_non_null(strstr(b.p, "\"event\":\"wait\""));
	assert_non_null(strstr(b.p, "\"errno\":\"E12345\""));
	assert_non_null(strstr(b.p, "\"in_bytes\":18446744073709551615"));

	/* The same stream as text is safe for a terminal too. */
	sbuf_reset(&b);
	for (i = 0; i < n; i++)
		transcript_event(&test_text_t, &b, &evs[i]);
	assert_false(test_unsafe(b.p, b.len));
	sbuf_free(&b);
}

/* Hostile addresses and messages come out escaped in text and in JSON. */
static void
test_hostile(void **state)
{
	struct ev	e;

	(void)state;
	memset(&e, 0, sizeof e);
	e.kind = EV_ACCEPTED;
	e.conn = 1;
	e.listener = 1;
	e.peer = "1.2.3.4\033]0;owned\007:5";
	test_check(&test_text, &e,
	    "* #1 accepted from 1.2.3.4\\x1b]0;owned\\x07:5 on L1\n");
	test_check(&test_json, &e, "{\"t\":0.000000,\"event\":\"accepted\","
	    "\"conn\":1,\"listener\":1,"
	    "\"peer\":\"1.2.3.4\\u001b]0;owned\\u0007:5\"}\n");

	memset(&e, 0, sizeof e);
	e.kind = EV_ERROR;
	e.conn = 4;
	e.call = "connect";
	e.addr = "bad\xff\xfehost:80";
	e.message = "oops\033[2J\r\n";
	e.err = ETIMEDOUT;
	test_check(&test_text, &e, "! #4 connect bad\\xff\\xfehost:80: "
	    "oops\\x1b[2J\\r\\n (ETIMEDOUT)\n");
	/* In JSON the fields are JSON-escaped; the message is the text
	 * line, already safe, then JSON-escaped. */
	test_check(&test_json, &e, "{\"t\":0.000000,\"event\":\"error\","
	    "\"conn\":4,\"call\":\"connect\","
	    "\"addr\":\"bad\\u00ff\\u00fehost:80\",\"errno\":\"ETIMEDOUT\","
	    "\"message\":\"connect bad\\\\xff\\\\xfehost:80: "
	    "oops\\\\x1b[2J\\\\r\\\\n (ETIMEDOUT)\"}\n");

	memset(&e, 0, sizeof e);
	e.kind = EV_LISTENING;
	e.listener = 1;
	e.addr = "caf\xc3\xa9\xe2\x80\xae:1";
	test_check(&test_text, &e,
	    "* L1 listening on caf\xc3\xa9\\xe2\\x80\\xae:1\n");
	test_check(&test_json, &e, "{\"t\":0.000000,\"event\":\"listening\","
	    "\"listener\":1,\"addr\":\"caf\xc3\xa9\\u202e:1\"}\n");
}

/* JSON string escaping: everything needed, nothing more, and always valid
 * UTF-8. */
static void
test_json_string(void **state)
{
	(void)state;
	test_check_string("", "\"\"");
	test_check_string(NULL, "null");
	test_check_string("plain text 127.0.0.1:80", "\"plain text "
	    "127.0.0.1:80\"");
	test_check_string("a\"b\\c/d", "\"a\\\"b\\\\c/d\"");
	test_check_string("\n\r\t\b\f\001\037 \177",
	    "\"\\n\\r\\t\\u0008\\u000c\\u0001\\u001f \\u007f\"");
	test_check_string("\033[31m", "\"\\u001b[31m\"");
	/* Valid printable UTF-8 is kept. */
	test_check_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 "
	    "\xe4\xb8\xad", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 "
	    "\xe4\xb8\xad\"");
	/* Valid but unprintable: C1, bidi, zero width, BOM, a noncharacter
	 * beyond the BMP as a surrogate pair. */
	test_check_string("\xc2\x85\xc2\x9b", "\"\\u0085\\u009b\"");
	test_check_string("\xe2\x80\xae\xe2\x80\x8b\xef\xbb\xbf",
	    "\"\\u202e\\u200b\\ufeff\"");
	test_check_string("\xf0\x9f\xbf\xbe", "\"\\ud83f\\udffe\"");
	/* Invalid bytes: each as \u00XX. */
	test_check_string("\xff\xfe", "\"\\u00ff\\u00fe\"");
	test_check_string("\x80", "\"\\u0080\"");
	test_check_string("a\xc3", "\"a\\u00c3\"");
	test_check_string("\xc3(", "\"\\u00c3(\"");
	test_check_string("\xc0\xaf", "\"\\u00c0\\u00af\"");
	test_check_string("\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"");
	test_check_string("\xf4\x90\x80\x80",
	    "\"\\u00f4\\u0090\\u0080\\u0080\"");
	test_check_string("\xe2\x82", "\"\\u00e2\\u0082\"");
}

/* Every byte value, alone and in a long string, gives valid JSON. */
static void
test_json_string_all_bytes(void **state)
{
	struct sbuf	b = { 0 };
	char		s[2], all[256];
	int		c;

	(void)state;
	for (c = 1; c < 256; c++) {
		s[0] = (char)c;
		s[1] = '\0';
		all[c - 1] = (char)c;
		sbuf_reset(&b);
		sbuf_adds(&b, "{\"s\":");
		transcript_json_string(&b, s);
		sbuf_adds(&b, "}\n");
		test_json_lines_valid(b.p, b.len);
		assert_false(test_unsafe(b.p, b.len));
	}
	all[255] = '\0';
	sbuf_reset(&b);
	sbuf_adds(&b, "{\"t\":0,\"event\":\"x\",\"s\":");
	transcript_json_string(&b, all);
	sbuf_adds(&b, "}\n");
	test_json_lines_valid(b.p, b.len);
	assert_false(test_unsafe(b.p, b.len));
	test_json_python(b.p, b.len);
	sbuf_free(&b);
}

/* A megabyte chunk becomes two megabytes of lower-case hex. */
static void
test_json_large(void **state)
{
	struct sbuf	 b = { 0 };
	struct ev	 e;
	unsigned char	*data;
	const char	*hex;
	size_t		 n = 1 << 20, i;

	(void)state;
	data = xmalloc(n);
	for (i = 0; i < n; i++)
		data[i] = (unsigned char)(i * 7 + 3);
	memset(&e, 0, sizeof e);
	e.kind = EV_RECV;
	e.conn = 1;
	e.len = n;
	e.asked = n;
	e.data = data;
	e.chunk = 9;
	e.offset = 123456789012ULL;
	assert_int_not_equal(transcript_event(&test_json, &b, &e), 0);
	hex = strstr(b.p, "\"hex\":\"");
	assert_non_null(hex);
	hex += 7;
	assert_true(strlen(hex) == 2 * n + 3);
	assert_memory_equal(hex, "030a11", 6);
	assert_memory_equal(hex + 2 * n, "\"}\n", 3);
	for (i = 0; i < 2 * n; i++)
		assert_non_null(strchr("0123456789abcdef", hex[i]));
	assert_non_null(strstr(b.p, "\"offset\":123456789012,"));
	test_json_lines_valid(b.p, b.len);
	free(data);
	sbuf_free(&b);
}

/* A locale with a decimal comma changes nothing. */
static void
test_locale(void **state)
{
	static const char	*names[] = { "de_DE.UTF-8", "de_DE.utf8",
				    "fr_FR.UTF-8", "fr_FR.utf8", "de_DE",
				    "fr_FR", "nl_NL.UTF-8", NULL };
	struct ev		 e;
	char			*old;
	size_t			 i;

	(void)state;
	memset(&e, 0, sizeof e);
	e.kind = EV_SHUTDOWN;
	e.t = 1.5;
	e.conn = 1;
	old = xstrdup(setlocale(LC_NUMERIC, NULL));
	for (i = 0; names[i] != NULL; i++) {
		if (setlocale(LC_NUMERIC, names[i]) != NULL)
			break;
	}
	test_check(&test_text_t, &e, "+1.500000 > #1 shutdown: EOF sent\n");
	test_check(&test_json, &e, "{\"t\":1.500000,\"event\":\"shutdown\","
	    "\"conn\":1}\n");
	setlocale(LC_NUMERIC, old);
	free(old);
}

/* A record's transcript: nothing in the default text (byte-identical to
 * what it was), its narration with --notation (hidden calls: nothing),
 * a "call" line in JSON; and with --notation the events of calls keep
 * only their data rows. */
static void
test_call(void **state)
{
	static const struct transcript	py = { .format = TRANSCRIPT_TEXT,
	    .timestamps = 0, .narrate = 1, .notation = SYSREC_PYTHON };
	static const struct transcript	c_t = { .format = TRANSCRIPT_TEXT,
	    .timestamps = 1, .narrate = 1, .notation = SYSREC_C };
	struct sbuf			b = { 0 };
	struct sysrec			r;
	struct ev			e;

	(void)state;
	memset(&r, 0, sizeof r);
	r.call = SR_RECV;
	r.t = 1.5;
	r.conn = 1;
	r.role = SR_ROLE_CLIENT;
	r.fd = 5;
	r.len = 4096;
	r.ret = 3;
	r.data = (const unsigned char *)"hi\n";
	r.data_len = 3;

	assert_int_equal(transcript_call(&test_text, &b, &r), 0);
	assert_null(b.p);
	assert_int_equal(transcript_call(&py, &b, &r), 1);
	assert_string_equal(b.p, "#1 s.recv(4096) → b'hi\\n'\n");
	sbuf_reset(&b);
	assert_int_equal(transcript_call(&c_t, &b, &r), 1);
	assert_string_equal(b.p, "+1.500000 #1 recv(5, 4096) = 3  "
	    "\"hi\\n\"\n");
	sbuf_reset(&b);
	assert_int_equal(transcript_call(&test_json, &b, &r), 1);
	assert_string_equal(b.p, "{\"t\":1.500000,\"event\":\"call\","
	    "\"conn\":1,\"call\":\"recv\",\"fd\":5,\"args\":{\"len\":4096,"
	    "\"flags\":\"0\"},\"ret\":3,\"errno\":null,\"bytes\":3}\n");
	sbuf_reset(&b);

	/* What Python never sees is not narrated. */
	r.ret = -1;
	r.err = EAGAIN;
	r.data = NULL;
	r.data_len = 0;
	assert_int_equal(transcript_call(&py, &b, &r), 0);
	assert_int_equal(b.len, 0);
	assert_int_equal(transcript_call(&c_t, &b, &r), 1);
	assert_string_equal(b.p, "+1.500000 #1 recv(5, 4096) = -1 EAGAIN\n");
	sbuf_reset(&b);

	/* The event of the call: its data rows alone. */
	memset(&e, 0, sizeof e);
	e.kind = EV_RECV;
	e.t = 1.5;
	e.conn = 1;
	e.asked = 4096;
	e.len = 3;
	e.chunk = 1;
	e.data = (const unsigned char *)"hi\n";
	assert_int_equal(transcript_event(&py, &b, &e), 1);
	assert_string_equal(b.p, "  00000000  68 69 0a"
	    "                                          |hi.|\n");
	sbuf_reset(&b);
	e.kind = EV_EOF;
	e.len = 0;
	e.data = NULL;
	transcript_event(&py, &b, &e);
	assert_int_equal(b.len, 0);
	/* An error of no call keeps its header line. */
	e.kind = EV_ERROR;
	e.err = ETIMEDOUT;
	e.call = "connect";
	e.addr = "127.0.0.1:9";
	transcript_event(&py, &b, &e);
	assert_non_null(b.p);
	assert_non_null(strstr(b.p, "! #1 connect 127.0.0.1:9: "));
	sbuf_free(&b);
}

/* Ids and counts at their edges, in every line that prints them without
 * printf, against the formats the lines were first written with. */
static void
test_numbers(void **state)
{
	static const int	 ids[] = { 1, 9, 10, 99, 12345, INT_MAX, -1,
	    INT_MIN };
	static const uint64_t	 counts[] = { 0, 1, 9, 10, 99, 100, 4096,
	    65536, 4294967296ULL, 10000000000000000000ULL, UINT64_MAX };
	static const double	 times[] = { 0, 0.0000004, 0.0000005, 0.000001,
	    0.5, 0.999999, 0.9999996, 1, 9.000009, 10, 59.123456, 3600.5,
	    86400 * 365.25 * 100, 9007199254.740991, 1e300 };
	struct ev		 e;
	char			 want[512];
	size_t			 i, j;

	(void)state;
	for (i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		for (j = 0; j < sizeof counts / sizeof counts[0]; j++) {
			size_t		len = (size_t)counts[j];
			uint64_t	c = counts[(j + 3) %
			    (sizeof counts / sizeof counts[0])];

			memset(&e, 0, sizeof e);
			e.kind = EV_RECV;
			e.conn = ids[i];
			e.len = len;
			e.chunk = c;
			if (c != 0)
				snprintf(want, sizeof want, "< #%d recv %zu "
				    "byte%s [chunk %" PRIu64 "]\n", ids[i], len,
				    len == 1 ? "" : "s", c);
			else
				snprintf(want, sizeof want, "< #%d recv %zu "
				    "byte%s\n", ids[i], len,
				    len == 1 ? "" : "s");
			test_check(&test_text, &e, want);

			e.kind = EV_SEND;
			e.asked = len + 1 > len ? len + 1 : len;
			snprintf(want, sizeof want, "> #%d send %zu byte%s%s",
			    ids[i], len, len == 1 ? "" : "s",
			    e.asked > len ? " (of " : "");
			if (e.asked > len)
				snprintf(want + strlen(want), sizeof want -
				    strlen(want), "%zu asked)", e.asked);
			strcat(want, "\n");
			test_check(&test_text, &e, want);

			/* A send's JSON has a chunk only if it is set. */
			snprintf(want, sizeof want, "{\"t\":0.000000,\"event\":"
			    "\"send\",\"conn\":%d,\"bytes\":%zu", ids[i], len);
			if (c != 0)
				snprintf(want + strlen(want), sizeof want -
				    strlen(want), ",\"chunk\":%" PRIu64, c);
			snprintf(want + strlen(want), sizeof want - strlen(want),
			    ",\"offset\":%" PRIu64 ",\"asked\":%zu,"
			    "\"hex\":\"\"}\n", counts[j], e.asked);
			e.offset = counts[j];
			test_check(&test_json, &e, want);

			memset(&e, 0, sizeof e);
			e.kind = EV_WAIT;
			e.call = "send";
			e.listener = ids[i];
			e.len = len;
			if (len != 0) {
				snprintf(want, sizeof want, "> L%d send: peer "
				    "not reading, %zu byte%s queued\n", ids[i],
				    len, len == 1 ? "" : "s");
				test_check(&test_text, &e, want);
			}

			memset(&e, 0, sizeof e);
			e.kind = EV_CLOSED;
			e.conn = ids[i];
			e.in_bytes = counts[j];
			e.in_chunks = c;
			e.out_bytes = counts[j] ^ c;
			snprintf(want, sizeof want, "* #%d closed (in %" PRIu64
			    " byte%s in %" PRIu64 " chunk%s, out %" PRIu64
			    " byte%s)\n", ids[i], e.in_bytes,
			    e.in_bytes == 1 ? "" : "s", e.in_chunks,
			    e.in_chunks == 1 ? "" : "s", e.out_bytes,
			    e.out_bytes == 1 ? "" : "s");
			test_check(&test_text, &e, want);
		}

		memset(&e, 0, sizeof e);
		e.kind = EV_ACCEPTED;
		e.conn = ids[i];
		e.listener = ids[(i + 1) % (sizeof ids / sizeof ids[0])];
		e.peer = "127.0.0.1:50412";
		snprintf(want, sizeof want, "* #%d accepted from "
		    "127.0.0.1:50412 on L%d\n", e.conn, e.listener);
		test_check(&test_text, &e, want);
		snprintf(want, sizeof want, "{\"t\":0.000000,\"event\":"
		    "\"accepted\",\"conn\":%d,\"listener\":%d,\"peer\":"
		    "\"127.0.0.1:50412\"}\n", e.conn, e.listener);
		test_check(&test_json, &e, want);

		memset(&e, 0, sizeof e);
		e.kind = EV_SHUTDOWN;
		e.listener = ids[i];
		snprintf(want, sizeof want, "> L%d shutdown: EOF sent\n",
		    ids[i]);
		test_check(&test_text, &e, want);
	}

	/* Times: the rounding and the 2^53 microsecond cap of
	 * transcript_seconds(), as "%" PRIu64 ".%06" PRIu64 printed them. */
	for (i = 0; i < sizeof times / sizeof times[0]; i++) {
		double		x = times[i] * 1e6 + 0.5;
		uint64_t	us;

		if (x > 9007199254740992.0)
			x = 9007199254740992.0;
		us = (uint64_t)x;
		memset(&e, 0, sizeof e);
		e.kind = EV_RECV;
		e.t = times[i];
		e.conn = 1;
		e.len = 4096;
		e.chunk = 12;
		snprintf(want, sizeof want, "+%" PRIu64 ".%06" PRIu64
		    " < #1 recv 4096 bytes [chunk 12]\n", us / 1000000,
		    us % 1000000);
		test_check(&test_text_t, &e, want);
		snprintf(want, sizeof want, "{\"t\":%" PRIu64 ".%06" PRIu64
		    ",\"event\":\"recv\",\"conn\":1,\"bytes\":4096,\"chunk\":12,"
		    "\"offset\":0,\"hex\":\"\"}\n", us / 1000000, us % 1000000);
		test_check(&test_json, &e, want);
	}
}

/* Bytes dropped by a close are one line in each format. */
static void
test_dropped(void **state)
{
	static const struct transcript	stamped = { .format = TRANSCRIPT_TEXT,
	    .timestamps = 1 };
	struct sbuf			b = { 0 };

	(void)state;
	transcript_dropped(&test_text, &b, 1.5, 2, 5);
	assert_string_equal(b.p, "! #2 dropped 5 queued bytes never sent\n");
	sbuf_reset(&b);
	transcript_dropped(&test_text, &b, 1.5, 1, 1);
	assert_string_equal(b.p, "! #1 dropped 1 queued byte never sent\n");
	sbuf_reset(&b);
	transcript_dropped(&stamped, &b, 1.5, 1, 7);
	assert_string_equal(b.p,
	    "+1.500000 ! #1 dropped 7 queued bytes never sent\n");
	sbuf_reset(&b);
	transcript_dropped(&test_json, &b, 1.5, 3, 4096);
	assert_string_equal(b.p, "{\"t\":1.500000,\"event\":\"dropped\","
	    "\"conn\":3,\"bytes\":4096}\n");
	sbuf_free(&b);
}

/* Lines about a socket name its transport unless it is TCP, whose lines
 * stay as they were (SPEC 9). */
static void
test_transports(void **state)
{
	struct ev	e;

	(void)state;
	memset(&e, 0, sizeof e);
	e.kind = EV_LISTENING;
	e.listener = 1;
	e.addr = "127.0.0.1:5000";
	test_check(&test_text, &e, "* L1 listening on 127.0.0.1:5000\n");
	e.transport = "udp";
	test_check(&test_text, &e,
	    "* L1 listening on 127.0.0.1:5000 over udp\n");
	test_check(&test_json, &e, "{\"t\":0.000000,\"event\":\"listening\","
	    "\"listener\":1,\"addr\":\"127.0.0.1:5000\",\"transport\":"
	    "\"udp\"}\n");

	memset(&e, 0, sizeof e);
	e.kind = EV_ACCEPTED;
	e.conn = 2;
	e.listener = 1;
	e.peer = "/tmp/s";
	e.transport = "unix";
	test_check(&test_text, &e,
	    "* #2 accepted from /tmp/s on L1 over unix\n");

	memset(&e, 0, sizeof e);
	e.kind = EV_CONNECTED;
	e.conn = 1;
	e.peer = "127.0.0.1:443";
	e.local = "127.0.0.1:5555";
	test_check(&test_text, &e,
	    "* #1 connected to 127.0.0.1:443 from 127.0.0.1:5555\n");
	e.transport = "tls";
	test_check(&test_text, &e, "* #1 connected to 127.0.0.1:443 from "
	    "127.0.0.1:5555 over tls\n");
	/* The transport word is escaped like everything else. */
	e.transport = "t\x1bx";
	test_check(&test_text, &e, "* #1 connected to 127.0.0.1:443 from "
	    "127.0.0.1:5555 over t\\x1bx\n");
}

/* A complete handshake: one '*' line in text, a "tls" event with the
 * fields in JSON. */
static void
test_tls(void **state)
{
	struct ev	 e;
	struct tls_info	 i;
	struct sbuf	 b = { 0 };

	(void)state;
	memset(&i, 0, sizeof i);
	strcpy(i.version, "TLSv1.3");
	strcpy(i.cipher, "TLS_AES_256_GCM_SHA384");
	strcpy(i.sni, "localhost");
	i.peer_cert = 1;
	strcpy(i.peer.subject, "CN=localhost");
	strcpy(i.peer.issuer, "CN=Test CA");
	strcpy(i.peer.not_before, "2026-12-02 07:58:15 UTC");
	strcpy(i.peer.not_after, "2027-01-01 07:58:15 UTC");
	i.verify_code = 10;
	strcpy(i.verify, "certificate has expired");
	strcpy(i.summary, "TLSv1.3 TLS_AES_256_GCM_SHA384, peer CN=localhost, "
	    "verify: certificate has expired (not enforced)");

	memset(&e, 0, sizeof e);
	e.kind = EV_TLS;
	e.conn = 1;
	e.call = "SSL_connect";
	e.message = i.summary;
	e.tls = &i;
	test_check(&test_text, &e, "* #1 TLS: TLSv1.3 TLS_AES_256_GCM_SHA384, "
	    "peer CN=localhost, verify: certificate has expired (not "
	    "enforced)\n");
	test_check(&test_json, &e, "{\"t\":0.000000,\"event\":\"tls\","
	    "\"conn\":1,\"summary\":\"TLSv1.3 TLS_AES_256_GCM_SHA384, peer "
	    "CN=localhost, verify: certificate has expired (not enforced)\","
	    "\"role\":\"client\",\"version\":\"TLSv1.3\",\"cipher\":"
	    "\"TLS_AES_256_GCM_SHA384\",\"sni\":\"localhost\",\"subject\":"
	    "\"CN=localhost\",\"issuer\":\"CN=Test CA\",\"not_before\":"
	    "\"2026-12-02 07:58:15 UTC\",\"not_after\":\"2027-01-01 07:58:15 "
	    "UTC\",\"verify_code\":10,\"verify\":\"certificate has "
	    "expired\",\"verify_enforced\":false}\n");
	assert_int_not_equal(transcript_event(&test_json, &b, &e), 0);
	test_json_lines_valid(b.p, b.len);
	sbuf_free(&b);
}

/* Run the transcript tests. */
int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_validator),
		cmocka_unit_test(test_text_states),
		cmocka_unit_test(test_text_data),
		cmocka_unit_test(test_text_timestamps),
		cmocka_unit_test(test_text_wait),
		cmocka_unit_test(test_json_exact),
		cmocka_unit_test(test_json_all_valid),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_json_string_all_bytes),
		cmocka_unit_test(test_json_large),
		cmocka_unit_test(test_locale),
		cmocka_unit_test(test_dropped),
		cmocka_unit_test(test_call),
		cmocka_unit_test(test_transports),
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
