/*
 * evlog.h: socket events.  net.c describes every socket call and its
 * result as a struct ev; evlog keeps the most recent ones as lines in the
 * words of the API for the Events pane ("recv(4096) = 73"), and
 * transcript.c turns the same struct into the batch transcript.
 *
 * Pure: the time and errno arrive as fields.
 */
#ifndef SOCKSCOPE_EVLOG_H
#define SOCKSCOPE_EVLOG_H

#include <stddef.h>
#include <stdint.h>

#include "sockscope/sysrec.h"
#include "sockscope/util.h"

enum ev_kind {
	EV_LISTENING,	/* listener opened on addr */
	EV_ACCEPTED,	/* conn accepted on listener from peer (local too) */
	EV_CONNECTING,	/* conn: one connect attempt to addr began */
	EV_CONNECTED,	/* conn: connect to addr succeeded (local, peer) */
	EV_RECV,	/* conn: recv(asked) returned len > 0 bytes (data) */
	EV_SEND,	/* conn: send(asked) accepted len > 0 bytes (data) */
	EV_EOF,		/* conn: recv(asked) returned 0 */
	EV_SHUTDOWN,	/* conn: shutdown(SHUT_WR) done */
	EV_RESET,	/* conn: by_peer ? peer reset it : we sent RST */
	EV_CLOSED,	/* conn or listener closed (totals for a conn) */
	EV_ERROR,	/* a call failed: call, addr, err, message */
	EV_WAIT,	/* conn: recv() found nothing (EAGAIN) or
			   send() would block (queued bytes in len) */
	EV_TLS		/* conn: the TLS handshake is complete: message
			   is its summary, tls the details */
};

struct tls_info;

/*
 * One event.  Strings are borrowed: valid only while the event is being
 * handled (evlog_add() copies what it keeps).  Fields not used by a kind
 * are zero / NULL.
 */
struct ev {
	enum ev_kind		 kind;
	double			 t;		/* seconds since start */
	int			 conn;		/* #id, 0 = none */
	int			 listener;	/* Lid, 0 = none */
	const char		*call;		/* "connect", "recv", "bind", ... */
	const char		*addr;		/* target "127.0.0.1:5151" */
	const char		*local;
	const char		*peer;
	size_t			 asked;		/* recv/send size asked */
	size_t			 len;		/* bytes returned / sent */
	uint64_t		 offset;	/* stream offset of data[0] */
	uint64_t		 chunk;		/* chunk number (recv) */
	const unsigned char	*data;
	int			 err;		/* errno, 0 = none */
	int			 gai;		/* getaddrinfo error, 0 = none */
	const char		*message;	/* error text, e.g. strerror */
	int			 by_peer;	/* EV_RESET */
	int			 all_interfaces; /* EV_LISTENING on 0.0.0.0 / :: */
	uint64_t		 in_bytes;	/* EV_CLOSED totals */
	uint64_t		 in_chunks;
	uint64_t		 out_bytes;
	const struct tls_info	*tls;		/* EV_TLS (tls.h) */
	const char		*transport;	/* "udp", "unix", "unixgram",
						   "tls"; NULL for TCP */
};

/* The symbolic name of an errno value ("ECONNREFUSED"), or "E<number>". */
const char *evlog_errname(int err);
/* The symbolic name of a getaddrinfo() error ("EAI_NONAME"), or
 * "EAI_<number>". */
const char *evlog_gainame(int gai);

/*
 * The one-line error text for an EV_ERROR, as shown after "sockscope: "
 * and in the transcript: "connect 127.0.0.1:1: Connection refused
 * (ECONNREFUSED)"; "cannot resolve 'nosuch.invalid': Name or service not
 * known"; "127.0.0.1:19999 is already in use" for EADDRINUSE on bind.
 * Appends to out (any bytes from outside are escaped).
 */
struct sbuf;
void evlog_error_text(struct sbuf *out, const struct ev *e);

/*
 * The Events pane line for e, in the words of the API, without time:
 * "connect(127.0.0.1:5151) = 0", "accept() = #2 from 127.0.0.1:50412",
 * "recv(4096) = 6", "recv(4096) = 0   EOF: the peer finished sending",
 * "connect(127.0.0.1:1) = ECONNREFUSED", "send(6) = 6",
 * "shutdown(SHUT_WR) = 0", "close() = 0".  Appends to out.
 */
void evlog_api_text(struct sbuf *out, const struct ev *e);

/* The kind of a line added by evlog_add_text() (not an enum ev_kind value). */
#define EVLOG_TEXT ((enum ev_kind)(EV_TLS + 1))

/*
 * One kept line of the Events pane.  A record line is narrated only when
 * something reads it (evlog_get()): under a flood most lines leave the
 * ring unseen, and the narration is the costly part of a line.
 */
struct evlog_line {
	double		 t;
	int		 conn;
	int		 listener;
	enum ev_kind	 kind;
	int		 error;		/* nonzero for errors (drawn in red) */
	const char	*text;		/* "#1 recv(4096) = 6" etc.; a record
					   line's is NULL until evlog_get()
					   narrates it */
	uint64_t	 repeat;	/* times it happened in a row (>= 1);
					   t is the time of the last one */
	struct sysrec	*rec;		/* the call narrated (its first of a
					   folded run), NULL for other lines */
	int		 hidden;	/* the notation shows nothing for rec
					   (Python hides EAGAIN...): not drawn;
					   as text, set by evlog_get() */

	/* Private to evlog.c. */
	struct sbuf	 buf;		/* text's memory, kept for the next
					   line in this slot */
	unsigned int	 narrated;	/* the ring's narration when text was
					   made; 0 = not yet */
};

/* The most recent lines, in a ring of at most cap. */
struct evlog {
	struct evlog_line	*lines;
	size_t			 cap;
	size_t			 first;		/* index of the oldest */
	size_t			 count;
	uint64_t		 total;		/* lines ever added, folded
						   repeats included */
	uint64_t		 distinct;	/* distinct lines ever kept:
						   grows only when a new line
						   is not a repeat */
	enum sysrec_notation	 notation;	/* of the record lines */
	unsigned int		 narration;	/* grows with each change of
						   notation (never 0) */
	struct sbuf		 scratch;	/* an event's text, before it
						   is known to be a new line */
};

void evlog_init(struct evlog *l, size_t cap);
void evlog_free(struct evlog *l);
/* Add e as a line (its API text, prefixed "#id " or "Lid " when it has
 * one).  A send EV_WAIT with nothing queued is not kept.  An EV_RECV or
 * EV_WAIT line equal to the newest one (same text, socket, kind and
 * error) is folded into it:
 * its repeat count grows and its time becomes e's, so thousands of
 * identical "recv(4096) = 4096" lines take one line. */
void evlog_add(struct evlog *l, const struct ev *e);
/* Add a line of free text (user messages, command errors); the caller
 * has already made any outside bytes in it safe. */
void evlog_add_text(struct evlog *l, double t, int error, const char *text);
/*
 * Add the narration of a socket call (SPEC section 10) as a line in the
 * ring's notation, prefixed "#id " (or "Lid " for accept4() and a
 * listener's calls).  The record is kept (a copy, made over the evicted
 * line's when the ring is full) and narrated only when evlog_get() reads
 * the line, so that evlog_set_notation() costs nothing until then.  A
 * record that is the same call as the newest line's (sysrec_same())
 * folds into it, unless it is a send (each one stands for something the
 * user did).  A record the notation does not show is kept as a hidden
 * line.
 */
void evlog_add_rec(struct evlog *l, const struct sysrec *r);
/* Append the line of r in notation n, prefixed as the Events pane shows
 * it ("#1 ", "L1 "); returns 1 (and appends only the prefix) when n
 * shows nothing for r, else 0. */
int evlog_rec_text(struct sbuf *out, const struct sysrec *r,
    enum sysrec_notation n);
/* Narrate every kept record in notation n from now on (each when it is
 * next read: this call itself narrates nothing). */
void evlog_set_notation(struct evlog *l, enum sysrec_notation n);
/* Nonzero when e's line says what a record line already says (a socket
 * call and its result): the screen then keeps only the record's. */
int evlog_ev_is_call(const struct ev *e);

/* Format n with a comma every three digits ("2,731") into buf. */
void evlog_thousands(char *buf, size_t len, uint64_t n);

/*
 * The i-th kept line, 0 = oldest, its text and hidden flag narrated in
 * the ring's notation if they were not yet; NULL when i >= count.  The
 * line and its text stay valid until the ring next changes (a line
 * added, the notation changed).
 */
const struct evlog_line *evlog_get(struct evlog *l, size_t i);
/* Nonzero when the i-th kept line shows nothing in the ring's notation
 * (its hidden flag once narrated), found without narrating it; 0 when
 * i >= count. */
int evlog_hidden(const struct evlog *l, size_t i);
/* The i-th kept line as it is, without narrating it: for a record line,
 * text may be NULL or in an earlier notation, and hidden not yet known
 * (the other fields hold).  NULL when i >= count. */
const struct evlog_line *evlog_peek(const struct evlog *l, size_t i);

#endif
