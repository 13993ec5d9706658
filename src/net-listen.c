/*
 * net-listen.c: the engine's listeners, over every transport.  A stream
 * listener (TCP, Unix stream, TLS) accepts each client as a connection; a
 * datagram listener (UDP, Unix datagram) reads every datagram itself with
 * recvfrom() and makes each distinct peer a connection whose replies go
 * back with sendto().  A Unix listener removes a stale socket file (one
 * nothing answers on), refuses a live one or a file that is no socket,
 * and removes its own file when closed.  A host name is looked up off the
 * loop (net_listen_ex()) or at once (net_listen(), for the command line).
 * Part of net.c's module: it shares the engine's state (net-int.h).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockscope/conn.h"
#include "sockscope/evlog.h"
#include "sockscope/loop.h"
#include "sockscope/net-int.h"
#include "sockscope/net.h"
#include "sockscope/util.h"

/* Automatic recvfrom() calls per readable datagram listener per turn. */
#define NET_LISTEN_BURST 8

/* listen()'s backlog: Python's default, min(SOMAXCONN, 128), so that the
 * narration of a listener is the course's s.listen() (SPEC 10). */
#define NET_BACKLOG 128

static void	net_on_listener(int fd, int revents, void *arg);

/* While paused for want of descriptors, try accepting again this often
 * too (another process may free them: ENFILE), not only when one of ours
 * closes. */
#define NET_RETRY_MS 250

/* The path of a Unix listener, as the kernel has it. */
const char *
net_lstn_path(const struct net_lstn *l)
{
	return ((const struct sockaddr_un *)(const void *)&l->addr.ss)->sun_path;
}

/* Watch paused listener l again.  accept() can fail with EMFILE even
 * when nobody waits (the descriptor is taken first), so a burst is also
 * over when the backlog is found empty here: the next one is said. */
static void
net_lstn_wake(struct net_lstn *l)
{
	struct pollfd	pfd = { .fd = l->pub.fd, .events = POLLIN };

	l->pub.paused = 0;
	loop_mod_fd(l->pub.fd, LOOP_READ);
	if (l->starved && poll(&pfd, 1, 0) == 0)
		l->starved = 0;
}

/* Resume listeners that ran out of descriptors. */
void
net_resume_listeners(void)
{
	int	i;

	for (i = 0; i < net.nlisteners; i++) {
		struct net_lstn	*l = net.listeners[i];

		if (l->pub.paused && l->pub.fd != -1)
			net_lstn_wake(l);
		if (l->retry != 0) {
			loop_del_timer(l->retry);
			l->retry = 0;
		}
	}
}

/* A paused listener's retry timer: watch it again. */
static void
net_lstn_retry(long long id, void *arg)
{
	struct net_lstn	*l = arg;

	(void)id;
	l->retry = 0;
	if (l->pub.paused && l->pub.fd != -1)
		net_lstn_wake(l);
}

/* Close listener l's socket (and remove its Unix file). */
static void
net_lstn_close(struct net_lstn *l)
{
	struct net_who	w = net_who_lstn(l->pub.id);
	struct net_conn	*nc, *next;

	if (l->retry != 0) {
		loop_del_timer(l->retry);
		l->retry = 0;
	}
	loop_del_fd(l->pub.fd);
	net_sys_close(&w, l->pub.fd, 0);
	l->pub.fd = -1;
	if (l->own_path) {
		net_sys_unlink(&w, net_lstn_path(l));
		l->own_path = 0;
	}
	/* Datagram peers spoke through it: they end with it. */
	for (nc = net.live; nc != NULL; nc = next) {
		next = nc->live_next;
		if (nc->dl == l && !nc->retiring)
			net_close_fd(nc, 1);
	}
}

/* Close listener lid. */
int
net_close_listener(int lid, char **cause)
{
	struct net_lstn	*l;
	struct ev	 e;

	if (lid < 1 || lid > net.nlisteners) {
		*cause = xasprintf("no listener L%d", lid);
		return -1;
	}
	l = net.listeners[lid - 1];
	if (l->pub.fd == -1) {
		*cause = xasprintf("L%d is already closed", lid);
		return -1;
	}
	net_lstn_close(l);
	e = net_ev(EV_CLOSED, NULL);
	e.listener = lid;
	e.addr = l->pub.addr;
	net_emit(&e);
	return 0;
}

/* The transport of listener lid. */
enum net_transport
net_listener_transport(int lid)
{
	if (lid < 1 || lid > net.nlisteners)
		return NET_TCP;
	return net.listeners[lid - 1]->tr;
}

/* Listener lid, or NULL. */
const struct net_listener *
net_listener(int lid)
{
	if (lid < 1 || lid > net.nlisteners)
		return NULL;
	return &net.listeners[lid - 1]->pub;
}

/* The highest listener id so far. */
int
net_listener_max(void)
{
	return net.nlisteners;
}

/* How many listeners are still open. */
int
net_open_listeners(void)
{
	int	i, n = 0;

	for (i = 0; i < net.nlisteners; i++)
		n += net.listeners[i]->pub.fd != -1;
	/* One whose name is being looked up is as good as open. */
	return n + net.listen_lookups;
}

/* Accept every pending connection on stream listener l (once: at most
 * one); returns how many. */
static int
net_accept(struct net_lstn *l, int once)
{
	int		got = 0;
	struct net_who	w = net_who_lstn(l->pub.id);

	for (;;) {
		struct net_addr	 peer;
		struct net_conn	*nc;
		struct ev	 e;
		int		 fd;

		/* The record names the connection it makes: the next id. */
		w.conn = net.nids + 1;
		fd = net_sys_accept4(&w, l->pub.fd, &peer,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				/* The backlog is empty: a burst is over. */
				l->starved = 0;
				return got;
			}
			if (errno != EMFILE && errno != ENFILE &&
			    errno != ENOBUFS && errno != ENOMEM) {
				net_emit_error(NULL, l->pub.id, "accept",
				    l->pub.addr, errno);
				return got;
			}
			/*
			 * One line per burst: said when the descriptors run
			 * out, not again until every waiting client has been
			 * accepted (the backlog is empty).
			 */
			if (!l->starved)
				net_emit_error(NULL, l->pub.id, "accept",
				    l->pub.addr, errno);
			l->starved = 1;
			/*
			 * The client stays in the backlog and the listener
			 * readable: stop watching it until a connection
			 * closes or the retry timer fires, or this would
			 * spin.
			 */
			l->pub.paused = 1;
			loop_mod_fd(l->pub.fd, 0);
			if (l->retry == 0)
				l->retry = loop_add_timer(NET_RETRY_MS,
				    net_lstn_retry, l);
			return got;
		}
		nc = net_conn_new(l->pub.id, CONN_ESTABLISHED, l->tr);
		nc->fd = fd;
		nc->peer = peer;
		if ((l->tr == NET_TCP || l->tr == NET_TLS) &&
		    !l->pub.all_interfaces) {
			/* accept4() said who; the listener's own address is
			 * ours: no getsockname()/getpeername() needed. */
			conn_set_addrs(&nc->c, l->addr.text, peer.text);
		} else
			net_fill_addrs(nc);
		if (l->tr == NET_UNIX && strcmp(nc->c.peer, "(unnamed)") == 0)
			conn_set_addrs(&nc->c, NULL, "(unnamed client)");
		net_dirty(nc);
		e = net_ev(EV_ACCEPTED, nc);
		e.addr = l->pub.addr;
		net_emit(&e);
		net_start(nc);
		if (++got == 1 && once)
			return got;
	}
}

/* The datagram peer of listener l with address a, made if new. */
static struct net_conn *
net_dgram_peer(struct net_lstn *l, const struct net_addr *a)
{
	struct net_conn	*nc;
	struct ev	 e;

	for (nc = net.live; nc != NULL; nc = nc->live_next) {
		if (nc->dl == l && !nc->retiring && nc->peer.len == a->len &&
		    memcmp(&nc->peer.ss, &a->ss, a->len) == 0)
			return nc;
	}
	nc = net_conn_new(l->pub.id, CONN_ESTABLISHED, l->tr);
	nc->dl = l;
	nc->peer = *a;
	conn_set_addrs(&nc->c, l->pub.addr, a->text);
	e = net_ev(EV_ACCEPTED, nc);
	e.call = "recvfrom";
	e.addr = l->pub.addr;
	net_emit(&e);
	return nc;
}

/* A datagram listener is readable: each datagram to its peer's
 * connection. */
static void
net_lstn_dgram_read(struct net_lstn *l)
{
	struct net_who	w = net_who_lstn(l->pub.id);
	int		i;

	for (i = 0; i < NET_LISTEN_BURST && l->pub.fd != -1; i++) {
		struct net_addr	 from;
		struct net_conn	*nc;
		size_t		 n = net.cfg.recv_size;
		ssize_t		 r;

		r = net_sys_recvfrom(&w, l->pub.fd, net.rbuf, n, MSG_TRUNC,
		    &from);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				net_emit_error(NULL, l->pub.id, "recvfrom",
				    l->pub.addr, errno);
			return;
		}
		nc = net_dgram_peer(l, &from);
		if (r == 0)
			continue;
		net_got(nc, n, (size_t)r > n ? n : (size_t)r, (size_t)r);
	}
}

/* A listener's socket is ready. */
static void
net_on_listener(int fd, int revents, void *arg)
{
	struct net_lstn	*l = arg;

	(void)fd;
	if (l->pub.fd != -1 && l->want_write && (revents & LOOP_WRITE)) {
		struct net_conn	*nc, *next;

		/* Its peers' replies waited for room: send them now. */
		l->want_write = 0;
		loop_mod_fd(l->pub.fd, LOOP_READ);
		for (nc = net.live; nc != NULL; nc = next) {
			next = nc->live_next;
			if (nc->dl == l && !nc->retiring && nc->c.qlen > 0)
				net_flush(nc);
		}
	}
	if (l->pub.fd == -1 || !(revents & (LOOP_READ | LOOP_ERR)))
		return;
	if (l->ops_type == SOCK_DGRAM)
		net_lstn_dgram_read(l);
	else if (net.cfg.manual_accept) {
		/* The clients wait in the backlog for /accept; stop watching
		 * until then, or this would spin. */
		l->held = 1;
		loop_mod_fd(l->pub.fd, 0);
	} else {
		/*
		 * One connection per turn: the listener stays readable while
		 * more wait (level-triggered), so a burst costs no more, and
		 * a lone client is not followed by an accept4() that fails
		 * with EAGAIN.  Out of descriptors, drain the backlog as far
		 * as it goes, to learn when the burst is over.
		 */
		net_accept(l, !l->starved);
	}
}

/* Clients waiting on stream listener lid, and the backlog's size. */
int
net_listener_backlog(int lid, long *queued, long *max)
{
	struct tcp_info	ti;
	socklen_t	len = sizeof ti;
	struct net_lstn	*l;

	*queued = *max = -1;
	if (lid < 1 || lid > net.nlisteners)
		return -1;
	l = net.listeners[lid - 1];
	if (l->pub.fd == -1 || l->ops_type != SOCK_STREAM ||
	    (l->tr != NET_TCP && l->tr != NET_TLS))
		return -1;
	memset(&ti, 0, sizeof ti);
	if (net_sys_getopt(l->pub.fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1)
		return -1;
	/* For a listener, Linux puts the accept queue's length in
	 * tcpi_unacked and its limit in tcpi_sacked. */
	*queued = (long)ti.tcpi_unacked;
	*max = (long)ti.tcpi_sacked;
	return 0;
}

/* Nonzero with --manual-accept. */
int
net_accept_manual(void)
{
	return net.cfg.manual_accept;
}

/* Nonzero while a listener holds clients for /accept. */
int
net_accept_waiting(void)
{
	int	i;

	for (i = 0; i < net.nlisteners; i++)
		if (net.listeners[i]->held && net.listeners[i]->pub.fd != -1)
			return 1;
	return 0;
}

/* Accept one waiting client on listener lid (0: the first holding one). */
int
net_accept_one(int lid, char **cause)
{
	struct net_lstn	*l = NULL;
	int		 i;

	if (lid == 0) {
		for (i = 0; i < net.nlisteners && l == NULL; i++)
			if (net.listeners[i]->held &&
			    net.listeners[i]->pub.fd != -1)
				l = net.listeners[i];
		for (i = 0; i < net.nlisteners && l == NULL; i++)
			if (net.listeners[i]->pub.fd != -1 &&
			    net.listeners[i]->ops_type == SOCK_STREAM)
				l = net.listeners[i];
		if (l == NULL) {
			*cause = xstrdup("/accept: no open listener");
			return -1;
		}
	} else if (lid > net.nlisteners ||
	    net.listeners[lid - 1]->pub.fd == -1) {
		*cause = xasprintf("/accept: no open listener L%d", lid);
		return -1;
	} else
		l = net.listeners[lid - 1];
	if (l->ops_type != SOCK_STREAM) {
		*cause = xasprintf("/accept: L%d is a datagram socket: it has "
		    "no backlog", l->pub.id);
		return -1;
	}
	if (net_accept(l, 1) == 0) {
		if (l->pub.fd != -1 && !l->pub.paused)
			*cause = xasprintf("/accept: no connection waits "
			    "in L%d's backlog", l->pub.id);
		else
			*cause = xasprintf("/accept: L%d could not accept",
			    l->pub.id);
		return -1;
	}
	/* Watch again: if more wait, the loop says so and holds them. */
	l->held = 0;
	if (l->pub.fd != -1 && !l->pub.paused)
		loop_mod_fd(l->pub.fd, LOOP_READ);
	return 0;
}

/*
 * A Unix path is taken: if nothing answers on it, it is a stale socket
 * file; remove it and return 0.  Returns -1 (after an error event) for a
 * live socket or a file that is not a socket.
 */
static int
net_unix_stale(struct net_lstn *l, int type)
{
	struct net_who	w = net_who_lstn(0);
	struct stat	st;
	int		fd, rc, err;

	if (lstat(l->addr.host, &st) == 0 && !S_ISSOCK(st.st_mode)) {
		net_emit_message(NULL, 0, "bind", l->addr.text, EADDRINUSE,
		    "not a socket: left alone");
		return -1;
	}
	fd = net_sys_socket(&w, AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	if (fd == -1) {
		net_emit_error(NULL, 0, "socket", l->addr.text, errno);
		return -1;
	}
	rc = net_sys_connect(&w, fd, &l->addr);
	err = errno;
	net_sys_close(&w, fd, 0);
	if (rc == 0 || err == EAGAIN || err == EINPROGRESS) {
		net_emit_message(NULL, 0, "bind", l->addr.text, EADDRINUSE,
		    "a live socket answers there: not removed");
		return -1;
	}
	if (err != ECONNREFUSED)
		return 0;	/* gone meanwhile: bind again */
	net_sys_unlink(&w, net_lstn_path(l));
	return 0;
}

/* Open a Unix listener on path; fills l, returns the fd or -1. */
static int
net_listen_unix(struct net_lstn *l, const char *path, int type)
{
	/* The records name the listener this becomes (the next Lid). */
	struct net_who	w = net_who_lstn(net.nlisteners + 1);
	int		fd;

	if (net_addr_unix(&l->addr, path) != 0) {
		net_emit_message(NULL, 0, "bind", path, ENAMETOOLONG,
		    "a Unix socket path is 1 to 107 bytes");
		return -1;
	}
	fd = net_sys_socket(&w, AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1) {
		net_emit_error(NULL, 0, "socket", l->addr.text, errno);
		return -1;
	}
	if (net_sys_bind(&w, fd, &l->addr) == -1) {
		int	err = errno;

		/* A file is there: reuse it only if it is a stale socket. */
		if (err == EADDRINUSE && net_unix_stale(l, type) != 0) {
			net_sys_close(&w, fd, 0);
			return -1;
		}
		if (err != EADDRINUSE || net_sys_bind(&w, fd, &l->addr) == -1) {
			net_emit_error(NULL, 0, "bind", l->addr.text, errno);
			net_sys_close(&w, fd, 0);
			return -1;
		}
	}
	if (type == SOCK_STREAM && net_sys_listen(&w, fd, NET_BACKLOG) == -1) {
		net_emit_error(NULL, 0, "listen", l->addr.text, errno);
		net_sys_close(&w, fd, 0);
		net_sys_unlink(&w, net_lstn_path(l));
		return -1;
	}
	l->own_path = 1;
	snprintf(l->pub.addr, sizeof l->pub.addr, "%.107s", l->addr.text);
	return fd;
}

/* Open an IP listener on the first address of ai that binds (ai is
 * freed); fills l, returns fd or -1. */
static int
net_listen_ip(struct net_lstn *l, struct addrinfo *ai, enum net_transport t)
{
	/* The records name the listener this becomes (the next Lid). */
	struct net_who		 w = net_who_lstn(net.nlisteners + 1);
	struct addrinfo		*a;
	struct net_addr		 na;
	int			 fd = -1, err = 0;
	const char		*call = "socket";

	memset(&na, 0, sizeof na);
	/* Use the first address that binds, as netcat does. */
	for (a = ai; a != NULL; a = a->ai_next) {
		memset(&na, 0, sizeof na);
		memcpy(&na.ss, a->ai_addr, a->ai_addrlen);
		na.len = a->ai_addrlen;
		net_addr_describe(&na);
		fd = net_sys_socket(&w, a->ai_family, a->ai_socktype |
		    SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
		if (fd == -1) {
			call = "socket";
			err = errno;
			continue;
		}
		if (t != NET_UDP)
			net_sys_setsockopt(&w, fd, SOL_SOCKET, SO_REUSEADDR, 1);
		if (a->ai_family == AF_INET6) {
			/* "::" takes IPv4 clients too, as nc does; not -6. */
			net_sys_setsockopt(&w, fd, IPPROTO_IPV6, IPV6_V6ONLY,
			    net.cfg.family == AF_INET6);
		}
		if (net_sys_bind(&w, fd, &na) == -1) {
			call = "bind";
			err = errno;
		} else if (t != NET_UDP &&
		    net_sys_listen(&w, fd, NET_BACKLOG) == -1) {
			call = "listen";
			err = errno;
		} else
			break;
		net_sys_close(&w, fd, 0);
		fd = -1;
	}
	if (fd == -1) {
		/* No listener came of it, so it gets no L-number. */
		freeaddrinfo(ai);
		net_emit_error(NULL, 0, call, na.text, err);
		return -1;
	}
	l->addr = na;
	{
		struct net_addr	got;

		/* Port 0 asks the kernel to pick: show the real one. */
		memset(&got, 0, sizeof got);
		got.len = sizeof got.ss;
		if (getsockname(fd, (struct sockaddr *)&got.ss, &got.len) == 0) {
			net_addr_describe(&got);
			l->addr = got;
		}
	}
	snprintf(l->pub.addr, sizeof l->pub.addr, "%.107s", l->addr.text);
	if (a->ai_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)a->ai_addr;

		l->pub.all_interfaces = s4->sin_addr.s_addr ==
		    htonl(INADDR_ANY);
	} else if (a->ai_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)a->ai_addr;

		l->pub.all_interfaces = IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr);
	}
	freeaddrinfo(ai);
	return fd;
}

/* Give l its L-number, watch it and say it listens; returns the id. */
static int
net_lstn_add(struct net_lstn *l, int fd)
{
	struct ev	e;
	int		lid = net.nlisteners + 1;

	l->pub.id = lid;
	l->pub.fd = fd;
	net.listeners = xrealloc(net.listeners,
	    (size_t)lid * sizeof *net.listeners);
	net.listeners[lid - 1] = l;
	net.nlisteners = lid;
	loop_add_fd(fd, LOOP_READ, net_on_listener, l);

	e = net_ev(EV_LISTENING, NULL);
	e.listener = lid;
	e.addr = l->pub.addr;
	e.all_interfaces = l->pub.all_interfaces;
	if (l->tr != NET_TCP)
		e.transport = net_transport_name(l->tr);
	net_emit(&e);
	return lid;
}

/* Open an IP listener over t on the addresses of ai (freed); id or -1. */
int
net_listen_on(struct addrinfo *ai, enum net_transport t)
{
	struct net_lstn	*l = xcalloc(1, sizeof *l);
	int		 fd;

	l->tr = t;
	l->ops_type = net_ops_of(t)->type;
	fd = net_listen_ip(l, ai, t);
	if (fd == -1) {
		free(l);
		return -1;
	}
	return net_lstn_add(l, fd);
}

/*
 * Open a listener on addr:port (or a Unix path) over t.  Returns its id;
 * 0 when addr is a name being looked up off the loop (EV_LISTENING or
 * EV_ERROR follows; net_open_listeners() counts it meanwhile); -1 after
 * an EV_ERROR.
 */
static int
net_listen_do(const char *addr, const char *port, enum net_transport t,
    int async)
{
	struct net_who	 lw = { 0, 0, SR_ROLE_LISTENER };
	struct net_lstn	*l;
	struct addrinfo	 hints, *ai;
	int		 fd, rc;

	if (net_ops_of(t) == NULL) {
		net_emit_message(NULL, 0, "listen", addr, 0,
		    "TLS is not built into this sockscope");
		return -1;
	}
	if (addr == NULL && (t == NET_UNIX || t == NET_UNIXGRAM)) {
		net_emit_message(NULL, 0, "bind", NULL, EINVAL,
		    "a Unix listener needs a path");
		return -1;
	}
	if (t == NET_UNIX || t == NET_UNIXGRAM) {
		l = xcalloc(1, sizeof *l);
		l->tr = t;
		l->ops_type = net_ops_of(t)->type;
		fd = net_listen_unix(l, addr, l->ops_type);
		if (fd == -1) {
			free(l);
			return -1;
		}
		return net_lstn_add(l, fd);
	}
	if (addr == NULL)
		addr = net.cfg.family == AF_INET6 ? "::1" : "127.0.0.1";
	net_hints(&hints, t, 1);
	hints.ai_flags |= AI_NUMERICHOST;
	rc = getaddrinfo(addr, port, &hints, &ai);
	if (rc == 0) {
		net_sys_gai(&lw, addr, port, 0, 0);
		return net_listen_on(ai, t);
	}
	if (rc == EAI_NONAME && async) {
		/* A name: look it up in a thread, like /connect. */
		return net_lookup_start(NULL, t, addr, port) == 0 ? 0 : -1;
	}
	if (rc == EAI_NONAME) {
		hints.ai_flags &= ~AI_NUMERICHOST;
		rc = getaddrinfo(addr, port, &hints, &ai);
		net_sys_gai(&lw, addr, port, rc, errno);
		if (rc == 0)
			return net_listen_on(ai, t);
	} else
		net_sys_gai(&lw, addr, port, rc, errno);
	net_resolve_error(addr, port, rc, errno, 0, 0);
	return -1;
}

/* Open a listener over t; a name is looked up off the loop (0). */
int
net_listen_ex(const char *addr, const char *port, enum net_transport t)
{
	return net_listen_do(addr, port, t, 1);
}

/* Open a TCP listener on addr:port, a name looked up at once (as the
 * command line needs for its exit status); its id or -1. */
int
net_listen(const char *addr, const char *port)
{
	return net_listen_do(addr, port, NET_TCP, 0);
}
