/*
 * responder.c: the demo servers of SPEC section 11 as pure state machines
 * (see responder.h).  Owns each responder's state: the queue of actions
 * it has asked for and their data, an unfinished line, the bytes waiting
 * to be echoed slowly, and for http a request decoder (httpdec.c) and the
 * head of the request being read.  The engine that serves a connection
 * drives it; nothing here touches a socket or reads a clock.
 *
 * Every entry point starts with responder_begin() (forget actions already
 * taken) and ends with responder_end() (tell the shell how much it may
 * read, if that changed in a way it must know).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sockscope/httpdec.h"
#include "sockscope/responder.h"
#include "sockscope/textesc.h"
#include "sockscope/util.h"

/* One queued action; SEND data lives in the responder's out buffer. */
struct responder_act {
	enum responder_action_kind	kind;
	size_t				off;	/* SEND: where in out */
	size_t				len;
	uint64_t			ms;
	size_t				limit;
};

struct responder {
	enum responder_kind	 kind;
	uint32_t		 rng;		/* chunky's xorshift state */
	uint64_t		 now_ms;	/* the latest time given */
	int			 done;		/* CLOSE or RESET queued */
	int			 eof;		/* the peer finished sending */
	int			 timer;		/* a WAIT is armed */
	int			 lingering;	/* half-closed, closing soon */
	size_t			 budget;	/* the shell's read limit */

	/* Actions not yet taken, and the data of their SENDs. */
	struct responder_act	*acts;
	size_t			 nacts, actcap, next;
	struct sbuf		 out;

	/* Line kinds: the unfinished line; oneshot, reset: answered. */
	unsigned char		 line[RESPONDER_LINE_MAX];
	size_t			 llen;
	int			 answered;

	/* drip, chunky: bytes still to echo, from qhead on. */
	struct sbuf		 q;
	size_t			 qhead;

	/* chargen: the next line's first character; a burst not drained. */
	unsigned int		 cg_next;
	int			 cg_unsent;

	/* http. */
	struct httpdec		*dec;
	struct sbuf		 raw;		/* stream bytes from raw_base */
	uint64_t		 raw_base;
	uint64_t		 msg_begin;	/* where the next request starts */
	int			 in_body;
	uint64_t		 req_start;
	uint64_t		 requests;
	int			 head_req;	/* the request is a HEAD */
	struct sbuf		 head;		/* its head, as received */
	enum httpdec_framing	 framing;
};

/* The kinds' names, in enum order. */
const char *const responder_names[] = {
	"echo", "upper", "reverse", "rot13", "drip", "chunky", "slow",
	"oneshot", "reset", "discard", "chargen", "daytime", "http", NULL
};

/* What each kind does, in enum order. */
static const char *const responder_helps[] = {
	"sends each line back",
	"sends each line back in upper case",
	"sends each line back reversed",
	"sends each line back in ROT13",
	"echoes one byte per write, 100 ms apart: recv() returns pieces",
	"echoes in pieces of random size (seeded)",
	"reads 1 byte per 100 ms and echoes lines: the sender's queues fill",
	"answers one line, then half-closes: the client sees EOF",
	"answers one line, then resets: the client sees ECONNRESET",
	"reads and throws everything away (RFC 863)",
	"sends the rotating 72-column character pattern (RFC 864)",
	"sends the date and time, then closes (RFC 867)",
	"answers each HTTP request with 200 and a page showing it"
};

/* Find a kind by name. */
int
responder_kind_from_name(const char *name, enum responder_kind *kind)
{
	int	i;

	for (i = 0; i < RESPONDER_NKINDS; i++) {
		if (strcmp(name, responder_names[i]) == 0) {
			*kind = (enum responder_kind)i;
			return 0;
		}
	}
	return -1;
}

/* The name of a kind. */
const char *
responder_kind_name(enum responder_kind kind)
{
	if ((int)kind < 0 || kind >= RESPONDER_NKINDS)
		return "?";
	return responder_names[kind];
}

/* One line of help for a kind. */
const char *
responder_kind_help(enum responder_kind kind)
{
	if ((int)kind < 0 || kind >= RESPONDER_NKINDS)
		return "?";
	return responder_helps[kind];
}

/* The name of an action kind. */
const char *
responder_action_name(enum responder_action_kind kind)
{
	switch (kind) {
	case RESPONDER_A_SEND:
		return "SEND";
	case RESPONDER_A_WAIT:
		return "WAIT";
	case RESPONDER_A_SHUTDOWN:
		return "SHUTDOWN";
	case RESPONDER_A_CLOSE:
		return "CLOSE";
	case RESPONDER_A_RESET:
		return "RESET";
	case RESPONDER_A_READ_LIMIT:
		return "READ_LIMIT";
	}
	return "?";
}

/* Queue an action and return it for its fields to be filled. */
static struct responder_act *
responder_push(struct responder *r, enum responder_action_kind kind)
{
	struct responder_act	*a;

	if (r->nacts == r->actcap) {
		r->actcap = r->actcap == 0 ? 8 : r->actcap * 2;
		r->acts = xrealloc(r->acts, r->actcap * sizeof *r->acts);
	}
	a = &r->acts[r->nacts++];
	memset(a, 0, sizeof *a);
	a->kind = kind;
	return a;
}

/* Queue bytes to send, joining them to a SEND just before. */
static void
responder_send(struct responder *r, const void *p, size_t n)
{
	struct responder_act	*a;

	if (n == 0)
		return;
	if (r->nacts > r->next && r->acts[r->nacts - 1].kind ==
	    RESPONDER_A_SEND) {
		a = &r->acts[r->nacts - 1];
		if (a->off + a->len == r->out.len) {
			sbuf_add(&r->out, p, n);
			a->len += n;
			return;
		}
	}
	a = responder_push(r, RESPONDER_A_SEND);
	a->off = r->out.len;
	a->len = n;
	sbuf_add(&r->out, p, n);
}

/* Queue a wait; the responder has one timer at most. */
static void
responder_wait(struct responder *r, uint64_t ms)
{
	responder_push(r, RESPONDER_A_WAIT)->ms = ms;
	r->timer = 1;
}

/* Queue CLOSE or RESET: the responder is done. */
static void
responder_finish(struct responder *r, enum responder_action_kind kind)
{
	if (r->done)
		return;
	responder_push(r, kind);
	r->done = 1;
}

/*
 * Half-close, then close at the peer's EOF or after RESPONDER_LINGER_MS,
 * reading and dropping whatever still comes: closing with unread bytes
 * would make the kernel send RST, which can destroy the answer before the
 * client reads it.
 */
static void
responder_linger(struct responder *r)
{
	if (r->lingering || r->done)
		return;
	responder_push(r, RESPONDER_A_SHUTDOWN);
	r->lingering = 1;
	if (r->eof)
		responder_finish(r, RESPONDER_A_CLOSE);
	else
		responder_wait(r, RESPONDER_LINGER_MS);
}

/* Forget the actions already taken (their data is no longer promised). */
static void
responder_begin(struct responder *r, uint64_t now_ms)
{
	r->now_ms = now_ms;
	if (r->next == r->nacts) {
		r->nacts = r->next = 0;
		sbuf_reset(&r->out);
	}
}

/* How many bytes of input on_data would take now. */
size_t
responder_read_limit(const struct responder *r)
{
	size_t	queued;

	if (r->done || r->eof)
		return 0;
	if (r->lingering)
		return RESPONDER_UNLIMITED;	/* drained and dropped */
	switch (r->kind) {
	case RESPONDER_DRIP:
	case RESPONDER_CHUNKY:
		queued = r->q.len - r->qhead;
		return queued >= RESPONDER_HOLD_MAX ? 0 :
		    RESPONDER_HOLD_MAX - queued;
	case RESPONDER_SLOW:
		return r->timer ? 0 : 1;
	default:
		return RESPONDER_UNLIMITED;
	}
}

/*
 * Tell the shell its new read limit when it must know: when the limit is
 * lower than what the shell may still read, or when the shell has stopped
 * reading and there is room again.
 */
static void
responder_end(struct responder *r)
{
	size_t	real;

	if (r->done || r->eof)
		return;
	real = responder_read_limit(r);
	if (real < r->budget || (r->budget == 0 && real > 0)) {
		responder_push(r, RESPONDER_A_READ_LIMIT)->limit = real;
		r->budget = real;
	}
}

/* Take the next action; see responder.h. */
int
responder_next(struct responder *r, struct responder_action *a)
{
	const struct responder_act	*q;

	if (r->next == r->nacts)
		return 0;
	q = &r->acts[r->next++];
	memset(a, 0, sizeof *a);
	a->kind = q->kind;
	if (q->kind == RESPONDER_A_SEND) {
		a->data = (const unsigned char *)r->out.p + q->off;
		a->len = q->len;
	}
	a->ms = q->ms;
	a->limit = q->limit;
	return 1;
}

/* Append line (n bytes, its end included) reversed: characters, not bytes. */
static void
responder_reverse(struct sbuf *b, const unsigned char *p, size_t n)
{
	size_t		 body = n, i, len, *starts, nst = 0;
	uint32_t	 cp;
	char		*dst;

	/* The line end ("\n" or "\r\n") stays at the end. */
	if (body > 0 && p[body - 1] == '\n') {
		body--;
		if (body > 0 && p[body - 1] == '\r')
			body--;
	}
	starts = xmalloc((body + 1) * sizeof *starts);
	for (i = 0; i < body; i += len) {
		len = textesc_utf8_decode(p + i, body - i, &cp);
		if (len == 0)
			len = 1;
		starts[nst++] = i;
	}
	starts[nst] = body;
	dst = sbuf_reserve(b, n);
	for (i = nst; i > 0; i--) {
		len = starts[i] - starts[i - 1];
		memcpy(dst, p + starts[i - 1], len);
		dst += len;
	}
	memcpy(dst, p + body, n - body);
	b->len += n;
	b->p[b->len] = '\0';
	free(starts);
}

/* Send a line back as the kind transforms it. */
static void
responder_answer(struct responder *r, const unsigned char *p, size_t n)
{
	struct sbuf	t = { 0 };
	size_t		i;
	unsigned char	c;

	switch (r->kind) {
	case RESPONDER_UPPER:
	case RESPONDER_ROT13:
		sbuf_add(&t, p, n);
		for (i = 0; i < n; i++) {
			c = (unsigned char)t.p[i];
			if (r->kind == RESPONDER_UPPER) {
				if (c >= 'a' && c <= 'z')
					c = (unsigned char)(c - 'a' + 'A');
			} else if (c >= 'a' && c <= 'z')
				c = (unsigned char)('a' + (c - 'a' + 13) % 26);
			else if (c >= 'A' && c <= 'Z')
				c = (unsigned char)('A' + (c - 'A' + 13) % 26);
			t.p[i] = (char)c;
		}
		responder_send(r, t.p, n);
		sbuf_free(&t);
		break;
	case RESPONDER_REVERSE:
		responder_reverse(&t, p, n);
		responder_send(r, t.p, t.len);
		sbuf_free(&t);
		break;
	default:
		responder_send(r, p, n);
		break;
	}
}

/* A line (or a piece of RESPONDER_LINE_MAX bytes) is complete. */
static void
responder_line(struct responder *r)
{
	size_t	n = r->llen;

	r->llen = 0;
	if (r->answered)
		return;
	responder_answer(r, r->line, n);
	if (r->kind == RESPONDER_ONESHOT) {
		/* The client reads EOF now. */
		responder_linger(r);
		r->answered = 1;
	} else if (r->kind == RESPONDER_RESET) {
		/* A moment for the answer to reach the client first. */
		responder_wait(r, RESPONDER_RESET_MS);
		r->answered = 1;
	}
}

/* Take bytes for a line-based kind. */
static void
responder_lines(struct responder *r, const unsigned char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (r->answered)
			return;	/* oneshot, reset: the rest is ignored */
		r->line[r->llen++] = p[i];
		if (p[i] == '\n' || r->llen == RESPONDER_LINE_MAX)
			responder_line(r);
	}
}

/* A number from chunky's generator (xorshift32). */
static uint32_t
responder_rand(struct responder *r)
{
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 17;
	r->rng ^= r->rng << 5;
	return r->rng;
}

/* drip, chunky: send the next piece of the queue and wait, or go idle. */
static void
responder_piece(struct responder *r)
{
	size_t	queued = r->q.len - r->qhead, n, cap;

	if (queued == 0) {
		if (r->eof)
			responder_finish(r, RESPONDER_A_CLOSE);
		return;
	}
	if (r->kind == RESPONDER_DRIP)
		n = 1;
	else {
		cap = queued / 8 > 16 ? queued / 8 : 16;
		n = 1 + responder_rand(r) % cap;
		if (n > queued)
			n = queued;
	}
	responder_send(r, r->q.p + r->qhead, n);
	r->qhead += n;
	if (r->qhead == r->q.len) {
		sbuf_reset(&r->q);
		r->qhead = 0;
		if (r->eof) {
			responder_finish(r, RESPONDER_A_CLOSE);
			return;
		}
	} else if (r->qhead >= RESPONDER_HOLD_MAX / 2) {
		/* Move what is left to the front now and then. */
		memmove(r->q.p, r->q.p + r->qhead, r->q.len - r->qhead);
		r->q.len -= r->qhead;
		r->qhead = 0;
	}
	responder_wait(r, r->kind == RESPONDER_DRIP ? RESPONDER_DRIP_MS :
	    RESPONDER_CHUNKY_MS);
}

/* chargen: queue a burst of RESPONDER_CHARGEN_LINES lines. */
static void
responder_chargen(struct responder *r)
{
	char		line[74];
	unsigned int	i, k;

	for (i = 0; i < RESPONDER_CHARGEN_LINES; i++) {
		/* The 95 printable characters from ' ', 72 a line, rotating. */
		for (k = 0; k < 72; k++)
			line[k] = (char)(' ' + (r->cg_next + k) % 95);
		line[72] = '\r';
		line[73] = '\n';
		responder_send(r, line, sizeof line);
		r->cg_next = (r->cg_next + 1) % 95;
	}
	r->cg_unsent = 1;
}

/* daytime: the date and time as RFC 867 suggests, in UTC. */
static void
responder_daytime(struct responder *r)
{
	static const char *const days[] = { "Sunday", "Monday", "Tuesday",
	    "Wednesday", "Thursday", "Friday", "Saturday" };
	static const char *const months[] = { "January", "February",
	    "March", "April", "May", "June", "July", "August", "September",
	    "October", "November", "December" };
	struct tm	tm;
	time_t		t = (time_t)(r->now_ms / 1000);
	char		buf[96];
	int		n;

	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof tm);
	n = snprintf(buf, sizeof buf, "%s, %s %d, %d %02d:%02d:%02d-UTC\r\n",
	    days[tm.tm_wday % 7], months[tm.tm_mon % 12], tm.tm_mday,
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	responder_send(r, buf, (size_t)n);
}

/* An HTTP date (RFC 9110 5.6.7) for now, into buf of 32 bytes. */
static void
responder_http_date(const struct responder *r, char *buf, size_t size)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed",
	    "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm	tm;
	time_t		t = (time_t)(r->now_ms / 1000);

	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof tm);
	snprintf(buf, size, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/*
 * Append bytes to an HTML page as the Text pane would show them: printable
 * ASCII as itself (HTML-escaped), \r \n \t and a backslash as C escapes,
 * every other byte as \xHH; a line break after each \n.
 */
static void
responder_html_bytes(struct sbuf *b, const unsigned char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		switch (p[i]) {
		case '&':
			sbuf_adds(b, "&amp;");
			break;
		case '<':
			sbuf_adds(b, "&lt;");
			break;
		case '>':
			sbuf_adds(b, "&gt;");
			break;
		case '"':
			sbuf_adds(b, "&quot;");
			break;
		case '\'':
			sbuf_adds(b, "&#39;");
			break;
		case '\\':
			sbuf_adds(b, "\\\\");
			break;
		case '\r':
			sbuf_adds(b, "\\r");
			break;
		case '\n':
			sbuf_adds(b, "\\n\n");
			break;
		case '\t':
			sbuf_adds(b, "\\t");
			break;
		default:
			if (p[i] >= 0x20 && p[i] < 0x7f)
				sbuf_addc(b, (char)p[i]);
			else
				sbuf_printf(b, "\\x%02x", p[i]);
			break;
		}
	}
}

/* Queue an HTTP/1.1 response with a small HTML page (no body for HEAD). */
static void
responder_http_reply(struct responder *r, const char *status,
    const struct sbuf *page, int keep_alive)
{
	struct sbuf	h = { 0 };
	char		date[64];

	responder_http_date(r, date, sizeof date);
	sbuf_printf(&h, "HTTP/1.1 %s\r\n"
	    "Date: %s\r\n"
	    "Server: sockscope\r\n"
	    "Content-Type: text/html; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n"
	    "Connection: %s\r\n"
	    "\r\n", status, date, page->len, keep_alive ? "keep-alive" :
	    "close");
	responder_send(r, h.p, h.len);
	if (!r->head_req)
		responder_send(r, page->p, page->len);
	sbuf_free(&h);
	if (!keep_alive)
		responder_linger(r);
}

/* The start of the page, with a title and a heading. */
static void
responder_html_start(struct sbuf *page, const char *title)
{
	sbuf_printf(page, "<!DOCTYPE html>\n<html>\n<head><meta "
	    "charset=\"utf-8\"><title>%s</title></head>\n<body>\n", title);
}

/* A request is complete: answer 200 with a page that shows it. */
static void
responder_http_ok(struct responder *r, const struct httpdec_event *ev)
{
	struct sbuf	page = { 0 };
	char		title[64];

	snprintf(title, sizeof title, "sockscope: request %llu",
	    (unsigned long long)r->requests);
	responder_html_start(&page, title);
	sbuf_printf(&page, "<h1>Request %llu on this connection, as "
	    "sockscope received it</h1>\n<pre>",
	    (unsigned long long)r->requests);
	responder_html_bytes(&page, (const unsigned char *)r->head.p,
	    r->head.len);
	sbuf_adds(&page, "</pre>\n<p>Body: ");
	if (ev->framing == HTTPDEC_NO_BODY)
		sbuf_adds(&page, "none");
	else if (ev->framing == HTTPDEC_CHUNKED)
		sbuf_printf(&page, "%llu bytes (chunked, %llu chunk%s)",
		    (unsigned long long)ev->body_size,
		    (unsigned long long)ev->chunks, ev->chunks == 1 ? "" : "s");
	else
		sbuf_printf(&page, "%llu bytes (Content-Length)",
		    (unsigned long long)ev->body_size);
	sbuf_adds(&page, ".</p>\n</body>\n</html>\n");
	responder_http_reply(r, "200 OK", &page, ev->keep_alive);
	sbuf_free(&page);
}

/* The request is broken: answer with status and why, then close. */
static void
responder_http_error(struct responder *r, const char *status,
    const char *why, uint64_t at)
{
	struct sbuf	page = { 0 };
	char		title[64];
	uint64_t	from = r->msg_begin, to;

	snprintf(title, sizeof title, "%s", status);
	responder_html_start(&page, title);
	sbuf_printf(&page, "<h1>%s</h1>\n<p>sockscope could not read request "
	    "%llu: ", status, (unsigned long long)r->requests + 1);
	responder_html_bytes(&page, (const unsigned char *)why, strlen(why));
	sbuf_printf(&page, " (at byte %llu of the request).</p>\n",
	    (unsigned long long)(at - from));

	/* What arrived of it: up to the byte that broke it, or its head. */
	to = at + 1 < r->raw_base + r->raw.len ? at + 1 :
	    r->raw_base + r->raw.len;
	if (from < r->raw_base)
		from = r->raw_base;
	if (r->in_body && r->head.len > 0) {
		sbuf_adds(&page, "<p>Its head:</p>\n<pre>");
		responder_html_bytes(&page, (const unsigned char *)r->head.p,
		    r->head.len);
		sbuf_adds(&page, "</pre>\n");
	} else if (to > from) {
		sbuf_adds(&page, "<p>What it received:</p>\n<pre>");
		responder_html_bytes(&page, (const unsigned char *)r->raw.p +
		    (from - r->raw_base), (size_t)(to - from));
		sbuf_adds(&page, "</pre>\n");
	}
	sbuf_adds(&page, "</body>\n</html>\n");
	r->head_req = 0;
	responder_http_reply(r, status, &page, 0);
	sbuf_free(&page);
}

/* The http responder's decoder reports an event. */
static void
responder_http_event(const struct httpdec_event *ev, void *arg)
{
	struct responder	*r = arg;
	uint64_t		 len;

	if (r->done || r->lingering)
		return;
	switch (ev->kind) {
	case HTTPDEC_START_LINE:
		r->req_start = ev->offset;
		r->head_req = ev->method_len == 4 &&
		    memcmp(ev->method, "HEAD", 4) == 0;
		break;
	case HTTPDEC_HEADERS_END:
		/* At most RESPONDER_HTTP_HEAD_MAX: responder_http_data(). */
		len = ev->end - r->req_start;
		sbuf_reset(&r->head);
		sbuf_add(&r->head, r->raw.p + (r->req_start - r->raw_base),
		    (size_t)len);
		r->in_body = 1;
		if (ev->expect_continue && ev->framing != HTTPDEC_NO_BODY) {
			const char *c = "HTTP/1.1 100 Continue\r\n\r\n";

			responder_send(r, c, strlen(c));
		}
		break;
	case HTTPDEC_MESSAGE_END:
		r->requests++;
		r->in_body = 0;
		r->msg_begin = ev->end;
		responder_http_ok(r, ev);
		sbuf_free(&r->head);
		break;
	case HTTPDEC_ERROR:
		responder_http_error(r, "400 Bad Request", ev->why, ev->offset);
		break;
	default:
		break;
	}
}

/*
 * Feed the http responder's decoder; keep only an unfinished head.  Input
 * goes in pieces that end where a head would pass RESPONDER_HTTP_HEAD_MAX
 * bytes, so that 431 comes at the same byte however the input was split.
 */
static void
responder_http_data(struct responder *r, const unsigned char *p, size_t n)
{
	uint64_t	off, keep, end;
	size_t		piece;

	while (n > 0 && !r->done && !r->lingering) {
		off = httpdec_offset(r->dec);
		if (r->in_body)
			piece = n;
		else if (off - r->msg_begin >= RESPONDER_HTTP_HEAD_MAX) {
			responder_http_error(r, "431 Request Header Fields Too "
			    "Large", "the request head is longer than 32768 "
			    "bytes", off);
			break;
		} else
			piece = (size_t)(r->msg_begin + RESPONDER_HTTP_HEAD_MAX -
			    off);
		/* A body may end inside a piece and a head start after it. */
		if (piece > n)
			piece = n;
		if (piece > RESPONDER_HTTP_HEAD_MAX)
			piece = RESPONDER_HTTP_HEAD_MAX;
		sbuf_add(&r->raw, p, piece);
		httpdec_feed(r->dec, p, piece);
		p += piece;
		n -= piece;

		end = r->raw_base + r->raw.len;
		keep = r->in_body ? end : r->msg_begin;
		if (keep > r->raw_base) {
			memmove(r->raw.p, r->raw.p + (keep - r->raw_base),
			    (size_t)(end - keep));
			r->raw.len = (size_t)(end - keep);
			r->raw_base = keep;
		}
	}
	/* Give back the buffer when nothing is kept (a body, the end). */
	if (r->done || r->lingering || r->raw.len == 0)
		sbuf_free(&r->raw);
}

/* A responder for one connection; see responder.h. */
struct responder *
responder_new(enum responder_kind kind, uint32_t seed, uint64_t now_ms)
{
	struct responder	*r = xcalloc(1, sizeof *r);

	r->kind = kind;
	r->rng = seed != 0 ? seed : 0x9e3779b9u;
	r->budget = RESPONDER_UNLIMITED;
	responder_begin(r, now_ms);
	switch (kind) {
	case RESPONDER_CHARGEN:
		responder_chargen(r);
		break;
	case RESPONDER_DAYTIME:
		responder_daytime(r);
		responder_linger(r);
		break;
	case RESPONDER_HTTP:
		r->dec = httpdec_new(HTTPDEC_REQUEST, responder_http_event, r);
		break;
	default:
		break;
	}
	responder_end(r);
	return r;
}

/* Free a responder. */
void
responder_free(struct responder *r)
{
	if (r == NULL)
		return;
	if (r->dec != NULL)
		httpdec_free(r->dec);
	free(r->acts);
	sbuf_free(&r->out);
	sbuf_free(&r->q);
	sbuf_free(&r->raw);
	sbuf_free(&r->head);
	free(r);
}

/* The peer sent bytes; see responder.h. */
size_t
responder_on_data(struct responder *r, const void *buf, size_t n,
    uint64_t now_ms)
{
	const unsigned char	*p = buf;
	size_t			 take;

	responder_begin(r, now_ms);
	if (r->done || r->eof || r->lingering)
		return n;	/* ignored, as promised */
	take = responder_read_limit(r);
	if (take > n)
		take = n;
	if (r->budget != RESPONDER_UNLIMITED)
		r->budget -= take < r->budget ? take : r->budget;

	switch (r->kind) {
	case RESPONDER_ECHO:
	case RESPONDER_UPPER:
	case RESPONDER_REVERSE:
	case RESPONDER_ROT13:
	case RESPONDER_ONESHOT:
	case RESPONDER_RESET:
		responder_lines(r, p, take);
		break;
	case RESPONDER_SLOW:
		if (take > 0) {
			responder_lines(r, p, take);
			responder_wait(r, RESPONDER_SLOW_MS);
		}
		break;
	case RESPONDER_DRIP:
	case RESPONDER_CHUNKY:
		if (take == 0)
			break;
		sbuf_add(&r->q, p, take);
		if (!r->timer)
			responder_piece(r);
		break;
	case RESPONDER_HTTP:
		responder_http_data(r, p, take);
		break;
	default:
		break;	/* discard, chargen, daytime: thrown away */
	}
	responder_end(r);
	return take;
}

/* The peer finished sending; see responder.h. */
void
responder_on_eof(struct responder *r, uint64_t now_ms)
{
	responder_begin(r, now_ms);
	if (r->done || r->eof)
		return;
	r->eof = 1;
	if (r->lingering) {
		responder_finish(r, RESPONDER_A_CLOSE);
		return;
	}
	switch (r->kind) {
	case RESPONDER_RESET:
		if (r->llen > 0)
			responder_line(r);
		/* The reset comes when the timer is due, or now. */
		if (!r->timer)
			responder_finish(r, RESPONDER_A_RESET);
		break;
	case RESPONDER_DRIP:
	case RESPONDER_CHUNKY:
		/* Close once the queue is sent. */
		if (r->q.len == r->qhead)
			responder_finish(r, RESPONDER_A_CLOSE);
		break;
	case RESPONDER_HTTP:
		httpdec_eof(r->dec);
		responder_finish(r, RESPONDER_A_CLOSE);
		break;
	default:
		/* An unfinished last line is answered too. */
		if (r->llen > 0)
			responder_line(r);
		responder_finish(r, RESPONDER_A_CLOSE);
		break;
	}
}

/* The timer is due; see responder.h. */
void
responder_on_timer(struct responder *r, uint64_t now_ms)
{
	responder_begin(r, now_ms);
	if (r->done || !r->timer)
		return;
	r->timer = 0;
	if (r->lingering) {
		responder_finish(r, RESPONDER_A_CLOSE);
		return;
	}
	switch (r->kind) {
	case RESPONDER_DRIP:
	case RESPONDER_CHUNKY:
		responder_piece(r);
		break;
	case RESPONDER_RESET:
		responder_finish(r, RESPONDER_A_RESET);
		break;
	case RESPONDER_CHARGEN:
		responder_chargen(r);
		break;
	default:
		break;	/* slow: one more byte may be read */
	}
	responder_end(r);
}

/* Everything sent so far was written; see responder.h. */
void
responder_on_drained(struct responder *r, uint64_t now_ms)
{
	responder_begin(r, now_ms);
	if (r->done)
		return;
	if (r->kind == RESPONDER_CHARGEN && r->cg_unsent && !r->timer) {
		/* The peer took the burst: the next one after a pause. */
		r->cg_unsent = 0;
		responder_wait(r, RESPONDER_CHARGEN_MS);
	}
	responder_end(r);
}

/* Bytes held now. */
size_t
responder_held(const struct responder *r)
{
	return r->llen + (r->q.len - r->qhead) + r->raw.len + r->head.len;
}

/* Nonzero after CLOSE or RESET. */
int
responder_done(const struct responder *r)
{
	return r->done;
}

/* The kind. */
enum responder_kind
responder_kind(const struct responder *r)
{
	return r->kind;
}
