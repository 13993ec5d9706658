/*
 * httpview.c: HTTP/1.x per connection, from the socket events (see
 * httpview.h).  Owns up to two decoders per connection (one per direction,
 * made when bytes first go that way) and the messages they found, within a
 * bound.  app.c feeds it every event; the screen renders it (ui-http.c,
 * ui-panes.c) and batch mode prints its heads as JSON.  Pure: no I/O, no
 * clock.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockscope/httpview.h"
#include "sockscope/textesc.h"
#include "sockscope/transcript.h"
#include "sockscope/util.h"

/* Longest piece of a target kept in the first request line. */
#define HTTPVIEW_FIRST_MAX 200
/* What a connection costs beyond its heads, for the total bound. */
#define HTTPVIEW_CONN_COST (sizeof(struct httpview_conn) + 256)

static httpdec_event_fn httpview_on_event;

/* Start with no connections. */
void
httpview_init(struct httpview *v, httpview_head_fn *fn, void *arg)
{
	memset(v, 0, sizeof *v);
	v->head = fn;
	v->arg = arg;
}

/* Free what one message holds. */
static void
httpview_msg_free(struct httpview_msg *m)
{
	size_t	i;

	free(m->line);
	free(m->method);
	free(m->target);
	free(m->reason);
	free(m->error);
	for (i = 0; i < m->nheaders; i++) {
		free(m->headers[i].name);
		free(m->headers[i].value);
	}
	free(m->headers);
}

/* Free one connection's decoders (the stream is over). */
static void
httpview_conn_end(struct httpview_conn *c)
{
	int	d;

	c->closed = 1;
	for (d = 0; d < 2; d++) {
		if (c->dec[d] != NULL)
			httpdec_free(c->dec[d]);
		c->dec[d] = NULL;
	}
}

/* Forget connection id whole. */
static void
httpview_forget(struct httpview *v, size_t id)
{
	struct httpview_conn	*c = v->conns[id];
	size_t			 j;

	if (c == NULL)
		return;
	httpview_conn_end(c);
	for (j = 0; j < c->nmsgs; j++)
		httpview_msg_free(&c->msgs[j]);
	v->total -= c->bytes + HTTPVIEW_CONN_COST;
	free(c->msgs);
	free(c->first);
	free(c);
	v->conns[id] = NULL;
}

/* Past the total bound: forget closed connections, oldest first. */
static void
httpview_reclaim(struct httpview *v)
{
	size_t	id;

	for (id = v->reclaim; id < v->nconns &&
	    v->total > HTTPVIEW_TOTAL_BYTES; id++) {
		struct httpview_conn	*c = v->conns[id];

		/* An open one stays (and so does the scan's start). */
		if (c != NULL && !c->closed)
			continue;
		httpview_forget(v, id);
		if (id == v->reclaim)
			v->reclaim = id + 1;
	}
}

/* Free everything. */
void
httpview_free(struct httpview *v)
{
	size_t	i;

	for (i = 0; i < v->nconns; i++)
		httpview_forget(v, i);
	free(v->conns);
	memset(v, 0, sizeof *v);
}

/* Connection id's state, made on first use. */
static struct httpview_conn *
httpview_get(struct httpview *v, int id)
{
	struct httpview_conn	*c;
	size_t			 old = v->nconns;
	int			 d;

	if (id <= 0)
		return NULL;
	if ((size_t)id >= v->nconns) {
		v->nconns = (size_t)id * 2 + 16;
		v->conns = xrealloc(v->conns, v->nconns * sizeof *v->conns);
		memset(v->conns + old, 0, (v->nconns - old) *
		    sizeof *v->conns);
	}
	if ((c = v->conns[id]) != NULL)
		return c;
	c = xcalloc(1, sizeof *c);
	c->id = id;
	c->owner = v;
	/*
	 * No decoders yet (httpview_dec() makes them): many connections
	 * are not HTTP, and many carry bytes one way only for a while.
	 */
	for (d = 0; d < 2; d++) {
		c->cur[d] = -1;
		c->side[d].c = c;
		c->side[d].dir = (enum httpview_dir)d;
	}
	v->conns[id] = c;
	v->total += HTTPVIEW_CONN_COST;
	return c;
}

/*
 * The decoder of direction d, made now if nothing went that way yet; NULL
 * once that direction ended or the connection closed.
 */
static struct httpdec *
httpview_dec(struct httpview_conn *c, enum httpview_dir d)
{
	if (c->dec[d] == NULL && !c->closed && !c->ended[d])
		c->dec[d] = httpdec_new(HTTPDEC_AUTO, httpview_on_event,
		    &c->side[d]);
	return c->dec[d];
}

/*
 * Direction d decodes nothing more (its decoder is lost or saw EOF): free
 * its decoder, and make no other.
 */
static void
httpview_dec_end(struct httpview_conn *c, enum httpview_dir d)
{
	c->ended[d] = 1;
	if (c->dec[d] != NULL)
		httpdec_free(c->dec[d]);
	c->dec[d] = NULL;
}

/* Connection id, or NULL. */
const struct httpview_conn *
httpview_conn(const struct httpview *v, int id)
{
	if (id <= 0 || (size_t)id >= v->nconns)
		return NULL;
	return v->conns[id];
}

/* The first request line of connection id, or NULL. */
const char *
httpview_first_line(const struct httpview *v, int id)
{
	const struct httpview_conn	*c = httpview_conn(v, id);

	return c != NULL ? c->first : NULL;
}

/* The method of the request the next response sent answers. */
const char *
httpview_next_method(const struct httpview *v, int id)
{
	const struct httpview_conn	*c = httpview_conn(v, id);
	uint64_t			 want;
	size_t				 i;

	if (c == NULL)
		return NULL;
	/* Responses begun so far, unless the last one is still going. */
	want = c->seq[HTTPVIEW_OUT] + (c->cur[HTTPVIEW_OUT] >= 0 ? 0 : 1);
	for (i = 0; i < c->nmsgs; i++) {
		const struct httpview_msg	*m = &c->msgs[i];

		if (m->dir == HTTPVIEW_IN && m->request == 1 && m->seq == want)
			return m->method;
	}
	return NULL;
}

/*
 * Drop the oldest message (to keep the bound), fixing the indexes of the
 * messages being decoded; one that is dropped is decoded no further here.
 */
static void
httpview_drop_oldest(struct httpview_conn *c)
{
	int	d;

	if (c->nmsgs == 0)
		return;
	c->bytes -= c->msgs[0].bytes;
	c->owner->total -= c->msgs[0].bytes;
	httpview_msg_free(&c->msgs[0]);
	memmove(c->msgs, c->msgs + 1, (c->nmsgs - 1) * sizeof *c->msgs);
	c->nmsgs--;
	c->dropped++;
	for (d = 0; d < 2; d++) {
		if (c->cur[d] == 0)
			c->cur[d] = -1;
		else if (c->cur[d] > 0)
			c->cur[d]--;
	}
}

/*
 * Make room for need more bytes of head by dropping older messages (never
 * the one at index keep).  Returns nonzero when they fit.
 */
static int
httpview_room(struct httpview_conn *c, size_t need, long keep)
{
	while (c->bytes + need > HTTPVIEW_HEAD_BYTES && c->nmsgs > 0 &&
	    keep != 0) {
		httpview_drop_oldest(c);
		if (keep > 0)
			keep--;
	}
	return c->bytes + need <= HTTPVIEW_HEAD_BYTES;
}

/* A new message for direction d; returns its index. */
static long
httpview_begin(struct httpview_conn *c, enum httpview_dir d, int request,
    uint64_t offset)
{
	struct httpview_msg	*m;

	while (c->nmsgs >= HTTPVIEW_MSGS_MAX)
		httpview_drop_oldest(c);
	/* Room for one at first: a connection that is not HTTP has one
	 * message (its error), and idle ones are many. */
	if (c->nmsgs == c->cap) {
		c->cap = c->cap == 0 ? 1 : c->cap * 2;
		c->msgs = xrealloc(c->msgs, c->cap * sizeof *c->msgs);
	}
	m = &c->msgs[c->nmsgs];
	memset(m, 0, sizeof *m);
	m->dir = d;
	m->request = request;
	m->seq = ++c->seq[d];
	m->offset = offset;
	c->cur[d] = (long)c->nmsgs;
	c->nmsgs++;
	return c->cur[d];
}

/* Count bytes of head against the bound. */
static void
httpview_count(struct httpview_conn *c, struct httpview_msg *m, size_t n)
{
	m->bytes += n;
	c->bytes += n;
	c->owner->total += n;
}

/* Remember "METHOD TARGET" of the first request, escaped. */
static void
httpview_set_first(struct httpview_conn *c, const struct httpdec_event *ev)
{
	struct sbuf	b = { 0 };
	size_t		tn = ev->target_len;

	if (c->first != NULL)
		return;
	textesc_quote(&b, ev->method, ev->method_len, 0);
	sbuf_addc(&b, ' ');
	if (tn > HTTPVIEW_FIRST_MAX)
		tn = HTTPVIEW_FIRST_MAX;
	textesc_quote(&b, ev->target, tn, 1);
	if (tn < ev->target_len)
		sbuf_adds(&b, "...");
	c->first = b.p;
}

/* A start line: a new message. */
static void
httpview_start(struct httpview_conn *c, enum httpview_dir d,
    const struct httpdec_event *ev)
{
	struct httpview_msg	*m;
	struct httpdec		*od;
	long			 i;

	i = httpview_begin(c, d, ev->request, ev->offset);
	httpview_room(c, ev->line_len + 64, i);
	i = c->cur[d];
	m = &c->msgs[i];
	m->line = xstrndup(ev->line, ev->line_len);
	m->line_len = ev->line_len;
	m->major = ev->major;
	m->minor = ev->minor;
	httpview_count(c, m, ev->line_len + 64);
	if (ev->request == 1) {
		m->method = xstrndup(ev->method, ev->method_len);
		m->target = xstrndup(ev->target, ev->target_len);
		httpview_set_first(c, ev);
		/*
		 * A response on the other side answers it: HEAD has no body.
		 * That side's decoder is made now if need be, to keep the
		 * method until the response comes.
		 */
		if ((od = httpview_dec(c, (enum httpview_dir)!d)) != NULL) {
			char	*meth = xstrndup(ev->method, ev->method_len);

			httpdec_push_method(od, meth);
			free(meth);
		}
	} else {
		m->status = ev->status;
		m->reason = xstrndup(ev->reason, ev->reason_len);
	}
}

/* A header (or trailer) of the current message. */
static void
httpview_header(struct httpview_conn *c, struct httpview_msg *m,
    long idx, const struct httpdec_event *ev)
{
	struct httpview_header	*h;
	enum httpview_dir	 d = m->dir;
	size_t			 need = ev->name_len + ev->value_len + 32;

	/* Dropping older messages moves this one: find it again after. */
	if (!httpview_room(c, need, idx)) {
		c->msgs[c->cur[d]].headers_dropped++;
		return;
	}
	m = &c->msgs[c->cur[d]];
	m->headers = xrealloc(m->headers, (m->nheaders + 1) *
	    sizeof *m->headers);
	h = &m->headers[m->nheaders++];
	h->name = xstrndup(ev->name, ev->name_len);
	h->name_len = ev->name_len;
	h->value = xstrndup(ev->value, ev->value_len);
	h->value_len = ev->value_len;
	h->folds = ev->folds;
	h->trailer = ev->trailer;
	httpview_count(c, m, need);
}

/* A decoder's event: update the message it belongs to. */
static void
httpview_on_event(const struct httpdec_event *ev, void *arg)
{
	struct httpview_side	*s = arg;
	struct httpview_conn	*c = s->c;
	enum httpview_dir	 d = s->dir;
	struct httpview_msg	*m;
	long			 i;

	if (ev->kind == HTTPDEC_START_LINE) {
		httpview_start(c, d, ev);
		return;
	}
	i = c->cur[d];
	if (ev->kind == HTTPDEC_ERROR && i < 0) {
		/* Broken before a start line was whole. */
		i = httpview_begin(c, d, ev->request, ev->offset);
	}
	if (i < 0)
		return;		/* its message was dropped for the bound */
	m = &c->msgs[i];
	switch (ev->kind) {
	case HTTPDEC_START_LINE:
		break;
	case HTTPDEC_HEADER:
		httpview_header(c, m, i, ev);
		break;
	case HTTPDEC_HEADERS_END:
		m->head_done = 1;
		m->framing = ev->framing;
		m->content_length = ev->content_length;
		m->keep_alive = ev->keep_alive;
		if (c->owner->head != NULL)
			c->owner->head(c->t, c->id, m, c->owner->arg);
		break;
	case HTTPDEC_CHUNK:
		break;
	case HTTPDEC_BODY_BYTES:
		m->body_size += ev->len;
		break;
	case HTTPDEC_MESSAGE_END:
		m->done = 1;
		m->framing = ev->framing;
		m->body_size = ev->body_size;
		m->chunks = ev->chunks;
		m->keep_alive = ev->keep_alive;
		c->cur[d] = -1;
		break;
	case HTTPDEC_ERROR:
		m->error = xstrdup(ev->why != NULL ? ev->why : "malformed");
		m->error_offset = ev->offset;
		httpview_count(c, m, strlen(m->error));
		if (!m->head_done && c->owner->head != NULL)
			c->owner->head(c->t, c->id, m, c->owner->arg);
		c->cur[d] = -1;
		break;
	}
}

/* Feed bytes that went one way on a connection. */
void
httpview_feed(struct httpview *v, int id, enum httpview_dir dir,
    const void *p, size_t n, double t)
{
	struct httpview_conn	*c = httpview_get(v, id);
	struct httpdec		*dec;

	if (c == NULL || n == 0 || (dec = httpview_dec(c, dir)) == NULL)
		return;
	c->t = t;
	/* Lost, it ignores everything after: a connection that is not HTTP
	 * keeps only what was said of it. */
	if (httpdec_feed(dec, p, n) == -1)
		httpview_dec_end(c, dir);
}

/* One direction of a connection ended. */
static void
httpview_eof(struct httpview *v, int id, enum httpview_dir dir, double t)
{
	struct httpview_conn	*c;

	if (id <= 0 || (size_t)id >= v->nconns || v->conns[id] == NULL)
		return;
	c = v->conns[id];
	if (c->dec[dir] != NULL) {
		c->t = t;
		httpdec_eof(c->dec[dir]);
	}
	/* Nothing more goes this way: no decoder made later. */
	httpview_dec_end(c, dir);
}

/* Feed a socket event. */
void
httpview_event(struct httpview *v, const struct ev *e)
{
	struct httpview_conn	*c;

	if (e->conn <= 0)
		return;
	switch (e->kind) {
	case EV_RECV:
		httpview_feed(v, e->conn, HTTPVIEW_IN, e->data, e->len, e->t);
		break;
	case EV_SEND:
		httpview_feed(v, e->conn, HTTPVIEW_OUT, e->data, e->len, e->t);
		break;
	case EV_EOF:
		httpview_eof(v, e->conn, HTTPVIEW_IN, e->t);
		break;
	case EV_SHUTDOWN:
		httpview_eof(v, e->conn, HTTPVIEW_OUT, e->t);
		break;
	case EV_CLOSED:
		/* A body read until close ends here; then free the decoders. */
		httpview_eof(v, e->conn, HTTPVIEW_IN, e->t);
		httpview_eof(v, e->conn, HTTPVIEW_OUT, e->t);
		if ((size_t)e->conn < v->nconns &&
		    (c = v->conns[e->conn]) != NULL)
			httpview_conn_end(c);
		httpview_reclaim(v);
		break;
	default:
		break;
	}
}

/* Columns of an escaped header name (ASCII only: quoted without UTF-8). */
static size_t
httpview_name_cols(const struct httpview_header *h)
{
	struct sbuf	b = { 0 };
	size_t		n;

	textesc_quote(&b, h->name, h->name_len, 0);
	n = b.len;
	sbuf_free(&b);
	return n;
}

/* The body row of a message whose head is complete. */
static void
httpview_body_row(struct sbuf *b, const struct httpview_msg *m)
{
	const char	*more = m->done ? "" : " so far";

	switch (m->framing) {
	case HTTPDEC_NO_BODY:
		sbuf_adds(b, "no body");
		break;
	case HTTPDEC_LENGTH:
		sbuf_printf(b, "body %" PRIu64 " B%s, Content-Length %" PRIu64,
		    m->body_size, more, m->content_length);
		break;
	case HTTPDEC_CHUNKED:
		sbuf_printf(b, "body %" PRIu64 " B%s, chunked", m->body_size,
		    more);
		if (m->done)
			sbuf_printf(b, " (%" PRIu64 " chunk%s)", m->chunks,
			    m->chunks == 1 ? "" : "s");
		break;
	case HTTPDEC_UNTIL_CLOSE:
		sbuf_printf(b, "body %" PRIu64 " B%s, until close",
		    m->body_size, more);
		break;
	}
	sbuf_adds(b, m->keep_alive ? ", keep-alive" : ", then close");
}

/* Render one message's rows; returns how many. */
static size_t
httpview_render_msg(const struct httpview_msg *m, httpview_row_fn *fn,
    void *arg)
{
	struct sbuf	b = { 0 };
	size_t		i, cols, w = 0, rows = 0;

	sbuf_printf(&b, "%s %" PRIu64 ", %s at byte %" PRIu64,
	    m->request == 1 ? "request" : m->request == 0 ? "response" :
	    "message", m->seq, m->dir == HTTPVIEW_IN ? "received" : "sent",
	    m->offset);
	fn(HTTPVIEW_ROW_HEADING, m->dir, b.p, arg);
	rows++;
	if (m->line != NULL) {
		sbuf_reset(&b);
		textesc_quote(&b, m->line, m->line_len, 1);
		fn(HTTPVIEW_ROW_START, m->dir, b.p, arg);
		rows++;
	}
	for (i = 0; i < m->nheaders; i++) {
		cols = httpview_name_cols(&m->headers[i]) + 1;
		if (cols > w && cols <= HTTPVIEW_NAME_COLS)
			w = cols;
	}
	for (i = 0; i < m->nheaders; i++) {
		const struct httpview_header	*h = &m->headers[i];

		sbuf_reset(&b);
		textesc_quote(&b, h->name, h->name_len, 0);
		sbuf_addc(&b, ':');
		cols = b.len;
		do
			sbuf_addc(&b, ' ');
		while (++cols < w + 1);
		textesc_quote(&b, h->value, h->value_len, 1);
		if (h->folds > 0)
			sbuf_printf(&b, "   [obs-fold: %d continuation "
			    "line%s joined]", h->folds, h->folds == 1 ? "" : "s");
		if (h->trailer)
			sbuf_adds(&b, "   [trailer]");
		fn(h->folds > 0 ? HTTPVIEW_ROW_ERROR : HTTPVIEW_ROW_HEADER,
		    m->dir, b.p, arg);
		rows++;
	}
	if (m->headers_dropped > 0) {
		sbuf_reset(&b);
		sbuf_printf(&b, "... %zu more header%s not kept (%d KiB a "
		    "connection)", m->headers_dropped,
		    m->headers_dropped == 1 ? "" : "s",
		    HTTPVIEW_HEAD_BYTES / 1024);
		fn(HTTPVIEW_ROW_NOTE, m->dir, b.p, arg);
		rows++;
	}
	sbuf_reset(&b);
	if (m->head_done) {
		httpview_body_row(&b, m);
		fn(HTTPVIEW_ROW_BODY, m->dir, b.p, arg);
		rows++;
	} else if (m->error == NULL) {
		fn(HTTPVIEW_ROW_NOTE, m->dir, "head not complete yet", arg);
		rows++;
	}
	if (m->error != NULL) {
		sbuf_reset(&b);
		sbuf_printf(&b, "malformed at byte %" PRIu64 ": ",
		    m->error_offset);
		/* The decoder's words are ASCII, but stay safe anyway. */
		textesc_quote(&b, m->error, strlen(m->error), 0);
		sbuf_adds(&b, "; the rest of this direction is not decoded");
		fn(HTTPVIEW_ROW_ERROR, m->dir, b.p, arg);
		rows++;
	}
	sbuf_free(&b);
	return rows;
}

/* Render a connection as rows. */
size_t
httpview_render(const struct httpview_conn *c, httpview_row_fn *fn,
    void *arg)
{
	char	buf[128];
	size_t	i, rows = 0;

	if (c == NULL)
		return 0;
	if (c->dropped > 0) {
		snprintf(buf, sizeof buf, "%" PRIu64 " earlier message%s not "
		    "kept (at most %d messages, %d KiB a connection)",
		    c->dropped, c->dropped == 1 ? "" : "s", HTTPVIEW_MSGS_MAX,
		    HTTPVIEW_HEAD_BYTES / 1024);
		fn(HTTPVIEW_ROW_NOTE, HTTPVIEW_IN, buf, arg);
		rows++;
	}
	for (i = 0; i < c->nmsgs; i++)
		rows += httpview_render_msg(&c->msgs[i], fn, arg);
	return rows;
}

/* Append ,"key": and a JSON string of n raw bytes. */
static void
httpview_json_str(struct sbuf *out, const char *key, const char *s)
{
	sbuf_printf(out, ",\"%s\":", key);
	transcript_json_string(out, s);
}

/* Append the JSON Lines object for a head. */
void
httpview_json(struct sbuf *out, double t, int conn,
    const struct httpview_msg *m)
{
	double		x = t * 1e6 + 0.5;
	uint64_t	us = x > 0 && x < 9007199254740992.0 ? (uint64_t)x : 0;
	size_t		i;

	/* The time as the transcript writes it: seconds, 6 decimals. */
	sbuf_printf(out, "{\"t\":%" PRIu64 ".%06" PRIu64 ",\"event\":\"http\","
	    "\"conn\":%d", us / 1000000, us % 1000000, conn);
	sbuf_printf(out, ",\"direction\":\"%s\",\"kind\":\"%s\",\"msg\":%"
	    PRIu64 ",\"offset\":%" PRIu64,
	    m->dir == HTTPVIEW_IN ? "recv" : "send",
	    m->request == 1 ? "request" : m->request == 0 ? "response" :
	    "unknown", m->seq, m->offset);
	if (m->line != NULL) {
		if (m->request == 1) {
			httpview_json_str(out, "method", m->method);
			httpview_json_str(out, "target", m->target);
		} else {
			sbuf_printf(out, ",\"status\":%d", m->status);
			httpview_json_str(out, "reason", m->reason);
		}
		sbuf_printf(out, ",\"version\":\"HTTP/%d.%d\"", m->major,
		    m->minor);
		sbuf_adds(out, ",\"headers\":[");
		for (i = 0; i < m->nheaders; i++) {
			sbuf_adds(out, i == 0 ? "[" : ",[");
			transcript_json_string(out, m->headers[i].name);
			sbuf_addc(out, ',');
			transcript_json_string(out, m->headers[i].value);
			sbuf_addc(out, ']');
		}
		sbuf_addc(out, ']');
	}
	if (m->head_done) {
		httpview_json_str(out, "framing",
		    httpdec_framing_name(m->framing));
		if (m->framing == HTTPDEC_LENGTH)
			sbuf_printf(out, ",\"content_length\":%" PRIu64,
			    m->content_length);
		sbuf_printf(out, ",\"keep_alive\":%s",
		    m->keep_alive ? "true" : "false");
	}
	if (m->error != NULL) {
		httpview_json_str(out, "error", m->error);
		sbuf_printf(out, ",\"error_offset\":%" PRIu64, m->error_offset);
	}
	sbuf_adds(out, "}\n");
}
