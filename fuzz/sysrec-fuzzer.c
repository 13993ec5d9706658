/*
 * sysrec-fuzzer.c: fuzz target for the narrators of the system-call
 * record (sysrec.c), which put peer bytes, addresses, paths and TLS
 * notes on the Events pane, in the transcript and in JSON.
 *
 * Input: a struct sysrec, field by field (call, role, ids, fd, result,
 * errno, getaddrinfo and SSL errors, the arguments, an address whose
 * family is picked from AF_INET, AF_INET6, AF_UNIX, none or any value,
 * strings that may be NULL), then the data.  Checked: the C line is one
 * non-empty line and the Python line one line or nothing (and then out is
 * untouched), both valid UTF-8 with no control byte at all and nothing
 * textesc.h would escape; the JSON is one safe line, one object whose
 * strings close and whose braces balance; sysrec_py_bytes() is printable
 * ASCII that decodes back to the bytes; a copy folds with its original
 * and narrates the same; the fold count is digits and commas.
 */
#include "config.h"

#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include "sockscope/sysrec.h"
#include "sockscope/util.h"

#include "fuzz.h"

/* Longest string field built from the input. */
#define SYSREC_FUZZER_STR_MAX 80

/* The value of a lower-case hex digit, or -1. */
static int
sysrec_fuzzer_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Decode a Python bytes literal (b'...' or b"...") of len bytes into out
 * (room for len bytes) and return the byte count; abort when it is not
 * one literal with only the escapes repr() writes.
 */
static size_t
sysrec_fuzzer_unrepr(const char *s, size_t len, unsigned char *out)
{
	size_t	i, o = 0;
	char	q;
	int	hi, lo;

	FUZZ_ASSERT_BYTES(len >= 3 && s[0] == 'b', s, len);
	q = s[1];
	FUZZ_ASSERT_BYTES((q == '\'' || q == '"') && s[len - 1] == q, s, len);
	for (i = 2; i < len - 1; i++) {
		unsigned char	c = (unsigned char)s[i];

		FUZZ_ASSERT_BYTES(c >= 0x20 && c < 0x7f && c != (unsigned
		    char)q, s, len);
		if (c != '\\') {
			out[o++] = c;
			continue;
		}
		FUZZ_ASSERT_BYTES(i + 1 < len - 1, s, len);
		switch (s[++i]) {
		case '\\':
		case '\'':
		case '"':
			/* Only the quote in use is escaped. */
			FUZZ_ASSERT_BYTES(s[i] == '\\' || s[i] == q, s, len);
			out[o++] = (unsigned char)s[i];
			break;
		case 't':
			out[o++] = '\t';
			break;
		case 'n':
			out[o++] = '\n';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case 'x':
			FUZZ_ASSERT_BYTES(i + 2 < len - 1, s, len);
			hi = sysrec_fuzzer_hex(s[i + 1]);
			lo = sysrec_fuzzer_hex(s[i + 2]);
			FUZZ_ASSERT_BYTES(hi != -1 && lo != -1, s, len);
			out[o] = (unsigned char)(hi << 4 | lo);
			/* repr() writes printable ASCII as itself. */
			FUZZ_ASSERT_BYTES(out[o] < 0x20 || out[o] >= 0x7f, s,
			    len);
			o++;
			i += 2;
			break;
		default:
			fuzz_fail(__FILE__, __LINE__, "unknown escape", s, len);
		}
	}
	return o;
}

/* Check that a JSON object's strings close and its brackets balance. */
static void
sysrec_fuzzer_json(const char *s, size_t len)
{
	size_t	i;
	int	depth = 0, in_str = 0;

	FUZZ_ASSERT_BYTES(len >= 2 && s[0] == '{' && s[len - 1] == '}', s,
	    len);
	FUZZ_ASSERT_BYTES(strncmp(s, "{\"call\":\"", 9) == 0, s, len);
	for (i = 0; i < len; i++) {
		if (in_str) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_str = 0;
			continue;
		}
		if (s[i] == '"')
			in_str = 1;
		else if (s[i] == '{' || s[i] == '[')
			depth++;
		else if (s[i] == '}' || s[i] == ']')
			depth--;
		FUZZ_ASSERT_BYTES(depth >= 0, s, len);
		/* The outer object closes only at the end. */
		FUZZ_ASSERT_BYTES(depth > 0 || i == len - 1, s, len);
	}
	FUZZ_ASSERT_BYTES(!in_str && depth == 0, s, len);
}

/* Narrate r in both notations, check each line, and return them in c
 * and py (py empty when Python shows nothing). */
static void
sysrec_fuzzer_narrate(const struct sysrec *r, struct sbuf *c,
    struct sbuf *py)
{
	int	rc;

	rc = sysrec_narrate(c, r, SYSREC_C);
	FUZZ_ASSERT(rc == 0);
	FUZZ_ASSERT(c->len > 0);
	fuzz_check_safe("C line", c->p, c->len, 0);

	/* A hidden line leaves out as it was. */
	sbuf_adds(py, "#");
	rc = sysrec_narrate(py, r, SYSREC_PYTHON);
	FUZZ_ASSERT(rc == 0 || rc == 1);
	FUZZ_ASSERT_BYTES(rc == 0 ? py->len > 1 : py->len == 1, py->p,
	    py->len);
	fuzz_check_safe("Python line", py->p, py->len, 0);
}

/* Pick an address family: the usual ones most of the time. */
static int
sysrec_fuzzer_family(struct fuzz_input *in)
{
	static const int	families[] = { AF_INET, AF_INET6, AF_UNIX, 0 };
	uint8_t			v = fuzz_u8(in);

	if (v < 0xf0)
		return families[v % 4];
	return (int)fuzz_u32(in);
}

/* Build a record from the input, narrate it every way, check it all. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input	 in = { data, size };
	struct sysrec		 r;
	struct sysrec		*copy;
	struct sbuf		 c = { 0 }, py = { 0 }, c2 = { 0 }, py2 = { 0 };
	struct sbuf		 b = { 0 };
	char			*addr_host, *host, *service, *note;
	unsigned char		*back;
	size_t			 n, i;

	memset(&r, 0, sizeof r);
	r.call = (enum sysrec_call)(fuzz_u8(&in) % (SR_SSL_SHUTDOWN + 1));
	r.role = (enum sysrec_role)(fuzz_u8(&in) % 4);
	r.conn = (int)fuzz_u8(&in);
	r.listener = (int)fuzz_u8(&in);
	r.fd = (int)(int8_t)fuzz_u8(&in);
	r.ret = (long long)fuzz_u64(&in);
	r.err = (int)fuzz_u8(&in) % 140;
	r.gai = (int)(int8_t)fuzz_u8(&in);
	r.ssl_error = (int)fuzz_u8(&in) % 13;
	r.domain = sysrec_fuzzer_family(&in);
	r.type = (int)fuzz_u32(&in);
	r.protocol = (int)fuzz_u8(&in);
	r.level = (int)fuzz_u8(&in);
	r.optname = (int)fuzz_u8(&in);
	r.optval = (long long)fuzz_u64(&in);
	r.request = (unsigned long)fuzz_u32(&in);
	r.backlog = (int)fuzz_u32(&in);
	r.flags = (int)fuzz_u32(&in);
	r.how = (int)fuzz_u8(&in) % 4;
	r.len = (size_t)fuzz_u32(&in);
	r.trunc_len = (size_t)fuzz_u32(&in);
	r.discarded = fuzz_u64(&in);
	r.addr.family = sysrec_fuzzer_family(&in);
	r.addr.port = (int)(uint16_t)fuzz_u32(&in);
	addr_host = fuzz_str(&in, SYSREC_FUZZER_STR_MAX);
	host = fuzz_str(&in, SYSREC_FUZZER_STR_MAX);
	service = fuzz_str(&in, SYSREC_FUZZER_STR_MAX);
	note = fuzz_str(&in, SYSREC_FUZZER_STR_MAX);
	r.addr.host = addr_host;
	r.host = host;
	r.service = service;
	r.note = note;
	/* What is left is the data; a first byte of 0xff means none. */
	if (in.n > 0 && in.p[0] == 0xff) {
		r.data = NULL;
		r.data_len = 0;
	} else {
		r.data = in.p;
		r.data_len = in.n;
	}

	sysrec_fuzzer_narrate(&r, &c, &py);

	sysrec_json(&b, &r);
	fuzz_check_safe("JSON", b.p, b.len, 0);
	sysrec_fuzzer_json(b.p, b.len);

	/* A copy is the same record: it folds with r and narrates alike. */
	FUZZ_ASSERT(sysrec_same(&r, &r));
	copy = sysrec_copy(&r);
	FUZZ_ASSERT(sysrec_same(&r, copy));
	FUZZ_ASSERT(sysrec_same(copy, &r));
	sysrec_fuzzer_narrate(copy, &c2, &py2);
	FUZZ_ASSERT(c.len == c2.len && memcmp(c.p, c2.p, c.len) == 0);
	FUZZ_ASSERT(py.len == py2.len && memcmp(py.p, py2.p, py.len) == 0);
	sysrec_free(copy);

	/* repr() of the data round-trips. */
	sbuf_reset(&b);
	sysrec_py_bytes(&b, in.p, in.n);
	back = malloc(b.len + 1);
	if (back == NULL)
		abort();
	n = sysrec_fuzzer_unrepr(b.p, b.len, back);
	FUZZ_ASSERT_BYTES(n == in.n && (n == 0 || memcmp(back, in.p, n) == 0),
	    b.p, b.len);
	free(back);

	/* The fold count: " ×" then digits grouped by commas. */
	sbuf_reset(&b);
	sysrec_fold_count(&b, r.discarded);
	FUZZ_ASSERT_BYTES(b.len >= 4 && memcmp(b.p, " \xc3\x97", 3) == 0,
	    b.p, b.len);
	for (i = 3; i < b.len; i++)
		FUZZ_ASSERT_BYTES((b.p[i] >= '0' && b.p[i] <= '9') ||
		    (b.p[i] == ',' && (b.len - i) % 4 == 0), b.p, b.len);

	sbuf_free(&b);
	sbuf_free(&c);
	sbuf_free(&py);
	sbuf_free(&c2);
	sbuf_free(&py2);
	free(addr_host);
	free(host);
	free(service);
	free(note);
	return 0;
}
