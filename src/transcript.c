/*
 * transcript.c: the batch transcript (SPEC section 5).  Owns both formats:
 * text (a header line per event, then `hexdump -C` rows for data) and
 * JSON Lines (one object per event).
 *
 * batch.c writes the transcript to standard output and app.c to the -o log
 * file; both pass each struct ev from net.c to transcript_event().  Pure:
 * appends to a buffer.  Every string that came from outside is escaped
 * (textesc_quote() in text, JSON escapes in JSON), numbers are printed
 * without the locale's help so that "0.5" never becomes "0,5".  Lines
 * written per chunk (data headers, ids, times, JSON numbers) append their
 * numbers with sbuf_add_u64() and friends instead of printf, which cost
 * more than the rest of a header; rare lines keep sbuf_printf().
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sockscope/evlog.h"
#include "sockscope/hexdump.h"
#include "sockscope/textesc.h"
#include "sockscope/tls.h"
#include "sockscope/transcript.h"
#include "sockscope/util.h"

static void transcript_rows(struct sbuf *, const struct ev *);
static void transcript_json_int(struct sbuf *, const char *, int);

/* Append seconds as "S.SSSSSS" with a '.' whatever LC_NUMERIC says;
 * negative or non-finite times (never produced by a sane clock) give 0. */
static void
transcript_seconds(struct sbuf *out, double t)
{
	double		x = t * 1e6 + 0.5;
	uint64_t	us;

	/* 2^53 microseconds is 285 years: far past any session. */
	if (!isfinite(x) || x < 0)
		x = 0;
	else if (x > 9007199254740992.0)
		x = 9007199254740992.0;
	us = (uint64_t)x;
	sbuf_add_u64(out, us / 1000000);
	sbuf_addc(out, '.');
	sbuf_add_u64_pad(out, us % 1000000, 6);
}

/* The plural ending for a count of n: "" for 1, "s" otherwise. */
static const char *
transcript_plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* Append "n word" with an "s" unless n is 1 ("1 byte", "0 chunks"). */
static void
transcript_count(struct sbuf *out, uint64_t n, const char *word)
{
	sbuf_add_u64(out, n);
	sbuf_addc(out, ' ');
	sbuf_adds(out, word);
	sbuf_adds(out, transcript_plural(n));
}

/* Append a socket's name: tag ('#' or 'L') and id, as in "#3". */
static void
transcript_tag(struct sbuf *out, char tag, int id)
{
	sbuf_addc(out, tag);
	sbuf_add_i64(out, id);
}

/* Append a string from outside escaped for a terminal; NULL gives "?". */
static void
transcript_quote(struct sbuf *out, const char *s)
{
	if (s == NULL)
		s = "?";
	textesc_quote(out, s, strlen(s), 1);
}

/* The first of a and b that is set and not empty (conn.c keeps "" for an
 * address not known yet), or NULL. */
static const char *
transcript_pick(const char *a, const char *b)
{
	if (a != NULL && *a != '\0')
		return a;
	if (b != NULL && *b != '\0')
		return b;
	return NULL;
}

/* Append "#id " or "Lid " naming the socket e concerns (conn first). */
static void
transcript_id(struct sbuf *out, const struct ev *e)
{
	if (e->conn != 0)
		transcript_tag(out, '#', e->conn);
	else if (e->listener != 0)
		transcript_tag(out, 'L', e->listener);
	else
		return;
	sbuf_addc(out, ' ');
}

/* Nonzero if e's call is name. */
static int
transcript_call_is(const struct ev *e, const char *name)
{
	return e->call != NULL && strcmp(e->call, name) == 0;
}

/* Nonzero if an EV_WAIT says nothing worth a line: a send that would block
 * with nothing queued (evlog_add() drops the same). */
static int
transcript_wait_empty(const struct ev *e)
{
	return e->kind == EV_WAIT && e->len == 0 &&
	    transcript_call_is(e, "send");
}

/* " over udp" for an event about a socket that is not TCP (TCP lines stay
 * as they always were). */
static void
transcript_over(struct sbuf *out, const struct ev *e)
{
	if (e->transport != NULL && *e->transport != '\0') {
		sbuf_adds(out, " over ");
		transcript_quote(out, e->transport);
	}
}

/* Append the text header line of e (prefix, id and words, no newline). */
static void
transcript_text_header(struct sbuf *out, const struct ev *e)
{
	switch (e->kind) {
	case EV_LISTENING:
		sbuf_adds(out, "* ");
		transcript_id(out, e);
		sbuf_adds(out, "listening on ");
		transcript_quote(out, transcript_pick(e->addr, e->local));
		if (e->all_interfaces)
			sbuf_adds(out, " (all interfaces)");
		transcript_over(out, e);
		break;
	case EV_ACCEPTED:
		sbuf_adds(out, "* ");
		transcript_tag(out, '#', e->conn);
		sbuf_adds(out, " accepted from ");
		transcript_quote(out, e->peer);
		if (e->listener != 0) {
			sbuf_adds(out, " on ");
			transcript_tag(out, 'L', e->listener);
		}
		transcript_over(out, e);
		break;
	case EV_CONNECTING:
		sbuf_adds(out, "* ");
		transcript_id(out, e);
		sbuf_adds(out, "connecting to ");
		transcript_quote(out, transcript_pick(e->addr, e->peer));
		break;
	case EV_CONNECTED:
		sbuf_adds(out, "* ");
		transcript_id(out, e);
		sbuf_adds(out, "connected to ");
		transcript_quote(out, transcript_pick(e->peer, e->addr));
		if (transcript_pick(e->local, NULL) != NULL) {
			sbuf_adds(out, " from ");
			transcript_quote(out, e->local);
		}
		transcript_over(out, e);
		break;
	case EV_RECV:
		sbuf_adds(out, "< ");
		transcript_id(out, e);
		sbuf_adds(out, "recv ");
		transcript_count(out, e->len, "byte");
		if (e->chunk != 0) {
			sbuf_adds(out, " [chunk ");
			sbuf_add_u64(out, e->chunk);
			sbuf_addc(out, ']');
		}
		break;
	case EV_SEND:
		sbuf_adds(out, "> ");
		transcript_id(out, e);
		sbuf_adds(out, "send ");
		transcript_count(out, e->len, "byte");
		/* A partial send is worth seeing, as a partial read is. */
		if (e->asked > e->len) {
			sbuf_adds(out, " (of ");
			sbuf_add_u64(out, e->asked);
			sbuf_adds(out, " asked)");
		}
		break;
	case EV_EOF:
		sbuf_adds(out, "< ");
		transcript_id(out, e);
		sbuf_adds(out, "recv 0 bytes: EOF (peer finished sending)");
		break;
	case EV_SHUTDOWN:
		sbuf_adds(out, "> ");
		transcript_id(out, e);
		sbuf_adds(out, "shutdown: EOF sent");
		break;
	case EV_RESET:
		/* A reset by the peer is a failure ('!'); ours is a state. */
		sbuf_adds(out, e->by_peer ? "! " : "* ");
		transcript_id(out, e);
		sbuf_adds(out, e->by_peer ? "reset by peer" :
		    "reset: RST sent");
		break;
	case EV_CLOSED:
		sbuf_adds(out, "* ");
		transcript_id(out, e);
		sbuf_adds(out, "closed");
		if (e->conn != 0) {
			sbuf_adds(out, " (in ");
			transcript_count(out, e->in_bytes, "byte");
			sbuf_adds(out, " in ");
			transcript_count(out, e->in_chunks, "chunk");
			sbuf_adds(out, ", out ");
			transcript_count(out, e->out_bytes, "byte");
			sbuf_addc(out, ')');
		}
		break;
	case EV_ERROR:
		sbuf_adds(out, "! ");
		transcript_id(out, e);
		evlog_error_text(out, e);
		break;
	case EV_WAIT:
		if (transcript_call_is(e, "send")) {
			sbuf_adds(out, "> ");
			transcript_id(out, e);
			sbuf_adds(out, "send: peer not reading, ");
			transcript_count(out, e->len, "byte");
			sbuf_adds(out, " queued");
		} else {
			sbuf_adds(out, "< ");
			transcript_id(out, e);
			sbuf_adds(out, "recv: nothing waiting (EAGAIN)");
		}
		break;
	case EV_TLS:
		sbuf_adds(out, "* ");
		transcript_id(out, e);
		sbuf_adds(out, "TLS: ");
		transcript_quote(out, transcript_pick(e->message, "?"));
		break;
	}
}

/* Append the text transcript of e: header line, then data rows. */
static void
transcript_text(const struct transcript *tr, struct sbuf *out,
    const struct ev *e)
{
	if (tr->timestamps) {
		sbuf_addc(out, '+');
		transcript_seconds(out, e->t);
		sbuf_addc(out, ' ');
	}
	transcript_text_header(out, e);
	sbuf_addc(out, '\n');
	transcript_rows(out, e);
}

/* Append the text transcript of e with --notation: the data rows alone
 * when its call's record said the rest (transcript_call()). */
static void
transcript_text_narrated(const struct transcript *tr, struct sbuf *out,
    const struct ev *e)
{
	if (!evlog_ev_is_call(e)) {
		transcript_text(tr, out, e);
		return;
	}
	transcript_rows(out, e);
}

/* Append the transcript line of a record; nonzero if it wrote one. */
int
transcript_call(const struct transcript *tr, struct sbuf *out,
    const struct sysrec *r)
{
	struct sbuf	line = { 0 };
	const char	*ref;

	if (tr->format == TRANSCRIPT_JSON) {
		sysrec_json(&line, r);
		if (line.p == NULL || line.p[0] != '{') {
			sbuf_free(&line);
			return 0;
		}
		sbuf_adds(out, "{\"t\":");
		transcript_seconds(out, r->t);
		sbuf_adds(out, ",\"event\":\"call\"");
		if (r->conn != 0)
			transcript_json_int(out, "conn", r->conn);
		if (r->listener != 0)
			transcript_json_int(out, "listener", r->listener);
		ref = line.p + 1;
		if (*ref != '}')
			sbuf_addc(out, ',');
		sbuf_adds(out, ref);
		sbuf_addc(out, '\n');
		sbuf_free(&line);
		return 1;
	}
	if (!tr->narrate)
		return 0;
	if (evlog_rec_text(&line, r, tr->notation) != 0) {
		sbuf_free(&line);
		return 0;
	}
	if (tr->timestamps) {
		sbuf_addc(out, '+');
		transcript_seconds(out, r->t);
		sbuf_addc(out, ' ');
	}
	if (line.p != NULL)
		sbuf_adds(out, line.p);
	sbuf_addc(out, '\n');
	sbuf_free(&line);
	return 1;
}

/* Append e's data as hexdump rows, if it carries data. */
static void
transcript_rows(struct sbuf *out, const struct ev *e)
{
	if ((e->kind == EV_RECV || e->kind == EV_SEND) && e->data != NULL)
		hexdump_chunk(out, "  ", e->offset, e->data, e->len);
}

/* The JSON "event" name of a kind. */
static const char *
transcript_event_name(enum ev_kind kind)
{
	switch (kind) {
	case EV_LISTENING:
		return "listening";
	case EV_ACCEPTED:
		return "accepted";
	case EV_CONNECTING:
		return "connecting";
	case EV_CONNECTED:
		return "connected";
	case EV_RECV:
		return "recv";
	case EV_SEND:
		return "send";
	case EV_EOF:
		return "eof";
	case EV_SHUTDOWN:
		return "shutdown";
	case EV_RESET:
		return "reset";
	case EV_CLOSED:
		return "closed";
	case EV_ERROR:
		return "error";
	case EV_WAIT:
		return "wait";
	case EV_TLS:
		return "tls";
	}
	return "unknown";
}

/* Append one \uXXXX escape. */
static void
transcript_json_u(struct sbuf *out, unsigned int u)
{
	static const char	 hex[] = "0123456789abcdef";
	char			*p = sbuf_reserve(out, 6);

	p[0] = '\\';
	p[1] = 'u';
	p[2] = hex[(u >> 12) & 0xf];
	p[3] = hex[(u >> 8) & 0xf];
	p[4] = hex[(u >> 4) & 0xf];
	p[5] = hex[u & 0xf];
	out->len += 6;
	out->p[out->len] = '\0';
}

/*
 * Append the non-ASCII sequence at p (n bytes left) for a JSON string and
 * return the bytes used.  Valid printable UTF-8 is kept; a valid but
 * unprintable code point (C1, bidi, zero-width) becomes its \u escape so
 * that `cat` of the output cannot reach the terminal; a byte that is not
 * valid UTF-8 becomes \u00XX of the byte, so the output is always valid
 * UTF-8.
 */
static size_t
transcript_json_utf8(struct sbuf *out, const unsigned char *p, size_t n)
{
	uint32_t	cp;
	size_t		l;

	l = textesc_utf8_decode(p, n, &cp);
	if (l == 0) {
		transcript_json_u(out, p[0]);
		return 1;
	}
	if (textesc_printable(cp))
		sbuf_add(out, p, l);
	else if (cp >= 0x10000) {
		cp -= 0x10000;
		transcript_json_u(out, 0xd800 + (cp >> 10));
		transcript_json_u(out, 0xdc00 + (cp & 0x3ff));
	} else
		transcript_json_u(out, cp);
	return l;
}

/* Append n bytes as the inside of a JSON string. */
static void
transcript_json_bytes(struct sbuf *out, const unsigned char *p, size_t n)
{
	size_t	i = 0, run = 0;

	while (i < n) {
		unsigned char	c = p[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			i++;
			run++;
			continue;
		}
		/* Copy the plain run at once: most strings are all plain. */
		sbuf_add(out, p + i - run, run);
		run = 0;
		if (c >= 0x80) {
			i += transcript_json_utf8(out, p + i, n - i);
			continue;
		}
		switch (c) {
		case '"':
			sbuf_adds(out, "\\\"");
			break;
		case '\\':
			sbuf_adds(out, "\\\\");
			break;
		case '\n':
			sbuf_adds(out, "\\n");
			break;
		case '\r':
			sbuf_adds(out, "\\r");
			break;
		case '\t':
			sbuf_adds(out, "\\t");
			break;
		default:
			transcript_json_u(out, c);
			break;
		}
		i++;
	}
	sbuf_add(out, p + i - run, run);
}

/* Append s as a JSON string literal with quotes; NULL appends null. */
void
transcript_json_string(struct sbuf *out, const char *s)
{
	if (s == NULL) {
		sbuf_adds(out, "null");
		return;
	}
	sbuf_addc(out, '"');
	transcript_json_bytes(out, (const unsigned char *)s, strlen(s));
	sbuf_addc(out, '"');
}

/* Append ,"key": for a key that needs no escaping. */
static void
transcript_json_key(struct sbuf *out, const char *key)
{
	sbuf_adds(out, ",\"");
	sbuf_adds(out, key);
	sbuf_adds(out, "\":");
}

/* Append ,"key":"value" unless value is NULL or empty. */
static void
transcript_json_str(struct sbuf *out, const char *key, const char *value)
{
	if (value == NULL || *value == '\0')
		return;
	transcript_json_key(out, key);
	transcript_json_string(out, value);
}

/* Append ,"key":n. */
static void
transcript_json_num(struct sbuf *out, const char *key, uint64_t n)
{
	transcript_json_key(out, key);
	sbuf_add_u64(out, n);
}

/* Append ,"key":n for a signed n (an id). */
static void
transcript_json_int(struct sbuf *out, const char *key, int n)
{
	transcript_json_key(out, key);
	sbuf_add_i64(out, n);
}

/* The fields of a complete TLS handshake (EV_TLS). */
static void
transcript_json_tls(struct sbuf *out, const struct ev *e)
{
	const struct tls_info	*i = e->tls;

	transcript_json_str(out, "summary", e->message);
	if (i == NULL)
		return;
	transcript_json_str(out, "role", i->server ? "server" : "client");
	transcript_json_str(out, "version", i->version);
	transcript_json_str(out, "cipher", i->cipher);
	transcript_json_str(out, "alpn", i->alpn);
	transcript_json_str(out, "sni", i->sni);
	if (i->peer_cert) {
		transcript_json_str(out, "subject", i->peer.subject);
		transcript_json_str(out, "issuer", i->peer.issuer);
		transcript_json_str(out, "san", i->peer.san);
		transcript_json_str(out, "not_before", i->peer.not_before);
		transcript_json_str(out, "not_after", i->peer.not_after);
	}
	sbuf_printf(out, ",\"verify_code\":%ld", i->verify_code);
	transcript_json_str(out, "verify", i->verify);
	sbuf_printf(out, ",\"verify_enforced\":%s",
	    i->verify_enforced ? "true" : "false");
}

/* Append ,"hex":"..." for n bytes: two table lookups a byte into room
 * reserved once, since chunks can be a megabyte. */
static void
transcript_json_hex(struct sbuf *out, const unsigned char *p, size_t n)
{
	static const char	 hex[] = "0123456789abcdef";
	char			*q;
	size_t			 i;

	sbuf_adds(out, ",\"hex\":\"");
	if (n > (SIZE_MAX - 2) / 2)
		util_fatal("chunk too large (%zu bytes)", n);
	q = sbuf_reserve(out, 2 * n + 1);
	for (i = 0; i < n; i++) {
		*q++ = hex[p[i] >> 4];
		*q++ = hex[p[i] & 0xf];
	}
	*q = '"';
	out->len += 2 * n + 1;
	out->p[out->len] = '\0';
}

/* Append the JSON Lines object of e with its newline. */
static void
transcript_json(struct sbuf *out, const struct ev *e)
{
	struct sbuf	 msg = { 0 };
	const char	*errname;

	sbuf_adds(out, "{\"t\":");
	transcript_seconds(out, e->t);
	sbuf_adds(out, ",\"event\":\"");
	sbuf_adds(out, transcript_event_name(e->kind));
	sbuf_addc(out, '"');
	if (e->conn != 0)
		transcript_json_int(out, "conn", e->conn);
	/* Events of an accepted conn carry its listener too; only accepting
	 * is about both. */
	if (e->listener != 0 && (e->conn == 0 || e->kind == EV_ACCEPTED))
		transcript_json_int(out, "listener", e->listener);

	switch (e->kind) {
	case EV_LISTENING:
	case EV_ACCEPTED:
	case EV_CONNECTING:
	case EV_CONNECTED:
		transcript_json_str(out, "addr", e->addr);
		transcript_json_str(out, "local", e->local);
		transcript_json_str(out, "peer", e->peer);
		if (e->kind == EV_LISTENING && e->all_interfaces)
			sbuf_adds(out, ",\"all_interfaces\":true");
		transcript_json_str(out, "transport", e->transport);
		break;
	case EV_RECV:
	case EV_SEND:
		transcript_json_num(out, "bytes", e->len);
		if (e->kind == EV_RECV || e->chunk != 0)
			transcript_json_num(out, "chunk", e->chunk);
		transcript_json_num(out, "offset", e->offset);
		if (e->asked != 0)
			transcript_json_num(out, "asked", e->asked);
		transcript_json_hex(out, e->data, e->data != NULL ? e->len : 0);
		break;
	case EV_EOF:
		transcript_json_num(out, "bytes", 0);
		if (e->asked != 0)
			transcript_json_num(out, "asked", e->asked);
		break;
	case EV_SHUTDOWN:
		break;
	case EV_RESET:
		sbuf_printf(out, ",\"by\":\"%s\"", e->by_peer ? "peer" : "us");
		if (e->err != 0)
			transcript_json_str(out, "errno",
			    evlog_errname(e->err));
		break;
	case EV_CLOSED:
		if (e->conn != 0) {
			transcript_json_num(out, "in_bytes", e->in_bytes);
			transcript_json_num(out, "in_chunks", e->in_chunks);
			transcript_json_num(out, "out_bytes", e->out_bytes);
		}
		break;
	case EV_ERROR:
		transcript_json_str(out, "call", e->call);
		transcript_json_str(out, "addr", e->addr);
		/* A resolve failure has no errno; its EAI name stands in. */
		errname = NULL;
		if (e->err != 0)
			errname = evlog_errname(e->err);
		else if (e->gai != 0)
			errname = evlog_gainame(e->gai);
		transcript_json_str(out, "errno", errname);
		if (e->gai != 0)
			transcript_json_str(out, "gai", evlog_gainame(e->gai));
		evlog_error_text(&msg, e);
		transcript_json_str(out, "message", msg.p != NULL ? msg.p : "");
		sbuf_free(&msg);
		break;
	case EV_WAIT:
		transcript_json_str(out, "call",
		    transcript_call_is(e, "send") ? "send" : "recv");
		if (e->asked != 0)
			transcript_json_num(out, "asked", e->asked);
		if (transcript_call_is(e, "send"))
			transcript_json_num(out, "queued", e->len);
		transcript_json_str(out, "errno", "EAGAIN");
		break;
	case EV_TLS:
		transcript_json_tls(out, e);
		break;
	}
	sbuf_adds(out, "}\n");
}

/* Append the transcript of e to out; returns nonzero if it wrote any. */
int
transcript_event(const struct transcript *tr, struct sbuf *out,
    const struct ev *e)
{
	if (transcript_wait_empty(e))
		return 0;
	if (tr->format == TRANSCRIPT_JSON)
		transcript_json(out, e);
	else if (tr->narrate)
		transcript_text_narrated(tr, out, e);
	else
		transcript_text(tr, out, e);
	return 1;
}

/* Append the line saying that closing #conn dropped n queued bytes. */
void
transcript_dropped(const struct transcript *tr, struct sbuf *out, double t,
    int conn, size_t n)
{
	if (tr->format == TRANSCRIPT_JSON) {
		sbuf_adds(out, "{\"t\":");
		transcript_seconds(out, t);
		sbuf_printf(out, ",\"event\":\"dropped\",\"conn\":%d,"
		    "\"bytes\":%zu}\n", conn, n);
		return;
	}
	if (tr->timestamps) {
		sbuf_addc(out, '+');
		transcript_seconds(out, t);
		sbuf_addc(out, ' ');
	}
	sbuf_printf(out, "! #%d dropped %zu queued byte%s never sent\n", conn,
	    n, n == 1 ? "" : "s");
}
