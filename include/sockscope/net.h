/*
 * net.h: the socket engine.  net.c owns every file descriptor: listeners,
 * connections and their connect attempts.  Every socket call and its
 * result is reported through the emit callback as a struct ev (evlog.h);
 * nothing here prints.  Nothing blocks: sockets are non-blocking, sends go
 * through each connection's queue, connects complete in the loop.  Every
 * call made on a socket is also recorded, as made, as a struct sysrec
 * (sysrec.h) through the record callback.
 *
 * net.c registers its own descriptors and connect-deadline timers with
 * the loop (loop.h); nobody hands it poll results.
 *
 * Transports: TCP (net_connect(), net_listen()), UDP, Unix stream, Unix
 * datagram and TLS over TCP (net_connect_ex(), net_listen_ex()).
 *
 * Connections are freed when closed: what the view needs of a closed one
 * stays as a small struct conn (no queue) until net_forget(id).  Ids never
 * repeat.
 */
#ifndef SOCKSCOPE_NET_H
#define SOCKSCOPE_NET_H

#include <stddef.h>

#include "sockscope/conn.h"
#include "sockscope/evlog.h"

/* Receives every event; the strings and data in e are valid only during
 * the call. */
typedef void net_emit_fn(const struct ev *e, void *arg);

struct sysrec;
/* Receives every socket call as made; r is valid only during the call
 * (sysrec_copy() to keep it). */
typedef void net_record_fn(const struct sysrec *r, void *arg);

/* How bytes travel (SPEC section 9). */
enum net_transport {
	NET_TCP,
	NET_UDP,	/* every datagram one chunk */
	NET_UNIX,	/* Unix stream socket: HOST is the path */
	NET_UNIXGRAM,	/* Unix datagram socket */
	NET_TLS		/* TLS over TCP (net-tls.c on tls.c) */
};

struct net_config {
	size_t		 recv_size;	/* bytes asked of each automatic recv() */
	int		 auto_recv;	/* call recv() when readable */
	int		 family;	/* AF_UNSPEC, AF_INET or AF_INET6 */
	double		 timeout;	/* connect timeout per address, seconds */
	int		 manual_accept;	/* accept() only on /accept */
};

struct net_listener {
	int		 id;		/* Lid */
	int		 fd;		/* -1 once closed */
	char		 addr[108];	/* display: "127.0.0.1:80", a path */
	int		 all_interfaces;
	int		 paused;	/* out of descriptors: not watched */
};

void net_init(const struct net_config *cfg, net_emit_fn *emit, void *arg);
/* Close every socket (no events), remove our Unix socket files, free
 * everything. */
void net_free(void);

/*
 * Receive every socket call as a struct sysrec (NULL: stop).  With the
 * environment variable SOCKSCOPE_RECORD_FILE set, net_init() also writes
 * one line per record to that file ("call fd result errno"), a debug
 * output the tests compare with strace.
 */
void net_set_record(net_record_fn *fn, void *arg);

/* Change settings that apply from the next recv(). */
void net_set_auto(int on);
void net_set_recv_size(size_t n);
size_t net_recv_size(void);
int net_auto(void);

/*
 * Open a TCP listener on addr (NULL: 127.0.0.1) and port; a name is
 * resolved at once (blocking).  Returns its id, or -1 after emitting an
 * EV_ERROR (resolve, socket, bind, listen).
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
 * As net_listen() and net_connect(), over transport t.  For NET_UNIX and
 * NET_UNIXGRAM, host is the socket path and port is ignored (NULL).  A
 * Unix listener removes a stale socket file (nothing answers on it) and
 * refuses a live one with an EV_ERROR; it removes its own file when
 * closed.  A UDP or Unix datagram listener shows each distinct peer as
 * its own connection, accepted on it, and replies go back with sendto();
 * it reads in manual mode too (only recvfrom() tells whose a datagram is).
 * A datagram connection has no EOF: /shutdown only ends our sending.
 * Returns as the TCP calls do.  net_listen_ex() looks a
 * host name up off the loop, as net_connect() does: it then returns 0,
 * and EV_LISTENING or EV_ERROR follows (net_open_listeners() counts the
 * listener meanwhile); /listen HOST should use it.
 */
int net_listen_ex(const char *host, const char *port, enum net_transport t);
int net_connect_ex(const char *host, const char *port, enum net_transport t);
/*
 * The TLS contexts (tls.h) NET_TLS uses: client for net_connect_ex(), its
 * SNI and name check the host as given; server for net_listen_ex().  The
 * caller makes them (verify policy, certificate) and frees them after
 * net_free().  The handshake, every SSL call, is in the record
 * (SR_SSL_CONNECT / SR_SSL_ACCEPT with the summary as note); a failed one
 * is an EV_ERROR ("SSL_connect", tls_cause()'s words) and the connection
 * closes; a peer that ends without close_notify gives an EV_ERROR
 * ("truncated") before its EV_EOF.
 */
struct tls_ctx;
struct tls_info;
void net_set_tls(struct tls_ctx *client, struct tls_ctx *server);
/* The client context for a host given as an IP address (NULL: the client
 * one of net_set_tls()): SPEC 9 verifies names by default, not addresses.
 * The caller's to free, after net_free(). */
void net_set_tls_addr(struct tls_ctx *client_addr);
/* The TLS session of connection id: 0 and *info, or -1 (not TLS, closed). */
int net_tls_info(int id, struct tls_info *info);

/* "tcp", "udp", "unix", "unixgram", "tls". */
const char *net_transport_name(enum net_transport t);
/* The transport of connection id or listener lid (NET_TCP if unknown). */
enum net_transport net_conn_transport(int id);
enum net_transport net_listener_transport(int lid);

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

/*
 * Per-connection read control (responders, serve.c): automatic receiving
 * on connection id reads at most limit more bytes in total (SIZE_MAX: no
 * limit, as every connection starts).  At 0 its socket is not watched for
 * input, so what the peer sends waits in the kernel.  Returns 0, or -1 with
 * *cause set when id is not an open connection.
 */
int net_set_read_limit(int id, size_t limit, char **cause);

/* Connections and listeners, by id (NULL if no such id, or forgotten).
 * A closed connection's struct is a copy kept for the view. */
const struct conn *net_conn(int id);
/* The view no longer shows closed connection id: free what is kept. */
void net_forget(int id);
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

/* What the kernel knows of a connection (Linux TCP_INFO, SO_RCVBUF,
 * SO_SNDBUF); a field the kernel does not report is -1. */
struct net_kinfo {
	const char	*state;		/* TCP state word, e.g. "CLOSE_WAIT";
					 * NULL when not TCP */
	long		 rtt_us;	/* smoothed round-trip time */
	long		 rttvar_us;
	long		 cwnd;		/* congestion window, segments */
	long		 unacked;	/* segments sent, not yet acked */
	long		 retrans;	/* segments retransmitted, in total */
	long		 rcvbuf;	/* SO_RCVBUF, bytes */
	long		 sndbuf;	/* SO_SNDBUF, bytes */
};

/* Fill ki for live connection id (not recorded: the view polls it);
 * -1 when the connection has no socket to ask. */
int net_kernel_info(int id, struct net_kinfo *ki);
/* The kernel's word for a TCP state number (tcpi_state). */
const char *net_tcp_state_name(int st);

/* Manual accept: connections the kernel completed on listener lid that
 * wait for accept() (TCP_INFO tcpi_unacked) and the backlog's size
 * (tcpi_sacked); -1 when the kernel does not say (not TCP, closed). */
int net_listener_backlog(int lid, long *queued, long *max);
/* Nonzero while, with --manual-accept, a listener has clients waiting. */
int net_accept_waiting(void);
/* Nonzero with --manual-accept. */
int net_accept_manual(void);
/* Accept one connection waiting on listener lid (0: the first listener
 * with one waiting); -1 with *cause when there is none. */
int net_accept_one(int lid, char **cause);

#endif
