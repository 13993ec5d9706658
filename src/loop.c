/*
 * loop.c: the event loop, a small library in the shape of redis ae.c.
 * Owns the epoll descriptor, the table of registered descriptors (indexed
 * by fd), the timers and the signal self-pipe.  Modules register their own
 * descriptors and timers with their own callbacks; the front end (batch.c,
 * ui.c) drives the loop with loop_run() and gets standard input, signals
 * and one before_sleep call per turn.
 *
 * Knows nothing of sockets and includes no other module's header but
 * util.h.  A turn costs O(ready descriptors + pending timers): nothing
 * here walks every descriptor ever registered.
 *
 * Two ways to wait.  While at most poll_max descriptors are watched (a
 * lecture, a few connections), poll() over a compact array of them: no
 * system call to register or forget one, which is most of a short
 * connection's cost.  Past that, epoll, for good: every watched
 * descriptor moves into the epoll set once, and a turn costs O(ready)
 * however many connections are open.  SOCKSCOPE_POLL_MAX sets poll_max
 * (0: epoll from the start).
 */
#include "config.h"

#include <sys/epoll.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sockscope/loop.h"
#include "sockscope/util.h"

/* Events taken from epoll per turn; more simply wait for the next turn. */
#define LOOP_MAX_EVENTS	128
#define LOOP_MAX_HOOKS	4
/* Descriptors watched with poll() before the loop moves to epoll. */
#define LOOP_POLL_MAX	16

/* One registered descriptor. */
struct loop_reg {
	loop_fd_fn	*fn;
	void		*arg;
	int		 events;	/* as asked: LOOP_READ|WRITE|ERRORS */
	int		 used;
	int		 in_epoll;	/* added to the epoll set */
	int		 always;	/* epoll refused it (a regular file):
					   reported ready on every turn */
	uint32_t	 gen;		/* tells a stale epoll event from one
					   for a new registration of the fd */
	int		 wpos;		/* poll mode: 1 + its index in
					   loop.watch; 0: not watched */
};

/* One pending timer, in a list sorted by due time. */
struct loop_timer {
	long long		 id;
	double			 due;
	loop_timer_fn		*fn;
	void			*arg;
	struct loop_timer	*next;
};

static struct {
	int			 epfd;
	int			 pipe[2];	/* signal self-pipe */
	struct timespec		 start;
	struct loop_reg		*regs;		/* index fd */
	int			 nregs;
	int			*always;	/* fds epoll refused */
	int			 nalways;
	struct loop_timer	*timers;
	int			 ntimers;
	long long		 next_timer;
	struct {
		loop_hook_fn	*fn;
		void		*arg;
	}			 hooks[LOOP_MAX_HOOKS];
	int			 nhooks;
	const struct loop_frontend *fe;
	int			 stdin_watched;
	int			 use_epoll;	/* moved to epoll for good */
	int			 poll_max;
	int			*watch;		/* poll mode: watched fds */
	int			 nwatch;
	struct pollfd		*pfds;		/* poll mode: this turn's */
	uint32_t		*pgens;		/* and their registrations */
	int			 cap;		/* of watch, pfds, pgens */
} loop = { -1, { -1, -1 }, { 0, 0 }, NULL, 0, NULL, 0, NULL, 0, 0,
	   { { NULL, NULL } }, 0, NULL, -1, 0, LOOP_POLL_MAX, NULL, 0, NULL,
	   NULL, 0 };

/* Signals whose default action ends the process: the front end gets them
 * first, so the terminal is restored on the way out. */
static const int loop_fatal_sigs[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM,
	SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ, SIGIO, SIGPWR
};

/* Record the signal for the loop; do nothing else here. */
static void
loop_signal(int sig)
{
	unsigned char	c = (unsigned char)sig;
	int		saved = errno;

	/* A full pipe already holds a wake-up; losing this byte is fine. */
	if (write(loop.pipe[1], &c, 1) == -1) {
		/* nothing */
	}
	errno = saved;
}

/* Nonzero if sig's default action ends the process. */
static int
loop_sig_fatal(int sig)
{
	size_t	i;

	for (i = 0; i < sizeof loop_fatal_sigs / sizeof loop_fatal_sigs[0]; i++)
		if (loop_fatal_sigs[i] == sig)
			return 1;
	return 0;
}

/* The signal pipe is readable: hand each signal to the front end. */
static void
loop_on_pipe(int fd, int revents, void *arg)
{
	unsigned char	buf[64];
	ssize_t		r, i;

	(void)revents;
	(void)arg;
	while ((r = read(fd, buf, sizeof buf)) > 0) {
		for (i = 0; i < r; i++) {
			int	sig = buf[i];

			if (loop.fe != NULL)
				loop.fe->on_signal(sig, loop.fe->arg);
			if (loop_sig_fatal(sig) && (loop.fe == NULL ||
			    !loop.fe->done(loop.fe->arg))) {
				/* Not taken: end as the default would. */
				signal(sig, SIG_DFL);
				raise(sig);
			}
		}
	}
}

/* Standard input is ready: tell the front end, in poll()'s words. */
static void
loop_on_stdin(int fd, int revents, void *arg)
{
	short	pe = 0;

	(void)fd;
	(void)arg;
	if (revents & LOOP_READ)
		pe |= POLLIN;
	if (revents & LOOP_HUP)
		pe |= POLLHUP;
	if (revents & LOOP_ERR)
		pe |= POLLERR;
	if (loop.fe != NULL && pe != 0)
		loop.fe->on_input(pe, loop.fe->arg);
}

/* Set up the poller, the self-pipe, the handlers and the clock. */
void
loop_init(void)
{
	struct sigaction	sa;
	static const int	sigs[] = { SIGWINCH, SIGCONT };
	const char		*env;
	size_t			i;

	clock_gettime(CLOCK_MONOTONIC, &loop.start);
	if ((env = getenv("SOCKSCOPE_POLL_MAX")) != NULL && *env != '\0') {
		char	*end;
		long	 n = strtol(env, &end, 10);

		if (*end == '\0' && n >= 0 && n <= 1024)
			loop_set_poll_max((int)n);
	}
	loop.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop.epfd == -1)
		util_fatal("epoll_create1: %s", strerror(errno));
	if (pipe2(loop.pipe, O_NONBLOCK | O_CLOEXEC) == -1)
		util_fatal("pipe: %s", strerror(errno));
	if (loop_add_fd(loop.pipe[0], LOOP_READ, loop_on_pipe, NULL) != 0)
		util_fatal("epoll_ctl: %s", strerror(errno));

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	/* A peer that goes away must never kill us: EPIPE is an event. */
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = loop_signal;
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	for (i = 0; i < sizeof loop_fatal_sigs / sizeof loop_fatal_sigs[0]; i++)
		sigaction(loop_fatal_sigs[i], &sa, NULL);
}

/* Seconds since loop_init(). */
double
loop_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)(ts.tv_sec - loop.start.tv_sec) +
	    (double)(ts.tv_nsec - loop.start.tv_nsec) / 1e9;
}

/* The epoll mask for what was asked. */
static uint32_t
loop_epoll_mask(int events)
{
	uint32_t	m = 0;

	if (events & LOOP_READ)
		m |= EPOLLIN | EPOLLRDHUP;
	if (events & LOOP_WRITE)
		m |= EPOLLOUT;
	/* EPOLLHUP and EPOLLERR are always reported. */
	return m;
}

/* Stop watching fd in poll mode (swap the last one into its place). */
static void
loop_unwatch(struct loop_reg *r)
{
	int	i = r->wpos - 1, last;

	if (r->wpos == 0)
		return;
	last = loop.watch[--loop.nwatch];
	loop.watch[i] = last;
	loop.regs[last].wpos = i + 1;
	r->wpos = 0;
}

/* Watch fd in poll mode; past poll_max, move everything to epoll. */
static void
loop_watch(int fd, struct loop_reg *r)
{
	if (r->wpos != 0)
		return;
	if (loop.nwatch == loop.cap) {
		loop.cap = loop.cap == 0 ? 16 : loop.cap * 2;
		loop.watch = xrealloc(loop.watch,
		    (size_t)loop.cap * sizeof *loop.watch);
		loop.pfds = xrealloc(loop.pfds,
		    (size_t)loop.cap * sizeof *loop.pfds);
		loop.pgens = xrealloc(loop.pgens,
		    (size_t)loop.cap * sizeof *loop.pgens);
	}
	loop.watch[loop.nwatch++] = fd;
	r->wpos = loop.nwatch;
}

static int	loop_apply(int fd, struct loop_reg *r);

/* Too many to poll(): put every watched fd into the epoll set. */
static void
loop_go_epoll(void)
{
	int	i;

	loop.use_epoll = 1;
	for (i = 0; i < loop.nwatch; i++) {
		int		 fd = loop.watch[i];
		struct loop_reg	*r = &loop.regs[fd];

		r->wpos = 0;
		if (loop_apply(fd, r) != 0)
			util_fatal("epoll_ctl: %s", strerror(errno));
	}
	loop.nwatch = 0;
}

/* Put r (fd) into the epoll set, take it out, or change it, as asked. */
static int
loop_apply(int fd, struct loop_reg *r)
{
	struct epoll_event	ev;

	if (!loop.use_epoll) {
		/* poll() reports files as ready and a closed fd as invalid
		 * by itself: nothing to ask the kernel now. */
		if (r->events == 0)
			loop_unwatch(r);
		else {
			loop_watch(fd, r);
			if (loop.nwatch > loop.poll_max)
				loop_go_epoll();
		}
		return 0;
	}
	if (r->always)
		return 0;
	memset(&ev, 0, sizeof ev);
	ev.events = loop_epoll_mask(r->events);
	ev.data.u64 = ((uint64_t)r->gen << 32) | (uint32_t)fd;
	if (r->events == 0) {
		/* Not watched at all: poll would still say HUP; we don't. */
		if (r->in_epoll && epoll_ctl(loop.epfd, EPOLL_CTL_DEL, fd,
		    NULL) == -1)
			return -1;
		r->in_epoll = 0;
		return 0;
	}
	if (epoll_ctl(loop.epfd, r->in_epoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD,
	    fd, &ev) == 0) {
		r->in_epoll = 1;
		return 0;
	}
	if (!r->in_epoll && (errno == EPERM || errno == EBADF)) {
		/* Regular files and /dev/null are always ready, as poll()
		 * says; a closed stdin reports a hang-up each turn. */
		r->always = errno == EPERM ? 1 : 2;
		loop.always = xrealloc(loop.always,
		    (size_t)(loop.nalways + 1) * sizeof *loop.always);
		loop.always[loop.nalways++] = fd;
		return 0;
	}
	return -1;
}

/* Register fd with a callback. */
int
loop_add_fd(int fd, int events, loop_fd_fn *fn, void *arg)
{
	struct loop_reg	*r;

	if (fd < 0) {
		errno = EBADF;
		return -1;
	}
	if (fd >= loop.nregs) {
		int	n = fd < 64 ? 64 : fd * 2;

		loop.regs = xrealloc(loop.regs, (size_t)n * sizeof *loop.regs);
		memset(loop.regs + loop.nregs, 0,
		    (size_t)(n - loop.nregs) * sizeof *loop.regs);
		loop.nregs = n;
	}
	r = &loop.regs[fd];
	if (r->used) {
		errno = EEXIST;
		return -1;
	}
	r->used = 1;
	r->fn = fn;
	r->arg = arg;
	r->events = events;
	r->in_epoll = 0;
	r->always = 0;
	r->wpos = 0;
	r->gen++;
	if (loop_apply(fd, r) != 0) {
		int	saved = errno;

		r->used = 0;
		errno = saved;
		return -1;
	}
	return 0;
}

/* Change what a registered fd is watched for. */
int
loop_mod_fd(int fd, int events)
{
	struct loop_reg	*r;

	if (fd < 0 || fd >= loop.nregs || !loop.regs[fd].used) {
		errno = ENOENT;
		return -1;
	}
	r = &loop.regs[fd];
	if (r->events == events)
		return 0;
	r->events = events;
	return loop_apply(fd, r);
}

/* Forget a registered fd; tell the kernel too unless a close follows. */
static void
loop_unregister(int fd, int tell_kernel)
{
	struct loop_reg	*r;
	int		 i;

	if (fd < 0 || fd >= loop.nregs || !loop.regs[fd].used)
		return;
	r = &loop.regs[fd];
	loop_unwatch(r);
	if (r->in_epoll && tell_kernel)
		epoll_ctl(loop.epfd, EPOLL_CTL_DEL, fd, NULL);
	if (r->always) {
		for (i = 0; i < loop.nalways; i++) {
			if (loop.always[i] == fd) {
				loop.always[i] = loop.always[--loop.nalways];
				break;
			}
		}
	}
	r->used = r->in_epoll = r->always = 0;
	r->events = 0;
	r->fn = NULL;
	r->arg = NULL;
}

/* Forget a registered fd. */
void
loop_del_fd(int fd)
{
	loop_unregister(fd, 1);
}

/* Forget a registered fd that the caller closes next. */
void
loop_forget_fd(int fd)
{
	loop_unregister(fd, 0);
}

/* Add a one-shot timer. */
long long
loop_add_timer(long long ms, loop_timer_fn *fn, void *arg)
{
	struct loop_timer	*t = xcalloc(1, sizeof *t), **pp;

	t->id = ++loop.next_timer;
	t->due = loop_now() + (double)ms / 1000.0;
	t->fn = fn;
	t->arg = arg;
	for (pp = &loop.timers; *pp != NULL && (*pp)->due <= t->due;
	    pp = &(*pp)->next)
		continue;
	t->next = *pp;
	*pp = t;
	loop.ntimers++;
	return t->id;
}

/* Cancel a timer. */
void
loop_del_timer(long long id)
{
	struct loop_timer	**pp, *t;

	for (pp = &loop.timers; (t = *pp) != NULL; pp = &t->next) {
		if (t->id == id) {
			*pp = t->next;
			free(t);
			loop.ntimers--;
			return;
		}
	}
}

/* Watch at most n descriptors with poll() before moving to epoll. */
void
loop_set_poll_max(int n)
{
	loop.poll_max = n < 0 ? 0 : n;
	if (!loop.use_epoll && loop.nwatch > loop.poll_max)
		loop_go_epoll();
}

/* "poll" or "epoll": how the loop waits now. */
const char *
loop_backend(void)
{
	return loop.use_epoll ? "epoll" : "poll";
}

/* How many timers are pending. */
int
loop_timers(void)
{
	return loop.ntimers;
}

/* Add a before-sleep hook. */
int
loop_add_hook(loop_hook_fn *fn, void *arg)
{
	if (loop.nhooks == LOOP_MAX_HOOKS)
		return -1;
	loop.hooks[loop.nhooks].fn = fn;
	loop.hooks[loop.nhooks].arg = arg;
	loop.nhooks++;
	return 0;
}

/* Call every timer that is due, removing each before its call. */
static void
loop_fire_timers(void)
{
	double			 now = loop_now();
	struct loop_timer	*t;

	while ((t = loop.timers) != NULL && t->due <= now) {
		loop_timer_fn	*fn = t->fn;
		void		*arg = t->arg;
		long long	 id = t->id;

		loop.timers = t->next;
		loop.ntimers--;
		free(t);
		fn(id, arg);
	}
}

/* Call fd's callback with revents, if it is still registered as gen. */
static void
loop_dispatch(int fd, uint32_t gen, int revents)
{
	struct loop_reg	*r;

	if (fd < 0 || fd >= loop.nregs)
		return;
	r = &loop.regs[fd];
	/* Deleted, or deleted and registered again, by an earlier callback
	 * of this turn. */
	if (!r->used || r->gen != gen || r->events == 0)
		return;
	/* What is no longer asked for is not reported. */
	if (!(r->events & LOOP_READ))
		revents &= ~LOOP_RDHUP;
	revents &= r->events | LOOP_HUP | LOOP_ERR | LOOP_RDHUP;
	if (revents != 0)
		r->fn(fd, revents, r->arg);
}

/* Wait with poll() on the watched fds and dispatch what is ready;
 * returns how many were ready, or -1 if a signal interrupted the wait. */
static int
loop_poll(int timeout)
{
	int	i, n, ready, count = loop.nwatch;

	/* The registrations of this turn: a callback may delete an fd and
	 * register its number again before the next one is dispatched. */
	for (i = 0; i < count; i++) {
		int		 fd = loop.watch[i];
		struct loop_reg	*r = &loop.regs[fd];

		loop.pfds[i].fd = fd;
		loop.pfds[i].events = 0;
		if (r->events & LOOP_READ)
			loop.pfds[i].events |= POLLIN | POLLRDHUP;
		if (r->events & LOOP_WRITE)
			loop.pfds[i].events |= POLLOUT;
		loop.pfds[i].revents = 0;
		loop.pgens[i] = r->gen;
	}
	n = poll(loop.pfds, (nfds_t)count, timeout);
	if (n == -1) {
		if (errno == EINTR)
			return -1;
		if (errno == EINVAL) {
			/* More descriptors than RLIMIT_NOFILE now allows (it
			 * was lowered under us): epoll has no such limit. */
			loop_go_epoll();
			return -1;
		}
		util_fatal("poll: %s", strerror(errno));
	}
	ready = n;
	for (i = 0; i < count && n > 0; i++) {
		short	e = loop.pfds[i].revents;
		int	rev = 0;

		if (e == 0)
			continue;
		n--;
		if (e & POLLIN)
			rev |= LOOP_READ;
		if (e & POLLOUT)
			rev |= LOOP_WRITE;
		if (e & POLLHUP)
			rev |= LOOP_HUP;
		if (e & POLLERR)
			rev |= LOOP_ERR;
		/* A closed descriptor (standard input, say): a hang-up on
		 * every turn, as epoll's refusal gives. */
		if (e & POLLNVAL)
			rev |= LOOP_HUP | LOOP_ERR;
		if ((e & POLLRDHUP) && (e & POLLIN))
			rev |= LOOP_RDHUP;
		loop_dispatch(loop.pfds[i].fd, loop.pgens[i], rev);
	}
	return ready;
}

/* Wait with epoll and dispatch what is ready, then the descriptors
 * epoll cannot watch; returns how many were dispatched, or -1 if a
 * signal interrupted the wait. */
static int
loop_epoll(int timeout)
{
	struct epoll_event	evs[LOOP_MAX_EVENTS];
	int			n, i, ready;

	n = epoll_wait(loop.epfd, evs, LOOP_MAX_EVENTS, timeout);
	if (n == -1) {
		if (errno == EINTR)
			return -1;
		util_fatal("epoll_wait: %s", strerror(errno));
	}
	for (i = 0; i < n; i++) {
		uint32_t	e = evs[i].events;
		int		rev = 0;

		if (e & EPOLLIN)
			rev |= LOOP_READ;
		if (e & EPOLLOUT)
			rev |= LOOP_WRITE;
		if (e & EPOLLHUP)
			rev |= LOOP_HUP;
		if (e & EPOLLERR)
			rev |= LOOP_ERR;
		if ((e & EPOLLRDHUP) && (e & EPOLLIN))
			rev |= LOOP_RDHUP;
		loop_dispatch((int)(uint32_t)evs[i].data.u64,
		    (uint32_t)(evs[i].data.u64 >> 32), rev);
	}
	ready = n;
	/* Callbacks may delete from the list: walk a copy. */
	for (i = 0, n = 0; i < loop.nalways && n < LOOP_MAX_EVENTS; i++, n++)
		evs[n].data.u64 = ((uint64_t)loop.regs[loop.always[i]].gen
		    << 32) | (uint32_t)loop.always[i];
	for (i = 0; i < n; i++) {
		int	fd = (int)(uint32_t)evs[i].data.u64;

		loop_dispatch(fd, (uint32_t)(evs[i].data.u64 >> 32),
		    fd < loop.nregs && loop.regs[fd].always == 1 ?
		    (LOOP_READ | LOOP_WRITE) : (LOOP_HUP | LOOP_ERR));
	}
	return ready + n;
}

/* Wait at most timeout ms (-1: forever) and dispatch what is ready;
 * returns how many were, or -1 if a signal interrupted the wait. */
static int
loop_wait(int timeout)
{
	if (!loop.use_epoll)
		return loop_poll(timeout);
	return loop_epoll(timeout);
}

/* Run until the front end is done. */
void
loop_run(const struct loop_frontend *fe)
{
	int	timeout, n, i, want;

	loop.fe = fe;
	while (!fe->done(fe->arg)) {
		want = fe->want_input(fe->arg) ? LOOP_READ : 0;
		if (want != loop.stdin_watched) {
			if (loop.stdin_watched == -1)
				loop_add_fd(STDIN_FILENO, want, loop_on_stdin,
				    NULL);
			else
				loop_mod_fd(STDIN_FILENO, want);
			loop.stdin_watched = want;
		}

		/* Idle costs nothing: no timeout unless someone needs one. */
		timeout = -1;
		for (i = 0; i < loop.nhooks; i++)
			loop.hooks[i].fn(&timeout, loop.hooks[i].arg);
		fe->before_sleep(&timeout, fe->arg);
		if (fe->done(fe->arg))
			break;
		if (loop.timers != NULL) {
			double	left = (loop.timers->due - loop_now()) * 1000.0;
			int	ms = left <= 0 ? 0 : (int)left + 1;

			if (timeout < 0 || ms < timeout)
				timeout = ms;
		}
		for (i = 0; i < loop.nalways; i++) {
			if (loop.regs[loop.always[i]].events != 0)
				timeout = 0;
		}

		if (fe->deferred != NULL && fe->deferred(fe->arg)) {
			/*
			 * Work that can wait for a quiet moment (output):
			 * look first.  If something is ready, this turn
			 * goes to it, and the work waits; only a wait that
			 * would find nothing does it first.  A client that
			 * connects and sends at once is served before the
			 * line saying it was accepted is written.
			 */
			n = loop_wait(0);
			if (n == 0) {
				fe->before_block(fe->arg);
				if (timeout != 0)
					n = loop_wait(timeout);
			}
		} else
			n = loop_wait(timeout);
		if (n == -1)
			continue;
		loop_fire_timers();
	}
	loop.fe = NULL;
}
