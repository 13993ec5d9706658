/*
 * sysrec.h: the system-call record (SPEC section 10).  The shells that make
 * socket calls (net.c and the transports) describe every call as a struct
 * sysrec, as it was made: the call, the descriptor, the arguments, the
 * result and errno.  The narrators turn one record into one line, in C
 * (strace-like) or Python (the blocking API a course teaches) notation.
 *
 * Pure: no socket is touched here.  The time and errno arrive as fields;
 * address family and option constants are the <sys/socket.h> values, which
 * the narrators only name.
 *
 * Records borrow their strings and data: they are valid only while the
 * record is being handled.  Whoever keeps a record copies what it keeps
 * (sysrec_copy()).
 */
#ifndef SOCKSCOPE_SYSREC_H
#define SOCKSCOPE_SYSREC_H

#include <stddef.h>
#include <stdint.h>

struct sbuf;

enum sysrec_call {
	SR_SOCKET,		/* domain, type, protocol; ret = fd */
	SR_SETSOCKOPT,		/* fd, level, optname, optval */
	SR_GETSOCKOPT,		/* fd, level, optname; optval = value got
				   (SO_ERROR: the pending error, addr = the
				   connect target it completes) */
	SR_BIND,		/* fd, addr */
	SR_LISTEN,		/* fd, backlog */
	SR_ACCEPT4,		/* fd, flags; ret = new fd, addr = peer */
	SR_CONNECT,		/* fd, addr (EINPROGRESS when non-blocking) */
	SR_RECV,		/* fd, len asked, flags; data = bytes got */
	SR_RECVFROM,		/* as recv; addr = source, trunc_len */
	SR_SEND,		/* fd, len given, flags; data = bytes given */
	SR_SENDTO,		/* as send; addr = destination */
	SR_SHUTDOWN,		/* fd, how */
	SR_CLOSE,		/* fd; discarded > 0: unread bytes made the
				   kernel send RST */
	SR_IOCTL,		/* fd, request (FIONREAD, SIOCOUTQ);
				   optval = the value got */
	SR_GETADDRINFO,		/* host, service; ret = 0 or EAI_* in gai */
	SR_UNLINK,		/* a Unix socket path removed (addr) */
	SR_SSL_CONNECT,		/* fd; ret as SSL_connect, ssl_error */
	SR_SSL_ACCEPT,
	SR_SSL_READ,		/* len asked; data = plaintext got */
	SR_SSL_WRITE,		/* len given; data = plaintext given */
	SR_SSL_SHUTDOWN		/* close_notify sent (ret 0) or answered (1) */
};

/* How the socket a record is about came to be: names the Python variable. */
enum sysrec_role {
	SR_ROLE_NONE,
	SR_ROLE_LISTENER,	/* a listening socket: Python "s" */
	SR_ROLE_ACCEPTED,	/* returned by accept: Python "conn" */
	SR_ROLE_CLIENT		/* made to connect: Python "s" */
};

/* An address as the call saw it. */
struct sysrec_addr {
	int		 family;	/* AF_INET, AF_INET6, AF_UNIX; 0 = none */
	const char	*host;		/* "127.0.0.1", "::1", or the path */
	int		 port;		/* 0 for AF_UNIX */
};

struct sysrec {
	enum sysrec_call	 call;
	double			 t;		/* seconds since start */
	int			 conn;		/* #id, 0 = none */
	int			 listener;	/* Lid, 0 = none */
	enum sysrec_role	 role;
	int			 fd;		/* -1 for socket(), getaddrinfo */

	long long		 ret;		/* as the call returned it */
	int			 err;		/* errno when it failed, else 0 */
	int			 gai;		/* getaddrinfo's EAI_*, else 0 */
	int			 ssl_error;	/* SSL_get_error(), else 0 */

	/* Arguments; those a call does not take are zero / NULL. */
	int			 domain;	/* socket() */
	int			 type;		/* incl. SOCK_NONBLOCK etc. */
	int			 protocol;
	int			 level;		/* [gs]etsockopt */
	int			 optname;
	long long		 optval;	/* set, or got (also ioctl) */
	unsigned long		 request;	/* ioctl */
	int			 backlog;	/* listen */
	int			 flags;		/* MSG_*, or SOCK_* for accept4 */
	int			 how;		/* shutdown: SHUT_RD/WR/RDWR */
	size_t			 len;		/* size asked (recv) or given */
	struct sysrec_addr	 addr;
	const char		*host;		/* getaddrinfo */
	const char		*service;

	const unsigned char	*data;		/* bytes got or given */
	size_t			 data_len;
	size_t			 trunc_len;	/* datagram's real size
						   (MSG_TRUNC), 0 = whole */
	uint64_t		 discarded;	/* close: unread bytes (RST) */
	const char		*note;		/* words the call alone does
						   not say (TLS details) */
};

enum sysrec_notation {
	SYSREC_C,		/* strace-like: recv(4, 4096) = 78 "GET..." */
	SYSREC_PYTHON		/* conn.recv(4096) → b'GET ...' (78 bytes) */
};

/*
 * Append the narration of r (one line, no newline, no time, every byte
 * from outside escaped) to out.  Returns 0, or 1 when the notation shows
 * nothing for r; out is unchanged then.  Python hides what a blocking
 * program never sees: EAGAIN, EWOULDBLOCK, EINPROGRESS, EALREADY and
 * EINTR results (and SO_ERROR still saying EINPROGRESS),
 * SSL_ERROR_WANT_READ/WRITE, the kernel view's ioctl() records, and a
 * successful getaddrinfo() of a numeric address (Python's connect() and
 * bind() take ('127.0.0.1', P) with no lookup one sees).
 *
 * Data is previewed whole when it is at most 32 bytes, else up to its
 * first newline within 32 bytes, else its first 32 bytes, then "…"; C
 * escapes it inside "..." (printable UTF-8 kept), Python as repr() of
 * bytes followed by the byte count when shortened:
 *   recv(4, 4096) = 78  "GET / HTTP/1.1\r\n"…
 *   conn.recv(4096) → b'GET / HTTP/1.1\r\n'… (78 bytes)
 * Python names options as SPEC section 10 writes them
 * (s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)), everything else with its
 * module (socket.SHUT_WR, socket.AF_INET6).
 */
int sysrec_narrate(struct sbuf *out, const struct sysrec *r,
    enum sysrec_notation n);
/* What sysrec_narrate() returns, without narrating: 1 when notation n
 * shows nothing for r, else 0. */
int sysrec_hidden(const struct sysrec *r, enum sysrec_notation n);

/*
 * Nonzero when a and b are the same call on the same socket with the same
 * arguments, result and errors, so that a run of them folds into one line
 * with a count ("recv(4, 4096) = 4096 ×2,731").  The bytes (data) and the
 * time may differ: a folded line narrates the first record of the run.
 */
int sysrec_same(const struct sysrec *a, const struct sysrec *b);

/* Append the count of a folded run: " ×2,731" (digits grouped by commas,
 * whatever the locale says). */
void sysrec_fold_count(struct sbuf *out, uint64_t count);

/* A malloc'd deep copy of r (strings included; of the data only the first
 * 32 bytes, all the narrators show, while data_len keeps the true count),
 * and its release; sysrec_free() is only for what sysrec_copy() made
 * (NULL is fine).  A copy narrates exactly as the original. */
struct sysrec *sysrec_copy(const struct sysrec *r);
void sysrec_free(struct sysrec *r);
/* The same copy of r made over c, a copy no longer wanted (or NULL: a new
 * one), reusing its memory: no allocation at all when r has no strings,
 * or the same ones as c; returns the copy (c itself when c is set). */
struct sysrec *sysrec_recopy(struct sysrec *c, const struct sysrec *r);

/*
 * Append r as one JSON object, no newline:
 *   {"call":"recv","fd":4,"args":{"len":4096,"flags":"0"},"ret":78,
 *    "errno":null}
 * "call" is the function's name (sysrec_call_name()), "args" holds the
 * arguments the call takes, by their C names (constants symbolic, as
 * strings: "domain":"AF_INET", "flags":"MSG_NOSIGNAL", "0" for none;
 * addresses as {"family":"AF_INET","host":"127.0.0.1","port":19999}),
 * "errno" is the symbolic name or null; "gai", "ssl_error", "trunc_len",
 * "discarded", "bytes" (data_len, when the call has data) and "note" are
 * added when set.  The bytes themselves are not repeated here (the
 * transcript's "hex" carries them).  Strings are escaped as transcript.c
 * escapes them, so the output is valid UTF-8 with no control byte.
 */
void sysrec_json(struct sbuf *out, const struct sysrec *r);

/* The C name of a call: "socket", "accept4", "SSL_read"... */
const char *sysrec_call_name(enum sysrec_call call);

/*
 * Append n bytes exactly as Python's repr() of a bytes object shows them:
 * b'...' (or b"..." when the bytes hold a ' and no "), with \\, \t, \n,
 * \r, the quote escaped, and every byte below 0x20 or from 0x7f up as
 * \xhh.  The result is printable ASCII.
 */
void sysrec_py_bytes(struct sbuf *out, const void *p, size_t n);

/*
 * Python notation, the variable names (a narrator sees one record, so the
 * names follow from the record alone):
 *   - a listener (SR_ROLE_LISTENER, Lk): "s" for L1, "s<k>" for Lk;
 *   - an accepted socket (SR_ROLE_ACCEPTED, #n): "conn" for #1, "conn<n>";
 *   - a client (SR_ROLE_CLIENT, #n): "s" for #1, "s<n>" for #n;
 *   - SR_ROLE_NONE: "s".
 * accept4() assigns to the name of the accepted #conn from the listener
 * named by r->listener.  A listener and a client are two programs in a
 * course (server.py and client.py each have their "s"), so L1 and a
 * client #1 are both "s"; the Events pane names the socket beside each
 * line ("L1", "#1"), so the lines stay apart.
 *
 * Conventions for fields the list above leaves open:
 *   - SR_SETSOCKOPT of SO_LINGER: optval is l_linger, with l_onoff 1;
 *     optval < 0 means l_onoff 0.
 *   - SR_RECVFROM on a datagram socket: ret 0 is an empty datagram (not
 *     EOF); trunc_len > data_len says the datagram was cut to data_len
 *     (to min(len, trunc_len) when data is NULL).
 *   - SR_SSL_*: ret is what OpenSSL returned, ssl_error its
 *     SSL_get_error() (SSL_ERROR_WANT_READ is 2 and so on), err the
 *     errno for SSL_ERROR_SYSCALL (0 there: the peer closed without
 *     close_notify, a truncation).
 */

#endif
