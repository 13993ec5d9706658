/*
 * net.c: the socket engine.  Owns every file descriptor: connections and
 * connect attempts here, listeners in its part net-listen.c (the engine's
 * state, struct net_engine, is shared through net-int.h).  Called by
 * app.c (requests from the input line); registers its own descriptors and
 * connect deadlines with the loop (loop.h) and is called back by it.  Reports what happened as a
 * struct ev through the emit callback; every socket call itself is made
 * and recorded by net-sys.c.  How bytes move for each kind of socket is a
 * transport's (struct net_ops: net-stream.c, net-dgram.c, net-tls.c).
 *
 * Nothing here blocks: sockets are non-blocking, connects finish in the
 * loop, names are looked up in a thread, and sends go through each
 * connection's queue, with writability watched only while it holds data.
 *
 * Live connections are in a list; a table maps each id to its live
 * connection or, once closed, to a small copy of its struct conn kept for
 * the view (net_forget() drops it).  What the loop watches for a
 * connection is recomputed once per turn, and only for connections that
 * changed (the dirty list); closed ones are freed there too, after every
 * call that could still use them has returned.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
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
#include "sockscope/net-int.h"
#include "sockscope/net.h"
#include "sockscope/tls.h"
#include "sockscope/util.h"

/* Automatic recv() calls per readable connection per loop turn: enough to
 * keep up with a flood, few enough that the input line stays responsive. */
#define NET_RECV_BURST 8

/* The most bytes handed to one send() call. */
#define NET_SEND_MAX (1024 * 1024)

/* A name lookup handed to a thread; it comes back through the pipe. */
struct net_lookup {
	int		 id;		/* the connection waiting for it, or */
	int		 listen;	/* a listener to open on the result */
	enum net_transport tr;
	int		 wfd;		/* the pipe to tell the loop through */
	char		*host;
	char		*port;
	struct addrinfo	 hints;
	struct addrinfo	*res;
	int		 rc;
	int		 err;
};

/* The engine's state (net-int.h): one, shared with net-listen.c. */
struct net_engine net;

static void	net_attempt(struct net_conn *nc);
static ssize_t	net_do_recv(struct net_conn *nc, size_t n);
static void	net_on_conn_fd(int fd, int revents, void *arg);
static void	net_hook(int *timeout_ms, void *arg);
static struct net_conn *net_live(int id);
static void	net_transport_error(struct net_conn *nc, const char *call,
		    int err);
static void	net_check_pending(struct net_conn *nc);
static void	net_free_ai(struct net_conn *nc);

/* The operations of each transport; NULL: not built in. */
const struct net_ops *
net_ops_of(enum net_transport t)
{
	switch (t) {
	case NET_TCP:
		return &net_tcp_ops;
	case NET_UDP:
		return &net_udp_ops;
	case NET_UNIX:
		return &net_unix_ops;
	case NET_UNIXGRAM:
		return &net_unixgram_ops;
	case NET_TLS:
		/* net-tls.c, on tls.c: start() begins the handshake once
		 * TCP is up, step() drives it, wants() says which way it
		 * waits, pending() what OpenSSL holds. */
		return &net_tls_ops;
	}
	return NULL;
}

/* The transport's name. */
const char *
net_transport_name(enum net_transport t)
{
	static const char *names[] = { "tcp", "udp", "unix", "unixgram",
	    "tls" };

	if ((unsigned)t < sizeof names / sizeof names[0])
		return names[t];
	return "?";
}

/* The who of a connection, for its records. */
struct net_who
net_who_conn(const struct net_conn *nc)
{
	struct net_who	w;

	w.conn = nc->c.id;
	w.listener = nc->c.listener;
	w.role = nc->c.listener != 0 ? SR_ROLE_ACCEPTED : SR_ROLE_CLIENT;
	return w;
}

/* The who of a listener. */
struct net_who
net_who_lstn(int lid)
{
	struct net_who	w;

	w.conn = 0;
	w.listener = lid;
	w.role = SR_ROLE_LISTENER;
	return w;
}

/* Send an event to the app with the time filled in. */
void
net_emit(struct ev *e)
{
	e->t = loop_now();
	net.emit(e, net.arg);
}

/* Start an event about connection nc. */
struct ev
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
		if (nc->tr != NET_TCP)
			e.transport = net_transport_name(nc->tr);
	}
	return e;
}

/* Report a failed call with errno err. */
void
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

/* Report a failure in words (no errno). */
void
net_emit_message(const struct net_conn *nc, int listener, const char *call,
    const char *addr, int err, const char *message)
{
	struct ev	e = net_ev(EV_ERROR, nc);

	if (listener != 0)
		e.listener = listener;
	e.call = call;
	e.addr = addr;
	e.err = err;
	e.message = message;
	net_emit(&e);
}

/* Set up the engine; emit receives every event. */
void
net_init(const struct net_config *cfg, net_emit_fn *emit, void *arg)
{
	int	hooked = net.hooked;

	memset(&net, 0, sizeof net);
	net.cfg = *cfg;
	net.emit = emit;
	net.arg = arg;
	net.rbuf = xmalloc(1024 * 1024);
	net.lookup_pipe[0] = net.lookup_pipe[1] = -1;
	net_sys_init();
	net.hooked = hooked;
	if (!net.hooked && loop_add_hook(net_hook, NULL) == 0)
		net.hooked = 1;
}

/* The TLS contexts NET_TLS connections use (the caller's to free). */
void
net_set_tls(struct tls_ctx *client, struct tls_ctx *server)
{
	net.tls_client = client;
	net.tls_server = server;
}

/* The client context for a host given as an address. */
void
net_set_tls_addr(struct tls_ctx *client_addr)
{
	net.tls_client_addr = client_addr;
}

/* The client context for name: its own for an IP address, if set. */
struct tls_ctx *
net_tls_client_ctx(const char *name)
{
	unsigned char	buf[sizeof(struct in6_addr)];

	if (net.tls_client_addr != NULL && name != NULL &&
	    (inet_pton(AF_INET, name, buf) == 1 ||
	    inet_pton(AF_INET6, name, buf) == 1))
		return net.tls_client_addr;
	return net.tls_client;
}

/* The TLS context for a client (0) or a server (1). */
struct tls_ctx *
net_tls_ctx(int server)
{
	return server ? net.tls_server : net.tls_client;
}

/* The TLS session of live connection id. */
int
net_tls_info(int id, struct tls_info *info)
{
	struct net_conn	*nc = net_live(id);

	if (nc == NULL || nc->tr != NET_TLS || nc->tstate == NULL)
		return -1;
	tls_info(nc->tstate, info);
	return 0;
}

/* Where the call records go. */
void
net_set_record(net_record_fn *fn, void *arg)
{
	net_sys_set_record(fn, arg);
}

/* Close every socket without events and free everything. */
void
net_free(void)
{
	struct net_conn	*nc, *next;
	int		 i;

	for (nc = net.live; nc != NULL; nc = next) {
		next = nc->live_next;
		if (nc->fd != -1) {
			struct net_who	w = net_who_conn(nc);

			/* Recorded too: the record is every call made. */
			loop_del_fd(nc->fd);
			net_sys_close(&w, nc->fd, 0);
		}
		if (nc->timer != 0)
			loop_del_timer(nc->timer);
		if (nc->pend_timer != 0)
			loop_del_timer(nc->pend_timer);
		net_free_ai(nc);
		nc->ops->close(nc);
		free(nc->name);
		conn_free(&nc->c);
		free(nc);
	}
	for (i = 0; i < net.nids; i++)
		free(net.ids[i].dead);
	for (i = 0; i < net.nlisteners; i++) {
		struct net_lstn	*l = net.listeners[i];

		if (l->retry != 0)
			loop_del_timer(l->retry);
		if (l->pub.fd != -1) {
			struct net_who	w = net_who_lstn(l->pub.id);

			loop_del_fd(l->pub.fd);
			net_sys_close(&w, l->pub.fd, 0);
			/* Our socket file goes with us (SPEC 9). */
			if (l->own_path)
				net_sys_unlink(&w, net_lstn_path(l));
		}
		free(l);
	}
	if (net.lookup_pipe[0] != -1)
		loop_del_fd(net.lookup_pipe[0]);
	net_sys_free();
	free(net.ids);
	free(net.listeners);
	free(net.rbuf);
	net.ids = NULL;
	net.listeners = NULL;
	net.rbuf = NULL;
	net.live = net.dirty = NULL;
	net.nids = net.capids = net.nlisteners = 0;
}

/* Mark nc for the before-sleep pass: its watch, or freeing it. */
void
net_dirty(struct net_conn *nc)
{
	if (nc->dirty)
		return;
	nc->dirty = 1;
	nc->dirty_next = net.dirty;
	net.dirty = nc;
}

/* Turn automatic receiving on or off. */
void
net_set_auto(int on)
{
	struct net_conn	*nc;

	net.cfg.auto_recv = on;
	for (nc = net.live; nc != NULL; nc = nc->live_next) {
		nc->quiet = 0;
		net_dirty(nc);
	}
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

/* The live connection id, or NULL. */
static struct net_conn *
net_live(int id)
{
	if (id < 1 || id > net.nids)
		return NULL;
	return net.ids[id - 1].live;
}

/* Fill a connection's local and peer addresses from its socket. */
void
net_fill_addrs(struct net_conn *nc)
{
	struct net_addr	a;
	char		local[NET_ADDR_MAX] = "?", peer[NET_ADDR_MAX] = "?";

	memset(&a, 0, sizeof a);
	a.len = sizeof a.ss;
	if (getsockname(nc->fd, (struct sockaddr *)&a.ss, &a.len) == 0) {
		net_addr_describe(&a);
		snprintf(local, sizeof local, "%s", a.text);
	}
	if (nc->tr == NET_UNIX || nc->tr == NET_UNIXGRAM) {
		/* A path is shown as it was given. */
		if (nc->c.listener == 0)
			snprintf(peer, sizeof peer, "%s", nc->peer.text);
		else {
			memset(&a, 0, sizeof a);
			a.len = sizeof a.ss;
			if (getpeername(nc->fd, (struct sockaddr *)&a.ss,
			    &a.len) == 0) {
				net_addr_describe(&a);
				snprintf(peer, sizeof peer, "%s", a.text);
			}
		}
	} else {
		memset(&a, 0, sizeof a);
		a.len = sizeof a.ss;
		if (getpeername(nc->fd, (struct sockaddr *)&a.ss, &a.len) == 0) {
			net_addr_describe(&a);
			snprintf(peer, sizeof peer, "%s", a.text);
		}
	}
	conn_set_addrs(&nc->c, local, peer);
}

/* Report a failed lookup of host/port (rc from getaddrinfo). */
void
net_resolve_error(const char *host, const char *port, int rc, int err,
    int conn, int listener)
{
	struct ev	e = net_ev(EV_ERROR, NULL);
	char		target[300];

	e.conn = conn;
	e.listener = listener;
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

/* The hints for resolving over transport t; passive to listen. */
void
net_hints(struct addrinfo *hints, enum net_transport t, int passive)
{
	memset(hints, 0, sizeof *hints);
	hints->ai_family = net.cfg.family;
	if (t == NET_UDP) {
		hints->ai_socktype = SOCK_DGRAM;
		hints->ai_protocol = IPPROTO_UDP;
	} else {
		hints->ai_socktype = SOCK_STREAM;
		hints->ai_protocol = IPPROTO_TCP;
	}
	if (passive)
		hints->ai_flags |= AI_PASSIVE;
}

/* Grow the id table and give out the next id. */
static int
net_next_id(void)
{
	if (net.nids == net.capids) {
		net.capids = net.capids == 0 ? 64 : net.capids * 2;
		net.ids = xrealloc(net.ids, (size_t)net.capids *
		    sizeof *net.ids);
	}
	net.ids[net.nids].live = NULL;
	net.ids[net.nids].dead = NULL;
	return ++net.nids;
}

/* Make a new connection with the next id, live. */
struct net_conn *
net_conn_new(int listener, enum conn_state state, enum net_transport t)
{
	struct net_conn	*nc = xcalloc(1, sizeof *nc);
	int		 id = net_next_id();

	conn_init(&nc->c, id, listener, state);
	nc->fd = -1;
	nc->tr = t;
	nc->ops = net_ops_of(t);
	net.ids[id - 1].live = nc;
	net.ids[id - 1].tr = t;
	nc->live_next = net.live;
	if (net.live != NULL)
		net.live->live_prev = nc;
	net.live = nc;
	return nc;
}

/* Closed: free nc before the loop sleeps, keeping its struct conn. */
static void
net_retire(struct net_conn *nc)
{
	nc->retiring = 1;
	net_dirty(nc);
}

/* Free a retired connection now (from the before-sleep hook). */
static void
net_conn_release(struct net_conn *nc)
{
	struct conn	*dead = xmalloc(sizeof *dead);

	if (nc->timer != 0)
		loop_del_timer(nc->timer);
	if (nc->pend_timer != 0)
		loop_del_timer(nc->pend_timer);
	net_free_ai(nc);
	nc->ops->close(nc);
	free(nc->name);
	/* The queue is gone; the counters, state and addresses stay. */
	conn_free(&nc->c);
	*dead = nc->c;
	net.ids[nc->c.id - 1].live = NULL;
	net.ids[nc->c.id - 1].dead = dead;
	if (nc->live_prev != NULL)
		nc->live_prev->live_next = nc->live_next;
	else
		net.live = nc->live_next;
	if (nc->live_next != NULL)
		nc->live_next->live_prev = nc->live_prev;
	free(nc);
}

/* What the loop should watch on nc's socket now. */
static int
net_watch_mask(const struct net_conn *nc)
{
	int	ev = 0;

	if (nc->c.state == CONN_CONNECTING)
		return LOOP_WRITE;
	/*
	 * Auto mode reads whenever readable.  Manual mode watches too, but
	 * only until something waits (then quiet is set), so the screen can
	 * say so.  Sending goes on regardless.
	 */
	if (!nc->quiet && (!nc->c.eof_in || !net.cfg.auto_recv) &&
	    !(nc->rx_capped && nc->rx_left == 0 && net.cfg.auto_recv))
		ev |= LOOP_READ;
	if (nc->c.qlen > 0)
		ev |= LOOP_WRITE;
	if (nc->ops->wants != NULL)
		ev |= nc->ops->wants(nc);
	/* Nothing asked and nothing new to learn: the loop would only
	 * report the same hang-up again, forever. */
	if (ev == 0 && !nc->quiet && !(nc->rx_capped && nc->rx_left == 0))
		ev = LOOP_ERRORS;
	return ev;
}

/* Before sleeping: update what changed connections are watched for, and
 * free the closed ones. */
static void
net_hook(int *timeout_ms, void *arg)
{
	struct net_conn	*nc;
	int		 mask;

	(void)timeout_ms;
	(void)arg;
	while ((nc = net.dirty) != NULL) {
		net.dirty = nc->dirty_next;
		nc->dirty = 0;
		if (nc->retiring) {
			net_conn_release(nc);
			continue;
		}
		if (nc->fd == -1 || nc->dl != NULL)
			continue;
		mask = net_watch_mask(nc);
		if (!nc->registered) {
			if (loop_add_fd(nc->fd, mask, net_on_conn_fd, nc) == 0)
				nc->registered = 1;
		} else if (mask != nc->watched)
			loop_mod_fd(nc->fd, mask);
		nc->watched = mask;
	}
}

/* Stop watching and close nc's socket, recorded. */
static void
net_conn_close_socket(struct net_conn *nc, uint64_t discarded)
{
	struct net_who	w = net_who_conn(nc);

	/* Our sockets are never duplicated, so the close takes the fd out
	 * of the loop's epoll set: no epoll_ctl() per connection. */
	if (nc->registered)
		loop_forget_fd(nc->fd);
	nc->registered = 0;
	nc->watched = 0;
	net_sys_close(&w, nc->fd, discarded);
	nc->fd = -1;
}

/* A lookup finished: connect or listen, or say why not. */
static void
net_lookup_done(struct net_lookup *lk)
{
	struct net_conn	*nc = lk->listen ? NULL : net_live(lk->id);

	net.lookups--;
	{
		struct net_who	w = { lk->id, 0, lk->listen ?
				    SR_ROLE_LISTENER : SR_ROLE_CLIENT };

		net_sys_gai(&w, lk->host, lk->port, lk->rc, lk->err);
	}
	if (lk->listen) {
		net.listen_lookups--;
		if (lk->rc != 0)
			net_resolve_error(lk->host, lk->port, lk->rc, lk->err,
			    0, 0);
		else
			net_listen_on(lk->res, lk->tr);
	} else if (nc == NULL || !nc->resolving) {
		/* Closed while we waited. */
		if (lk->res != NULL)
			freeaddrinfo(lk->res);
	} else if (lk->rc != 0) {
		nc->resolving = 0;
		net_resolve_error(lk->host, lk->port, lk->rc, lk->err,
		    nc->c.id, 0);
		conn_on_connect_failed(&nc->c);
		net_retire(nc);
	} else {
		nc->resolving = 0;
		nc->ai = nc->next = lk->res;
		net_attempt(nc);
	}
	free(lk->host);
	free(lk->port);
	free(lk);
}

/* Read every finished lookup from the pipe. */
static void
net_on_lookups(int fd, int revents, void *arg)
{
	struct net_lookup	*lk;

	(void)revents;
	(void)arg;
	while (read(fd, &lk, sizeof lk) == sizeof lk)
		net_lookup_done(lk);
}

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

/*
 * Look host up in a thread for connection nc, or (nc NULL) for a listener
 * over t.  Returns 0, or -1 after an error event when no pipe can be made
 * (out of descriptors).
 */
int
net_lookup_start(struct net_conn *nc, enum net_transport t, const char *host,
    const char *port)
{
	struct net_lookup	*lk;
	pthread_t		 th;
	pthread_attr_t		 attr;
	int			 rc;

	if (net.lookup_pipe[0] == -1) {
		if (pipe2(net.lookup_pipe, O_NONBLOCK | O_CLOEXEC) == -1) {
			/* Out of descriptors is news, not the end. */
			net_emit_error(nc, 0, "pipe", host, errno);
			net.lookup_pipe[0] = net.lookup_pipe[1] = -1;
			return -1;
		}
		loop_add_fd(net.lookup_pipe[0], LOOP_READ, net_on_lookups,
		    NULL);
	}
	lk = xcalloc(1, sizeof *lk);
	if (nc != NULL) {
		lk->id = nc->c.id;
		nc->resolving = 1;
	} else {
		lk->listen = 1;
		net.listen_lookups++;
	}
	lk->tr = t;
	lk->host = xstrdup(host);
	lk->port = xstrdup(port);
	net_hints(&lk->hints, t, nc == NULL);
	/* The pipe is never closed: a thread may outlive net_free(). */
	lk->wfd = net.lookup_pipe[1];
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&th, &attr, net_lookup_thread, lk);
	pthread_attr_destroy(&attr);
	net.lookups++;
	if (rc != 0) {
		/* No thread to be had: look it up here, as before. */
		lk->rc = getaddrinfo(host, port, &lk->hints, &lk->res);
		lk->err = errno;
		net_lookup_done(lk);
	}
	return 0;
}

/*
 * Start connecting to host:port over t; returns the connection id or -1.
 * Numeric addresses are resolved at once; names are looked up by a
 * thread, so a slow DNS server never stops the loop.
 */
int
net_connect_ex(const char *host, const char *port, enum net_transport t)
{
	struct addrinfo		 hints, *ai;
	struct net_conn		*nc;
	int			 rc;

	if (net_ops_of(t) == NULL) {
		net_emit_message(NULL, 0, "connect", host, 0,
		    "TLS is not built into this sockscope");
		return -1;
	}
	if (t == NET_UNIX || t == NET_UNIXGRAM) {
		nc = net_conn_new(0, CONN_CONNECTING, t);
		nc->name = xstrdup(host);
		if (net_addr_unix(&nc->peer, host) != 0) {
			net_emit_message(nc, 0, "connect", host, ENAMETOOLONG,
			    "a Unix socket path is 1 to 107 bytes");
			conn_on_connect_failed(&nc->c);
			net_retire(nc);
			return nc->c.id;
		}
		/* One address, made by hand: a one-entry list. */
		nc->ai = xcalloc(1, sizeof *nc->ai);
		nc->ai->ai_family = AF_UNIX;
		nc->ai->ai_socktype = net_ops_of(t)->type;
		nc->ai->ai_addrlen = nc->peer.len;
		nc->ai->ai_addr = xmalloc(sizeof nc->peer.ss);
		memcpy(nc->ai->ai_addr, &nc->peer.ss, sizeof nc->peer.ss);
		nc->next = nc->ai;
		net_attempt(nc);
		return nc->c.id;
	}

	net_hints(&hints, t, 0);
	hints.ai_flags |= AI_NUMERICHOST;
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc != 0 && rc != EAI_NONAME) {
		net_resolve_error(host, port, rc, errno, 0, 0);
		return -1;
	}
	nc = net_conn_new(0, CONN_CONNECTING, t);
	nc->name = xstrdup(host);
	if (rc == 0) {
		struct net_who	w = net_who_conn(nc);

		net_sys_gai(&w, host, port, 0, 0);
		nc->ai = nc->next = ai;
		net_attempt(nc);
		return nc->c.id;
	}
	if (net_lookup_start(nc, t, host, port) != 0) {
		conn_on_connect_failed(&nc->c);
		net_retire(nc);
	}
	return nc->c.id;
}

/* Start connecting to host:port over TCP. */
int
net_connect(const char *host, const char *port)
{
	return net_connect_ex(host, port, NET_TCP);
}

/* Free a list made by hand for a Unix path, or by getaddrinfo. */
static void
net_free_ai(struct net_conn *nc)
{
	if (nc->ai == NULL)
		return;
	if (nc->tr == NET_UNIX || nc->tr == NET_UNIXGRAM) {
		free(nc->ai->ai_addr);
		free(nc->ai);
	} else
		freeaddrinfo(nc->ai);
	nc->ai = nc->next = NULL;
}

/* Say a transport's failure: its words when it has them, else errno. */
static void
net_transport_error(struct net_conn *nc, const char *call, int err)
{
	if (nc->errmsg[0] != '\0') {
		net_emit_message(nc, 0, call, NULL, err, nc->errmsg);
		nc->errmsg[0] = '\0';
	} else
		net_emit_error(nc, 0, call, NULL, err);
}

/* Let the transport begin (a handshake); 0, or -1 once nc is closed. */
int
net_start(struct net_conn *nc)
{
	if (nc->ops->start == NULL || nc->ops->start(nc) == 0)
		return 0;
	net_transport_error(nc, nc->c.listener != 0 ? "SSL_accept" :
	    "SSL_connect", errno);
	net_close_fd(nc, 0);
	return -1;
}

/* The connection is up: record it and send what was queued meanwhile. */
static void
net_connected(struct net_conn *nc)
{
	struct ev	e;

	if (nc->timer != 0)
		loop_del_timer(nc->timer);
	nc->timer = 0;
	net_free_ai(nc);
	net_fill_addrs(nc);
	conn_on_connected(&nc->c);
	e = net_ev(EV_CONNECTED, nc);
	e.addr = nc->target;
	net_emit(&e);
	net_dirty(nc);
	if (net_start(nc) != 0)
		return;
	net_flush(nc);
}

/* The connect attempt's time is up. */
static void
net_on_deadline(long long id, void *arg)
{
	struct net_conn	*nc = arg;
	struct net_who	 w = net_who_conn(nc);

	(void)id;
	nc->timer = 0;
	net_emit_error(nc, 0, "connect", nc->target, ETIMEDOUT);
	if (nc->registered)
		loop_del_fd(nc->fd);
	nc->registered = 0;
	net_sys_close(&w, nc->fd, 0);
	nc->fd = -1;
	net_attempt(nc);
}

/* Try the next address of a connecting connection, or fail it. */
static void
net_attempt(struct net_conn *nc)
{
	struct net_who	w = net_who_conn(nc);

	while (nc->next != NULL) {
		struct addrinfo	*a = nc->next;
		struct net_addr	 na;
		struct ev	 e;

		nc->next = a->ai_next;
		memset(&na, 0, sizeof na);
		memcpy(&na.ss, a->ai_addr, a->ai_addrlen);
		na.len = a->ai_addrlen;
		net_addr_describe(&na);
		snprintf(nc->target, sizeof nc->target, "%s", na.text);
		if (nc->tr != NET_UNIX && nc->tr != NET_UNIXGRAM)
			nc->peer = na;
		conn_set_addrs(&nc->c, "", nc->target);
		e = net_ev(EV_CONNECTING, nc);
		e.addr = nc->target;
		net_emit(&e);

		nc->fd = net_sys_socket(&w, a->ai_family, nc->ops->type |
		    SOCK_NONBLOCK | SOCK_CLOEXEC,
		    a->ai_family == AF_UNIX ? 0 : a->ai_protocol);
		if (nc->fd == -1) {
			net_emit_error(nc, 0, "socket", nc->target, errno);
			continue;
		}
		if (nc->tr == NET_UNIXGRAM) {
			/* An unnamed datagram socket cannot be answered:
			 * autobind gives it an abstract name. */
			struct net_addr	me;

			memset(&me, 0, sizeof me);
			me.ss.ss_family = AF_UNIX;
			me.len = sizeof(sa_family_t);
			snprintf(me.host, sizeof me.host, "(autobind)");
			net_sys_bind(&w, nc->fd, &me);
		}
		if (net_sys_connect(&w, nc->fd, &na) == 0) {
			net_connected(nc);
			return;
		}
		if (errno == EINPROGRESS || errno == EINTR) {
			/* Finishes when the socket turns writable. */
			nc->timer = loop_add_timer((long long)(net.cfg.timeout *
			    1000.0), net_on_deadline, nc);
			net_dirty(nc);
			return;
		}
		net_emit_error(nc, 0, "connect", nc->target, errno);
		net_sys_close(&w, nc->fd, 0);
		nc->fd = -1;
	}
	net_free_ai(nc);
	conn_on_connect_failed(&nc->c);
	net_retire(nc);
}

/* The current connect attempt ended with err (0: success). */
static void
net_attempt_done(struct net_conn *nc, int err)
{
	struct net_who	w = net_who_conn(nc);

	if (err == 0) {
		net_connected(nc);
		return;
	}
	if (nc->timer != 0)
		loop_del_timer(nc->timer);
	nc->timer = 0;
	net_emit_error(nc, 0, "connect", nc->target, err);
	if (nc->registered)
		loop_del_fd(nc->fd);
	nc->registered = 0;
	net_sys_close(&w, nc->fd, 0);
	nc->fd = -1;
	net_attempt(nc);
}

/* Look up a live connection by id for an operation; *cause otherwise. */
static struct net_conn *
net_find(int id, char **cause)
{
	struct net_conn	*nc = net_live(id);

	if (nc != NULL)
		return nc;
	if (id >= 1 && id <= net.nids && net.ids[id - 1].dead != NULL)
		*cause = xasprintf("#%d is already %s", id,
		    conn_state_name(net.ids[id - 1].dead->state));
	else
		*cause = xasprintf("no connection #%d", id);
	return NULL;
}

/* Bytes in the kernel's receive queue, recorded (shown with a close). */
static long
net_unread(struct net_conn *nc)
{
	struct net_who	w = net_who_conn(nc);
	int		n;

	/* After EOF nothing can be queued: the peer sends no byte after
	 * its FIN. */
	if (nc->fd == -1 || nc->ops->type != SOCK_STREAM || nc->c.eof_in)
		return 0;
	if (net_sys_ioctl(&w, nc->fd, FIONREAD, &n, 1) == -1)
		return 0;
	return n;
}

/*
 * Close a connection's socket and report it.  Unread bytes in the kernel
 * make Linux answer the close with RST: said, unless the caller has
 * (rst_said, /reset).
 */
void
net_close_fd(struct net_conn *nc, int rst_said)
{
	struct ev	e;
	long		unread = 0;

	if (nc->retiring)
		return;
	if (nc->fd == -1 && nc->dl == NULL)
		return;
	if (nc->dl == NULL) {
		if (!rst_said && nc->c.state != CONN_RESET)
			unread = net_unread(nc);
		if (unread > 0) {
			char	*msg = xasprintf("%ld unread byte%s discarded: "
				    "the kernel sent RST", unread,
				    unread == 1 ? "" : "s");

			e = net_ev(EV_RESET, nc);
			e.call = "close";
			e.len = (size_t)unread;
			e.message = msg;
			net_emit(&e);
			free(msg);
		}
		net_conn_close_socket(nc, unread > 0 ? (uint64_t)unread : 0);
		/* A descriptor is free again: listeners out of them go on. */
		net_resume_listeners();
	}
	conn_on_close(&nc->c);
	e = net_ev(EV_CLOSED, nc);
	e.in_bytes = nc->c.in_bytes;
	e.in_chunks = nc->c.in_chunks;
	e.out_bytes = nc->c.out_bytes;
	net_emit(&e);
	net_retire(nc);
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
	net_close_fd(nc, 1);
}

/* Close the socket once both directions are finished. */
static void
net_maybe_close(struct net_conn *nc)
{
	if (conn_wants_close(&nc->c))
		net_close_fd(nc, 0);
}

/* We finished sending: shutdown(SHUT_WR) (or the transport's) now. */
static void
net_do_shutdown(struct net_conn *nc)
{
	struct ev	e;

	if (nc->ops->shutdown(nc) == -1) {
		int	err = errno;

		if (err == EAGAIN) {
			/* close_notify waits for room: the next write turn
			 * (still pending, nothing else may be sent). */
			return;
		}
		if (err == ENOTCONN || err == ECONNRESET || err == EPIPE)
			net_peer_reset(nc, "shutdown", 0, err);
		else
			net_emit_error(nc, 0, "shutdown", NULL, err);
		return;
	}
	conn_on_shutdown(&nc->c);
	e = net_ev(EV_SHUTDOWN, nc);
	net_emit(&e);
	net_dirty(nc);
	net_maybe_close(nc);
}

/* Send from the queue until it is empty or the kernel is full. */
void
net_flush(struct net_conn *nc)
{
	const unsigned char	*p;
	size_t			 n;
	ssize_t			 r;

	net_dirty(nc);
	while ((nc->fd != -1 || nc->dl != NULL) && !nc->retiring &&
	    nc->c.state != CONN_CONNECTING) {
		p = conn_queue_peek(&nc->c, &n);
		if (n == 0)
			break;
		if (n > NET_SEND_MAX)
			n = NET_SEND_MAX;
		r = nc->ops->write(nc, p, n);
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
			/* Say so once per stall, not on every POLLOUT; a
			 * handshake under way is no stall. */
			if (nc->handshaking)
				return;
			if (!nc->send_blocked) {
				struct ev	e = net_ev(EV_WAIT, nc);

				e.call = "send";
				e.asked = n;
				e.len = nc->c.qlen;
				e.err = EAGAIN;
				net_emit(&e);
			}
			nc->send_blocked = 1;
			if (nc->dl != NULL && !nc->dl->want_write) {
				/* Its socket is the listener's: wake there. */
				nc->dl->want_write = 1;
				loop_mod_fd(nc->dl->pub.fd, LOOP_READ |
				    LOOP_WRITE);
			}
			return;
		}
		if (r == -1 && nc->ops->type == SOCK_DGRAM) {
			int	err = errno;

			/* A datagram that could not go is dropped alone
			 * (ECONNREFUSED from an earlier ICMP, EMSGSIZE):
			 * the socket stays usable. */
			net_emit_error(nc, 0, nc->dl != NULL ? "sendto" :
			    "send", NULL, err);
			conn_drop_queue(&nc->c);
			return;
		}
		if (errno == EPIPE || errno == ECONNRESET) {
			int	err = errno;

			if (!net.cfg.auto_recv && net_unread(nc) > 0) {
				/*
				 * Manual mode: what the peer sent before it
				 * went away still waits for /recv.  Keep the
				 * socket until it is read or closed.
				 */
				net_emit_message(nc, 0, "send", NULL, err,
				    "the peer is gone; what it sent still "
				    "waits for /recv");
				conn_on_send_failed(&nc->c);
				nc->quiet = 1;
				return;
			}
			/* What arrived before the reset is still readable. */
			while (net.cfg.auto_recv && nc->fd != -1 &&
			    !nc->retiring && !nc->c.eof_in &&
			    net_do_recv(nc, net.cfg.recv_size) > 0)
				continue;
			if (nc->fd != -1 && !nc->retiring)
				net_peer_reset(nc, "send", n, err);
		} else {
			net_transport_error(nc, nc->tr == NET_TLS ?
			    "SSL_write" : "send", errno);
			net_close_fd(nc, 0);
		}
		return;
	}
	if ((nc->fd != -1 || nc->dl != NULL) && !nc->retiring &&
	    conn_wants_shutdown(&nc->c))
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

/* Report a chunk of n bytes received on nc (trunc: its real size). */
void
net_got(struct net_conn *nc, size_t asked, size_t n, size_t trunc)
{
	struct ev	e = net_ev(EV_RECV, nc);

	e.asked = asked;
	e.len = n;
	e.data = net.rbuf;
	e.offset = conn_on_recv(&nc->c, n);
	e.chunk = nc->c.in_chunks;
	if (nc->rx_capped)
		nc->rx_left -= n < nc->rx_left ? n : nc->rx_left;
	net_emit(&e);
	if (trunc > n) {
		char	*msg = xasprintf("datagram of %zu bytes: only the "
			    "first %zu kept (MSG_TRUNC)", trunc, n);

		net_emit_message(nc, 0, "recv", NULL, EMSGSIZE, msg);
		free(msg);
	}
}

/*
 * Call recv() once (through the transport) for up to n bytes and report
 * exactly what it returned.  Returns the result (-1 with errno).
 */
static ssize_t
net_do_recv(struct net_conn *nc, size_t n)
{
	ssize_t		r;
	size_t		trunc = 0;
	struct ev	e;

	net_dirty(nc);
	do
		r = nc->ops->read(nc, net.rbuf, n, &trunc);
	while (r == -1 && errno == EINTR);

	if (r > 0) {
		net_got(nc, n, (size_t)r, trunc);
	} else if (r == 0 && nc->ops->type == SOCK_DGRAM) {
		/* An empty datagram: not an end; nothing to show. */
	} else if (r == 0) {
		int	was_eof = nc->c.eof_in;

		if (nc->eof_note != NULL && !was_eof)
			net_emit_message(nc, 0, "SSL_read", NULL, 0,
			    nc->eof_note);
		conn_on_eof(&nc->c);
		e = net_ev(EV_EOF, nc);
		e.asked = n;
		net_emit(&e);
		if (!was_eof)
			net_maybe_close(nc);
		/* Manual mode read what a gone peer left: now it ends. */
		if (!nc->retiring && conn_send_failed(&nc->c))
			net_close_fd(nc, 0);
	} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
		if (!net.cfg.auto_recv) {
			e = net_ev(EV_WAIT, nc);
			e.call = "recv";
			e.asked = n;
			e.err = EAGAIN;
			net_emit(&e);
		}
	} else if (nc->ops->type == SOCK_DGRAM) {
		/* ICMP port unreachable and the like: news, not an end. */
		net_emit_error(nc, 0, "recv", NULL, errno);
	} else if (errno == ECONNRESET || errno == EPIPE) {
		net_peer_reset(nc, "recv", n, errno);
	} else {
		net_transport_error(nc, nc->tr == NET_TLS ? "SSL_read" :
		    "recv", errno);
		net_close_fd(nc, 0);
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
	struct net_who	 w;
	struct ev	 e;

	if (nc == NULL)
		return -1;
	if ((nc->fd == -1 && nc->dl == NULL) ||
	    nc->c.state == CONN_CONNECTING) {
		*cause = xasprintf("#%d is %s: nothing to reset", id,
		    conn_state_name(nc->c.state));
		return -1;
	}
	if (nc->ops->type != SOCK_STREAM) {
		*cause = xasprintf("#%d is %s: a datagram socket has no "
		    "reset; /close it", id, nc->ops->name);
		return -1;
	}
	w = net_who_conn(nc);
	if (net_sys_linger0(&w, nc->fd) == -1)
		net_emit_error(nc, 0, "setsockopt", "SO_LINGER", errno);
	e = net_ev(EV_RESET, nc);
	net_emit(&e);
	net_close_fd(nc, 1);
	return 0;
}

/* Close connection id (anything queued is dropped, and said so). */
int
net_close(int id, char **cause)
{
	struct net_conn	*nc = net_find(id, cause);
	struct net_who	 w;

	if (nc == NULL)
		return -1;
	if (nc->retiring) {
		*cause = xasprintf("#%d is already %s", id,
		    conn_state_name(nc->c.state));
		return -1;
	}
	if (nc->c.state == CONN_CONNECTING) {
		struct ev	e;

		/* Resolving, between attempts or connecting: stop. */
		if (nc->resolving) {
			char	*msg = xasprintf("the name lookup for #%d "
				    "was cancelled", id);

			net_emit_message(nc, 0, "getaddrinfo", NULL,
			    ECANCELED, msg);
			free(msg);
		}
		nc->resolving = 0;
		net_free_ai(nc);
		if (nc->timer != 0)
			loop_del_timer(nc->timer);
		nc->timer = 0;
		if (nc->fd != -1) {
			w = net_who_conn(nc);
			if (nc->registered)
				loop_del_fd(nc->fd);
			nc->registered = 0;
			net_sys_close(&w, nc->fd, 0);
			nc->fd = -1;
		}
		conn_on_connect_failed(&nc->c);
		e = net_ev(EV_CLOSED, nc);
		net_emit(&e);
		net_retire(nc);
		return 0;
	}
	if (nc->fd == -1 && nc->dl == NULL) {
		*cause = xasprintf("#%d is already %s", id,
		    conn_state_name(nc->c.state));
		return -1;
	}
	net_close_fd(nc, 0);
	return 0;
}

/* Connection id, live or as kept for the view; NULL otherwise. */
const struct conn *
net_conn(int id)
{
	if (id < 1 || id > net.nids)
		return NULL;
	if (net.ids[id - 1].live != NULL)
		return &net.ids[id - 1].live->c;
	return net.ids[id - 1].dead;
}

/* Drop what is kept of closed connection id. */
void
net_forget(int id)
{
	if (id < 1 || id > net.nids || net.ids[id - 1].live != NULL)
		return;
	free(net.ids[id - 1].dead);
	net.ids[id - 1].dead = NULL;
}

/* The transport of connection id. */
enum net_transport
net_conn_transport(int id)
{
	if (id < 1 || id > net.nids)
		return NET_TCP;
	return net.ids[id - 1].tr;
}

/* The highest connection id so far. */
int
net_conn_max(void)
{
	return net.nids;
}

/* How many connections are still open. */
int
net_open_conns(void)
{
	struct net_conn	*nc;
	int		 n = 0;

	for (nc = net.live; nc != NULL; nc = nc->live_next)
		n += conn_is_open(&nc->c);
	return n;
}

/* Nonzero while manual mode knows bytes or EOF wait for /recv. */
int
net_waiting(int id)
{
	struct net_conn	*nc = net_live(id);

	return nc != NULL && nc->quiet && !net.cfg.auto_recv;
}

/* One ioctl() on live connection id's own socket, not recorded. */
static long
net_kernel_q(int id, unsigned long req)
{
	struct net_conn	*nc = net_live(id);
	int		 n;

	if (nc == NULL || nc->fd == -1 || nc->c.state == CONN_CONNECTING)
		return -1;
	if (net_sys_ioctl(NULL, nc->fd, req, &n, 0) == -1)
		return -1;
	return n;
}

/* Bytes in the kernel's receive queue of connection id (FIONREAD). */
long
net_kernel_rxq(int id)
{
	return net_kernel_q(id, FIONREAD);
}

/* Bytes sent but not yet acknowledged, in the kernel (SIOCOUTQ). */
long
net_kernel_txq(int id)
{
	return net_kernel_q(id, SIOCOUTQ);
}

/* The kernel's word for a TCP state number (tcpi_state). */
const char *
net_tcp_state_name(int st)
{
	static const char *const names[] = {
		"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
		"FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK",
		"LISTEN", "CLOSING", "NEW_SYN_RECV"
	};

	if (st <= 0 || st >= (int)(sizeof names / sizeof names[0]))
		return "?";
	return names[st];
}

/* One int-sized socket option, or -1. */
static long
net_kernel_int(int fd, int level, int name)
{
	int		v = 0;
	socklen_t	len = sizeof v;

	if (net_sys_getopt(fd, level, name, &v, &len) == -1)
		return -1;
	return v;
}

/* Fill ki for live connection id from TCP_INFO and the buffer sizes. */
int
net_kernel_info(int id, struct net_kinfo *ki)
{
	struct net_conn	*nc = net_live(id);
	struct tcp_info	 ti;
	socklen_t	 len = sizeof ti;

	ki->state = NULL;
	ki->rtt_us = ki->rttvar_us = ki->cwnd = -1;
	ki->unacked = ki->retrans = ki->rcvbuf = ki->sndbuf = -1;
	if (nc == NULL || nc->fd == -1)
		return -1;
	ki->rcvbuf = net_kernel_int(nc->fd, SOL_SOCKET, SO_RCVBUF);
	ki->sndbuf = net_kernel_int(nc->fd, SOL_SOCKET, SO_SNDBUF);
	if (nc->tr != NET_TCP && nc->tr != NET_TLS)
		return 0;
	memset(&ti, 0, sizeof ti);
	if (net_sys_getopt(nc->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1)
		return 0;
	ki->state = net_tcp_state_name(ti.tcpi_state);
	ki->rtt_us = (long)ti.tcpi_rtt;
	ki->rttvar_us = (long)ti.tcpi_rttvar;
	ki->cwnd = (long)ti.tcpi_snd_cwnd;
	ki->unacked = (long)ti.tcpi_unacked;
	ki->retrans = (long)ti.tcpi_total_retrans;
	return 0;
}

/*
 * Auto mode, EOF already read, and the loop reports a hang-up or error: a
 * reset after the FIN is still news, so ask recv() what happened.
 */
static void
net_after_eof(struct net_conn *nc, int revents)
{
	ssize_t	r;
	size_t	trunc;

	do
		r = nc->ops->read(nc, net.rbuf, net.cfg.recv_size, &trunc);
	while (r == -1 && errno == EINTR);
	if (r == 0 && (revents & LOOP_ERR)) {
		struct net_who	w = net_who_conn(nc);
		int		err = 0;

		/* After a FIN, recv() says EOF again even when a RST came:
		 * the socket's pending error tells (EPIPE, ECONNRESET). */
		if (net_sys_so_error(&w, nc->fd, NULL, &err) == 0 &&
		    (err == ECONNRESET || err == EPIPE)) {
			net_peer_reset(nc, "recv", net.cfg.recv_size, err);
			return;
		}
	}
	if (r == -1 && (errno == ECONNRESET || errno == EPIPE))
		net_peer_reset(nc, "recv", net.cfg.recv_size, errno);
	else if (r == -1 && errno != EAGAIN && errno != EWOULDBLOCK) {
		net_emit_error(nc, 0, "recv", NULL, errno);
		net_close_fd(nc, 0);
	} else {
		/* Nothing more to learn: stop watching. */
		nc->quiet = 1;
		net_dirty(nc);
	}
}

/* The loop reports nc's socket ready. */
static void
net_on_conn_fd(int fd, int revents, void *arg)
{
	struct net_conn	*nc = arg;
	ssize_t		 got;
	int		 i;

	(void)fd;
	if (nc->retiring)
		return;
	net_dirty(nc);
	if (nc->c.state == CONN_CONNECTING) {
		struct net_who	w = net_who_conn(nc);
		int		err = 0;

		if (net_sys_so_error(&w, nc->fd, &nc->peer, &err) == -1)
			err = errno;
		net_attempt_done(nc, err);
		return;
	}
	if (nc->ops->step != NULL) {
		/* The transport's own business first (a handshake). */
		int	took = nc->ops->step(nc, revents);

		if (took == -1) {
			net_transport_error(nc, nc->c.listener != 0 ?
			    "SSL_accept" : "SSL_connect", errno);
			net_close_fd(nc, 0);
		}
		if (took != 0) {
			net_check_pending(nc);
			return;
		}
	}
	/* What the transport waited for came: let it try both ways. */
	if (nc->ops->wants != NULL && (revents & nc->ops->wants(nc)))
		revents |= LOOP_READ | LOOP_WRITE;
	/*
	 * Receive before sending: bytes that arrived before a reset stay
	 * readable, and a send that fails first would lose them.
	 */
	if (net.cfg.auto_recv && nc->rx_capped && nc->rx_left == 0) {
		/* Its reader asked for nothing more now: leave it in the
		 * kernel (net_set_read_limit()). */
	} else if (net.cfg.auto_recv && !nc->c.eof_in &&
	    (revents & (LOOP_READ | LOOP_HUP | LOOP_ERR))) {
		for (i = 0; i < NET_RECV_BURST; i++) {
			size_t	want = net.cfg.recv_size;

			if (nc->rx_capped && nc->rx_left < want)
				want = nc->rx_left;
			if (want == 0)
				break;

			/* A short read means the kernel queue is empty now
			 * (a datagram is one read whatever its size), unless
			 * the peer has finished sending: then its EOF waits
			 * behind the bytes, and reading it now saves a turn
			 * of the loop. */
			got = net_do_recv(nc, want);
			if (got < 0 || nc->fd == -1 || nc->retiring ||
			    nc->c.eof_in)
				break;
			if (got < (ssize_t)want && (!(revents & LOOP_RDHUP) ||
			    nc->ops->type != SOCK_STREAM))
				break;
		}
	} else if (!net.cfg.auto_recv && (revents & (LOOP_READ | LOOP_HUP |
	    LOOP_ERR))) {
		/* Bytes, EOF or a reset wait in the kernel for /recv. */
		nc->quiet = 1;
	} else if (revents & (LOOP_HUP | LOOP_ERR))
		net_after_eof(nc, revents);
	if (nc->fd != -1 && !nc->retiring && (revents & LOOP_WRITE))
		net_flush(nc);
	net_check_pending(nc);
}

/* The transport holds bytes the socket will not report: read them. */
static void
net_on_pending(long long id, void *arg)
{
	struct net_conn	*nc = arg;

	(void)id;
	nc->pend_timer = 0;
	if (nc->fd != -1 && !nc->retiring)
		net_on_conn_fd(nc->fd, LOOP_READ, nc);
}

/* Come back at once while the transport holds what auto mode reads. */
static void
net_check_pending(struct net_conn *nc)
{
	if (nc->retiring || nc->fd == -1 || nc->pend_timer != 0 ||
	    nc->ops->pending == NULL || !net.cfg.auto_recv ||
	    nc->c.eof_in || (nc->rx_capped && nc->rx_left == 0) ||
	    !nc->ops->pending(nc))
		return;
	nc->pend_timer = loop_add_timer(0, net_on_pending, nc);
}

/* Cap what automatic receiving reads on connection id from now on. */
int
net_set_read_limit(int id, size_t limit, char **cause)
{
	struct net_conn	*nc = net_find(id, cause);

	if (nc == NULL)
		return -1;
	nc->rx_capped = limit != SIZE_MAX;
	nc->rx_left = limit;
	net_dirty(nc);
	net_check_pending(nc);
	return 0;
}
