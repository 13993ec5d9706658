/*
 * net.c: the socket engine.  Owns every file descriptor: listeners,
 * connections and connect attempts.  Called by app.c (requests from the
 * input line) and loop.c (poll results); reports every socket call and
 * its result as a struct ev through the emit callback.
 *
 * Nothing here blocks: sockets are non-blocking, connects finish in the
 * poll loop, and sends go through each connection's queue, with POLLOUT
 * watched only while the queue holds data.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <linux/sockios.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockscope/conn.h"
#include "sockscope/evlog.h"
#include "sockscope/loop.h"
#include "sockscope/net.h"
#include "sockscope/util.h"

/* Automatic recv() calls per readable connection per loop turn: enough to
 * keep up with a flood, few enough that the input line stays responsive. */
#define NET_RECV_BURST 8

/* The most bytes handed to one send() call. */
#define NET_SEND_MAX (1024 * 1024)

struct net_conn {
	struct conn	 c;
	int		 fd;		/* -1 when closed or between attempts */
	struct addrinfo	*ai;		/* all addresses (connecting) */
	struct addrinfo	*next;		/* the next address to try */
	char		 target[64];	/* the address being tried */
	double		 deadline;	/* of the current attempt */
	int		 send_blocked;	/* last send() hit EAGAIN */
	int		 resolving;	/* its name is being looked up */
	int		 quiet;		/* POLLIN not watched: manual mode has
					   something waiting, or auto mode
					   learned all after the EOF */
};

static struct {
	struct net_config	  cfg;
	net_emit_fn		 *emit;
	void			 *arg;
	struct net_listener	**listeners;	/* index lid - 1 */
	int			  nlisteners;
	struct net_conn		**conns;	/* index id - 1 */
	int			  nconns;
	unsigned char		 *rbuf;		/* CMD_RECV_MAX bytes */
	int			  lookup_pipe[2]; /* resolver threads -> loop */
	int			  lookups;	/* threads not yet heard from */
	/* What each pollfd of the last net_poll_fill() was for. */
	struct net_slot {
		int		  listener;	/* Lid, or 0 */
		int		  conn;		/* #id, or 0 */
	}			 *slots;
	size_t			  nslots;
} net;

static void	net_attempt(struct net_conn *nc);
static void	net_flush(struct net_conn *nc);
static void	net_close_fd(struct net_conn *nc);
static ssize_t	net_do_recv(struct net_conn *nc, size_t n);

/* Send an event to the app with the time filled in. */
static void
net_emit(struct ev *e)
{
	e->t = loop_now();
	net.emit(e, net.arg);
}

/* Start an event about connection nc. */
static struct ev
net_ev(enum ev_kind kind, const struct net_conn *nc)
{
	struct ev	e;

	memset(&e, 0, sizeof e);
	e.kind = kind;
	if (nc != NULL) {
		e.conn = nc->c.id;
		e.listener = nc->c.listener;
		e.local = nc->c.local;
		e.peer = nc->c.peer;
	}
	return e;
}

/* Report a failed call with errno err. */
static void
net_emit_error(const struct net_conn *nc, int listener, const char *call,
    const char *addr, int err)
{
	struct ev	e = net_ev(EV_ERROR, nc);

	if (listener != 0)
		e.listener = listener;
	e.call = call;
	e.addr = addr;
	e.err = err;
	net_emit(&e);
}

/* Set up the engine; emit receives every event. */
void
net_init(const struct net_config *cfg, net_emit_fn *emit, void *arg)
{
	memset(&net, 0, sizeof net);
	net.cfg = *cfg;
	net.emit = emit;
	net.arg = arg;
	net.rbuf = xmalloc(1024 * 1024);
	net.lookup_pipe[0] = net.lookup_pipe[1] = -1;
}

/* Close every socket without events and free everything. */
void
net_free(void)
{
	int	i;

	for (i = 0; i < net.nconns; i++) {
		struct net_conn	*nc = net.conns[i];

		if (nc->fd != -1)
			close(nc->fd);
		if (nc->ai != NULL)
			freeaddrinfo(nc->ai);
		conn_free(&nc->c);
		free(nc);
	}
	for (i = 0; i < net.nlisteners; i++) {
		if (net.listeners[i]->fd != -1)
			close(net.listeners[i]->fd);
		free(net.listeners[i]);
	}
	free(net.conns);
	free(net.listeners);
	free(net.rbuf);
	free(net.slots);
	memset(&net, 0, sizeof net);
}

/* Turn automatic receiving on or off. */
void
net_set_auto(int on)
{
	int	i;

	net.cfg.auto_recv = on;
	for (i = 0; i < net.nconns; i++)
		net.conns[i]->quiet = 0;
}

/* Change the size asked of each automatic recv(). */
void
net_set_recv_size(size_t n)
{
	net.cfg.recv_size = n;
}

/* The size asked of each automatic recv(). */
size_t
net_recv_size(void)
{
	return net.cfg.recv_size;
}

/* Nonzero when recv() is called automatically. */
int
net_auto(void)
{
	return net.cfg.auto_recv;
}

/* Format a socket address as "1.2.3.4:80" or "[::1]:80". */
static void
net_format_addr(const struct sockaddr *sa, char *buf, size_t len)
{
	char		host[INET6_ADDRSTRLEN];
	unsigned	port;

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
		port = ntohs(s6->sin6_port);
		snprintf(buf, len, "[%s]:%u", host, port);
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
		port = ntohs(s4->sin_port);
		snprintf(buf, len, "%s:%u", host, port);
	} else
		snprintf(buf, len, "(family %d)", sa->sa_family);
}

/* Fill a connection's local and peer addresses from its socket. */
static void
net_fill_addrs(struct net_conn *nc)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	char			local[64] = "?", peer[64] = "?";

	len = sizeof ss;
	if (getsockname(nc->fd, (struct sockaddr *)&ss, &len) == 0)
		net_format_addr((struct sockaddr *)&ss, local, sizeof local);
	len = sizeof ss;
	if (getpeername(nc->fd, (struct sockaddr *)&ss, &len) == 0)
		net_format_addr((struct sockaddr *)&ss, peer, sizeof peer);
	conn_set_addrs(&nc->c, local, peer);
}

/* Format host and port for messages: "host:port", "[v6]:port". */
static void
net_format_target(const char *host, const char *port, char *buf, size_t len)
{
	if (strchr(host, ':') != NULL)
		snprintf(buf, len, "[%s]:%s", host, port);
	else
		snprintf(buf, len, "%s:%s", host, port);
}

/* Report a failed lookup of host/port (rc from getaddrinfo). */
static void
net_resolve_error(const char *host, const char *port, int rc, int err,
    int conn)
{
	struct ev	e = net_ev(EV_ERROR, NULL);
	char		target[300];

	e.conn = conn;
	e.call = "getaddrinfo";
	if (rc == EAI_SERVICE || rc == EAI_SOCKTYPE) {
		/* The name of a port that /etc/services does not know. */
		snprintf(target, sizeof target, "%s", port);
		e.message = "unknown port or service name";
	} else {
		snprintf(target, sizeof target, "%s", host);
		e.message = rc == EAI_SYSTEM ? strerror(err) : gai_strerror(rc);
		if (rc == EAI_NONAME || rc == EAI_ADDRFAMILY ||
		    rc == EAI_NODATA) {
			if (net.cfg.family == AF_INET)
				e.message = "no IPv4 address for this name (-4)";
			else if (net.cfg.family == AF_INET6)
				e.message = "no IPv6 address for this name (-6)";
		}
	}
	e.addr = target;
	e.gai = rc;
	net_emit(&e);
}

/* The hints for resolving: TCP, the -4/-6 family, passive to listen. */
static void
net_hints(struct addrinfo *hints, int passive)
{
	memset(hints, 0, sizeof *hints);
	hints->ai_family = net.cfg.family;
	hints->ai_socktype = SOCK_STREAM;
	hints->ai_protocol = IPPROTO_TCP;
	if (passive)
		hints->ai_flags |= AI_PASSIVE;
}

/*
 * Resolve host and port now (listening: the address is ours, so local).
 * Returns 0 and the list, or -1 after emitting the error.
 */
static int
net_resolve(const char *host, const char *port, int passive,
    struct addrinfo **res)
{
	struct addrinfo	hints;
	int		rc;

	net_hints(&hints, passive);
	rc = getaddrinfo(host, port, &hints, res);
	if (rc == 0)
		return 0;
	net_resolve_error(host, port, rc, errno, 0);
	return -1;
}

/* Make a socket non-blocking and close-on-exec. */
static int
net_socket(int family)
{
	return socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_TCP);
}

/* Open a listener on addr:port; returns its id or -1. */
int
net_listen(const char *addr, const char *port)
{
	struct addrinfo		*ai, *a;
	struct net_listener	*l;
	char			 target[300];
	int			 fd = -1, one = 1, err = 0, lid;
	const char		*call = "socket";

	if (addr == NULL)
		addr = net.cfg.family == AF_INET6 ? "::1" : "127.0.0.1";
	lid = net.nlisteners + 1;
	net_format_target(addr, port, target, sizeof target);
	if (net_resolve(addr, port, 1, &ai) != 0)
		return -1;

	/* Use the first address that binds, as netcat does. */
	for (a = ai; a != NULL; a = a->ai_next) {
		net_format_addr(a->ai_addr, target, sizeof target);
		fd = net_socket(a->ai_family);
		if (fd == -1) {
			call = "socket";
			err = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (a->ai_family == AF_INET6) {
			/* "::" takes IPv4 clients too, as nc does; not -6. */
			int	v6only = net.cfg.family == AF_INET6;

			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
			    sizeof v6only);
		}
		if (bind(fd, a->ai_addr, a->ai_addrlen) == -1) {
			call = "bind";
			err = errno;
		} else if (listen(fd, SOMAXCONN) == -1) {
			call = "listen";
			err = errno;
		} else
			break;
		close(fd);
		fd = -1;
	}
	if (fd == -1) {
		/* No listener came of it, so it gets no L-number. */
		freeaddrinfo(ai);
		net_emit_error(NULL, 0, call, target, err);
		return -1;
	}

	l = xcalloc(1, sizeof *l);
	l->id = lid;
	l->fd = fd;
	{
		struct sockaddr_storage	ss;
		socklen_t		len = sizeof ss;

		/* Port 0 asks the kernel to pick: show the real one. */
		if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
			net_format_addr((struct sockaddr *)&ss, l->addr,
			    sizeof l->addr);
		else
			snprintf(l->addr, sizeof l->addr, "%.63s", target);
	}
	if (a->ai_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)a->ai_addr;

		l->all_interfaces = s4->sin_addr.s_addr == htonl(INADDR_ANY);
	} else if (a->ai_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)a->ai_addr;

		l->all_interfaces = IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr);
	}
	freeaddrinfo(ai);
	net.listeners = xrealloc(net.listeners,
	    (size_t)lid * sizeof *net.listeners);
	net.listeners[lid - 1] = l;
	net.nlisteners = lid;

	struct ev	e = net_ev(EV_LISTENING, NULL);

	e.listener = lid;
	e.addr = l->addr;
	e.all_interfaces = l->all_interfaces;
	net_emit(&e);
	return lid;
}

/* Make a new connection record with the next id. */
static struct net_conn *
net_conn_new(int listener, enum conn_state state)
{
	struct net_conn	*nc = xcalloc(1, sizeof *nc);
	int		 id = net.nconns + 1;

	conn_init(&nc->c, id, listener, state);
	nc->fd = -1;
	net.conns = xrealloc(net.conns, (size_t)id * sizeof *net.conns);
	net.conns[id - 1] = nc;
	net.nconns = id;
	return nc;
}

/* A name lookup handed to a thread; it comes back through the pipe. */
struct net_lookup {
	int		 id;		/* the connection waiting for it */
	int		 wfd;		/* the pipe to tell the loop through */
	char		*host;
	char		*port;
	struct addrinfo	 hints;
	struct addrinfo	*res;
	int		 rc;
	int		 err;
};

/* Thread: look the name up (this may take long), then tell the loop. */
static void *
net_lookup_thread(void *arg)
{
	struct net_lookup	*lk = arg;

	lk->rc = getaddrinfo(lk->host, lk->port, &lk->hints, &lk->res);
	lk->err = errno;
	/* A pointer is far below PIPE_BUF: the write is atomic. */
	if (write(lk->wfd, &lk, sizeof lk) != sizeof lk) {
		/* The loop is gone (exiting): nothing to tell. */
	}
	return NULL;
}

/* A lookup finished: connect, or fail the connection. */
static void
net_lookup_done(struct net_lookup *lk)
{
	struct net_conn	*nc = net.conns[lk->id - 1];

	net.lookups--;
	if (!nc->resolving) {
		/* Closed while we waited. */
		if (lk->res != NULL)
			freeaddrinfo(lk->res);
	} else if (lk->rc != 0) {
		nc->resolving = 0;
		net_resolve_error(lk->host, lk->port, lk->rc, lk->err,
		    nc->c.id);
		conn_on_connect_failed(&nc->c);
	} else {
		nc->resolving = 0;
		nc->ai = nc->next = lk->res;
		net_attempt(nc);
	}
	free(lk->host);
	free(lk->port);
	free(lk);
}

/*
 * Start connecting to host:port; returns the connection id or -1.
 * Numeric addresses are resolved at once; names are looked up by a
 * thread, so a slow DNS server never stops the loop.
 */
int
net_connect(const char *host, const char *port)
{
	struct addrinfo		 hints, *ai;
	struct net_conn		*nc;
	struct net_lookup	*lk;
	pthread_t		 t;
	pthread_attr_t		 attr;
	int			 rc;

	net_hints(&hints, 0);
	hints.ai_flags |= AI_NUMERICHOST;
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc != 0 && rc != EAI_NONAME) {
		net_resolve_error(host, port, rc, errno, 0);
		return -1;
	}
	nc = net_conn_new(0, CONN_CONNECTING);
	if (rc == 0) {
		nc->ai = nc->next = ai;
		net_attempt(nc);
		return nc->c.id;
	}

	lk = xcalloc(1, sizeof *lk);
	lk->id = nc->c.id;
	lk->host = xstrdup(host);
	lk->port = xstrdup(port);
	net_hints(&lk->hints, 0);
	if (net.lookup_pipe[0] == -1 &&
	    pipe2(net.lookup_pipe, O_NONBLOCK | O_CLOEXEC) == -1)
		util_fatal("pipe: %s", strerror(errno));
	/* The pipe is never closed: a thread may outlive net_free(). */
	lk->wfd = net.lookup_pipe[1];
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, net_lookup_thread, lk);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		/* No thread to be had: look it up here, as before. */
		lk->rc = getaddrinfo(host, port, &lk->hints, &lk->res);
		lk->err = errno;
		net.lookups++;
		nc->resolving = 1;
		net_lookup_done(lk);
		return nc->c.id;
	}
	net.lookups++;
	nc->resolving = 1;
	return nc->c.id;
}

/* Read every finished lookup from the pipe. */
static void
net_lookups_ready(void)
{
	struct net_lookup	*lk;

	while (read(net.lookup_pipe[0], &lk, sizeof lk) == sizeof lk)
		net_lookup_done(lk);
}

/* The connection is up: record it and send what was queued meanwhile. */
static void
net_connected(struct net_conn *nc)
{
	struct ev	e;

	freeaddrinfo(nc->ai);
	nc->ai = nc->next = NULL;
	net_fill_addrs(nc);
	conn_on_connected(&nc->c);
	e = net_ev(EV_CONNECTED, nc);
	e.addr = nc->target;
	net_emit(&e);
	net_flush(nc);
}

/* Try the next address of a connecting connection, or fail it. */
static void
net_attempt(struct net_conn *nc)
{
	while (nc->next != NULL) {
		struct addrinfo	*a = nc->next;
		struct ev	 e;

		nc->next = a->ai_next;
		net_format_addr(a->ai_addr, nc->target, sizeof nc->target);
		conn_set_addrs(&nc->c, "", nc->target);
		e = net_ev(EV_CONNECTING, nc);
		e.addr = nc->target;
		net_emit(&e);

		nc->fd = net_socket(a->ai_family);
		if (nc->fd == -1) {
			net_emit_error(nc, 0, "socket", nc->target, errno);
			continue;
		}
		if (connect(nc->fd, a->ai_addr, a->ai_addrlen) == 0) {
			net_connected(nc);
			return;
		}
		if (errno == EINPROGRESS || errno == EINTR) {
			/* Finishes when the socket turns writable. */
			nc->deadline = loop_now() + net.cfg.timeout;
			return;
		}
		net_emit_error(nc, 0, "connect", nc->target, errno);
		close(nc->fd);
		nc->fd = -1;
	}
	freeaddrinfo(nc->ai);
	nc->ai = NULL;
	conn_on_connect_failed(&nc->c);
}

/* The current connect attempt ended with err (0: success). */
static void
net_attempt_done(struct net_conn *nc, int err)
{
	if (err == 0) {
		net_connected(nc);
		return;
	}
	net_emit_error(nc, 0, "connect", nc->target, err);
	close(nc->fd);
	nc->fd = -1;
	net_attempt(nc);
}

/* Look up an open connection by id for an operation. */
static struct net_conn *
net_find(int id, char **cause)
{
	if (id < 1 || id > net.nconns) {
		*cause = xasprintf("no connection #%d", id);
		return NULL;
	}
	return net.conns[id - 1];
}

/* Close a connection's socket and report it. */
static void
net_close_fd(struct net_conn *nc)
{
	struct ev	e;
	int		i;

	if (nc->fd == -1)
		return;
	close(nc->fd);
	nc->fd = -1;
	conn_on_close(&nc->c);
	/* A descriptor is free again: listeners out of them may go on. */
	for (i = 0; i < net.nlisteners; i++)
		net.listeners[i]->paused = 0;
	e = net_ev(EV_CLOSED, nc);
	e.in_bytes = nc->c.in_bytes;
	e.in_chunks = nc->c.in_chunks;
	e.out_bytes = nc->c.out_bytes;
	net_emit(&e);
}

/* The peer reset the connection: report it and close our end. */
static void
net_peer_reset(struct net_conn *nc, const char *call, size_t asked, int err)
{
	struct ev	e = net_ev(EV_RESET, nc);

	conn_on_reset_by_peer(&nc->c);
	e.by_peer = 1;
	e.call = call;
	e.asked = asked;
	e.err = err;
	net_emit(&e);
	net_close_fd(nc);
}

/* Close the socket once both directions are finished. */
static void
net_maybe_close(struct net_conn *nc)
{
	if (conn_wants_close(&nc->c))
		net_close_fd(nc);
}

/* shutdown(SHUT_WR) now. */
static void
net_do_shutdown(struct net_conn *nc)
{
	struct ev	e;

	if (shutdown(nc->fd, SHUT_WR) == -1) {
		int	err = errno;

		if (err == ENOTCONN || err == ECONNRESET || err == EPIPE)
			net_peer_reset(nc, "shutdown", 0, err);
		else
			net_emit_error(nc, 0, "shutdown", NULL, err);
		return;
	}
	conn_on_shutdown(&nc->c);
	e = net_ev(EV_SHUTDOWN, nc);
	net_emit(&e);
	net_maybe_close(nc);
}

/* Send from the queue until it is empty or the kernel is full. */
static void
net_flush(struct net_conn *nc)
{
	const unsigned char	*p;
	size_t			 n;
	ssize_t			 r;

	while (nc->fd != -1 && nc->c.state != CONN_CONNECTING) {
		p = conn_queue_peek(&nc->c, &n);
		if (n == 0)
			break;
		if (n > NET_SEND_MAX)
			n = NET_SEND_MAX;
		r = send(nc->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (r > 0) {
			struct ev	e = net_ev(EV_SEND, nc);

			e.asked = n;
			e.len = (size_t)r;
			e.data = p;
			e.offset = nc->c.out_bytes;
			e.chunk = nc->c.out_chunks + 1;
			nc->send_blocked = 0;
			/* Emit first: conn_on_sent() may free the queue. */
			net_emit(&e);
			conn_on_sent(&nc->c, (size_t)r);
			continue;
		}
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* Say so once per stall, not on every POLLOUT. */
			if (!nc->send_blocked) {
				struct ev	e = net_ev(EV_WAIT, nc);

				e.call = "send";
				e.asked = n;
				e.len = nc->c.qlen;
				e.err = EAGAIN;
				net_emit(&e);
			}
			nc->send_blocked = 1;
			return;
		}
		if (errno == EPIPE || errno == ECONNRESET) {
			int	err = errno;

			/* What arrived before the reset is still readable. */
			while (net.cfg.auto_recv && nc->fd != -1 &&
			    !nc->c.eof_in &&
			    net_do_recv(nc, net.cfg.recv_size) > 0)
				continue;
			if (nc->fd != -1)
				net_peer_reset(nc, "send", n, err);
		} else {
			net_emit_error(nc, 0, "send", NULL, errno);
			net_close_fd(nc);
		}
		return;
	}
	if (nc->fd != -1 && conn_wants_shutdown(&nc->c))
		net_do_shutdown(nc);
}

/* Queue bytes for connection id and send what the kernel takes now. */
int
net_send(int id, const void *p, size_t n, char **cause)
{
	struct net_conn	*nc = net_find(id, cause);

	if (nc == NULL)
		return -1;
	if (conn_queue(&nc->c, p, n, cause) != 0)
		return -1;
	net_flush(nc);
	return 0;
}

/*
 * Call recv() once for up to n bytes and report exactly what it returned.
 * Returns the recv() result (-1 with errno for errors).
 */
static ssize_t
net_do_recv(struct net_conn *nc, size_t n)
{
	ssize_t		r;
	struct ev	e;

	do
		r = recv(nc->fd, net.rbuf, n, 0);
	while (r == -1 && errno == EINTR);

	if (r > 0) {
		e = net_ev(EV_RECV, nc);
		e.asked = n;
		e.len = (size_t)r;
		e.data = net.rbuf;
		e.offset = conn_on_recv(&nc->c, (size_t)r);
		e.chunk = nc->c.in_chunks;
		net_emit(&e);
	} else if (r == 0) {
		int	was_eof = nc->c.eof_in;

		conn_on_eof(&nc->c);
		e = net_ev(EV_EOF, nc);
		e.asked = n;
		net_emit(&e);
		if (!was_eof)
			net_maybe_close(nc);
	} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
		if (!net.cfg.auto_recv) {
			e = net_ev(EV_WAIT, nc);
			e.call = "recv";
			e.asked = n;
			e.err = EAGAIN;
			net_emit(&e);
		}
	} else if (errno == ECONNRESET || errno == EPIPE) {
		net_peer_reset(nc, "recv", n, errno);
	} else {
		net_emit_error(nc, 0, "recv", NULL, errno);
		net_close_fd(nc);
	}
	return r;
}

/* One recv() of up to n bytes on connection id (/recv). */
int
net_recv(int id, size_t n, char **cause)
{
	struct net_conn	*nc = net_find(id, cause);

	if (nc == NULL)
		return -1;
	if (!conn_can_recv(&nc->c, cause))
		return -1;
	if (n == 0)
		n = net.cfg.recv_size;
	nc->quiet = 0;
	net_do_recv(nc, n);
	return 0;
}

/* Half-close connection id once its queue is sent. */
int
net_shutdown(int id, char **cause)
{
	struct net_conn	*nc = net_find(id, cause);

	if (nc == NULL)
		return -1;
	/* Queued bytes go first; the shutdown follows them. */
	if (conn_request_shutdown(&nc->c, cause) != 0)
		return -1;
	if (conn_wants_shutdown(&nc->c))
		net_do_shutdown(nc);
	return 0;
}

/* Abortive close: SO_LINGER 0 makes close() send RST. */
int
net_reset(int id, char **cause)
{
	struct net_conn	*nc = net_find(id, cause);
	struct linger	 lg = { 1, 0 };
	struct ev	 e;

	if (nc == NULL)
		return -1;
	if (nc->fd == -1 || nc->c.state == CONN_CONNECTING) {
		*cause = xasprintf("#%d is %s: nothing to reset", id,
		    conn_state_name(nc->c.state));
		return -1;
	}
	if (setsockopt(nc->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) == -1)
		net_emit_error(nc, 0, "setsockopt", "SO_LINGER", errno);
	e = net_ev(EV_RESET, nc);
	net_emit(&e);
	net_close_fd(nc);
	return 0;
}

/* Close connection id (anything queued is dropped, and said so). */
int
net_close(int id, char **cause)
{
	struct net_conn	*nc = net_find(id, cause);

	if (nc == NULL)
		return -1;
	if (nc->fd == -1) {
		if (nc->c.state == CONN_CONNECTING) {
			/* Between attempts or still resolving: stop. */
			nc->resolving = 0;
			freeaddrinfo(nc->ai);
			nc->ai = nc->next = NULL;
			conn_on_connect_failed(&nc->c);
			return 0;
		}
		*cause = xasprintf("#%d is already %s", id,
		    conn_state_name(nc->c.state));
		return -1;
	}
	if (nc->c.state == CONN_CONNECTING) {
		freeaddrinfo(nc->ai);
		nc->ai = nc->next = NULL;
		close(nc->fd);
		nc->fd = -1;
		conn_on_connect_failed(&nc->c);
		struct ev e = net_ev(EV_CLOSED, nc);
		net_emit(&e);
		return 0;
	}
	net_close_fd(nc);
	return 0;
}

/* Close listener lid. */
int
net_close_listener(int lid, char **cause)
{
	struct net_listener	*l;
	struct ev		 e;

	if (lid < 1 || lid > net.nlisteners) {
		*cause = xasprintf("no listener L%d", lid);
		return -1;
	}
	l = net.listeners[lid - 1];
	if (l->fd == -1) {
		*cause = xasprintf("L%d is already closed", lid);
		return -1;
	}
	close(l->fd);
	l->fd = -1;
	e = net_ev(EV_CLOSED, NULL);
	e.listener = lid;
	e.addr = l->addr;
	net_emit(&e);
	return 0;
}

/* Connection id, or NULL. */
const struct conn *
net_conn(int id)
{
	if (id < 1 || id > net.nconns)
		return NULL;
	return &net.conns[id - 1]->c;
}

/* Listener lid, or NULL. */
const struct net_listener *
net_listener(int lid)
{
	if (lid < 1 || lid > net.nlisteners)
		return NULL;
	return net.listeners[lid - 1];
}

/* The highest connection id so far. */
int
net_conn_max(void)
{
	return net.nconns;
}

/* The highest listener id so far. */
int
net_listener_max(void)
{
	return net.nlisteners;
}

/* How many connections are still open. */
int
net_open_conns(void)
{
	int	i, n = 0;

	for (i = 0; i < net.nconns; i++)
		n += conn_is_open(&net.conns[i]->c);
	return n;
}

/* How many listeners are still open. */
int
net_open_listeners(void)
{
	int	i, n = 0;

	for (i = 0; i < net.nlisteners; i++)
		n += net.listeners[i]->fd != -1;
	return n;
}

/* Nonzero while manual mode knows bytes or EOF wait for /recv. */
int
net_waiting(int id)
{
	if (id < 1 || id > net.nconns)
		return 0;
	return net.conns[id - 1]->quiet && !net.cfg.auto_recv;
}

/* Bytes in the kernel's receive queue of connection id (FIONREAD). */
long
net_kernel_rxq(int id)
{
	int	n;

	if (id < 1 || id > net.nconns || net.conns[id - 1]->fd == -1 ||
	    net.conns[id - 1]->c.state == CONN_CONNECTING)
		return -1;
	if (ioctl(net.conns[id - 1]->fd, FIONREAD, &n) == -1)
		return -1;
	return n;
}

/* Bytes sent but not yet acknowledged, in the kernel (SIOCOUTQ). */
long
net_kernel_txq(int id)
{
	int	n;

	if (id < 1 || id > net.nconns || net.conns[id - 1]->fd == -1 ||
	    net.conns[id - 1]->c.state == CONN_CONNECTING)
		return -1;
	if (ioctl(net.conns[id - 1]->fd, SIOCOUTQ, &n) == -1)
		return -1;
	return n;
}

/* Accept every pending connection on listener l. */
static void
net_accept(struct net_listener *l)
{
	for (;;) {
		struct sockaddr_storage	 ss;
		socklen_t		 len = sizeof ss;
		struct net_conn		*nc;
		struct ev		 e;
		int			 fd;

		fd = accept4(l->fd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			net_emit_error(NULL, l->id, "accept", l->addr, errno);
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/*
				 * The client stays in the backlog and the
				 * listener readable: stop watching it until a
				 * connection closes, or this would spin.
				 */
				l->paused = 1;
			}
			return;
		}
		nc = net_conn_new(l->id, CONN_ESTABLISHED);
		nc->fd = fd;
		net_fill_addrs(nc);
		e = net_ev(EV_ACCEPTED, nc);
		e.addr = l->addr;
		net_emit(&e);
	}
}

/* Fill the pollfds for every socket that needs watching. */
size_t
net_poll_fill(struct pollfd *pfd, size_t max, int *timeout_ms)
{
	size_t	n = 0;
	double	now = loop_now();
	int	i;

	if (net.nslots < max) {
		net.slots = xrealloc(net.slots, max * sizeof *net.slots);
		net.nslots = max;
	}
	if (net.lookups > 0 && n < max) {
		/* Name lookups under way report through this pipe. */
		pfd[n].fd = net.lookup_pipe[0];
		pfd[n].events = POLLIN;
		net.slots[n].listener = -1;
		net.slots[n].conn = 0;
		n++;
	}
	for (i = 0; i < net.nlisteners && n < max; i++) {
		if (net.listeners[i]->fd == -1 || net.listeners[i]->paused)
			continue;
		pfd[n].fd = net.listeners[i]->fd;
		pfd[n].events = POLLIN;
		net.slots[n].listener = i + 1;
		net.slots[n].conn = 0;
		n++;
	}
	for (i = 0; i < net.nconns && n < max; i++) {
		struct net_conn	*nc = net.conns[i];
		short		 ev = 0;

		if (nc->fd == -1)
			continue;
		if (nc->c.state == CONN_CONNECTING) {
			double	left = (nc->deadline - now) * 1000.0;
			int	ms = left <= 0 ? 0 : (int)left + 1;

			if (*timeout_ms < 0 || ms < *timeout_ms)
				*timeout_ms = ms;
			ev = POLLOUT;
		} else {
			/*
			 * Auto mode reads whenever readable.  Manual mode
			 * watches too, but only until something waits (then
			 * quiet is set), so the screen can say so.  Sending
			 * goes on regardless.
			 */
			if (!nc->quiet && (!nc->c.eof_in || !net.cfg.auto_recv))
				ev |= POLLIN;
			if (nc->c.qlen > 0)
				ev |= POLLOUT;
			/* Nothing asked and nothing new to learn: poll()
			 * would only report the same HUP again, forever. */
			if (ev == 0 && nc->quiet)
				continue;
		}
		/* With no events asked, poll still reports HUP and ERR. */
		pfd[n].fd = nc->fd;
		pfd[n].events = ev;
		net.slots[n].listener = 0;
		net.slots[n].conn = i + 1;
		n++;
	}
	return n;
}

/*
 * Auto mode, EOF already read, and poll() reports a hang-up or error: a
 * reset after the FIN is still news, so ask recv() what happened.
 */
static void
net_after_eof(struct net_conn *nc)
{
	ssize_t	r;

	do
		r = recv(nc->fd, net.rbuf, net.cfg.recv_size, 0);
	while (r == -1 && errno == EINTR);
	if (r == -1 && (errno == ECONNRESET || errno == EPIPE))
		net_peer_reset(nc, "recv", net.cfg.recv_size, errno);
	else if (r == -1 && errno != EAGAIN && errno != EWOULDBLOCK) {
		net_emit_error(nc, 0, "recv", NULL, errno);
		net_close_fd(nc);
	} else {
		/* Nothing more to learn: stop watching (see poll_fill). */
		nc->quiet = 1;
	}
}

/* Handle poll() results for one connection. */
static void
net_conn_ready(struct net_conn *nc, short revents)
{
	int	i;

	if (nc->c.state == CONN_CONNECTING) {
		int		err = 0;
		socklen_t	len = sizeof err;

		if (revents == 0) {
			if (loop_now() >= nc->deadline)
				net_attempt_done(nc, ETIMEDOUT);
			return;
		}
		if (getsockopt(nc->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			err = errno;
		net_attempt_done(nc, err);
		return;
	}
	/*
	 * Receive before sending: bytes that arrived before a reset stay
	 * readable, and a send that fails first would lose them.
	 */
	if (net.cfg.auto_recv && !nc->c.eof_in &&
	    (revents & (POLLIN | POLLHUP | POLLERR))) {
		for (i = 0; i < NET_RECV_BURST; i++) {
			size_t	want = net.cfg.recv_size;

			/* A short read means the kernel queue is empty now. */
			if (net_do_recv(nc, want) < (ssize_t)want ||
			    nc->fd == -1 || nc->c.eof_in)
				break;
		}
	} else if (!net.cfg.auto_recv && (revents & (POLLIN | POLLHUP |
	    POLLERR))) {
		/* Bytes, EOF or a reset wait in the kernel for /recv. */
		nc->quiet = 1;
	} else if (revents & (POLLHUP | POLLERR))
		net_after_eof(nc);
	if (nc->fd != -1 && (revents & POLLOUT))
		net_flush(nc);
}

/* Handle the results of poll() and any connect deadlines that passed. */
void
net_poll_dispatch(struct pollfd *pfd, size_t n)
{
	double	now = loop_now();
	size_t	i;
	int	j;

	for (i = 0; i < n && i < net.nslots; i++) {
		if (net.slots[i].listener == -1) {
			if (pfd[i].revents & POLLIN)
				net_lookups_ready();
			continue;
		}
		if (net.slots[i].listener != 0) {
			struct net_listener *l =
			    net.listeners[net.slots[i].listener - 1];

			if (l->fd != -1 && (pfd[i].revents & POLLIN))
				net_accept(l);
			continue;
		}
		struct net_conn	*nc = net.conns[net.slots[i].conn - 1];

		if (nc->fd != pfd[i].fd)
			continue;	/* closed and replaced meanwhile */
		if (pfd[i].revents != 0)
			net_conn_ready(nc, pfd[i].revents);
	}
	/* Connect attempts whose time is up. */
	for (j = 0; j < net.nconns; j++) {
		struct net_conn	*nc = net.conns[j];

		if (nc->c.state == CONN_CONNECTING && nc->fd != -1 &&
		    now >= nc->deadline)
			net_attempt_done(nc, ETIMEDOUT);
	}
}
