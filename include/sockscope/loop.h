/*
 * loop.h: the one poll() loop.  It watches standard input, the sockets
 * (through net.c) and a self-pipe that signal handlers write to, dispatches
 * to the front end (batch or screen), then calls its before_sleep hook
 * once per turn, where output is flushed or the screen redrawn.
 */
#ifndef SOCKSCOPE_LOOP_H
#define SOCKSCOPE_LOOP_H

/* What a front end gives the loop. */
struct loop_frontend {
	/* Nonzero if standard input should be watched now. */
	int	(*want_input)(void *arg);
	/* Standard input is readable, or hung up (revents from poll()). */
	void	(*on_input)(short revents, void *arg);
	/* A signal arrived (SIGWINCH, SIGINT, SIGTERM, SIGHUP, ...). */
	void	(*on_signal)(int sig, void *arg);
	/* Once per turn, before poll(): flush or redraw.  *timeout_ms may be
	 * lowered (e.g. for a coalesced redraw); -1 means wait forever. */
	void	(*before_sleep)(int *timeout_ms, void *arg);
	/* Nonzero when the program should leave the loop. */
	int	(*done)(void *arg);
	void	 *arg;
};

/* Install the signal handlers and the self-pipe.  Call once, first. */
void loop_init(void);
/* Seconds since loop_init(), from the monotonic clock. */
double loop_now(void);
/* Run until fe->done() says so. */
void loop_run(const struct loop_frontend *fe);

#endif
