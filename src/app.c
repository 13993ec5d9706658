/*
 * app.c: what the program does with an input line and with each socket
 * event, for batch mode and the full screen alike.  Owns struct app: the
 * focused connection, the end-of-line, the chunk store and event log the
 * screen draws from, the -o log file, the list of event subscribers and
 * the reactions waiting to run.  Called by batch.c and the screen (input
 * lines, setters) and by net.c (events, through app_on_event()).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockscope/app.h"
#include "sockscope/cmd.h"
#include "sockscope/conn.h"
#include "sockscope/httpresp.h"
#include "sockscope/httpview.h"
#include "sockscope/loop.h"
#include "sockscope/net.h"
#include "sockscope/serve.h"
#include "sockscope/textesc.h"
#include "sockscope/util.h"

/* The transport /connect and /listen use (app_set_transport()). */
static enum net_transport app_transport = NET_TCP;
/* Makes the TLS client contexts before a TLS /connect (app_set_tls_hook()). */
static int (*app_tls_hook)(char **cause);

/* Event lines kept for the Events pane. */
#define APP_EVLOG_LINES 10000

struct app app;

static app_event_fn app_store_event;
static app_event_fn app_evlog_event;
static app_event_fn app_log_event;
static app_event_fn app_focus_event;
static app_event_fn app_queue_event;
static app_event_fn app_http_event;
static httpview_head_fn app_http_head;
static struct app_out *app_out(int);

/* Set up the app state and its subscribers. */
void
app_init(const struct app_frontend *fe, enum cmd_eol eol, size_t scrollback,
    FILE *log, const char *log_name, const struct transcript *log_tr)
{
	memset(&app, 0, sizeof app);
	app.fe = fe;
	app.eol = eol;
	app.log = log;
	if (log_tr != NULL)
		app.log_tr = *log_tr;
	else
		app.log_tr.format = TRANSCRIPT_TEXT;
	app.log_name = log_name != NULL ? textesc_quote_str(log_name) : NULL;
	store_init(&app.store, scrollback);
	/* Batch mode (nothing to scroll back through) keeps no event lines. */
	evlog_init(&app.evlog, scrollback > 0 ? APP_EVLOG_LINES : 0);

	app_subscribe(app_store_event, NULL);
	if (app.evlog.cap > 0)
		app_subscribe(app_evlog_event, NULL);
	if (app.log != NULL)
		app_subscribe(app_log_event, NULL);
	app_subscribe(app_focus_event, NULL);
	app_subscribe(app_queue_event, NULL);
	/* The front end sees the event after the state it draws from. */
	if (fe->event != NULL)
		app_subscribe(fe->event, fe->arg);
	/* Last: an http head is written after the recv that carried it. */
	httpview_init(&app.http, app_http_head, NULL);
	app_subscribe(app_http_event, NULL);
}

/* Release the app state (the log file is flushed, not closed). */
void
app_free(void)
{
	app_log_flush();
	serve_free();
	store_free(&app.store);
	evlog_free(&app.evlog);
	httpview_free(&app.http);
	sbuf_free(&app.log_buf);
	free(app.later);
	free(app.log_name);
	free(app.out);
	sbuf_free(&app.quit_notes);
	app.out = NULL;
	app.nout = 0;
	app.later = NULL;
	app.log_name = NULL;
	app.nlater = app.later_cap = 0;
}

/* Change the front end (the screen has ended: messages go elsewhere). */
void
app_set_frontend(const struct app_frontend *fe)
{
	size_t	i;

	for (i = 0; i < app.nsub; i++) {
		if (app.sub[i].fn == app.fe->event &&
		    app.sub[i].arg == app.fe->arg) {
			app.sub[i].fn = fe->event;
			app.sub[i].arg = fe->arg;
		}
	}
	app.fe = fe;
}

/* Add an event subscriber after those already there. */
void
app_subscribe(app_event_fn *fn, void *arg)
{
	if (app.nsub == APP_SUBSCRIBERS_MAX)
		util_fatal("too many event subscribers");
	app.sub[app.nsub].fn = fn;
	app.sub[app.nsub].arg = arg;
	app.nsub++;
}

/* Queue a reaction to run after the emitting call returned. */
void
app_later(app_later_fn *fn, int id, void *arg)
{
	if (app.nlater == app.later_cap) {
		app.later_cap = app.later_cap == 0 ? 8 : app.later_cap * 2;
		app.later = xrealloc(app.later,
		    app.later_cap * sizeof *app.later);
	}
	app.later[app.nlater].fn = fn;
	app.later[app.nlater].id = id;
	app.later[app.nlater].arg = arg;
	app.nlater++;
}

/* Run the queued reactions, oldest first, including any they queue. */
void
app_run_later(void)
{
	size_t	i;

	for (i = 0; i < app.nlater; i++) {
		/* Copied: the reaction may queue more and move the array. */
		struct app_later	l = app.later[i];

		l.fn(l.id, l.arg);
	}
	app.nlater = 0;
}

/* Tell the user something through the front end. */
static void
app_message(int error, const char *text)
{
	size_t	n = strlen(text);
	char	*copy;

	/* Front ends add their own line ends. */
	while (n > 0 && text[n - 1] == '\n')
		n--;
	copy = xstrndup(text, n);
	app.fe->message(error, copy, app.fe->arg);
	free(copy);
}

/* Tell the user about a refused request and free the cause. */
static int
app_refuse(char *cause)
{
	app_message(1, cause);
	free(cause);
	return -1;
}

/* Write out what the -o log buffer holds; a failure is said once. */
static void
app_log_write(void)
{
	if (app.log == NULL || app.log_failed || app.log_buf.len == 0)
		return;
	if (fwrite(app.log_buf.p, 1, app.log_buf.len, app.log) !=
	    app.log_buf.len || ferror(app.log))
		app_log_flush();
	sbuf_reset(&app.log_buf);
}

/* Flush the -o log; returns -1 once a write to it has failed. */
int
app_log_flush(void)
{
	char	*msg;
	int	 err;

	if (app.log == NULL)
		return 0;
	if (app.log_failed)
		return -1;
	errno = 0;
	if (fflush(app.log) == 0 && !ferror(app.log))
		return 0;
	err = errno != 0 ? errno : EIO;
	app.log_failed = 1;
	msg = xasprintf("cannot write to log '%s': %s (%s); the log is "
	    "incomplete", app.log_name != NULL ? app.log_name : "?",
	    strerror(err), evlog_errname(err));
	app_message(1, msg);
	free(msg);
	return -1;
}

/* Subscriber: keep the data of sends and receives for viewing. */
static void
app_store_event(const struct ev *e, void *arg)
{
	(void)arg;
	if (e->kind == EV_RECV || e->kind == EV_SEND) {
		store_add(&app.store, e->conn,
		    e->kind == EV_RECV ? STORE_IN : STORE_OUT, e->chunk,
		    e->offset, e->t, e->kind == EV_RECV ? e->asked : 0,
		    e->data, e->len);
	}
	/* EOF, shutdown, resets and errors show in the data panes too. */
	store_mark_event(&app.store, e);
}

/* Subscriber: a line in the Events pane (the screen only). */
static void
app_evlog_event(const struct ev *e, void *arg)
{
	(void)arg;
	/* Calls are narrated from their records (app_on_record()). */
	if (app.recording && evlog_ev_is_call(e))
		return;
	evlog_add(&app.evlog, e);
}

/* Subscriber: the -o log, in the transcript's format. */
static void
app_log_event(const struct ev *e, void *arg)
{
	(void)arg;
	if (app.log_failed)
		return;
	sbuf_reset(&app.log_buf);
	if (transcript_event(&app.log_tr, &app.log_buf, e))
		app_log_write();
}

/*
 * Subscriber: a new connection takes focus when nothing useful has it:
 * no focus yet, or the focused connection has ended (CLOSED, RESET or
 * FAILED; SPEC 14).  An open focused connection keeps it, unless /follow
 * is on: then a connection takes focus when its peer sends its first
 * bytes (an accepted one) or at once (one we connect).
 */
static void
app_focus_event(const struct ev *e, void *arg)
{
	const struct conn	*c;

	(void)arg;
	if (e->kind == EV_RECV && e->chunk == 1 && e->conn != app.focus) {
		/*
		 * A connection's first bytes: with /follow on it takes focus
		 * (a browser's preconnect, accepted long before, becomes
		 * the one to answer once it carries a request); without,
		 * only when the focused one has ended.
		 */
		c = net_conn(app.focus);
		if (app.follow || c == NULL || !conn_is_open(c))
			app.focus = e->conn;
		return;
	}
	if (e->kind != EV_ACCEPTED && e->kind != EV_CONNECTING)
		return;
	c = net_conn(app.focus);
	if (c == NULL || !conn_is_open(c))
		app.focus = e->conn;
	else if (app.follow && e->kind == EV_CONNECTING)
		app.focus = e->conn;
}

/* Subscriber: HTTP decoders per connection (the HTTP view, the first
 * request line in the Connections pane, --json's http events). */
static void
app_http_event(const struct ev *e, void *arg)
{
	(void)arg;
	/* Decoding costs more than the rest of a short connection's work:
	 * skip the bytes when nothing can read the result (ends and closes
	 * still reach the view, so that it forgets what it holds). */
	if ((e->kind == EV_RECV || e->kind == EV_SEND) &&
	    app.fe->wants_http != NULL && !app.fe->wants_http(app.fe->arg) &&
	    (app.log == NULL || app.log_tr.format != TRANSCRIPT_JSON))
		return;
	httpview_event(&app.http, e);
}

/* A head was decoded: the front end, and the -o log in JSON. */
static void
app_http_head(double t, int conn, const struct httpview_msg *m, void *arg)
{
	(void)arg;
	if (app.log != NULL && !app.log_failed &&
	    app.log_tr.format == TRANSCRIPT_JSON) {
		sbuf_reset(&app.log_buf);
		httpview_json(&app.log_buf, t, conn, m);
		app_log_write();
	}
	if (app.fe->http != NULL)
		app.fe->http(t, conn, m, app.fe->arg);
}

/* Every new connection takes focus (on), or only when nothing open has
 * it (off). */
void
app_set_follow(int on)
{
	app.follow = on;
}

/* Pass an event to every subscriber, in the order they subscribed. */
void
app_on_event(const struct ev *e, void *arg)
{
	size_t	i;

	(void)arg;
	for (i = 0; i < app.nsub; i++) {
		if (app.sub[i].fn != NULL)
			app.sub[i].fn(e, app.sub[i].arg);
	}
}

/* The connection a command acts on: its #ID, or the focused one. */
static int
app_target(const struct cmd *c, char **cause)
{
	int	id = c->conn != 0 ? c->conn : app.focus;

	if (id == 0) {
		*cause = xstrdup("no connection yet: /connect HOST PORT, or "
		    "wait for a client on a listener");
		return 0;
	}
	if (net_conn(id) == NULL) {
		*cause = xasprintf("no connection #%d", id);
		return 0;
	}
	return id;
}

/* Send bytes to the focused connection. */
static int
app_send(const unsigned char *p, size_t n, int add_eol)
{
	struct cmd	 none;
	char		*cause = NULL;
	const char	*eol = add_eol ? cmd_eol_bytes(app.eol) : "";
	size_t		 eol_len = strlen(eol);
	int		 id, rc;

	memset(&none, 0, sizeof none);
	id = app_target(&none, &cause);
	if (id == 0)
		return app_refuse(cause);
	if (eol_len == 0 && n == 0)
		return 0;
	/*
	 * Counted before the call: net_send() may try send() at once, and a
	 * reset it meets closes the connection (with its events) before it
	 * returns.  A refusal queued nothing, so it takes the count back.
	 */
	app_out(id)->handed += n + eol_len;
	if (eol_len == 0)
		rc = net_send(id, p, n, &cause);
	else {
		/* One queue entry, so line and end-of-line leave together. */
		unsigned char	*buf = xmalloc(n + eol_len);

		if (n > 0)
			memcpy(buf, p, n);
		memcpy(buf + n, eol, eol_len);
		rc = net_send(id, buf, n + eol_len, &cause);
		free(buf);
	}
	if (rc != 0) {
		app_out(id)->handed -= n + eol_len;
		return app_refuse(cause);
	}
	return 0;
}

/* What app.c knows of connection id's output (grown on demand). */
static struct app_out *
app_out(int id)
{
	size_t	old = app.nout;

	if (id <= 0)
		util_fatal("bad connection id %d", id);
	if ((size_t)id >= app.nout) {
		app.nout = (size_t)id * 2 + 16;
		app.out = xrealloc(app.out, app.nout * sizeof *app.out);
		memset(app.out + old, 0, (app.nout - old) * sizeof *app.out);
	}
	return &app.out[id];
}

/* Closing dropped what was still queued: never silently.  Said on the
 * screen (or standard error) and in the -o log. */
static void
app_note_dropped(int id, uint64_t n, const char *why)
{
	char	*msg;

	if (n == 0)
		return;
	msg = xasprintf("#%d: %" PRIu64 " queued byte%s never sent (%s)", id,
	    n, n == 1 ? " was" : "s were", why);
	app_message(1, msg);
	if (app.quit)
		sbuf_printf(&app.quit_notes, "sockscope: %s\n", msg);
	free(msg);
	if (app.log != NULL && !app.log_failed) {
		sbuf_reset(&app.log_buf);
		transcript_dropped(&app.log_tr, &app.log_buf, loop_now(), id,
		    (size_t)n);
		app_log_write();
	}
}

/*
 * Subscriber: when a connection closes, the bytes handed to the engine
 * for it that send() never took were dropped; say how many, and why
 * (closed by us while the peer was not reading, reset by the peer, or
 * closed by the engine), whoever closed it.  Counting what was handed
 * against the closing event's out_bytes does not depend on when the
 * engine updates its queue.
 */
static void
app_queue_event(const struct ev *e, void *arg)
{
	struct app_out	*o;
	uint64_t	 n;

	(void)arg;
	if (e->conn == 0 || (e->kind != EV_RESET && e->kind != EV_CLOSED))
		return;
	o = app_out(e->conn);
	if (e->kind == EV_RESET) {
		if (e->by_peer)
			o->reset_by_peer = 1;
		return;
	}
	n = o->handed > e->out_bytes ? o->handed - e->out_bytes : 0;
	o->handed = e->out_bytes;
	app_note_dropped(e->conn, n, o->closing ? "the peer was not reading" :
	    o->reset_by_peer ? "the peer reset the connection" :
	    "the connection closed");
}

/* Close connection id; the subscriber says what that dropped. */
static int
app_close(int id, int reset, char **cause)
{
	int	rc;

	app_out(id)->closing = 1;
	rc = reset ? net_reset(id, cause) : net_close(id, cause);
	app_out(id)->closing = 0;
	return rc;
}

/* Send bytes to the focused connection as they are: no parsing, no eol. */
int
app_send_raw(const void *p, size_t n)
{
	return app_send(p, n, 0);
}

/* Focus connection id. */
int
app_focus(int id, char **cause)
{
	if (net_conn(id) == NULL) {
		if (cause != NULL)
			*cause = xasprintf("no connection #%d", id);
		return -1;
	}
	app.focus = id;
	return 0;
}

/*
 * Read a whole regular file of at most HTTPRESP_FILE_MAX bytes into out
 * for /respond @FILE and /sendfile.  Returns 0, or -1 with *cause set to
 * one line naming the command, the file and the problem.
 */
static int
app_read_file(const char *what, const char *path, struct sbuf *out,
    char **cause)
{
	struct stat	 st;
	char		*q = textesc_quote_str(path);
	ssize_t		 r;
	int		 fd, err;

	fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		err = errno;
		*cause = xasprintf("%s: cannot open '%s': %s (%s)", what, q,
		    strerror(err), evlog_errname(err));
		goto fail;
	}
	if (fstat(fd, &st) == -1) {
		err = errno;
		*cause = xasprintf("%s: cannot read '%s': %s (%s)", what, q,
		    strerror(err), evlog_errname(err));
		goto fail_fd;
	}
	if (S_ISDIR(st.st_mode)) {
		*cause = xasprintf("%s: '%s' is a directory, not a file", what,
		    q);
		goto fail_fd;
	}
	if (!S_ISREG(st.st_mode)) {
		/* A FIFO or a device could block or never end. */
		*cause = xasprintf("%s: '%s' is not a regular file", what, q);
		goto fail_fd;
	}
	if ((unsigned long long)st.st_size > HTTPRESP_FILE_MAX) {
		*cause = xasprintf("%s: '%s' is %llu bytes; at most %u (16 "
		    "MiB) can be sent this way", what, q,
		    (unsigned long long)st.st_size, HTTPRESP_FILE_MAX);
		goto fail_fd;
	}
	for (;;) {
		char	*p = sbuf_reserve(out, 65536);

		r = read(fd, p, 65536);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			err = errno;
			*cause = xasprintf("%s: cannot read '%s': %s (%s)",
			    what, q, strerror(err), evlog_errname(err));
			goto fail_fd;
		}
		if (r == 0)
			break;
		out->len += (size_t)r;
		out->p[out->len] = '\0';
		/* It grew while we read: the bound holds anyway. */
		if (out->len > HTTPRESP_FILE_MAX) {
			*cause = xasprintf("%s: '%s' grew past %u bytes (16 "
			    "MiB) while being read", what, q,
			    HTTPRESP_FILE_MAX);
			goto fail_fd;
		}
	}
	close(fd);
	free(q);
	return 0;
fail_fd:
	close(fd);
fail:
	free(q);
	return -1;
}

/*
 * /respond: an HTTP/1.1 response to the focused connection through the
 * normal send path; with Connection: close it half-closes once sent, as
 * the header promises.
 */
static int
app_respond(const struct cmd *c)
{
	struct sbuf	 body = { 0 }, resp = { 0 };
	const char	*type = HTTPRESP_TEXT_TYPE, *method;
	char		*cause = NULL;
	int		 id, status = (int)c->n, rc;

	if ((id = app_target(c, &cause)) == 0)
		return app_refuse(cause);
	if (httpresp_bodyless(status) && (c->path != NULL || c->data != NULL))
		return app_refuse(xasprintf("/respond: a %d response has no "
		    "body: leave out the TEXT or FILE", status));
	if (c->path != NULL) {
		if (app_read_file("/respond", c->path, &body, &cause) != 0) {
			sbuf_free(&body);
			return app_refuse(cause);
		}
		type = httpresp_type(c->path);
	} else if (c->data != NULL)
		sbuf_add(&body, c->data, c->len);
	else if (!httpresp_bodyless(status))
		sbuf_printf(&body, "%d %s\n", status, httpresp_reason(status));
	/* The answer to HEAD says what GET would get, without the body. */
	method = httpview_next_method(&app.http, id);
	httpresp_build(&resp, status, type, body.p, body.len, c->on,
	    method != NULL && strcmp(method, "HEAD") == 0);
	sbuf_free(&body);
	rc = app_send((const unsigned char *)resp.p, resp.len, 0);
	sbuf_free(&resp);
	if (rc != 0 || c->on)
		return rc;
	/* Queued behind the response: the client reads it, then EOF. */
	if (net_conn(id) != NULL && conn_is_open(net_conn(id)) &&
	    net_shutdown(id, &cause) != 0)
		free(cause);
	return 0;
}

/* /sendfile: a file's bytes as they are. */
static int
app_sendfile(const struct cmd *c)
{
	struct sbuf	 body = { 0 };
	char		*cause = NULL;
	int		 rc;

	if (app_target(c, &cause) == 0)
		return app_refuse(cause);
	if (app_read_file("/sendfile", c->path, &body, &cause) != 0) {
		sbuf_free(&body);
		return app_refuse(cause);
	}
	rc = app_send((const unsigned char *)body.p, body.len, 0);
	sbuf_free(&body);
	return rc;
}

/* /serve KIND [ADDR] PORT: a listener whose connections a responder
 * answers (serve.c). */
static void
app_serve(const struct cmd *c)
{
	int	lid;

	serve_init();
	lid = net_listen(c->host, c->port);
	if (lid > 0)
		serve_listener(lid, (enum responder_kind)c->n);
}

/* Run a parsed command. */
static int
app_run(const struct cmd *c)
{
	char	*cause = NULL;
	int	 id, rc = 0;

	switch (c->kind) {
	case CMD_EMPTY:
		/* Enter on an empty line sends the end-of-line, as telnet. */
		return app_send(NULL, 0, 1);
	case CMD_LINE:
		return app_send(c->data, c->len, 1);
	case CMD_SEND:
	case CMD_HEX:
		return app_send(c->data, c->len, 0);
	case CMD_RECV:
		if ((id = app_target(c, &cause)) == 0)
			return app_refuse(cause);
		rc = net_recv(id, c->n, &cause);
		break;
	case CMD_AUTO:
		net_set_auto(c->on);
		break;
	case CMD_RECVSIZE:
		net_set_recv_size(c->n);
		break;
	case CMD_EOL:
		app.eol = c->eol;
		break;
	case CMD_SHUTDOWN:
		if ((id = app_target(c, &cause)) == 0)
			return app_refuse(cause);
		rc = net_shutdown(id, &cause);
		break;
	case CMD_RESET:
		if ((id = app_target(c, &cause)) == 0)
			return app_refuse(cause);
		rc = app_close(id, 1, &cause);
		break;
	case CMD_CLOSE:
		if (c->listener != 0) {
			rc = net_close_listener(c->listener, &cause);
			break;
		}
		if ((id = app_target(c, &cause)) == 0)
			return app_refuse(cause);
		rc = app_close(id, 0, &cause);
		break;
	case CMD_ACCEPT:
		rc = net_accept_one(c->listener, &cause);
		break;
	case CMD_CONN:
		rc = app_focus(c->conn, &cause);
		break;
	case CMD_CONNECT:
		if ((c->tls || app_transport == NET_TLS) &&
		    app_tls_hook != NULL && app_tls_hook(&cause) != 0) {
			char	*why = xasprintf("/connect: TLS: %s", cause);

			free(cause);
			return app_refuse(why);
		}
		id = net_connect_ex(c->host, c->port, c->tls ? NET_TLS :
		    app_transport);
		if (id > 0)
			app.focus = id;
		break;
	case CMD_LISTEN:
		net_listen_ex(c->host, c->port, app_transport);
		break;
	case CMD_SERVE:
		app_serve(c);
		break;
	case CMD_VIEW:
		if (app.fe->view == NULL) {
			app_message(0, "/view changes the full screen only");
			break;
		}
		/* /view pair #A #B: connections that exist, or nothing. */
		if ((c->conn > 0 && net_conn(c->conn) == NULL) ||
		    (c->conn2 > 0 && net_conn(c->conn2) == NULL)) {
			return app_refuse(xasprintf("/view pair: no connection "
			    "#%d", c->conn > 0 && net_conn(c->conn) == NULL ?
			    c->conn : c->conn2));
		}
		app.fe->view(c->view, c->conn, c->conn2, app.fe->arg);
		break;
	case CMD_CLEAR:
		if ((id = app_target(c, &cause)) == 0)
			return app_refuse(cause);
		store_clear_conn(&app.store, id);
		break;
	case CMD_HELP:
		app_message(0, c->topic != NULL ? cmd_help(c->topic) :
		    cmd_help_all());
		break;
	case CMD_QUIT:
		app_close_all();
		break;
	case CMD_RESPOND:
		return app_respond(c);
	case CMD_SENDFILE:
		return app_sendfile(c);
	case CMD_NOTATION:
		app_set_notation(c->on ? SYSREC_PYTHON : SYSREC_C);
		app_message(0, c->on ? "notation python: calls as a blocking "
		    "Python program makes them" : "notation c: calls as "
		    "strace shows them");
		break;
	case CMD_FOLLOW:
		app_set_follow(c->on);
		app_message(0, c->on ? "follow on: every new connection takes "
		    "focus" : "follow off: a new connection takes focus only "
		    "when nothing open has it");
		break;
	}
	if (rc != 0)
		return app_refuse(cause);
	return 0;
}

/* Parse and run one input line. */
int
app_exec(const char *line, size_t len)
{
	struct cmd	 c;
	char		*cause = NULL;
	int		 rc;

	if (cmd_parse(line, len, &c, &cause) != 0)
		return app_refuse(cause);
	rc = app_run(&c);
	cmd_free(&c);
	app_run_later();
	return rc;
}

/* Close every open connection through the usual path: events, notes of
 * dropped bytes, the log. */
void
app_close_all(void)
{
	char	*cause = NULL;
	int	 id;

	/* Leaving: notes from here on are kept for after the screen. */
	app.quit = 1;
	for (id = 1; id <= net_conn_max(); id++) {
		if (net_conn(id) != NULL && conn_is_open(net_conn(id))) {
			app_close(id, 0, &cause);
			free(cause);
			cause = NULL;
		}
	}
}

/* Add a line of text to the Events pane. */
void
app_note(int error, const char *text)
{
	if (app.evlog.cap > 0)
		evlog_add_text(&app.evlog, loop_now(), error, text);
}

/* The engine's record callback: the Events pane, then the front end. */
static void
app_on_record(const struct sysrec *r, void *arg)
{
	(void)arg;
	if (app.evlog.cap > 0)
		evlog_add_rec(&app.evlog, r);
	/* The -o log is the same transcript as batch's standard output. */
	if (app.log != NULL && !app.log_failed) {
		sbuf_reset(&app.log_buf);
		if (transcript_call(&app.log_tr, &app.log_buf, r))
			app_log_write();
	}
	if (app.fe != NULL && app.fe->record != NULL)
		app.fe->record(r, app.fe->arg);
}

/* Receive the engine's records from now on. */
void
app_record_start(void)
{
	app.recording = 1;
	net_set_record(app_on_record, NULL);
}

/* Choose the Events pane's notation and narrate what it keeps again. */
void
app_set_notation(enum sysrec_notation n)
{
	app.notation = n;
	evlog_set_notation(&app.evlog, n);
}

/* The transport /connect and /listen use (the command line's). */
void
app_set_transport(int transport)
{
	app_transport = (enum net_transport)transport;
}

/* The function that makes the TLS client contexts on first use. */
void
app_set_tls_hook(int (*ready)(char **cause))
{
	app_tls_hook = ready;
}
