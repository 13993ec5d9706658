/*
 * net-dgram.c: the datagram transports, UDP and Unix datagram.  Every
 * datagram is one chunk.  A connection made with /connect has its own
 * connected socket (recv()/send()); one a datagram listener made for a
 * peer has none: net.c reads for it on the listener with recvfrom(), and
 * its replies go out of the listener's socket with sendto() to the peer.
 * There is no EOF in a datagram socket; "shutdown" only means that we
 * finished sending.  Called by net.c through struct net_ops.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>

#include "sockscope/net-int.h"

/* One recv(); MSG_TRUNC makes it return the datagram's real size. */
static ssize_t
net_dgram_read(struct net_conn *nc, void *buf, size_t n, size_t *trunc)
{
	struct net_who	w = net_who_conn(nc);
	ssize_t		r;

	*trunc = 0;
	if (nc->dl != NULL) {
		/* The listener reads for it: nothing is waiting here. */
		errno = EAGAIN;
		return -1;
	}
	r = net_sys_recv(&w, nc->fd, buf, n, MSG_TRUNC);
	if (r > 0 && (size_t)r > n) {
		*trunc = (size_t)r;
		r = (ssize_t)n;
	}
	return r;
}

/* One datagram: send() when connected, sendto() the peer otherwise. */
static ssize_t
net_dgram_write(struct net_conn *nc, const void *p, size_t n)
{
	struct net_who	w = net_who_conn(nc);

	if (nc->dl != NULL)
		return net_sys_sendto(&w, nc->dl->pub.fd, p, n,
		    MSG_NOSIGNAL | MSG_DONTWAIT, &nc->peer);
	return net_sys_send(&w, nc->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* Nothing goes on the wire: a datagram peer is never told. */
static int
net_dgram_shutdown(struct net_conn *nc)
{
	(void)nc;
	return 0;
}

/* Nothing of its own to release. */
static void
net_dgram_close(struct net_conn *nc)
{
	(void)nc;
}

const struct net_ops net_udp_ops = {
	"udp", SOCK_DGRAM, net_dgram_read, net_dgram_write,
	net_dgram_shutdown, net_dgram_close, NULL, NULL, NULL, NULL
};

const struct net_ops net_unixgram_ops = {
	"unixgram", SOCK_DGRAM, net_dgram_read, net_dgram_write,
	net_dgram_shutdown, net_dgram_close, NULL, NULL, NULL, NULL
};
