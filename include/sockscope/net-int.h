/*
 * net-int.h: the inside of the socket engine, shared by net.c (the
 * engine: ids, connections, queues, events, lookups), net-listen.c (the
 * listeners of every transport), net-sys.c (every
 * socket call, made and recorded as a struct sysrec), and the transports
 * net-stream.c (TCP, Unix stream) and net-dgram.c (UDP, Unix datagram).
 * TLS (src/tls.c, another module) plugs in as one more struct net_ops.
 *
 * Nothing outside net*.c includes this header.
 */
#ifndef SOCKSCOPE_NET_INT_H
#define SOCKSCOPE_NET_INT_H

#include <sys/types.h>
#include <sys/socket.h>

#include <netdb.h>
#include <stdint.h>

#include "sockscope/conn.h"
#include "sockscope/evlog.h"
#include "sockscope/net.h"
#include "sockscope/sysrec.h"

/* Room for "[v6 address]:port" or an escaped Unix path. */
#define NET_ADDR_MAX	160

/* An address as the kernel takes it, with its display string beside it. */
struct net_addr {
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	char			 host[NET_ADDR_MAX];	/* address or path */
	int			 port;			/* 0 for Unix */
	char			 text[NET_ADDR_MAX];	/* "1.2.3.4:80" */
};

struct net_conn;

/*
 * A transport: how bytes go in and out of one connection (the OpenBSD nc
 * fillbuf()/drainbuf() shape).  read and write return bytes (> 0), 0 for
 * EOF (read only), or -1 with errno (EAGAIN: try when the loop says so).
 * *trunc gets a datagram's real length when it was longer than n.
 */
struct net_ops {
	const char	*name;		/* "tcp", "udp", "unix", "unixgram" */
	int		 type;		/* SOCK_STREAM or SOCK_DGRAM */
	ssize_t		(*read)(struct net_conn *nc, void *buf, size_t n,
			    size_t *trunc);
	ssize_t		(*write)(struct net_conn *nc, const void *p,
			    size_t n);
	/* We finished sending (shutdown(SHUT_WR), close_notify): 0 or -1. */
	int		(*shutdown)(struct net_conn *nc);
	/* Release transport state; net.c closes the descriptor. */
	void		(*close)(struct net_conn *nc);
	/* LOOP_READ/LOOP_WRITE the transport itself needs now (a TLS
	 * handshake that wants the peer), or 0.  NULL: none. */
	int		(*wants)(const struct net_conn *nc);
	/* Connected or accepted: begin what comes before the bytes (a TLS
	 * handshake).  0, or -1 with errno (the connection is closed).
	 * NULL: nothing. */
	int		(*start)(struct net_conn *nc);
	/* The socket is ready (LOOP_* revents) while the transport works on
	 * its own (a handshake): returns 1 if it took the event, 0 to let
	 * net.c receive and send, -1 with errno to close.  NULL: always 0. */
	int		(*step)(struct net_conn *nc, int revents);
	/* Nonzero when bytes wait inside the transport (OpenSSL) that the
	 * socket will not report: read again without waiting.  NULL: 0. */
	int		(*pending)(const struct net_conn *nc);
};

struct net_lstn;

/* One connection as the engine sees it. */
struct net_conn {
	struct conn		 c;
	int			 fd;		/* -1 when closed, between
						   attempts, or a datagram
						   listener's child */
	enum net_transport	 tr;
	const struct net_ops	*ops;
	void			*tstate;	/* transport's own (TLS) */
	struct net_lstn		*dl;		/* datagram listener child:
						   replies go through it */
	struct net_addr		 peer;		/* target, or datagram peer */
	struct addrinfo		*ai;		/* all addresses (connecting) */
	struct addrinfo		*next;		/* the next address to try */
	char			 target[NET_ADDR_MAX];
	long long		 timer;		/* connect deadline, 0 = none */
	long long		 pend_timer;	/* read what the transport holds */
	char			*name;		/* host as given (TLS: SNI) */
	char			 errmsg[256];	/* transport's words for a
						   failure, "" = use errno */
	char			 note[256];	/* transport's news (TLS: the
						   handshake summary) */
	const char		*eof_note;	/* an EOF that is not clean */
	int			 handshaking;	/* transport not ready for
						   bytes yet (set by it) */
	int			 watched;	/* mask given to the loop */
	int			 registered;	/* fd is in the loop */
	int			 send_blocked;	/* last send() hit EAGAIN */
	int			 resolving;	/* its name is being looked up */
	int			 quiet;		/* not watched for reading (see
						   net_watch()) */
	int			 dirty;		/* on the dirty list */
	int			 retiring;	/* closed: freed before sleep */
	int			 rx_capped;	/* net_set_read_limit() gave a
						   limit: read at most rx_left */
	size_t			 rx_left;
	struct net_conn		*live_prev, *live_next;
	struct net_conn		*dirty_next;
};

/* A listener as the engine sees it. */
struct net_lstn {
	struct net_listener	 pub;		/* what net_listener() shows */
	enum net_transport	 tr;
	int			 ops_type;	/* SOCK_STREAM or SOCK_DGRAM */
	struct net_addr		 addr;
	int			 own_path;	/* Unix: we made the file */
	int			 want_write;	/* datagram: a peer's reply
						   waits for room */
	int			 starved;	/* out of descriptors, clients
						   waiting: said once */
	long long		 retry;		/* timer: try accepting again */
	int			 held;		/* manual accept: clients
						   wait; fd not watched */
};

/* Who a record is about. */
struct net_who {
	int			 conn;
	int			 listener;
	enum sysrec_role	 role;
};

/* net-sys.c: the socket calls, each made once and recorded as made. */
void	net_sys_init(void);
void	net_sys_free(void);
void	net_sys_set_record(net_record_fn *fn, void *arg);
int	net_sys_socket(const struct net_who *w, int domain, int type,
	    int proto);
int	net_sys_setsockopt(const struct net_who *w, int fd, int level,
	    int name, int value);
int	net_sys_linger0(const struct net_who *w, int fd);
int	net_sys_so_error(const struct net_who *w, int fd,
	    const struct net_addr *target, int *err);
int	net_sys_bind(const struct net_who *w, int fd,
	    const struct net_addr *a);
int	net_sys_listen(const struct net_who *w, int fd, int backlog);
int	net_sys_accept4(const struct net_who *w, int fd,
	    struct net_addr *peer, int flags);
int	net_sys_connect(const struct net_who *w, int fd,
	    const struct net_addr *a);
ssize_t	net_sys_recv(const struct net_who *w, int fd, void *buf, size_t n,
	    int flags);
ssize_t	net_sys_recvfrom(const struct net_who *w, int fd, void *buf,
	    size_t n, int flags, struct net_addr *from);
ssize_t	net_sys_send(const struct net_who *w, int fd, const void *p,
	    size_t n, int flags);
ssize_t	net_sys_sendto(const struct net_who *w, int fd, const void *p,
	    size_t n, int flags, const struct net_addr *to);
int	net_sys_shutdown(const struct net_who *w, int fd, int how);
int	net_sys_close(const struct net_who *w, int fd, uint64_t discarded);
int	net_sys_ioctl(const struct net_who *w, int fd, unsigned long req,
	    int *val, int record);
int	net_sys_getopt(int fd, int level, int name, void *val,
	    socklen_t *len);
int	net_sys_unlink(const struct net_who *w, const char *path);
void	net_sys_forward(const struct net_who *w, const struct sysrec *r);
void	net_sys_gai(const struct net_who *w, const char *host,
	    const char *service, int rc, int err);

/* net-addr (in net-sys.c): fill the display parts of a from its ss. */
void	net_addr_describe(struct net_addr *a);
/* Set a to the Unix path (display: the path as given, escaped). */
int	net_addr_unix(struct net_addr *a, const char *path);
/* The who of a connection. */
struct net_who net_who_conn(const struct net_conn *nc);

/* The transports (net-stream.c, net-dgram.c). */
extern const struct net_ops net_tcp_ops;
extern const struct net_ops net_unix_ops;
extern const struct net_ops net_udp_ops;
extern const struct net_ops net_unixgram_ops;
extern const struct net_ops net_tls_ops;

/* net.c: the TLS context for a client (0) or a server (1), or NULL. */
struct tls_ctx *net_tls_ctx(int server);
/* The client context for a host given as name (an address may have its
 * own, net_set_tls_addr()). */
struct tls_ctx *net_tls_client_ctx(const char *name);

/*
 * The engine's parts (net.c, net-listen.c) share its state and these.
 * Events: net_emit() stamps the time and hands e to the emit callback;
 * net_ev() starts one about nc (NULL: none).
 */
/* An id's slot: the live connection, or what the view keeps of it. */
struct net_id {
	struct net_conn		*live;
	struct conn		*dead;
	enum net_transport	 tr;
};

/* The engine's state: net.c and net-listen.c only. */
struct net_engine {
	struct net_config	  cfg;
	net_emit_fn		 *emit;
	void			 *arg;
	struct net_lstn		**listeners;	/* index lid - 1 */
	int			  nlisteners;
	struct net_id		 *ids;		/* index id - 1 */
	int			  nids;
	int			  capids;
	struct net_conn		 *live;		/* live connections */
	struct net_conn		 *dirty;	/* changed this turn */
	unsigned char		 *rbuf;		/* 1 MiB (CMD_RECV_MAX) */
	int			  lookup_pipe[2]; /* resolver threads -> loop */
	int			  lookups;	/* threads not yet heard from */
	int			  listen_lookups; /* of them, for listeners */
	int			  hooked;	/* before-sleep hook added */
	struct tls_ctx		 *tls_client;	/* the caller's (net_set_tls) */
	struct tls_ctx		 *tls_server;
	struct tls_ctx		 *tls_client_addr; /* for an address
						     (net_set_tls_addr) */
};
extern struct net_engine net;

const struct net_ops *net_ops_of(enum net_transport t);
struct net_who	net_who_lstn(int lid);
void	net_emit(struct ev *e);
struct ev net_ev(enum ev_kind kind, const struct net_conn *nc);
void	net_emit_error(const struct net_conn *nc, int listener,
	    const char *call, const char *addr, int err);
void	net_emit_message(const struct net_conn *nc, int listener,
	    const char *call, const char *addr, int err, const char *message);
void	net_resolve_error(const char *host, const char *port, int rc,
	    int err, int conn, int listener);
void	net_hints(struct addrinfo *hints, enum net_transport t, int passive);
/* A new live connection with the next id. */
struct net_conn *net_conn_new(int listener, enum conn_state state,
	    enum net_transport t);
/* nc changed: what the loop watches is recomputed before it sleeps. */
void	net_dirty(struct net_conn *nc);
/* A chunk of n bytes (in the engine's read buffer) received on nc. */
void	net_got(struct net_conn *nc, size_t asked, size_t n, size_t trunc);
void	net_close_fd(struct net_conn *nc, int rst_said);
/* Send from nc's queue what the kernel takes now. */
void	net_flush(struct net_conn *nc);
/* Let the transport begin (TLS handshake); 0, or -1 once nc is closed. */
int	net_start(struct net_conn *nc);
void	net_fill_addrs(struct net_conn *nc);
/* Look host up off the loop for nc, or (nc NULL) for a listener. */
int	net_lookup_start(struct net_conn *nc, enum net_transport t,
	    const char *host, const char *port);

/* net-listen.c: listeners over every transport. */
int	net_listen_on(struct addrinfo *ai, enum net_transport t);
void	net_resume_listeners(void);
const char *net_lstn_path(const struct net_lstn *l);

#endif
