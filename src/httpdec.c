/*
 * httpdec.c: the incremental HTTP/1.x decoder (see httpdec.h).  Owns each
 * decoder's state: the line being collected, the header waiting to see
 * whether the next line folds into it, and the facts of the message that
 * decide its framing.  Called by whoever watches a connection's bytes (the
 * HTTP view, the http responder, the fuzz target); it calls nothing but
 * the event callback.
 *
 * Bytes of lines go through httpdec_byte() one at a time, which checks
 * each byte as it arrives so that garbage is called out at once, not when
 * a line ends; body bytes are passed on in bulk.  Nothing depends on where
 * the input was split except how BODY_BYTES is cut into pieces.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sockscope/httpdec.h"
#include "sockscope/textesc.h"
#include "sockscope/util.h"

/* The size the line and header buffers start at. */
#define HTTPDEC_BUF_START	256

enum httpdec_state {
	HTTPDEC_S_START,	/* before or in a start line */
	HTTPDEC_S_HEADERS,	/* header lines */
	HTTPDEC_S_BODY,		/* Content-Length body */
	HTTPDEC_S_CHUNK_SIZE,	/* a chunk-size line */
	HTTPDEC_S_CHUNK_DATA,	/* a chunk's payload */
	HTTPDEC_S_CHUNK_CRLF,	/* the CR LF after a chunk's payload */
	HTTPDEC_S_TRAILERS,	/* trailer lines after the last chunk */
	HTTPDEC_S_UNTIL_CLOSE,	/* body until the stream ends */
	HTTPDEC_S_LOST,		/* an ERROR was reported */
	HTTPDEC_S_ENDED		/* httpdec_eof() was called */
};

struct httpdec {
	enum httpdec_dir	 dir;
	httpdec_event_fn	*fn;
	void			*arg;
	enum httpdec_state	 state;
	uint64_t		 off;		/* offset of the byte at hand */
	uint64_t		 msg;		/* current message number */
	uint64_t		 msg_start;	/* offset of its start line */

	/* The line being collected (in line, below; no CR LF), and where
	 * it began. */
	size_t			 llen;
	uint64_t		 lstart;
	int			 lcr;		/* the last byte was a CR */
	int			 lrest;		/* past the line's first token */
	int			 lfresh;	/* the next byte starts a line */

	/* A header waiting for the next line (in hdr, below). */
	size_t			 hname;		/* length of the name */
	size_t			 hlen;		/* bytes used in hdr */
	uint64_t		 hstart;
	int			 hfolds;
	int			 hpending;
	size_t			 nheaders;
	size_t			 ntrailers;

	/* The message's facts. */
	int			 request;
	int			 major, minor;
	int			 status;
	char			 method[16];	/* the request's (responses) */
	int			 has_cl;
	uint64_t		 cl;
	int			 te;		/* Transfer-Encoding seen */
	int			 te_chunked;	/* and its last coding is chunked */
	int			 conn_close;
	int			 conn_keep;
	int			 expect;
	enum httpdec_framing	 framing;
	int			 keep_alive;
	uint64_t		 remaining;
	uint64_t		 body_size;
	uint64_t		 chunks;

	/* Methods of requests waiting for responses, oldest first. */
	char			 methods[HTTPDEC_METHODS_MAX][16];
	size_t			 nmethods;

	char			 why[160];

	/*
	 * The line (no CR LF) and the header waiting for the next line
	 * ("name\0value"), each made on first need and grown by doubling,
	 * up to HTTPDEC_LINE_MAX + 1 and + 2 bytes: most lines are short,
	 * and a connection that is not HTTP fails on its first line.
	 */
	char			*line;
	size_t			 linecap;
	char			*hdr;
	size_t			 hdrcap;
};

/* A new decoder; see httpdec.h. */
struct httpdec *
httpdec_new(enum httpdec_dir dir, httpdec_event_fn *fn, void *arg)
{
	struct httpdec	*d = xcalloc(1, sizeof *d);

	d->dir = dir;
	d->fn = fn;
	d->arg = arg;
	d->state = HTTPDEC_S_START;
	d->msg = 1;
	d->lfresh = 1;
	d->request = dir == HTTPDEC_AUTO ? -1 : dir == HTTPDEC_REQUEST;
	return d;
}

/* Make *buf (of *cap bytes) hold at least need bytes, at most max. */
static void
httpdec_grow(char **buf, size_t *cap, size_t need, size_t max)
{
	size_t	n = *cap == 0 ? HTTPDEC_BUF_START : *cap;

	if (*buf != NULL && *cap >= need)
		return;
	while (n < need)
		n *= 2;
	if (n > max)
		n = max;
	*buf = xrealloc(*buf, n);
	*cap = n;
}

/* Room for n bytes in the line. */
static void
httpdec_line_room(struct httpdec *d, size_t n)
{
	httpdec_grow(&d->line, &d->linecap, n, HTTPDEC_LINE_MAX + 1);
}

/* Room for n bytes in the header buffer. */
static void
httpdec_hdr_room(struct httpdec *d, size_t n)
{
	httpdec_grow(&d->hdr, &d->hdrcap, n, HTTPDEC_LINE_MAX + 2);
}

/*
 * Give back the buffers: all of them once nothing more is decoded (lost or
 * ended), or between messages those that a long line grew.
 */
static void
httpdec_release(struct httpdec *d, int all)
{
	if (all || d->linecap > HTTPDEC_BUF_START) {
		free(d->line);
		d->line = NULL;
		d->linecap = 0;
	}
	if (all || d->hdrcap > HTTPDEC_BUF_START) {
		free(d->hdr);
		d->hdr = NULL;
		d->hdrcap = 0;
	}
}

/* Free a decoder. */
void
httpdec_free(struct httpdec *d)
{
	if (d == NULL)
		return;
	httpdec_release(d, 1);
	free(d);
}

/* Nonzero for an RFC 9110 tchar (the characters of a token). */
static int
httpdec_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* The value of a hex digit, or -1. */
static int
httpdec_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Show a byte in an error message: 'x' when printable, else 0xHH. */
static const char *
httpdec_show(char *buf, size_t size, unsigned char c)
{
	if (c > 0x20 && c < 0x7f && c != '\'')
		snprintf(buf, size, "'%c'", c);
	else if (c == ' ')
		snprintf(buf, size, "a space");
	else
		snprintf(buf, size, "0x%02x", c);
	return buf;
}

/* Start an event of kind for the current message. */
static void
httpdec_event_init(struct httpdec *d, struct httpdec_event *ev,
    enum httpdec_kind kind, uint64_t offset, uint64_t end)
{
	memset(ev, 0, sizeof *ev);
	ev->kind = kind;
	ev->request = d->request;
	ev->msg = d->msg;
	ev->offset = offset;
	ev->end = end;
}

/* Hand an event to the callback. */
static void
httpdec_emit(struct httpdec *d, const struct httpdec_event *ev)
{
	if (d->fn != NULL)
		d->fn(ev, d->arg);
}

/* Report that the byte at offset broke the grammar; the decoder is lost. */
static void __attribute__((format(printf, 3, 4)))
httpdec_error(struct httpdec *d, uint64_t offset, const char *fmt, ...)
{
	struct httpdec_event	ev;
	va_list			ap;

	va_start(ap, fmt);
	vsnprintf(d->why, sizeof d->why, fmt, ap);
	va_end(ap);
	httpdec_event_init(d, &ev, HTTPDEC_ERROR, offset, offset + 1);
	ev.why = d->why;
	d->state = HTTPDEC_S_LOST;
	httpdec_emit(d, &ev);
}

/* Forget the finished message's facts and wait for the next one. */
static void
httpdec_next_message(struct httpdec *d)
{
	d->msg++;
	d->state = HTTPDEC_S_START;
	d->nheaders = d->ntrailers = 0;
	d->hpending = 0;
	d->status = 0;
	d->has_cl = d->te = d->te_chunked = 0;
	d->conn_close = d->conn_keep = d->expect = 0;
	d->cl = d->remaining = d->body_size = d->chunks = 0;
	d->framing = HTTPDEC_NO_BODY;
	d->keep_alive = 0;
	httpdec_release(d, 0);
}

/* Report the end of the message whose last byte ends before end. */
static void
httpdec_message_end(struct httpdec *d, uint64_t end)
{
	struct httpdec_event	ev;

	httpdec_event_init(d, &ev, HTTPDEC_MESSAGE_END, d->msg_start, end);
	ev.framing = d->framing;
	ev.content_length = d->cl;
	ev.keep_alive = d->keep_alive;
	ev.expect_continue = d->expect;
	ev.headers = d->nheaders;
	ev.body_size = d->body_size;
	ev.chunks = d->chunks;
	httpdec_emit(d, &ev);
	httpdec_next_message(d);
}

/* Parse "HTTP/d.d" of exactly n bytes at p; -1 if it is not one. */
static int
httpdec_version(struct httpdec *d, const char *p, size_t n)
{
	if (n != 8 || memcmp(p, "HTTP/", 5) != 0 || p[5] < '0' || p[5] > '9' ||
	    p[6] != '.' || p[7] < '0' || p[7] > '9')
		return -1;
	d->major = p[5] - '0';
	d->minor = p[7] - '0';
	return 0;
}

/* Check and report a request line held in d->line. */
static void
httpdec_request_line(struct httpdec *d, uint64_t end)
{
	struct httpdec_event	 ev;
	char			*l = d->line, *sp1, *sp2, show[16];
	size_t			 i, mlen, tlen;

	sp1 = memchr(l, ' ', d->llen);
	if (sp1 == NULL || sp1 == l) {
		httpdec_error(d, d->lstart, sp1 == NULL ?
		    "request line has no spaces (method target version)" :
		    "request line starts with a space");
		return;
	}
	mlen = (size_t)(sp1 - l);
	for (i = 0; i < mlen; i++) {
		if (!httpdec_tchar((unsigned char)l[i])) {
			httpdec_error(d, d->lstart + i, "bad character %s in "
			    "method", httpdec_show(show, sizeof show,
			    (unsigned char)l[i]));
			return;
		}
	}
	sp2 = memchr(sp1 + 1, ' ', d->llen - mlen - 1);
	if (sp2 == NULL) {
		httpdec_error(d, d->lstart + d->llen, "request line has no "
		    "HTTP version after the target");
		return;
	}
	tlen = (size_t)(sp2 - sp1 - 1);
	if (tlen == 0) {
		httpdec_error(d, d->lstart + mlen + 1, "empty request target "
		    "(two spaces after the method)");
		return;
	}
	for (i = 0; i < tlen; i++) {
		unsigned char	c = (unsigned char)sp1[1 + i];

		if (c <= 0x20 || c == 0x7f) {
			httpdec_error(d, d->lstart + mlen + 1 + i, "bad "
			    "character %s in request target",
			    httpdec_show(show, sizeof show, c));
			return;
		}
	}
	if (httpdec_version(d, sp2 + 1, d->llen - (size_t)(sp2 + 1 - l)) ==
	    -1) {
		httpdec_error(d, d->lstart + (uint64_t)(sp2 + 1 - l), "bad "
		    "HTTP version (want HTTP/1.0 or HTTP/1.1)");
		return;
	}
	if (d->major != 1) {
		httpdec_error(d, d->lstart + (uint64_t)(sp2 + 1 - l),
		    "HTTP/%d.%d is not HTTP/1.x", d->major, d->minor);
		return;
	}

	/*
	 * Event strings are NUL-terminated: the parts are cut from a copy in
	 * hdr, which holds nothing while a start line is decoded.
	 */
	httpdec_hdr_room(d, d->llen + 1);
	memcpy(d->hdr, l, d->llen + 1);
	d->hdr[mlen] = '\0';
	d->hdr[mlen + 1 + tlen] = '\0';
	httpdec_event_init(d, &ev, HTTPDEC_START_LINE, d->lstart, end);
	ev.line = l;
	ev.line_len = d->llen;
	ev.major = d->major;
	ev.minor = d->minor;
	ev.method = d->hdr;
	ev.method_len = mlen;
	ev.target = d->hdr + mlen + 1;
	ev.target_len = tlen;
	httpdec_emit(d, &ev);
	d->state = HTTPDEC_S_HEADERS;
}

/* Check and report a status line held in d->line. */
static void
httpdec_status_line(struct httpdec *d, uint64_t end)
{
	struct httpdec_event	 ev;
	const char		*l = d->line;
	size_t			 i;

	if (d->llen < 12 || l[8] != ' ' ||
	    httpdec_version(d, l, 8) == -1) {
		httpdec_error(d, d->lstart, "bad status line (want "
		    "HTTP/1.x NNN reason)");
		return;
	}
	if (d->major != 1) {
		httpdec_error(d, d->lstart, "HTTP/%d.%d is not HTTP/1.x",
		    d->major, d->minor);
		return;
	}
	for (i = 9; i < 12; i++) {
		if (l[i] < '0' || l[i] > '9') {
			httpdec_error(d, d->lstart + i, "bad status code "
			    "(want three digits)");
			return;
		}
	}
	if (d->llen > 12 && l[12] != ' ') {
		httpdec_error(d, d->lstart + 12, "no space after the status "
		    "code");
		return;
	}
	d->status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
	if (d->status < 100) {
		httpdec_error(d, d->lstart + 9, "status code %03d is below 100",
		    d->status);
		return;
	}
	httpdec_event_init(d, &ev, HTTPDEC_START_LINE, d->lstart, end);
	ev.line = l;
	ev.line_len = d->llen;
	ev.major = d->major;
	ev.minor = d->minor;
	ev.status = d->status;
	ev.reason = d->llen > 12 ? l + 13 : "";
	ev.reason_len = d->llen > 12 ? d->llen - 13 : 0;
	httpdec_emit(d, &ev);
	d->state = HTTPDEC_S_HEADERS;
}

/* A complete line in the start state: skip it if empty, else decode it. */
static void
httpdec_start_line(struct httpdec *d, uint64_t end)
{
	if (d->llen == 0)
		return;
	d->msg_start = d->lstart;
	if (d->dir == HTTPDEC_AUTO) {
		d->dir = d->llen >= 5 && memcmp(d->line, "HTTP/", 5) == 0 ?
		    HTTPDEC_RESPONSE : HTTPDEC_REQUEST;
		d->request = d->dir == HTTPDEC_REQUEST;
	}
	if (d->dir == HTTPDEC_REQUEST)
		httpdec_request_line(d, end);
	else
		httpdec_status_line(d, end);
}

/* Nonzero if the n bytes at p equal the lower-case word w, in any case. */
static int
httpdec_word(const char *p, size_t n, const char *w)
{
	return strlen(w) == n && strncasecmp(p, w, n) == 0;
}

/*
 * Walk the comma-separated list in value, calling fn for each non-empty
 * element (spaces trimmed).
 */
static void
httpdec_list(struct httpdec *d, const char *v, size_t n,
    void (*fn)(struct httpdec *, const char *, size_t))
{
	size_t	i = 0, s, e;

	while (i <= n) {
		s = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (s < e && (v[s] == ' ' || v[s] == '\t'))
			s++;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e > s)
			fn(d, v + s, e - s);
		i++;
	}
}

/* One Transfer-Encoding coding: remember whether the last is chunked. */
static void
httpdec_coding(struct httpdec *d, const char *p, size_t n)
{
	d->te = 1;
	d->te_chunked = httpdec_word(p, n, "chunked");
}

/* One Connection option. */
static void
httpdec_connection(struct httpdec *d, const char *p, size_t n)
{
	if (httpdec_word(p, n, "close"))
		d->conn_close = 1;
	else if (httpdec_word(p, n, "keep-alive"))
		d->conn_keep = 1;
}

/* Take the facts that decide framing from a header; -1 if it is bad. */
static int
httpdec_header_facts(struct httpdec *d, const char *name, size_t nlen,
    const char *v, size_t vlen)
{
	uint64_t	cl = 0;
	size_t		i;

	if (httpdec_word(name, nlen, "content-length")) {
		if (vlen == 0) {
			httpdec_error(d, d->hstart, "empty Content-Length");
			return -1;
		}
		for (i = 0; i < vlen; i++) {
			if (v[i] < '0' || v[i] > '9') {
				httpdec_error(d, d->hstart, "Content-Length is "
				    "not a number");
				return -1;
			}
			if (cl > (UINT64_MAX - 9) / 10) {
				httpdec_error(d, d->hstart, "Content-Length is "
				    "too large");
				return -1;
			}
			cl = cl * 10 + (uint64_t)(v[i] - '0');
		}
		if (d->has_cl && d->cl != cl) {
			httpdec_error(d, d->hstart, "two different "
			    "Content-Length values");
			return -1;
		}
		d->has_cl = 1;
		d->cl = cl;
	} else if (httpdec_word(name, nlen, "transfer-encoding"))
		httpdec_list(d, v, vlen, httpdec_coding);
	else if (httpdec_word(name, nlen, "connection"))
		httpdec_list(d, v, vlen, httpdec_connection);
	else if (httpdec_word(name, nlen, "expect") &&
	    httpdec_word(v, vlen, "100-continue"))
		d->expect = 1;
	return 0;
}

/* Report the header waiting in d->hdr (the next line does not fold). */
static int
httpdec_flush_header(struct httpdec *d, uint64_t end)
{
	struct httpdec_event	ev;
	int			trailer = d->state == HTTPDEC_S_TRAILERS;

	if (!d->hpending)
		return 0;
	d->hpending = 0;
	d->hdr[d->hlen] = '\0';
	httpdec_event_init(d, &ev, HTTPDEC_HEADER, d->hstart, end);
	ev.name = d->hdr;
	ev.name_len = d->hname;
	ev.value = d->hdr + d->hname + 1;
	ev.value_len = d->hlen - d->hname - 1;
	ev.folds = d->hfolds;
	ev.trailer = trailer;
	httpdec_emit(d, &ev);
	/* Framing comes from headers, not from trailers (RFC 9112 7.1.2). */
	if (trailer)
		return 0;
	return httpdec_header_facts(d, ev.name, ev.name_len, ev.value,
	    ev.value_len);
}

/* Decide the framing once the headers are complete; -1 if they conflict. */
static int
httpdec_framing(struct httpdec *d)
{
	int	final;

	if (d->te && d->has_cl) {
		httpdec_error(d, d->lstart, "both Content-Length and "
		    "Transfer-Encoding (request smuggling risk)");
		return -1;
	}
	if (d->major == 1 && d->minor == 0)
		d->keep_alive = d->conn_keep && !d->conn_close;
	else
		d->keep_alive = !d->conn_close;

	if (d->request == 1) {
		if (d->te && !d->te_chunked) {
			httpdec_error(d, d->lstart, "request Transfer-Encoding "
			    "does not end in chunked");
			return -1;
		}
		if (d->te)
			d->framing = HTTPDEC_CHUNKED;
		else if (d->has_cl)
			d->framing = HTTPDEC_LENGTH;
		else
			d->framing = HTTPDEC_NO_BODY;
		return 0;
	}

	/* A response: which request it answers decides some cases. */
	final = d->status >= 200 || d->status == 101;
	d->method[0] = '\0';
	if (d->nmethods > 0) {
		memcpy(d->method, d->methods[0], sizeof d->method);
		if (final) {
			memmove(d->methods[0], d->methods[1],
			    (d->nmethods - 1) * sizeof d->methods[0]);
			d->nmethods--;
		}
	}
	if (d->status == 101 || (strcmp(d->method, "CONNECT") == 0 &&
	    d->status >= 200 && d->status < 300))
		d->framing = HTTPDEC_UNTIL_CLOSE;
	else if (d->status < 200 || d->status == 204 || d->status == 304 ||
	    strcmp(d->method, "HEAD") == 0)
		d->framing = HTTPDEC_NO_BODY;
	else if (d->te)
		d->framing = d->te_chunked ? HTTPDEC_CHUNKED :
		    HTTPDEC_UNTIL_CLOSE;
	else if (d->has_cl)
		d->framing = HTTPDEC_LENGTH;
	else
		d->framing = HTTPDEC_UNTIL_CLOSE;
	if (d->framing == HTTPDEC_UNTIL_CLOSE)
		d->keep_alive = 0;
	return 0;
}

/* The empty line after the headers: report framing, move to the body. */
static void
httpdec_headers_end(struct httpdec *d, uint64_t end)
{
	struct httpdec_event	ev;

	if (httpdec_framing(d) == -1)
		return;
	httpdec_event_init(d, &ev, HTTPDEC_HEADERS_END, d->lstart, end);
	ev.framing = d->framing;
	ev.content_length = d->has_cl ? d->cl : 0;
	ev.keep_alive = d->keep_alive;
	ev.expect_continue = d->expect;
	ev.headers = d->nheaders;
	httpdec_emit(d, &ev);

	switch (d->framing) {
	case HTTPDEC_NO_BODY:
		httpdec_message_end(d, end);
		break;
	case HTTPDEC_LENGTH:
		if (d->cl == 0)
			httpdec_message_end(d, end);
		else {
			d->remaining = d->cl;
			d->state = HTTPDEC_S_BODY;
		}
		break;
	case HTTPDEC_CHUNKED:
		d->state = HTTPDEC_S_CHUNK_SIZE;
		break;
	case HTTPDEC_UNTIL_CLOSE:
		d->state = HTTPDEC_S_UNTIL_CLOSE;
		break;
	}
}

/* A complete header or trailer line. */
static void
httpdec_header_line(struct httpdec *d, uint64_t end)
{
	const char	*l = d->line, *colon;
	size_t		 s, e, nlen;

	if (d->llen > 0 && (l[0] == ' ' || l[0] == '\t')) {
		/* obs-fold: joined to the header before with one space. */
		if (!d->hpending) {
			httpdec_error(d, d->lstart, "line starts with a space "
			    "but there is no header before it to continue");
			return;
		}
		for (s = 0; s < d->llen && (l[s] == ' ' || l[s] == '\t'); s++)
			/* nothing */;
		for (e = d->llen; e > s && (l[e - 1] == ' ' ||
		    l[e - 1] == '\t'); e--)
			/* nothing */;
		if (d->hlen + 1 + (e - s) > HTTPDEC_LINE_MAX + 1) {
			httpdec_error(d, d->lstart, "header longer than %d "
			    "bytes with its folded lines", HTTPDEC_LINE_MAX);
			return;
		}
		if (e > s) {
			httpdec_hdr_room(d, d->hlen + 1 + (e - s) + 1);
			if (d->hlen > d->hname + 1)
				d->hdr[d->hlen++] = ' ';
			memcpy(d->hdr + d->hlen, l + s, e - s);
			d->hlen += e - s;
		}
		d->hfolds++;
		return;
	}

	if (httpdec_flush_header(d, d->lstart) == -1)
		return;
	if (d->llen == 0) {
		if (d->state == HTTPDEC_S_TRAILERS)
			httpdec_message_end(d, end);
		else
			httpdec_headers_end(d, end);
		return;
	}

	colon = memchr(l, ':', d->llen);
	if (colon == NULL) {
		httpdec_error(d, d->lstart + d->llen, "header line has no "
		    "colon");
		return;
	}
	nlen = (size_t)(colon - l);
	if (nlen == 0) {
		httpdec_error(d, d->lstart, "header line starts with a colon "
		    "(empty name)");
		return;
	}
	if (++*(d->state == HTTPDEC_S_TRAILERS ? &d->ntrailers :
	    &d->nheaders) > HTTPDEC_HEADERS_MAX) {
		httpdec_error(d, d->lstart, "more than %d %s",
		    HTTPDEC_HEADERS_MAX, d->state == HTTPDEC_S_TRAILERS ?
		    "trailers" : "headers");
		return;
	}
	for (s = nlen + 1; s < d->llen && (l[s] == ' ' || l[s] == '\t'); s++)
		/* nothing */;
	for (e = d->llen; e > s && (l[e - 1] == ' ' || l[e - 1] == '\t'); e--)
		/* nothing */;
	httpdec_hdr_room(d, nlen + 1 + (e - s) + 1);
	memcpy(d->hdr, l, nlen);
	d->hdr[nlen] = '\0';
	memcpy(d->hdr + nlen + 1, l + s, e - s);
	d->hname = nlen;
	d->hlen = nlen + 1 + (e - s);
	d->hstart = d->lstart;
	d->hfolds = 0;
	d->hpending = 1;
}

/* A complete chunk-size line: chunk-size [ws] [; ext]. */
static void
httpdec_chunk_line(struct httpdec *d, uint64_t end)
{
	struct httpdec_event	 ev;
	const char		*l = d->line;
	uint64_t		 size = 0;
	size_t			 i = 0;
	int			 h;

	while (i < d->llen && (h = httpdec_hex((unsigned char)l[i])) != -1) {
		if (size >> 60 != 0) {
			httpdec_error(d, d->lstart + i, "chunk size too large");
			return;
		}
		size = size << 4 | (uint64_t)h;
		i++;
	}
	if (i == 0) {
		httpdec_error(d, d->lstart, "chunk size is not a hex number");
		return;
	}
	while (i < d->llen && (l[i] == ' ' || l[i] == '\t'))
		i++;
	if (i < d->llen && l[i] != ';') {
		httpdec_error(d, d->lstart + i, "bad chunk size line "
		    "(want hex digits, then ';' and an extension)");
		return;
	}
	httpdec_event_init(d, &ev, HTTPDEC_CHUNK, d->lstart, end);
	ev.chunk_size = size;
	ev.ext = i < d->llen ? l + i + 1 : "";
	ev.ext_len = i < d->llen ? d->llen - i - 1 : 0;
	httpdec_emit(d, &ev);
	if (size == 0) {
		d->state = HTTPDEC_S_TRAILERS;
	} else {
		d->chunks++;
		d->remaining = size;
		d->state = HTTPDEC_S_CHUNK_DATA;
	}
}

/* A line is complete (its LF is the byte at hand). */
static void
httpdec_line(struct httpdec *d)
{
	uint64_t	end = d->off + 1;

	httpdec_line_room(d, d->llen + 1);
	d->line[d->llen] = '\0';
	switch (d->state) {
	case HTTPDEC_S_START:
		httpdec_start_line(d, end);
		break;
	case HTTPDEC_S_HEADERS:
	case HTTPDEC_S_TRAILERS:
		httpdec_header_line(d, end);
		break;
	case HTTPDEC_S_CHUNK_SIZE:
		httpdec_chunk_line(d, end);
		break;
	case HTTPDEC_S_CHUNK_CRLF:
		d->state = HTTPDEC_S_CHUNK_SIZE;
		break;
	default:
		break;
	}
	d->llen = 0;
	d->lrest = 0;
	d->lfresh = 1;
}

/*
 * Check a byte of the first token of a line as it arrives, so garbage is
 * called out at once; -1 after reporting it.
 */
static int
httpdec_first_token(struct httpdec *d, unsigned char c)
{
	char	show[16];

	switch (d->state) {
	case HTTPDEC_S_START:
		if (c == ' ') {
			if (d->llen == 0) {
				httpdec_error(d, d->off, "start line starts "
				    "with a space");
				return -1;
			}
			d->lrest = 1;
			return 0;
		}
		/* "HTTP/1.1" has a '/', which no method has. */
		if (httpdec_tchar(c) || (c == '/' && d->dir != HTTPDEC_REQUEST))
			return 0;
		httpdec_error(d, d->off, "bad character %s in %s",
		    httpdec_show(show, sizeof show, c),
		    d->dir == HTTPDEC_REQUEST ? "method" :
		    d->dir == HTTPDEC_RESPONSE ? "HTTP version" :
		    "method or HTTP version");
		return -1;
	case HTTPDEC_S_HEADERS:
	case HTTPDEC_S_TRAILERS:
		if (d->llen == 0 && (c == ' ' || c == '\t')) {
			d->lrest = 1;	/* a folded line */
			return 0;
		}
		if (c == ':') {
			d->lrest = 1;
			return 0;
		}
		if (httpdec_tchar(c))
			return 0;
		httpdec_error(d, d->off, c == ' ' || c == '\t' ?
		    "space in a header name (or before its colon)" :
		    "bad character %s in a header name",
		    httpdec_show(show, sizeof show, c));
		return -1;
	case HTTPDEC_S_CHUNK_SIZE:
		if (httpdec_hex(c) != -1)
			return 0;
		if (d->llen > 0 && (c == ';' || c == ' ' || c == '\t')) {
			d->lrest = 1;
			return 0;
		}
		httpdec_error(d, d->off, "bad character %s in chunk size",
		    httpdec_show(show, sizeof show, c));
		return -1;
	default:
		return 0;
	}
}

/* Take one byte of a line (any state but the bodies). */
static void
httpdec_byte(struct httpdec *d, unsigned char c)
{
	char	show[16];

	if (d->lfresh) {
		d->lstart = d->off;
		d->lfresh = 0;
	}
	if (d->lcr) {
		d->lcr = 0;
		if (c != '\n') {
			httpdec_error(d, d->off - 1, "CR not followed by LF");
			return;
		}
	}
	if (c == '\n') {
		httpdec_line(d);
		return;
	}
	if (c == '\r') {
		d->lcr = 1;
		return;
	}
	if (d->state == HTTPDEC_S_CHUNK_CRLF) {
		httpdec_error(d, d->off, "chunk data longer than its size "
		    "(no CR LF after it)");
		return;
	}
	if (d->llen == HTTPDEC_LINE_MAX) {
		httpdec_error(d, d->off, "line longer than %d bytes",
		    HTTPDEC_LINE_MAX);
		return;
	}
	if ((c < 0x20 && c != '\t') || c == 0x7f) {
		httpdec_error(d, d->off, "control character %s in a line",
		    httpdec_show(show, sizeof show, c));
		return;
	}
	if (!d->lrest && httpdec_first_token(d, c) == -1)
		return;
	/* Room for the byte and for the NUL that ends the line. */
	httpdec_line_room(d, d->llen + 2);
	d->line[d->llen++] = (char)c;
}

/* Decode n more bytes; see httpdec.h. */
int
httpdec_feed(struct httpdec *d, const void *buf, size_t n)
{
	struct httpdec_event	 ev;
	const unsigned char	*p = buf;
	size_t			 i = 0, take;

	while (i < n) {
		switch (d->state) {
		case HTTPDEC_S_LOST:
		case HTTPDEC_S_ENDED:
			return -1;
		case HTTPDEC_S_BODY:
		case HTTPDEC_S_CHUNK_DATA:
		case HTTPDEC_S_UNTIL_CLOSE:
			take = n - i;
			if (d->state != HTTPDEC_S_UNTIL_CLOSE &&
			    take > d->remaining)
				take = (size_t)d->remaining;
			httpdec_event_init(d, &ev, HTTPDEC_BODY_BYTES, d->off,
			    d->off + take);
			ev.data = p + i;
			ev.len = take;
			httpdec_emit(d, &ev);
			d->off += take;
			d->body_size += take;
			i += take;
			if (d->state == HTTPDEC_S_UNTIL_CLOSE)
				break;
			d->remaining -= take;
			if (d->remaining > 0)
				break;
			if (d->state == HTTPDEC_S_BODY)
				httpdec_message_end(d, d->off);
			else
				d->state = HTTPDEC_S_CHUNK_CRLF;
			break;
		default:
			httpdec_byte(d, p[i]);
			d->off++;
			i++;
			break;
		}
	}
	if (d->state == HTTPDEC_S_LOST || d->state == HTTPDEC_S_ENDED) {
		/* Nothing more is decoded: the buffers can go. */
		httpdec_release(d, 1);
		return -1;
	}
	return 0;
}

/* The stream ended; see httpdec.h. */
void
httpdec_eof(struct httpdec *d)
{
	switch (d->state) {
	case HTTPDEC_S_LOST:
	case HTTPDEC_S_ENDED:
		break;
	case HTTPDEC_S_UNTIL_CLOSE:
		httpdec_message_end(d, d->off);
		d->state = HTTPDEC_S_ENDED;
		break;
	case HTTPDEC_S_START:
		if (d->llen == 0 && !d->lcr) {
			d->state = HTTPDEC_S_ENDED;
			break;
		}
		httpdec_error(d, d->off, "stream ended in the start line");
		break;
	case HTTPDEC_S_HEADERS:
		httpdec_error(d, d->off, "stream ended in the headers");
		break;
	case HTTPDEC_S_BODY:
		httpdec_error(d, d->off, "stream ended after %llu of %llu "
		    "body bytes", (unsigned long long)d->body_size,
		    (unsigned long long)d->cl);
		break;
	default:
		httpdec_error(d, d->off, "stream ended in a chunked body");
		break;
	}
	/* Nothing more is decoded: the buffers can go. */
	httpdec_release(d, 1);
}

/* Queue the method of a request waiting for its response. */
int
httpdec_push_method(struct httpdec *d, const char *method)
{
	size_t	n = strlen(method);

	if (d->nmethods == HTTPDEC_METHODS_MAX)
		return -1;
	if (n >= sizeof d->methods[0])
		n = sizeof d->methods[0] - 1;
	memcpy(d->methods[d->nmethods], method, n);
	d->methods[d->nmethods][n] = '\0';
	d->nmethods++;
	return 0;
}

/* Nonzero once an ERROR was reported. */
int
httpdec_lost(const struct httpdec *d)
{
	return d->state == HTTPDEC_S_LOST;
}

/* Nonzero between messages. */
int
httpdec_idle(const struct httpdec *d)
{
	return (d->state == HTTPDEC_S_START && d->llen == 0 && !d->lcr) ||
	    d->state == HTTPDEC_S_ENDED;
}

/* The direction, once known. */
enum httpdec_dir
httpdec_direction(const struct httpdec *d)
{
	return d->dir;
}

/* Bytes decoded so far. */
uint64_t
httpdec_offset(const struct httpdec *d)
{
	return d->off;
}

/* The name of an event kind. */
const char *
httpdec_kind_name(enum httpdec_kind kind)
{
	switch (kind) {
	case HTTPDEC_START_LINE:
		return "START_LINE";
	case HTTPDEC_HEADER:
		return "HEADER";
	case HTTPDEC_HEADERS_END:
		return "HEADERS_END";
	case HTTPDEC_CHUNK:
		return "CHUNK";
	case HTTPDEC_BODY_BYTES:
		return "BODY_BYTES";
	case HTTPDEC_MESSAGE_END:
		return "MESSAGE_END";
	case HTTPDEC_ERROR:
		return "ERROR";
	}
	return "?";
}

/* The name of a framing, as the HTTP view says it. */
const char *
httpdec_framing_name(enum httpdec_framing framing)
{
	switch (framing) {
	case HTTPDEC_NO_BODY:
		return "no body";
	case HTTPDEC_LENGTH:
		return "Content-Length";
	case HTTPDEC_CHUNKED:
		return "chunked";
	case HTTPDEC_UNTIL_CLOSE:
		return "until close";
	}
	return "?";
}

/* One safe line describing an event; see httpdec.h. */
void
httpdec_event_describe(struct sbuf *out, const struct httpdec_event *ev)
{
	if (ev->kind == HTTPDEC_MESSAGE_END)
		sbuf_printf(out, "@%llu-%llu ", (unsigned long long)ev->offset,
		    (unsigned long long)ev->end);
	else
		sbuf_printf(out, "@%llu ", (unsigned long long)ev->offset);
	sbuf_adds(out, httpdec_kind_name(ev->kind));
	switch (ev->kind) {
	case HTTPDEC_START_LINE:
		if (ev->request == 1) {
			sbuf_adds(out, " request ");
			textesc_quote(out, ev->method, ev->method_len, 1);
			sbuf_addc(out, ' ');
			textesc_quote(out, ev->target, ev->target_len, 1);
			sbuf_printf(out, " HTTP/%d.%d", ev->major, ev->minor);
		} else {
			sbuf_printf(out, " response HTTP/%d.%d %03d ",
			    ev->major, ev->minor, ev->status);
			textesc_quote(out, ev->reason, ev->reason_len, 1);
		}
		break;
	case HTTPDEC_HEADER:
		sbuf_addc(out, ' ');
		if (ev->trailer)
			sbuf_adds(out, "(trailer) ");
		textesc_quote(out, ev->name, ev->name_len, 1);
		sbuf_adds(out, ": ");
		textesc_quote(out, ev->value, ev->value_len, 1);
		if (ev->folds > 0)
			sbuf_printf(out, " (folded over %d more line%s)",
			    ev->folds, ev->folds == 1 ? "" : "s");
		break;
	case HTTPDEC_HEADERS_END:
	case HTTPDEC_MESSAGE_END:
		if (ev->kind == HTTPDEC_MESSAGE_END)
			sbuf_printf(out, " body %llu",
			    (unsigned long long)ev->body_size);
		sbuf_printf(out, " %s", httpdec_framing_name(ev->framing));
		if (ev->framing == HTTPDEC_LENGTH &&
		    ev->kind == HTTPDEC_HEADERS_END)
			sbuf_printf(out, " %llu",
			    (unsigned long long)ev->content_length);
		if (ev->framing == HTTPDEC_CHUNKED &&
		    ev->kind == HTTPDEC_MESSAGE_END)
			sbuf_printf(out, " %llu chunk%s",
			    (unsigned long long)ev->chunks,
			    ev->chunks == 1 ? "" : "s");
		sbuf_adds(out, ev->keep_alive ? " keep-alive" : " close");
		if (ev->expect_continue && ev->kind == HTTPDEC_HEADERS_END)
			sbuf_adds(out, " expect-100");
		break;
	case HTTPDEC_CHUNK:
		sbuf_printf(out, " %llu", (unsigned long long)ev->chunk_size);
		if (ev->ext_len > 0) {
			sbuf_adds(out, " ;");
			textesc_quote(out, ev->ext, ev->ext_len, 1);
		}
		break;
	case HTTPDEC_BODY_BYTES:
		sbuf_printf(out, " %zu", ev->len);
		break;
	case HTTPDEC_ERROR:
		sbuf_addc(out, ' ');
		textesc_quote(out, ev->why, strlen(ev->why), 1);
		break;
	}
}
