/*
 * app.c: what the program does with an input line and with each socket
 * event, for batch mode and the full screen alike.  Owns the focused
 * connection, the end-of-line, the chunk store and event log the screen
 * draws from, and the -o log file.  Called by batch.c and the screen (input
 * lines) and by net.c (events, through app_on_event()).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sockscope/app.h"
#include "sockscope/cmd.h"
#include "sockscope/conn.h"
#include "sockscope/net.h"
#include "sockscope/util.h"

/* Event lines kept for the Events pane. */
#define APP_EVLOG_LINES 10000

struct app app;

/* Set up the app state. */
void
app_init(const struct app_frontend *fe, enum cmd_eol eol, size_t scrollback,
    FILE *log, int timestamps)
{
	memset(&app, 0, sizeof app);
	app.fe = fe;
	app.eol = eol;
	app.log = log;
	app.log_tr.format = TRANSCRIPT_TEXT;
	app.log_tr.timestamps = timestamps;
	store_init(&app.store, scrollback);
	/* Batch mode (nothing to scroll back through) keeps no event lines. */
	evlog_init(&app.evlog, scrollback > 0 ? APP_EVLOG_LINES : 0);
}

/* Release the app state (the log file is flushed, not closed). */
void
app_free(void)
{
	if (app.log != NULL)
		fflush(app.log);
	store_free(&app.store);
	evlog_free(&app.evlog);
	sbuf_free(&app.log_buf);
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

/* Record an event, write it to the log, and pass it to the front end. */
void
app_on_event(const struct ev *e, void *arg)
{
	const struct conn	*c;

	(void)arg;
	if (e->kind == EV_RECV || e->kind == EV_SEND) {
		store_add(&app.store, e->conn,
		    e->kind == EV_RECV ? STORE_IN : STORE_OUT, e->chunk,
		    e->offset, e->t, e->kind == EV_RECV ? e->asked : 0,
		    e->data, e->len);
	}
	/* EOF, shutdown, resets and errors show in the data panes too. */
	store_mark_event(&app.store, e);
	/* Only the screen shows the Events pane; batch mode skips the cost. */
	if (app.evlog.cap > 0)
		evlog_add(&app.evlog, e);

	if (app.log != NULL) {
		sbuf_reset(&app.log_buf);
		if (transcript_event(&app.log_tr, &app.log_buf, e))
			fwrite(app.log_buf.p, 1, app.log_buf.len, app.log);
	}

	switch (e->kind) {
	case EV_ACCEPTED:
		app.accepted++;
		/* A new connection takes focus only when none is useful. */
		c = net_conn(app.focus);
		if (c == NULL || (!app.keep_focus && !conn_is_open(c)))
			app.focus = e->conn;
		break;
	case EV_CONNECTING:
		/* /connect focuses its connection (set in app_exec too). */
		if (app.focus == 0)
			app.focus = e->conn;
		break;
	default:
		break;
	}
	/* The front end sees the event before anything it causes. */
	app.fe->event(e, app.fe->arg);

	c = net_conn(e->conn);
	if (e->kind == EV_EOF && app.input_ended && c != NULL &&
	    conn_is_open(c) && c->state == CONN_EOF_RECEIVED &&
	    !c->shutdown_pending) {
		/*
		 * Batch input over and the peer done: nothing can follow.
		 * Half-close after the queue drains; the socket closes then.
		 */
		char	*cause = NULL;

		net_shutdown(e->conn, &cause);
		free(cause);
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
	if (rc != 0)
		return app_refuse(cause);
	return 0;
}

/* How many bytes closing connection id would drop (0 if none or shut). */
static size_t
app_queued(int id)
{
	const struct conn	*c = net_conn(id);

	return c != NULL && conn_is_open(c) ? c->qlen : 0;
}

/* Closing dropped what was still queued: never silently. */
static void
app_note_dropped(int id, size_t n)
{
	char	*msg;

	if (n == 0)
		return;
	msg = xasprintf("#%d: %zu queued bytes were never sent (the peer was "
	    "not reading)", id, n);
	app_message(1, msg);
	free(msg);
}

/* Close connection id, saying what that dropped. */
static int
app_close(int id, int reset, char **cause)
{
	size_t	n = app_queued(id);
	int	rc = reset ? net_reset(id, cause) : net_close(id, cause);

	if (rc == 0)
		app_note_dropped(id, n);
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
		*cause = xasprintf("no connection #%d", id);
		return -1;
	}
	app.focus = id;
	return 0;
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
	case CMD_CONN:
		rc = app_focus(c->conn, &cause);
		break;
	case CMD_CONNECT:
		id = net_connect(c->host, c->port);
		if (id > 0)
			app.focus = id;
		break;
	case CMD_LISTEN:
		net_listen(c->host, c->port);
		break;
	case CMD_VIEW:
		if (app.fe->view == NULL) {
			app_message(0, "/view changes the full screen only");
			break;
		}
		app.fe->view(c->view, app.fe->arg);
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
		/* Close through the usual path: events, notes, the log. */
		for (id = 1; id <= net_conn_max(); id++) {
			if (conn_is_open(net_conn(id))) {
				app_close(id, 0, &cause);
				free(cause);
				cause = NULL;
			}
		}
		app.quit = 1;
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
	return rc;
}

/* Standard input ended: in connect mode, finish sending (SPEC 3). */
void
app_input_ended(void)
{
	int	id;

	if (app.input_ended)
		return;
	app.input_ended = 1;
	/* Nobody is left to type /recv: receive to the end by ourselves. */
	if (!net_auto())
		net_set_auto(1);
	for (id = 1; id <= net_conn_max(); id++) {
		const struct conn	*c = net_conn(id);
		char			*cause = NULL;

		if (!conn_is_open(c))
			continue;
		if (app.listen_mode) {
			/* Only connections the peer already finished end,
			 * after what is queued for them is sent. */
			if (c->state == CONN_EOF_RECEIVED && !c->shutdown_pending)
				net_shutdown(id, &cause);
		} else if (!c->eof_out && !c->shutdown_pending)
			net_shutdown(id, &cause);
		free(cause);
	}
}

/* If the focused connection has ended, focus the newest open one. */
void
app_refocus(void)
{
	const struct conn	*c = net_conn(app.focus);
	int			 id;

	if (c != NULL && conn_is_open(c))
		return;
	for (id = net_conn_max(); id >= 1; id--) {
		if (conn_is_open(net_conn(id))) {
			app.focus = id;
			return;
		}
	}
}

/* Nonzero once batch mode has nothing left to do. */
int
app_batch_done(int keep_listening)
{
	if (app.quit)
		return 1;
	if (net_open_conns() > 0)
		return 0;
	if (net_open_listeners() > 0) {
		/* Listening: done after the clients, unless -k. */
		return !keep_listening && app.accepted > 0;
	}
	/* Nothing open: done when input ended or a connection existed. */
	return app.input_ended || net_conn_max() > 0;
}
