/*
 * sysrec.c: the narrators of the system-call record (SPEC section 10).
 * Owns the wording of every recorded socket call in C (strace-like)
 * notation and in Python notation (what a blocking Python program would
 * see), Python's repr() of bytes, the folding rule, deep copies of
 * records, and their JSON form.
 *
 * The shells (net.c and the transports) fill a struct sysrec per call;
 * the Events pane, the transcript and the JSON output call the functions
 * here.  Pure: no socket is touched, nothing is printed; constants are
 * only named, errno and getaddrinfo codes arrive as fields.  Every byte
 * from outside (data, addresses, paths, notes) is escaped.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockscope/evlog.h"
#include "sockscope/sysrec.h"
#include "sockscope/textesc.h"
#include "sockscope/transcript.h"
#include "sockscope/util.h"

/* SIOCOUTQ is TIOCOUTQ on Linux (linux/sockios.h); SIOCINQ is FIONREAD. */
#if !defined(SIOCOUTQ) && defined(TIOCOUTQ)
#define SIOCOUTQ TIOCOUTQ
#endif

/* Most bytes of data a line previews; a shorter first line ends it. */
#define SYSREC_PREVIEW	32

/* Python's default listen() backlog: min(SOMAXCONN, 128) on Linux. */
#define SYSREC_PY_BACKLOG 128

/* OpenSSL's SSL_get_error() values (stable since 0.9.x); the core does not
 * link OpenSSL, so they are written out here. */
#define SYSREC_SSL_ERROR_SSL		1
#define SYSREC_SSL_ERROR_WANT_READ	2
#define SYSREC_SSL_ERROR_WANT_WRITE	3
#define SYSREC_SSL_ERROR_SYSCALL	5
#define SYSREC_SSL_ERROR_ZERO_RETURN	6

/* The ellipsis and arrow of the narration, in UTF-8. */
#define SYSREC_ELLIPSIS	"\xe2\x80\xa6"
#define SYSREC_ARROW	"\xe2\x86\x92"

struct sysrec_name {
	long long	 value;
	const char	*name;
};

#define SYSREC_NAME(x) { x, #x }

static const struct sysrec_name sysrec_families[] = {
	SYSREC_NAME(AF_UNSPEC),
	SYSREC_NAME(AF_INET),
	SYSREC_NAME(AF_INET6),
	SYSREC_NAME(AF_UNIX),
	{ 0, NULL }
};

static const struct sysrec_name sysrec_types[] = {
	SYSREC_NAME(SOCK_STREAM),
	SYSREC_NAME(SOCK_DGRAM),
	SYSREC_NAME(SOCK_SEQPACKET),
	SYSREC_NAME(SOCK_RAW),
	{ 0, NULL }
};

/* Flags of socket()'s type and of accept4(). */
static const struct sysrec_name sysrec_sock_flags[] = {
#ifdef SOCK_NONBLOCK
	SYSREC_NAME(SOCK_NONBLOCK),
#endif
#ifdef SOCK_CLOEXEC
	SYSREC_NAME(SOCK_CLOEXEC),
#endif
	{ 0, NULL }
};

static const struct sysrec_name sysrec_msg_flags[] = {
	SYSREC_NAME(MSG_OOB),
	SYSREC_NAME(MSG_PEEK),
	SYSREC_NAME(MSG_DONTROUTE),
#ifdef MSG_TRUNC
	SYSREC_NAME(MSG_TRUNC),
#endif
#ifdef MSG_DONTWAIT
	SYSREC_NAME(MSG_DONTWAIT),
#endif
#ifdef MSG_EOR
	SYSREC_NAME(MSG_EOR),
#endif
#ifdef MSG_WAITALL
	SYSREC_NAME(MSG_WAITALL),
#endif
#ifdef MSG_NOSIGNAL
	SYSREC_NAME(MSG_NOSIGNAL),
#endif
#ifdef MSG_MORE
	SYSREC_NAME(MSG_MORE),
#endif
	{ 0, NULL }
};

/* MSG_* flags a Python program passes itself; the others (MSG_NOSIGNAL,
 * MSG_DONTWAIT, MSG_TRUNC) are how a non-blocking C program asks, and a
 * blocking Python program does not see them. */
static const struct sysrec_name sysrec_py_msg_names[] = {
	SYSREC_NAME(MSG_OOB),
	SYSREC_NAME(MSG_PEEK),
#ifdef MSG_WAITALL
	SYSREC_NAME(MSG_WAITALL),
#endif
	{ 0, NULL }
};

static const struct sysrec_name sysrec_levels[] = {
	SYSREC_NAME(SOL_SOCKET),
	SYSREC_NAME(IPPROTO_TCP),
	SYSREC_NAME(IPPROTO_IP),
	SYSREC_NAME(IPPROTO_IPV6),
	{ 0, NULL }
};

static const struct sysrec_name sysrec_protocols[] = {
	SYSREC_NAME(IPPROTO_TCP),
	SYSREC_NAME(IPPROTO_UDP),
	{ 0, NULL }
};

static const struct sysrec_name sysrec_so_names[] = {
	SYSREC_NAME(SO_REUSEADDR),
#ifdef SO_REUSEPORT
	SYSREC_NAME(SO_REUSEPORT),
#endif
	SYSREC_NAME(SO_LINGER),
	SYSREC_NAME(SO_ERROR),
	SYSREC_NAME(SO_RCVBUF),
	SYSREC_NAME(SO_SNDBUF),
	SYSREC_NAME(SO_KEEPALIVE),
	SYSREC_NAME(SO_BROADCAST),
	SYSREC_NAME(SO_TYPE),
	SYSREC_NAME(SO_RCVLOWAT),
	SYSREC_NAME(SO_SNDLOWAT),
	{ 0, NULL }
};

static const struct sysrec_name sysrec_tcp_names[] = {
	SYSREC_NAME(TCP_NODELAY),
#ifdef TCP_INFO
	SYSREC_NAME(TCP_INFO),
#endif
#ifdef TCP_KEEPIDLE
	SYSREC_NAME(TCP_KEEPIDLE),
#endif
	{ 0, NULL }
};

static const struct sysrec_name sysrec_ipv6_names[] = {
	SYSREC_NAME(IPV6_V6ONLY),
	{ 0, NULL }
};

static const struct sysrec_name sysrec_shut[] = {
	SYSREC_NAME(SHUT_RD),
	SYSREC_NAME(SHUT_WR),
	SYSREC_NAME(SHUT_RDWR),
	{ 0, NULL }
};

static const struct sysrec_name sysrec_requests[] = {
	SYSREC_NAME(FIONREAD),
#ifdef SIOCOUTQ
	SYSREC_NAME(SIOCOUTQ),
#endif
	{ 0, NULL }
};

static const struct sysrec_name sysrec_ssl_errors[] = {
	{ 0, "SSL_ERROR_NONE" },
	{ 1, "SSL_ERROR_SSL" },
	{ 2, "SSL_ERROR_WANT_READ" },
	{ 3, "SSL_ERROR_WANT_WRITE" },
	{ 4, "SSL_ERROR_WANT_X509_LOOKUP" },
	{ 5, "SSL_ERROR_SYSCALL" },
	{ 6, "SSL_ERROR_ZERO_RETURN" },
	{ 7, "SSL_ERROR_WANT_CONNECT" },
	{ 8, "SSL_ERROR_WANT_ACCEPT" },
	{ 9, "SSL_ERROR_WANT_ASYNC" },
	{ 10, "SSL_ERROR_WANT_ASYNC_JOB" },
	{ 11, "SSL_ERROR_WANT_CLIENT_HELLO_CB" },
	{ 0, NULL }
};

/* Python's exception classes by errno (PEP 3151); others are OSError. */
static const struct sysrec_name sysrec_py_exceptions[] = {
	{ EAGAIN, "BlockingIOError" },
	{ EWOULDBLOCK, "BlockingIOError" },
	{ EALREADY, "BlockingIOError" },
	{ EINPROGRESS, "BlockingIOError" },
	{ ECHILD, "ChildProcessError" },
	{ EPIPE, "BrokenPipeError" },
	{ ESHUTDOWN, "BrokenPipeError" },
	{ ECONNABORTED, "ConnectionAbortedError" },
	{ ECONNREFUSED, "ConnectionRefusedError" },
	{ ECONNRESET, "ConnectionResetError" },
	{ EEXIST, "FileExistsError" },
	{ ENOENT, "FileNotFoundError" },
	{ EINTR, "InterruptedError" },
	{ EISDIR, "IsADirectoryError" },
	{ ENOTDIR, "NotADirectoryError" },
	{ EACCES, "PermissionError" },
	{ EPERM, "PermissionError" },
	{ ESRCH, "ProcessLookupError" },
	{ ETIMEDOUT, "TimeoutError" },
	{ 0, NULL }
};

/* The name of value in table, or NULL. */
static const char *
sysrec_lookup(const struct sysrec_name *table, long long value)
{
	size_t	i;

	for (i = 0; table[i].name != NULL; i++) {
		if (table[i].value == value)
			return table[i].name;
	}
	return NULL;
}

/* Append the name of value in table, or the number. */
static void
sysrec_add_name(struct sbuf *out, const struct sysrec_name *table,
    long long value)
{
	const char	*name = sysrec_lookup(table, value);

	if (name != NULL)
		sbuf_adds(out, name);
	else
		sbuf_printf(out, "%lld", value);
}

/* Append the bits of flags by name, joined by sep ("|"), with bits no
 * name covers as one hex number; "0" when none is set. */
static void
sysrec_add_flags(struct sbuf *out, const struct sysrec_name *table,
    unsigned int flags, const char *sep)
{
	unsigned int	rest = flags;
	int		first = 1;
	size_t		i;

	if (flags == 0) {
		sbuf_addc(out, '0');
		return;
	}
	for (i = 0; table[i].name != NULL; i++) {
		unsigned int	bit = (unsigned int)table[i].value;

		if (bit == 0 || (rest & bit) != bit)
			continue;
		sbuf_printf(out, "%s%s", first ? "" : sep, table[i].name);
		rest &= ~bit;
		first = 0;
	}
	if (rest != 0)
		sbuf_printf(out, "%s%#x", first ? "" : sep, rest);
}

/* Append socket()'s type: the kind by name, then SOCK_NONBLOCK etc. */
static void
sysrec_add_type(struct sbuf *out, int type)
{
	unsigned int	flags = 0;
	size_t		i;

	for (i = 0; sysrec_sock_flags[i].name != NULL; i++)
		flags |= (unsigned int)sysrec_sock_flags[i].value;
	sysrec_add_name(out, sysrec_types, (int)((unsigned int)type & ~flags));
	if (((unsigned int)type & flags) != 0) {
		sbuf_addc(out, '|');
		sysrec_add_flags(out, sysrec_sock_flags,
		    (unsigned int)type & flags, "|");
	}
}

/* The option name table for a [gs]etsockopt level, or NULL. */
static const struct sysrec_name *
sysrec_opt_table(int level)
{
	if (level == SOL_SOCKET)
		return sysrec_so_names;
	if (level == IPPROTO_TCP)
		return sysrec_tcp_names;
	if (level == IPPROTO_IPV6)
		return sysrec_ipv6_names;
	return NULL;
}

/* Append the name of optname at level, or the number. */
static void
sysrec_add_optname(struct sbuf *out, int level, int optname)
{
	const struct sysrec_name	*table = sysrec_opt_table(level);

	if (table != NULL)
		sysrec_add_name(out, table, optname);
	else
		sbuf_printf(out, "%d", optname);
}

/* Nonzero for the option (level, optname). */
static int
sysrec_is_opt(const struct sysrec *r, int level, int optname)
{
	return r->level == level && r->optname == optname;
}

/* The C name of a call. */
const char *
sysrec_call_name(enum sysrec_call call)
{
	switch (call) {
	case SR_SOCKET:
		return "socket";
	case SR_SETSOCKOPT:
		return "setsockopt";
	case SR_GETSOCKOPT:
		return "getsockopt";
	case SR_BIND:
		return "bind";
	case SR_LISTEN:
		return "listen";
	case SR_ACCEPT4:
		return "accept4";
	case SR_CONNECT:
		return "connect";
	case SR_RECV:
		return "recv";
	case SR_RECVFROM:
		return "recvfrom";
	case SR_SEND:
		return "send";
	case SR_SENDTO:
		return "sendto";
	case SR_SHUTDOWN:
		return "shutdown";
	case SR_CLOSE:
		return "close";
	case SR_IOCTL:
		return "ioctl";
	case SR_GETADDRINFO:
		return "getaddrinfo";
	case SR_UNLINK:
		return "unlink";
	case SR_SSL_CONNECT:
		return "SSL_connect";
	case SR_SSL_ACCEPT:
		return "SSL_accept";
	case SR_SSL_READ:
		return "SSL_read";
	case SR_SSL_WRITE:
		return "SSL_write";
	case SR_SSL_SHUTDOWN:
		return "SSL_shutdown";
	}
	return "unknown";
}

/* The plural ending for n things. */
static const char *
sysrec_plural(unsigned long long n)
{
	return n == 1 ? "" : "s";
}

/*
 * Append n bytes inside a C string literal: \" \\ \r \n \t, printable
 * ASCII and printable UTF-8 as themselves, every other byte as \xHH.
 */
static void
sysrec_c_bytes(struct sbuf *out, const unsigned char *p, size_t n)
{
	uint32_t	cp;
	size_t		i = 0, l;

	while (i < n) {
		unsigned char	c = p[i];

		if (c == '"' || c == '\\') {
			sbuf_addc(out, '\\');
			sbuf_addc(out, (char)c);
		} else if (c == '\r')
			sbuf_adds(out, "\\r");
		else if (c == '\n')
			sbuf_adds(out, "\\n");
		else if (c == '\t')
			sbuf_adds(out, "\\t");
		else if (c >= 0x20 && c < 0x7f)
			sbuf_addc(out, (char)c);
		else if (c >= 0x80 &&
		    (l = textesc_utf8_decode(p + i, n - i, &cp)) != 0 &&
		    textesc_printable(cp)) {
			sbuf_add(out, p + i, l);
			i += l;
			continue;
		} else
			sbuf_printf(out, "\\x%02x", c);
		i++;
	}
}

/* Append a string from outside as a C string literal; NULL gives NULL. */
static void
sysrec_c_string(struct sbuf *out, const char *s)
{
	if (s == NULL) {
		sbuf_adds(out, "NULL");
		return;
	}
	sbuf_addc(out, '"');
	sysrec_c_bytes(out, (const unsigned char *)s, strlen(s));
	sbuf_addc(out, '"');
}

/* Append a host from outside, escaped (an address is plain ASCII, but
 * the record does not promise it); NULL gives "?". */
static void
sysrec_host(struct sbuf *out, const char *host)
{
	if (host == NULL)
		host = "?";
	textesc_quote(out, host, strlen(host), 1);
}

/* Append an address in C notation: 127.0.0.1:19999, [::1]:19999, or a
 * Unix path as a string literal. */
static void
sysrec_c_addr(struct sbuf *out, const struct sysrec_addr *a)
{
	switch (a->family) {
	case AF_INET6:
		sbuf_addc(out, '[');
		sysrec_host(out, a->host);
		sbuf_printf(out, "]:%d", a->port);
		break;
	case AF_UNIX:
		sysrec_c_string(out, a->host != NULL ? a->host : "");
		break;
	case 0:
		sbuf_adds(out, "NULL");
		break;
	default:
		sysrec_host(out, a->host);
		sbuf_printf(out, ":%d", a->port);
		break;
	}
}

/*
 * How many of n bytes a line previews: all of them when they fit, else
 * up to and including the first newline within the first SYSREC_PREVIEW
 * bytes, else SYSREC_PREVIEW.
 */
static size_t
sysrec_preview_len(const unsigned char *p, size_t n)
{
	size_t	i;

	if (n <= SYSREC_PREVIEW)
		return n;
	for (i = 0; i < SYSREC_PREVIEW; i++) {
		if (p[i] == '\n')
			return i + 1;
	}
	return SYSREC_PREVIEW;
}

/* Append "  \"preview\"" and "…" when it is shortened (C notation). */
static void
sysrec_c_preview(struct sbuf *out, const struct sysrec *r)
{
	size_t	k;

	if (r->data == NULL || r->data_len == 0)
		return;
	k = sysrec_preview_len(r->data, r->data_len);
	sbuf_adds(out, "  \"");
	sysrec_c_bytes(out, r->data, k);
	sbuf_addc(out, '"');
	if (k < r->data_len)
		sbuf_adds(out, SYSREC_ELLIPSIS);
}

/* The bytes of a datagram recvfrom() kept: those in the record, or as
 * many as the buffer held when the record has none. */
static size_t
sysrec_kept(const struct sysrec *r)
{
	if (r->data != NULL)
		return r->data_len;
	return r->len < r->trunc_len ? r->len : r->trunc_len;
}

/* Append C's " = ret" and, when the call failed, the errno's name. */
static void
sysrec_c_result(struct sbuf *out, const struct sysrec *r)
{
	sbuf_printf(out, " = %lld", r->ret);
	if (r->err != 0)
		sbuf_printf(out, " %s", evlog_errname(r->err));
}

/* Append "[, FLAGS]": the MSG_* flags of a data call, when any. */
static void
sysrec_c_msg_flags(struct sbuf *out, int flags)
{
	if (flags == 0)
		return;
	sbuf_adds(out, ", ");
	sysrec_add_flags(out, sysrec_msg_flags, (unsigned int)flags, "|");
}

/* Append "  note" when the record has one, escaped. */
static void
sysrec_add_note(struct sbuf *out, const struct sysrec *r)
{
	if (r->note == NULL || *r->note == '\0')
		return;
	sbuf_adds(out, "  ");
	textesc_quote(out, r->note, strlen(r->note), 1);
}

/* Append " SSL_ERROR_X" and the errno's name, for an SSL_* call that did
 * not succeed. */
static void
sysrec_c_ssl_result(struct sbuf *out, const struct sysrec *r)
{
	sbuf_printf(out, " = %lld", r->ret);
	if (r->ssl_error != 0) {
		sbuf_addc(out, ' ');
		sysrec_add_name(out, sysrec_ssl_errors, r->ssl_error);
	}
	if (r->err != 0)
		sbuf_printf(out, " %s", evlog_errname(r->err));
}

/* Append the C notation of r. */
static void
sysrec_c(struct sbuf *out, const struct sysrec *r)
{
	const char	*name = sysrec_call_name(r->call);

	switch (r->call) {
	case SR_SOCKET:
		sbuf_adds(out, "socket(");
		sysrec_add_name(out, sysrec_families, r->domain);
		sbuf_adds(out, ", ");
		sysrec_add_type(out, r->type);
		sbuf_adds(out, ", ");
		if (r->protocol == 0)
			sbuf_addc(out, '0');
		else
			sysrec_add_name(out, sysrec_protocols, r->protocol);
		sbuf_addc(out, ')');
		sysrec_c_result(out, r);
		break;
	case SR_SETSOCKOPT:
		sbuf_printf(out, "setsockopt(%d, ", r->fd);
		sysrec_add_name(out, sysrec_levels, r->level);
		sbuf_adds(out, ", ");
		sysrec_add_optname(out, r->level, r->optname);
		if (sysrec_is_opt(r, SOL_SOCKET, SO_LINGER))
			sbuf_printf(out, ", {l_onoff=%d, l_linger=%lld})",
			    r->optval >= 0, r->optval >= 0 ? r->optval : 0);
		else
			sbuf_printf(out, ", %lld)", r->optval);
		sysrec_c_result(out, r);
		break;
	case SR_GETSOCKOPT:
		sbuf_printf(out, "getsockopt(%d, ", r->fd);
		sysrec_add_name(out, sysrec_levels, r->level);
		sbuf_adds(out, ", ");
		sysrec_add_optname(out, r->level, r->optname);
		if (r->err != 0)
			sbuf_addc(out, ')');
		else if (sysrec_is_opt(r, SOL_SOCKET, SO_ERROR))
			sbuf_printf(out, ", [%s])", r->optval == 0 ? "0" :
			    evlog_errname((int)r->optval));
		else
			sbuf_printf(out, ", [%lld])", r->optval);
		sysrec_c_result(out, r);
		/* SO_ERROR is how a non-blocking connect ends: say so. */
		if (r->err == 0 && sysrec_is_opt(r, SOL_SOCKET, SO_ERROR) &&
		    r->addr.family != 0) {
			sbuf_adds(out, r->optval == 0 ? "  connected to " :
			    "  connect to ");
			sysrec_c_addr(out, &r->addr);
			if (r->optval == EINPROGRESS || r->optval == EALREADY)
				sbuf_adds(out, " still in progress");
			else if (r->optval != 0)
				sbuf_adds(out, " failed");
		}
		break;
	case SR_BIND:
	case SR_CONNECT:
		sbuf_printf(out, "%s(%d, ", name, r->fd);
		sysrec_c_addr(out, &r->addr);
		sbuf_addc(out, ')');
		sysrec_c_result(out, r);
		break;
	case SR_LISTEN:
		sbuf_printf(out, "listen(%d, %d)", r->fd, r->backlog);
		sysrec_c_result(out, r);
		break;
	case SR_ACCEPT4:
		sbuf_printf(out, "accept4(%d", r->fd);
		if (r->flags != 0) {
			sbuf_adds(out, ", ");
			sysrec_add_flags(out, sysrec_sock_flags,
			    (unsigned int)r->flags, "|");
		}
		sbuf_addc(out, ')');
		sysrec_c_result(out, r);
		if (r->err == 0 && r->addr.family != 0) {
			sbuf_adds(out, "  peer ");
			sysrec_c_addr(out, &r->addr);
		}
		break;
	case SR_RECV:
	case SR_RECVFROM:
		sbuf_printf(out, "%s(%d, %zu", name, r->fd, r->len);
		sysrec_c_msg_flags(out, r->flags);
		sbuf_addc(out, ')');
		sysrec_c_result(out, r);
		if (r->err != 0)
			break;
		if (r->ret == 0)
			sbuf_adds(out, r->call == SR_RECV ? "  EOF" :
			    "  empty datagram");
		else
			sysrec_c_preview(out, r);
		if (r->call == SR_RECVFROM && r->addr.family != 0) {
			sbuf_adds(out, "  from ");
			sysrec_c_addr(out, &r->addr);
		}
		if (r->call == SR_RECVFROM &&
		    r->trunc_len > sysrec_kept(r))
			sbuf_printf(out, "  truncated: %zu of %zu bytes kept",
			    sysrec_kept(r), r->trunc_len);
		break;
	case SR_SEND:
	case SR_SENDTO:
		sbuf_printf(out, "%s(%d, %zu", name, r->fd, r->len);
		sysrec_c_msg_flags(out, r->flags);
		if (r->call == SR_SENDTO) {
			sbuf_adds(out, ", ");
			sysrec_c_addr(out, &r->addr);
		}
		sbuf_addc(out, ')');
		sysrec_c_result(out, r);
		if (r->err == 0)
			sysrec_c_preview(out, r);
		break;
	case SR_SHUTDOWN:
		sbuf_printf(out, "shutdown(%d, ", r->fd);
		sysrec_add_name(out, sysrec_shut, r->how);
		sbuf_addc(out, ')');
		sysrec_c_result(out, r);
		break;
	case SR_CLOSE:
		sbuf_printf(out, "close(%d)", r->fd);
		sysrec_c_result(out, r);
		if (r->discarded > 0)
			sbuf_printf(out, "  the kernel sent RST: %" PRIu64
			    " unread byte%s discarded", r->discarded,
			    sysrec_plural(r->discarded));
		break;
	case SR_IOCTL:
		sbuf_printf(out, "ioctl(%d, ", r->fd);
		if (sysrec_lookup(sysrec_requests, (long long)r->request) !=
		    NULL)
			sysrec_add_name(out, sysrec_requests,
			    (long long)r->request);
		else
			sbuf_printf(out, "%#lx", r->request);
		if (r->err == 0)
			sbuf_printf(out, ", [%lld]", r->optval);
		sbuf_addc(out, ')');
		sysrec_c_result(out, r);
		break;
	case SR_GETADDRINFO:
		sbuf_adds(out, "getaddrinfo(");
		sysrec_c_string(out, r->host);
		sbuf_adds(out, ", ");
		sysrec_c_string(out, r->service);
		sbuf_addc(out, ')');
		if (r->gai != 0) {
			sbuf_printf(out, " = %s", evlog_gainame(r->gai));
			if (r->err != 0)
				sbuf_printf(out, " %s", evlog_errname(r->err));
			sbuf_printf(out, " (%s)", gai_strerror(r->gai));
		} else
			sysrec_c_result(out, r);
		break;
	case SR_UNLINK:
		sbuf_adds(out, "unlink(");
		sysrec_c_string(out, r->addr.host != NULL ? r->addr.host : "");
		sbuf_addc(out, ')');
		sysrec_c_result(out, r);
		break;
	case SR_SSL_CONNECT:
	case SR_SSL_ACCEPT:
		sbuf_printf(out, "%s(%d)", name, r->fd);
		sysrec_c_ssl_result(out, r);
		break;
	case SR_SSL_READ:
	case SR_SSL_WRITE:
		sbuf_printf(out, "%s(%d, %zu)", name, r->fd, r->len);
		sysrec_c_ssl_result(out, r);
		if (r->ret > 0)
			sysrec_c_preview(out, r);
		else if (r->call == SR_SSL_READ &&
		    r->ssl_error == SYSREC_SSL_ERROR_ZERO_RETURN)
			sbuf_adds(out, "  EOF (close_notify)");
		else if (r->call == SR_SSL_READ &&
		    r->ssl_error == SYSREC_SSL_ERROR_SYSCALL && r->err == 0)
			sbuf_adds(out, "  EOF without close_notify: truncated");
		break;
	case SR_SSL_SHUTDOWN:
		sbuf_printf(out, "SSL_shutdown(%d)", r->fd);
		sysrec_c_ssl_result(out, r);
		if (r->ret == 0)
			sbuf_adds(out, "  close_notify sent");
		else if (r->ret == 1)
			sbuf_adds(out, "  close_notify answered");
		break;
	default:
		sbuf_printf(out, "call%d(%d)", (int)r->call, r->fd);
		sysrec_c_result(out, r);
		break;
	}
	sysrec_add_note(out, r);
}

/* Append n bytes as Python's repr() of a bytes object. */
void
sysrec_py_bytes(struct sbuf *out, const void *p, size_t n)
{
	const unsigned char	*s = p;
	char			 quote = '\'';
	size_t			 i;

	/* bytes_repr(): double quotes only when there is a ' and no ". */
	if (memchr(s, '\'', n) != NULL && memchr(s, '"', n) == NULL)
		quote = '"';
	sbuf_addc(out, 'b');
	sbuf_addc(out, quote);
	for (i = 0; i < n; i++) {
		unsigned char	c = s[i];

		if (c == quote || c == '\\') {
			sbuf_addc(out, '\\');
			sbuf_addc(out, (char)c);
		} else if (c == '\t')
			sbuf_adds(out, "\\t");
		else if (c == '\n')
			sbuf_adds(out, "\\n");
		else if (c == '\r')
			sbuf_adds(out, "\\r");
		else if (c < 0x20 || c >= 0x7f)
			sbuf_printf(out, "\\x%02x", c);
		else
			sbuf_addc(out, (char)c);
	}
	sbuf_addc(out, quote);
}

/*
 * Append a string from outside as Python's repr() of a str: the same
 * quote rule and escapes as bytes for ASCII; printable UTF-8 kept; a
 * byte that is not UTF-8 as \udcXX (how Python decodes a file name), and
 * an unprintable code point as \xhh, \uhhhh or \Uhhhhhhhh.
 */
static void
sysrec_py_str(struct sbuf *out, const char *str)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 n = strlen(str), i = 0, l;
	char			 quote = '\'';
	uint32_t		 cp;

	if (strchr(str, '\'') != NULL && strchr(str, '"') == NULL)
		quote = '"';
	sbuf_addc(out, quote);
	while (i < n) {
		unsigned char	c = s[i];

		if (c < 0x80) {
			if (c == quote || c == '\\') {
				sbuf_addc(out, '\\');
				sbuf_addc(out, (char)c);
			} else if (c == '\t')
				sbuf_adds(out, "\\t");
			else if (c == '\n')
				sbuf_adds(out, "\\n");
			else if (c == '\r')
				sbuf_adds(out, "\\r");
			else if (c < 0x20 || c == 0x7f)
				sbuf_printf(out, "\\x%02x", c);
			else
				sbuf_addc(out, (char)c);
			i++;
			continue;
		}
		l = textesc_utf8_decode(s + i, n - i, &cp);
		if (l == 0) {
			sbuf_printf(out, "\\udc%02x", c);
			i++;
			continue;
		}
		if (textesc_printable(cp))
			sbuf_add(out, s + i, l);
		else if (cp < 0x100)
			sbuf_printf(out, "\\x%02x", (unsigned int)cp);
		else if (cp < 0x10000)
			sbuf_printf(out, "\\u%04x", (unsigned int)cp);
		else
			sbuf_printf(out, "\\U%08x", (unsigned int)cp);
		i += l;
	}
	sbuf_addc(out, quote);
}

/* Append an address as Python shows it: ('127.0.0.1', 19999) for IPv4;
 * IPv6 as given to bind/connect (pair) or as returned (with flowinfo and
 * scope id when returned is set); a Unix path as a str. */
static void
sysrec_py_addr(struct sbuf *out, const struct sysrec_addr *a, int returned)
{
	const char	*host = a->host != NULL ? a->host : "";

	switch (a->family) {
	case AF_UNIX:
		/* A peer that bound no path: Python gets ''. */
		if (returned && strcmp(host, "(unnamed)") == 0)
			host = "";
		sysrec_py_str(out, host);
		break;
	case 0:
		sbuf_adds(out, "None");
		break;
	default:
		sbuf_addc(out, '(');
		sysrec_py_str(out, host);
		sbuf_printf(out, ", %d", a->port);
		if (a->family == AF_INET6 && returned)
			sbuf_adds(out, ", 0, 0");
		sbuf_addc(out, ')');
		break;
	}
}

/* Append a Python variable name for a socket of role with id (the rule
 * in sysrec.h). */
static void
sysrec_py_name(struct sbuf *out, enum sysrec_role role, int id)
{
	const char	*base = role == SR_ROLE_ACCEPTED ? "conn" : "s";

	sbuf_adds(out, base);
	if (role != SR_ROLE_NONE && id > 1)
		sbuf_printf(out, "%d", id);
}

/* Append the Python variable of the socket r is about. */
static void
sysrec_py_var(struct sbuf *out, const struct sysrec *r)
{
	sysrec_py_name(out, r->role,
	    r->role == SR_ROLE_LISTENER ? r->listener : r->conn);
}

/* Nonzero for an errno a blocking Python program never sees: the
 * non-blocking "not yet" answers, and EINTR (Python retries, PEP 475). */
static int
sysrec_py_quiet_errno(int err)
{
	return err == EAGAIN || err == EWOULDBLOCK || err == EINPROGRESS ||
	    err == EALREADY || err == EINTR;
}

/*
 * errno's text as Python prints it.  Python leaves LC_MESSAGES alone, so
 * its text is the C library's untranslated one whatever the user's
 * locale (sockscope sets LC_ALL): strerrordesc_np() where glibc has it.
 */
static const char *
sysrec_py_strerror(int err)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || \
    (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
	const char	*s = strerrordesc_np(err);

	if (s != NULL)
		return s;
#endif
	return strerror(err);
}

/* glibc's untranslated getaddrinfo() texts, for the same reason. */
static const struct sysrec_name sysrec_py_gai_texts[] = {
	{ EAI_AGAIN, "Temporary failure in name resolution" },
	{ EAI_BADFLAGS, "Bad value for ai_flags" },
	{ EAI_FAIL, "Non-recoverable failure in name resolution" },
	{ EAI_FAMILY, "ai_family not supported" },
	{ EAI_MEMORY, "Memory allocation failure" },
	{ EAI_NONAME, "Name or service not known" },
	{ EAI_SERVICE, "Servname not supported for ai_socktype" },
	{ EAI_SOCKTYPE, "ai_socktype not supported" },
#ifdef EAI_NODATA
	{ EAI_NODATA, "No address associated with hostname" },
#endif
#ifdef EAI_ADDRFAMILY
	{ EAI_ADDRFAMILY, "Address family for hostname not supported" },
#endif
	{ 0, NULL }
};

/* Append Python's exception line for errno err, e.g.
 * "ConnectionRefusedError: [Errno 111] Connection refused", with ": 'path'"
 * when the call names a file. */
static void
sysrec_py_exception(struct sbuf *out, int err, const char *filename)
{
	const char	*cls = sysrec_lookup(sysrec_py_exceptions, err);

	sbuf_printf(out, "%s: [Errno %d] ", cls != NULL ? cls : "OSError",
	    err);
	sysrec_host(out, sysrec_py_strerror(err));
	if (filename != NULL) {
		sbuf_adds(out, ": ");
		sysrec_py_str(out, filename);
	}
}

/* Append the data of r as a Python bytes literal, shortened with "…" and
 * the byte count (of total) when long; "N bytes" when the data is not in
 * the record. */
static void
sysrec_py_data(struct sbuf *out, const struct sysrec *r, unsigned long long
    total)
{
	size_t	k;

	if (r->data == NULL && total > 0) {
		sbuf_printf(out, "%llu byte%s", total, sysrec_plural(total));
		return;
	}
	k = r->data != NULL ? sysrec_preview_len(r->data, r->data_len) : 0;
	sysrec_py_bytes(out, r->data != NULL ? r->data : (const void *)"", k);
	if (k < total)
		sbuf_printf(out, SYSREC_ELLIPSIS " (%llu bytes)", total);
}

/* Append ", socket.MSG_PEEK" for the flags a Python program passes
 * (joined by " | " when several). */
static void
sysrec_py_msg_flags(struct sbuf *out, int flags)
{
	const char	*sep = ", ";
	size_t		 i;

	for (i = 0; sysrec_py_msg_names[i].name != NULL; i++) {
		if ((flags & (int)sysrec_py_msg_names[i].value) == 0)
			continue;
		sbuf_printf(out, "%ssocket.%s", sep,
		    sysrec_py_msg_names[i].name);
		sep = " | ";
	}
}

/* Append "[Python name of an option's level], [name]" as the SPEC writes
 * them (SOL_SOCKET, SO_REUSEADDR). */
static void
sysrec_py_opt(struct sbuf *out, const struct sysrec *r)
{
	sysrec_add_name(out, sysrec_levels, r->level);
	sbuf_adds(out, ", ");
	sysrec_add_optname(out, r->level, r->optname);
}

/* Append Python's socket.socket(...) arguments for domain and type,
 * leaving out the defaults (AF_INET, SOCK_STREAM). */
static void
sysrec_py_socket_args(struct sbuf *out, const struct sysrec *r)
{
	unsigned int	kind = (unsigned int)r->type;
	size_t		i;

	for (i = 0; sysrec_sock_flags[i].name != NULL; i++)
		kind &= ~(unsigned int)sysrec_sock_flags[i].value;
	if (r->domain == AF_INET && kind == SOCK_STREAM)
		return;
	sbuf_adds(out, "socket.");
	sysrec_add_name(out, sysrec_families, r->domain);
	if (kind != SOCK_STREAM) {
		sbuf_adds(out, ", socket.");
		sysrec_add_name(out, sysrec_types, (int)kind);
	}
}

/* Nonzero if host is an IPv4 or IPv6 address written as numbers. */
static int
sysrec_numeric_host(const char *host)
{
	unsigned char	buf[sizeof(struct in6_addr)];

	if (host == NULL || *host == '\0')
		return 0;
	return inet_pton(AF_INET, host, buf) == 1 ||
	    inet_pton(AF_INET6, host, buf) == 1;
}

/* Append Python's socket.getaddrinfo() call, or the exception it raises. */
static void
sysrec_py_getaddrinfo(struct sbuf *out, const struct sysrec *r)
{
	const char	*text;

	if (r->gai != 0) {
#ifdef EAI_SYSTEM
		/* CPython raises OSError from errno for EAI_SYSTEM. */
		if (r->gai == EAI_SYSTEM && r->err != 0) {
			sysrec_py_exception(out, r->err, NULL);
			return;
		}
#endif
		text = sysrec_lookup(sysrec_py_gai_texts, r->gai);
		sbuf_printf(out, "socket.gaierror: [Errno %d] ", r->gai);
		sysrec_host(out, text != NULL ? text : gai_strerror(r->gai));
		return;
	}
	sbuf_adds(out, "socket.getaddrinfo(");
	sysrec_py_str(out, r->host != NULL ? r->host : "");
	sbuf_adds(out, ", ");
	/* A port number is an int in Python, a service name a str. */
	if (r->service == NULL)
		sbuf_adds(out, "None");
	else if (r->service[0] != '\0' && strlen(r->service) <= 5 &&
	    strspn(r->service, "0123456789") == strlen(r->service))
		sbuf_printf(out, "%d", atoi(r->service));
	else
		sysrec_py_str(out, r->service);
	sbuf_addc(out, ')');
}

/*
 * Append the exception Python's ssl module raises for a failed SSL_*
 * call: SSLEOFError for an EOF without close_notify (SSL_ERROR_SYSCALL
 * with no errno), SSLZeroReturnError for a closed TLS session, else
 * SSLError with OpenSSL's error name (the note says more).
 */
static void
sysrec_py_ssl_error(struct sbuf *out, const struct sysrec *r)
{
	if (r->ssl_error == SYSREC_SSL_ERROR_SYSCALL && r->err == 0)
		sbuf_adds(out, "ssl.SSLEOFError: EOF occurred in violation of "
		    "protocol  the peer closed without close_notify: "
		    "truncated");
	else if (r->ssl_error == SYSREC_SSL_ERROR_ZERO_RETURN)
		sbuf_adds(out, "ssl.SSLZeroReturnError: TLS/SSL connection "
		    "has been closed (EOF)");
	else {
		sbuf_adds(out, "ssl.SSLError: ");
		sysrec_add_name(out, sysrec_ssl_errors, r->ssl_error);
	}
}

/* Nonzero when notation n shows nothing for r. */
int
sysrec_hidden(const struct sysrec *r, enum sysrec_notation n)
{
	/* C, like strace, shows every call. */
	if (n != SYSREC_PYTHON)
		return 0;
	/* What a blocking program never sees. */
	if (sysrec_py_quiet_errno(r->err) ||
	    r->ssl_error == SYSREC_SSL_ERROR_WANT_READ ||
	    r->ssl_error == SYSREC_SSL_ERROR_WANT_WRITE)
		return 1;
	/* The kernel view's polling, not a call a course makes. */
	if (r->call == SR_IOCTL)
		return 1;
	/* s.connect(('127.0.0.1', P)) makes no lookup one sees. */
	if (r->call == SR_GETADDRINFO && r->gai == 0 &&
	    sysrec_numeric_host(r->host))
		return 1;
	/* A connect still in progress, seen through SO_ERROR. */
	return r->call == SR_GETSOCKOPT && r->err == 0 &&
	    sysrec_is_opt(r, SOL_SOCKET, SO_ERROR) &&
	    sysrec_py_quiet_errno((int)r->optval);
}

/* Append the Python notation of r; returns 1 when it shows nothing. */
static int
sysrec_py(struct sbuf *out, const struct sysrec *r)
{
	if (sysrec_hidden(r, SYSREC_PYTHON))
		return 1;
	if (r->call == SR_GETADDRINFO) {
		sysrec_py_getaddrinfo(out, r);
		goto note;
	}

	/* A failed call is an exception; the unlink one names its file. */
	if (r->err != 0) {
		sysrec_py_exception(out, r->err, r->call == SR_UNLINK ?
		    (r->addr.host != NULL ? r->addr.host : "") : NULL);
		goto note;
	}

	switch (r->call) {
	case SR_SOCKET:
		sysrec_py_var(out, r);
		sbuf_adds(out, " = socket.socket(");
		sysrec_py_socket_args(out, r);
		sbuf_addc(out, ')');
		break;
	case SR_SETSOCKOPT:
		sysrec_py_var(out, r);
		sbuf_adds(out, ".setsockopt(");
		sysrec_py_opt(out, r);
		if (sysrec_is_opt(r, SOL_SOCKET, SO_LINGER))
			sbuf_printf(out, ", struct.pack('ii', %d, %lld))",
			    r->optval >= 0, r->optval >= 0 ? r->optval : 0);
		else
			sbuf_printf(out, ", %lld)", r->optval);
		break;
	case SR_GETSOCKOPT:
		if (sysrec_is_opt(r, SOL_SOCKET, SO_ERROR)) {
			/* The end of a non-blocking connect: what the
			 * blocking connect() would have done. */
			if (r->optval != 0) {
				sysrec_py_exception(out, (int)r->optval, NULL);
				break;
			}
			sysrec_py_var(out, r);
			sbuf_adds(out, ".connect(");
			sysrec_py_addr(out, &r->addr, 0);
			sbuf_addc(out, ')');
			break;
		}
		sysrec_py_var(out, r);
		sbuf_adds(out, ".getsockopt(");
		sysrec_py_opt(out, r);
		sbuf_printf(out, ") " SYSREC_ARROW " %lld", r->optval);
		break;
	case SR_BIND:
	case SR_CONNECT:
		sysrec_py_var(out, r);
		sbuf_printf(out, ".%s(", sysrec_call_name(r->call));
		sysrec_py_addr(out, &r->addr, 0);
		sbuf_addc(out, ')');
		break;
	case SR_LISTEN:
		sysrec_py_var(out, r);
		if (r->backlog == SYSREC_PY_BACKLOG)
			sbuf_adds(out, ".listen()");
		else
			sbuf_printf(out, ".listen(%d)", r->backlog);
		break;
	case SR_ACCEPT4:
		sysrec_py_name(out, SR_ROLE_ACCEPTED, r->conn);
		sbuf_adds(out, ", addr = ");
		sysrec_py_name(out, SR_ROLE_LISTENER, r->listener);
		sbuf_adds(out, ".accept()  " SYSREC_ARROW " ");
		sysrec_py_addr(out, &r->addr, 1);
		break;
	case SR_RECV:
	case SR_SSL_READ:
		/* close_notify is the TLS way to say EOF: b''. */
		if (r->call == SR_SSL_READ && r->ret <= 0 &&
		    r->ssl_error != 0 &&
		    r->ssl_error != SYSREC_SSL_ERROR_ZERO_RETURN) {
			sysrec_py_ssl_error(out, r);
			break;
		}
		sysrec_py_var(out, r);
		sbuf_printf(out, ".recv(%zu", r->len);
		sysrec_py_msg_flags(out, r->flags);
		sbuf_adds(out, ") " SYSREC_ARROW " ");
		if (r->ret <= 0) {
			sbuf_adds(out, "b''   the peer finished sending");
			if (r->call == SR_SSL_READ)
				sbuf_adds(out, " (close_notify)");
		} else
			sysrec_py_data(out, r, (unsigned long long)r->ret);
		break;
	case SR_RECVFROM:
		sbuf_adds(out, "data, addr = ");
		sysrec_py_var(out, r);
		sbuf_printf(out, ".recvfrom(%zu", r->len);
		sysrec_py_msg_flags(out, r->flags);
		sbuf_adds(out, ")  " SYSREC_ARROW " (");
		sysrec_py_data(out, r, r->data == NULL && r->trunc_len == 0 ?
		    (unsigned long long)(r->ret > 0 ? r->ret : 0) :
		    (unsigned long long)sysrec_kept(r));
		sbuf_adds(out, ", ");
		sysrec_py_addr(out, &r->addr, 1);
		sbuf_addc(out, ')');
		if (r->trunc_len > sysrec_kept(r))
			sbuf_printf(out, "  the datagram had %zu bytes: the "
			    "rest is lost", r->trunc_len);
		break;
	case SR_SEND:
	case SR_SENDTO:
	case SR_SSL_WRITE:
		if (r->call == SR_SSL_WRITE && r->ret <= 0) {
			sysrec_py_ssl_error(out, r);
			break;
		}
		sysrec_py_var(out, r);
		/* What was given went out whole: as sendall(); a partial
		 * send shows what send() returned. */
		if (r->call == SR_SENDTO)
			sbuf_adds(out, ".sendto(");
		else if ((unsigned long long)r->ret >= r->len)
			sbuf_adds(out, ".sendall(");
		else
			sbuf_adds(out, ".send(");
		/* The count is of what was given: a partial send's data
		 * may hold only the bytes that went. */
		sysrec_py_data(out, r, r->len >= r->data_len ?
		    (unsigned long long)r->len :
		    (unsigned long long)r->data_len);
		sysrec_py_msg_flags(out, r->flags);
		if (r->call == SR_SENDTO) {
			sbuf_adds(out, ", ");
			sysrec_py_addr(out, &r->addr, 0);
		}
		sbuf_addc(out, ')');
		if (r->call != SR_SENDTO && (unsigned long long)r->ret < r->len)
			sbuf_printf(out, " " SYSREC_ARROW " %lld", r->ret);
		break;
	case SR_SHUTDOWN:
		sysrec_py_var(out, r);
		sbuf_adds(out, ".shutdown(socket.");
		sysrec_add_name(out, sysrec_shut, r->how);
		sbuf_addc(out, ')');
		break;
	case SR_CLOSE:
		sysrec_py_var(out, r);
		sbuf_adds(out, ".close()");
		if (r->discarded > 0)
			sbuf_printf(out, "  the kernel sent RST: %" PRIu64
			    " unread byte%s discarded", r->discarded,
			    sysrec_plural(r->discarded));
		break;
	case SR_UNLINK:
		sbuf_adds(out, "os.unlink(");
		sysrec_py_str(out, r->addr.host != NULL ? r->addr.host : "");
		sbuf_addc(out, ')');
		break;
	case SR_SSL_CONNECT:
	case SR_SSL_ACCEPT:
		if (r->ret != 1) {
			sysrec_py_ssl_error(out, r);
			break;
		}
		sysrec_py_var(out, r);
		sbuf_adds(out, " = ctx.wrap_socket(");
		sysrec_py_var(out, r);
		sbuf_adds(out, r->call == SR_SSL_ACCEPT ?
		    ", server_side=True)" : ")");
		break;
	case SR_SSL_SHUTDOWN:
		if (r->ret < 0) {
			sysrec_py_ssl_error(out, r);
			break;
		}
		sysrec_py_var(out, r);
		sbuf_adds(out, r->ret == 0 ? ".unwrap()  close_notify sent" :
		    ".unwrap()  close_notify answered");
		break;
	default:
		sbuf_printf(out, "# call %d", (int)r->call);
		break;
	}
note:
	sysrec_add_note(out, r);
	return 0;
}

/* Append the narration of r in notation n. */
int
sysrec_narrate(struct sbuf *out, const struct sysrec *r,
    enum sysrec_notation n)
{
	struct sbuf	line = { 0 };
	int		rc = 0;

	/* Built apart so that out is untouched when nothing is shown. */
	if (n == SYSREC_PYTHON)
		rc = sysrec_py(&line, r);
	else
		sysrec_c(&line, r);
	if (rc == 0 && line.len > 0)
		sbuf_add(out, line.p, line.len);
	sbuf_free(&line);
	return rc;
}

/* Nonzero when two borrowed strings are equal (NULL equals only NULL). */
static int
sysrec_same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Nonzero when a and b show the same bytes: the first SYSREC_PREVIEW of
 * them, all a narrated line ever shows (a copy keeps no more). */
static int
sysrec_same_preview(const struct sysrec *a, const struct sysrec *b)
{
	size_t	n = a->data_len < SYSREC_PREVIEW ? a->data_len : SYSREC_PREVIEW;

	if (a->data == NULL || b->data == NULL)
		return a->data == b->data;
	return n == 0 || memcmp(a->data, b->data, n) == 0;
}

/* Nonzero when a and b fold into one line: the same call, arguments and
 * result, and the same bytes shown (in Python notation the bytes are the
 * result: recv(5) giving b'hello' then b' worl' is two lines). */
int
sysrec_same(const struct sysrec *a, const struct sysrec *b)
{
	return a->call == b->call && a->conn == b->conn &&
	    a->listener == b->listener && a->role == b->role &&
	    a->fd == b->fd && a->ret == b->ret && a->err == b->err &&
	    a->gai == b->gai && a->ssl_error == b->ssl_error &&
	    a->domain == b->domain && a->type == b->type &&
	    a->protocol == b->protocol && a->level == b->level &&
	    a->optname == b->optname && a->optval == b->optval &&
	    a->request == b->request && a->backlog == b->backlog &&
	    a->flags == b->flags && a->how == b->how && a->len == b->len &&
	    a->addr.family == b->addr.family &&
	    a->addr.port == b->addr.port &&
	    sysrec_same_str(a->addr.host, b->addr.host) &&
	    sysrec_same_str(a->host, b->host) &&
	    sysrec_same_str(a->service, b->service) &&
	    a->data_len == b->data_len && a->trunc_len == b->trunc_len &&
	    a->discarded == b->discarded &&
	    sysrec_same_str(a->note, b->note) && sysrec_same_preview(a, b);
}

/* Append " ×N" with N's digits grouped in threes by commas. */
void
sysrec_fold_count(struct sbuf *out, uint64_t count)
{
	char	digits[24];
	int	len, i;

	len = snprintf(digits, sizeof digits, "%" PRIu64, count);
	sbuf_adds(out, " \xc3\x97");
	for (i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			sbuf_addc(out, ',');
		sbuf_addc(out, digits[i]);
	}
}

/* A copy of a borrowed string in place of old (a copy's own, or NULL):
 * old itself when it says the same, so a run of calls on one peer
 * allocates nothing. */
static const char *
sysrec_redup(const char *old, const char *s)
{
	if (old != NULL && s != NULL && strcmp(old, s) == 0)
		return old;
	/* The copy owns old; the const is for the borrowed originals. */
	free((char *)(uintptr_t)old);
	return s != NULL ? xstrdup(s) : NULL;
}

/* Deep-copy r. */
struct sysrec *
sysrec_copy(const struct sysrec *r)
{
	return sysrec_recopy(NULL, r);
}

/* Deep-copy r over c (a copy, or NULL for a new one), reusing c's memory. */
struct sysrec *
sysrec_recopy(struct sysrec *c, const struct sysrec *r)
{
	const char	*ahost = NULL, *host = NULL, *service = NULL;
	const char	*note = NULL;
	unsigned char	*data = NULL;
	size_t		 kept;

	/* Only the pointers c owns are read: a copy no longer wanted is
	 * often cold in the cache (the oldest line of a ring). */
	if (c == NULL)
		c = xmalloc(sizeof *c);
	else {
		ahost = c->addr.host;
		host = c->host;
		service = c->service;
		note = c->note;
		data = (unsigned char *)(uintptr_t)c->data;
	}
	*c = *r;
	c->addr.host = sysrec_redup(ahost, r->addr.host);
	c->host = sysrec_redup(host, r->host);
	c->service = sysrec_redup(service, r->service);
	c->note = sysrec_redup(note, r->note);
	/*
	 * Only the preview is ever shown: keeping a whole recv() per kept
	 * line would put the Events ring past the scrollback bound.  The
	 * buffer always has room for a whole preview, so that it serves
	 * the next copy too.
	 */
	if (r->data != NULL) {
		kept = r->data_len < SYSREC_PREVIEW ? r->data_len :
		    SYSREC_PREVIEW;
		if (data == NULL)
			data = xmalloc(SYSREC_PREVIEW);
		if (kept > 0)
			memcpy(data, r->data, kept);
	} else {
		free(data);
		data = NULL;
	}
	c->data = data;
	return c;
}

/* Release a copy made by sysrec_copy(). */
void
sysrec_free(struct sysrec *r)
{
	if (r == NULL)
		return;
	/* The copy owns these; the const is for the borrowed originals. */
	free((char *)(uintptr_t)r->addr.host);
	free((char *)(uintptr_t)r->host);
	free((char *)(uintptr_t)r->service);
	free((char *)(uintptr_t)r->note);
	free((unsigned char *)(uintptr_t)r->data);
	free(r);
}

/* Append ,"key":"name" with the name of value in table (or the number as
 * a string, so that the key always holds a string). */
static void
sysrec_json_name(struct sbuf *out, const char *key,
    const struct sysrec_name *table, long long value)
{
	struct sbuf	name = { 0 };

	sysrec_add_name(&name, table, value);
	sbuf_printf(out, ",\"%s\":", key);
	transcript_json_string(out, name.p);
	sbuf_free(&name);
}

/* Append ,"flags":"A|B" (or "0"). */
static void
sysrec_json_flags(struct sbuf *out, const struct sysrec_name *table,
    int flags)
{
	struct sbuf	name = { 0 };

	sysrec_add_flags(&name, table, (unsigned int)flags, "|");
	sbuf_adds(out, ",\"flags\":");
	transcript_json_string(out, name.p);
	sbuf_free(&name);
}

/* Append ,"addr":{...} for an address (null when the call had none). */
static void
sysrec_json_addr(struct sbuf *out, const char *key,
    const struct sysrec_addr *a)
{
	sbuf_printf(out, ",\"%s\":", key);
	if (a->family == 0) {
		sbuf_adds(out, "null");
		return;
	}
	sbuf_adds(out, "{\"family\":");
	{
		struct sbuf	name = { 0 };

		sysrec_add_name(&name, sysrec_families, a->family);
		transcript_json_string(out, name.p);
		sbuf_free(&name);
	}
	sbuf_adds(out, ",\"host\":");
	transcript_json_string(out, a->host);
	if (a->family != AF_UNIX)
		sbuf_printf(out, ",\"port\":%d", a->port);
	sbuf_addc(out, '}');
}

/* Append the "args" members of r after "{" (each starting with ','), then
 * drop the first comma. */
static void
sysrec_json_args(struct sbuf *out, const struct sysrec *r)
{
	struct sbuf	a = { 0 };
	struct sbuf	name = { 0 };

	switch (r->call) {
	case SR_SOCKET:
		sysrec_json_name(&a, "domain", sysrec_families, r->domain);
		sysrec_add_type(&name, r->type);
		sbuf_adds(&a, ",\"type\":");
		transcript_json_string(&a, name.p);
		sbuf_printf(&a, ",\"protocol\":%d", r->protocol);
		break;
	case SR_SETSOCKOPT:
	case SR_GETSOCKOPT:
		sysrec_json_name(&a, "level", sysrec_levels, r->level);
		sysrec_add_optname(&name, r->level, r->optname);
		sbuf_adds(&a, ",\"optname\":");
		transcript_json_string(&a, name.p);
		if (r->call == SR_GETSOCKOPT &&
		    sysrec_is_opt(r, SOL_SOCKET, SO_ERROR)) {
			sbuf_adds(&a, ",\"optval\":");
			if (r->optval == 0)
				sbuf_adds(&a, "0");
			else
				transcript_json_string(&a,
				    evlog_errname((int)r->optval));
			sysrec_json_addr(&a, "addr", &r->addr);
		} else
			sbuf_printf(&a, ",\"optval\":%lld", r->optval);
		break;
	case SR_BIND:
	case SR_CONNECT:
	case SR_UNLINK:
		sysrec_json_addr(&a, "addr", &r->addr);
		break;
	case SR_LISTEN:
		sbuf_printf(&a, ",\"backlog\":%d", r->backlog);
		break;
	case SR_ACCEPT4:
		sysrec_json_flags(&a, sysrec_sock_flags, r->flags);
		sysrec_json_addr(&a, "peer", &r->addr);
		break;
	case SR_RECV:
	case SR_SEND:
		sbuf_printf(&a, ",\"len\":%zu", r->len);
		sysrec_json_flags(&a, sysrec_msg_flags, r->flags);
		break;
	case SR_RECVFROM:
	case SR_SENDTO:
		sbuf_printf(&a, ",\"len\":%zu", r->len);
		sysrec_json_flags(&a, sysrec_msg_flags, r->flags);
		sysrec_json_addr(&a, r->call == SR_RECVFROM ? "from" : "to",
		    &r->addr);
		break;
	case SR_SHUTDOWN:
		sysrec_json_name(&a, "how", sysrec_shut, r->how);
		break;
	case SR_IOCTL:
		if (sysrec_lookup(sysrec_requests, (long long)r->request) !=
		    NULL)
			sysrec_json_name(&a, "request", sysrec_requests,
			    (long long)r->request);
		else
			sbuf_printf(&a, ",\"request\":%lu", r->request);
		sbuf_printf(&a, ",\"value\":%lld", r->optval);
		break;
	case SR_GETADDRINFO:
		sbuf_adds(&a, ",\"host\":");
		transcript_json_string(&a, r->host);
		sbuf_adds(&a, ",\"service\":");
		transcript_json_string(&a, r->service);
		break;
	case SR_SSL_READ:
	case SR_SSL_WRITE:
		sbuf_printf(&a, ",\"len\":%zu", r->len);
		break;
	default:
		break;
	}
	sbuf_addc(out, '{');
	if (a.len > 0)
		sbuf_add(out, a.p + 1, a.len - 1);
	sbuf_addc(out, '}');
	sbuf_free(&a);
	sbuf_free(&name);
}

/* Append r as one JSON object. */
void
sysrec_json(struct sbuf *out, const struct sysrec *r)
{
	int	data_call;

	sbuf_printf(out, "{\"call\":\"%s\",\"fd\":%d,\"args\":",
	    sysrec_call_name(r->call), r->fd);
	sysrec_json_args(out, r);
	sbuf_printf(out, ",\"ret\":%lld,\"errno\":", r->ret);
	if (r->err != 0)
		transcript_json_string(out, evlog_errname(r->err));
	else
		sbuf_adds(out, "null");
	if (r->gai != 0) {
		sbuf_adds(out, ",\"gai\":");
		transcript_json_string(out, evlog_gainame(r->gai));
	}
	if (r->ssl_error != 0)
		sysrec_json_name(out, "ssl_error", sysrec_ssl_errors,
		    r->ssl_error);
	data_call = r->call == SR_RECV || r->call == SR_RECVFROM ||
	    r->call == SR_SEND || r->call == SR_SENDTO ||
	    r->call == SR_SSL_READ || r->call == SR_SSL_WRITE;
	if (data_call && r->data != NULL)
		sbuf_printf(out, ",\"bytes\":%zu", r->data_len);
	if (r->trunc_len != 0)
		sbuf_printf(out, ",\"trunc_len\":%zu", r->trunc_len);
	if (r->discarded != 0)
		sbuf_printf(out, ",\"discarded\":%" PRIu64, r->discarded);
	if (r->note != NULL && *r->note != '\0') {
		sbuf_adds(out, ",\"note\":");
		transcript_json_string(out, r->note);
	}
	sbuf_addc(out, '}');
}
