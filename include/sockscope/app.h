/*
 * app.h: what the program does with an input line, shared by batch mode
 * and the full screen.  app.c parses lines (cmd.c), runs them against the
 * engine (net.c), keeps the focused connection, the end-of-line, the event
 * log and chunk store the screen draws from, and the -o log, and passes
 * every event on to its subscribers.
 *
 * DO NOT WRITE TO struct app FROM OUTSIDE app.c: read it, and change it
 * through the functions below (app_focus(), app_note(), app_log_flush()).
 */
#ifndef SOCKSCOPE_APP_H
#define SOCKSCOPE_APP_H

#include <stdint.h>
#include <stdio.h>

#include "sockscope/cmd.h"
#include "sockscope/evlog.h"
#include "sockscope/httpview.h"
#include "sockscope/store.h"
#include "sockscope/sysrec.h"
#include "sockscope/transcript.h"

/* Receives an event; e and what it points to are valid during the call. */
typedef void app_event_fn(const struct ev *e, void *arg);
/* A reaction that runs after the call that emitted its event returned. */
typedef void app_later_fn(int id, void *arg);

/* What the front end (batch.c or the screen) is told. */
struct app_frontend {
	/* Every socket event: subscribed last, after the store, the event
	 * log and the -o log have it. */
	app_event_fn	*event;
	/* A message for the user: a command error (error != 0), help text,
	 * or a note.  One or more lines, no trailing newline. */
	void	(*message)(int error, const char *text, void *arg);
	/* /view (the screen only); a and b are /view pair's #A and #B
	 * (0: the screen chooses), both known to exist. */
	void	(*view)(enum cmd_view v, int a, int b, void *arg);
	void	 *arg;
	/* An HTTP request or response head was decoded (or broke) on a
	 * connection; may be NULL.  Batch mode prints it with --json. */
	void	(*http)(double t, int conn, const struct httpview_msg *m,
		    void *arg);
	/* Every socket call as made (SPEC 10), after the Events pane has
	 * it; may be NULL.  Batch mode narrates it (--notation) or writes
	 * it as a "call" line (--json). */
	void	(*record)(const struct sysrec *r, void *arg);
	/* Nonzero while anything of this front end can use the HTTP
	 * decoders (the screen always; batch mode with --json, or while
	 * input may still bring /respond); NULL: always.  Bytes are not
	 * decoded otherwise, unless the -o log is JSON. */
	int	(*wants_http)(void *arg);
};

/* Most event subscribers and pending reactions at once. */
#define APP_SUBSCRIBERS_MAX 16

struct app {
	int			 focus;		/* focused #id, 0 = none */
	enum cmd_eol		 eol;
	int			 quit;		/* /quit was given */
	int			 follow;	/* every new connection takes
						   focus (/follow, --follow) */
	struct httpview		 http;		/* HTTP on every connection */
	struct store		 store;
	struct evlog		 evlog;
	FILE			*log;		/* -o FILE, or NULL */
	char			*log_name;	/* its path, made safe to print */
	int			 log_failed;	/* a write to it failed */
	struct transcript	 log_tr;
	struct sbuf		 log_buf;
	const struct app_frontend *fe;
	struct {
		app_event_fn	*fn;
		void		*arg;
	}			 sub[APP_SUBSCRIBERS_MAX];
	size_t			 nsub;
	struct app_later {
		app_later_fn	*fn;
		int		 id;
		void		*arg;
	}			*later;		/* reactions not yet run */
	size_t			 nlater, later_cap;
	struct app_out {
		uint64_t	 handed;	/* bytes given to net_send() */
		int		 closing;	/* app_close() under way */
		int		 reset_by_peer;
	}			*out;		/* by #id */
	size_t			 nout;
	struct sbuf		 quit_notes;	/* dropped bytes at the end */
	int			 recording;	/* app_record_start() done: the
						   Events pane narrates calls
						   from their records */
	enum sysrec_notation	 notation;	/* --notation, /notation */
};

extern struct app app;

/*
 * Set up the app with scrollback bytes kept for viewing (0: none) and an
 * optional log file (already open for appending; app.c does not close it)
 * written in log_tr's format (the same as standard output's with --json).
 * log_name is the path for messages.  Subscribes, in this order, the
 * chunk store, the event log (when scrollback > 0), the -o log, the focus
 * rule, fe->event and the HTTP decoders (whose heads go to fe->http and,
 * with --json, to the -o log, after the event that carried them).
 */
void app_init(const struct app_frontend *fe, enum cmd_eol eol,
    size_t scrollback, FILE *log, const char *log_name,
    const struct transcript *log_tr);
void app_free(void);

/* Replace the front end (its event subscriber too): after the screen
 * ended, messages go to standard error. */
void app_set_frontend(const struct app_frontend *fe);

/* Add a subscriber: fn(e, arg) for every event after those added before. */
void app_subscribe(app_event_fn *fn, void *arg);

/* Run fn(id, arg) once the current event has been handled by everyone
 * and the call that emitted it returned (see app_run_later()). */
void app_later(app_later_fn *fn, int id, void *arg);
/* Run the reactions queued with app_later(), oldest first (those they
 * queue run too).  app_exec() calls it; front ends call it once per loop
 * turn, before deciding what to watch. */
void app_run_later(void);

/* The emit callback handed to net_init(): passes e to every subscriber. */
void app_on_event(const struct ev *e, void *arg);

/*
 * Run one input line (len bytes, no newline).  Errors become one message
 * through fe->message and change nothing.  Returns 0 on success, -1 if
 * the line was refused.
 */
int app_exec(const char *line, size_t len);

/* Send bytes to the focused connection as they are (no command, no
 * end-of-line); errors become a message.  Returns 0 or -1. */
int app_send_raw(const void *p, size_t n);

/* /follow on|off and --follow: every new connection takes focus. */
void app_set_follow(int on);

/* The transport (enum net_transport, net.h) /connect and /listen use: the
 * one the program started with (-u, -U, -c); NET_TCP until set.
 * /connect https://... uses TLS whatever it is. */
void app_set_transport(int transport);

/* Called before a TLS /connect: makes the TLS client contexts on first
 * use (main.c); 0, or -1 and *cause (malloc'd), and nothing is opened. */
void app_set_tls_hook(int (*ready)(char **cause));

/* Focus connection id (/conn, the screen's keys, the command line). */
int app_focus(int id, char **cause);

/* Add a line of text to the Events pane (already safe to show). */
void app_note(int error, const char *text);

/*
 * Leaving with connections open (F10, /quit, a signal, the end of batch
 * input): close them, saying on screen and in the -o log how many queued
 * bytes to which connection were never sent.  Sets app.quit; the notes
 * made from then on are also kept in app.quit_notes, for standard error
 * once the screen has gone.
 */
void app_close_all(void);

/* Flush the -o log.  Returns 0, or -1 once any write to it has failed
 * (the user was told once, in one line; the exit status is then 1). */
int app_log_flush(void);

/*
 * Receive every socket call's record from the engine (net_set_record()):
 * call once net_init() has run.  From then on the Events pane narrates
 * the calls from their records, in app.notation, instead of the events'
 * own lines, and fe->record gets each record.
 */
void app_record_start(void);

/* --notation and /notation: the Events pane's notation; the kept records
 * are narrated again. */
void app_set_notation(enum sysrec_notation n);

#endif
