/*
 * batch.h: batch mode (no full screen).  Reads input lines from standard
 * input, writes the transcript (text or JSON Lines) to standard output, and
 * messages for the user to standard error.
 */
#ifndef SOCKSCOPE_BATCH_H
#define SOCKSCOPE_BATCH_H

#include "sockscope/transcript.h"

struct batch_opts {
	struct transcript	 tr;
	int			 keep_listening;
	int			 listen_mode;	/* started as a listener */
};

/* The front end table for app_init(). */
extern const struct app_frontend batch_app_frontend;

/* Remember the options (kept by reference); call before any event. */
void batch_init(const struct batch_opts *o);
/* Run the loop until done; returns the exit status (0, or 128 + signal). */
int batch_run(void);
/* The command-line target failed: flush, print its last error on standard
 * error, and return 1. */
int batch_fail(void);
void batch_free(void);

#endif
