/*
 * httpdec-fuzzer.c: fuzz target for the incremental HTTP/1.x decoder
 * (httpdec.c), which reads whatever a peer sends.
 *
 * Input: one control byte (direction, whether the stream ends with EOF,
 * which request methods a response decoder is told of), four bytes that
 * seed where the stream is split, then the stream.  The stream is decoded
 * fed whole and fed in random pieces (empty ones included); both must give
 * the same events (BODY_BYTES pieces merged) and the same body bytes.
 * Also checked: every event lies within the bytes fed, in order; strings
 * are NUL-terminated at their length; ERROR comes at most once and last,
 * after which feeding says -1; body bytes add up to the sizes MESSAGE_END
 * reports; every describe() line is safe for a terminal.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sockscope/httpdec.h"
#include "sockscope/util.h"

#include "fuzz.h"

/* What one decoding run saw. */
struct httpdec_fuzzer_run {
	struct sbuf		events;		/* described, one per line */
	struct sbuf		body;		/* every body byte */
	int			in_body;
	struct httpdec_event	merged;		/* BODY_BYTES so far */
	uint64_t		last;		/* offset of the last event */
	uint64_t		body_msg;	/* body bytes of this message */
	uint64_t		fed;		/* bytes fed so far */
	int			errors;
	int			after_error;	/* events after an ERROR */
};

/* Describe the merged BODY_BYTES event, if one is open. */
static void
httpdec_fuzzer_flush(struct httpdec_fuzzer_run *run)
{
	size_t	start = run->events.len;

	if (!run->in_body)
		return;
	httpdec_event_describe(&run->events, &run->merged);
	fuzz_check_safe("describe", run->events.p + start,
	    run->events.len - start, 0);
	sbuf_addc(&run->events, '\n');
	run->in_body = 0;
}

/* Check a string of an event: NUL-terminated at len. */
static void
httpdec_fuzzer_string(const char *s, size_t len)
{
	FUZZ_ASSERT(s != NULL);
	FUZZ_ASSERT(strlen(s) == len);
}

/* The event callback: check the event and describe it. */
static void
httpdec_fuzzer_event(const struct httpdec_event *ev, void *arg)
{
	struct httpdec_fuzzer_run	*run = arg;
	size_t				 start;

	if (run->errors > 0)
		run->after_error = 1;
	FUZZ_ASSERT(ev->offset <= ev->end);
	FUZZ_ASSERT(ev->end <= run->fed + (ev->kind == HTTPDEC_ERROR));
	FUZZ_ASSERT(ev->request >= -1 && ev->request <= 1);
	if (ev->kind != HTTPDEC_MESSAGE_END) {
		FUZZ_ASSERT(ev->offset >= run->last);
		run->last = ev->offset;
	}

	switch (ev->kind) {
	case HTTPDEC_START_LINE:
		httpdec_fuzzer_string(ev->line, ev->line_len);
		if (ev->request == 1) {
			httpdec_fuzzer_string(ev->method, ev->method_len);
			httpdec_fuzzer_string(ev->target, ev->target_len);
			FUZZ_ASSERT(ev->method_len > 0 && ev->target_len > 0);
		} else {
			httpdec_fuzzer_string(ev->reason, ev->reason_len);
			FUZZ_ASSERT(ev->status >= 100 && ev->status <= 999);
		}
		FUZZ_ASSERT(ev->line_len <= HTTPDEC_LINE_MAX);
		break;
	case HTTPDEC_HEADER:
		httpdec_fuzzer_string(ev->name, ev->name_len);
		httpdec_fuzzer_string(ev->value, ev->value_len);
		FUZZ_ASSERT(ev->name_len > 0);
		FUZZ_ASSERT(ev->name_len + ev->value_len <= HTTPDEC_LINE_MAX);
		break;
	case HTTPDEC_CHUNK:
		httpdec_fuzzer_string(ev->ext, ev->ext_len);
		break;
	case HTTPDEC_MESSAGE_END:
		FUZZ_ASSERT(ev->body_size == run->body_msg);
		run->body_msg = 0;
		break;
	case HTTPDEC_ERROR:
		FUZZ_ASSERT(ev->why != NULL && ev->why[0] != '\0');
		run->errors++;
		break;
	default:
		break;
	}

	if (ev->kind == HTTPDEC_BODY_BYTES) {
		FUZZ_ASSERT(ev->len > 0 && ev->end - ev->offset == ev->len);
		sbuf_add(&run->body, ev->data, ev->len);
		run->body_msg += ev->len;
		if (run->in_body) {
			FUZZ_ASSERT(ev->offset == run->merged.end);
			run->merged.len += ev->len;
			run->merged.end = ev->end;
		} else {
			run->merged = *ev;
			run->merged.data = NULL;
			run->in_body = 1;
		}
		return;
	}
	httpdec_fuzzer_flush(run);
	start = run->events.len;
	httpdec_event_describe(&run->events, ev);
	fuzz_check_safe("describe", run->events.p + start,
	    run->events.len - start, 0);
	sbuf_addc(&run->events, '\n');
}

/* Step a xorshift generator for the split points. */
static uint32_t
httpdec_fuzzer_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * Decode n bytes, whole (seed 0) or split at random points, into run.
 */
static void
httpdec_fuzzer_decode(struct httpdec_fuzzer_run *run, uint8_t ctl,
    uint32_t seed, const uint8_t *p, size_t n)
{
	static const char	*methods[] = { "GET", "HEAD", "CONNECT", "POST" };
	struct httpdec		*d;
	enum httpdec_dir	 dir = (enum httpdec_dir)(ctl % 3);
	size_t			 i = 0, k;
	int			 m, rc;

	memset(run, 0, sizeof *run);
	d = httpdec_new(dir, httpdec_fuzzer_event, run);
	for (m = 0; m < 3; m++)
		httpdec_push_method(d, methods[(ctl >> (2 + 2 * m)) & 3]);
	while (i < n) {
		k = n - i;
		if (seed != 0)
			k = httpdec_fuzzer_rand(&seed) % (k < 64 ? k + 1 : 64);
		run->fed += k;
		rc = httpdec_feed(d, p + i, k);
		FUZZ_ASSERT(rc == (httpdec_lost(d) ? -1 : 0));
		if (run->errors == 0)
			FUZZ_ASSERT(httpdec_offset(d) == run->fed);
		i += k;
	}
	if (ctl & 0x80)
		httpdec_eof(d);
	httpdec_fuzzer_flush(run);
	FUZZ_ASSERT(run->errors <= 1 && !run->after_error);
	FUZZ_ASSERT(httpdec_lost(d) == (run->errors == 1));
	if (run->errors)
		FUZZ_ASSERT(httpdec_feed(d, "x", 1) == -1);
	httpdec_free(d);
}

/* Decode the input whole and split, and compare. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input		in = { data, size };
	struct httpdec_fuzzer_run	whole, split;
	uint8_t				ctl;
	uint32_t			seed;

	ctl = fuzz_u8(&in);
	seed = fuzz_u32(&in) | 1;

	httpdec_fuzzer_decode(&whole, ctl, 0, in.p, in.n);
	httpdec_fuzzer_decode(&split, ctl, seed, in.p, in.n);
	FUZZ_ASSERT_BYTES(whole.events.len == split.events.len &&
	    (whole.events.len == 0 || memcmp(whole.events.p, split.events.p,
	    whole.events.len) == 0), split.events.p, split.events.len);
	FUZZ_ASSERT(whole.body.len == split.body.len &&
	    (whole.body.len == 0 || memcmp(whole.body.p, split.body.p,
	    whole.body.len) == 0));

	sbuf_free(&whole.events);
	sbuf_free(&whole.body);
	sbuf_free(&split.events);
	sbuf_free(&split.body);
	return 0;
}
