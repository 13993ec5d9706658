/*
 * net-sys.c: every call the engine makes on a socket, made once here and
 * recorded as it was made (call, descriptor, arguments, result, errno) as
 * a struct sysrec (SPEC section 10).  Called by net.c and the transports;
 * the records go to the callback net_set_record() installed, and, when
 * SOCKSCOPE_RECORD_FILE names a file, one line each to that file for the
 * tests to compare with strace.  Also formats addresses (struct net_addr).
 *
 * Nothing here retries or decides: EINTR and EAGAIN are the caller's.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockscope/evlog.h"
#include "sockscope/loop.h"
#include "sockscope/net-int.h"
#include "sockscope/util.h"

static struct {
	net_record_fn	*fn;
	void		*arg;
	FILE		*file;		/* SOCKSCOPE_RECORD_FILE */
} nsys;

/* Open the debug record file if the environment asks for one. */
void
net_sys_init(void)
{
	const char	*path = getenv("SOCKSCOPE_RECORD_FILE");

	nsys.fn = NULL;
	nsys.arg = NULL;
	nsys.file = NULL;
	if (path != NULL && *path != '\0') {
		nsys.file = fopen(path, "we");
		if (nsys.file != NULL)
			setvbuf(nsys.file, NULL, _IOLBF, 0);
	}
}

/* Close the debug record file. */
void
net_sys_free(void)
{
	if (nsys.file != NULL)
		fclose(nsys.file);
	nsys.file = NULL;
	nsys.fn = NULL;
}

/* Where records go. */
void
net_sys_set_record(net_record_fn *fn, void *arg)
{
	nsys.fn = fn;
	nsys.arg = arg;
}

/* The call's name as strace would print it. */
static const char *
net_sys_name(enum sysrec_call c)
{
	static const char *names[] = {
		"socket", "setsockopt", "getsockopt", "bind", "listen",
		"accept4", "connect", "recv", "recvfrom", "send", "sendto",
		"shutdown", "close", "ioctl", "getaddrinfo", "unlink",
		"SSL_connect", "SSL_accept", "SSL_read", "SSL_write",
		"SSL_shutdown"
	};

	if ((size_t)c < sizeof names / sizeof names[0])
		return names[c];
	return "?";
}

/* Start a record for call c on fd about w. */
static void
net_sys_rec(struct sysrec *r, enum sysrec_call c, const struct net_who *w,
    int fd)
{
	memset(r, 0, sizeof *r);
	r->call = c;
	r->fd = fd;
	if (w != NULL) {
		r->conn = w->conn;
		r->listener = w->listener;
		r->role = w->role;
	}
}

/* Point a record's address at a. */
static void
net_sys_addr(struct sysrec *r, const struct net_addr *a)
{
	if (a == NULL)
		return;
	r->addr.family = a->ss.ss_family;
	r->addr.host = a->host;
	r->addr.port = a->port;
}

/* Write r to the debug file and hand it to the callback. */
static void
net_sys_out(const struct sysrec *r)
{
	if (nsys.file != NULL) {
		fprintf(nsys.file, "%s %d %lld %s", net_sys_name(r->call),
		    r->call == SR_SOCKET ? (int)r->ret : r->fd, r->ret,
		    r->err != 0 ? evlog_errname(r->err) : "0");
		if (r->discarded > 0)
			fprintf(nsys.file, " discarded=%llu",
			    (unsigned long long)r->discarded);
		fputc('\n', nsys.file);
	}
	if (nsys.fn != NULL)
		nsys.fn(r, nsys.arg);
}

/* Finish a record with the call's result and hand it on. */
static void
net_sys_emit(struct sysrec *r, long long ret, int err)
{
	r->t = loop_now();
	r->ret = ret;
	r->err = ret < 0 ? err : 0;
	net_sys_out(r);
	/* The callback must not change what the caller reads next. */
	errno = err;
}

/* Pass on a record made elsewhere (tls.c's SSL calls) as about w. */
void
net_sys_forward(const struct net_who *w, const struct sysrec *from)
{
	struct sysrec	r = *from;

	if (w != NULL) {
		r.conn = w->conn;
		r.listener = w->listener;
		r.role = w->role;
	}
	r.t = loop_now();
	/* As made: an SSL call's errno and result are its own. */
	net_sys_out(&r);
}

/* socket(). */
int
net_sys_socket(const struct net_who *w, int domain, int type, int proto)
{
	struct sysrec	r;
	int		fd;

	net_sys_rec(&r, SR_SOCKET, w, -1);
	r.domain = domain;
	r.type = type;
	r.protocol = proto;
	fd = socket(domain, type, proto);
	net_sys_emit(&r, fd, errno);
	return fd;
}

/* setsockopt() of one int. */
int
net_sys_setsockopt(const struct net_who *w, int fd, int level, int name,
    int value)
{
	struct sysrec	r;
	int		rc;

	net_sys_rec(&r, SR_SETSOCKOPT, w, fd);
	r.level = level;
	r.optname = name;
	r.optval = value;
	rc = setsockopt(fd, level, name, &value, sizeof value);
	net_sys_emit(&r, rc, errno);
	return rc;
}

/* setsockopt(SO_LINGER, {1, 0}): close() then sends RST. */
int
net_sys_linger0(const struct net_who *w, int fd)
{
	struct sysrec	r;
	struct linger	lg = { 1, 0 };
	int		rc;

	net_sys_rec(&r, SR_SETSOCKOPT, w, fd);
	r.level = SOL_SOCKET;
	r.optname = SO_LINGER;
	r.optval = 0;
	rc = setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	net_sys_emit(&r, rc, errno);
	return rc;
}

/* getsockopt(SO_ERROR): how the connect to target ended. */
int
net_sys_so_error(const struct net_who *w, int fd,
    const struct net_addr *target, int *err)
{
	struct sysrec	r;
	socklen_t	len = sizeof *err;
	int		rc;

	net_sys_rec(&r, SR_GETSOCKOPT, w, fd);
	r.level = SOL_SOCKET;
	r.optname = SO_ERROR;
	net_sys_addr(&r, target);
	*err = 0;
	rc = getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &len);
	r.optval = rc == 0 ? *err : 0;
	net_sys_emit(&r, rc, errno);
	return rc;
}

/* bind(). */
int
net_sys_bind(const struct net_who *w, int fd, const struct net_addr *a)
{
	struct sysrec	r;
	int		rc;

	net_sys_rec(&r, SR_BIND, w, fd);
	net_sys_addr(&r, a);
	rc = bind(fd, (const struct sockaddr *)&a->ss, a->len);
	net_sys_emit(&r, rc, errno);
	return rc;
}

/* listen(). */
int
net_sys_listen(const struct net_who *w, int fd, int backlog)
{
	struct sysrec	r;
	int		rc;

	net_sys_rec(&r, SR_LISTEN, w, fd);
	r.backlog = backlog;
	rc = listen(fd, backlog);
	net_sys_emit(&r, rc, errno);
	return rc;
}

/* accept4(); the peer's address into *peer. */
int
net_sys_accept4(const struct net_who *w, int fd, struct net_addr *peer,
    int flags)
{
	struct sysrec	r;
	int		nfd;

	net_sys_rec(&r, SR_ACCEPT4, w, fd);
	r.flags = flags;
	memset(peer, 0, sizeof *peer);
	peer->len = sizeof peer->ss;
	nfd = accept4(fd, (struct sockaddr *)&peer->ss, &peer->len, flags);
	if (nfd != -1) {
		int	saved = errno;

		net_addr_describe(peer);
		net_sys_addr(&r, peer);
		errno = saved;
	}
	net_sys_emit(&r, nfd, errno);
	return nfd;
}

/* connect(). */
int
net_sys_connect(const struct net_who *w, int fd, const struct net_addr *a)
{
	struct sysrec	r;
	int		rc;

	net_sys_rec(&r, SR_CONNECT, w, fd);
	net_sys_addr(&r, a);
	rc = connect(fd, (const struct sockaddr *)&a->ss, a->len);
	net_sys_emit(&r, rc, errno);
	return rc;
}

/* recv(). */
ssize_t
net_sys_recv(const struct net_who *w, int fd, void *buf, size_t n,
    int flags)
{
	struct sysrec	r;
	ssize_t		got;

	net_sys_rec(&r, SR_RECV, w, fd);
	r.len = n;
	r.flags = flags;
	got = recv(fd, buf, n, flags);
	if (got > 0) {
		r.data = buf;
		/* MSG_TRUNC: a datagram's real size, beyond what was kept. */
		r.data_len = (size_t)got > n ? n : (size_t)got;
		if ((size_t)got > n)
			r.trunc_len = (size_t)got;
	}
	net_sys_emit(&r, got, errno);
	return got;
}

/* recvfrom(); with MSG_TRUNC the result is the datagram's real size. */
ssize_t
net_sys_recvfrom(const struct net_who *w, int fd, void *buf, size_t n,
    int flags, struct net_addr *from)
{
	struct sysrec	r;
	ssize_t		got;
	int		saved;

	net_sys_rec(&r, SR_RECVFROM, w, fd);
	r.len = n;
	r.flags = flags;
	memset(from, 0, sizeof *from);
	from->len = sizeof from->ss;
	got = recvfrom(fd, buf, n, flags, (struct sockaddr *)&from->ss,
	    &from->len);
	saved = errno;
	if (got >= 0) {
		net_addr_describe(from);
		net_sys_addr(&r, from);
		r.data = buf;
		r.data_len = (size_t)got > n ? n : (size_t)got;
		if ((size_t)got > n)
			r.trunc_len = (size_t)got;
	}
	net_sys_emit(&r, got, saved);
	return got;
}

/* send(). */
ssize_t
net_sys_send(const struct net_who *w, int fd, const void *p, size_t n,
    int flags)
{
	struct sysrec	r;
	ssize_t		sent;

	net_sys_rec(&r, SR_SEND, w, fd);
	r.len = n;
	r.flags = flags;
	sent = send(fd, p, n, flags);
	if (sent > 0) {
		r.data = p;
		r.data_len = (size_t)sent;
	}
	net_sys_emit(&r, sent, errno);
	return sent;
}

/* sendto(). */
ssize_t
net_sys_sendto(const struct net_who *w, int fd, const void *p, size_t n,
    int flags, const struct net_addr *to)
{
	struct sysrec	r;
	ssize_t		sent;

	net_sys_rec(&r, SR_SENDTO, w, fd);
	r.len = n;
	r.flags = flags;
	net_sys_addr(&r, to);
	sent = sendto(fd, p, n, flags, (const struct sockaddr *)&to->ss,
	    to->len);
	if (sent > 0) {
		r.data = p;
		r.data_len = (size_t)sent;
	}
	net_sys_emit(&r, sent, errno);
	return sent;
}

/* shutdown(). */
int
net_sys_shutdown(const struct net_who *w, int fd, int how)
{
	struct sysrec	r;
	int		rc;

	net_sys_rec(&r, SR_SHUTDOWN, w, fd);
	r.how = how;
	rc = shutdown(fd, how);
	net_sys_emit(&r, rc, errno);
	return rc;
}

/* close(); discarded: unread bytes the kernel answers with RST. */
int
net_sys_close(const struct net_who *w, int fd, uint64_t discarded)
{
	struct sysrec	r;
	int		rc;

	net_sys_rec(&r, SR_CLOSE, w, fd);
	r.discarded = discarded;
	rc = close(fd);
	net_sys_emit(&r, rc, errno);
	return rc;
}

/* ioctl(FIONREAD or SIOCOUTQ), recorded only when shown (record). */
int
net_sys_ioctl(const struct net_who *w, int fd, unsigned long req, int *val,
    int record)
{
	struct sysrec	r;
	int		rc;

	*val = 0;
	rc = ioctl(fd, req, val);
	if (!record)
		return rc;
	net_sys_rec(&r, SR_IOCTL, w, fd);
	r.request = req;
	r.optval = rc == 0 ? *val : 0;
	net_sys_emit(&r, rc, errno);
	return rc;
}

/* getsockopt() for the kernel view (TCP_INFO, SO_RCVBUF...): polled while
 * the view is shown, so never recorded (like the queue ioctls). */
int
net_sys_getopt(int fd, int level, int name, void *val, socklen_t *len)
{
	return getsockopt(fd, level, name, val, len);
}

/* unlink() of a Unix socket path. */
int
net_sys_unlink(const struct net_who *w, const char *path)
{
	struct sysrec	r;
	int		rc;

	net_sys_rec(&r, SR_UNLINK, w, -1);
	r.addr.family = AF_UNIX;
	r.addr.host = path;
	rc = unlink(path);
	net_sys_emit(&r, rc, errno);
	return rc;
}

/* Record a getaddrinfo() already made (perhaps in a thread): rc is its
 * result, 0 or EAI_*. */
void
net_sys_gai(const struct net_who *w, const char *host, const char *service,
    int rc, int err)
{
	struct sysrec	r;

	net_sys_rec(&r, SR_GETADDRINFO, w, -1);
	r.host = host;
	r.service = service;
	r.gai = rc;
	net_sys_emit(&r, rc, rc == EAI_SYSTEM ? err : 0);
}

/* Copy s into buf, every byte outside printable ASCII as \xNN. */
static void
net_addr_escape(char *buf, size_t len, const char *s, size_t n)
{
	size_t	o = 0, i;

	for (i = 0; i < n && o + 5 < len; i++) {
		unsigned char	ch = (unsigned char)s[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			buf[o++] = (char)ch;
		else
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", ch);
	}
	buf[o] = '\0';
}

/* Append the decimal digits of v at p; returns the end. */
static char *
net_addr_digits(char *p, unsigned v)
{
	char	tmp[10];
	int	n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

/* Fill an IPv4 address's host and text without printf (every accepted
 * client is one, so this is on the accept path). */
static void
net_addr_describe4(struct net_addr *a, const struct sockaddr_in *s4)
{
	const unsigned char	*b = (const void *)&s4->sin_addr;
	char			*p = a->host;
	int			 i;

	for (i = 0; i < 4; i++) {
		if (i > 0)
			*p++ = '.';
		p = net_addr_digits(p, b[i]);
	}
	*p = '\0';
	a->port = ntohs(s4->sin_port);
	memcpy(a->text, a->host, (size_t)(p - a->host));
	p = a->text + (p - a->host);
	*p++ = ':';
	p = net_addr_digits(p, (unsigned)a->port);
	*p = '\0';
}

/* Fill host, port and text from a->ss. */
void
net_addr_describe(struct net_addr *a)
{
	char	host[INET6_ADDRSTRLEN];

	a->port = 0;
	if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)&a->ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
		a->port = ntohs(s6->sin6_port);
		snprintf(a->host, sizeof a->host, "%s", host);
		snprintf(a->text, sizeof a->text, "[%s]:%d", host, a->port);
	} else if (a->ss.ss_family == AF_INET) {
		net_addr_describe4(a, (const void *)&a->ss);
	} else if (a->ss.ss_family == AF_UNIX) {
		const struct sockaddr_un *su = (const void *)&a->ss;
		size_t	off = offsetof(struct sockaddr_un, sun_path), n;

		n = a->len > off ? a->len - off : 0;
		if (n > sizeof su->sun_path)
			n = sizeof su->sun_path;
		if (n == 0)
			snprintf(a->host, sizeof a->host, "(unnamed)");
		else if (su->sun_path[0] == '\0') {
			/* Abstract: shown with the '@' ss and lsof use. */
			a->host[0] = '@';
			net_addr_escape(a->host + 1, sizeof a->host - 1,
			    su->sun_path + 1, n - 1);
		} else
			net_addr_escape(a->host, sizeof a->host, su->sun_path,
			    strnlen(su->sun_path, n));
		snprintf(a->text, sizeof a->text, "%s", a->host);
	} else {
		snprintf(a->host, sizeof a->host, "(family %d)",
		    a->ss.ss_family);
		snprintf(a->text, sizeof a->text, "%s", a->host);
	}
}

/* Set a to the Unix socket path; -1 (ENAMETOOLONG) if it does not fit. */
int
net_addr_unix(struct net_addr *a, const char *path)
{
	struct sockaddr_un	*su = (void *)&a->ss;
	size_t			 n = strlen(path);

	memset(a, 0, sizeof *a);
	if (n == 0 || n >= sizeof su->sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	su->sun_family = AF_UNIX;
	memcpy(su->sun_path, path, n + 1);
	a->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	net_addr_describe(a);
	return 0;
}
