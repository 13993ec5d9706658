/*
 * accept_bench.c: a client for measuring how fast a listener serves
 * sequential connections.  bench/run.sh builds it and points it at
 * `sockscope -n -k listen`, `ncat -l -k` and `nc -lk` in turn.
 *
 * Each connection is one full round trip through the server, so the
 * client never runs ahead of it (a plain connect()+close() loop would
 * only measure the kernel's backlog): connect to 127.0.0.1:PORT, send
 * PAYLOAD bytes, shutdown(SHUT_WR), wait for the server's EOF, close.
 * A server that accepts, reads to EOF and closes answers every one.
 *
 * Prints one line per block of BLOCK connections, "block K SECONDS",
 * then "total N SECONDS".  Exits 1 with one line on standard error if a
 * connection fails or the server does not answer within 10 seconds.
 *
 * Usage: accept_bench PORT [COUNT [BLOCK]]   (defaults 10000 and 1000)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ACCEPT_BENCH_WAIT_MS	10000

/* Seconds on the monotonic clock. */
static double
accept_bench_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Print why connection I failed and exit 1. */
static void
accept_bench_fail(unsigned long i, const char *what)
{
	fprintf(stderr, "accept_bench: connection %lu: %s: %s\n", i + 1, what,
	    errno ? strerror(errno) : "no answer in time");
	exit(1);
}

/* One round trip: connect, send, half-close, wait for the server's EOF. */
static void
accept_bench_one(const struct sockaddr_in *sin, unsigned long i)
{
	static const char	payload[] = "bench-1\n";
	struct pollfd		pfd;
	char			buf[512];
	ssize_t			n;
	int			fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd == -1)
		accept_bench_fail(i, "socket");
	if (connect(fd, (const struct sockaddr *)sin, sizeof *sin) == -1)
		accept_bench_fail(i, "connect");
	if (send(fd, payload, sizeof payload - 1, MSG_NOSIGNAL) !=
	    (ssize_t)(sizeof payload - 1))
		accept_bench_fail(i, "send");
	if (shutdown(fd, SHUT_WR) == -1)
		accept_bench_fail(i, "shutdown");
	for (;;) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		errno = 0;
		if (poll(&pfd, 1, ACCEPT_BENCH_WAIT_MS) != 1) {
			if (errno == EINTR)
				continue;
			accept_bench_fail(i, "waiting for the server's EOF");
		}
		n = recv(fd, buf, sizeof buf, 0);
		if (n == 0)
			break;
		if (n == -1 && errno != EINTR)
			accept_bench_fail(i, "recv");
	}
	close(fd);
}

/* Parse the arguments, run COUNT round trips, print the block times. */
int
main(int argc, char **argv)
{
	struct sockaddr_in	sin;
	unsigned long		port, count = 10000, block = 1000, i;
	double			t0, tb, t;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: accept_bench PORT [COUNT [BLOCK]]\n");
		return 2;
	}
	port = strtoul(argv[1], NULL, 10);
	if (argc > 2)
		count = strtoul(argv[2], NULL, 10);
	if (argc > 3)
		block = strtoul(argv[3], NULL, 10);
	if (port == 0 || port > 65535 || count == 0 || block == 0) {
		fprintf(stderr, "usage: accept_bench PORT [COUNT [BLOCK]]\n");
		return 2;
	}

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	t0 = tb = accept_bench_now();
	for (i = 0; i < count; i++) {
		accept_bench_one(&sin, i);
		if ((i + 1) % block == 0 || i + 1 == count) {
			t = accept_bench_now();
			printf("block %lu %.6f\n", i / block + 1, t - tb);
			tb = t;
		}
	}
	printf("total %lu %.6f\n", count, accept_bench_now() - t0);
	return 0;
}
