/*
 * tests/net_driver.c: a small program that drives the socket engine
 * (net.c, its transports and loop.c) the way app.c does, for the
 * end-to-end transport tests (tests/e2e_transports.sh), before the
 * command line grows -u and -U.  It prints the batch transcript of every
 * event on standard output and reads commands on standard input:
 *
 *	net_driver [-m] [-b SIZE] [-w SECS] [-V] [-A CAFILE] [-R]
 *	    connect|listen tcp|udp|unix|unixgram|tls HOST [PORT]
 *
 *	(-R: also print each call record, narrated in C notation)
 *	(tls: a client verifies the peer with -V, trusting -A's CAs too; a
 *	listener has a throw-away certificate for localhost, 127.0.0.1)
 *
 *	TEXT		send TEXT and a newline to the newest connection
 *	#N TEXT		send to connection N
 *	/recv [N]	one recv() (manual mode)
 *	/close [N]	close; /reset [N]; /shutdown [N]
 *	/connect T HOST [PORT], /listen T HOST [PORT]
 *	/stats		print "open N listeners M timers T ids I"
 *	/tls [N]	print "tls SUMMARY" of the session
 *	/quit		leave (also at the end of input)
 *
 * Not installed; built with make check.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockscope/loop.h"
#include "sockscope/net.h"
#include "sockscope/sysrec.h"
#include "sockscope/tls.h"
#include "sockscope/transcript.h"
#include "sockscope/util.h"

static struct {
	struct transcript	 tr;
	struct sbuf		 out;
	struct sbuf		 in;
	int			 quit;
	int			 focus;
} drv;

/* Print an event as a transcript line. */
static void
drv_event(const struct ev *e, void *arg)
{
	(void)arg;
	if (e->kind == EV_ACCEPTED || e->kind == EV_CONNECTING)
		drv.focus = e->conn;
	sbuf_reset(&drv.out);
	if (transcript_event(&drv.tr, &drv.out, e)) {
		fwrite(drv.out.p, 1, drv.out.len, stdout);
		fflush(stdout);
	}
}

/* Print a call record in C notation ("rec " first). */
static void
drv_record(const struct sysrec *r, void *arg)
{
	struct sbuf	b = { 0 };

	(void)arg;
	if (sysrec_narrate(&b, r, SYSREC_C) == 0) {
		printf("rec %s\n", b.p);
		fflush(stdout);
	}
	sbuf_free(&b);
}

/* The transport named s. */
static int
drv_transport(const char *s, enum net_transport *t)
{
	static const char	*names[] = { "tcp", "udp", "unix", "unixgram",
	    "tls" };
	size_t			 i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(s, names[i]) == 0) {
			*t = (enum net_transport)i;
			return 0;
		}
	}
	return -1;
}

/* Open what argv asks: connect|listen T HOST [PORT].  Returns 0 or -1. */
static int
drv_open(char **argv, int argc)
{
	enum net_transport	t;

	if (argc < 3 || drv_transport(argv[1], &t) != 0)
		return -1;
	if (strcmp(argv[0], "connect") == 0)
		return net_connect_ex(argv[2], argc > 3 ? argv[3] : NULL, t) ==
		    -1 ? -1 : 0;
	if (strcmp(argv[0], "listen") == 0)
		return net_listen_ex(argv[2], argc > 3 ? argv[3] : NULL, t) ==
		    -1 ? -1 : 0;
	return -1;
}

/* Print a refusal. */
static void
drv_refused(char *cause)
{
	printf("refused: %s\n", cause != NULL ? cause : "?");
	fflush(stdout);
	free(cause);
}

/* Run one input line. */
static void
drv_line(char *line)
{
	char	*cause = NULL, *words[5], *p;
	int	 n = 0, id = drv.focus, rc = 0;

	if (line[0] == '#') {
		id = atoi(line + 1);
		p = strchr(line, ' ');
		line = p != NULL ? p + 1 : line + strlen(line);
	} else if (line[0] == '/') {
		for (p = strtok(line + 1, " "); p != NULL && n < 5;
		    p = strtok(NULL, " "))
			words[n++] = p;
		if (n == 0)
			return;
		if (n > 1 && strcmp(words[0], "connect") != 0 &&
		    strcmp(words[0], "listen") != 0)
			id = atoi(words[1]);
		if (strcmp(words[0], "quit") == 0)
			drv.quit = 1;
		else if (strcmp(words[0], "recv") == 0)
			rc = net_recv(id, 0, &cause);
		else if (strcmp(words[0], "close") == 0)
			rc = net_close(id, &cause);
		else if (strcmp(words[0], "reset") == 0)
			rc = net_reset(id, &cause);
		else if (strcmp(words[0], "shutdown") == 0)
			rc = net_shutdown(id, &cause);
		else if (strcmp(words[0], "connect") == 0 ||
		    strcmp(words[0], "listen") == 0) {
			if (drv_open(words, n) != 0)
				printf("open failed\n");
		} else if (strcmp(words[0], "tls") == 0) {
			struct tls_info	info;

			if (net_tls_info(id, &info) == 0)
				printf("tls %s\n", info.summary);
			else
				printf("tls none\n");
		} else if (strcmp(words[0], "stats") == 0) {
			printf("open %d listeners %d timers %d ids %d\n",
			    net_open_conns(), net_open_listeners(),
			    loop_timers(), net_conn_max());
			if (id > 0)
				printf("#%d %s\n", id, net_transport_name(
				    net_conn_transport(id)));
		} else
			printf("unknown command\n");
		if (rc != 0)
			drv_refused(cause);
		fflush(stdout);
		return;
	}
	{
		size_t	len = strlen(line);
		char	*msg = xmalloc(len + 1);

		memcpy(msg, line, len);
		msg[len] = '\n';
		if (net_send(id, msg, len + 1, &cause) != 0)
			drv_refused(cause);
		free(msg);
	}
}

/* Always read input. */
static int
drv_want_input(void *arg)
{
	(void)arg;
	return !drv.quit;
}

/* Read what is there and run each whole line. */
static void
drv_on_input(short revents, void *arg)
{
	char	*p, *nl;
	ssize_t	 r;

	(void)revents;
	(void)arg;
	p = sbuf_reserve(&drv.in, 4096);
	r = read(STDIN_FILENO, p, 4096);
	if (r == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0) {
		drv.quit = 1;
		return;
	}
	drv.in.len += (size_t)r;
	while ((nl = memchr(drv.in.p, '\n', drv.in.len)) != NULL) {
		size_t	n = (size_t)(nl - drv.in.p);

		*nl = '\0';
		drv_line(drv.in.p);
		memmove(drv.in.p, nl + 1, drv.in.len - n - 1);
		drv.in.len -= n + 1;
	}
}

/* A terminating signal ends the run. */
static void
drv_on_signal(int sig, void *arg)
{
	(void)arg;
	if (sig != SIGWINCH && sig != SIGCONT)
		drv.quit = 1;
}

/* Nothing to flush. */
static void
drv_before_sleep(int *timeout_ms, void *arg)
{
	(void)timeout_ms;
	(void)arg;
}

/* Done on /quit or the end of input. */
static int
drv_done(void *arg)
{
	(void)arg;
	return drv.quit;
}

/* Parse options, open, run. */
int
main(int argc, char **argv)
{
	struct net_config	cfg = { 4096, 1, 0, 10.0, 0 };
	struct loop_frontend	fe = {
		.want_input = drv_want_input,
		.on_input = drv_on_input,
		.on_signal = drv_on_signal,
		.before_sleep = drv_before_sleep,
		.done = drv_done,
	};
	static const char	*names[] = { "localhost", "127.0.0.1", NULL };
	struct tls_ctx		*client = NULL, *server = NULL;
	const char		*ca = NULL;
	char			*cause = NULL;
	int			 c, verify = 0, rc = 0, records = 0;

	while ((c = getopt(argc, argv, "mb:w:VA:R")) != -1) {
		switch (c) {
		case 'm':
			cfg.auto_recv = 0;
			break;
		case 'b':
			cfg.recv_size = (size_t)atol(optarg);
			break;
		case 'w':
			cfg.timeout = atof(optarg);
			break;
		case 'V':
			verify = 1;
			break;
		case 'A':
			ca = optarg;
			break;
		case 'R':
			records = 1;
			break;
		default:
			return 2;
		}
	}
	client = tls_client_ctx(verify, &cause);
	if (client != NULL && ca != NULL &&
	    tls_ctx_add_ca(client, ca, &cause) != 0) {
		tls_ctx_free(client);
		client = NULL;
	}
	if (client != NULL)
		server = tls_server_ctx(NULL, NULL, names, &cause);
	if (server == NULL) {
		fprintf(stderr, "net_driver: %s\n", cause);
		free(cause);
		tls_ctx_free(client);
		return 1;
	}
	loop_init();
	net_init(&cfg, drv_event, NULL);
	net_set_tls(client, server);
	if (records)
		net_set_record(drv_record, NULL);
	if (drv_open(argv + optind, argc - optind) != 0)
		rc = 1;
	else
		loop_run(&fe);
	net_free();
	tls_ctx_free(client);
	tls_ctx_free(server);
	sbuf_free(&drv.out);
	sbuf_free(&drv.in);
	return rc;
}
