/*
 * httpview.h: HTTP/1.x as it crosses each connection (SPEC section 13).
 * One struct httpview follows every connection: per connection two
 * incremental decoders (httpdec.h), one for the bytes received and one for
 * the bytes sent, fed per chunk from the socket events, never from the
 * chunk store, so the store's evictions change nothing here.  A decoder is
 * made when bytes first go its way (or when a request arrives, for the
 * decoder of its response), so an idle connection costs little.
 *
 * What it keeps per connection, for the Connections pane, the HTTP view
 * and the JSON transcript:
 *   - the first request line seen ("GET /favicon.ico"), escaped;
 *   - the messages (requests and responses, both directions, in the order
 *     their start lines arrived): start line, headers, framing, body size,
 *     and where the input broke the grammar.
 *
 * The bound: a connection keeps at most HTTPVIEW_MSGS_MAX messages and
 * HTTPVIEW_HEAD_BYTES bytes of start lines and headers; past either, the
 * oldest messages are dropped (and counted).  A message whose own head
 * passes the byte bound keeps its first headers and counts the rest.  The
 * decoders hold at most about 2 * HTTPDEC_LINE_MAX bytes each (a few
 * hundred while lines are short), and are freed once their direction
 * ends (EOF), breaks the grammar (nothing after an error is decoded) or
 * the connection closes.  Bodies are never kept.  For all connections
 * together, past HTTPVIEW_TOTAL_BYTES of heads (and a few hundred bytes
 * a connection), closed connections are forgotten, oldest first: the view
 * and the Connections pane then show nothing of them.
 *
 * Who calls it: app.c feeds it every socket event (httpview_event()); the
 * screen reads it (httpview_conn(), httpview_render()); batch mode prints
 * httpview_json() for each head.  Pure: no I/O, no clock.
 */
#ifndef SOCKSCOPE_HTTPVIEW_H
#define SOCKSCOPE_HTTPVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "sockscope/evlog.h"
#include "sockscope/httpdec.h"
#include "sockscope/util.h"

/* Most messages kept per connection. */
#define HTTPVIEW_MSGS_MAX	64
/* Most bytes of start lines and headers kept per connection. */
#define HTTPVIEW_HEAD_BYTES	65536
/* Most bytes of heads kept for all connections together: past it, the
 * oldest closed connections are forgotten whole. */
#define HTTPVIEW_TOTAL_BYTES	(16 * 1024 * 1024)
/* Widest header name column in the view (longer names push the value). */
#define HTTPVIEW_NAME_COLS	28

/* Which way the bytes went. */
enum httpview_dir {
	HTTPVIEW_IN,		/* received */
	HTTPVIEW_OUT		/* sent */
};

/* One header, as received: not escaped, NUL-terminated. */
struct httpview_header {
	char	*name;
	size_t	 name_len;
	char	*value;
	size_t	 value_len;
	int	 folds;		/* obs-fold continuation lines */
	int	 trailer;	/* after a chunked body */
};

/* One request or response. */
struct httpview_msg {
	enum httpview_dir	 dir;
	int			 request;	/* 1 request, 0 response, -1 not
						   known (broken start line) */
	uint64_t		 seq;		/* 1, 2, ... in its direction */
	uint64_t		 offset;	/* stream offset of its start */
	char			*line;		/* start line, raw; NULL if none */
	size_t			 line_len;
	char			*method;	/* requests */
	char			*target;
	int			 major, minor;
	int			 status;	/* responses */
	char			*reason;	/* responses, may be "" */
	struct httpview_header	*headers;
	size_t			 nheaders;
	size_t			 headers_dropped;	/* past the bound */
	int			 head_done;	/* HEADERS_END seen */
	enum httpdec_framing	 framing;
	uint64_t		 content_length;
	int			 keep_alive;
	uint64_t		 body_size;	/* so far, or in all once done */
	uint64_t		 chunks;
	int			 done;		/* MESSAGE_END seen */
	char			*error;		/* why the grammar broke, or NULL */
	uint64_t		 error_offset;
	size_t			 bytes;		/* counted against the bound */
};

struct httpview_conn;

/* What a decoder's callback is handed: its connection and direction. */
struct httpview_side {
	struct httpview_conn	*c;
	enum httpview_dir	 dir;
};

/* One connection. */
struct httpview_conn {
	int			 id;
	struct httpdec		*dec[2];	/* by enum httpview_dir; NULL
						   until bytes go that way,
						   and once that way ended
						   (EOF, malformed) or the
						   connection closed */
	int			 closed;	/* decoders freed for good */
	int			 ended[2];	/* nothing more is decoded
						   that way */
	struct httpview_msg	*msgs;		/* oldest first */
	size_t			 nmsgs, cap;
	uint64_t		 dropped;	/* messages dropped for the bound */
	size_t			 bytes;		/* of the kept messages */
	long			 cur[2];	/* index of the message being
						   decoded per direction, -1 */
	uint64_t		 seq[2];	/* messages begun per direction */
	char			*first;		/* first request line, escaped */
	struct httpview		*owner;
	struct httpview_side	 side[2];
	double			 t;		/* of the event being fed */
};

/* A request or response head is complete (or broke): for --json. */
typedef void httpview_head_fn(double t, int conn,
    const struct httpview_msg *m, void *arg);

struct httpview {
	struct httpview_conn	**conns;	/* by #id; NULL if none seen */
	size_t			  nconns;
	size_t			  total;	/* bytes counted, all conns */
	size_t			  reclaim;	/* lowest #id that may still
						   be kept */
	httpview_head_fn	 *head;
	void			 *arg;
};

/* Start with nothing; fn (may be NULL) is told of each head. */
void httpview_init(struct httpview *v, httpview_head_fn *fn, void *arg);
void httpview_free(struct httpview *v);

/*
 * Feed a socket event: EV_RECV and EV_SEND data go to that direction's
 * decoder, EV_EOF ends the received stream, EV_SHUTDOWN the sent one,
 * EV_CLOSED ends both and frees the decoders (a reset connection is
 * closed too: EV_RESET is always followed by EV_CLOSED).
 */
void httpview_event(struct httpview *v, const struct ev *e);

/* Feed n bytes that went dir on connection conn at time t. */
void httpview_feed(struct httpview *v, int conn, enum httpview_dir dir,
    const void *p, size_t n, double t);

/* Connection conn, or NULL if nothing was seen on it. */
const struct httpview_conn *httpview_conn(const struct httpview *v,
    int conn);

/* The first request line seen on conn, escaped ("GET /favicon.ico"), or
 * NULL. */
const char *httpview_first_line(const struct httpview *v, int conn);

/*
 * The method of the received request that the next response sent on conn
 * answers (requests received and responses sent are paired in order), or
 * NULL if none is known: /respond leaves out the body for HEAD.
 */
const char *httpview_next_method(const struct httpview *v, int conn);

/* What a row of the view is, for its color. */
enum httpview_row {
	HTTPVIEW_ROW_HEADING,	/* "── request 1 · received ──" parts */
	HTTPVIEW_ROW_START,	/* the start line */
	HTTPVIEW_ROW_HEADER,	/* "Name:   value" */
	HTTPVIEW_ROW_BODY,	/* body size and framing */
	HTTPVIEW_ROW_ERROR,	/* malformed input */
	HTTPVIEW_ROW_NOTE	/* anything else */
};

/* Receives one row: safe text (escaped), NUL-terminated. */
typedef void httpview_row_fn(enum httpview_row kind, enum httpview_dir dir,
    const char *text, void *arg);

/*
 * Render connection c as rows, every byte from the network escaped: for
 * each message a heading ("request 1 · received @0"), the start line, one
 * row per header with the names padded to one column (at most
 * HTTPVIEW_NAME_COLS wide), a body row ("body 5 B · Content-Length 5 ·
 * keep-alive"), and an error row where the grammar broke.  Returns the
 * number of rows.
 */
size_t httpview_render(const struct httpview_conn *c, httpview_row_fn *fn,
    void *arg);

/*
 * Append one JSON Lines object (with its newline) for a head:
 * {"t":..,"event":"http","conn":1,"direction":"recv","kind":"request",
 *  "msg":1,"method":"GET","target":"/","version":"HTTP/1.1",
 *  "headers":[["Host","x"]],"framing":"Content-Length",
 *  "content_length":5,"keep_alive":true}
 * and "error" when it broke.
 */
void httpview_json(struct sbuf *out, double t, int conn,
    const struct httpview_msg *m);

#endif
