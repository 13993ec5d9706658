/*
 * conn.c: one connection's model: the state machine of SPEC section 4, the
 * true byte and chunk counters, and the output queue.  net.c calls the
 * conn_on_*() transitions with what the OS returned and asks conn_can_*()
 * before acting for the user; the screen and the transcript only read the
 * struct.  Pure: no sockets, no clock, no printing.
 *
 * The states and how they are reached:
 *
 *	CONNECTING  --connected-->       ESTABLISHED
 *	CONNECTING  --connect failed-->  FAILED
 *	ESTABLISHED --recv() = 0-->      EOF-RECEIVED   (we may still send)
 *	ESTABLISHED --shutdown-->        EOF-SENT       (we may still receive)
 *	EOF-RECEIVED --shutdown-->       EOF-SENT       (both done)
 *	EOF-SENT    --recv() = 0-->      EOF-SENT       (both done)
 *	any open    --peer reset-->      RESET
 *	any open    --close-->           CLOSED
 *
 * When both directions are done the state is EOF-SENT whichever finished
 * first: it is the word that stays true (nothing more can be sent; recv()
 * may still be called and returns 0 again), and EOF-RECEIVED would claim
 * that we may still send.  eof_in and eof_out tell which sides finished,
 * and conn_wants_close() becomes nonzero so the caller closes the socket,
 * which makes the state CLOSED.  RESET and FAILED are kept by a later close
 * so the state still tells the story.
 *
 * A transition that does not apply to the current state (connected when
 * not CONNECTING, EOF after close, ...) is a bug in the caller; it is
 * ignored so the model stays consistent.
 *
 * The queue holds the bytes the user typed that the kernel has not yet
 * taken, from q + qhead for qlen bytes.  conn_on_sent() only advances qhead
 * (the bytes just sent stay where they were) except that it releases a
 * large buffer (over 1 MiB) once the queue empties.  When an append does
 * not fit behind the tail, conn_queue() moves the unsent bytes to the front
 * and doubles the buffer until a third of it stays free, so each move is
 * paid for by the appends that follow it; it also shrinks a large buffer
 * that is mostly empty.  The buffer never passes CONN_QUEUE_MAX and stays
 * under three times the most queued at once: memory follows what is
 * queued, never what was ever sent.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockscope/conn.h"
#include "sockscope/util.h"

/* Smallest queue buffer. */
#define CONN_QUEUE_MIN	4096
/* Buffers above this size are released once the queue empties. */
#define CONN_QUEUE_KEEP	(1024 * 1024)

/* Initialise c as #id in state (CONN_CONNECTING or CONN_ESTABLISHED). */
void
conn_init(struct conn *c, int id, int listener, enum conn_state state)
{
	memset(c, 0, sizeof *c);
	c->id = id;
	c->listener = listener;
	c->state = state;
}

/* Release the queue memory and forget the queued bytes. */
static void
conn_queue_drop(struct conn *c)
{
	free(c->q);
	c->q = NULL;
	c->qhead = c->qlen = c->qcap = 0;
}

/* Release the queue; c may be initialised again afterwards. */
void
conn_free(struct conn *c)
{
	conn_queue_drop(c);
	c->shutdown_pending = 0;
}

/* The state as the word SPEC section 4 uses ("EOF-RECEIVED"). */
const char *
conn_state_name(enum conn_state s)
{
	switch (s) {
	case CONN_LISTENING:
		return "LISTENING";
	case CONN_CONNECTING:
		return "CONNECTING";
	case CONN_ESTABLISHED:
		return "ESTABLISHED";
	case CONN_EOF_RECEIVED:
		return "EOF-RECEIVED";
	case CONN_EOF_SENT:
		return "EOF-SENT";
	case CONN_CLOSED:
		return "CLOSED";
	case CONN_RESET:
		return "RESET";
	case CONN_FAILED:
		return "FAILED";
	}
	return "UNKNOWN";
}

/* Nonzero while the socket is open (not CLOSED, RESET or FAILED). */
int
conn_is_open(const struct conn *c)
{
	/* NULL: a closed connection the view let go (net_forget()). */
	if (c == NULL)
		return 0;
	return c->state != CONN_CLOSED && c->state != CONN_RESET &&
	    c->state != CONN_FAILED;
}

/* Copy an address string into a fixed field, truncating if it is long. */
static void
conn_copy_addr(char *dst, size_t size, const char *src)
{
	size_t	n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Set the local and peer addresses as text (NULL leaves one unchanged). */
void
conn_set_addrs(struct conn *c, const char *local, const char *peer)
{
	if (local != NULL)
		conn_copy_addr(c->local, sizeof c->local, local);
	if (peer != NULL)
		conn_copy_addr(c->peer, sizeof c->peer, peer);
}

/* Enter a closed state (CLOSED, RESET or FAILED): nothing more can be sent. */
static void
conn_enter_closed(struct conn *c, enum conn_state state)
{
	c->state = state;
	c->shutdown_pending = 0;
	conn_queue_drop(c);
}

/* connect() completed: CONNECTING -> ESTABLISHED. */
void
conn_on_connected(struct conn *c)
{
	if (c->state == CONN_CONNECTING)
		c->state = CONN_ESTABLISHED;
}

/* Every address failed: CONNECTING -> FAILED. */
void
conn_on_connect_failed(struct conn *c)
{
	if (c->state == CONN_CONNECTING)
		conn_enter_closed(c, CONN_FAILED);
}

/* recv() returned n > 0: count a chunk and return its stream offset. */
uint64_t
conn_on_recv(struct conn *c, size_t n)
{
	uint64_t	offset = c->in_bytes;

	/* Counted in any state: the bytes did arrive. */
	if (n > 0) {
		c->in_bytes += n;
		c->in_chunks++;
	}
	return offset;
}

/* recv() returned 0: the peer finished sending. */
void
conn_on_eof(struct conn *c)
{
	switch (c->state) {
	case CONN_ESTABLISHED:
		c->state = CONN_EOF_RECEIVED;
		c->eof_in = 1;
		break;
	case CONN_EOF_RECEIVED:
		/* recv() returns 0 again after EOF: nothing changes. */
		break;
	case CONN_EOF_SENT:
		/* Both directions done: stays EOF-SENT until closed. */
		c->eof_in = 1;
		break;
	default:
		break;
	}
}

/* send() accepted n bytes from the queue head: count and drop them. */
uint64_t
conn_on_sent(struct conn *c, size_t n)
{
	uint64_t	offset = c->out_bytes;

	/* Only queued bytes can have been sent. */
	if (n > c->qlen)
		n = c->qlen;
	if (n == 0)
		return offset;
	c->out_bytes += n;
	c->out_chunks++;
	c->qhead += n;
	c->qlen -= n;
	if (c->qlen == 0) {
		/* Start again at the front; give back a burst's buffer. */
		c->qhead = 0;
		if (c->qcap > CONN_QUEUE_KEEP)
			conn_queue_drop(c);
	}
	return offset;
}

/* shutdown(SHUT_WR) done: EOF-SENT. */
void
conn_on_shutdown(struct conn *c)
{
	if (c->state != CONN_ESTABLISHED && c->state != CONN_EOF_RECEIVED)
		return;
	c->state = CONN_EOF_SENT;
	c->eof_out = 1;
	c->shutdown_pending = 0;
	/* Anything still queued can never be sent now. */
	conn_queue_drop(c);
}

/* The peer reset the connection (ECONNRESET, EPIPE): RESET. */
void
conn_on_reset_by_peer(struct conn *c)
{
	if (c->state == CONN_LISTENING || !conn_is_open(c))
		return;
	conn_enter_closed(c, CONN_RESET);
}

/* We closed (or reset) the socket: CLOSED unless RESET or FAILED. */
void
conn_on_close(struct conn *c)
{
	if (c->state == CONN_RESET || c->state == CONN_FAILED)
		conn_enter_closed(c, c->state);
	else
		conn_enter_closed(c, CONN_CLOSED);
}

/* A send failed because the peer is gone (EPIPE), but what it sent
 * still waits to be read: no more sending, the queue is dropped. */
void
conn_on_send_failed(struct conn *c)
{
	if (!conn_is_open(c))
		return;
	c->send_failed = 1;
	c->shutdown_pending = 0;
	conn_queue_drop(c);
}

/* Nonzero after conn_on_send_failed(). */
int
conn_send_failed(const struct conn *c)
{
	return c->send_failed;
}

/* Forget the queued bytes (a datagram that could not be sent). */
void
conn_drop_queue(struct conn *c)
{
	conn_queue_drop(c);
}

/* Nonzero once both directions have finished, so the socket can be closed. */
int
conn_wants_close(const struct conn *c)
{
	return conn_is_open(c) && c->eof_in && c->eof_out;
}

static void conn_set_cause(char **, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Set *cause (if cause is not NULL) to a formatted message. */
static void
conn_set_cause(char **cause, const char *fmt, ...)
{
	struct sbuf	b = { 0 };
	va_list		ap;
	int		n;

	if (cause == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	sbuf_reserve(&b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b.p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	*cause = b.p;
}

/* Why the connection cannot do anything in a closed state, into *cause. */
static void
conn_closed_cause(const struct conn *c, char **cause)
{
	switch (c->state) {
	case CONN_RESET:
		conn_set_cause(cause, "#%d was reset by the peer", c->id);
		break;
	case CONN_FAILED:
		conn_set_cause(cause, "#%d failed to connect", c->id);
		break;
	default:
		conn_set_cause(cause, "#%d is %s", c->id,
		    conn_state_name(c->state));
		break;
	}
}

/* Nonzero if the state allows sending / a /shutdown, else sets *cause. */
int
conn_can_send(const struct conn *c, char **cause)
{
	switch (c->state) {
	case CONN_CONNECTING:
	case CONN_ESTABLISHED:
	case CONN_EOF_RECEIVED:
		if (c->send_failed) {
			conn_set_cause(cause, "#%d: the peer is gone "
			    "(a send failed): cannot send; /recv what it "
			    "sent, or /close", c->id);
			return 0;
		}
		if (c->shutdown_pending) {
			conn_set_cause(cause, "#%d is shutting down: "
			    "cannot send after /shutdown", c->id);
			return 0;
		}
		return 1;
	case CONN_EOF_SENT:
		conn_set_cause(cause, "#%d is EOF-SENT: "
		    "cannot send after /shutdown", c->id);
		return 0;
	default:
		conn_closed_cause(c, cause);
		return 0;
	}
}

/* Nonzero if the state allows a recv(), else sets *cause. */
int
conn_can_recv(const struct conn *c, char **cause)
{
	switch (c->state) {
	case CONN_ESTABLISHED:
	case CONN_EOF_SENT:
	case CONN_EOF_RECEIVED:
		/* After EOF, recv() returns 0 again: worth showing. */
		return 1;
	case CONN_CONNECTING:
		conn_set_cause(cause, "#%d is still connecting", c->id);
		return 0;
	default:
		conn_closed_cause(c, cause);
		return 0;
	}
}

/* Ask for a /shutdown once the queue drains; *cause when refused. */
int
conn_request_shutdown(struct conn *c, char **cause)
{
	if (c->shutdown_pending) {
		conn_set_cause(cause, "#%d is already shutting down", c->id);
		return -1;
	}
	if (c->state == CONN_EOF_SENT) {
		conn_set_cause(cause, "#%d is EOF-SENT: already shut down",
		    c->id);
		return -1;
	}
	if (!conn_can_send(c, cause))
		return -1;
	c->shutdown_pending = 1;
	return 0;
}

/* Nonzero when a requested shutdown(SHUT_WR) can be done now. */
int
conn_wants_shutdown(const struct conn *c)
{
	return c->shutdown_pending && c->qlen == 0 &&
	    (c->state == CONN_ESTABLISHED || c->state == CONN_EOF_RECEIVED);
}

/* Format a byte count for a message: "512 B", "1.5 KiB", "256 MiB". */
static void
conn_size_text(char *buf, size_t size, uint64_t n)
{
	static const char	*units[] = { "KiB", "MiB", "GiB", "TiB" };
	uint64_t		 unit = 1024;
	size_t			 i;

	if (n < 1024) {
		snprintf(buf, size, "%llu B", (unsigned long long)n);
		return;
	}
	for (i = 0; i < 3 && n >= unit * 1024; i++)
		unit *= 1024;
	if (n % unit == 0)
		snprintf(buf, size, "%llu %s", (unsigned long long)(n / unit),
		    units[i]);
	else
		snprintf(buf, size, "%.1f %s", (double)n / (double)unit,
		    units[i]);
}

/* Move the unsent bytes to the front of the buffer. */
static void
conn_queue_compact(struct conn *c)
{
	if (c->qhead == 0)
		return;
	memmove(c->q, c->q + c->qhead, c->qlen);
	c->qhead = 0;
}

/* Make room for n more bytes at the end of the queue (qlen + n fits). */
static void
conn_queue_room(struct conn *c, size_t n)
{
	size_t	need = c->qlen + n, cap;

	if (c->qcap > CONN_QUEUE_KEEP && need <= c->qcap / 8) {
		/* Mostly empty after a burst: give most of it back. */
		cap = c->qcap;
		while (cap > CONN_QUEUE_KEEP && need <= cap / 8)
			cap /= 2;
		conn_queue_compact(c);
		c->q = xrealloc(c->q, cap);
		c->qcap = cap;
	}
	if (c->qhead + need <= c->qcap)
		return;

	/*
	 * Leave a third free after moving, so that the next move is paid
	 * for by as many bytes appended as it moves; the cap is the only
	 * exception (memory bounded first).
	 */
	cap = c->qcap < CONN_QUEUE_MIN ? CONN_QUEUE_MIN : c->qcap;
	while (cap < need + need / 2 && cap < CONN_QUEUE_MAX)
		cap *= 2;
	conn_queue_compact(c);
	if (cap != c->qcap) {
		c->q = xrealloc(c->q, cap);
		c->qcap = cap;
	}
}

/* Queue n bytes for sending; -1 with *cause when refused (nothing queued). */
int
conn_queue(struct conn *c, const void *p, size_t n, char **cause)
{
	char	have[32], want[32], max[32];

	if (!conn_can_send(c, cause))
		return -1;
	if (n > CONN_QUEUE_MAX - c->qlen) {
		conn_size_text(max, sizeof max, CONN_QUEUE_MAX);
		if (c->qlen == 0) {
			conn_size_text(want, sizeof want, n);
			conn_set_cause(cause, "#%d cannot queue %s: the send "
			    "queue holds at most %s", c->id, want, max);
		} else {
			conn_size_text(have, sizeof have, c->qlen);
			conn_set_cause(cause, "#%d send queue full: %s "
			    "waiting, the peer is not reading", c->id, have);
		}
		return -1;
	}
	if (n == 0)
		return 0;
	conn_queue_room(c, n);
	memcpy(c->q + c->qhead + c->qlen, p, n);
	c->qlen += n;
	return 0;
}

/* The queued bytes not yet sent (pointer valid until the next conn_ call). */
const unsigned char *
conn_queue_peek(const struct conn *c, size_t *n)
{
	if (n != NULL)
		*n = c->qlen;
	if (c->q == NULL)
		return NULL;
	return c->q + c->qhead;
}
