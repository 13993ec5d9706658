/*
 * batch.c: batch mode, the front end used without a terminal.  Reads input
 * lines from standard input and hands them to app.c; writes every event's
 * transcript (text or JSON Lines) to standard output, buffered and flushed
 * when the loop would sleep; writes messages for the user to standard error.
 * Called by main.c.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockscope/app.h"
#include "sockscope/batch.h"
#include "sockscope/conn.h"
#include "sockscope/evlog.h"
#include "sockscope/httpview.h"
#include "sockscope/loop.h"
#include "sockscope/net.h"
#include "sockscope/serve.h"
#include "sockscope/transcript.h"
#include "sockscope/util.h"

/* Input without a newline for this long is sent as it is. */
#define BATCH_LINE_MAX (1024 * 1024)

/* Stop reading input while this much waits to be sent. */
#define BATCH_QUEUE_HIGH (4 * 1024 * 1024)

/* Write the transcript once this much is buffered, even mid-turn. */
#define BATCH_FLUSH_AT (256 * 1024)

/* Between turns, keep less than this for a moment with nothing to do
 * (loop_frontend's before_block), but never longer than BATCH_HOLD_S. */
#define BATCH_HOLD_MAX (64 * 1024)
#define BATCH_HOLD_S 0.01

static struct {
	const struct batch_opts	*o;
	struct sbuf		 out;		/* transcript not yet written */
	struct sbuf		 in;		/* input not yet a whole line */
	size_t			 scanned;	/* of in, searched for '\n' */
	int			 signal;	/* a terminating signal came */
	int			 out_broken;	/* stdout is gone (EPIPE) */
	struct sbuf		 last_error;	/* of the command-line target */
	int			 input_ended;	/* standard input is over */
	int			 peer_reset;	/* a peer reset a connection */
	int			 out_failed;	/* writing the transcript failed */
	int			 accepted;	/* connections accepted so far */
	double			 held_since;	/* out became non-empty */
} batch;

/* Write out the buffered transcript. */
static void
batch_flush(void)
{
	size_t	off = 0;
	ssize_t	r;

	while (off < batch.out.len && !batch.out_broken) {
		r = write(STDOUT_FILENO, batch.out.p + off, batch.out.len - off);
		if (r > 0)
			off += (size_t)r;
		else if (r == -1 && errno == EINTR)
			continue;
		else if (r == -1 && errno == EAGAIN) {
			/* Non-blocking stdout (inherited): wait for room. */
			struct pollfd	p = { STDOUT_FILENO, POLLOUT, 0 };

			poll(&p, 1, -1);
		} else {
			/*
			 * A full disk, a reader that left: the transcript is
			 * incomplete, so say it once and end with status 1.
			 */
			int	err = r == -1 ? errno : EIO;

			batch.out_broken = 1;
			batch.out_failed = 1;
			fprintf(stderr, "sockscope: cannot write the transcript "
			    "to standard output: %s (%s)\n", strerror(err),
			    evlog_errname(err));
		}
	}
	sbuf_reset(&batch.out);
}

/* Output is about to be added: note when the buffer stopped being
 * empty (how long it has been held). */
static inline void
batch_out_start(void)
{
	if (batch.out.len == 0)
		batch.held_since = loop_now();
}

/* A reaction: the peer finished and so did our input: half-close. */
static void
batch_half_close(int id, void *arg)
{
	const struct conn	*c = net_conn(id);
	char			*cause = NULL;

	(void)arg;
	/* Still worth it only if nothing closed it meanwhile. */
	if (c == NULL || !conn_is_open(c) || c->eof_out || c->shutdown_pending)
		return;
	net_shutdown(id, &cause);
	free(cause);
}

/* Write an event's transcript; note what batch mode's rules need. */
static void
batch_event(const struct ev *e, void *arg)
{
	(void)arg;
	if (e->kind == EV_ACCEPTED)
		batch.accepted++;
	if (e->kind == EV_RESET && e->by_peer)
		batch.peer_reset = 1;
	if (e->kind == EV_EOF && batch.input_ended &&
	    serve_conn_kind(e->conn) == NULL) {
		/*
		 * Batch input over and the peer done: nothing can follow.
		 * Half-close (after the queue drains; the socket closes
		 * then), once this event has been handled everywhere.
		 */
		app_later(batch_half_close, e->conn, NULL);
	}
	if (e->kind == EV_ERROR && e->conn <= 1 && e->listener <= 1) {
		sbuf_reset(&batch.last_error);
		evlog_error_text(&batch.last_error, e);
	}
	batch_out_start();
	transcript_event(&batch.o->tr, &batch.out, e);
	if (batch.out.len >= BATCH_FLUSH_AT)
		batch_flush();
}

/* Print a message for the user on standard error. */
static void
batch_message(int error, const char *text, void *arg)
{
	(void)arg;
	/* Keep the transcript and the message in the order they happened. */
	batch_flush();
	if (error)
		fprintf(stderr, "sockscope: %s\n", text);
	else
		fprintf(stderr, "%s\n", text);
}

/* An HTTP head on a connection: with --json, an "http" event line. */
static void
batch_http(double t, int conn, const struct httpview_msg *m, void *arg)
{
	(void)arg;
	if (batch.o->tr.format != TRANSCRIPT_JSON)
		return;
	batch_out_start();
	httpview_json(&batch.out, t, conn, m);
	if (batch.out.len >= BATCH_FLUSH_AT)
		batch_flush();
}

/* A socket call: with --json a "call" line, with --notation its
 * narration (the event that follows adds only its data rows). */
static void
batch_record(const struct sysrec *r, void *arg)
{
	(void)arg;
	batch_out_start();
	transcript_call(&batch.o->tr, &batch.out, r);
	if (batch.out.len >= BATCH_FLUSH_AT)
		batch_flush();
}

/* HTTP is decoded for --json's "http" lines, and for /respond (it
 * answers HEAD without a body) while input may still bring one. */
static int
batch_wants_http(void *arg)
{
	(void)arg;
	return batch.o->tr.format == TRANSCRIPT_JSON || !batch.input_ended;
}

const struct app_frontend batch_app_frontend = {
	batch_event,
	batch_message,
	NULL,
	NULL,
	batch_http,
	batch_record,
	batch_wants_http
};

/* If the focused connection has ended, focus the newest open one (the
 * screen leaves focus to the user instead). */
static void
batch_refocus(void)
{
	const struct conn	*c = net_conn(app.focus);
	int			 id;

	if (c != NULL && conn_is_open(c))
		return;
	for (id = net_conn_max(); id >= 1; id--) {
		if (net_conn(id) != NULL && conn_is_open(net_conn(id))) {
			app_focus(id, NULL);
			return;
		}
	}
}

/* Standard input ended: in connect mode, finish sending (SPEC 3). */
static void
batch_input_ended(void)
{
	int	id;

	if (batch.input_ended)
		return;
	batch.input_ended = 1;
	/* Nobody is left to type /recv: receive to the end by ourselves. */
	if (!net_auto())
		net_set_auto(1);
	for (id = 1; id <= net_conn_max(); id++) {
		const struct conn	*c = net_conn(id);
		char			*cause = NULL;

		if (c == NULL || !conn_is_open(c))
			continue;
		if (serve_conn_kind(id) != NULL) {
			/* A responder ends it (serve.c). */
		} else if (batch.o->listen_mode) {
			/* Only connections the peer already finished end,
			 * after what is queued for them is sent. */
			if (c->state == CONN_EOF_RECEIVED && !c->shutdown_pending)
				net_shutdown(id, &cause);
		} else if (!c->eof_out && !c->shutdown_pending)
			net_shutdown(id, &cause);
		free(cause);
	}
}

/* Read input only when a line could go somewhere. */
static int
batch_want_input(void *arg)
{
	const struct conn	*c;

	(void)arg;
	if (batch.input_ended)
		return 0;
	batch_refocus();
	c = net_conn(app.focus);
	if (c != NULL && c->state == CONN_CONNECTING) {
		/* Like nc: input waits until the connection is up. */
		return 0;
	}
	if (c != NULL && c->qlen >= BATCH_QUEUE_HIGH) {
		/* The peer is slow: let the pipe wait instead of our memory. */
		return 0;
	}
	if (net_open_listeners() > 0 && !net_accept_manual()) {
		/* Like nc -l: input waits until a client is connected (with
		 * --manual-accept, /accept is what connects one). */
		c = net_conn(app.focus);
		return c != NULL && conn_is_open(c);
	}
	return 1;
}

/* Run every whole line in the input buffer. */
static void
batch_lines(int final)
{
	size_t	start = 0, i;

	/* Bytes before batch.scanned were searched for '\n' already. */
	for (i = batch.scanned; i < batch.in.len && !app.quit; i++) {
		if (batch.in.p[i] != '\n')
			continue;
		app_exec(batch.in.p + start, i - start);
		start = i + 1;
	}
	if (!app.quit && start < batch.in.len &&
	    (final || batch.in.len - start >= BATCH_LINE_MAX)) {
		/*
		 * A last line without a newline is still a line.  Input
		 * with no newline for a long time is data, not a command:
		 * send it as it is, as nc would, instead of growing.
		 */
		if (final)
			app_exec(batch.in.p + start, batch.in.len - start);
		else
			app_send_raw(batch.in.p + start, batch.in.len - start);
		start = batch.in.len;
	}
	memmove(batch.in.p, batch.in.p + start, batch.in.len - start);
	batch.in.len -= start;
	batch.scanned = batch.in.len;
}

/* Standard input is readable. */
static void
batch_on_input(short revents, void *arg)
{
	char	*p;
	ssize_t	 r;

	(void)revents;	/* read() tells EOF and errors itself */
	(void)arg;
	p = sbuf_reserve(&batch.in, 65536);
	r = read(STDIN_FILENO, p, 65536);
	if (r == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r > 0) {
		batch.in.len += (size_t)r;
		batch_lines(0);
		return;
	}
	batch_lines(1);
	batch_input_ended();
}

/* Terminating signals end the run; others mean nothing here. */
static void
batch_on_signal(int sig, void *arg)
{
	(void)arg;
	if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT)
		batch.signal = sig;
}

/*
 * Before sleeping: write the transcript, unless a little of it can wait
 * for the loop's next quiet moment (batch_before_block).  A short
 * connection then costs one write() instead of two, and the one comes
 * after the reply: a burst is served first and written after.  Held
 * output is written within BATCH_HOLD_S even if events never stop.
 */
static void
batch_before_sleep(int *timeout_ms, void *arg)
{
	(void)timeout_ms;
	(void)arg;
	if (batch.out.len > 0 && batch.out.len < BATCH_HOLD_MAX &&
	    !batch.out_broken && loop_now() - batch.held_since < BATCH_HOLD_S)
		return;
	batch_flush();
	app_log_flush();
}

/* Nonzero while transcript output is held for a quiet moment. */
static int
batch_deferred(void *arg)
{
	(void)arg;
	return batch.out.len > 0;
}

/* The loop has nothing ready: write what was held. */
static void
batch_before_block(void *arg)
{
	(void)arg;
	batch_flush();
	app_log_flush();
}

/* Nonzero once batch mode has nothing left to do (SPEC 3). */
static int
batch_finished(void)
{
	if (app.quit)
		return 1;
	if (net_open_conns() > 0)
		return 0;
	if (net_open_listeners() > 0) {
		/* Listening: done after the clients, unless -k. */
		return !batch.o->keep_listening && batch.accepted > 0;
	}
	/* Nothing open: done when input ended or a connection existed. */
	return batch.input_ended || net_conn_max() > 0;
}

/* Nonzero when batch mode has finished.  The loop asks first each turn,
 * so reactions to the last turn's events run here, before the answer. */
static int
batch_done(void *arg)
{
	(void)arg;
	app_run_later();
	return batch.signal != 0 || batch.out_broken || batch_finished();
}

/* Remember the options; call before the first event. */
void
batch_init(const struct batch_opts *o)
{
	batch.o = o;
}

/* Run batch mode to the end; returns the exit status. */
int
batch_run(void)
{
	struct loop_frontend	fe = {
		.want_input = batch_want_input,
		.on_input = batch_on_input,
		.on_signal = batch_on_signal,
		.before_sleep = batch_before_sleep,
		.done = batch_done,
		.deferred = batch_deferred,
		.before_block = batch_before_block,
	};

	loop_run(&fe);
	if (batch.signal != 0 || batch.input_ended) {
		/* Leaving: what is still queued is dropped, and said so. */
		app_close_all();
	}
	batch_flush();
	if (batch.signal != 0)
		return 128 + batch.signal;
	/* A reset or a lost transcript is a failure, not a normal end. */
	if (batch.peer_reset || batch.out_failed || app_log_flush() != 0)
		return 1;
	return 0;
}

/* The command-line target failed: say why on standard error; returns 1. */
int
batch_fail(void)
{
	batch_flush();
	if (batch.last_error.len > 0)
		fprintf(stderr, "sockscope: %s\n", batch.last_error.p);
	return 1;
}

/* Release batch mode's buffers. */
void
batch_free(void)
{
	sbuf_free(&batch.out);
	sbuf_free(&batch.in);
	sbuf_free(&batch.last_error);
}
