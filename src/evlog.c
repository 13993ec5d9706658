/*
 * evlog.c: socket events in words.  Owns the symbolic errno and
 * getaddrinfo names, the one-line error text shown after "sockscope: " and
 * in the transcript, the Events pane wording in the words of the sockets
 * API, and the ring of the most recent Events pane lines.
 *
 * net.c fills a struct ev for every socket call; app.c passes it to
 * evlog_add() (or its record to evlog_add_rec()) and the screen draws
 * what evlog_get() returns: record lines are narrated only then, when
 * they are read, and their buffers are reused as the ring turns.
 * transcript.c uses evlog_error_text() and the names.  Pure: no clock, no
 * errno read.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockscope/evlog.h"
#include "sockscope/textesc.h"
#include "sockscope/util.h"

/* Buffers for names not in the tables; rotated so that a few calls in one
 * printf() do not overwrite each other. */
#define EVLOG_NAMEBUFS	4
#define EVLOG_NAMELEN	24

struct evlog_name {
	int		 value;
	const char	*name;
};

#define EVLOG_NAME(e) { e, #e }

/*
 * Where two names share a value (EWOULDBLOCK and EAGAIN on Linux), the
 * first one listed wins, so the usual name comes first.
 */
static const struct evlog_name evlog_errnames[] = {
#ifdef EPERM
	EVLOG_NAME(EPERM),
#endif
#ifdef ENOENT
	EVLOG_NAME(ENOENT),
#endif
#ifdef ESRCH
	EVLOG_NAME(ESRCH),
#endif
#ifdef EINTR
	EVLOG_NAME(EINTR),
#endif
#ifdef EIO
	EVLOG_NAME(EIO),
#endif
#ifdef ENXIO
	EVLOG_NAME(ENXIO),
#endif
#ifdef E2BIG
	EVLOG_NAME(E2BIG),
#endif
#ifdef ENOEXEC
	EVLOG_NAME(ENOEXEC),
#endif
#ifdef EBADF
	EVLOG_NAME(EBADF),
#endif
#ifdef ECHILD
	EVLOG_NAME(ECHILD),
#endif
#ifdef EAGAIN
	EVLOG_NAME(EAGAIN),
#endif
#ifdef EWOULDBLOCK
	EVLOG_NAME(EWOULDBLOCK),
#endif
#ifdef ENOMEM
	EVLOG_NAME(ENOMEM),
#endif
#ifdef EACCES
	EVLOG_NAME(EACCES),
#endif
#ifdef EFAULT
	EVLOG_NAME(EFAULT),
#endif
#ifdef EBUSY
	EVLOG_NAME(EBUSY),
#endif
#ifdef EEXIST
	EVLOG_NAME(EEXIST),
#endif
#ifdef EXDEV
	EVLOG_NAME(EXDEV),
#endif
#ifdef ENODEV
	EVLOG_NAME(ENODEV),
#endif
#ifdef ENOTDIR
	EVLOG_NAME(ENOTDIR),
#endif
#ifdef EISDIR
	EVLOG_NAME(EISDIR),
#endif
#ifdef EINVAL
	EVLOG_NAME(EINVAL),
#endif
#ifdef ENFILE
	EVLOG_NAME(ENFILE),
#endif
#ifdef EMFILE
	EVLOG_NAME(EMFILE),
#endif
#ifdef ENOTTY
	EVLOG_NAME(ENOTTY),
#endif
#ifdef ETXTBSY
	EVLOG_NAME(ETXTBSY),
#endif
#ifdef EFBIG
	EVLOG_NAME(EFBIG),
#endif
#ifdef ENOSPC
	EVLOG_NAME(ENOSPC),
#endif
#ifdef ESPIPE
	EVLOG_NAME(ESPIPE),
#endif
#ifdef EROFS
	EVLOG_NAME(EROFS),
#endif
#ifdef EMLINK
	EVLOG_NAME(EMLINK),
#endif
#ifdef EPIPE
	EVLOG_NAME(EPIPE),
#endif
#ifdef EDOM
	EVLOG_NAME(EDOM),
#endif
#ifdef ERANGE
	EVLOG_NAME(ERANGE),
#endif
#ifdef EDEADLK
	EVLOG_NAME(EDEADLK),
#endif
#ifdef ENAMETOOLONG
	EVLOG_NAME(ENAMETOOLONG),
#endif
#ifdef ENOLCK
	EVLOG_NAME(ENOLCK),
#endif
#ifdef ENOSYS
	EVLOG_NAME(ENOSYS),
#endif
#ifdef ENOTEMPTY
	EVLOG_NAME(ENOTEMPTY),
#endif
#ifdef ELOOP
	EVLOG_NAME(ELOOP),
#endif
#ifdef ENOMSG
	EVLOG_NAME(ENOMSG),
#endif
#ifdef EIDRM
	EVLOG_NAME(EIDRM),
#endif
#ifdef ENOSTR
	EVLOG_NAME(ENOSTR),
#endif
#ifdef ENODATA
	EVLOG_NAME(ENODATA),
#endif
#ifdef ETIME
	EVLOG_NAME(ETIME),
#endif
#ifdef ENOSR
	EVLOG_NAME(ENOSR),
#endif
#ifdef ENONET
	EVLOG_NAME(ENONET),
#endif
#ifdef ENOLINK
	EVLOG_NAME(ENOLINK),
#endif
#ifdef EPROTO
	EVLOG_NAME(EPROTO),
#endif
#ifdef EMULTIHOP
	EVLOG_NAME(EMULTIHOP),
#endif
#ifdef EBADMSG
	EVLOG_NAME(EBADMSG),
#endif
#ifdef EOVERFLOW
	EVLOG_NAME(EOVERFLOW),
#endif
#ifdef EILSEQ
	EVLOG_NAME(EILSEQ),
#endif
#ifdef ENOTSOCK
	EVLOG_NAME(ENOTSOCK),
#endif
#ifdef EDESTADDRREQ
	EVLOG_NAME(EDESTADDRREQ),
#endif
#ifdef EMSGSIZE
	EVLOG_NAME(EMSGSIZE),
#endif
#ifdef EPROTOTYPE
	EVLOG_NAME(EPROTOTYPE),
#endif
#ifdef ENOPROTOOPT
	EVLOG_NAME(ENOPROTOOPT),
#endif
#ifdef EPROTONOSUPPORT
	EVLOG_NAME(EPROTONOSUPPORT),
#endif
#ifdef ESOCKTNOSUPPORT
	EVLOG_NAME(ESOCKTNOSUPPORT),
#endif
#ifdef EOPNOTSUPP
	EVLOG_NAME(EOPNOTSUPP),
#endif
#ifdef ENOTSUP
	EVLOG_NAME(ENOTSUP),
#endif
#ifdef EPFNOSUPPORT
	EVLOG_NAME(EPFNOSUPPORT),
#endif
#ifdef EAFNOSUPPORT
	EVLOG_NAME(EAFNOSUPPORT),
#endif
#ifdef EADDRINUSE
	EVLOG_NAME(EADDRINUSE),
#endif
#ifdef EADDRNOTAVAIL
	EVLOG_NAME(EADDRNOTAVAIL),
#endif
#ifdef ENETDOWN
	EVLOG_NAME(ENETDOWN),
#endif
#ifdef ENETUNREACH
	EVLOG_NAME(ENETUNREACH),
#endif
#ifdef ENETRESET
	EVLOG_NAME(ENETRESET),
#endif
#ifdef ECONNABORTED
	EVLOG_NAME(ECONNABORTED),
#endif
#ifdef ECONNRESET
	EVLOG_NAME(ECONNRESET),
#endif
#ifdef ENOBUFS
	EVLOG_NAME(ENOBUFS),
#endif
#ifdef EISCONN
	EVLOG_NAME(EISCONN),
#endif
#ifdef ENOTCONN
	EVLOG_NAME(ENOTCONN),
#endif
#ifdef ESHUTDOWN
	EVLOG_NAME(ESHUTDOWN),
#endif
#ifdef ETOOMANYREFS
	EVLOG_NAME(ETOOMANYREFS),
#endif
#ifdef ETIMEDOUT
	EVLOG_NAME(ETIMEDOUT),
#endif
#ifdef ECONNREFUSED
	EVLOG_NAME(ECONNREFUSED),
#endif
#ifdef EHOSTDOWN
	EVLOG_NAME(EHOSTDOWN),
#endif
#ifdef EHOSTUNREACH
	EVLOG_NAME(EHOSTUNREACH),
#endif
#ifdef EALREADY
	EVLOG_NAME(EALREADY),
#endif
#ifdef EINPROGRESS
	EVLOG_NAME(EINPROGRESS),
#endif
#ifdef ESTALE
	EVLOG_NAME(ESTALE),
#endif
#ifdef EDQUOT
	EVLOG_NAME(EDQUOT),
#endif
#ifdef ECANCELED
	EVLOG_NAME(ECANCELED),
#endif
#ifdef EOWNERDEAD
	EVLOG_NAME(EOWNERDEAD),
#endif
#ifdef ENOTRECOVERABLE
	EVLOG_NAME(ENOTRECOVERABLE),
#endif
#ifdef EREMOTEIO
	EVLOG_NAME(EREMOTEIO),
#endif
#ifdef ENOKEY
	EVLOG_NAME(ENOKEY),
#endif
#ifdef ERFKILL
	EVLOG_NAME(ERFKILL),
#endif
	{ 0, NULL }
};

static const struct evlog_name evlog_gainames[] = {
#ifdef EAI_ADDRFAMILY
	EVLOG_NAME(EAI_ADDRFAMILY),
#endif
#ifdef EAI_AGAIN
	EVLOG_NAME(EAI_AGAIN),
#endif
#ifdef EAI_BADFLAGS
	EVLOG_NAME(EAI_BADFLAGS),
#endif
#ifdef EAI_FAIL
	EVLOG_NAME(EAI_FAIL),
#endif
#ifdef EAI_FAMILY
	EVLOG_NAME(EAI_FAMILY),
#endif
#ifdef EAI_MEMORY
	EVLOG_NAME(EAI_MEMORY),
#endif
#ifdef EAI_NODATA
	EVLOG_NAME(EAI_NODATA),
#endif
#ifdef EAI_NONAME
	EVLOG_NAME(EAI_NONAME),
#endif
#ifdef EAI_SERVICE
	EVLOG_NAME(EAI_SERVICE),
#endif
#ifdef EAI_SOCKTYPE
	EVLOG_NAME(EAI_SOCKTYPE),
#endif
#ifdef EAI_SYSTEM
	EVLOG_NAME(EAI_SYSTEM),
#endif
#ifdef EAI_OVERFLOW
	EVLOG_NAME(EAI_OVERFLOW),
#endif
	{ 0, NULL }
};

/* Look value up in a name table; "<prefix><value>" in a rotating buffer if
 * it is not there. */
static const char *
evlog_lookup(const struct evlog_name *table, const char *prefix, int value)
{
	static char	 bufs[EVLOG_NAMEBUFS][EVLOG_NAMELEN];
	static size_t	 next;
	char		*buf;
	size_t		 i;

	for (i = 0; table[i].name != NULL; i++) {
		if (table[i].value == value)
			return table[i].name;
	}
	buf = bufs[next];
	next = (next + 1) % EVLOG_NAMEBUFS;
	snprintf(buf, EVLOG_NAMELEN, "%s%d", prefix, value);
	return buf;
}

/*
 * The symbolic name of an errno value, or "E<number>" for one not known
 * here.  The fallback lives in a static buffer reused after a few calls,
 * so it is not reentrant: copy the name if it must last.
 */
const char *
evlog_errname(int err)
{
	return evlog_lookup(evlog_errnames, "E", err);
}

/* The symbolic name of a getaddrinfo() error, or "EAI_<number>" (with the
 * same buffer rules as evlog_errname()). */
const char *
evlog_gainame(int gai)
{
	return evlog_lookup(evlog_gainames, "EAI_", gai);
}

/* Append a string from outside (an address, a message) escaped; NULL
 * appends "?". */
static void
evlog_quote(struct sbuf *out, const char *s)
{
	if (s == NULL)
		s = "?";
	textesc_quote(out, s, strlen(s), 1);
}

/* The error message of e: its own, or the C library's for err or gai. */
static const char *
evlog_message(const struct ev *e)
{
	if (e->message != NULL)
		return e->message;
#ifdef EAI_SYSTEM
	if (e->gai == EAI_SYSTEM && e->err != 0)
		return strerror(e->err);
#endif
	if (e->gai != 0)
		return gai_strerror(e->gai);
	if (e->err != 0)
		return strerror(e->err);
	return "failed";
}

/* Nonzero when msg already ends with "(ENAME)" for err (TLS causes
 * do: "Connection reset by peer (ECONNRESET)"), so it is not said twice. */
static int
evlog_names_errno(const char *msg, int err)
{
	const char	*name = evlog_errname(err);
	size_t		 m, n = strlen(name);

	if (msg == NULL)
		return 0;
	m = strlen(msg);
	return m >= n + 2 && msg[m - 1] == ')' && msg[m - n - 2] == '(' &&
	    strncmp(msg + m - n - 1, name, n) == 0;
}

/* The first of a and b that is set and not empty (conn.c keeps "" for an
 * address not known yet), or NULL. */
static const char *
evlog_pick(const char *a, const char *b)
{
	if (a != NULL && *a != '\0')
		return a;
	if (b != NULL && *b != '\0')
		return b;
	return NULL;
}

/* Nonzero if e's call is name. */
static int
evlog_call_is(const struct ev *e, const char *name)
{
	return e->call != NULL && strcmp(e->call, name) == 0;
}

/* Append the one-line error text of an EV_ERROR. */
void
evlog_error_text(struct sbuf *out, const struct ev *e)
{
	const char	*call = evlog_pick(e->call, NULL);
	const char	*addr = evlog_pick(e->addr, NULL);
	const char	*msg = evlog_message(e);

	if (e->gai != 0) {
		sbuf_adds(out, "cannot resolve");
		if (addr != NULL) {
			sbuf_adds(out, " '");
			evlog_quote(out, addr);
			sbuf_addc(out, '\'');
		}
		sbuf_adds(out, ": ");
		evlog_quote(out, msg);
		return;
	}
	if (addr != NULL && evlog_call_is(e, "bind")) {
#ifdef EADDRINUSE
		if (e->err == EADDRINUSE) {
			evlog_quote(out, addr);
			sbuf_adds(out, " is already in use");
			return;
		}
#endif
#ifdef EACCES
		if (e->err == EACCES) {
			evlog_quote(out, addr);
			sbuf_adds(out, ": permission denied (EACCES): "
			    "ports below 1024 need root");
			return;
		}
#endif
	}

	if (call != NULL) {
		evlog_quote(out, call);
		if (addr != NULL)
			sbuf_addc(out, ' ');
	}
	if (addr != NULL)
		evlog_quote(out, addr);
	if (call != NULL || addr != NULL)
		sbuf_adds(out, ": ");
	evlog_quote(out, msg);
	if (e->err != 0 && !evlog_names_errno(msg, e->err))
		sbuf_printf(out, " (%s)", evlog_errname(e->err));
}

/* Append "call(asked)" (or "call()" when asked is 0), call defaulting to
 * def. */
static void
evlog_api_call(struct sbuf *out, const struct ev *e, const char *def,
    size_t asked)
{
	evlog_quote(out, evlog_pick(e->call, def));
	if (asked != 0)
		sbuf_printf(out, "(%zu)", asked);
	else
		sbuf_adds(out, "()");
}

/* Append "call(addr)", call defaulting to def. */
static void
evlog_api_addr(struct sbuf *out, const struct ev *e, const char *def,
    const char *addr)
{
	evlog_quote(out, evlog_pick(e->call, def));
	sbuf_addc(out, '(');
	if (addr != NULL)
		evlog_quote(out, addr);
	sbuf_addc(out, ')');
}

/* Append the Events pane wording of an EV_ERROR. */
static void
evlog_api_error(struct sbuf *out, const struct ev *e)
{
	const char	*addr = evlog_pick(e->addr, NULL);

	if (e->gai != 0) {
		sbuf_adds(out, "getaddrinfo(");
		if (addr != NULL)
			evlog_quote(out, addr);
		sbuf_printf(out, ") = %s", evlog_gainame(e->gai));
	} else {
		evlog_api_addr(out, e, "?", addr);
		if (e->err != 0)
			sbuf_printf(out, " = %s", evlog_errname(e->err));
		else
			sbuf_adds(out, " = -1");
	}
	sbuf_adds(out, "   ");
	evlog_quote(out, evlog_message(e));
}

/* Append the Events pane wording of e, in the words of the API. */
void
evlog_api_text(struct sbuf *out, const struct ev *e)
{
	size_t	asked;

	switch (e->kind) {
	case EV_LISTENING:
		evlog_api_addr(out, e, "listen",
		    evlog_pick(e->addr, e->local));
		sbuf_adds(out, " = 0");
		if (e->all_interfaces)
			sbuf_adds(out, "  all interfaces!");
		break;
	case EV_ACCEPTED:
		evlog_quote(out, evlog_pick(e->call, "accept"));
		sbuf_printf(out, "() = #%d", e->conn);
		if (evlog_pick(e->peer, NULL) != NULL) {
			sbuf_adds(out, " from ");
			evlog_quote(out, e->peer);
		}
		break;
	case EV_CONNECTING:
		evlog_api_addr(out, e, "connect",
		    evlog_pick(e->addr, e->peer));
		sbuf_adds(out, " = EINPROGRESS");
		break;
	case EV_CONNECTED:
		evlog_api_addr(out, e, "connect",
		    evlog_pick(e->addr, e->peer));
		sbuf_adds(out, " = 0");
		break;
	case EV_RECV:
		evlog_api_call(out, e, "recv", e->asked);
		sbuf_printf(out, " = %zu", e->len);
		break;
	case EV_SEND:
		evlog_api_call(out, e, "send",
		    e->asked != 0 ? e->asked : e->len);
		sbuf_printf(out, " = %zu", e->len);
		break;
	case EV_EOF:
		evlog_api_call(out, e, "recv", e->asked);
		sbuf_adds(out, " = 0   EOF: the peer finished sending");
		break;
	case EV_SHUTDOWN:
		sbuf_adds(out, "shutdown(SHUT_WR) = 0");
		break;
	case EV_RESET:
		if (!e->by_peer) {
			sbuf_adds(out, "SO_LINGER 0 + close() = 0   RST sent");
			break;
		}
		evlog_api_call(out, e, "recv", e->asked);
#ifdef ECONNRESET
		sbuf_printf(out, " = %s",
		    evlog_errname(e->err != 0 ? e->err : ECONNRESET));
#else
		sbuf_printf(out, " = %s", evlog_errname(e->err));
#endif
		sbuf_adds(out, "   the peer reset the connection");
		break;
	case EV_CLOSED:
		sbuf_adds(out, "close() = 0");
		break;
	case EV_ERROR:
		evlog_api_error(out, e);
		break;
	case EV_WAIT:
		if (evlog_call_is(e, "send")) {
			asked = e->asked != 0 ? e->asked : e->len;
			evlog_api_call(out, e, "send", asked);
			sbuf_printf(out, " = EAGAIN   %zu byte%s queued",
			    e->len, e->len == 1 ? "" : "s");
		} else {
			evlog_api_call(out, e, "recv", e->asked);
			sbuf_adds(out, " = EAGAIN   nothing waiting");
		}
		break;
	case EV_TLS:
		evlog_quote(out, evlog_pick(e->call, "SSL_connect"));
		sbuf_adds(out, "() = 1   ");
		evlog_quote(out, evlog_pick(e->message, "handshake complete"));
		break;
	}
}

/* Set up an empty ring holding at most cap lines (0 keeps none). */
void
evlog_init(struct evlog *l, size_t cap)
{
	l->lines = cap != 0 ? xcalloc(cap, sizeof *l->lines) : NULL;
	l->cap = cap;
	l->first = 0;
	l->count = 0;
	l->total = 0;
	l->distinct = 0;
	l->notation = SYSREC_C;
	l->narration = 1;
	memset(&l->scratch, 0, sizeof l->scratch);
}

/* Release every kept line and the ring; l may be initialised again. */
void
evlog_free(struct evlog *l)
{
	size_t	i;

	/* Slots past count were never used: they hold nothing. */
	for (i = 0; i < l->count; i++) {
		struct evlog_line *line = &l->lines[(l->first + i) % l->cap];

		sbuf_free(&line->buf);
		sysrec_free(line->rec);
	}
	free(l->lines);
	l->lines = NULL;
	l->cap = l->first = l->count = 0;
	sbuf_free(&l->scratch);
}

/* The newest line; the ring must hold one. */
static struct evlog_line *
evlog_newest(const struct evlog *l)
{
	return &l->lines[(l->first + l->count - 1) % l->cap];
}

/*
 * The slot for a new newest line, dropping the oldest when the ring is
 * full.  The slot keeps its text buffer and its record (the dropped
 * line's, or NULL) for the caller to reuse or free.
 */
static struct evlog_line *
evlog_slot(struct evlog *l, double t, int conn, int listener,
    enum ev_kind kind, int error)
{
	struct evlog_line	*line;

	l->distinct++;
	if (l->count == l->cap) {
		line = &l->lines[l->first];
		l->first = (l->first + 1) % l->cap;
	} else {
		line = &l->lines[(l->first + l->count) % l->cap];
		l->count++;
	}
	line->t = t;
	line->conn = conn;
	line->listener = listener;
	line->kind = kind;
	line->error = error;
	line->repeat = 1;
	line->hidden = 0;
	line->narrated = 0;
	sbuf_reset(&line->buf);
	line->text = NULL;
	return line;
}

/* Add the text in l->scratch as the newest line, or fold it into the
 * newest when it repeats it. */
static void
evlog_push_text(struct evlog *l, double t, int conn, int listener,
    enum ev_kind kind, int error)
{
	struct evlog_line	*line;
	const char		*text = l->scratch.p != NULL ? l->scratch.p : "";

	l->total++;
	if (l->cap == 0)
		return;
	if (l->count > 0 && (kind == EV_RECV || kind == EV_WAIT)) {
		/* The same as the newest line: fold it in and count it (only
		 * what the peer and the kernel repeat; each send and message
		 * stands for something the user did). */
		line = evlog_newest(l);
		if (line->rec == NULL && line->conn == conn &&
		    line->listener == listener &&
		    line->kind == kind && line->error == error &&
		    strcmp(line->text, text) == 0) {
			line->repeat++;
			line->t = t;
			return;
		}
	}
	line = evlog_slot(l, t, conn, listener, kind, error);
	/* A text line has no record: the dropped line's goes. */
	sysrec_free(line->rec);
	line->rec = NULL;
	sbuf_adds(&line->buf, text);
	line->text = line->buf.p;
}

/* Add e as an Events pane line, prefixed with the socket it concerns. */
void
evlog_add(struct evlog *l, const struct ev *e)
{
	struct sbuf	*b = &l->scratch;

	/* "Would block" on a send with nothing queued says nothing, and
	 * repeats on every writable wakeup. */
	if (e->kind == EV_WAIT && e->len == 0 && evlog_call_is(e, "send"))
		return;

	sbuf_reset(b);
	/* accept() is called on the listener, so name that first. */
	if (e->kind == EV_ACCEPTED && e->listener != 0)
		sbuf_printf(b, "L%d ", e->listener);
	else if (e->conn != 0)
		sbuf_printf(b, "#%d ", e->conn);
	else if (e->listener != 0)
		sbuf_printf(b, "L%d ", e->listener);
	evlog_api_text(b, e);
	evlog_push_text(l, e->t, e->conn, e->listener, e->kind,
	    e->kind == EV_ERROR);
}

/* Add a line of free text; the caller has escaped any outside bytes. */
void
evlog_add_text(struct evlog *l, double t, int error, const char *text)
{
	sbuf_reset(&l->scratch);
	sbuf_adds(&l->scratch, text);
	evlog_push_text(l, t, 0, 0, EVLOG_TEXT, error);
}

/* Format n with a comma every three digits. */
void
evlog_thousands(char *buf, size_t len, uint64_t n)
{
	char	digits[32], out[48];
	int	nd, i, o = 0;

	nd = snprintf(digits, sizeof digits, "%llu", (unsigned long long)n);
	for (i = 0; i < nd; i++) {
		if (i > 0 && (nd - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	snprintf(buf, len, "%s", out);
}

/* The i-th kept line as it is, 0 = oldest; NULL when i >= count. */
const struct evlog_line *
evlog_peek(const struct evlog *l, size_t i)
{
	if (i >= l->count)
		return NULL;
	return &l->lines[(l->first + i) % l->cap];
}

/* Nonzero when the i-th kept line shows nothing in the ring's notation. */
int
evlog_hidden(const struct evlog *l, size_t i)
{
	const struct evlog_line	*line = evlog_peek(l, i);

	return line != NULL && line->rec != NULL &&
	    sysrec_hidden(line->rec, l->notation);
}

static void evlog_narrate_line(const struct evlog *, struct evlog_line *);

/* The i-th kept line, 0 = oldest, narrated now if it was not yet. */
const struct evlog_line *
evlog_get(struct evlog *l, size_t i)
{
	struct evlog_line	*line;

	if (i >= l->count)
		return NULL;
	line = &l->lines[(l->first + i) % l->cap];
	if (line->rec != NULL && line->narrated != l->narration)
		evlog_narrate_line(l, line);
	return line;
}

/* Nonzero if err only says "not yet" (a non-blocking socket's answer). */
static int
evlog_err_later(int err)
{
	return err == EAGAIN || err == EWOULDBLOCK || err == EINPROGRESS ||
	    err == EALREADY || err == EINTR;
}

/* The line kind (its color) of a record. */
static enum ev_kind
evlog_rec_kind(const struct sysrec *r)
{
	if (r->err != 0 && evlog_err_later(r->err))
		return EV_WAIT;
	switch (r->call) {
	case SR_RECV:
	case SR_RECVFROM:
	case SR_SSL_READ:
		if (r->err == ECONNRESET)
			return EV_RESET;
		return r->ret == 0 && r->call == SR_RECV ? EV_EOF : EV_RECV;
	case SR_SEND:
	case SR_SENDTO:
	case SR_SSL_WRITE:
		return EV_SEND;
	case SR_SHUTDOWN:
		return EV_SHUTDOWN;
	case SR_CLOSE:
		return r->discarded > 0 ? EV_RESET : EV_CLOSED;
	case SR_ACCEPT4:
		return EV_ACCEPTED;
	case SR_CONNECT:
		return EV_CONNECTED;
	case SR_LISTEN:
	case SR_BIND:
		return EV_LISTENING;
	default:
		return EVLOG_TEXT;
	}
}

/* Nonzero if the record failed for real (drawn in red). */
static int
evlog_rec_error(const struct sysrec *r)
{
	if (r->gai != 0)
		return 1;
	if (r->call == SR_GETSOCKOPT && r->optval != 0 &&
	    !evlog_err_later((int)r->optval))
		return 1;
	return r->err != 0 && !evlog_err_later(r->err);
}

/* Append r's line in notation n with its socket's name first. */
int
evlog_rec_text(struct sbuf *out, const struct sysrec *r,
    enum sysrec_notation n)
{
	/* accept() is called on the listener, so name that first. */
	if (r->call == SR_ACCEPT4 && r->listener != 0)
		sbuf_printf(out, "L%d ", r->listener);
	else if (r->conn != 0)
		sbuf_printf(out, "#%d ", r->conn);
	else if (r->listener != 0)
		sbuf_printf(out, "L%d ", r->listener);
	return sysrec_narrate(out, r, n) != 0;
}

/* (Re)write a record line's text and hidden flag in the ring's
 * notation, in the line's own buffer. */
static void
evlog_narrate_line(const struct evlog *l, struct evlog_line *line)
{
	sbuf_reset(&line->buf);
	line->hidden = evlog_rec_text(&line->buf, line->rec, l->notation);
	if (line->buf.p == NULL)
		sbuf_adds(&line->buf, "");
	line->text = line->buf.p;
	line->narrated = l->narration;
}

/* Nonzero if r gave the peer bytes the user sent. */
static int
evlog_rec_is_send(const struct sysrec *r)
{
	return r->call == SR_SEND || r->call == SR_SENDTO ||
	    r->call == SR_SSL_WRITE;
}

/* Add the narration of a socket call, folding a run of the same call;
 * the narrating itself waits until the line is read. */
void
evlog_add_rec(struct evlog *l, const struct sysrec *r)
{
	struct evlog_line	*line;

	l->total++;
	if (l->cap == 0)
		return;
	if (l->count > 0) {
		line = evlog_newest(l);
		/* Only what the peer and the kernel repeat folds: each
		 * send stands for something the user did. */
		if (line->rec != NULL && sysrec_same(line->rec, r) &&
		    !evlog_rec_is_send(r)) {
			line->repeat++;
			line->t = r->t;
			return;
		}
	}
	/* An accept4() that found nobody waiting made no connection, even
	 * if the record names the one it would have made. */
	line = evlog_slot(l, r->t, r->call == SR_ACCEPT4 && r->ret < 0 ? 0 :
	    r->conn, r->listener, evlog_rec_kind(r), evlog_rec_error(r));
	/* The dropped line's record, if any, becomes this one's. */
	line->rec = sysrec_recopy(line->rec, r);
#if defined(__GNUC__)
	/* The next line to drop has long left the cache: under a flood its
	 * record is wanted again in microseconds, first its pointers. */
	if (l->count == l->cap && l->lines[l->first].rec != NULL) {
		const struct sysrec	*next = l->lines[l->first].rec;

		__builtin_prefetch(&next->addr.host, 1);
		__builtin_prefetch(&next->note, 1);
	}
#endif
}

/* Narrate every kept record in notation n from now on: each line is
 * narrated again when it is next read. */
void
evlog_set_notation(struct evlog *l, enum sysrec_notation n)
{
	l->notation = n;
	if (++l->narration == 0)
		l->narration = 1;
}

/* Nonzero when e's line repeats what the records of its calls say. */
int
evlog_ev_is_call(const struct ev *e)
{
	switch (e->kind) {
	case EV_ERROR:
		/* A timeout or a TLS verdict is no call's result. */
		if (e->gai != 0)
			return 1;
		return e->err != 0 && e->err != ETIMEDOUT;
	default:
		return 1;
	}
}
