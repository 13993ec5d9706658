/*
 * httpview-fuzzer.c: fuzz target for httpview.c, HTTP per connection from
 * socket events, which reads whatever both peers send.
 *
 * Input: one control byte (bit 0: the connection closes at the end), four
 * bytes that seed where the streams are split, two bytes giving how many
 * of the rest are received (the others are sent), then the bytes.  The
 * received stream is fed, then the sent one, whole and split at random
 * points, as EV_RECV / EV_SEND events; both must render the same rows and
 * the same JSON heads.  Also checked: every row and the first request line
 * are safe for a terminal and hold no newline; a connection keeps at most
 * HTTPVIEW_MSGS_MAX messages and HTTPVIEW_HEAD_BYTES bytes of heads.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sockscope/httpview.h"
#include "sockscope/util.h"

#include "fuzz.h"

/* Append a rendered row, after checking it is safe to draw. */
static void
httpview_fuzzer_row(enum httpview_row kind, enum httpview_dir dir,
    const char *text, void *arg)
{
	struct sbuf	*b = arg;

	fuzz_check_safe("row", text, strlen(text), 0);
	sbuf_printf(b, "%d %d %s\n", (int)kind, (int)dir, text);
}

/* Collect the JSON of each head (times are equal in both runs). */
static void
httpview_fuzzer_head(double t, int conn, const struct httpview_msg *m,
    void *arg)
{
	struct sbuf	*b = arg;
	size_t		 start = b->len;

	httpview_json(b, t, conn, m);
	/* One line of JSON: escaped, so safe, with its one newline last. */
	fuzz_check_safe("json", b->p + start, b->len - start, 1);
	FUZZ_ASSERT(memchr(b->p + start, '\n', b->len - start) ==
	    b->p + b->len - 1);
}

/* Step a xorshift generator for the split points. */
static uint32_t
httpview_fuzzer_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Feed n bytes one way as events, whole (seed 0) or in random pieces. */
static void
httpview_fuzzer_feed(struct httpview *v, enum ev_kind kind, uint32_t *seed,
    const uint8_t *p, size_t n)
{
	struct ev	e;
	size_t		i = 0, k;

	memset(&e, 0, sizeof e);
	e.kind = kind;
	e.conn = 3;
	e.t = 1.0;
	while (i < n) {
		k = n - i;
		if (*seed != 0) {
			k = httpview_fuzzer_rand(seed) % (k < 64 ? k : 64);
			k++;
		}
		e.data = p + i;
		e.len = k;
		e.offset = i;
		httpview_event(v, &e);
		i += k;
	}
}

/* Run both streams through a fresh httpview; rows and heads into out. */
static void
httpview_fuzzer_run(uint8_t ctl, uint32_t seed, const uint8_t *in,
    size_t nin, const uint8_t *outp, size_t nout, struct sbuf *rows,
    struct sbuf *heads)
{
	struct httpview			 v;
	const struct httpview_conn	*c;
	const char			*first;
	struct ev			 e;

	httpview_init(&v, httpview_fuzzer_head, heads);
	httpview_fuzzer_feed(&v, EV_RECV, &seed, in, nin);
	httpview_fuzzer_feed(&v, EV_SEND, &seed, outp, nout);
	if (ctl & 1) {
		memset(&e, 0, sizeof e);
		e.kind = EV_CLOSED;
		e.conn = 3;
		httpview_event(&v, &e);
	}
	c = httpview_conn(&v, 3);
	if (c != NULL) {
		FUZZ_ASSERT(c->nmsgs <= HTTPVIEW_MSGS_MAX);
		FUZZ_ASSERT(c->bytes <= HTTPVIEW_HEAD_BYTES);
		httpview_render(c, httpview_fuzzer_row, rows);
	}
	first = httpview_first_line(&v, 3);
	if (first != NULL) {
		fuzz_check_safe("first", first, strlen(first), 0);
		sbuf_printf(rows, "first %s\n", first);
	}
	httpview_free(&v);
}

/* Decode whole and split, and compare. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input	 in = { data, size };
	struct sbuf		 r1 = { 0 }, h1 = { 0 }, r2 = { 0 }, h2 = { 0 };
	uint8_t			 ctl;
	uint32_t		 seed;
	size_t			 nin;

	ctl = fuzz_u8(&in);
	seed = fuzz_u32(&in) | 1;
	nin = (size_t)fuzz_u8(&in) << 8;
	nin |= fuzz_u8(&in);
	if (nin > in.n)
		nin = in.n;

	httpview_fuzzer_run(ctl, 0, in.p, nin, in.p + nin, in.n - nin, &r1,
	    &h1);
	httpview_fuzzer_run(ctl, seed, in.p, nin, in.p + nin, in.n - nin, &r2,
	    &h2);
	FUZZ_ASSERT_BYTES(r1.len == r2.len && (r1.len == 0 ||
	    memcmp(r1.p, r2.p, r1.len) == 0), r2.p, r2.len);
	FUZZ_ASSERT_BYTES(h1.len == h2.len && (h1.len == 0 ||
	    memcmp(h1.p, h2.p, h1.len) == 0), h2.p, h2.len);
	sbuf_free(&r1);
	sbuf_free(&h1);
	sbuf_free(&r2);
	sbuf_free(&h2);
	return 0;
}
