/*
 * transcript.h: the batch transcript (SPEC section 5), text or JSON Lines.
 *
 * Text: one header line per event with prefix '*' (state change), '<'
 * (received), '>' (sent), '!' (error, and a reset by the peer); data
 * follows as `hexdump -C` rows indented by two spaces.  With timestamps, each header line starts with
 * "+S.SSSSSS ".  JSON: one object per event with t, event, conn or
 * listener, and bytes/chunk/offset/hex for data, errno/message for errors.
 *
 * Pure: appends to a buffer the shell writes out.  No byte from the
 * network reaches the output unescaped.
 */
#ifndef SOCKSCOPE_TRANSCRIPT_H
#define SOCKSCOPE_TRANSCRIPT_H

#include "sockscope/evlog.h"
#include "sockscope/sysrec.h"
#include "sockscope/util.h"

enum transcript_format {
	TRANSCRIPT_TEXT,
	TRANSCRIPT_JSON
};

struct transcript {
	enum transcript_format	format;
	int			timestamps;	/* text: "+S.SSSSSS " prefix */
	int			narrate;	/* text: --notation given: the
						   header lines of calls are
						   their records' narration */
	enum sysrec_notation	notation;
};

/*
 * Append the transcript of e to out.  Returns nonzero if e produced output
 * (a send EV_WAIT with nothing queued produces none).  Examples of text
 * headers:
 *   * L1 listening on 127.0.0.1:19999
 *   * L1 listening on 0.0.0.0:19999 (all interfaces)
 *   * #1 accepted from 127.0.0.1:50412 on L1
 *   * #1 connecting to 127.0.0.1:5151
 *   * #1 connected to 127.0.0.1:5151 from 127.0.0.1:41822
 *   < #1 recv 78 bytes [chunk 1]
 *   > #1 send 6 bytes
 *   < #1 recv 0 bytes: EOF (peer finished sending)
 *   > #1 shutdown: EOF sent
 *   ! #1 reset by peer
 *   * #1 reset: RST sent
 *   * #1 closed (in 78 bytes in 1 chunk, out 6 bytes)
 *   * L1 closed
 *   ! #2 connect 127.0.0.1:1: Connection refused (ECONNREFUSED)
 *   < #1 recv: nothing waiting (EAGAIN)
 *   > #1 send: peer not reading, 1048576 bytes queued
 */
int transcript_event(const struct transcript *tr, struct sbuf *out,
    const struct ev *e);

/*
 * Append the line saying that closing connection conn at time t dropped n
 * bytes still queued for sending: "! #1 dropped 5 queued bytes never
 * sent", or {"t":..,"event":"dropped","conn":1,"bytes":5} in JSON.
 */
void transcript_dropped(const struct transcript *tr, struct sbuf *out,
    double t, int conn, size_t n);

/*
 * Append the transcript of one socket call's record (SPEC 10).  Text with
 * narrate: its narration in tr->notation, prefixed like the Events pane
 * ("#1 conn.recv(4096) → b'hi\n'"); nothing when the notation hides the
 * call.  Text without narrate: nothing (the events' header lines say it).
 * JSON: a "call" line, {"t":..,"event":"call","conn":1,"call":"recv",
 * "fd":5,"args":{..},"ret":3,"errno":null} (sysrec_json()'s fields after
 * t, event and conn or listener).  Returns nonzero if it wrote a line.
 */
int transcript_call(const struct transcript *tr, struct sbuf *out,
    const struct sysrec *r);

/* Append s as a JSON string literal (with quotes), escaping as needed. */
void transcript_json_string(struct sbuf *out, const char *s);

#endif
