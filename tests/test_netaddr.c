/*
 * test_netaddr.c: how the engine shows addresses (net-sys.c): IPv4 and
 * IPv6 with their ports, Unix paths as given, abstract and unnamed Unix
 * sockets, and every byte of a path that a peer chose escaped, so none
 * reaches the terminal raw.  Also the record a call leaves (the debug
 * file SOCKSCOPE_RECORD_FILE writes).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockscope/loop.h"
#include "sockscope/net-int.h"

/* 127.0.0.1:80 and [::1]:443. */
static void
test_ip(void **state)
{
	struct net_addr		 a;
	struct sockaddr_in	*s4 = (void *)&a.ss;
	struct sockaddr_in6	*s6 = (void *)&a.ss;

	(void)state;
	memset(&a, 0, sizeof a);
	s4->sin_family = AF_INET;
	s4->sin_port = htons(80);
	inet_pton(AF_INET, "127.0.0.1", &s4->sin_addr);
	a.len = sizeof *s4;
	net_addr_describe(&a);
	assert_string_equal(a.text, "127.0.0.1:80");
	assert_string_equal(a.host, "127.0.0.1");
	assert_int_equal(a.port, 80);

	memset(&a, 0, sizeof a);
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(443);
	inet_pton(AF_INET6, "::1", &s6->sin6_addr);
	a.len = sizeof *s6;
	net_addr_describe(&a);
	assert_string_equal(a.text, "[::1]:443");
	assert_string_equal(a.host, "::1");
}

/* A path as given; too long or empty refused. */
static void
test_unix_path(void **state)
{
	struct net_addr	a;
	char		long_path[200];

	(void)state;
	assert_int_equal(net_addr_unix(&a, "/tmp/x.sock"), 0);
	assert_string_equal(a.text, "/tmp/x.sock");
	assert_int_equal(a.port, 0);
	assert_int_equal(a.ss.ss_family, AF_UNIX);
	assert_int_equal(a.len, offsetof(struct sockaddr_un, sun_path) + 12);

	memset(long_path, 'p', sizeof long_path - 1);
	long_path[sizeof long_path - 1] = '\0';
	assert_int_equal(net_addr_unix(&a, long_path), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	assert_int_equal(net_addr_unix(&a, ""), -1);
}

/* A peer's path with an escape sequence and a newline is shown escaped;
 * a backslash too, so that the escape cannot be forged. */
static void
test_unix_escaped(void **state)
{
	struct net_addr	a;
	size_t		i;

	(void)state;
	assert_int_equal(net_addr_unix(&a, "/tmp/\x1b[31mred\n\\x"), 0);
	assert_string_equal(a.text, "/tmp/\\x1b[31mred\\x0a\\x5cx");
	for (i = 0; a.text[i] != '\0'; i++)
		assert_true(a.text[i] >= 0x20 && a.text[i] < 0x7f);

	/* Bytes from 0x80 up, too. */
	assert_int_equal(net_addr_unix(&a, "/tmp/\xc3\xa9"), 0);
	assert_string_equal(a.text, "/tmp/\\xc3\\xa9");
}

/* Abstract names are shown with '@'; an unnamed socket says so. */
static void
test_unix_abstract(void **state)
{
	struct net_addr		 a;
	struct sockaddr_un	*su = (void *)&a.ss;

	(void)state;
	memset(&a, 0, sizeof a);
	su->sun_family = AF_UNIX;
	memcpy(su->sun_path, "\0abc", 4);
	a.len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 4);
	net_addr_describe(&a);
	assert_string_equal(a.text, "@abc");

	memset(&a, 0, sizeof a);
	su->sun_family = AF_UNIX;
	a.len = sizeof(sa_family_t);
	net_addr_describe(&a);
	assert_string_equal(a.text, "(unnamed)");
}

/* Records are made as the calls are, and reach the callback. */
static struct sysrec	last;
static int		nrec;

/* Keep the latest record. */
static void
tn_record(const struct sysrec *r, void *arg)
{
	(void)arg;
	last = *r;
	nrec++;
}

/* socket(), a failing bind(), close(): what, on which fd, and errno. */
static void
test_records(void **state)
{
	struct net_who	w = { 3, 0, SR_ROLE_CLIENT };
	struct net_addr	a;
	int		fd;

	(void)state;
	net_sys_init();
	net_sys_set_record(tn_record, NULL);
	fd = net_sys_socket(&w, AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(nrec, 1);
	assert_int_equal(last.call, SR_SOCKET);
	assert_int_equal(last.ret, fd);
	assert_int_equal(last.conn, 3);
	assert_int_equal(last.domain, AF_UNIX);

	assert_int_equal(net_addr_unix(&a, "/nonexistent-dir/x.sock"), 0);
	assert_int_equal(net_sys_bind(&w, fd, &a), -1);
	assert_int_equal(errno, ENOENT);	/* errno kept for the caller */
	assert_int_equal(last.call, SR_BIND);
	assert_int_equal(last.ret, -1);
	assert_int_equal(last.err, ENOENT);
	assert_int_equal(last.fd, fd);

	assert_int_equal(net_sys_close(&w, fd, 7), 0);
	assert_int_equal(last.call, SR_CLOSE);
	assert_int_equal(last.err, 0);
	assert_int_equal(last.discarded, 7);
	assert_int_equal(nrec, 3);
	net_sys_free();
}

/* Run every case (the clock comes from loop_init()). */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip),
		cmocka_unit_test(test_unix_path),
		cmocka_unit_test(test_unix_escaped),
		cmocka_unit_test(test_unix_abstract),
		cmocka_unit_test(test_records),
	};

	loop_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
