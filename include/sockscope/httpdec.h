/*
 * httpdec.h: an incremental HTTP/1.x decoder (SPEC section 13).  One
 * decoder reads one direction of one connection: it is fed whatever bytes
 * arrived, in chunks of any size, never sees a byte twice and never looks
 * at the store, so evictions do not matter to it.
 *
 * It reports what it finds as events, through a callback, in stream order:
 *
 *   START_LINE    the request line or the status line
 *   HEADER        one header, name and value (obs-fold continuations are
 *                 joined with one space and counted in folds)
 *   HEADERS_END   the empty line: how the body is framed
 *   CHUNK         a chunk-size line of a chunked body (size, extension)
 *   BODY_BYTES    body bytes (chunked: the payload only), in any number of
 *                 pieces: feeding the same bytes in other chunks may split
 *                 them differently, every other event is identical
 *   MESSAGE_END   a message is complete: body size and framing
 *   ERROR         bytes that break the grammar: where (stream offset of the
 *                 offending byte) and why (one line of ASCII); after it the
 *                 decoder is lost and ignores everything
 *
 * Trailers of a chunked body come as HEADER events with trailer set.
 * Pipelined messages follow each other; each starts with START_LINE.
 *
 * Limits: a start line, a header line (with its folds) or a chunk-size line
 * holds at most HTTPDEC_LINE_MAX bytes, not counting CR LF; a message has at
 * most HTTPDEC_HEADERS_MAX headers (and as many trailers).  Past a limit
 * the decoder reports an ERROR.  A decoder holds at most about
 * 2 * HTTPDEC_LINE_MAX bytes whatever it is fed; bodies are never kept.
 * Its line buffers start at a few hundred bytes when the first line
 * begins, grow only as long lines need, shrink back after a message that
 * grew them, and are freed once it is lost (ERROR) or ended (EOF).
 *
 * Line ends are CR LF; a bare LF is accepted as one (RFC 9112 2.2), a CR
 * not followed by LF is an error.  Empty lines before a start line are
 * skipped.
 *
 * Pure: no I/O, no clock.  Nothing here is escaped: event strings may hold
 * HTAB and bytes 0x80-0xff, so a view escapes them (textesc.h) before
 * drawing; httpdec_event_describe() does.
 */
#ifndef SOCKSCOPE_HTTPDEC_H
#define SOCKSCOPE_HTTPDEC_H

#include <stddef.h>
#include <stdint.h>

struct sbuf;

/* Longest start, header or chunk-size line, without CR LF. */
#define HTTPDEC_LINE_MAX	8192
/* Most headers in one message (trailers count separately). */
#define HTTPDEC_HEADERS_MAX	100
/* Most request methods queued with httpdec_push_method(). */
#define HTTPDEC_METHODS_MAX	32

/* Which direction a decoder reads. */
enum httpdec_dir {
	HTTPDEC_AUTO,		/* decided by the first start line: a line
				   starting "HTTP/" is a response */
	HTTPDEC_REQUEST,	/* client to server */
	HTTPDEC_RESPONSE	/* server to client */
};

enum httpdec_kind {
	HTTPDEC_START_LINE,
	HTTPDEC_HEADER,
	HTTPDEC_HEADERS_END,
	HTTPDEC_CHUNK,
	HTTPDEC_BODY_BYTES,
	HTTPDEC_MESSAGE_END,
	HTTPDEC_ERROR
};

/* How a body is delimited. */
enum httpdec_framing {
	HTTPDEC_NO_BODY,	/* request without length, HEAD, 1xx, 204, 304 */
	HTTPDEC_LENGTH,		/* Content-Length (0 included) */
	HTTPDEC_CHUNKED,	/* Transfer-Encoding ending in chunked */
	HTTPDEC_UNTIL_CLOSE	/* response: until the connection closes
				   (also after 101 and a 2xx to CONNECT) */
};

/*
 * One event.  Fields that do not belong to the kind are 0 / NULL.  Every
 * pointer is valid only during the callback; strings are NUL-terminated
 * and their lengths given too.
 */
struct httpdec_event {
	enum httpdec_kind	 kind;
	int			 request;	/* 1 request, 0 response, -1 not
						   known yet (AUTO, an ERROR in
						   the first start line) */
	uint64_t		 msg;		/* 1, 2, ... in this stream */
	uint64_t		 offset;	/* stream offset of the first byte
						   reported (MESSAGE_END: of the
						   message; ERROR: the bad byte) */
	uint64_t		 end;		/* just past the bytes reported */

	/* START_LINE: the whole line, then its parts. */
	const char		*line;
	size_t			 line_len;
	const char		*method;	/* requests */
	size_t			 method_len;
	const char		*target;	/* requests */
	size_t			 target_len;
	int			 major, minor;	/* HTTP/major.minor */
	int			 status;	/* responses: 100-999 */
	const char		*reason;	/* responses, may be "" */
	size_t			 reason_len;

	/* HEADER: value without leading and trailing spaces and tabs. */
	const char		*name;
	size_t			 name_len;
	const char		*value;
	size_t			 value_len;
	int			 folds;		/* obs-fold continuation lines */
	int			 trailer;	/* 1 in a chunked body's trailers */

	/* HEADERS_END and MESSAGE_END. */
	enum httpdec_framing	 framing;
	uint64_t		 content_length;	/* LENGTH */
	int			 keep_alive;	/* the connection may carry
						   another message after this
						   one (HTTP/1.1 without
						   "Connection: close", 1.0
						   with "keep-alive") */
	int			 expect_continue;	/* "Expect: 100-continue" */
	size_t			 headers;	/* how many */

	/* CHUNK: its size and extension (after ';', may be ""). */
	uint64_t		 chunk_size;
	const char		*ext;
	size_t			 ext_len;

	/* BODY_BYTES. */
	const unsigned char	*data;
	size_t			 len;

	/* MESSAGE_END. */
	uint64_t		 body_size;	/* body bytes (chunked: payload) */
	uint64_t		 chunks;	/* chunked: chunks before the
						   last, empty one */

	/* ERROR. */
	const char		*why;
};

/*
 * Called for each event.  It must not feed or free the decoder that calls
 * it.
 */
typedef void httpdec_event_fn(const struct httpdec_event *ev, void *arg);

struct httpdec;

/* A new decoder for one direction; fn may be NULL.  Never fails. */
struct httpdec *httpdec_new(enum httpdec_dir dir, httpdec_event_fn *fn,
    void *arg);
void httpdec_free(struct httpdec *d);

/*
 * Decode n more bytes of the stream.  Returns 0, or -1 once the decoder is
 * lost (an ERROR was reported, now or before) or httpdec_eof() was called;
 * bytes fed then are ignored.
 */
int httpdec_feed(struct httpdec *d, const void *buf, size_t n);

/*
 * The stream ended.  Ends a body read until close (MESSAGE_END); reports an
 * ERROR if a message was cut short; nothing if it ended between messages.
 */
void httpdec_eof(struct httpdec *d);

/*
 * For a response decoder: the method of the next request still waiting
 * for its response (in order), so that a response to HEAD has no body and
 * one to CONNECT 2xx is a tunnel.  Responses with no method queued are
 * taken to answer GET.  Returns -1 when HTTPDEC_METHODS_MAX are queued.
 */
int httpdec_push_method(struct httpdec *d, const char *method);

/* Nonzero once an ERROR was reported. */
int httpdec_lost(const struct httpdec *d);

/* Nonzero between messages (no byte of a next message seen yet). */
int httpdec_idle(const struct httpdec *d);

/* The direction: AUTO until the first start line decides it. */
enum httpdec_dir httpdec_direction(const struct httpdec *d);

/* Bytes decoded so far (the offset of the next byte). */
uint64_t httpdec_offset(const struct httpdec *d);

/* "START_LINE", "HEADER", ... */
const char *httpdec_kind_name(enum httpdec_kind kind);
/* "no body", "Content-Length", "chunked", "until close". */
const char *httpdec_framing_name(enum httpdec_framing framing);

/*
 * Append one line (no newline) describing ev, every string escaped with
 * textesc_quote() so it is safe for a terminal: e.g.
 *   "@0 START_LINE request GET / HTTP/1.1"
 *   "@16 HEADER Host: example.com"
 *   "@41 HEADERS_END Content-Length 5 keep-alive"
 *   "@43 BODY_BYTES 5"
 *   "@0-48 MESSAGE_END body 5 Content-Length keep-alive"
 *   "@3 ERROR bad character '@' in method"
 */
void httpdec_event_describe(struct sbuf *out, const struct httpdec_event *ev);

#endif
