/*
 * net-stream.c: the stream transports, TCP and Unix stream.  Bytes go
 * through recv() and send() on the connection's own socket; finishing
 * sending is shutdown(SHUT_WR), which the peer reads as EOF.  Called by
 * net.c through struct net_ops; every call is made and recorded by
 * net-sys.c.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>

#include "sockscope/net-int.h"

/* One recv() on the connection's socket. */
static ssize_t
net_stream_read(struct net_conn *nc, void *buf, size_t n, size_t *trunc)
{
	struct net_who	w = net_who_conn(nc);

	*trunc = 0;
	return net_sys_recv(&w, nc->fd, buf, n, 0);
}

/* One send(); never SIGPIPE, never block. */
static ssize_t
net_stream_write(struct net_conn *nc, const void *p, size_t n)
{
	struct net_who	w = net_who_conn(nc);

	return net_sys_send(&w, nc->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* shutdown(SHUT_WR): the peer reads EOF. */
static int
net_stream_shutdown(struct net_conn *nc)
{
	struct net_who	w = net_who_conn(nc);

	return net_sys_shutdown(&w, nc->fd, SHUT_WR);
}

/* Nothing of its own to release. */
static void
net_stream_close(struct net_conn *nc)
{
	(void)nc;
}

const struct net_ops net_tcp_ops = {
	"tcp", SOCK_STREAM, net_stream_read, net_stream_write,
	net_stream_shutdown, net_stream_close, NULL, NULL, NULL, NULL
};

const struct net_ops net_unix_ops = {
	"unix", SOCK_STREAM, net_stream_read, net_stream_write,
	net_stream_shutdown, net_stream_close, NULL, NULL, NULL, NULL
};
