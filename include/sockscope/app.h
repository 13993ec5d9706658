/*
 * app.h: what the program does with an input line, shared by batch mode
 * and the full screen.  app.c parses lines (cmd.c), runs them against the
 * engine (net.c), keeps the focused connection, the end-of-line and the
 * event log and chunk store the screen draws from, writes the -o log, and
 * passes every event on to the front end.
 *
 * DO NOT WRITE TO struct app FROM OUTSIDE app.c.
 */
#ifndef SOCKSCOPE_APP_H
#define SOCKSCOPE_APP_H

#include <stdio.h>

#include "sockscope/cmd.h"
#include "sockscope/evlog.h"
#include "sockscope/store.h"
#include "sockscope/transcript.h"

/* What the front end (batch.c or the screen) is told. */
struct app_frontend {
	/* Every socket event, after app.c has recorded it. */
	void	(*event)(const struct ev *e, void *arg);
	/* A message for the user: a command error (error != 0), help text,
	 * or a note.  One or more lines, no trailing newline. */
	void	(*message)(int error, const char *text, void *arg);
	/* /view (the screen only). */
	void	(*view)(enum cmd_view v, void *arg);
	void	 *arg;
};

struct app {
	int			 focus;		/* focused #id, 0 = none */
	enum cmd_eol		 eol;
	int			 quit;		/* /quit was given */
	int			 accepted;	/* connections accepted so far */
	int			 input_ended;
	int			 listen_mode;	/* started as a listener */
	int			 keep_focus;	/* new clients focus only if none is */
	struct store		 store;
	struct evlog		 evlog;
	FILE			*log;		/* -o FILE, or NULL */
	struct transcript	 log_tr;
	struct sbuf		 log_buf;
	const struct app_frontend *fe;
};

extern struct app app;

/* Set up the app with scrollback bytes kept for viewing (0: none) and an
 * optional log file (already open, appended to). */
void app_init(const struct app_frontend *fe, enum cmd_eol eol,
    size_t scrollback, FILE *log, int timestamps);
void app_free(void);

/* The emit callback handed to net_init(). */
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

/* Standard input ended (batch): half-close in connect mode (SPEC 3). */
void app_input_ended(void);

/* Focus connection id (the screen's /conn and its keys). */
int app_focus(int id, char **cause);

/* Batch: if the focused connection has ended, focus the newest open one
 * (the screen leaves focus to the user instead). */
void app_refocus(void);

/* Nonzero once batch mode has nothing left to do (SPEC 3). */
int app_batch_done(int keep_listening);

#endif
