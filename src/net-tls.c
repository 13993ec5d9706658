/*
 * net-tls.c: the TLS transport, TLS over a TCP socket, on the TLS module
 * (tls.h).  start() begins the handshake once TCP is up (connected or
 * accepted), step() drives it on each readiness; until it is complete,
 * read and write find nothing to do (EAGAIN) and wants() says which way
 * the handshake waits.  Then the chunks are the plaintext records as
 * SSL_read returns them; shutdown sends close_notify; a peer that closes
 * without close_notify is a truncation, said at the EOF.  Every SSL call is
 * recorded through tls.c's record hook, forwarded as about this
 * connection.  Called by net.c through struct net_ops.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>

#include "sockscope/loop.h"
#include "sockscope/net-int.h"
#include "sockscope/tls.h"

/* An SSL call's record, as about the connection. */
static void
net_tls_record(const struct sysrec *r, void *arg)
{
	struct net_conn	*nc = arg;
	struct net_who	 w = net_who_conn(nc);

	net_sys_forward(&w, r);
}

/* Keep the cause of a failure for net.c's error event. */
static void
net_tls_fail(struct net_conn *nc, struct tls *t)
{
	const char	*cause = tls_cause(t);

	snprintf(nc->errmsg, sizeof nc->errmsg, "%s",
	    cause != NULL ? cause : "TLS failed");
	errno = tls_errno(t) != 0 ? tls_errno(t) : EPROTO;
}

/* Tell the subscribers that the handshake is complete (EV_TLS). */
static void
net_tls_announce(struct net_conn *nc, const struct tls_info *info)
{
	struct ev	e = net_ev(EV_TLS, nc);

	e.call = nc->c.listener != 0 ? "SSL_accept" : "SSL_connect";
	e.message = info->summary;
	e.tls = info;
	net_emit(&e);
}

/* Drive the handshake once: 0 done, 1 waiting, -1 failed. */
static int
net_tls_handshake(struct net_conn *nc)
{
	struct tls	*t = nc->tstate;
	int		 r = tls_handshake(t);

	if (r == 0) {
		struct tls_info	info;

		nc->handshaking = 0;
		tls_info(t, &info);
		snprintf(nc->note, sizeof nc->note, "%s", info.summary);
		net_tls_announce(nc, &info);
		return 0;
	}
	if (r == TLS_WANT_READ || r == TLS_WANT_WRITE)
		return 1;
	net_tls_fail(nc, t);
	return -1;
}

/* TCP is up: a session on its socket, and the first handshake step. */
static int
net_tls_start(struct net_conn *nc)
{
	struct tls_ctx	*ctx = nc->c.listener != 0 ? net_tls_ctx(1) :
	    net_tls_client_ctx(nc->name);
	struct tls	*t;

	if (ctx == NULL) {
		snprintf(nc->errmsg, sizeof nc->errmsg, "no TLS %s context "
		    "was set up", nc->c.listener != 0 ? "server" : "client");
		errno = EINVAL;
		return -1;
	}
	t = tls_new(ctx, nc->fd, nc->c.listener != 0,
	    nc->c.listener != 0 ? NULL : nc->name);
	tls_set_record(t, net_tls_record, nc);
	nc->tstate = t;
	nc->handshaking = 1;
	return net_tls_handshake(nc) == -1 ? -1 : 0;
}

/* Readiness while the handshake goes on: 1 taken, 0 established, -1. */
static int
net_tls_step(struct net_conn *nc, int revents)
{
	struct tls	*t = nc->tstate;
	int		 r;

	(void)revents;
	if (t == NULL || tls_established(t))
		return 0;
	r = net_tls_handshake(nc);
	if (r == -1)
		return -1;
	/* Done: net.c reads and sends from now on (nothing may be ready
	 * yet, so this turn is still ours). */
	return 1;
}

/* Which way the session waits. */
static int
net_tls_wants(const struct net_conn *nc)
{
	struct tls	*t = nc->tstate;

	if (t == NULL)
		return 0;
	switch (tls_want(t)) {
	case TLS_WANT_READ:
		return LOOP_READ;
	case TLS_WANT_WRITE:
		return LOOP_WRITE;
	}
	return 0;
}

/* Plaintext that OpenSSL holds already, which the socket will not show. */
static int
net_tls_pending(const struct net_conn *nc)
{
	struct tls	*t = nc->tstate;

	return t != NULL && tls_established(t) && tls_pending(t);
}

/* One SSL_read. */
static ssize_t
net_tls_read(struct net_conn *nc, void *buf, size_t n, size_t *trunc)
{
	struct tls	*t = nc->tstate;
	ssize_t		 r;

	*trunc = 0;
	if (t == NULL || !tls_established(t)) {
		errno = EAGAIN;
		return -1;
	}
	r = tls_read(t, buf, n);
	if (r >= 0)
		return r;
	if (r == TLS_TRUNCATED) {
		nc->eof_note = "the peer closed without close_notify: "
		    "truncated";
		return 0;
	}
	if (r == TLS_WANT_READ || r == TLS_WANT_WRITE) {
		errno = EAGAIN;
		return -1;
	}
	net_tls_fail(nc, t);
	return -1;
}

/* One SSL_write of the queue's head. */
static ssize_t
net_tls_write(struct net_conn *nc, const void *p, size_t n)
{
	struct tls	*t = nc->tstate;
	ssize_t		 r;

	if (t == NULL || !tls_established(t)) {
		errno = EAGAIN;
		return -1;
	}
	r = tls_write(t, p, n);
	if (r > 0)
		return r;
	if (r == TLS_WANT_READ || r == TLS_WANT_WRITE) {
		errno = EAGAIN;
		return -1;
	}
	net_tls_fail(nc, t);
	return -1;
}

/* close_notify, then the TCP side's FIN. */
static int
net_tls_shutdown(struct net_conn *nc)
{
	struct tls	*t = nc->tstate;
	struct net_who	 w = net_who_conn(nc);
	int		 r;

	if (t == NULL) {
		errno = ENOTCONN;
		return -1;
	}
	r = tls_shutdown(t);
	if (r == TLS_WANT_WRITE || r == TLS_WANT_READ) {
		errno = EAGAIN;
		return -1;
	}
	if (r != 0) {
		net_tls_fail(nc, t);
		return -1;
	}
	return net_sys_shutdown(&w, nc->fd, SHUT_WR);
}

/* Free the session (the socket is net.c's). */
static void
net_tls_close(struct net_conn *nc)
{
	if (nc->tstate != NULL)
		tls_free(nc->tstate);
	nc->tstate = NULL;
}

const struct net_ops net_tls_ops = {
	"tls", SOCK_STREAM, net_tls_read, net_tls_write, net_tls_shutdown,
	net_tls_close, net_tls_wants, net_tls_start, net_tls_step,
	net_tls_pending
};
