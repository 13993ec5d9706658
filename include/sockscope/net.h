/*
 * net.h: the socket engine.  net.c owns every file descriptor: listeners,
 * connections and their connect attempts.  Every socket call and its
 * result is reported through the emit callback as a struct ev (evlog.h);
 * nothing here prints.  Nothing blocks: sockets are non-blocking, sends go
 * through each connection's queue, connects complete in the poll loop.
 *
 * The loop asks net_poll_fill() which descriptors to watch, calls poll(),
 * and hands the results back to net_poll_dispatch().
 */
#ifndef SOCKSCOPE_NET_H
#define SOCKSCOPE_NET_H

#include <poll.h>
#include <stddef.h>

#include "sockscope/conn.h"
#include "sockscope/evlog.h"

/* Receives every event; the strings and data in e are valid only during
 * the call. */
typedef void net_emit_fn(const struct ev *e, void *arg);

struct net_config {
	size_t		 recv_size;	/* bytes asked of each automatic recv() */
	int		 auto_recv;	/* call recv() when readable */
	int		 family;	/* AF_UNSPEC, AF_INET or AF_INET6 */
	double		 timeout;	/* connect timeout per address, seconds */
};

struct net_listener {
	int		 id;		/* Lid */
	int		 fd;		/* -1 once closed */
	char		 addr[64];
	int		 all_interfaces;
	int		 paused;	/* out of descriptors: not watched */
};

void net_init(const struct net_config *cfg, net_emit_fn *emit, void *arg);
/* Close every socket (no events) and free everything. */
void net_free(void);

/* Change settings that apply from the next recv(). */
void net_set_auto(int on);
void net_set_recv_size(size_t n);
size_t net_recv_size(void);
int net_auto(void);

/*
 * Open a listener on addr (NULL: 127.0.0.1) and port.  Returns its id, or
 * -1 after emitting an EV_ERROR (resolve, socket, bind, listen).
 */
int net_listen(const char *addr, const char *port);

/*
 * Start connecting to host and port: resolves, then tries each address in
 * order (EV_CONNECTING for each, EV_ERROR for each failure).  Returns the new
 * connection's id (it may already be FAILED or ESTABLISHED), or -1 when the
 * name does not resolve (EV_ERROR emitted, no connection made).
 */
int net_connect(const char *host, const char *port);

/*
 * Operations on connection id.  Each returns 0, or -1 with *cause set to a
 * malloc'd message when the request cannot be done in the connection's
 * state (nothing changes then).  Results of the socket calls themselves,
 * failures included, are events.
 */
int net_send(int id, const void *p, size_t n, char **cause);
int net_recv(int id, size_t n, char **cause);	/* one recv() now */
int net_shutdown(int id, char **cause);		/* after the queue drains */
int net_reset(int id, char **cause);
int net_close(int id, char **cause);
int net_close_listener(int lid, char **cause);

/* Connections and listeners, by id (NULL if no such id). */
const struct conn *net_conn(int id);
const struct net_listener *net_listener(int lid);
int net_conn_max(void);		/* highest connection id so far */
int net_listener_max(void);
int net_open_conns(void);	/* connections still open */
int net_open_listeners(void);

/* Nonzero while, in manual mode, bytes or EOF are known to wait in the
 * kernel for the next /recv (poll() said readable; not watched again
 * until then). */
int net_waiting(int id);

/* Bytes waiting in the kernel: receive queue (FIONREAD) and unsent data
 * (SIOCOUTQ); -1 when not available. */
long net_kernel_rxq(int id);
long net_kernel_txq(int id);

/*
 * Fill up to max pollfds for the sockets that need watching; returns how
 * many.  *timeout_ms is lowered to the nearest connect deadline.
 */
size_t net_poll_fill(struct pollfd *pfd, size_t max, int *timeout_ms);
/* Handle the results of poll() on what net_poll_fill() returned, and any
 * connect deadlines that passed. */
void net_poll_dispatch(struct pollfd *pfd, size_t n);

#endif
