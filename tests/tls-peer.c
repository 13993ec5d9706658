/*
 * tls-peer.c: a tiny TLS client or server on src/tls.c, for
 * tests/e2e_tls.sh (built for make check only, not installed).  It uses
 * the module the way the engine will: a non-blocking socket, poll(), one
 * tls_read() per wake-up (plus tls_pending()), partial writes and
 * TLS_WANT_* in both directions.
 *
 *   tls-peer connect HOST PORT [--verify] [--ca FILE] [--name NAME]
 *   tls-peer listen PORT [--cert FILE --key FILE]
 *   common: [--alpn LIST] [-b N] [--keep-open] [--no-close-notify]
 *
 * Standard input goes to the connection; on its end the peer gets
 * close_notify (--keep-open: nothing, wait for the peer to finish;
 * --no-close-notify: the TCP connection is closed without one).  Every
 * line on standard output is one fact, and bytes from the peer appear only
 * C-escaped:
 *
 *   LISTENING 127.0.0.1:PORT / ACCEPT 127.0.0.1:PORT / CONNECTED ...
 *   cert san DNS:localhost, IP:127.0.0.1   (listen: our own certificate)
 *   HANDSHAKE ok | HANDSHAKE failed: CAUSE, then version, cipher, alpn,
 *   sni, subject, issuer, san, not_before, not_after, verify, summary
 *   read N "bytes"  |  EOF clean  |  EOF truncated  |  ERROR CAUSE
 *   SHUTDOWN close_notify sent  |  CLOSE without close_notify
 *
 * Exit status: 0, 1 after an error or a failed handshake, 2 usage.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sockscope/tls.h"
#include "sockscope/util.h"

#define PEER_OUT_MAX	65536

struct peer_opts {
	int		 listen;
	const char	*host;
	const char	*port;
	const char	*name;
	const char	*ca;
	const char	*cert;
	const char	*key;
	const char	*alpn;
	int		 verify;
	size_t		 bsize;
	int		 keep_open;
	int		 no_close_notify;
};

/* Print the usage and exit 2. */
static void
peer_usage(void)
{
	fprintf(stderr, "usage: tls-peer connect HOST PORT [--verify] "
	    "[--ca FILE] [--name NAME] [common]\n"
	    "       tls-peer listen PORT [--cert FILE --key FILE] [common]\n"
	    "common: [--alpn LIST] [-b N] [--keep-open] "
	    "[--no-close-notify]\n");
	exit(2);
}

/* Print one line and flush it, so a test waiting for it sees it now. */
static void
peer_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void
peer_say(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* Print "read N" and the bytes C-escaped. */
static void
peer_say_read(const unsigned char *p, size_t n)
{
	struct sbuf	b = { 0 };
	size_t		i;

	for (i = 0; i < n; i++) {
		switch (p[i]) {
		case '\n': sbuf_adds(&b, "\\n"); break;
		case '\r': sbuf_adds(&b, "\\r"); break;
		case '\t': sbuf_adds(&b, "\\t"); break;
		case '\\': sbuf_adds(&b, "\\\\"); break;
		case '"': sbuf_adds(&b, "\\\""); break;
		default:
			if (p[i] >= 0x20 && p[i] < 0x7f)
				sbuf_addc(&b, (char)p[i]);
			else
				sbuf_printf(&b, "\\x%02x", p[i]);
		}
	}
	peer_say("read %zu \"%s\"", n, b.len ? b.p : "");
	sbuf_free(&b);
}

/* Print what the handshake gave. */
static void
peer_say_info(const struct tls *t)
{
	struct tls_info	i;

	tls_info(t, &i);
	peer_say("version %s", i.version);
	peer_say("cipher %s", i.cipher[0] ? i.cipher : "-");
	peer_say("alpn %s", i.alpn[0] ? i.alpn : "-");
	peer_say("sni %s", i.sni[0] ? i.sni : "-");
	if (i.peer_cert) {
		peer_say("subject %s", i.peer.subject);
		peer_say("issuer %s", i.peer.issuer);
		peer_say("san %s", i.peer.san[0] ? i.peer.san : "-");
		peer_say("not_before %s", i.peer.not_before);
		peer_say("not_after %s", i.peer.not_after);
		peer_say("key %s", i.peer.key);
	}
	peer_say("verify %s", i.verify);
	peer_say("summary %s", i.summary);
}

/* Make fd non-blocking. */
static void
peer_nonblock(int fd)
{
	int	fl = fcntl(fd, F_GETFL);

	if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1) {
		peer_say("ERROR fcntl: %s", strerror(errno));
		exit(1);
	}
}

/* Listen on 127.0.0.1:port, accept one connection, return its fd. */
static int
peer_accept(const char *port)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	socklen_t		len = sizeof sin;
	char			addr[INET_ADDRSTRLEN];
	int			s, c, one = 1;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((unsigned short)atoi(port));
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1 ||
	    bind(s, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(s, 8) == -1 ||
	    getsockname(s, (struct sockaddr *)&sin, &len) == -1) {
		peer_say("ERROR listen %s: %s", port, strerror(errno));
		exit(1);
	}
	peer_say("LISTENING 127.0.0.1:%d", ntohs(sin.sin_port));
	len = sizeof sin;
	while ((c = accept(s, (struct sockaddr *)&sin, &len)) == -1) {
		if (errno != EINTR) {
			peer_say("ERROR accept: %s", strerror(errno));
			exit(1);
		}
	}
	close(s);
	inet_ntop(AF_INET, &sin.sin_addr, addr, sizeof addr);
	peer_say("ACCEPT %s:%d", addr, ntohs(sin.sin_port));
	peer_nonblock(c);
	return c;
}

/* Connect to host:port (IPv4) without blocking in connect(). */
static int
peer_connect(const char *host, const char *port)
{
	struct addrinfo	 hints = { .ai_family = AF_INET,
			    .ai_socktype = SOCK_STREAM }, *res;
	struct pollfd	 pfd;
	struct sockaddr_in sin;
	char		 addr[INET_ADDRSTRLEN];
	int		 fd, err = 0, rc;
	socklen_t	 len = sizeof err;

	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		peer_say("ERROR resolve %s: %s", host, gai_strerror(rc));
		exit(1);
	}
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1) {
		peer_say("ERROR socket: %s", strerror(errno));
		exit(1);
	}
	peer_nonblock(fd);
	memcpy(&sin, res->ai_addr, sizeof sin);
	inet_ntop(AF_INET, &sin.sin_addr, addr, sizeof addr);
	if (connect(fd, res->ai_addr, res->ai_addrlen) == -1) {
		if (errno != EINPROGRESS) {
			peer_say("ERROR connect %s:%s: %s", addr, port,
			    strerror(errno));
			exit(1);
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		while (poll(&pfd, 1, -1) == -1 && errno == EINTR)
			;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 ||
		    err != 0) {
			peer_say("ERROR connect %s:%s: %s", addr, port,
			    strerror(err));
			exit(1);
		}
	}
	freeaddrinfo(res);
	peer_say("CONNECTED %s:%s", addr, port);
	return fd;
}

/* Wait until fd is ready for what a TLS_WANT_* result asked. */
static void
peer_wait(int fd, int want)
{
	struct pollfd	pfd = { .fd = fd };

	pfd.events = want == TLS_WANT_WRITE ? POLLOUT : POLLIN;
	while (poll(&pfd, 1, -1) == -1 && errno == EINTR)
		;
}

/* Parse the command line. */
static void
peer_args(int argc, char **argv, struct peer_opts *o)
{
	int	i = 2;

	memset(o, 0, sizeof *o);
	o->bsize = 16384;
	if (argc < 3)
		peer_usage();
	if (strcmp(argv[1], "listen") == 0) {
		o->listen = 1;
		o->port = argv[2];
		i = 3;
	} else if (strcmp(argv[1], "connect") == 0 && argc >= 4) {
		o->host = argv[2];
		o->port = argv[3];
		o->name = o->host;
		i = 4;
	} else
		peer_usage();
	for (; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--verify") == 0)
			o->verify = 1;
		else if (strcmp(a, "--keep-open") == 0)
			o->keep_open = 1;
		else if (strcmp(a, "--no-close-notify") == 0)
			o->no_close_notify = 1;
		else if (v == NULL)
			peer_usage();
		else if (strcmp(a, "--ca") == 0)
			o->ca = argv[++i];
		else if (strcmp(a, "--name") == 0)
			o->name = argv[++i];
		else if (strcmp(a, "--cert") == 0)
			o->cert = argv[++i];
		else if (strcmp(a, "--key") == 0)
			o->key = argv[++i];
		else if (strcmp(a, "--alpn") == 0)
			o->alpn = argv[++i];
		else if (strcmp(a, "-b") == 0) {
			o->bsize = strtoul(argv[++i], NULL, 10);
			if (o->bsize == 0 || o->bsize > 1048576)
				peer_usage();
		} else
			peer_usage();
	}
}

/* Make the context the options ask for; exits on failure. */
static struct tls_ctx *
peer_ctx(const struct peer_opts *o)
{
	const char *const	 names[] = { "localhost", "127.0.0.1", NULL };
	struct tls_ctx		*ctx;
	struct tls_cert_desc	 d;
	char			*cause = NULL;

	if (o->listen) {
		ctx = tls_server_ctx(o->cert, o->key, names, &cause);
		if (ctx != NULL && tls_ctx_cert(ctx, &d) == 0)
			peer_say("cert san %s", d.san);
	} else {
		ctx = tls_client_ctx(o->verify, &cause);
		if (ctx != NULL && o->ca != NULL &&
		    tls_ctx_add_ca(ctx, o->ca, &cause) != 0) {
			tls_ctx_free(ctx);
			ctx = NULL;
		}
	}
	if (ctx != NULL && o->alpn != NULL &&
	    tls_ctx_set_alpn(ctx, o->alpn, &cause) != 0) {
		tls_ctx_free(ctx);
		ctx = NULL;
	}
	if (ctx == NULL) {
		peer_say("ERROR %s", cause);
		free(cause);
		exit(1);
	}
	return ctx;
}

/* Copy standard input to t and t to standard output until the session
 * ends; returns the exit status. */
static int
peer_run(struct tls *t, int fd, const struct peer_opts *o)
{
	enum { P_NET, P_STDIN };
	struct pollfd	 pfd[2];
	unsigned char	*out = xmalloc(PEER_OUT_MAX), *in = xmalloc(o->bsize);
	size_t		 outlen = 0;
	int		 stdin_eof = 0, shut = 0, rd_want = 0, wr_want = 0;
	int		 status = -1, timeout;
	ssize_t		 r;

	peer_nonblock(STDIN_FILENO);
	while (status < 0) {
		/* Plaintext inside OpenSSL does not make fd readable: read
		 * it without waiting. */
		timeout = tls_pending(t) ? 0 : -1;
		pfd[P_NET].fd = fd;
		pfd[P_NET].events = rd_want == TLS_WANT_WRITE ? POLLOUT : POLLIN;
		if (outlen > 0 || (stdin_eof && !shut && !o->keep_open))
			pfd[P_NET].events |= wr_want == TLS_WANT_READ ?
			    POLLIN : POLLOUT;
		pfd[P_STDIN].fd = !stdin_eof && outlen < PEER_OUT_MAX ?
		    STDIN_FILENO : -1;
		pfd[P_STDIN].events = POLLIN;
		if (poll(pfd, 2, timeout) == -1) {
			if (errno == EINTR)
				continue;
			peer_say("ERROR poll: %s", strerror(errno));
			status = 1;
			break;
		}

		if (pfd[P_STDIN].revents != 0) {
			r = read(STDIN_FILENO, out + outlen,
			    PEER_OUT_MAX - outlen);
			if (r > 0)
				outlen += (size_t)r;
			else if (r == 0 || (errno != EAGAIN && errno != EINTR))
				stdin_eof = 1;
		}

		if (outlen > 0) {
			r = tls_write(t, out, outlen);
			wr_want = 0;
			if (r > 0) {
				memmove(out, out + r, outlen - (size_t)r);
				outlen -= (size_t)r;
			} else if (r == TLS_WANT_READ || r == TLS_WANT_WRITE)
				wr_want = (int)r;
			else {
				peer_say("ERROR %s", tls_cause(t));
				status = 1;
				break;
			}
		}
		if (outlen == 0 && stdin_eof && !shut && !o->keep_open) {
			if (o->no_close_notify) {
				peer_say("CLOSE without close_notify");
				status = 0;
				break;
			}
			r = tls_shutdown(t);
			wr_want = 0;
			if (r == 0) {
				shut = 1;
				peer_say("SHUTDOWN close_notify sent");
			} else if (r == TLS_WANT_READ || r == TLS_WANT_WRITE)
				wr_want = (int)r;
			else {
				peer_say("ERROR %s", tls_cause(t));
				status = 1;
				break;
			}
		}

		/* One read per turn, like the engine: a chunk is one
		 * tls_read() result. */
		if (pfd[P_NET].revents == 0 && !tls_pending(t))
			continue;
		r = tls_read(t, in, o->bsize);
		rd_want = 0;
		if (r > 0)
			peer_say_read(in, (size_t)r);
		else if (r == 0) {
			peer_say("EOF clean");
			/* Answer the peer's close_notify with ours. */
			if (!shut && !o->no_close_notify && tls_shutdown(t) == 0)
				peer_say("SHUTDOWN close_notify sent");
			status = 0;
		} else if (r == TLS_TRUNCATED) {
			peer_say("EOF truncated");
			status = 0;
		} else if (r == TLS_WANT_READ || r == TLS_WANT_WRITE)
			rd_want = (int)r;
		else {
			peer_say("ERROR %s", tls_cause(t));
			status = 1;
		}
	}
	free(out);
	free(in);
	return status;
}

int
main(int argc, char **argv)
{
	struct peer_opts	 o;
	struct tls_ctx		*ctx;
	struct tls		*t;
	int			 fd, rc, status;

	signal(SIGPIPE, SIG_IGN);
	peer_args(argc, argv, &o);
	ctx = peer_ctx(&o);
	fd = o.listen ? peer_accept(o.port) : peer_connect(o.host, o.port);
	t = tls_new(ctx, fd, o.listen, o.listen ? NULL : o.name);

	while ((rc = tls_handshake(t)) == TLS_WANT_READ || rc == TLS_WANT_WRITE)
		peer_wait(fd, rc);
	if (rc == 0) {
		peer_say("HANDSHAKE ok");
		peer_say_info(t);
		status = peer_run(t, fd, &o);
	} else {
		peer_say("HANDSHAKE failed: %s", tls_cause(t));
		peer_say_info(t);
		status = 1;
	}
	peer_say("DONE");
	tls_free(t);
	close(fd);
	tls_ctx_free(ctx);
	return status;
}
