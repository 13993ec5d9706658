/*
 * transcript-fuzzer.c: fuzz target for the batch transcript (transcript.c)
 * and the Events pane lines (evlog.c), which write what net.c saw, peer
 * bytes and addresses included, to the terminal and the log file.
 *
 * Input: a struct ev, field by field (kind, time, ids, strings that may be
 * NULL, sizes, errno values), then the data of a recv or send.  Checked for
 * text and JSON, with and without timestamps: no output byte below 0x20
 * but '\n', no DEL, valid UTF-8 and nothing textesc.h would escape; an
 * event writes nothing only when it is a send with nothing queued; text is
 * a header line (an optional "+S.SSSSSS " then '*', '<', '>' or '!') then
 * exactly the hexdump_chunk() rows of the data; JSON is one line holding
 * one valid JSON object (strict RFC 8259 syntax, surrogates paired, no key
 * twice) that starts with "t" and "event" and carries the data as "hex".
 * Events pane lines (evlog_api_text(), evlog_error_text(), evlog_add())
 * are one safe line each.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sockscope/evlog.h"
#include "sockscope/hexdump.h"
#include "sockscope/transcript.h"
#include "sockscope/util.h"

#include "fuzz.h"

/* Longest string field built from the input. */
#define TRANSCRIPT_FUZZER_STR_MAX 80

/* Most keys a JSON line may hold, and how deep values may nest. */
#define TRANSCRIPT_FUZZER_KEYS 64
#define TRANSCRIPT_FUZZER_DEPTH 8

/* A JSON line being checked. */
struct transcript_fuzzer_json {
	const char	*p;
	const char	*end;
	const char	*line;		/* for messages */
	size_t		 len;
	const char	*keys[TRANSCRIPT_FUZZER_KEYS];	/* top level, raw */
	size_t		 keylens[TRANSCRIPT_FUZZER_KEYS];
	size_t		 nkeys;
};

static void transcript_fuzzer_value(struct transcript_fuzzer_json *, int);

/* Fail with the JSON line being checked. */
#define JSON_ASSERT(j, cond) \
	FUZZ_ASSERT_BYTES(cond, (j)->line, (j)->len)

/* Skip JSON whitespace (only a space can be there: see the byte checks). */
static void
transcript_fuzzer_ws(struct transcript_fuzzer_json *j)
{
	while (j->p < j->end && *j->p == ' ')
		j->p++;
}

/* Take the next byte, which must be c. */
static void
transcript_fuzzer_expect(struct transcript_fuzzer_json *j, char c)
{
	JSON_ASSERT(j, j->p < j->end && *j->p == c);
	j->p++;
}

/* The value of four hex digits at p, or -1. */
static long
transcript_fuzzer_hex4(const char *p)
{
	long	v = 0;
	int	i;

	for (i = 0; i < 4; i++) {
		v <<= 4;
		if (p[i] >= '0' && p[i] <= '9')
			v |= p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			v |= p[i] - 'a' + 10;
		else if (p[i] >= 'A' && p[i] <= 'F')
			v |= p[i] - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* Check a JSON string; returns its start (after the quote) and length. */
static const char *
transcript_fuzzer_string(struct transcript_fuzzer_json *j, size_t *len)
{
	const char	*start;
	long		 u, lo;

	transcript_fuzzer_expect(j, '"');
	start = j->p;
	for (;;) {
		JSON_ASSERT(j, j->p < j->end);
		if (*j->p == '"')
			break;
		JSON_ASSERT(j, (unsigned char)*j->p >= 0x20);
		if (*j->p != '\\') {
			j->p++;
			continue;
		}
		j->p++;
		JSON_ASSERT(j, j->p < j->end);
		if (strchr("\"\\/bfnrt", *j->p) != NULL && *j->p != '\0') {
			j->p++;
			continue;
		}
		JSON_ASSERT(j, *j->p == 'u' && j->end - j->p >= 5);
		u = transcript_fuzzer_hex4(j->p + 1);
		JSON_ASSERT(j, u != -1);
		j->p += 5;
		/* A low surrogate only right after a high one. */
		JSON_ASSERT(j, u < 0xdc00 || u > 0xdfff);
		if (u >= 0xd800 && u <= 0xdbff) {
			JSON_ASSERT(j, j->end - j->p >= 6 && j->p[0] == '\\' &&
			    j->p[1] == 'u');
			lo = transcript_fuzzer_hex4(j->p + 2);
			JSON_ASSERT(j, lo >= 0xdc00 && lo <= 0xdfff);
			j->p += 6;
		}
	}
	*len = (size_t)(j->p - start);
	j->p++;
	return start;
}

/* Check a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static void
transcript_fuzzer_number(struct transcript_fuzzer_json *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	JSON_ASSERT(j, j->p < j->end && *j->p >= '0' && *j->p <= '9');
	if (*j->p == '0')
		j->p++;
	else {
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		JSON_ASSERT(j, j->p < j->end && *j->p >= '0' && *j->p <= '9');
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		JSON_ASSERT(j, j->p < j->end && *j->p >= '0' && *j->p <= '9');
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
}

/* Check a JSON literal word (true, false, null). */
static void
transcript_fuzzer_word(struct transcript_fuzzer_json *j, const char *w)
{
	size_t	n = strlen(w);

	JSON_ASSERT(j, (size_t)(j->end - j->p) >= n &&
	    memcmp(j->p, w, n) == 0);
	j->p += n;
}

/* Check a JSON object; at depth 0 its keys are kept and must differ. */
static void
transcript_fuzzer_object(struct transcript_fuzzer_json *j, int depth)
{
	const char	*key;
	size_t		 keylen, i;

	transcript_fuzzer_expect(j, '{');
	transcript_fuzzer_ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		return;
	}
	for (;;) {
		transcript_fuzzer_ws(j);
		key = transcript_fuzzer_string(j, &keylen);
		if (depth == 0) {
			for (i = 0; i < j->nkeys; i++) {
				JSON_ASSERT(j, j->keylens[i] != keylen ||
				    memcmp(j->keys[i], key, keylen) != 0);
			}
			JSON_ASSERT(j, j->nkeys < TRANSCRIPT_FUZZER_KEYS);
			j->keys[j->nkeys] = key;
			j->keylens[j->nkeys++] = keylen;
		}
		transcript_fuzzer_ws(j);
		transcript_fuzzer_expect(j, ':');
		transcript_fuzzer_ws(j);
		transcript_fuzzer_value(j, depth + 1);
		transcript_fuzzer_ws(j);
		JSON_ASSERT(j, j->p < j->end);
		if (*j->p == '}') {
			j->p++;
			return;
		}
		transcript_fuzzer_expect(j, ',');
	}
}

/* Check a JSON array. */
static void
transcript_fuzzer_array(struct transcript_fuzzer_json *j, int depth)
{
	transcript_fuzzer_expect(j, '[');
	transcript_fuzzer_ws(j);
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		return;
	}
	for (;;) {
		transcript_fuzzer_ws(j);
		transcript_fuzzer_value(j, depth + 1);
		transcript_fuzzer_ws(j);
		JSON_ASSERT(j, j->p < j->end);
		if (*j->p == ']') {
			j->p++;
			return;
		}
		transcript_fuzzer_expect(j, ',');
	}
}

/* Check any JSON value. */
static void
transcript_fuzzer_value(struct transcript_fuzzer_json *j, int depth)
{
	size_t	len;

	JSON_ASSERT(j, depth < TRANSCRIPT_FUZZER_DEPTH && j->p < j->end);
	switch (*j->p) {
	case '"':
		transcript_fuzzer_string(j, &len);
		break;
	case '{':
		transcript_fuzzer_object(j, depth);
		break;
	case '[':
		transcript_fuzzer_array(j, depth);
		break;
	case 't':
		transcript_fuzzer_word(j, "true");
		break;
	case 'f':
		transcript_fuzzer_word(j, "false");
		break;
	case 'n':
		transcript_fuzzer_word(j, "null");
		break;
	default:
		transcript_fuzzer_number(j);
		break;
	}
}

/* Nonzero if the JSON line has key with exactly the raw value val. */
static int
transcript_fuzzer_has(const char *line, size_t len, const char *key,
    const char *val, size_t vlen)
{
	char		*pat;
	const char	*at;
	size_t		 plen = strlen(key) + 4;
	int		 found = 0;

	/* ,"key":" cannot occur inside a string, where '"' is escaped. */
	pat = malloc(plen + 1);
	if (pat == NULL)
		abort();
	strcpy(pat, ",\"");
	strcat(pat, key);
	strcat(pat, "\":");
	at = memmem(line, len, pat, plen);
	if (at != NULL) {
		at += plen;
		found = (size_t)(line + len - at) >= vlen &&
		    memcmp(at, val, vlen) == 0;
	}
	free(pat);
	return found;
}

/* Check one JSON Lines record for e (with its newline). */
static void
transcript_fuzzer_json(const struct ev *e, const char *out, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	struct transcript_fuzzer_json j;
	struct sbuf		 want = { 0 };
	size_t			 i;

	FUZZ_ASSERT_BYTES(len > 0 && out[len - 1] == '\n', out, len);
	FUZZ_ASSERT_BYTES(memchr(out, '\n', len - 1) == NULL, out, len);
	fuzz_check_safe("JSON line", out, len - 1, 0);

	memset(&j, 0, sizeof j);
	j.p = j.line = out;
	j.len = len;
	j.end = out + len - 1;
	transcript_fuzzer_object(&j, 0);
	JSON_ASSERT(&j, j.p == j.end);
	JSON_ASSERT(&j, j.nkeys >= 2);
	JSON_ASSERT(&j, j.keylens[0] == 1 && memcmp(j.keys[0], "t", 1) == 0);
	JSON_ASSERT(&j, j.keylens[1] == 5 &&
	    memcmp(j.keys[1], "event", 5) == 0);

	/* The data, all of it, as lower-case hex. */
	if ((e->kind == EV_RECV || e->kind == EV_SEND)) {
		sbuf_addc(&want, '"');
		for (i = 0; e->data != NULL && i < e->len; i++) {
			sbuf_addc(&want, hex[e->data[i] >> 4]);
			sbuf_addc(&want, hex[e->data[i] & 0xf]);
		}
		sbuf_addc(&want, '"');
		JSON_ASSERT(&j, transcript_fuzzer_has(out, len, "hex", want.p,
		    want.len));
		sbuf_free(&want);
	}
}

/* Check one text record for e: a header line, then the data rows. */
static void
transcript_fuzzer_text(const struct ev *e, int timestamps, const char *out,
    size_t len)
{
	struct sbuf	 rows = { 0 };
	const char	*h, *nl;
	size_t		 hlen;

	FUZZ_ASSERT_BYTES(len > 0 && out[len - 1] == '\n', out, len);
	fuzz_check_safe("text transcript", out, len, 1);

	nl = memchr(out, '\n', len);
	h = out;
	if (timestamps) {
		/* "+S.SSSSSS " */
		FUZZ_ASSERT_BYTES(*h == '+', out, len);
		for (h++; *h >= '0' && *h <= '9'; h++)
			/* nothing */;
		FUZZ_ASSERT_BYTES(h > out + 1 && *h == '.', out, len);
		FUZZ_ASSERT_BYTES(strspn(h + 1, "0123456789") == 6 &&
		    h[7] == ' ', out, len);
		h += 8;
	}
	/* An error's text may be empty: a message of "" and nothing else. */
	hlen = (size_t)(nl - h);
	FUZZ_ASSERT_BYTES(hlen >= 2 && strchr("*<>!", h[0]) != NULL &&
	    h[0] != '\0' && h[1] == ' ', out, len);

	/* Then exactly the rows hexdump_chunk() writes. */
	if ((e->kind == EV_RECV || e->kind == EV_SEND) && e->data != NULL)
		hexdump_chunk(&rows, "  ", e->offset, e->data, e->len);
	FUZZ_ASSERT_BYTES(len - (size_t)(nl + 1 - out) == rows.len, out, len);
	FUZZ_ASSERT_BYTES(rows.len == 0 ||
	    memcmp(nl + 1, rows.p, rows.len) == 0, out, len);
	sbuf_free(&rows);
}

/* Check the Events pane lines for e. */
static void
transcript_fuzzer_evlog(const struct ev *e)
{
	struct sbuf			 b = { 0 };
	struct evlog			 l;
	const struct evlog_line		*line;
	size_t				 i;

	evlog_api_text(&b, e);
	fuzz_check_safe("Events pane text", b.p, b.len, 0);
	sbuf_reset(&b);
	evlog_error_text(&b, e);
	fuzz_check_safe("error text", b.p, b.len, 0);
	sbuf_free(&b);

	/* A ring of two, so that adding three times drops the oldest. */
	evlog_init(&l, 2);
	for (i = 0; i < 3; i++)
		evlog_add(&l, e);
	for (i = 0; (line = evlog_get(&l, i)) != NULL; i++) {
		FUZZ_ASSERT(line->text != NULL);
		fuzz_check_safe("Events pane line", line->text,
		    strlen(line->text), 0);
	}
	FUZZ_ASSERT(i <= 2);
	evlog_free(&l);
}

/* Build a struct ev from the input, write it every way, check it all. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char	*calls[] = {
		NULL, "connect", "recv", "send", "bind", "listen", "accept",
		"getaddrinfo", "shutdown", "setsockopt"
	};
	struct fuzz_input	 in = { data, size };
	struct transcript	 tr = { 0 };
	struct ev		 e;
	struct sbuf		 out = { 0 };
	char			*call, *addr, *local, *peer, *message;
	uint64_t		 bits;
	uint8_t			 sel;
	int			 rc, silent, ts;

	memset(&e, 0, sizeof e);
	e.kind = (enum ev_kind)(fuzz_u8(&in) % (EV_WAIT + 1));
	sel = fuzz_u8(&in);

	/* Any double, NaN and infinities included, or a plain one. */
	bits = fuzz_u64(&in);
	if (sel & 1)
		memcpy(&e.t, &bits, sizeof e.t);
	else
		e.t = (double)(bits & 0xffffffff) / 1000.0;

	e.conn = (int)fuzz_u32(&in);
	e.listener = (int)fuzz_u32(&in);
	call = NULL;
	if (sel & 2)
		call = fuzz_str(&in, TRANSCRIPT_FUZZER_STR_MAX);
	else
		e.call = calls[fuzz_u8(&in) % (sizeof calls / sizeof calls[0])];
	if (call != NULL)
		e.call = call;
	e.addr = addr = fuzz_str(&in, TRANSCRIPT_FUZZER_STR_MAX);
	e.local = local = fuzz_str(&in, TRANSCRIPT_FUZZER_STR_MAX);
	e.peer = peer = fuzz_str(&in, TRANSCRIPT_FUZZER_STR_MAX);
	e.message = message = fuzz_str(&in, TRANSCRIPT_FUZZER_STR_MAX);
	e.asked = (size_t)fuzz_u64(&in);
	e.len = (size_t)fuzz_u64(&in);
	e.offset = fuzz_u64(&in);
	e.chunk = fuzz_u64(&in);
	e.err = (int)fuzz_u32(&in);
	e.gai = (int)fuzz_u32(&in);
	e.by_peer = sel >> 2 & 1;
	e.all_interfaces = sel >> 3 & 1;
	e.in_bytes = fuzz_u64(&in);
	e.in_chunks = fuzz_u64(&in);
	e.out_bytes = fuzz_u64(&in);

	/* What is left is the data of a recv or send (unless sel says none). */
	if ((e.kind == EV_RECV || e.kind == EV_SEND) && !(sel & 0x10)) {
		e.data = in.p;
		e.len = in.n;
	}

	silent = e.kind == EV_WAIT && e.len == 0 && e.call != NULL &&
	    strcmp(e.call, "send") == 0;
	for (ts = 0; ts < 2; ts++) {
		tr.format = TRANSCRIPT_TEXT;
		tr.timestamps = ts;
		rc = transcript_event(&tr, &out, &e);
		FUZZ_ASSERT(rc == !silent);
		FUZZ_ASSERT(silent ? out.len == 0 : out.len > 0);
		if (!silent)
			transcript_fuzzer_text(&e, ts, out.p, out.len);
		sbuf_reset(&out);

		tr.format = TRANSCRIPT_JSON;
		rc = transcript_event(&tr, &out, &e);
		FUZZ_ASSERT(rc == !silent);
		FUZZ_ASSERT(silent ? out.len == 0 : out.len > 0);
		if (!silent)
			transcript_fuzzer_json(&e, out.p, out.len);
		sbuf_reset(&out);
	}
	sbuf_free(&out);

	transcript_fuzzer_evlog(&e);

	free(call);
	free(addr);
	free(local);
	free(peer);
	free(message);
	return 0;
}
