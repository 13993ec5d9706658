/*
 * loop.h: the event loop, as a small library (the redis ae.c shape).
 * Whoever owns a descriptor registers it with a callback and its own
 * pointer (loop_add_fd()); whoever needs to be woken at a time adds a
 * timer (loop_add_timer()), which exists only while something is due, so
 * an idle program sleeps without a timeout.  A signal self-pipe is built
 * in: handlers write one byte, the loop hands the signal to the front end.
 *
 * The loop knows nothing of sockets, and includes no other module's
 * header.  Cost per turn: O(ready descriptors + timers), with epoll.
 *
 * The front end (batch or screen) still drives it with loop_run() and a
 * struct loop_frontend: standard input, signals, the before-sleep hook
 * (redraw once per turn there) and the "done" question.
 */
#ifndef SOCKSCOPE_LOOP_H
#define SOCKSCOPE_LOOP_H

/* Events asked of loop_add_fd()/loop_mod_fd(), and reported to callbacks. */
#define LOOP_READ	0x01	/* readable (or EOF) */
#define LOOP_WRITE	0x02	/* writable */
#define LOOP_ERRORS	0x04	/* asked: only hang-ups and errors */
#define LOOP_HUP	0x08	/* reported: hang-up */
#define LOOP_ERR	0x10	/* reported: error pending */
#define LOOP_RDHUP	0x20	/* reported with LOOP_READ: the peer shut down
				   its sending side, so a read after the
				   queued bytes gives EOF, not "try again" */

/* A descriptor is ready: revents is LOOP_READ|LOOP_WRITE|LOOP_HUP|LOOP_ERR
 * (and LOOP_RDHUP for a socket whose peer has finished sending). */
typedef void loop_fd_fn(int fd, int revents, void *arg);
/* A timer is due; it is already removed when this is called. */
typedef void loop_timer_fn(long long id, void *arg);
/* Once per turn, before sleeping; *timeout_ms may be lowered (-1: none). */
typedef void loop_hook_fn(int *timeout_ms, void *arg);

/* What a front end gives the loop. */
struct loop_frontend {
	/* Nonzero if standard input should be watched now. */
	int	(*want_input)(void *arg);
	/* Standard input is readable, or hung up (revents as from poll()). */
	void	(*on_input)(short revents, void *arg);
	/* A signal arrived (SIGWINCH, SIGINT, SIGTERM, SIGHUP, ...). */
	void	(*on_signal)(int sig, void *arg);
	/* Once per turn, before sleeping: flush or redraw.  *timeout_ms may
	 * be lowered (e.g. for a coalesced redraw); -1 means wait forever. */
	void	(*before_sleep)(int *timeout_ms, void *arg);
	/* Nonzero when the program should leave the loop. */
	int	(*done)(void *arg);
	void	 *arg;
	/*
	 * Optional (NULL: none): work before_sleep left for a quiet moment
	 * (buffered output).  While deferred() is nonzero the loop first
	 * looks without waiting; only if nothing is ready does it call
	 * before_block() and then sleep.  So a burst of events is handled
	 * before the work is done; before_sleep bounds how long it waits.
	 */
	int	(*deferred)(void *arg);
	void	(*before_block)(void *arg);
};

/* Install the signal handlers, the self-pipe and the poller.  Call once,
 * first. */
void loop_init(void);
/* Seconds since loop_init(), from the monotonic clock. */
double loop_now(void);
/*
 * Run until fe->done() says so.  A signal whose default would end the
 * process is handed to fe->on_signal(); if the front end is not done
 * after it, the signal then ends the process as its default would.
 */
void loop_run(const struct loop_frontend *fe);

/*
 * Watch fd for events (LOOP_READ, LOOP_WRITE, or LOOP_ERRORS for hang-ups
 * and errors only; 0 registers it without watching).  fn(fd, revents, arg)
 * is called while it is ready (level-triggered).  Returns 0, or -1 with
 * errno (EEXIST: already registered).  A descriptor the kernel cannot
 * watch (a regular file, /dev/null) is reported ready on every turn.
 */
int loop_add_fd(int fd, int events, loop_fd_fn *fn, void *arg);
/* Change what fd is watched for.  Returns 0, or -1 if not registered. */
int loop_mod_fd(int fd, int events);
/* Stop watching fd (call before closing it).  Unknown fds are ignored. */
void loop_del_fd(int fd);
/*
 * Forget fd, which the caller closes next and has never duplicated:
 * close() takes it out of the kernel's set, so this makes no system call
 * (a connection's last close is on the accept path).  Unknown fds are
 * ignored.
 */
void loop_forget_fd(int fd);

/*
 * Watch at most n descriptors with poll() (no system call to register or
 * forget one); past n the loop moves them all to epoll for good.  0:
 * epoll from the start.  The default is 16, or SOCKSCOPE_POLL_MAX from
 * the environment at loop_init().
 */
void loop_set_poll_max(int n);
/* "poll" or "epoll": how the loop waits now. */
const char *loop_backend(void);

/* Call fn(id, arg) once, ms milliseconds from now.  Returns the timer's
 * id (> 0). */
long long loop_add_timer(long long ms, loop_timer_fn *fn, void *arg);
/* Cancel a timer; unknown or already fired ids are ignored. */
void loop_del_timer(long long id);
/* Number of timers pending (for tests: idle means zero). */
int loop_timers(void);

/* Call fn(timeout_ms, arg) once per turn before the front end's own
 * before_sleep.  At most a few hooks; returns 0 or -1 when full. */
int loop_add_hook(loop_hook_fn *fn, void *arg);

#endif
