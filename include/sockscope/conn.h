/*
 * conn.h: one connection's model: its state (SPEC section 4), its counters
 * and its output queue.  Pure: no sockets.  net.c owns the file descriptor
 * and calls the conn_on_*() transitions with what the OS returned; the
 * screen and the transcript read the struct.
 *
 * DO NOT WRITE TO THE FIELDS FROM OUTSIDE conn.c; use the functions.
 */
#ifndef SOCKSCOPE_CONN_H
#define SOCKSCOPE_CONN_H

#include <stddef.h>
#include <stdint.h>

enum conn_state {
	CONN_LISTENING,
	CONN_CONNECTING,
	CONN_ESTABLISHED,
	CONN_EOF_RECEIVED,	/* peer finished sending; we may still send */
	CONN_EOF_SENT,		/* we half-closed; we may still receive */
	CONN_CLOSED,
	CONN_RESET,		/* the peer reset it */
	CONN_FAILED		/* connect failed */
};

/* Largest output queue: beyond it sends are refused, never dropped. */
#define CONN_QUEUE_MAX (256ULL * 1024 * 1024)

struct conn {
	int		 id;		/* #id */
	int		 listener;	/* Lid it was accepted on, 0 if connected */
	enum conn_state	 state;
	int		 eof_in;	/* recv() returned 0 */
	int		 eof_out;	/* we shut down writing */
	int		 shutdown_pending; /* shut down once the queue drains */
	int		 send_failed;	/* the peer is gone (EPIPE); unread
					   bytes still wait for recv() */

	uint64_t	 in_bytes;	/* true totals: never reduced */
	uint64_t	 in_chunks;
	uint64_t	 out_bytes;	/* bytes send() accepted */
	uint64_t	 out_chunks;	/* successful send() calls */

	char		 local[72];	/* "127.0.0.1:41822", "[::1]:80", a path
					   (cut: the view prints both in 160) */
	char		 peer[72];

	/* Output queue: bytes accepted from the user, not yet sent. */
	unsigned char	*q;
	size_t		 qhead;		/* first unsent byte in q */
	size_t		 qlen;		/* bytes queued from q + qhead */
	size_t		 qcap;
};

/* Initialise c as #id in state (CONN_CONNECTING or CONN_ESTABLISHED). */
void conn_init(struct conn *c, int id, int listener, enum conn_state state);
/* Release the queue; c may be initialised again afterwards. */
void conn_free(struct conn *c);

/* The state as the word SPEC section 4 uses ("EOF-RECEIVED"). */
const char *conn_state_name(enum conn_state s);
/* Nonzero while the socket is open (not CLOSED, RESET or FAILED); 0 for
 * NULL (net_conn() of a connection the view let go). */
int conn_is_open(const struct conn *c);

void conn_set_addrs(struct conn *c, const char *local, const char *peer);

/* connect() completed: CONNECTING -> ESTABLISHED. */
void conn_on_connected(struct conn *c);
/* Every address failed: CONNECTING -> FAILED. */
void conn_on_connect_failed(struct conn *c);
/* recv() returned n > 0: counts a chunk.  Returns the stream offset of the
 * chunk's first byte. */
uint64_t conn_on_recv(struct conn *c, size_t n);
/* recv() returned 0: EOF-RECEIVED, or CLOSED-ready if we had sent EOF
 * (conn_wants_close() then says so). */
void conn_on_eof(struct conn *c);
/* send() accepted n > 0 bytes from the queue head: counts them and drops
 * them from the queue.  Returns the stream offset of the first byte. */
uint64_t conn_on_sent(struct conn *c, size_t n);
/* shutdown(SHUT_WR) done: EOF-SENT. */
void conn_on_shutdown(struct conn *c);
/* The peer reset the connection (ECONNRESET, EPIPE): RESET. */
void conn_on_reset_by_peer(struct conn *c);
/* We closed (or reset) the socket: CLOSED unless RESET or FAILED. */
void conn_on_close(struct conn *c);

/* A send failed because the peer is gone (EPIPE) while what it sent
 * still waits to be read: sends are refused from now on (*cause says
 * so) and the queue is dropped; the state stays until recv() tells the
 * end. */
void conn_on_send_failed(struct conn *c);
/* Nonzero after conn_on_send_failed(). */
int conn_send_failed(const struct conn *c);
/* Forget the queued bytes (a datagram that could not be sent). */
void conn_drop_queue(struct conn *c);

/* Nonzero once both directions have finished, so the socket can be closed. */
int conn_wants_close(const struct conn *c);

/*
 * Queue n bytes for sending.  Returns 0, or -1 with *cause set (malloc'd)
 * when the connection cannot send in its state ("#1 is EOF-SENT: cannot
 * send after /shutdown") or the queue would pass CONN_QUEUE_MAX ("#1 send
 * queue full: 256 MiB waiting, the peer is not reading"); nothing is queued
 * then.  Queueing while CONNECTING is allowed.
 */
int conn_queue(struct conn *c, const void *p, size_t n, char **cause);
/* The queued bytes not yet sent (pointer valid until the next conn_ call). */
const unsigned char *conn_queue_peek(const struct conn *c, size_t *n);

/* Nonzero if the state allows sending / a /shutdown, with *cause as above. */
int conn_can_send(const struct conn *c, char **cause);
int conn_can_recv(const struct conn *c, char **cause);

/*
 * /shutdown: ask for shutdown(SHUT_WR) once the queued bytes are sent (and
 * the connect completed).  Sets shutdown_pending, so later sends are
 * refused.  Returns 0, or -1 with *cause set (malloc'd) when the state
 * cannot send or a shutdown is already pending or done.
 */
int conn_request_shutdown(struct conn *c, char **cause);
/* Nonzero when a requested shutdown can be done now: the queue is empty
 * and the connection is ESTABLISHED or EOF-RECEIVED. */
int conn_wants_shutdown(const struct conn *c);

#endif
