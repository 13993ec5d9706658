/*
 * responder.h: responders, the demo servers of SPEC section 11.  A
 * responder answers one connection by itself: bytes in, actions out.  It
 * never sees a descriptor or a clock; the shell that owns the connection
 * (the engine) feeds it what the peer sent and the times, and carries out
 * the actions it asks for, in order.
 *
 * Driving one (the shell's side of the contract):
 *
 *   r = responder_new(kind, seed, now_ms);    then take its actions
 *   peer bytes   -> responder_on_data(r, buf, n, now_ms), take actions
 *   peer EOF     -> responder_on_eof(r, now_ms), take actions
 *   timer due    -> responder_on_timer(r, now_ms), take actions
 *   send queue   -> responder_on_drained(r, now_ms), take actions
 *     empty         (everything sent so far was written to the socket)
 *   take actions: while (responder_next(r, &a)) apply(a);
 *
 * Take every action after each call: what is not taken stays queued.
 *
 * Actions, applied in the order given:
 *
 *   RESPONDER_A_SEND      queue data (a.data, a.len) for sending; a.data is
 *                         valid until the next responder_on_*() or
 *                         responder_free() call on this responder
 *   RESPONDER_A_WAIT      arm the one timer a.ms milliseconds from now
 *                         (replacing any armed one) and call on_timer when
 *                         it is due.  No timer is armed otherwise, so an
 *                         idle responder costs no wake-ups.
 *   RESPONDER_A_SHUTDOWN  once the data queued before it is sent,
 *                         shutdown(SHUT_WR); keep reading
 *   RESPONDER_A_CLOSE     once the data queued before it is sent, close
 *   RESPONDER_A_RESET     abortive close (SO_LINGER 0) once the data queued
 *                         before it is sent
 *   RESPONDER_A_READ_LIMIT
 *                         from now on read at most a.limit more bytes of
 *                         the peer's in total (until the next READ_LIMIT),
 *                         counting what is passed to on_data; 0 means stop
 *                         watching for input.  RESPONDER_UNLIMITED means
 *                         no limit, which is also how a responder starts.
 *
 * After CLOSE or RESET the responder is done: it asks for nothing more and
 * ignores what it is given.
 *
 * Kinds that end the conversation themselves (oneshot, daytime, http after
 * "Connection: close" or a 400) do not close at once: they ask for
 * SHUTDOWN, so the client reads EOF after the answer, then read and drop
 * what still comes, and CLOSE at the client's EOF or after
 * RESPONDER_LINGER_MS.  Closing with unread bytes would make the kernel
 * send RST, which can destroy the answer before the client reads it.
 *
 * now_ms is the wall-clock time in milliseconds since the Unix epoch
 * (CLOCK_REALTIME).  It is only ever shown (daytime, the http Date
 * header); waits are relative, so a clock step changes no timing.
 *
 * The bound: between calls, once its actions are taken, a responder holds
 * at most RESPONDER_HOLD_MAX bytes (responder_held()).  Kinds that queue
 * what they echo (drip, chunky) keep to it through READ_LIMIT; given more
 * than READ_LIMIT allows, on_data takes only what fits and returns how much
 * it took.  Line-based kinds hold at most RESPONDER_LINE_MAX bytes of an
 * unfinished line: a line that grows longer is answered in pieces of
 * RESPONDER_LINE_MAX bytes, each handled as a line without its end (so
 * reverse reverses each piece).  http keeps at most RESPONDER_HTTP_HEAD_MAX
 * bytes of a request head (a longer head gets 431 and a close) and never
 * keeps a body.
 *
 * Pure: no I/O, no clock, no global state.
 */
#ifndef SOCKSCOPE_RESPONDER_H
#define SOCKSCOPE_RESPONDER_H

#include <stddef.h>
#include <stdint.h>

/* Most bytes held between calls (see above). */
#define RESPONDER_HOLD_MAX	65536
/* Longest line kept before it is answered in pieces. */
#define RESPONDER_LINE_MAX	4096
/* Longest request head the http responder keeps. */
#define RESPONDER_HTTP_HEAD_MAX	32768
/* drip: one byte per write, this far apart. */
#define RESPONDER_DRIP_MS	100
/* chunky: pieces this far apart, of 1 to max(16, queued / 8) bytes. */
#define RESPONDER_CHUNKY_MS	50
/* slow: one byte read per this many milliseconds. */
#define RESPONDER_SLOW_MS	100
/* reset: how long after the answer the reset comes. */
#define RESPONDER_RESET_MS	100
/* oneshot, daytime, http: after the half-close, how long until close. */
#define RESPONDER_LINGER_MS	2000
/* chargen: lines per burst, and the pause after a burst is written. */
#define RESPONDER_CHARGEN_LINES	16
#define RESPONDER_CHARGEN_MS	100
/* READ_LIMIT's "no limit". */
#define RESPONDER_UNLIMITED	SIZE_MAX

enum responder_kind {
	RESPONDER_ECHO,		/* each line back */
	RESPONDER_UPPER,	/* each line in upper case (ASCII) */
	RESPONDER_REVERSE,	/* each line reversed (UTF-8 characters kept) */
	RESPONDER_ROT13,	/* each line in ROT13 */
	RESPONDER_DRIP,		/* echo, one byte per write */
	RESPONDER_CHUNKY,	/* echo in pieces of seeded random size */
	RESPONDER_SLOW,		/* echo lines, reading one byte per 100 ms */
	RESPONDER_ONESHOT,	/* echo one line, then half-close, close */
	RESPONDER_RESET,	/* echo one line, then reset */
	RESPONDER_DISCARD,	/* RFC 863 */
	RESPONDER_CHARGEN,	/* RFC 864 */
	RESPONDER_DAYTIME,	/* RFC 867 */
	RESPONDER_HTTP,		/* 200 and a page showing the request */
	RESPONDER_NKINDS
};

enum responder_action_kind {
	RESPONDER_A_SEND,
	RESPONDER_A_WAIT,
	RESPONDER_A_SHUTDOWN,
	RESPONDER_A_CLOSE,
	RESPONDER_A_RESET,
	RESPONDER_A_READ_LIMIT
};

struct responder_action {
	enum responder_action_kind	 kind;
	const unsigned char		*data;	/* SEND */
	size_t				 len;	/* SEND */
	uint64_t			 ms;	/* WAIT */
	size_t				 limit;	/* READ_LIMIT */
};

struct responder;

/*
 * The kinds' names, in enum order, NULL-terminated: for --help, /help and
 * completion.
 */
extern const char *const responder_names[];

/* The kind called name ("echo"); 0, or -1 if there is none. */
int responder_kind_from_name(const char *name, enum responder_kind *kind);
/* The name of a kind ("echo"). */
const char *responder_kind_name(enum responder_kind kind);
/* One line saying what a kind does, for --help and the man page. */
const char *responder_kind_help(enum responder_kind kind);

/*
 * A responder for one new connection.  seed drives chunky's piece sizes
 * (the same seed gives the same pieces for the same input).  Take its
 * first actions at once (daytime answers, chargen starts, slow limits).
 */
struct responder *responder_new(enum responder_kind kind, uint32_t seed,
    uint64_t now_ms);
void responder_free(struct responder *r);

/*
 * The peer sent n bytes.  Returns how many were taken: n, unless more
 * were given than READ_LIMIT allowed; the shell keeps the rest for later.
 */
size_t responder_on_data(struct responder *r, const void *buf, size_t n,
    uint64_t now_ms);
/* The peer finished sending (recv() returned 0). */
void responder_on_eof(struct responder *r, uint64_t now_ms);
/* The timer armed by the last WAIT is due. */
void responder_on_timer(struct responder *r, uint64_t now_ms);
/* Everything sent so far has been written to the socket. */
void responder_on_drained(struct responder *r, uint64_t now_ms);

/*
 * Take the next action: 1 and *a filled, or 0 when there is none.  The
 * data of a SEND stays valid until the next responder_on_*() call.
 */
int responder_next(struct responder *r, struct responder_action *a);

/* Bytes held now (queues, an unfinished line or request head). */
size_t responder_held(const struct responder *r);
/* How many bytes the peer may send to on_data now (RESPONDER_UNLIMITED). */
size_t responder_read_limit(const struct responder *r);
/* Nonzero after CLOSE or RESET was asked for. */
int responder_done(const struct responder *r);
/* The kind. */
enum responder_kind responder_kind(const struct responder *r);

/* "SEND", "WAIT", ... for logs and tests. */
const char *responder_action_name(enum responder_action_kind kind);

#endif
