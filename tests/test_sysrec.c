/*
 * test_sysrec.c: cmocka tests for sysrec.c, the narrators of the
 * system-call record: SPEC section 10's session line for line in both
 * notations, every call (UDP, Unix, ioctl, getaddrinfo, unlink, TLS)
 * in C and Python notation, what Python notation hides, the variable
 * names, Python's exception names, previews and escaping of hostile
 * bytes, folding, copies, and JSON.
 *
 * Two checks ask python3 (a test dependency) itself: sysrec_py_bytes()
 * against Python's repr() over all 256 single bytes and a fixed-seed set
 * of random strings, and every JSON object through json.loads().  Both
 * talk to python3 through pipes, so no file is written anywhere.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockscope/sysrec.h"
#include "sockscope/util.h"

#if !defined(SIOCOUTQ) && defined(TIOCOUTQ)
#define SIOCOUTQ TIOCOUTQ
#endif

/* The 78-byte request of SPEC section 5. */
static const unsigned char test_get[] = "GET / HTTP/1.1\r\n"
    "Host: 127.0.0.1:19999\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n";
#define TEST_GET_LEN (sizeof test_get - 1)

/* A record and what each notation must make of it (py NULL: hidden). */
struct test_case {
	struct sysrec	 r;
	const char	*c;
	const char	*py;
};

#define LISTENER(k)	.role = SR_ROLE_LISTENER, .listener = (k)
#define ACCEPTED(n)	.role = SR_ROLE_ACCEPTED, .conn = (n)
#define CLIENT(n)	.role = SR_ROLE_CLIENT, .conn = (n)
#define DATA(s)		.data = (const unsigned char *)(s), \
			.data_len = sizeof (s) - 1
#define V4(h, p)	.addr = { AF_INET, (h), (p) }

/* SPEC section 10, both columns, line for line. */
static const struct test_case test_spec[] = {
	{ { .call = SR_SOCKET, .fd = -1, LISTENER(1), .domain = AF_INET,
	    .type = SOCK_STREAM, .ret = 3 },
	  "socket(AF_INET, SOCK_STREAM, 0) = 3",
	  "s = socket.socket()" },
	{ { .call = SR_SETSOCKOPT, .fd = 3, LISTENER(1), .level = SOL_SOCKET,
	    .optname = SO_REUSEADDR, .optval = 1 },
	  "setsockopt(3, SOL_SOCKET, SO_REUSEADDR, 1) = 0",
	  "s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)" },
	{ { .call = SR_BIND, .fd = 3, LISTENER(1), V4("127.0.0.1", 19999) },
	  "bind(3, 127.0.0.1:19999) = 0",
	  "s.bind(('127.0.0.1', 19999))" },
	{ { .call = SR_LISTEN, .fd = 3, LISTENER(1), .backlog = 128 },
	  "listen(3, 128) = 0",
	  "s.listen()" },
	{ { .call = SR_ACCEPT4, .fd = 3, ACCEPTED(1), .listener = 1, .ret = 4,
	    V4("127.0.0.1", 50412) },
	  "accept4(3) = 4  peer 127.0.0.1:50412",
	  "conn, addr = s.accept()  \xe2\x86\x92 ('127.0.0.1', 50412)" },
	{ { .call = SR_RECV, .fd = 4, ACCEPTED(1), .len = 4096,
	    .ret = TEST_GET_LEN, .data = test_get,
	    .data_len = TEST_GET_LEN },
	  "recv(4, 4096) = 78  \"GET / HTTP/1.1\\r\\n\"\xe2\x80\xa6",
	  "conn.recv(4096) \xe2\x86\x92 b'GET / HTTP/1.1\\r\\n'\xe2\x80\xa6"
	  " (78 bytes)" },
	{ { .call = SR_RECV, .fd = 4, ACCEPTED(1), .len = 4096, .ret = 0 },
	  "recv(4, 4096) = 0  EOF",
	  "conn.recv(4096) \xe2\x86\x92 b''   the peer finished sending" },
	{ { .call = SR_CONNECT, .fd = 5, CLIENT(2), .ret = -1,
	    .err = ECONNREFUSED, V4("127.0.0.1", 1) },
	  "connect(5, 127.0.0.1:1) = -1 ECONNREFUSED",
	  "ConnectionRefusedError: [Errno 111] Connection refused" },
	{ { .call = SR_CLOSE, .fd = 4, ACCEPTED(1) },
	  "close(4) = 0",
	  "conn.close()" },
};

/* Every other call, in both notations. */
static const struct test_case test_calls[] = {
	/* socket(): Python names what is not the default. */
	{ { .call = SR_SOCKET, .fd = -1, CLIENT(1), .domain = AF_INET,
	    .type = SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, .ret = 5 },
	  "socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC, 0) = 5",
	  "s = socket.socket()" },
	{ { .call = SR_SOCKET, .fd = -1, CLIENT(1), .domain = AF_INET6,
	    .type = SOCK_DGRAM, .protocol = IPPROTO_UDP, .ret = 5 },
	  "socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP) = 5",
	  "s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)" },
	{ { .call = SR_SOCKET, .fd = -1, CLIENT(1), .domain = AF_INET6,
	    .type = SOCK_STREAM, .ret = 5 },
	  "socket(AF_INET6, SOCK_STREAM, 0) = 5",
	  "s = socket.socket(socket.AF_INET6)" },
	{ { .call = SR_SOCKET, .fd = -1, LISTENER(1), .domain = AF_UNIX,
	    .type = SOCK_DGRAM | SOCK_CLOEXEC, .ret = 3 },
	  "socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0) = 3",
	  "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)" },
	{ { .call = SR_SOCKET, .fd = -1, CLIENT(1), .domain = AF_INET,
	    .type = SOCK_STREAM, .ret = -1, .err = EMFILE },
	  "socket(AF_INET, SOCK_STREAM, 0) = -1 EMFILE",
	  "OSError: [Errno 24] Too many open files" },
	/* Options. */
	{ { .call = SR_SETSOCKOPT, .fd = 4, ACCEPTED(1), .level = SOL_SOCKET,
	    .optname = SO_LINGER, .optval = 0 },
	  "setsockopt(4, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}) = 0",
	  "conn.setsockopt(SOL_SOCKET, SO_LINGER, struct.pack('ii', 1, 0))" },
	{ { .call = SR_SETSOCKOPT, .fd = 5, CLIENT(1), .level = IPPROTO_TCP,
	    .optname = TCP_NODELAY, .optval = 1 },
	  "setsockopt(5, IPPROTO_TCP, TCP_NODELAY, 1) = 0",
	  "s.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1)" },
	{ { .call = SR_GETSOCKOPT, .fd = 5, CLIENT(1), .level = SOL_SOCKET,
	    .optname = SO_RCVBUF, .optval = 131072 },
	  "getsockopt(5, SOL_SOCKET, SO_RCVBUF, [131072]) = 0",
	  "s.getsockopt(SOL_SOCKET, SO_RCVBUF) \xe2\x86\x92 131072" },
	/* A non-blocking connect: Python shows it once, when it is done. */
	{ { .call = SR_CONNECT, .fd = 5, CLIENT(1), .ret = -1,
	    .err = EINPROGRESS, V4("127.0.0.1", 5151) },
	  "connect(5, 127.0.0.1:5151) = -1 EINPROGRESS",
	  NULL },
	{ { .call = SR_GETSOCKOPT, .fd = 5, CLIENT(1), .level = SOL_SOCKET,
	    .optname = SO_ERROR, .optval = EINPROGRESS, V4("127.0.0.1", 5151) },
	  "getsockopt(5, SOL_SOCKET, SO_ERROR, [EINPROGRESS]) = 0  connect "
	  "to 127.0.0.1:5151 still in progress",
	  NULL },
	{ { .call = SR_GETSOCKOPT, .fd = 5, CLIENT(1), .level = SOL_SOCKET,
	    .optname = SO_ERROR, .optval = 0, V4("127.0.0.1", 5151) },
	  "getsockopt(5, SOL_SOCKET, SO_ERROR, [0]) = 0  connected to "
	  "127.0.0.1:5151",
	  "s.connect(('127.0.0.1', 5151))" },
	{ { .call = SR_GETSOCKOPT, .fd = 5, CLIENT(1), .level = SOL_SOCKET,
	    .optname = SO_ERROR, .optval = ECONNREFUSED, V4("127.0.0.1", 1) },
	  "getsockopt(5, SOL_SOCKET, SO_ERROR, [ECONNREFUSED]) = 0  connect "
	  "to 127.0.0.1:1 failed",
	  "ConnectionRefusedError: [Errno 111] Connection refused" },
	{ { .call = SR_GETSOCKOPT, .fd = 5, CLIENT(1), .level = SOL_SOCKET,
	    .optname = SO_ERROR, .optval = ETIMEDOUT, V4("10.0.0.1", 80) },
	  "getsockopt(5, SOL_SOCKET, SO_ERROR, [ETIMEDOUT]) = 0  connect "
	  "to 10.0.0.1:80 failed",
	  "TimeoutError: [Errno 110] Connection timed out" },
	{ { .call = SR_CONNECT, .fd = 5, CLIENT(1),
	    .addr = { AF_INET6, "::1", 5151 } },
	  "connect(5, [::1]:5151) = 0",
	  "s.connect(('::1', 5151))" },
	/* Unix sockets: paths as given. */
	{ { .call = SR_CONNECT, .fd = 5, CLIENT(1),
	    .addr = { AF_UNIX, "/tmp/lab.sock", 0 } },
	  "connect(5, \"/tmp/lab.sock\") = 0",
	  "s.connect('/tmp/lab.sock')" },
	{ { .call = SR_BIND, .fd = 3, LISTENER(1), .ret = -1,
	    .err = EADDRINUSE, .addr = { AF_UNIX, "/tmp/lab.sock", 0 } },
	  "bind(3, \"/tmp/lab.sock\") = -1 EADDRINUSE",
	  "OSError: [Errno 98] Address already in use" },
	{ { .call = SR_ACCEPT4, .fd = 3, ACCEPTED(2), .listener = 1, .ret = 6,
	    .flags = SOCK_NONBLOCK | SOCK_CLOEXEC,
	    .addr = { AF_UNIX, "", 0 } },
	  "accept4(3, SOCK_NONBLOCK|SOCK_CLOEXEC) = 6  peer \"\"",
	  "conn2, addr = s.accept()  \xe2\x86\x92 ''" },
	{ { .call = SR_ACCEPT4, .fd = 3, ACCEPTED(2), .listener = 1, .ret = 6,
	    .addr = { AF_UNIX, "(unnamed)", 0 } },
	  "accept4(3) = 6  peer \"(unnamed)\"",
	  "conn2, addr = s.accept()  \xe2\x86\x92 ''" },
	{ { .call = SR_UNLINK, .fd = -1, LISTENER(1),
	    .addr = { AF_UNIX, "/tmp/lab.sock", 0 } },
	  "unlink(\"/tmp/lab.sock\") = 0",
	  "os.unlink('/tmp/lab.sock')" },
	{ { .call = SR_UNLINK, .fd = -1, LISTENER(1), .ret = -1, .err = ENOENT,
	    .addr = { AF_UNIX, "/tmp/lab.sock", 0 } },
	  "unlink(\"/tmp/lab.sock\") = -1 ENOENT",
	  "FileNotFoundError: [Errno 2] No such file or directory: "
	  "'/tmp/lab.sock'" },
	/* accept: IPv6 peers are 4-tuples in Python; EAGAIN is hidden. */
	{ { .call = SR_ACCEPT4, .fd = 3, ACCEPTED(3), .listener = 2, .ret = 7,
	    .flags = SOCK_NONBLOCK, .addr = { AF_INET6, "::1", 50412 } },
	  "accept4(3, SOCK_NONBLOCK) = 7  peer [::1]:50412",
	  "conn3, addr = s2.accept()  \xe2\x86\x92 ('::1', 50412, 0, 0)" },
	{ { .call = SR_ACCEPT4, .fd = 3, ACCEPTED(3), .listener = 1, .ret = -1,
	    .err = EAGAIN },
	  "accept4(3) = -1 EAGAIN",
	  NULL },
	{ { .call = SR_ACCEPT4, .fd = 3, ACCEPTED(3), .listener = 1, .ret = -1,
	    .err = EMFILE },
	  "accept4(3) = -1 EMFILE",
	  "OSError: [Errno 24] Too many open files" },
	/* recv: short data whole, errors as exceptions, flags. */
	{ { .call = SR_RECV, .fd = 5, CLIENT(1), .len = 4096, .ret = 6,
	    DATA("hello\n") },
	  "recv(5, 4096) = 6  \"hello\\n\"",
	  "s.recv(4096) \xe2\x86\x92 b'hello\\n'" },
	{ { .call = SR_RECV, .fd = 5, CLIENT(1), .len = 4096, .ret = -1,
	    .err = EAGAIN },
	  "recv(5, 4096) = -1 EAGAIN",
	  NULL },
	{ { .call = SR_RECV, .fd = 5, CLIENT(1), .len = 4096, .ret = -1,
	    .err = ECONNRESET },
	  "recv(5, 4096) = -1 ECONNRESET",
	  "ConnectionResetError: [Errno 104] Connection reset by peer" },
	{ { .call = SR_RECV, .fd = 5, CLIENT(1), .len = 4096, .ret = -1,
	    .err = ECONNREFUSED },
	  "recv(5, 4096) = -1 ECONNREFUSED",
	  "ConnectionRefusedError: [Errno 111] Connection refused" },
	{ { .call = SR_RECV, .fd = 5, CLIENT(1), .len = 16,
	    .flags = MSG_PEEK | MSG_DONTWAIT, .ret = 2, DATA("hi") },
	  "recv(5, 16, MSG_PEEK|MSG_DONTWAIT) = 2  \"hi\"",
	  "s.recv(16, socket.MSG_PEEK) \xe2\x86\x92 b'hi'" },
	/* send: whole is sendall(), partial is send() and what it took. */
	{ { .call = SR_SEND, .fd = 5, CLIENT(1), .len = 6, .flags = MSG_NOSIGNAL,
	    .ret = 6, DATA("hello\n") },
	  "send(5, 6, MSG_NOSIGNAL) = 6  \"hello\\n\"",
	  "s.sendall(b'hello\\n')" },
	{ { .call = SR_SEND, .fd = 4, ACCEPTED(1), .len = TEST_GET_LEN,
	    .flags = MSG_NOSIGNAL, .ret = 40, .data = test_get,
	    .data_len = TEST_GET_LEN },
	  "send(4, 78, MSG_NOSIGNAL) = 40  \"GET / HTTP/1.1\\r\\n\"\xe2\x80\xa6",
	  "conn.send(b'GET / HTTP/1.1\\r\\n'\xe2\x80\xa6 (78 bytes)) "
	  "\xe2\x86\x92 40" },
	/* The engine records only the bytes that went: the count is still
	 * of what was given. */
	{ { .call = SR_SEND, .fd = 4, ACCEPTED(1), .len = 78,
	    .flags = MSG_NOSIGNAL, .ret = 6, DATA("GET / ") },
	  "send(4, 78, MSG_NOSIGNAL) = 6  \"GET / \"",
	  "conn.send(b'GET / '\xe2\x80\xa6 (78 bytes)) \xe2\x86\x92 6" },
	{ { .call = SR_SEND, .fd = 4, ACCEPTED(1), .len = 6,
	    .flags = MSG_NOSIGNAL, .ret = -1, .err = EAGAIN, DATA("hello\n") },
	  "send(4, 6, MSG_NOSIGNAL) = -1 EAGAIN",
	  NULL },
	{ { .call = SR_SEND, .fd = 4, ACCEPTED(1), .len = 6,
	    .flags = MSG_NOSIGNAL, .ret = -1, .err = EPIPE, DATA("hello\n") },
	  "send(4, 6, MSG_NOSIGNAL) = -1 EPIPE",
	  "BrokenPipeError: [Errno 32] Broken pipe" },
	/* UDP: sources and destinations, empty and truncated datagrams. */
	{ { .call = SR_RECVFROM, .fd = 3, LISTENER(1), .len = 4096, .ret = 5,
	    DATA("ping\n"), V4("127.0.0.1", 40000) },
	  "recvfrom(3, 4096) = 5  \"ping\\n\"  from 127.0.0.1:40000",
	  "data, addr = s.recvfrom(4096)  \xe2\x86\x92 (b'ping\\n', "
	  "('127.0.0.1', 40000))" },
	{ { .call = SR_RECVFROM, .fd = 3, LISTENER(1), .len = 4096, .ret = 0,
	    V4("127.0.0.1", 40000) },
	  "recvfrom(3, 4096) = 0  empty datagram  from 127.0.0.1:40000",
	  "data, addr = s.recvfrom(4096)  \xe2\x86\x92 (b'', "
	  "('127.0.0.1', 40000))" },
	{ { .call = SR_RECVFROM, .fd = 3, LISTENER(1), .len = 4,
	    .flags = MSG_TRUNC, .ret = 9, .trunc_len = 9, DATA("abcd"),
	    V4("127.0.0.1", 40000) },
	  "recvfrom(3, 4, MSG_TRUNC) = 9  \"abcd\"  from 127.0.0.1:40000  "
	  "truncated: 4 of 9 bytes kept",
	  "data, addr = s.recvfrom(4)  \xe2\x86\x92 (b'abcd', "
	  "('127.0.0.1', 40000))  the datagram had 9 bytes: the rest is lost" },
	{ { .call = SR_RECVFROM, .fd = 3, LISTENER(1), .len = 4,
	    .flags = MSG_TRUNC, .ret = 9, .trunc_len = 9,
	    V4("127.0.0.1", 40000) },
	  "recvfrom(3, 4, MSG_TRUNC) = 9  from 127.0.0.1:40000  "
	  "truncated: 4 of 9 bytes kept",
	  "data, addr = s.recvfrom(4)  \xe2\x86\x92 (4 bytes, "
	  "('127.0.0.1', 40000))  the datagram had 9 bytes: the rest is lost" },
	{ { .call = SR_SENDTO, .fd = 3, LISTENER(1), .len = 5, .ret = 5,
	    DATA("pong\n"), V4("127.0.0.1", 40000) },
	  "sendto(3, 5, 127.0.0.1:40000) = 5  \"pong\\n\"",
	  "s.sendto(b'pong\\n', ('127.0.0.1', 40000))" },
	{ { .call = SR_SENDTO, .fd = 3, LISTENER(1), .len = 5,
	    .flags = MSG_NOSIGNAL, .ret = -1, .err = ECONNREFUSED,
	    DATA("pong\n"), V4("127.0.0.1", 40001) },
	  "sendto(3, 5, MSG_NOSIGNAL, 127.0.0.1:40001) = -1 ECONNREFUSED",
	  "ConnectionRefusedError: [Errno 111] Connection refused" },
	{ { .call = SR_RECVFROM, .fd = 3, LISTENER(1), .len = 4096, .ret = 5,
	    DATA("ping\n"), .addr = { AF_UNIX, "/tmp/c.sock", 0 } },
	  "recvfrom(3, 4096) = 5  \"ping\\n\"  from \"/tmp/c.sock\"",
	  "data, addr = s.recvfrom(4096)  \xe2\x86\x92 (b'ping\\n', "
	  "'/tmp/c.sock')" },
	/* shutdown and close. */
	{ { .call = SR_SHUTDOWN, .fd = 4, ACCEPTED(1), .how = SHUT_WR },
	  "shutdown(4, SHUT_WR) = 0",
	  "conn.shutdown(socket.SHUT_WR)" },
	{ { .call = SR_SHUTDOWN, .fd = 4, ACCEPTED(1), .how = SHUT_RDWR,
	    .ret = -1, .err = ENOTCONN },
	  "shutdown(4, SHUT_RDWR) = -1 ENOTCONN",
	  "OSError: [Errno 107] Transport endpoint is not connected" },
	{ { .call = SR_CLOSE, .fd = 4, ACCEPTED(1), .discarded = 18 },
	  "close(4) = 0  the kernel sent RST: 18 unread bytes discarded",
	  "conn.close()  the kernel sent RST: 18 unread bytes discarded" },
	{ { .call = SR_CLOSE, .fd = 4, ACCEPTED(1), .discarded = 1 },
	  "close(4) = 0  the kernel sent RST: 1 unread byte discarded",
	  "conn.close()  the kernel sent RST: 1 unread byte discarded" },
	{ { .call = SR_CLOSE, .fd = 3, LISTENER(1) },
	  "close(3) = 0",
	  "s.close()" },
	/* The kernel view's ioctls: not a call of the course. */
	{ { .call = SR_IOCTL, .fd = 4, ACCEPTED(1), .request = FIONREAD,
	    .optval = 18 },
	  "ioctl(4, FIONREAD, [18]) = 0",
	  NULL },
	{ { .call = SR_IOCTL, .fd = 4, ACCEPTED(1), .request = SIOCOUTQ,
	    .optval = 0 },
	  "ioctl(4, SIOCOUTQ, [0]) = 0",
	  NULL },
	/* Name lookups. */
	{ { .call = SR_GETADDRINFO, .fd = -1, CLIENT(1), .host = "localhost",
	    .service = "5151" },
	  "getaddrinfo(\"localhost\", \"5151\") = 0",
	  "socket.getaddrinfo('localhost', 5151)" },
	{ { .call = SR_GETADDRINFO, .fd = -1, CLIENT(1), .host = "localhost",
	    .service = "http" },
	  "getaddrinfo(\"localhost\", \"http\") = 0",
	  "socket.getaddrinfo('localhost', 'http')" },
	{ { .call = SR_GETADDRINFO, .fd = -1, CLIENT(1), .host = "127.0.0.1",
	    .service = "5151" },
	  "getaddrinfo(\"127.0.0.1\", \"5151\") = 0",
	  NULL },
	{ { .call = SR_GETADDRINFO, .fd = -1, CLIENT(1), .host = "::1",
	    .service = "5151" },
	  "getaddrinfo(\"::1\", \"5151\") = 0",
	  NULL },
	{ { .call = SR_GETADDRINFO, .fd = -1, CLIENT(1),
	    .host = "nosuch.invalid", .service = "80", .gai = EAI_NONAME },
	  "getaddrinfo(\"nosuch.invalid\", \"80\") = EAI_NONAME (Name or "
	  "service not known)",
	  "socket.gaierror: [Errno -2] Name or service not known" },
	/* TLS: the handshake's words come in the note. */
	{ { .call = SR_SSL_CONNECT, .fd = 5, CLIENT(1), .ret = -1,
	    .ssl_error = 2 },
	  "SSL_connect(5) = -1 SSL_ERROR_WANT_READ",
	  NULL },
	{ { .call = SR_SSL_CONNECT, .fd = 5, CLIENT(1), .ret = 1,
	    .note = "TLSv1.3 TLS_AES_256_GCM_SHA384, verify ok" },
	  "SSL_connect(5) = 1  TLSv1.3 TLS_AES_256_GCM_SHA384, verify ok",
	  "s = ctx.wrap_socket(s)  TLSv1.3 TLS_AES_256_GCM_SHA384, "
	  "verify ok" },
	{ { .call = SR_SSL_ACCEPT, .fd = 4, ACCEPTED(1), .ret = 1,
	    .note = "TLSv1.3" },
	  "SSL_accept(4) = 1  TLSv1.3",
	  "conn = ctx.wrap_socket(conn, server_side=True)  TLSv1.3" },
	{ { .call = SR_SSL_CONNECT, .fd = 5, CLIENT(1), .ret = -1,
	    .ssl_error = 1, .note = "certificate has expired" },
	  "SSL_connect(5) = -1 SSL_ERROR_SSL  certificate has expired",
	  "ssl.SSLError: SSL_ERROR_SSL  certificate has expired" },
	{ { .call = SR_SSL_READ, .fd = 5, CLIENT(1), .len = 4096, .ret = 6,
	    DATA("hello\n") },
	  "SSL_read(5, 4096) = 6  \"hello\\n\"",
	  "s.recv(4096) \xe2\x86\x92 b'hello\\n'" },
	{ { .call = SR_SSL_READ, .fd = 5, CLIENT(1), .len = 4096, .ret = -1,
	    .ssl_error = 3 },
	  "SSL_read(5, 4096) = -1 SSL_ERROR_WANT_WRITE",
	  NULL },
	{ { .call = SR_SSL_READ, .fd = 5, CLIENT(1), .len = 4096, .ret = 0,
	    .ssl_error = 6 },
	  "SSL_read(5, 4096) = 0 SSL_ERROR_ZERO_RETURN  EOF (close_notify)",
	  "s.recv(4096) \xe2\x86\x92 b''   the peer finished sending "
	  "(close_notify)" },
	{ { .call = SR_SSL_READ, .fd = 5, CLIENT(1), .len = 4096, .ret = -1,
	    .ssl_error = 5 },
	  "SSL_read(5, 4096) = -1 SSL_ERROR_SYSCALL  EOF without "
	  "close_notify: truncated",
	  "ssl.SSLEOFError: EOF occurred in violation of protocol  the peer "
	  "closed without close_notify: truncated" },
	{ { .call = SR_SSL_READ, .fd = 5, CLIENT(1), .len = 4096, .ret = -1,
	    .ssl_error = 5, .err = ECONNRESET },
	  "SSL_read(5, 4096) = -1 SSL_ERROR_SYSCALL ECONNRESET",
	  "ConnectionResetError: [Errno 104] Connection reset by peer" },
	{ { .call = SR_SSL_WRITE, .fd = 5, CLIENT(1), .len = 6, .ret = 6,
	    DATA("hello\n") },
	  "SSL_write(5, 6) = 6  \"hello\\n\"",
	  "s.sendall(b'hello\\n')" },
	{ { .call = SR_SSL_CONNECT, .fd = 5, CLIENT(1), .ret = -1,
	    .ssl_error = 5 },
	  "SSL_connect(5) = -1 SSL_ERROR_SYSCALL",
	  "ssl.SSLEOFError: EOF occurred in violation of protocol  the peer "
	  "closed without close_notify: truncated" },
	{ { .call = SR_SSL_WRITE, .fd = 5, CLIENT(1), .len = 6, .ret = 0,
	    .ssl_error = 6, DATA("hello\n") },
	  "SSL_write(5, 6) = 0 SSL_ERROR_ZERO_RETURN",
	  "ssl.SSLZeroReturnError: TLS/SSL connection has been closed (EOF)" },
	{ { .call = SR_SSL_WRITE, .fd = 5, CLIENT(1), .len = 6, .ret = -1,
	    .ssl_error = 5, .err = EPIPE, DATA("hello\n") },
	  "SSL_write(5, 6) = -1 SSL_ERROR_SYSCALL EPIPE",
	  "BrokenPipeError: [Errno 32] Broken pipe" },
	{ { .call = SR_SSL_SHUTDOWN, .fd = 5, CLIENT(1), .ret = 0 },
	  "SSL_shutdown(5) = 0  close_notify sent",
	  "s.unwrap()  close_notify sent" },
	{ { .call = SR_SSL_SHUTDOWN, .fd = 5, CLIENT(1), .ret = 1 },
	  "SSL_shutdown(5) = 1  close_notify answered",
	  "s.unwrap()  close_notify answered" },
};

/* Narrate r in notation n into a malloc'd string; *rc gets the result. */
static char *
test_narrate(const struct sysrec *r, enum sysrec_notation n, int *rc)
{
	struct sbuf	b = { 0 };

	*rc = sysrec_narrate(&b, r, n);
	/* Whether a line shows is known without narrating it too. */
	assert_int_equal(sysrec_hidden(r, n), *rc);
	return b.p != NULL ? b.p : xstrdup("");
}

/* Check one case in both notations; a hidden line leaves out as it was. */
static void
test_check_case(const struct test_case *tc)
{
	struct sbuf	 b = { 0 };
	char		*got;
	int		 rc;

	got = test_narrate(&tc->r, SYSREC_C, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(got, tc->c);
	free(got);

	sbuf_adds(&b, "before");
	rc = sysrec_narrate(&b, &tc->r, SYSREC_PYTHON);
	assert_int_equal(sysrec_hidden(&tc->r, SYSREC_PYTHON), rc);
	if (tc->py == NULL) {
		assert_int_equal(rc, 1);
		assert_string_equal(b.p, "before");
	} else {
		if (rc != 0 || strcmp(b.p + 6, tc->py) != 0)
			print_error("C line: %s\n", tc->c);
		assert_int_equal(rc, 0);
		assert_string_equal(b.p + 6, tc->py);
	}
	sbuf_free(&b);
}

/* SPEC section 10's table, both columns. */
static void
test_spec_session(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof test_spec / sizeof test_spec[0]; i++)
		test_check_case(&test_spec[i]);
}

/* Every call in both notations. */
static void
test_every_call(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof test_calls / sizeof test_calls[0]; i++)
		test_check_case(&test_calls[i]);
}

/* The C name of every call, so that no enum value is left unnamed. */
static void
test_call_names(void **state)
{
	int	c;

	(void)state;
	for (c = SR_SOCKET; c <= SR_SSL_SHUTDOWN; c++)
		assert_string_not_equal(sysrec_call_name((enum sysrec_call)c),
		    "unknown");
	assert_string_equal(sysrec_call_name(SR_ACCEPT4), "accept4");
	assert_string_equal(sysrec_call_name(SR_SSL_READ), "SSL_read");
}

/* Check the Python line of r. */
static void
test_check_py(const struct sysrec *r, const char *want)
{
	char	*got;
	int	 rc;

	got = test_narrate(r, SYSREC_PYTHON, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(got, want);
	free(got);
}

/* Variable names follow sysrec.h's rule: several of a kind are numbered
 * by their id, and each keeps its name from call to call. */
static void
test_python_names(void **state)
{
	struct sysrec	r = { .call = SR_CLOSE, .fd = 9 };

	(void)state;
	r.role = SR_ROLE_LISTENER;
	r.listener = 1;
	test_check_py(&r, "s.close()");
	r.listener = 2;
	test_check_py(&r, "s2.close()");
	r.role = SR_ROLE_ACCEPTED;
	r.listener = 0;
	r.conn = 1;
	test_check_py(&r, "conn.close()");
	r.conn = 4;
	test_check_py(&r, "conn4.close()");
	r.role = SR_ROLE_CLIENT;
	r.conn = 1;
	test_check_py(&r, "s.close()");
	r.conn = 3;
	test_check_py(&r, "s3.close()");
	r.role = SR_ROLE_NONE;
	test_check_py(&r, "s.close()");

	/* accept() names the new socket by its id, the listener by its. */
	memset(&r, 0, sizeof r);
	r.call = SR_ACCEPT4;
	r.role = SR_ROLE_ACCEPTED;
	r.conn = 7;
	r.listener = 3;
	r.ret = 8;
	r.addr.family = AF_INET;
	r.addr.host = "127.0.0.1";
	r.addr.port = 1;
	test_check_py(&r, "conn7, addr = s3.accept()  \xe2\x86\x92 "
	    "('127.0.0.1', 1)");
}

/* Exceptions by Python's class names, with the real number and text. */
static void
test_python_exceptions(void **state)
{
	static const struct {
		int		 err;
		const char	*want;
	} cases[] = {
		{ ECONNRESET, "ConnectionResetError: [Errno 104] Connection "
		    "reset by peer" },
		{ EPIPE, "BrokenPipeError: [Errno 32] Broken pipe" },
		{ ETIMEDOUT, "TimeoutError: [Errno 110] Connection timed out" },
		{ ECONNABORTED, "ConnectionAbortedError: [Errno 103] Software "
		    "caused connection abort" },
		{ EACCES, "PermissionError: [Errno 13] Permission denied" },
		{ EADDRNOTAVAIL, "OSError: [Errno 99] Cannot assign requested "
		    "address" },
		{ ENETUNREACH, "OSError: [Errno 101] Network is unreachable" },
	};
	struct sysrec	r = { .call = SR_SEND, .fd = 4, .role = SR_ROLE_CLIENT,
	    .conn = 1, .len = 1, .ret = -1 };
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		r.err = cases[i].err;
		test_check_py(&r, cases[i].want);
	}
	/* Python retries EINTR (PEP 475): nothing to show. */
	r.err = EINTR;
	assert_int_equal(sysrec_narrate(&(struct sbuf){ 0 }, &r,
	    SYSREC_PYTHON), 1);
}

/* Nonzero if s holds a byte a terminal would act on: a C0 control, DEL,
 * a C1 control in UTF-8, or a byte that is not valid UTF-8. */
static int
test_unsafe(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n = strlen(s);

	while (i < n) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			return 1;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (p[i] >= 0xc2 && p[i] <= 0xdf && i + 1 < n &&
		    (p[i + 1] & 0xc0) == 0x80) {
			if (p[i] == 0xc2 && p[i + 1] < 0xa0)
				return 1;
			i += 2;
		} else if ((p[i] & 0xf0) == 0xe0 && i + 2 < n &&
		    (p[i + 1] & 0xc0) == 0x80 && (p[i + 2] & 0xc0) == 0x80)
			i += 3;
		else if (p[i] >= 0xf0 && p[i] <= 0xf4 && i + 3 < n &&
		    (p[i + 1] & 0xc0) == 0x80 && (p[i + 2] & 0xc0) == 0x80 &&
		    (p[i + 3] & 0xc0) == 0x80)
			i += 4;
		else
			return 1;
	}
	return 0;
}

/* Hostile bytes in data, addresses, paths, names and notes never reach
 * the output raw, in either notation or in JSON. */
static void
test_hostile(void **state)
{
	static const unsigned char evil[] = "\x1b]0;pwned\x07\x1b[2J\r\xc2\x9b"
	    "\xe2\x80\xae\xff\xfe\x00tail";
	static const char evil_host[] = "1.2.3.4\x1b[31m\n";
	static const char evil_path[] = "/tmp/\x1b[2J\xc2\x85\xed\xa0\x80.sock";
	struct sysrec	 r = { .call = SR_RECV, .fd = 4, .role = SR_ROLE_CLIENT,
	    .conn = 1, .len = 4096, .ret = sizeof evil - 1, .data = evil,
	    .data_len = sizeof evil - 1, .note = "note\x1b[1m\t\x9b" };
	struct sbuf	 b = { 0 };
	int		 call;
	enum sysrec_notation n;

	(void)state;
	for (call = SR_SOCKET; call <= SR_SSL_SHUTDOWN; call++) {
		r.call = (enum sysrec_call)call;
		r.addr.family = call % 3 == 0 ? AF_UNIX : AF_INET;
		r.addr.host = call % 3 == 0 ? evil_path : evil_host;
		r.host = evil_host;
		r.service = evil_path;
		for (n = SYSREC_C; n <= SYSREC_PYTHON; n++) {
			sbuf_reset(&b);
			assert_int_equal(sysrec_narrate(&b, &r, n),
			    sysrec_hidden(&r, n));
			if (b.p != NULL && test_unsafe(b.p))
				fail_msg("unsafe %s line for %s: %s",
				    n == SYSREC_C ? "C" : "Python",
				    sysrec_call_name(r.call), b.p);
		}
		sbuf_reset(&b);
		sysrec_json(&b, &r);
		assert_false(test_unsafe(b.p));
	}
	sbuf_free(&b);

	/* Python shows the data as repr() does, whatever it holds. */
	r.call = SR_RECV;
	r.data_len = 8;
	r.ret = 8;
	test_check_py(&r, "s.recv(4096) \xe2\x86\x92 b'\\x1b]0;pwne'  "
	    "note\\x1b[1m\\t\\x9b");
}

/* Previews: whole when short, to the first newline or 32 bytes when not;
 * C and Python cut at the same byte. */
static void
test_preview(void **state)
{
	static const char	 b32[] = "0123456789abcdef0123456789abcdef";
	static const char	 b33[] = "0123456789abcdef0123456789abcdefX";
	static const char	 lines[] = "one\ntwo\nthree\nfour\nfive\nsix\n"
	    "seven\n";
	struct sysrec		 r = { .call = SR_RECV, .fd = 4,
	    .role = SR_ROLE_ACCEPTED, .conn = 1, .len = 4096 };
	char			*got;
	int			 rc;

	(void)state;
	r.data = (const unsigned char *)b32;
	r.data_len = r.ret = 32;
	got = test_narrate(&r, SYSREC_C, &rc);
	assert_string_equal(got, "recv(4, 4096) = 32  \"" "0123456789abcdef"
	    "0123456789abcdef\"");
	free(got);
	test_check_py(&r, "conn.recv(4096) \xe2\x86\x92 b'0123456789abcdef"
	    "0123456789abcdef'");

	r.data = (const unsigned char *)b33;
	r.data_len = r.ret = 33;
	got = test_narrate(&r, SYSREC_C, &rc);
	assert_string_equal(got, "recv(4, 4096) = 33  \"0123456789abcdef"
	    "0123456789abcdef\"\xe2\x80\xa6");
	free(got);
	test_check_py(&r, "conn.recv(4096) \xe2\x86\x92 b'0123456789abcdef"
	    "0123456789abcdef'\xe2\x80\xa6 (33 bytes)");

	r.data = (const unsigned char *)lines;
	r.data_len = r.ret = sizeof lines - 1;
	got = test_narrate(&r, SYSREC_C, &rc);
	assert_string_equal(got, "recv(4, 4096) = 34  \"one\\n\"\xe2\x80\xa6");
	free(got);
	test_check_py(&r, "conn.recv(4096) \xe2\x86\x92 b'one\\n'\xe2\x80\xa6"
	    " (34 bytes)");

	/* Short data with several lines is shown whole. */
	r.data = (const unsigned char *)"a\nb\n";
	r.data_len = r.ret = 4;
	test_check_py(&r, "conn.recv(4096) \xe2\x86\x92 b'a\\nb\\n'");

	/* Quotes: Python's choice; C escapes its own. */
	r.data = (const unsigned char *)"it's \"x\"";
	r.data_len = r.ret = 8;
	got = test_narrate(&r, SYSREC_C, &rc);
	assert_string_equal(got, "recv(4, 4096) = 8  \"it's \\\"x\\\"\"");
	free(got);
	test_check_py(&r, "conn.recv(4096) \xe2\x86\x92 b'it\\'s \"x\"'");
	r.data = (const unsigned char *)"it's";
	r.data_len = r.ret = 4;
	test_check_py(&r, "conn.recv(4096) \xe2\x86\x92 b\"it's\"");

	/* Printable UTF-8 stays readable in C notation; Python escapes it
	 * as repr() does. */
	r.data = (const unsigned char *)"caf\xc3\xa9";
	r.data_len = r.ret = 5;
	got = test_narrate(&r, SYSREC_C, &rc);
	assert_string_equal(got, "recv(4, 4096) = 5  \"caf\xc3\xa9\"");
	free(got);
	test_check_py(&r, "conn.recv(4096) \xe2\x86\x92 b'caf\\xc3\\xa9'");

	/* No bytes in the record: the count alone. */
	r.data = NULL;
	r.data_len = 0;
	r.ret = 5;
	got = test_narrate(&r, SYSREC_C, &rc);
	assert_string_equal(got, "recv(4, 4096) = 5");
	free(got);
	test_check_py(&r, "conn.recv(4096) \xe2\x86\x92 5 bytes");
}

/* Run Python code with args, reading its output or writing its input; fails the test when
 * python3 cannot run (it is a test dependency, not an option). */
static FILE *
test_python_open(const char *code, const char *args, const char *mode)
{
	char	*cmd;
	FILE	*f;

	/* The code holds no single quote, so the shell passes it as is. */
	assert_null(strchr(code, '\''));
	cmd = xasprintf("python3 -c '%s' %s", code, args);
	f = popen(cmd, mode);
	free(cmd);
	if (f == NULL)
		fail_msg("cannot run python3");
	return f;
}

/* Decode a hex string into out; returns the byte count. */
static size_t
test_unhex(const char *hex, unsigned char *out)
{
	size_t		n = 0;
	unsigned int	v;

	while (hex[0] != '\0' && hex[1] != '\0' &&
	    sscanf(hex, "%2x", &v) == 1) {
		out[n++] = (unsigned char)v;
		hex += 2;
	}
	return n;
}

/*
 * sysrec_py_bytes() against Python's own repr(): every single byte, then
 * random strings (fixed seed) biased towards quotes, backslashes and
 * controls so that the quote choice is tried often.  Python prints one
 * line per case: the bytes in hex, a tab, the repr.
 */
static void
test_repr_python(void **state)
{
	static const char code[] =
	    "import random\n"
	    "r = random.Random(20261202)\n"
	    "cases = [bytes([i]) for i in range(256)]\n"
	    "cases += [b\"\", b\"it\\x27s\", b\"say \\x22hi\\x22\", "
	    "b\"\\x27\\x22\", b\"\\\\\\x27\"]\n"
	    "pool = b\"\\x27\\x22\\\\\\t\\n\\r\\x00\\x7f\\x80\\xff aZ~\"\n"
	    "for i in range(2000):\n"
	    "    n = r.randrange(0, 40)\n"
	    "    if i % 2:\n"
	    "        cases.append(bytes(r.randrange(256) for _ in range(n)))\n"
	    "    else:\n"
	    "        cases.append(bytes(r.choice(pool) for _ in range(n)))\n"
	    "for c in cases:\n"
	    "    print(c.hex() + \"\\t\" + repr(c))\n";
	FILE		*f;
	char		 line[1024];
	unsigned char	 bytes[64];
	struct sbuf	 b = { 0 };
	size_t		 n, cases = 0, singles = 0;
	char		*tab;

	(void)state;
	f = test_python_open(code, "", "r");
	while (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		tab = strchr(line, '\t');
		assert_non_null(tab);
		*tab = '\0';
		n = test_unhex(line, bytes);
		assert_int_equal(n * 2, strlen(line));
		sbuf_reset(&b);
		sysrec_py_bytes(&b, bytes, n);
		if (strcmp(b.p, tab + 1) != 0)
			fail_msg("repr of %s: Python %s, sysrec %s", line,
			    tab + 1, b.p);
		if (n == 1)
			singles++;
		cases++;
	}
	assert_int_equal(pclose(f), 0);
	sbuf_free(&b);
	/* A Python that printed nothing would compare nothing. */
	assert_true(singles >= 256);
	assert_int_equal(cases, 256 + 5 + 2000);
}

/*
 * Python's exception line for every errno 1-133 against Python's own:
 * OSError(n, os.strerror(n)) picks the subclass (PEP 3151) as a failed
 * socket call does.  The errnos Python never shows a blocking program
 * (EAGAIN, EINPROGRESS, EALREADY, EINTR) must be hidden instead.
 */
static void
test_exceptions_python(void **state)
{
	static const char code[] =
	    "import os\n"
	    "for n in range(1, 134):\n"
	    "    e = OSError(n, os.strerror(n))\n"
	    "    print(\"%d\\t%s: %s\" % (n, type(e).__name__, e))\n";
	struct sysrec	 r = { .call = SR_RECV, .fd = 4,
	    .role = SR_ROLE_CLIENT, .conn = 1, .len = 4096, .ret = -1 };
	struct sbuf	 b = { 0 };
	FILE		*f;
	char		 line[512], *tab;
	int		 rc, shown = 0, hidden = 0;

	(void)state;
	f = test_python_open(code, "", "r");
	while (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		tab = strchr(line, '\t');
		assert_non_null(tab);
		r.err = atoi(line);
		sbuf_reset(&b);
		rc = sysrec_narrate(&b, &r, SYSREC_PYTHON);
		assert_int_equal(sysrec_hidden(&r, SYSREC_PYTHON), rc);
		if (r.err == EAGAIN || r.err == EINPROGRESS ||
		    r.err == EALREADY || r.err == EINTR) {
			assert_int_equal(rc, 1);
			hidden++;
			continue;
		}
		assert_int_equal(rc, 0);
		if (strcmp(b.p, tab + 1) != 0)
			fail_msg("errno %d: Python %s, sysrec %s", r.err,
			    tab + 1, b.p);
		shown++;
	}
	assert_int_equal(pclose(f), 0);
	sbuf_free(&b);
	assert_int_equal(shown + hidden, 133);
	assert_int_equal(hidden, 4);
}

/* Folding: the same call, fd, arguments, result, errno and bytes shown;
 * the time may differ, and bytes past the preview (32) are not shown. */
static void
test_same(void **state)
{
	struct sysrec	a = { .call = SR_RECV, .t = 1.0, .fd = 4,
	    .role = SR_ROLE_ACCEPTED, .conn = 1, .len = 4096, .ret = 4096,
	    .data = (const unsigned char *)"aaaa", .data_len = 4 };
	struct sysrec	b;
	char		host1[] = "127.0.0.1", host2[] = "127.0.0.1";

	(void)state;
	b = a;
	b.t = 2.0;
	assert_true(sysrec_same(&a, &b));
	/* recv(5) giving b'hello' then b' worl' is not one line ×2. */
	b.data = (const unsigned char *)"bbbb";
	assert_false(sysrec_same(&a, &b));
	a.data = (const unsigned char *)"0123456789abcdef0123456789abcdefX";
	b.data = (const unsigned char *)"0123456789abcdef0123456789abcdefY";
	a.data_len = b.data_len = 33;
	assert_true(sysrec_same(&a, &b));
	b.data = NULL;
	assert_false(sysrec_same(&a, &b));
	a = b;
	assert_true(sysrec_same(&a, &b));
	b.ret = 100;
	assert_false(sysrec_same(&a, &b));
	b = a;
	b.fd = 5;
	assert_false(sysrec_same(&a, &b));
	b = a;
	b.call = SR_SEND;
	assert_false(sysrec_same(&a, &b));
	b = a;
	b.err = ECONNRESET;
	assert_false(sysrec_same(&a, &b));
	b = a;
	b.len = 16;
	assert_false(sysrec_same(&a, &b));
	b = a;
	b.flags = MSG_PEEK;
	assert_false(sysrec_same(&a, &b));
	b = a;
	b.conn = 2;
	assert_false(sysrec_same(&a, &b));

	/* Addresses compare by content, not by pointer. */
	a.call = b.call = SR_RECVFROM;
	a.addr.family = b.addr.family = AF_INET;
	a.addr.host = host1;
	b = a;
	b.addr.host = host2;
	assert_true(sysrec_same(&a, &b));
	b.addr.port = 2;
	assert_false(sysrec_same(&a, &b));
	b = a;
	b.addr.host = NULL;
	assert_false(sysrec_same(&a, &b));
}

/* The count of a folded run, digits grouped. */
static void
test_fold_count(void **state)
{
	struct sbuf	b = { 0 };

	(void)state;
	sysrec_fold_count(&b, 2);
	assert_string_equal(b.p, " \xc3\x97" "2");
	sbuf_reset(&b);
	sysrec_fold_count(&b, 999);
	assert_string_equal(b.p, " \xc3\x97" "999");
	sbuf_reset(&b);
	sysrec_fold_count(&b, 2731);
	assert_string_equal(b.p, " \xc3\x97" "2,731");
	sbuf_reset(&b);
	sysrec_fold_count(&b, 1234567);
	assert_string_equal(b.p, " \xc3\x97" "1,234,567");
	sbuf_reset(&b);
	sysrec_fold_count(&b, UINT64_MAX);
	assert_string_equal(b.p, " \xc3\x97" "18,446,744,073,709,551,615");
	sbuf_free(&b);
}

/* A copy owns everything: it outlives the borrowed original and narrates
 * the same in both notations. */
static void
test_copy(void **state)
{
	char		 host[] = "127.0.0.1", path[] = "localhost";
	char		 service[] = "5151", note[] = "TLSv1.3";
	unsigned char	 data[] = "hello\n";
	struct sysrec	 r = { .call = SR_RECVFROM, .fd = 3,
	    .role = SR_ROLE_LISTENER, .listener = 1, .len = 4096, .ret = 6,
	    .data = data, .data_len = 6, .addr = { AF_INET, host, 40000 },
	    .host = path, .service = service, .note = note };
	struct sysrec	*c;
	char		*before, *after;
	int		 rc;

	(void)state;
	c = sysrec_copy(&r);
	assert_true(sysrec_same(&r, c));
	assert_ptr_not_equal(c->addr.host, r.addr.host);
	assert_ptr_not_equal(c->data, r.data);
	before = test_narrate(&r, SYSREC_PYTHON, &rc);
	memset(host, 'X', sizeof host - 1);
	memset(data, 'X', sizeof data - 1);
	memset(note, 'X', sizeof note - 1);
	after = test_narrate(c, SYSREC_PYTHON, &rc);
	assert_string_equal(before, after);
	free(before);
	free(after);
	assert_memory_equal(c->data, "hello\n", 6);
	assert_string_equal(c->host, "localhost");
	assert_string_equal(c->service, "5151");
	sysrec_free(c);

	/* No data, no strings: still a copy. */
	memset(&r, 0, sizeof r);
	r.call = SR_CLOSE;
	r.fd = 4;
	c = sysrec_copy(&r);
	assert_null(c->data);
	assert_null(c->note);
	assert_true(sysrec_same(&r, c));
	sysrec_free(c);
	sysrec_free(NULL);
}

/* A copy made over another reuses its memory: the same struct, the same
 * preview buffer, a string kept when it says the same; it narrates as a
 * fresh copy would, whatever the old one held. */
static void
test_recopy(void **state)
{
	char		 host[] = "127.0.0.1", other[] = "10.0.0.1";
	unsigned char	 data[] = "hello, a line longer than the preview\n";
	struct sysrec	 r = { .call = SR_RECVFROM, .fd = 3,
	    .role = SR_ROLE_LISTENER, .listener = 1, .len = 4096, .ret = 39,
	    .data = data, .data_len = 39, .addr = { AF_INET, host, 40000 },
	    .note = "a note" };
	struct sysrec	 s;
	struct sysrec	*c, *d;
	const char	*kept;
	const void	*buf;
	char		*want, *got;
	int		 rc;

	(void)state;
	c = sysrec_copy(&r);
	kept = c->addr.host;
	buf = c->data;

	/* The same peer, other bytes: nothing allocated anew. */
	r.data = (const unsigned char *)"abc";
	r.data_len = 3;
	r.ret = 3;
	d = sysrec_recopy(c, &r);
	assert_ptr_equal(d, c);
	assert_ptr_equal(c->addr.host, kept);
	assert_ptr_equal(c->data, buf);
	assert_true(sysrec_same(&r, c));
	want = test_narrate(&r, SYSREC_C, &rc);
	got = test_narrate(c, SYSREC_C, &rc);
	assert_string_equal(want, got);
	free(want);
	free(got);

	/* Another peer, no note, a whole preview again. */
	r.addr.host = other;
	r.note = NULL;
	r.data = data;
	r.data_len = 39;
	r.ret = 39;
	sysrec_recopy(c, &r);
	assert_string_equal(c->addr.host, "10.0.0.1");
	assert_ptr_not_equal(c->addr.host, other);
	assert_null(c->note);
	assert_ptr_equal(c->data, buf);
	assert_true(sysrec_same(&r, c));
	want = test_narrate(&r, SYSREC_PYTHON, &rc);
	got = test_narrate(c, SYSREC_PYTHON, &rc);
	assert_string_equal(want, got);
	free(want);
	free(got);

	/* A call with no data, no strings: the buffers go. */
	memset(&s, 0, sizeof s);
	s.call = SR_CLOSE;
	s.fd = 4;
	sysrec_recopy(c, &s);
	assert_null(c->data);
	assert_null(c->addr.host);
	assert_true(sysrec_same(&s, c));
	/* And back: the data returns in a buffer of its own. */
	sysrec_recopy(c, &r);
	assert_non_null(c->data);
	assert_ptr_not_equal(c->data, r.data);
	assert_true(sysrec_same(&r, c));
	sysrec_free(c);

	/* Over NULL: a new copy. */
	c = sysrec_recopy(NULL, &s);
	assert_true(sysrec_same(&s, c));
	sysrec_free(c);
}

/* Exact JSON for a few records. */
static void
test_json_exact(void **state)
{
	struct sbuf	b = { 0 };

	(void)state;
	sysrec_json(&b, &test_spec[5].r);
	assert_string_equal(b.p, "{\"call\":\"recv\",\"fd\":4,\"args\":"
	    "{\"len\":4096,\"flags\":\"0\"},\"ret\":78,\"errno\":null,"
	    "\"bytes\":78}");
	sbuf_reset(&b);
	sysrec_json(&b, &test_spec[7].r);
	assert_string_equal(b.p, "{\"call\":\"connect\",\"fd\":5,\"args\":"
	    "{\"addr\":{\"family\":\"AF_INET\",\"host\":\"127.0.0.1\","
	    "\"port\":1}},\"ret\":-1,\"errno\":\"ECONNREFUSED\"}");
	sbuf_reset(&b);
	sysrec_json(&b, &test_spec[0].r);
	assert_string_equal(b.p, "{\"call\":\"socket\",\"fd\":-1,\"args\":"
	    "{\"domain\":\"AF_INET\",\"type\":\"SOCK_STREAM\",\"protocol\":0},"
	    "\"ret\":3,\"errno\":null}");
	sbuf_free(&b);
}

/* Write the JSON of r as one line to f. */
static void
test_json_line(FILE *f, const struct sysrec *r)
{
	struct sbuf	b = { 0 };

	sysrec_json(&b, r);
	assert_non_null(b.p);
	assert_null(memchr(b.p, '\n', b.len));
	fprintf(f, "%s\n", b.p);
	sbuf_free(&b);
}

/*
 * Every record of this file, and hostile ones, through Python's
 * json.loads(): each line one object with call, fd, args (an object),
 * ret and errno (a string or null), strict UTF-8.
 */
static void
test_json_python(void **state)
{
	static const char code[] =
	    "import json, sys\n"
	    "n = 0\n"
	    "for l in sys.stdin.buffer.read().decode(\"utf-8\").splitlines():\n"
	    "    o = json.loads(l)\n"
	    "    assert isinstance(o, dict), l\n"
	    "    assert isinstance(o[\"call\"], str), l\n"
	    "    assert isinstance(o[\"fd\"], int), l\n"
	    "    assert isinstance(o[\"args\"], dict), l\n"
	    "    assert isinstance(o[\"ret\"], int), l\n"
	    "    assert o[\"errno\"] is None or o[\"errno\"].startswith(\"E\"), l\n"
	    "    n += 1\n"
	    "sys.exit(0 if n == int(sys.argv[1]) else 3)\n";
	static const unsigned char evil[] = "\x1b[2J\"\\\xff\xc2\x9b";
	struct sysrec	 r;
	FILE		*f;
	char		*args;
	size_t		 i, lines = 0;
	int		 call;

	(void)state;
	/* The line count goes in argv, so the pipe's reader can check it. */
	lines = sizeof test_spec / sizeof test_spec[0] +
	    sizeof test_calls / sizeof test_calls[0] +
	    (SR_SSL_SHUTDOWN - SR_SOCKET + 1);
	args = xasprintf("%zu", lines);
	f = test_python_open(code, args, "w");
	free(args);
	for (i = 0; i < sizeof test_spec / sizeof test_spec[0]; i++)
		test_json_line(f, &test_spec[i].r);
	for (i = 0; i < sizeof test_calls / sizeof test_calls[0]; i++)
		test_json_line(f, &test_calls[i].r);
	for (call = SR_SOCKET; call <= SR_SSL_SHUTDOWN; call++) {
		memset(&r, 0, sizeof r);
		r.call = (enum sysrec_call)call;
		r.fd = 3;
		r.ret = -1;
		r.err = ECONNRESET;
		r.gai = call == SR_GETADDRINFO ? EAI_NONAME : 0;
		r.ssl_error = call >= SR_SSL_CONNECT ? 5 : 0;
		r.addr.family = call % 2 ? AF_UNIX : AF_INET6;
		r.addr.host = (const char *)evil;
		r.host = (const char *)evil;
		r.service = "\"quoted\"";
		r.note = (const char *)evil;
		r.data = evil;
		r.data_len = sizeof evil - 1;
		r.trunc_len = 100;
		r.discarded = 7;
		r.level = SOL_SOCKET;
		r.optname = SO_ERROR;
		r.optval = ETIMEDOUT;
		r.request = 0x1234;
		test_json_line(f, &r);
	}
	assert_int_equal(pclose(f), 0);
}

/* Run every test. */
int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_spec_session),
		cmocka_unit_test(test_every_call),
		cmocka_unit_test(test_call_names),
		cmocka_unit_test(test_python_names),
		cmocka_unit_test(test_python_exceptions),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_preview),
		cmocka_unit_test(test_repr_python),
		cmocka_unit_test(test_exceptions_python),
		cmocka_unit_test(test_same),
		cmocka_unit_test(test_fold_count),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_recopy),
		cmocka_unit_test(test_json_exact),
		cmocka_unit_test(test_json_python),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
