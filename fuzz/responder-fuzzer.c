/*
 * responder-fuzzer.c: fuzz target for the responders (responder.c), which
 * answer whatever a peer sends.
 *
 * Input: the kind, a seed, then a script of steps as a shell would take
 * them: peer data (within READ_LIMIT, or sometimes beyond it), a large
 * flood, the timer firing (when armed, or spuriously), the send queue
 * draining, EOF, time passing.  Checked after every step: what the
 * responder holds never passes RESPONDER_HOLD_MAX; on_data takes what the
 * read limit allows and no more; nothing is asked for after CLOSE or
 * RESET; a SEND is never empty; the shell's read budget never exceeds
 * what the responder would take.  At the end: the kinds without timers answer the same bytes
 * when given everything at once; drip and chunky echo a prefix of what
 * they took; the http responder's output decodes as valid HTTP responses
 * (so every Content-Length is right), one per request it answered.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sockscope/httpdec.h"
#include "sockscope/responder.h"
#include "sockscope/util.h"

#include "fuzz.h"

/* The start time: 2025-12-02 09:04:05 UTC. */
#define RESPONDER_FUZZER_NOW	1764666245000ULL

/* The shell's side. */
struct responder_fuzzer_shell {
	struct responder	*r;
	struct sbuf		 sent;		/* every SEND, joined */
	struct sbuf		 taken;		/* every byte on_data took */
	size_t			 budget;	/* READ_LIMIT as the shell has it */
	int			 timer;
	int			 finished;	/* CLOSE or RESET seen */
	int			 eof;
	uint64_t		 now;
};

/* Apply the actions after a call, checking each. */
static void
responder_fuzzer_take(struct responder_fuzzer_shell *s)
{
	struct responder_action	a;

	while (responder_next(s->r, &a)) {
		FUZZ_ASSERT(!s->finished);
		switch (a.kind) {
		case RESPONDER_A_SEND:
			FUZZ_ASSERT(a.len > 0 && a.data != NULL);
			sbuf_add(&s->sent, a.data, a.len);
			break;
		case RESPONDER_A_WAIT:
			FUZZ_ASSERT(a.ms > 0 && a.ms <= RESPONDER_LINGER_MS);
			s->timer = 1;
			break;
		case RESPONDER_A_READ_LIMIT:
			s->budget = a.limit;
			break;
		case RESPONDER_A_SHUTDOWN:
			break;
		case RESPONDER_A_CLOSE:
		case RESPONDER_A_RESET:
			s->finished = 1;
			break;
		default:
			FUZZ_ASSERT(0);
		}
	}
	FUZZ_ASSERT(responder_held(s->r) <= RESPONDER_HOLD_MAX);
	FUZZ_ASSERT(responder_done(s->r) == s->finished);
	if (!s->finished && !s->eof && s->budget != RESPONDER_UNLIMITED)
		FUZZ_ASSERT(s->budget <= responder_read_limit(s->r));
}

/* Give the responder n bytes of peer data, as asked or beyond the limit. */
static void
responder_fuzzer_data(struct responder_fuzzer_shell *s, const uint8_t *p,
    size_t n, int beyond)
{
	size_t	give = n, took, limit;

	if (!beyond && give > s->budget)
		give = s->budget;
	limit = responder_read_limit(s->r);
	took = responder_on_data(s->r, p, give, s->now);
	if (s->finished || s->eof)
		FUZZ_ASSERT(took == give);
	else {
		FUZZ_ASSERT(took == (give < limit ? give : limit));
		/* A shell that keeps to READ_LIMIT never has bytes refused. */
		if (!beyond)
			FUZZ_ASSERT(took == give);
		if (took > 0)
			sbuf_add(&s->taken, p, took);
	}
	if (s->budget != RESPONDER_UNLIMITED)
		s->budget -= took < s->budget ? took : s->budget;
	responder_fuzzer_take(s);
}

/* The kinds whose answer does not depend on timers or the drain. */
static int
responder_fuzzer_timeless(enum responder_kind kind)
{
	switch (kind) {
	case RESPONDER_ECHO:
	case RESPONDER_UPPER:
	case RESPONDER_REVERSE:
	case RESPONDER_ROT13:
	case RESPONDER_ONESHOT:
	case RESPONDER_RESET:
	case RESPONDER_DISCARD:
	case RESPONDER_DAYTIME:
	case RESPONDER_HTTP:
		return 1;
	default:
		return 0;
	}
}

/* Methods of the requests that were answered, oldest first. */
struct responder_fuzzer_methods {
	char	m[HTTPDEC_METHODS_MAX][16];
	size_t	n;
	char	cur[16];
	int	over;		/* more than HTTPDEC_METHODS_MAX */
	int	errors;
};

/* Collect the methods of complete requests. */
static void
responder_fuzzer_method(const struct httpdec_event *ev, void *arg)
{
	struct responder_fuzzer_methods	*ms = arg;
	size_t				 n;

	if (ev->kind == HTTPDEC_START_LINE) {
		n = ev->method_len < 15 ? ev->method_len : 15;
		memcpy(ms->cur, ev->method, n);
		ms->cur[n] = '\0';
	} else if (ev->kind == HTTPDEC_MESSAGE_END) {
		if (ms->n == HTTPDEC_METHODS_MAX)
			ms->over = 1;
		else
			memcpy(ms->m[ms->n++], ms->cur, sizeof ms->cur);
	}
}

/* Count errors in the responses. */
static void
responder_fuzzer_response(const struct httpdec_event *ev, void *arg)
{
	struct responder_fuzzer_methods	*ms = arg;

	if (ev->kind == HTTPDEC_ERROR)
		ms->errors++;
}

/* The http responder's output must decode as HTTP responses. */
static void
responder_fuzzer_http(struct responder_fuzzer_shell *s)
{
	struct responder_fuzzer_methods	 ms;
	struct httpdec			*d;
	size_t				 i;

	memset(&ms, 0, sizeof ms);
	d = httpdec_new(HTTPDEC_REQUEST, responder_fuzzer_method, &ms);
	if (s->taken.len > 0)
		httpdec_feed(d, s->taken.p, s->taken.len);
	httpdec_free(d);
	if (ms.over)
		return;
	d = httpdec_new(HTTPDEC_RESPONSE, responder_fuzzer_response, &ms);
	for (i = 0; i < ms.n; i++)
		httpdec_push_method(d, ms.m[i]);
	if (s->sent.len > 0)
		httpdec_feed(d, s->sent.p, s->sent.len);
	if (s->finished)
		httpdec_eof(d);
	FUZZ_ASSERT_BYTES(ms.errors == 0, s->sent.p, s->sent.len);
	httpdec_free(d);
}

/* Run the script, then compare with the same input given at once. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input		 in = { data, size };
	struct responder_fuzzer_shell	 s, once;
	enum responder_kind		 kind;
	uint8_t				 op, *flood;
	size_t				 n, i;
	uint32_t			 seed;
	int				 steps;

	kind = (enum responder_kind)(fuzz_u8(&in) % RESPONDER_NKINDS);
	seed = fuzz_u32(&in);

	memset(&s, 0, sizeof s);
	s.now = RESPONDER_FUZZER_NOW;
	s.budget = RESPONDER_UNLIMITED;
	s.r = responder_new(kind, seed, s.now);
	responder_fuzzer_take(&s);

	for (steps = 0; in.n > 0 && steps < 4096; steps++) {
		op = fuzz_u8(&in);
		switch (op % 8) {
		case 0:
		case 1:
		case 2:
			n = fuzz_u8(&in);
			if (n > in.n)
				n = in.n;
			responder_fuzzer_data(&s, in.p, n, op & 0x80);
			in.p += n;
			in.n -= n;
			break;
		case 3:
			/* A flood of one byte, with newlines or without. */
			n = (size_t)fuzz_u8(&in) * 512;
			flood = xmalloc(n == 0 ? 1 : n);
			memset(flood, fuzz_u8(&in), n);
			for (i = 99; (op & 0x40) && i < n; i += 100)
				flood[i] = '\n';
			responder_fuzzer_data(&s, flood, n, op & 0x80);
			free(flood);
			break;
		case 4:
			if (s.timer || (op & 0x80)) {
				s.timer = 0;
				responder_on_timer(s.r, s.now);
				responder_fuzzer_take(&s);
			}
			break;
		case 5:
			responder_on_drained(s.r, s.now);
			responder_fuzzer_take(&s);
			break;
		case 6:
			if (!s.eof && (s.budget > 0 || (op & 0x80))) {
				responder_on_eof(s.r, s.now);
				s.eof = 1;
				responder_fuzzer_take(&s);
			}
			break;
		default:
			/* Time only shows in http's Date, kept still to compare. */
			if (!responder_fuzzer_timeless(kind))
				s.now += fuzz_u8(&in);
			break;
		}
	}

	if (kind == RESPONDER_DRIP || kind == RESPONDER_CHUNKY) {
		/* An echo, late: what went out is the start of what came in. */
		FUZZ_ASSERT(s.sent.len <= s.taken.len);
		FUZZ_ASSERT(s.sent.len == 0 ||
		    memcmp(s.sent.p, s.taken.p, s.sent.len) == 0);
	}
	if (responder_fuzzer_timeless(kind)) {
		memset(&once, 0, sizeof once);
		once.now = RESPONDER_FUZZER_NOW;
		once.budget = RESPONDER_UNLIMITED;
		once.r = responder_new(kind, seed, once.now);
		responder_fuzzer_take(&once);
		if (s.taken.len > 0)
			responder_fuzzer_data(&once, (const uint8_t *)s.taken.p,
			    s.taken.len, 0);
		if (s.eof) {
			responder_on_eof(once.r, once.now);
			once.eof = 1;
			responder_fuzzer_take(&once);
		}
		/*
		 * reset's RST, and the close after a linger, wait for a timer
		 * the script may not fire.
		 */
		if (kind != RESPONDER_RESET && kind != RESPONDER_ONESHOT &&
		    kind != RESPONDER_DAYTIME && kind != RESPONDER_HTTP)
			FUZZ_ASSERT(once.finished == s.finished);
		FUZZ_ASSERT_BYTES(once.sent.len == s.sent.len &&
		    (s.sent.len == 0 || memcmp(once.sent.p, s.sent.p,
		    s.sent.len) == 0), s.sent.p, s.sent.len);
		responder_free(once.r);
		sbuf_free(&once.sent);
		sbuf_free(&once.taken);
	}
	if (kind == RESPONDER_HTTP)
		responder_fuzzer_http(&s);

	responder_free(s.r);
	sbuf_free(&s.sent);
	sbuf_free(&s.taken);
	return 0;
}
