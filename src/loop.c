/*
 * loop.c: the one poll() loop.  Watches standard input (for the front end),
 * every socket (through net.c) and a self-pipe written by the signal
 * handlers; dispatches, then gives the front end one before_sleep call per
 * turn to flush or redraw.  Called by main.c through batch.c or the screen.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sockscope/loop.h"
#include "sockscope/net.h"
#include "sockscope/util.h"

/* Slots before the sockets in the pollfd array. */
enum {
	LOOP_SIGNAL,
	LOOP_STDIN,
	LOOP_FIRST_SOCKET
};

static int		loop_pipe[2] = { -1, -1 };
static struct timespec	loop_start;

/* Record the signal for the loop; do nothing else here. */
static void
loop_signal(int sig)
{
	unsigned char	c = (unsigned char)sig;
	int		saved = errno;

	/* A full pipe already holds a wake-up; losing this byte is fine. */
	if (write(loop_pipe[1], &c, 1) == -1) {
		/* nothing */
	}
	errno = saved;
}

/* Set up the self-pipe, the handlers and the clock. */
void
loop_init(void)
{
	struct sigaction	sa;
	static const int	sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGWINCH,
				    SIGQUIT, SIGCONT };
	size_t			i;

	clock_gettime(CLOCK_MONOTONIC, &loop_start);
	if (pipe2(loop_pipe, O_NONBLOCK | O_CLOEXEC) == -1)
		util_fatal("pipe: %s", strerror(errno));

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	/* A peer that goes away must never kill us: EPIPE is an event. */
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = loop_signal;
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

/* Seconds since loop_init(). */
double
loop_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)(ts.tv_sec - loop_start.tv_sec) +
	    (double)(ts.tv_nsec - loop_start.tv_nsec) / 1e9;
}

/* Run until the front end is done. */
void
loop_run(const struct loop_frontend *fe)
{
	struct pollfd	*pfd = NULL;
	size_t		 cap = 0, n;
	int		 timeout;

	while (!fe->done(fe->arg)) {
		/* One more for the name-lookup pipe. */
		size_t	want = LOOP_FIRST_SOCKET + (size_t)net_conn_max() +
			    (size_t)net_listener_max() + 1;

		if (want > cap) {
			cap = want * 2;
			pfd = xrealloc(pfd, cap * sizeof *pfd);
		}
		pfd[LOOP_SIGNAL].fd = loop_pipe[0];
		pfd[LOOP_SIGNAL].events = POLLIN;
		/* fd -1: poll() skips the slot while input is not wanted. */
		pfd[LOOP_STDIN].fd = fe->want_input(fe->arg) ? STDIN_FILENO : -1;
		pfd[LOOP_STDIN].events = POLLIN;

		/* Idle costs nothing: no timeout unless someone needs one. */
		timeout = -1;
		n = net_poll_fill(pfd + LOOP_FIRST_SOCKET,
		    cap - LOOP_FIRST_SOCKET, &timeout);
		fe->before_sleep(&timeout, fe->arg);
		if (fe->done(fe->arg))
			break;

		if (poll(pfd, LOOP_FIRST_SOCKET + n, timeout) == -1) {
			if (errno == EINTR)
				continue;
			util_fatal("poll: %s", strerror(errno));
		}

		if (pfd[LOOP_SIGNAL].revents & POLLIN) {
			unsigned char	buf[64];
			ssize_t		r, i;

			while ((r = read(loop_pipe[0], buf, sizeof buf)) > 0) {
				for (i = 0; i < r; i++)
					fe->on_signal(buf[i], fe->arg);
			}
		}
		if (pfd[LOOP_STDIN].fd != -1 && pfd[LOOP_STDIN].revents != 0)
			fe->on_input(pfd[LOOP_STDIN].revents, fe->arg);
		net_poll_dispatch(pfd + LOOP_FIRST_SOCKET, n);
	}
	free(pfd);
}
